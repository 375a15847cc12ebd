//! queue-core integration tests: real files, real processes, real signals.
//!
//! Concurrency tests re-run this test binary as child processes (the ignored `child_entry` test reads its role
//! from the environment), so every claimer and submitter is a separate OS process.

// Test helpers outside #[test] functions panic on purpose: a failed setup is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod children;
mod concurrency;
mod corrupt;
mod crash;
mod disk;
mod log;
