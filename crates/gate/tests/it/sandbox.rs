//! The sandbox, attacked as a hostile model would through its own tests: every attack that worked against the
//! unsandboxed gate is a check here, and must now fail while the patch itself still passes.
//!
//! Landlock is required on this machine (ABI 7); a kernel without it skips the Landlock tests and says so.

use std::path::{Path, PathBuf};
use std::process::Command;

use gate::sandbox::{self, Level, Network};
use gate::{Gate, GateConfig, GateReport, GateRequest};

use crate::common::{git, repo_with, repo_with_in};

const PATCH: &str = "--- a/a.txt\n+++ b/a.txt\n@@ -1 +1 @@\n-a\n+b\n";

fn landlock_or_skip() -> bool {
    let abi = sandbox::support().landlock_abi;
    if abi == 0 {
        eprintln!(
            "SKIPPED: this kernel has no Landlock; the Landlock sandbox tests do not apply here"
        );
    }
    abi > 0
}

/// Runs `check` against a one-file repository through the library; the gate's own environment.
fn run(repo: &Path, check: &str, protect: Vec<PathBuf>) -> GateReport {
    let gate = Gate::new(GateConfig {
        protect,
        ..GateConfig::default()
    });
    let mut req = GateRequest::new(repo, "HEAD", PATCH);
    req.checks = Some(vec![check.to_owned()]);
    gate.check(&req).unwrap()
}

fn log_of(report: &GateReport) -> String {
    report
        .checks
        .first()
        .and_then(|c| c.log_path.as_ref())
        .map(|p| std::fs::read_to_string(p).unwrap_or_default())
        .unwrap_or_default()
}

/// A check that tries each shell command in `attempts` and exits 1 naming the first that succeeded.
fn all_must_fail(attempts: &[String]) -> String {
    attempts
        .iter()
        .map(|a| {
            format!(
                "if ( {a} ) >/dev/null 2>&1; then echo \"ALLOWED: {}\"; exit 1; fi\n",
                a.replace('"', "'")
            )
        })
        .collect::<String>()
        + "echo all-denied\n"
}

#[test]
fn writes_outside_the_checkout_are_denied() {
    if !landlock_or_skip() {
        return;
    }
    let repo = repo_with(&[("a.txt", "a\n"), (".gitignore", ".autodev_queue/\n")]);
    let queue = repo.path.join(".autodev_queue");
    std::fs::create_dir_all(queue.join("approved")).unwrap();
    let home = tempfile::tempdir().unwrap();
    let ssh = home.path().join(".ssh");
    std::fs::create_dir_all(&ssh).unwrap();
    std::fs::write(ssh.join("authorized_keys"), "ssh-ed25519 AAAA owner\n").unwrap();
    let r = repo.path.display();
    let attempts = [
        format!("echo pwned > {r}/a.txt"),
        format!("printf '#!/bin/sh\\necho hook\\n' > {r}/.git/hooks/pre-commit"),
        format!(
            "echo '{{}}' > {}/approved/T1.approved.json",
            queue.display()
        ),
        format!(
            "echo 'ssh-ed25519 AAAA attacker' >> {}/authorized_keys",
            ssh.display()
        ),
        // Metadata: Landlock alone does not cover it; the read-only mount namespace does.
        format!("touch {r}/.git/config"),
        format!("chmod 0777 {r}/a.txt"),
        "touch /tmp/autodev-sandbox-escape".to_owned(),
        // git in the checkout may read, but not write, the slot's git directory.
        "git config core.fsmonitor 'touch /tmp/autodev-fsmonitor'".to_owned(),
    ];
    let report = run(&repo.path, &all_must_fail(&attempts), vec![queue.clone()]);
    assert!(report.passed(), "{}", log_of(&report));
    assert!(log_of(&report).contains("all-denied"));
    assert_eq!(report.sandbox.as_ref().unwrap().level, Level::Landlock);
    assert_eq!(
        std::fs::read_to_string(repo.path.join("a.txt")).unwrap(),
        "a\n"
    );
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(repo.path.join("a.txt"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o644);
    assert!(!repo.path.join(".git/hooks/pre-commit").exists());
    assert_eq!(
        std::fs::read_dir(queue.join("approved")).unwrap().count(),
        0
    );
    assert_eq!(
        std::fs::read_to_string(ssh.join("authorized_keys")).unwrap(),
        "ssh-ed25519 AAAA owner\n"
    );
    assert!(!Path::new("/tmp/autodev-sandbox-escape").exists());
}

#[test]
fn shared_memory_is_private_to_the_check() {
    if !landlock_or_skip() || !sandbox::support().user_namespaces {
        eprintln!("SKIPPED: needs Landlock and user namespaces");
        return;
    }
    let name = format!("autodev-shm-{}", std::process::id());
    std::fs::write(format!("/dev/shm/{name}-host"), "host secret\n").unwrap();
    let repo = repo_with(&[("a.txt", "a\n")]);
    let check = format!(
        "set -e; test ! -e /dev/shm/{name}-host; echo from-check > /dev/shm/{name}-check; \
         python3 -c 'import multiprocessing; multiprocessing.Lock()'"
    );
    let report = run(&repo.path, &check, Vec::new());
    let _ = std::fs::remove_file(format!("/dev/shm/{name}-host"));
    assert!(report.passed(), "{}", log_of(&report));
    assert!(!Path::new(&format!("/dev/shm/{name}-check")).exists());
}

#[test]
fn the_checkout_cache_and_temp_dir_are_writable_and_git_works() {
    if !landlock_or_skip() {
        return;
    }
    let repo = repo_with(&[("a.txt", "a\n")]);
    let check = r#"set -e
mkdir -p build && echo x > build/out
echo y > "$TMPDIR/t" && echo z > "$AUTODEV_CACHE_DIR/c" && echo h > "$HOME/h"
test "$(cat a.txt)" = b
git status --porcelain | grep -q a.txt
git log --oneline -1 >/dev/null
python3 -c 'import tempfile, subprocess; tempfile.mkstemp(); subprocess.run(["true"], check=True)'
"#;
    let report = run(&repo.path, check, Vec::new());
    assert!(report.passed(), "{}", log_of(&report));
}

#[test]
fn secrets_are_unreadable() {
    if !landlock_or_skip() {
        return;
    }
    let repo = repo_with(&[("a.txt", "a\n")]);
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(home.path().join(".ssh")).unwrap();
    std::fs::write(home.path().join(".ssh/id_ed25519"), "PRIVATE KEY\n").unwrap();
    let me = std::process::id();
    let attempts = [
        // The supervisor is a fork of the gate: its environment is the gate's.
        "cat /proc/$PPID/environ".to_owned(),
        format!("cat /proc/{me}/environ"),
        format!("head -c 16 /proc/{me}/mem"),
        format!("cat {}/.git/config", repo.path.display()),
        format!("cat {}/a.txt", repo.path.display()),
        format!("cat {}/.ssh/id_ed25519", home.path().display()),
        "cat /etc/shadow".to_owned(),
        "ls /root".to_owned(),
    ];
    let report = run(&repo.path, &all_must_fail(&attempts), Vec::new());
    assert!(report.passed(), "{}", log_of(&report));
}

#[test]
fn the_network_is_off_but_loopback_works() {
    if !landlock_or_skip() {
        return;
    }
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let repo = repo_with(&[("a.txt", "a\n")]);
    let reach_host = format!("bash -c 'exec 3<>/dev/tcp/127.0.0.1/{port}'");
    let report = run(
        &repo.path,
        &all_must_fail(std::slice::from_ref(&reach_host)),
        Vec::new(),
    );
    assert!(report.passed(), "{}", log_of(&report));
    if report.sandbox.as_ref().unwrap().network == Network::Namespace {
        // Its own loopback: a test may listen and connect on 127.0.0.1.
        let own = "python3 -c 'import socket; s=socket.socket(); s.bind((\"127.0.0.1\", 0)); s.listen(); \
                   c=socket.create_connection(s.getsockname()); print(\"loopback ok\")'";
        let report = run(&repo.path, own, Vec::new());
        assert!(report.passed(), "{}", log_of(&report));
    }
    // The same connection succeeds when gate.toml allows the network (the test can fail).
    let open = repo_with(&[
        ("a.txt", "a\n"),
        (".autodev_ssot/gate.toml", "[sandbox]\nnetwork = true\n"),
    ]);
    let report = run(&open.path, &reach_host, Vec::new());
    assert!(report.passed(), "{}", log_of(&report));
    assert_eq!(report.sandbox.unwrap().network, Network::Open);
}

#[test]
fn the_slot_git_dir_is_reset_before_every_run() {
    // Without a sandbox (explicitly), a check can write the slot's git directory; the next run must not inherit
    // a filter, hook, attribute or fsmonitor from it.
    let repo = repo_with(&[
        ("a.txt", "a\n"),
        (".autodev_ssot/gate.toml", "[sandbox]\nmode = \"none\"\n"),
    ]);
    let marker = tempfile::tempdir().unwrap();
    let pwned = marker.path().join("pwned");
    let plant = format!(
        "set -e
gd=$(git rev-parse --git-dir)
git config filter.evil.smudge 'touch {p}; cat'
git config filter.evil.clean 'touch {p}; cat'
git config core.fsmonitor 'touch {p}; false'
mkdir -p \"$gd/info\" \"$gd/hooks\"
echo '* filter=evil' > \"$gd/info/attributes\"
printf '#!/bin/sh\\ntouch {p}\\n' > \"$gd/hooks/post-checkout\"; chmod +x \"$gd/hooks/post-checkout\"",
        p = pwned.display()
    );
    let report = run(&repo.path, &plant, Vec::new());
    assert!(report.passed(), "{}", log_of(&report));
    assert_eq!(report.sandbox.unwrap().level, Level::None);
    // The next gate on the same slot: no checks at all, so only git itself could run the planted commands.
    let gate = Gate::new(GateConfig::default());
    let mut req = GateRequest::new(&repo.path, "HEAD", PATCH);
    req.checks = Some(Vec::new());
    let report = gate.check(&req).unwrap();
    assert!(report.passed());
    assert!(!pwned.exists(), "a planted git command ran in a later gate");
    let checkout = report.checkout.unwrap();
    let git_dir = PathBuf::from(format!("{}.git", checkout.display()));
    let config = std::fs::read_to_string(git_dir.join("config")).unwrap();
    assert!(
        !config.contains("evil") && !config.contains("fsmonitor"),
        "{config}"
    );
    assert!(!git_dir.join("info/attributes").exists());
    assert!(!git_dir.join("hooks/post-checkout").exists());
    let _ = git(&repo.path, &["status"]);
    assert!(!pwned.exists());
}

fn gate_bin(repo: &Path, check: &str) -> Command {
    let patch = repo.parent().unwrap().join("p.diff");
    std::fs::write(&patch, PATCH).unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_autodev-gate"));
    cmd.arg("gate")
        .arg(&patch)
        .arg("--repo")
        .arg(repo)
        .args(["--check", check, "--json"]);
    cmd
}

#[test]
fn without_landlock_or_bubblewrap_checks_are_refused_unless_mode_none() {
    let repo = repo_with(&[("a.txt", "a\n")]);
    let out = gate_bin(&repo.path, "true")
        .env(sandbox::PROBE_OVERRIDE_ENV, "no-landlock,no-bwrap")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{stdout}");
    assert!(stdout.contains("SANDBOX_UNAVAILABLE"), "{stdout}");
    assert!(stdout.contains("mode = \\\"none\\\""), "{stdout}");

    let trusted = repo_with(&[
        ("a.txt", "a\n"),
        (".autodev_ssot/gate.toml", "[sandbox]\nmode = \"none\"\n"),
    ]);
    let out = gate_bin(&trusted.path, "true")
        .env(sandbox::PROBE_OVERRIDE_ENV, "no-landlock,no-bwrap")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("\"level\": \"none\""), "{stdout}");
}

#[test]
fn a_grant_that_reaches_the_home_folder_is_a_config_error() {
    let repo = repo_with(&[
        ("a.txt", "a\n"),
        (".autodev_ssot/gate.toml", "[sandbox]\nread = [\"~/\"]\n"),
    ]);
    let out = gate_bin(&repo.path, "true").output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{stdout}");
    assert!(
        stdout.contains("CONFIG") && stdout.contains("refused"),
        "{stdout}"
    );
}

/// bubblewrap, where Landlock is missing: the same attacks fail. `scripts/test.sh` installs bubblewrap;
/// `AUTODEV_SKIP_BWRAP=1` skips this test on a machine without it.
#[test]
fn bubblewrap_fallback_contains_the_same_attacks() {
    let support = sandbox::support();
    if support.bwrap.is_none() || !support.user_namespaces {
        assert!(
            std::env::var("AUTODEV_SKIP_BWRAP").is_ok_and(|v| v == "1"),
            "bubblewrap is not usable here: run scripts/test.sh (it installs it) or set AUTODEV_SKIP_BWRAP=1"
        );
        eprintln!("SKIPPED: bubblewrap is not usable here (AUTODEV_SKIP_BWRAP=1)");
        return;
    }
    let repo = repo_with(&[("a.txt", "a\n")]);
    let home = tempfile::tempdir().unwrap();
    let secret = home.path().join("id_ed25519");
    std::fs::write(&secret, "PRIVATE\n").unwrap();
    let attempts = [
        format!("cat {}", secret.display()),
        format!("cat /proc/{}/environ", std::process::id()),
        "bash -c 'exec 3<>/dev/tcp/127.0.0.1/22'".to_owned(),
    ];
    // Outside the binds, / is a private tmpfs: this write lands there, never in the user's file.
    let check = format!(
        "echo pwned > {}/a.txt 2>/dev/null; {}echo ok > written-by-check\n",
        repo.path.display(),
        all_must_fail(&attempts)
    );
    let out = gate_bin(&repo.path, &check)
        .env(sandbox::PROBE_OVERRIDE_ENV, "no-landlock")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("\"level\": \"bwrap\""), "{stdout}");
    assert_eq!(
        std::fs::read_to_string(repo.path.join("a.txt")).unwrap(),
        "a\n"
    );
}

/// A folder for the test's repository that is not inside `dir`: the build's temp folder, unless the checkout
/// itself lies in `dir` (a clone under /tmp), then one under the home folder's cache.
fn base_outside(dir: &Path) -> PathBuf {
    let dir = dir.canonicalize().unwrap();
    let target = Path::new(env!("CARGO_TARGET_TMPDIR"));
    std::fs::create_dir_all(target).unwrap();
    if !target.canonicalize().unwrap().starts_with(&dir) {
        return target.to_path_buf();
    }
    let home = PathBuf::from(std::env::var_os("HOME").unwrap());
    let base = home.join(".cache").join("autodev-gate-tests");
    assert!(
        !base.starts_with(&dir),
        "no folder outside {} for the test's repository",
        dir.display()
    );
    base
}

/// Connecting to another program's unix socket (the Docker daemon, an SSH agent, D-Bus) is not a file access
/// Landlock controls on this kernel; in the check's mount namespace the folders that hold such sockets are
/// covered by an empty tmpfs. The same connection succeeds without the sandbox (the test can fail).
#[test]
fn other_programs_sockets_are_unreachable() {
    if !landlock_or_skip() {
        return;
    }
    if !sandbox::support().user_namespaces {
        eprintln!(
            "SKIPPED: no user namespaces here: pathname sockets stay reachable (docs/GATE.md, limits)"
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let sock = dir.path().join("daemon.sock");
    let listener = std::os::unix::net::UnixListener::bind(&sock).unwrap();
    listener.set_nonblocking(true).unwrap();
    let connect = format!(
        "python3 -c 'import socket; s = socket.socket(socket.AF_UNIX); s.connect(\"{}\")'",
        sock.display()
    );
    // The repository outside /tmp, as a user's usually is (sockets_next_to_the_run_in_tmp_are_unreachable covers
    // one inside it).
    let repo = repo_with_in(&base_outside(&std::env::temp_dir()), &[("a.txt", "a\n")]);
    let report = run(
        &repo.path,
        &all_must_fail(std::slice::from_ref(&connect)),
        Vec::new(),
    );
    assert!(report.passed(), "{}", log_of(&report));
    assert!(
        listener.accept().is_err(),
        "the sandboxed check reached the socket"
    );

    let open = repo_with(&[
        ("a.txt", "a\n"),
        (".autodev_ssot/gate.toml", "[sandbox]\nmode = \"none\"\n"),
    ]);
    let report = run(&open.path, &connect, Vec::new());
    assert!(report.passed(), "{}", log_of(&report));
}

/// The run's own folders under `/tmp` (a repository cloned there, a gate work root there): `/tmp` is covered all the
/// same and those folders are brought back on top, so a daemon's socket next to them stays out of reach while the
/// check reads its repository's objects and writes its checkout and `TMPDIR` as always. (Before, a socket folder
/// that held one of the run's folders was left visible.)
#[test]
fn sockets_next_to_the_run_in_tmp_are_unreachable() {
    if !landlock_or_skip() {
        return;
    }
    if !sandbox::support().user_namespaces {
        eprintln!("SKIPPED: no user namespaces here");
        return;
    }
    let tmp = std::env::temp_dir();
    let dir = tempfile::tempdir_in(&tmp).unwrap();
    let sock = dir.path().join("daemon.sock");
    let listener = std::os::unix::net::UnixListener::bind(&sock).unwrap();
    listener.set_nonblocking(true).unwrap();
    let connect = format!(
        "python3 -c 'import socket; s = socket.socket(socket.AF_UNIX); s.connect(\"{}\")'",
        sock.display()
    );
    let repo = repo_with_in(&tmp, &[("a.txt", "a\n")]);
    let work = tempfile::tempdir_in(&tmp).unwrap();
    let gate = Gate::new(GateConfig {
        work_root: Some(work.path().to_path_buf()),
        ..GateConfig::default()
    });
    let check = format!(
        "{}test -S {} && {{ echo 'the socket is visible'; exit 1; }}\n\
         grep -q b a.txt || {{ echo 'cannot read the checkout'; exit 1; }}\n\
         echo done > written.txt || {{ echo 'cannot write the checkout'; exit 1; }}\n\
         echo t > \"$TMPDIR/t\" || {{ echo 'cannot write TMPDIR'; exit 1; }}\n\
         git log --oneline -1 || {{ echo 'git cannot read the objects'; exit 1; }}",
        all_must_fail(std::slice::from_ref(&connect)),
        sock.display()
    );
    let mut req = GateRequest::new(&repo.path, "HEAD", PATCH);
    req.checks = Some(vec![check]);
    let report = gate.check(&req).unwrap();
    assert!(report.passed(), "{}", log_of(&report));
    assert!(
        listener.accept().is_err(),
        "the sandboxed check reached the socket"
    );
}

#[test]
fn nothing_a_check_plants_in_its_home_reaches_the_next_run() {
    if !landlock_or_skip() {
        return;
    }
    let repo = repo_with(&[("a.txt", "a\n")]);
    let r = repo.path.display();
    // Run 1 leaves a dotfile (a `.pth`, a shell rc…) and then swaps HOME for a symlink to the user's repository,
    // hoping the next run is granted its target as "HOME".
    let plant = format!(
        "set -e; echo planted > \"$HOME/.planted\"; mkdir -p \"$HOME/.local/lib\"; \
         cd /; rm -rf \"$HOME\"; ln -s {r} \"$HOME\"; echo planted"
    );
    let report = run(&repo.path, &plant, Vec::new());
    assert!(report.passed(), "{}", log_of(&report));
    let probe = "test ! -L \"$HOME\" || { echo 'HOME is a symlink'; exit 1; }
test ! -e \"$HOME/.planted\" || { echo 'a planted dotfile survived'; exit 1; }
test ! -e \"$HOME/.local\" || { echo 'a planted folder survived'; exit 1; }
echo pwned > \"$HOME/a.txt\" && echo wrote-home";
    let report = run(&repo.path, probe, Vec::new());
    assert!(report.passed(), "{}", log_of(&report));
    assert!(log_of(&report).contains("wrote-home"));
    assert_eq!(
        std::fs::read_to_string(repo.path.join("a.txt")).unwrap(),
        "a\n"
    );
}

/// A descriptor the gate inherited from whoever started it (here a shell's `exec 7>>file`) was opened outside
/// the sandbox; the check must not be able to write through it.
#[test]
fn descriptors_the_gate_inherited_do_not_reach_the_check() {
    if !landlock_or_skip() {
        return;
    }
    let repo = repo_with(&[("a.txt", "a\n")]);
    let outside = tempfile::tempdir().unwrap();
    let target = outside.path().join("outside.txt");
    std::fs::write(&target, "").unwrap();
    let check = "if (echo pwned >&7) 2>/dev/null; then echo 'ALLOWED: fd 7'; exit 1; fi; \
                 if [ -e /proc/self/fd/7 ]; then echo 'ALLOWED: fd 7 open'; exit 1; fi; echo denied";
    let gate = gate_bin(&repo.path, check);
    let args: Vec<String> = std::iter::once(gate.get_program())
        .chain(gate.get_args())
        .map(|a| format!("'{}'", a.to_string_lossy().replace('\'', "'\\''")))
        .collect();
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "exec 7>>'{}'; exec {}",
            target.display(),
            args.join(" ")
        ))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "");
}

/// A check holds no capability, even when the gate runs as root: it cannot read a root-only file by bypassing
/// its mode, nor regain capabilities through `exec`.
#[test]
fn checks_hold_no_capabilities() {
    if !landlock_or_skip() {
        return;
    }
    let repo = repo_with(&[("a.txt", "a\n")]);
    let check = "grep -E '^Cap(Inh|Prm|Eff|Bnd|Amb):' /proc/self/status; \
                 if grep -E '^Cap(Prm|Eff|Bnd|Amb):' /proc/self/status | grep -qv '0000000000000000$'; then \
                 echo 'HOLDS CAPABILITIES'; exit 1; fi";
    let report = run(&repo.path, check, Vec::new());
    assert!(report.passed(), "{}", log_of(&report));
    assert!(
        log_of(&report).contains("CapBnd:\t0000000000000000"),
        "{}",
        log_of(&report)
    );
}
