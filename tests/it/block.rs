//! The update at the engine's width against the reference: `step` on a block of runs (`State<F64s>`,
//! eight lanes in lock-step) gives every lane exactly the state and occurrences `step` gives that run
//! alone (`RunState`), quarter by quarter, on generated scenarios that exercise every event effect,
//! reaction trigger, decision kind and lever, in full and part-filled blocks. The whole state is
//! compared through one derived comparison: each lane read out as a `RunState` (`State::lane`, which
//! must name every field) and its `Debug` text set against the reference's, which tells -0.0 from 0.0
//! and shows every field, so a field added to the state is compared without a change here.

use std::collections::BTreeSet;

use greatgame::engine::run_rng;
use greatgame::model::{
    step, step_portable, step_with, Decision, EventTarget, F64s, Isa, LaneMask, Lever,
    OccurrenceKind, Occurrences, Plan, RunState, Shocks, State, Toward, Trigger, World, LANES,
    LEVER_COUNT,
};
use greatgame::scenario::Scenario;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;

use crate::common;

/// A host's generated start: alignment weights (normalised), threat, regime, starting bases, routes and
/// blocs, and a byte that decides whether it is neutral or bans bases from some quarter.
type HostKnobs = ([f64; 3], f64, f64, [bool; 3], [bool; 3], [bool; 3], u8);

/// A generated reaction rule: pole, trigger (0 share above, 1 share below, 2 event, 3 a base decision,
/// 4 a route decision, 5 a bloc decision, 6 membership), watched pole, event, base or bloc, level, lever, duration, the hosts it applies to, and its strength: enabled, chance, scale, add.
type ReactionKnobs = (
    usize,
    u8,
    usize,
    f64,
    usize,
    u32,
    [bool; 3],
    bool,
    f64,
    f64,
    f64,
);

/// The numbers a generated scenario changes in the small test scenario (three states, three poles, four
/// events, decided and undecided blocs), each over the range the scenario reader accepts.
#[derive(Clone, Debug)]
struct Knobs {
    /// Per host.
    hosts: Vec<HostKnobs>,
    /// Lever rows per host and pole, before and after the quarter `switch`.
    levers: Vec<[[f64; LEVER_COUNT]; 2]>,
    switch: usize,
    /// Hazard per event and host, and injects per (quarter, event, host) with a small chance.
    hazards: Vec<f64>,
    injects: Vec<bool>,
    /// Per event: economy, presence, threat, regime, criticism, realign, hedging and tension effects, its critic
    /// (and the pole a realignment goes toward), and where a realignment goes (equal shares, a pole, a
    /// drawn pole).
    effects: Vec<([f64; 8], usize, u8)>,
    /// Per reaction rule.
    reactions: Vec<ReactionKnobs>,
    /// The decided bloc's thresholds: join above, leave below.
    hysteresis: (f64, f64),
    /// Adjustment rate and mood noise.
    adjust: f64,
    mood_sd: f64,
    /// The first run of the block and how many lanes hold runs.
    first_run: u64,
    runs: usize,
}

fn lever_row() -> impl Strategy<Value = [f64; LEVER_COUNT]> {
    let money = || prop_oneof![Just(0.0), 0.0..800.0f64];
    let share = || prop_oneof![Just(0.0), 0.0..=1.0f64];
    (
        money(),
        money(),
        prop_oneof![Just(0.0), Just(1.0), 0.0..=1.0f64],
        money(),
        share(),
        money(),
        money(),
        share(),
        share(),
        money(),
        share(),
    )
        .prop_map(|(a, r, o, t, m, l, i, s, x, g, j)| [a, r, o, t, m, l, i, s, x, g, j])
}

fn knobs() -> impl Strategy<Value = Knobs> {
    let host = (
        [0.05..1.0f64, 0.05..1.0f64, 0.05..1.0f64],
        0.0..=1.0f64,
        0.0..=1.0f64,
        any::<[bool; 3]>(),
        any::<[bool; 3]>(),
        any::<[bool; 3]>(),
        any::<u8>(),
    );
    let effects = (
        [
            -1.0..=0.5f64,
            -1.0..=0.5f64,
            -0.5..=0.8f64,
            -0.8..=0.5f64,
            -1.0..=3.0f64,
            0.0..=1.0f64,
            0.0..=2.0f64,
            -0.5..=0.8f64,
        ],
        0usize..3,
        0u8..3,
    );
    let reaction = (
        0usize..3,
        0u8..7,
        0usize..4,
        0.05..0.95f64,
        0usize..LEVER_COUNT,
        1u32..6,
        any::<[bool; 3]>(),
        prop_oneof![4 => Just(true), 1 => Just(false)],
        prop_oneof![Just(1.0), 0.0..=1.0f64],
        0.0..2.0f64,
        prop_oneof![Just(0.0), 0.0..300.0f64],
    );
    (
        (
            proptest::collection::vec(host, 3),
            proptest::collection::vec([lever_row(), lever_row()], 9),
            0usize..12,
        ),
        (
            proptest::collection::vec(prop_oneof![Just(0.0), 0.0..=0.6f64, Just(1.0)], 12),
            proptest::collection::vec(prop_oneof![19 => Just(false), 1 => Just(true)], 12 * 12),
            proptest::collection::vec(effects, 4),
        ),
        proptest::collection::vec(reaction, 4),
        (0.05..0.9f64, 0.0..0.5f64),
        (0.0..=1.0f64, 0.0..=0.5f64, 0u64..100_000, 1usize..=LANES),
    )
        .prop_map(
            |(
                (hosts, levers, switch),
                (hazards, injects, effects),
                reactions,
                (join, leave),
                (adjust, mood_sd, first_run, runs),
            )| Knobs {
                hosts,
                levers,
                switch,
                hazards,
                injects,
                effects,
                reactions,
                hysteresis: (join.max(leave), join.min(leave)),
                adjust,
                mood_sd,
                first_run,
                runs,
            },
        )
}

/// The small test scenario with its world and baseline replaced as `k` says.
fn generated(k: &Knobs) -> (World, Plan) {
    let text = std::fs::read_to_string(common::data("small.toml")).unwrap();
    let sc = Scenario::from_toml(&text, "small.toml").unwrap();
    let (mut world, mut plan) = (sc.world, sc.baseline);
    let (hs, ps, es, q) = (
        world.states.len(),
        world.poles.len(),
        world.events.len(),
        world.quarters,
    );
    assert_eq!((hs, ps, es, q), (3, 3, 4, 12), "the small scenario's shape");
    world.coefficients.adjustment_rate = k.adjust;
    world.coefficients.mood_sd = k.mood_sd;
    for (host, &(weights, threat, regime, _, transit, blocs, doctrine)) in
        world.states.iter_mut().zip(&k.hosts)
    {
        let sum: f64 = weights.iter().sum();
        host.alignment = weights.iter().map(|w| w / sum).collect();
        host.threat_baseline = threat;
        host.regime_baseline = regime;
        host.transit = transit.to_vec();
        host.blocs = blocs.to_vec();
        host.neutral = doctrine % 5 == 0;
        host.bans_bases_from = (doctrine % 3 == 0).then_some(usize::from(doctrine) % q);
        // Bloc structure: a doctrine of no military blocs, a reluctance toward the decided bloc (or a
        // hesitation), a
        // dated join of the fixed bloc and a dated leave, and a GDP schedule.
        host.no_military_blocs_from = (doctrine % 7 == 0).then_some(usize::from(doctrine / 7) % q);
        host.reluctance = vec![f64::from(doctrine) / 255.0 * 0.4 - 0.2, 0.0, 0.0];
        // Some hosts join the decided bloc from their own start plus a hesitation instead.
        host.hesitation = vec![
            (doctrine % 6 == 2).then_some(f64::from(doctrine) / 255.0 * 0.2 - 0.05),
            None,
            None,
        ];
        // Some hosts change sides in the decided bloc (its rival is set below).
        host.changes_sides = vec![doctrine % 4 == 1, false, false];
        host.bloc_dates = [(2, true), (1, doctrine % 2 == 0)]
            .into_iter()
            .map(|(bloc, joins)| greatgame::model::BlocDate {
                t: usize::from(doctrine / 2) % q,
                bloc,
                joins,
            })
            .collect();
        host.bloc_dates.sort_by_key(|d| (d.t, d.bloc));
        host.gdp_from = vec![(usize::from(doctrine) % q, 1.0 + f64::from(doctrine))];
    }
    // Disputes: between the first two states (the first's routes run through the second), and between
    // the last two; events change their tension.
    world.tensions = vec![
        greatgame::model::Tension {
            description: String::new(),
            states: [0, 1],
            level: k.hysteresis.1,
            via: Some(1),
            closes_above: k.hysteresis.0,
        },
        greatgame::model::Tension {
            description: String::new(),
            states: [1, 2],
            level: 0.3,
            via: None,
            closes_above: 1.0,
        },
    ];
    // The decided bloc is a military alliance with a rival pole; the last is founded during the run.
    world.blocs[0].military = true;
    world.blocs[0].rival = Some((world.blocs[0].pole + 1) % ps);
    world.blocs[2].founded = q / 3;
    for host in &mut world.states {
        host.blocs[2] = false;
    }
    // A named base of every pole in every host (two of the first pole's in the first host, so that a
    // pole's bases are decided one by one), hosted where the knobs say.
    world.bases.clear();
    for (h, &(_, _, _, bases, ..)) in k.hosts.iter().enumerate() {
        for (p, &hosted) in bases.iter().enumerate() {
            let copies = if h == 0 && p == 0 { 2 } else { 1 };
            for c in 0..copies {
                world.bases.push(greatgame::model::Base {
                    name: format!("base-{h}-{p}-{c}"),
                    description: String::new(),
                    host: h,
                    pole: p,
                    security: 0.1 + 0.2 * c as f64,
                    exposure: 1.0 - 0.6 * c as f64,
                    hosted: hosted && !world.states[h].refuses_bases(0),
                });
            }
        }
    }
    world.blocs[0].decided = Some(greatgame::model::Hysteresis {
        join_above: k.hysteresis.0,
        leave_below: k.hysteresis.1,
    });
    for (e, (ev, &(effects, critic, toward))) in world.events.iter_mut().zip(&k.effects).enumerate()
    {
        [
            ev.economy,
            ev.presence,
            ev.threat,
            ev.regime,
            ev.criticism,
            ev.realign,
            ev.hedging,
            ev.tension,
        ] = effects;
        ev.critic = Some(critic);
        ev.toward = match toward {
            0 => Toward::Equal,
            1 => Toward::Pole(critic),
            _ => Toward::Drawn(vec![0.2, 0.0, 0.8]),
        };
        if e == 0 {
            ev.target = EventTarget::Pole(critic);
        }
        // The last event strikes pairs: each incident also strikes the other state of a dispute.
        ev.pair = e == es - 1;
    }
    for t in 0..q {
        for (cell, &hazard) in k.hazards.iter().enumerate() {
            let (e, h) = (cell / hs, cell % hs);
            let at = world.event_index(t, e, h);
            plan.hazards[at] = hazard;
            world.injects[at] = k.injects[t * es * hs + cell];
            // The pair event's injects in the middle state (in both disputes) name the first dispute.
            if e == es - 1 && h == 1 && world.injects[at] {
                world.inject_pairs.push((at, 0));
            }
        }
        for (cell, rows) in k.levers.iter().enumerate() {
            let (h, p) = (cell / ps, cell % ps);
            *plan.lever_row_mut(&world, t, h, p) = rows[usize::from(t >= k.switch)];
        }
    }
    let template = world.reactions[0].clone();
    world.reactions.clear();
    let mut strengths = Vec::new();
    for &(pole, kind, watch, level, lever, duration, states, enabled, chance, scale, add) in
        &k.reactions
    {
        let mut rule = template.clone();
        rule.name = format!("rule_{}", world.reactions.len());
        rule.pole = pole;
        rule.trigger = match kind {
            0 | 1 => Trigger::Share {
                watch: watch % ps,
                above: kind == 0,
                level,
            },
            2 => Trigger::Event(watch % es),
            3 => Trigger::Decision(Decision::Base(watch % world.bases.len(), level < 0.5)),
            4 => Trigger::Decision(Decision::Route(watch % ps, level < 0.5)),
            5 => Trigger::Decision(Decision::Bloc(watch % 3, level < 0.5)),
            _ => Trigger::Member(watch % 3),
        };
        rule.lever = Lever::ALL[lever];
        rule.duration = duration;
        rule.states = states.to_vec();
        world.reactions.push(rule);
        strengths.push(greatgame::model::ReactionStrength {
            enabled,
            chance,
            scale,
            add,
        });
    }
    plan.reactions = (0..q).flat_map(|_| strengths.iter().copied()).collect();
    (world, plan)
}

/// What a comparison saw happen in some lane: the occurrence kinds, and the levers a reaction changed.
#[derive(Default)]
struct Seen {
    kinds: BTreeSet<OccurrenceKind>,
    /// The kinds of trigger of the rules that fired.
    triggers: BTreeSet<&'static str>,
    reacting_levers: BTreeSet<usize>,
}

/// Runs `k`'s block through `step::<F64s>` (and its portable build) and each of its runs alone through
/// `step::<f64>`, and returns the first difference, or what happened.
fn compare(k: &Knobs) -> Result<Seen, String> {
    let (world, plan) = generated(k);
    let world = &world;
    let slots = Occurrences::new(world);
    let mut seen = Seen::default();
    let runs: Vec<u64> = (k.first_run..k.first_run + k.runs as u64).collect();
    let mut refs: Vec<RunState> = runs.iter().map(|_| RunState::initial(world)).collect();
    let mut ref_rngs: Vec<_> = runs.iter().map(|&r| run_rng(11, r)).collect();
    let mut rngs = ref_rngs.clone();
    let (mut block, mut portable) = (State::<F64s>::initial(world), State::<F64s>::initial(world));
    // Every other build this CPU has (AVX2, AVX-512), each run beside the portable one.
    let builds: Vec<Isa> = Isa::available()
        .into_iter()
        .filter(|&i| i != Isa::Portable)
        .collect();
    let mut wide: Vec<_> = builds
        .iter()
        .map(|_| {
            (
                State::<F64s>::initial(world),
                vec![LaneMask(0); slots.len()],
            )
        })
        .collect();
    let mut shocks = Shocks::<F64s>::quiet(world);
    let mut one_shocks = Shocks::new(world);
    let (mut flags, mut portable_flags) = (
        vec![LaneMask(0); slots.len()],
        vec![LaneMask(0); slots.len()],
    );
    let mut occurred = vec![false; slots.len()];
    let mut lane = RunState::initial(world);
    for t in 0..world.quarters {
        shocks.draw_lanes(&mut rngs);
        step(world, &plan, &slots, t, &mut block, &shocks, &mut flags);
        step_portable(
            world,
            &plan,
            &slots,
            t,
            &mut portable,
            &shocks,
            &mut portable_flags,
        );
        if flags != portable_flags || format!("{block:?}") != format!("{portable:?}") {
            return Err(format!(
                "quarter {t}: the dispatched build differs from the portable"
            ));
        }
        for (&isa, (state, flags)) in builds.iter().zip(&mut wide) {
            step_with(isa, world, &plan, &slots, t, state, &shocks, flags);
            if *flags != portable_flags || format!("{state:?}") != format!("{portable:?}") {
                return Err(format!(
                    "quarter {t}: the {isa:?} build differs from the portable"
                ));
            }
        }
        for (i, (state, rng)) in refs.iter_mut().zip(&mut ref_rngs).enumerate() {
            for lefts in state.reaction_left.chunks(world.reactions.len()) {
                let active = world.reactions.iter().zip(lefts).filter(|&(_, &k)| k > 0);
                seen.reacting_levers
                    .extend(active.map(|(rule, _)| rule.lever.index()));
            }
            one_shocks.draw(rng);
            step(world, &plan, &slots, t, state, &one_shocks, &mut occurred);
            block.lane(i, &mut lane);
            let lane_flags: Vec<bool> = flags.iter().map(|f| f.test(i)).collect();
            if format!("{lane:?}") != format!("{state:?}") || lane_flags != occurred {
                return Err(format!(
                    "run {}, quarter {t}: lane {i} differs\n lane: {lane:?} {lane_flags:?}\n  run: {state:?} {occurred:?}",
                    runs[i]
                ));
            }
            for (s, &o) in occurred.iter().enumerate() {
                if o {
                    let slot = &slots.slots[s];
                    seen.kinds.insert(slot.kind);
                    if slot.kind == OccurrenceKind::Reaction {
                        seen.triggers
                            .insert(trigger_kind(&world.reactions[slot.subject].trigger));
                    }
                }
            }
        }
    }
    Ok(seen)
}

/// The kind of a reaction's trigger, in a word.
fn trigger_kind(trigger: &Trigger) -> &'static str {
    match trigger {
        Trigger::Share { .. } => "share",
        Trigger::Event(_) => "event",
        Trigger::Decision(Decision::Base(..)) => "base",
        Trigger::Decision(Decision::Route(..)) => "route",
        Trigger::Decision(Decision::Bloc(..)) => "bloc",
        Trigger::Member(_) => "member",
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn every_lane_of_a_block_follows_the_reference_update_bit_for_bit(k in knobs()) {
        compare(&k).map_err(TestCaseError::fail)?;
    }
}

#[test]
fn the_generated_scenarios_exercise_every_mechanism() {
    // Over a fixed sample of what the property test draws: every kind of occurrence happens (events,
    // reactions, bases, routes and blocs each way) and reactions change every lever, so the comparison
    // above covers them.
    let mut runner = TestRunner::deterministic();
    let strategy = knobs();
    let mut seen = Seen::default();
    for _ in 0..48 {
        let k = strategy.new_tree(&mut runner).unwrap().current();
        let s = compare(&k).unwrap_or_else(|e| panic!("{e}"));
        seen.kinds.extend(s.kinds);
        seen.triggers.extend(s.triggers);
        seen.reacting_levers.extend(s.reacting_levers);
    }
    for kind in [
        OccurrenceKind::Event,
        OccurrenceKind::Reaction,
        OccurrenceKind::BaseOpened,
        OccurrenceKind::BaseClosed,
        OccurrenceKind::TransitOpened,
        OccurrenceKind::TransitClosed,
        OccurrenceKind::BlocJoined,
        OccurrenceKind::BlocLeft,
    ] {
        assert!(seen.kinds.contains(&kind), "no {kind:?}: {:?}", seen.kinds);
    }
    assert_eq!(
        seen.triggers,
        ["base", "bloc", "event", "member", "route", "share"].into(),
        "kinds of trigger that set a reaction off"
    );
    assert_eq!(
        seen.reacting_levers,
        (0..LEVER_COUNT).collect(),
        "levers changed by a reaction"
    );
}

#[test]
fn a_block_read_lane_by_lane_is_its_runs_on_the_builtin_scenario() {
    // The shipped baseline and its policies, a full block and a part-filled one: the engine's case.
    let sc = greatgame::scenario::builtin().unwrap().scenario;
    let world = &sc.world;
    let slots = Occurrences::new(world);
    for plan in std::iter::once(&sc.baseline).chain(&sc.policies) {
        for (first, n) in [(0u64, LANES), (4096, LANES - 3)] {
            let mut rngs: Vec<_> = (first..first + n as u64).map(|r| run_rng(7, r)).collect();
            let mut block = State::<F64s>::initial(world);
            let mut shocks = Shocks::<F64s>::quiet(world);
            let mut flags = vec![LaneMask(0); slots.len()];
            for t in 0..world.quarters {
                shocks.draw_lanes(&mut rngs);
                step(world, plan, &slots, t, &mut block, &shocks, &mut flags);
            }
            let mut lane = RunState::initial(world);
            for i in 0..n {
                let mut rng = run_rng(7, first + i as u64);
                let mut state = RunState::initial(world);
                let mut one = Shocks::new(world);
                let mut occurred = vec![false; slots.len()];
                for t in 0..world.quarters {
                    one.draw(&mut rng);
                    step(world, plan, &slots, t, &mut state, &one, &mut occurred);
                }
                block.lane(i, &mut lane);
                assert_eq!(
                    format!("{lane:?}"),
                    format!("{state:?}"),
                    "{} lane {i}",
                    plan.name
                );
            }
        }
    }
}
