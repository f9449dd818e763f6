//! The random numbers one quarter of one run consumes, drawn all at once in a fixed order and count.
//!
//! Drawing the same numbers whatever the state of the run is what makes common random numbers work: run
//! `i` of every policy sees identical shocks, so a difference between policies comes from the policy.

use rand::Rng;
use rand_distr::StandardNormal;

use super::world::World;

/// One quarter's draws.
#[derive(Clone, Debug, PartialEq)]
pub struct Shocks {
    /// Uniform [0, 1) per event and host, `[e * states + h]` (pole events read `h = 0`).
    pub event: Vec<f64>,
    /// Standard normal per host and pole, `[h * poles + p]`: the mood innovations.
    pub mood: Vec<f64>,
    /// Uniform [0, 1) per reaction and host, `[r * states + h]`.
    pub reaction: Vec<f64>,
}

impl Shocks {
    /// Buffers sized for `world`.
    pub fn new(world: &World) -> Shocks {
        let h = world.states.len();
        Shocks {
            event: vec![0.0; world.events.len() * h],
            mood: vec![0.0; h * world.poles.len()],
            reaction: vec![0.0; world.reactions.len() * h],
        }
    }

    /// Fills every buffer from `rng`: events, then moods, then reactions, each in index order.
    pub fn draw<R: Rng + ?Sized>(&mut self, rng: &mut R) {
        draw_quarter(
            rng,
            self.event.iter_mut(),
            self.mood.iter_mut(),
            self.reaction.iter_mut(),
        );
    }
}

/// Draws one quarter's numbers from `rng` into the places given: a uniform [0, 1) into each of `event`,
/// then a standard normal into each of `mood`, then a uniform into each of `reaction`. The one
/// definition of the order in which a run consumes its stream.
#[inline]
pub(super) fn draw_quarter<'a, R: Rng + ?Sized>(
    rng: &mut R,
    event: impl Iterator<Item = &'a mut f64>,
    mood: impl Iterator<Item = &'a mut f64>,
    reaction: impl Iterator<Item = &'a mut f64>,
) {
    for u in event {
        *u = rng.random::<f64>();
    }
    for z in mood {
        *z = rng.sample(StandardNormal);
    }
    for u in reaction {
        *u = rng.random::<f64>();
    }
}
