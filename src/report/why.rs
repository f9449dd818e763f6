//! The report's sections on why states moved (`attribution.csv`) and on single runs told in words
//! (`storylines.csv`), shown when the folder has them (`--attribution`; `play` and `--storyline`).

use std::fmt::Write;

use super::briefing::pp;
use super::data::Folder;
use super::html::esc;
use crate::play::AttributionRow;

/// For a game's folder (`play`): which quarters are the game so far and which a projection.
pub(super) fn game_note(h: &mut String, f: &Folder) {
    if f.manifest.command != "play" {
        return;
    }
    let reached = f
        .storylines
        .as_ref()
        .and_then(|rows| rows.last())
        .map_or(String::new(), |r| format!(" to {}", esc(&r.quarter)));
    let _ = write!(
        h,
        "<p class=\"note\" id=\"game\">A game played turn by turn (<code>greatgame play</code>){reached}: \
         the quarters after the last one played show what follows if no one moves again.</p>"
    );
}

/// Causes shown per state (all are in attribution.csv).
const CAUSES_SHOWN: usize = 5;

/// Per state: each pole's shift since the start, the causes with the largest effect on a share, and
/// the residual, each with its 95% interval.
pub(super) fn attribution_section(h: &mut String, f: &Folder) {
    let Some(rows) = &f.attribution else {
        return;
    };
    let quarter = rows.first().map_or("", |r| r.quarter.as_str());
    let _ = write!(
        h,
        "<section id=\"attribution\"><h2>Why the states moved (start to {})</h2>\
         <p class=\"note\">Each cause is switched off in turn and the runs are made again on the same \
         random streams: a cause's part is the mean, over runs, of the share with it minus the share \
         without it, in pp with its 95% interval. The {CAUSES_SHOWN} causes with the largest effect on \
         a share are shown per state; attribution.csv has every cause, and the same for the chance \
         that a pole leads. Causes interact, so the parts need not add up to the shift: the residual \
         is the shift minus the sum of the parts (with the drift of the moods).</p>",
        esc(quarter)
    );
    let states = super::data::first_seen(rows.iter().map(|r| &r.state));
    let poles = super::data::first_seen(rows.iter().map(|r| &r.pole));
    for state in &states {
        let mine: Vec<&AttributionRow> = rows
            .iter()
            .filter(|r| &r.state == state && r.measure == "share")
            .collect();
        let causes = super::data::first_seen(
            mine.iter()
                .filter(|r| r.kind != "shift" && r.kind != "residual")
                .map(|r| &r.cause),
        );
        let size = |cause: &str| {
            mine.iter()
                .filter(|r| r.cause == cause && r.kind != "shift" && r.kind != "residual")
                .map(|r| r.effect.abs())
                .fold(0.0, f64::max)
        };
        let mut ranked: Vec<&String> = causes.iter().collect();
        ranked.sort_by(|a, b| size(b).total_cmp(&size(a)));
        let _ = write!(h, "<h3>{}</h3><table><tr><th>cause</th>", esc(state));
        for pole in &poles {
            let _ = write!(h, "<th class=\"num\">{}</th>", esc(pole));
        }
        h.push_str("</tr>");
        let mut line = |label: &str, pick: &dyn Fn(&AttributionRow) -> bool| {
            let _ = write!(h, "<tr><td>{}</td>", esc(label));
            for pole in &poles {
                let cell = mine
                    .iter()
                    .find(|r| &r.pole == pole && pick(r))
                    .map_or(String::new(), |r| {
                        format!("{} [{}, {}]", pp(r.effect), pp(r.ci95_low), pp(r.ci95_high))
                    });
                let _ = write!(h, "<td class=\"num\">{cell}</td>");
            }
            h.push_str("</tr>");
        };
        line("whole shift", &|r| r.kind == "shift");
        for cause in ranked.iter().take(CAUSES_SHOWN) {
            line(cause, &|r| &&r.cause == cause && r.kind != "shift");
        }
        line("residual", &|r| r.kind == "residual");
        h.push_str("</table>");
    }
    h.push_str("</section>\n");
}

/// Representative runs told quarter by quarter (quiet quarters left out).
pub(super) fn storylines_section(h: &mut String, f: &Folder) {
    let Some(rows) = &f.storylines else {
        return;
    };
    h.push_str(
        "<section id=\"storylines\"><h2>Storylines: single runs in words</h2>\
         <p class=\"note\">One run each: the runs ranked by the average share of the pole that leads \
         most, the median run and the two extremes. Quarters in which nothing struck, nothing was \
         decided and no state changed its leading partner are left out.</p>",
    );
    let roles = super::data::first_seen(rows.iter().map(|r| &r.role));
    for role in &roles {
        let mine: Vec<_> = rows.iter().filter(|r| &r.role == role).collect();
        let run = mine.first().map_or(0, |r| r.run);
        let _ = write!(h, "<h3>Run {run}: {}</h3><ul>", esc(role));
        for r in mine.iter().filter(|r| r.text != "quiet") {
            let _ = write!(h, "<li><b>{}</b> {}</li>", esc(&r.quarter), esc(&r.text));
        }
        h.push_str("</ul>");
    }
    h.push_str("</section>\n");
}
