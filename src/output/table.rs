//! The readable tables printed on stdout: what a facilitator reads aloud to the room.

use std::fmt::Write;

use crate::engine::Outcome;
use crate::model::World;
use crate::stats::{hist_quantile, proportion, BINS, Z95};

/// Per state: the most likely dominant pole at the horizon with its probability, and each pole's share
/// with its 90% range, for plan `k`.
pub fn run_table(world: &World, outcome: &Outcome, k: usize) -> String {
    let (hs, ps) = (world.states.len(), world.poles.len());
    let tally = &outcome.tallies[k];
    let last_t = world.quarters - 1;
    let mut s = String::new();
    let _ = write!(
        s,
        "{:<6} {:<22}",
        "state",
        format!("dominant at {}", world.quarter_label(last_t))
    );
    for pole in &world.poles {
        let _ = write!(s, "  {:<20}", format!("{pole} share [p05-p95]"));
    }
    s.push('\n');
    for h in 0..hs {
        let counts = &tally.dominant[h * ps..(h + 1) * ps];
        let best = (0..ps).fold(0, |b, p| if counts[p] > counts[b] { p } else { b });
        let (prob, se) = proportion(u64::from(counts[best]), tally.runs);
        let _ = write!(
            s,
            "{:<6} {:<22}",
            world.states[h].code,
            format!(
                "{} {:.0}% ±{:.1}",
                world.poles[best],
                prob * 100.0,
                Z95 * se * 100.0
            )
        );
        for p in 0..ps {
            let i = (last_t * hs + h) * ps + p;
            let hist = &tally.histograms[i * BINS..(i + 1) * BINS];
            let cell = format!(
                "{:.2} [{:.2}-{:.2}]",
                tally.alignment[i].mean(),
                hist_quantile(hist, 0.05),
                hist_quantile(hist, 0.95)
            );
            let _ = write!(s, "  {cell:<20}");
        }
        s.push('\n');
    }
    let _ = writeln!(s, "(probability of being dominant ± 95% Monte Carlo margin in percentage points, over {} runs; shares are means with the 5th-95th percentile range)", tally.runs);
    s
}

/// Policies ranked by the size of their effect at the horizon: the mean over states of the total shift of
/// alignment (half the sum of absolute mean paired differences), with each policy's largest single change.
pub fn compare_table(world: &World, names: &[String], outcome: &Outcome) -> String {
    let (hs, ps) = (world.states.len(), world.poles.len());
    let mut ranked: Vec<(f64, usize, usize)> = (1..outcome.tallies.len())
        .map(|k| {
            let paired = &outcome.tallies[k].paired;
            let shift = paired.iter().map(|m| m.mean().abs()).sum::<f64>() / 2.0 / hs as f64;
            let biggest = (0..hs * ps).fold(0, |b, i| {
                if paired[i].mean().abs() > paired[b].mean().abs() {
                    i
                } else {
                    b
                }
            });
            (shift, k, biggest)
        })
        .collect();
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{:<4} {:<34} {:>12}  largest change at {} [95% CI]",
        "rank",
        "policy",
        "mean shift",
        world.quarter_label(world.quarters - 1)
    );
    for (rank, (shift, k, i)) in ranked.iter().enumerate() {
        let d = &outcome.tallies[*k].paired[*i];
        let (lo, hi) = d.ci95();
        let (h, p) = (i / ps, i % ps);
        let _ = writeln!(
            s,
            "{:<4} {:<34} {:>12.4}  {} {} {:+.4} [{:+.4}, {:+.4}]",
            rank + 1,
            names[*k],
            shift,
            world.states[h].code,
            world.poles[p],
            d.mean(),
            lo,
            hi
        );
    }
    let _ = writeln!(s, "(mean shift: average over states of half the summed |paired difference| in shares; differences are policy − baseline, paired run by run with common random numbers; every policy's full table is in compare.csv)");
    s
}

/// The hindcast table: every check with the share of runs in which it held, its 95% interval, the
/// requirement and the verdict; then the pass counts for calibration and holdout checks.
pub fn hindcast_table(rows: &[super::HindcastRow]) -> String {
    let width = rows.iter().map(|r| r.check.len()).max().unwrap_or(5).max(5);
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{:<width$}  {:<7}  {:<5}  {:>5}  {:<15}  {:<13}  result",
        "check", "holdout", "state", "share", "[95% CI]", "required"
    );
    for r in rows {
        let required = match (r.min_share, r.max_share) {
            (Some(lo), Some(hi)) => format!("{lo:.2}..{hi:.2}"),
            (Some(lo), None) => format!(">= {lo:.2}"),
            (None, Some(hi)) => format!("<= {hi:.2}"),
            (None, None) => String::new(),
        };
        let _ = writeln!(
            s,
            "{:<width$}  {:<7}  {:<5}  {:>5.3}  [{:.3}, {:.3}]  {:<13}  {}",
            r.check,
            if r.holdout { "holdout" } else { "" },
            r.state,
            r.share,
            r.ci95_low,
            r.ci95_high,
            required,
            if r.pass { "pass" } else { "FAIL" }
        );
    }
    for (label, holdout) in [("calibration checks", false), ("holdout checks", true)] {
        let group: Vec<_> = rows.iter().filter(|r| r.holdout == holdout).collect();
        let passed = group.iter().filter(|r| r.pass).count();
        let _ = writeln!(s, "{label}: {passed} of {} pass", group.len());
    }
    s
}
