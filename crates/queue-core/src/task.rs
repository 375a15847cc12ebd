//! The task file people write ([`TaskSpec`]) and the record the queue stores ([`Task`]).

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::TaskId;

/// What kind of change a task asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Intent {
    /// Repair a bug.
    Fix,
    /// Add a capability.
    Feat,
    /// Restructure code without changing behaviour.
    Refactor,
    /// Add or repair tests.
    Test,
    /// Write or correct documentation.
    Docs,
    /// Make something faster or smaller.
    Perf,
    /// Maintenance: dependencies, build files, formatting.
    Chore,
}

impl Intent {
    /// Every intent, in the order `--help` lists them.
    pub const ALL: [Intent; 7] = [
        Intent::Fix,
        Intent::Feat,
        Intent::Refactor,
        Intent::Test,
        Intent::Docs,
        Intent::Perf,
        Intent::Chore,
    ];

    /// The lowercase name used in task files and commands.
    pub fn as_str(self) -> &'static str {
        match self {
            Intent::Fix => "fix",
            Intent::Feat => "feat",
            Intent::Refactor => "refactor",
            Intent::Test => "test",
            Intent::Docs => "docs",
            Intent::Perf => "perf",
            Intent::Chore => "chore",
        }
    }
}

impl fmt::Display for Intent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Intent {
    type Err = ();

    /// Case-insensitive; accepts the common synonyms `bug`, `bugfix`, `feature`, `doc`, `tests`.
    fn from_str(s: &str) -> Result<Self, ()> {
        let s = s.trim().to_ascii_lowercase();
        Ok(match s.as_str() {
            "fix" | "bug" | "bugfix" => Intent::Fix,
            "feat" | "feature" => Intent::Feat,
            "refactor" => Intent::Refactor,
            "test" | "tests" => Intent::Test,
            "docs" | "doc" => Intent::Docs,
            "perf" => Intent::Perf,
            "chore" => Intent::Chore,
            _ => return Err(()),
        })
    }
}

/// A task file as a person writes it (see `fixtures/task_template.json`).
///
/// Every field is optional at this level so that validation (in the `submit` crate) can say precisely what is
/// missing with a stable code instead of a generic parse error. Unknown fields are refused.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "autodev task file")]
pub struct TaskSpec {
    /// Optional link to this schema, ignored by autodev.
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// One line naming the change; becomes the commit subject. Derived from `work` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 200))]
    pub title: Option<String>,
    /// The kind of change: fix, feat, refactor, test, docs, perf or chore.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("enum" = ["fix", "feat", "refactor", "test", "docs", "perf", "chore"]))]
    pub intent: Option<String>,
    /// The request in plain words (any language): what is wrong or wanted, and what "done" looks like.
    /// At least 4 words and 12 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 12, max = 16384))]
    pub work: Option<String>,
    /// Repository-relative paths the change may touch (files that exist or will be created).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 64))]
    pub targets: Option<Vec<String>>,
    /// The git repository to change; relative paths are resolved from the current directory. Default ".".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repo: Option<String>,
    /// The revision the change is based on (branch, tag or commit). Default "HEAD".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base: Option<String>,
    /// Commands the gate runs after applying the patch (override `.autodev_ssot/gate.toml`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 16))]
    pub checks: Option<Vec<String>>,
}

/// A validated task as stored in the queue (`pending/<id>.json` and the other state folders).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Task {
    /// The queue-assigned id.
    pub id: TaskId,
    /// One-line summary.
    pub title: String,
    /// The kind of change.
    pub intent: Intent,
    /// The request text, as written.
    pub work: String,
    /// Repository-relative paths the change may touch; the gate's allowed paths.
    pub targets: Vec<String>,
    /// Absolute path of the target repository's work tree, as seen by the submitter.
    pub repo: PathBuf,
    /// The base revision as written.
    pub base: String,
    /// The commit `base` resolved to at submission, so the task cannot drift when a branch moves. `None` when
    /// the repository has no commits yet: the change is then made against the empty tree.
    pub base_commit: Option<String>,
    /// Gate checks for this task; `None` means the repository's `.autodev_ssot/gate.toml`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checks: Option<Vec<String>>,
    /// The try this is: 1 for the first claim, +1 each time an expired lease is taken back.
    pub attempt: u32,
    /// When the task was accepted.
    pub created_at: DateTime<Utc>,
    /// Who submitted it, e.g. `cli:alice` or `telegram:12345`.
    pub submitted_by: String,
}
