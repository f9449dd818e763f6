//! The random numbers one quarter of one run consumes, drawn all at once in a fixed order and count.
//!
//! Drawing the same numbers whatever the state of the run is what makes common random numbers work: run
//! `i` of every policy sees identical shocks, so a difference between policies comes from the policy.
//! Which numbers are drawn depends on the world alone (`Drawn`): only the cells the update reads.

use rand::Rng;

use super::normal::Ziggurat;
use super::real::Real;
use super::world::{EventTarget, World};

/// One quarter's draws, for one run (`R = f64`) or a block of runs (one lane per run, each from its own
/// generator).
#[derive(Clone, Debug, PartialEq)]
pub struct Shocks<R: Real = f64> {
    /// Uniform [0, 1) per event and host, `[e * states + h]`. Pole events read and draw only `h = 0`;
    /// their other cells stay 1 (no hazard exceeds 1, so a 1 never strikes).
    pub event: Vec<R>,
    /// Standard normal per host and pole, `[h * poles + p]`: the mood innovations.
    pub mood: Vec<R>,
    /// Uniform [0, 1) per reaction and host, `[r * states + h]`. Only hosts the rule applies to are
    /// read and drawn; the other cells stay 1 (no chance exceeds 1, so a 1 never fires).
    pub reaction: Vec<R>,
    /// The cells `draw` fills.
    pub(super) drawn: Drawn,
}

impl Shocks {
    /// Buffers for one run of `world`: `Shocks::quiet`.
    pub fn new(world: &World) -> Shocks {
        Shocks::quiet(world)
    }

    /// Fills the cells the update reads from `rng`, in the order of `draw_quarter`; the others keep
    /// their values.
    pub fn draw<G: Rng>(&mut self, rng: &mut G) {
        self.draw_lanes(std::slice::from_mut(rng));
    }
}

impl<R: Real> Shocks<R> {
    /// Buffers sized for `world`, holding a quiet quarter in every lane until drawn: every uniform 1
    /// (nothing strikes or fires), every mood innovation 0.
    pub fn quiet(world: &World) -> Shocks<R> {
        let h = world.states.len();
        Shocks {
            event: vec![R::splat(1.0); world.events.len() * h],
            mood: vec![R::splat(0.0); h * world.poles.len()],
            reaction: vec![R::splat(1.0); world.reactions.len() * h],
            drawn: Drawn::new(world),
        }
    }

    /// Whether `world` draws the same cells, in the same order, as the world these buffers were made
    /// for: then a run of either consumes its stream alike and gets the same numbers in the same
    /// cells, so buffers drawn for one serve the other.
    pub fn draws_like(&self, world: &World) -> bool {
        self.drawn == Drawn::new(world)
    }

    /// Lane `i` draws from `rngs[i]` what one run draws from its generator: the cells the update
    /// reads, in the order of `draw_quarter`; the others keep their values. Lanes beyond `rngs.len()`
    /// are idle: their uniforms are 1 (no hazard strikes, no reaction fires) and their moods 0.
    pub fn draw_lanes<G: Rng>(&mut self, rngs: &mut [G]) {
        assert!(rngs.len() <= R::LANES, "at most {} runs", R::LANES);
        let Shocks {
            event,
            mood,
            reaction,
            drawn,
        } = self;
        for (lane, rng) in rngs.iter_mut().enumerate() {
            draw_quarter(
                rng,
                drawn,
                |k, u| *event[k].lane_mut(lane) = u,
                |k, z| *mood[k].lane_mut(lane) = z,
                |k, u| *reaction[k].lane_mut(lane) = u,
            );
        }
        for lane in rngs.len()..R::LANES {
            event.iter_mut().for_each(|u| *u.lane_mut(lane) = 1.0);
            mood.iter_mut().for_each(|z| *z.lane_mut(lane) = 0.0);
            reaction.iter_mut().for_each(|u| *u.lane_mut(lane) = 1.0);
        }
    }
}

/// The cells of a quarter's buffers that the update reads, and so the ones drawn, in drawing order.
/// Fixed by the world (event targets, the hosts each reaction rule applies to), never by a plan or the
/// state of a run: every policy of a run draws the same numbers into the same cells.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Drawn {
    /// Event cells `e * states + h`, ascending: every host of a state event, the first of a pole event.
    event: Vec<usize>,
    /// Number of mood cells, all drawn: `states * poles`.
    moods: usize,
    /// Reaction cells `r * states + h`, ascending: the hosts where `rule.states[h]`.
    reaction: Vec<usize>,
    /// The sampler of the mood innovations (its tables shared by every world).
    normal: &'static Ziggurat,
}

impl Drawn {
    /// The cells of `world` that the update reads.
    pub(super) fn new(world: &World) -> Drawn {
        let hs = world.states.len();
        let event = world
            .events
            .iter()
            .enumerate()
            .flat_map(|(e, ev)| {
                let read = match ev.target {
                    EventTarget::States => hs,
                    EventTarget::Pole(_) => hs.min(1),
                };
                (0..read).map(move |h| e * hs + h)
            })
            .collect();
        let reaction = world
            .reactions
            .iter()
            .enumerate()
            .flat_map(|(r, rule)| (0..hs).filter(|&h| rule.states[h]).map(move |h| r * hs + h))
            .collect();
        Drawn {
            event,
            moods: hs * world.poles.len(),
            reaction,
            normal: Ziggurat::shared(),
        }
    }
}

/// Draws one quarter's numbers from `rng` and hands each to the setter of its buffer with its cell:
/// a uniform for each event cell of `drawn`, then a standard normal for each mood cell, then a uniform
/// for each reaction cell of `drawn`, each list in ascending order. The one definition of the order in
/// which a run consumes its stream.
#[inline(always)]
pub(super) fn draw_quarter<R: Rng + ?Sized>(
    rng: &mut R,
    drawn: &Drawn,
    event: impl FnMut(usize, f64),
    mut mood: impl FnMut(usize, f64),
    reaction: impl FnMut(usize, f64),
) {
    uniforms(rng, &drawn.event, event);
    for k in 0..drawn.moods {
        mood(k, drawn.normal.sample(rng));
    }
    uniforms(rng, &drawn.reaction, reaction);
}

/// A uniform for each of `cells` in turn, one 32-bit word of `rng` each: two words at a time from
/// `next_u64`, which gives the words `next_u32` would in the same order (low half first), for half
/// the generator's bookkeeping.
#[inline(always)]
fn uniforms<R: Rng + ?Sized>(rng: &mut R, cells: &[usize], mut set: impl FnMut(usize, f64)) {
    let mut pairs = cells.chunks_exact(2);
    for pair in pairs.by_ref() {
        let words = rng.next_u64();
        set(pair[0], unit(words as u32));
        set(pair[1], unit((words >> 32) as u32));
    }
    if let [k] = pairs.remainder() {
        set(*k, unit(rng.next_u32()));
    }
}

/// 2⁻³², exactly.
const TWO_TO_MINUS_32: f64 = 1.0 / 4_294_967_296.0;

/// A uniform on [0, 1) from one 32-bit word: `u · 2⁻³²`, exact, so one of the 2³² multiples of 2⁻³²
/// from 0 to 1 − 2⁻³². A test `draw < p` then holds with probability `p` rounded up to a multiple of
/// 2⁻³² (an error below 2.4·10⁻¹⁰, far below any hazard or chance a scenario states); `p = 0` never
/// holds and `p = 1` always does.
#[inline(always)]
fn unit(u: u32) -> f64 {
    f64::from(u) * TWO_TO_MINUS_32
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngCore, SeedableRng};

    #[test]
    fn uniforms_take_the_words_next_u32_gives() {
        // Odd and even counts, starting at every offset of the generator's 64-word block, so that
        // pairs straddle its refills.
        for count in [1, 2, 7, 64, 75] {
            let cells: Vec<usize> = (0..count).map(|k| 3 * k + 1).collect();
            for skip in 0..70 {
                let mut paired = rand_chacha::ChaCha8Rng::seed_from_u64(9);
                let mut one_by_one = paired.clone();
                for _ in 0..skip {
                    paired.next_u32();
                    one_by_one.next_u32();
                }
                let mut got = Vec::new();
                uniforms(&mut paired, &cells, |k, u| got.push((k, u)));
                let want: Vec<(usize, f64)> = cells
                    .iter()
                    .map(|&k| (k, unit(one_by_one.next_u32())))
                    .collect();
                assert_eq!(got, want, "{count} cells after {skip} words");
                assert_eq!(
                    paired.next_u32(),
                    one_by_one.next_u32(),
                    "the streams continue alike"
                );
            }
        }
    }

    #[test]
    fn a_32_bit_word_maps_into_the_unit_interval_and_reaches_near_both_ends() {
        assert_eq!(unit(0), 0.0);
        assert_eq!(unit(1), TWO_TO_MINUS_32);
        assert_eq!(unit(1 << 31), 0.5);
        assert_eq!(unit(u32::MAX), 1.0 - TWO_TO_MINUS_32);
        assert!(unit(u32::MAX) < 1.0);
        // Exact: mapping back gives the word again, and distinct words give distinct numbers.
        for u in [0, 1, 2, 12_345, 1 << 31, u32::MAX - 1, u32::MAX] {
            assert_eq!(unit(u) * 4_294_967_296.0, f64::from(u));
        }
        assert!(unit(u32::MAX - 1) < unit(u32::MAX));
        // From a run's stream: every draw in [0, 1), and a million of them come within 10⁻⁵ of each end.
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
        let (mut lo, mut hi) = (1.0f64, 0.0f64);
        for _ in 0..1_000_000 {
            let x = unit(rng.next_u32());
            assert!((0.0..1.0).contains(&x), "{x} outside [0, 1)");
            (lo, hi) = (lo.min(x), hi.max(x));
        }
        assert!(lo < 1e-5 && hi > 1.0 - 1e-5, "draws span only [{lo}, {hi}]");
    }
}
