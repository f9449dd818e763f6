//! Checks: declared expectations about outcomes ("UZB evicts the U.S. base within four quarters after
//! Andijan, in most runs"), and their evaluation along one run. Pure: the engine counts, `hindcast`
//! reports.

use super::occurrence::Occurrences;
use super::state::RunState;
use super::world::World;

/// When a condition on the state must hold within the check's window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum During {
    /// In the window's last quarter.
    End,
    /// In every quarter of the window.
    All,
    /// In at least one quarter of the window.
    Any,
}

/// A condition on the state of a run in one quarter.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Predicate {
    /// Pole `p` has the largest share in host `h`.
    Dominant { h: usize, p: usize },
    /// Host `h`'s share toward `p` is above `level`.
    ShareAbove { h: usize, p: usize, level: f64 },
    /// Host `h`'s share toward `p` is below `level`.
    ShareBelow { h: usize, p: usize, level: f64 },
    /// Host `h` hosts a base of pole `p` (any pole if `None`).
    BaseHosted { h: usize, p: Option<usize> },
    /// Named base `b` (`World::bases`) is hosted.
    NamedBaseHosted { b: usize },
    /// Pole `p`'s route through host `h` is open (any pole if `None`).
    TransitOpen { h: usize, p: Option<usize> },
    /// Host `h` is a member of bloc `b` (any bloc if `None`).
    Member { h: usize, b: Option<usize> },
}

impl Predicate {
    /// Whether the predicate holds in `state`.
    pub fn holds(&self, world: &World, state: &RunState) -> bool {
        let (ps, bs) = (world.poles.len(), world.blocs.len());
        let any = |flags: &[bool], h: usize, n: usize, which: Option<usize>| match which {
            Some(i) => flags[h * n + i],
            None => flags[h * n..(h + 1) * n].iter().any(|&f| f),
        };
        match *self {
            Predicate::Dominant { h, p } => state.dominant(world, h) == p,
            Predicate::ShareAbove { h, p, level } => state.alignment[h * ps + p] > level,
            Predicate::ShareBelow { h, p, level } => state.alignment[h * ps + p] < level,
            Predicate::BaseHosted { h, p } => any(&state.bases, h, ps, p),
            Predicate::NamedBaseHosted { b } => state.hosted[b],
            Predicate::TransitOpen { h, p } => any(&state.transit, h, ps, p),
            Predicate::Member { h, b } => any(&state.blocs, h, bs, b),
        }
    }
}

/// What a check expects to happen or hold.
#[derive(Clone, Debug, PartialEq)]
pub enum Condition {
    /// At least one of these occurrence slots happens in some quarter of the window.
    Occurs(Vec<usize>),
    /// The predicate holds at the end of, throughout, or at some point in the window.
    State(Predicate, During),
    /// Host `h`'s share toward `p` at the window's last quarter is below its share at the first by
    /// more than `by`.
    Fell { h: usize, p: usize, by: f64 },
}

/// A declared expectation and the share of runs in which it must hold.
#[derive(Clone, Debug, PartialEq)]
pub struct Check {
    /// Name used in outputs.
    pub name: String,
    /// What it tests and where the expectation comes from.
    pub description: String,
    /// The kind as written in the file (`base_closed`, `dominant`, ...).
    pub kind: String,
    /// The host state's code.
    pub state: String,
    /// The pole, bloc, event or reaction it concerns (empty for "any").
    pub subject: String,
    /// The condition.
    pub condition: Condition,
    /// First quarter index of the window.
    pub from: usize,
    /// Last quarter index of the window (inclusive).
    pub to: usize,
    /// The share of runs must be at least this.
    pub min_share: Option<f64>,
    /// The share of runs must be at most this.
    pub max_share: Option<f64>,
    /// Held out of calibration: reported, never tuned on.
    pub holdout: bool,
}

impl Check {
    /// Whether `share` of runs meets the requirement.
    pub fn passes(&self, share: f64) -> bool {
        self.min_share.is_none_or(|m| share >= m) && self.max_share.is_none_or(|m| share <= m)
    }

    /// How far `share` falls short of the requirement (0 when it passes).
    pub fn shortfall(&self, share: f64) -> f64 {
        self.min_share.map_or(0.0, |m| (m - share).max(0.0))
            + self.max_share.map_or(0.0, |m| (share - m).max(0.0))
    }
}

/// Per-run verdicts of a list of checks, updated quarter by quarter.
#[derive(Clone, Debug, PartialEq)]
pub struct Verdicts {
    /// Whether each check holds in the run (so far).
    pub held: Vec<bool>,
    /// For each `Fell` check, the share at its first quarter, once seen.
    at_from: Vec<f64>,
}

impl Verdicts {
    /// The verdicts before the first quarter: "all" conditions start true, the rest false.
    pub fn new(checks: &[Check]) -> Verdicts {
        let mut v = Verdicts {
            held: vec![false; checks.len()],
            at_from: vec![0.0; checks.len()],
        };
        v.reset(checks);
        v
    }

    /// Resets to the verdicts before the first quarter.
    pub fn reset(&mut self, checks: &[Check]) {
        for (v, c) in self.held.iter_mut().zip(checks) {
            *v = matches!(c.condition, Condition::State(_, During::All));
        }
        self.at_from.fill(0.0);
    }

    /// Takes quarter `t` into account: the run's state after it and what occurred in it.
    pub fn observe(
        &mut self,
        checks: &[Check],
        world: &World,
        slots: &Occurrences,
        t: usize,
        state: &RunState,
        occurred: &[bool],
    ) {
        debug_assert_eq!(occurred.len(), slots.len());
        let ps = world.poles.len();
        for ((v, c), at_from) in self.held.iter_mut().zip(checks).zip(&mut self.at_from) {
            if t < c.from || t > c.to {
                continue;
            }
            match &c.condition {
                Condition::Occurs(list) => *v |= list.iter().any(|&s| occurred[s]),
                Condition::State(p, During::End) => {
                    if t == c.to {
                        *v = p.holds(world, state);
                    }
                }
                Condition::State(p, During::All) => *v &= p.holds(world, state),
                Condition::State(p, During::Any) => *v |= p.holds(world, state),
                Condition::Fell { h, p, by } => {
                    let share = state.alignment[h * ps + p];
                    if t == c.from {
                        *at_from = share;
                    }
                    if t == c.to {
                        *v = share < *at_from - by;
                    }
                }
            }
        }
    }
}
