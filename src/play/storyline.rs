//! Storylines: one run told quarter by quarter in plain words (what struck, what was decided, which pole
//! became the leading partner), and the choice of representative runs (the lowest, median and highest
//! by the leading pole's average share). The run is simulated alone with the one-run update
//! (`step::<f64>`, which gives each run exactly the bits the engine's lanes give it) from its own stream.

use serde::Serialize;

use crate::engine::run_rng;
use crate::model::{step, Occurrences, Plan, RunState, Shocks, World};

use super::ensemble::{dominant, Ensemble};
use super::turn::words;

/// One line of a storyline: a quarter and what happened in it.
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize)]
pub struct StoryRow {
    /// Why this run was chosen (`median`, `lowest`, `highest`, or `chosen`).
    pub role: String,
    /// Run index (its random stream).
    pub run: u64,
    /// Quarter label.
    pub quarter: String,
    /// What happened, in words.
    pub text: String,
}

/// Run `run` of `plan` told over its first `quarters` quarters, and its state after them.
pub fn storyline(
    world: &World,
    plan: &Plan,
    seed: u64,
    run: u64,
    quarters: usize,
    role: &str,
) -> (Vec<StoryRow>, RunState) {
    let slots = Occurrences::new(world);
    let mut rng = run_rng(seed, run);
    let mut state = RunState::initial(world);
    let mut shocks = Shocks::new(world);
    let mut occurred = vec![false; slots.len()];
    let ps = world.poles.len();
    let mut leading: Vec<usize> = (0..world.states.len())
        .map(|h| state.dominant(world, h))
        .collect();
    let mut rows = Vec::new();
    for t in 0..quarters.min(world.quarters) {
        shocks.draw(&mut rng);
        step(world, plan, &slots, t, &mut state, &shocks, &mut occurred);
        let mut parts: Vec<String> = (0..slots.len())
            .filter(|&s| occurred[s])
            .map(|s| words(world, &slots, s))
            .collect();
        for (h, lead) in leading.iter_mut().enumerate() {
            let now = state.dominant(world, h);
            if now != *lead {
                parts.push(format!(
                    "{} now leans most to {} ({:.0}%, was {})",
                    world.states[h].code,
                    world.poles[now],
                    100.0 * state.alignment[h * ps + now],
                    world.poles[*lead]
                ));
                *lead = now;
            }
        }
        let text = match parts.is_empty() {
            true => "quiet".to_string(),
            false => parts.join("; "),
        };
        rows.push(StoryRow {
            role: role.into(),
            run,
            quarter: world.quarter_label(t).to_string(),
            text,
        });
    }
    if let Some(last) = rows.last_mut() {
        let ends: Vec<String> = world
            .states
            .iter()
            .enumerate()
            .map(|(h, host)| {
                let p = state.dominant(world, h);
                format!(
                    "{} {} {:.0}%",
                    host.code,
                    world.poles[p],
                    100.0 * state.alignment[h * ps + p]
                )
            })
            .collect();
        let ends = format!("Leading partners now: {}", ends.join(", "));
        last.text = match last.text.as_str() {
            "quiet" => ends,
            text => format!("{text}. {ends}"),
        };
    }
    (rows, state)
}

/// The representative runs of `ensemble` at quarter `t`: ranked by their average share (over states)
/// toward the pole with the largest mean share, the lowest, the median and the highest, as
/// (role, run).
pub fn representative(world: &World, ensemble: &Ensemble, t: usize) -> Vec<(String, u64)> {
    let (hs, ps) = (world.states.len(), world.poles.len());
    if ensemble.runs == 0 {
        return Vec::new();
    }
    let mut means = vec![0.0; ps];
    for r in 0..ensemble.runs {
        let row = ensemble.at(r, t);
        for (p, m) in means.iter_mut().enumerate() {
            *m += (0..hs).map(|h| row[h * ps + p]).sum::<f64>();
        }
    }
    let key = dominant(&means);
    let mut ranked: Vec<(f64, u64)> = (0..ensemble.runs)
        .map(|r| {
            let row = ensemble.at(r, t);
            (
                (0..hs).map(|h| row[h * ps + key]).sum::<f64>() / hs as f64,
                r,
            )
        })
        .collect();
    ranked.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let pole = &world.poles[key];
    let n = ranked.len();
    vec![
        (format!("median ({pole}'s share)"), ranked[(n - 1) / 2].1),
        (format!("lowest ({pole}'s share)"), ranked[0].1),
        (format!("highest ({pole}'s share)"), ranked[n - 1].1),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::uncertain::{Ensemble, Varied};
    use crate::engine::{simulate, Batch, Final, PerRun};
    use crate::play::Setup;

    /// The engine's final states of 20 runs of the built-in scenario's baseline under seed 9, each
    /// run in its own drawn world if `varied`.
    fn finals(sc: &crate::scenario::Scenario, varied: Option<&dyn PerRun>) -> Vec<Final> {
        let plans = [sc.baseline.clone()];
        let batch = Batch {
            world: &sc.world,
            plans: &plans,
            first_run: 0,
            runs: 20,
            seed: 9,
            threads: Some(1),
            checks: &[],
            keep_finals: true,
            keep_trajectories: false,
            varied,
        };
        let mut finals = Vec::new();
        simulate(&batch, |d| {
            finals.extend(d.finals);
            Ok::<(), ()>(())
        })
        .unwrap();
        finals
    }

    #[test]
    fn a_storyline_ends_in_exactly_the_state_the_engine_gives_its_run() {
        let sc = crate::scenario::builtin().unwrap().scenario;
        for f in finals(&sc, None)
            .iter()
            .filter(|f| [0, 7, 19].contains(&f.run))
        {
            let (rows, state) = storyline(&sc.world, &sc.baseline, 9, f.run, 40, "x");
            assert_eq!(state, f.state, "run {}", f.run);
            assert_eq!(rows.len(), sc.world.quarters);
            assert!(rows.last().unwrap().text.contains("Leading partners now"));
        }
    }

    #[test]
    fn a_storyline_of_a_run_that_draws_its_parameters_ends_in_the_state_the_ensemble_gives_it() {
        let builtin = crate::scenario::builtin().unwrap();
        let sc = &builtin.scenario;
        let sets = Ensemble::from_csv(crate::scenario::BUILTIN_FILES[0].1).unwrap();
        let names = ["baseline".to_string()];
        let varied = Varied::new(&builtin.text, "x", sc, Some(sets), 9, &names)
            .unwrap()
            .unwrap();
        let setup = Setup {
            world: &sc.world,
            plan: &sc.baseline,
            seed: 9,
            runs: 20,
            threads: Some(1),
            varied: Some(&varied),
        };
        let quarters = sc.world.quarters;
        for f in finals(sc, Some(&varied))
            .iter()
            .filter(|f| [0, 7, 19].contains(&f.run))
        {
            let (world, plan) = setup.run_world(f.run).unwrap();
            let (_, state) = storyline(&world, &plan, 9, f.run, quarters, "x");
            assert_eq!(state, f.state, "run {}", f.run);
            // Told in the scenario's world as written, the run ends elsewhere: the draw matters.
            let (_, written) = storyline(&sc.world, &sc.baseline, 9, f.run, quarters, "x");
            assert_ne!(written, f.state, "run {}", f.run);
        }
    }
}
