//! The committed gate configuration (`perfgate.toml`).
