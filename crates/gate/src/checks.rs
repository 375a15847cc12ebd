//! Runs check commands in the checkout: time limits, process groups, scrubbed environment, logs.
//!
//! Each check runs as `sh -c COMMAND` under the sandbox ([`crate::sandbox`]): a supervisor that kills every
//! process the check started when it ends or runs past its time limit, Landlock (or bubblewrap) limiting what it
//! can read and write, no network by default, stdin from `/dev/null`, and an environment without secrets —
//! variables named like secrets and variables holding a URL with credentials (`https://user:pass@…`) are removed.

use std::ffi::OsString;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::config::GateFile;
use crate::error::{GateError, Result};
use crate::report::{CheckResult, CheckStatus};
use crate::sandbox::{self, RunDirs, SandboxSummary};

/// How one run's checks are contained.
pub(crate) struct CheckSandbox {
    pub(crate) summary: SandboxSummary,
    pub(crate) roots: sandbox::Roots,
    pub(crate) dirs: RunDirs,
}

/// A check to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckSpec {
    pub name: String,
    pub command: String,
    pub timeout: Duration,
}

/// Name fragments that mark a variable as a secret (compared upper-case).
const SECRET_MARKERS: &[&str] = &["TOKEN", "SECRET", "KEY", "PASSWORD", "PASSWD", "CREDENTIAL"];
/// Variables removed outright: they grant access (agents) or redirect git to the user's repository.
const DROPPED: &[&str] = &["SSH_AUTH_SOCK", "GPG_AGENT_INFO"];

/// Whether a variable is withheld from checks unless `allow`-listed.
pub fn is_secret_var(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    SECRET_MARKERS.iter().any(|m| upper.contains(m))
        || DROPPED.contains(&upper.as_str())
        || upper.starts_with("GIT_")
}

/// Whether a value carries a URL with credentials (`scheme://user:secret@host`, `scheme://token@host`), anywhere
/// in it (lists of URLs included).
pub fn has_url_credentials(value: &str) -> bool {
    value.match_indices("://").any(|(i, _)| {
        let authority = value[i + 3..]
            .split(|c: char| {
                c == '/' || c == '?' || c == '#' || c.is_whitespace() || c == ',' || c == ';'
            })
            .next()
            .unwrap_or("");
        authority.contains('@')
    })
}

/// The environment for checks: the gate's own, minus secrets, plus the gate's variables and `[env.set]`.
pub(crate) fn check_env(
    file: &GateFile,
    checkout: &Path,
    cache_dir: &Path,
    base_env: impl IntoIterator<Item = (OsString, OsString)>,
) -> Vec<(OsString, OsString)> {
    let mut env: Vec<(OsString, OsString)> = base_env
        .into_iter()
        .filter(|(k, v)| {
            let name = k.to_string_lossy();
            let secret = is_secret_var(&name) || has_url_credentials(&v.to_string_lossy());
            !secret || file.env.allow.iter().any(|a| a == name.as_ref())
        })
        .collect();
    let mut set = |k: &str, v: OsString| {
        env.retain(|(key, _)| key != k);
        env.push((k.into(), v));
    };
    set("AUTODEV_CHECKOUT", checkout.as_os_str().to_owned());
    set("AUTODEV_CACHE_DIR", cache_dir.as_os_str().to_owned());
    if file.cache.cargo_target_dir {
        set(
            "CARGO_TARGET_DIR",
            cache_dir.join("cargo-target").into_os_string(),
        );
    }
    for (k, v) in &file.env.set {
        let v = v
            .replace("${AUTODEV_CACHE_DIR}", &cache_dir.to_string_lossy())
            .replace("${AUTODEV_CHECKOUT}", &checkout.to_string_lossy());
        set(k, v.into());
    }
    env
}

/// Points `HOME` and `TMPDIR` at the run's private folders (the real home is not readable in the sandbox), and
/// keeps Rust toolchains found through the real home (`CARGO_HOME`, `RUSTUP_HOME`) where they are.
pub(crate) fn private_home(env: &mut Vec<(OsString, OsString)>, dirs: &RunDirs) {
    let real_home = env
        .iter()
        .find(|(k, _)| k == "HOME")
        .map(|(_, v)| PathBuf::from(v));
    let mut set = |k: &str, v: OsString| {
        env.retain(|(key, _)| key != k);
        env.push((k.into(), v));
    };
    for (var, dir) in [("CARGO_HOME", ".cargo"), ("RUSTUP_HOME", ".rustup")] {
        if std::env::var_os(var).is_none()
            && let Some(home) = &real_home
            && home.join(dir).is_dir()
        {
            set(var, home.join(dir).into_os_string());
        }
    }
    // These point into the real home, which the sandbox denies: tools fall back to the private HOME instead.
    env.retain(|(k, _)| {
        !matches!(
            k.to_str(),
            Some(
                "XDG_CONFIG_HOME"
                    | "XDG_DATA_HOME"
                    | "XDG_CACHE_HOME"
                    | "XDG_STATE_HOME"
                    | "XDG_RUNTIME_DIR"
            )
        )
    });
    let mut set = |k: &str, v: OsString| {
        env.retain(|(key, _)| key != k);
        env.push((k.into(), v));
    };
    set("HOME", dirs.home.clone().into_os_string());
    for var in ["TMPDIR", "TMP", "TEMP"] {
        set(var, dirs.tmp.clone().into_os_string());
    }
}

/// Runs one check. `log_path` receives stdout and stderr; the last `tail_bytes` go into the result.
pub(crate) fn run_check(
    spec: &CheckSpec,
    sandbox: &CheckSandbox,
    env: &[(OsString, OsString)],
    log_path: &Path,
    tail_bytes: usize,
) -> Result<CheckResult> {
    let spawn_err = |source| GateError::Spawn {
        name: spec.name.clone(),
        source,
    };
    if let Some(parent) = log_path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| GateError::io(parent, e))?;
    }
    let log = File::create(log_path).map_err(|e| GateError::io(log_path, e))?;
    let log_err = log.try_clone().map_err(|e| GateError::io(log_path, e))?;
    let started = Instant::now();
    let contained = sandbox::contain(
        &spec.command,
        &sandbox.summary,
        &sandbox.roots,
        &sandbox.dirs,
    )
    .map_err(spawn_err)?;
    let mut command = contained.command;
    command
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        // A file, not a pipe: a grandchild holding a pipe open could block the gate forever.
        .stdout(Stdio::from(log))
        .stderr(Stdio::from(log_err))
        .process_group(0);
    let mut child = sandbox::spawn_supervised(command, contained.setup).map_err(spawn_err)?;
    // The supervisor's pid; it is also the check's process group id.
    let pid = child.id() as libc::pid_t;
    let mut timed_out = false;
    loop {
        if exited_without_reaping(pid) {
            break;
        }
        if started.elapsed() >= spec.timeout {
            timed_out = true;
            stop_supervisor(pid);
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    // Belt and braces: kill the group while the supervisor is still unreaped, so its pid (= the group id) cannot
    // be reused by an unrelated process between the kill and the wait.
    kill_group(pid);
    let status = child.wait().map_err(|e| GateError::io(log_path, e))?;
    let duration = started.elapsed();
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(log_path)
        .map_err(|e| GateError::io(log_path, e))?;
    if timed_out {
        let _ = writeln!(
            file,
            "\n[autodev gate] {:?} timed out after {}s; every process it started was killed",
            spec.name,
            spec.timeout.as_secs()
        );
    }
    let output_tail = read_tail(log_path, tail_bytes)?;
    let (status_kind, exit_code) = if timed_out {
        (CheckStatus::TimedOut, None)
    } else if status.success() {
        (CheckStatus::Passed, Some(0))
    } else {
        (CheckStatus::Failed, status.code())
    };
    Ok(CheckResult {
        name: spec.name.clone(),
        command: spec.command.clone(),
        status: status_kind,
        exit_code,
        duration_ms: duration.as_millis() as u64,
        timeout_secs: spec.timeout.as_secs(),
        output_tail,
        log_path: Some(PathBuf::from(log_path)),
    })
}

/// `waitid(WNOWAIT)`: whether the child has exited, leaving it a zombie so its pid stays reserved.
fn exited_without_reaping(pid: libc::pid_t) -> bool {
    // SAFETY: `info` is a zeroed siginfo_t owned by this frame; waitid only writes into it.
    unsafe {
        let mut info: libc::siginfo_t = std::mem::zeroed();
        let rc = libc::waitid(
            libc::P_PID,
            pid as libc::id_t,
            &mut info,
            libc::WEXITED | libc::WNOHANG | libc::WNOWAIT,
        );
        // rc == 0 with si_pid == 0 means "still running" under WNOHANG; an error means nothing left to wait for.
        rc != 0 || info.si_pid() != 0
    }
}

/// Asks the supervisor to kill everything and waits for it a little; if it does not exit, the group kill after
/// this takes over.
fn stop_supervisor(pid: libc::pid_t) {
    sandbox::request_stop(pid);
    let asked = Instant::now();
    while !exited_without_reaping(pid) && asked.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn kill_group(pgid: libc::pid_t) {
    // SAFETY: sending a signal has no memory effects; ESRCH (group already gone) is fine.
    unsafe {
        libc::kill(-pgid, libc::SIGKILL);
    }
}

/// The last `max` bytes of a file as text (lossy, so a cut UTF-8 sequence shows as one replacement char).
pub(crate) fn read_tail(path: &Path, max: usize) -> Result<String> {
    let mut f = File::open(path).map_err(|e| GateError::io(path, e))?;
    let len = f.metadata().map_err(|e| GateError::io(path, e))?.len();
    let start = len.saturating_sub(max as u64);
    f.seek(SeekFrom::Start(start))
        .map_err(|e| GateError::io(path, e))?;
    let mut buf = Vec::new();
    f.read_to_end(&mut buf)
        .map_err(|e| GateError::io(path, e))?;
    Ok(String::from_utf8_lossy(&buf).into_owned())
}

/// A file name for a check's log: `NN-name.log` with unsafe characters replaced.
pub(crate) fn log_file_name(index: usize, name: &str) -> String {
    let clean: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .take(60)
        .collect();
    format!("{:02}-{clean}.log", index + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets() {
        for s in [
            "TELEGRAM_BOT_TOKEN",
            "AWS_SECRET_ACCESS_KEY",
            "api_key",
            "DB_PASSWORD",
            "GIT_DIR",
            "SSH_AUTH_SOCK",
        ] {
            assert!(is_secret_var(s), "{s}");
        }
        for s in ["PATH", "HOME", "CARGO_HOME", "LANG"] {
            assert!(!is_secret_var(s), "{s}");
        }
    }

    #[test]
    fn env_scrub_and_allow() {
        let mut file = GateFile::default();
        file.env.allow.push("NPM_TOKEN".into());
        file.env
            .set
            .insert("X".into(), "${AUTODEV_CACHE_DIR}/x".into());
        let base = vec![
            ("PATH".into(), "/bin".into()),
            ("TELEGRAM_BOT_TOKEN".into(), "t".into()),
            ("NPM_TOKEN".into(), "n".into()),
            ("GIT_INDEX_FILE".into(), "/u/.git/index".into()),
        ];
        let env = check_env(&file, Path::new("/co"), Path::new("/cache"), base);
        let get = |k: &str| {
            env.iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.to_string_lossy().into_owned())
        };
        assert_eq!(get("PATH").as_deref(), Some("/bin"));
        assert_eq!(get("TELEGRAM_BOT_TOKEN"), None);
        assert_eq!(get("GIT_INDEX_FILE"), None);
        assert_eq!(get("NPM_TOKEN").as_deref(), Some("n"));
        assert_eq!(get("X").as_deref(), Some("/cache/x"));
        assert_eq!(
            get("CARGO_TARGET_DIR").as_deref(),
            Some("/cache/cargo-target")
        );
    }

    #[test]
    fn credential_urls() {
        for v in [
            "https://user:pass@example.com/x",
            "postgres://app:s3cret@db:5432/app",
            "http://proxy.local, https://tok@github.com/o/r.git",
            "https://ghp_abc@github.com",
        ] {
            assert!(has_url_credentials(v), "{v}");
        }
        for v in [
            "https://example.com/a@b",
            "/usr/bin:/bin",
            "mailto:me@example.com",
            "http://host/?q=a@b",
        ] {
            assert!(!has_url_credentials(v), "{v}");
        }
        let base = vec![
            ("DATABASE_URL".into(), "postgres://u:p@h/db".into()),
            ("HOMEPAGE".into(), "https://example.com".into()),
        ];
        let env = check_env(
            &GateFile::default(),
            Path::new("/co"),
            Path::new("/c"),
            base,
        );
        assert!(!env.iter().any(|(k, _)| k == "DATABASE_URL"));
        assert!(env.iter().any(|(k, _)| k == "HOMEPAGE"));
    }

    #[test]
    fn log_names() {
        assert_eq!(
            log_file_name(0, "cargo test / all"),
            "01-cargo_test___all.log"
        );
    }
}
