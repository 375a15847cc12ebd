//! bubblewrap, for kernels without Landlock: a new mount namespace holding only the planned roots (read-only
//! binds for reads, read-write binds for writes), fresh `/dev`, `/proc` and `/tmp`, and new user, PID, IPC, UTS
//! and network namespaces (the network only when `gate.toml` does not allow it).

use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::roots::{Roots, RunDirs};

/// bubblewrap on `PATH`, or in `/usr/bin`.
pub(super) fn find() -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/bin")])
        .map(|d| d.join("bwrap"))
        .find(|p| is_executable(p))
}

fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// `bwrap … /bin/sh -c SCRIPT`.
pub(super) fn command(
    script: &str,
    roots: &Roots,
    dirs: &RunDirs,
    netns: bool,
) -> io::Result<Command> {
    let bin = find().ok_or_else(|| io::Error::other("bubblewrap (bwrap) is not installed"))?;
    let mut cmd = Command::new(bin);
    cmd.args(["--die-with-parent", "--new-session", "--unshare-user"])
        .args(["--unshare-pid", "--unshare-ipc", "--unshare-uts"]);
    if netns {
        cmd.arg("--unshare-net");
    }
    cmd.args(["--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp"]);
    // Merged-/usr systems: /bin, /lib… are symlinks into /usr, which the roots name by their target.
    for top in ["/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"] {
        if let Ok(target) = std::fs::read_link(top) {
            cmd.arg("--symlink").arg(target).arg(top);
        }
    }
    for r in &roots.read {
        if r.starts_with("/proc") || r.starts_with("/dev") {
            continue;
        }
        cmd.arg("--ro-bind").arg(r).arg(r);
    }
    for w in &roots.write {
        if w.starts_with("/dev") {
            continue;
        }
        cmd.arg("--bind").arg(w).arg(w);
    }
    cmd.arg("--chdir")
        .arg(&dirs.checkout)
        .args(["--", "/bin/sh", "-c", script]);
    Ok(cmd)
}
