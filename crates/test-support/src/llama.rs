//! A real llama.cpp `llama-server` with SmolLM2-135M for end-to-end tests.
//!
//! The binary and model come from `LLAMA_SERVER`/`LLAMA_MODEL`, or from the cache that
//! `scripts/ensure-llama-server.sh` fills (the test command runs it). When neither is there the test FAILS with
//! what to do; `AUTODEV_SKIP_LLAMA=1` is the explicit opt-out for machines that cannot build it.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running llama-server, killed on drop.
pub struct LlamaServer {
    child: Child,
    port: u16,
    log: PathBuf,
}

/// The workspace root (this crate lives in `crates/test-support`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `(binary, model)`, or `None` when the caller should skip because `AUTODEV_SKIP_LLAMA=1`. Panics with
/// instructions when the server is not available and no opt-out was given.
pub fn locate() -> Option<(PathBuf, PathBuf)> {
    if std::env::var("AUTODEV_SKIP_LLAMA").is_ok_and(|v| v == "1") {
        eprintln!("AUTODEV_SKIP_LLAMA=1: the real llama-server test is skipped on request");
        return None;
    }
    if let (Ok(b), Ok(m)) = (std::env::var("LLAMA_SERVER"), std::env::var("LLAMA_MODEL")) {
        return Some((b.into(), m.into()));
    }
    let out = Command::new("bash")
        .arg(workspace_root().join("scripts/ensure-llama-server.sh"))
        .arg("--print-env")
        .stderr(Stdio::piped())
        .output()
        .unwrap_or_else(|e| panic!("cannot run scripts/ensure-llama-server.sh: {e}"));
    let text = String::from_utf8_lossy(&out.stdout);
    let get = |k: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{k}=")))
            .map(PathBuf::from)
    };
    match (
        out.status.success(),
        get("LLAMA_SERVER"),
        get("LLAMA_MODEL"),
    ) {
        (true, Some(b), Some(m)) => Some((b, m)),
        _ => panic!(
            "llama-server and SmolLM2 are not built: run scripts/ensure-llama-server.sh (scripts/test.sh does it; \
             about 7 minutes once, cached afterwards), or set AUTODEV_SKIP_LLAMA=1 to skip this test.\n{}",
            String::from_utf8_lossy(&out.stderr)
        ),
    }
}

impl LlamaServer {
    /// Starts the server on a free loopback port with a 4096-token context and waits for `/health` (≤ 120 s).
    pub fn start(binary: &Path, model: &Path, extra: &[&str]) -> LlamaServer {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap_or_else(|e| panic!("no free port: {e}"));
        let log = std::env::temp_dir().join(format!("autodev-llama-{port}.log"));
        let log_file =
            std::fs::File::create(&log).unwrap_or_else(|e| panic!("{}: {e}", log.display()));
        let err_file = log_file.try_clone().unwrap_or_else(|e| panic!("log: {e}"));
        let child = Command::new(binary)
            .args(["-m"])
            .arg(model)
            .args([
                "--host",
                "127.0.0.1",
                "--port",
                &port.to_string(),
                "-c",
                "4096",
                "-np",
                "1",
            ])
            .args([
                "--threads",
                "2",
                "--alias",
                "smollm2",
                "--no-webui",
                "--log-colors",
                "off",
            ])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(log_file)
            .stderr(err_file)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
        let mut server = LlamaServer { child, port, log };
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            if server.health() == Some(200) {
                return server;
            }
            if let Ok(Some(status)) = server.child.try_wait() {
                panic!(
                    "llama-server exited ({status}) during start-up:\n{}",
                    server.log_tail()
                );
            }
            if Instant::now() > deadline {
                panic!(
                    "llama-server did not become healthy in 120 s:\n{}",
                    server.log_tail()
                );
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The last 40 lines of the server's log.
    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }

    fn health(&self) -> Option<u16> {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).ok()?;
        s.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
        s.write_all(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            .ok()?;
        let mut buf = String::new();
        s.read_to_string(&mut buf).ok()?;
        buf.split_whitespace().nth(1)?.parse().ok()
    }
}

impl Drop for LlamaServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.log);
    }
}
