//! greatgame's integration tests, compiled as one test binary (each separate binary in `tests/` would
//! link the whole crate again; one binary builds in a fraction of the time). Each module is one area;
//! `cargo test --release --test it MODULE::` runs one of them.

mod block;
mod calibrate;
mod catalogue;
mod checks;
mod common;
mod compare;
mod deals;
mod determinism;
mod discover;
mod docs;
mod errors;
mod explore;
mod faults;
mod golden;
mod interrupt;
mod merge_trust;
mod model;
mod parameters;
mod play;
mod play_ensemble;
mod play_moves;
mod play_signposts;
mod precision;
mod properties;
mod report;
mod robust;
mod scenarios;
mod schema;
mod scripting;
mod sensitivity;
mod shards;
mod structure;
mod uncertain;
mod validation;
mod warnings;
