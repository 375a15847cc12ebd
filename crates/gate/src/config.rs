//! `gate.toml`: the checks the gate runs after a patch applies, and their environment.
//!
//! Read from `.autodev_ssot/gate.toml` at the base revision, like the policy.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The commented default `gate.toml` that `autodev init` writes to `.autodev_ssot/gate.toml`.
/// Parsing it gives exactly [`GateFile::default`]: no checks.
pub const DEFAULT_GATE_TOML: &str = r#"# autodev gate checks. The gate reads this file from the BASE revision of each patch, applies the patch to a
# clean checkout of that revision, then runs each check there in order; the first that fails stops the rest.
# A task's own `checks` replace this list for that task. Reference: docs/GATE.md.
#
# Each check runs as `sh -c COMMAND` in the checkout root with stdin from /dev/null; when it ends or runs past
# `timeout_secs`, every process it started is killed (`setsid` and double-fork children included). Its output
# goes to a log file; the report keeps the last 4 KiB.
#
# Checks run the repository's code, which the model may have written, so they run in a sandbox (docs/GATE.md
# "Sandbox"): they may write only the checkout, a per-slot cache and a private temp directory, read the system and
# the toolchains on PATH, and have no network. Every process a check starts is killed when it ends.

# Time limit for checks that do not set their own, and for a task's checks.
default_timeout_secs = 600

# Example:
# [[check]]
# name = "tests"
# command = "cargo test --quiet"
# timeout_secs = 900

# Probes (optional): commands whose output describes what the code does, e.g. a script that prints a function's
# results on a few inputs. They never decide PASS or FAIL. When a patch passed every check, the worker samples a
# few more answers (AUTODEV_CANDIDATES) and keeps the change whose probe output most passing candidates share.
# [[probe]]
# name = "behaviour"
# command = "python3 probe.py"

[env]
# Variables whose names contain TOKEN, SECRET, KEY, PASSWORD, PASSWD or CREDENTIAL (any case), SSH_AUTH_SOCK,
# GPG_AGENT_INFO and every GIT_* variable are removed from the checks' environment. List names here to keep some.
allow = []

# Variables to set. `${AUTODEV_CACHE_DIR}` expands to a per-slot directory outside the checkout that survives
# between runs (build caches), `${AUTODEV_CHECKOUT}` to the checkout.
[env.set]
# NODE_OPTIONS = "--max-old-space-size=2048"

[sandbox]
# "auto": Landlock where the kernel has it, else bubblewrap if installed, else refuse to run checks.
# "landlock" / "bwrap": only that one (ERROR when it is missing). "none": no sandbox — checks can read and write
# anything the gate's user can, your SSH keys and the queue included; only for repositories you fully trust.
mode = "auto"
# Let checks reach the network (off by default: a network namespace with only loopback, or no TCP at all).
network = false
# More paths checks may read or write ("~/" is your home). A path that is or contains your home, ~/.ssh or
# another secret folder, or the repository itself, is refused.
read = []
write = []

[cache]
# Point CARGO_TARGET_DIR at ${AUTODEV_CACHE_DIR}/cargo-target so repeated Rust checks build incrementally
# (the checkout itself is wiped, ignored files included, before every run).
cargo_target_dir = true
"#;

/// The parsed `gate.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GateFile {
    pub default_timeout_secs: u64,
    #[serde(rename = "check")]
    pub checks: Vec<CheckConfig>,
    /// `[[probe]]`: commands whose output describes what the code does (not whether it is right). They run
    /// after every check passed, and only when the caller asks (`GateRequest::probes`): the worker compares
    /// their output across candidate patches and keeps the behaviour most candidates share.
    #[serde(rename = "probe")]
    pub probes: Vec<CheckConfig>,
    pub env: EnvConfig,
    pub cache: CacheConfig,
    pub sandbox: SandboxConfig,
}

impl Default for GateFile {
    fn default() -> Self {
        GateFile {
            default_timeout_secs: 600,
            checks: Vec::new(),
            probes: Vec::new(),
            env: EnvConfig::default(),
            cache: CacheConfig::default(),
            sandbox: SandboxConfig::default(),
        }
    }
}

/// One `[[check]]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckConfig {
    pub name: String,
    pub command: String,
    #[serde(default)]
    pub timeout_secs: Option<u64>,
}

/// `[env]`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct EnvConfig {
    pub allow: Vec<String>,
    pub set: BTreeMap<String, String>,
}

/// `[cache]`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CacheConfig {
    pub cargo_target_dir: bool,
}

impl Default for CacheConfig {
    fn default() -> Self {
        CacheConfig {
            cargo_target_dir: true,
        }
    }
}

/// `[sandbox]`: how checks are contained (see [`crate::sandbox`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct SandboxConfig {
    pub mode: SandboxMode,
    /// Whether checks may use the network.
    pub network: bool,
    /// Extra paths checks may read (`~/` expands to the gate's home).
    pub read: Vec<String>,
    /// Extra paths checks may write.
    pub write: Vec<String>,
}

/// `[sandbox] mode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum SandboxMode {
    /// Landlock, else bubblewrap, else refuse to run checks.
    #[default]
    Auto,
    /// Landlock only.
    Landlock,
    /// bubblewrap only.
    Bwrap,
    /// No containment: an explicit choice for fully trusted repositories.
    None,
}

impl SandboxMode {
    pub fn as_str(self) -> &'static str {
        match self {
            SandboxMode::Auto => "auto",
            SandboxMode::Landlock => "landlock",
            SandboxMode::Bwrap => "bwrap",
            SandboxMode::None => "none",
        }
    }
}

impl GateFile {
    /// Parses a `gate.toml`.
    pub fn from_toml(text: &str) -> Result<GateFile, String> {
        let file: GateFile = toml::from_str(text).map_err(|e| e.to_string())?;
        for (table, list) in [("check", &file.checks), ("probe", &file.probes)] {
            if list
                .iter()
                .any(|c| c.name.trim().is_empty() || c.command.trim().is_empty())
            {
                return Err(format!(
                    "every [[{table}]] needs a non-empty name and command"
                ));
            }
        }
        Ok(file)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_toml_is_the_default() {
        assert_eq!(
            GateFile::from_toml(DEFAULT_GATE_TOML).unwrap(),
            GateFile::default()
        );
    }

    #[test]
    fn checks_parse() {
        let f =
            GateFile::from_toml("[[check]]\nname = \"t\"\ncommand = \"true\"\ntimeout_secs = 5\n")
                .unwrap();
        assert_eq!(f.checks[0].timeout_secs, Some(5));
        assert!(GateFile::from_toml("[[check]]\nname = \"t\"\ncommand = \" \"\n").is_err());
        assert!(GateFile::from_toml("bogus = 1\n").is_err());
    }
}
