//! End-to-end tests of the `autodev` binary: real processes, real git repositories, real files.

// Test helpers outside #[test] functions panic on purpose: a failed setup is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod approval;
mod chaos;
mod codes_i18n;
mod deliver;
mod docs;
mod doctor;
mod edit_formats;
mod errors_i18n;
mod gate;
mod help_i18n;
mod hostile;
mod i18n;
mod init;
mod llama;
mod openclaw;
mod postgres;
mod publish;
mod rejections;
mod resilience;
mod stack;
mod status;
mod telegram;
mod telegram_i18n;
mod worker;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use test_support::{Run, TempRepo};

/// Runs `autodev` in `dir` with `args`, optional stdin bytes, and no inherited AUTODEV_QUEUE.
pub(crate) fn autodev(dir: &Path, args: &[&str]) -> Run {
    autodev_stdin(dir, args, None)
}

pub(crate) fn autodev_stdin(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Run {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_autodev"))
        .env("AUTODEV_LANG", "en")
        .args(args)
        .current_dir(dir)
        .env_remove("AUTODEV_QUEUE")
        .env("USER", "tester")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(bytes) = stdin {
        // A child that refuses early may close stdin before reading it all.
        let _ = child.stdin.take().unwrap().write_all(bytes);
    }
    Run::from(child.wait_with_output().unwrap())
}

/// A repository with `src/config.rs` committed and an initialised queue.
pub(crate) fn ready_repo() -> TempRepo {
    let repo = TempRepo::with_files(&[
        (
            "src/config.rs",
            "pub fn parse_port(s: &str) -> Option<u16> { s.parse().ok() }\n",
        ),
        ("README.md", "demo\n"),
    ]);
    let r = autodev(repo.path(), &["init"]);
    assert_eq!(r.code, 0, "init failed: {}", r.stderr);
    repo
}

pub(crate) fn queue_dir(repo: &TempRepo) -> PathBuf {
    repo.path().join(".autodev_queue")
}

pub(crate) fn today() -> String {
    chrono_today()
}

fn chrono_today() -> String {
    // `date -u +%Y%m%d` without a chrono dependency in the test binary.
    let out = Command::new("date")
        .args(["-u", "+%Y%m%d"])
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}
