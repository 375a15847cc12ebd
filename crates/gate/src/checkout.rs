//! Checkout slots: clones the gate owns, reused between runs and made pristine before each.
//!
//! A slot is `git clone --shared --no-checkout --separate-git-dir` of the user's repository: it borrows the user's
//! object store read-only (through `objects/info/alternates`) and has its own HEAD, index and working tree, so
//! nothing the gate does can move the user's HEAD or touch their index or files. Every git command on a slot
//! names its `--git-dir` and `--work-tree` explicitly: slots live under the user's `.git/`, and git's discovery
//! from a half-made slot would otherwise find the user's repository.
//!
//! The slot's git directory (`slot-N.git`) sits **beside** its working tree (`slot-N/`), not inside it, so the
//! sandbox can make the tree writable and the git directory read-only: a check cannot plant a hook, a filter
//! driver, `core.fsmonitor` or a poisoned object for the next run. Before every run the git directory's
//! configuration is restored from the copy taken right after the clone, and hooks, `info/attributes`, grafts,
//! replace refs and alternates are reset to what autodev wrote (that matters where checks run without sandbox).
//!
//! Slots are taken with a non-blocking exclusive lock (`File::try_lock`, `flock` on Linux) on `slot-N.lock`; the kernel drops the lock when the holder
//! exits, however it exits, so a crashed gate never leaves a stale lock behind.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::error::{GateError, Result};
use crate::git::{Git, RepoInfo};

/// A locked slot. The lock is released on drop.
#[derive(Debug)]
pub(crate) struct Slot {
    pub(crate) index: usize,
    /// The working tree.
    pub(crate) dir: PathBuf,
    /// A per-slot directory outside the checkout for build caches (and the checks' private home).
    pub(crate) cache_dir: PathBuf,
    /// A per-slot temp directory, emptied before each run (the checks' `TMPDIR`).
    pub(crate) tmp_dir: PathBuf,
    _lock: File,
}

/// Locks the first free slot under `work_root`, waiting up to `wait`.
pub(crate) fn acquire(work_root: &Path, slots: usize, wait: Duration) -> Result<Slot> {
    let checkouts = work_root.join("checkouts");
    std::fs::create_dir_all(&checkouts).map_err(|e| GateError::io(&checkouts, e))?;
    let slots = slots.max(1);
    let started = Instant::now();
    loop {
        for index in 0..slots {
            let lock_path = checkouts.join(format!("slot-{index}.lock"));
            let file = OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(&lock_path)
                .map_err(|e| GateError::io(&lock_path, e))?;
            match file.try_lock() {
                Ok(()) => {
                    return Ok(Slot {
                        index,
                        dir: checkouts.join(format!("slot-{index}")),
                        cache_dir: work_root.join("cache").join(format!("slot-{index}")),
                        tmp_dir: work_root.join("tmp").join(format!("slot-{index}")),
                        _lock: file,
                    });
                }
                Err(std::fs::TryLockError::WouldBlock) => {}
                Err(std::fs::TryLockError::Error(e)) => return Err(GateError::io(&lock_path, e)),
            }
        }
        if started.elapsed() >= wait {
            return Err(GateError::SlotsBusy {
                work_root: work_root.to_owned(),
                slots,
                waited: started.elapsed(),
            });
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The git directory of the slot whose working tree is `slot` (`…/slot-N` → `…/slot-N.git`).
pub(crate) fn git_dir_of(slot: &Path) -> PathBuf {
    let mut name = slot.file_name().unwrap_or_default().to_owned();
    name.push(".git");
    slot.with_file_name(name)
}

/// Where the configuration written by `git clone` is kept, to restore before every run.
fn pristine_config_of(slot: &Path) -> PathBuf {
    let mut name = slot.file_name().unwrap_or_default().to_owned();
    name.push(".config");
    slot.with_file_name(name)
}

fn slot_git_args(slot: &Path) -> [String; 2] {
    [
        format!("--git-dir={}", git_dir_of(slot).display()),
        format!("--work-tree={}", slot.display()),
    ]
}

/// Runs git on the slot with explicit git dir and work tree.
pub(crate) fn slot_git(git: &Git, slot: &Path, args: &[&str]) -> Result<Vec<u8>> {
    let mut all: Vec<String> = slot_git_args(slot).to_vec();
    all.extend(args.iter().map(|s| (*s).to_owned()));
    git.run(slot, all)
}

/// Makes the slot a pristine checkout of `commit`: created if missing, else reset with untracked and ignored
/// files removed. A slot that cannot be reset is deleted and cloned again once.
pub(crate) fn prepare(git: &Git, slot: &Slot, repo: &RepoInfo, commit: &str) -> Result<()> {
    let result = match reset(git, slot, repo, commit) {
        Ok(()) => Ok(()),
        Err(_) => {
            remove_dir(&slot.dir)?;
            remove_dir(&git_dir_of(&slot.dir))?;
            reset(git, slot, repo, commit)
        }
    };
    result?;
    // Everything a check may have planted outside the checkout for a later run goes, except the build cache:
    // the temp dir holds the check's HOME and /dev/shm too, so no dotfile, site-packages or symlink survives.
    fresh_dir(&slot.tmp_dir)?;
    for dir in [
        slot.tmp_dir.join(".shm"),
        slot.tmp_dir.join("home"),
        slot.cache_dir.clone(),
    ] {
        std::fs::create_dir_all(&dir).map_err(|e| GateError::io(&dir, e))?;
    }
    Ok(())
}

/// Removes `dir` and creates it empty.
fn fresh_dir(dir: &Path) -> Result<()> {
    remove_dir(dir)?;
    std::fs::create_dir_all(dir).map_err(|e| GateError::io(dir, e))
}

fn remove_dir(dir: &Path) -> Result<()> {
    match std::fs::remove_dir_all(dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(GateError::io(dir, e)),
    }
}

fn reset(git: &Git, slot: &Slot, repo: &RepoInfo, commit: &str) -> Result<()> {
    let git_dir = git_dir_of(&slot.dir);
    let pristine = pristine_config_of(&slot.dir);
    // A slot of the old layout (git directory inside the tree) or a half-made one is cloned again.
    if !git_dir.is_dir() || !pristine.is_file() || slot.dir.join(".git").is_dir() {
        remove_dir(&slot.dir)?;
        remove_dir(&git_dir)?;
        let separate = format!("--separate-git-dir={}", git_dir.display());
        git.run(
            &repo.top,
            [
                "clone".as_ref(),
                "--quiet".as_ref(),
                "--shared".as_ref(),
                "--no-checkout".as_ref(),
                separate.as_ref(),
                repo.top.as_os_str(),
                slot.dir.as_os_str(),
            ],
        )?;
        std::fs::copy(git_dir.join("config"), &pristine)
            .map_err(|e| GateError::io(&pristine, e))?;
    }
    restore_git_dir(slot, repo, &git_dir, &pristine)?;
    // A fresh clone only knows the user's refs, but alternates expose every object, so any commit resolves.
    // `checkout --force` resets HEAD, index and every tracked file to the commit (a separate `reset --hard` would
    // walk the tree a second time); `clean -ffdx` then removes untracked and ignored files, nested repositories
    // included.
    slot_git(
        git,
        &slot.dir,
        &["checkout", "--quiet", "--force", "--detach", commit],
    )?;
    slot_git(git, &slot.dir, &["clean", "-ffdxq"])?;
    Ok(())
}

/// Puts back what autodev wrote into the slot's git directory: configuration, no hooks, no attributes, grafts
/// or replace refs, alternates pointing at the user's objects, and the tree's `.git` file.
fn restore_git_dir(slot: &Slot, repo: &RepoInfo, git_dir: &Path, pristine: &Path) -> Result<()> {
    let config = git_dir.join("config");
    std::fs::copy(pristine, &config).map_err(|e| GateError::io(&config, e))?;
    for dir in ["hooks", "refs/replace"] {
        remove_dir(&git_dir.join(dir))?;
    }
    for file in [
        "info/attributes",
        "info/grafts",
        "info/sparse-checkout",
        "objects/info/http-alternates",
    ] {
        remove_file(&git_dir.join(file))?;
    }
    let alternates = git_dir.join("objects/info/alternates");
    let objects = repo.common_dir.join("objects");
    write_file(&alternates, format!("{}\n", objects.display()).as_bytes())?;
    let dot_git = slot.dir.join(".git");
    write_file(
        &dot_git,
        format!("gitdir: {}\n", git_dir.display()).as_bytes(),
    )
}

fn remove_file(path: &Path) -> Result<()> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(GateError::io(path, e)),
    }
}

/// Replaces `path` (whatever it is, a symlink included) with a regular file holding `bytes`.
fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    if std::fs::symlink_metadata(path).is_ok_and(|m| m.is_dir()) {
        remove_dir(path)?;
    } else {
        remove_file(path)?;
    }
    std::fs::write(path, bytes).map_err(|e| GateError::io(path, e))
}

/// Returns a checkout-relative path if any existing component of `path` inside `root` is a symlink.
pub(crate) fn symlink_on_path(root: &Path, path: &str) -> Option<String> {
    let mut current = root.to_path_buf();
    let mut rel = String::new();
    for comp in path.split('/') {
        current.push(comp);
        if !rel.is_empty() {
            rel.push('/');
        }
        rel.push_str(comp);
        match std::fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => return Some(rel),
            Ok(_) => {}
            Err(_) => return None,
        }
    }
    None
}
