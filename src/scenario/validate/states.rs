//! `[[bloc]]` and `[[state]]`: each bloc led by a declared pole, with both thresholds or neither (a
//! bloc whose membership hosts decide needs a gap between joining and leaving); each state's numbers in
//! range (GDP bounded away from 0, since money is divided by it), its starting alignment a share for
//! every pole, each strictly between 0 and 1 and summing to 1 (the update works on the simplex and the
//! rest-point affinity takes their logarithm), and its doctrines consistent with what it starts with (a
//! neutral state is in no decided bloc; whether a state may host its bases is checked with `[[base]]`).

use super::{flags, per_pole, Ctx, Result};
use crate::model::{Bloc, HostState, Hysteresis, World};
use crate::scenario::raw::{RawBloc, RawState};

/// Government revenue as a share of GDP when a state gives no `revenue_usd_bn`: an assumption, about
/// what Central Asian budgets collect (roughly a fifth to a third of GDP by public record; the papers give
/// no figure). docs/SCENARIO.md asks scenario authors to give their own with its source.
pub const DEFAULT_REVENUE_SHARE: f64 = 0.25;

/// How far alignment shares may sum from 1.
const SUM_TOLERANCE: f64 = 1e-6;

pub(super) fn bloc(cx: &Ctx, b: &RawBloc, poles: &[&str]) -> Result<Bloc> {
    let key = format!("bloc.{}", b.name.get_ref());
    let pole = cx.lookup(&b.pole, &format!("{key}.pole"), "pole", poles)?;
    let decided = match (&b.join_above, &b.leave_below) {
        (None, None) => None,
        (Some(j), Some(l)) => {
            let join_above = cx.real(j, &format!("{key}.join_above"), 0.0, 1.0)?;
            let leave_below = cx.real(l, &format!("{key}.leave_below"), 0.0, 1.0)?;
            if leave_below >= join_above {
                return Err(cx.err(
                    l.span(),
                    format!("{key}.leave_below"),
                    format!("{leave_below} must be below join_above = {join_above} (hysteresis)"),
                ));
            }
            Some(Hysteresis {
                join_above,
                leave_below,
            })
        }
        (Some(v), None) | (None, Some(v)) => {
            return Err(cx.err(v.span(), key, "give both join_above and leave_below (hosts decide membership), or neither (membership is fixed)"));
        }
    };
    Ok(Bloc {
        name: b.name.get_ref().clone(),
        pole,
        decided,
    })
}

pub(super) fn host(
    cx: &Ctx,
    s: &RawState,
    poles: &[&str],
    bloc_names: &[&str],
    blocs: &[Bloc],
) -> Result<HostState> {
    let code = s.code.get_ref().clone();
    let key = format!("state.{code}");
    let k = |field: &str| format!("{key}.{field}");
    let gdp_usd_bn = cx.real(&s.gdp_usd_bn, &k("gdp_usd_bn"), 1e-3, 1e6)?;
    let revenue_usd_bn = cx.opt_real(
        &s.revenue_usd_bn,
        &k("revenue_usd_bn"),
        1e-3,
        1e6,
        DEFAULT_REVENUE_SHARE * gdp_usd_bn,
    )?;
    let afghan_border_km = s
        .afghan_border_km
        .as_ref()
        .map_or(Ok(0.0), |v| cx.real(v, &k("afghan_border_km"), 0.0, 1e5))?;
    let diaspora = per_pole(cx, &s.diaspora, &k("diaspora"), poles, 0.0, 1.0)?;

    let a = &s.alignment;
    for name in poles {
        if !a.get_ref().contains_key(*name) {
            return Err(cx.err(
                a.span(),
                k("alignment"),
                format!(
                    "no share for pole `{name}`: give a share for every pole ({})",
                    poles.join(", ")
                ),
            ));
        }
    }
    let mut alignment = per_pole(cx, a.get_ref(), &k("alignment"), poles, 0.0, 1.0)?;
    for (name, v) in a.get_ref() {
        if *v.get_ref() <= 0.0 || *v.get_ref() >= 1.0 {
            return Err(cx.err(v.span(), format!("{key}.alignment.{name}"), format!("{} is out of range, expected strictly between 0 and 1 (every pole keeps some pull)", v.get_ref())));
        }
    }
    let sum: f64 = alignment.iter().sum();
    if (sum - 1.0).abs() > SUM_TOLERANCE {
        return Err(cx.err(
            a.span(),
            k("alignment"),
            format!("shares sum to {sum}, expected 1"),
        ));
    }
    alignment.iter_mut().for_each(|x| *x /= sum);
    let affinity = match &s.affinity {
        None => vec![0.0; poles.len()],
        Some(m) => per_pole(cx, m.get_ref(), &k("affinity"), poles, -20.0, 20.0)?,
    };

    let member = flags(cx, &s.blocs, &k("blocs"), "bloc", bloc_names)?;
    let transit = flags(cx, &s.transit, &k("transit"), "pole", poles)?;
    let neutral = s.neutral.unwrap_or(false);
    let bans_bases = s.bans_bases.unwrap_or(false);
    if neutral {
        for v in &s.blocs {
            let b = &blocs[cx.lookup(v, &k("blocs"), "bloc", bloc_names)?];
            if b.decided.is_some() {
                return Err(cx.err(v.span(), k("blocs"), format!("a neutral state joins no bloc whose membership is decided; `{}` has join_above/leave_below", b.name)));
            }
        }
    }
    Ok(HostState {
        name: s.name.clone().unwrap_or_else(|| code.clone()),
        code,
        gdp_usd_bn,
        revenue_usd_bn,
        afghan_border_km,
        diaspora,
        neutral,
        bans_bases_from: bans_bases.then_some(0),
        regime_baseline: cx.real(&s.regime_security, &k("regime_security"), 0.0, 1.0)?,
        threat_baseline: cx.real(&s.threat, &k("threat"), 0.0, 1.0)?,
        alignment,
        affinity,
        blocs: member,
        transit,
    })
}

/// `bans_bases_from`: a quarter inside the horizon, not together with `bans_bases = true`.
pub(super) fn base_bans(cx: &Ctx, raw: &[RawState], world: &mut World) -> Result<()> {
    for (h, s) in raw.iter().enumerate() {
        if let Some(from) = &s.bans_bases_from {
            let key = format!("state.{}.bans_bases_from", s.code.get_ref());
            if s.bans_bases == Some(true) {
                return Err(cx.err(from.span(), key, "give either bans_bases = true (a ban from the start) or bans_bases_from (a ban from that quarter), not both"));
            }
            world.states[h].bans_bases_from = Some(cx.within(from, &key, world)?);
        }
    }
    Ok(())
}
