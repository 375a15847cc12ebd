//! The repository policy: which paths a patch may touch and how big it may be.
//!
//! Read from `.autodev_ssot/policy.toml` **at the base revision** (so a patch can never loosen the policy that
//! judges it), else [`Policy::default`]. Every rule here is checked before anything is applied or run.

use serde::{Deserialize, Serialize};

use crate::patch::{FilePatch, MODE_EXECUTABLE, MODE_GITLINK, MODE_SYMLINK, Patch};
use crate::report::{Reason, ReasonCode};

/// The commented default `policy.toml` that `autodev init` writes to `.autodev_ssot/policy.toml`.
/// Parsing it gives exactly [`Policy::default`] (a test keeps the two in step).
pub const DEFAULT_POLICY_TOML: &str = r#"# autodev gate policy. The gate reads this file from the BASE revision of each patch, so a patch cannot
# change the rules that judge it. Delete a key to get its default. Reference: docs/GATE.md.

[paths]
# Where patches may write. Empty means anywhere that is not protected. A task's `targets` replace this list
# for that task. Each entry is an exact file path ("src/config.rs") or a directory prefix ("src/" or "src").
allowed = []

# Paths no patch may create, modify, delete or rename, even when listed as allowed. Entries are exact paths or
# directory prefixes, compared case-insensitively. Any path with a `.git` component is always protected.
protected = [
  ".git/",
  ".autodev_ssot/",
  ".autodev_queue/",
  ".github/",
  ".gitlab-ci.yml",
  ".ci/",
  ".githooks/",
  ".husky/",
  ".gitmodules",
]

[limits]
# The patch text itself, in bytes (1 MiB).
max_patch_bytes = 1048576
# Files the patch touches (a rename counts once).
max_files = 50
# Added plus removed lines.
max_changed_lines = 5000

[allow]
# Binary patches (`GIT binary patch`). Off: a binary change cannot be reviewed as text.
binary = false
# New executable bits (new file mode 100755, or 100644 -> 100755).
executable = false
"#;

/// The parsed policy. See [`DEFAULT_POLICY_TOML`] for the meaning of each field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct Policy {
    pub paths: PathsPolicy,
    pub limits: Limits,
    pub allow: Allow,
}

/// `[paths]`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PathsPolicy {
    pub allowed: Vec<String>,
    pub protected: Vec<String>,
}

impl Default for PathsPolicy {
    fn default() -> Self {
        PathsPolicy {
            allowed: Vec::new(),
            protected: [
                ".git/",
                ".autodev_ssot/",
                ".autodev_queue/",
                ".github/",
                ".gitlab-ci.yml",
                ".ci/",
                ".githooks/",
                ".husky/",
                ".gitmodules",
            ]
            .map(str::to_owned)
            .to_vec(),
        }
    }
}

/// `[limits]`
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    pub max_patch_bytes: u64,
    pub max_files: usize,
    pub max_changed_lines: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_patch_bytes: 1024 * 1024,
            max_files: 50,
            max_changed_lines: 5000,
        }
    }
}

/// `[allow]`
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct Allow {
    pub binary: bool,
    pub executable: bool,
}

impl Policy {
    /// Parses a `policy.toml`.
    pub fn from_toml(text: &str) -> Result<Policy, String> {
        toml::from_str(text).map_err(|e| e.to_string())
    }
}

/// Checks that a patch path is a plain relative path inside the checkout. Returns why not.
pub fn path_escape(path: &str) -> Option<String> {
    if path.is_empty() {
        return Some("empty path".to_owned());
    }
    if path.starts_with('/') {
        return Some(format!("{path:?} is an absolute path"));
    }
    if path.contains('\\') {
        return Some(format!("{path:?} contains a backslash"));
    }
    if path.chars().any(char::is_control) {
        return Some(format!("{path:?} contains a control character"));
    }
    if path.split('/').any(|c| c == "..") {
        return Some(format!("{path:?} contains a `..` component"));
    }
    if path.split('/').any(|c| c.is_empty() || c == ".") {
        return Some(format!("{path:?} has an empty or `.` component"));
    }
    None
}

/// `path` equals `entry` or lies under it (`entry` may end with `/`).
fn matches_entry(path: &str, entry: &str, case_insensitive: bool) -> bool {
    // Task targets are written by people: accept `./src/` for `src/`.
    let entry = entry
        .strip_prefix("./")
        .unwrap_or(entry)
        .trim_end_matches('/');
    if entry.is_empty() || entry == "." {
        return true;
    }
    let (p, e) = if case_insensitive {
        (path.to_lowercase(), entry.to_lowercase())
    } else {
        (path.to_owned(), entry.to_owned())
    };
    p == e || p.strip_prefix(&e).is_some_and(|rest| rest.starts_with('/'))
}

/// Whether `path` is protected: any `.git` component (any case, so case-insensitive filesystems cannot be
/// fooled), or a `protected` entry.
pub fn is_protected(path: &str, protected: &[String]) -> bool {
    path.split('/').any(|c| c.eq_ignore_ascii_case(".git"))
        || protected.iter().any(|e| matches_entry(path, e, true))
}

/// Whether `path` is inside the allowed set (an empty set allows everything).
pub fn is_allowed(path: &str, allowed: &[String]) -> bool {
    allowed.is_empty() || allowed.iter().any(|e| matches_entry(path, e, false))
}

/// What the patch does with a path, which decides the rules it must pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PathRole {
    /// Created, modified, deleted, or a rename's source (which disappears).
    Written,
    /// A copy's source: only read. It must be a plain path inside the checkout and not protected (protected
    /// files may hold what a patch must not copy out, like `.git/config`), but it may lie outside the targets.
    Read,
}

/// Every path the section names, once each, with its role.
fn judged_paths(fp: &FilePatch) -> Vec<(&str, PathRole)> {
    let mut out: Vec<(&str, PathRole)> = Vec::new();
    let old_role = if fp.is_copy {
        PathRole::Read
    } else {
        PathRole::Written
    };
    let sides = [
        (fp.old_path.as_deref(), old_role),
        (fp.new_path.as_deref(), PathRole::Written),
    ];
    for (path, role) in sides {
        let Some(path) = path else { continue };
        match out.iter_mut().find(|(p, _)| *p == path) {
            // A path both read and written is judged as written.
            Some(entry) if role == PathRole::Written => entry.1 = role,
            Some(_) => {}
            None => out.push((path, role)),
        }
    }
    out
}

fn check_path(
    path: &str,
    role: PathRole,
    policy: &Policy,
    allowed: &[String],
    reasons: &mut Vec<Reason>,
) {
    let file = Some(path.to_owned());
    let what = match role {
        PathRole::Written => "",
        PathRole::Read => " (the source of a copy)",
    };
    if let Some(why) = path_escape(path) {
        reasons.push(
            Reason::new(ReasonCode::PolicyPathEscape, format!("{why}{what}")).with_file(file),
        );
        return;
    }
    if is_protected(path, &policy.paths.protected) {
        reasons.push(
            Reason::new(
                ReasonCode::PolicyProtectedPath,
                format!("{path} is a protected path{what}"),
            )
            .with_file(file),
        );
        return;
    }
    if role == PathRole::Written && !is_allowed(path, allowed) {
        reasons.push(
            Reason::new(
                ReasonCode::PolicyOutsideTargets,
                format!(
                    "{path} is outside the allowed paths ({})",
                    allowed.join(", ")
                ),
            )
            .with_file(file),
        );
    }
}

/// The static policy checks on a parsed patch (everything that needs no checkout).
pub fn check_patch(patch: &Patch, policy: &Policy, allowed: &[String]) -> Vec<Reason> {
    let mut reasons = Vec::new();
    for fp in &patch.files {
        check_file(fp, policy, allowed, &mut reasons);
    }
    let files = patch.files.len();
    if files > policy.limits.max_files {
        reasons.push(Reason::new(
            ReasonCode::PolicyTooLarge,
            format!(
                "the patch touches {files} files; the limit is {}",
                policy.limits.max_files
            ),
        ));
    }
    let changed: usize = patch.files.iter().map(|f| f.added() + f.removed()).sum();
    if changed > policy.limits.max_changed_lines {
        reasons.push(Reason::new(
            ReasonCode::PolicyTooLarge,
            format!(
                "the patch changes {changed} lines; the limit is {}",
                policy.limits.max_changed_lines
            ),
        ));
    }
    reasons
}

fn check_file(fp: &FilePatch, policy: &Policy, allowed: &[String], reasons: &mut Vec<Reason>) {
    for (path, role) in judged_paths(fp) {
        check_path(path, role, policy, allowed, reasons);
    }
    let path = fp.display_path().to_owned();
    if fp.old_mode == Some(MODE_SYMLINK) || fp.new_mode == Some(MODE_SYMLINK) {
        reasons.push(
            Reason::new(
                ReasonCode::PolicySymlink,
                format!("{path}: the patch creates, changes or removes a symlink"),
            )
            .with_file(Some(path.clone())),
        );
    }
    if fp.old_mode == Some(MODE_GITLINK) || fp.new_mode == Some(MODE_GITLINK) {
        reasons.push(
            Reason::new(
                ReasonCode::PatchMalformed,
                format!("{path}: submodule (gitlink) changes are not supported"),
            )
            .with_file(Some(path.clone())),
        );
    }
    if fp.new_mode == Some(MODE_EXECUTABLE)
        && fp.old_mode != Some(MODE_EXECUTABLE)
        && !policy.allow.executable
    {
        let from = if fp.is_new() {
            "creates an executable file".to_owned()
        } else {
            "sets the executable bit".to_owned()
        };
        reasons.push(
            Reason::new(
                ReasonCode::PolicyExecutable,
                format!("{path}: the patch {from}"),
            )
            .with_file(Some(path.clone())),
        );
    }
    if let Some(mode) = fp.new_mode
        && ![
            crate::patch::MODE_FILE,
            MODE_EXECUTABLE,
            MODE_SYMLINK,
            MODE_GITLINK,
        ]
        .contains(&mode)
    {
        reasons.push(
            Reason::new(
                ReasonCode::PatchMalformed,
                format!("{path}: unsupported file mode {mode:o}"),
            )
            .with_file(Some(path.clone())),
        );
    }
    if fp.has_nul_in_text() {
        // Even where binary patches are allowed: binary content must come as `GIT binary patch` data, which
        // git checks against the blob ids, not as text lines that would commit a binary file unreviewed.
        reasons.push(
            Reason::new(
                ReasonCode::BinaryPatch,
                format!("{path}: a text hunk contains NUL bytes; binary content must be sent as a `GIT binary patch` (git diff --binary)"),
            )
            .with_file(Some(path.clone())),
        );
    }
    if fp.binary && !policy.allow.binary {
        reasons.push(
            Reason::new(
                ReasonCode::BinaryPatch,
                format!("{path}: binary patches are not allowed by the policy"),
            )
            .with_file(Some(path)),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_toml_is_the_default_policy() {
        assert_eq!(
            Policy::from_toml(DEFAULT_POLICY_TOML).unwrap(),
            Policy::default()
        );
    }

    #[test]
    fn escapes() {
        assert!(path_escape("src/a.rs").is_none());
        for bad in [
            "/etc/passwd",
            "../x",
            "a/../../x",
            "a\\b",
            "a//b",
            "./a",
            "a/\n",
        ] {
            assert!(path_escape(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn protected_and_allowed() {
        let p = Policy::default().paths.protected;
        assert!(is_protected(".github/workflows/ci.yml", &p));
        assert!(is_protected(".GitHub/workflows/ci.yml", &p));
        assert!(is_protected("sub/.git/hooks/pre-commit", &p));
        assert!(is_protected(".gitlab-ci.yml", &p));
        assert!(!is_protected(".gitlab-ci.yml.txt", &p));
        assert!(!is_protected("src/github.rs", &p));
        let allowed = vec!["src/".to_owned(), "README.md".to_owned()];
        assert!(is_allowed("src/a/b.rs", &allowed));
        assert!(is_allowed("README.md", &allowed));
        assert!(!is_allowed("README.md.bak", &allowed));
        assert!(!is_allowed("srcx/a.rs", &allowed));
        assert!(is_allowed("anything", &[]));
        assert!(is_allowed("src/x.rs", &["./src".to_owned()]));
    }
}
