//! Which paths a check may read and write.
//!
//! Writable: the checkout, the slot's cache, a private temp directory and a private home (all gate-owned).
//! Readable: the system folders (`/usr`, `/lib*`, `/opt`, `/proc`, `/sys`), `/etc` without its secrets, the
//! toolchain folders that `PATH` points into (`~/.cargo`, `~/.pyenv`, …), the slot's git directory and the
//! repository's object store (so `git` works in the checkout), and whatever `gate.toml` adds. Never readable:
//! the home folder as a whole, `~/.ssh` and other credential folders, the user's working tree, the queue.

use std::ffi::OsStr;
use std::path::{Component, Path, PathBuf};

use crate::config::SandboxConfig;

/// The gate-owned folders of one run.
#[derive(Debug, Clone)]
pub(crate) struct RunDirs {
    /// The gate's work root: every folder below must resolve inside it.
    pub(crate) work_root: PathBuf,
    /// The checkout (writable, the checks' working directory).
    pub(crate) checkout: PathBuf,
    /// The slot's persistent build cache (writable).
    pub(crate) cache: PathBuf,
    /// A private temp directory, emptied before each run (writable, `TMPDIR`).
    pub(crate) tmp: PathBuf,
    /// A private home inside `tmp`, fresh every run (writable, `HOME`).
    pub(crate) home: PathBuf,
    /// The check's `/dev/shm`, inside `tmp` (bind-mounted over `/dev/shm` where namespaces exist).
    pub(crate) shm: PathBuf,
    /// The slot's git directory (read-only: checks cannot plant hooks, filters or config for later runs).
    pub(crate) git_dir: PathBuf,
    /// Object stores the slot borrows through `objects/info/alternates` (read-only).
    pub(crate) objects: Vec<PathBuf>,
}

/// The planned rules.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Roots {
    pub(crate) read: Vec<PathBuf>,
    pub(crate) write: Vec<PathBuf>,
}

/// System folders checks may read.
const SYSTEM_READ: &[&str] = &[
    "/usr",
    "/bin",
    "/sbin",
    "/lib",
    "/lib32",
    "/lib64",
    "/libx32",
    "/opt",
    "/proc",
    "/sys",
    "/nix/store",
];

/// Device files checks may read and write.
const DEVICES: &[&str] = &[
    "/dev/null",
    "/dev/zero",
    "/dev/full",
    "/dev/random",
    "/dev/urandom",
    "/dev/ptmx",
    "/dev/pts",
    "/dev/shm",
];

/// Entries of `/etc` that hold secrets (password hashes, host keys, private TLS keys, VPN and Wi-Fi
/// credentials). `/etc` is granted entry by entry without these, because Landlock cannot deny inside a grant.
const ETC_SECRETS: &[&str] = &[
    "shadow",
    "shadow-",
    "gshadow",
    "gshadow-",
    "ssh",
    "sudoers",
    "sudoers.d",
    "security",
    "krb5.keytab",
    "NetworkManager",
    "wpa_supplicant",
    "wireguard",
    "openvpn",
    "ipsec.secrets",
    "ipsec.d",
    "credstore",
    "credstore.encrypted",
    "docker",
    "libvirt",
    "gitlab-runner",
    // Servers' credentials (root-owned and 0600 is no protection from a check run by root: see `supervise`'s
    // capability drop for the rest).
    "letsencrypt",
    "mysql",
    "postgresql",
    "pgbouncer",
    "kubernetes",
    "rancher",
    "containerd",
    "netplan",
    "ppp",
    "postfix",
    "exim4",
    "msmtprc",
    "ldap.secret",
    "grafana",
    "redis",
    "rabbitmq",
    "vault.d",
    "consul.d",
    "nomad.d",
    "cloud",
    "odbc.ini",
    "davfs2",
    "boto.cfg",
    "environment",
];

/// `/etc` folders granted entry by entry, without `private`.
const ETC_KEY_FOLDERS: &[&str] = &["ssl", "pki"];

/// Folders under the home that hold credentials; never granted, and no grant may contain them.
const HOME_SECRETS: &[&str] = &[
    ".ssh",
    ".gnupg",
    ".aws",
    ".azure",
    ".config",
    ".docker",
    ".kube",
    ".netrc",
    ".git-credentials",
    ".password-store",
    ".pgpass",
    ".npmrc",
    ".pypirc",
    ".local/share/keyrings",
];

/// Folders where other programs keep their sockets (`/run/docker.sock`, `/run/user/<uid>/bus`, `/tmp/.X11-unix`,
/// `/tmp/ssh-*/agent.*`). Connecting to a pathname socket is not a file access Landlock controls (before ABI 9),
/// so in the check's mount namespace these are covered by an empty read-only tmpfs — each one that holds none of
/// the run's own folders.
const SOCKET_DIRS: &[&str] = &[
    "/run",
    "/var/run",
    "/tmp",
    "/var/tmp",
    "/var/lib/docker",
    "/mnt/wsl",
];

/// The same under the home folder: Docker Desktop's socket, SSH and GnuPG agents.
const HOME_SOCKET_DIRS: &[&str] = &[".docker", ".ssh", ".gnupg"];

/// A socket folder to cover with an empty read-only tmpfs, and the run's own folders inside it, which are
/// brought back on top of the cover (a repository or gate work root under `/tmp`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Hidden {
    /// The folder, canonical.
    pub(crate) dir: PathBuf,
    /// The topmost roots inside it that exist, canonical: each comes back with everything mounted below it.
    pub(crate) keep: Vec<PathBuf>,
}

/// The existing socket folders to cover, canonical and deduplicated. A folder holding some of `roots` is covered
/// all the same, with those roots brought back; only a folder that is itself granted is left as it is.
pub(crate) fn hidden_dirs(roots: &Roots, home: Option<&Path>) -> Vec<Hidden> {
    let home_dirs = home
        .into_iter()
        .flat_map(|h| HOME_SOCKET_DIRS.iter().map(move |d| h.join(d)));
    let mut out: Vec<Hidden> = Vec::new();
    for d in SOCKET_DIRS.iter().map(PathBuf::from).chain(home_dirs) {
        let Ok(d) = d.canonicalize() else {
            continue;
        };
        if !d.is_dir() || out.iter().any(|h| h.dir == d) {
            continue;
        }
        let inside: Vec<PathBuf> = roots
            .read
            .iter()
            .chain(&roots.write)
            .filter_map(|r| r.canonicalize().ok())
            .filter(|r| r.starts_with(&d))
            .collect();
        if inside.contains(&d) {
            // Granted as a whole: nothing to cover.
            continue;
        }
        let mut keep: Vec<PathBuf> = inside
            .iter()
            .filter(|r| !inside.iter().any(|o| o != *r && r.starts_with(o)))
            .cloned()
            .collect();
        keep.sort();
        keep.dedup();
        out.push(Hidden { dir: d, keep });
    }
    out
}

/// Plans the roots for one run. `protected` are folders no grant may reach (the user's working tree, the queue);
/// `home` and `path_env` are the gate's own `HOME` and `PATH`. `Err` names a `gate.toml` path that is refused.
pub(crate) fn plan_roots(
    config: &SandboxConfig,
    dirs: &RunDirs,
    protected: &[PathBuf],
    home: Option<&Path>,
    path_env: Option<&OsStr>,
) -> Result<Roots, String> {
    let home = home.and_then(|h| h.canonicalize().ok());
    let mut forbidden: Vec<PathBuf> = protected
        .iter()
        .filter_map(|p| p.canonicalize().ok())
        .collect();
    let secrets: Vec<PathBuf> = home
        .iter()
        .flat_map(|h| HOME_SECRETS.iter().map(move |s| h.join(s)))
        .collect();
    forbidden.extend(secrets.iter().cloned());
    let judge = |p: &Path| -> Result<(), String> {
        if let Some(h) = &home
            && h.starts_with(p)
        {
            return Err(format!(
                "{} is or contains the home folder {}",
                p.display(),
                h.display()
            ));
        }
        for f in &forbidden {
            if f.starts_with(p) {
                return Err(format!("{} contains {}", p.display(), f.display()));
            }
        }
        for s in &secrets {
            if p.starts_with(s) {
                return Err(format!("{} is inside {}", p.display(), s.display()));
            }
        }
        Ok(())
    };

    let mut roots = Roots::default();
    for p in SYSTEM_READ.iter().map(PathBuf::from).chain(etc_entries()) {
        push_existing(&mut roots.read, p);
    }
    for p in toolchains(home.as_deref(), path_env) {
        if judge(&p).is_ok() {
            push_existing(&mut roots.read, p);
        }
    }
    for p in [&dirs.git_dir].into_iter().chain(&dirs.objects) {
        push_existing(&mut roots.read, p.clone());
    }
    for p in DEVICES.iter().map(PathBuf::from) {
        push_existing(&mut roots.write, p);
    }
    own_folders_stay_inside(dirs)?;
    for p in [&dirs.checkout, &dirs.cache, &dirs.tmp, &dirs.home] {
        push_existing(&mut roots.write, p.clone());
    }
    // Named on its own although `tmp` covers it: seen through its bind mount on /dev/shm, its files are beneath
    // this folder but not beneath `tmp`, and Landlock judges the path it walks.
    if let Ok(shm) = dirs.shm.canonicalize() {
        roots.write.push(shm);
    }
    for (list, wanted) in [
        (&mut roots.read, &config.read),
        (&mut roots.write, &config.write),
    ] {
        for raw in wanted {
            let p = expand_home(raw, home.as_deref())?;
            let Ok(p) = p.canonicalize() else {
                // A folder this machine lacks (gate.toml is shared between machines) grants nothing.
                continue;
            };
            judge(&p).map_err(|why| {
                format!("[sandbox] path {raw:?} is refused: {why}; name a narrower folder")
            })?;
            push_existing(list, p);
        }
    }
    Ok(roots)
}

/// The run's writable folders must be real folders inside the work root: a check that replaced one with a
/// symlink (say, its HOME pointing at the user's repository) must not get the target granted on the next run.
fn own_folders_stay_inside(dirs: &RunDirs) -> Result<(), String> {
    let root = dirs
        .work_root
        .canonicalize()
        .map_err(|e| format!("work root {}: {e}", dirs.work_root.display()))?;
    for p in [
        &dirs.checkout,
        &dirs.cache,
        &dirs.tmp,
        &dirs.home,
        &dirs.shm,
    ] {
        let is_dir = std::fs::symlink_metadata(p).is_ok_and(|m| m.is_dir());
        let inside = p.canonicalize().is_ok_and(|c| c.starts_with(&root));
        if !is_dir || !inside {
            return Err(format!(
                "{} is not a folder inside the work root {} (a symlink planted by an earlier check?); \
                 delete {} and run again",
                p.display(),
                root.display(),
                p.display()
            ));
        }
    }
    Ok(())
}

/// `/etc` entry by entry, secrets left out.
fn etc_entries() -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir("/etc") else {
        return out;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if ETC_SECRETS.contains(&name.as_ref()) {
            continue;
        }
        if ETC_KEY_FOLDERS.contains(&name.as_ref()) {
            if let Ok(inner) = std::fs::read_dir(entry.path()) {
                out.extend(
                    inner
                        .flatten()
                        .filter(|e| e.file_name() != "private")
                        .map(|e| e.path()),
                );
            }
            continue;
        }
        out.push(entry.path());
    }
    out
}

/// Toolchain folders: for each `PATH` entry under the home, the home's top-level folder holding it
/// (`~/.cargo/bin` → `~/.cargo`); other entries as they are; `~/.rustup` next to `~/.cargo`.
fn toolchains(home: Option<&Path>, path_env: Option<&OsStr>) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::env::split_paths(path_env.unwrap_or_default()) {
        let Ok(entry) = entry.canonicalize() else {
            continue;
        };
        match home.and_then(|h| entry.strip_prefix(h).ok().map(|rest| (h, rest))) {
            Some((h, rest)) => {
                if let Some(Component::Normal(top)) = rest.components().next() {
                    out.push(h.join(top));
                }
            }
            None => out.push(entry),
        }
    }
    if let Some(h) = home
        && out.contains(&h.join(".cargo"))
    {
        out.push(h.join(".rustup"));
    }
    for var in ["CARGO_HOME", "RUSTUP_HOME"] {
        if let Some(v) = std::env::var_os(var) {
            out.push(PathBuf::from(v));
        }
    }
    out
}

fn expand_home(raw: &str, home: Option<&Path>) -> Result<PathBuf, String> {
    match raw.strip_prefix("~/") {
        Some(rest) => home
            .map(|h| h.join(rest))
            .ok_or_else(|| format!("[sandbox] path {raw:?} uses ~ but HOME is not set")),
        None if Path::new(raw).is_absolute() => Ok(PathBuf::from(raw)),
        None => Err(format!(
            "[sandbox] path {raw:?} must be absolute or start with ~/"
        )),
    }
}

/// Adds `p` (canonical when it exists) unless missing or already covered by an existing root.
fn push_existing(list: &mut Vec<PathBuf>, p: PathBuf) {
    let Ok(p) = p.canonicalize() else {
        return;
    };
    if !list.iter().any(|q| p.starts_with(q)) {
        list.push(p);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dirs(base: &Path) -> RunDirs {
        let d = |n: &str| {
            let p = base.join(n);
            std::fs::create_dir_all(&p).unwrap();
            p
        };
        RunDirs {
            work_root: base.to_owned(),
            checkout: d("co"),
            cache: d("cache"),
            tmp: d("tmp"),
            home: d("tmp/home"),
            shm: d("tmp/.shm"),
            git_dir: d("git"),
            objects: vec![d("objects")],
        }
    }

    #[test]
    fn refuses_grants_that_reach_secrets() {
        let t = tempfile::tempdir().unwrap();
        let home = t.path().join("home");
        std::fs::create_dir_all(home.join(".ssh")).unwrap();
        std::fs::create_dir_all(home.join("data")).unwrap();
        let repo = t.path().join("repo");
        std::fs::create_dir_all(&repo).unwrap();
        let d = dirs(&t.path().join("run"));
        let plan = |read: &[&str]| {
            let config = SandboxConfig {
                read: read.iter().map(|s| (*s).to_owned()).collect(),
                ..SandboxConfig::default()
            };
            plan_roots(&config, &d, std::slice::from_ref(&repo), Some(&home), None)
        };
        for bad in ["/", "~/", "~/.ssh", "~/.ssh/x"] {
            if bad == "~/.ssh/x" {
                std::fs::create_dir_all(home.join(".ssh/x")).unwrap();
            }
            let err = plan(&[bad]).unwrap_err();
            assert!(err.contains("refused"), "{bad}: {err}");
        }
        let err = plan(&[t.path().to_str().unwrap()]).unwrap_err();
        assert!(err.contains("contains"), "{err}");
        assert!(plan(&["relative/path"]).is_err());
        let roots = plan(&["~/data", "/no/such/folder"]).unwrap();
        assert!(
            roots
                .read
                .contains(&home.join("data").canonicalize().unwrap())
        );
        assert!(roots.write.contains(&d.checkout.canonicalize().unwrap()));
        assert!(!roots.read.iter().any(|r| home.join(".ssh").starts_with(r)));
    }

    #[test]
    fn a_run_folder_swapped_for_a_symlink_is_refused() {
        let t = tempfile::tempdir().unwrap();
        let outside = t.path().join("users-repo");
        std::fs::create_dir_all(&outside).unwrap();
        let d = dirs(&t.path().join("run"));
        assert!(own_folders_stay_inside(&d).is_ok());
        std::fs::remove_dir(&d.home).unwrap();
        std::os::unix::fs::symlink(&outside, &d.home).unwrap();
        let err = own_folders_stay_inside(&d).unwrap_err();
        assert!(err.contains("not a folder inside the work root"), "{err}");
    }

    #[test]
    fn toolchains_come_from_path() {
        let t = tempfile::tempdir().unwrap();
        let home = t.path().canonicalize().unwrap();
        std::fs::create_dir_all(home.join(".cargo/bin")).unwrap();
        std::fs::create_dir_all(home.join(".rustup")).unwrap();
        let path =
            std::env::join_paths([home.join(".cargo/bin"), PathBuf::from("/usr/bin")]).unwrap();
        let found = toolchains(Some(&home), Some(&path));
        assert!(found.contains(&home.join(".cargo")));
        assert!(found.contains(&home.join(".rustup")));
        assert!(!found.contains(&home));
    }

    #[test]
    fn socket_dirs_are_covered_and_the_roots_inside_them_brought_back() {
        let base = tempfile::tempdir().unwrap();
        let work = base.path().join("work");
        std::fs::create_dir_all(work.join("co/sub")).unwrap();
        std::fs::create_dir_all(work.join("tmp")).unwrap();
        let roots = Roots {
            read: vec![PathBuf::from("/usr"), work.join("co/sub")],
            write: vec![work.join("co"), work.join("tmp")],
        };
        let hidden = hidden_dirs(&roots, None);
        if Path::new("/run").is_dir() {
            let run = Path::new("/run").canonicalize().unwrap();
            assert!(
                hidden.iter().any(|h| h.dir == run && h.keep.is_empty()),
                "{hidden:?}"
            );
        }
        let tmp = std::env::temp_dir().canonicalize().unwrap();
        if let Some(h) = hidden.iter().find(|h| h.dir == tmp) {
            // The temp folder is covered, and exactly the topmost roots inside it come back.
            let w = work.canonicalize().unwrap();
            assert_eq!(h.keep, vec![w.join("co"), w.join("tmp")], "{hidden:?}");
        }
        // A socket folder granted as a whole is left alone.
        let granted = Roots {
            read: vec![tmp.clone()],
            write: Vec::new(),
        };
        assert!(!hidden_dirs(&granted, None).iter().any(|h| h.dir == tmp));
    }

    #[test]
    fn etc_without_secrets() {
        let entries = etc_entries();
        assert!(!entries.iter().any(|p| p == Path::new("/etc/shadow")));
        assert!(!entries.iter().any(|p| p.starts_with("/etc/ssh")));
        assert!(!entries.iter().any(|p| p.starts_with("/etc/ssl/private")));
        if Path::new("/etc/passwd").exists() {
            assert!(entries.iter().any(|p| p == Path::new("/etc/passwd")));
        }
    }
}
