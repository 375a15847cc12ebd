//! The process exit codes every `autodev` command uses. One place, documented in the README.

/// Success; for `autodev gate`, the verdict is PASS.
pub const OK: u8 = 0;
/// The input was rejected (a validation code was printed), or `autodev gate` answered FAIL.
pub const REJECTED: u8 = 1;
/// Usage error or infrastructure problem (missing queue, unreadable file, git error, server unreachable).
/// Retrying after fixing the environment may succeed; the input itself was not judged.
pub const ERROR: u8 = 2;
