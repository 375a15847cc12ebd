//! `autodev gate`: the command-line front end. The `autodev` binary flattens [`GateArgs`] into its `gate`
//! subcommand and calls [`run`]; doc comments here are the `--help` text.

use std::io::Read;
use std::path::PathBuf;
use std::time::Duration;

use i18n::{Lang, t};
use protocol::exit_codes;

use crate::error::GateError;
use crate::gate::{Gate, GateConfig, GateRequest};
use crate::hook::{self, HookKind, HookRun, InstallOptions};
use crate::report::{CheckStatus, GateReport, Verdict};

const AFTER_HELP: &str = "\
What it does:
  1. Reads the policy (.autodev_ssot/policy.toml) and checks (.autodev_ssot/gate.toml) from the BASE revision.
  2. Refuses, before running anything: protected paths (.git/, .github/, .autodev_ssot/, ...), paths outside
     --allow, absolute or `..` paths, symlinks, new executable bits, binary patches, oversized patches.
  3. Applies the patch to a clean checkout under ~/.cache/autodev/gate/ (your files, index and HEAD are
     never touched) and runs each check there in a sandbox: it may write only the checkout, its cache and a
     private temp dir, read the system and your toolchains (not your home, ~/.ssh or the queue), has no
     network, loses every process it started when it ends, and sees no secrets in its environment
     (.autodev_ssot/gate.toml [sandbox]; `autodev doctor` shows what this machine enforces).

Exit codes: 0 PASS, 1 FAIL (reasons printed), 2 ERROR (the patch was not judged: bad repo, unknown base,
git failure, unreadable patch or configuration, no sandbox available).

Examples:
  autodev gate fix.patch
  autodev gate fix.patch --fuzzy --allow src/config.rs --json
  git diff main...topic | autodev gate - --base main
  autodev gate install-hook      # gate `git merge` and `git push` in this repository

Reference: docs/GATE.md";

/// Judge a patch: apply it to a clean checkout of BASE, enforce the repository policy, run the checks, and
/// answer PASS or FAIL with machine-readable reasons.
#[derive(Debug, Clone, clap::Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true, after_long_help = AFTER_HELP)]
pub struct GateArgs {
    #[command(subcommand)]
    pub command: Option<GateCommand>,

    /// The unified diff to judge (`git diff` output or similar); `-` reads standard input.
    #[arg(value_name = "PATCH", required_unless_present = "hook")]
    pub patch: Option<PathBuf>,

    /// Any directory inside the repository. It is only read: the patch is applied to a separate checkout.
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub repo: PathBuf,

    /// The revision the patch applies to (branch, tag or commit).
    #[arg(long, value_name = "REV", default_value = "HEAD")]
    pub base: String,

    /// Print the full report as JSON (the same document the worker stores as `<id>.gate.json`). On an
    /// infrastructure error, prints {"verdict":"ERROR","kind":...,"error":...}.
    #[arg(long)]
    pub json: bool,

    /// Locate hunks by their content, ignoring line numbers, then whitespace, then Unicode punctuation
    /// (curly quotes, dashes, NBSP); a hunk that matches in two places is refused (PATCH_AMBIGUOUS). The report
    /// then carries the normalised patch, which applies strictly.
    #[arg(long)]
    pub fuzzy: bool,

    /// Allow writes only to this file or directory prefix (repeatable). Default: the policy's `allowed` list.
    #[arg(long = "allow", value_name = "PATH")]
    pub allow: Vec<String>,

    /// Run this shell command instead of gate.toml's checks (repeatable; runs in the checkout root).
    #[arg(long = "check", value_name = "COMMAND")]
    pub checks: Vec<String>,

    /// Run as a git hook (what the scripts from `install-hook` call): pre-merge-commit gates the merge in
    /// progress, pre-push gates each pushed range read from standard input.
    #[arg(long, value_enum, value_name = "HOOK", conflicts_with_all = ["patch", "base", "fuzzy", "allow"])]
    pub hook: Option<HookKind>,

    /// Where checkouts, build caches and logs live. Default: `~/.cache/autodev/gate/<repo>-<hash>` ($AUTODEV_CACHE
    /// or $XDG_CACHE_HOME move it).
    #[arg(long, value_name = "DIR")]
    pub work_root: Option<PathBuf>,

    /// Time limit in seconds for checks that have none of their own (default: gate.toml's, else 600).
    #[arg(long, value_name = "SECS")]
    pub timeout: Option<u64>,
}

/// `autodev gate` subcommands.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum GateCommand {
    /// Install pre-merge-commit and pre-push hooks that run `autodev gate --hook ...`, so a merge or push whose
    /// change fails the gate is refused. Refuses to replace hooks autodev did not write unless --force.
    InstallHook(InstallHookArgs),
    /// Remove the hooks `install-hook` wrote (and restore any hook it replaced). Other hooks are left alone.
    UninstallHook(UninstallHookArgs),
}

/// Arguments of `autodev gate install-hook`.
#[derive(Debug, Clone, clap::Args)]
pub struct InstallHookArgs {
    /// Any directory inside the repository.
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub repo: PathBuf,
    /// Replace existing hooks that autodev did not write; they are kept as `<hook>.autodev-backup`.
    #[arg(long)]
    pub force: bool,
}

/// Arguments of `autodev gate uninstall-hook`.
#[derive(Debug, Clone, clap::Args)]
pub struct UninstallHookArgs {
    /// Any directory inside the repository.
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub repo: PathBuf,
}

/// Runs `autodev gate` and returns the process exit code: 0 PASS, 1 FAIL, 2 ERROR. What people read is in the
/// language of `AUTODEV_LANG` or the locale ([`Lang::from_env`]); JSON, verdicts and codes stay English.
pub fn run(args: GateArgs) -> u8 {
    let lang = Lang::from_env();
    match &args.command {
        Some(GateCommand::InstallHook(a)) => {
            let options = InstallOptions {
                force: a.force,
                autodev_bin: std::env::current_exe().ok(),
            };
            match hook::install_hook(&a.repo, &options) {
                Ok(paths) => {
                    for p in paths {
                        println!("{}", t!(lang, "gate-hook-installed", path = &p.display()));
                    }
                    exit_codes::OK
                }
                Err(e) => error_out(&e, false, lang),
            }
        }
        Some(GateCommand::UninstallHook(a)) => match hook::uninstall_hook(&a.repo) {
            Ok(paths) if paths.is_empty() => {
                println!("{}", t!(lang, "gate-hook-none-installed"));
                exit_codes::OK
            }
            Ok(paths) => {
                for p in paths {
                    println!("{}", t!(lang, "gate-hook-removed", path = &p.display()));
                }
                exit_codes::OK
            }
            Err(e) => error_out(&e, false, lang),
        },
        None => {
            let gate = Gate::new(GateConfig {
                work_root: args.work_root.clone(),
                default_check_timeout: args.timeout.map(Duration::from_secs),
                ..GateConfig::default()
            });
            match args.hook {
                Some(kind) => run_hook_mode(&gate, &args, kind, lang),
                None => run_patch_mode(&gate, &args, lang),
            }
        }
    }
}

fn run_patch_mode(gate: &Gate, args: &GateArgs, lang: Lang) -> u8 {
    let Some(path) = &args.patch else {
        return error_out(
            &GateError::HookInput("a PATCH argument is required".into()),
            args.json,
            lang,
        );
    };
    let limit = match gate.patch_byte_limit(&args.repo, &args.base) {
        Ok(l) => l,
        Err(e) => return error_out(&e, args.json, lang),
    };
    let patch = match read_patch(path, limit) {
        Ok(p) => p,
        Err(e) => return error_out(&e, args.json, lang),
    };
    let request = GateRequest {
        allowed_paths: if args.allow.is_empty() {
            None
        } else {
            Some(args.allow.clone())
        },
        fuzzy: args.fuzzy,
        checks: if args.checks.is_empty() {
            None
        } else {
            Some(args.checks.clone())
        },
        ..GateRequest::new(&args.repo, &args.base, patch)
    };
    match gate.check(&request) {
        Ok(report) => {
            if args.json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&report).unwrap_or_default()
                );
            } else {
                print!("{}", summary(&report, lang));
            }
            report.exit_code()
        }
        Err(e) => error_out(&e, args.json, lang),
    }
}

fn run_hook_mode(gate: &Gate, args: &GateArgs, kind: HookKind, lang: Lang) -> u8 {
    let mut stdin = Vec::new();
    if kind == HookKind::PrePush {
        match hook::read_hook_stdin(std::io::stdin().lock()) {
            Ok(bytes) => stdin = bytes,
            Err(e) => return error_out(&e, args.json, lang),
        }
    }
    let runs = match hook::run_hook(gate, &args.repo, kind, &stdin) {
        Ok(r) => r,
        Err(e) => return error_out(&e, args.json, lang),
    };
    let failed = runs.iter().any(|r| !r.report.passed());
    if args.json {
        let value = serde_json::json!({
            "hook": kind.name(),
            "verdict": if failed { "FAIL" } else { "PASS" },
            "runs": runs.iter().map(|r: &HookRun| serde_json::json!({"label": r.label, "report": r.report})).collect::<Vec<_>>(),
        });
        println!(
            "{}",
            serde_json::to_string_pretty(&value).unwrap_or_default()
        );
    } else if runs.is_empty() {
        eprintln!("{}", t!(lang, "gate-hook-nothing", hook = kind.name()));
    } else {
        for r in &runs {
            // Hook output goes to stderr: git shows it to the user; stdout may be a protocol channel.
            eprintln!("autodev gate ({}): {}", kind.name(), r.label);
            eprint!("{}", summary(&r.report, lang));
        }
        if failed {
            eprintln!("{}", t!(lang, "gate-hook-blocked"));
        }
    }
    if failed {
        exit_codes::REJECTED
    } else {
        exit_codes::OK
    }
}

/// Reads the patch, stopping one byte past `limit`: the gate then refuses it as too large without the CLI
/// ever holding more (`/dev/zero` or an endless pipe answers at once).
fn read_patch(path: &PathBuf, limit: u64) -> Result<Vec<u8>, GateError> {
    let unreadable = |source| GateError::PatchUnreadable {
        path: path.clone(),
        source,
    };
    let cap = limit.saturating_add(1);
    let mut buf = Vec::new();
    if path.as_os_str() == "-" {
        std::io::stdin()
            .lock()
            .take(cap)
            .read_to_end(&mut buf)
            .map_err(unreadable)?;
        return Ok(buf);
    }
    std::fs::File::open(path)
        .and_then(|f| f.take(cap).read_to_end(&mut buf))
        .map_err(unreadable)?;
    Ok(buf)
}

fn error_out(e: &GateError, json: bool, lang: Lang) -> u8 {
    if json {
        let value =
            serde_json::json!({"verdict": "ERROR", "kind": e.kind(), "error": e.to_string()});
        println!("{value}");
    } else {
        eprintln!("{}", t!(lang, "gate-error", error = e.localized(lang)));
    }
    exit_codes::ERROR
}

/// The human summary printed without `--json`, in `lang`: the sentences translated; the verdict, reason codes,
/// check names and statuses as they are; each reason's message as it is (it is also the JSON and what the model
/// is told), after what its code means in a language other than English.
pub fn summary(report: &GateReport, lang: Lang) -> String {
    let mut out = String::new();
    let secs = report.duration_ms as f64 / 1000.0;
    let passed = report
        .checks
        .iter()
        .filter(|c| c.status == CheckStatus::Passed)
        .count();
    let line = t!(
        lang,
        "gate-summary",
        verdict = report.verdict.as_str(),
        files = report.files_changed,
        added = report.lines_added,
        removed = report.lines_removed,
        passed = passed,
        checks = report.checks.len(),
        secs = &format!("{secs:.1}"),
        base = report.base_commit.get(..10).unwrap_or(&report.base_commit),
    );
    out.push_str(&line);
    out.push('\n');
    let check = t!(lang, "gate-check");
    for r in &report.reasons {
        let text = t!(
            lang,
            "gate-reason",
            explanation = crate::report::explain_reason(r.code, lang),
            message = &r.message
        );
        let mut lines = text.lines();
        out.push_str(&format!(
            "  {:<22} {}\n",
            r.code.as_str(),
            lines.next().unwrap_or("")
        ));
        for l in lines {
            out.push_str(&format!("  {:<22} {l}\n", ""));
        }
    }
    for c in &report.checks {
        let status = match c.status {
            CheckStatus::Passed => "ok",
            CheckStatus::Failed => "FAILED",
            CheckStatus::TimedOut => "TIMED OUT",
            CheckStatus::Skipped => "skipped",
        };
        let took = t!(
            lang,
            "gate-seconds",
            secs = &format!("{:.1}", c.duration_ms as f64 / 1000.0)
        );
        out.push_str(&format!("  {check} {:<30} {status:<9} {took}\n", c.name));
        if matches!(c.status, CheckStatus::Failed | CheckStatus::TimedOut) {
            let tail: Vec<&str> = c.output_tail.lines().collect();
            for l in &tail[tail.len().saturating_sub(20)..] {
                out.push_str(&format!("    | {l}\n"));
            }
            if let Some(p) = &c.log_path {
                let full = t!(lang, "gate-full-log", path = &p.display());
                out.push_str(&format!("    {full}\n"));
            }
        }
    }
    if report.verdict == Verdict::Pass && report.normalized_patch.is_some() {
        out.push_str(&format!("  {}\n", t!(lang, "gate-fuzzy-note")));
    }
    out
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Debug, Parser)]
    struct Top {
        #[command(subcommand)]
        cmd: TopCmd,
    }

    #[derive(Debug, clap::Subcommand)]
    enum TopCmd {
        Gate(GateArgs),
    }

    fn parse(args: &[&str]) -> Result<GateArgs, clap::Error> {
        let mut all = vec!["autodev", "gate"];
        all.extend_from_slice(args);
        Top::try_parse_from(all).map(|t| match t.cmd {
            TopCmd::Gate(g) => g,
        })
    }

    #[test]
    fn patch_mode() {
        let a = parse(&[
            "fix.patch",
            "--fuzzy",
            "--allow",
            "src/",
            "--allow",
            "README.md",
            "--json",
        ])
        .unwrap();
        assert_eq!(a.patch.as_deref(), Some(std::path::Path::new("fix.patch")));
        assert!(a.fuzzy && a.json);
        assert_eq!(a.allow, vec!["src/", "README.md"]);
        assert_eq!(a.base, "HEAD");
        assert!(a.command.is_none());
    }

    #[test]
    fn subcommands() {
        let a = parse(&["install-hook", "--force"]).unwrap();
        assert!(matches!(
            a.command,
            Some(GateCommand::InstallHook(InstallHookArgs {
                force: true,
                ..
            }))
        ));
        let a = parse(&["uninstall-hook", "--repo", "/r"]).unwrap();
        assert!(matches!(a.command, Some(GateCommand::UninstallHook(_))));
    }

    #[test]
    fn hook_mode_needs_no_patch() {
        let a = parse(&["--hook", "pre-push"]).unwrap();
        assert_eq!(a.hook, Some(HookKind::PrePush));
        assert!(parse(&[]).is_err());
        assert!(parse(&["x.patch", "--hook", "pre-merge-commit"]).is_err());
    }
}
