//! What a turn shows the room: the situation at the quarter reached (each pole's share per state with
//! its spread, the chance of each pole leading), what happened since the last turn (events, reactions
//! and decisions, in the share of runs in which each happened at least once; each share's change with
//! its spread over runs), and the signposts met. Pure: text from an ensemble.

use std::fmt::Write;

use crate::model::{Check, Condition, OccurrenceKind, Occurrences, World};

use super::ensemble::{dominant, quantile, Ensemble, Starts};
use super::watch::{Subject, Watch};

/// The checks a turn from quarter `from` (inclusive) to `to` (exclusive) needs, in order: one per
/// occurrence slot (happened at least once in the window), then per signpost that counts runs, one per
/// quarter of the window.
pub fn checks(slots: &Occurrences, from: usize, to: usize, watches: &[Watch]) -> Vec<Check> {
    if to <= from {
        return Vec::new();
    }
    let mut out: Vec<Check> = (0..slots.len())
        .map(|s| Check {
            name: format!("slot {s}"),
            description: String::new(),
            kind: "occurs".into(),
            state: String::new(),
            subject: String::new(),
            condition: Condition::Occurs(vec![s]),
            from,
            to: to - 1,
            min_share: None,
            max_share: None,
            holdout: false,
        })
        .collect();
    for w in watches {
        out.extend((from..to).filter_map(|t| w.check(t)));
    }
    out
}

/// The quarters a turn from `from` to `to` reads per run: the last one played, the one before the
/// turn, and every quarter of the turn if a signpost reads mean shares.
pub fn kept(from: usize, to: usize, watches: &[Watch]) -> Vec<usize> {
    let mut kept = Vec::new();
    if to == 0 {
        return kept;
    }
    if from > 0 {
        kept.push(from - 1);
    }
    if watches
        .iter()
        .any(|w| matches!(w.subject, Subject::MeanShare { .. }))
    {
        kept.extend(from.min(to - 1)..to);
    }
    kept.push(to - 1);
    kept.sort_unstable();
    kept.dedup();
    kept
}

/// An occurrence slot in words: "colour_revolution struck UZB", "KGZ admitted China's base".
pub fn words(world: &World, slots: &Occurrences, s: usize) -> String {
    let slot = &slots.slots[s];
    let state = slot.state.map_or("", |h| world.states[h].code.as_str());
    let pole = |p: usize| world.poles.get(p).map_or("?", String::as_str);
    match slot.kind {
        OccurrenceKind::Event => match slot.state {
            Some(_) => format!("{} struck {state}", world.events[slot.subject].name),
            None => format!("{} struck", world.events[slot.subject].name),
        },
        OccurrenceKind::Reaction => {
            let r = &world.reactions[slot.subject];
            format!("{} reacted in {state}: {}", pole(r.pole), r.name)
        }
        OccurrenceKind::BaseOpened => format!("{state} admitted a {} base", pole(slot.subject)),
        OccurrenceKind::BaseClosed => format!("{state} closed the {} base", pole(slot.subject)),
        OccurrenceKind::TransitOpened => {
            format!("{state} opened the {} transit route", pole(slot.subject))
        }
        OccurrenceKind::TransitClosed => {
            format!("{state} closed the {} transit route", pole(slot.subject))
        }
        OccurrenceKind::BlocJoined => format!("{state} joined {}", world.blocs[slot.subject].name),
        OccurrenceKind::BlocLeft => format!("{state} left {}", world.blocs[slot.subject].name),
    }
}

/// The most occurrences a turn lists (the rest are in `events.csv`).
pub const MAX_LISTED: usize = 15;

/// The turn's text: the situation at the end of quarter `to - 1`, changes since the end of quarter
/// `from - 1` (or the start), what happened in between, and the signposts. `ensemble` keeps the
/// quarters `kept(from, to, watches)` and was simulated with `checks(slots, from, to, watches)`;
/// `starts` holds each run's start, from which a first turn's changes are measured (`None` for a later
/// turn, whose changes are from the quarter before it: its caller need not build every run's world).
/// `draws` says what the runs draw besides the model's noise, if anything ("runs draw 200 calibrated
/// parameter sets"), so that the room knows what the spreads include.
pub fn render(
    world: &World,
    slots: &Occurrences,
    ensemble: &Ensemble,
    starts: Option<&Starts>,
    (from, to): (usize, usize),
    watches: &[Watch],
    draws: Option<&str>,
) -> String {
    let mut text = String::new();
    if to == 0 {
        text.push_str("At the start: no quarter played yet.\n");
        return text;
    }
    let runs = ensemble.runs;
    let now = to - 1;
    let since = match from {
        0 => "the start".to_string(),
        _ => format!("the end of {}", world.quarter_label(from - 1)),
    };
    let quarter = world.quarter_label(now);
    let _ = match draws {
        None => writeln!(
            text,
            "Situation at the end of {quarter} ({runs} runs). Share: median % and 5-95% range over runs;\n\
             change since {since}: mean pp and 5-95% range; lead: % of runs in which the pole leads.",
        ),
        Some(draws) => writeln!(
            text,
            "Situation at the end of {quarter} ({runs} runs; {draws}).\n\
             Share: median % and 5-95% range over runs; change since {since}: mean pp and 5-95%\n\
             range; lead: % of runs in which the pole leads.",
        ),
    };
    let _ = writeln!(
        text,
        "{:<5} {:<9} {:>6} {:>11} {:>8} {:>15} {:>6}",
        "state", "pole", "share", "5-95%", "change", "5-95% (pp)", "lead"
    );
    let ps = world.poles.len();
    let mut leads = vec![0u64; world.states.len() * ps];
    for run in 0..runs {
        let row = ensemble.at(run, now);
        for h in 0..world.states.len() {
            leads[h * ps + dominant(&row[h * ps..(h + 1) * ps])] += 1;
        }
    }
    for (h, host) in world.states.iter().enumerate() {
        for (p, pole) in world.poles.iter().enumerate() {
            let cell = h * ps + p;
            let mut level: Vec<f64> = (0..runs).map(|r| ensemble.at(r, now)[cell]).collect();
            let mut change: Vec<f64> = (0..runs)
                .map(|r| {
                    let before = match from {
                        // unwrap OK: the one caller gives a first turn its starts.
                        0 => starts.expect("a first turn's starts").run(r)[cell],
                        _ => ensemble.at(r, from - 1)[cell],
                    };
                    ensemble.at(r, now)[cell] - before
                })
                .collect();
            let mean_change = change.iter().sum::<f64>() / runs.max(1) as f64;
            let pct = |x: f64| 100.0 * x;
            let _ = writeln!(
                text,
                "{:<5} {:<9} {:>6.1} {:>11} {:>+8.1} {:>15} {:>6.0}",
                if p == 0 { host.code.as_str() } else { "" },
                pole,
                pct(quantile(&mut level, 0.5)),
                format!(
                    "{:.0}-{:.0}",
                    pct(quantile(&mut level, 0.05)),
                    pct(quantile(&mut level, 0.95))
                ),
                pct(mean_change),
                format!(
                    "{:+.1}..{:+.1}",
                    pct(quantile(&mut change, 0.05)),
                    pct(quantile(&mut change, 0.95))
                ),
                pct(leads[cell] as f64 / runs.max(1) as f64),
            );
        }
    }
    if to > from {
        let _ = writeln!(
            text,
            "\nWhat happened in {}..{} (% of runs in which it happened at least once):",
            world.quarter_label(from),
            world.quarter_label(now)
        );
        let held = &ensemble.tally.checks;
        let mut happened: Vec<(u32, usize)> = (0..slots.len())
            .filter(|&s| held[s] > 0)
            .map(|s| (held[s], s))
            .collect();
        happened.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        if happened.is_empty() {
            text.push_str("  nothing: no event, reaction or decision in any run\n");
        }
        for &(count, s) in happened.iter().take(MAX_LISTED) {
            let _ = writeln!(
                text,
                "  {:>5.1}%  {}",
                100.0 * f64::from(count) / runs as f64,
                words(world, slots, s)
            );
        }
        if happened.len() > MAX_LISTED {
            let _ = writeln!(
                text,
                "  ... and {} more (events.csv has them all)",
                happened.len() - MAX_LISTED
            );
        }
    }
    text.push_str(&signposts(world, slots, ensemble, from, to, watches));
    text
}

/// For each signpost, the first quarter of `from..to` in which it was met, or its value now.
fn signposts(
    world: &World,
    slots: &Occurrences,
    ensemble: &Ensemble,
    from: usize,
    to: usize,
    watches: &[Watch],
) -> String {
    if watches.is_empty() || to == 0 {
        return String::new();
    }
    let mut text = String::from("\nSignposts:\n");
    let runs = ensemble.runs.max(1) as f64;
    let ps = world.poles.len();
    let first = from.min(to - 1);
    // The checks of the signposts that count runs follow the slots' checks, one per quarter.
    let mut next_check = if to > from { slots.len() } else { 0 };
    for w in watches {
        let values: Vec<(usize, f64)> = (first..to)
            .map(|t| {
                let v = match w.subject {
                    Subject::MeanShare { h, p } => {
                        (0..ensemble.runs)
                            .map(|r| ensemble.at(r, t)[h * ps + p])
                            .sum::<f64>()
                            / runs
                    }
                    Subject::Runs(_) if to > from => {
                        let count = ensemble.tally.checks[next_check];
                        next_check += 1;
                        f64::from(count) / runs
                    }
                    Subject::Runs(_) => f64::NAN,
                };
                (t, v)
            })
            .collect();
        let now = values.last().map_or(f64::NAN, |v| v.1);
        // On the level's own scale (0..1), named: a mean share, or a share of runs.
        let measured = |v: f64| match w.subject {
            Subject::MeanShare { .. } => format!("mean share {v:.3}"),
            Subject::Runs(_) => format!("{v:.3} of runs"),
        };
        let line = match values.iter().find(|(_, v)| w.met(*v)) {
            Some(&(t, v)) => format!(
                "  MET      {}: in {} ({}); now {}",
                w.text,
                world.quarter_label(t),
                measured(v),
                measured(now)
            ),
            None if now.is_nan() => {
                format!("  watching {}: checked when quarters are played", w.text)
            }
            None => format!("  not met  {}: now {}", w.text, measured(now)),
        };
        text.push_str(&line);
        text.push('\n');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_turn_keeps_only_the_quarters_it_reads() {
        let sc = crate::scenario::builtin().unwrap().scenario;
        assert_eq!(kept(4, 8, &[]), [3, 7]);
        assert_eq!(kept(0, 4, &[]), [3]);
        assert!(kept(0, 0, &[]).is_empty());
        let runs = Watch::parse(&sc.world, "UZB.dominant=Russia > 0.5").unwrap();
        assert_eq!(kept(4, 8, std::slice::from_ref(&runs)), [3, 7]);
        let share = Watch::parse(&sc.world, "UZB.share.NATO > 0.2").unwrap();
        assert_eq!(kept(4, 8, &[runs, share]), [3, 4, 5, 6, 7]);
    }
}
