//! Signpost files: the rules `greatgame discover` finds, in a form a game can watch
//! (`play --watch-file FILE`). A file holds `[[signpost]]` entries, each a `--watch` condition
//! (`watch.rs`) with where it came from, and `[[not_watched]]` entries, the parts of the rule no game
//! can observe (a coefficient, a hazard, a lever, the plan) with the reason.
//!
//! What maps to a signpost (the quantities a game measures each quarter):
//! - the condition's comparisons on outcome columns `STATE.KIND.SUBJECT@QUARTER`: `dominant`, `base`,
//!   `transit` and `share` become `STATE.dominant=POLE`, `STATE.base=POLE`, `STATE.transit=POLE` and
//!   `STATE.share.POLE`, `bloc` becomes `STATE.member=BLOC` (the quarter is dropped: a game says in
//!   which quarter the condition is first met);
//! - a box limit on a starting share `state.STATE.alignment.POLE` becomes a watch on the mean share
//!   `STATE.share.POLE` (`>=` the box's low end, `<=` its high end, where the box narrows it).
//!
//! Must not: touch files (the `discover` and `play` commands read and write them).

use serde::{Deserialize, Serialize};

use crate::model::World;
use crate::scenario::Located;

use super::{PlayError, Watch};

/// The file name `discover` writes.
pub const SIGNPOSTS_FILE: &str = "signposts.toml";

/// A signpost file as written.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Signposts {
    /// What the file is, as comment lines.
    #[serde(skip)]
    pub header: Vec<String>,
    /// The conditions watched.
    pub signpost: Vec<Signpost>,
    /// The parts of the rule that cannot be watched.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub not_watched: Vec<NotWatched>,
}

/// One condition a game can watch.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Signpost {
    /// A `--watch` condition (`TKM.dominant=Russia < 0.6`).
    pub watch: String,
    /// Where it came from, in words.
    #[serde(default)]
    pub from: String,
}

/// A part of a rule that no game can observe, and why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotWatched {
    /// The input (column of `experiments.csv`) or outcome the rule restricts.
    pub input: String,
    /// The restriction, in words.
    pub rule: String,
    /// Why it is not watched.
    pub why: String,
}

/// A signpost file as read: `watch` kept with its place for errors.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    signpost: Vec<RawSignpost>,
    #[serde(default)]
    not_watched: Vec<NotWatched>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSignpost {
    watch: toml::Spanned<String>,
    #[serde(default)]
    #[allow(dead_code)]
    from: String,
}

impl Signposts {
    /// The file's text: the header as comments, then the entries.
    pub fn to_toml(&self) -> String {
        let mut text: String = self.header.iter().map(|l| format!("# {l}\n")).collect();
        // unwrap OK: strings only.
        let body = toml::to_string(self).unwrap();
        text.push('\n');
        text.push_str(&body);
        if !text.ends_with('\n') {
            text.push('\n');
        }
        text
    }

    /// Reads a signpost file (`file` names it in errors) and checks every `watch` against `world`:
    /// an unknown key, a wrong type or a condition that does not parse is an error at its line and
    /// column. Returns the conditions, in the file's order, and what the file says is not watched.
    pub fn read(
        world: &World,
        text: &str,
        file: &str,
    ) -> Result<(Vec<String>, Vec<NotWatched>), PlayError> {
        let raw: RawFile = toml::from_str(text)
            .map_err(|e| PlayError::Signposts(Box::new(Located::from_toml(file, text, &e))))?;
        if raw.signpost.is_empty() {
            return Err(PlayError::Signposts(Box::new(Located::at(
                file,
                text,
                0..0,
                "signpost".into(),
                "no [[signpost]] entry: nothing to watch".into(),
            ))));
        }
        let mut watches = Vec::new();
        for s in raw.signpost {
            if let Err(e) = Watch::parse(world, s.watch.get_ref()) {
                let why = match e {
                    PlayError::Watch { why, .. } => why,
                    e => e.to_string(),
                };
                return Err(PlayError::Signposts(Box::new(Located::at(
                    file,
                    text,
                    s.watch.span(),
                    "signpost.watch".into(),
                    format!("{:?}: {why}", s.watch.get_ref()),
                ))));
            }
            watches.push(s.watch.into_inner());
        }
        Ok((watches, raw.not_watched))
    }
}

/// The signpost subject of an outcome column `STATE.KIND.SUBJECT@QUARTER`, if a game can watch it.
pub fn outcome_subject(column: &str) -> Result<String, String> {
    let name = column.split('@').next().unwrap_or(column);
    let parts: Vec<&str> = name.split('.').collect();
    let [state, kind, subject] = parts[..] else {
        return Err("not an outcome column STATE.KIND.SUBJECT@QUARTER".into());
    };
    match kind {
        "dominant" | "base" | "transit" => Ok(format!("{state}.{kind}={subject}")),
        "bloc" => Ok(format!("{state}.member={subject}")),
        "share" => Ok(format!("{state}.share.{subject}")),
        _ => Err(format!(
            "outcome `{kind}` is not one a game measures (dominant, base, transit, bloc, share)"
        )),
    }
}

/// A comparison operator a signpost accepts, as written (`>`, `>=`, `<`, `<=`), or why not.
pub fn watch_op(op: &str) -> Result<&str, String> {
    match op {
        ">" | ">=" | "<" | "<=" => Ok(op),
        _ => Err(format!(
            "`{op}`: a signpost compares with >, >=, < or <= (a share of runs is not tested for equality)"
        )),
    }
}

/// A level as a signpost takes it: within 0..=1.
pub fn level(x: f64) -> f64 {
    x.clamp(0.0, 1.0)
}

/// For an input the box restricts (a column of `experiments.csv`), the signposts that watch it, or
/// why none can. `lo`/`hi` are the box's limits where it narrows the input (`None`: that side is not
/// narrowed).
pub fn input_signposts(
    input: &str,
    lo: Option<f64>,
    hi: Option<f64>,
) -> Result<Vec<String>, String> {
    let parts: Vec<&str> = input.split('.').collect();
    match parts[..] {
        ["state", state, "alignment", pole] => {
            let mut out = Vec::new();
            // Rounded outward to 0.001, so every future of the box meets the signpost.
            if let Some(lo) = lo {
                let lo = (lo * 1e3).floor() / 1e3;
                out.push(format!("{state}.share.{pole} >= {}", level(lo)));
            }
            if let Some(hi) = hi {
                let hi = (hi * 1e3).ceil() / 1e3;
                out.push(format!("{state}.share.{pole} <= {}", level(hi)));
            }
            Ok(out)
        }
        ["model", ..] => Err("a coefficient of [model]: not observable during a game".into()),
        ["event", name, ..] => Err(format!(
            "a property of the event {name} (its hazard or effect): not observable during a game \
             (its strikes are in each turn's events)"
        )),
        ["reaction", name, ..] => Err(format!(
            "a property of the reaction rule {name}: not observable during a game (its firings are in \
             each turn's events; change it with play --set reaction.{name}.FIELD=VALUE)"
        )),
        ["lever", pole, state, key] => Err(format!(
            "a lever, not a state quantity: the players set it (play --set {pole}.{state}.{key}=VALUE)"
        )),
        ["policy"] => Err("the plan, not a state quantity: adopt it with play --policy NAME".into()),
        ["state", state, ..] => Err(format!(
            "a starting property of {state} that a game does not measure"
        )),
        _ => Err("not a quantity a game measures".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_and_starting_shares_map_to_signposts_and_the_rest_says_why_not() {
        assert_eq!(
            outcome_subject("TKM.dominant.Russia@2027Q4").unwrap(),
            "TKM.dominant=Russia"
        );
        assert_eq!(
            outcome_subject("UZB.bloc.CSTO@2027Q4").unwrap(),
            "UZB.member=CSTO"
        );
        assert_eq!(
            outcome_subject("KGZ.share.China@2027Q4").unwrap(),
            "KGZ.share.China"
        );
        assert!(outcome_subject("KGZ.hosted.Manas@2027Q4").is_err());
        assert!(watch_op("==").is_err() && watch_op(">=").is_ok());
        assert_eq!(
            input_signposts("state.KGZ.alignment.Russia", Some(0.40671), Some(0.5501)).unwrap(),
            ["KGZ.share.Russia >= 0.406", "KGZ.share.Russia <= 0.551"]
        );
        for (input, says) in [
            ("model.mood_sd", "coefficient"),
            ("event.spillover.hazard", "spillover"),
            (
                "lever.Russia.TJK.remittance_share",
                "--set Russia.TJK.remittance_share",
            ),
            ("policy", "--policy"),
        ] {
            let why = input_signposts(input, Some(0.1), None).unwrap_err();
            assert!(why.contains(says), "{input}: {why}");
        }
    }

    #[test]
    fn a_written_file_reads_back_and_a_bad_one_is_located() {
        let world = crate::scenario::builtin().unwrap().scenario.world;
        let file = Signposts {
            header: vec!["test".into()],
            signpost: vec![Signpost {
                watch: "TKM.dominant=Russia < 0.6".into(),
                from: "condition".into(),
            }],
            not_watched: vec![NotWatched {
                input: "model.mood_sd".into(),
                rule: "at least 0.1".into(),
                why: "a coefficient".into(),
            }],
        };
        let (watches, not) = Signposts::read(&world, &file.to_toml(), "s.toml").unwrap();
        assert_eq!(watches, ["TKM.dominant=Russia < 0.6"]);
        assert_eq!(not, file.not_watched);
        let bad = file.to_toml().replace("TKM.dominant", "TKX.dominant");
        let err = Signposts::read(&world, &bad, "s.toml")
            .unwrap_err()
            .to_string();
        let line = bad.lines().position(|l| l.contains("TKX")).unwrap() + 1;
        assert!(
            err.starts_with(&format!("s.toml:{line}:9: signpost.watch:")),
            "{err}"
        );
        assert!(err.contains("KAZ"), "{err}");
        let bad = file.to_toml().replace("from = ", "form = ");
        let err = Signposts::read(&world, &bad, "s.toml")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("s.toml:") && err.contains("form"), "{err}");
    }
}
