//! Real git remotes for delivery tests: a bare repository reached by `file://`, or served by `git daemon` with
//! push enabled on 127.0.0.1.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use crate::git_command;

/// A bare repository `proj.git` in a temporary folder; deleted on drop.
pub struct BareRemote {
    dir: tempfile::TempDir,
}

impl BareRemote {
    /// An empty bare repository.
    pub fn new() -> BareRemote {
        let dir = tempfile::Builder::new()
            .prefix("autodev-remote-")
            .tempdir()
            .unwrap_or_else(|e| panic!("tempdir: {e}"));
        let r = BareRemote { dir };
        r.git(&[
            "init",
            "-q",
            "--bare",
            "-b",
            "main",
            r.path().to_str().unwrap_or_default(),
        ]);
        r
    }

    /// The folder holding `proj.git` (the daemon's base path).
    pub fn base(&self) -> &Path {
        self.dir.path()
    }

    /// The bare repository.
    pub fn path(&self) -> PathBuf {
        self.dir.path().join("proj.git")
    }

    /// `file:///…/proj.git`.
    pub fn file_url(&self) -> String {
        format!("file://{}", self.path().display())
    }

    /// The commit `refs/heads/<branch>` points to, if the branch exists.
    pub fn head(&self, branch: &str) -> Option<String> {
        let out = git_command(self.dir.path())
            .args(["--git-dir", &self.path().to_string_lossy()])
            .args([
                "rev-parse",
                "--verify",
                "--quiet",
                &format!("refs/heads/{branch}"),
            ])
            .output()
            .unwrap_or_else(|e| panic!("spawn git: {e}"));
        let s = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        (out.status.success() && !s.is_empty()).then_some(s)
    }

    fn git(&self, args: &[&str]) {
        let out = git_command(self.dir.path())
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("spawn git: {e}"));
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

impl Default for BareRemote {
    fn default() -> Self {
        BareRemote::new()
    }
}

/// `git daemon --enable=receive-pack` serving a [`BareRemote`]'s folder on 127.0.0.1; stopped on drop.
pub struct GitDaemon {
    child: Child,
    port: u16,
}

impl GitDaemon {
    /// Starts the daemon on a free port and waits until it accepts connections.
    pub fn serve(remote: &BareRemote) -> GitDaemon {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .unwrap_or_else(|e| panic!("free port: {e}"))
            .port();
        let base = remote.base().to_string_lossy().into_owned();
        let child = git_command(remote.base())
            .args([
                "daemon",
                "--reuseaddr",
                &format!("--base-path={base}"),
                "--export-all",
                "--enable=receive-pack",
                "--listen=127.0.0.1",
                &format!("--port={port}"),
                &base,
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("spawn git daemon: {e}"));
        let daemon = GitDaemon { child, port };
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "git daemon did not start on port {port}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        daemon
    }

    /// `git://127.0.0.1:PORT/proj.git`.
    pub fn url(&self) -> String {
        format!("git://127.0.0.1:{}/proj.git", self.port)
    }
}

impl Drop for GitDaemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
