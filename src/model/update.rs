//! The quarterly update: events, effective levers, pulls, alignment, decisions, reactions. A pure function
//! of the world, the plan, the quarter, the run's state and the quarter's draws.

use super::occurrence::Occurrences;
use super::plan::Plan;
use super::shocks::Shocks;
use super::state::RunState;
use super::world::{EventTarget, Lever, Trigger, World, LEVER_COUNT};

/// Presence below which a pole withdraws its bases.
const WITHDRAWN_BELOW: f64 = 0.5;

/// Advances `state` by quarter `t`, flagging in `occurred` (one bool per slot of `slots`) what happened.
pub fn step(
    world: &World,
    plan: &Plan,
    slots: &Occurrences,
    t: usize,
    state: &mut RunState,
    shocks: &Shocks,
    occurred: &mut [bool],
) {
    let (hs, ps) = (world.states.len(), world.poles.len());
    let c = &world.coefficients;
    occurred.fill(false);

    strike_events(world, plan, slots, t, state, shocks, occurred);

    // Each host moves part of the way toward the softmax of its pulls plus mood, then decides. The
    // poles of a host are computed phase by phase (levers, benefits, pulls) so that their independent
    // arithmetic overlaps; the operations and their order are those of `pull`.
    let rs = world.reactions.len();
    let mut levers = [[0.0; LEVER_COUNT]; MAX_POLES];
    let mut buffer = [0.0f64; MAX_POLES];
    for h in 0..hs {
        let reacting = (0..rs).any(|r| state.reaction_left[r * hs + h] > 0);
        let row = h * ps..(h + 1) * ps;
        for (p, out) in levers[..ps].iter_mut().enumerate() {
            levers_of(world, plan, t, state, h, p, reacting, out);
        }
        for (p, x) in state.mood[row.clone()].iter_mut().enumerate() {
            *x = c.mood_persistence * *x + c.mood_sd * shocks.mood[h * ps + p];
        }
        let mut benefits = [0.0f64; MAX_POLES];
        for (p, b) in benefits[..ps].iter_mut().enumerate() {
            *b = benefit(world, state, h, p, &levers[p]);
        }
        let target = &mut buffer[..ps];
        for (p, u) in target.iter_mut().enumerate() {
            let i = h * ps + p;
            // The logarithm is the costliest term and its input rarely changes: reuse it when equal.
            let b = benefits[p];
            let (memo_b, memo_e) = state.economic_memo[i];
            let economic = if memo_b == b {
                memo_e
            } else {
                economic_pull(world, b)
            };
            state.economic_memo[i] = (b, economic);
            *u = pull_with(world, state, h, p, &levers[p], economic) + state.mood[i];
        }
        softmax(target);
        for (a, x) in state.alignment[row].iter_mut().zip(target.iter()) {
            *a += c.adjustment_rate * (x - *a);
        }
        decide(world, slots, t, h, state, occurred, &levers[..ps]);
    }

    // State variables drift back toward their baselines.
    for (h, host) in world.states.iter().enumerate() {
        state.threat[h] += c.threat_decay * (host.threat_baseline - state.threat[h]);
        state.regime[h] += c.regime_recovery * (host.regime_baseline - state.regime[h]);
    }
    for x in &mut state.criticism {
        *x *= 1.0 - c.criticism_decay;
    }
    for x in &mut state.economy {
        *x += c.economy_recovery * (1.0 - *x);
    }

    react(world, plan, slots, t, state, shocks, occurred);
}

/// The most poles a world may have (the update keeps per-host rows on the stack).
pub const MAX_POLES: usize = 8;

fn strike_events(
    world: &World,
    plan: &Plan,
    slots: &Occurrences,
    t: usize,
    state: &mut RunState,
    shocks: &Shocks,
    occurred: &mut [bool],
) {
    let (hs, ps) = (world.states.len(), world.poles.len());
    for (e, ev) in world.events.iter().enumerate() {
        match ev.target {
            EventTarget::Pole(p) => {
                let i = world.event_index(t, e, 0);
                if world.injects[i] || shocks.event[e * hs] < plan.hazards[i] {
                    state.economy[p] = (state.economy[p] * (1.0 + ev.economy)).max(0.0);
                    state.presence[p] = (state.presence[p] * (1.0 + ev.presence)).max(0.0);
                    occurred[slots.event(hs, e, 0)] = true;
                }
            }
            EventTarget::States => {
                for h in 0..hs {
                    let i = world.event_index(t, e, h);
                    if !(world.injects[i] || shocks.event[e * hs + h] < plan.hazards[i]) {
                        continue;
                    }
                    state.threat[h] = (state.threat[h] + ev.threat).clamp(0.0, 1.0);
                    state.regime[h] = (state.regime[h] + ev.regime).clamp(0.0, 1.0);
                    if let Some(critic) = ev.critic {
                        let x = &mut state.criticism[h * ps + critic];
                        *x = (*x + ev.criticism).max(0.0);
                    }
                    if ev.realign > 0.0 {
                        for a in &mut state.alignment[h * ps..(h + 1) * ps] {
                            *a += ev.realign * (1.0 / ps as f64 - *a);
                        }
                    }
                    occurred[slots.event(hs, e, h)] = true;
                }
            }
        }
    }
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
    levers_of(world, plan, t, state, h, p, true, out);
}

/// `effective_levers`, told whether any reaction is active in host `h` (if not, none is looked up).
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn levers_of(
    world: &World,
    plan: &Plan,
    t: usize,
    state: &RunState,
    h: usize,
    p: usize,
    reacting: bool,
    out: &mut [f64; LEVER_COUNT],
) {
    let hs = world.states.len();
    let row: &[f64; LEVER_COUNT] = plan.lever_row(world, t, h, p).try_into().unwrap(); // unwrap OK: rows are LEVER_COUNT long
    let mut reacted;
    let scheduled = if !reacting {
        row
    } else {
        reacted = *row;
        for (r, rule) in world.reactions.iter().enumerate() {
            if rule.pole == p && state.reaction_left[r * hs + h] > 0 {
                let s = plan.reaction(world, t, r);
                if !s.enabled {
                    continue;
                }
                let x = &mut reacted[rule.lever.index()];
                *x = (*x * s.scale + s.add).clamp(0.0, rule.lever.max());
            }
        }
        &reacted
    };
    // Written whole, not patched in place: a narrow store followed by a wide load of the same bytes
    // stalls store forwarding, which cost an eighth of the update.
    let (e, s) = (state.economy[p], state.presence[p]);
    let [aid, rent, offered, transit, remittance, loans, investment, security] = *scheduled;
    *out = [
        aid * e * s,
        rent,
        if s < WITHDRAWN_BELOW { 0.0 } else { offered },
        transit * s,
        remittance * e,
        loans * e,
        investment * e,
        security * s,
    ];
    debug_assert_eq!(Lever::ALL.map(Lever::index), [0, 1, 2, 3, 4, 5, 6, 7]);
}

/// Pole `p`'s pull on host `h` before mood, in logit points: affinity, economic benefit, security,
/// criticism, blocs, bases and diaspora. Increasing in every lever of `p`.
pub fn pull(
    world: &World,
    state: &RunState,
    h: usize,
    p: usize,
    levers: &[f64; LEVER_COUNT],
) -> f64 {
    let economic = economic_pull(world, benefit(world, state, h, p, levers));
    pull_with(world, state, h, p, levers, economic)
}

/// What pole `p` brings host `h`, as a share of its GDP: money (rent only while the base stands, fees
/// only while the route is open, loans and investment at their grant equivalents) plus remittances.
#[inline]
pub fn benefit(
    world: &World,
    state: &RunState,
    h: usize,
    p: usize,
    levers: &[f64; LEVER_COUNT],
) -> f64 {
    let c = &world.coefficients;
    let i = h * world.poles.len() + p;
    let lever = |l: Lever| levers[l.index()];
    let rent = if state.bases[i] {
        lever(Lever::BaseRent)
    } else {
        0.0
    };
    let transit = if state.transit[i] {
        lever(Lever::Transit)
    } else {
        0.0
    };
    let usd_m = lever(Lever::Aid)
        + rent
        + transit
        + c.loan_weight * lever(Lever::Loans)
        + c.investment_weight * lever(Lever::Investment);
    usd_m / (world.states[h].gdp_usd_bn * 1000.0) + lever(Lever::Remittance)
}

/// The economic part of the pull: `w_econ · ln(1 + benefit / s_econ)`.
pub fn economic_pull(world: &World, benefit: f64) -> f64 {
    let c = &world.coefficients;
    c.economic_weight * (benefit / c.economic_scale).ln_1p()
}

/// The pull with its economic part already computed.
#[inline(always)]
fn pull_with(
    world: &World,
    state: &RunState,
    h: usize,
    p: usize,
    levers: &[f64; LEVER_COUNT],
    economic: f64,
) -> f64 {
    let c = &world.coefficients;
    let host = &world.states[h];
    let i = h * world.poles.len() + p;
    let based = state.bases[i];
    let demand = state.threat[h] + c.regime_insecurity_weight * (1.0 - state.regime[h]);
    let provision = levers[Lever::Security.index()] + if based { c.base_security } else { 0.0 };
    let security = c.security_weight * demand * provision;

    host.affinity[p] + economic + security - c.criticism_weight * state.criticism[i]
        + c.bloc_weight * f64::from(state.memberships[i])
        + if based { c.base_weight } else { 0.0 }
        + c.diaspora_weight * host.diaspora[p]
}

/// Replaces `x` by its softmax, computed stably.
pub fn softmax(x: &mut [f64]) {
    let max = x.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut sum = 0.0;
    for v in x.iter_mut() {
        *v = (*v - max).exp();
        sum += *v;
    }
    for v in x.iter_mut() {
        *v /= sum;
    }
}

/// Host `h`'s discrete decisions on bases, transit and decided blocs, given its updated shares and the
/// levers each pole brings it this quarter.
fn decide(
    world: &World,
    slots: &Occurrences,
    t: usize,
    h: usize,
    state: &mut RunState,
    occurred: &mut [bool],
    levers: &[[f64; LEVER_COUNT]],
) {
    let (ps, bs) = (world.poles.len(), world.blocs.len());
    let c = &world.coefficients;
    let host = &world.states[h];
    for (p, levers) in levers.iter().enumerate() {
        let i = h * ps + p;
        let share = state.alignment[i];
        let offered = levers[Lever::BaseOffered.index()] >= 0.5;
        let slot = slots.base(ps, h, p);
        if state.bases[i] {
            if !offered || share < c.base_evict_below || host.refuses_bases(t) {
                state.bases[i] = false;
                occurred[slot + 1] = true;
            }
        } else if offered && !host.refuses_bases(t) && share >= c.base_admit_above {
            state.bases[i] = true;
            occurred[slot] = true;
        }
        let wanted = levers[Lever::Transit.index()] > 0.0;
        let slot = slots.transit(ps, h, p);
        if state.transit[i] {
            if share < c.transit_close_below {
                state.transit[i] = false;
                occurred[slot + 1] = true;
            }
        } else if wanted && share >= c.transit_open_above {
            state.transit[i] = true;
            occurred[slot] = true;
        }
    }
    for (b, bloc) in world.blocs.iter().enumerate() {
        let (Some(rule), Some(slot)) = (bloc.decided, slots.bloc(bs, h, b)) else {
            continue;
        };
        let share = state.alignment[h * ps + bloc.pole];
        let member = &mut state.blocs[h * bs + b];
        let count = &mut state.memberships[h * ps + bloc.pole];
        if *member {
            if share < rule.leave_below {
                *member = false;
                *count -= 1;
                occurred[slot + 1] = true;
            }
        } else if !host.neutral && share >= rule.join_above {
            *member = true;
            *count += 1;
            occurred[slot] = true;
        }
    }
}

fn react(
    world: &World,
    plan: &Plan,
    slots: &Occurrences,
    t: usize,
    state: &mut RunState,
    shocks: &Shocks,
    occurred: &mut [bool],
) {
    let (hs, ps) = (world.states.len(), world.poles.len());
    for (r, rule) in world.reactions.iter().enumerate() {
        let strength = plan.reaction(world, t, r);
        for h in 0..hs {
            let left = &mut state.reaction_left[r * hs + h];
            *left = left.saturating_sub(1);
            if *left > 0 || !strength.enabled || !rule.states[h] {
                continue;
            }
            let triggered = match rule.trigger {
                Trigger::Share {
                    watch,
                    above,
                    level,
                } => {
                    let share = state.alignment[h * ps + watch];
                    if above {
                        share > level
                    } else {
                        share < level
                    }
                }
                Trigger::Event(e) => occurred[slots.event(hs, e, h)],
            };
            if triggered && shocks.reaction[r * hs + h] < strength.chance {
                *left = rule.duration;
                occurred[slots.reaction(hs, r, h)] = true;
            }
        }
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
                    host.alignment[p].ln() - pull(&zeroed, &state, h, p, &levers)
                })
                .collect();
            let mean = row.iter().sum::<f64>() / row.len() as f64;
            row.iter_mut().for_each(|x| *x -= mean);
            row
        })
        .collect()
}
