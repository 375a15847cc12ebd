//! # protocol
//!
//! The words autodev's crates and processes exchange, in one leaf crate (it depends on nothing of ours): the
//! process [`exit_codes`], the gate's [`Verdict`] and [`ReasonCode`]s, the worker's [`WorkerCode`]s. Each code's wire name is derived once (`strum` + `serde`, `SCREAMING_SNAKE_CASE`) and is stable:
//! events, reports, metrics labels and scripts match on these strings, so a rename is a breaking change.
//!
//! ```
//! use protocol::ReasonCode;
//! assert_eq!(ReasonCode::CheckFailed.as_str(), "CHECK_FAILED");
//! assert_eq!("CHECK_FAILED".parse::<ReasonCode>(), Ok(ReasonCode::CheckFailed));
//! ```

pub mod exit_codes;
mod gate;
pub mod worker;

pub use gate::{GateVerdict, ReasonCode, Verdict};
pub use worker::WorkerCode;
