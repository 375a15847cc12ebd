//! autodev's worker: claims tasks from the queue and asks a local model server for patches.
//!
//! # Layout
//!
//! - [`backend`]: the model-server client (Ollama's native API or an OpenAI-compatible llama-server):
//!   streaming chat with progress, timeouts, busy retries and stable error codes.
//! - [`config`]: settings with one documented precedence and the source of each value.
//! - [`context`]: the base files, the file list and the prompt.
//! - [`edits`]: parsing the model's answer, applying its edits tolerantly, producing the exact diff.
//! - [`run`]: the loop — claim, prompt, edit, gate, retry with feedback, report.
//! - [`metrics`], [`progress`]: Prometheus metrics and the live terminal line.

pub mod backend;
pub mod config;
pub mod context;
pub mod edits;
pub mod http;
pub mod metrics;
pub mod progress;
pub mod run;

pub use config::{ConfigInputs, WorkerConfig};
pub use run::{RunOptions, RunSummary, TaskOutcome, Worker, WorkerError};
