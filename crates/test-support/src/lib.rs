//! Helpers shared by autodev's tests: temporary git repositories built from plain files, and running commands
//! with a clean, predictable environment.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A temporary git repository with one commit; deleted on drop.
pub struct TempRepo {
    dir: tempfile::TempDir,
}

impl TempRepo {
    /// Creates a repository containing `files` (path, contents) committed on `main`.
    pub fn with_files(files: &[(&str, &str)]) -> TempRepo {
        let dir = tempfile::Builder::new()
            .prefix("autodev-test-")
            .tempdir()
            .unwrap_or_else(|e| panic!("tempdir: {e}"));
        let repo = TempRepo { dir };
        repo.git(&["init", "-q", "-b", "main"]);
        for (path, body) in files {
            repo.write(path, body);
        }
        repo.git(&["add", "-A"]);
        repo.git(&["commit", "-q", "--allow-empty", "-m", "initial"]);
        repo
    }

    /// An empty directory that is not a git repository.
    pub fn plain_dir() -> tempfile::TempDir {
        tempfile::Builder::new()
            .prefix("autodev-test-")
            .tempdir()
            .unwrap_or_else(|e| panic!("tempdir: {e}"))
    }

    /// The work tree.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes a file (creating parent folders).
    pub fn write(&self, rel: &str, body: &str) {
        let p = self.dir.path().join(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent)
                .unwrap_or_else(|e| panic!("mkdir {}: {e}", parent.display()));
        }
        std::fs::write(&p, body).unwrap_or_else(|e| panic!("write {}: {e}", p.display()));
    }

    /// Runs git in the repository with a fixed identity; panics on failure. Returns stdout.
    pub fn git(&self, args: &[&str]) -> String {
        let out = git_command(self.dir.path())
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("spawn git: {e}"));
        assert!(
            out.status.success(),
            "git {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// `git status --porcelain --ignored`: empty when the tree is clean and nothing unignored was added.
    pub fn porcelain(&self) -> String {
        self.git(&["status", "--porcelain"])
    }
}

/// A `git` command in `dir` with a fixed identity and no user/system configuration.
pub fn git_command(dir: &Path) -> Command {
    let mut c = Command::new("git");
    c.current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "Test")
        .env("GIT_AUTHOR_EMAIL", "test@example.invalid")
        .env("GIT_COMMITTER_NAME", "Test")
        .env("GIT_COMMITTER_EMAIL", "test@example.invalid");
    c
}

/// Snapshot of every file under `root` (relative path → bytes), skipping `.git` internals except HEAD and index,
/// to prove that something left a tree byte-for-byte unchanged.
pub fn snapshot(root: &Path) -> std::collections::BTreeMap<PathBuf, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut std::collections::BTreeMap<PathBuf, Vec<u8>>) {
        let Ok(rd) = std::fs::read_dir(dir) else {
            return;
        };
        for e in rd.flatten() {
            let p = e.path();
            let rel = p
                .strip_prefix(root)
                .map(Path::to_path_buf)
                .unwrap_or_else(|_| p.clone());
            let Ok(ft) = e.file_type() else { continue };
            if ft.is_dir() {
                if rel == Path::new(".git") {
                    for f in ["HEAD", "index"] {
                        if let Ok(b) = std::fs::read(p.join(f)) {
                            out.insert(rel.join(f), b);
                        }
                    }
                    continue;
                }
                walk(root, &p, out);
            } else if ft.is_symlink() {
                let target = std::fs::read_link(&p)
                    .map(|t| t.to_string_lossy().into_owned())
                    .unwrap_or_default();
                out.insert(rel, format!("symlink:{target}").into_bytes());
            } else if let Ok(b) = std::fs::read(&p) {
                out.insert(rel, b);
            }
        }
    }
    let mut out = std::collections::BTreeMap::new();
    walk(root, root, &mut out);
    out
}

/// Output of a finished command, with helpers for assertions.
#[derive(Debug)]
pub struct Run {
    /// Exit code (-1 when killed by a signal).
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(o: Output) -> Run {
        Run {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

impl Run {
    /// Parses stdout as JSON.
    pub fn json(&self) -> serde_json_value::Value {
        serde_json_value::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }
}

pub mod llama;
pub mod postgres;
pub mod remote;

/// Re-exported so tests need not name serde_json themselves.
pub use serde_json as serde_json_value;
