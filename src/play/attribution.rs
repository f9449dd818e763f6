//! Why each state moved: its shift from the start to a quarter (each pole's share, and the chance that
//! the pole leads) attributed to causes by switching one cause off at a time under common random
//! numbers. Run `i` with the cause off sees exactly the draws of run `i` with it on (hazards, chances,
//! schedules and decisions never change which numbers are drawn), so the paired difference
//! `with − without` is the cause's effect in that run; its mean over runs, with a 95% interval, is the
//! cause's part of the shift.
//!
//! Causes: every change of a lever from the value the start was computed at (the rest point), at its
//! quarter, until the lever next changes; each event's strikes by hazard, and each quarter's injects of
//! an event; each reaction rule; and the hosts' decisions on deals (bases and transit routes) and on
//! blocs (switched off by freezing what stands at the start). When causes interact the parts need not sum to
//! the shift: the residual (shift minus the sum of parts, per run, with its interval) says by how much.
//! When runs draw their own parameters, each run's shift and parts are measured in its own drawn world
//! (`Setup::varied`), from its own start.

use serde::Serialize;

use crate::engine::PerRun;
use crate::model::{Lever, Plan, World};

use super::ensemble::{dominant, mean_ci, simulate, Ensemble, Setup, Starts};
use super::PlayError;

/// What kind of cause.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CauseKind {
    /// A lever's change at a quarter.
    Lever,
    /// An event's strikes by hazard.
    Event,
    /// An event forced in a quarter.
    Inject,
    /// A pole's reaction rule.
    Reaction,
    /// The hosts' decisions of one kind.
    Decision,
}

impl CauseKind {
    /// The name used in `attribution.csv`.
    pub fn key(self) -> &'static str {
        match self {
            CauseKind::Lever => "lever",
            CauseKind::Event => "event",
            CauseKind::Inject => "inject",
            CauseKind::Reaction => "reaction",
            CauseKind::Decision => "decision",
        }
    }
}

/// How one cause is switched off: what changes in a run's world and plan, everything else as it is.
/// Applied to the world and plan of each run (its own drawn ones when runs draw their parameters).
#[derive(Clone, Debug, PartialEq)]
pub enum Off {
    /// Lever `lever` of pole `p` toward state `h` held at `value` in quarters `from..to`.
    Lever {
        /// State index.
        h: usize,
        /// Pole index.
        p: usize,
        /// Lever index (`Lever::index`).
        lever: usize,
        /// First quarter.
        from: usize,
        /// End quarter (exclusive).
        to: usize,
        /// The value held.
        value: f64,
    },
    /// Event `e`'s hazard 0 in every state and quarter.
    Hazard(usize),
    /// These cells of the injects (`World::event_index`) cleared.
    Injects(Vec<usize>),
    /// Reaction rule `r` disabled in every quarter.
    Reaction(usize),
    /// An infinite deal margin: no deal taken up, none ended on its value.
    Deals,
    /// Every decided bloc's membership fixed at the start.
    Blocs,
}

impl Off {
    /// Switches the cause off in `world` and `plan`.
    pub fn apply(&self, world: &mut World, plan: &mut Plan) {
        match self {
            &Off::Lever {
                h,
                p,
                lever,
                from,
                to,
                value,
            } => {
                for t in from..to {
                    plan.lever_row_mut(world, t, h, p)[lever] = value;
                }
            }
            &Off::Hazard(e) => {
                for t in 0..world.quarters {
                    for h in 0..world.states.len() {
                        plan.hazards[world.event_index(t, e, h)] = 0.0;
                    }
                }
            }
            Off::Injects(cells) => cells.iter().for_each(|&i| world.injects[i] = false),
            &Off::Reaction(r) => {
                let rs = world.reactions.len();
                (0..world.quarters).for_each(|t| plan.reactions[t * rs + r].enabled = false);
            }
            Off::Deals => world.coefficients.deal_margin = f64::INFINITY,
            Off::Blocs => world.blocs.iter_mut().for_each(|b| b.decided = None),
        }
    }
}

/// One cause and how to switch it off.
#[derive(Clone, Debug)]
pub struct Cause {
    /// Its kind.
    pub kind: CauseKind,
    /// Its name, in words (`NATO aid_usd_m to UZB 10 -> 50 from 2019Q1`).
    pub name: String,
    /// How it is switched off.
    pub off: Off,
}

/// The causes that can move the shares of `plan` by quarter `at` (inclusive), each with how it is
/// switched off. `rest` is the plan whose first-quarter levers the start was computed at (the
/// baseline's). Found in `world` and `plan`; when runs draw their own parameters, those of the scenario
/// as written (a cause is then switched off in each run's own world and plan).
pub fn causes(world: &World, plan: &Plan, rest: &Plan, at: usize) -> Vec<Cause> {
    let mut out = Vec::new();
    let (hs, ps) = (world.states.len(), world.poles.len());
    let cause = |kind, name: String, off: Off| Cause { kind, name, off };
    for h in 0..hs {
        for p in 0..ps {
            for lever in Lever::ALL {
                let l = lever.index();
                let mut before = rest.lever_row(world, 0, h, p)[l];
                let mut t = 0;
                while t <= at {
                    let value = plan.lever_row(world, t, h, p)[l];
                    if value == before {
                        t += 1;
                        continue;
                    }
                    let mut end = t;
                    while end < world.quarters && plan.lever_row(world, end, h, p)[l] == value {
                        end += 1;
                    }
                    let off = Off::Lever {
                        h,
                        p,
                        lever: l,
                        from: t,
                        to: end,
                        value: before,
                    };
                    let name = format!(
                        "{} {} to {} {} -> {} from {}",
                        world.poles[p],
                        lever.key(),
                        world.states[h].code,
                        number(before),
                        number(value),
                        world.quarter_label(t)
                    );
                    out.push(cause(CauseKind::Lever, name, off));
                    before = value;
                    t = end;
                }
            }
        }
    }
    for (e, event) in world.events.iter().enumerate() {
        let cells = |t: usize| (0..hs).map(move |h| world.event_index(t, e, h));
        if (0..=at).any(|t| cells(t).any(|i| plan.hazards[i] > 0.0)) {
            let name = format!("{} (strikes by hazard)", event.name);
            out.push(cause(CauseKind::Event, name, Off::Hazard(e)));
        }
        for t in 0..=at {
            let hit: Vec<usize> = cells(t).filter(|&i| world.injects[i]).collect();
            if hit.is_empty() {
                continue;
            }
            let states: Vec<&str> = hit
                .iter()
                .map(|&i| world.states[i % hs].code.as_str())
                .collect();
            let whom = match event.target {
                crate::model::EventTarget::Pole(_) => String::new(),
                _ => format!(" in {}", states.join(" ")),
            };
            let name = format!(
                "{} injected{whom} in {}",
                event.name,
                world.quarter_label(t)
            );
            out.push(cause(CauseKind::Inject, name, Off::Injects(hit)));
        }
    }
    let rs = world.reactions.len();
    for (r, rule) in world.reactions.iter().enumerate() {
        let live = |t: usize| {
            let s = plan.reactions[t * rs + r];
            s.enabled && s.chance > 0.0
        };
        if (0..=at).any(live) {
            let name = format!("{}'s reaction {}", world.poles[rule.pole], rule.name);
            out.push(cause(CauseKind::Reaction, name, Off::Reaction(r)));
        }
    }
    // Decisions on deals (bases and transit routes): an infinite hysteresis margin, so no deal is
    // taken up and none ends on its value (a base still closes if its pole stops offering it or
    // doctrine bans it, a route if its pole stops paying: those are levers and doctrine, not the
    // host's decisions).
    out.push(cause(
        CauseKind::Decision,
        "decisions on bases and transit routes".into(),
        Off::Deals,
    ));
    if world.blocs.iter().any(|b| b.decided.is_some()) {
        out.push(cause(
            CauseKind::Decision,
            "decisions on blocs".into(),
            Off::Blocs,
        ));
    }
    out
}

/// The runs of a varied setup with one cause switched off in each run's own world and plan.
#[derive(Debug)]
struct Switched<'a> {
    /// Each run's world and plans.
    runs: &'a dyn PerRun,
    /// The cause switched off.
    off: &'a Off,
}

impl PerRun for Switched<'_> {
    fn world(&self, run: u64) -> Result<(World, Vec<Plan>), String> {
        let (mut world, mut plans) = self.runs.world(run)?;
        for plan in &mut plans {
            self.off.apply(&mut world, plan);
        }
        Ok((world, plans))
    }

    fn group(&self, run: u64) -> Option<u64> {
        self.runs.group(run)
    }
}

fn number(x: f64) -> String {
    format!("{}", (x * 1000.0).round() / 1000.0)
}

/// One row of `attribution.csv`: a part of one state's shift toward one pole.
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize)]
pub struct AttributionRow {
    /// State code.
    pub state: String,
    /// Pole name.
    pub pole: String,
    /// `share` (the state's share toward the pole) or `lead` (the chance that the pole has the largest
    /// share).
    pub measure: String,
    /// `shift` (the whole change from the start), a cause's kind (`lever`, `event`, `inject`,
    /// `reaction`, `decision`), or `residual` (the shift minus the sum of the parts).
    pub kind: String,
    /// The cause in words (empty for `shift` and `residual`).
    pub cause: String,
    /// The quarter the shift is measured at (from the start of the scenario).
    pub quarter: String,
    /// Mean over runs: the change in share (0–1) or in probability (0–1).
    pub effect: f64,
    /// 95% confidence interval of `effect`, low end.
    pub ci95_low: f64,
    /// High end.
    pub ci95_high: f64,
}

/// The attribution of every state's shift by quarter `at`.
#[derive(Clone, Debug)]
pub struct Attribution {
    /// The rows, by state, pole and measure: the shift, then each cause in order, then the residual.
    pub rows: Vec<AttributionRow>,
    /// The causes' names and kinds, in order.
    pub causes: Vec<(CauseKind, String)>,
}

/// Attributes the shift of `setup` (world and plan with every cause on) by quarter `at`; `rest` is the
/// plan the start was computed at. One rerun per cause, each on the same random streams (and, when runs
/// draw their own parameters, in each run's own drawn world with the cause switched off), taken one at
/// a time: memory holds four values per run and cell (with every cause on, with one off, the start,
/// the parts' sum), whatever the number of causes.
pub fn attribute(setup: &Setup, rest: &Plan, at: usize) -> Result<Attribution, PlayError> {
    let world = setup.world;
    let (hs, ps) = (world.states.len(), world.poles.len());
    let cells = hs * ps;
    // Each run's share and lead (1 if the pole leads) in `row`: `[(run * cells + cell) * 2 + measure]`.
    let measures = |row: &[f64], out: &mut Vec<f64>| {
        for cell in 0..cells {
            let (h, p) = (cell / ps, cell % ps);
            let leads = dominant(&row[h * ps..(h + 1) * ps]) == p;
            out.extend([row[cell], f64::from(u8::from(leads))]);
        }
    };
    let values = |e: &Ensemble| -> Vec<f64> {
        let mut out = Vec::with_capacity(e.runs as usize * cells * 2);
        for r in 0..e.runs {
            measures(e.at(r, at), &mut out);
        }
        out
    };
    let full = values(&simulate(setup, &[at], &[])?);
    // Each run's start: the scenario's, or, when runs draw their own parameters, its own world's (a
    // drawn starting share moves it), `[run * cells * 2 + i]` as `full`.
    let starts = Starts::of(setup)?;
    let mut origin = Vec::with_capacity(full.len());
    for r in 0..setup.runs {
        measures(starts.run(r), &mut origin);
    }
    let quarter = world.quarter_label(at).to_string();
    let row = |i: usize, kind: &str, cause: &str, (effect, lo, hi): (f64, f64, f64)| {
        let (cell, measure) = (i / 2, i % 2);
        AttributionRow {
            state: world.states[cell / ps].code.clone(),
            pole: world.poles[cell % ps].clone(),
            measure: ["share", "lead"][measure].into(),
            kind: kind.into(),
            cause: cause.into(),
            quarter: quarter.clone(),
            effect,
            ci95_low: lo,
            ci95_high: hi,
        }
    };
    let stride = cells * 2;
    // Rows grouped by cell and measure: the shift, then each cause, then the residual.
    let mut groups: Vec<Vec<AttributionRow>> = (0..cells * 2)
        .map(|i| {
            let shift = per_run(&full, stride, i).map(|(r, x)| x - origin[r * stride + i]);
            vec![row(i, "shift", "", mean_ci(shift))]
        })
        .collect();
    let mut parts = vec![0.0; full.len()];
    let list = causes(world, setup.plan, rest, at);
    for c in &list {
        let (mut w, mut p) = (world.clone(), setup.plan.clone());
        c.off.apply(&mut w, &mut p);
        let switched = setup.varied.map(|runs| Switched { runs, off: &c.off });
        let off = values(&simulate(
            &Setup {
                world: &w,
                plan: &p,
                varied: switched.as_ref().map(|s| s as &dyn PerRun),
                ..*setup
            },
            &[at],
            &[],
        )?);
        for (part, (with, without)) in parts.iter_mut().zip(full.iter().zip(&off)) {
            *part += with - without;
        }
        for (i, group) in groups.iter_mut().enumerate() {
            let effect = per_run(&full, stride, i).map(|(r, x)| x - off[r * cells * 2 + i]);
            group.push(row(i, c.kind.key(), &c.name, mean_ci(effect)));
        }
    }
    for (i, group) in groups.iter_mut().enumerate() {
        let residual = per_run(&full, stride, i)
            .map(|(r, x)| x - origin[r * stride + i] - parts[r * stride + i]);
        group.push(row(i, "residual", "", mean_ci(residual)));
    }
    Ok(Attribution {
        rows: groups.concat(),
        causes: list.iter().map(|c| (c.kind, c.name.clone())).collect(),
    })
}

/// Value `i` of each run in `values` (`stride` values a run), with the run's index.
fn per_run(values: &[f64], stride: usize, i: usize) -> impl Iterator<Item = (usize, f64)> + '_ {
    values
        .chunks_exact(stride)
        .enumerate()
        .map(move |(r, run)| (r, run[i]))
}

/// The attribution in words: per state, its shift and its three largest causes (by their largest
/// effect on a share), with the residual.
pub fn words(world: &World, a: &Attribution) -> String {
    let mut text = String::new();
    let pp = |x: f64| format!("{:+.1}", 100.0 * x);
    for host in &world.states {
        let mine: Vec<&AttributionRow> = a
            .rows
            .iter()
            .filter(|r| r.state == host.code && r.measure == "share")
            .collect();
        let Some(quarter) = mine.first().map(|r| r.quarter.clone()) else {
            continue;
        };
        let shifts: Vec<String> = mine
            .iter()
            .filter(|r| r.kind == "shift")
            .map(|r| format!("{} {} pp", r.pole, pp(r.effect)))
            .collect();
        text.push_str(&format!(
            "{} ({}), start to {quarter}: {}.\n",
            host.code,
            host.name,
            shifts.join(", ")
        ));
        let mut ranked: Vec<(f64, &str, &AttributionRow)> = Vec::new();
        for (_, name) in &a.causes {
            let best = mine
                .iter()
                .filter(|r| &r.cause == name)
                .max_by(|x, y| x.effect.abs().total_cmp(&y.effect.abs()));
            if let Some(r) = best {
                ranked.push((r.effect.abs(), name, r));
            }
        }
        ranked.sort_by(|x, y| y.0.total_cmp(&x.0));
        for (i, (size, name, r)) in ranked.iter().take(3).enumerate() {
            if *size < 0.0005 {
                break;
            }
            text.push_str(&format!(
                "  {}. {name}: {} {} pp [{}, {}]\n",
                i + 1,
                r.pole,
                pp(r.effect),
                pp(r.ci95_low),
                pp(r.ci95_high)
            ));
        }
        let residual = mine
            .iter()
            .filter(|r| r.kind == "residual")
            .max_by(|x, y| x.effect.abs().total_cmp(&y.effect.abs()));
        if let Some(r) = residual {
            text.push_str(&format!(
                "  residual (interactions, and the mood's drift): {} {} pp [{}, {}]\n",
                r.pole,
                pp(r.effect),
                pp(r.ci95_low),
                pp(r.ci95_high)
            ));
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Scenario;

    /// One state, three poles, no mood noise and no reaction: every run is the same, and the only
    /// causes are those the test adds.
    fn quiet(extra: &str) -> Scenario {
        Scenario::from_toml(&quiet_text(extra), "quiet.toml").unwrap()
    }

    /// The text of `quiet(extra)`.
    fn quiet_text(extra: &str) -> String {
        format!(
            r#"
[scenario]
name = "quiet"
start = "2020Q1"
quarters = 8
runs = 20
seed = 3
[model]
mood_sd = 0.0
[[pole]]
name = "NATO"
[[pole]]
name = "Russia"
[[pole]]
name = "China"
[[state]]
code = "AAA"
gdp_usd_bn = 10.0
regime_security = 0.6
threat = 0.3
alignment = {{ NATO = 0.2, Russia = 0.5, China = 0.3 }}
[[lever]]
pole = "NATO"
state = "AAA"
aid_usd_m = 20
{extra}"#
        )
    }

    fn run(sc: &Scenario, at: usize) -> Attribution {
        run_varied(sc, None, at)
    }

    /// `run`, each run in its own drawn world if `varied`.
    fn run_varied(sc: &Scenario, varied: Option<&dyn PerRun>, at: usize) -> Attribution {
        let setup = Setup {
            world: &sc.world,
            plan: &sc.baseline,
            seed: 3,
            runs: 20,
            threads: Some(1),
            varied,
        };
        attribute(&setup, &sc.baseline, at).unwrap()
    }

    fn find<'a>(
        a: &'a Attribution,
        pole: &str,
        measure: &str,
        kind: &str,
    ) -> Vec<&'a AttributionRow> {
        a.rows
            .iter()
            .filter(|r| r.pole == pole && r.measure == measure && r.kind == kind)
            .collect()
    }

    #[test]
    fn a_lever_that_is_the_only_cause_gets_the_whole_shift_with_the_right_signs() {
        let sc = quiet(
            "[[lever]]\npole = \"NATO\"\nstate = \"AAA\"\nfrom = \"2020Q3\"\naid_usd_m = 400\n",
        );
        let a = run(&sc, 7);
        let levers: Vec<_> = a
            .causes
            .iter()
            .filter(|c| c.0 == CauseKind::Lever)
            .collect();
        assert_eq!(levers.len(), 1, "{:?}", a.causes);
        assert!(
            levers[0].1.contains("20 -> 400 from 2020Q3"),
            "{}",
            levers[0].1
        );
        for pole in ["NATO", "Russia", "China"] {
            let shift = find(&a, pole, "share", "shift")[0];
            let lever = find(&a, pole, "share", "lever")[0];
            assert!((shift.effect - lever.effect).abs() < 1e-12, "{pole}");
            assert!(shift.effect.abs() > 1e-3, "{pole} moved");
            let residual = find(&a, pole, "share", "residual")[0];
            assert!(residual.effect.abs() < 1e-12, "{pole}: {residual:?}");
            for d in find(&a, pole, "share", "decision") {
                assert_eq!(d.effect, 0.0, "{pole}: {d:?}");
            }
            // No noise: every run is the same, so the interval is a point.
            assert!(lever.ci95_high - lever.ci95_low < 1e-12, "{lever:?}");
        }
        assert!(find(&a, "NATO", "share", "lever")[0].effect > 0.0);
        assert!(find(&a, "Russia", "share", "lever")[0].effect < 0.0);
        assert!(find(&a, "China", "share", "lever")[0].effect < 0.0);
    }

    #[test]
    fn with_drawn_parameters_each_run_s_cause_is_switched_off_in_its_own_world() {
        let extra =
            "[[lever]]\npole = \"NATO\"\nstate = \"AAA\"\nfrom = \"2020Q3\"\naid_usd_m = 400\n";
        let text = quiet_text(extra);
        let sc = quiet(extra);
        let sets = crate::analysis::uncertain::Ensemble::from_csv(
            b"set,distance,passed,model.adjustment_rate\n0,0,1,0.1\n1,0,1,0.6\n",
        )
        .unwrap();
        let names = ["baseline".to_string()];
        let varied =
            crate::analysis::uncertain::Varied::new(&text, "q", &sc, Some(sets), 3, &names)
                .unwrap()
                .unwrap();
        let drawn = run_varied(&sc, Some(&varied), 7);
        let written = run(&sc, 7);
        for pole in ["NATO", "Russia", "China"] {
            // The lever is still the only cause, run by run in each run's world: it gets the whole
            // shift, and nothing is left over.
            let shift = find(&drawn, pole, "share", "shift")[0];
            let lever = find(&drawn, pole, "share", "lever")[0];
            assert!((shift.effect - lever.effect).abs() < 1e-12, "{pole}");
            let residual = find(&drawn, pole, "share", "residual")[0];
            assert!(residual.effect.abs() < 1e-12, "{pole}: {residual:?}");
            // Two worlds: the runs differ, so the interval is no longer a point, and the shift is
            // not the one at the values as written.
            assert!(lever.ci95_high - lever.ci95_low > 1e-6, "{lever:?}");
            let at_written = find(&written, pole, "share", "shift")[0];
            assert!((shift.effect - at_written.effect).abs() > 1e-6, "{pole}");
        }
    }

    #[test]
    fn a_drawn_starting_share_is_each_run_s_own_start() {
        // Without the lever each run rests at its own drawn start; measured from the start as
        // written, the lever would not get the whole shift.
        let extra = "[[lever]]\npole = \"NATO\"\nstate = \"AAA\"\nfrom = \"2020Q3\"\naid_usd_m = 400\n\
                     [[uncertain]]\npath = \"state.AAA.alignment.Russia\"\ndistribution = \"uniform\"\n\
                     low = 0.3\nhigh = 0.6\nreason = \"test\"\n";
        let text = quiet_text(extra);
        let sc = quiet(extra);
        let names = ["baseline".to_string()];
        let varied = crate::analysis::uncertain::Varied::new(&text, "q", &sc, None, 3, &names)
            .unwrap()
            .unwrap();
        let a = run_varied(&sc, Some(&varied), 7);
        for pole in ["NATO", "Russia", "China"] {
            let shift = find(&a, pole, "share", "shift")[0];
            let lever = find(&a, pole, "share", "lever")[0];
            assert!((shift.effect - lever.effect).abs() < 1e-12, "{pole}");
            let residual = find(&a, pole, "share", "residual")[0];
            assert!(residual.effect.abs() < 1e-12, "{pole}: {residual:?}");
        }
    }

    #[test]
    fn a_cut_pulls_the_other_way_and_a_cause_without_effect_gets_exactly_nothing() {
        let sc = quiet(
            "[[lever]]\npole = \"NATO\"\nstate = \"AAA\"\nfrom = \"2020Q3\"\naid_usd_m = 0\n\
             [[event]]\nname = \"nothing\"\nhazard = 0.5\n",
        );
        let a = run(&sc, 7);
        assert!(find(&a, "NATO", "share", "lever")[0].effect < 0.0);
        let event = find(&a, "NATO", "share", "event");
        assert_eq!(event.len(), 1);
        assert_eq!(event[0].effect, 0.0);
        // Before the change, nothing has moved and the lever has no part yet.
        let early = run(&sc, 1);
        assert!(find(&early, "NATO", "share", "lever").is_empty());
    }

    #[test]
    fn interacting_causes_leave_a_residual_that_closes_the_sum() {
        let sc = quiet(
            "[[lever]]\npole = \"NATO\"\nstate = \"AAA\"\nfrom = \"2020Q2\"\naid_usd_m = 400\n\
             [[lever]]\npole = \"China\"\nstate = \"AAA\"\nfrom = \"2020Q3\"\nloans_usd_m = 3000\n",
        );
        let a = run(&sc, 7);
        for pole in ["NATO", "Russia", "China"] {
            let parts: f64 = a
                .rows
                .iter()
                .filter(|r| r.pole == pole && r.measure == "share")
                .filter(|r| r.kind != "shift" && r.kind != "residual")
                .map(|r| r.effect)
                .sum();
            let shift = find(&a, pole, "share", "shift")[0].effect;
            let residual = find(&a, pole, "share", "residual")[0].effect;
            assert!((shift - parts - residual).abs() < 1e-12, "{pole}");
            // Two pulls on one softmax interact: the parts do not add up exactly.
            assert!(residual.abs() > 1e-6, "{pole}: {residual}");
        }
    }
}
