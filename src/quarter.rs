//! Calendar quarters (`2018Q1`): parsing, arithmetic and labels.

use std::fmt;
use std::str::FromStr;

/// A calendar quarter, stored as `year * 4 + (quarter - 1)` so that differences count quarters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Quarter(i32);

impl Quarter {
    /// The quarter `q` (1..=4) of `year`; `None` outside years 1..=9999 or quarters 1..=4.
    pub fn new(year: i32, q: u8) -> Option<Quarter> {
        ((1..=9999).contains(&year) && (1..=4).contains(&q))
            .then(|| Quarter(year * 4 + i32::from(q) - 1))
    }

    /// The calendar year.
    pub fn year(self) -> i32 {
        self.0.div_euclid(4)
    }

    /// The quarter of the year, 1..=4.
    pub fn q(self) -> u8 {
        // unwrap OK: rem_euclid(4) is in 0..4.
        u8::try_from(self.0.rem_euclid(4)).unwrap() + 1
    }

    /// The quarter `n` quarters later.
    pub fn plus(self, n: usize) -> Quarter {
        Quarter(self.0 + i32::try_from(n).unwrap_or(i32::MAX - self.0))
    }

    /// How many quarters `self` lies after `earlier` (negative if before).
    pub fn since(self, earlier: Quarter) -> i64 {
        i64::from(self.0) - i64::from(earlier.0)
    }
}

impl fmt::Display for Quarter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}Q{}", self.year(), self.q())
    }
}

/// Why a quarter label did not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a quarter: expected YEAR`Q`N, like 2018Q1 (year 1..=9999, N 1..=4)")]
pub struct BadQuarter(pub String);

impl FromStr for Quarter {
    type Err = BadQuarter;

    fn from_str(s: &str) -> Result<Quarter, BadQuarter> {
        let bad = || BadQuarter(s.to_string());
        let (year, q) = s.trim().split_once(['Q', 'q']).ok_or_else(bad)?;
        let year: i32 = year.parse().map_err(|_| bad())?;
        let q: u8 = q.parse().map_err(|_| bad())?;
        Quarter::new(year, q).ok_or_else(bad)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_round_trip() {
        let q: Quarter = "2018Q3".parse().unwrap();
        assert_eq!((q.year(), q.q()), (2018, 3));
        assert_eq!(q.to_string(), "2018Q3");
        assert_eq!(q.plus(2).to_string(), "2019Q1");
        assert_eq!(q.plus(2).since(q), 2);
    }

    #[test]
    fn rejects_malformed_labels() {
        for s in ["2018", "2018Q0", "2018Q5", "Q1", "abcdQ1", "2018Q1x", ""] {
            assert!(s.parse::<Quarter>().is_err(), "{s} parsed");
        }
    }
}
