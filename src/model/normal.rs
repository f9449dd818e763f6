//! The standard normal sampler behind the mood innovations: Marsaglia and Tsang's ziggurat with 256
//! layers (G. Marsaglia, W. W. Tsang, "The Ziggurat Method for Generating Random Variables", *Journal
//! of Statistical Software* 5(8), 2000), built from IEEE operations and greatgame's own `exp` and `ln`.
//!
//! Ours rather than `rand_distr`'s for two reasons. Its draws then depend on nothing outside greatgame:
//! `rand_distr` calls the system's maths library for the rare draws outside the ziggurat's
//! rectangles, whose last bits differ between library versions. And it is about three times cheaper
//! per draw, which matters because a quarter draws one per state and pole.
//!
//! A draw takes one 64-bit word: its low 8 bits choose a layer, its top 53 bits a point across it. The
//! point is accepted at once in about 99% of draws; the rest test the wedge at the layer's edge, or
//! (from the base layer) sample the tail beyond `R`, taking further words.

use std::sync::OnceLock;

use rand::Rng;

use super::real;

/// Number of layers (a power of two: the layer is the word's low bits).
const LAYERS: usize = 256;
/// Where the tail starts: the right edge of layer 1 (Marsaglia and Tsang, table for 256 layers:
/// 3.6541528853610088, whose nearest `f64` this is).
const R: f64 = 3.654_152_885_361_009;
/// The area of every layer, the base layer's tail included (the same table).
const V: f64 = 4.928_673_233_99e-3;

/// The ziggurat's layers for the unnormalised density `f(x) = exp(−x²/2)`.
#[derive(Clone, Debug, PartialEq)]
pub struct Ziggurat {
    /// Layer `i` spans `|x| < x[i]`; `x[0] = V / f(R)` (the base layer as a rectangle of area `V`),
    /// `x[1] = R`, decreasing to `x[256] = 0`.
    x: [f64; LAYERS + 1],
    /// `f(x[i])`, with `f[0] = 0` so that the base layer's wedge test never runs (it samples the tail).
    f: [f64; LAYERS + 1],
}

impl Ziggurat {
    /// The layers, computed by the recurrence `x[i+1] = f⁻¹(V / x[i] + f(x[i]))`. Every operation is
    /// an IEEE operation or greatgame's own `exp` and `ln`, so the tables are the same bits everywhere.
    pub fn new() -> Ziggurat {
        let density = |x: f64| real::exp(-0.5 * x * x);
        let mut x = [0.0; LAYERS + 1];
        x[0] = V / density(R);
        x[1] = R;
        for i in 1..LAYERS - 1 {
            x[i + 1] = (-2.0 * real::ln(V / x[i] + density(x[i]))).sqrt();
        }
        x[LAYERS] = 0.0;
        let mut f = x.map(density);
        f[0] = 0.0;
        Ziggurat { x, f }
    }

    /// The layers, computed once per process and shared: every world's quarter buffers (`Shocks`)
    /// read the same tables, and a world is built per design point or ensemble member, where
    /// computing them each time (about 45,000 instructions) was 1.4% of a run with the ensemble.
    pub fn shared() -> &'static Ziggurat {
        static LAYERS_ONCE: OnceLock<Ziggurat> = OnceLock::new();
        LAYERS_ONCE.get_or_init(Ziggurat::new)
    }

    /// One standard normal draw from `rng`.
    #[inline(always)]
    pub fn sample<G: Rng + ?Sized>(&self, rng: &mut G) -> f64 {
        loop {
            let word = rng.next_u64();
            let i = (word & (LAYERS as u64 - 1)) as usize;
            // A point across the layer: a uniform on [−1, 1) from the top 53 bits, exactly.
            let u = 2.0 * unit(word) - 1.0;
            let x = u * self.x[i];
            if x.abs() < self.x[i + 1] {
                return x;
            }
            if i == 0 {
                return self.tail(rng, u < 0.0);
            }
            // The wedge between the layer's rectangle and the curve: accept below the curve.
            let y = self.f[i] + (self.f[i + 1] - self.f[i]) * unit(rng.next_u64());
            if y < real::exp(-0.5 * x * x) {
                return x;
            }
        }
    }

    /// A draw from the tail beyond `R` (Marsaglia's method), negative if `negative`.
    #[cold]
    fn tail<G: Rng + ?Sized>(&self, rng: &mut G, negative: bool) -> f64 {
        loop {
            let x = -real::ln(open_unit(rng.next_u64())) / R;
            let y = -real::ln(open_unit(rng.next_u64()));
            if 2.0 * y > x * x {
                return if negative { -(R + x) } else { R + x };
            }
        }
    }
}

impl Default for Ziggurat {
    fn default() -> Ziggurat {
        Ziggurat::new()
    }
}

/// 2⁻⁵³, exactly.
const TWO_TO_MINUS_53: f64 = 1.0 / 9_007_199_254_740_992.0;

/// A uniform on [0, 1) from the top 53 bits of `word`, exactly a multiple of 2⁻⁵³.
#[inline(always)]
fn unit(word: u64) -> f64 {
    (word >> 11) as f64 * TWO_TO_MINUS_53
}

/// A uniform on (0, 1) from the top 52 bits of `word`: the midpoints `(k + ½)·2⁻⁵²`, exact (53
/// significant bits), never 0 or 1, so that its logarithm is finite and negative.
#[inline(always)]
fn open_unit(word: u64) -> f64 {
    ((word >> 12) as f64 + 0.5) * (2.0 * TWO_TO_MINUS_53)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn the_layers_have_the_stated_area_and_shape() {
        let z = Ziggurat::new();
        let f = |x: f64| real::exp(-0.5 * x * x);
        assert_eq!(z.x[1], R);
        assert_eq!(z.x[LAYERS], 0.0);
        for i in 1..LAYERS {
            assert!(z.x[i + 1] < z.x[i], "layer edges decrease at {i}");
            assert!(z.f[i + 1] > z.f[i], "heights increase at {i}");
        }
        // Every layer above the base has area V: width x[i] times its height f(x[i+1]) - f(x[i]).
        // The recurrence makes it so for layers 1 to 254, to rounding.
        for i in 1..LAYERS - 1 {
            let area = z.x[i] * (f(z.x[i + 1]) - f(z.x[i]));
            assert!(
                (area - V).abs() < 1e-15,
                "layer {i}: area {area} against {V}"
            );
        }
        // The top layer, closed by x[256] = 0, misses V by 5·10⁻¹² (10⁻⁹ of V): the precision of R
        // and V as published, a bias far below anything Monte Carlo can see.
        let top = z.x[LAYERS - 1] * (1.0 - f(z.x[LAYERS - 1]));
        assert!((top - V).abs() < 1e-11, "top layer area {top} against {V}");
    }

    #[test]
    fn the_shared_layers_are_the_computed_ones_and_computed_once() {
        assert_eq!(*Ziggurat::shared(), Ziggurat::new());
        assert!(std::ptr::eq(Ziggurat::shared(), Ziggurat::shared()));
    }

    #[test]
    fn draws_follow_the_standard_normal() {
        // Φ at a few points (to 16 digits), from the left tail through the centre to beyond R.
        let cdf = [
            (-3.7, 1.078_415_413_363_179e-4),
            (-2.5, 6.209_665_325_776_132e-3),
            (-2.0, 2.275_013_194_817_921e-2),
            (-1.0, 0.158_655_253_931_457_05),
            (-0.3, 0.382_088_577_811_047_5),
            (0.0, 0.5),
            (0.5, 0.691_462_461_274_013_1),
            (1.5, 0.933_192_798_731_141_9),
            (3.0, 0.998_650_101_968_369_9),
            (3.7, 0.999_892_158_458_663_7),
        ];
        let z = Ziggurat::new();
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
        let n = 4_000_000;
        let mut below = [0u64; 10];
        let (mut sum, mut sum_sq, mut beyond_r) = (0.0, 0.0, 0u64);
        for _ in 0..n {
            let x = z.sample(&mut rng);
            sum += x;
            sum_sq += x * x;
            beyond_r += u64::from(x.abs() > R);
            for (count, &(at, _)) in below.iter_mut().zip(&cdf) {
                *count += u64::from(x < at);
            }
        }
        let n_f = n as f64;
        for (&count, &(at, p)) in below.iter().zip(&cdf) {
            let se = (p * (1.0 - p) / n_f).sqrt();
            let got = count as f64 / n_f;
            assert!(
                (got - p).abs() < 5.0 * se,
                "P(x < {at}) = {got}, want {p} (se {se})"
            );
        }
        let mean = sum / n_f;
        let var = sum_sq / n_f - mean * mean;
        assert!(mean.abs() < 5.0 / n_f.sqrt(), "mean {mean}");
        assert!(
            (var - 1.0).abs() < 5.0 * (2.0 / n_f).sqrt(),
            "variance {var}"
        );
        // The tail beyond R (2·(1 − Φ(R)) = 2.5802e-4) is sampled, in both directions.
        let p_tail = 2.580_2e-4;
        let se = (p_tail / n_f).sqrt();
        assert!(
            (beyond_r as f64 / n_f - p_tail).abs() < 5.0 * se,
            "tail share {beyond_r}"
        );
    }

    #[test]
    fn the_uniforms_are_exact_and_the_open_one_never_zero() {
        assert_eq!(unit(0), 0.0);
        assert_eq!(unit(u64::MAX), 1.0 - TWO_TO_MINUS_53);
        assert_eq!(unit(1 << 63), 0.5);
        assert_eq!(open_unit(0), TWO_TO_MINUS_53);
        assert_eq!(open_unit(u64::MAX), 1.0 - TWO_TO_MINUS_53);
        assert!(real::ln(open_unit(0)).is_finite());
        assert!(real::ln(open_unit(u64::MAX)) < 0.0);
    }
}
