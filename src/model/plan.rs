//! A plan: the time-varying inputs of one policy option (the baseline is a plan too). Levers, hazards and
//! reaction strengths by quarter, resolved from schedules and policy overrides into dense tables, so the
//! quarterly update only indexes.

use super::world::{World, LEVER_COUNT};

/// Strength of one reaction rule in one quarter.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ReactionStrength {
    /// False if the rule is switched off.
    pub enabled: bool,
    /// Probability per quarter of reacting while the trigger holds.
    pub chance: f64,
    /// Factor applied to the lever while active.
    pub scale: f64,
    /// Amount added to the lever (after scaling) while active.
    pub add: f64,
}

/// The inputs of one policy option.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    /// `baseline`, or the policy's name.
    pub name: String,
    /// What the option is, in words.
    pub description: String,
    /// Lever rows as scheduled, `levers[(t * states + h) * poles + p][lever]`.
    pub levers: Vec<[f64; LEVER_COUNT]>,
    /// `hazards[world.event_index(t, e, h)]`: probability per quarter (pole events use `h = 0`).
    pub hazards: Vec<f64>,
    /// `reactions[t * reactions + r]`.
    pub reactions: Vec<ReactionStrength>,
}

impl Plan {
    /// The scheduled lever row of pole `p` toward state `h` in quarter `t`.
    pub fn lever_row(&self, world: &World, t: usize, h: usize, p: usize) -> &[f64; LEVER_COUNT] {
        &self.levers[(t * world.states.len() + h) * world.poles.len() + p]
    }

    /// Mutable access to the same row, for building plans.
    pub fn lever_row_mut(
        &mut self,
        world: &World,
        t: usize,
        h: usize,
        p: usize,
    ) -> &mut [f64; LEVER_COUNT] {
        &mut self.levers[(t * world.states.len() + h) * world.poles.len() + p]
    }

    /// The strength of reaction `r` in quarter `t`.
    pub fn reaction(&self, world: &World, t: usize, r: usize) -> ReactionStrength {
        self.reactions[t * world.reactions.len() + r]
    }
}
