//! # submit
//!
//! Turns a task file (the shape of `fixtures/task_template.json`) or command-line flags into a task in the queue —
//! or into a list of [`Rejection`]s, each with a stable [`Code`] and a sentence that says how to fix it. A
//! rejected task never enters the queue. Used by the `autodev` CLI and by the Telegram bot.
//!
//! ```
//! use submit::{parse_task_file, Code};
//!
//! let err = parse_task_file(br#"{"intent": "fix", "work": "fix it", "targets": ["a.rs"], "colour": 1}"#)
//!     .unwrap_err();
//! assert_eq!(err.code, Code::UnknownField);
//! ```
//!
//! Validation rules (all of them are checked, and every problem is reported at once):
//! - `work`: at least [`MIN_WORK_WORDS`] words and [`MIN_WORK_CHARS`] characters, counted as Unicode characters
//!   after NFC normalisation (never bytes), so Hangul and other scripts are judged like English. In scripts written
//!   without spaces (Han, Kana) every two characters count as a word.
//! - `intent`: one of [`queue_core::Intent::ALL`].
//! - `targets`: at least one; repository-relative, no `..`, not absolute, not inside `.git/`, `.autodev_queue/`
//!   or `.autodev_ssot/`, and not reached through a symlink that leaves the repository.
//! - `repo` must be a git work tree, `base` must resolve to a commit.

mod rejection;
mod text;
mod validate;

pub use rejection::{Code, Rejection};
pub use text::{WorkStats, count_words};
pub use validate::{
    MAX_FIELD_CHARS, MAX_TARGETS, MAX_TASK_FILE_BYTES, MAX_WORK_CHARS, MIN_WORK_CHARS,
    MIN_WORK_WORDS, SubmitError, ValidateContext, parse_task_file, read_task_file, resolve_repo,
    submit, task_schema, validate,
};
