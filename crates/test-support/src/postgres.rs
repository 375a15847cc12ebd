//! A real PostgreSQL server for tests: Debian's `postgresql` package, `initdb` into a temporary folder, a free
//! loopback port, the socket in that folder.
//!
//! One server per test process ([`server`]), each test in a database of its own ([`Postgres::database`]). The
//! server runs under a small shell watchdog that stops it and deletes its folder when the test process is gone,
//! however it ends (a panic, SIGKILL), so no server outlives the tests. `initdb` refuses to run as root: as root,
//! the server runs as the unprivileged user `nobody`.

use std::os::unix::fs::chown;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// A running server.
pub struct Postgres {
    bin: PathBuf,
    port: u16,
    // Held so that the watchdog's pipe stays open; the server stops when this process exits.
    _watchdog: Child,
}

/// The folder with `initdb`, `postgres`, `pg_isready` and `psql`: `AUTODEV_PG_BIN`, else the newest
/// `/usr/lib/postgresql/<major>/bin`.
pub fn bin_dir() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os("AUTODEV_PG_BIN") {
        return Some(PathBuf::from(d));
    }
    let mut majors: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .flatten()
        .filter_map(|e| {
            let major = e.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            bin.join("postgres").exists().then_some((major, bin))
        })
        .collect();
    majors.sort();
    majors.pop().map(|(_, b)| b)
}

/// The process's server, started on first use. Panics with what to install when PostgreSQL is missing.
pub fn server() -> &'static Postgres {
    static SERVER: OnceLock<Postgres> = OnceLock::new();
    SERVER.get_or_init(Postgres::start)
}

/// `(uid, gid)` of `nobody` when this process is root (initdb refuses root), else `None`.
fn unprivileged() -> Option<(u32, u32)> {
    let out = Command::new("id").arg("-u").output().ok()?;
    if String::from_utf8_lossy(&out.stdout).trim() != "0" {
        return None;
    }
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|l| {
        let f: Vec<&str> = l.split(':').collect();
        (f.first() == Some(&"nobody"))
            .then(|| Some((f.get(2)?.parse().ok()?, f.get(3)?.parse().ok()?)))?
    })
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("no free loopback port: {e}"))
}

impl Postgres {
    fn start() -> Postgres {
        Postgres::start_with(false)
    }

    /// A server of its own with the default durability (`fsync` on, synchronous commit), for benchmarks: the
    /// tests' shared server runs with `fsync=off`. Stopped and deleted when the returned value is dropped (its
    /// watchdog sees the pipe close) or the process ends.
    pub fn start_durable() -> Postgres {
        Postgres::start_with(true)
    }

    fn start_with(durable: bool) -> Postgres {
        let bin = bin_dir().unwrap_or_else(|| {
            panic!(
                "PostgreSQL is not installed: `apt-get install postgresql` (scripts/test.sh does), or set \
                 AUTODEV_PG_BIN to the folder holding initdb and postgres"
            )
        });
        let root = tempfile::Builder::new()
            .prefix("autodev-pg-")
            .tempdir()
            .unwrap_or_else(|e| panic!("tempdir: {e}"))
            .keep();
        let user = unprivileged();
        if let Some((uid, gid)) = user {
            chown(&root, Some(uid), Some(gid)).unwrap_or_else(|e| panic!("chown {root:?}: {e}"));
        }
        let data = root.join("data");
        let mut initdb = Command::new(bin.join("initdb"));
        initdb
            .args(["-D"])
            .arg(&data)
            .args([
                "-U",
                "autodev",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
                "--locale=C",
            ])
            .stdout(Stdio::null());
        as_user(&mut initdb, user);
        let out = initdb.output().unwrap_or_else(|e| panic!("initdb: {e}"));
        assert!(
            out.status.success(),
            "initdb failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let port = free_port();
        // The watchdog: runs the server, and stops it and removes its folder once the test process (whose
        // pipe it holds as stdin) is gone.
        let script = r#"
            "$PG_BIN/postgres" -D "$PG_ROOT/data" -p "$PG_PORT" -k "$PG_ROOT" \
                -c listen_addresses=127.0.0.1 -c fsync="$PG_FSYNC" -c max_connections=200 \
                >"$PG_ROOT/server.log" 2>&1 &
            pg=$!
            cat >/dev/null
            kill -INT $pg 2>/dev/null
            wait $pg
            rm -rf "$PG_ROOT"
        "#;
        let mut watchdog = Command::new("sh");
        watchdog
            .args(["-c", script])
            .env("PG_BIN", &bin)
            .env("PG_ROOT", &root)
            .env("PG_PORT", port.to_string())
            .env("PG_FSYNC", if durable { "on" } else { "off" })
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        as_user(&mut watchdog, user);
        let child = watchdog
            .spawn()
            .unwrap_or_else(|e| panic!("start postgres: {e}"));
        let pg = Postgres {
            bin,
            port,
            _watchdog: child,
        };
        pg.wait_ready(&root);
        pg
    }

    fn wait_ready(&self, root: &Path) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let ok = Command::new(self.bin.join("pg_isready"))
                .args(["-h", "127.0.0.1", "-p", &self.port.to_string(), "-q"])
                .status()
                .is_ok_and(|s| s.success());
            if ok {
                return;
            }
            if Instant::now() > deadline {
                let log = std::fs::read_to_string(root.join("server.log")).unwrap_or_default();
                panic!("PostgreSQL did not start in 60 s; its log:\n{log}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The loopback port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The address of database `db` (superuser `autodev`, no password: trust on loopback).
    pub fn url(&self, db: &str) -> String {
        format!("postgres://autodev@127.0.0.1:{}/{db}", self.port)
    }

    /// Creates a new, empty database and returns its address.
    pub fn database(&self) -> String {
        static N: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "t{}_{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        );
        self.psql("postgres", &format!("CREATE DATABASE {name}"));
        self.url(&name)
    }

    /// Runs `sql` in database `db` with psql; panics when it fails. Returns what psql printed (unaligned,
    /// tuples only).
    pub fn psql(&self, db: &str, sql: &str) -> String {
        let out = Command::new(self.bin.join("psql"))
            .args([
                "-h",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-U",
                "autodev",
            ])
            .args(["-d", db, "-v", "ON_ERROR_STOP=1", "-At", "-c", sql])
            .output()
            .unwrap_or_else(|e| panic!("psql: {e}"));
        assert!(
            out.status.success(),
            "psql {sql}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// The database name in an address made by [`Postgres::database`].
    pub fn db_name(url: &str) -> &str {
        url.rsplit('/').next().unwrap_or(url)
    }
}

fn as_user(cmd: &mut Command, user: Option<(u32, u32)>) {
    if let Some((uid, gid)) = user {
        // std drops root's supplementary groups itself when it sets the uid.
        cmd.uid(uid).gid(gid);
        // nobody's home does not exist; tools that look at HOME must not try to write there.
        cmd.env("HOME", "/tmp");
    }
}
