//! Checkout slots: clones the gate owns, reused between runs and made pristine before each.
//!
//! A slot is `git clone --shared --no-checkout` of the user's repository: it borrows the user's object store
//! read-only (through `objects/info/alternates`) and has its own HEAD, index and working tree, so nothing the
//! gate does can move the user's HEAD or touch their index or files. Every git command on a slot names its
//! `--git-dir` and `--work-tree` explicitly: slots live under the user's `.git/`, and git's discovery from a
//! half-made slot would otherwise find the user's repository.
//!
//! Slots are taken with a non-blocking `flock` on `slot-N.lock`; the kernel drops the lock when the holder
//! exits, however it exits, so a crashed gate never leaves a stale lock behind.

use std::fs::{File, OpenOptions};
use std::os::fd::AsRawFd;
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
    /// A per-slot directory outside the checkout for build caches.
    pub(crate) cache_dir: PathBuf,
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
            // SAFETY: flock on a descriptor we own; no memory is involved.
            let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
            if rc == 0 {
                return Ok(Slot {
                    index,
                    dir: checkouts.join(format!("slot-{index}")),
                    cache_dir: work_root.join("cache").join(format!("slot-{index}")),
                    _lock: file,
                });
            }
            let err = std::io::Error::last_os_error();
            if err.raw_os_error() != Some(libc::EWOULDBLOCK) {
                return Err(GateError::io(&lock_path, err));
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

fn slot_git_args(slot: &Path) -> [String; 2] {
    [
        format!("--git-dir={}", slot.join(".git").display()),
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
    match reset(git, slot, repo, commit) {
        Ok(()) => Ok(()),
        Err(_) => {
            remove_dir(&slot.dir)?;
            reset(git, slot, repo, commit)
        }
    }
}

fn remove_dir(dir: &Path) -> Result<()> {
    match std::fs::remove_dir_all(dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(GateError::io(dir, e)),
    }
}

fn reset(git: &Git, slot: &Slot, repo: &RepoInfo, commit: &str) -> Result<()> {
    if !slot.dir.join(".git").is_dir() {
        remove_dir(&slot.dir)?;
        git.run(
            &repo.top,
            [
                "clone".as_ref(),
                "--quiet".as_ref(),
                "--shared".as_ref(),
                "--no-checkout".as_ref(),
                repo.top.as_os_str(),
                slot.dir.as_os_str(),
            ],
        )?;
    }
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
