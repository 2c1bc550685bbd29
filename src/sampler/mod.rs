//! The contention-aware sampler.

pub mod record;

pub use record::{BenchRecord, ContentionReason, SampleRecord, SampleStatus};
