//! Benchmarks of the core without I/O, on the built-in baseline scenario: runs of the model as the engine
//! evaluates them (a block of `LANES` runs in lock-step, reported per run), the same runs' random draws
//! alone (the floor ChaCha8 sets), one run through the reference width of `step`, and a batch of runs
//! through the engine at one and two threads.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use greatgame::analysis::uncertain::{Ensemble, Varied};
use greatgame::engine::{run_rng, simulate, Batch, PerRun, Ungrouped};
use greatgame::model::{step, F64s, LaneMask, Occurrences, RunState, Shocks, State, LANES};
use greatgame::scenario::{self, Scenario};

fn one_run(c: &mut Criterion) {
    let loaded = scenario::builtin().expect("built-in scenario is valid");
    let sc = &loaded.scenario;
    let world = &sc.world;
    let slots = Occurrences::new(world);
    let mut shocks = Shocks::new(world);
    let mut state = RunState::initial(world);
    let mut occurred = vec![false; slots.len()];
    let mut run = 0u64;
    c.bench_function("baseline_one_run", |b| {
        b.iter(|| {
            run += 1;
            let mut rng = run_rng(1, run);
            state.reset(world);
            for t in 0..world.quarters {
                shocks.draw(&mut rng);
                step(
                    world,
                    &sc.baseline,
                    &slots,
                    t,
                    &mut state,
                    &shocks,
                    &mut occurred,
                );
            }
            state.alignment[0]
        })
    });
    c.bench_function("baseline_one_run_draws_only", |b| {
        b.iter(|| {
            run += 1;
            let mut rng = run_rng(1, run);
            for _ in 0..world.quarters {
                shocks.draw(&mut rng);
            }
            shocks.mood[0]
        })
    });
}

fn batch(c: &mut Criterion) {
    let loaded = scenario::builtin().expect("built-in scenario is valid");
    let sc = &loaded.scenario;
    let plans = [sc.baseline.clone()];
    let runs = 8192;
    let mut group = c.benchmark_group("baseline_batch");
    group.throughput(Throughput::Elements(runs));
    group.sample_size(10);
    for threads in [1usize, 2] {
        let batch = Batch {
            world: &sc.world,
            plans: &plans,
            first_run: 0,
            runs,
            seed: 1,
            threads: Some(threads),
            checks: &[],
            keep_finals: false,
            keep_trajectories: false,
            varied: None,
        };
        group.bench_with_input(BenchmarkId::new("threads", threads), &batch, |b, batch| {
            b.iter(|| simulate(batch, |_| Ok::<(), ()>(())).expect("no sink errors"))
        });
    }
    group.finish();
}

fn block_of_runs(c: &mut Criterion) {
    let loaded = scenario::builtin().expect("built-in scenario is valid");
    let sc = &loaded.scenario;
    let world = &sc.world;
    let slots = Occurrences::new(world);
    let mut shocks = Shocks::<F64s>::quiet(world);
    let mut block = State::<F64s>::initial(world);
    let mut occurred = vec![LaneMask(0); slots.len()];
    // The next block's random generators: fresh runs every iteration, as in the engine.
    let mut first = 0u64;
    let mut next_rngs = move || {
        first += LANES as u64;
        (first..first + LANES as u64)
            .map(|r| run_rng(1, r))
            .collect::<Vec<_>>()
    };
    let mut group = c.benchmark_group("baseline_runs");
    group.throughput(Throughput::Elements(LANES as u64));
    group.bench_function("block", |b| {
        b.iter(|| {
            let mut rngs = next_rngs();
            block.reset(world);
            for t in 0..world.quarters {
                shocks.draw_lanes(&mut rngs);
                step(
                    world,
                    &sc.baseline,
                    &slots,
                    t,
                    &mut block,
                    &shocks,
                    &mut occurred,
                );
            }
            block.alignment[0].0[0]
        })
    });
    group.bench_function("block_draws_only", |b| {
        b.iter(|| {
            let mut rngs = next_rngs();
            for _ in 0..world.quarters {
                shocks.draw_lanes(&mut rngs);
            }
            shocks.mood[0].0[0]
        })
    });
    group.finish();
}

/// The built-in scenario with one `[[uncertain]]` number, as `greatgame run` simulates it: each run
/// alone with its own world. `model.economic_weight` (triangular) has a direct setter: a run's world is
/// a copy with the value written in. `lever.Russia.KGZ.aid_usd_m` (uniform) has none: a run's world is
/// the scenario validated again with its value. Reported per run, beside the same batch without the
/// number, and the cost of building one run's world alone.
fn uncertain_runs(c: &mut Criterion) {
    let builtin = scenario::builtin().expect("built-in scenario is valid");
    let with = |entry: &str| {
        format!(
            "{}\n[[uncertain]]\n{entry}reason = \"bench\"\n",
            builtin.text
        )
    };
    let direct = with("path = \"model.economic_weight\"\ndistribution = \"triangular\"\nlow = 0.3\nmode = 0.55\nhigh = 0.9\n");
    let validated = with(
        "path = \"lever.Russia.KGZ.aid_usd_m\"\ndistribution = \"uniform\"\nlow = 25\nhigh = 75\n",
    );
    let names = ["baseline".to_string()];
    let varied = |text: &str| {
        let sc = greatgame::scenario::Scenario::from_toml(text, "bench.toml").expect("valid");
        let v = Varied::new(text, "bench.toml", &sc, None, 1, &names)
            .expect("valid")
            .expect("one uncertain number");
        (sc, v)
    };
    let (sc, direct) = varied(&direct);
    let (_, validated) = varied(&validated);
    assert!(direct.is_direct() && !validated.is_direct());
    bench_batches(
        c,
        "uncertain_batch",
        &sc,
        1024,
        &[
            ("fixed", None),
            ("uncertain", Some(&direct as &dyn PerRun)),
            ("uncertain_validated", Some(&validated as &dyn PerRun)),
        ],
    );
    for (name, v) in [
        ("uncertain_world_of_one_run", &direct),
        ("uncertain_world_of_one_run_validated", &validated),
    ] {
        let mut run = 0u64;
        c.bench_function(name, |b| {
            b.iter(|| {
                run += 1;
                v.world(run).expect("valid").0.quarters
            })
        });
    }
}

/// The built-in scenario drawing each run's parameter set from the calibrated ensemble it embeds
/// (`scenarios/ensemble_2005.csv`, 200 weighted sets), as `greatgame run` simulates it, against the
/// same runs at the calibrated point. Runs that draw the same set share a world and a block
/// (`ensemble`); `ensemble_one_per_block` is the path before they did.
fn ensemble_runs(c: &mut Criterion) {
    let builtin = scenario::builtin().expect("built-in scenario is valid");
    let sc = &builtin.scenario;
    let (_, bytes) = scenario::BUILTIN_FILES[0];
    let ensemble = Ensemble::from_csv(bytes).expect("the embedded ensemble is valid");
    let names = ["baseline".to_string()];
    let varied = Varied::new(&builtin.text, &builtin.file, sc, Some(ensemble), 1, &names)
        .expect("valid")
        .expect("an ensemble");
    let alone = Ungrouped(&varied);
    bench_batches(
        c,
        "ensemble_batch",
        sc,
        2048,
        &[
            ("fixed", None),
            ("ensemble", Some(&varied as &dyn PerRun)),
            ("ensemble_one_per_block", Some(&alone as &dyn PerRun)),
        ],
    );
}

/// Benchmarks `runs` runs of `sc`'s baseline on one thread in the group `name`, once per case: its
/// name and where the runs' parameters come from (`None`: the scenario as written).
fn bench_batches(
    c: &mut Criterion,
    name: &str,
    sc: &Scenario,
    runs: u64,
    cases: &[(&str, Option<&dyn PerRun>)],
) {
    let plans = [sc.baseline.clone()];
    let mut group = c.benchmark_group(name);
    group.throughput(Throughput::Elements(runs));
    group.sample_size(10);
    for &(case, varied) in cases {
        let batch = Batch {
            world: &sc.world,
            plans: &plans,
            first_run: 0,
            runs,
            seed: 1,
            threads: Some(1),
            checks: &[],
            keep_finals: false,
            keep_trajectories: false,
            varied,
        };
        group.bench_with_input(BenchmarkId::new("threads_1", case), &batch, |b, batch| {
            b.iter(|| simulate(batch, |_| Ok::<(), ()>(())).expect("no sink errors"))
        });
    }
    group.finish();
}

criterion_group!(
    benches,
    block_of_runs,
    one_run,
    batch,
    uncertain_runs,
    ensemble_runs
);
criterion_main!(benches);
