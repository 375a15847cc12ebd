//! `autodev publish` and `autodev status` against real remotes (`git daemon`, `file://`) and fake forges.

use std::path::Path;
use std::process::{Command, Stdio};

use fake_servers::FakeForge;
use test_support::remote::{BareRemote, GitDaemon};
use test_support::{Run, TempRepo};

use crate::approval::gate_passed_task;
use crate::{autodev, queue_dir, ready_repo};

/// A token to look for everywhere it must not be.
pub(crate) const CANARY: &str = "canary-cli-tok-5d1e8a7b93c04f62";

/// `autodev ARGS` with the forge tokens set to [`CANARY`].
pub(crate) fn autodev_tok(dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_autodev"))
        .env("AUTODEV_LANG", "en")
        .args(args)
        .current_dir(dir)
        .env_remove("AUTODEV_QUEUE")
        .env("USER", "tester")
        .env("GITHUB_TOKEN", CANARY)
        .env("GITEA_TOKEN", CANARY)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    Run::from(out)
}

/// An approved task in a fresh repository whose `origin` is `url`.
pub(crate) fn approved_task(url_of: impl FnOnce(&TempRepo) -> String) -> (TempRepo, String) {
    let repo = ready_repo();
    let id = gate_passed_task(&repo);
    let r = autodev(repo.path(), &["approve", &id, "--by", "alice"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let url = url_of(&repo);
    repo.git(&["remote", "add", "origin", &url]);
    (repo, id)
}

pub(crate) fn github_toml(repo: &TempRepo, forge: &FakeForge) {
    forge.add_repo("me", "proj");
    repo.write(
        ".autodev_ssot/delivery.toml",
        &format!(
            "forge = \"github\"\napi_base = \"{}\"\nrepository = \"me/proj\"\n",
            forge.api_base()
        ),
    );
}

fn assert_token_nowhere(repo: &TempRepo, runs: &[&Run]) {
    for r in runs {
        assert!(!r.stdout.contains(CANARY), "{}", r.stdout);
        assert!(!r.stderr.contains(CANARY), "{}", r.stderr);
    }
    let events = std::fs::read_to_string(queue_dir(repo).join("events.ndjson")).unwrap();
    assert!(!events.contains(CANARY));
    let config = std::fs::read_to_string(repo.path().join(".git/config")).unwrap();
    assert!(!config.contains(CANARY), "{config}");
}

#[test]
fn publish_pushes_opens_one_draft_and_status_shows_the_url() {
    let remote = BareRemote::new();
    let daemon = GitDaemon::serve(&remote);
    let (repo, id) = approved_task(|_| daemon.url());
    let forge = FakeForge::github();
    forge.set_token(CANARY);
    github_toml(&repo, &forge);

    let first = autodev_tok(repo.path(), &["publish", &id]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    let pr = forge.pulls().pop().expect("a pull request");
    assert!(pr.draft);
    assert_eq!(pr.title, "Reject port 0");
    assert!(
        first
            .stdout
            .contains(&format!("opened pull request {}", pr.html_url)),
        "{}",
        first.stdout
    );
    let branch = format!("autodev/{id}");
    let local = repo.git(&["rev-parse", &branch]).trim().to_owned();
    assert_eq!(remote.head(&branch), Some(local.clone()));

    let second = autodev_tok(repo.path(), &["publish", &id, "--json"]);
    assert_eq!(second.code, 0, "{}", second.stderr);
    let v = second.json();
    assert_eq!(v["published"]["pr_url"], pr.html_url.as_str());
    assert_eq!(v["published"]["newly_opened"], false);
    assert_eq!(v["published"]["newly_pushed"], false);
    assert_eq!(forge.pulls().len(), 1);

    let st = autodev(repo.path(), &["status", &id]);
    assert!(st.stdout.contains(&pr.html_url), "{}", st.stdout);
    assert!(st.stdout.contains(&branch), "{}", st.stdout);
    let st = autodev(repo.path(), &["status", &id, "--json"]).json();
    assert_eq!(st["published"]["pr_url"], pr.html_url.as_str());
    assert_eq!(st["published"]["commit"], local.as_str());
    assert_eq!(st["state"], "applied");
    let events = std::fs::read_to_string(queue_dir(&repo).join("events.ndjson")).unwrap();
    assert_eq!(events.matches(r#""type":"PUBLISHED""#).count(), 1);
    assert_token_nowhere(&repo, &[&first, &second]);
}

#[test]
fn publish_refusals_exit_1_with_a_code_and_change_nothing() {
    let remote = BareRemote::new();
    let repo = ready_repo();
    let id = gate_passed_task(&repo);
    repo.git(&["remote", "add", "origin", &remote.file_url()]);
    let r = autodev_tok(repo.path(), &["publish", &id, "--json"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.starts_with("NOT_APPROVED: "), "{}", r.stderr);
    assert_eq!(r.json()["error"]["code"], "NOT_APPROVED");
    assert_eq!(remote.head(&format!("autodev/{id}")), None);

    let r = autodev_tok(
        repo.path(),
        &["publish", &id, "--remote", "--upload-pack=x"],
    );
    assert_eq!(r.code, 2, "clap refuses an option as a value: {}", r.stderr);
}

#[test]
fn publish_with_a_bad_token_is_forge_auth_and_never_prints_it() {
    let remote = BareRemote::new();
    let (repo, id) = approved_task(|_| remote.file_url());
    let forge = FakeForge::github();
    forge.set_token("a-different-token");
    github_toml(&repo, &forge);
    let r = autodev_tok(repo.path(), &["publish", &id]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.starts_with("FORGE_AUTH: "), "{}", r.stderr);
    assert_token_nowhere(&repo, &[&r]);
}

#[test]
fn publish_rate_limited_exits_2_and_says_when() {
    let remote = BareRemote::new();
    let (repo, id) = approved_task(|_| remote.file_url());
    let forge = FakeForge::github();
    forge.set_token(CANARY);
    github_toml(&repo, &forge);
    forge.fail_next(1, 429, &[("retry-after", "90")]);
    let r = autodev_tok(repo.path(), &["publish", &id, "--json"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    let v = r.json();
    assert_eq!(v["error"]["code"], "FORGE_RATE_LIMITED");
    assert_eq!(v["error"]["retryable"], true);
    assert!(v["error"]["retry_at"].is_string(), "{v}");
    // The branch is pushed; the next run opens the pull request.
    let r = autodev_tok(repo.path(), &["publish", &id]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(forge.pulls().len(), 1);
}

#[test]
fn publish_refuses_a_remote_branch_that_moved() {
    let remote = BareRemote::new();
    let (repo, id) = approved_task(|_| remote.file_url());
    repo.git(&[
        "push",
        "-q",
        "origin",
        &format!("HEAD:refs/heads/autodev/{id}"),
    ]);
    let theirs = remote.head(&format!("autodev/{id}"));
    repo.write(".autodev_ssot/delivery.toml", "forge = \"none\"\n");
    let r = autodev_tok(repo.path(), &["publish", &id]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.starts_with("REMOTE_BRANCH_MOVED: "),
        "{}",
        r.stderr
    );
    assert_eq!(
        remote.head(&format!("autodev/{id}")),
        theirs,
        "not force-pushed"
    );
}

#[test]
fn publish_ready_on_gitea_has_no_wip_prefix() {
    let remote = BareRemote::new();
    let (repo, id) = approved_task(|_| remote.file_url());
    let forge = FakeForge::gitea();
    forge.set_token(CANARY);
    forge.add_repo("me", "proj");
    repo.write(
        ".autodev_ssot/delivery.toml",
        &format!(
            "forge = \"gitea\"\napi_base = \"{}\"\nrepository = \"me/proj\"\n",
            forge.api_base()
        ),
    );
    let r = autodev_tok(repo.path(), &["publish", &id, "--ready"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(forge.pulls()[0].title, "Reject port 0");
}

#[test]
fn publish_help_teaches_the_codes() {
    let r = autodev(Path::new("."), &["publish", "--help"]);
    assert_eq!(r.code, 0);
    for want in ["REMOTE_BRANCH_MOVED", "--ready", "delivery.toml", "never"] {
        assert!(r.stdout.contains(want), "help lacks {want}:\n{}", r.stdout);
    }
}
