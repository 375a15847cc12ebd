//! delivery integration tests: real git repositories and remotes (`file://` and `git daemon`), fake GitHub and
//! Gitea APIs (`fake_servers::FakeForge`).

// Test helpers outside #[test] functions panic on purpose: a failed setup is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use approval::{Decider, Identity, Via};
use delivery::{EnvSource, Error, Forge, PublishOptions, Published};
use fake_servers::FakeForge;
use queue_core::{EventKind, Intent, NewTask, Queue, QueueConfig, Report, TaskId};
use test_support::TempRepo;
use test_support::remote::{BareRemote, GitDaemon};

const PATCH: &str = "--- a/a.txt\n+++ b/a.txt\n@@ -1 +1 @@\n-one\n+two\n";
/// A unique string to look for everywhere a token must not be.
const CANARY: &str = "canary-tok-7f3a9c2e51d84b06";

/// A repository with `a.txt`, its queue, and one task whose patch passed the gate.
struct Setup {
    repo: TempRepo,
    queue: Queue,
    id: TaskId,
    _queue_dir: tempfile::TempDir,
}

impl Setup {
    fn gate_passed() -> Setup {
        let repo = TempRepo::with_files(&[("a.txt", "one\n")]);
        let base = repo.git(&["rev-parse", "HEAD"]).trim().to_owned();
        let qdir = tempfile::tempdir().unwrap();
        let queue = Queue::init(qdir.path().join("q"), QueueConfig::default()).unwrap();
        let new = NewTask {
            title: "Say two".into(),
            intent: Intent::Fix,
            work: "a.txt should say two, not one. @someone <b>hi</b>".into(),
            targets: vec!["a.txt".into()],
            repo: repo.path().to_path_buf(),
            base: "main".into(),
            base_commit: Some(base),
            checks: None,
        };
        let id = queue.submit(new, "cli:me").unwrap().id;
        let claim = queue.claim("worker").unwrap().unwrap();
        std::fs::write(queue.result_path(id, "patch"), PATCH).unwrap();
        let sha = approval::sha256_hex(PATCH.as_bytes());
        let report = Report {
            task_id: Some(id),
            model: "qwen-test".into(),
            files_changed: vec!["a.txt".into()],
            lines_added: 1,
            lines_removed: 1,
            patch_sha256: sha.clone(),
            gate_verdict: queue_core::report::GateVerdict::Pass,
            ..Report::default()
        };
        std::fs::write(
            queue.result_path(id, "report.json"),
            serde_json::to_vec(&report).unwrap(),
        )
        .unwrap();
        let gated = EventKind::GatePassed {
            checks: vec!["test 12ms".into()],
            sha256: sha,
        };
        queue.record(gated, Some(id), &claim.owner).unwrap();
        queue.complete(&claim, "GATE_PASSED").unwrap();
        Setup {
            repo,
            queue,
            id,
            _queue_dir: qdir,
        }
    }

    fn approved() -> Setup {
        let s = Setup::gate_passed();
        let me = Decider {
            by: "alice".into(),
            via: Via::Cli,
        };
        approval::approve(&s.queue, s.id, &me).unwrap();
        s
    }

    fn remote(&self, url: &str) {
        self.repo.git(&["remote", "add", "origin", url]);
    }

    fn delivery_toml(&self, body: &str) {
        self.repo.write(".autodev_ssot/delivery.toml", body);
    }

    fn github(&self, forge: &FakeForge) {
        forge.add_repo("me", "proj");
        self.delivery_toml(&format!(
            "forge = \"github\"\napi_base = \"{}\"\nrepository = \"me/proj\"\nbase_branch = \"main\"\n",
            forge.api_base()
        ));
    }

    fn publish(&self, ready: bool) -> Result<Published, Error> {
        delivery::publish(&self.queue, self.id, &opts(ready, CANARY))
    }

    fn branch(&self) -> String {
        format!("autodev/{}", self.id)
    }

    fn events(&self) -> String {
        std::fs::read_to_string(self.queue.root().join("events.ndjson")).unwrap()
    }

    fn published_events(&self) -> usize {
        self.events().matches(r#""type":"PUBLISHED""#).count()
    }

    fn local_commit(&self) -> String {
        self.repo
            .git(&["rev-parse", &self.branch()])
            .trim()
            .to_owned()
    }
}

fn opts(ready: bool, token: &str) -> PublishOptions {
    let env: BTreeMap<String, String> = [
        ("GITHUB_TOKEN".to_owned(), token.to_owned()),
        ("GITEA_TOKEN".to_owned(), token.to_owned()),
    ]
    .into();
    PublishOptions {
        remote: None,
        ready,
        actor: "cli:alice".into(),
        committer: Identity::fallback(),
        env: EnvSource::Map(env),
    }
}

fn github() -> FakeForge {
    let f = FakeForge::github();
    f.set_token(CANARY);
    f
}

fn gitea() -> FakeForge {
    let f = FakeForge::gitea();
    f.set_token(CANARY);
    f
}

fn posts(forge: &FakeForge) -> usize {
    forge
        .requests()
        .iter()
        .filter(|r| r.method == "POST")
        .count()
}

/// The token appears in none of: the error (Display and Debug), the log, the repository's config.
fn assert_no_canary(s: &Setup, err: &Error) {
    assert!(!err.to_string().contains(CANARY), "{err}");
    assert!(!format!("{err:?}").contains(CANARY), "{err:?}");
    assert!(!s.events().contains(CANARY));
    let config = std::fs::read_to_string(s.repo.path().join(".git/config")).unwrap();
    assert!(!config.contains(CANARY), "{config}");
}

#[test]
fn push_only_to_a_file_remote_lands_once() {
    let s = Setup::approved();
    let remote = BareRemote::new();
    s.remote(&remote.file_url());

    let p = s.publish(false).unwrap();
    assert_eq!(p.branch, s.branch());
    assert_eq!(p.forge, Forge::None);
    assert_eq!(p.pr_url, None);
    assert!(p.newly_pushed);
    assert_eq!(remote.head(&p.branch).as_deref(), Some(p.commit.as_str()));
    assert_eq!(p.commit, s.local_commit());
    let msg = s.repo.git(&["log", "-1", "--format=%B", &p.branch]);
    assert!(msg.contains(&format!("Autodev-Task: {}", s.id)), "{msg}");

    let again = s.publish(false).unwrap();
    assert!(!again.newly_pushed);
    assert_eq!(again.commit, p.commit);
    assert_eq!(s.published_events(), 1, "a rerun logs nothing new");
    let status = delivery::delivery_status(&s.queue, s.id).unwrap().unwrap();
    assert_eq!(status.commit, p.commit);
    assert_eq!(status.remote, "origin");
}

#[test]
fn git_daemon_push_and_github_pull_request_are_idempotent() {
    let s = Setup::approved();
    let remote = BareRemote::new();
    let daemon = GitDaemon::serve(&remote);
    s.remote(&daemon.url());
    let forge = github();
    s.github(&forge);

    let p = s.publish(false).unwrap();
    assert!(p.newly_pushed && p.newly_opened);
    assert_eq!(p.forge, Forge::Github);
    assert_eq!(
        remote.head(&p.branch).as_deref(),
        Some(s.local_commit().as_str())
    );
    let pulls = forge.pulls();
    assert_eq!(pulls.len(), 1);
    let pr = &pulls[0];
    assert_eq!(p.pr_url.as_deref(), Some(pr.html_url.as_str()));
    assert_eq!(p.pr_number, Some(pr.number));
    assert_eq!(pr.title, "Say two");
    assert!(pr.draft, "draft by default");
    assert_eq!(pr.head, p.branch);
    assert_eq!(pr.base, "main");
    for want in [
        "a.txt should say two",
        "qwen-test",
        "| Tries | 1 |",
        "+1 −1",
        "test 12ms",
        "**PASS**",
        &approval::sha256_hex(PATCH.as_bytes()),
        &format!("Autodev-Task: {}", s.id),
    ] {
        assert!(pr.body.contains(want), "body lacks {want:?}:\n{}", pr.body);
    }
    assert!(
        pr.body.contains("```text\na.txt should say two"),
        "the request is fenced verbatim:\n{}",
        pr.body
    );

    let again = s.publish(false).unwrap();
    assert!(!again.newly_pushed && !again.newly_opened);
    assert_eq!(again.pr_url, p.pr_url);
    assert_eq!(forge.pulls().len(), 1, "one pull request");
    assert_eq!(posts(&forge), 1, "the second run only looked");
    assert_eq!(s.published_events(), 1);
    let ev = s.events();
    assert!(ev.contains(&pr.html_url), "{ev}");
}

#[test]
fn ready_opens_a_github_pull_request_that_is_no_draft() {
    let s = Setup::approved();
    let remote = BareRemote::new();
    s.remote(&remote.file_url());
    let forge = github();
    s.github(&forge);
    s.publish(true).unwrap();
    let pr = &forge.pulls()[0];
    assert!(!pr.draft);
    assert_eq!(pr.title, "Say two");
}

#[test]
fn a_remote_branch_that_moved_is_refused_not_force_pushed() {
    let s = Setup::approved();
    let remote = BareRemote::new();
    s.remote(&remote.file_url());
    // Someone else's commit on the remote's autodev/<id>.
    s.repo
        .git(&["commit", "-q", "--allow-empty", "-m", "not autodev's"]);
    let theirs = s.repo.git(&["rev-parse", "HEAD"]).trim().to_owned();
    s.repo.git(&[
        "push",
        "-q",
        "origin",
        &format!("HEAD:refs/heads/{}", s.branch()),
    ]);

    let err = s.publish(false).unwrap_err();
    assert_eq!(err.code(), "REMOTE_BRANCH_MOVED", "{err}");
    assert!(err.is_refusal());
    assert_eq!(
        remote.head(&s.branch()),
        Some(theirs),
        "nothing was force-pushed"
    );
    assert_eq!(s.published_events(), 0);
}

#[test]
fn an_unapproved_task_is_refused_and_nothing_is_pushed() {
    let s = Setup::gate_passed();
    let remote = BareRemote::new();
    s.remote(&remote.file_url());
    let err = s.publish(false).unwrap_err();
    assert_eq!(err.code(), "NOT_APPROVED");
    assert_eq!(err.exit_code(), 1);
    assert_eq!(remote.head(&s.branch()), None);
}

#[test]
fn unknown_remote_missing_token_and_bad_config_change_nothing() {
    let s = Setup::approved();
    let err = s.publish(false).unwrap_err();
    assert_eq!(err.code(), "REMOTE_UNKNOWN", "{err}");
    let no_branch = || {
        s.repo
            .git(&["branch", "--list", &s.branch()])
            .trim()
            .is_empty()
    };
    assert!(no_branch(), "refused before apply: no commit was made");

    let remote = BareRemote::new();
    s.remote(&remote.file_url());
    let forge = github();
    s.github(&forge);
    let mut o = opts(false, CANARY);
    o.env = EnvSource::Map(BTreeMap::new());
    let err = delivery::publish(&s.queue, s.id, &o).unwrap_err();
    assert_eq!(err.code(), "TOKEN_MISSING", "{err}");
    assert!(err.to_string().contains("GITHUB_TOKEN"), "{err}");
    assert_eq!(
        remote.head(&s.branch()),
        None,
        "nothing pushed without a token"
    );

    s.delivery_toml("forge = \"github\"\ntoken = \"oops\"\n");
    let err = s.publish(false).unwrap_err();
    assert_eq!(err.code(), "CONFIG", "{err}");
    assert!(err.to_string().contains("token"), "{err}");
    assert_eq!(remote.head(&s.branch()), None);
    assert!(forge.requests().is_empty());
    assert!(no_branch());
}

#[test]
fn a_crash_between_push_and_pull_request_is_completed_by_the_next_run() {
    let s = Setup::approved();
    let remote = BareRemote::new();
    s.remote(&remote.file_url());
    let forge = github();
    s.github(&forge);
    forge.fail_next(1, 500, &[]);

    let err = s.publish(false).unwrap_err();
    assert_eq!(err.code(), "FORGE_ERROR", "{err}");
    assert!(err.is_retryable());
    assert_eq!(
        remote.head(&s.branch()).as_deref(),
        Some(s.local_commit().as_str()),
        "the push landed before the forge failed"
    );
    assert_eq!(s.published_events(), 0);

    let p = s.publish(false).unwrap();
    assert!(!p.newly_pushed && p.newly_opened);
    assert_eq!(forge.pulls().len(), 1);
    assert_eq!(s.published_events(), 1);
}

#[test]
fn a_bad_token_is_forge_auth_and_never_shown() {
    let s = Setup::approved();
    let remote = BareRemote::new();
    s.remote(&remote.file_url());
    let forge = github();
    forge.set_token("the-right-one");
    s.github(&forge);
    let err = s.publish(false).unwrap_err();
    assert_eq!(err.code(), "FORGE_AUTH", "{err}");
    assert_no_canary(&s, &err);
    delivery::record_failure(&s.queue, s.id, &err, "cli:alice").unwrap();
    assert!(s.events().contains(r#""code":"FORGE_AUTH""#));
    assert!(!s.events().contains(CANARY));
}

#[test]
fn an_https_remote_gets_the_token_as_a_header_only_and_errors_are_scrubbed() {
    let s = Setup::approved();
    let forge = github();
    s.github(&forge);
    // The fake API is no git server: git's request reaches it (and fails), carrying the header.
    let url = format!("{}/me/proj.git", forge.web_base());
    s.remote(&url);
    s.delivery_toml(&format!(
        "forge = \"github\"\napi_base = \"{}\"\nrepository = \"me/proj\"\n",
        forge.api_base()
    ));
    let err = s.publish(false).unwrap_err();
    assert_eq!(err.code(), "REMOTE_UNREACHABLE", "{err}");
    assert_no_canary(&s, &err);
    let git_req = forge
        .requests()
        .into_iter()
        .find(|r| r.path.starts_with("/me/proj.git"))
        .expect("git talked to the remote");
    let auth = git_req
        .header("authorization")
        .unwrap_or_default()
        .to_owned();
    assert!(auth.starts_with("Basic "), "{auth}");
    let encoded = &auth["Basic ".len()..];
    assert!(!err.to_string().contains(encoded), "{err}");
    let config = std::fs::read_to_string(s.repo.path().join(".git/config")).unwrap();
    assert!(!config.contains(encoded), "{config}");
}

#[test]
fn unknown_repository_is_forge_not_found() {
    let s = Setup::approved();
    let remote = BareRemote::new();
    s.remote(&remote.file_url());
    let forge = github();
    s.delivery_toml(&format!(
        "forge = \"github\"\napi_base = \"{}\"\nrepository = \"me/nothing\"\n",
        forge.api_base()
    ));
    let err = s.publish(false).unwrap_err();
    assert_eq!(err.code(), "FORGE_NOT_FOUND", "{err}");
    assert!(err.to_string().contains("me/nothing"), "{err}");
}

#[test]
fn rate_limits_say_when_and_a_short_wait_is_retried_once() {
    let s = Setup::approved();
    let remote = BareRemote::new();
    s.remote(&remote.file_url());
    let forge = github();
    s.github(&forge);

    forge.fail_next(1, 429, &[("retry-after", "120")]);
    let err = s.publish(false).unwrap_err();
    assert_eq!(err.code(), "FORGE_RATE_LIMITED", "{err}");
    assert!(err.is_retryable());
    let at = err.retry_at().expect("when to retry");
    let secs = (at - chrono::Utc::now()).num_seconds();
    assert!((100..=121).contains(&secs), "{secs}");

    let reset = chrono::Utc::now().timestamp() + 3600;
    forge.fail_next(
        1,
        403,
        &[
            ("x-ratelimit-remaining", "0"),
            ("x-ratelimit-reset", &reset.to_string()),
        ],
    );
    let err = s.publish(false).unwrap_err();
    assert_eq!(err.code(), "FORGE_RATE_LIMITED", "{err}");
    assert_eq!(err.retry_at().unwrap().timestamp(), reset);

    forge.fail_next(1, 429, &[("retry-after", "1")]);
    let p = s.publish(false).unwrap();
    assert!(p.newly_opened, "a one-second wait is waited out");
    assert_eq!(forge.pulls().len(), 1);
}

#[test]
fn gitea_pages_through_every_open_pull_request_to_find_ours() {
    let s = Setup::approved();
    let remote = BareRemote::new();
    s.remote(&remote.file_url());
    let forge = gitea();
    forge.add_repo("me", "proj");
    s.delivery_toml(&format!(
        "forge = \"gitea\"\napi_base = \"{}\"\nrepository = \"me/proj\"\n",
        forge.api_base()
    ));
    // Ours is the oldest, so the newest-first list shows it last; a fork's branch of the same name is not ours.
    let ours = forge.add_pull("me", "proj", &s.branch(), "main", "WIP: Say two");
    forge.add_pull(
        "me",
        "proj",
        &format!("fork:{}", s.branch()),
        "main",
        "fork",
    );
    for i in 0..4 {
        forge.add_pull("me", "proj", &format!("other-{i}"), "main", "other");
    }
    forge.set_max_page_size(1);

    let p = s.publish(false).unwrap();
    assert!(!p.newly_opened);
    assert_eq!(p.pr_number, Some(ours.number));
    assert_eq!(p.forge, Forge::Gitea);
    assert_eq!(posts(&forge), 0);
    let pages = forge
        .requests()
        .iter()
        .filter(|r| r.method == "GET" && r.path.ends_with("/pulls"))
        .count();
    assert_eq!(pages, 6, "one page per pull request");
}

#[test]
fn gitea_opens_wip_without_a_draft_field_and_ready_without_it() {
    for ready in [false, true] {
        let s = Setup::approved();
        let remote = BareRemote::new();
        s.remote(&remote.file_url());
        let forge = gitea();
        forge.add_repo("me", "proj");
        forge.set_default_branch("me", "proj", "trunk");
        s.delivery_toml(&format!(
            "forge = \"forgejo\"\napi_base = \"{}\"\nrepository = \"me/proj\"\n",
            forge.api_base()
        ));
        let p = s.publish(ready).unwrap();
        assert_eq!(p.forge, Forge::Forgejo);
        let pr = &forge.pulls()[0];
        let want = if ready { "Say two" } else { "WIP: Say two" };
        assert_eq!(pr.title, want);
        assert_eq!(pr.base, "trunk", "the forge's default branch");
        let post = forge
            .requests()
            .into_iter()
            .find(|r| r.method == "POST")
            .unwrap();
        assert!(post.body.get("draft").is_none(), "{}", post.raw);
        assert_eq!(
            post.header("authorization"),
            Some(format!("token {CANARY}").as_str())
        );
    }
}
