//! The page: sections in a fixed order, each chart an inline SVG in a `<figure data-chart=…>`, tables
//! for the exact numbers, inline CSS for screen and print. Pure: returns the page as a `String`.

use std::fmt::Write;

use super::briefing::{briefing, margin, pct, pct_range, pp};
use super::charts::{self, Fan, IntervalRow, PoleStyle, StackRow, TimelineRow};
use super::data::{first_seen, Branches, Folder};
use super::ReportError;
use crate::output::{Manifest, PARAMETERS_CSV};
use crate::play::BranchRow;

/// Width of a small chart (two to a row), in SVG pixels.
const HALF: u32 = 540;
/// Width of a full-width chart.
const FULL: u32 = 1100;
/// Timeline rows shown: the events and decisions expected most often (the rest are in events.csv).
const TIMELINE_ROWS: usize = 40;

/// Escapes text for HTML.
pub(super) fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

const CSS: &str = r#"
:root { color-scheme: light; }
body { font-family: system-ui, "Segoe UI", Helvetica, Arial, sans-serif; color: #111; background: #fff;
  max-width: 1140px; margin: 0 auto; padding: 16px 20px 40px; line-height: 1.45; font-size: 16px; }
h1 { font-size: 28px; margin: 8px 0 4px; }
h2 { font-size: 22px; margin: 32px 0 8px; border-bottom: 2px solid #222; padding-bottom: 3px; }
h3 { font-size: 17px; margin: 16px 0 4px; }
p.title { font-size: 18px; margin: -8px 0 4px; }
p.sub, p.note, figcaption { color: #444; font-size: 14px; }
.briefing { background: #f3f5f8; border-left: 6px solid #0d306b; padding: 10px 18px; font-size: 18px; }
.briefing li { margin: 4px 0; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(520px, 1fr)); gap: 12px 20px; }
figure { margin: 0; break-inside: avoid; page-break-inside: avoid; }
figure svg { width: 100%; height: auto; display: block; }
.legend span { display: inline-block; margin-right: 18px; font-weight: 600; }
.legend i { display: inline-block; width: 28px; height: 12px; margin-right: 6px; vertical-align: middle; }
table { border-collapse: collapse; font-size: 14px; margin: 8px 0; break-inside: auto; }
th, td { border-bottom: 1px solid #ccc; padding: 3px 10px; text-align: left; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr { break-inside: avoid; }
.fail { font-weight: 700; }
.stamp { font-size: 13px; color: #333; border-top: 2px solid #222; margin-top: 36px; padding-top: 6px; }
.stamp code { word-break: break-all; }
@media print {
  @page { size: A4; margin: 12mm; }
  body { max-width: none; padding: 0; font-size: 11pt; }
  .grid { grid-template-columns: 1fr 1fr; }
  h2 { break-after: avoid; page-break-after: avoid; }
  .briefing { border-left-width: 4px; }
  .briefing li, .legend, figcaption { break-inside: avoid; page-break-inside: avoid; }
}
"#;

/// The legend: each pole's colour and pattern.
fn legend(poles: &[String], styles: &[PoleStyle]) -> String {
    let mut html = String::from("<p class=\"legend\">");
    for (pole, style) in poles.iter().zip(styles) {
        let css = style.css();
        let fill = match style.pattern {
            0 => css.clone(),
            1 => format!("repeating-linear-gradient(90deg,{css} 0 9px,transparent 9px 13px)"),
            _ => format!("radial-gradient(circle,{css} 2.5px,transparent 3px) 0 0/7px 12px"),
        };
        let _ = write!(
            html,
            "<span><i style=\"background:{fill}\"></i>{}</span>",
            esc(pole)
        );
    }
    html.push_str("</p>");
    html
}

/// A figure around a chart.
fn figure(id: &str, svg: &str, caption: &str) -> String {
    format!(
        "<figure class=\"chart\" data-chart=\"{}\">{svg}<figcaption>{caption}</figcaption></figure>\n",
        esc(id)
    )
}

/// Renders the report page for `f`.
pub fn render(f: &Folder) -> Result<String, ReportError> {
    let m = &f.manifest;
    let baseline = f.baseline();
    let (quarters, states, poles) = (f.quarters(), f.states(), f.poles());
    let styles: Vec<PoleStyle> = poles
        .iter()
        .enumerate()
        .map(|(i, p)| charts::pole_style(p, i))
        .collect();
    let x: Vec<f64> = quarters
        .iter()
        .enumerate()
        .map(|(i, q)| charts::quarter_x(q, i as f64))
        .collect();
    let horizon = quarters.last().cloned().unwrap_or_default();
    let mut h = String::with_capacity(1 << 20);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>greatgame report: {}</title><style>{CSS}</style></head><body>\n",
        esc(&m.scenario)
    );
    let _ = writeln!(
        h,
        "<h1>{}</h1>{}<p class=\"sub\">greatgame {} · <b>{}</b> · {} runs{} · seed {} · {} to {}</p>",
        esc(&m.scenario),
        m.title.as_ref().map_or(String::new(), |t| format!(
            "<p class=\"title\">{}</p>",
            esc(t)
        )),
        esc(&m.command),
        esc(&m.scenario_file),
        m.runs,
        m.parameters.as_ref().map_or(String::new(), |p| format!(
            " drawing {} calibrated parameter sets",
            p.sets
        )),
        m.seed,
        esc(&m.quarters[0]),
        esc(&m.quarters[1])
    );

    super::why::game_note(&mut h, f);

    // Briefing.
    let b = briefing(f);
    h.push_str("<section id=\"briefing\"><h2>Briefing</h2><div class=\"briefing\">");
    let likely = format!("What is likely by {}", esc(&b.horizon));
    for (title, lines) in [
        (likely.as_str(), &b.likely),
        ("How sure", &b.unsettled),
        ("What would change it", &b.change),
        ("Against history", &b.checks),
    ] {
        if lines.is_empty() {
            continue;
        }
        let _ = write!(h, "<h3>{title}</h3><ul>");
        for line in lines {
            let _ = write!(h, "<li>{}</li>", esc(line));
        }
        h.push_str("</ul>");
    }
    let _ = writeln!(
        h,
        "<p class=\"note\">Probabilities are shares of runs, ± their 95% Monte Carlo margin in \
         percentage points (pp); shares are the pole's part of a state's alignment, in %. {}</p>\
         </div></section>",
        esc(&spread_note(m))
    );

    // Fans.
    let _ = write!(
        h,
        "<section id=\"fans\"><h2>Alignment over time ({})</h2>{}\
         <p class=\"note\">Each pole's share of the state's alignment: line the median over runs, dark \
         band the middle half (25–75th percentile), light band 5–95th percentile.</p><div class=\"grid\">",
        esc(&baseline),
        legend(&poles, &styles)
    );
    for state in &states {
        let mut fans = Vec::new();
        for (pole, style) in poles.iter().zip(&styles) {
            let rows: Vec<_> = f
                .summary
                .iter()
                .filter(|r| r.policy == baseline && &r.state == state && &r.pole == pole)
                .collect();
            fans.push(Fan {
                label: pole,
                style: *style,
                x: rows
                    .iter()
                    .map(|r| charts::quarter_x(&r.quarter, 0.0))
                    .collect(),
                mid: rows.iter().map(|r| r.p50 * 100.0).collect(),
                inner: rows
                    .iter()
                    .map(|r| (r.p25 * 100.0, r.p75 * 100.0))
                    .collect(),
                outer: rows
                    .iter()
                    .map(|r| (r.p05 * 100.0, r.p95 * 100.0))
                    .collect(),
            });
        }
        let title = f.state_title(state);
        let svg = charts::fans(&title, &fans, (HALF, 300))?;
        h.push_str(&figure(
            &format!("fan-{state}"),
            &svg,
            &format!("{}: share of alignment, %", esc(&title)),
        ));
    }
    h.push_str("</div></section>\n");

    dominance_section(&mut h, f, &baseline, &states, &poles, &styles, &horizon)?;
    timeline_section(&mut h, f, &baseline, &states, &x)?;
    compare_section(&mut h, f, &states, &poles, &styles)?;
    hindcast_section(&mut h, f);
    super::why::attribution_section(&mut h, f);
    super::why::storylines_section(&mut h, f);

    // Stamp.
    let _ = writeln!(
        h,
        "<footer class=\"stamp\" id=\"manifest\"><b>Manifest</b> · greatgame {} · command <code>{}</code> · \
         scenario {} (<code>{}</code>) · SHA-256 <code>{}</code> · seed {} · {} runs · quarters {}–{} · \
         policies {} · command line <code>{}</code> · folder <code>{}</code></footer>",
        esc(&m.greatgame_version),
        esc(&m.command),
        esc(&m.scenario),
        esc(&m.scenario_file),
        esc(&m.scenario_sha256),
        m.seed,
        m.runs,
        esc(&m.quarters[0]),
        esc(&m.quarters[1]),
        esc(&m.policies.join(", ")),
        esc(&m.command_line.join(" ")),
        esc(&f.dir.display().to_string())
    );
    h.push_str("</body></html>\n");
    Ok(h)
}

/// Dominance at the horizon (stacked bars and a table), and over time when trajectories were kept.
fn dominance_section(
    h: &mut String,
    f: &Folder,
    baseline: &str,
    states: &[String],
    poles: &[String],
    styles: &[PoleStyle],
    horizon: &str,
) -> Result<(), ReportError> {
    let _ = write!(h, "<section id=\"dominance\"><h2>Who is dominant</h2>");
    let Some(outcomes) = &f.outcomes else {
        h.push_str("<p class=\"note\">No outcomes.csv in this folder: dominance is not shown.</p></section>\n");
        return Ok(());
    };
    let find = |state: &str, pole: &str| {
        outcomes.iter().find(|r| {
            r.policy == baseline && r.state == state && r.outcome == "dominant" && r.subject == pole
        })
    };
    let rows: Vec<StackRow> = states
        .iter()
        .map(|state| StackRow {
            label: state,
            segments: poles
                .iter()
                .zip(styles)
                .filter_map(|(pole, style)| {
                    let r = find(state, pole)?;
                    Some((*style, r.probability * 100.0, pct(r.probability)))
                })
                .collect(),
        })
        .collect();
    let svg = charts::stacked_bars(&rows, FULL)?;
    let _ = write!(h, "{}", legend(poles, styles));
    h.push_str(&figure(
        "dominance-horizon",
        &svg,
        &format!(
            "Share of runs in which each pole is dominant (has the largest share) in {}, {}.",
            esc(horizon),
            esc(baseline)
        ),
    ));
    h.push_str("<table><tr><th>state</th>");
    for pole in poles {
        let _ = write!(h, "<th class=\"num\">{}</th>", esc(pole));
    }
    h.push_str("</tr>");
    for state in states {
        let _ = write!(h, "<tr><td>{}</td>", esc(&f.state_title(state)));
        for pole in poles {
            let cell = find(state, pole)
                .map(|r| {
                    format!(
                        "{} {}",
                        pct(r.probability),
                        margin(r.probability, f.manifest.runs)
                    )
                })
                .unwrap_or_default();
            let _ = write!(h, "<td class=\"num\">{cell}</td>");
        }
        h.push_str("</tr>");
    }
    h.push_str("</table>");
    match &f.dominance {
        Some(over_time) => {
            h.push_str(
                "<h3>Over time</h3><p class=\"note\">Share of runs in which each pole is dominant, \
                 quarter by quarter (from trajectories.csv); band: 95% Monte Carlo margin.</p><div class=\"grid\">",
            );
            for state in states {
                let fans: Vec<Fan> = poles
                    .iter()
                    .zip(styles)
                    .map(|(pole, style)| {
                        let rows: Vec<_> = over_time
                            .iter()
                            .filter(|d| &d.state == state && &d.pole == pole)
                            .collect();
                        Fan {
                            label: pole,
                            style: *style,
                            x: rows.iter().map(|d| charts::quarter_x(&d.quarter, 0.0)).collect(),
                            mid: rows.iter().map(|d| d.probability * 100.0).collect(),
                            inner: Vec::new(),
                            outer: rows
                                .iter()
                                .map(|d| (d.low * 100.0, d.high * 100.0))
                                .collect(),
                        }
                    })
                    .collect();
                let title = f.state_title(state);
                let svg = charts::fans(&title, &fans, (HALF, 280))?;
                h.push_str(&figure(
                    &format!("dominance-{state}"),
                    &svg,
                    &format!("{}: share of runs in which each pole is dominant, %", esc(&title)),
                ));
            }
            h.push_str("</div>");
        }
        None => h.push_str(
            "<p class=\"note\">Dominance is shown at the horizon only: this folder has no \
             trajectories.csv. Run with <code>--trajectories</code> to see it quarter by quarter.</p>",
        ),
    }
    h.push_str("</section>\n");
    Ok(())
}

/// One event, reaction or decision in one state (empty: pole-wide), over quarters.
struct Happening {
    /// Position of the state in the scenario's order, pole-wide first.
    order: usize,
    state: String,
    kind: String,
    name: String,
    /// Share of runs in which it happened, per quarter.
    shares: Vec<f64>,
}

impl Happening {
    /// Mean number of times per run over the horizon.
    fn total(&self) -> f64 {
        self.shares.iter().sum()
    }
}

/// The event and decision timeline of the baseline.
fn timeline_section(
    h: &mut String,
    f: &Folder,
    baseline: &str,
    states: &[String],
    x: &[f64],
) -> Result<(), ReportError> {
    h.push_str("<section id=\"timeline\"><h2>Events and decisions</h2>");
    let Some(events) = &f.events else {
        h.push_str("<p class=\"note\">No events.csv in this folder: the timeline is not shown.</p></section>\n");
        return Ok(());
    };
    let quarters = f.quarters();
    // One row per (state, kind, name), in state order (pole-wide events first), then first appearance.
    let mut rows: Vec<Happening> = Vec::new();
    for e in events.iter().filter(|e| e.policy == baseline) {
        let Some(t) = quarters.iter().position(|q| q == &e.quarter) else {
            continue;
        };
        let found = rows
            .iter()
            .position(|r| r.state == e.state && r.kind == e.kind && r.name == e.name);
        let i = found.unwrap_or_else(|| {
            rows.push(Happening {
                order: states
                    .iter()
                    .position(|s| s == &e.state)
                    .map_or(0, |i| i + 1),
                state: e.state.clone(),
                kind: e.kind.clone(),
                name: e.name.clone(),
                shares: vec![0.0; quarters.len()],
            });
            rows.len() - 1
        });
        rows[i].shares[t] += e.share;
    }
    let all_rows = rows.len();
    if all_rows > TIMELINE_ROWS {
        rows.sort_by(|a, b| b.total().total_cmp(&a.total()));
        rows.truncate(TIMELINE_ROWS);
    }
    rows.sort_by_key(|r| r.order);
    // The colour scale runs to the most frequent happening that is not certain: an inject strikes in
    // every run, and on its scale everything drawn by chance would be too pale to see. Certain cells
    // are drawn at the darkest.
    let uncertain = |x: &f64| *x < 1.0 - 1e-9;
    let scale = rows
        .iter()
        .flat_map(|r| r.shares.iter().copied().filter(uncertain))
        .fold(0.0, f64::max);
    let scale = if scale > 0.0 { scale } else { 1.0 };
    let lines: Vec<TimelineRow> = rows
        .iter()
        .map(|r| {
            let what = match r.kind.as_str() {
                "event" | "reaction" => r.name.replace('_', " "),
                kind => format!("{} {}", r.name, kind.replace('_', " ")),
            };
            let place = if r.state.is_empty() {
                "all"
            } else {
                r.state.as_str()
            };
            TimelineRow {
                label: format!("{place} · {what}"),
                shares: r.shares.clone(),
                note: format!("{:.2} per run", r.total()),
            }
        })
        .collect();
    if lines.is_empty() {
        h.push_str("<p class=\"note\">No event or decision happened in any run.</p></section>\n");
        return Ok(());
    }
    let svg = charts::timeline(&lines, x, scale, FULL)?;
    h.push_str(&figure(
        "timeline",
        &svg,
        &format!(
            "What happened when, {}: each row an event, reaction or decision in a state; the darker the \
             cell, the larger the share of runs in which it happened that quarter (darkest: {} of runs or more). \
             At the right, how often it happens in a run over the whole horizon (mean count).{}",
            esc(baseline),
            pct(scale),
            if all_rows > TIMELINE_ROWS {
                format!(" The {TIMELINE_ROWS} most frequent of {all_rows} are shown; all are in events.csv.")
            } else {
                String::new()
            }
        ),
    ));
    h.push_str("</section>\n");
    Ok(())
}

/// Policy comparisons: per policy a forest chart of paired differences with 95% intervals.
fn compare_section(
    h: &mut String,
    f: &Folder,
    states: &[String],
    poles: &[String],
    styles: &[PoleStyle],
) -> Result<(), ReportError> {
    h.push_str("<section id=\"compare\"><h2>Policies against the baseline</h2>");
    let Some(compare) = &f.compare else {
        h.push_str(
            "<p class=\"note\">No compare.csv in this folder: run <code>greatgame compare</code> to \
             compare policies.</p></section>\n",
        );
        return Ok(());
    };
    let _ = write!(
        h,
        "{}<p class=\"note\">Each policy's change in every share at the horizon, in percentage points: \
         the mean over runs of (policy − baseline), paired run by run on common random numbers, with its \
         95% confidence interval (the bar; often narrower than the dot).</p>\
         <table><tr><th>policy</th><th>largest changes at the horizon [95% CI], pp</th></tr>",
        legend(poles, styles)
    );
    let policies: Vec<String> = f.policies().into_iter().skip(1).collect();
    for policy in &policies {
        let mut rows: Vec<_> = compare.iter().filter(|r| &r.policy == policy).collect();
        rows.sort_by(|a, b| b.mean_difference.abs().total_cmp(&a.mean_difference.abs()));
        let top: Vec<String> = rows
            .iter()
            .take(3)
            .map(|r| {
                format!(
                    "{} {} {} [{}, {}]",
                    esc(&r.state),
                    esc(&r.pole),
                    pp(r.mean_difference),
                    pp(r.ci95_low),
                    pp(r.ci95_high)
                )
            })
            .collect();
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td></tr>",
            esc(policy),
            top.join("; ")
        );
    }
    h.push_str("</table><div class=\"grid\">");
    for policy in &policies {
        let mut rows = Vec::new();
        for state in states {
            for (pole, style) in poles.iter().zip(styles) {
                if let Some(r) = compare
                    .iter()
                    .find(|r| &r.policy == policy && &r.state == state && &r.pole == pole)
                {
                    rows.push(IntervalRow {
                        label: format!("{state} {pole}"),
                        style: *style,
                        value: r.mean_difference * 100.0,
                        interval: (r.ci95_low * 100.0, r.ci95_high * 100.0),
                    });
                }
            }
        }
        let svg = charts::intervals(policy, "policy − baseline", &rows, HALF)?;
        h.push_str(&figure(
            &format!("compare-{policy}"),
            &svg,
            &format!("{}: change in each share, pp, with 95% CI", esc(policy)),
        ));
    }
    h.push_str("</div></section>\n");
    Ok(())
}

/// The hindcast table, when the folder has one.
fn hindcast_section(h: &mut String, f: &Folder) {
    let Some(rows) = &f.hindcast else {
        return;
    };
    h.push_str(
        "<section id=\"hindcast\"><h2>Hindcast: the model against history</h2>\
         <table><tr><th>check</th><th></th><th>kind</th><th>state</th><th>subject</th><th>window</th>\
         <th class=\"num\">share of runs</th><th class=\"num\">95% CI</th><th class=\"num\">required</th>\
         <th>result</th></tr>",
    );
    for r in rows {
        let required = match (r.min_share, r.max_share) {
            (Some(lo), Some(hi)) => pct_range(lo, hi),
            (Some(lo), None) => format!("≥ {}", pct(lo)),
            (None, Some(hi)) => format!("≤ {}", pct(hi)),
            (None, None) => String::new(),
        };
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}–{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{required}</td><td{}>{}</td></tr>",
            esc(&r.check),
            if r.holdout { "holdout" } else { "" },
            esc(&r.kind),
            esc(&r.state),
            esc(&r.subject),
            esc(&r.from),
            esc(&r.to),
            pct(r.share),
            pct_range(r.ci95_low, r.ci95_high),
            if r.pass { "" } else { " class=\"fail\"" },
            if r.pass { "pass" } else { "FAIL" }
        );
    }
    h.push_str("</table></section>\n");
}

/// Renders the page for a branch comparison (`play A --compare B --out DIR`): the paired differences of
/// the second branch against the first at the last quarter both played (a forest chart of every share
/// and the largest changes), and over time for the share that moves most in each state.
pub fn render_branches(b: &Branches) -> Result<String, ReportError> {
    let [first, second] = &b.names;
    let quarters = first_seen(b.rows.iter().map(|r| &r.quarter));
    let states = first_seen(b.rows.iter().map(|r| &r.state));
    let poles = first_seen(b.rows.iter().map(|r| &r.pole));
    let styles: Vec<PoleStyle> = poles
        .iter()
        .enumerate()
        .map(|(i, p)| charts::pole_style(p, i))
        .collect();
    let last = quarters.last().cloned().unwrap_or_default();
    let at_last: Vec<&BranchRow> = b.rows.iter().filter(|r| r.quarter == last).collect();
    let mut h = String::with_capacity(1 << 16);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>greatgame report: {second} against {first}</title><style>{CSS}</style></head><body>\n\
         <h1>Branch {second} against {first}</h1><p class=\"sub\">greatgame play --compare · {} to {} · \
         paired run by run on the same random streams</p>\n",
        esc(quarters.first().map_or("", String::as_str)),
        esc(&last),
        second = esc(second),
        first = esc(first),
    );
    let _ = write!(
        h,
        "<section id=\"branches\"><h2>At the end of {}</h2>{}<p class=\"note\">Each share's change, \
         in percentage points: the mean over runs of ({} − {}), with its 95% confidence interval. Before \
         the fork the branches are the same run by run, so every difference there is exactly 0.</p>\
         <table><tr><th>state</th><th>pole</th><th>{}</th><th>{}</th><th>change, pp [95% CI]</th>\
         <th>leads, pp [95% CI]</th></tr>",
        esc(&last),
        legend(&poles, &styles),
        esc(second),
        esc(first),
        esc(first),
        esc(second)
    );
    let mut largest = at_last.clone();
    largest.sort_by(|x, y| y.difference.abs().total_cmp(&x.difference.abs()));
    for r in largest.iter().take(5) {
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{} [{}, {}]</td><td>{} [{}, {}]</td></tr>",
            esc(&r.state),
            esc(&r.pole),
            pct(r.first_mean),
            pct(r.second_mean),
            pp(r.difference),
            pp(r.ci95_low),
            pp(r.ci95_high),
            pp(r.lead_difference),
            pp(r.lead_ci95_low),
            pp(r.lead_ci95_high)
        );
    }
    h.push_str("</table>");
    let rows: Vec<IntervalRow> = at_last
        .iter()
        .map(|r| IntervalRow {
            label: format!("{} {}", r.state, r.pole),
            style: styles[poles.iter().position(|p| *p == r.pole).unwrap_or(0)],
            value: r.difference * 100.0,
            interval: (r.ci95_low * 100.0, r.ci95_high * 100.0),
        })
        .collect();
    let what = format!("{second} − {first}");
    let svg = charts::intervals(&what, &what, &rows, FULL)?;
    h.push_str(&figure(
        "branches",
        &svg,
        &format!("change in each share at {}, pp, with 95% CI", esc(&last)),
    ));
    h.push_str("</section>\n");

    // Over time: in each state, the share whose final change is largest.
    let _ = write!(
        h,
        "<section id=\"branches-over-time\"><h2>Over time</h2><p class=\"note\">In each state, the share \
         that has moved most by {}: its change in pp, quarter by quarter, with its 95% interval.</p>\
         <table><tr><th>quarter</th>",
        esc(&last)
    );
    let mut chosen = Vec::new();
    for state in &states {
        if let Some(r) = largest.iter().find(|r| &r.state == state) {
            let _ = write!(h, "<th>{} {}</th>", esc(state), esc(&r.pole));
            chosen.push((state.clone(), r.pole.clone()));
        }
    }
    h.push_str("</tr>");
    for q in &quarters {
        let _ = write!(h, "<tr><td>{}</td>", esc(q));
        for (state, pole) in &chosen {
            match b
                .rows
                .iter()
                .find(|r| &r.quarter == q && &r.state == state && &r.pole == pole)
            {
                Some(r) => {
                    let _ = write!(
                        h,
                        "<td>{} [{}, {}]</td>",
                        pp(r.difference),
                        pp(r.ci95_low),
                        pp(r.ci95_high)
                    );
                }
                None => h.push_str("<td></td>"),
            }
        }
        h.push_str("</tr>");
    }
    let _ = write!(
        h,
        "</table></section>\n<footer>From {}: branches.csv, written by <code>greatgame play {} --compare \
         {} --out</code>.</footer>\n</body></html>\n",
        esc(&b.dir.display().to_string()),
        esc(first),
        esc(second)
    );
    Ok(h)
}

/// What the spread of a folder's runs covers, from its manifest: the model's own randomness, and
/// what the runs drew besides (a parameter ensemble, `[[uncertain]]` numbers, whose draws are in
/// `parameters.csv`), or the coefficients as written.
fn spread_note(m: &Manifest) -> String {
    let uncertain = m.files.iter().any(|f| f.name == PARAMETERS_CSV) && m.parameters.is_none();
    let own = "The spread covers the model's own randomness (moods, events, decisions)";
    match &m.parameters {
        Some(p) => format!(
            "{own} and what the 2005–2017 history leaves uncertain about its coefficients (and, where \
             the sets carry them, about where each state starts): each run drew one of {} calibrated \
             parameter sets ({}; docs/MODEL.md, \"A calibrated ensemble\" and \"The 2018 start\"). \
             It does not cover what no calibration sees: mechanisms the model leaves out and the \
             assumptions it holds fixed (docs/MODEL.md).",
            p.sets, p.file
        ),
        None if uncertain => format!(
            "{own} and the scenario's [[uncertain]] numbers, each run drawing its own (parameters.csv); \
             the other coefficients are as written, and their uncertainty, which the history does not \
             pin down (docs/MODEL.md), is not included."
        ),
        None => format!(
            "{own} with its coefficients as written; it does not include uncertainty about the \
             coefficients themselves, which the history does not pin down (docs/MODEL.md), so read \
             differences between options with more confidence than these levels."
        ),
    }
}
