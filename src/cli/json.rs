//! `--json`: simulate and print the horizon table on stdout, one JSON object a line per plan, writing
//! no file (no output folder, no lock). The schema is documented in the README ("Scripting").

use greatgame::engine::{self, Batch, Outcome};
use greatgame::model::{Check, Plan};
use greatgame::scenario::Loaded;
use greatgame::stats::proportion;

use super::execute::{self, Options};
use super::{interrupt, settings, InputError};

/// Simulates `plans` of `loaded` (`runs` runs, `seed`) and prints the horizon table as JSON lines.
pub fn run(
    opts: &Options,
    loaded: &Loaded,
    plans: &[Plan],
    checks: &[Check],
    runs: u64,
    seed: u64,
) -> anyhow::Result<()> {
    if opts.shard.is_some() || opts.out.is_some() || opts.script.outputs.is_some() {
        return Err(InputError(
            "--json writes no files: it cannot be combined with --shard, --out or --outputs".into(),
        )
        .into());
    }
    let threads = settings::threads(opts.threads)?;
    let batch = Batch {
        world: &loaded.scenario.world,
        plans,
        first_run: 0,
        runs,
        seed,
        threads,
        checks,
        keep_finals: false,
        keep_trajectories: false,
    };
    let watch = interrupt::watch();
    let simulated = match opts.precision {
        Some(margin) => {
            engine::simulate_to_precision(&batch, margin, |_| watch.check()).map(|(o, _)| o)
        }
        None => engine::simulate(&batch, |_| watch.check()),
    };
    let outcome = match simulated {
        Ok(outcome) => outcome,
        Err(engine::EngineError::Sink(e)) => return Err(e.into()),
        Err(e) => return Err(anyhow::anyhow!("{e}")),
    };
    drop(watch);
    let names: Vec<String> = plans.iter().map(|p| p.name.clone()).collect();
    execute::print(&lines(loaded, &names, seed, &outcome))
}

/// One JSON object a line per plan: `scenario`, `policy`, `runs`, `seed`, `horizon`, then for each state
/// S, pole P and bloc B the keys `S.dominant.P`, `S.base.P`, `S.transit.P`, `S.bloc.B` (probabilities)
/// and `S.share.P` (mean share at the horizon), each followed by its `….mc_se`.
pub fn lines(loaded: &Loaded, names: &[String], seed: u64, outcome: &Outcome) -> String {
    let w = &loaded.scenario.world;
    let (hs, ps) = (w.states.len(), w.poles.len());
    let last = w.quarters - 1;
    let mut text = String::new();
    for (name, tally) in names.iter().zip(&outcome.tallies) {
        let n = tally.runs;
        let mut fields: Vec<(String, serde_json::Value)> = vec![
            ("scenario".into(), loaded.scenario.meta.name.clone().into()),
            ("policy".into(), name.clone().into()),
            ("runs".into(), n.into()),
            ("seed".into(), seed.into()),
            ("horizon".into(), w.quarter_label(last).to_string().into()),
        ];
        let mut pair = |key: String, value: f64, se: f64| {
            let se_key = format!("{key}.mc_se");
            fields.push((key, value.into()));
            fields.push((se_key, se.into()));
        };
        for (h, state) in w.states.iter().enumerate() {
            let s = &state.code;
            for (kind, counts) in [
                ("dominant", &tally.dominant),
                ("base", &tally.bases),
                ("transit", &tally.transit),
            ] {
                for (p, pole) in w.poles.iter().enumerate() {
                    let (prob, se) = proportion(u64::from(counts[h * ps + p]), n);
                    pair(format!("{s}.{kind}.{pole}"), prob, se);
                }
            }
            for (b, base) in w.bases.iter().enumerate().filter(|(_, b)| b.host == h) {
                let (prob, se) = proportion(u64::from(tally.hosted[b]), n);
                pair(format!("{s}.hosted.{}", base.name), prob, se);
            }
            for (b, bloc) in w.blocs.iter().enumerate() {
                let count = tally.blocs[h * w.blocs.len() + b];
                let (prob, se) = proportion(u64::from(count), n);
                pair(format!("{s}.bloc.{}", bloc.name), prob, se);
            }
            for (p, pole) in w.poles.iter().enumerate() {
                let m = &tally.alignment[(last * hs + h) * ps + p];
                let se = if n > 0 {
                    m.sd() / (n as f64).sqrt()
                } else {
                    0.0
                };
                pair(format!("{s}.share.{pole}"), m.mean(), se);
            }
        }
        let body: Vec<String> = fields
            .iter()
            .map(|(k, v)| format!("{}:{v}", serde_json::Value::from(k.as_str())))
            .collect();
        text.push('{');
        text.push_str(&body.join(","));
        text.push_str("}\n");
    }
    text
}
