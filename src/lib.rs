//! greatgame: Monte Carlo simulation of how Central Asia's five states align between NATO, Russia and
//! China, driven by the levers and shocks documented in public policy papers.
//!
//! The library is the product; the binary only parses arguments and wires these modules together:
//! - [`scenario`]: reading and validating scenario files (all user-facing input errors);
//! - [`model`]: the state of a run and its quarterly update, pure functions;
//! - [`analysis`]: experiment designs, sensitivity indices, scenario discovery, robust comparison;
//! - [`calibrate`]: searching free parameters to meet declared checks;
//! - [`engine`]: runs, random streams, parallelism, aggregation;
//! - [`explore`]: design points over uncertain parameters, each simulated into a row of outcomes;
//! - [`shard`]: splitting a batch by run index and merging partial results exactly;
//! - [`stats`]: mergeable exact statistics;
//! - [`output`]: CSV, manifest and the readable table, written atomically;
//! - [`play`]: turn-by-turn games, branches, attribution and storylines;
//! - [`report`]: the HTML report of an output folder, rendered to a string.

pub mod analysis;
pub mod calibrate;
pub mod engine;
pub mod explore;
pub mod model;
pub mod output;
pub mod play;
pub mod quarter;
pub mod report;
pub mod scenario;
pub mod shard;
pub mod stats;
