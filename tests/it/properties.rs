//! Properties over generated input: for any valid scenario, scores stay on the simplex, nothing is NaN,
//! doctrines hold and outputs are identical across thread counts; the parser never panics on any text.

use crate::common;
use greatgame::engine::{simulate, Batch, Outcome};
use greatgame::model::{OccurrenceKind, Occurrences, RunState, Shocks};
use greatgame::scenario::Scenario;
use proptest::prelude::*;

/// Three positive shares summing to 1 (as text with enough digits to sum exactly enough).
fn simplex() -> impl Strategy<Value = (f64, f64, f64)> {
    (1u32..1000, 1u32..1000, 1u32..1000).prop_map(|(a, b, c)| {
        let s = f64::from(a + b + c);
        let (x, y) = (f64::from(a) / s, f64::from(b) / s);
        (x, y, 1.0 - x - y)
    })
}

#[derive(Debug, Clone)]
struct Knobs {
    shares: [(f64, f64, f64); 3],
    remittance: f64,
    aid: f64,
    loans: f64,
    hazards: [f64; 4],
    effects: (f64, f64, f64, f64, f64),
    coefficients: (f64, f64, f64, f64, f64),
    chance: f64,
    scale: f64,
    threat: f64,
    regime: f64,
}

fn knobs() -> impl Strategy<Value = Knobs> {
    (
        [simplex(), simplex(), simplex()],
        (0.0..=1.0f64, 0.0..5000.0f64, 0.0..5000.0f64),
        [0.0..=1.0f64, 0.0..=1.0f64, 0.0..=1.0f64, 0.0..=1.0f64],
        (
            -1.0..=0.0f64,
            0.0..=10.0f64,
            -1.0..=1.0f64,
            0.0..=1.0f64,
            -1.0..=1.0f64,
        ),
        (
            0.0..=1.0f64,
            0.0..=0.999f64,
            0.0..=3.0f64,
            0.0..=5.0f64,
            0.0..=5.0f64,
        ),
        (0.0..=1.0f64, 0.0..=3.0f64, 0.0..=1.0f64, 0.0..=1.0f64),
    )
        .prop_map(
            |(
                shares,
                (remittance, aid, loans),
                hazards,
                effects,
                coefficients,
                (chance, scale, threat, regime),
            )| Knobs {
                shares,
                remittance,
                aid,
                loans,
                hazards,
                effects,
                coefficients,
                chance,
                scale,
                threat,
                regime,
            },
        )
}

/// The small test scenario with its numbers replaced by `k`.
fn scenario_text(k: &Knobs) -> String {
    let text = std::fs::read_to_string(common::data("small.toml")).unwrap();
    let share =
        |(a, b, c): (f64, f64, f64)| format!("{{ NATO = {a:?}, Russia = {b:?}, China = {c:?} }}");
    let (economy, criticism, regime_effect, realign, threat_effect) = k.effects;
    let (adjust, persistence, mood, econ_w, sec_w) = k.coefficients;
    let model = format!(
        "[model]\nadjustment_rate = {adjust:?}\nmood_persistence = {persistence:?}\nmood_sd = {mood:?}\neconomic_weight = {econ_w:?}\nsecurity_weight = {sec_w:?}\n\n[[pole]]\nname = \"NATO\""
    );
    text.replacen("[[pole]]\nname = \"NATO\"", &model, 1)
        .replace(
            "{ NATO = 0.2, Russia = 0.5, China = 0.3 }",
            &share(k.shares[0]),
        )
        .replace(
            "{ NATO = 0.3, Russia = 0.35, China = 0.35 }",
            &share(k.shares[1]),
        )
        .replace(
            "{ NATO = 0.3, Russia = 0.4, China = 0.3 }",
            &share(k.shares[2]),
        )
        .replace(
            "remittance_share = 0.3",
            &format!("remittance_share = {:?}", k.remittance),
        )
        .replace("aid_usd_m = 20", &format!("aid_usd_m = {:?}", k.aid))
        .replace("loans_usd_m = 200", &format!("loans_usd_m = {:?}", k.loans))
        .replace(
            "hazard = 0.05\neconomy = -0.4",
            &format!("hazard = {:?}\neconomy = {economy:?}", k.hazards[0]),
        )
        .replace(
            "hazard = 0.02\ncriticism = 1.0\nregime = -0.1",
            &format!(
                "hazard = {:?}\ncriticism = {criticism:?}\nregime = {regime_effect:?}",
                k.hazards[1]
            ),
        )
        .replace(
            "hazard = 0.02\nborder_exposure = true\nthreat = 0.3",
            &format!(
                "hazard = {:?}\nborder_exposure = true\nthreat = {threat_effect:?}",
                k.hazards[2]
            ),
        )
        .replace(
            "hazard_by_state = { BBB = 0.05 }\nrealign = 0.3",
            &format!(
                "hazard_by_state = {{ BBB = {:?} }}\nrealign = {realign:?}",
                k.hazards[3]
            ),
        )
        .replace("chance = 0.5", &format!("chance = {:?}", k.chance))
        .replace("scale = 0.8", &format!("scale = {:?}", k.scale))
        .replace(
            "threat = 0.3\nalignment",
            &format!("threat = {:?}\nalignment", k.threat),
        )
        .replace(
            "regime_security = 0.6",
            &format!("regime_security = {:?}", k.regime),
        )
}

fn simulate_with(sc: &Scenario, threads: usize) -> Outcome {
    let plans: Vec<_> = std::iter::once(sc.baseline.clone())
        .chain(sc.policies.iter().cloned())
        .collect();
    let batch = Batch {
        world: &sc.world,
        plans: &plans,
        first_run: 0,
        runs: 40,
        seed: 9,
        threads: Some(threads),
        checks: &[],
        keep_finals: false,
        keep_trajectories: false,
        varied: None,
    };
    simulate(&batch, |_| Ok::<(), ()>(())).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn any_valid_scenario_keeps_scores_on_the_simplex_and_doctrines_whole(k in knobs()) {
        let text = scenario_text(&k);
        let sc = Scenario::from_toml(&text, "generated.toml").map_err(|e| TestCaseError::fail(e.to_string()))?;
        let world = &sc.world;
        let slots = Occurrences::new(world);
        let ps = world.poles.len();
        for plan in std::iter::once(&sc.baseline).chain(&sc.policies) {
            for run in 0..8 {
                let mut rng = greatgame::engine::run_rng(1, run);
                let mut state = RunState::initial(world);
                let mut shocks = Shocks::new(world);
                let mut occurred = vec![false; slots.len()];
                for t in 0..world.quarters {
                    shocks.draw(&mut rng);
                    greatgame::model::step(world, plan, &slots, t, &mut state, &shocks, &mut occurred);
                    for row in state.alignment.chunks(ps) {
                        prop_assert!(row.iter().all(|a| a.is_finite() && *a >= 0.0 && *a <= 1.0), "{row:?}");
                        prop_assert!((row.iter().sum::<f64>() - 1.0).abs() < 1e-9, "{row:?}");
                    }
                    prop_assert!(state.threat.iter().chain(&state.regime).all(|x| (0.0..=1.0).contains(x)));
                    prop_assert!(state.mood.iter().chain(&state.criticism).chain(&state.economy).all(|x| x.is_finite()));
                    for (h, host) in world.states.iter().enumerate() {
                        if host.refuses_bases(t) {
                            prop_assert!(!state.bases[h * ps..(h + 1) * ps].iter().any(|&b| b), "{} hosts a base", host.code);
                        }
                        if host.neutral {
                            for (s, slot) in slots.slots.iter().enumerate() {
                                if slot.kind == OccurrenceKind::BlocJoined && slot.state == Some(h) {
                                    prop_assert!(!occurred[s], "neutral {} joined a bloc", host.code);
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn any_valid_scenario_gives_identical_results_on_one_and_two_threads(k in knobs()) {
        let sc = Scenario::from_toml(&scenario_text(&k), "generated.toml").map_err(|e| TestCaseError::fail(e.to_string()))?;
        let (a, b) = (simulate_with(&sc, 1), simulate_with(&sc, 2));
        prop_assert_eq!(&a.tallies, &b.tallies);
        for t in &a.tallies {
            prop_assert!(t.alignment.iter().all(|m| m.mean().is_finite() && m.sd().is_finite()));
        }
    }

    #[test]
    fn the_parser_never_panics_on_arbitrary_text(s in "\\PC{0,400}") {
        let _ = Scenario::from_toml(&s, "arbitrary.toml");
    }

    #[test]
    fn the_parser_never_panics_on_a_mangled_scenario(cut in 0usize..4000, len in 0usize..40, junk in "[\\[\\]={}\"#.,0-9a-z \\n-]{0,12}") {
        let text = std::fs::read_to_string(common::data("small.toml")).unwrap();
        let mut at = cut.min(text.len());
        while !text.is_char_boundary(at) { at -= 1; }
        let mut end = (at + len).min(text.len());
        while !text.is_char_boundary(end) { end -= 1; }
        let mangled = format!("{}{}{}", &text[..at], junk, &text[end..]);
        let _ = Scenario::from_toml(&mangled, "mangled.toml");
    }
}
