//! Experiment designs over the unit hypercube `[0, 1]^k`, and the mapping of unit coordinates through
//! the uncertain parameters' distributions ([`Distribution`]).
//!
//! Every design implements [`Design`]: its size, its dimension, and point `i` computed alone, in
//! `O(k)` work, without the other points. So a design can be cut into shards by index range and
//! streamed, and a point recomputed anywhere gives the same bits. Seeded designs draw point `i`'s
//! randomness from its own ChaCha8 stream.
//! - [`LatinHypercube`] (McKay, Beckman & Conover 1979): `n` points, each coordinate's `n` equal
//!   strata hit once; a seeded random permutation per column, a seeded jitter within the stratum.
//! - [`SobolDesign`] (Sobol 1967, Joe & Kuo 2008 direction numbers): a deterministic
//!   low-discrepancy sequence.
//! - [`Saltelli`] (Saltelli 2002; Saltelli et al. 2010): the `A`, `B` and `AB_i` matrices for
//!   first- and total-order Sobol indices, `N (k + 2)` points, plus `BA_i` for second-order ones,
//!   `N (2k + 2)`, in SALib's order.
//! - [`Morris`] (Morris 1991): `r` one-at-a-time trajectories of `k + 1` points on a `p`-level grid.
//! - [`Factorial`]: every combination of per-dimension levels.
//!
//! Must not: do I/O, or depend on what the coordinates mean; the caller maps them through
//! [`Distribution::quantile`].

mod distribution;
mod sobol;

pub use distribution::{normal_cdf, normal_quantile, Choices, Distribution};
pub use sobol::{Sobol, SobolDesign};

use super::{below, stream_rng, unit, AnalysisError, Purpose, Result};

/// A finite set of points in the unit hypercube, each computable from its index alone.
pub trait Design {
    /// Number of points.
    fn len(&self) -> u64;

    /// Whether the design has no points (never, for the designs here).
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number of coordinates of each point.
    fn dims(&self) -> usize;

    /// Writes point `index` (below `len()`) into `out` (`dims()` long), each coordinate in [0, 1].
    /// Panics if `index` is out of range.
    fn point(&self, index: u64, out: &mut [f64]);

    /// All points, one `Vec` each: for small designs and tests; stream larger ones by index.
    fn rows(&self) -> Vec<Vec<f64>> {
        (0..self.len())
            .map(|i| {
                let mut p = vec![0.0; self.dims()];
                self.point(i, &mut p);
                p
            })
            .collect()
    }
}

fn check_dims(dims: usize) -> Result<()> {
    if dims == 0 {
        return Err(AnalysisError::Invalid {
            name: "dimensions",
            value: dims.to_string(),
            allowed: "at least 1",
        });
    }
    Ok(())
}

/// A seeded Latin hypercube of `n` points in `k` dimensions: coordinate `d` of point `i` is
/// `(π_d(i) + U_{i,d}) / n` with `π_d` a random permutation of `0..n` and `U` uniform in [0, 1).
#[derive(Clone, Debug)]
pub struct LatinHypercube {
    seed: u64,
    /// `strata[d][i] = π_d(i)`.
    strata: Vec<Vec<u32>>,
}

impl LatinHypercube {
    /// `n ≥ 1` points in `dims ≥ 1` dimensions under `seed`. Holds `n · dims` stratum numbers.
    pub fn new(n: u32, dims: usize, seed: u64) -> Result<LatinHypercube> {
        check_dims(dims)?;
        if n == 0 {
            return Err(AnalysisError::Invalid {
                name: "latin hypercube points",
                value: n.to_string(),
                allowed: "at least 1",
            });
        }
        let mut rng = stream_rng(seed, Purpose::LhsPermutation, 0);
        let strata = (0..dims)
            .map(|_| {
                // Fisher–Yates.
                let mut p: Vec<u32> = (0..n).collect();
                for i in (1..p.len()).rev() {
                    let j = below(&mut rng, i as u64 + 1) as usize;
                    p.swap(i, j);
                }
                p
            })
            .collect();
        Ok(LatinHypercube { seed, strata })
    }
}

impl Design for LatinHypercube {
    fn len(&self) -> u64 {
        self.strata[0].len() as u64
    }

    fn dims(&self) -> usize {
        self.strata.len()
    }

    fn point(&self, index: u64, out: &mut [f64]) {
        let n = self.strata[0].len();
        assert!(index < n as u64, "latin hypercube point {index} of {n}");
        let mut rng = stream_rng(self.seed, Purpose::LhsJitter, index);
        for (x, column) in out.iter_mut().zip(&self.strata) {
            *x = (f64::from(column[index as usize]) + unit(&mut rng)) / n as f64;
        }
    }
}

/// Which matrix a point of a [`Saltelli`] design belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SaltelliRole {
    /// Row of `A`.
    A,
    /// Row of `AB_i`: `A` with column `i` taken from `B`.
    AB(usize),
    /// Row of `BA_i`: `B` with column `i` taken from `A` (second-order designs only).
    BA(usize),
    /// Row of `B`.
    B,
}

/// The Saltelli cross-sampling design for Sobol indices of `k` parameters: base matrices `A` and
/// `B` (`N × k`) are the first and last `k` coordinates of a `2k`-dimensional Sobol sequence, `AB_i`
/// is `A` with column `i` from `B`, and, for second-order indices, `BA_i` is `B` with column `i`
/// from `A` (Saltelli 2002). Points are grouped by base row, in SALib's order: row `j` gives
/// `A_j, AB_1j, …, AB_kj, [BA_1j, …, BA_kj,] B_j`. So `N (k + 2)` points, or `N (2k + 2)` with second
/// order, and a bootstrap resamples whole groups.
#[derive(Clone, Debug)]
pub struct Saltelli {
    base: Sobol,
    k: usize,
    n: u32,
    skip: u32,
    second_order: bool,
}

impl Saltelli {
    /// `n ≥ 2` base rows (a power of two balances the Sobol sequence best) for `k ≥ 1` parameters
    /// (`2k ≤ 256`), from Sobol point `skip` on (SALib skips `n` points; 0 keeps the origin in `A`
    /// and `B`), with the `BA_i` matrices if `second_order`.
    pub fn new(n: u32, k: usize, skip: u32, second_order: bool) -> Result<Saltelli> {
        check_dims(k)?;
        if n < 2 || skip.checked_add(n - 1).is_none() {
            return Err(AnalysisError::Invalid {
                name: "saltelli base rows",
                value: format!("{n} from {skip}"),
                allowed: "at least 2, all below 2^32",
            });
        }
        Ok(Saltelli {
            base: Sobol::new(2 * k)?,
            k,
            n,
            skip,
            second_order,
        })
    }

    /// Number of base rows `N`.
    pub fn base_rows(&self) -> u32 {
        self.n
    }

    /// Number of parameters `k`.
    pub fn parameters(&self) -> usize {
        self.k
    }

    /// Whether the design has the `BA_i` matrices for second-order indices.
    pub fn second_order(&self) -> bool {
        self.second_order
    }

    /// Points per base row: `k + 2`, or `2k + 2` with second order.
    pub fn group(&self) -> usize {
        if self.second_order {
            2 * self.k + 2
        } else {
            self.k + 2
        }
    }

    /// The base row and matrix of point `index`.
    pub fn role(&self, index: u64) -> (u32, SaltelliRole) {
        let group = self.group() as u64;
        let (row, c) = ((index / group) as u32, (index % group) as usize);
        let role = match c {
            0 => SaltelliRole::A,
            c if c == self.group() - 1 => SaltelliRole::B,
            c if c <= self.k => SaltelliRole::AB(c - 1),
            c => SaltelliRole::BA(c - 1 - self.k),
        };
        (row, role)
    }
}

impl Design for Saltelli {
    fn len(&self) -> u64 {
        u64::from(self.n) * self.group() as u64
    }

    fn dims(&self) -> usize {
        self.k
    }

    fn point(&self, index: u64, out: &mut [f64]) {
        assert!(
            index < self.len(),
            "saltelli point {index} of {}",
            self.len()
        );
        let (row, role) = self.role(index);
        let mut base = [0.0; Sobol::MAX_DIMS];
        let base = &mut base[..2 * self.k];
        self.base.point(self.skip + row, base);
        let (a, b) = base.split_at(self.k);
        match role {
            SaltelliRole::A => out.copy_from_slice(a),
            SaltelliRole::B => out.copy_from_slice(b),
            SaltelliRole::AB(i) => {
                out.copy_from_slice(a);
                out[i] = b[i];
            }
            SaltelliRole::BA(i) => {
                out.copy_from_slice(b);
                out[i] = a[i];
            }
        }
    }
}

/// Morris one-at-a-time trajectories on a grid of `p` levels `{0, 1/(p−1), …, 1}` with step
/// `Δ = p / (2(p − 1))` (Morris 1991). Trajectory `t` is a random base point, a random order of the
/// `k` factors and a random direction per factor: its `k + 1` points are the base and then the base
/// with the first `1, 2, …, k` factors (in that order) moved by `±Δ`. Point `t(k+1) + m` is step `m`
/// of trajectory `t`. Each trajectory draws from its own stream. [`Morris::spread`] chooses
/// spread-out trajectories among more candidates (Campolongo et al. 2007).
#[derive(Clone, Debug)]
pub struct Morris {
    k: usize,
    trajectories: u32,
    levels: u32,
    seed: u64,
    /// Candidate stream of each trajectory, when chosen by [`Morris::spread`]; else trajectory `t`
    /// is candidate `t`.
    chosen: Option<Vec<u32>>,
}

/// One Morris trajectory: base point, factor order, directions.
#[derive(Clone, Debug, PartialEq)]
pub struct Trajectory {
    /// Starting point.
    pub base: Vec<f64>,
    /// The factor moved at each step, in order.
    pub order: Vec<usize>,
    /// Per factor (by factor index): `true` if it moves up by `Δ`, `false` if down.
    pub up: Vec<bool>,
}

impl Morris {
    /// `trajectories ≥ 2` trajectories over `k ≥ 1` factors on an even number `levels` (2 to 1,000)
    /// of grid levels, under `seed`. Morris suggests 4 levels; Campolongo et al. (2007) 4 to 10
    /// trajectories, more for sharper rankings.
    pub fn new(k: usize, trajectories: u32, levels: u32, seed: u64) -> Result<Morris> {
        check_dims(k)?;
        if trajectories < 2 {
            return Err(AnalysisError::Invalid {
                name: "morris trajectories",
                value: trajectories.to_string(),
                allowed: "at least 2",
            });
        }
        if !(2..=1_000).contains(&levels) || !levels.is_multiple_of(2) {
            return Err(AnalysisError::Invalid {
                name: "morris levels",
                value: levels.to_string(),
                allowed: "an even number from 2 to 1000",
            });
        }
        Ok(Morris {
            k,
            trajectories,
            levels,
            seed,
            chosen: None,
        })
    }

    /// Like [`Morris::new`], but the `trajectories` are chosen among `candidates` (at most 1,000)
    /// random ones to spread over the grid, after Campolongo, Cariboni & Saltelli (2007): they
    /// maximise the sum of distances between trajectories (the distance of two trajectories being the
    /// sum of the Euclidean distances between their points). The exact maximum is combinatorial;
    /// this takes the farthest pair, then adds the candidate farthest from those taken, one at a
    /// time (the greedy forward selection of Ruano et al. 2012). Cost: `candidates² (k + 1)² k / 2`.
    pub fn spread(
        k: usize,
        trajectories: u32,
        levels: u32,
        candidates: u32,
        seed: u64,
    ) -> Result<Morris> {
        let all = Morris::new(k, candidates, levels, seed)?;
        if candidates < trajectories || candidates > 1_000 {
            return Err(AnalysisError::Invalid {
                name: "morris candidates",
                value: candidates.to_string(),
                allowed: "from the number of trajectories to 1000",
            });
        }
        let points: Vec<Vec<f64>> = (0..candidates)
            .map(|t| {
                let traj = all.trajectory(t);
                let mut flat = vec![0.0; (k + 1) * k];
                for (m, p) in flat.chunks_mut(k).enumerate() {
                    traj.point(m, levels, p);
                }
                flat
            })
            .collect();
        let c = candidates as usize;
        let mut distance = vec![0.0; c * c];
        for a in 0..c {
            for b in a + 1..c {
                let d: f64 = points[a]
                    .chunks(k)
                    .flat_map(|p| {
                        points[b].chunks(k).map(move |q| {
                            p.iter()
                                .zip(q)
                                .map(|(x, y)| (x - y) * (x - y))
                                .sum::<f64>()
                                .sqrt()
                        })
                    })
                    .sum();
                distance[a * c + b] = d;
                distance[b * c + a] = d;
            }
        }
        // The farthest pair (the first on ties), then greedy additions.
        let mut first = (0, 1);
        for a in 0..c {
            for b in a + 1..c {
                if distance[a * c + b] > distance[first.0 * c + first.1] {
                    first = (a, b);
                }
            }
        }
        let mut taken = vec![first.0, first.1];
        let mut total: Vec<f64> = (0..c)
            .map(|x| distance[x * c + first.0] + distance[x * c + first.1])
            .collect();
        while taken.len() < trajectories as usize {
            let mut best: Option<usize> = None;
            for x in (0..c).filter(|x| !taken.contains(x)) {
                if best.is_none_or(|b| total[x] > total[b]) {
                    best = Some(x);
                }
            }
            // unwrap OK: candidates ≥ trajectories, so some candidate is not taken yet.
            let next = best.unwrap();
            taken.push(next);
            for (x, t) in total.iter_mut().enumerate() {
                *t += distance[x * c + next];
            }
        }
        taken.sort_unstable();
        Ok(Morris {
            trajectories,
            chosen: Some(taken.into_iter().map(|t| t as u32).collect()),
            ..all
        })
    }

    /// Number of factors `k`.
    pub fn factors(&self) -> usize {
        self.k
    }

    /// Number of trajectories `r`.
    pub fn trajectories(&self) -> u32 {
        self.trajectories
    }

    /// The step `Δ = p / (2(p − 1))` in unit coordinates.
    pub fn delta(&self) -> f64 {
        f64::from(self.levels) / (2.0 * f64::from(self.levels - 1))
    }

    /// Trajectory `t` (below `trajectories()`).
    pub fn trajectory(&self, t: u32) -> Trajectory {
        assert!(
            t < self.trajectories,
            "morris trajectory {t} of {}",
            self.trajectories
        );
        let stream = self.chosen.as_ref().map_or(t, |c| c[t as usize]);
        let mut rng = stream_rng(self.seed, Purpose::Morris, u64::from(stream));
        let half = u64::from(self.levels / 2);
        let top = f64::from(self.levels - 1);
        let mut base = Vec::with_capacity(self.k);
        let mut up = Vec::with_capacity(self.k);
        for _ in 0..self.k {
            let rising = below(&mut rng, 2) == 0;
            // Rising factors start in the lower half of the levels, falling ones Δ = p/2 levels higher.
            let level = below(&mut rng, half) + if rising { 0 } else { half };
            base.push(level as f64 / top);
            up.push(rising);
        }
        let mut order: Vec<usize> = (0..self.k).collect();
        for i in (1..order.len()).rev() {
            let j = below(&mut rng, i as u64 + 1) as usize;
            order.swap(i, j);
        }
        Trajectory { base, order, up }
    }
}

impl Trajectory {
    /// Writes step `m` (0 to k) of the trajectory into `out`, with the grid's `levels`.
    fn point(&self, m: usize, levels: u32, out: &mut [f64]) {
        let top = f64::from(levels - 1);
        let shift = f64::from(levels / 2);
        out.copy_from_slice(&self.base);
        for &f in &self.order[..m] {
            let level = (self.base[f] * top).round() + if self.up[f] { shift } else { -shift };
            out[f] = level / top;
        }
    }
}

impl Design for Morris {
    fn len(&self) -> u64 {
        u64::from(self.trajectories) * (self.k as u64 + 1)
    }

    fn dims(&self) -> usize {
        self.k
    }

    fn point(&self, index: u64, out: &mut [f64]) {
        assert!(index < self.len(), "morris point {index} of {}", self.len());
        let group = self.k as u64 + 1;
        let t = (index / group) as u32;
        self.trajectory(t)
            .point((index % group) as usize, self.levels, out);
    }
}

/// A full factorial design: every combination of `levels[d]` equally spaced levels per dimension,
/// `0, 1/(L−1), …, 1` (the single level 0.5 when `L = 1`). The last dimension varies fastest.
#[derive(Clone, Debug)]
pub struct Factorial {
    levels: Vec<u32>,
    len: u64,
}

impl Factorial {
    /// The design with `levels[d] ≥ 1` levels in dimension `d`, at most 2⁴⁸ points in all.
    pub fn new(levels: Vec<u32>) -> Result<Factorial> {
        check_dims(levels.len())?;
        let len = levels
            .iter()
            .try_fold(1u64, |acc, &l| {
                acc.checked_mul(u64::from(l)).filter(|&n| n <= 1 << 48)
            })
            .filter(|&n| n > 0);
        match len {
            Some(len) => Ok(Factorial { levels, len }),
            None => Err(AnalysisError::Invalid {
                name: "factorial levels",
                value: format!("{levels:?}"),
                allowed: "at least 1 level per dimension and at most 2^48 points",
            }),
        }
    }
}

impl Design for Factorial {
    fn len(&self) -> u64 {
        self.len
    }

    fn dims(&self) -> usize {
        self.levels.len()
    }

    fn point(&self, index: u64, out: &mut [f64]) {
        assert!(index < self.len, "factorial point {index} of {}", self.len);
        let mut rest = index;
        for (x, &l) in out.iter_mut().zip(&self.levels).rev() {
            let level = rest % u64::from(l);
            rest /= u64::from(l);
            *x = if l == 1 {
                0.5
            } else {
                level as f64 / f64::from(l - 1)
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin_hypercube_is_stratified_seeded_and_addressable() {
        let lhs = LatinHypercube::new(50, 4, 9).unwrap();
        let rows = lhs.rows();
        for d in 0..4 {
            let mut seen = [false; 50];
            for p in &rows {
                let cell = (p[d] * 50.0) as usize;
                assert!(!seen[cell], "dimension {d}: stratum {cell} twice");
                seen[cell] = true;
            }
        }
        // Same seed, same design; point 17 alone equals row 17; another seed differs.
        assert_eq!(LatinHypercube::new(50, 4, 9).unwrap().rows(), rows);
        let mut p = [0.0; 4];
        lhs.point(17, &mut p);
        assert_eq!(p.as_slice(), rows[17].as_slice());
        assert_ne!(LatinHypercube::new(50, 4, 10).unwrap().rows(), rows);
    }

    #[test]
    fn saltelli_matrices_share_columns() {
        let s = Saltelli::new(8, 3, 8, false).unwrap();
        assert_eq!(s.len(), 8 * 5);
        let rows = s.rows();
        let sobol = Sobol::new(6).unwrap();
        let mut base = [0.0; 6];
        for j in 0..8 {
            sobol.point(8 + j as u32, &mut base);
            let group = &rows[j * 5..j * 5 + 5];
            assert_eq!(group[0], &base[..3]);
            assert_eq!(group[4], &base[3..]);
            for i in 0..3 {
                let ab = &group[1 + i];
                for c in 0..3 {
                    assert_eq!(ab[c], if c == i { base[3 + c] } else { base[c] });
                }
                assert_eq!(
                    s.role((j * 5 + 1 + i) as u64),
                    (j as u32, SaltelliRole::AB(i))
                );
            }
        }
    }

    /// Each trajectory moves one factor at a time by exactly ±Δ, each factor once, on the grid.
    #[test]
    fn morris_trajectories_move_one_factor_by_delta() {
        let m = Morris::new(5, 20, 4, 3).unwrap();
        let delta = m.delta();
        assert!((delta - 2.0 / 3.0).abs() < 1e-15);
        let rows = m.rows();
        for t in 0..20 {
            let traj = &rows[t * 6..t * 6 + 6];
            let mut moved = [false; 5];
            for step in 1..6 {
                let changed: Vec<usize> = (0..5)
                    .filter(|&d| traj[step][d] != traj[step - 1][d])
                    .collect();
                assert_eq!(changed.len(), 1);
                let d = changed[0];
                assert!(((traj[step][d] - traj[step - 1][d]).abs() - delta).abs() < 1e-12);
                assert!(!moved[d]);
                moved[d] = true;
            }
            for p in traj {
                for &x in p {
                    assert!((0.0..=1.0).contains(&x));
                    assert!(((x * 3.0).round() - x * 3.0).abs() < 1e-12, "off grid: {x}");
                }
            }
        }
    }

    /// The sum of distances between the trajectories of a design, as Campolongo et al. define it.
    fn spread_of(m: &Morris) -> f64 {
        let rows = m.rows();
        let g = m.factors() + 1;
        let mut total = 0.0;
        for a in 0..m.trajectories() as usize {
            for b in a + 1..m.trajectories() as usize {
                for p in &rows[a * g..(a + 1) * g] {
                    for q in &rows[b * g..(b + 1) * g] {
                        total += p
                            .iter()
                            .zip(q)
                            .map(|(x, y)| (x - y) * (x - y))
                            .sum::<f64>()
                            .sqrt();
                    }
                }
            }
        }
        total
    }

    /// Choosing 10 of 100 candidates spreads the trajectories further than taking the first 10
    /// (which is what `Morris::new` with the same seed does), and the chosen ones are still
    /// one-factor-at-a-time trajectories.
    #[test]
    fn spread_trajectories_are_farther_apart() {
        let plain = Morris::new(6, 10, 4, 12).unwrap();
        let spread = Morris::spread(6, 10, 4, 100, 12).unwrap();
        assert!(
            spread_of(&spread) > 1.05 * spread_of(&plain),
            "{} vs {}",
            spread_of(&spread),
            spread_of(&plain)
        );
        let rows = spread.rows();
        for t in 0..10 {
            for step in 1..7 {
                let changed =
                    (0..6).filter(|&d| rows[t * 7 + step][d] != rows[t * 7 + step - 1][d]);
                assert_eq!(changed.count(), 1);
            }
        }
        assert!(Morris::spread(6, 10, 4, 5, 12).is_err());
    }

    #[test]
    fn factorial_enumerates_every_combination() {
        let f = Factorial::new(vec![2, 3, 1]).unwrap();
        let rows = f.rows();
        assert_eq!(rows.len(), 6);
        assert_eq!(rows[0], [0.0, 0.0, 0.5]);
        assert_eq!(rows[1], [0.0, 0.5, 0.5]);
        assert_eq!(rows[5], [1.0, 1.0, 0.5]);
        // Equal-weight choices with as many levels as choices: each choice once.
        let c = Distribution::choices(vec![1.0, 2.0, 3.0, 4.0], &[1.0; 4]).unwrap();
        let f = Factorial::new(vec![4]).unwrap();
        let picked: Vec<f64> = f.rows().iter().map(|p| c.quantile(p[0])).collect();
        assert_eq!(picked, [1.0, 2.0, 3.0, 4.0]);
        assert!(Factorial::new(vec![2, 0]).is_err());
        assert!(Factorial::new(vec![1 << 30, 1 << 30]).is_err());
    }
}
