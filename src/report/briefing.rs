//! The briefing: plain sentences generated from the folder's numbers, each number with its spread
//! (a 95% Monte Carlo margin in percentage points, a percentile range, or a 95% interval).

use crate::output::{CompareRow, OutcomeRow, PairedOutcomeRow, SummaryRow};

use super::data::Folder;
use crate::stats::margin95;

/// A share or probability (0..=1) as a whole percentage; `>99%` and `<1%` rather than a rounded 100 or 0
/// that did not happen in every run or in none.
pub fn pct(p: f64) -> String {
    let x = p * 100.0;
    if x >= 99.5 && p < 1.0 {
        ">99%".into()
    } else if x < 0.5 && p > 0.0 {
        "<1%".into()
    } else {
        format!("{x:.0}%")
    }
}

/// A range of shares or probabilities as `40–61%`, bounds rounded plainly (an interval's bound is not a
/// count of runs, so no `>99%`).
pub fn pct_range(lo: f64, hi: f64) -> String {
    format!("{:.0}–{:.0}%", lo * 100.0, hi * 100.0)
}

/// A difference in percentage points, signed, one decimal (two below 0.1), and exactly zero as `0.0`.
pub fn pp(d: f64) -> String {
    let x = d * 100.0;
    let text = if x == 0.0 {
        "0.0".into()
    } else if x.abs() < 0.095 && x != 0.0 {
        format!("{x:+.2}")
    } else {
        format!("{x:+.1}")
    };
    text.replace('-', "−")
}

/// The 95% Monte Carlo margin of a share `p` of `runs` runs, in percentage points: the wider side of
/// its Wilson interval, as the tables on stdout print it, so the page and the terminal agree.
pub fn margin(p: f64, runs: u64) -> String {
    let count = ((p * runs as f64).round().max(0.0) as u64).min(runs);
    format!("±{:.1} pp", margin95(count, runs) * 100.0)
}

/// "97% of runs (±0.7 pp)", or "every run" and "no run" where a margin would mislead.
pub fn share_of_runs(p: f64, runs: u64) -> String {
    if p >= 1.0 {
        "every run".into()
    } else if p <= 0.0 {
        "no run".into()
    } else {
        format!("{} of runs ({})", pct(p), margin(p, runs))
    }
}

/// The briefing's parts, each a list of sentences.
#[derive(Debug, Clone, Default)]
pub struct Briefing {
    /// The horizon the sentences speak of.
    pub horizon: String,
    /// What is likely, per state.
    pub likely: Vec<String>,
    /// How sure: the least settled state.
    pub unsettled: Vec<String>,
    /// What would change it: the largest policy effects.
    pub change: Vec<String>,
    /// How the model did against history, when hindcast checks ran.
    pub checks: Vec<String>,
}

/// Baseline dominance rows for `state` at the horizon, most likely first.
fn dominance_at<'a>(outcomes: &'a [OutcomeRow], policy: &str, state: &str) -> Vec<&'a OutcomeRow> {
    let mut rows: Vec<&OutcomeRow> = outcomes
        .iter()
        .filter(|r| r.policy == policy && r.state == state && r.outcome == "dominant")
        .collect();
    rows.sort_by(|a, b| b.probability.total_cmp(&a.probability));
    rows
}

/// The summary row of `policy`, `quarter`, `state`, `pole`.
fn summary_at<'a>(
    summary: &'a [SummaryRow],
    policy: &str,
    quarter: &str,
    state: &str,
    pole: &str,
) -> Option<&'a SummaryRow> {
    summary
        .iter()
        .find(|r| r.policy == policy && r.quarter == quarter && r.state == state && r.pole == pole)
}

/// The pole with the largest mean share in `state` in the first quarter: the starting partner.
fn first_leader<'a>(f: &'a Folder, baseline: &str, quarter: &str, state: &str) -> Option<&'a str> {
    f.summary
        .iter()
        .filter(|r| r.policy == baseline && r.quarter == quarter && r.state == state)
        .max_by(|a, b| a.mean.total_cmp(&b.mean))
        .map(|r| r.pole.as_str())
}

/// The briefing for `f`.
pub fn briefing(f: &Folder) -> Briefing {
    let mut b = Briefing::default();
    let baseline = f.baseline();
    let quarters = f.quarters();
    let (Some(first), Some(horizon)) = (quarters.first(), quarters.last()) else {
        return b;
    };
    b.horizon = horizon.clone();
    let Some(outcomes) = &f.outcomes else {
        b.likely.push(
            "This folder has no outcomes.csv, so the dominant partners at the horizon are not known."
                .into(),
        );
        return b;
    };
    let mut least: Option<(f64, String)> = None;
    for state in f.states() {
        let rows = dominance_at(outcomes, &baseline, &state);
        let Some(top) = rows.first() else { continue };
        let name = f.state_name(&state);
        let verb = match first_leader(f, &baseline, first, &state) {
            Some(p) if p == top.subject => "remains".to_string(),
            Some(p) => format!("overtakes {p} as"),
            None => "is".to_string(),
        };
        let mut sentence = format!(
            "{} {verb} the dominant partner of {name} in {}.",
            top.subject,
            share_of_runs(top.probability, f.manifest.runs)
        );
        if let Some(s) = summary_at(&f.summary, &baseline, horizon, &state, &top.subject) {
            sentence.push_str(&format!(
                " Its share of {name}'s alignment is {} (median; 5–95% of runs: {}).",
                pct(s.p50),
                pct_range(s.p05, s.p95)
            ));
        }
        b.likely.push(sentence);
        let others: Vec<String> = rows
            .iter()
            .filter(|r| r.probability >= 0.05)
            .map(|r| {
                format!(
                    "{} {} ({})",
                    r.subject,
                    pct(r.probability),
                    margin(r.probability, f.manifest.runs)
                )
            })
            .collect();
        if least.as_ref().is_none_or(|(p, _)| top.probability < *p) {
            least = Some((
                top.probability,
                format!(
                    "The least settled state is {name}: dominant at {horizon} are {}.",
                    others.join(", ")
                ),
            ));
        }
    }
    if let Some((p, text)) = least {
        if p < 0.9 {
            b.unsettled.push(text);
        } else {
            b.unsettled.push(format!(
                "Every state's dominant partner is the same in at least {} of runs.",
                pct(p)
            ));
        }
    }
    b.change = changes(f, outcomes, &baseline, horizon);
    b.checks = checks(f);
    b
}

/// What would change what is likely: the policies that change a chance of dominance beyond its 95%
/// interval (from `paired_outcomes.csv`), the largest first, each with that pole's share change in that
/// state; then, up to three in all, the other policies with the largest single change of a share, with
/// its interval and what it does to the chance of that pole dominating that state.
fn changes(f: &Folder, outcomes: &[OutcomeRow], baseline: &str, horizon: &str) -> Vec<String> {
    let Some(compare) = &f.compare else {
        return vec![format!(
            "No policies were compared in this folder; `greatgame compare` shows what would change it."
        )];
    };
    let mut text = Vec::new();
    let mut named: Vec<&str> = Vec::new();
    for row in dominance_changes(f).into_iter().take(3) {
        let name = f.state_name(&row.state);
        let mut sentence = format!(
            "{} changes the chance that {} dominates {name} at {horizon} from {} to {}, by {}",
            row.policy,
            row.subject,
            pct(row.baseline_probability),
            pct(row.policy_probability),
            with_interval(row.difference, row.ci95_low, row.ci95_high)
        );
        let share = compare
            .iter()
            .find(|c| c.policy == row.policy && c.state == row.state && c.pole == row.subject);
        if let Some(c) = share {
            sentence.push_str(&format!(
                "; it moves {name}'s {} share by {}",
                c.pole,
                with_interval(c.mean_difference, c.ci95_low, c.ci95_high)
            ));
        }
        sentence.push('.');
        text.push(sentence);
        named.push(&row.policy);
    }
    let others = compare
        .iter()
        .filter(|r| !named.contains(&r.policy.as_str()));
    let largest = largest_per_policy(others, |r: &CompareRow| (&r.policy, r.mean_difference));
    for row in largest.iter().take(3 - text.len()) {
        let name = f.state_name(&row.state);
        let mut sentence = format!(
            "{} moves {name}'s {} share by {}",
            row.policy,
            row.pole,
            with_interval(row.mean_difference, row.ci95_low, row.ci95_high)
        );
        let find = |policy: &str| {
            outcomes.iter().find(|o| {
                o.policy == policy
                    && o.state == row.state
                    && o.outcome == "dominant"
                    && o.subject == row.pole
            })
        };
        if let (Some(before), Some(after)) = (find(baseline), find(&row.policy)) {
            sentence.push_str(&format!(
                "; the chance that {} dominates {name} at {horizon} goes from {} ({}) to {} ({})",
                row.pole,
                pct(before.probability),
                margin(before.probability, f.manifest.runs),
                pct(after.probability),
                margin(after.probability, f.manifest.runs)
            ));
        }
        sentence.push('.');
        text.push(sentence);
    }
    text
}

/// Each policy's largest change of a chance of dominance whose 95% interval excludes zero, the
/// largest first (ties in the file's order); none without `paired_outcomes.csv`.
fn dominance_changes(f: &Folder) -> Vec<&PairedOutcomeRow> {
    let Some(rows) = &f.paired_outcomes else {
        return Vec::new();
    };
    let clear =
        |r: &&PairedOutcomeRow| r.outcome == "dominant" && (r.ci95_low > 0.0 || r.ci95_high < 0.0);
    largest_per_policy(rows.iter().filter(clear), |r: &PairedOutcomeRow| {
        (&r.policy, r.difference)
    })
}

/// Of `rows`, each policy's row with the largest absolute size (the first of equals), the largest
/// first (ties in the order met); `key` gives a row's policy and size.
fn largest_per_policy<'a, T>(
    rows: impl Iterator<Item = &'a T>,
    key: impl Fn(&T) -> (&String, f64),
) -> Vec<&'a T> {
    let mut best: Vec<&T> = Vec::new();
    for row in rows {
        let (policy, size) = key(row);
        match best.iter_mut().find(|b| key(b).0 == policy) {
            Some(b) if size.abs() > key(b).1.abs() => *b = row,
            Some(_) => {}
            None => best.push(row),
        }
    }
    best.sort_by(|a, b| key(b).1.abs().total_cmp(&key(a).1.abs()));
    best
}

/// A signed difference in percentage points with its 95% interval: `−9.3 pp (95% CI −9.5 to −9.2 pp)`.
fn with_interval(d: f64, lo: f64, hi: f64) -> String {
    format!("{} pp (95% CI {} to {} pp)", pp(d), pp(lo), pp(hi))
}

/// The hindcast in one or two sentences.
fn checks(f: &Folder) -> Vec<String> {
    let Some(rows) = &f.hindcast else {
        return Vec::new();
    };
    let count = |holdout: bool| {
        let all = rows.iter().filter(|r| r.holdout == holdout);
        (all.clone().filter(|r| r.pass).count(), all.count())
    };
    let (cal_pass, cal) = count(false);
    let (hold_pass, hold) = count(true);
    let mut text = vec![format!(
        "Against history: {cal_pass} of {cal} calibration checks and {hold_pass} of {hold} held-out checks pass."
    )];
    let failed: Vec<String> = rows
        .iter()
        .filter(|r| !r.pass)
        .map(|r| {
            let need = match (r.min_share, r.max_share) {
                (Some(lo), Some(hi)) => format!("needs {}", pct_range(lo, hi)),
                (Some(lo), None) => format!("needs at least {}", pct(lo)),
                (None, Some(hi)) => format!("needs at most {}", pct(hi)),
                (None, None) => "no range".into(),
            };
            format!(
                "{} held in {} of runs (95% CI {}; {need})",
                r.check,
                pct(r.share),
                pct_range(r.ci95_low, r.ci95_high)
            )
        })
        .collect();
    if !failed.is_empty() {
        text.push(format!("Failing: {}.", failed.join("; ")));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_never_round_to_certainty_or_impossibility() {
        assert_eq!(pct(0.971), "97%");
        assert_eq!(pct(0.996), ">99%");
        assert_eq!(pct(1.0), "100%");
        assert_eq!(pct(0.004), "<1%");
        assert_eq!(pct(0.0), "0%");
        assert_eq!(pct_range(0.989, 1.0), "99–100%");
    }

    #[test]
    fn differences_are_signed_percentage_points() {
        assert_eq!(pp(0.0663), "+6.6");
        assert_eq!(pp(-0.0663), "−6.6");
        assert_eq!(pp(0.0003), "+0.03");
        assert_eq!(pp(0.0), "0.0");
        // 8 of 10: Wilson 95% interval (0.4902, 0.9433) (Newcombe 1998), the wider side 31.0 pp.
        assert_eq!(margin(0.8, 10), "±31.0 pp");
        // Half of 2,000 runs: both sides 2.2 pp, as the normal margin gives there.
        assert_eq!(margin(0.5, 2000), "±2.2 pp");
    }
}
