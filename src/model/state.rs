//! The state of a run, or of a block of runs in lock-step, between quarters: everything that changes,
//! nothing that does not. One type, `State<R>`, at either width of `Real`: `RunState` (`R = f64`) is one
//! run, the readable reference; `State<F64s>` holds `LANES` runs, one per lane, and is what the engine
//! advances. `lane` reads one run out of a block as a `RunState`.

use super::real::Real;
use super::world::World;

/// The mutable state of one run (`R = f64`) or of a block of runs (one lane per run). Vectors are
/// indexed `[h * poles + p]`, `[h * blocs + b]`, `[h * reactions + r]`, or by `h` or `p` alone.
#[derive(Clone, Debug, PartialEq)]
pub struct State<R: Real> {
    /// Alignment shares, positive and summing to 1 over poles for each host.
    pub alignment: Vec<R>,
    /// Political mood toward each pole, logit points (AR(1) noise).
    pub mood: Vec<R>,
    /// Threat level per host, 0..=1.
    pub threat: Vec<R>,
    /// Regime security per host, 0..=1.
    pub regime: Vec<R>,
    /// Criticism of each host by each pole, ≥ 0.
    pub criticism: Vec<R>,
    /// Economic capacity of each pole (1 = normal).
    pub economy: Vec<R>,
    /// Presence of each pole in the region (1 = normal, 0 = withdrawn).
    pub presence: Vec<R>,
    /// Grievance of each host toward each pole: remembered pressure, ≥ 0.
    pub grievance: Vec<R>,
    /// Extra hedging of each host from trust shocks, ≥ 0 (added to `hedging_weight`).
    pub hedging: Vec<R>,
    /// Tension of each dispute (`World::tensions`), 0..=1.
    pub tension: Vec<R>,
    /// Whether the host hosts any base of the pole, `[h * poles + p]`: derived from `hosted` and kept
    /// in step with it by the update.
    pub bases: Vec<R::Mask>,
    /// Named bases hosted, by base (`World::bases`).
    pub hosted: Vec<R::Mask>,
    /// Transit routes open.
    pub transit: Vec<R::Mask>,
    /// Bloc memberships.
    pub blocs: Vec<R::Mask>,
    /// Number of blocs led by each pole that the host belongs to, `[h * poles + p]`: derived from
    /// `blocs` and kept in step with it by the update. Whole numbers, held as numbers because the pull
    /// uses them as such (exact: they are small).
    pub memberships: Vec<R>,
    /// Quarters each reaction stays active in each host, `[h * reactions + r]`.
    pub reaction_left: Vec<R::Count>,
}

/// The state of one run.
pub type RunState = State<f64>;

impl<R: Real> State<R> {
    /// The situation at the start of the scenario, in every lane.
    pub fn initial(world: &World) -> State<R> {
        let (hs, ps) = (world.states.len(), world.poles.len());
        let mut s = State {
            alignment: vec![R::splat(0.0); hs * ps],
            mood: vec![R::splat(0.0); hs * ps],
            threat: vec![R::splat(0.0); hs],
            regime: vec![R::splat(0.0); hs],
            criticism: vec![R::splat(0.0); hs * ps],
            economy: vec![R::splat(1.0); ps],
            presence: vec![R::splat(1.0); ps],
            grievance: vec![R::splat(0.0); hs * ps],
            hedging: vec![R::splat(0.0); hs],
            tension: vec![R::splat(0.0); world.tensions.len()],
            bases: vec![R::splat_mask(false); hs * ps],
            hosted: vec![R::splat_mask(false); world.bases.len()],
            transit: vec![R::splat_mask(false); hs * ps],
            blocs: vec![R::splat_mask(false); hs * world.blocs.len()],
            memberships: vec![R::splat(0.0); hs * ps],
            reaction_left: vec![R::splat_count(0); world.reactions.len() * hs],
        };
        s.reset(world);
        s
    }

    /// Resets every lane to the start of `world` (a state built for the same world) without
    /// reallocating.
    pub fn reset(&mut self, world: &World) {
        self.mood.fill(R::splat(0.0));
        self.criticism.fill(R::splat(0.0));
        for (x, pair) in self.tension.iter_mut().zip(&world.tensions) {
            *x = R::splat(pair.level);
        }
        self.bases.fill(R::splat_mask(false));
        for (hosted, base) in self.hosted.iter_mut().zip(&world.bases) {
            *hosted = R::splat_mask(base.hosted);
            let cell = &mut self.bases[base.host * world.poles.len() + base.pole];
            *cell = *cell | R::splat_mask(base.hosted);
        }
        self.economy.fill(R::splat(1.0));
        self.presence.fill(R::splat(1.0));
        self.reaction_left.fill(R::splat_count(0));
        let (ps, bs) = (world.poles.len(), world.blocs.len());
        let splat = |to: &mut [R::Mask], from: &[bool]| {
            to.iter_mut()
                .zip(from)
                .for_each(|(m, &b)| *m = R::splat_mask(b))
        };
        let values = |to: &mut [R], from: &[f64]| {
            to.iter_mut().zip(from).for_each(|(a, &x)| *a = R::splat(x))
        };
        for (h, host) in world.states.iter().enumerate() {
            values(&mut self.alignment[h * ps..(h + 1) * ps], &host.alignment);
            splat(&mut self.transit[h * ps..(h + 1) * ps], &host.transit);
            splat(&mut self.blocs[h * bs..(h + 1) * bs], &host.blocs);
            self.threat[h] = R::splat(host.threat_baseline);
            self.regime[h] = R::splat(host.regime_baseline);
            self.hedging[h] = R::splat(host.hedging);
            values(&mut self.grievance[h * ps..(h + 1) * ps], &host.grievance);
            // Each pole's count of the blocs it leads that the host starts in (those it sees as
            // economic only count 0: `HostState::tie`).
            let counts = &mut self.memberships[h * ps..(h + 1) * ps];
            counts.fill(R::splat(0.0));
            for (b, (bloc, &member)) in world.blocs.iter().zip(&host.blocs).enumerate() {
                if member {
                    counts[bloc.pole] = counts[bloc.pole] + R::splat(host.tie(b));
                }
            }
        }
    }

    /// Run `i` of the block (lane `i`) as the state of one run, written into `run` (a state of the
    /// same world), reusing its buffers. The one way a lane is read out: the engine's checks, final
    /// states and tallies, and the test that every lane equals the reference update, all use it.
    pub fn lane(&self, i: usize, run: &mut RunState) {
        // Destructured whole, so that a field added to `State` and left out here does not compile.
        let State {
            alignment,
            mood,
            threat,
            regime,
            criticism,
            economy,
            presence,
            grievance,
            hedging,
            tension,
            bases,
            hosted,
            transit,
            blocs,
            memberships,
            reaction_left,
        } = self;
        let values = |to: &mut Vec<f64>, from: &[R]| {
            to.clear();
            to.extend(from.iter().map(|x| x.lane(i)));
        };
        values(&mut run.alignment, alignment);
        values(&mut run.mood, mood);
        values(&mut run.threat, threat);
        values(&mut run.regime, regime);
        values(&mut run.criticism, criticism);
        values(&mut run.economy, economy);
        values(&mut run.presence, presence);
        values(&mut run.memberships, memberships);
        values(&mut run.grievance, grievance);
        values(&mut run.hedging, hedging);
        values(&mut run.tension, tension);
        let masks = |to: &mut Vec<bool>, from: &[R::Mask]| {
            to.clear();
            to.extend(from.iter().map(|&m| R::mask_lane(m, i)));
        };
        masks(&mut run.bases, bases);
        masks(&mut run.hosted, hosted);
        masks(&mut run.transit, transit);
        masks(&mut run.blocs, blocs);
        run.reaction_left.clear();
        run.reaction_left
            .extend(reaction_left.iter().map(|&k| R::count_lane(k, i)));
    }
}

impl RunState {
    /// Index of the pole with the largest share in host `h` (the first on ties).
    pub fn dominant(&self, world: &World, h: usize) -> usize {
        let p = world.poles.len();
        let row = &self.alignment[h * p..(h + 1) * p];
        let mut best = 0;
        for (i, a) in row.iter().enumerate() {
            if a.total_cmp(&row[best]).is_gt() {
                best = i;
            }
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::real::{F64s, LANES};

    #[test]
    fn reset_restores_exactly_the_initial_state() {
        let sc = crate::scenario::builtin().unwrap().scenario;
        let world: &World = &sc.world;
        let fresh = RunState::initial(world);
        let mut used = fresh.clone();
        used.alignment.iter_mut().for_each(|a| *a = 0.5);
        used.mood.iter_mut().for_each(|m| *m = 1.0);
        used.bases.iter_mut().for_each(|b| *b = !*b);
        used.hosted.iter_mut().for_each(|b| *b = !*b);
        used.grievance.iter_mut().for_each(|g| *g = 2.0);
        used.blocs.iter_mut().for_each(|b| *b = !*b);
        used.memberships.iter_mut().for_each(|k| *k += 1.0);
        used.economy[0] = 0.3;
        used.reaction_left.iter_mut().for_each(|k| *k = 3);
        used.threat[0] = 0.9;
        used.reset(world);
        assert_eq!(used, fresh);
    }

    #[test]
    fn every_lane_of_a_fresh_block_is_the_initial_run() {
        let sc = crate::scenario::builtin().unwrap().scenario;
        let world: &World = &sc.world;
        let fresh = RunState::initial(world);
        assert!(fresh.memberships.iter().any(|&k| k > 0.0));
        let block = State::<F64s>::initial(world);
        let mut run = fresh.clone();
        run.alignment.clear();
        for i in 0..LANES {
            block.lane(i, &mut run);
            assert_eq!(format!("{run:?}"), format!("{fresh:?}"), "lane {i}");
        }
    }
}
