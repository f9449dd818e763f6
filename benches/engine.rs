//! Benchmarks of the core without I/O: one run of the built-in baseline scenario.

use criterion::{criterion_group, criterion_main, Criterion};
use greatgame::engine::{simulate, Batch};
use greatgame::scenario;

fn one_run(c: &mut Criterion) {
    let loaded = scenario::builtin().expect("built-in scenario is valid");
    let sc = &loaded.scenario;
    let plans = [sc.baseline.clone()];
    let batch = Batch {
        world: &sc.world,
        plans: &plans,
        runs: 1,
        seed: 1,
        threads: Some(1),
        keep_finals: false,
        keep_trajectories: false,
    };
    c.bench_function("baseline_one_run", |b| {
        b.iter(|| simulate(&batch, |_| Ok::<(), ()>(())).expect("no sink errors"))
    });
}

criterion_group!(benches, one_run);
criterion_main!(benches);
