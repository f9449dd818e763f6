//! The block evaluator against the reference update: every lane of `step_block` follows `step` bit for
//! bit, quarter by quarter, with the same occurrences, for every plan of the built-in scenario, with
//! hazards raised so that events, reactions and decisions happen often, through a sudden swing of
//! alignment, and in a part-filled block.

use greatgame::engine::run_rng;
use greatgame::model::{
    step, step_block, step_block_portable, BlockShocks, LaneMask, Lever, OccurrenceKind,
    Occurrences, RunBlock, RunState, Shocks, LANES,
};

/// Every field of a run's state as bits (so that -0.0 and 0.0 differ).
fn bits(s: &RunState) -> Vec<u64> {
    let floats = [
        &s.alignment,
        &s.mood,
        &s.threat,
        &s.regime,
        &s.criticism,
        &s.economy,
        &s.presence,
    ];
    let mut out: Vec<u64> = floats
        .iter()
        .flat_map(|v| v.iter().map(|x| x.to_bits()))
        .collect();
    for flags in [&s.bases, &s.transit, &s.blocs] {
        out.extend(flags.iter().map(|&b| u64::from(b)));
    }
    out.extend(s.memberships.iter().map(|&k| u64::from(k)));
    out.extend(s.reaction_left.iter().map(|&k| u64::from(k)));
    out
}

/// The built-in scenario with hazards five times as high (at most 1), so that events strike and
/// reactions fire in most blocks, and every base offer withdrawn for the last quarter of the run, so
/// that the bases standing then close in every run.
fn hazardous_builtin() -> greatgame::scenario::Scenario {
    let mut sc = greatgame::scenario::builtin().unwrap().scenario;
    let quarters = sc.world.quarters;
    let rows_per_quarter = sc.world.states.len() * sc.world.poles.len();
    for plan in std::iter::once(&mut sc.baseline).chain(sc.policies.iter_mut()) {
        plan.hazards
            .iter_mut()
            .for_each(|h| *h = (*h * 5.0).min(1.0));
        plan.levers[quarters * 3 / 4 * rows_per_quarter..]
            .iter_mut()
            .for_each(|row| row[Lever::BaseOffered.index()] = 0.0);
    }
    sc
}

#[test]
fn every_lane_of_a_block_follows_the_reference_update_bit_for_bit() {
    let sc = hazardous_builtin();
    let world = &sc.world;
    let slots = Occurrences::new(world);
    let plans: Vec<_> = std::iter::once(&sc.baseline).chain(&sc.policies).collect();
    assert!(plans.len() > 1, "the built-in scenario has policies");
    let initial = RunState::initial(world);
    let mut shocks = Shocks::new(world);
    let mut block_shocks = BlockShocks::new(world);
    let mut occurred = vec![false; slots.len()];
    let mut block_occurred = vec![LaneMask(0); slots.len()];
    let mut lane = initial.clone();
    let mut seen = std::collections::BTreeMap::<OccurrenceKind, usize>::new();
    // Two full blocks and one with three idle lanes.
    for (first, n) in [(0u64, LANES), (LANES as u64, LANES), (100, LANES - 3)] {
        for plan in &plans {
            let mut rngs: Vec<_> = (0..n as u64).map(|i| run_rng(7, first + i)).collect();
            let mut block_rngs = rngs.clone();
            let mut runs = vec![initial.clone(); n];
            let mut block = RunBlock::new(&initial);
            for t in 0..world.quarters {
                if t == world.quarters / 2 {
                    // A sudden swing to the first pole, so that bases of the other poles close and
                    // their blocs lose members.
                    for (i, state) in runs.iter_mut().enumerate() {
                        for row in state.alignment.chunks_mut(world.poles.len()) {
                            row.fill(0.02 / (world.poles.len() - 1) as f64);
                            row[0] = 0.98;
                        }
                        block.set_lane(i, state);
                    }
                }
                block_shocks.draw(&mut block_rngs);
                step_block(
                    world,
                    plan,
                    &slots,
                    t,
                    &mut block,
                    &block_shocks,
                    &mut block_occurred,
                );
                for (i, (rng, state)) in rngs.iter_mut().zip(&mut runs).enumerate() {
                    shocks.draw(rng);
                    step(world, plan, &slots, t, state, &shocks, &mut occurred);
                    block.lane(i, &mut lane);
                    let (got, want) = (bits(&lane), bits(state));
                    let differs = got.iter().zip(&want).position(|(a, b)| a != b);
                    assert_eq!(
                        differs,
                        None,
                        "run {}, plan {}, quarter {t}: state differs at value {differs:?}",
                        first + i as u64,
                        plan.name
                    );
                    assert_eq!(got.len(), want.len());
                    for (s, &o) in occurred.iter().enumerate() {
                        assert_eq!(block_occurred[s].test(i), o, "slot {s}, quarter {t}");
                        if o {
                            *seen.entry(slots.slots[s].kind).or_default() += 1;
                        }
                    }
                }
            }
        }
    }
    for kind in [
        OccurrenceKind::Event,
        OccurrenceKind::Reaction,
        OccurrenceKind::BaseClosed,
        OccurrenceKind::TransitOpened,
        OccurrenceKind::TransitClosed,
        OccurrenceKind::BlocJoined,
        OccurrenceKind::BlocLeft,
    ] {
        assert!(
            seen.get(&kind).is_some_and(|&k| k > 0),
            "no {kind:?} was compared: {seen:?}"
        );
    }
}

#[test]
fn a_lane_set_and_read_back_is_the_same_state() {
    let loaded = greatgame::scenario::builtin().unwrap();
    let world = &loaded.scenario.world;
    let initial = RunState::initial(world);
    let mut changed = initial.clone();
    changed.alignment[1] = 0.123;
    changed.bases.iter_mut().for_each(|b| *b = !*b);
    changed.reaction_left[2] = 4;
    let mut block = RunBlock::new(&initial);
    block.set_lane(3, &changed);
    let mut out = initial.clone();
    for i in 0..LANES {
        block.lane(i, &mut out);
        let expected = if i == 3 { &changed } else { &initial };
        assert_eq!(bits(&out), bits(expected), "lane {i}");
    }
    block.fill(&initial);
    block.lane(3, &mut out);
    assert_eq!(bits(&out), bits(&initial));
}

/// On a CPU without AVX2 both calls run the portable version and this test shows nothing.
#[test]
fn the_version_chosen_for_this_cpu_gives_the_portable_bits() {
    let sc = hazardous_builtin();
    let world = &sc.world;
    let slots = Occurrences::new(world);
    let initial = RunState::initial(world);
    let mut shocks = BlockShocks::new(world);
    let (mut chosen_occurred, mut portable_occurred) = (
        vec![LaneMask(0); slots.len()],
        vec![LaneMask(0); slots.len()],
    );
    let (mut a, mut b) = (initial.clone(), initial.clone());
    for plan in std::iter::once(&sc.baseline).chain(&sc.policies) {
        for first in [0u64, 64, 4096] {
            let mut rngs: Vec<_> = (first..first + LANES as u64)
                .map(|r| run_rng(9, r))
                .collect();
            let (mut chosen, mut portable) = (RunBlock::new(&initial), RunBlock::new(&initial));
            for t in 0..world.quarters {
                shocks.draw(&mut rngs);
                step_block(
                    world,
                    plan,
                    &slots,
                    t,
                    &mut chosen,
                    &shocks,
                    &mut chosen_occurred,
                );
                step_block_portable(
                    world,
                    plan,
                    &slots,
                    t,
                    &mut portable,
                    &shocks,
                    &mut portable_occurred,
                );
                assert_eq!(chosen_occurred, portable_occurred, "quarter {t}");
                for i in 0..LANES {
                    chosen.lane(i, &mut a);
                    portable.lane(i, &mut b);
                    assert!(
                        bits(&a) == bits(&b),
                        "plan {}, quarter {t}, lane {i}",
                        plan.name
                    );
                }
            }
        }
    }
}
