//! The gate's single integration-test binary. Scenario fixtures live in `fixtures/gate/NNN_name/`.

// clippy's allow-unwrap-in-tests covers #[test] functions only, not the shared helpers in `common`.
#![expect(
    clippy::unwrap_used,
    reason = "test helpers panic on setup failure by design"
)]

mod cli;
mod common;
mod concurrency;
mod hooks;
mod probes;
mod processes;
mod sandbox;
mod scenarios;
