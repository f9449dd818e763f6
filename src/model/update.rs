//! The quarterly update: events, effective levers, pulls, alignment, decisions, reactions. A pure function
//! of the world, the plan, the quarter, the state and the quarter's draws, written once over `Real`:
//! `step::<f64>` advances one run (the readable reference), `step::<F64s>` a block of `LANES` runs in
//! lock-step, which is what the engine runs. Each operation on `F64s` is the same IEEE operation in
//! every lane, so each lane of a block gets exactly the bits its run gets alone. The arithmetic of a
//! host–pole pair is then one short loop over lanes the compiler turns into vector instructions, and
//! the fixed costs of a pair (indices, the plan's row) are paid once per block. Rare, branchy work
//! (events that struck, active reactions) is done lane by lane through `Real::lanes`, and only when some
//! lane needs it.

use super::occurrence::Occurrences;
use super::plan::Plan;
use super::real::{self, Real};
use super::shocks::Shocks;
use super::state::{RunState, State};
use super::world::{
    Base, Coefficients, Decision, Event, EventTarget, HostState, Lever, Toward, Trigger, World,
    LEVER_COUNT,
};

/// Presence below which a pole withdraws its bases.
const WITHDRAWN_BELOW: f64 = 0.5;

/// Advances `state` by quarter `t`, flagging in `occurred` (one flag per slot of `slots`, a bit per
/// lane) what happened.
///
/// For a block (`F64s`) on an x86-64 CPU with AVX2 or AVX-512 the same code is compiled for that
/// instruction set and chosen at run time (`Isa::best`): its eight lanes take two 256-bit vectors, or
/// one 512-bit vector. The result is the same bits either way (each lane still performs the same IEEE
/// operations; Rust never fuses a multiply and an add on its own), and a test checks it.
pub fn step<R: Real>(
    world: &World,
    plan: &Plan,
    slots: &Occurrences,
    t: usize,
    state: &mut State<R>,
    shocks: &Shocks<R>,
    occurred: &mut [R::Flags],
) {
    let isa = if R::LANES > 1 {
        Isa::best()
    } else {
        Isa::Portable
    };
    step_with(isa, world, plan, slots, t, state, shocks, occurred);
}

/// The instruction sets `step` is compiled for. Every build computes the same bits: the model's
/// arithmetic is IEEE-754 additions, subtractions, multiplications and divisions in a fixed order (no
/// fused multiply-add, no approximate instructions), and its `exp` and `ln` are greatgame's own
/// (`model::real`), so wider vectors change the speed only; `tests/it/block.rs` compares every build
/// the machine has with the portable one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Isa {
    /// Any CPU (on x86-64: SSE2).
    Portable,
    /// x86-64 with AVX2: two 256-bit vectors per block of eight lanes.
    Avx2,
    /// x86-64 with AVX-512 (F, DQ, VL, BW): one 512-bit vector per block.
    Avx512,
}

impl Isa {
    /// The builds this CPU can run, portable first.
    pub fn available() -> Vec<Isa> {
        let mut found = vec![Isa::Portable];
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx2") {
                found.push(Isa::Avx2);
            }
            if has_avx512() {
                found.push(Isa::Avx512);
            }
        }
        found
    }

    /// The widest build this CPU can run (detected once).
    pub fn best() -> Isa {
        static BEST: std::sync::OnceLock<Isa> = std::sync::OnceLock::new();
        // unwrap OK: `available` always holds `Portable`.
        *BEST.get_or_init(|| *Isa::available().last().unwrap())
    }
}

/// Whether the CPU has the AVX-512 subsets `step_avx512` is compiled with.
#[cfg(target_arch = "x86_64")]
fn has_avx512() -> bool {
    std::arch::is_x86_feature_detected!("avx512f")
        && std::arch::is_x86_feature_detected!("avx512dq")
        && std::arch::is_x86_feature_detected!("avx512vl")
        && std::arch::is_x86_feature_detected!("avx512bw")
}

/// `step` in the build `isa` (`step` itself takes `Isa::best()`): for tests and benchmarks that compare
/// the builds.
///
/// # Panics
/// If `isa` is not in `Isa::available()`.
#[doc(hidden)]
#[allow(clippy::too_many_arguments)]
pub fn step_with<R: Real>(
    isa: Isa,
    world: &World,
    plan: &Plan,
    slots: &Occurrences,
    t: usize,
    state: &mut State<R>,
    shocks: &Shocks<R>,
    occurred: &mut [R::Flags],
) {
    match isa {
        Isa::Portable => step_portable(world, plan, slots, t, state, shocks, occurred),
        #[cfg(target_arch = "x86_64")]
        Isa::Avx2 => {
            assert!(std::arch::is_x86_feature_detected!("avx2"), "no AVX2 here");
            // SAFETY: the CPU supports AVX2, checked just above.
            unsafe { step_avx2(world, plan, slots, t, state, shocks, occurred) }
        }
        #[cfg(target_arch = "x86_64")]
        Isa::Avx512 => {
            assert!(has_avx512(), "no AVX-512 here");
            // SAFETY: the CPU supports AVX-512 F, DQ, VL and BW, checked just above.
            unsafe { step_avx512(world, plan, slots, t, state, shocks, occurred) }
        }
        #[cfg(not(target_arch = "x86_64"))]
        _ => panic!("{isa:?} is not available on this architecture"),
    }
}

/// `step_portable` compiled again with the target features `$features`, as `$name`.
macro_rules! step_built_for {
    ($name:ident, $features:literal, $what:literal) => {
        #[doc = concat!("`step` compiled for ", $what, ".")]
        ///
        /// # Safety
        #[doc = concat!("The CPU must support ", $what, ".")]
        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = $features)]
        unsafe fn $name<R: Real>(
            world: &World,
            plan: &Plan,
            slots: &Occurrences,
            t: usize,
            state: &mut State<R>,
            shocks: &Shocks<R>,
            occurred: &mut [R::Flags],
        ) {
            step_portable(world, plan, slots, t, state, shocks, occurred);
        }
    };
}

step_built_for!(step_avx2, "avx2", "AVX2");
step_built_for!(
    step_avx512,
    "avx512f,avx512dq,avx512vl,avx512bw",
    "AVX-512 F, DQ, VL and BW"
);

/// `step` for any CPU (on x86-64: SSE2), and the body the AVX2 and AVX-512 versions inline and compile
/// again. Public so that tests can compare it with the dispatched version.
#[doc(hidden)]
#[inline(always)]
pub fn step_portable<R: Real>(
    world: &World,
    plan: &Plan,
    slots: &Occurrences,
    t: usize,
    state: &mut State<R>,
    shocks: &Shocks<R>,
    occurred: &mut [R::Flags],
) {
    let (hs, ps, rs) = (world.states.len(), world.poles.len(), world.reactions.len());
    let c = &world.coefficients;
    occurred.fill(R::Flags::default());

    strike_events(world, plan, slots, t, state, shocks, occurred);

    // Each host moves part of the way toward the softmax of its pulls plus mood, then decides. The
    // levers and pull are those of `effective_levers` and `pull` (the same helpers), computed over the
    // host's rows: first every pole's levers (a pole's pull and deals depend on the host's dependence on
    // the others), then the pulls, then the decisions.
    assert!(ps <= MAX_POLES, "at most {MAX_POLES} poles");
    let quarter_levers = &plan.levers[t * hs * ps..(t + 1) * hs * ps];
    let splat = R::splat;
    let hedges = world.hedges();
    // Routes open at the start of the quarter, for the neighbours' relative gains (decisions below
    // change `transit` host by host), a flag a cell: on the stack up to `OPEN_CELLS` cells, so that
    // no quarter allocates.
    let disputes = !world.tensions.is_empty();
    let mut open_stack = [R::Flags::default(); OPEN_CELLS];
    let open_heap: Vec<R::Flags>;
    let open_before: &[R::Flags] = if !disputes {
        &[]
    } else if state.transit.len() <= OPEN_CELLS {
        let open = &mut open_stack[..state.transit.len()];
        for (o, &m) in open.iter_mut().zip(&state.transit) {
            *o = R::pack(m);
        }
        open
    } else {
        open_heap = state.transit.iter().map(|&m| R::pack(m)).collect();
        &open_heap
    };
    let mut levers = [[splat(0.0); LEVER_COUNT]; MAX_POLES];
    let mut dependence = [splat(0.0); MAX_POLES];
    for (h, (host, scheduled)) in world
        .states
        .iter()
        .zip(quarter_levers.chunks_exact(ps))
        .enumerate()
    {
        let lefts = &state.reaction_left[h * rs..(h + 1) * rs];
        // Where some reaction of each pole is active: the quarters left of its rules OR-ed together,
        // nonzero.
        let mut active = [R::splat_count(0); MAX_POLES];
        for (rule, &k) in world.reactions.iter().zip(lefts) {
            active[rule.pole] = active[rule.pole] | k;
        }
        for p in 0..ps {
            let row = &scheduled[p];
            let (economy, presence) = (state.economy[p], state.presence[p]);
            // Every lane from the plan's row; lanes with an active reaction then from their own. Built
            // in place (a row built apart and then stored was a 704-byte copy a pole).
            let l = &mut levers[p];
            *l = scale_levers(&row.map(splat), economy, presence);
            let reacting = R::pack(R::nonzero(active[p]));
            if R::any(reacting) {
                for i in R::lanes(reacting) {
                    let mut reacted = *row;
                    let active = |r: usize| R::count_lane(lefts[r], i) > 0;
                    apply_reactions(world, plan, t, active, p, &mut reacted);
                    let scaled = scale_levers(&reacted, economy.lane(i), presence.lane(i));
                    (0..LEVER_COUNT).for_each(|k| *l[k].lane_mut(i) = scaled[k]);
                }
            }
            dependence[p] = dependence_on(c, l[Lever::Remittance.index()]);
        }

        let host_scales = Scales::of(c, host, t);
        let demand = demand_of(world, state, h);
        let rivalry = if disputes {
            rivalry_of(world, plan, t, state, open_before, h, host_scales)
        } else {
            [splat(0.0); MAX_POLES]
        };
        let beta = hedges.then(|| splat(c.hedging_weight) + state.hedging[h]);
        let mut target = [splat(0.0); MAX_POLES];
        for p in 0..ps {
            let cell = h * ps + p;
            let mood = mood_step(c, state.mood[cell], shocks.mood[cell]);
            state.mood[cell] = mood;
            let ties = ties_of(world, state, h, p, dependence[p], beta);
            target[p] = pair_pull(
                c,
                host_scales,
                &levers[p],
                state.transit[cell],
                demand,
                ties,
            ) - rivalry[p]
                + mood;
        }
        let target = &mut target[..ps];
        softmax(target);
        for (a, &x) in state.alignment[h * ps..(h + 1) * ps]
            .iter_mut()
            .zip(&*target)
        {
            relax(a, c.adjustment_rate, x);
        }
        let situation = Situation {
            levers: &levers[..ps],
            dependence: &dependence[..ps],
            scales: host_scales,
            demand,
        };
        decide(world, slots, t, h, state, occurred, &situation);
        let grievances = &mut state.grievance[h * ps..(h + 1) * ps];
        for (g, l) in grievances.iter_mut().zip(&levers[..ps]) {
            fade(g, c.grievance_decay);
            *g = *g + l[Lever::Pressure.index()];
        }
    }

    // State variables drift back toward their baselines.
    for (h, host) in world.states.iter().enumerate() {
        relax(
            &mut state.threat[h],
            c.threat_decay,
            splat(host.threat_baseline),
        );
        relax(
            &mut state.regime[h],
            c.regime_recovery,
            splat(host.regime_baseline),
        );
    }
    for x in &mut state.criticism {
        fade(x, c.criticism_decay);
    }
    for x in &mut state.hedging {
        fade(x, c.hedging_decay);
    }
    for (x, pair) in state.tension.iter_mut().zip(&world.tensions) {
        relax(x, c.tension_decay, splat(pair.level));
    }
    for x in &mut state.economy {
        relax(x, c.economy_recovery, splat(1.0));
    }

    react(world, plan, slots, t, state, shocks, occurred);
}

/// The most poles a world may have (the update keeps per-host rows on the stack).
pub const MAX_POLES: usize = 8;

/// The most states whose pair-event partners `strike_events` keeps on the stack; larger worlds use the
/// heap.
const PAIR_STATES: usize = 16;

/// The most host–pole cells whose start-of-quarter routes the update keeps on the stack (a flag each);
/// larger worlds keep them on the heap.
const OPEN_CELLS: usize = 256;

/// The events that strike this quarter, applied lane by lane in (event, host) order: each cell's struck
/// lanes go straight into its occurrence slot (pole events use the first host's), and most quarters
/// nothing strikes any lane, which one branch-free pass tells.
#[inline(always)]
fn strike_events<R: Real>(
    world: &World,
    plan: &Plan,
    slots: &Occurrences,
    t: usize,
    state: &mut State<R>,
    shocks: &Shocks<R>,
    occurred: &mut [R::Flags],
) {
    let hs = world.states.len();
    let cells = world.events.len() * hs;
    let at = world.event_index(t, 0, 0)..world.event_index(t, 0, 0) + cells;
    let (injects, hazards) = (&world.injects[at.clone()], &plan.hazards[at]);
    let draws = &shocks.event[..cells];
    let mut any = R::Flags::default();
    for (e, ev) in world.events.iter().enumerate() {
        let hosts = match ev.target {
            EventTarget::Pole(_) => 1,
            EventTarget::States => hs,
        };
        for h in 0..hosts {
            let k = e * hs + h;
            let hit = R::pack(strikes(injects[k], draws[k], hazards[k]));
            occurred[slots.event(hs, e, h)] = hit;
            any = any | hit;
        }
    }
    if !R::any(any) {
        return;
    }
    for (e, ev) in world.events.iter().enumerate() {
        match ev.target {
            EventTarget::Pole(p) => {
                let ps = world.poles.len();
                for i in R::lanes(occurred[slots.event(hs, e, 0)]) {
                    let (economy, presence) = (&mut state.economy, &mut state.presence);
                    strike_pole(ev, economy[p].lane_mut(i), presence[p].lane_mut(i));
                    for x in &mut state.hedging {
                        *x.lane_mut(i) += ev.hedging;
                    }
                    for (h, g) in ev.grievance.iter().enumerate() {
                        *state.grievance[h * ps + p].lane_mut(i) += g;
                    }
                }
            }
            EventTarget::States => {
                // A pair event's incident strikes the other state of its dispute too; those marks are
                // added after the loop, so each cell is visited for its own strikes only.
                // On the stack up to `PAIR_STATES` states, so that a quarter with a strike does not
                // allocate (an allocation each time a pair event struck was 3% of a design).
                let mut on_stack;
                let mut on_heap;
                let partners: &mut [R] = if !ev.pair {
                    &mut []
                } else if hs <= PAIR_STATES {
                    on_stack = [R::splat(0.0); PAIR_STATES];
                    &mut on_stack[..hs]
                } else {
                    on_heap = vec![R::splat(0.0); hs];
                    &mut on_heap
                };
                for h in 0..hs {
                    let k = e * hs + h;
                    for i in R::lanes(occurred[slots.event(hs, e, h)]) {
                        // Conditional on a strike by hazard, draw / hazard is again uniform on
                        // [0, 1): the choices of a dispute and of a drawn pole need no draw of their own.
                        let u = draws[k].lane(i);
                        let v = if injects[k] { u } else { u / hazards[k] };
                        // A pair event's dispute: the one its inject names, or drawn (and `v` made
                        // uniform again); none for a state with no dispute, struck alone.
                        let at = world.event_index(t, e, h);
                        let named = || world.inject_pairs.iter().find(|x| x.0 == at);
                        let incident = if !ev.pair {
                            None
                        } else if let Some(&(_, d)) = injects[k].then(named).flatten() {
                            Some((d, v))
                        } else {
                            incident(world, &state.tension, h, i, v)
                        };
                        let v = incident.map_or(v, |(_, v)| v);
                        strike_state(world, ev, state, h, i, v);
                        if let Some((d, _)) = incident {
                            // unwrap OK: `incident` returns only disputes of `h`.
                            let other = world.tensions[d].other(h).unwrap();
                            strike_state(world, ev, state, other, i, v);
                            let x = state.tension[d].lane_mut(i);
                            *x = (*x + ev.tension).clamp(0.0, 1.0);
                            *partners[other].lane_mut(i) = 1.0;
                        }
                    }
                }
                for (h, x) in partners.iter().enumerate() {
                    let slot = slots.event(hs, e, h);
                    occurred[slot] = occurred[slot] | R::pack(x.gt(R::splat(0.5)));
                }
            }
        }
    }
}

/// A state event's effects on host `h` in lane `i` (`v` uniform on [0, 1) for a drawn pole): threat,
/// regime, hedging, criticism, realignment, and, unless it is a pair event (whose caller raises the one
/// dispute), the tension of each of the host's disputes.
fn strike_state<R: Real>(
    world: &World,
    ev: &Event,
    state: &mut State<R>,
    h: usize,
    i: usize,
    v: f64,
) {
    let ps = world.poles.len();
    strike_host(ev, state.threat[h].lane_mut(i), state.regime[h].lane_mut(i));
    *state.hedging[h].lane_mut(i) += ev.hedging;
    if ev.tension != 0.0 && !ev.pair {
        for (x, pair) in state.tension.iter_mut().zip(&world.tensions) {
            if pair.other(h).is_some() {
                let x = x.lane_mut(i);
                *x = (*x + ev.tension).clamp(0.0, 1.0);
            }
        }
    }
    if let Some(critic) = ev.critic {
        criticise(ev, state.criticism[h * ps + critic].lane_mut(i));
    }
    if ev.realign > 0.0 {
        let shares = &mut state.alignment[h * ps..(h + 1) * ps];
        realign(ev, toward(&ev.toward, v), shares, i);
    }
}

/// The dispute of host `h` a pair event's incident strikes in lane `i`, drawn with `v` (uniform on
/// [0, 1)) in proportion to the disputes' tensions (equal chances if all are 0), and `v` made uniform
/// again given the choice; `None` if the host has no dispute.
fn incident<R: Real>(
    world: &World,
    tension: &[R],
    h: usize,
    i: usize,
    v: f64,
) -> Option<(usize, f64)> {
    // The disputes of `h`, in order (an iterator, not a collected list: no allocation a strike).
    let mine = || (0..world.tensions.len()).filter(|&d| world.tensions[d].other(h).is_some());
    let count = mine().count();
    let total: f64 = mine().map(|d| tension[d].lane(i)).sum();
    let weight = |d: usize| {
        if total > 0.0 {
            tension[d].lane(i) / total
        } else {
            1.0 / count as f64
        }
    };
    let mut low = 0.0;
    let mut chosen = None;
    for d in mine() {
        let w = weight(d);
        if w <= 0.0 {
            continue;
        }
        chosen = Some((d, low, w));
        if v < low + w {
            break;
        }
        low += w;
    }
    chosen.map(|(d, low, w)| (d, ((v - low) / w).clamp(0.0, 1.0 - f64::EPSILON)))
}

/// Whether an event strikes a cell: injected there, or its uniform draw fell below its hazard.
#[inline(always)]
fn strikes<R: Real>(inject: bool, draw: R, hazard: f64) -> R::Mask {
    R::splat_mask(inject) | draw.lt(R::splat(hazard))
}

/// A pole event's effect on the pole's economic capacity and presence.
#[inline(always)]
fn strike_pole(ev: &Event, economy: &mut f64, presence: &mut f64) {
    *economy = (*economy * (1.0 + ev.economy)).max(0.0);
    *presence = (*presence * (1.0 + ev.presence)).max(0.0);
}

/// A state event's effect on the host's threat level and regime security.
#[inline(always)]
fn strike_host(ev: &Event, threat: &mut f64, regime: &mut f64) {
    *threat = (*threat + ev.threat).clamp(0.0, 1.0);
    *regime = (*regime + ev.regime).clamp(0.0, 1.0);
}

/// A state event's effect on the host's criticism by the event's critic.
#[inline(always)]
fn criticise(ev: &Event, criticism: &mut f64) {
    *criticism = (*criticism + ev.criticism).max(0.0);
}

/// A state event's move of a host's shares (lane `i` of `shares`) the share `ev.realign` of the way
/// toward equal shares (`None`) or toward pole `Some(p)`.
fn realign<R: Real>(ev: &Event, pole: Option<usize>, shares: &mut [R], i: usize) {
    let ps = shares.len();
    for (q, a) in shares.iter_mut().enumerate() {
        let a = a.lane_mut(i);
        let goal = match pole {
            None => 1.0 / ps as f64,
            Some(p) => f64::from(u8::from(p == q)),
        };
        *a += ev.realign * (goal - *a);
    }
}

/// The pole a realignment goes toward (`None`: equal shares), given a uniform `v` on [0, 1) for a
/// drawn pole.
fn toward(to: &Toward, v: f64) -> Option<usize> {
    match to {
        Toward::Equal => None,
        Toward::Pole(p) => Some(*p),
        Toward::Drawn(weights) => {
            let mut sum = 0.0;
            let last = weights.iter().rposition(|&w| w > 0.0);
            weights
                .iter()
                .position(|&w| {
                    sum += w;
                    v < sum
                })
                .or(last)
        }
    }
}

/// Forgets the share `rate` of `x`.
#[inline(always)]
fn fade<R: Real>(x: &mut R, rate: f64) {
    *x = *x * R::splat(1.0 - rate);
}

/// Moves `x` the share `rate` of the way toward `toward`.
#[inline(always)]
fn relax<R: Real>(x: &mut R, rate: f64, toward: R) {
    *x = *x + R::splat(rate) * (toward - *x);
}

/// The levers pole `p` actually brings host `h` this quarter: the plan's schedule, changed by active
/// reactions, then by the pole's economic capacity and presence.
pub fn effective_levers(
    world: &World,
    plan: &Plan,
    t: usize,
    state: &RunState,
    h: usize,
    p: usize,
    out: &mut [f64; LEVER_COUNT],
) {
    let mut row = *plan.lever_row(world, t, h, p);
    let rs = world.reactions.len();
    let left = &state.reaction_left[h * rs..(h + 1) * rs];
    apply_reactions(world, plan, t, |r| left[r] > 0, p, &mut row);
    *out = scale_levers(&row, state.economy[p], state.presence[p]);
}

/// Applies the reactions of pole `p` that are active in a host (`active(r)` for rule `r`) to the
/// pole's scheduled lever row toward that host.
fn apply_reactions(
    world: &World,
    plan: &Plan,
    t: usize,
    active: impl Fn(usize) -> bool,
    p: usize,
    row: &mut [f64; LEVER_COUNT],
) {
    for (r, rule) in world.reactions.iter().enumerate() {
        if rule.pole == p && active(r) {
            let s = plan.reaction(world, t, r);
            if !s.enabled {
                continue;
            }
            let x = &mut row[rule.lever.index()];
            *x = (*x * s.scale + s.add).clamp(0.0, rule.lever.max());
        }
    }
}

/// A lever row scaled by the pole's economic capacity `e` and presence `s`. Built whole, not patched in
/// place: a narrow store followed by a wide load of the same bytes stalls store forwarding, which cost
/// an eighth of the update.
#[inline(always)]
fn scale_levers<R: Real>(row: &[R; LEVER_COUNT], e: R, s: R) -> [R; LEVER_COUNT] {
    debug_assert_eq!(
        Lever::ALL.map(Lever::index),
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
    );
    let [aid, rent, offered, transit, remittance, loans, investment, security, pressure, trade, join] =
        *row;
    [
        aid * e * s,
        rent,
        R::select(s.lt(R::splat(WITHDRAWN_BELOW)), R::splat(0.0), offered),
        transit * s,
        remittance * e,
        loans * e,
        investment * e,
        security * s,
        pressure,
        trade * e,
        join,
    ]
}

/// Pole `p`'s pull on host `h` before mood, in logit points: affinity, the three money channels,
/// security, criticism, compliance and grievance, blocs, bases and diaspora. Increasing in every lever
/// of `p` but `pressure` (whose grievance comes later: docs/MODEL.md, "Coercion").
pub fn pull(
    world: &World,
    plan: &Plan,
    state: &RunState,
    t: usize,
    h: usize,
    p: usize,
    levers: &[f64; LEVER_COUNT],
) -> f64 {
    let c = &world.coefficients;
    let i = h * world.poles.len() + p;
    let beta = world.hedges().then(|| c.hedging_weight + state.hedging[h]);
    let ties = ties_of(
        world,
        state,
        h,
        p,
        dependence_on(c, levers[Lever::Remittance.index()]),
        beta,
    );
    let demand = demand_of(world, state, h);
    let scales = Scales::of(c, &world.states[h], t);
    let rivalry = if world.tensions.is_empty() {
        0.0
    } else {
        rivalry_of(world, plan, t, state, &state.transit, h, scales)[p]
    };
    pair_pull(c, scales, levers, state.transit[i], demand, ties) - rivalry
}

/// The money scales of a host in a quarter, as the reciprocals its money channels multiply by (one
/// division a host and quarter, not one a run and channel): `1 / (s_rent · revenue)` for rents and
/// fees, `1 / s_econ` for remittances (already a share of GDP), `1 / (s_econ · GDP)` for loans,
/// investment and trade; revenue and GDP in $M a year.
#[derive(Clone, Copy)]
struct Scales {
    per_rent: f64,
    per_household: f64,
    per_economy: f64,
}

impl Scales {
    /// A host's scales in quarter `t` (GDP may follow a schedule; revenue follows GDP).
    fn of(c: &Coefficients, host: &HostState, t: usize) -> Scales {
        let (gdp_m, revenue_m) = (host.gdp_at(t) * 1000.0, host.revenue_at(t) * 1000.0);
        Scales {
            per_rent: 1.0 / (c.rent_scale * revenue_m),
            per_household: 1.0 / c.economic_scale,
            per_economy: 1.0 / (c.economic_scale * gdp_m),
        }
    }
}

/// What ties host `h` to pole `p` besides the pole's levers: from the state and the world. `beta`, the
/// host's hedging strength, where any state hedges.
#[inline(always)]
fn ties_of<R: Real>(
    world: &World,
    state: &State<R>,
    h: usize,
    p: usize,
    dependence: R,
    beta: Option<R>,
) -> Ties<R> {
    let (host, cell) = (&world.states[h], h * world.poles.len() + p);
    // −β·ln a: a share floored far below any the update produces, so that a realignment all the way to
    // one pole leaves every pull finite.
    // A `match`, not `map_or`: the closure of `map_or` was compiled out of line, without the AVX2 of
    // `step_avx2`, and took 7.7% of a run (perf).
    let hedge = match beta {
        Some(beta) => beta * floored(state.alignment[cell]).ln_normal(),
        None => R::splat(0.0),
    };
    let (mut count, mut security) = (R::splat(0.0), R::splat(0.0));
    for (base, &hosted) in world.bases.iter().zip(&state.hosted) {
        if base.host == h && base.pole == p {
            count = count + R::select(hosted, R::splat(1.0), R::splat(0.0));
            security = security + R::select(hosted, R::splat(base.security), R::splat(0.0));
        }
    }
    Ties {
        affinity: R::splat(host.affinity[p]),
        diaspora: R::splat(host.diaspora[p]),
        criticism: state.criticism[cell],
        grievance: state.grievance[cell],
        memberships: state.memberships[cell],
        bases: count,
        base_security: security,
        dependence,
        hedge,
    }
}

/// The share below which the hedging term and closeness count a share as this small (it never is in
/// practice).
const MIN_SHARE: f64 = 1e-9;

/// A share floored at `MIN_SHARE`, for the logarithms of the hedging term and of closeness.
#[inline(always)]
fn floored<R: Real>(share: R) -> R {
    let floor = R::splat(MIN_SHARE);
    R::select(share.lt(floor), floor, share)
}

/// A host's dependence on a pole that sends it remittances `m` (a share of its GDP):
/// `D = m / (m + s_dep)`, in 0..1.
#[inline(always)]
fn dependence_on<R: Real>(c: &Coefficients, m: R) -> R {
    m / (m + R::splat(c.dependence_scale))
}

/// A pole's pull on a host of money scales `scales` that brings it `levers` (the route open where
/// `open`), given the host's security demand and its ties to the pole: the one computation of the pull
/// that `pull` and `step` share.
#[inline(always)]
fn pair_pull<R: Real>(
    c: &Coefficients,
    scales: Scales,
    levers: &[R; LEVER_COUNT],
    open: R::Mask,
    demand: R,
    ties: Ties<R>,
) -> R {
    let lever = |l: Lever| levers[l.index()];
    let zero = R::splat(0.0);
    let fees = R::select(open, lever(Lever::Transit), zero);
    let rents = lever(Lever::Aid) + ties.bases * lever(Lever::BaseRent) + fees;
    let economy = R::splat(c.loan_weight) * lever(Lever::Loans)
        + R::splat(c.investment_weight) * lever(Lever::Investment)
        + R::splat(c.trade_weight) * lever(Lever::Trade);
    let money = rent_value(c, rents, scales)
        + channel(
            c.household_weight,
            lever(Lever::Remittance),
            scales.per_household,
        )
        + channel(c.economic_weight, economy, scales.per_economy);
    let provision = lever(Lever::Security) + ties.base_security;
    let security = R::splat(c.security_weight) * demand * provision;
    let coercion = R::splat(c.compliance_weight) * ties.dependence * lever(Lever::Pressure)
        - R::splat(c.grievance_weight) * ties.grievance;
    ties.affinity + money + security - R::splat(c.criticism_weight) * ties.criticism
        + coercion
        + R::splat(c.bloc_weight) * ties.memberships
        + R::splat(c.base_weight) * ties.bases
        + R::splat(c.diaspora_weight) * ties.diaspora
        - ties.hedge
}

/// One saturating money channel: `weight · ln(1 + x / scale)` for `x ≥ 0`, given `per_scale =
/// 1 / scale` (positive and finite: validation bounds every scale, GDP and lever). Computed as
/// `ln(1 + x · per_scale)`: a multiplication, not a division, and the logarithm of `1 + x/scale` as
/// rounded, without `ln_1p`'s correction for that rounding: an absolute error below 1.2e-16, an ulp
/// of the pulls (of order 1) this term adds to (docs/PERFORMANCE.md, "Thirteenth session"). Where
/// `x` is zero in every lane (a pole that sends a host nothing through the channel) the logarithm is
/// not taken: `1 + ±0` is exactly 1, whose logarithm is exactly `+0`, so the result has the same bits.
#[inline(always)]
fn channel<R: Real>(weight: f64, x: R, per_scale: f64) -> R {
    if x.all_zero() {
        return R::splat(weight) * R::splat(0.0);
    }
    R::splat(weight) * (R::splat(1.0) + x * R::splat(per_scale)).ln_normal()
}

/// The value to a regime of rents `usd_m` ($M a year) against its revenue:
/// `w_rent · ln(1 + rents / (s_rent · revenue))`.
#[inline(always)]
fn rent_value<R: Real>(c: &Coefficients, usd_m: R, scales: Scales) -> R {
    channel(c.rent_weight, usd_m, scales.per_rent)
}

/// One quarter of the mood's AR(1): `ρ·mood + σ·z`.
#[inline(always)]
fn mood_step<R: Real>(c: &Coefficients, mood: R, z: R) -> R {
    R::splat(c.mood_persistence) * mood + R::splat(c.mood_sd) * z
}

/// A host's demand for security: its threat level, plus weighted regime insecurity, plus the weighted
/// tension of its disputes with neighbours.
#[inline(always)]
fn demand_of<R: Real>(world: &World, state: &State<R>, h: usize) -> R {
    let c = &world.coefficients;
    let mut demand =
        state.threat[h] + R::splat(c.regime_insecurity_weight) * (R::splat(1.0) - state.regime[h]);
    for (pair, &x) in world.tensions.iter().zip(&state.tension) {
        if pair.other(h).is_some() {
            demand = demand + R::splat(c.tension_weight) * x;
        }
    }
    demand
}

/// Relative gains (docs/MODEL.md, "Neighbours"): for each pole, what host `h` resents of the transit
/// fees the pole pays its disputing neighbours, in logit points: `w_rg · Σ_n τ · ln(1 + fees_n /
/// (s_rent · revenue))`, fees as scheduled this quarter (scaled by the pole's presence) on routes open
/// in `open` (a flag a cell). Inlined so that `step_avx2` compiles it with AVX2 (out of line it ran on
/// two lanes at a time).
#[inline(always)]
fn rivalry_of<R: Real>(
    world: &World,
    plan: &Plan,
    t: usize,
    state: &State<R>,
    open: &[R::Flags],
    h: usize,
    scales: Scales,
) -> [R; MAX_POLES] {
    let (c, ps) = (&world.coefficients, world.poles.len());
    let mut out = [R::splat(0.0); MAX_POLES];
    for (pair, &x) in world.tensions.iter().zip(&state.tension) {
        let Some(n) = pair.other(h) else {
            continue;
        };
        for (p, resent) in out.iter_mut().enumerate().take(ps) {
            let scheduled = plan.lever_row(world, t, n, p)[Lever::Transit.index()];
            let open = open[n * ps + p];
            // Most poles pay most neighbours nothing: no logarithm there.
            if scheduled <= 0.0 || !R::any(open) {
                continue;
            }
            let fees = R::select(
                R::unpack(open),
                R::splat(scheduled) * state.presence[p],
                R::splat(0.0),
            );
            *resent = *resent + R::splat(c.rivalry_weight) * x * rent_value(c, fees, scales);
        }
    }
    out
}

/// What ties a host to a pole besides its levers.
#[derive(Clone, Copy)]
struct Ties<R: Real> {
    affinity: R,
    diaspora: R,
    criticism: R,
    grievance: R,
    /// Memberships in blocs the pole leads (a count).
    memberships: R,
    /// The pole's bases the host hosts (a count).
    bases: R,
    /// Provision of those bases, summed.
    base_security: R,
    /// The host's dependence on the pole, 0..1.
    dependence: R,
    /// Hedging, `β·ln a` (0 where no state hedges): subtracted from the pull.
    hedge: R,
}

/// Replaces `x` by its softmax, computed stably (in each lane).
#[inline(always)]
pub fn softmax<R: Real>(x: &mut [R]) {
    // A plain comparison: the inputs are finite, and f64::max's care for NaN costs instructions here.
    let mut max = R::splat(f64::NEG_INFINITY);
    for &v in x.iter() {
        max = R::select(max.lt(v), v, max);
    }
    // The largest term through `exp` too: exp(0) is exactly 1.
    let mut sum = R::splat(0.0);
    for v in x.iter_mut() {
        *v = (*v - max).exp();
        sum = sum + *v;
    }
    // One division, then a multiplication a term (within an ulp of dividing each).
    let per_sum = R::splat(1.0) / sum;
    for v in x.iter_mut() {
        *v = *v * per_sum;
    }
}

/// What a host weighs in its decisions this quarter: each pole's effective levers and the host's
/// dependence on it, its money scales and its demand for security.
struct Situation<'a, R: Real> {
    levers: &'a [[R; LEVER_COUNT]],
    dependence: &'a [R],
    scales: Scales,
    demand: R,
}

/// Host `h`'s discrete decisions on its named bases, transit routes and decided blocs, given its
/// updated shares. Bases and routes are deals (docs/MODEL.md, "Deals"); blocs follow shares. Decision
/// slots are only ever set here, so their flags are assigned whole.
#[inline(always)]
fn decide<R: Real>(
    world: &World,
    slots: &Occurrences,
    t: usize,
    h: usize,
    state: &mut State<R>,
    occurred: &mut [R::Flags],
    now: &Situation<R>,
) {
    let (ps, bs) = (world.poles.len(), world.blocs.len());
    let c = &world.coefficients;
    let host = &world.states[h];
    let refuses = host.refuses_bases(t);
    let zero = R::splat(0.0);
    for p in 0..ps {
        state.bases[h * ps + p] = R::splat_mask(false);
    }
    // A deal's value (two logarithms) is computed only where some lane needs it: a base some lane's
    // pole offers, a route some lane's pole wants; elsewhere nothing can stand or open.
    for (b, base) in world.bases.iter().enumerate() {
        if base.host != h {
            continue;
        }
        let (p, cell) = (base.pole, h * ps + base.pole);
        let stood = state.hosted[b];
        let offered =
            now.levers[p][Lever::BaseOffered.index()].ge(R::splat(0.5)) & R::splat_mask(!refuses);
        let stands = if R::any(R::pack(offered)) {
            let close = closeness(c, ps, state.alignment[cell]);
            let value = base_value(c, base, now, state.criticism[cell], close);
            offered & clears(c, stood, value)
        } else {
            R::splat_mask(false)
        };
        state.hosted[b] = stands;
        state.bases[cell] = state.bases[cell] | stands;
        let slot = slots.base(b);
        occurred[slot] = R::pack(stands & !stood);
        occurred[slot + 1] = R::pack(stood & !stands);
    }
    let unblocked = !blocked(world, state, h);
    for (p, l) in now.levers.iter().enumerate() {
        let cell = h * ps + p;
        let was = state.transit[cell];
        let fees = l[Lever::Transit.index()];
        let wanted = fees.gt(zero) & unblocked;
        let open = if R::any(R::pack(wanted)) {
            let value = rent_value(c, fees, now.scales)
                - R::splat(c.route_cost)
                - R::splat(c.criticism_weight) * state.criticism[cell]
                + closeness(c, ps, state.alignment[cell])
                + R::splat(c.partnership_weight) * state.memberships[cell];
            wanted & clears(c, was, value)
        } else {
            R::splat_mask(false)
        };
        state.transit[cell] = open;
        let route = slots.transit(ps, h, p);
        occurred[route] = R::pack(open & !was);
        occurred[route + 1] = R::pack(was & !open);
    }
    for (b, bloc) in world.blocs.iter().enumerate() {
        let Some(slot) = slots.bloc(bs, h, b) else {
            continue;
        };
        let was = state.blocs[h * bs + b];
        let mut stays = was;
        if let (Some(rule), true) = (bloc.decided, t >= bloc.founded) {
            // The host's own thresholds: the bloc's, shifted by its reluctance (or, to join, its
            // starting share plus its hesitation); joining made easier by the pole's pressure to
            // join, as far as the host depends on the pole.
            let p = bloc.pole;
            let shift = host.reluctance[b];
            let push = R::splat(c.join_pressure_weight)
                * now.dependence[p]
                * now.levers[p][Lever::JoinPressure.index()];
            let join = match host.hesitation[b] {
                Some(x) => R::splat(host.alignment[p] + x),
                None => R::splat(rule.join_above + shift),
            } - push;
            let leave = R::splat(rule.leave_below + shift);
            let share = state.alignment[h * ps + p];
            stays = belongs(join, leave, was, host.neutral, share);
            // A state that changes sides is in the bloc only while the bloc's pole leads its rival.
            if let (true, Some(r)) = (host.changes_sides[b], bloc.rival) {
                stays = stays & share.gt(state.alignment[h * ps + r]);
            }
        }
        for date in host.bloc_dates.iter().filter(|d| d.t == t && d.bloc == b) {
            stays = R::splat_mask(date.joins);
        }
        if t < bloc.founded || bloc.military && host.refuses_military_blocs(t) {
            stays = R::splat_mask(false);
        }
        state.blocs[h * bs + b] = stays;
        let (joins, leaves) = (stays & !was, was & !stays);
        let (joined, left) = (R::pack(joins), R::pack(leaves));
        if R::any(joined | left) {
            let count = &mut state.memberships[h * ps + bloc.pole];
            let (one, zero) = (R::splat(host.tie(b)), R::splat(0.0));
            // Exact: small whole numbers (a tie is 1 or 0).
            *count = *count + R::select(joins, one, zero) - R::select(leaves, one, zero);
        }
        occurred[slot] = joined;
        occurred[slot + 1] = left;
    }
}

/// Where a neighbour that the host's routes run through stops its transit: some dispute with it is above
/// its closing level.
#[inline(always)]
fn blocked<R: Real>(world: &World, state: &State<R>, h: usize) -> R::Mask {
    let mut shut = R::splat_mask(false);
    for (pair, &x) in world.tensions.iter().zip(&state.tension) {
        if pair.downstream() == Some(h) {
            shut = shut | x.gt(R::splat(pair.closes_above));
        }
    }
    shut
}

/// The value to its host of named base `base`, in logit points (docs/MODEL.md, "Deals"): the rent the
/// regime captures, the protection against its current threat, less the cost of a foreign base, the
/// rivals' expected punishment (each weighted by the host's dependence on it), and the pole's
/// criticism as far as this deal is exposed to it; plus the host's closeness to the pole.
#[inline(always)]
fn base_value<R: Real>(
    c: &Coefficients,
    base: &Base,
    now: &Situation<R>,
    criticism: R,
    closeness: R,
) -> R {
    let p = base.pole;
    let mut punishment = R::splat(0.0);
    for (q, l) in now.levers.iter().enumerate().filter(|&(q, _)| q != p) {
        let objection = R::splat(c.rival_objection) + l[Lever::Pressure.index()];
        punishment = punishment + now.dependence[q] * objection;
    }
    rent_value(c, now.levers[p][Lever::BaseRent.index()], now.scales)
        + R::splat(c.security_weight * base.security) * now.demand
        - R::splat(c.base_cost)
        - R::splat(c.punishment_weight) * punishment
        - R::splat(c.criticism_weight * base.exposure) * criticism
        + closeness
}

/// The value of every named base of `world` to its host in quarter `t` of one run in `state` under
/// `plan`, as the host's decision in `step` weighs it (after this quarter's alignment update, which
/// this does not apply): what `check` shows for the start, and what tests read.
pub fn base_values(world: &World, plan: &Plan, t: usize, state: &RunState) -> Vec<f64> {
    let (c, ps) = (&world.coefficients, world.poles.len());
    world
        .bases
        .iter()
        .map(|base| {
            let h = base.host;
            let mut levers = [[0.0; LEVER_COUNT]; MAX_POLES];
            let mut dependence = [0.0; MAX_POLES];
            for p in 0..ps {
                effective_levers(world, plan, t, state, h, p, &mut levers[p]);
                dependence[p] = dependence_on(c, levers[p][Lever::Remittance.index()]);
            }
            let now = Situation {
                levers: &levers[..ps],
                dependence: &dependence[..ps],
                scales: Scales::of(c, &world.states[h], t),
                demand: demand_of(world, state, h),
            };
            let cell = h * ps + base.pole;
            base_value(
                c,
                base,
                &now,
                state.criticism[cell],
                closeness(c, ps, state.alignment[cell]),
            )
        })
        .collect()
}

/// Closeness to a pole in a deal's value: `w_al · ln(n · a)` for share `a` among `n` poles, the share
/// floored at `MIN_SHARE` as in the hedging term (so that a share realigned all the way away from the
/// pole gives a finite value).
#[inline(always)]
fn closeness<R: Real>(c: &Coefficients, n: usize, share: R) -> R {
    R::splat(c.alignment_weight) * (R::splat(n as f64) * floored(share)).ln_normal()
}

/// Whether a deal of value `value` holds after a decision: one in force (`was`) is kept while its value
/// stays above `−m`; one not in force is taken up when its value exceeds `m` (hysteresis).
#[inline(always)]
fn clears<R: Real>(c: &Coefficients, was: R::Mask, value: R) -> R::Mask {
    let m = c.deal_margin;
    value.gt(R::select(was, R::splat(-m), R::splat(m)))
}

/// Whether a host belongs to a decided bloc after its decision: a member leaves below the leaving
/// threshold `leave`; a non-neutral host joins at or above the joining threshold `join`.
#[inline(always)]
fn belongs<R: Real>(join: R, leave: R, was: R::Mask, neutral: bool, share: R) -> R::Mask {
    let threshold = R::select(was, leave, join);
    (was | R::splat_mask(!neutral)) & share.ge(threshold)
}

/// Whether an idle reaction whose trigger holds (`triggered`) fires: its uniform draw falls below its
/// chance. Branch-free: the draw's outcome is a coin toss a branch predictor cannot learn.
#[inline(always)]
fn sets_off<R: Real>(triggered: R::Mask, draw: R, chance: f64) -> R::Mask {
    triggered & draw.lt(R::splat(chance))
}

/// Reactions: each timer counts down, and an idle reaction whose trigger holds may fire. Reaction slots
/// are only ever set here, so their flags are assigned whole.
#[inline(always)]
fn react<R: Real>(
    world: &World,
    plan: &Plan,
    slots: &Occurrences,
    t: usize,
    state: &mut State<R>,
    shocks: &Shocks<R>,
    occurred: &mut [R::Flags],
) {
    let (hs, ps, rs) = (world.states.len(), world.poles.len(), world.reactions.len());
    let bs = world.blocs.len();
    if rs == 0 {
        return;
    }
    let strengths = &plan.reactions[t * rs..(t + 1) * rs];
    for (h, lefts) in state.reaction_left.chunks_exact_mut(rs).enumerate() {
        for (r, ((rule, strength), left)) in world
            .reactions
            .iter()
            .zip(strengths)
            .zip(lefts.iter_mut())
            .enumerate()
        {
            *left = R::count_down(*left);
            if !strength.enabled || !rule.states[h] {
                continue;
            }
            let triggered = match rule.trigger {
                Trigger::Share {
                    watch,
                    above,
                    level,
                } => crosses(state.alignment[h * ps + watch], above, level),
                Trigger::Event(e) => R::unpack(occurred[slots.event(hs, e, h)]),
                Trigger::Decision(decision) => {
                    let (slot, first) = match decision {
                        Decision::Base(b, admitted) => (Some(slots.base(b)), admitted),
                        Decision::Route(p, opened) => (Some(slots.transit(ps, h, p)), opened),
                        Decision::Bloc(b, joined) => (slots.bloc(bs, h, b), joined),
                    };
                    // unwrap OK: validation accepts bloc decisions only of blocs that change.
                    let slot = slot.expect("a changing bloc has slots") + usize::from(!first);
                    R::unpack(occurred[slot])
                }
                Trigger::Member(b) => state.blocs[h * bs + b],
            };
            let idle = !R::nonzero(*left);
            let fires = idle & sets_off(triggered, shocks.reaction[r * hs + h], strength.chance);
            *left = R::select_count(fires, rule.duration, *left);
            occurred[slots.reaction(hs, r, h)] = R::pack(fires);
        }
    }
}

/// Whether a share trigger holds: the share is above `level` (`above`) or below it.
#[inline(always)]
fn crosses<R: Real>(share: R, above: bool, level: f64) -> R::Mask {
    let level = R::splat(level);
    if above {
        share.gt(level)
    } else {
        share.lt(level)
    }
}

/// Affinities that make the start a rest point: with no mood and the plan's levers of the first quarter,
/// the target alignment equals the starting alignment. Returns one row per host, centred on zero.
pub fn rest_point_affinity(world: &World, plan: &Plan) -> Vec<Vec<f64>> {
    let mut zeroed = world.clone();
    for host in &mut zeroed.states {
        host.affinity = vec![0.0; world.poles.len()];
    }
    let state = RunState::initial(&zeroed);
    let mut levers = [0.0; LEVER_COUNT];
    zeroed
        .states
        .iter()
        .enumerate()
        .map(|(h, host)| {
            let mut row: Vec<f64> = (0..world.poles.len())
                .map(|p| {
                    effective_levers(&zeroed, plan, 0, &state, h, p, &mut levers);
                    real::ln(host.alignment[p]) - pull(&zeroed, plan, &state, 0, h, p, &levers)
                })
                .collect();
            let mean = row.iter().sum::<f64>() / row.len() as f64;
            row.iter_mut().for_each(|x| *x -= mean);
            row
        })
        .collect()
}

// The platform's `ln_1p`, `ln` and `exp` are the independent reference these tests compare with.
#[cfg(test)]
#[allow(clippy::disallowed_methods)]
mod tests {
    use super::*;

    /// Values spread over the range the model meets: zero, tiny, around the scale and far above it.
    fn spread() -> impl Iterator<Item = f64> {
        (0..400).map(|k| if k == 0 { 0.0 } else { 1e-9 * 1.1f64.powi(k) })
    }

    /// A money channel is `w · ln(1 + x / s)` for `x ≥ 0`, computed from `1 / s` without `ln_1p`:
    /// within 4.5e-16 plus four ulps of that value, an ulp of the pulls it adds to.
    #[test]
    fn a_channel_is_the_logarithm_of_one_plus_money_over_its_scale() {
        for scale in [0.05, 1.0, 3.7, 250.0, 48_000.0] {
            for x in spread() {
                for weight in [0.3, 1.0] {
                    let got = channel(weight, x, 1.0 / scale);
                    let want = weight * (x / scale).ln_1p();
                    let tolerance = weight * 4.5e-16 + 4.0 * f64::EPSILON * want.abs();
                    assert!(
                        (got - want).abs() <= tolerance,
                        "x = {x}, scale = {scale}: {got} against {want}"
                    );
                }
            }
        }
        assert_eq!(channel(0.7, 0.0, 1.0 / 3.0).to_bits(), 0.0f64.to_bits());
    }

    /// Closeness is `w_al · ln(n · a)`, the share floored at `MIN_SHARE`: finite at a share of zero.
    #[test]
    fn closeness_is_the_logarithm_of_the_share_against_an_equal_one() {
        let c = Coefficients::default();
        for n in [2, 3, 4] {
            for a in spread().filter(|a| (MIN_SHARE..=1.0).contains(a)) {
                let got = closeness(&c, n, a);
                let want = c.alignment_weight * (n as f64 * a).ln();
                let tolerance = 4.0 * f64::EPSILON * (want.abs() + c.alignment_weight.abs());
                assert!(
                    (got - want).abs() <= tolerance,
                    "n = {n}, a = {a}: {got} against {want}"
                );
            }
            let floor = closeness(&c, n, MIN_SHARE);
            assert_eq!(closeness(&c, n, 0.0), floor);
            assert!(floor.is_finite() && floor < closeness(&c, n, 1e-3));
        }
    }

    /// The softmax sums to one within a few ulps and keeps the order of its inputs.
    #[test]
    fn softmax_gives_shares_in_the_order_of_their_inputs() {
        let mut x = [0.3, -1.2, 2.5, 0.3];
        softmax(&mut x);
        assert!((x.iter().sum::<f64>() - 1.0).abs() <= 4.0 * f64::EPSILON);
        assert!(x[2] > x[0] && x[0] > x[1] && x[0] == x[3]);
        let want = (0.3f64 - 2.5).exp()
            / [0.3f64, -1.2, 2.5, 0.3]
                .iter()
                .map(|v| (v - 2.5).exp())
                .sum::<f64>();
        assert!((x[0] - want).abs() <= 2.0 * f64::EPSILON * want);
    }
}
