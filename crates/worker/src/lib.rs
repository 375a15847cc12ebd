//! autodev's worker: claims tasks from the queue and asks a local model server for patches.
//!
//! # Layout
//!
//! - [`backend`]: the model-server client (Ollama's native API or an OpenAI-compatible llama-server):
//!   streaming chat with progress, timeouts, busy retries and stable error codes.

pub mod backend;
