//! The model: the state of a run and its quarterly update, as pure functions over plain data.
//!
//! Owns: the checked world (`World`), the time-varying inputs of a policy option (`Plan`), the state of
//! a run or of a block of runs in lock-step (`State`, `RunState` for one run), one quarter's random draws
//! (`Shocks`, with normals from `Ziggurat`), what can happen (`Occurrences`) and the update itself
//! (`step`, written once over `Real`: `f64` for one run, `F64s` for a block). Must not: read files,
//! print, or hold global state; the engine decides which draws a run gets, the scenario module decides
//! what is valid. Every equation is in `docs/MODEL.md`.

mod check;
mod normal;
mod occurrence;
mod plan;
mod real;
mod shocks;
mod state;
mod update;
mod world;

pub use check::{Check, Condition, During, Predicate, Verdicts};
pub use normal::Ziggurat;
pub use occurrence::{Occurrence, OccurrenceKind, Occurrences};
pub use plan::{Plan, ReactionStrength};
pub use real::{ln, F64s, LaneMask, Lanes, Mask64s, Real, U64s, LANES};
pub use shocks::Shocks;
pub use state::{RunState, State};
pub use update::{
    base_values, effective_levers, pull, rest_point_affinity, softmax, step, step_portable,
    step_with, Isa, MAX_POLES,
};
pub use world::{
    Base, Bloc, BlocDate, CoefficientSpec, Coefficients, Decision, Event, EventTarget, HostState,
    Hysteresis, Lever, LeverSpec, Reaction, Tension, Toward, Trigger, World, COEFFICIENTS,
    COEFFICIENT_COUNT, LEVERS, LEVER_COUNT, MAX_USD_M,
};
