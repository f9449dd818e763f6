//! Benchmarks of the analysis core (issue 15's target: a Sobol analysis of 10 parameters with
//! N = 1,024 base samples): building the Saltelli design's points, and the Sobol estimator with its
//! 1,000-resample bootstrap, over first/total order alone (12,288 points) and with second order
//! (22,528 points). The outputs are Sobol's G function's, computed once outside the timing: the
//! estimator's cost does not depend on what produced them.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use greatgame::analysis::bootstrap::Bootstrap;
use greatgame::analysis::design::{Design, Saltelli};
use greatgame::analysis::sensitivity::sobol_indices;

const N: u32 = 1_024;
const K: usize = 10;

/// Sobol's G function with the usual mix of important and unimportant inputs.
fn g_function(u: &[f64]) -> f64 {
    const A: [f64; K] = [0.0, 1.0, 4.5, 9.0, 99.0, 99.0, 99.0, 99.0, 99.0, 99.0];
    u.iter()
        .zip(A)
        .map(|(x, a)| ((4.0 * x - 2.0).abs() + a) / (1.0 + a))
        .product()
}

fn outputs(design: &Saltelli) -> Vec<f64> {
    let mut point = vec![0.0; K];
    (0..design.len())
        .map(|i| {
            design.point(i, &mut point);
            g_function(&point)
        })
        .collect()
}

fn sobol(c: &mut Criterion) {
    let mut group = c.benchmark_group("sobol_k10_n1024");
    group.sample_size(10);
    let bootstrap = Bootstrap::new(1_000, 0.95, 1).expect("valid bootstrap settings");
    for second_order in [false, true] {
        let design = Saltelli::new(N, K, N, second_order).expect("valid design");
        let y = outputs(&design);
        let label = if second_order {
            "second_order"
        } else {
            "first_total"
        };
        group.throughput(Throughput::Elements(design.len()));
        group.bench_with_input(BenchmarkId::new("design_points", label), &design, |b, d| {
            let mut point = vec![0.0; K];
            b.iter(|| {
                let mut sum = 0.0;
                for i in 0..d.len() {
                    d.point(i, &mut point);
                    sum += point[0];
                }
                sum
            })
        });
        group.bench_with_input(
            BenchmarkId::new("indices_with_bootstrap", label),
            &y,
            |b, y| b.iter(|| sobol_indices(y, &design, &bootstrap).expect("valid outputs")),
        );
    }
    group.finish();
}

criterion_group!(benches, sobol);
criterion_main!(benches);
