//! # gate
//!
//! autodev's gate decides whether a patch may go further: it applies the patch to a **clean checkout the gate
//! owns** (never the user's working tree), enforces the repository's policy, runs the repository's checks, and
//! answers PASS or FAIL with machine-readable reasons. Infrastructure problems are a [`GateError`] (exit 2,
//! ERROR), never a FAIL.
//!
//! ```
//! use gate::{Gate, GateConfig, GateRequest, ReasonCode};
//! # use std::process::Command;
//! # let dir = tempfile::tempdir().unwrap();
//! # let repo = dir.path();
//! # let git = |args: &[&str]| assert!(Command::new("git").args(["-c", "user.name=d", "-c", "user.email=d@x"])
//! #     .args(args).current_dir(repo).status().unwrap().success());
//! # std::fs::create_dir(repo.join("src")).unwrap();
//! # std::fs::write(repo.join("src/config.rs"), "const PORT: u16 = 0;\n").unwrap();
//! # git(&["init", "-q"]); git(&["add", "-A"]); git(&["commit", "-qm", "init"]);
//! // A repository whose HEAD has `src/config.rs` containing `const PORT: u16 = 0;`.
//! let patch = "--- a/src/config.rs\n+++ b/src/config.rs\n@@ -1 +1 @@\n-const PORT: u16 = 0;\n+const PORT: u16 = 8080;\n";
//! let gate = Gate::new(GateConfig::default());
//! let mut request = GateRequest::new(repo, "HEAD", patch);
//! request.allowed_paths = Some(vec!["src/config.rs".into()]);
//! let report = gate.check(&request).expect("the repository and base exist");
//! assert!(report.passed());
//!
//! // The same change aimed at a file outside the task's targets is refused before anything runs.
//! request.allowed_paths = Some(vec!["src/other.rs".into()]);
//! let report = gate.check(&request).unwrap();
//! assert_eq!(report.reason_codes(), vec![ReasonCode::PolicyOutsideTargets]);
//! assert_eq!(report.exit_code(), 1);
//! // The user's file was never touched: the gate works in its own checkout.
//! assert_eq!(std::fs::read_to_string(repo.join("src/config.rs")).unwrap(), "const PORT: u16 = 0;\n");
//! ```
//!
//! ## Pipeline ([`Gate::check`])
//! 1. Resolve the base commit; read `.autodev_ssot/policy.toml` and `.autodev_ssot/gate.toml` **at that commit**.
//! 2. Static policy on the patch text: size, parse, paths (protected, outside targets, escapes), modes
//!    (symlinks, executable bits), binary. Nothing is checked out or run for a refused patch.
//! 3. Lock a checkout slot and reset it to the base commit, untracked and ignored files removed.
//! 4. Refuse writes through symlinks present in the base tree; apply (strict or fuzzy); refuse a no-op.
//! 5. Run the checks (process group, time limit, scrubbed environment); the first failure stops the rest.
//!
//! ## Layout
//! - [`patch`]: unified-diff parser (a fuzz target; never panics); `patch_write` writes a parsed patch back
//!   ([`patch::Patch::to_git_bytes`]) for `git apply`.
//! - [`apply`]: strict and fuzzy hunk location and application, in memory.
//! - [`policy`]: `policy.toml`, [`DEFAULT_POLICY_TOML`], static rules.
//! - [`config`]: `gate.toml`, [`DEFAULT_GATE_TOML`], checks.
//! - [`report`]: [`GateReport`], [`Verdict`], [`ReasonCode`] — the stored `<id>.gate.json`.
//! - [`hook`]: pre-merge-commit / pre-push hooks.
//! - [`judge_policy`]: step 2 alone, for re-judging stored patch bytes (`autodev apply` does before committing).
//! - [`cli`]: `autodev gate` arguments and runner.
//!
//! ## Architecture invariants
//! - The user's working tree, index and HEAD are only ever read (`GIT_OPTIONAL_LOCKS=0`, no status/refresh).
//! - The policy that judges a patch comes from the base revision, which the patch cannot change.
//! - Every path the patch reads or writes (copy and rename sources included) is judged before anything is read;
//!   only regular files inside the checkout are ever read; `git apply` receives the re-serialised judged patch,
//!   never the raw input.
//! - Every git command runs with an explicit directory and a scrubbed environment.

pub mod apply;
mod checkout;
pub mod checks;
pub mod cli;
pub mod config;
pub mod error;
mod gate;
mod git;
pub mod hook;
mod judge;
pub mod patch;
mod patch_write;
pub mod policy;
pub mod report;
pub mod sandbox;
mod workdir;

pub use config::{DEFAULT_GATE_TOML, GateFile, SandboxConfig, SandboxMode};
pub use error::{GateError, Result};
pub use gate::{GATE_TOML_PATH, Gate, GateConfig, GateRequest, POLICY_PATH, default_work_root};
pub use git::{ensure_commit, scrubbed_git};
pub use hook::{
    HookKind, HookRun, InstallOptions, MAX_HOOK_STDIN_BYTES, install_hook, read_hook_stdin,
    run_hook, uninstall_hook,
};
pub use judge::{judge_patch, judge_policy, policy_at};
pub use policy::{DEFAULT_POLICY_TOML, Policy};
pub use report::{
    CheckResult, CheckStatus, GateReport, Reason, ReasonCode, Verdict, explain_reason,
};
