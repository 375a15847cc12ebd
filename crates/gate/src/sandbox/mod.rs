//! Containment for checks: the checks are the repository's own tests, and the model may have written them.
//!
//! Three layers, each with one job:
//! - `supervise`: every check runs under a small supervisor process (a fork of the gate, a child subreaper)
//!   that kills every descendant when the check ends or the gate asks (time limit), `setsid` and double-fork
//!   children included, and that dies with the gate.
//! - `landlock` (default): the check may write only its checkout, its per-slot cache and a private temp
//!   directory, read the system and toolchain folders, and nothing else; it cannot signal or `ptrace` processes
//!   outside the sandbox (so `/proc/<gate>/environ` is closed even to root); the network is a fresh namespace with
//!   only loopback where user namespaces are allowed, else Landlock denies every TCP bind and connect.
//! - `bwrap`: where the kernel has no Landlock, bubblewrap gives the same file view with bind mounts.
//!
//! [`choose`] turns `gate.toml`'s `[sandbox] mode` and what the machine [`support`]s into a [`Level`], or refuses
//! (the gate never silently runs model-written code unconfined); `autodev doctor` shows the same decision.

mod bwrap;
mod landlock;
mod roots;
mod supervise;

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::config::{SandboxConfig, SandboxMode};

pub(crate) use roots::{Roots, RunDirs, plan_roots};
pub(crate) use supervise::{request_stop, spawn_supervised};

/// What this machine offers, probed once per process.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Support {
    /// The kernel's Landlock ABI version; 0 when Landlock is missing or disabled.
    pub landlock_abi: u8,
    /// Whether this process may create user, mount and network namespaces (private network, read-only mounts).
    pub user_namespaces: bool,
    /// bubblewrap, when installed.
    pub bwrap: Option<PathBuf>,
}

/// The containment one run of checks gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Landlock,
    Bwrap,
    None,
}

/// How checks reach the network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Network {
    /// A private network namespace: loopback only.
    Namespace,
    /// No namespace available: Landlock denies every TCP bind and connect (loopback included; UDP not covered).
    NoTcp,
    /// `gate.toml` allows the network, or there is no sandbox.
    Open,
}

/// What a run was contained by; part of the gate report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SandboxSummary {
    pub level: Level,
    /// The Landlock ABI in force, for [`Level::Landlock`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub landlock_abi: Option<u8>,
    pub network: Network,
    /// Every mount outside the writable folders is read-only in the check's own mount namespace, so it cannot
    /// change permissions or timestamps there either (Landlock alone does not cover metadata).
    #[serde(default)]
    pub read_only_mounts: bool,
}

impl std::fmt::Display for SandboxSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let net = match self.network {
            Network::Namespace => "network: loopback only (own namespace)",
            Network::NoTcp => "network: no TCP (Landlock)",
            Network::Open => "network: open",
        };
        let mounts = if self.read_only_mounts {
            ", read-only mounts outside the checkout"
        } else {
            ""
        };
        match (self.level, self.landlock_abi) {
            (Level::Landlock, Some(abi)) => write!(f, "landlock (ABI {abi}){mounts}, {net}"),
            (Level::Landlock, None) => write!(f, "landlock{mounts}, {net}"),
            (Level::Bwrap, _) => write!(f, "bubblewrap, {net}"),
            (Level::None, _) => write!(f, "none (checks run unconfined), {net}"),
        }
    }
}

/// A comma-separated list of `no-landlock`, `no-bwrap`, `no-userns`: makes [`support`] pretend the machine
/// lacks those (tests and diagnosis of the fallbacks). It can only weaken what is detected, never strengthen it.
pub const PROBE_OVERRIDE_ENV: &str = "AUTODEV_SANDBOX_PROBE";

/// What the machine offers (cached for the life of the process).
pub fn support() -> &'static Support {
    static SUPPORT: OnceLock<Support> = OnceLock::new();
    SUPPORT.get_or_init(|| {
        let without = std::env::var(PROBE_OVERRIDE_ENV).unwrap_or_default();
        let without = |what: &str| without.split(',').any(|w| w.trim() == what);
        Support {
            landlock_abi: if without("no-landlock") {
                0
            } else {
                landlock::abi_version()
            },
            user_namespaces: !without("no-userns") && supervise::user_namespaces_work(),
            bwrap: if without("no-bwrap") {
                None
            } else {
                bwrap::find()
            },
        }
    })
}

/// Decides the level for `mode` on a machine with `support`; `Err` says why checks cannot run and what to do.
pub fn choose(mode: SandboxMode, support: &Support) -> Result<Level, String> {
    let landlock = support.landlock_abi >= 1;
    let bwrap = support.bwrap.is_some() && support.user_namespaces;
    match mode {
        SandboxMode::None => Ok(Level::None),
        SandboxMode::Landlock if landlock => Ok(Level::Landlock),
        SandboxMode::Landlock => Err(format!(
            "gate.toml asks for sandbox mode \"landlock\" but this kernel has no Landlock ({}); use a kernel with \
             Landlock enabled (5.13+, `lsm=landlock` on the kernel command line), or set [sandbox] mode = \"auto\"",
            kernel_hint()
        )),
        SandboxMode::Bwrap if bwrap => Ok(Level::Bwrap),
        SandboxMode::Bwrap => Err(bwrap_missing(
            "gate.toml asks for sandbox mode \"bwrap\"",
            support,
        )),
        SandboxMode::Auto if landlock => Ok(Level::Landlock),
        SandboxMode::Auto if bwrap => Ok(Level::Bwrap),
        SandboxMode::Auto => Err(format!(
            "refusing to run checks without a sandbox: this kernel has no Landlock ({}) and {}. Install \
             bubblewrap (`apt-get install bubblewrap`) and allow user namespaces, or — only for a repository whose \
             tests you trust completely — set [sandbox] mode = \"none\" in .autodev_ssot/gate.toml",
            kernel_hint(),
            bwrap_state(support)
        )),
    }
}

fn bwrap_missing(what: &str, support: &Support) -> String {
    format!(
        "{what} but {}; install it (`apt-get install bubblewrap`) and allow unprivileged user namespaces, or set \
         [sandbox] mode = \"auto\"",
        bwrap_state(support)
    )
}

fn bwrap_state(support: &Support) -> &'static str {
    match (&support.bwrap, support.user_namespaces) {
        (None, _) => "bubblewrap is not installed",
        (Some(_), false) => "bubblewrap cannot create user namespaces here",
        (Some(_), true) => "bubblewrap is available",
    }
}

fn kernel_hint() -> String {
    let release = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    let release = release.trim();
    if release.is_empty() {
        "unknown kernel".to_owned()
    } else {
        format!("kernel {release}")
    }
}

/// The summary of what `level` enforces with `config` on this machine.
pub fn summary(level: Level, config: &SandboxConfig, support: &Support) -> SandboxSummary {
    let network = match level {
        _ if config.network => Network::Open,
        Level::None => Network::Open,
        Level::Bwrap => Network::Namespace,
        Level::Landlock if support.user_namespaces => Network::Namespace,
        Level::Landlock => Network::NoTcp,
    };
    SandboxSummary {
        level,
        landlock_abi: (level == Level::Landlock).then_some(support.landlock_abi),
        network,
        read_only_mounts: match level {
            Level::Landlock => support.user_namespaces,
            Level::Bwrap => true,
            Level::None => false,
        },
    }
}

/// One line for `autodev doctor`: what `mode` gives on this machine, or why checks would be refused.
pub fn describe(mode: SandboxMode, config: &SandboxConfig) -> Result<String, String> {
    let support = support();
    let level = choose(mode, support)?;
    Ok(summary(level, config, support).to_string())
}

/// A check command, contained as `summary` says; spawn it with [`spawn_supervised`].
pub(crate) struct Contained {
    pub(crate) command: Command,
    pub(crate) setup: supervise::ChildSetup,
}

/// Builds the command for `sh -c SCRIPT` in `dirs.checkout` under `summary`'s containment.
pub(crate) fn contain(
    script: &str,
    summary: &SandboxSummary,
    roots: &roots::Roots,
    dirs: &RunDirs,
) -> std::io::Result<Contained> {
    let netns = summary.network == Network::Namespace;
    match summary.level {
        Level::Landlock => {
            let ruleset = landlock::ruleset(
                summary.landlock_abi.unwrap_or(0),
                roots,
                summary.network == Network::NoTcp,
            )?;
            let proc_grant = landlock::proc_grant(&ruleset, summary.landlock_abi.unwrap_or(0))?;
            let mut setup = supervise::ChildSetup::new(Some(ruleset));
            if summary.read_only_mounts {
                setup = setup.with_namespaces(
                    proc_grant,
                    netns,
                    &roots.write,
                    &roots::hidden_dirs(
                        roots,
                        std::env::var_os("HOME").map(PathBuf::from).as_deref(),
                    ),
                    &dirs.shm,
                    &dirs.checkout,
                );
            }
            let mut command = Command::new("/bin/sh");
            command.arg("-c").arg(script).current_dir(&dirs.checkout);
            Ok(Contained { command, setup })
        }
        Level::Bwrap => Ok(Contained {
            command: bwrap::command(script, roots, dirs, netns)?,
            setup: supervise::ChildSetup::new(None),
        }),
        Level::None => {
            let mut command = Command::new("/bin/sh");
            command.arg("-c").arg(script).current_dir(&dirs.checkout);
            Ok(Contained {
                command,
                setup: supervise::ChildSetup::new(None),
            })
        }
    }
}

/// Makes this process non-dumpable: its `/proc/<pid>/environ`, `mem` and `maps` become unreadable to processes
/// of the same user that lack `CAP_SYS_PTRACE`, and it cannot be `ptrace`d by them. Called before any check runs
/// (the worker and the bot also call it at start-up: they hold tokens). Idempotent; failure is ignored because
/// the sandbox does not depend on it (Landlock already denies ptrace across its boundary).
pub fn harden_self() {
    // SAFETY: prctl with integer arguments; no memory is passed.
    unsafe {
        libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn machine(abi: u8, userns: bool, bwrap: bool) -> Support {
        Support {
            landlock_abi: abi,
            user_namespaces: userns,
            bwrap: bwrap.then(|| PathBuf::from("/usr/bin/bwrap")),
        }
    }

    #[test]
    fn auto_prefers_landlock_then_bwrap_then_refuses() {
        assert_eq!(
            choose(SandboxMode::Auto, &machine(7, true, true)),
            Ok(Level::Landlock)
        );
        assert_eq!(
            choose(SandboxMode::Auto, &machine(0, true, true)),
            Ok(Level::Bwrap)
        );
        let refused = choose(SandboxMode::Auto, &machine(0, false, true)).unwrap_err();
        assert!(refused.contains("mode = \"none\""), "{refused}");
        assert!(choose(SandboxMode::Auto, &machine(0, true, false)).is_err());
        assert_eq!(
            choose(SandboxMode::None, &machine(0, false, false)),
            Ok(Level::None)
        );
        assert!(choose(SandboxMode::Landlock, &machine(0, true, true)).is_err());
        assert!(choose(SandboxMode::Bwrap, &machine(7, true, false)).is_err());
    }

    #[test]
    fn network_follows_namespaces_and_config() {
        let mut config = SandboxConfig::default();
        let s = summary(Level::Landlock, &config, &machine(7, true, false));
        assert_eq!(s.network, Network::Namespace);
        let s = summary(Level::Landlock, &config, &machine(7, false, false));
        assert_eq!(s.network, Network::NoTcp);
        assert_eq!(
            s.to_string(),
            "landlock (ABI 7), network: no TCP (Landlock)"
        );
        config.network = true;
        let s = summary(Level::Landlock, &config, &machine(7, true, false));
        assert_eq!(s.network, Network::Open);
    }
}
