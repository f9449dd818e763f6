//! Calibration: search the `[[calibrate]]` parameters of a scenario for the values under which its
//! non-holdout `[[check]]`s hold best.
//!
//! Scoring rule: for each check, the shortfall is how far the share of runs in which it held falls
//! outside its required range (`max(0, min_share − share) + max(0, share − max_share)`). A candidate's
//! score is the sum of shortfalls over non-holdout checks (lower is better; 0 means every one passes);
//! ties go to more checks passed, then to the earlier candidate. The scenario as written is the first
//! candidate: unless a search point scores strictly better, it is kept, reported and written unchanged,
//! so a calibration never makes a scenario worse. Holdout checks are scored the same way
//! but never steer the search.
//!
//! Search: the scenario as written is scored first; then a Latin hypercube of `samples` points over the
//! ranges; then a pattern search from the best point, trying each parameter a step up and down (a
//! quarter of its range at first, halved whenever a full round finds nothing better) until `refine`
//! more evaluations are spent. Every evaluation uses the same seed (common random numbers), and the
//! hypercube is drawn from a ChaCha8 stream of that seed, so a calibration is reproducible. Values are
//! rounded to 4 significant digits, so the calibrated file reproduces the reported scores exactly.
//!
//! Ensembles (`calibrate --ensemble`): instead of one point, the sets consistent with the history, by
//! approximate Bayesian computation with the summed shortfall as the distance: [`smc`] (sequential
//! Monte Carlo, the default; its arithmetic is `analysis::abc`) or [`ensemble`] (rejection).
//! Must not: touch files (the caller reads the scenario and writes the result).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::engine::{self, Batch, Outcome};
use crate::scenario::{self, FreeParam, Scenario, ScenarioError};

/// How hard to search.
#[derive(Clone, Copy, Debug)]
pub struct Settings {
    /// Runs per evaluation.
    pub runs: u64,
    /// Seed of every evaluation and of the hypercube.
    pub seed: u64,
    /// Worker threads (`None`: one per core).
    pub threads: Option<usize>,
    /// Latin-hypercube points.
    pub samples: usize,
    /// Evaluations spent on local refinement.
    pub refine: usize,
}

/// How well a candidate meets the checks.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Score {
    /// Sum of shortfalls over non-holdout checks.
    pub shortfall: f64,
    /// Non-holdout checks passed.
    pub passed: usize,
    /// Non-holdout checks.
    pub total: usize,
    /// Sum of shortfalls over holdout checks.
    pub holdout_shortfall: f64,
    /// Holdout checks passed.
    pub holdout_passed: usize,
    /// Holdout checks.
    pub holdout_total: usize,
}

impl Score {
    /// True if `self` is strictly better than `other` for the search.
    pub fn better_than(&self, other: &Score) -> bool {
        match self.shortfall.total_cmp(&other.shortfall) {
            std::cmp::Ordering::Less => true,
            std::cmp::Ordering::Greater => false,
            std::cmp::Ordering::Equal => self.passed > other.passed,
        }
    }
}

/// One scored candidate.
#[derive(Clone, Debug)]
pub struct Candidate {
    /// Parameter values, in `[[calibrate]]` order (empty for the scenario as written).
    pub values: Vec<f64>,
    /// Its score.
    pub score: Score,
}

/// The result of a calibration.
#[derive(Clone, Debug)]
pub struct Report {
    /// The free parameters.
    pub params: Vec<FreeParam>,
    /// The scenario as written.
    pub start: Candidate,
    /// The best candidate found; the scenario as written (`start`) if `kept`.
    pub best: Candidate,
    /// True if no search point scored strictly better than the scenario as written, which is kept.
    pub kept: bool,
    /// Evaluations made.
    pub evaluations: usize,
    /// The scenario text with the best values written in (the text as given if `kept`).
    pub calibrated_text: String,
    /// The calibrated scenario and its outcome, for the hindcast table.
    pub calibrated: (Scenario, Outcome),
}

/// Why a calibration could not run.
#[derive(Debug, thiserror::Error)]
pub enum CalibrateError {
    /// The scenario or a candidate is invalid.
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    /// The scenario declares nothing to calibrate or nothing to calibrate on.
    #[error("{0}")]
    Nothing(String),
    /// The engine failed.
    #[error("{0}")]
    Engine(String),
}

/// Scores a checked scenario: runs its baseline with its checks.
pub fn score(sc: &Scenario, settings: &Settings) -> Result<(Score, Outcome), CalibrateError> {
    let plans = [sc.baseline.clone()];
    let batch = Batch {
        world: &sc.world,
        plans: &plans,
        first_run: 0,
        runs: settings.runs,
        seed: settings.seed,
        threads: settings.threads,
        checks: &sc.checks,
        keep_finals: false,
        keep_trajectories: false,
        varied: None,
    };
    let outcome = engine::simulate(&batch, |_| Ok::<(), std::convert::Infallible>(()))
        .map_err(|e| CalibrateError::Engine(e.to_string()))?;
    let tally = &outcome.tallies[0];
    let mut s = Score::default();
    for (check, &held) in sc.checks.iter().zip(&tally.checks) {
        let share = f64::from(held) / tally.runs as f64;
        let (shortfall, passed, total) = if check.holdout {
            (
                &mut s.holdout_shortfall,
                &mut s.holdout_passed,
                &mut s.holdout_total,
            )
        } else {
            (&mut s.shortfall, &mut s.passed, &mut s.total)
        };
        *shortfall += check.shortfall(share);
        *passed += usize::from(check.passes(share));
        *total += 1;
    }
    Ok((s, outcome))
}

/// Rounds to 4 significant digits.
pub fn round4(x: f64) -> f64 {
    format!("{x:.3e}").parse().unwrap_or(x)
}

/// The scenario text with `values` written in for `params`.
pub fn apply(
    text: &str,
    file: &str,
    params: &[FreeParam],
    values: &[f64],
    note: bool,
) -> Result<String, ScenarioError> {
    let assignments: Vec<(&str, f64, String)> = params
        .iter()
        .zip(values)
        .map(|(p, &v)| {
            let note = if note {
                format!(
                    "calibrated by `greatgame calibrate` in [{}, {}] (see docs/MODEL.md)",
                    p.low, p.high
                )
            } else {
                String::new()
            };
            (p.param.as_str(), v, note)
        })
        .collect();
    let text = scenario::set_values(text, file, &assignments)?;
    Ok(match note {
        true => {
            text.lines()
                .map(keep_last_note)
                .collect::<Vec<_>>()
                .join("\n")
                + "\n"
        }
        false => text,
    })
}

/// The start and end of the note `apply` writes.
const NOTE_START: &str = "calibrated by `greatgame calibrate` in [";
const NOTE_END: &str = "(see docs/MODEL.md)";

/// `line` with only the last of the calibration notes it holds, put where the first was: a repeated
/// `--write` replaces its own note instead of adding another. Anything else between the notes is kept,
/// without the separators that joined the notes.
fn keep_last_note(line: &str) -> String {
    let mut notes = Vec::new();
    let mut from = 0;
    while let Some(at) = line[from..].find(NOTE_START) {
        let start = from + at;
        let Some(len) = line[start..].find(NOTE_END) else {
            break;
        };
        let end = start + len + NOTE_END.len();
        notes.push((start, end));
        from = end;
    }
    let (Some(&(first, _)), Some(&(last_start, last_end))) = (notes.first(), notes.last()) else {
        return line.to_string();
    };
    if notes.len() < 2 {
        return line.to_string();
    }
    let mut out = format!("{}{}", &line[..first], &line[last_start..last_end]);
    for pair in notes.windows(2) {
        let between = line[pair[0].1..pair[1].0].trim_end();
        let between = between
            .strip_suffix(';')
            .or_else(|| between.strip_suffix('#'))
            .unwrap_or(between)
            .trim_end();
        if !between.is_empty() {
            out.push_str(between);
        }
    }
    out.push_str(&line[last_end..]);
    out
}

/// A Latin hypercube of `n` points over the ranges of `params`, one column per parameter, values rounded
/// to 4 significant digits; drawn from stream `u64::MAX` of `seed` (no run uses it).
fn hypercube(params: &[FreeParam], n: usize, seed: u64) -> Vec<Vec<f64>> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(u64::MAX);
    params
        .iter()
        .map(|p| {
            let mut cells: Vec<usize> = (0..n).collect();
            for i in (1..n).rev() {
                let j = rng.random_range(0..=i as u64) as usize;
                cells.swap(i, j);
            }
            cells
                .iter()
                .map(|&c| {
                    round4(p.low + (c as f64 + rng.random::<f64>()) / n as f64 * (p.high - p.low))
                })
                .collect()
        })
        .collect()
}

/// Checks that `text` (named `file`) has `[[calibrate]]` parameters, a non-holdout check to score, and
/// that both ends of every range give a valid scenario; returns the scenario and its parameters.
fn calibratable(text: &str, file: &str) -> Result<(Scenario, Vec<FreeParam>), CalibrateError> {
    let original = Scenario::from_toml(text, file)?;
    let params = original.free.clone();
    if params.is_empty() {
        return Err(CalibrateError::Nothing(format!(
            "{file}: declares no [[calibrate]] parameter"
        )));
    }
    if !original.checks.iter().any(|c| !c.holdout) {
        return Err(CalibrateError::Nothing(format!(
            "{file}: declares no non-holdout [[check]] to calibrate on"
        )));
    }
    // Every parameter must name a value the scenario accepts, at both ends of its range: find out now,
    // not halfway through the search.
    for p in &params {
        for v in [p.low, p.high] {
            let one = std::slice::from_ref(p);
            Scenario::from_toml(&apply(text, file, one, &[v], false)?, file).map_err(|e| {
                CalibrateError::Nothing(format!(
                    "[[calibrate]] {} = {v} is not a valid scenario value: {e}",
                    p.param
                ))
            })?;
        }
    }
    Ok((original, params))
}

/// What `ensemble` returns: the parameter sets consistent with the history.
#[derive(Clone, Debug)]
pub struct EnsembleReport {
    /// The free parameters, in `[[calibrate]]` order.
    pub params: Vec<FreeParam>,
    /// The accepted sets, best first (smallest distance, then more checks passed, then drawn first).
    pub accepted: Vec<Candidate>,
    /// The largest distance accepted: the tolerance the rejection used.
    pub tolerance: f64,
    /// Sets drawn and scored.
    pub evaluations: usize,
}

/// Approximate Bayesian computation by rejection: draws `draws` parameter sets from the prior (uniform
/// over each `[[calibrate]]` range, stratified as a Latin hypercube), scores each as `calibrate` does
/// (distance = the non-holdout checks' summed shortfall), and accepts the `sets` nearest the history,
/// or, with `tolerance`, at most `sets` of those whose distance is at most `tolerance`. Deterministic
/// given the settings; `progress` is told of each evaluation.
pub fn ensemble(
    text: &str,
    file: &str,
    settings: &Settings,
    sets: usize,
    draws: usize,
    tolerance: Option<f64>,
    mut progress: impl FnMut(usize, &Candidate),
) -> Result<EnsembleReport, CalibrateError> {
    let (_, params) = calibratable(text, file)?;
    let n = draws.max(sets).max(1);
    let columns = hypercube(&params, n, settings.seed);
    let mut scored = Vec::with_capacity(n);
    for i in 0..n {
        let values: Vec<f64> = columns.iter().map(|col| col[i]).collect();
        let candidate = apply(text, file, &params, &values, false)?;
        let c = Candidate {
            score: score(&Scenario::from_toml(&candidate, file)?, settings)?.0,
            values,
        };
        progress(i + 1, &c);
        scored.push(c);
    }
    // Stable: equal distances and passes keep the order drawn.
    scored.sort_by(|a, b| {
        a.score
            .shortfall
            .total_cmp(&b.score.shortfall)
            .then(b.score.passed.cmp(&a.score.passed))
    });
    let accepted: Vec<Candidate> = scored
        .into_iter()
        .filter(|c| tolerance.is_none_or(|t| c.score.shortfall <= t))
        .take(sets)
        .collect();
    Ok(EnsembleReport {
        tolerance: accepted.last().map_or(0.0, |c| c.score.shortfall),
        params,
        accepted,
        evaluations: n,
    })
}

/// How an ABC-SMC ensemble is searched (`smc`).
#[derive(Clone, Copy, Debug)]
pub struct SmcSettings {
    /// Particles per generation: the sets returned.
    pub population: usize,
    /// Most generations, the first drawn from the prior included.
    pub generations: usize,
    /// The share of a generation that the next one's tolerance would still accept (its weighted
    /// quantile of distances), in (0, 1).
    pub quantile: f64,
    /// Stop once a generation's tolerance is at most this distance.
    pub final_tolerance: f64,
    /// Most evaluations in all; a generation that cannot complete within what remains is not kept.
    pub budget: usize,
}

/// One particle of an ABC-SMC population.
#[derive(Clone, Debug)]
pub struct Particle {
    /// The parameter set and its score (distance = `score.shortfall`).
    pub candidate: Candidate,
    /// Its importance weight; a population's weights sum to 1.
    pub weight: f64,
}

/// What one generation of an ABC-SMC did.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GenerationSummary {
    /// Generation number, 0 for the draws from the prior.
    pub generation: usize,
    /// The distance a proposal had to reach to be accepted (infinite for generation 0).
    pub tolerance: f64,
    /// Proposals scored.
    pub evaluations: usize,
    /// The largest and the smallest distance in the population.
    pub worst: f64,
    /// The smallest distance in the population.
    pub best: f64,
    /// The effective sample size of its weights.
    pub effective_size: f64,
}

/// Why an ABC-SMC stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SmcStop {
    /// A generation's tolerance reached the final tolerance.
    Tolerance,
    /// The generations asked for are done.
    Generations,
    /// The next generation could not be completed within the evaluation budget.
    Budget,
}

/// What `smc` returns: the last complete generation.
#[derive(Clone, Debug)]
pub struct SmcReport {
    /// The free parameters, in `[[calibrate]]` order.
    pub params: Vec<FreeParam>,
    /// The particles of the last complete generation, in particle order.
    pub particles: Vec<Particle>,
    /// Every complete generation, in order.
    pub generations: Vec<GenerationSummary>,
    /// Evaluations made in all, those of an abandoned generation included.
    pub evaluations: usize,
    /// Why it stopped.
    pub stopped: SmcStop,
}

/// What `smc` tells its progress callback.
#[derive(Clone, Copy, Debug)]
pub enum SmcProgress<'a> {
    /// A particle of generation `generation` was accepted, `done` of the population so far.
    Particle {
        /// Generation number.
        generation: usize,
        /// Particles accepted so far in this generation.
        done: usize,
    },
    /// A generation is complete.
    Generation(&'a GenerationSummary),
}

/// Sequential Monte Carlo approximate Bayesian computation over the `[[calibrate]]` ranges of the
/// scenario `text` (named `file`), with the distance `calibrate` scores (the non-holdout checks'
/// summed shortfall). Generation 0 draws `population` sets from the prior (uniform on the ranges; a
/// set the scenario rejects is drawn again). Each later generation `g` sets its tolerance to the
/// weighted `quantile` of the previous generation's distances (no lower than `final_tolerance`), and
/// makes each particle `i` from its own stream (`Purpose::Abc`, stream `g·2³² + i` of the seed): pick
/// an ancestor by weight, move it with the truncated Gaussian kernel (`analysis::abc::Kernel`), score
/// it, and try again until its distance is within the tolerance. Proposals go in rounds, one per
/// particle still waiting, made in parallel on `settings.threads` workers and each scored on one
/// thread, so the result is the same for any thread count. Stops when a generation's tolerance is at
/// most `final_tolerance`, after `generations`, or when the next round would take the evaluations
/// past `budget` (that generation is abandoned and the previous one returned).
pub fn smc(
    text: &str,
    file: &str,
    settings: &Settings,
    smc: &SmcSettings,
    progress: impl Fn(SmcProgress) + Sync,
) -> Result<SmcReport, CalibrateError> {
    use crate::analysis::{abc, stream_rng, unit, Purpose};
    use rayon::prelude::*;

    let (_, params) = calibratable(text, file)?;
    let n = smc.population.max(1);
    let bounds: Vec<(f64, f64)> = params.iter().map(|p| (p.low, p.high)).collect();
    let one_thread = Settings {
        threads: Some(1),
        ..*settings
    };
    // The distance of a set, or `None` if the scenario rejects it (outside the prior's support).
    let evaluate = |values: &[f64]| -> Result<Option<Score>, CalibrateError> {
        let candidate = apply(text, file, &params, values, false)?;
        match Scenario::from_toml(&candidate, file) {
            Ok(sc) => Ok(Some(score(&sc, &one_thread)?.0)),
            Err(_) => Ok(None),
        }
    };
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(threads) = settings.threads {
        builder = builder.num_threads(threads);
    }
    let pool = builder
        .build()
        .map_err(|e| CalibrateError::Engine(e.to_string()))?;
    // Makes generation `g`'s particles with `propose`, accepting a proposal within `within`, in rounds:
    // each particle still without one makes one proposal per round, from its own stream. Before a
    // round that would take the proposals past `allowed`, stops. Returns each particle's candidate
    // (`None` for those still without one when the budget ran out) and the proposals made.
    type Made = (Vec<Option<Candidate>>, usize);
    let generation = |g: usize,
                      allowed: usize,
                      propose: &(dyn Fn(&mut ChaCha8Rng) -> Vec<f64> + Sync),
                      within: f64|
     -> Result<Made, CalibrateError> {
        let mut slots: Vec<(ChaCha8Rng, Option<Candidate>)> = (0..n)
            .map(|i| {
                let stream = ((g as u64) << 32) | i as u64;
                (stream_rng(settings.seed, Purpose::Abc, stream), None)
            })
            .collect();
        let mut spent = 0;
        loop {
            let waiting = slots.iter().filter(|s| s.1.is_none()).count();
            if waiting == 0 || spent + waiting > allowed {
                let done = slots.into_iter().map(|s| s.1).collect();
                return Ok((done, spent));
            }
            spent += waiting;
            pool.install(|| {
                slots.par_iter_mut().filter(|s| s.1.is_none()).try_for_each(
                    |(rng, slot)| -> Result<(), CalibrateError> {
                        let values: Vec<f64> = propose(rng)
                            .into_iter()
                            .zip(&bounds)
                            .map(|(v, &(low, high))| round4(v).clamp(low, high))
                            .collect();
                        if let Some(score) = evaluate(&values)? {
                            if score.shortfall <= within {
                                *slot = Some(Candidate { values, score });
                            }
                        }
                        Ok(())
                    },
                )
            })?;
            let done = slots.iter().filter(|s| s.1.is_some()).count();
            progress(SmcProgress::Particle {
                generation: g,
                done,
            });
        }
    };
    let summary = |g: usize, tolerance: f64, evaluations: usize, pop: &[Particle]| {
        let distances = pop.iter().map(|p| p.candidate.score.shortfall);
        let weights: Vec<f64> = pop.iter().map(|p| p.weight).collect();
        GenerationSummary {
            generation: g,
            tolerance,
            evaluations,
            worst: distances.clone().fold(0.0, f64::max),
            best: distances.fold(f64::INFINITY, f64::min),
            effective_size: abc::effective_size(&weights),
        }
    };

    // Generation 0: the prior. A set the scenario rejects is drawn again (up to the whole budget).
    let prior = |rng: &mut ChaCha8Rng| -> Vec<f64> {
        bounds
            .iter()
            .map(|&(low, high)| low + unit(rng) * (high - low))
            .collect()
    };
    let (made, mut evaluations) = generation(0, smc.budget.max(n), &prior, f64::INFINITY)?;
    let Some(candidates) = made.into_iter().collect::<Option<Vec<_>>>() else {
        return Err(CalibrateError::Nothing(format!(
            "{file}: no set drawn from the [[calibrate]] ranges gives a valid scenario"
        )));
    };
    let mut population: Vec<Particle> = candidates
        .into_iter()
        .map(|candidate| Particle {
            candidate,
            weight: 1.0 / n as f64,
        })
        .collect();
    let mut generations = vec![summary(0, f64::INFINITY, evaluations, &population)];
    progress(SmcProgress::Generation(&generations[0]));
    let mut tolerance = f64::INFINITY;
    let stopped = loop {
        if tolerance <= smc.final_tolerance {
            break SmcStop::Tolerance;
        }
        let g = generations.len();
        if g >= smc.generations {
            break SmcStop::Generations;
        }
        let allowed = smc.budget.saturating_sub(evaluations);
        if allowed < n {
            break SmcStop::Budget;
        }
        let distances: Vec<f64> = population
            .iter()
            .map(|p| p.candidate.score.shortfall)
            .collect();
        let weights: Vec<f64> = population.iter().map(|p| p.weight).collect();
        let next_tolerance = abc::tolerance(&distances, &weights, smc.quantile)
            .max(smc.final_tolerance)
            .min(tolerance);
        let old: Vec<Vec<f64>> = population
            .iter()
            .map(|p| p.candidate.values.clone())
            .collect();
        let kernel = abc::Kernel::new(&old, &weights, &bounds);
        let move_one = |rng: &mut ChaCha8Rng| -> Vec<f64> {
            let ancestor = abc::pick(rng, &weights);
            kernel.perturb(rng, &old[ancestor])
        };
        let (made, spent) = generation(g, allowed, &move_one, next_tolerance)?;
        evaluations += spent;
        let Some(candidates) = made.into_iter().collect::<Option<Vec<_>>>() else {
            break SmcStop::Budget;
        };
        let new: Vec<Vec<f64>> = candidates.iter().map(|c| c.values.clone()).collect();
        let new_weights = abc::weights(&new, &old, &weights, &kernel);
        population = candidates
            .into_iter()
            .zip(new_weights)
            .map(|(candidate, weight)| Particle { candidate, weight })
            .collect();
        tolerance = next_tolerance;
        generations.push(summary(g, tolerance, spent, &population));
        progress(SmcProgress::Generation(&generations[g]));
    };
    Ok(SmcReport {
        params,
        particles: population,
        generations,
        evaluations,
        stopped,
    })
}

/// Calibrates the scenario `text` (named `file` in errors); `progress` is told of each evaluation.
pub fn calibrate(
    text: &str,
    file: &str,
    settings: &Settings,
    mut progress: impl FnMut(usize, &Candidate, &Candidate),
) -> Result<Report, CalibrateError> {
    let (original, params) = calibratable(text, file)?;
    let evaluate = |values: &[f64]| -> Result<Score, CalibrateError> {
        let candidate = apply(text, file, &params, values, false)?;
        Ok(score(&Scenario::from_toml(&candidate, file)?, settings)?.0)
    };
    let (start_score, start_outcome) = score(&original, settings)?;
    let start = Candidate {
        values: Vec::new(),
        score: start_score,
    };
    let mut evaluations = 1;

    let n = settings.samples.max(1);
    let columns = hypercube(&params, n, settings.seed);
    let mut best: Option<Candidate> = None;
    for i in 0..n {
        let values: Vec<f64> = columns.iter().map(|col| col[i]).collect();
        let c = Candidate {
            score: evaluate(&values)?,
            values,
        };
        evaluations += 1;
        if best.as_ref().is_none_or(|b| c.score.better_than(&b.score)) {
            best = Some(c.clone());
        }
        // unwrap OK: `best` was set in this iteration or an earlier one.
        progress(evaluations, &c, best.as_ref().unwrap());
    }
    // unwrap OK: n ≥ 1, so the loop above set `best`.
    let mut best = best.unwrap();

    let mut steps: Vec<f64> = params.iter().map(|p| (p.high - p.low) / 4.0).collect();
    let mut spent = 0;
    let min_step: Vec<f64> = params.iter().map(|p| (p.high - p.low) / 1000.0).collect();
    'search: while spent < settings.refine && steps.iter().zip(&min_step).any(|(s, m)| s > m) {
        let mut improved = false;
        for j in 0..params.len() {
            for dir in [1.0, -1.0] {
                if spent >= settings.refine {
                    break 'search;
                }
                let mut values = best.values.clone();
                values[j] =
                    round4((values[j] + dir * steps[j]).clamp(params[j].low, params[j].high));
                if values[j] == best.values[j] {
                    continue;
                }
                let c = Candidate {
                    score: evaluate(&values)?,
                    values,
                };
                spent += 1;
                evaluations += 1;
                if c.score.better_than(&best.score) {
                    best = c.clone();
                    improved = true;
                }
                progress(evaluations, &c, &best);
            }
        }
        if !improved {
            steps.iter_mut().for_each(|s| *s /= 2.0);
        }
    }

    if !best.score.better_than(&start.score) {
        return Ok(Report {
            params,
            best: start.clone(),
            start,
            kept: true,
            evaluations,
            calibrated_text: text.to_string(),
            calibrated: (original, start_outcome),
        });
    }
    let calibrated_text = apply(text, file, &params, &best.values, true)?;
    let sc = Scenario::from_toml(&calibrated_text, file)?;
    let (_, outcome) = score(&sc, settings)?;
    Ok(Report {
        params,
        start,
        best,
        kept: false,
        evaluations,
        calibrated_text,
        calibrated: (sc, outcome),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_note_replaces_the_first_and_other_comments_stay() {
        let note = |low, high| format!("{NOTE_START}{low}, {high}] {NOTE_END}");
        let twice = format!("hazard = 0.5 # {} ; {}", note(0, 1), note(0, 2));
        assert_eq!(
            keep_last_note(&twice),
            format!("hazard = 0.5 # {}", note(0, 2))
        );
        let with_user = format!("x = 1 # why ; {} ; later ; {}", note(0, 1), note(1, 2));
        assert_eq!(
            keep_last_note(&with_user),
            format!("x = 1 # why ; {} ; later", note(1, 2))
        );
        assert_eq!(keep_last_note("x = 1 # plain"), "x = 1 # plain");
    }
}
