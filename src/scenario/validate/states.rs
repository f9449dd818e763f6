//! `[[bloc]]` and `[[state]]`: each bloc led by a declared pole, with both thresholds or neither (a
//! bloc whose membership hosts decide needs a gap between joining and leaving), and a rival that is
//! another pole; each state's numbers in range (GDP bounded away from 0, since money is divided by it),
//! its starting alignment a share for every pole, each strictly between 0 and 1 and summing to 1 (the
//! update works on the simplex and the rest-point affinity takes their logarithm), its doctrines
//! consistent with what it starts with (a neutral state is in no decided bloc; whether a state may host
//! its bases is checked with `[[base]]`), and the blocs it changes sides in decided ones with a rival
//! (otherwise there is nothing to change sides between).

use super::{flags, per_pole, Ctx, Result};
use crate::model::{Bloc, HostState, Hysteresis, World};
use crate::scenario::raw::{RawBloc, RawState};

/// Government revenue as a share of GDP when a state gives no `revenue_usd_bn`: an assumption, about
/// what Central Asian budgets collect (roughly a fifth to a third of GDP by public record; the papers give
/// no figure). docs/SCENARIO.md asks scenario authors to give their own with its source.
pub const DEFAULT_REVENUE_SHARE: f64 = 0.25;

/// How far alignment shares may sum from 1.
pub const SHARE_SUM_TOLERANCE: f64 = 1e-6;

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
    let rival = match &b.rival {
        None => None,
        Some(v) => {
            let key = format!("{key}.rival");
            let r = cx.lookup(v, &key, "pole", poles)?;
            if r == pole {
                return Err(cx.err(v.span(), key, format!("`{}` is the bloc's own pole: a rival is another pole, whose partnership with the members the bloc contests", v.get_ref())));
            }
            Some(r)
        }
    };
    Ok(Bloc {
        name: b.name.get_ref().clone(),
        pole,
        decided,
        founded: 0,
        military: b.military.unwrap_or(false),
        rival,
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
    let hedging = cx.opt_real(&s.hedging, &k("hedging"), 0.0, 10.0, 0.0)?;
    let grievance = per_pole(cx, &s.grievance, &k("grievance"), poles, 0.0, 100.0)?;

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
    if (sum - 1.0).abs() > SHARE_SUM_TOLERANCE {
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
    let mut reluctance = vec![0.0; blocs.len()];
    for (name, v) in &s.reluctance {
        let key = format!("{key}.reluctance.{name}");
        let b = cx.lookup_key(name, v.span(), &key, "bloc", bloc_names)?;
        if blocs[b].decided.is_none() {
            return Err(cx.err(v.span(), key, format!("`{name}` has fixed membership (no join_above/leave_below): reluctance shifts the thresholds of a decided bloc")));
        }
        reluctance[b] = cx.real(v, &key, -1.0, 1.0)?;
    }
    let mut hesitation = vec![None; blocs.len()];
    for (name, v) in &s.hesitation {
        let key = format!("{key}.hesitation.{name}");
        let b = cx.lookup_key(name, v.span(), &key, "bloc", bloc_names)?;
        if blocs[b].decided.is_none() {
            return Err(cx.err(v.span(), key, format!("`{name}` has fixed membership (no join_above/leave_below): hesitation sets the joining threshold of a decided bloc")));
        }
        hesitation[b] = Some(cx.real(v, &key, -1.0, 1.0)?);
    }
    let changes_sides = flags(
        cx,
        &s.changes_sides,
        &k("changes_sides"),
        "bloc",
        bloc_names,
    )?;
    for v in &s.changes_sides {
        let bloc = &blocs[cx.lookup(v, &k("changes_sides"), "bloc", bloc_names)?];
        if bloc.decided.is_none() || bloc.rival.is_none() {
            return Err(cx.err(v.span(), k("changes_sides"), format!("`{}` needs join_above/leave_below (membership the state decides) and a `rival` pole: a state changes sides between the bloc's pole and its rival", bloc.name)));
        }
    }
    let economic_only = flags(
        cx,
        &s.economic_only,
        &k("economic_only"),
        "bloc",
        bloc_names,
    )?;
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
        hedging,
        grievance,
        neutral,
        bans_bases_from: bans_bases.then_some(0),
        no_military_blocs_from: None,
        reluctance,
        hesitation,
        changes_sides,
        economic_only,
        bloc_dates: Vec::new(),
        gdp_from: Vec::new(),
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

/// What needs the horizon: each bloc's founding quarter (a state starts in no bloc founded later), each
/// state's dated memberships (a bloc it is not in when it joins, or in when it leaves; a neutral state's
/// only in fixed blocs; none against its own doctrine), its doctrine of no military blocs, and its GDP
/// schedule (quarters in increasing order).
pub(super) fn dates(
    cx: &Ctx,
    raw_blocs: &[RawBloc],
    raw: &[RawState],
    world: &mut World,
) -> Result<()> {
    for (b, rb) in raw_blocs.iter().enumerate() {
        if let Some(v) = &rb.founded {
            let key = format!("bloc.{}.founded", rb.name.get_ref());
            world.blocs[b].founded = cx.within(v, &key, world)?;
        }
    }
    let bloc_names: Vec<String> = world.blocs.iter().map(|b| b.name.clone()).collect();
    let bloc_names: Vec<&str> = bloc_names.iter().map(String::as_str).collect();
    for (h, s) in raw.iter().enumerate() {
        let code = s.code.get_ref();
        let k = |field: &str| format!("state.{code}.{field}");
        for v in &s.blocs {
            let b = cx.lookup(v, &k("blocs"), "bloc", &bloc_names)?;
            if world.blocs[b].founded > 0 {
                return Err(cx.err(v.span(), k("blocs"), format!("`{}` is founded in {}, after the start: a state cannot start in it (give `joins = {{ {} = \"...\" }}`)", v.get_ref(), world.quarter_label(world.blocs[b].founded), v.get_ref())));
            }
        }
        if let Some(v) = &s.no_military_blocs_from {
            world.states[h].no_military_blocs_from =
                Some(cx.within(v, &k("no_military_blocs_from"), world)?);
        }
        let mut dates = Vec::new();
        for (map, joins, field) in [(&s.joins, true, "joins"), (&s.leaves, false, "leaves")] {
            for (name, v) in map {
                let key = format!("{}.{name}", k(field));
                let b = cx.lookup_key(name, v.span(), &key, "bloc", &bloc_names)?;
                let t = cx.within(v, &key, world)?;
                let bloc = &world.blocs[b];
                let host = &world.states[h];
                let why = if joins && t < bloc.founded {
                    Some(format!(
                        "`{name}` is only founded in {}",
                        world.quarter_label(bloc.founded)
                    ))
                } else if joins && bloc.military && host.refuses_military_blocs(t) {
                    Some("the state's no_military_blocs_from doctrine forbids it then".to_string())
                } else if joins && host.neutral && bloc.decided.is_some() {
                    Some(format!("a neutral state joins no bloc whose membership is decided; `{name}` has join_above/leave_below"))
                } else {
                    None
                };
                if let Some(why) = why {
                    return Err(cx.err(
                        v.span(),
                        key,
                        format!("cannot join at {}: {why}", world.quarter_label(t)),
                    ));
                }
                dates.push(crate::model::BlocDate { t, bloc: b, joins });
            }
        }
        dates.sort_by_key(|d| (d.t, d.bloc));
        if let Some(w) = dates
            .windows(2)
            .find(|w| w[0].t == w[1].t && w[0].bloc == w[1].bloc)
        {
            let name = &world.blocs[w[0].bloc].name;
            let v = &s.leaves[name];
            return Err(cx.err(
                v.span(),
                format!("{}.{name}", k("leaves")),
                "the state joins and leaves the bloc in the same quarter: give one",
            ));
        }
        world.states[h].bloc_dates = dates;
        let mut last = None;
        for g in &s.gdp_from {
            let t = cx.within_after(&g.from, &k("gdp_from.from"), world, &mut last)?;
            let gdp = cx.real(&g.gdp_usd_bn, &k("gdp_from.gdp_usd_bn"), 1e-3, 1e6)?;
            world.states[h].gdp_from.push((t, gdp));
        }
    }
    Ok(())
}
