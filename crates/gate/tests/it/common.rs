//! Test helpers: repositories made from fixture trees, and byte-exact snapshots of the user's side.

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use tempfile::TempDir;

/// A scratch repository; dropped with its temp dir.
pub(crate) struct TestRepo {
    _dir: TempDir,
    pub(crate) path: PathBuf,
}

/// `git` with a hermetic configuration and a fixed identity.
pub(crate) fn git_cmd(dir: &Path) -> Command {
    let mut cmd = Command::new("git");
    cmd.current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Test")
        .env("GIT_AUTHOR_EMAIL", "test@example.invalid")
        .env("GIT_COMMITTER_NAME", "Test")
        .env("GIT_COMMITTER_EMAIL", "test@example.invalid")
        .env_remove("GIT_DIR")
        .env_remove("GIT_INDEX_FILE")
        .env_remove("GIT_WORK_TREE");
    cmd
}

/// Runs git and returns stdout; panics with stderr on failure.
pub(crate) fn git(dir: &Path, args: &[&str]) -> String {
    let out = git_cmd(dir).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

pub(crate) fn fixtures_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/gate")
}

/// Copies a tree, keeping symlinks and executable bits.
pub(crate) fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    let mut entries: Vec<_> = std::fs::read_dir(from)
        .unwrap()
        .map(|e| e.unwrap())
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let src = e.path();
        let dst = to.join(e.file_name());
        let meta = std::fs::symlink_metadata(&src).unwrap();
        if meta.file_type().is_symlink() {
            std::os::unix::fs::symlink(std::fs::read_link(&src).unwrap(), &dst).unwrap();
        } else if meta.is_dir() {
            copy_tree(&src, &dst);
        } else {
            std::fs::copy(&src, &dst).unwrap();
            std::fs::set_permissions(&dst, meta.permissions()).unwrap();
        }
    }
}

/// A repository whose single commit on `main` is `files` (path → content), in the system's temp folder.
pub(crate) fn repo_with(files: &[(&str, &str)]) -> TestRepo {
    repo_with_in(&std::env::temp_dir(), files)
}

/// [`repo_with`], in a temporary folder under `base`.
pub(crate) fn repo_with_in(base: &Path, files: &[(&str, &str)]) -> TestRepo {
    std::fs::create_dir_all(base).unwrap();
    let dir = tempfile::tempdir_in(base).unwrap();
    let path = dir.path().join("repo");
    std::fs::create_dir_all(&path).unwrap();
    for (p, c) in files {
        let f = path.join(p);
        std::fs::create_dir_all(f.parent().unwrap()).unwrap();
        std::fs::write(f, c).unwrap();
    }
    init_and_commit(&path);
    TestRepo { _dir: dir, path }
}

/// A repository made from a fixture `input/` tree (plus the scenario's `setup.sh`, run before the commit).
pub(crate) fn repo_from_fixture(input: &Path, setup: Option<&Path>) -> TestRepo {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("repo");
    copy_tree(input, &path);
    if let Some(script) = setup {
        let status = Command::new("/bin/sh")
            .arg(script)
            .current_dir(&path)
            .status()
            .unwrap();
        assert!(status.success(), "setup.sh failed");
    }
    init_and_commit(&path);
    TestRepo { _dir: dir, path }
}

fn init_and_commit(path: &Path) {
    git(path, &["init", "-q", "-b", "main"]);
    git(path, &["-c", "core.autocrlf=false", "add", "-A"]);
    git(path, &["commit", "-q", "--allow-empty", "-m", "base"]);
}

/// Leaves the user's side the way people do: a staged edit, an unstaged edit on top, an untracked file.
pub(crate) fn make_dirty(repo: &TestRepo) {
    let tracked = git(&repo.path, &["ls-files"]);
    let victim = tracked.lines().find(|p| {
        !p.starts_with(".autodev_ssot")
            && std::fs::symlink_metadata(repo.path.join(p)).is_ok_and(|m| m.is_file())
    });
    if let Some(p) = victim {
        let f = repo.path.join(p);
        let mut content = std::fs::read(&f).unwrap();
        content.extend_from_slice(b"USER EDIT (staged)\n");
        std::fs::write(&f, &content).unwrap();
        git(&repo.path, &["add", "--", p]);
        content.extend_from_slice(b"USER EDIT (unstaged)\n");
        std::fs::write(&f, &content).unwrap();
    }
    std::fs::write(repo.path.join("untracked-by-user.txt"), "not in git\n").unwrap();
}

/// One file of a tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Node {
    File { content: Vec<u8>, executable: bool },
    Symlink(PathBuf),
}

/// Every file under `root` except the top-level `.git`.
pub(crate) fn tree(root: &Path) -> BTreeMap<String, Node> {
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Node>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        let p = e.path();
        let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
        if rel == ".git" {
            continue;
        }
        let meta = std::fs::symlink_metadata(&p).unwrap();
        if meta.file_type().is_symlink() {
            out.insert(rel, Node::Symlink(std::fs::read_link(&p).unwrap()));
        } else if meta.is_dir() {
            walk(root, &p, out);
        } else {
            let executable = meta.permissions().mode() & 0o111 != 0;
            out.insert(
                rel,
                Node::File {
                    content: std::fs::read(&p).unwrap(),
                    executable,
                },
            );
        }
    }
}

/// What must not change on the user's side: files, index, HEAD and refs, byte for byte.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct UserState {
    files: BTreeMap<String, Node>,
    index: Vec<u8>,
    head: Vec<u8>,
    refs: BTreeMap<String, Node>,
    packed_refs: Option<Vec<u8>>,
}

pub(crate) fn user_state(repo: &Path) -> UserState {
    let git_dir = repo.join(".git");
    UserState {
        files: tree(repo),
        index: std::fs::read(git_dir.join("index")).unwrap_or_default(),
        head: std::fs::read(git_dir.join("HEAD")).unwrap(),
        refs: tree(&git_dir.join("refs")),
        packed_refs: std::fs::read(git_dir.join("packed-refs")).ok(),
    }
}

/// Asserts and describes the first difference (the full Debug would be unreadable).
pub(crate) fn assert_trees_eq(
    actual: &BTreeMap<String, Node>,
    expected: &BTreeMap<String, Node>,
    what: &str,
) -> Result<(), String> {
    if actual == expected {
        return Ok(());
    }
    let mut diffs = Vec::new();
    for (k, v) in expected {
        match actual.get(k) {
            None => diffs.push(format!("missing {k}")),
            Some(a) if a != v => diffs.push(format!("differs {k}: got {a:?}, want {v:?}")),
            _ => {}
        }
    }
    for k in actual.keys() {
        if !expected.contains_key(k) {
            diffs.push(format!("unexpected {k}"));
        }
    }
    Err(format!("{what}: {}", diffs.join("; ")))
}
