//! Hooks: a merge or push whose change fails the gate is refused; a good one goes through.

use std::path::{Path, PathBuf};

use gate::{GateError, InstallOptions, install_hook, uninstall_hook};

use crate::common::{git, git_cmd, repo_with};

const GATE_TOML: &str =
    "[[check]]\nname = \"not-broken\"\ncommand = \"test ! -f broken\"\ntimeout_secs = 30\n";

fn options() -> InstallOptions {
    InstallOptions {
        force: false,
        autodev_bin: Some(PathBuf::from(env!("CARGO_BIN_EXE_autodev-gate"))),
    }
}

fn branch_with_file(repo: &Path, branch: &str, file: &str) {
    git(repo, &["checkout", "-q", "-b", branch, "main"]);
    std::fs::write(repo.join(file), "content\n").unwrap();
    git(repo, &["add", file]);
    git(repo, &["commit", "-q", "-m", branch]);
    git(repo, &["checkout", "-q", "main"]);
}

#[test]
fn pre_merge_commit_blocks_a_breaking_merge() {
    let repo = repo_with(&[("a.txt", "a\n"), (".autodev_ssot/gate.toml", GATE_TOML)]);
    let installed = install_hook(&repo.path, &options()).unwrap();
    assert_eq!(installed.len(), 2);
    branch_with_file(&repo.path, "bad", "broken");
    branch_with_file(&repo.path, "good", "fine.txt");
    let head = git(&repo.path, &["rev-parse", "HEAD"]);

    let out = git_cmd(&repo.path)
        .args(["merge", "--no-ff", "-m", "merge bad", "bad"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success(),
        "the breaking merge went through: {stderr}"
    );
    assert!(stderr.contains("CHECK_FAILED"), "{stderr}");
    assert_eq!(
        git(&repo.path, &["rev-parse", "HEAD"]),
        head,
        "no merge commit was made"
    );
    git(&repo.path, &["merge", "--abort"]);

    let out = git_cmd(&repo.path)
        .args(["merge", "--no-ff", "-m", "merge good", "good"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        git(&repo.path, &["rev-parse", "HEAD^2"]),
        git(&repo.path, &["rev-parse", "good"])
    );
}

#[test]
fn pre_push_blocks_a_breaking_branch() {
    let repo = repo_with(&[("a.txt", "a\n"), (".autodev_ssot/gate.toml", GATE_TOML)]);
    let remote = repo.path.parent().unwrap().join("remote.git");
    git(
        repo.path.parent().unwrap(),
        &["init", "-q", "--bare", remote.to_str().unwrap()],
    );
    git(
        &repo.path,
        &["remote", "add", "origin", remote.to_str().unwrap()],
    );
    install_hook(&repo.path, &options()).unwrap();
    // The first push of a root commit has nothing to diff against: it passes.
    git(&repo.path, &["push", "-q", "origin", "main"]);
    branch_with_file(&repo.path, "bad", "broken");
    branch_with_file(&repo.path, "good", "fine.txt");

    let out = git_cmd(&repo.path)
        .args(["push", "origin", "bad"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success(),
        "the breaking push went through: {stderr}"
    );
    assert!(stderr.contains("CHECK_FAILED"), "{stderr}");
    assert!(git(&remote, &["branch", "--list", "bad"]).is_empty());

    let out = git_cmd(&repo.path)
        .args(["push", "origin", "good"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // An update of an existing remote branch is gated against the remote's commit.
    git(&repo.path, &["checkout", "-q", "good"]);
    std::fs::write(repo.path.join("broken"), "x\n").unwrap();
    git(&repo.path, &["add", "broken"]);
    git(&repo.path, &["commit", "-q", "-m", "break it"]);
    let out = git_cmd(&repo.path)
        .args(["push", "origin", "good"])
        .output()
        .unwrap();
    assert!(!out.status.success());
}

#[test]
fn install_refuses_foreign_hooks_and_uninstall_restores_them() {
    let repo = repo_with(&[("a.txt", "a\n")]);
    let hooks = repo.path.join(".git/hooks");
    std::fs::create_dir_all(&hooks).unwrap();
    let foreign = "#!/bin/sh\necho mine\n";
    std::fs::write(hooks.join("pre-push"), foreign).unwrap();

    let err = install_hook(&repo.path, &options()).unwrap_err();
    assert!(matches!(err, GateError::ForeignHook { .. }), "{err}");
    assert!(
        !hooks.join("pre-merge-commit").exists(),
        "a refusal writes nothing"
    );
    assert_eq!(
        std::fs::read_to_string(hooks.join("pre-push")).unwrap(),
        foreign
    );

    let forced = InstallOptions {
        force: true,
        ..options()
    };
    install_hook(&repo.path, &forced).unwrap();
    assert_eq!(
        std::fs::read_to_string(hooks.join("pre-push.autodev-backup")).unwrap(),
        foreign
    );
    // Installing again over our own hooks needs no force.
    install_hook(&repo.path, &options()).unwrap();

    let removed = uninstall_hook(&repo.path).unwrap();
    assert_eq!(removed.len(), 2);
    assert_eq!(
        std::fs::read_to_string(hooks.join("pre-push")).unwrap(),
        foreign,
        "the foreign hook is restored"
    );
    assert!(!hooks.join("pre-merge-commit").exists());
    // A second uninstall finds nothing of ours and leaves the foreign hook alone.
    assert!(uninstall_hook(&repo.path).unwrap().is_empty());
    assert_eq!(
        std::fs::read_to_string(hooks.join("pre-push")).unwrap(),
        foreign
    );
}

#[test]
fn hook_script_uses_autodev_bin_override() {
    let script = gate::hook::hook_script(
        gate::HookKind::PrePush,
        Some(Path::new("/opt/it's/autodev")),
    );
    assert!(script.contains(gate::hook::HOOK_MARKER));
    assert!(
        script.contains(r#"baked='/opt/it'\''s/autodev'"#),
        "{script}"
    );
    assert!(script.contains("${AUTODEV_BIN:-$baked}"));
    assert!(script.contains("exec \"$bin\" gate --hook pre-push"));
}
