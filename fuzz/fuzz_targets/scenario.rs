//! Fuzz target: any bytes as a scenario file go through parsing and validation without panicking, and
//! any scenario that validates runs a few short runs without panicking and with finite scores.

#![no_main]

use greatgame::engine::{simulate, Batch};
use greatgame::scenario::Scenario;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(sc) = Scenario::from_toml(text, "fuzz.toml") else { return };
    // Keep each input cheap: skip worlds too large to run a few quarters of quickly.
    let w = &sc.world;
    if w.quarters * w.states.len() * (w.events.len() + w.reactions.len() + w.poles.len()) > 20_000 {
        return;
    }
    let plans: Vec<_> = std::iter::once(sc.baseline.clone()).chain(sc.policies.iter().cloned()).collect();
    let batch = Batch {
        world: w,
        plans: &plans,
        first_run: 0,
        runs: 3,
        seed: 1,
        threads: Some(1),
        checks: &sc.checks,
        keep_finals: false,
        keep_trajectories: false,
    };
    let outcome = simulate(&batch, |_| Ok::<(), ()>(())).expect("the sink never fails");
    for tally in &outcome.tallies {
        assert!(tally.alignment.iter().all(|m| m.mean().is_finite() && (0.0..=1.0).contains(&m.mean())));
    }
});
