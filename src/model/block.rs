//! A block of runs advanced in lock-step: the state of `LANES` runs laid out value by value, each value
//! holding one lane per run, so that the quarterly update works on every run of the block at once.
//!
//! `step_block` computes, lane by lane, exactly what `step` computes for one run: it applies the same
//! formulas (the helpers of `update`) in the same order, so each lane's state is bit-identical to the
//! state `step` gives that run, and a test checks it. The layout only changes how the work is arranged:
//! the arithmetic of a host–pole pair is one short loop over lanes the compiler turns into vector
//! instructions, and the fixed costs of a pair (indices, the plan's row) are paid once per block instead
//! of once per run. Rare, branchy work (events that struck, active reactions) is done lane by lane, and
//! only when some lane needs it.

use rand::Rng;

use super::occurrence::Occurrences;
use super::plan::Plan;
use super::real::{F64s, LaneMask, Mask64s, Real};
use super::shocks::{draw_quarter, Drawn, Shocks};
use super::state::RunState;
use super::update::{
    apply_reactions, base_stands, belongs, criticise, crosses, fade, mood_step, pair_pull, realign,
    relax, route_open, scale_levers, security_demand, sets_off, slot_of_bloc, strike_host,
    strike_pole, strikes, Ties, MAX_POLES,
};
use super::world::{EventTarget, Lever, Trigger, World, LEVER_COUNT};

/// Runs per block.
pub const LANES: usize = 8;

/// One value per run of a block.
pub type Lanes<T> = [T; LANES];

/// The state of a block of runs: the fields of `RunState`, with the same indexing, one lane per run.
#[derive(Clone, Debug, Default)]
pub struct RunBlock {
    /// Alignment shares, `[h * poles + p][lane]`.
    pub alignment: Vec<Lanes<f64>>,
    /// Political mood, `[h * poles + p][lane]`.
    pub mood: Vec<Lanes<f64>>,
    /// Threat level, `[h][lane]`.
    pub threat: Vec<Lanes<f64>>,
    /// Regime security, `[h][lane]`.
    pub regime: Vec<Lanes<f64>>,
    /// Criticism, `[h * poles + p][lane]`.
    pub criticism: Vec<Lanes<f64>>,
    /// Economic capacity of each pole, `[p][lane]`.
    pub economy: Vec<Lanes<f64>>,
    /// Presence of each pole, `[p][lane]`.
    pub presence: Vec<Lanes<f64>>,
    /// Bases hosted, `[h * poles + p]`.
    pub bases: Vec<Mask64s>,
    /// Transit routes open, `[h * poles + p]`.
    pub transit: Vec<Mask64s>,
    /// Bloc memberships, `[h * blocs + b]`.
    pub blocs: Vec<Mask64s>,
    /// Memberships in blocs led by each pole, `[h * poles + p][lane]`.
    /// (Counts, held as `f64`, exactly: the pull uses them as numbers.)
    pub memberships: Vec<Lanes<f64>>,
    /// Quarters each reaction stays active, `[h * reactions + r][lane]`.
    /// (Held as `u64`, so that their comparisons give masks as wide as the others.)
    pub reaction_left: Vec<Lanes<u64>>,
}

/// Calls `$each!(field)` for every field of `RunBlock`, each named as in `RunState`: the one list of
/// them that copying between the two walks.
macro_rules! each_field {
    ($each:ident) => {
        $each!(alignment);
        $each!(mood);
        $each!(threat);
        $each!(regime);
        $each!(criticism);
        $each!(economy);
        $each!(presence);
        $each!(bases);
        $each!(transit);
        $each!(blocs);
        $each!(memberships);
        $each!(reaction_left);
    };
}

/// A value of `RunState` (`T`) held once per lane of a block.
trait PerLane<T> {
    /// `x` in every lane.
    fn splat(x: T) -> Self;
    /// Lane `i`'s value.
    fn get(&self, i: usize) -> T;
    /// Sets lane `i` to `x`.
    fn put(&mut self, i: usize, x: T);
}

impl PerLane<f64> for Lanes<f64> {
    fn splat(x: f64) -> Self {
        [x; LANES]
    }

    fn get(&self, i: usize) -> f64 {
        self[i]
    }

    fn put(&mut self, i: usize, x: f64) {
        self[i] = x;
    }
}

impl PerLane<bool> for Mask64s {
    fn splat(x: bool) -> Self {
        Mask64s::splat(x)
    }

    fn get(&self, i: usize) -> bool {
        self.test(i)
    }

    fn put(&mut self, i: usize, x: bool) {
        self.set(i, x);
    }
}

/// Counts held as `f64`: every `u32` is exact in an `f64`, and the block only adds and subtracts 1.
impl PerLane<u32> for Lanes<f64> {
    fn splat(x: u32) -> Self {
        [f64::from(x); LANES]
    }

    fn get(&self, i: usize) -> u32 {
        self[i] as u32
    }

    fn put(&mut self, i: usize, x: u32) {
        self[i] = f64::from(x);
    }
}

/// Quarters left, held as `u64`: the block only sets them from a `u32` and counts them down.
impl PerLane<u32> for Lanes<u64> {
    fn splat(x: u32) -> Self {
        [u64::from(x); LANES]
    }

    fn get(&self, i: usize) -> u32 {
        self[i] as u32
    }

    fn put(&mut self, i: usize, x: u32) {
        self[i] = u64::from(x);
    }
}

impl RunBlock {
    /// A block whose every lane is `state`.
    pub fn new(state: &RunState) -> RunBlock {
        let mut block = RunBlock::default();
        block.fill(state);
        block
    }

    /// Sets every lane to `state` (a state of the block's world), without reallocating.
    pub fn fill(&mut self, state: &RunState) {
        macro_rules! splat {
            ($field:ident) => {
                self.$field.clear();
                for &x in &state.$field {
                    self.$field.push(PerLane::splat(x));
                }
            };
        }
        each_field!(splat);
    }

    /// Copies lane `lane` into `state`, reusing its buffers.
    pub fn lane(&self, lane: usize, state: &mut RunState) {
        macro_rules! gather {
            ($field:ident) => {
                state.$field.clear();
                for x in &self.$field {
                    state.$field.push(x.get(lane));
                }
            };
        }
        each_field!(gather);
    }

    /// Sets lane `lane` to `state` (a state of the block's world).
    pub fn set_lane(&mut self, lane: usize, state: &RunState) {
        macro_rules! scatter {
            ($field:ident) => {
                self.$field
                    .iter_mut()
                    .zip(&state.$field)
                    .for_each(|(x, &y)| x.put(lane, y));
            };
        }
        each_field!(scatter);
    }
}

/// One quarter's draws for a block: the buffers of `Shocks`, one lane per run.
#[derive(Clone, Debug)]
pub struct BlockShocks {
    /// Uniform [0, 1) per event and host, `[e * states + h][lane]` (unread cells 1, as in `Shocks`).
    pub event: Vec<Lanes<f64>>,
    /// Standard normal per host and pole, `[h * poles + p][lane]`.
    pub mood: Vec<Lanes<f64>>,
    /// Uniform [0, 1) per reaction and host, `[r * states + h][lane]` (unread cells 1, as in `Shocks`).
    pub reaction: Vec<Lanes<f64>>,
    /// The cells `draw` fills.
    drawn: Drawn,
}

impl BlockShocks {
    /// Buffers sized for `world`, every lane holding the quiet quarter of `Shocks::new`.
    pub fn new(world: &World) -> BlockShocks {
        let one = Shocks::new(world);
        BlockShocks {
            event: one.event.iter().map(|&u| [u; LANES]).collect(),
            mood: one.mood.iter().map(|&z| [z; LANES]).collect(),
            reaction: one.reaction.iter().map(|&u| [u; LANES]).collect(),
            drawn: one.drawn,
        }
    }

    /// Lane `i` draws from `rngs[i]` exactly what `Shocks::draw` draws. Lanes beyond `rngs.len()` are
    /// idle: their uniforms are 1 (no hazard strikes, no reaction fires) and their moods 0.
    pub fn draw<R: Rng>(&mut self, rngs: &mut [R]) {
        assert!(rngs.len() <= LANES, "at most {LANES} runs in a block");
        let BlockShocks {
            event,
            mood,
            reaction,
            drawn,
        } = self;
        for (lane, rng) in rngs.iter_mut().enumerate() {
            draw_quarter(
                rng,
                drawn,
                |k, u| event[k][lane] = u,
                |k, z| mood[k][lane] = z,
                |k, u| reaction[k][lane] = u,
            );
        }
        for lane in rngs.len()..LANES {
            event.iter_mut().for_each(|u| u[lane] = 1.0);
            mood.iter_mut().for_each(|z| z[lane] = 0.0);
            reaction.iter_mut().for_each(|u| u[lane] = 1.0);
        }
    }
}

/// Advances every lane of `block` by quarter `t`, as `step` advances one run, flagging in `occurred`
/// (a bit per lane for each slot) what happened in each lane.
///
/// On an x86-64 CPU with AVX2 the same code is compiled for AVX2 and chosen at run time: its lanes take
/// half the vector instructions. The result is the same bits either way (each lane still performs the
/// same IEEE operations; Rust never fuses a multiply and an add on its own), and a test checks it.
pub fn step_block(
    world: &World,
    plan: &Plan,
    slots: &Occurrences,
    t: usize,
    block: &mut RunBlock,
    shocks: &BlockShocks,
    occurred: &mut [LaneMask],
) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU supports AVX2, checked just above.
        return unsafe { step_block_avx2(world, plan, slots, t, block, shocks, occurred) };
    }
    step_block_portable(world, plan, slots, t, block, shocks, occurred);
}

/// `step_block` compiled for AVX2.
///
/// # Safety
/// The CPU must support AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn step_block_avx2(
    world: &World,
    plan: &Plan,
    slots: &Occurrences,
    t: usize,
    block: &mut RunBlock,
    shocks: &BlockShocks,
    occurred: &mut [LaneMask],
) {
    step_block_portable(world, plan, slots, t, block, shocks, occurred);
}

/// `step_block` for any CPU (on x86-64: SSE2), and the body the AVX2 version inlines and compiles
/// again. Public so that tests can compare it with the dispatched version.
#[doc(hidden)]
#[inline(always)]
pub fn step_block_portable(
    world: &World,
    plan: &Plan,
    slots: &Occurrences,
    t: usize,
    block: &mut RunBlock,
    shocks: &BlockShocks,
    occurred: &mut [LaneMask],
) {
    let (hs, ps, rs) = (world.states.len(), world.poles.len(), world.reactions.len());
    let c = &world.coefficients;
    occurred.fill(LaneMask(0));

    strike_events(world, plan, slots, t, block, shocks, occurred);

    assert!(ps <= MAX_POLES, "at most {MAX_POLES} poles");
    let quarter_levers = &plan.levers[t * hs * ps..(t + 1) * hs * ps];
    let splat = F64s::splat;
    // The two levers the host's decisions read, base offer and transit fees, by pole (the rest are
    // used where computed).
    let mut offers = [(splat(0.0), splat(0.0)); MAX_POLES];
    for (h, (host, scheduled)) in world
        .states
        .iter()
        .zip(quarter_levers.chunks_exact(ps))
        .enumerate()
    {
        let lefts = &block.reaction_left[h * rs..(h + 1) * rs];
        // The lanes in which some reaction of each pole is active: the quarters left of its rules
        // OR-ed together, nonzero.
        let mut active = [[0u64; LANES]; MAX_POLES];
        for (rule, k) in world.reactions.iter().zip(lefts) {
            (0..LANES).for_each(|i| active[rule.pole][i] |= k[i]);
        }

        let demand = security_demand(c, F64s(block.threat[h]), F64s(block.regime[h]));
        let gdp_m = host.gdp_usd_bn * 1000.0;
        let mut target = [splat(0.0); MAX_POLES];
        for p in 0..ps {
            let cell = h * ps + p;
            let row = &scheduled[p];
            let (economy, presence) = (F64s(block.economy[p]), F64s(block.presence[p]));
            // Every lane from the plan's row; lanes with an active reaction then from their own.
            let mut l = scale_levers(&row.map(splat), economy, presence);
            let reacting = Mask64s::from_fn(|i| active[p][i] != 0).bits();
            if reacting.any() {
                for i in reacting.lanes() {
                    let mut reacted = *row;
                    apply_reactions(world, plan, t, |r| lefts[r][i] > 0, p, &mut reacted);
                    let scaled = scale_levers(&reacted, economy.0[i], presence.0[i]);
                    (0..LEVER_COUNT).for_each(|k| l[k].0[i] = scaled[k]);
                }
            }
            offers[p] = (l[Lever::BaseOffered.index()], l[Lever::Transit.index()]);
            let mood = mood_step(c, F64s(block.mood[cell]), F64s(shocks.mood[cell]));
            block.mood[cell] = mood.0;
            let ties = Ties {
                affinity: splat(host.affinity[p]),
                diaspora: splat(host.diaspora[p]),
                criticism: F64s(block.criticism[cell]),
                memberships: F64s(block.memberships[cell]),
                based: block.bases[cell],
            };
            target[p] = pair_pull(world, gdp_m, &l, block.transit[cell], demand, ties) + mood;
        }
        let target = &mut target[..ps];
        softmax(target);
        for (a, &x) in block.alignment[h * ps..(h + 1) * ps]
            .iter_mut()
            .zip(&*target)
        {
            let mut share = F64s(*a);
            relax(&mut share, c.adjustment_rate, x);
            *a = share.0;
        }
        decide(world, slots, t, h, block, occurred, &offers[..ps]);
    }

    // State variables drift back toward their baselines.
    for (h, host) in world.states.iter().enumerate() {
        for (x, rate, toward) in [
            (&mut block.threat[h], c.threat_decay, host.threat_baseline),
            (
                &mut block.regime[h],
                c.regime_recovery,
                host.regime_baseline,
            ),
        ] {
            let mut y = F64s(*x);
            relax(&mut y, rate, splat(toward));
            *x = y.0;
        }
    }
    for x in block.criticism.iter_mut() {
        let mut y = F64s(*x);
        fade(&mut y, c.criticism_decay);
        *x = y.0;
    }
    for x in block.economy.iter_mut() {
        let mut y = F64s(*x);
        relax(&mut y, c.economy_recovery, splat(1.0));
        *x = y.0;
    }

    react(world, plan, slots, t, block, shocks, occurred);
}

/// `softmax` of each lane across the rows of `x`.
#[inline(always)]
fn softmax(x: &mut [F64s]) {
    let mut max = F64s::splat(f64::NEG_INFINITY);
    for &v in x.iter() {
        max = F64s::select(max.lt(v), v, max);
    }
    // Every lane through `exp`, the largest term too: exp(0) is exactly 1, which `softmax` puts there
    // without the call.
    let mut sum = F64s::splat(0.0);
    for v in x.iter_mut() {
        *v = (*v - max).exp();
        sum = sum + *v;
    }
    for v in x.iter_mut() {
        *v = *v / sum;
    }
}

/// The events that strike each lane this quarter, as `update::strike_events` applies them to one run:
/// (event, host) cells in the same order, so that each lane sees its strikes in the order its run
/// would.
#[inline(always)]
fn strike_events(
    world: &World,
    plan: &Plan,
    slots: &Occurrences,
    t: usize,
    block: &mut RunBlock,
    shocks: &BlockShocks,
    occurred: &mut [LaneMask],
) {
    let (hs, ps) = (world.states.len(), world.poles.len());
    let cells = world.events.len() * hs;
    let at = world.event_index(t, 0, 0)..world.event_index(t, 0, 0) + cells;
    let (injects, hazards) = (&world.injects[at.clone()], &plan.hazards[at]);
    let draws = &shocks.event[..cells];
    // Each cell's struck lanes go straight into its occurrence slot (pole events use the first
    // host's), and most quarters nothing strikes any lane: one branch-free pass tells.
    let mut any = LaneMask(0);
    for (e, ev) in world.events.iter().enumerate() {
        let hosts = match ev.target {
            EventTarget::Pole(_) => 1,
            EventTarget::States => hs,
        };
        for h in 0..hosts {
            let k = e * hs + h;
            let hit = strikes(injects[k], F64s(draws[k]), hazards[k]).bits();
            occurred[slots.event(hs, e, h)] = hit;
            any = any | hit;
        }
    }
    if !any.any() {
        return;
    }
    for (e, ev) in world.events.iter().enumerate() {
        match ev.target {
            EventTarget::Pole(p) => {
                for i in occurred[slots.event(hs, e, 0)].lanes() {
                    strike_pole(ev, &mut block.economy[p][i], &mut block.presence[p][i]);
                }
            }
            EventTarget::States => {
                for h in 0..hs {
                    for i in occurred[slots.event(hs, e, h)].lanes() {
                        strike_host(ev, &mut block.threat[h][i], &mut block.regime[h][i]);
                        if let Some(critic) = ev.critic {
                            criticise(ev, &mut block.criticism[h * ps + critic][i]);
                        }
                        if ev.realign > 0.0 {
                            for a in &mut block.alignment[h * ps..(h + 1) * ps] {
                                realign(ev, ps, &mut a[i]);
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Host `h`'s decisions in every lane, as `update::decide` makes them for one run, given the base
/// offer and transit fees of each pole's effective levers (`offers`). Decision slots are only ever set here, so
/// their flags are assigned whole.
#[inline(always)]
fn decide(
    world: &World,
    slots: &Occurrences,
    t: usize,
    h: usize,
    block: &mut RunBlock,
    occurred: &mut [LaneMask],
    offers: &[(F64s, F64s)],
) {
    let (ps, bs) = (world.poles.len(), world.blocs.len());
    let c = &world.coefficients;
    let host = &world.states[h];
    let refuses = host.refuses_bases(t);
    for (p, &(offered, fees)) in offers.iter().enumerate() {
        let cell = h * ps + p;
        let share = F64s(block.alignment[cell]);
        let stood = block.bases[cell];
        let stands = base_stands(c, stood, offered, refuses, share);
        block.bases[cell] = stands;
        let base = slots.base(ps, h, p);
        occurred[base] = (stands & !stood).bits();
        occurred[base + 1] = (stood & !stands).bits();
        let was = block.transit[cell];
        let open = route_open(c, was, fees, share);
        block.transit[cell] = open;
        let route = slots.transit(ps, h, p);
        occurred[route] = (open & !was).bits();
        occurred[route + 1] = (was & !open).bits();
    }
    for (b, bloc) in world.blocs.iter().enumerate() {
        let Some(rule) = bloc.decided else {
            continue;
        };
        let share = F64s(block.alignment[h * ps + bloc.pole]);
        let was = block.blocs[h * bs + b];
        let stays = belongs(rule, was, host.neutral, share);
        block.blocs[h * bs + b] = stays;
        let (joins, leaves) = (stays & !was, was & !stays);
        let (joined, left) = (joins.bits(), leaves.bits());
        if (joined | left).any() {
            let count = &mut block.memberships[h * ps + bloc.pole];
            let (one, zero) = ([1.0; LANES], [0.0; LANES]);
            // Exact: small whole numbers.
            *count =
                (F64s(*count) + F64s(joins.select(one, zero)) - F64s(leaves.select(one, zero))).0;
        }
        let slot = slot_of_bloc(slots, bs, h, b);
        occurred[slot] = joined;
        occurred[slot + 1] = left;
    }
}

/// Reactions in every lane, as `update::react` sets them off for one run. Reaction slots are only ever
/// set here, so their flags are assigned whole.
#[inline(always)]
fn react(
    world: &World,
    plan: &Plan,
    slots: &Occurrences,
    t: usize,
    block: &mut RunBlock,
    shocks: &BlockShocks,
    occurred: &mut [LaneMask],
) {
    let (hs, ps, rs) = (world.states.len(), world.poles.len(), world.reactions.len());
    if rs == 0 {
        return;
    }
    let strengths = &plan.reactions[t * rs..(t + 1) * rs];
    for (h, lefts) in block.reaction_left.chunks_exact_mut(rs).enumerate() {
        for (r, ((rule, strength), left)) in world
            .reactions
            .iter()
            .zip(strengths)
            .zip(lefts.iter_mut())
            .enumerate()
        {
            // `saturating_sub(1)`, in a form baseline SSE2 vectorises.
            (0..LANES).for_each(|i| left[i] -= u64::from(left[i] > 0));
            if !strength.enabled || !rule.states[h] {
                continue;
            }
            let triggered = match rule.trigger {
                Trigger::Share {
                    watch,
                    above,
                    level,
                } => crosses(F64s(block.alignment[h * ps + watch]), above, level),
                Trigger::Event(e) => Mask64s::from_bits(occurred[slots.event(hs, e, h)]),
            };
            let idle = Mask64s::from_fn(|i| left[i] == 0);
            let draws = F64s(shocks.reaction[r * hs + h]);
            let fires = idle & sets_off(triggered, draws, strength.chance);
            *left = fires.select([u64::from(rule.duration); LANES], *left);
            occurred[slots.reaction(hs, r, h)] = fires.bits();
        }
    }
}
