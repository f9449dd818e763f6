//! Occurrences: every event, reaction and decision that can happen in a quarter, laid out as numbered
//! slots so that the update can flag them and the engine can count them without allocating.

use super::world::{EventTarget, World};

/// What kind of thing happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum OccurrenceKind {
    /// A scenario event struck (by hazard or inject).
    Event,
    /// A pole's reaction rule was set off.
    Reaction,
    /// A host admitted a named base.
    BaseOpened,
    /// A host evicted a named base, or its pole withdrew it.
    BaseClosed,
    /// A host opened a pole's transit route.
    TransitOpened,
    /// A host closed a pole's transit route.
    TransitClosed,
    /// A host joined a bloc.
    BlocJoined,
    /// A host left a bloc.
    BlocLeft,
}

impl OccurrenceKind {
    /// The name used in outputs.
    pub fn key(self) -> &'static str {
        match self {
            OccurrenceKind::Event => "event",
            OccurrenceKind::Reaction => "reaction",
            OccurrenceKind::BaseOpened => "base_opened",
            OccurrenceKind::BaseClosed => "base_closed",
            OccurrenceKind::TransitOpened => "transit_opened",
            OccurrenceKind::TransitClosed => "transit_closed",
            OccurrenceKind::BlocJoined => "bloc_joined",
            OccurrenceKind::BlocLeft => "bloc_left",
        }
    }
}

/// One slot: what, where, and which event, reaction, pole or bloc.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Occurrence {
    /// What happened.
    pub kind: OccurrenceKind,
    /// The host, or `None` for an event that strikes a pole.
    pub state: Option<usize>,
    /// Index of the event, reaction, base (`World::bases`), pole (transit) or bloc.
    pub subject: usize,
}

/// The numbering of all slots of a world.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Occurrences {
    /// Every slot, in index order.
    pub slots: Vec<Occurrence>,
    event: Vec<usize>,
    reaction: Vec<usize>,
    base: Vec<usize>,
    transit: Vec<usize>,
    bloc: Vec<Option<usize>>,
}

impl Occurrences {
    /// Numbers the slots of `world`: events, reactions, then per host bases, transit and blocs whose membership can change.
    pub fn new(world: &World) -> Occurrences {
        let (hs, ps) = (world.states.len(), world.poles.len());
        let mut o = Occurrences {
            slots: Vec::new(),
            event: Vec::new(),
            reaction: Vec::new(),
            base: Vec::new(),
            transit: Vec::new(),
            bloc: Vec::new(),
        };
        for (e, ev) in world.events.iter().enumerate() {
            match ev.target {
                EventTarget::Pole(_) => {
                    let slot = o.push(OccurrenceKind::Event, None, e);
                    o.event.extend(std::iter::repeat_n(slot, hs));
                }
                EventTarget::States => {
                    for h in 0..hs {
                        let slot = o.push(OccurrenceKind::Event, Some(h), e);
                        o.event.push(slot);
                    }
                }
            }
        }
        for r in 0..world.reactions.len() {
            for h in 0..hs {
                let slot = o.push(OccurrenceKind::Reaction, Some(h), r);
                o.reaction.push(slot);
            }
        }
        o.base = vec![0; world.bases.len()];
        for h in 0..hs {
            for b in (0..world.bases.len()).filter(|&b| world.bases[b].host == h) {
                o.base[b] = o.push(OccurrenceKind::BaseOpened, Some(h), b);
                o.push(OccurrenceKind::BaseClosed, Some(h), b);
            }
            for p in 0..ps {
                let slot = o.push(OccurrenceKind::TransitOpened, Some(h), p);
                o.push(OccurrenceKind::TransitClosed, Some(h), p);
                o.transit.push(slot);
            }
            for b in 0..world.blocs.len() {
                if world.bloc_changes(b) {
                    let slot = o.push(OccurrenceKind::BlocJoined, Some(h), b);
                    o.push(OccurrenceKind::BlocLeft, Some(h), b);
                    o.bloc.push(Some(slot));
                } else {
                    o.bloc.push(None);
                }
            }
        }
        o
    }

    fn push(&mut self, kind: OccurrenceKind, state: Option<usize>, subject: usize) -> usize {
        self.slots.push(Occurrence {
            kind,
            state,
            subject,
        });
        self.slots.len() - 1
    }

    /// Number of slots.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// True if the world has nothing that can happen.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// Slot of event `e` striking host `h` (any `h` for a pole event).
    pub fn event(&self, hs: usize, e: usize, h: usize) -> usize {
        self.event[e * hs + h]
    }

    /// Slot of reaction `r` set off in host `h`.
    pub fn reaction(&self, hs: usize, r: usize, h: usize) -> usize {
        self.reaction[r * hs + h]
    }

    /// Slot of named base `b` opened; closed is the next slot.
    pub fn base(&self, b: usize) -> usize {
        self.base[b]
    }

    /// Slot of a transit route of pole `p` opened in host `h`; closed is the next slot.
    pub fn transit(&self, ps: usize, h: usize, p: usize) -> usize {
        self.transit[h * ps + p]
    }

    /// Slot of host `h` joining bloc `b` (left is the next slot), if its membership can change
    /// (`World::bloc_changes`).
    pub fn bloc(&self, bs: usize, h: usize, b: usize) -> Option<usize> {
        self.bloc[h * bs + b]
    }
}
