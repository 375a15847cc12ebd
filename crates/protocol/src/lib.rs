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

/// `as_str()` (the wire name), `all()` and `Display` for a code enum deriving strum's `IntoStaticStr` and
/// `EnumIter`: one definition, so every code type spells itself the same way.
macro_rules! wire_names {
    ($($t:ty),+ $(,)?) => {$(
        impl $t {
            /// The wire name.
            pub fn as_str(self) -> &'static str {
                self.into()
            }

            /// Every value, in declaration order.
            pub fn all() -> impl Iterator<Item = $t> {
                <$t as strum::IntoEnumIterator>::iter()
            }
        }

        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    )+};
}

pub mod exit_codes;
mod gate;
pub mod worker;

pub use gate::{GateVerdict, ReasonCode, Verdict};
pub use worker::WorkerCode;
