//! `autodev init`.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use queue_core::{Queue, QueueConfig, exit_codes};

use i18n::{Lang, t};

use super::status::pad;
use crate::cli::InitArgs;
use crate::ssot;

pub(super) fn run(queue_dir: &Path, args: InitArgs, lang: Lang) -> anyhow::Result<u8> {
    let existed = queue_dir.join("queue.json").exists();
    let queue = Queue::init(
        queue_dir,
        QueueConfig {
            lease_secs: args.lease_secs,
            max_attempts: args.max_attempts,
            ..QueueConfig::default()
        },
    )?;
    let mut out = std::io::stdout().lock();
    // `label  value`, the labels padded to one column by display width (as `autodev status ID` does).
    let label = |key: String| pad(&key, 9);
    let root = queue.root().display();
    let said = if existed {
        t!(lang, "cli-init-queue-kept", path = &root)
    } else {
        t!(lang, "cli-init-created", path = &root)
    };
    writeln!(out, "{} {said}", label(t!(lang, "cli-label-queue")))?;
    write_ssot(&mut out, lang)?;

    // Keep the queue out of `git status` of whichever work tree contains it.
    if let Some(repo) = super::repo_top(queue.root())
        && let Some(rel) = relative_inside(queue.root(), &repo)
        && let Some(added) = exclude(&repo, &rel, lang)?
    {
        let said = t!(
            lang,
            "cli-init-excluded",
            pattern = &added,
            file = &repo.join(".git/info/exclude").display()
        );
        writeln!(out, "{} {said}", label(t!(lang, "cli-label-exclude")))?;
    }
    writeln!(out, "\n{}", t!(lang, "cli-init-next"))?;
    Ok(exit_codes::OK)
}

/// `autodev init --queue postgres://…`: the schema (or its upgrade) and the settings row, then `.autodev_ssot/`
/// as for a folder.
pub(super) fn run_postgres(url: &str, args: InitArgs, lang: Lang) -> anyhow::Result<u8> {
    let config = QueueConfig {
        lease_secs: args.lease_secs,
        max_attempts: args.max_attempts,
        ..QueueConfig::default()
    };
    let queue = queue_pg::PgQueue::init(url, config)?;
    let mut out = std::io::stdout().lock();
    let said = t!(
        lang,
        "cli-init-database",
        location = queue_core::TaskQueue::location(&queue),
        version = queue_pg::SCHEMA_VERSION
    );
    writeln!(out, "{} {said}", pad(&t!(lang, "cli-label-queue"), 9))?;
    write_ssot(&mut out, lang)?;
    writeln!(out, "\n{}", t!(lang, "cli-init-next"))?;
    Ok(exit_codes::OK)
}

/// Writes the default `.autodev_ssot/` files that are missing, at the top of the current work tree.
fn write_ssot(out: &mut impl Write, lang: Lang) -> anyhow::Result<()> {
    let label = |key: String| pad(&key, 9);
    let cwd = std::env::current_dir()?;
    let top = super::repo_top(&cwd);
    let ssot_dir = top.unwrap_or(cwd).join(ssot::DIR);
    std::fs::create_dir_all(&ssot_dir)
        .with_context(|| t!(lang, "cli-err-create", path = &ssot_dir.display()))?;
    for (name, body) in ssot::default_files() {
        let path = ssot_dir.join(name);
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(mut f) => {
                f.write_all(body.as_bytes())
                    .with_context(|| t!(lang, "cli-err-write", path = &path.display()))?;
                let said = t!(lang, "cli-init-created", path = &path.display());
                writeln!(out, "{} {said}", label(t!(lang, "cli-label-ssot")))?;
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                let said = t!(lang, "cli-init-kept", path = &path.display());
                writeln!(out, "{} {said}", label(t!(lang, "cli-label-ssot")))?;
            }
            Err(e) => {
                return Err(e).with_context(|| t!(lang, "cli-err-create", path = &path.display()));
            }
        }
    }
    Ok(())
}

fn relative_inside(path: &Path, repo: &Path) -> Option<PathBuf> {
    let path = path.canonicalize().ok()?;
    let repo = repo.canonicalize().ok()?;
    path.strip_prefix(&repo).ok().map(Path::to_path_buf)
}

/// Adds `/<rel>/` to `.git/info/exclude` unless a line already says so. Returns the pattern when added.
/// Worktrees and submodules (where `.git` is a file) are left alone.
fn exclude(repo: &Path, rel: &Path, lang: Lang) -> anyhow::Result<Option<String>> {
    let git = repo.join(".git");
    if !git.is_dir() || rel.as_os_str().is_empty() {
        return Ok(None);
    }
    let pattern = format!("/{}/", rel.to_string_lossy().trim_end_matches('/'));
    let info = git.join("info");
    std::fs::create_dir_all(&info)
        .with_context(|| t!(lang, "cli-err-create", path = &info.display()))?;
    let file = info.join("exclude");
    let existing = std::fs::read_to_string(&file).unwrap_or_default();
    if existing.lines().any(|l| l.trim() == pattern) {
        return Ok(None);
    }
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(&file)
        .with_context(|| t!(lang, "cli-err-open", path = &file.display()))?;
    let sep = if existing.is_empty() || existing.ends_with('\n') {
        ""
    } else {
        "\n"
    };
    write!(
        f,
        "{sep}# autodev queue (added by `autodev init`)\n{pattern}\n"
    )
    .with_context(|| t!(lang, "cli-err-write", path = &file.display()))?;
    Ok(Some(pattern))
}
