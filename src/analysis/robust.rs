//! Robust comparison.
