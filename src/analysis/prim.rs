//! Scenario discovery with PRIM, the Patient Rule Induction Method (Friedman & Fisher 1999, "Bump
//! hunting in high-dimensional data", Statistics and Computing 9, 123–143), as EMA Workbench applies
//! it (Bryant & Lempert 2010, "Thinking inside the box", Technol. Forecast. Soc. Change 77, 34–49).
//!
//! Question: under which conditions on the uncertain inputs does an outcome of interest happen? Given
//! a table of design points (the inputs) and, per point, whether the outcome happened, PRIM looks for
//! a box (a range per continuous input, a set of categories per categorical one) where the outcome
//! is frequent.
//! - **Peeling**: starting from the box holding every point, repeatedly cut off the slice that most
//!   improves the box: for each continuous input, the `alpha` share of the box's points with the
//!   lowest or the highest values (`alpha` = 0.05 by default); for each categorical input, one
//!   category. The score of a cut is EMA Workbench's default "lenient 1" objective, the gain in density
//!   per point removed, or Friedman & Fisher's original, the density after the cut. Peeling stops
//!   when a cut would leave fewer than `min_mass` of all points, or the box is pure. Each box along the
//!   way is kept: the **peeling trajectory**, from high coverage and low density to the reverse.
//! - **Pasting**: a chosen box is then grown back, one `alpha` slice or one category at a time, while
//!   that raises its density (peeling is greedy and may have cut too far).
//! - For each box: **coverage** (share of all the points with the outcome that the box holds),
//!   **density** (share of the box's points with the outcome), **mass** (share of all points in the
//!   box), and the inputs it restricts.
//!
//! Assumptions: the rows are equally likely futures (a Latin hypercube, a Monte Carlo sample); the
//! outcome is a yes/no condition. Ties among values may make a continuous cut impossible; then that
//! cut is not offered. Must not: do I/O; [`Prim::rule`] returns the rule as text for the caller.

use super::{check_finite, check_len, AnalysisError, Result};

/// The values of one input over all the points.
#[derive(Clone, Debug, PartialEq)]
pub enum Values {
    /// A number per point.
    Continuous(Vec<f64>),
    /// A category per point: `codes[i]` indexes `levels`.
    Categorical {
        /// Names of the categories.
        levels: Vec<String>,
        /// The category of each point.
        codes: Vec<u32>,
    },
}

/// One uncertain input: its name (as the rule will say it) and its values.
#[derive(Clone, Debug, PartialEq)]
pub struct Input {
    /// Name used in the rule text.
    pub name: String,
    /// Values, one per point.
    pub values: Values,
}

/// How PRIM peels and pastes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PrimOptions {
    /// Share of a box's points a continuous peel or paste moves (Friedman & Fisher: 0.05 to 0.1).
    pub alpha: f64,
    /// Smallest share of all points a box may keep.
    pub min_mass: f64,
    /// How a candidate peel is scored.
    pub objective: Objective,
}

impl Default for PrimOptions {
    /// alpha 0.05, min_mass 0.05, lenient-1 objective (EMA Workbench's defaults).
    fn default() -> PrimOptions {
        PrimOptions {
            alpha: 0.05,
            min_mass: 0.05,
            objective: Objective::Lenient1,
        }
    }
}

/// The score of a candidate peel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Objective {
    /// Density of the box after the peel (Friedman & Fisher's original).
    Original,
    /// Gain in density per point removed (EMA Workbench's default): prefers small cuts.
    Lenient1,
}

/// The limits of a box on one input.
#[derive(Clone, Debug, PartialEq)]
pub enum Limit {
    /// A closed range `[lo, hi]` of a continuous input.
    Range {
        /// Smallest value inside.
        lo: f64,
        /// Largest value inside.
        hi: f64,
    },
    /// The categories inside, by code.
    Categories(Vec<bool>),
}

impl Limit {
    fn admits(&self, values: &Values, i: usize) -> bool {
        match (self, values) {
            (Limit::Range { lo, hi }, Values::Continuous(x)) => *lo <= x[i] && x[i] <= *hi,
            (Limit::Categories(inside), Values::Categorical { codes, .. }) => {
                inside[codes[i] as usize]
            }
            _ => false,
        }
    }
}

/// A box with its statistics.
#[derive(Clone, Debug, PartialEq)]
pub struct PrimBox {
    /// Limits per input, in the inputs' order.
    pub limits: Vec<Limit>,
    /// Share of all the points with the outcome that lie in the box.
    pub coverage: f64,
    /// Share of the box's points with the outcome.
    pub density: f64,
    /// Share of all points that lie in the box.
    pub mass: f64,
    /// Number of points in the box.
    pub points: usize,
    /// Inputs whose limits are narrower than the data's range (or exclude a category).
    pub restricted: Vec<usize>,
}

/// PRIM over a table of inputs and a yes/no outcome per point.
#[derive(Debug)]
pub struct Prim<'a> {
    inputs: &'a [Input],
    outcome: &'a [bool],
    options: PrimOptions,
    /// The whole data's limits (the first box's).
    full: Vec<Limit>,
    /// Number of points with the outcome.
    hits: usize,
}

impl<'a> Prim<'a> {
    /// Checks the table: at least one input, every column as long as `outcome` (at least 2 points),
    /// finite continuous values, category codes within their levels, the outcome happening at least
    /// once, `0 < alpha < 0.5` and `0 < min_mass < 1`.
    pub fn new(inputs: &'a [Input], outcome: &'a [bool], options: PrimOptions) -> Result<Prim<'a>> {
        let n = outcome.len();
        if inputs.is_empty() || n < 2 {
            return Err(AnalysisError::Invalid {
                name: "prim table",
                value: format!("{} inputs, {n} points", inputs.len()),
                allowed: "at least one input and two points",
            });
        }
        if !(options.alpha > 0.0 && options.alpha < 0.5) {
            return Err(AnalysisError::Invalid {
                name: "alpha",
                value: options.alpha.to_string(),
                allowed: "strictly between 0 and 0.5",
            });
        }
        if !(options.min_mass > 0.0 && options.min_mass < 1.0) {
            return Err(AnalysisError::Invalid {
                name: "min_mass",
                value: options.min_mass.to_string(),
                allowed: "strictly between 0 and 1",
            });
        }
        let mut full = Vec::with_capacity(inputs.len());
        for input in inputs {
            match &input.values {
                Values::Continuous(x) => {
                    check_len("continuous input", x.len(), n)?;
                    check_finite("continuous input", x)?;
                    let lo = x.iter().copied().fold(f64::INFINITY, f64::min);
                    let hi = x.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                    full.push(Limit::Range { lo, hi });
                }
                Values::Categorical { levels, codes } => {
                    check_len("categorical input", codes.len(), n)?;
                    if let Some(c) = codes.iter().find(|&&c| c as usize >= levels.len()) {
                        return Err(AnalysisError::Invalid {
                            name: "category code",
                            value: c.to_string(),
                            allowed: "below the number of levels",
                        });
                    }
                    full.push(Limit::Categories(vec![true; levels.len()]));
                }
            }
        }
        let hits = outcome.iter().filter(|&&y| y).count();
        if hits == 0 {
            return Err(AnalysisError::Invalid {
                name: "outcome",
                value: "never true".into(),
                allowed: "true for at least one point",
            });
        }
        Ok(Prim {
            inputs,
            outcome,
            options,
            full,
            hits,
        })
    }

    /// The points inside `limits`.
    fn members(&self, limits: &[Limit]) -> Vec<usize> {
        (0..self.outcome.len())
            .filter(|&i| {
                limits
                    .iter()
                    .zip(self.inputs)
                    .all(|(l, input)| l.admits(&input.values, i))
            })
            .collect()
    }

    /// The box with `limits`, its statistics computed over `members`.
    fn make_box(&self, limits: Vec<Limit>, members: &[usize]) -> PrimBox {
        let hits = members.iter().filter(|&&i| self.outcome[i]).count();
        let restricted = limits
            .iter()
            .zip(&self.full)
            .enumerate()
            .filter(|(_, (l, f))| l != f)
            .map(|(d, _)| d)
            .collect();
        PrimBox {
            limits,
            coverage: hits as f64 / self.hits as f64,
            density: if members.is_empty() {
                0.0
            } else {
                hits as f64 / members.len() as f64
            },
            mass: members.len() as f64 / self.outcome.len() as f64,
            points: members.len(),
            restricted,
        }
    }

    /// The peeling trajectory: the box of all points, then the box after each peel, in order.
    pub fn peel(&self) -> Vec<PrimBox> {
        let n = self.outcome.len();
        let min_points = (self.options.min_mass * n as f64).ceil() as usize;
        let mut limits = self.full.clone();
        let mut members: Vec<usize> = (0..n).collect();
        let mut trajectory = vec![self.make_box(limits.clone(), &members)];
        loop {
            let hits = members.iter().filter(|&&i| self.outcome[i]).count();
            if hits == members.len() {
                break;
            }
            let old_density = hits as f64 / members.len() as f64;
            let mut best: Option<(f64, Vec<Limit>, Vec<usize>)> = None;
            for (d, candidate) in self.peels(&limits, &members) {
                let mut next = limits.clone();
                next[d] = candidate;
                let kept: Vec<usize> = members
                    .iter()
                    .copied()
                    .filter(|&i| next[d].admits(&self.inputs[d].values, i))
                    .collect();
                if kept.len() < min_points.max(1) || kept.len() == members.len() {
                    continue;
                }
                let density =
                    kept.iter().filter(|&&i| self.outcome[i]).count() as f64 / kept.len() as f64;
                let score = match self.options.objective {
                    Objective::Original => density,
                    Objective::Lenient1 => {
                        (density - old_density) / (members.len() - kept.len()) as f64
                    }
                };
                if best.as_ref().is_none_or(|(s, _, _)| score > *s) {
                    best = Some((score, next, kept));
                }
            }
            match best {
                Some((_, next, kept)) => {
                    limits = next;
                    members = kept;
                    trajectory.push(self.make_box(limits.clone(), &members));
                }
                None => break,
            }
        }
        trajectory
    }

    /// Candidate peels of the box `limits` holding `members`: (input, its new limit).
    fn peels(&self, limits: &[Limit], members: &[usize]) -> Vec<(usize, Limit)> {
        let mut out = Vec::new();
        for (d, (limit, input)) in limits.iter().zip(self.inputs).enumerate() {
            match (limit, &input.values) {
                (Limit::Range { lo, hi }, Values::Continuous(x)) => {
                    let mut v: Vec<f64> = members.iter().map(|&i| x[i]).collect();
                    v.sort_by(f64::total_cmp);
                    let m = v.len();
                    let cut = ((self.options.alpha * m as f64).floor() as usize).max(1);
                    // Keep values at or above the cut-th smallest; at or below the cut-th largest.
                    if cut < m {
                        out.push((
                            d,
                            Limit::Range {
                                lo: v[cut],
                                hi: *hi,
                            },
                        ));
                        out.push((
                            d,
                            Limit::Range {
                                lo: *lo,
                                hi: v[m - 1 - cut],
                            },
                        ));
                    }
                }
                (Limit::Categories(inside), Values::Categorical { codes, .. }) => {
                    let mut present = vec![false; inside.len()];
                    for &i in members {
                        present[codes[i] as usize] = true;
                    }
                    if present.iter().filter(|&&p| p).count() > 1 {
                        for (c, _) in present.iter().enumerate().filter(|(_, &p)| p) {
                            let mut next = inside.clone();
                            next[c] = false;
                            out.push((d, Limit::Categories(next)));
                        }
                    }
                }
                _ => {}
            }
        }
        out
    }

    /// `chosen` grown back by pasting: repeatedly the paste (an `alpha` slice of the box's size below
    /// or above a continuous limit, or one excluded category) that raises the density most, while
    /// one raises it.
    pub fn paste(&self, chosen: &PrimBox) -> PrimBox {
        let mut limits = chosen.limits.clone();
        let mut members = self.members(&limits);
        let density_of = |m: &[usize]| {
            m.iter().filter(|&&i| self.outcome[i]).count() as f64 / m.len().max(1) as f64
        };
        let mut density = density_of(&members);
        loop {
            let mut best: Option<(f64, Vec<Limit>, Vec<usize>)> = None;
            for (d, candidate) in self.pastes(&limits, members.len()) {
                let mut next = limits.clone();
                next[d] = candidate;
                let grown = self.members(&next);
                let dens = density_of(&grown);
                if dens > density && best.as_ref().is_none_or(|(s, _, _)| dens > *s) {
                    best = Some((dens, next, grown));
                }
            }
            match best {
                Some((dens, next, grown)) => {
                    density = dens;
                    limits = next;
                    members = grown;
                }
                None => break,
            }
        }
        self.make_box(limits, &members)
    }

    /// Candidate pastes of the box `limits` of `size` points.
    fn pastes(&self, limits: &[Limit], size: usize) -> Vec<(usize, Limit)> {
        let step = ((self.options.alpha * size as f64).ceil() as usize).max(1);
        let mut out = Vec::new();
        for d in 0..limits.len() {
            match (&limits[d], &self.inputs[d].values) {
                (Limit::Range { lo, hi }, Values::Continuous(x)) => {
                    // Points inside every other limit, outside this one.
                    let others: Vec<f64> = (0..self.outcome.len())
                        .filter(|&i| {
                            limits
                                .iter()
                                .zip(self.inputs)
                                .enumerate()
                                .all(|(e, (l, input))| e == d || l.admits(&input.values, i))
                        })
                        .map(|i| x[i])
                        .collect();
                    let mut below: Vec<f64> = others.iter().copied().filter(|v| v < lo).collect();
                    let mut above: Vec<f64> = others.iter().copied().filter(|v| v > hi).collect();
                    below.sort_by(|a, b| b.total_cmp(a));
                    above.sort_by(f64::total_cmp);
                    // The new limit takes in the `step` nearest points outside (or all there are).
                    if let Some(i) = step.min(below.len()).checked_sub(1) {
                        out.push((
                            d,
                            Limit::Range {
                                lo: below[i],
                                hi: *hi,
                            },
                        ));
                    }
                    if let Some(i) = step.min(above.len()).checked_sub(1) {
                        out.push((
                            d,
                            Limit::Range {
                                lo: *lo,
                                hi: above[i],
                            },
                        ));
                    }
                }
                (Limit::Categories(inside), Values::Categorical { .. }) => {
                    for (c, _) in inside.iter().enumerate().filter(|(_, &i)| !i) {
                        let mut next = inside.clone();
                        next[c] = true;
                        out.push((d, Limit::Categories(next)));
                    }
                }
                _ => {}
            }
        }
        out
    }

    /// The box of `trajectory` with the highest coverage among those with at least `min_density`
    /// (the earliest on ties), or `None` if no box is that dense.
    pub fn choose(trajectory: &[PrimBox], min_density: f64) -> Option<usize> {
        trajectory
            .iter()
            .enumerate()
            .filter(|(_, b)| b.density >= min_density)
            .fold(None, |best: Option<(usize, f64)>, (i, b)| match best {
                Some((_, c)) if c >= b.coverage => best,
                _ => Some((i, b.coverage)),
            })
            .map(|(i, _)| i)
    }

    /// The box as a rule in plain words, with its density, coverage and mass, for an `outcome`
    /// described as a clause ("Uzbekistan is in the CSTO at 2027Q4"). E.g. "In 83% of the futures
    /// where remittance_cut was at most 0.3 and russia_recovery was at least 0.9, Uzbekistan is in
    /// the CSTO at 2027Q4 (density). These futures are 12% of all futures (mass) and hold 71% of the
    /// futures where Uzbekistan is in the CSTO at 2027Q4 (coverage)."
    pub fn rule(&self, chosen: &PrimBox, outcome: &str) -> String {
        let conditions: Vec<String> = chosen
            .restricted
            .iter()
            .map(|&d| self.condition(d, &chosen.limits[d]))
            .collect();
        let conditions = match conditions.split_last() {
            None => "all futures".to_string(),
            Some((last, [])) => format!("the futures where {last}"),
            Some((last, rest)) => format!("the futures where {} and {last}", rest.join(", ")),
        };
        format!(
            "In {} of {conditions}, {outcome} (density). These futures are {} of all futures (mass) \
             and hold {} of the futures where {outcome} (coverage).",
            percent(chosen.density),
            percent(chosen.mass),
            percent(chosen.coverage)
        )
    }

    /// The condition input `d` meets under `limit`, in words.
    fn condition(&self, d: usize, limit: &Limit) -> String {
        let input = &self.inputs[d];
        match (limit, &self.full[d], &input.values) {
            (Limit::Range { lo, hi }, Limit::Range { lo: min, hi: max }, _) => {
                match (lo > min, hi < max) {
                    (true, true) => {
                        format!(
                            "{} was between {} and {}",
                            input.name,
                            number(*lo),
                            number(*hi)
                        )
                    }
                    (true, false) => format!("{} was at least {}", input.name, number(*lo)),
                    _ => format!("{} was at most {}", input.name, number(*hi)),
                }
            }
            (Limit::Categories(inside), _, Values::Categorical { levels, .. }) => {
                let names: Vec<&str> = levels
                    .iter()
                    .zip(inside)
                    .filter(|(_, &i)| i)
                    .map(|(l, _)| l.as_str())
                    .collect();
                match names.split_last() {
                    Some((only, [])) => format!("{} was {only}", input.name),
                    Some((last, rest)) => {
                        format!("{} was {} or {last}", input.name, rest.join(", "))
                    }
                    None => format!("{} was none of its categories", input.name),
                }
            }
            _ => String::new(),
        }
    }
}

/// A share as a whole percentage ("83%").
fn percent(share: f64) -> String {
    format!("{:.0}%", 100.0 * share)
}

/// A number with three significant digits (all its whole digits when it has more), without
/// trailing zeros.
fn number(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return x.to_string();
    }
    let digits = (2 - x.abs().log10().floor() as i32).max(0) as usize;
    let s = format!("{x:.digits$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::super::design::{Design, LatinHypercube};
    use super::super::{stream_rng, unit, Purpose};
    use super::*;

    /// 2,000 points: x0, x1, x2 uniform, `sector` one of three categories; the outcome happens in
    /// the box x0 ≥ 0.6, x1 ≤ 0.3, and sector ≠ "c" if `with_sector` (8% of the points; 12% without),
    /// with 2% of all labels flipped at random. The best box then has density about 0.98 and coverage
    /// about 0.8 (the flipped points outside it are a fifth of all outcomes). Without `with_sector`
    /// the sector is not an input.
    fn planted(with_sector: bool) -> (Vec<Input>, Vec<bool>) {
        let n = 2_000;
        let rows = LatinHypercube::new(n, 4, 42).unwrap().rows();
        let column = |d: usize| rows.iter().map(|p| p[d]).collect::<Vec<f64>>();
        let codes: Vec<u32> = rows.iter().map(|p| (p[3] * 3.0) as u32).collect();
        let mut noise = stream_rng(1, Purpose::Bootstrap, 77);
        let outcome = rows
            .iter()
            .zip(&codes)
            .map(|(p, &c)| {
                (p[0] >= 0.6 && p[1] <= 0.3 && (c != 2 || !with_sector)) ^ (unit(&mut noise) < 0.02)
            })
            .collect();
        let mut inputs = vec![
            Input {
                name: "x0".into(),
                values: Values::Continuous(column(0)),
            },
            Input {
                name: "x1".into(),
                values: Values::Continuous(column(1)),
            },
            Input {
                name: "x2".into(),
                values: Values::Continuous(column(2)),
            },
            Input {
                name: "sector".into(),
                values: Values::Categorical {
                    levels: vec!["a".into(), "b".into(), "c".into()],
                    codes,
                },
            },
        ];
        if !with_sector {
            inputs.pop();
        }
        (inputs, outcome)
    }

    fn range(limit: &Limit) -> (f64, f64) {
        match limit {
            Limit::Range { lo, hi } => (*lo, *hi),
            Limit::Categories(_) => panic!("not a range"),
        }
    }

    /// Lenient 1 over continuous and categorical inputs, and the original objective over continuous
    /// ones (with a categorical input it is impatient: its first peels drop whole categories, a third
    /// of the points each, and it never reaches the planted box's density).
    #[test]
    fn recovers_a_planted_box() {
        for (objective, with_sector) in [(Objective::Lenient1, true), (Objective::Original, false)]
        {
            let (inputs, outcome) = planted(with_sector);
            let options = PrimOptions {
                objective,
                ..PrimOptions::default()
            };
            let prim = Prim::new(&inputs, &outcome, options).unwrap();
            let trajectory = prim.peel();
            // Coverage never rises and mass falls along the trajectory.
            for w in trajectory.windows(2) {
                assert!(w[1].coverage <= w[0].coverage && w[1].mass < w[0].mass);
            }
            assert!(trajectory.last().unwrap().mass >= 0.05);
            let chosen = &trajectory[Prim::choose(&trajectory, 0.9).expect("a dense box")];
            let pasted = prim.paste(chosen);
            assert!(pasted.density >= chosen.density);
            let (lo0, _) = range(&pasted.limits[0]);
            let (_, hi1) = range(&pasted.limits[1]);
            let (lo2, hi2) = range(&pasted.limits[2]);
            assert!((lo0 - 0.6).abs() < 0.05, "{objective:?} {pasted:?}");
            assert!((hi1 - 0.3).abs() < 0.05, "{objective:?} {pasted:?}");
            assert!(
                lo2 < 0.1 && hi2 > 0.9,
                "{objective:?}: irrelevant x2 cut to {lo2}..{hi2}"
            );
            if with_sector {
                assert_eq!(pasted.limits[3], Limit::Categories(vec![true, true, false]));
            }
            assert!(
                pasted.density > 0.9 && pasted.coverage > 0.7,
                "{objective:?} {pasted:?}"
            );
        }
    }

    #[test]
    fn states_the_rule_in_plain_words() {
        let (inputs, outcome) = planted(true);
        let prim = Prim::new(&inputs, &outcome, PrimOptions::default()).unwrap();
        let trajectory = prim.peel();
        let chosen = prim.paste(&trajectory[Prim::choose(&trajectory, 0.9).unwrap()]);
        let rule = prim.rule(&chosen, "the bloc holds");
        assert!(rule.starts_with(&format!(
            "In {} of the futures where ",
            percent(chosen.density)
        )));
        let (lo0, hi1) = (range(&chosen.limits[0]).0, range(&chosen.limits[1]).1);
        assert!(
            rule.contains(&format!("x0 was at least {}", number(lo0))),
            "{rule}"
        );
        assert!(
            rule.contains(&format!("x1 was at most {}", number(hi1))),
            "{rule}"
        );
        assert!(rule.contains("sector was a or b"), "{rule}");
        assert!(rule.contains(&format!(
            "hold {} of the futures where the bloc holds",
            percent(chosen.coverage)
        )));
        assert!(!rule.contains("x2"), "{rule}");
        let everything = format!(
            "In {} of all futures, y (density)",
            percent(trajectory[0].density)
        );
        assert!(prim.rule(&trajectory[0], "y").starts_with(&everything));
    }

    #[test]
    fn rejects_bad_tables() {
        let x = Input {
            name: "x".into(),
            values: Values::Continuous(vec![0.0, 1.0]),
        };
        let ok = PrimOptions::default();
        assert!(Prim::new(std::slice::from_ref(&x), &[false, false], ok).is_err());
        assert!(Prim::new(std::slice::from_ref(&x), &[true], ok).is_err());
        assert!(Prim::new(
            std::slice::from_ref(&x),
            &[true, false],
            PrimOptions { alpha: 0.6, ..ok }
        )
        .is_err());
        let bad = Input {
            name: "c".into(),
            values: Values::Categorical {
                levels: vec!["a".into()],
                codes: vec![0, 1],
            },
        };
        assert!(Prim::new(&[bad], &[true, false], ok).is_err());
    }

    #[test]
    fn numbers_have_three_significant_digits() {
        assert_eq!(number(0.6012), "0.601");
        assert_eq!(number(0.3), "0.3");
        assert_eq!(number(1234.6), "1235");
        assert_eq!(number(-2.5), "-2.5");
    }
}
