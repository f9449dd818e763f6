//! `[[base]]`: named foreign bases, each a deal between a declared pole and a declared state. Checked
//! here: names unique and valid, references declared, `security` and `exposure` in 0..=1, and a base
//! hosted at the start only where doctrine allows it (a neutral state, or one banning bases from the
//! start, hosts none: the update would close it in the first quarter without a decision anyone took).

use super::{Ctx, Names, Result};
use crate::model::{Base, World};
use crate::scenario::raw::RawBase;

/// Checks every `[[base]]` against the declared poles and states of `world` and returns the bases.
pub(super) fn bases(cx: &Ctx, raw: &[RawBase], world: &World, names: &Names) -> Result<Vec<Base>> {
    cx.unique(raw.iter().map(|b| &b.name), "base.name")?;
    raw.iter()
        .map(|b| {
            let key = format!("base.{}", b.name.get_ref());
            let k = |field: &str| format!("{key}.{field}");
            let host = cx.lookup(&b.state, &k("state"), "state", names.states)?;
            let pole = cx.lookup(&b.pole, &k("pole"), "pole", names.poles)?;
            let security = cx.opt_real(
                &b.security,
                &k("security"),
                0.0,
                1.0,
                world.coefficients.base_security,
            )?;
            let exposure = cx.opt_real(&b.exposure, &k("exposure"), 0.0, 1.0, 1.0)?;
            let hosted = b.hosted.as_ref().is_some_and(|v| *v.get_ref());
            let state = &world.states[host];
            if let Some(v) = b.hosted.as_ref().filter(|_| hosted && state.refuses_bases(0)) {
                let doctrine = if state.neutral {
                    "neutral = true"
                } else {
                    "bans_bases = true"
                };
                return Err(cx.err(
                    v.span(),
                    k("hosted"),
                    format!(
                        "{} has {doctrine} and hosts no base; set hosted = false or remove the doctrine",
                        state.code
                    ),
                ));
            }
            Ok(Base {
                name: b.name.get_ref().clone(),
                description: b.description.clone().unwrap_or_default(),
                host,
                pole,
                security,
                exposure,
                hosted,
            })
        })
        .collect()
}
