//! Signposts: conditions a game watches, checked each turn, saying in which quarter one was first met.
//!
//! Syntax (one condition per `--watch`): `SUBJECT OP LEVEL`, OP one of `>`, `>=`, `<`, `<=`, LEVEL a
//! number in 0..=1, SUBJECT one of
//! - `STATE.dominant=POLE`: the share of runs in which POLE has the largest share of STATE;
//! - `STATE.base=POLE`, `STATE.transit=POLE`: the share of runs in which STATE hosts POLE's base, or
//!   POLE's route through STATE is open;
//! - `STATE.member=BLOC`: the share of runs in which STATE belongs to BLOC;
//! - `STATE.share.POLE`: the mean share of STATE toward POLE over runs.
//!
//! For example `UZB.dominant=Russia > 0.5`: Russia leads Uzbekistan in more than half the runs.

use crate::model::{Check, Condition, During, Predicate, World};

use super::PlayError;

/// A parsed signpost.
#[derive(Clone, Debug, PartialEq)]
pub struct Watch {
    /// As the user wrote it.
    pub text: String,
    /// What is measured.
    pub subject: Subject,
    /// The comparison.
    pub op: Op,
    /// The level compared with.
    pub level: f64,
}

/// What a signpost measures.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Subject {
    /// The share of runs in which the predicate holds at the end of the quarter.
    Runs(Predicate),
    /// The mean share of state `h` toward pole `p`.
    MeanShare {
        /// State index.
        h: usize,
        /// Pole index.
        p: usize,
    },
}

/// A comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// `>`
    Above,
    /// `>=`
    AtLeast,
    /// `<`
    Below,
    /// `<=`
    AtMost,
}

impl Watch {
    /// Parses `text` against `world`.
    pub fn parse(world: &World, text: &str) -> Result<Watch, PlayError> {
        let bad = |why: String| PlayError::Watch {
            watch: text.into(),
            why,
        };
        let at = text.find(['<', '>']).ok_or_else(|| {
            bad("no comparison: expected `SUBJECT > LEVEL` (or >=, <, <=)".into())
        })?;
        let (left, right) = text.split_at(at);
        let (op, right) = match (right.as_bytes()[0], right.as_bytes().get(1)) {
            (b'>', Some(b'=')) => (Op::AtLeast, &right[2..]),
            (b'<', Some(b'=')) => (Op::AtMost, &right[2..]),
            (b'>', _) => (Op::Above, &right[1..]),
            _ => (Op::Below, &right[1..]),
        };
        let level: f64 = right
            .trim()
            .parse()
            .map_err(|_| bad(format!("`{}` is not a number", right.trim())))?;
        if !(0.0..=1.0).contains(&level) {
            return Err(bad(format!("level {level} is outside 0..=1")));
        }
        let left = left.trim();
        let (state, rest) = left.split_once('.').ok_or_else(|| {
            bad("expected STATE.dominant=POLE, STATE.base=POLE, STATE.transit=POLE, STATE.member=BLOC or STATE.share.POLE".into())
        })?;
        let h = world
            .states
            .iter()
            .position(|s| s.code == state)
            .ok_or_else(|| {
                let codes: Vec<&str> = world.states.iter().map(|s| s.code.as_str()).collect();
                bad(format!(
                    "no state `{state}`; expected one of: {}",
                    codes.join(", ")
                ))
            })?;
        let pole = |name: &str| {
            world.pole_index(name).ok_or_else(|| {
                bad(format!(
                    "no pole `{name}`; expected one of: {}",
                    world.poles.join(", ")
                ))
            })
        };
        let subject = match rest.split_once(['=', '.']) {
            Some(("dominant", name)) => Subject::Runs(Predicate::Dominant { h, p: pole(name)? }),
            Some(("base", name)) => Subject::Runs(Predicate::BaseHosted {
                h,
                p: Some(pole(name)?),
            }),
            Some(("transit", name)) => Subject::Runs(Predicate::TransitOpen {
                h,
                p: Some(pole(name)?),
            }),
            Some(("member", name)) => {
                let b = world.blocs.iter().position(|b| b.name == name).ok_or_else(|| {
                    let names: Vec<&str> = world.blocs.iter().map(|b| b.name.as_str()).collect();
                    bad(format!("no bloc `{name}`; expected one of: {}", names.join(", ")))
                })?;
                Subject::Runs(Predicate::Member { h, b: Some(b) })
            }
            Some(("share", name)) => Subject::MeanShare { h, p: pole(name)? },
            _ => {
                return Err(bad(format!(
                    "`{rest}`: expected dominant=POLE, base=POLE, transit=POLE, member=BLOC or share.POLE after the state"
                )))
            }
        };
        Ok(Watch {
            text: text.trim().into(),
            subject,
            op,
            level,
        })
    }

    /// Whether `value` meets the condition.
    pub fn met(&self, value: f64) -> bool {
        match self.op {
            Op::Above => value > self.level,
            Op::AtLeast => value >= self.level,
            Op::Below => value < self.level,
            Op::AtMost => value <= self.level,
        }
    }

    /// The check that counts the runs in which the predicate holds at the end of quarter `t`, if the
    /// signpost counts runs.
    pub fn check(&self, t: usize) -> Option<Check> {
        let Subject::Runs(predicate) = self.subject else {
            return None;
        };
        Some(Check {
            name: self.text.clone(),
            description: String::new(),
            kind: "watch".into(),
            state: String::new(),
            subject: String::new(),
            condition: Condition::State(predicate, During::End),
            from: t,
            to: t,
            min_share: None,
            max_share: None,
            holdout: false,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signposts_parse_and_compare() {
        let sc = crate::scenario::builtin().unwrap().scenario;
        let w = Watch::parse(&sc.world, "UZB.dominant=Russia > 0.5").unwrap();
        assert_eq!(w.subject, Subject::Runs(Predicate::Dominant { h: 3, p: 1 }));
        assert!(w.met(0.51) && !w.met(0.5));
        let w = Watch::parse(&sc.world, "KGZ.share.China<=0.3").unwrap();
        assert_eq!(w.subject, Subject::MeanShare { h: 1, p: 2 });
        assert!(w.met(0.3) && !w.met(0.31));
        assert!(Watch::parse(&sc.world, "KGZ.member=CSTO >= 0.9").is_ok());
        for (bad, says) in [
            ("UZB.dominant=Russia", "no comparison"),
            ("XX.dominant=Russia > 0.5", "KAZ"),
            ("UZB.dominant=Rome > 0.5", "NATO"),
            ("UZB.dominant=Russia > 2", "outside"),
            ("UZB.mood.NATO > 0.1", "expected dominant"),
        ] {
            let err = Watch::parse(&sc.world, bad).unwrap_err().to_string();
            assert!(err.contains(says), "{bad}: {err}");
        }
    }
}
