//! The state of one run between quarters: everything that changes, nothing that does not.

use super::world::World;

/// The mutable state of one run. Vectors are indexed `[h * poles + p]`, `[h * blocs + b]`,
/// `[h * reactions + r]`, or by `h` or `p` alone.
#[derive(Clone, Debug, PartialEq)]
pub struct RunState {
    /// Alignment shares, positive and summing to 1 over poles for each host.
    pub alignment: Vec<f64>,
    /// Political mood toward each pole, logit points (AR(1) noise).
    pub mood: Vec<f64>,
    /// Threat level per host, 0..=1.
    pub threat: Vec<f64>,
    /// Regime security per host, 0..=1.
    pub regime: Vec<f64>,
    /// Criticism of each host by each pole, ≥ 0.
    pub criticism: Vec<f64>,
    /// Economic capacity of each pole (1 = normal).
    pub economy: Vec<f64>,
    /// Presence of each pole in the region (1 = normal, 0 = withdrawn).
    pub presence: Vec<f64>,
    /// Bases hosted.
    pub bases: Vec<bool>,
    /// Transit routes open.
    pub transit: Vec<bool>,
    /// Bloc memberships.
    pub blocs: Vec<bool>,
    /// Number of blocs led by each pole that the host belongs to, `[h * poles + p]`: derived from
    /// `blocs` and kept in step with it by the update.
    pub memberships: Vec<u32>,
    /// Quarters each reaction stays active in each host, `[h * reactions + r]`.
    pub reaction_left: Vec<u32>,
}

impl RunState {
    /// The situation at the start of the scenario.
    pub fn initial(world: &World) -> RunState {
        let mut s = RunState {
            alignment: Vec::new(),
            mood: vec![0.0; world.states.len() * world.poles.len()],
            threat: Vec::new(),
            regime: Vec::new(),
            criticism: vec![0.0; world.states.len() * world.poles.len()],
            economy: vec![1.0; world.poles.len()],
            presence: vec![1.0; world.poles.len()],
            bases: Vec::new(),
            transit: Vec::new(),
            blocs: Vec::new(),
            memberships: vec![0; world.states.len() * world.poles.len()],
            reaction_left: vec![0; world.reactions.len() * world.states.len()],
        };
        for h in &world.states {
            s.alignment.extend_from_slice(&h.alignment);
            s.threat.push(h.threat_baseline);
            s.regime.push(h.regime_baseline);
            s.bases.extend_from_slice(&h.bases);
            s.transit.extend_from_slice(&h.transit);
            s.blocs.extend_from_slice(&h.blocs);
        }
        s.count_memberships(world);
        s
    }

    /// Resets to the start of `world` (a state built for the same world) without reallocating.
    pub fn reset(&mut self, world: &World) {
        self.mood.fill(0.0);
        self.criticism.fill(0.0);
        self.economy.fill(1.0);
        self.presence.fill(1.0);
        self.reaction_left.fill(0);
        let (ps, bs) = (world.poles.len(), world.blocs.len());
        for (h, host) in world.states.iter().enumerate() {
            self.alignment[h * ps..(h + 1) * ps].copy_from_slice(&host.alignment);
            self.bases[h * ps..(h + 1) * ps].copy_from_slice(&host.bases);
            self.transit[h * ps..(h + 1) * ps].copy_from_slice(&host.transit);
            self.blocs[h * bs..(h + 1) * bs].copy_from_slice(&host.blocs);
            self.threat[h] = host.threat_baseline;
            self.regime[h] = host.regime_baseline;
        }
        self.count_memberships(world);
    }

    /// Recomputes `memberships` from `blocs`.
    fn count_memberships(&mut self, world: &World) {
        let (ps, bs) = (world.poles.len(), world.blocs.len());
        self.memberships.fill(0);
        for h in 0..world.states.len() {
            for (bloc, &member) in world.blocs.iter().zip(&self.blocs[h * bs..(h + 1) * bs]) {
                self.memberships[h * ps + bloc.pole] += u32::from(member);
            }
        }
    }

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

    #[test]
    fn reset_restores_exactly_the_initial_state() {
        let sc = crate::scenario::builtin().unwrap().scenario;
        let world: &World = &sc.world;
        let fresh = RunState::initial(world);
        let mut used = fresh.clone();
        used.alignment.iter_mut().for_each(|a| *a = 0.5);
        used.mood.iter_mut().for_each(|m| *m = 1.0);
        used.bases.iter_mut().for_each(|b| *b = !*b);
        used.economy[0] = 0.3;
        used.reaction_left.iter_mut().for_each(|k| *k = 3);
        used.threat[0] = 0.9;
        used.reset(world);
        let expected = fresh.clone();
        assert_eq!(used, expected);
    }
}
