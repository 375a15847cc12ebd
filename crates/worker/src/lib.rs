//! autodev's worker: claims tasks from the queue and asks a local model server for patches.
//!
//! The model never writes a diff. It answers with SEARCH/REPLACE edits; the worker applies them to the base files
//! with tolerant matching and computes the exact diff itself, which the gate then judges:
//!
//! ```
//! use worker::edits::{apply_answer, parse_answer, unified_diff};
//!
//! let answer = parse_answer(r#"Here you go:
//! ```json
//! {"edits": [{"path": "src/config.rs", "search": "const PORT: u16 = 0;", "replace": "const PORT: u16 = 8080;"}]}
//! ```"#).unwrap();
//! let targets = vec!["src/config.rs".to_string()];
//! // Trailing whitespace in the file does not stop the match (the second matching pass ignores it).
//! let base = |_: &str| Some(b"const PORT: u16 = 0;   \nfn main() {}\n".to_vec());
//! let changes = apply_answer(&answer, &targets, base).unwrap();
//! let diff = unified_diff(&changes);
//! assert!(diff.contains("+const PORT: u16 = 8080;"));
//!
//! // An edit outside the task's targets is refused with a code the model is told about.
//! let bad = parse_answer(r#"{"edits": [{"path": "build.rs", "search": "", "replace": "evil"}]}"#).unwrap();
//! let errors = apply_answer(&bad, &targets, |_: &str| None).unwrap_err();
//! assert_eq!(errors[0].code.as_str(), "EDIT_OUTSIDE_TARGETS");
//! ```
//!
//! To run the whole loop from your own code (queue → model → gate), see `examples/embed.rs`.
//!
//! # Layout
//!
//! - [`backend`]: the model-server client (Ollama's native API or an OpenAI-compatible llama-server):
//!   streaming chat with progress, timeouts, busy retries and stable error codes.
//! - [`config`]: settings with one documented precedence and the source of each value.
//! - [`context`]: the base files, the file list and the prompt.
//! - [`edits`]: parsing the model's answer, applying its edits tolerantly, producing the exact diff.
//! - [`run`]: the loop — claim, prompt, edit, gate, retry with feedback, report.
//! - [`stubs`]: functions whose body is only a placeholder, pointed out in the prompt when the request names them.
//! - [`agree`]: choosing among passing candidates by their `[[probe]]` output (the behaviour most share).
//! - [`metrics`], [`progress`]: Prometheus metrics and the live terminal line.

pub mod agree;
pub mod backend;
pub mod config;
pub mod context;
pub mod defs;
pub mod edits;
pub mod http;
pub mod lang;
pub mod metrics;
pub mod progress;
pub mod regions;
pub mod run;
pub mod stubs;
pub mod whole;

pub use config::{ConfigInputs, WorkerConfig};
pub use run::{RunOptions, RunSummary, TaskOutcome, Worker, WorkerError};
/// The shutdown signal [`Worker::run`] takes (re-exported so embedders need no tokio-util of their own).
pub use tokio_util::sync::CancellationToken;
