//! `greatgame check`: validate scenario files and summarise what each holds, without running anything.

use std::fmt::Write;
use std::path::PathBuf;

use greatgame::model::{base_values, Decision, EventTarget, RunState, Trigger, World};
use greatgame::scenario::{self, Loaded};

use super::budget::{Budget, Writes};
use super::execute;

/// Validate scenario files and print a short summary of each; nothing is run or written.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  greatgame check scenarios/*.toml\n  greatgame check scenarios/central_asia_2017.toml --runs 1000000   # its memory and output budget\n  greatgame check   # the built-in baseline"
)]
pub struct Args {
    /// Scenario files (TOML). Without any, the built-in baseline `central_asia_2017`, as `run` uses it.
    scenarios: Vec<PathBuf>,
    /// Runs to estimate the budget of [default: each scenario's `runs`].
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=scenario::MAX_RUNS as u64))]
    runs: Option<u64>,
    /// Worker threads to estimate the budget with [default: one per core].
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=1024))]
    threads: Option<u16>,
}

/// Runs the command: every file is checked; the first error is returned after all are tried.
pub fn run(args: &Args) -> anyhow::Result<()> {
    let mut errors: Vec<anyhow::Error> = Vec::new();
    let builtin = [None];
    let given: Vec<Option<&PathBuf>> = args.scenarios.iter().map(Some).collect();
    let files = match given.is_empty() {
        true => &builtin[..],
        false => &given[..],
    };
    for path in files {
        let loaded = match path {
            Some(path) => scenario::load(path),
            None => scenario::builtin(),
        };
        match loaded.map_err(anyhow::Error::from).and_then(|loaded| {
            let ensemble = ensemble(&loaded)?;
            Ok((loaded, ensemble))
        }) {
            Ok((loaded, ensemble)) => execute::print(&(summary(&loaded, args) + &ensemble))?,
            Err(e) => errors.push(e),
        }
    }
    let total = files.len();
    let failed = errors.len();
    let mut errors = errors.into_iter();
    let Some(first) = errors.next() else {
        return Ok(());
    };
    for e in errors {
        eprintln!("error: {}", super::describe(&e));
    }
    Err(first.context(format!(
        "{failed} of {total} scenario files invalid; the first"
    )))
}

/// The summary line of the parameter ensemble `loaded` names, read and every set tried as a run would
/// (so its errors are those `run` would give); empty if it names none.
fn ensemble(loaded: &Loaded) -> anyhow::Result<String> {
    let Some(p) = execute::parameters(None, loaded)? else {
        return Ok(String::new());
    };
    let plans = ["baseline".to_string()];
    execute::varied_with(loaded, Some(&p), &plans, loaded.scenario.meta.seed)?;
    let r = &p.record;
    // States whose start the sets give (`state.CODE.alignment.POLE` columns), in the scenario's order.
    let starts: Vec<&str> = loaded
        .scenario
        .world
        .states
        .iter()
        .map(|h| h.code.as_str())
        .filter(|code| {
            let prefix = format!("state.{code}.alignment.");
            p.ensemble.names.iter().any(|n| n.starts_with(&prefix))
        })
        .collect();
    let starts = match starts.is_empty() {
        true => String::new(),
        false => format!(
            ", and starts {} from its set's shares (the starts above are those of --parameters none)",
            starts.join(", ")
        ),
    };
    Ok(format!(
        "  parameters: each run draws one of {} sets from {} (SHA-256 {}){starts}\n",
        r.sets, r.file, r.sha256
    ))
}

fn summary(loaded: &Loaded, args: &Args) -> String {
    let sc = &loaded.scenario;
    let w: &World = &sc.world;
    let mut s = String::new();
    let _ = writeln!(s, "{}: ok", loaded.file);
    let _ = writeln!(s, "  {} — {}", sc.meta.name, sc.meta.title);
    let _ = writeln!(
        s,
        "  {} to {} ({} quarters), {} runs, seed {}",
        w.start,
        w.quarter_label(w.quarters - 1),
        w.quarters,
        sc.meta.runs,
        sc.meta.seed
    );
    let codes: Vec<&str> = w.states.iter().map(|h| h.code.as_str()).collect();
    let _ = writeln!(s, "  states: {}", codes.join(", "));
    let _ = writeln!(s, "  poles: {}", w.poles.join(", "));
    let blocs: Vec<String> = w
        .blocs
        .iter()
        .map(|b| {
            format!(
                "{} ({}{}{}{}{})",
                b.name,
                w.poles[b.pole],
                if b.decided.is_some() { ", decided" } else { "" },
                if b.military { ", military" } else { "" },
                b.rival
                    .map_or(String::new(), |r| format!(", rival {}", w.poles[r])),
                if b.founded > 0 {
                    format!(", founded {}", w.quarter_label(b.founded))
                } else {
                    String::new()
                }
            )
        })
        .collect();
    let _ = writeln!(
        s,
        "  blocs: {}",
        if blocs.is_empty() {
            "none".into()
        } else {
            blocs.join(", ")
        }
    );
    for h in &w.states {
        let mut doctrine = match (h.neutral, h.bans_bases_from) {
            (true, _) => " neutral;".to_string(),
            (false, Some(0)) => " bans bases;".to_string(),
            (false, Some(t)) => format!(" bans bases from {};", w.quarter_label(t)),
            _ => String::new(),
        };
        if let Some(t) = h.no_military_blocs_from {
            doctrine += &format!(" no military blocs from {};", w.quarter_label(t));
        }
        for (b, bloc) in w.blocs.iter().enumerate() {
            if h.reluctance[b] != 0.0 {
                doctrine += &format!(" reluctance {:+} toward {};", h.reluctance[b], bloc.name);
            }
            if let Some(x) = h.hesitation[b] {
                let start = h.alignment[bloc.pole];
                doctrine += &format!(
                    " joins {} only above its start {start:.2} {:+} toward {};",
                    bloc.name, x, w.poles[bloc.pole]
                );
            }
            if let (true, Some(r)) = (h.changes_sides[b], bloc.rival) {
                let (p, r) = (&w.poles[bloc.pole], &w.poles[r]);
                doctrine += &format!(" in {} only while {p} leads {r};", bloc.name);
            }
        }
        for d in &h.bloc_dates {
            let verb = if d.joins { "joins" } else { "leaves" };
            let (bloc, when) = (&w.blocs[d.bloc].name, w.quarter_label(d.t));
            doctrine += &format!(" {verb} {bloc} in {when};");
        }
        let shares: Vec<String> = w
            .poles
            .iter()
            .zip(&h.alignment)
            .map(|(p, a)| format!("{p} {a:.2}"))
            .collect();
        let _ = writeln!(s, "  {}:{doctrine} start {}", h.code, shares.join(" / "));
    }
    // Each base's deal at the start: what the host weighs, so a facilitator sees why a base is kept or
    // would not be taken up (docs/MODEL.md, "Deals").
    let start = RunState::initial(w);
    let margin = w.coefficients.deal_margin;
    for (base, value) in w.bases.iter().zip(base_values(w, &sc.baseline, 0, &start)) {
        let verdict = match (base.hosted, value) {
            (true, v) if v > -margin => "kept",
            (true, _) => "closes",
            (false, v) if v > margin => "would be taken up if offered",
            (false, _) => "not taken up",
        };
        let _ = writeln!(
            s,
            "  base {} ({} in {}): {}; deal value at the start {value:+.2} (margin ±{margin}): {verdict}",
            base.name,
            w.poles[base.pole],
            w.states[base.host].code,
            if base.hosted { "hosted" } else { "not hosted" },
        );
    }
    for pair in &w.tensions {
        let [a, b] = pair.states.map(|h| w.states[h].code.as_str());
        let via = pair.via.map_or(String::new(), |i| {
            let (through, other) = (pair.states[i], pair.states[1 - i]);
            format!(
                "; {}'s routes through {} close above {}",
                w.states[other].code, w.states[through].code, pair.closes_above
            )
        });
        let _ = writeln!(s, "  dispute {a}-{b}: tension {}{via}", pair.level);
    }
    let events: Vec<String> = w
        .events
        .iter()
        .map(|e| match e.target {
            EventTarget::Pole(p) => format!("{} (on {})", e.name, w.poles[p]),
            EventTarget::States => e.name.clone(),
        })
        .collect();
    let _ = writeln!(
        s,
        "  events: {}",
        if events.is_empty() {
            "none".into()
        } else {
            events.join(", ")
        }
    );
    let injects = w.injects.iter().filter(|&&i| i).count();
    let _ = writeln!(s, "  injects: {injects} (event × state × quarter)");
    let reactions: Vec<String> = w
        .reactions
        .iter()
        .map(|r| {
            let when = match r.trigger {
                Trigger::Share {
                    watch,
                    above,
                    level,
                } => format!(
                    "{} {} {level}",
                    w.poles[watch],
                    if above { ">" } else { "<" }
                ),
                Trigger::Event(e) => w.events[e].name.clone(),
                Trigger::Decision(d) => match d {
                    Decision::Base(b, admitted) => format!(
                        "{} {}",
                        w.bases[b].name,
                        if admitted { "admitted" } else { "closed" }
                    ),
                    Decision::Route(p, opened) => format!(
                        "{} route {}",
                        w.poles[p],
                        if opened { "opened" } else { "closed" }
                    ),
                    Decision::Bloc(b, joined) => format!(
                        "{} {}",
                        w.blocs[b].name,
                        if joined { "joined" } else { "left" }
                    ),
                },
                Trigger::Member(b) => format!("member of {}", w.blocs[b].name),
            };
            format!(
                "{} ({} {} on {when})",
                r.name,
                w.poles[r.pole],
                r.lever.key()
            )
        })
        .collect();
    let _ = writeln!(
        s,
        "  reactions: {}",
        if reactions.is_empty() {
            "none".into()
        } else {
            reactions.join("; ")
        }
    );
    let policies: Vec<&str> = sc.policies.iter().map(|p| p.name.as_str()).collect();
    let _ = writeln!(
        s,
        "  policies: {}",
        if policies.is_empty() {
            "none".into()
        } else {
            policies.join(", ")
        }
    );
    let plans: Vec<String> = std::iter::once(&sc.baseline)
        .chain(&sc.policies)
        .map(|p| p.name.clone())
        .collect();
    let writes = Writes {
        runs_csv: true,
        threads: args.threads,
        varied: sc.meta.parameters.is_some() || !sc.uncertain.is_empty(),
        ..Writes::default()
    };
    let runs = args.runs.unwrap_or(sc.meta.runs);
    let run = Budget::batch(sc, &plans[..1], 0, runs, writes);
    let _ = writeln!(s, "  budget of `run`: {}", run.describe());
    let trajectories = Writes {
        trajectories: true,
        ..writes
    };
    let traj = Budget::batch(sc, &plans[..1], 0, runs, trajectories);
    let _ = writeln!(s, "  budget of `run --trajectories`: {}", traj.describe());
    if plans.len() > 1 {
        let compare = Budget::batch(sc, &plans, 0, runs, writes);
        let _ = writeln!(s, "  budget of `compare`: {}", compare.describe());
    }
    let warnings = scenario::warnings(sc);
    if !warnings.is_empty() {
        let _ = writeln!(s, "  warnings (valid, but probably not what was meant):");
        for w in warnings {
            let _ = writeln!(s, "    - {w}");
        }
    }
    if let Some(note) = scenario::rest_point_note(sc) {
        let _ = writeln!(s, "  note: {note}");
    }
    let warnings = sc.start_warnings();
    if !warnings.is_empty() {
        let _ = writeln!(
            s,
            "  warnings: the start sets these off at once (check they are meant):"
        );
        for w in warnings {
            let _ = writeln!(s, "    - {w}");
        }
    }
    s
}
