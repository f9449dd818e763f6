//! PRIM scenario discovery.
