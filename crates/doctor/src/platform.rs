//! Where autodev runs, as it matters on a Windows PC: WSL2 (its networking hides the Windows host's Ollama
//! behind a NAT gateway), Docker Desktop (a second Ollama in compose clashes with the host's on port 11434), and
//! a repository or queue on a Windows drive (`/mnt/c/…`: slow, and renames do not behave as on Linux).
//!
//! Everything is read under a root folder (`/`, or `AUTODEV_DOCTOR_ROOT` for tests and for diagnosing a copied
//! `/proc`): `proc/version`, `proc/net/route`, `mnt/wsl/docker-desktop`.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use i18n::msg;

use crate::{Check, Status};

/// What the platform checks read.
#[derive(Debug, Clone)]
pub struct PlatformInputs {
    /// The folder `/proc` and `/mnt` are read under (`/` on a real machine).
    pub root: PathBuf,
    /// The environment (`WSL_DISTRO_NAME`, `WSL_INTEROP`).
    pub env: BTreeMap<String, String>,
}

impl Default for PlatformInputs {
    fn default() -> PlatformInputs {
        PlatformInputs {
            root: PathBuf::from("/"),
            env: BTreeMap::new(),
        }
    }
}

/// The machine, as far as autodev's setup cares.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Platform {
    /// Running under WSL (1 or 2), with the distribution's name and the default gateway (the Windows host under
    /// WSL2's default NAT networking).
    pub wsl: Option<Wsl>,
    /// Docker Desktop's WSL integration is mounted (`/mnt/wsl/docker-desktop`).
    pub docker_desktop: bool,
}

/// WSL facts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wsl {
    /// 1 or 2.
    pub version: u8,
    /// `WSL_DISTRO_NAME`.
    pub distro: Option<String>,
    /// The IPv4 default gateway from `/proc/net/route`.
    pub gateway: Option<Ipv4Addr>,
}

impl Platform {
    /// Reads the platform under `inputs.root`.
    pub fn detect(inputs: &PlatformInputs) -> Platform {
        let version = std::fs::read_to_string(inputs.root.join("proc/version")).unwrap_or_default();
        let lower = version.to_ascii_lowercase();
        let in_wsl = lower.contains("microsoft") || inputs.env.contains_key("WSL_DISTRO_NAME");
        let wsl = in_wsl.then(|| Wsl {
            // WSL2 kernels say "microsoft-standard-WSL2"; WSL1 has no Linux kernel of its own ("Microsoft").
            version: if lower.contains("wsl2") || inputs.env.contains_key("WSL_INTEROP") {
                2
            } else {
                1
            },
            distro: inputs.env.get("WSL_DISTRO_NAME").cloned(),
            gateway: std::fs::read_to_string(inputs.root.join("proc/net/route"))
                .ok()
                .and_then(|t| default_gateway(&t)),
        });
        Platform {
            wsl,
            docker_desktop: inputs.root.join("mnt/wsl/docker-desktop").is_dir(),
        }
    }

    /// Where an Ollama for this machine usually answers, besides the configured host: under WSL2 the Windows host
    /// (the NAT gateway; `127.0.0.1` under mirrored networking), with Docker Desktop `host.docker.internal`. Each
    /// on the configured host's port.
    pub fn ollama_candidates(&self, configured: &str) -> Vec<String> {
        let port = port_of(configured).unwrap_or(11434);
        let mut hosts = Vec::new();
        if let Some(w) = &self.wsl {
            if let Some(gw) = w.gateway {
                hosts.push(gw.to_string());
            }
            hosts.push("127.0.0.1".to_owned());
        }
        if self.docker_desktop {
            hosts.push("host.docker.internal".to_owned());
        }
        let mut out: Vec<String> = hosts
            .into_iter()
            .map(|h| format!("http://{h}:{port}"))
            .filter(|u| u.trim_end_matches('/') != configured.trim_end_matches('/'))
            .collect();
        out.dedup();
        out
    }
}

/// The `platform` check: what was found, and for WSL2 what to know about reaching the Windows host.
pub fn check_platform(p: &Platform) -> Check {
    let Some(w) = &p.wsl else {
        return Check::new("platform", Status::Pass, msg!("doctor-platform-linux"));
    };
    let desktop = p.docker_desktop.then(|| msg!("doctor-docker-desktop"));
    if w.version == 1 {
        let fix = match w.distro.as_deref() {
            Some(d) => msg!("doctor-platform-wsl1-fix", distro = d),
            None => msg!("doctor-platform-wsl1-fix", distro = "<distro>"),
        };
        return Check::new(
            "platform",
            Status::Warn,
            msg!(
                "doctor-platform-wsl1",
                distro = distro(w),
                desktop = desktop
            ),
        )
        .fix(fix);
    }
    let gateway = w.gateway.map(|g| msg!("doctor-windows-host", gateway = &g));
    Check::new(
        "platform",
        Status::Pass,
        msg!(
            "doctor-platform-wsl2",
            distro = distro(w),
            desktop = desktop,
            gateway = gateway
        ),
    )
}

/// `WSL_DISTRO_NAME`, or "unknown distribution" in the reader's language.
fn distro(w: &Wsl) -> i18n::Arg {
    match &w.distro {
        Some(d) => i18n::Arg::from(d),
        None => i18n::Arg::from(msg!("doctor-unknown-distro")),
    }
}

/// A `WARN` when the repository or the queue is on a Windows drive mounted into WSL (`/mnt/c/…`).
pub fn check_windows_drive(repo: &Path, queue: &Path) -> Option<Check> {
    let on = [repo, queue].into_iter().find(|p| windows_drive(p))?;
    Some(
        Check::new(
            "location",
            Status::Warn,
            msg!("doctor-location", path = &on.display()),
        )
        .fix(msg!("doctor-location-fix")),
    )
}

/// `/mnt/<letter>/…`.
fn windows_drive(path: &Path) -> bool {
    let mut parts = path.components().map(|c| c.as_os_str().to_string_lossy());
    matches!(
        (parts.next().as_deref(), parts.next().as_deref(), parts.next()),
        (Some("/"), Some("mnt"), Some(d)) if d.len() == 1 && d.chars().all(|c| c.is_ascii_alphabetic())
    )
}

/// The first of `candidates` where an Ollama answers `GET /api/version`.
pub async fn find_ollama(candidates: &[String], timeout: Duration) -> Option<String> {
    let client = reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        .no_proxy()
        .build()
        .ok()?;
    for url in candidates {
        let answered = client
            .get(format!("{url}/api/version"))
            .send()
            .await
            .ok()
            .filter(|r| r.status().is_success());
        if let Some(resp) = answered
            && resp
                .json::<serde_json::Value>()
                .await
                .is_ok_and(|v| v.get("version").is_some())
        {
            return Some(url.clone());
        }
    }
    None
}

/// A `WARN` when an Ollama already answers on this machine's port 11434 and the repository's compose file would
/// start another one (two servers fighting over the port, two copies of the model in GPU memory).
pub async fn check_compose_clash(repo: &Path, local: &str, timeout: Duration) -> Option<Check> {
    let compose = std::fs::read_to_string(repo.join("docker-compose.yml")).ok()?;
    let starts_ollama = compose.lines().any(|l| l.trim_end() == "  ollama:");
    if !starts_ollama || find_ollama(&[local.to_owned()], timeout).await.is_none() {
        return None;
    }
    Some(
        Check::new("compose", Status::Warn, msg!("doctor-compose", url = local))
            .fix(msg!("doctor-compose-fix")),
    )
}

/// The default route's gateway in `/proc/net/route` (destination `00000000`; addresses are little-endian hex).
fn default_gateway(route: &str) -> Option<Ipv4Addr> {
    route.lines().skip(1).find_map(|line| {
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.get(1) != Some(&"00000000") {
            return None;
        }
        let raw = u32::from_str_radix(f.get(2)?, 16).ok()?;
        (raw != 0).then(|| Ipv4Addr::from(raw.swap_bytes()))
    })
}

/// The port of an `http://host:port` URL.
fn port_of(url: &str) -> Option<u16> {
    let rest = url.split("://").nth(1)?;
    let authority = rest.split('/').next()?;
    authority.rsplit_once(':')?.1.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root_with(version: &str, route: &str, desktop: bool) -> tempfile::TempDir {
        let t = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(t.path().join("proc/net")).unwrap();
        std::fs::write(t.path().join("proc/version"), version).unwrap();
        std::fs::write(t.path().join("proc/net/route"), route).unwrap();
        if desktop {
            std::fs::create_dir_all(t.path().join("mnt/wsl/docker-desktop")).unwrap();
        }
        t
    }

    const ROUTE: &str = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n\
                         eth0\t00000000\t0100F0AC\t0003\t0\t0\t0\t00000000\t0\t0\t0\n\
                         eth0\t0000F0AC\t00000000\t0001\t0\t0\t0\t00F0FFFF\t0\t0\t0\n";

    #[test]
    fn wsl2_its_gateway_and_docker_desktop_are_recognised() {
        let root = root_with(
            "Linux version 5.15.153.1-microsoft-standard-WSL2 (root@1ab) #1 SMP",
            ROUTE,
            true,
        );
        let inputs = PlatformInputs {
            root: root.path().to_owned(),
            env: [("WSL_DISTRO_NAME".to_owned(), "Ubuntu".to_owned())].into(),
        };
        let p = Platform::detect(&inputs);
        let w = p.wsl.clone().unwrap();
        assert_eq!(
            (w.version, w.distro.as_deref(), w.gateway),
            (2, Some("Ubuntu"), Some(Ipv4Addr::new(172, 240, 0, 1)))
        );
        assert!(p.docker_desktop);
        assert_eq!(
            p.ollama_candidates("http://127.0.0.1:11434"),
            [
                "http://172.240.0.1:11434",
                "http://host.docker.internal:11434"
            ]
        );
        let c = check_platform(&p);
        assert_eq!(c.status, Status::Pass);
        assert!(c.message.contains("WSL2 (Ubuntu)") && c.message.contains("172.240.0.1"));

        let plain = root_with(
            "Linux version 6.8.0-45-generic (buildd@lcy02)",
            ROUTE,
            false,
        );
        let p = Platform::detect(&PlatformInputs {
            root: plain.path().to_owned(),
            env: BTreeMap::new(),
        });
        assert_eq!(p, Platform::default());
        assert!(p.ollama_candidates("http://127.0.0.1:11434").is_empty());
    }

    #[test]
    fn a_windows_drive_is_named() {
        assert!(windows_drive(Path::new("/mnt/c/Users/me/proj")));
        assert!(!windows_drive(Path::new("/mnt/wsl/x")));
        assert!(!windows_drive(Path::new("/home/me/proj")));
        let c = check_windows_drive(Path::new("/home/me/p"), Path::new("/mnt/d/q")).unwrap();
        assert!(c.message.contains("/mnt/d/q"));
        assert!(check_windows_drive(Path::new("/home/me/p"), Path::new("/home/me/p/.q")).is_none());
    }
}
