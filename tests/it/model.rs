//! Behaviour of the model through the library: the start is a rest point, every lever's effect is
//! monotone, doctrines hold in every run, and hazards, injects and reactions fire as declared.

use crate::common;
use greatgame::engine::Outcome;
use greatgame::model::{
    effective_levers, pull, step, Lever, OccurrenceKind, Occurrences, RunState, Shocks, LEVER_COUNT,
};
use greatgame::scenario::Scenario;

fn small() -> String {
    std::fs::read_to_string(common::data("small.toml")).unwrap()
}

fn scenario(text: &str) -> Scenario {
    Scenario::from_toml(text, "test.toml").unwrap_or_else(|e| panic!("{e}"))
}

fn run(sc: &Scenario, runs: u64, with_policies: bool) -> Outcome {
    let mut plans = vec![sc.baseline.clone()];
    if with_policies {
        plans.extend(sc.policies.iter().cloned());
    }
    common::simulate_plans(&sc.world, &plans, runs, 5)
}

/// Share of runs in which occurrence `kind` of `subject` happened in state `state` in quarter `t`.
fn share(o: &Outcome, kind: OccurrenceKind, subject: usize, state: Option<usize>, t: usize) -> f64 {
    let s = o
        .slots
        .slots
        .iter()
        .position(|x| x.kind == kind && x.subject == subject && x.state == state)
        .unwrap();
    f64::from(o.tallies[0].occurrences[t * o.slots.len() + s]) / o.runs as f64
}

/// The states after each of the first `quarters` quarters of `sc`'s baseline, with every draw zero.
fn quiet_quarters(sc: &Scenario, quarters: usize) -> Vec<RunState> {
    let world = &sc.world;
    let slots = Occurrences::new(world);
    let mut state = RunState::initial(world);
    let mut occurred = vec![false; slots.len()];
    let shocks = Shocks::new(world);
    (0..quarters)
        .map(|t| {
            step(
                world,
                &sc.baseline,
                &slots,
                t,
                &mut state,
                &shocks,
                &mut occurred,
            );
            state.clone()
        })
        .collect()
}

/// The scenario `text` with no mood noise and no events (no hazards, no injects).
fn quiet(text: String) -> Scenario {
    let text = text.replace(
        "[[pole]]\nname = \"NATO\"",
        "[model]\nmood_sd = 0.0\n\n[[pole]]\nname = \"NATO\"",
    );
    let mut sc = scenario(&text);
    sc.baseline.hazards.iter_mut().for_each(|h| *h = 0.0);
    sc.world.injects.iter_mut().for_each(|i| *i = false);
    sc
}

#[test]
fn a_starting_trust_damage_is_part_of_the_rest_point_and_fades_from_it() {
    // AAA starts with a grievance toward Russia and extra hedging (what a crisis before the start
    // left): the start is still a rest point, and as both fade Russia, AAA's leading pole, regains.
    let sc = quiet(small().replace(
        "code = \"AAA\"",
        "code = \"AAA\"\nhedging = 1.0\ngrievance = { Russia = 4.0 }",
    ));
    let world = &sc.world;
    let (ps, russia) = (world.poles.len(), world.pole_index("Russia").unwrap());
    let start = RunState::initial(world);
    assert_eq!(start.hedging[0], 1.0);
    assert_eq!(start.grievance[russia], 4.0);
    assert!(start.grievance[ps..].iter().all(|g| *g == 0.0));
    let states = quiet_quarters(&sc, 4);
    let russia_share: Vec<f64> = states.iter().map(|s| s.alignment[russia]).collect();
    let state = states.last().unwrap();
    // The first quarter's target is the start (the affinity absorbs what the damage does then) ...
    for (a, b) in state.alignment[ps..].iter().zip(&start.alignment[ps..]) {
        assert!((a - b).abs() < 1e-12, "another state moved from {b} to {a}");
    }
    assert!(
        (russia_share[0] - start.alignment[russia]).abs() < 1e-12,
        "moved in the first quarter: {russia_share:?}"
    );
    // ... and then the damage fades, and Russia's share in AAA rises quarter by quarter.
    assert!(
        russia_share.windows(2).all(|w| w[1] > w[0]),
        "{russia_share:?}"
    );
}

#[test]
fn without_noise_or_events_the_start_is_a_rest_point() {
    let sc = quiet(small());
    // Levers change in 2021Q1; until then nothing moves.
    let world = &sc.world;
    let state = quiet_quarters(&sc, 4).pop().unwrap();
    let start = RunState::initial(world);
    for (a, b) in state.alignment.iter().zip(&start.alignment) {
        assert!((a - b).abs() < 1e-12, "moved from {b} to {a}");
    }
}

#[test]
fn every_lever_raises_its_pole_pull() {
    let sc = scenario(&small());
    let world = &sc.world;
    let mut state = RunState::initial(world);
    state.bases.iter_mut().for_each(|b| *b = true);
    state.hosted.iter_mut().for_each(|b| *b = true);
    state.transit.iter_mut().for_each(|b| *b = true);
    let mut levers = [0.0; LEVER_COUNT];
    for h in 0..world.states.len() {
        for p in 0..world.poles.len() {
            effective_levers(world, &sc.baseline, 0, &state, h, p, &mut levers);
            for lever in Lever::ALL {
                let before = pull(world, &sc.baseline, &state, 0, h, p, &levers);
                let mut more = levers;
                more[lever.index()] = (more[lever.index()] + 0.1).min(lever.max());
                let after = pull(world, &sc.baseline, &state, 0, h, p, &more);
                assert!(
                    after >= before,
                    "{} lowered pull of pole {p} on state {h}",
                    lever.key()
                );
                // Rent counts per hosted base, and pressure buys compliance only from a dependent host
                // (its grievance comes a quarter later: docs/MODEL.md, "Coercion").
                let acts = match lever {
                    // Pressure to join acts on bloc decisions, not on the pull.
                    Lever::BaseOffered | Lever::JoinPressure => false,
                    Lever::BaseRent => world.has_base(h, p),
                    Lever::Pressure => levers[Lever::Remittance.index()] > 0.0,
                    _ => true,
                };
                if acts && more[lever.index()] > levers[lever.index()] {
                    assert!(
                        after > before,
                        "{} did not raise pull of pole {p} on state {h}",
                        lever.key()
                    );
                }
            }
        }
    }
}

#[test]
fn more_remittances_never_lower_russias_share_in_any_run() {
    // Same draws for both plans (common random numbers), no reactions or decisions that could feed back.
    let text = small().replace("chance = 0.5", "chance = 0.0").replace("chance = 1.0", "chance = 0.0")
        + "\n[[policy]]\nname = \"more_remittances\"\n[[policy.change]]\npole = \"Russia\"\nlever = \"remittance_share\"\nadd = 0.1\n";
    let sc = scenario(&text);
    let world = &sc.world;
    let slots = Occurrences::new(world);
    let more = sc
        .policies
        .iter()
        .find(|p| p.name == "more_remittances")
        .unwrap();
    let russia = world.pole_index("Russia").unwrap();
    let ps = world.poles.len();
    for run in 0..200 {
        let mut rng = greatgame::engine::run_rng(3, run);
        let (mut a, mut b) = (RunState::initial(world), RunState::initial(world));
        let mut shocks = Shocks::new(world);
        let mut occurred = vec![false; slots.len()];
        for t in 0..world.quarters {
            shocks.draw(&mut rng);
            step(
                world,
                &sc.baseline,
                &slots,
                t,
                &mut a,
                &shocks,
                &mut occurred,
            );
            step(world, more, &slots, t, &mut b, &shocks, &mut occurred);
            for h in 0..world.states.len() {
                let (x, y) = (a.alignment[h * ps + russia], b.alignment[h * ps + russia]);
                if a.blocs == b.blocs && a.bases == b.bases && a.transit == b.transit {
                    assert!(y >= x - 1e-12, "run {run} quarter {t} state {h}: {y} < {x}");
                }
            }
        }
    }
}

#[test]
fn every_lever_raises_the_mean_share_of_its_pole() {
    let base = small().replace("chance = 0.5", "chance = 0.0");
    for (lever, amount) in [
        ("aid_usd_m", 300.0),
        ("transit_usd_m", 300.0),
        ("remittance_share", 0.2),
        ("loans_usd_m", 900.0),
        ("investment_usd_m", 600.0),
        ("security", 0.5),
        ("base_rent_usd_m", 300.0),
    ] {
        for pole in ["NATO", "Russia", "China"] {
            let text = format!("{base}\n[[policy]]\nname = \"more\"\n[[policy.change]]\npole = \"{pole}\"\nstate = \"AAA\"\nlever = \"{lever}\"\nadd = {amount}\n");
            let sc = scenario(&text);
            let o = run(&sc, 300, true);
            let k = sc.policies.iter().position(|p| p.name == "more").unwrap() + 1;
            let p = sc.world.pole_index(pole).unwrap();
            let diff = o.tallies[k].paired[p].mean();
            // Base rent counts only where a base stands; transit only where the route is open.
            let inert = (lever == "base_rent_usd_m" && pole != "Russia")
                || (lever == "transit_usd_m" && pole != "NATO");
            if inert {
                assert!(diff >= 0.0, "{pole} {lever}: {diff}");
            } else {
                assert!(diff > 0.0, "{pole} {lever}: mean paired difference {diff}");
            }
        }
    }
}

#[test]
fn doctrines_hold_in_every_run_and_quarter() {
    // NATO and Russia court everyone with bases and money; the neutral state and the state that bans
    // bases must still never host one, and the neutral state never joins the CSTO.
    let mut text = small();
    for code in ["BBB", "NEU"] {
        for pole in ["NATO", "Russia"] {
            if (code, pole) != ("BBB", "NATO") {
                text.push_str(&format!(
                    "\n[[base]]\nname = \"{code}-{pole}\"\nstate = \"{code}\"\npole = \"{pole}\"\n"
                ));
            }
            text.push_str(&format!("\n[[lever]]\npole = \"{pole}\"\nstate = \"{code}\"\nbase_offered = 1\nbase_rent_usd_m = 5000\naid_usd_m = 5000\nsecurity = 1\n"));
        }
    }
    let sc = scenario(&text);
    let o = run(&sc, 500, false);
    let w = &sc.world;
    let ps = w.poles.len();
    let csto = w.blocs.iter().position(|b| b.name == "CSTO").unwrap();
    for code in ["BBB", "NEU"] {
        let h = w.states.iter().position(|s| s.code == code).unwrap();
        for b in (0..w.bases.len()).filter(|&b| w.bases[b].host == h) {
            for t in 0..w.quarters {
                assert_eq!(
                    share(&o, OccurrenceKind::BaseOpened, b, Some(h), t),
                    0.0,
                    "{code} admitted a base"
                );
            }
            assert_eq!(o.tallies[0].hosted[b], 0, "{code} hosts a base at the end");
        }
        for p in 0..ps {
            assert_eq!(
                o.tallies[0].bases[h * ps + p],
                0,
                "{code} hosts a base at the end"
            );
        }
    }
    let neu = w.states.iter().position(|s| s.code == "NEU").unwrap();
    assert_eq!(
        o.tallies[0].blocs[neu * w.blocs.len() + csto],
        0,
        "neutral state in the CSTO"
    );
    // The courting worked: without the doctrines these states would have admitted bases.
    let mut free = text
        .replace("bans_bases = true", "bans_bases = false")
        .replace("neutral = true", "neutral = false");
    free.push('\n');
    let o = run(&scenario(&free), 500, false);
    assert!(
        o.tallies[0].bases.iter().skip(ps).any(|&n| n > 0),
        "no base admitted even without doctrine"
    );
}

#[test]
fn hazard_one_fires_in_every_run_and_hazard_zero_in_none() {
    let text = small()
        .replace(
            "hazard = 0.02\nborder_exposure = true",
            "hazard = 1.0\nborder_exposure = true",
        )
        .replace("hazard = 0.05\neconomy", "hazard = 0.0\neconomy");
    let sc = scenario(&text);
    let o = run(&sc, 200, false);
    let spill = sc
        .world
        .events
        .iter()
        .position(|e| e.name == "spillover")
        .unwrap();
    let sanctions = sc
        .world
        .events
        .iter()
        .position(|e| e.name == "sanctions")
        .unwrap();
    for t in 0..sc.world.quarters {
        for h in 0..sc.world.states.len() {
            assert_eq!(share(&o, OccurrenceKind::Event, spill, Some(h), t), 1.0);
        }
        assert_eq!(share(&o, OccurrenceKind::Event, sanctions, None, t), 0.0);
    }
}

#[test]
fn an_inject_fires_exactly_where_and_when_declared_and_sets_off_its_reaction() {
    let text = small().replace("hazard = 0.02\ncriticism", "hazard = 0.0\ncriticism");
    let sc = scenario(&text);
    let o = run(&sc, 100, false);
    let w = &sc.world;
    let crackdown = w.events.iter().position(|e| e.name == "crackdown").unwrap();
    let cut = w
        .reactions
        .iter()
        .position(|r| r.name == "nato_cuts_aid")
        .unwrap();
    for t in 0..w.quarters {
        for h in 0..w.states.len() {
            let expected = if t == 2 && h == 0 { 1.0 } else { 0.0 };
            assert_eq!(
                share(&o, OccurrenceKind::Event, crackdown, Some(h), t),
                expected,
                "t={t} h={h}"
            );
            assert_eq!(
                share(&o, OccurrenceKind::Reaction, cut, Some(h), t),
                expected,
                "reaction t={t} h={h}"
            );
        }
    }
}

#[test]
fn scores_stay_on_the_simplex() {
    let sc = scenario(&small());
    let world = &sc.world;
    let slots = Occurrences::new(world);
    let ps = world.poles.len();
    for run in 0..100 {
        let mut rng = greatgame::engine::run_rng(11, run);
        let mut state = RunState::initial(world);
        let mut shocks = Shocks::new(world);
        let mut occurred = vec![false; slots.len()];
        for t in 0..world.quarters {
            shocks.draw(&mut rng);
            step(
                world,
                &sc.policies[1],
                &slots,
                t,
                &mut state,
                &shocks,
                &mut occurred,
            );
            for row in state.alignment.chunks(ps) {
                assert!(
                    row.iter().all(|a| a.is_finite() && *a > 0.0 && *a < 1.0),
                    "{row:?}"
                );
                assert!((row.iter().sum::<f64>() - 1.0).abs() < 1e-9, "{row:?}");
            }
        }
    }
}

#[test]
fn a_ban_on_bases_from_a_quarter_closes_a_standing_base_then_and_admits_none_after() {
    // AAA hosts Russia's base; a ban from 2020Q3 (quarter index 2) must close it in that quarter in
    // every run, and no base may open afterwards.
    let text = small().replace(
        "afghan_border_km = 1000",
        "afghan_border_km = 1000\nbans_bases_from = \"2020Q3\"",
    );
    let sc = scenario(&text);
    let o = run(&sc, 200, false);
    let russia = sc.world.pole_index("Russia").unwrap();
    let base = sc
        .world
        .bases
        .iter()
        .position(|b| b.name == "AAA-Russia")
        .unwrap();
    for t in 0..sc.world.quarters {
        let closed = share(&o, OccurrenceKind::BaseClosed, base, Some(0), t);
        if t == 2 {
            assert_eq!(closed, 1.0, "the ban closed the base in every run");
        }
        if t >= 2 {
            for b in (0..sc.world.bases.len()).filter(|&b| sc.world.bases[b].host == 0) {
                assert_eq!(share(&o, OccurrenceKind::BaseOpened, b, Some(0), t), 0.0);
            }
        }
    }
    assert_eq!(o.tallies[0].bases[russia], 0);
}

#[test]
fn check_warns_of_decisions_the_start_sets_off_at_once() {
    // AAA's NATO route is open though NATO pays nothing for it (it no longer wants it); AAA's Russian
    // base is hosted though doctrine bans it from the first quarter; BBB's reaction trigger holds.
    let text = small()
        .replace(
            "aid_usd_m = 20\ntransit_usd_m = 50",
            "aid_usd_m = 20\ntransit_usd_m = 0",
        )
        .replace(
            "afghan_border_km = 1000",
            "afghan_border_km = 1000\nbans_bases_from = \"2020Q1\"",
        );
    let warnings = scenario(&text).start_warnings();
    for expected in [
        "AAA: closes NATO's route in the first quarter",
        "AAA: hosts base AAA-Russia, but it closes in the first quarter",
    ] {
        assert!(
            warnings.iter().any(|w| w.starts_with(expected)),
            "{expected}: {warnings:?}"
        );
    }
    assert!(
        warnings
            .iter()
            .any(|w| w.starts_with("BBB: reaction russia_punishes is triggered from the start")),
        "{warnings:?}"
    );
    for name in [
        "central_asia_2017.toml",
        "nato_return.toml",
        "russia_squeeze.toml",
        "history_2005.toml",
    ] {
        let sc = greatgame::scenario::load(&common::shipped(name))
            .unwrap()
            .scenario;
        assert!(
            sc.start_warnings().is_empty(),
            "{name}: {:?}",
            sc.start_warnings()
        );
    }
}

#[test]
fn the_update_moves_each_host_toward_the_softmax_of_the_reference_pulls_bit_for_bit() {
    // `step` computes levers, benefits and pulls inline for speed; it must agree exactly with the
    // documented functions `effective_levers` and `pull`, including under reactions, a weakened
    // economy and a withdrawn presence.
    let loaded = greatgame::scenario::builtin().unwrap();
    let mut sc = loaded.scenario;
    sc.baseline.hazards.iter_mut().for_each(|h| *h = 0.0);
    sc.world.injects.iter_mut().for_each(|i| *i = false);
    let (world, plan) = (&sc.world, &sc.baseline);
    let (hs, ps) = (world.states.len(), world.poles.len());
    let slots = Occurrences::new(world);
    let mut occurred = vec![false; slots.len()];
    let mut shocks = Shocks::new(world);
    let mut rng = greatgame::engine::run_rng(9, 4);
    let mut state = RunState::initial(world);
    let mut levers = [0.0; LEVER_COUNT];
    let mut checked = 0;
    for t in 0..world.quarters {
        shocks.draw(&mut rng);
        match t {
            3 => state.economy[1] = 0.7,
            5 => state.reaction_left.iter_mut().for_each(|k| *k = 3),
            8 => state.presence[0] = 0.4,
            _ => {}
        }
        let before = state.clone();
        step(world, plan, &slots, t, &mut state, &shocks, &mut occurred);
        for h in 0..hs {
            let mut target: Vec<f64> = (0..ps)
                .map(|p| {
                    effective_levers(world, plan, t, &before, h, p, &mut levers);
                    pull(world, plan, &before, t, h, p, &levers) + state.mood[h * ps + p]
                })
                .collect();
            greatgame::model::softmax(&mut target);
            for (p, x) in target.iter().enumerate() {
                let a = before.alignment[h * ps + p];
                let expected = a + world.coefficients.adjustment_rate * (x - a);
                assert_eq!(
                    state.alignment[h * ps + p].to_bits(),
                    expected.to_bits(),
                    "quarter {t}, state {h}, pole {p}"
                );
                checked += 1;
            }
        }
    }
    assert_eq!(checked, world.quarters * hs * ps);
}

#[test]
fn membership_counts_follow_every_bloc_joined_or_left() {
    // `RunState::memberships` is derived from `blocs` and kept in step by the update; the pulls use it.
    // Blocs a state sees as economic only count nothing: the built-in scenario's Kazakh EEU (fixed),
    // and, in a second world, the CSTO (decided, so joined and left) for every state.
    let loaded = greatgame::scenario::builtin().unwrap();
    let mut economic = loaded.scenario.world.clone();
    let csto = economic
        .blocs
        .iter()
        .position(|b| b.name == "CSTO")
        .unwrap();
    economic
        .states
        .iter_mut()
        .for_each(|s| s.economic_only[csto] = true);
    assert!(loaded
        .scenario
        .world
        .states
        .iter()
        .any(|s| s.economic_only.contains(&true)));
    for world in [&loaded.scenario.world, &economic] {
        membership_counts_follow_blocs(world, &loaded.scenario.baseline);
    }
}

fn membership_counts_follow_blocs(
    world: &greatgame::model::World,
    baseline: &greatgame::model::Plan,
) {
    let (hs, ps, bs) = (world.states.len(), world.poles.len(), world.blocs.len());
    let slots = Occurrences::new(world);
    let mut occurred = vec![false; slots.len()];
    let mut shocks = Shocks::new(world);
    let (mut joined, mut left) = (0, 0);
    for run in 0..300 {
        let mut rng = greatgame::engine::run_rng(21, run);
        let mut state = RunState::initial(world);
        for t in 0..world.quarters {
            shocks.draw(&mut rng);
            if t == 20 {
                // A sudden swing to the first pole, so that members of the other poles' blocs leave.
                for row in state.alignment.chunks_mut(ps) {
                    row.fill(0.02 / (ps - 1) as f64);
                    row[0] = 0.98;
                }
            }
            let before = state.blocs.clone();
            step(
                world,
                baseline,
                &slots,
                t,
                &mut state,
                &shocks,
                &mut occurred,
            );
            for (a, b) in before.iter().zip(&state.blocs) {
                joined += usize::from(!a & b);
                left += usize::from(a & !b);
            }
            for h in 0..hs {
                for p in 0..ps {
                    let counted = (0..bs)
                        .filter(|&b| world.blocs[b].pole == p && state.blocs[h * bs + b])
                        .filter(|&b| !world.states[h].economic_only[b])
                        .count() as f64;
                    assert_eq!(
                        state.memberships[h * ps + p],
                        counted,
                        "run {run}, quarter {t}"
                    );
                }
            }
        }
    }
    assert!(
        joined > 0 && left > 0,
        "joined {joined}, left {left}: a direction went unchecked"
    );
}

#[test]
fn a_quarter_draws_only_the_cells_the_update_reads_in_a_fixed_order() {
    // The stream layout restated from the world: a 32-bit uniform (u · 2⁻³²) for each event cell the
    // update reads (every host of a state event, the first host of a pole event), a standard normal per
    // host and pole (greatgame's ziggurat), then a 32-bit uniform for each reaction cell it reads (hosts the rule applies to).
    // The cells it does not read hold 1, a uniform that never strikes or fires, quarter after quarter.
    use greatgame::model::EventTarget;
    use rand::RngCore;
    let loaded = greatgame::scenario::builtin().unwrap();
    let world = &loaded.scenario.world;
    let hs = world.states.len();
    let unit = |u: u32| f64::from(u) / 4_294_967_296.0;
    let mut shocks = Shocks::new(world);
    let mut rng = greatgame::engine::run_rng(11, 3);
    let mut replay = rng.clone();
    let (mut unread_events, mut unread_reactions) = (0, 0);
    let normal = greatgame::model::Ziggurat::new();
    for t in 0..4 {
        shocks.draw(&mut rng);
        for (e, ev) in world.events.iter().enumerate() {
            for h in 0..hs {
                let want = if ev.target == EventTarget::States || h == 0 {
                    unit(replay.next_u32())
                } else {
                    unread_events += 1;
                    1.0
                };
                let got = shocks.event[e * hs + h];
                assert_eq!(
                    got.to_bits(),
                    want.to_bits(),
                    "quarter {t}, event {e}, state {h}"
                );
            }
        }
        for (k, z) in shocks.mood.iter().enumerate() {
            let want = normal.sample(&mut replay);
            assert_eq!(z.to_bits(), want.to_bits(), "quarter {t}, mood {k}");
        }
        for (r, rule) in world.reactions.iter().enumerate() {
            for h in 0..hs {
                let want = if rule.states[h] {
                    unit(replay.next_u32())
                } else {
                    unread_reactions += 1;
                    1.0
                };
                let got = shocks.reaction[r * hs + h];
                assert_eq!(
                    got.to_bits(),
                    want.to_bits(),
                    "quarter {t}, reaction {r}, state {h}"
                );
            }
        }
    }
    assert!(
        unread_events > 0 && unread_reactions > 0,
        "the built-in world has pole events and reactions limited to some states"
    );
    assert_eq!(rng.next_u64(), replay.next_u64(), "the draw consumed more");
}

#[test]
fn a_reaction_rule_that_applies_to_no_host_consumes_no_draws() {
    // Cells that are never read are never drawn: a rule for no host adds nothing to the stream, so every
    // other number of every quarter stays where it was.
    let loaded = greatgame::scenario::builtin().unwrap();
    let world = &loaded.scenario.world;
    let (hs, rs) = (world.states.len(), world.reactions.len());
    let mut wider = world.clone();
    let mut idle = world.reactions[0].clone();
    idle.states.iter_mut().for_each(|s| *s = false);
    wider.reactions.insert(0, idle);
    let (mut shocks, mut wider_shocks) = (Shocks::new(world), Shocks::new(&wider));
    let mut rng = greatgame::engine::run_rng(4, 8);
    let mut wider_rng = rng.clone();
    for t in 0..world.quarters {
        shocks.draw(&mut rng);
        wider_shocks.draw(&mut wider_rng);
        assert_eq!(shocks.event, wider_shocks.event, "quarter {t}");
        assert_eq!(shocks.mood, wider_shocks.mood, "quarter {t}");
        assert_eq!(
            shocks.reaction[..],
            wider_shocks.reaction[hs..],
            "quarter {t}"
        );
        assert!(wider_shocks.reaction[..hs].iter().all(|&u| u == 1.0));
    }
    assert_eq!(wider_shocks.reaction.len(), (rs + 1) * hs);
}
