//! Parsing and validating task files and flags.

use std::io::Read;
use std::path::{Component, Path, PathBuf};

use i18n::msg;
use queue_core::{Intent, NewTask, Task, TaskQueue, TaskSpec};

use i18n::Msg;

use crate::text::WorkStats;
use crate::{Code, Rejection};

/// Largest task file accepted, in bytes.
pub const MAX_TASK_FILE_BYTES: usize = 256 * 1024;
/// Longest `work` accepted, in characters.
pub const MAX_WORK_CHARS: usize = 16 * 1024;
/// Longest title, target or check accepted, in characters.
pub const MAX_FIELD_CHARS: usize = 1024;
/// Most targets in one task.
pub const MAX_TARGETS: usize = 64;
/// Fewest words a request must have.
pub const MIN_WORK_WORDS: usize = 4;
/// Fewest non-space characters a request must have.
pub const MIN_WORK_CHARS: usize = 12;
const MAX_TITLE_CHARS: usize = 200;
const MAX_CHECKS: usize = 16;
const MAX_JSON_DEPTH: usize = 32;
/// Paths autodev never lets a task target (first component, compared case-insensitively because Windows and
/// macOS file systems are case-insensitive).
const PROTECTED: [&str; 3] = [".git", ".autodev_queue", ".autodev_ssot"];

/// Errors from [`submit`].
#[derive(Debug, thiserror::Error)]
pub enum SubmitError {
    /// The input was refused; nothing was written. Not retryable as is: fix the input.
    #[error("task rejected: {}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Rejected(Vec<Rejection>),
    /// The queue could not store the task (disk, permissions, missing queue). Retryable once fixed.
    #[error(transparent)]
    Queue(#[from] queue_core::Error),
}

/// Reads a task file: size, encoding and JSON shape. Reads at most [`MAX_TASK_FILE_BYTES`] + 1 bytes, so a huge
/// file is refused without being loaded.
pub fn read_task_file(mut reader: impl Read) -> std::io::Result<Vec<u8>> {
    let mut buf = Vec::new();
    reader
        .by_ref()
        .take(MAX_TASK_FILE_BYTES as u64 + 1)
        .read_to_end(&mut buf)?;
    Ok(buf)
}

/// Decodes a task file's bytes into a [`TaskSpec`] (shape only; see [`validate`] for the rules).
pub fn parse_task_file(bytes: &[u8]) -> Result<TaskSpec, Rejection> {
    if bytes.len() > MAX_TASK_FILE_BYTES {
        return Err(Rejection::new(
            Code::FileTooLarge,
            None,
            msg!("submit-file-too-large", kib = MAX_TASK_FILE_BYTES / 1024),
        ));
    }
    // Windows editors often write a byte-order mark.
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| {
        Rejection::new(
            Code::InvalidUtf8,
            None,
            msg!("submit-invalid-utf8", offset = e.valid_up_to()),
        )
    })?;
    if json_depth(text) > MAX_JSON_DEPTH {
        return Err(Rejection::new(
            Code::JsonTooDeep,
            None,
            msg!("submit-json-too-deep", depth = MAX_JSON_DEPTH),
        ));
    }
    if !text.trim_start().starts_with('{') {
        return Err(Rejection::new(
            Code::InvalidJson,
            None,
            msg!("submit-not-an-object"),
        ));
    }
    serde_json::from_str::<TaskSpec>(text).map_err(|e| {
        // serde's own sentence (English) names the field and the position.
        let detail = e.to_string();
        let (code, text) = match e.classify() {
            serde_json::error::Category::Data if detail.starts_with("unknown field") => (
                Code::UnknownField,
                msg!("submit-unknown-field", detail = &detail),
            ),
            serde_json::error::Category::Data if detail.starts_with("duplicate field") => (
                Code::DuplicateField,
                msg!("submit-duplicate-field", detail = &detail),
            ),
            serde_json::error::Category::Data => (
                Code::InvalidFieldType,
                msg!("submit-field-type", detail = &detail),
            ),
            _ => (
                Code::InvalidJson,
                msg!("submit-json-syntax", detail = &detail),
            ),
        };
        Rejection::new(code, None, text)
    })
}

/// Deepest nesting of arrays/objects, ignoring brackets inside strings.
fn json_depth(text: &str) -> usize {
    let (mut depth, mut max, mut in_str, mut esc) = (0usize, 0usize, false, false);
    for b in text.bytes() {
        if in_str {
            match b {
                _ if esc => esc = false,
                b'\\' => esc = true,
                b'"' => in_str = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_str = true,
            b'{' | b'[' => {
                depth += 1;
                max = max.max(depth);
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

/// Where relative paths are resolved and who is submitting.
#[derive(Debug, Clone)]
pub struct ValidateContext {
    /// The directory relative `repo` paths are resolved from.
    pub cwd: PathBuf,
}

/// Finds the work tree root of the git repository at `path` (or above it), refusing bare repositories.
pub fn resolve_repo(path: &Path) -> Result<(git2::Repository, PathBuf), Rejection> {
    if !path.exists() {
        return Err(Rejection::new(
            Code::RepoNotFound,
            Some("repo".into()),
            msg!("submit-repo-missing", path = &path.display()),
        ));
    }
    let repo = git2::Repository::discover(path).map_err(|_| {
        Rejection::new(
            Code::RepoNotGit,
            Some("repo".into()),
            msg!("submit-repo-not-git", path = &path.display()),
        )
    })?;
    let Some(workdir) = repo.workdir() else {
        return Err(Rejection::new(
            Code::RepoNotGit,
            Some("repo".into()),
            msg!("submit-repo-bare", path = &path.display()),
        ));
    };
    let root = workdir.canonicalize().map_err(|e| {
        Rejection::new(
            Code::RepoNotFound,
            Some("repo".into()),
            msg!(
                "submit-repo-unreadable",
                path = &workdir.display(),
                error = &e
            ),
        )
    })?;
    Ok((repo, root))
}

/// Applies every rule to `spec`. Returns the task ready for [`TaskQueue::submit`], or every problem found (each
/// field is checked, so one answer lists them all).
pub fn validate(spec: &TaskSpec, ctx: &ValidateContext) -> Result<NewTask, Vec<Rejection>> {
    let mut errs = Vec::new();
    let work = check_work(spec.work.as_deref())
        .map_err(|r| errs.push(r))
        .ok();
    let intent = check_intent(spec.intent.as_deref())
        .map_err(|r| errs.push(r))
        .ok();
    let title = check_title(spec.title.as_deref(), work.unwrap_or(""))
        .map_err(|r| errs.push(r))
        .ok();
    errs.extend(check_checks(spec.checks.as_deref()));
    let base = spec
        .base
        .as_deref()
        .map(str::trim)
        .filter(|b| !b.is_empty())
        .unwrap_or("HEAD");
    let repo = check_repo_and_base(&ctx.cwd.join(spec.repo.as_deref().unwrap_or(".")), base)
        .map_err(|r| errs.push(r))
        .ok();
    let targets = check_targets(
        spec.targets.as_deref(),
        repo.as_ref().map(|(root, _)| root.as_path()),
    )
    .map_err(|rs| errs.extend(rs))
    .ok();
    match (work, intent, title, repo, targets) {
        (Some(work), Some(intent), Some(title), Some((repo, base_commit)), Some(targets))
            if errs.is_empty() =>
        {
            Ok(NewTask {
                title,
                intent,
                work: work.to_string(),
                targets,
                repo,
                base: base.to_string(),
                base_commit,
                checks: spec.checks.clone(),
            })
        }
        _ => Err(errs),
    }
}

/// `work`: present, not too long, and long enough to say what is wrong and what should happen.
fn check_work(work: Option<&str>) -> Result<&str, Rejection> {
    let work = work.map(str::trim).unwrap_or("");
    if work.is_empty() {
        return Err(Rejection::new(
            Code::WorkMissing,
            Some("work".into()),
            msg!("submit-work-missing"),
        ));
    }
    let chars = work.chars().count();
    let stats = WorkStats::of(work);
    if chars > MAX_WORK_CHARS {
        return Err(Rejection::new(
            Code::FieldTooLong,
            Some("work".into()),
            msg!("submit-work-too-long", chars = chars, max = MAX_WORK_CHARS),
        ));
    }
    if stats.words < MIN_WORK_WORDS || stats.chars < MIN_WORK_CHARS {
        return Err(Rejection::new(
            Code::WorkTextTooShort,
            Some("work".into()),
            msg!(
                "submit-work-too-short",
                words = stats.words,
                chars = stats.chars,
                min_words = MIN_WORK_WORDS,
                min_chars = MIN_WORK_CHARS
            ),
        ));
    }
    Ok(work)
}

/// `intent`: one of [`Intent::ALL`].
fn check_intent(intent: Option<&str>) -> Result<Intent, Rejection> {
    match intent.map(str::trim) {
        None | Some("") => Err(Rejection::new(
            Code::IntentMissing,
            Some("intent".into()),
            msg!("submit-intent-missing", intents = &intents()),
        )),
        Some(s) => s.parse::<Intent>().map_err(|()| {
            Rejection::new(
                Code::IntentUnknown,
                Some("intent".into()),
                msg!(
                    "submit-intent-unknown",
                    intent = &format!("{:?}", truncate(s, 40)),
                    intents = &intents()
                ),
            )
        }),
    }
}

/// `title`: one short line, or the first line of `work` when none is given.
fn check_title(title: Option<&str>, work: &str) -> Result<String, Rejection> {
    let Some(t) = title.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(derive_title(work));
    };
    if t.chars().any(char::is_control) {
        return Err(Rejection::new(
            Code::TitleInvalid,
            Some("title".into()),
            msg!("submit-title-invalid"),
        ));
    }
    if t.chars().count() > MAX_TITLE_CHARS {
        return Err(Rejection::new(
            Code::FieldTooLong,
            Some("title".into()),
            msg!("submit-title-too-long", max = MAX_TITLE_CHARS),
        ));
    }
    Ok(t.to_string())
}

/// `checks`: at most [`MAX_CHECKS`] non-empty shell commands of bounded length.
fn check_checks(checks: Option<&[String]>) -> Vec<Rejection> {
    let Some(checks) = checks else {
        return Vec::new();
    };
    let mut errs = Vec::new();
    if checks.len() > MAX_CHECKS {
        errs.push(Rejection::new(
            Code::ChecksInvalid,
            Some("checks".into()),
            msg!("submit-checks-too-many", max = MAX_CHECKS),
        ));
    }
    for (i, c) in checks.iter().enumerate() {
        if c.trim().is_empty() || c.contains('\0') || c.chars().count() > MAX_FIELD_CHARS {
            errs.push(Rejection::new(
                Code::ChecksInvalid,
                Some(format!("checks[{i}]")),
                msg!("submit-check-invalid", max = MAX_FIELD_CHARS),
            ));
        }
    }
    errs
}

/// `repo` and `base`: the repository's top folder and the base commit (`None` for a repository with no commits,
/// where only `HEAD` may be the base: the change starts from the empty tree).
fn check_repo_and_base(
    repo_path: &Path,
    base: &str,
) -> Result<(PathBuf, Option<String>), Rejection> {
    let (repo, root) = resolve_repo(repo_path)?;
    let unborn = matches!(repo.head(), Err(e) if e.code() == git2::ErrorCode::UnbornBranch);
    match repo.revparse_single(base).and_then(|o| o.peel_to_commit()) {
        Ok(c) => Ok((root, Some(c.id().to_string()))),
        Err(_) if unborn && base == "HEAD" => Ok((root, None)),
        Err(_) => {
            let hint = if unborn {
                msg!("submit-base-unborn", base = &truncate(base, 80))
            } else {
                msg!(
                    "submit-base-unknown",
                    base = &truncate(base, 80),
                    repo = &root.display()
                )
            };
            Err(Rejection::new(Code::BaseUnknown, Some("base".into()), hint))
        }
    }
}

/// `targets`: 1 to [`MAX_TARGETS`] paths inside the repository, each in its normal form, without duplicates.
/// Without a repository (it did not resolve), only the paths' shape is checked.
fn check_targets(
    targets: Option<&[String]>,
    repo_root: Option<&Path>,
) -> Result<Vec<String>, Vec<Rejection>> {
    let t = match targets {
        None | Some([]) => return Err(vec![target_missing()]),
        Some(t) if t.len() > MAX_TARGETS => {
            return Err(vec![Rejection::new(
                Code::TargetsTooMany,
                Some("targets".into()),
                msg!(
                    "submit-targets-too-many",
                    count = t.len(),
                    max = MAX_TARGETS
                ),
            )]);
        }
        Some(t) => t,
    };
    let mut out: Vec<String> = Vec::new();
    let mut errs = Vec::new();
    for (i, raw) in t.iter().enumerate() {
        match check_target(raw, repo_root) {
            Ok(norm) if !out.contains(&norm) => out.push(norm),
            Ok(_) => {}
            Err((code, msg)) => errs.push(Rejection::new(code, Some(format!("targets[{i}]")), msg)),
        }
    }
    if errs.is_empty() { Ok(out) } else { Err(errs) }
}

fn target_missing() -> Rejection {
    Rejection::new(
        Code::TargetMissing,
        Some("targets".into()),
        msg!("submit-target-missing"),
    )
}

fn intents() -> String {
    Intent::ALL
        .iter()
        .map(|i| i.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n).collect::<String>())
    }
}

/// The first line of the request, cut at 72 characters.
fn derive_title(work: &str) -> String {
    let first = work
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim();
    truncate(first, 72)
}

/// Checks one target and returns its normal form (`./a//b` → `a/b`).
fn check_target(raw: &str, repo: Option<&Path>) -> Result<String, (Code, Msg)> {
    let shown = format!("{:?}", truncate(raw, 80));
    if raw.trim().is_empty() {
        return Err((Code::TargetInvalid, msg!("submit-target-empty")));
    }
    if raw.chars().count() > MAX_FIELD_CHARS {
        return Err((
            Code::FieldTooLong,
            msg!("submit-target-too-long", max = MAX_FIELD_CHARS),
        ));
    }
    if raw.chars().any(char::is_control) {
        return Err((
            Code::TargetInvalid,
            msg!("submit-target-control", target = &shown),
        ));
    }
    if raw.contains('\\') {
        return Err((
            Code::TargetInvalid,
            msg!("submit-target-backslash", target = &shown),
        ));
    }
    let bytes = raw.as_bytes();
    if raw.starts_with('/')
        || (bytes.len() >= 2 && bytes[1] == b':' && bytes[0].is_ascii_alphabetic())
    {
        return Err((
            Code::TargetAbsolute,
            msg!("submit-target-absolute", target = &shown),
        ));
    }
    let mut parts = Vec::new();
    for c in Path::new(raw).components() {
        match c {
            Component::Normal(p) => parts.push(p.to_string_lossy().into_owned()),
            Component::CurDir => {}
            Component::ParentDir => {
                return Err((
                    Code::TargetEscapes,
                    msg!("submit-target-dotdot", target = &shown),
                ));
            }
            Component::RootDir | Component::Prefix(_) => {
                return Err((
                    Code::TargetAbsolute,
                    msg!("submit-target-root-dir", target = &shown),
                ));
            }
        }
    }
    if parts.is_empty() {
        return Err((
            Code::TargetInvalid,
            msg!("submit-target-is-root", target = &shown),
        ));
    }
    if PROTECTED.iter().any(|p| parts[0].eq_ignore_ascii_case(p)) {
        return Err((
            Code::TargetProtected,
            msg!(
                "submit-target-protected",
                target = &shown,
                folder = &parts[0]
            ),
        ));
    }
    if let Some(root) = repo {
        // Walk each existing prefix: a symlink anywhere on the way must resolve inside the repository.
        let mut p = root.to_path_buf();
        for part in &parts {
            p.push(part);
            match std::fs::symlink_metadata(&p) {
                Ok(m) if m.file_type().is_symlink() => match p.canonicalize() {
                    Ok(real) if real.starts_with(root) => {}
                    Ok(real) => {
                        return Err((
                            Code::TargetOutsideRepo,
                            msg!(
                                "submit-target-symlink-out",
                                target = &shown,
                                real = &real.display()
                            ),
                        ));
                    }
                    Err(_) => {
                        return Err((
                            Code::TargetOutsideRepo,
                            msg!("submit-target-symlink-dangling", target = &shown),
                        ));
                    }
                },
                Ok(_) => {}
                Err(_) => break, // the rest does not exist yet: a new file
            }
        }
    }
    Ok(parts.join("/"))
}

/// Validates `spec` and, only if it passes, queues it.
pub fn submit(
    queue: &dyn TaskQueue,
    spec: &TaskSpec,
    ctx: &ValidateContext,
    actor: &str,
) -> Result<Task, SubmitError> {
    let new = validate(spec, ctx).map_err(SubmitError::Rejected)?;
    Ok(queue.submit(new, actor)?)
}

/// The JSON Schema of the task file, generated from [`TaskSpec`]; `autodev init` writes it to
/// `.autodev_ssot/task.schema.json`.
pub fn task_schema() -> String {
    let schema = schemars::schema_for!(TaskSpec);
    let mut s = serde_json::to_string_pretty(&schema).unwrap_or_else(|_| "{}".into());
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_ignores_brackets_in_strings() {
        assert_eq!(json_depth(r#"{"a": "[[[[{{{"}"#), 1);
        assert_eq!(json_depth("[[[]]]"), 3);
    }

    #[test]
    fn target_normal_form() {
        assert_eq!(check_target("./src//a.rs", None).unwrap(), "src/a.rs");
        assert_eq!(
            check_target("../x", None).unwrap_err().0,
            Code::TargetEscapes
        );
        assert_eq!(
            check_target("src/../../x", None).unwrap_err().0,
            Code::TargetEscapes
        );
        assert_eq!(
            check_target("/etc/passwd", None).unwrap_err().0,
            Code::TargetAbsolute
        );
        assert_eq!(
            check_target("C:/x", None).unwrap_err().0,
            Code::TargetAbsolute
        );
        assert_eq!(
            check_target(".GIT/hooks/pre-commit", None).unwrap_err().0,
            Code::TargetProtected
        );
        assert_eq!(
            check_target("a\\b", None).unwrap_err().0,
            Code::TargetInvalid
        );
        assert_eq!(check_target(".", None).unwrap_err().0, Code::TargetInvalid);
    }
}
