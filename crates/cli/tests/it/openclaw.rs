//! The OpenClaw skill, loaded by the real OpenClaw (npm `openclaw`, installed by `scripts/ensure-openclaw.sh`,
//! which `scripts/test.sh` runs): installed the way `integrations/openclaw/README.md` says, OpenClaw lists it, and
//! finds it eligible exactly when `autodev` is on `PATH`.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The OpenClaw CLI: `$OPENCLAW`, else the cached install; `None` only when `AUTODEV_SKIP_OPENCLAW=1`.
fn openclaw() -> Option<PathBuf> {
    if std::env::var("AUTODEV_SKIP_OPENCLAW").is_ok_and(|v| v == "1") {
        eprintln!("AUTODEV_SKIP_OPENCLAW=1: the OpenClaw skill test is skipped on request");
        return None;
    }
    if let Some(p) = std::env::var_os("OPENCLAW").filter(|p| !p.is_empty()) {
        return Some(p.into());
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/ensure-openclaw.sh");
    let out = Command::new("bash").arg(&script).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    match text.lines().find_map(|l| l.strip_prefix("OPENCLAW=")) {
        Some(p) if out.status.success() => Some(p.into()),
        _ => panic!(
            "OpenClaw is not installed: run scripts/ensure-openclaw.sh (scripts/test.sh does it; npm, about 30 s \
             once, cached afterwards), or set AUTODEV_SKIP_OPENCLAW=1 to skip this test.\n{}",
            String::from_utf8_lossy(&out.stderr)
        ),
    }
}

/// `openclaw skills <args> --json` with `home` as HOME and `path` as PATH.
fn skills(openclaw: &Path, home: &Path, path: &str, args: &[&str]) -> serde_json::Value {
    let out = Command::new(openclaw)
        .arg("skills")
        .args(args)
        .arg("--json")
        .current_dir(home)
        .env_clear()
        .env("HOME", home)
        .env("PATH", path)
        .env("LANG", "C.UTF-8")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "openclaw skills {args:?}: {stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Everything before the JSON (a banner, a notice) is not ours to judge.
    let json = &stdout[stdout.find('{').or_else(|| stdout.find('[')).unwrap_or(0)..];
    serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}: {stdout}"))
}

#[test]
fn openclaw_loads_the_skill_and_finds_it_eligible_with_autodev_on_path() {
    let Some(openclaw) = openclaw() else {
        return;
    };
    // Installed as the README says: copied into ~/.openclaw/skills/.
    let home = tempfile::tempdir().unwrap();
    let skills_dir = home.path().join(".openclaw/skills/autodev");
    std::fs::create_dir_all(&skills_dir).unwrap();
    let skill = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../integrations/openclaw/skills/autodev/SKILL.md");
    std::fs::copy(&skill, skills_dir.join("SKILL.md")).unwrap();
    let bin = home.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let git_dir = which("git");

    // Without autodev on PATH: found, but not eligible, and OpenClaw says what is missing.
    let without = format!("{}:/bin", git_dir.display());
    let info = skills(&openclaw, home.path(), &without, &["info", "autodev"]);
    assert_eq!(info["name"], "autodev", "{info}");
    assert_eq!(info["eligible"], false, "{info}");
    assert_eq!(
        info["missing"]["bins"],
        serde_json::json!(["autodev"]),
        "{info}"
    );

    // With it: listed and eligible, nothing missing.
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_autodev"), bin.join("autodev")).unwrap();
    let with = format!("{}:{without}", bin.display());
    let info = skills(&openclaw, home.path(), &with, &["info", "autodev"]);
    assert_eq!(info["eligible"], true, "{info}");
    assert_eq!(info["missing"]["bins"], serde_json::json!([]), "{info}");
    assert_eq!(
        info["requirements"]["bins"],
        serde_json::json!(["autodev", "git"]),
        "{info}"
    );
    assert!(
        info["description"]
            .as_str()
            .unwrap_or_default()
            .contains("autodev"),
        "{info}"
    );
    let list = skills(&openclaw, home.path(), &with, &["list"]);
    let names: Vec<&str> = list["skills"]
        .as_array()
        .or_else(|| list.as_array())
        .into_iter()
        .flatten()
        .filter_map(|s| s["name"].as_str())
        .collect();
    assert!(names.contains(&"autodev"), "{list}");
}

/// The folder holding `name` on this machine's PATH.
fn which(name: &str) -> PathBuf {
    std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .find(|d| d.join(name).is_file())
        .unwrap_or_else(|| panic!("{name} is not on PATH"))
}
