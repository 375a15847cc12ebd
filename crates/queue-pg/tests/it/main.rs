//! queue-pg's tests, against a real PostgreSQL (test-support starts one per test process).
//!
//! - `conformance`: the same tests run on the filesystem queue and on PostgreSQL.
//! - `processes`: 8 processes claiming 2,000 tasks; a holder stopped with SIGSTOP past its lease; workers killed
//!   at random while their connections are cut; an idle worker woken by LISTEN/NOTIFY.
//! - `schema`: init is idempotent, a newer schema is refused, a database without one is "not initialised".

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod children;
mod conformance;
mod processes;
mod schema;
