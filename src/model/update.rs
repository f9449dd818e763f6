//! The quarterly update: events, effective levers, pulls, alignment, decisions, reactions. A pure function
//! of the world, the plan, the quarter, the run's state and the quarter's draws.

use super::occurrence::Occurrences;
use super::plan::Plan;
use super::shocks::Shocks;
use super::state::{EconomicMemo, RunState};
use super::world::{Coefficients, EventTarget, Lever, Trigger, World, LEVER_COUNT};

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
    // levers, money and pull are those of `effective_levers`, `benefit` and `pull` (the same helpers),
    // computed over the host's rows with the economic term memoised.
    assert!(ps <= MAX_POLES, "at most {MAX_POLES} poles");
    let rs = world.reactions.len();
    let width = ps * LEVER_COUNT;
    let quarter_levers = &plan.levers[t * hs * width..(t + 1) * hs * width];
    let mut levers = [[0.0; LEVER_COUNT]; MAX_POLES];
    for (h, (host, scheduled)) in world
        .states
        .iter()
        .zip(quarter_levers.chunks_exact(width))
        .enumerate()
    {
        let cells = h * ps..(h + 1) * ps;
        let reacting = state.reaction_left[h * rs..(h + 1) * rs]
            .iter()
            .any(|&k| k > 0);
        let demand = security_demand(c, state, h);
        let gdp_m = host.gdp_usd_bn * 1000.0;
        let mood = &mut state.mood[cells.clone()];
        let memo = &mut state.economic_memo[cells.clone()];
        let (bases, transit) = (&state.bases[cells.clone()], &state.transit[cells.clone()]);
        let criticism = &state.criticism[cells.clone()];
        let memberships = &state.memberships[cells.clone()];
        let z = &shocks.mood[cells.clone()];
        let (economy, presence) = (&state.economy[..ps], &state.presence[..ps]);
        let (affinity, diaspora) = (&host.affinity[..ps], &host.diaspora[..ps]);
        let mut target = [0.0f64; MAX_POLES];
        for p in 0..ps {
            let row: &[f64; LEVER_COUNT] = scheduled[p * LEVER_COUNT..(p + 1) * LEVER_COUNT]
                .try_into()
                .unwrap(); // unwrap OK: the slice is LEVER_COUNT long
            let l = if reacting {
                let mut reacted = *row;
                apply_reactions(world, plan, t, &state.reaction_left, h, p, &mut reacted);
                scale_levers(&reacted, economy[p], presence[p])
            } else {
                scale_levers(row, economy[p], presence[p])
            };
            levers[p] = l;
            mood[p] = c.mood_persistence * mood[p] + c.mood_sd * z[p];
            let usd_m = money(c, &l, bases[p], transit[p]);
            let remittance = l[Lever::Remittance.index()];
            // The division and the logarithm are the costliest terms and their inputs rarely change.
            let economic = if memo[p].usd_m == usd_m && memo[p].remittance == remittance {
                memo[p].pull
            } else {
                let pull = economic_pull(world, usd_m / gdp_m + remittance);
                memo[p] = EconomicMemo {
                    usd_m,
                    remittance,
                    pull,
                };
                pull
            };
            let ties = Ties {
                affinity: affinity[p],
                diaspora: diaspora[p],
                criticism: criticism[p],
                memberships: memberships[p],
                based: bases[p],
            };
            target[p] = pull_from(c, &l, economic, demand, ties) + mood[p];
        }
        let target = &mut target[..ps];
        softmax(target);
        for (a, x) in state.alignment[cells].iter_mut().zip(target.iter()) {
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
    // Most quarters nothing strikes: test every (event, host) of the quarter in one branch-free pass
    // and look closer only if something did.
    let cells = world.events.len() * hs;
    let at = world.event_index(t, 0, 0)..world.event_index(t, 0, 0) + cells;
    let (injects, hazards) = (&world.injects[at.clone()], &plan.hazards[at]);
    let draws = &shocks.event[..cells];
    let struck = |k: usize| injects[k] | (draws[k] < hazards[k]);
    if !(0..cells).fold(false, |any, k| any | struck(k)) {
        return;
    }
    for (e, ev) in world.events.iter().enumerate() {
        match ev.target {
            EventTarget::Pole(p) => {
                if struck(e * hs) {
                    state.economy[p] = (state.economy[p] * (1.0 + ev.economy)).max(0.0);
                    state.presence[p] = (state.presence[p] * (1.0 + ev.presence)).max(0.0);
                    occurred[slots.event(hs, e, 0)] = true;
                }
            }
            EventTarget::States => {
                for h in 0..hs {
                    if !struck(e * hs + h) {
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
    let mut row = [0.0; LEVER_COUNT];
    row.copy_from_slice(plan.lever_row(world, t, h, p));
    apply_reactions(world, plan, t, &state.reaction_left, h, p, &mut row);
    *out = scale_levers(&row, state.economy[p], state.presence[p]);
}

/// Applies the active reactions of pole `p` in host `h` to its scheduled lever row.
fn apply_reactions(
    world: &World,
    plan: &Plan,
    t: usize,
    reaction_left: &[u32],
    h: usize,
    p: usize,
    row: &mut [f64; LEVER_COUNT],
) {
    let rs = world.reactions.len();
    for (r, rule) in world.reactions.iter().enumerate() {
        if rule.pole == p && reaction_left[h * rs + r] > 0 {
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
fn scale_levers(row: &[f64; LEVER_COUNT], e: f64, s: f64) -> [f64; LEVER_COUNT] {
    debug_assert_eq!(Lever::ALL.map(Lever::index), [0, 1, 2, 3, 4, 5, 6, 7]);
    let [aid, rent, offered, transit, remittance, loans, investment, security] = *row;
    [
        aid * e * s,
        rent,
        if s < WITHDRAWN_BELOW { 0.0 } else { offered },
        transit * s,
        remittance * e,
        loans * e,
        investment * e,
        security * s,
    ]
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
    let i = h * world.poles.len() + p;
    let usd_m = money(
        &world.coefficients,
        levers,
        state.bases[i],
        state.transit[i],
    );
    usd_m / (world.states[h].gdp_usd_bn * 1000.0) + levers[Lever::Remittance.index()]
}

/// The money pole brings, $M per year at grant equivalent: aid, rent while the base stands (`based`),
/// fees while the route is open (`open`), loans and investment at their weights.
#[inline(always)]
fn money(c: &Coefficients, levers: &[f64; LEVER_COUNT], based: bool, open: bool) -> f64 {
    let lever = |l: Lever| levers[l.index()];
    let rent = if based { lever(Lever::BaseRent) } else { 0.0 };
    let fees = if open { lever(Lever::Transit) } else { 0.0 };
    lever(Lever::Aid)
        + rent
        + fees
        + c.loan_weight * lever(Lever::Loans)
        + c.investment_weight * lever(Lever::Investment)
}

/// The economic part of the pull: `w_econ · ln(1 + benefit / s_econ)`.
pub fn economic_pull(world: &World, benefit: f64) -> f64 {
    let c = &world.coefficients;
    c.economic_weight * (benefit / c.economic_scale).ln_1p()
}

/// The pull with its economic part already computed.
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
    let demand = security_demand(c, state, h);
    let ties = Ties {
        affinity: host.affinity[p],
        diaspora: host.diaspora[p],
        criticism: state.criticism[i],
        memberships: state.memberships[i],
        based: state.bases[i],
    };
    pull_from(c, levers, economic, demand, ties)
}

/// Host `h`'s demand for security: its threat level plus weighted regime insecurity.
#[inline(always)]
fn security_demand(c: &Coefficients, state: &RunState, h: usize) -> f64 {
    state.threat[h] + c.regime_insecurity_weight * (1.0 - state.regime[h])
}

/// What ties a host to a pole besides money and security.
#[derive(Clone, Copy)]
struct Ties {
    affinity: f64,
    diaspora: f64,
    criticism: f64,
    memberships: u32,
    based: bool,
}

/// The pull from its parts: affinity, the economic term, security (demand times what the pole
/// provides), criticism, blocs, a hosted base and the diaspora, summed in that order.
#[inline(always)]
fn pull_from(
    c: &Coefficients,
    levers: &[f64; LEVER_COUNT],
    economic: f64,
    demand: f64,
    ties: Ties,
) -> f64 {
    let provision =
        levers[Lever::Security.index()] + if ties.based { c.base_security } else { 0.0 };
    let security = c.security_weight * demand * provision;
    ties.affinity + economic + security - c.criticism_weight * ties.criticism
        + c.bloc_weight * f64::from(ties.memberships)
        + if ties.based { c.base_weight } else { 0.0 }
        + c.diaspora_weight * ties.diaspora
}

/// Replaces `x` by its softmax, computed stably.
pub fn softmax(x: &mut [f64]) {
    // A plain comparison: the inputs are finite, and f64::max's care for NaN costs instructions here.
    let max = x
        .iter()
        .fold(f64::NEG_INFINITY, |m, &v| if v > m { v } else { m });
    let mut sum = 0.0;
    for v in x.iter_mut() {
        // exp(0) is exactly 1: the largest term needs no call.
        *v = if *v == max { 1.0 } else { (*v - max).exp() };
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
    let refuses = host.refuses_bases(t);
    let cells = h * ps..(h + 1) * ps;
    let shares = &state.alignment[cells.clone()];
    let bases = &mut state.bases[cells.clone()];
    let transit = &mut state.transit[cells];
    for (p, (levers, &share)) in levers.iter().zip(shares).enumerate() {
        let offered = levers[Lever::BaseOffered.index()] >= 0.5;
        if bases[p] {
            if !offered || share < c.base_evict_below || refuses {
                bases[p] = false;
                occurred[slots.base(ps, h, p) + 1] = true;
            }
        } else if offered && !refuses && share >= c.base_admit_above {
            bases[p] = true;
            occurred[slots.base(ps, h, p)] = true;
        }
        if transit[p] {
            if share < c.transit_close_below {
                transit[p] = false;
                occurred[slots.transit(ps, h, p) + 1] = true;
            }
        } else if levers[Lever::Transit.index()] > 0.0 && share >= c.transit_open_above {
            transit[p] = true;
            occurred[slots.transit(ps, h, p)] = true;
        }
    }
    let members = &mut state.blocs[h * bs..(h + 1) * bs];
    for (b, (bloc, member)) in world.blocs.iter().zip(members).enumerate() {
        let Some(rule) = bloc.decided else {
            continue;
        };
        let share = shares[bloc.pole];
        let count = &mut state.memberships[h * ps + bloc.pole];
        if *member {
            if share < rule.leave_below {
                *member = false;
                *count -= 1;
                occurred[slot_of_bloc(slots, bs, h, b) + 1] = true;
            }
        } else if !host.neutral && share >= rule.join_above {
            *member = true;
            *count += 1;
            occurred[slot_of_bloc(slots, bs, h, b)] = true;
        }
    }
}

/// The join slot of a decided bloc (leave is the next).
fn slot_of_bloc(slots: &Occurrences, bs: usize, h: usize, b: usize) -> usize {
    slots
        .bloc(bs, h, b)
        .expect("every decided bloc has occurrence slots")
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
    let (hs, ps, rs) = (world.states.len(), world.poles.len(), world.reactions.len());
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
            // The draw is tested last: its outcome is a coin toss the branch predictor cannot learn.
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
