//! What no single key shows: that every number the model computes stays finite. Each key's range is
//! finite (coefficients, levers, effects), and the model clamps levers to their range after reactions
//! and policies, so the one quantity that can still grow without limit is a pole's economic capacity:
//! an event with a positive `economy` multiplies it by `1 + economy` each time it strikes, at most once
//! a quarter, and recovery only pulls it back toward 1. This module refuses a scenario in which that
//! product could pass `MAX_CAPACITY`. The whole argument, term by term, is in docs/MODEL.md, "Finite by
//! construction".

use super::{Ctx, Result};
use crate::model::{EventTarget, Real, World};
use crate::scenario::raw::RawEvent;

/// The largest economic capacity a pole may reach in any run: 1e200 times normal. With it every money
/// sum stays below about 1e207 (docs/MODEL.md), far inside f64's 1.8e308.
pub const MAX_CAPACITY: f64 = 1e200;
/// ln(`MAX_CAPACITY`).
const LN_MAX_CAPACITY: f64 = 200.0 * std::f64::consts::LN_10;

/// Refuses a scenario in which some pole's economic capacity could exceed `MAX_CAPACITY`: the product,
/// over the pole's events with a positive `economy`, of `(1 + economy)` to the power of the number of
/// quarters (each may strike once a quarter).
pub(super) fn finite(cx: &Ctx, raw: &[RawEvent], world: &World) -> Result<()> {
    for (p, pole) in world.poles.iter().enumerate() {
        let mut growth = 0.0;
        let mut raisers = Vec::new();
        for (e, event) in world.events.iter().enumerate() {
            if event.target == EventTarget::Pole(p) && event.economy > 0.0 {
                growth += world.quarters as f64 * Real::ln_1p(event.economy);
                raisers.push(e);
                if growth > LN_MAX_CAPACITY {
                    let names: Vec<&str> = raisers
                        .iter()
                        .map(|&e| world.events[e].name.as_str())
                        .collect();
                    let span = raw[e].economy.as_ref().map_or(0..0, |v| v.span());
                    return Err(cx.err(
                        span,
                        format!("event.{}.economy", event.name),
                        format!(
                            "{pole}'s economic capacity could grow to 1e{:.0} times normal: its events with a positive economy ({}) may each strike once in each of {} quarters, and together may multiply it by at most {MAX_CAPACITY:e} (so every number stays finite); lower economy or shorten the horizon",
                            growth / std::f64::consts::LN_10,
                            names.join(", "),
                            world.quarters
                        ),
                    ));
                }
            }
        }
    }
    Ok(())
}
