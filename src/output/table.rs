//! The readable tables printed on stdout: what a facilitator reads aloud to the room.
//!
//! One unit throughout: shares and probabilities in percent, differences in percentage points (pp), so
//! the room never converts between 0.0663 and 6.6%. Every line fits in `WIDTH` columns: wide tables are
//! split into column groups that repeat the key column, and notes and descriptions are wrapped.

use std::fmt::Write;

use crate::engine::Outcome;
use crate::model::World;
use crate::stats::{hist_quantile, margin95, proportion, BINS};

/// The widest line a table prints, in characters (a terminal or a projected slide).
pub const WIDTH: usize = 100;

/// Per state: the most likely dominant pole at the horizon with its probability, and each pole's share
/// with its 90% range, for plan `k`, in percent.
pub fn run_table(world: &World, outcome: &Outcome, k: usize) -> String {
    let (hs, ps) = (world.states.len(), world.poles.len());
    let tally = &outcome.tallies[k];
    let last_t = world.quarters - 1;
    let mut key = vec![vec![
        "state".to_string(),
        format!("dominant at {}", world.quarter_label(last_t)),
    ]];
    let mut columns: Vec<Vec<String>> = world
        .poles
        .iter()
        .map(|pole| vec![format!("{pole} % [p05-p95]")])
        .collect();
    for h in 0..hs {
        let counts = &tally.dominant[h * ps..(h + 1) * ps];
        let best = (0..ps).fold(0, |b, p| if counts[p] > counts[b] { p } else { b });
        let (prob, _) = proportion(u64::from(counts[best]), tally.runs);
        let margin = margin95(u64::from(counts[best]), tally.runs);
        key.push(vec![
            world.states[h].code.clone(),
            format!(
                "{} {:.0}% ±{:.1}",
                world.poles[best],
                prob * 100.0,
                margin * 100.0
            ),
        ]);
        for (p, column) in columns.iter_mut().enumerate() {
            let i = (last_t * hs + h) * ps + p;
            let hist = &tally.histograms[i * BINS..(i + 1) * BINS];
            column.push(format!(
                "{:.0} [{:.0}-{:.0}]",
                tally.alignment[i].mean() * 100.0,
                hist_quantile(hist, 0.05) * 100.0,
                hist_quantile(hist, 0.95) * 100.0
            ));
        }
    }
    let mut s = grid(&key, &columns);
    s.push_str(&wrap(
        &format!(
            "(dominant: the pole with the largest share, with the probability that it is and its 95% \
             Monte Carlo margin in percentage points (the wider side of its Wilson interval), over {} runs; shares are mean percentages with \
             the 5th-95th percentile range over runs)",
            tally.runs
        ),
        "",
    ));
    s
}

/// Policies ranked by the size of their effect at the horizon: the mean over states of the total shift of
/// alignment (half the sum of absolute mean paired differences), with each policy's largest single change,
/// in percentage points, and each policy's description below it. `descriptions[k]` goes with `names[k]`.
pub fn compare_table(
    world: &World,
    names: &[String],
    descriptions: &[String],
    outcome: &Outcome,
) -> String {
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
    let name_width = ranked
        .iter()
        .map(|&(_, k, _)| names[k].chars().count())
        .max()
        .unwrap_or(0)
        .clamp("policy".len(), 40);
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{:<4}  {:<name_width$}  {:>9}  largest change at {} [95% CI]",
        "rank",
        "policy",
        "mean (pp)",
        world.quarter_label(world.quarters - 1)
    );
    for (rank, (shift, k, i)) in ranked.iter().enumerate() {
        let d = &outcome.tallies[*k].paired[*i];
        let (lo, hi) = d.ci95();
        let (h, p) = (i / ps, i % ps);
        let change = format!(
            "{} {} {:+.2} pp [{:+.2}, {:+.2}]",
            world.states[h].code,
            world.poles[p],
            d.mean() * 100.0,
            lo * 100.0,
            hi * 100.0
        );
        let name = &names[*k];
        if name.chars().count() > name_width {
            // A name too long for its column gets a line of its own.
            let _ = writeln!(s, "{:<4}  {name}", rank + 1);
            let _ = writeln!(
                s,
                "{:<4}  {:<name_width$}  {:>9.2}  {change}",
                "",
                "",
                shift * 100.0
            );
        } else {
            let _ = writeln!(
                s,
                "{:<4}  {name:<name_width$}  {:>9.2}  {change}",
                rank + 1,
                shift * 100.0
            );
        }
        let description = descriptions.get(*k).map_or("", |d| d.trim());
        if !description.is_empty() {
            s.push_str(&wrap(description, "      "));
        }
    }
    s.push_str(&wrap(
        "(mean: the average over states of half the summed |paired difference| in shares, in \
         percentage points; differences are policy minus baseline, paired run by run on common random \
         numbers, with 95% intervals; every policy's full table is in compare.csv)",
        "",
    ));
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
        if group.is_empty() {
            let _ = writeln!(s, "{label}: none in this scenario");
        } else {
            let _ = writeln!(s, "{label}: {passed} of {} pass", group.len());
        }
    }
    s
}

/// Lays out a key column group and further columns as a table no wider than `WIDTH`: the columns that do
/// not fit beside the key go into a further block below, which repeats the key's first column.
fn grid(key: &[Vec<String>], columns: &[Vec<String>]) -> String {
    let width = |cells: &[String]| cells.iter().map(|c| c.chars().count()).max().unwrap_or(0);
    let key_widths: Vec<usize> = (0..key[0].len())
        .map(|j| width(&key.iter().map(|r| r[j].clone()).collect::<Vec<_>>()))
        .collect();
    let first_width = key_widths[0];
    let mut s = String::new();
    let mut next = 0;
    let mut block = 0;
    while next < columns.len() || block == 0 {
        // The first block shows the whole key; later blocks only its first column.
        let shown: &[usize] = if block == 0 {
            &key_widths
        } else {
            &[first_width]
        };
        let mut used = shown.iter().sum::<usize>() + 2 * (shown.len() - 1);
        let start = next;
        while next < columns.len() {
            let w = width(&columns[next]);
            if next > start && used + 2 + w > WIDTH {
                break;
            }
            used += 2 + w;
            next += 1;
        }
        if block > 0 {
            s.push('\n');
        }
        for (row, cells) in key.iter().enumerate() {
            let mut line = String::new();
            for (j, &w) in shown.iter().enumerate() {
                if j > 0 {
                    line.push_str("  ");
                }
                let _ = write!(line, "{:<w$}", cells[j]);
            }
            for column in &columns[start..next] {
                let w = width(column);
                let _ = write!(line, "  {:<w$}", column[row]);
            }
            s.push_str(line.trim_end());
            s.push('\n');
        }
        block += 1;
    }
    s
}

/// `text` wrapped at word boundaries to lines of at most `WIDTH` characters, each starting with `indent`
/// (a word longer than a line stands alone).
fn wrap(text: &str, indent: &str) -> String {
    let mut s = String::new();
    let mut line = String::from(indent);
    for word in text.split_whitespace() {
        let fits = line.chars().count() + 1 + word.chars().count() <= WIDTH;
        if line.len() > indent.len() && !fits {
            s.push_str(&line);
            s.push('\n');
            line = String::from(indent);
        }
        if line.len() > indent.len() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if line.len() > indent.len() {
        s.push_str(&line);
        s.push('\n');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_keeps_every_word_in_order_within_the_width() {
        let text = "word ".repeat(70) + &"x".repeat(120);
        let wrapped = wrap(&text, "  ");
        assert!(wrapped.lines().count() > 3);
        for line in wrapped.lines() {
            assert!(line.starts_with("  "));
            assert!(
                line.chars().count() <= WIDTH || !line.trim().contains(' '),
                "{line}"
            );
        }
        let words: Vec<&str> = wrapped.split_whitespace().collect();
        assert_eq!(words, text.split_whitespace().collect::<Vec<_>>());
    }

    #[test]
    fn the_margin_of_a_dominance_is_never_zero_and_is_the_normal_one_in_the_middle() {
        use crate::stats::Z95;
        // Every run (or none): a margin of about z²/n, not 0.
        for count in [0, 2000] {
            let m = margin95(count, 2000);
            assert!((0.0015..0.0025).contains(&m), "{count}: {m}");
        }
        // Half the runs: the normal approximation's margin, to within a hundredth of a point.
        let (_, se) = proportion(1000, 2000);
        assert!((margin95(1000, 2000) - Z95 * se).abs() < 1e-4);
    }

    #[test]
    fn the_hindcast_table_says_when_a_kind_of_check_is_absent_instead_of_0_of_0() {
        let row = |holdout: bool, pass: bool| super::super::HindcastRow {
            check: "c".into(),
            holdout,
            kind: "dominant".into(),
            state: "KAZ".into(),
            subject: "Russia".into(),
            from: "2018Q1".into(),
            to: "2027Q4".into(),
            share: 0.6,
            ci95_low: 0.5,
            ci95_high: 0.7,
            min_share: Some(0.5),
            max_share: None,
            pass,
        };
        let only_holdouts = hindcast_table(&[row(true, true), row(true, false)]);
        assert!(only_holdouts.contains("calibration checks: none in this scenario"));
        assert!(only_holdouts.contains("holdout checks: 1 of 2 pass"));
        let both = hindcast_table(&[row(false, true), row(true, true)]);
        assert!(both.contains("calibration checks: 1 of 1 pass"), "{both}");
    }

    #[test]
    fn grid_splits_columns_that_do_not_fit_into_blocks_that_repeat_the_key() {
        let key = vec![
            vec!["state".to_string(), "dominant".to_string()],
            vec!["KAZ".to_string(), "Russia 98%".to_string()],
        ];
        let columns: Vec<Vec<String>> = (0..8)
            .map(|i| vec![format!("pole{i} % [p05-p95]"), format!("{i}0 [1-99]")])
            .collect();
        let table = grid(&key, &columns);
        for line in table.lines() {
            assert!(line.chars().count() <= WIDTH, "{line}");
        }
        for i in 0..8 {
            assert_eq!(table.matches(&format!("pole{i} %")).count(), 1);
        }
        // Every block has the state column.
        let blocks: Vec<&str> = table.split("\n\n").collect();
        assert!(blocks.len() > 1);
        assert!(blocks.iter().all(|b| b.contains("KAZ")));
    }
}
