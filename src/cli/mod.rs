//! placeholder

/// Runs the CLI and returns the process exit status.
pub fn main() -> i32 {
    0
}
