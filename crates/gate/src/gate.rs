//! [`Gate::check`]: the whole pipeline for one patch.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::apply::MatchMode;
use crate::checkout::{self, Slot, slot_git};
use crate::checks::{self, CheckSpec};
use crate::config::GateFile;
use crate::error::{GateError, Result};
use crate::git::{self, Git, RepoInfo};
use crate::patch::{self, Patch};
use crate::policy::{self, Policy};
use crate::report::{CheckStatus, GateReport, Reason, ReasonCode, Verdict};
use crate::sandbox;
use crate::workdir;

/// Where the repository's own gate configuration lives, read at the base revision.
pub const POLICY_PATH: &str = ".autodev_ssot/policy.toml";
/// See [`POLICY_PATH`].
pub const GATE_TOML_PATH: &str = ".autodev_ssot/gate.toml";

/// Host-side settings: where slots live and how long to wait. Repository rules come from the repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GateConfig {
    /// Root for `checkouts/slot-N`, `cache/slot-N`, `tmp/slot-N` and `logs/`. Default: [`default_work_root`]
    /// (outside the repository, in the user's cache folder).
    pub work_root: Option<PathBuf>,
    /// How many checkouts may exist (concurrent gates on one repository). Default 4.
    pub slots: usize,
    /// How long to wait for a free slot before [`GateError::SlotsBusy`]. Default 15 minutes.
    pub slot_wait: Duration,
    /// Time limit for checks without their own; `None` uses gate.toml's `default_timeout_secs`.
    pub default_check_timeout: Option<Duration>,
    /// How much of each check's output the report keeps. Default 4 KiB.
    pub output_tail_bytes: usize,
    /// The git binary. Default `git` (found on PATH).
    pub git: PathBuf,
    /// How many run log directories to keep under `<work_root>/logs`. Default 50.
    pub keep_logs: usize,
    /// Folders checks may never read or write, whatever `gate.toml` grants (the worker adds its queue). The
    /// repository's working tree is always protected.
    pub protect: Vec<PathBuf>,
}

impl Default for GateConfig {
    fn default() -> Self {
        GateConfig {
            work_root: None,
            slots: 4,
            slot_wait: Duration::from_secs(15 * 60),
            default_check_timeout: None,
            output_tail_bytes: 4096,
            git: PathBuf::from("git"),
            keep_logs: 50,
            protect: Vec::new(),
        }
    }
}

/// One patch to judge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GateRequest {
    /// Any directory inside the user's working tree. Only read.
    pub repo: PathBuf,
    /// The revision the patch applies to (`HEAD`, a branch, a commit id).
    pub base: String,
    /// The unified diff.
    pub patch: Vec<u8>,
    /// The task's targets: exact paths or directory prefixes. `None` uses the policy's `allowed`.
    pub allowed_paths: Option<Vec<String>>,
    /// Locate hunks by content, ignoring line numbers and (in later passes) whitespace and punctuation.
    pub fuzzy: bool,
    /// Shell commands that replace gate.toml's checks for this request.
    pub checks: Option<Vec<String>>,
    /// Where check logs go. Default `<work_root>/logs/<run id>/`.
    pub log_dir: Option<PathBuf>,
    /// Also run `gate.toml`'s `[[probe]]` commands when every check passed (see [`GateReport::probes`]).
    pub probes: bool,
}

impl GateRequest {
    /// A strict request with the policy's allowed paths and gate.toml's checks.
    pub fn new(
        repo: impl Into<PathBuf>,
        base: impl Into<String>,
        patch: impl Into<Vec<u8>>,
    ) -> GateRequest {
        GateRequest {
            repo: repo.into(),
            base: base.into(),
            patch: patch.into(),
            allowed_paths: None,
            fuzzy: false,
            checks: None,
            log_dir: None,
            probes: false,
        }
    }
}

/// The gate. Cheap to build; one value may serve concurrent [`Gate::check`] calls.
#[derive(Debug, Clone)]
pub struct Gate {
    config: GateConfig,
    git: Git,
}

static RUN_COUNTER: AtomicU64 = AtomicU64::new(0);

impl Gate {
    pub fn new(config: GateConfig) -> Gate {
        let git = Git::new(config.git.clone());
        Gate { config, git }
    }

    pub fn config(&self) -> &GateConfig {
        &self.config
    }

    /// This gate with `dir` added to [`GateConfig::protect`] (the worker protects its queue).
    pub fn protecting(mut self, dir: impl Into<PathBuf>) -> Gate {
        self.config.protect.push(dir.into());
        self
    }

    /// Judges one patch: policy first, then a clean checkout, the patch, and the checks.
    ///
    /// Returns a report with verdict PASS or FAIL; `Err` only when the patch could not be judged (see
    /// [`GateError`]). The user's working tree, index and HEAD are never modified.
    pub fn check(&self, req: &GateRequest) -> Result<GateReport> {
        let started = Instant::now();
        let repo = git::locate_repo(&self.git, &req.repo)?;
        let base = git::resolve_commit(&self.git, &repo, &req.base)?;
        let (policy, policy_source) = self.load_policy(&repo, &base)?;
        let gate_file = self.load_gate_file(&repo, &base)?;
        let mut report = GateReport {
            verdict: Verdict::Pass,
            reasons: Vec::new(),
            checks: Vec::new(),
            probes: Vec::new(),
            files_changed: 0,
            lines_added: 0,
            lines_removed: 0,
            normalized_patch: None,
            fuzzy: req.fuzzy,
            base_commit: base.clone(),
            policy: policy_source,
            slot: None,
            checkout: None,
            sandbox: None,
            duration_ms: 0,
        };
        let reasons = self.judge(req, &repo, &base, &policy, &gate_file, &mut report)?;
        if !reasons.is_empty() {
            report.verdict = Verdict::Fail;
            report.reasons = reasons;
        }
        report.duration_ms = started.elapsed().as_millis() as u64;
        Ok(report)
    }

    /// The reasons to FAIL, phase by phase, stopping at the first phase that finds any: the static rules, then
    /// the patch on a clean checkout, then the checks.
    fn judge(
        &self,
        req: &GateRequest,
        repo: &RepoInfo,
        base: &str,
        policy: &Policy,
        gate_file: &GateFile,
        report: &mut GateReport,
    ) -> Result<Vec<Reason>> {
        // Cheap, static rules first: nothing is checked out for a patch that policy refuses.
        let patch = match judge_statically(req, policy, report) {
            Ok(p) => p,
            Err(reasons) => return Ok(reasons),
        };
        let work_root = self.work_root(repo);
        let slot = checkout::acquire(&work_root, self.config.slots, self.config.slot_wait)?;
        checkout::prepare(&self.git, &slot, repo, base)?;
        report.slot = Some(slot.index);
        report.checkout = Some(slot.dir.clone());
        let reasons = self.apply_in_slot(&slot, &patch, req.fuzzy)?;
        if !reasons.is_empty() {
            return Ok(reasons);
        }
        if req.fuzzy {
            report.normalized_patch = Some(self.normalized_patch(&slot, base)?);
        }
        self.run_checks(req, gate_file, &slot, repo, base, report)
    }

    /// Applies the patch to the prepared slot: refused when it would write through a symlink of the base tree,
    /// does not apply, or changes nothing.
    fn apply_in_slot(&self, slot: &Slot, patch: &Patch, fuzzy: bool) -> Result<Vec<Reason>> {
        // Writes through a symlink that exists in the base tree would land outside the checkout.
        let through_links: Vec<Reason> = touched_paths(patch)
            .into_iter()
            .filter_map(|path| {
                let link = checkout::symlink_on_path(&slot.dir, path)?;
                let msg = format!(
                    "{path}: {link} is a symlink in the base revision; the patch would write through it"
                );
                Some(Reason::new(ReasonCode::PolicySymlink, msg).with_file(Some(path.to_owned())))
            })
            .collect();
        if !through_links.is_empty() {
            return Ok(through_links);
        }
        let mode = if fuzzy {
            MatchMode::Fuzzy
        } else {
            MatchMode::Strict
        };
        if let Err(reasons) = self.apply(slot, patch, mode)? {
            return Ok(reasons);
        }
        if self.changed_nothing(slot, patch)? {
            let msg = "the patch applies but changes nothing";
            return Ok(vec![Reason::new(ReasonCode::EmptyPatch, msg)]);
        }
        Ok(Vec::new())
    }

    /// Whether the applied patch left the paths it names as they were.
    fn changed_nothing(&self, slot: &Slot, patch: &Patch) -> Result<bool> {
        // --ignored: the slot was clean, so even an ignored file is the patch's doing. Limited to the paths the
        // patch names (the only ones it can have written), so a large repository is not walked again.
        let mut args: Vec<String> = [
            "status",
            "--porcelain",
            "--untracked-files=all",
            "--ignored",
            "--",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        args.extend(
            touched_paths(patch)
                .iter()
                .map(|p| format!(":(literal){p}")),
        );
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        Ok(slot_git(&self.git, &slot.dir, &refs)?.is_empty())
    }

    /// The most patch bytes the repository's policy (at `base`) accepts: a reader of an untrusted stream needs
    /// no more than one byte past it to know the patch is too large.
    pub fn patch_byte_limit(&self, repo: &Path, base: &str) -> Result<u64> {
        let repo = git::locate_repo(&self.git, repo)?;
        let base = git::resolve_commit(&self.git, &repo, base)?;
        let (policy, _) = self.load_policy(&repo, &base)?;
        Ok(policy.limits.max_patch_bytes)
    }

    fn work_root(&self, repo: &RepoInfo) -> PathBuf {
        self.config
            .work_root
            .clone()
            .unwrap_or_else(|| default_work_root(&repo.common_dir))
    }

    /// Where this gate keeps the slots of the repository at `repo` (any directory inside its working tree).
    pub fn work_root_for(&self, repo: &Path) -> Result<PathBuf> {
        Ok(self.work_root(&git::locate_repo(&self.git, repo)?))
    }

    fn load_policy(&self, repo: &RepoInfo, base: &str) -> Result<(Policy, String)> {
        match git::read_blob(&self.git, repo, base, POLICY_PATH)? {
            None => Ok((Policy::default(), "default".to_owned())),
            Some(bytes) => {
                let text = String::from_utf8_lossy(&bytes);
                let policy = Policy::from_toml(&text).map_err(|message| GateError::Config {
                    file: format!("{POLICY_PATH}@{base}"),
                    message,
                })?;
                Ok((policy, format!("{POLICY_PATH}@{base}")))
            }
        }
    }

    fn load_gate_file(&self, repo: &RepoInfo, base: &str) -> Result<GateFile> {
        match git::read_blob(&self.git, repo, base, GATE_TOML_PATH)? {
            None => Ok(GateFile::default()),
            Some(bytes) => {
                GateFile::from_toml(&String::from_utf8_lossy(&bytes)).map_err(|message| {
                    GateError::Config {
                        file: format!("{GATE_TOML_PATH}@{base}"),
                        message,
                    }
                })
            }
        }
    }

    fn apply(
        &self,
        slot: &Slot,
        patch: &Patch,
        mode: MatchMode,
    ) -> Result<std::result::Result<(), Vec<Reason>>> {
        if patch.files.iter().any(|f| f.binary) {
            // Only reached when the policy allows binary patches: git's own applier decodes base85 deltas. It gets
            // the parsed patch written back, so it applies exactly the sections that were judged.
            let judged = match patch.to_git_bytes() {
                Ok(bytes) => bytes,
                Err(e) => {
                    let reason = Reason::new(
                        ReasonCode::PatchMalformed,
                        format!("{}: {}", e.file, e.message),
                    )
                    .with_file(Some(e.file));
                    return Ok(Err(vec![reason]));
                }
            };
            let args = [
                format!("--git-dir={}", checkout::git_dir_of(&slot.dir).display()),
                format!("--work-tree={}", slot.dir.display()),
                "apply".to_owned(),
                "--whitespace=nowarn".to_owned(),
                "--binary".to_owned(),
                "-".to_owned(),
            ];
            return match self.git.run_with(&slot.dir, args, Some(&judged), &[]) {
                Ok(_) => Ok(Ok(())),
                Err(GateError::Git { stderr, .. }) => Ok(Err(vec![Reason::new(
                    ReasonCode::PatchDoesNotApply,
                    format!("git apply: {stderr}"),
                )])),
                Err(e) => Err(e),
            };
        }
        workdir::apply_to_dir(&slot.dir, patch, mode)
    }

    fn normalized_patch(&self, slot: &Slot, base: &str) -> Result<String> {
        slot_git(&self.git, &slot.dir, &["add", "--all", "--force"])?;
        let diff = slot_git(
            &self.git,
            &slot.dir,
            &[
                "diff",
                "--cached",
                "--binary",
                "--no-color",
                "--no-ext-diff",
                "--no-textconv",
                "--src-prefix=a/",
                "--dst-prefix=b/",
                "-M",
                base,
            ],
        )?;
        // Leave the index as the strict path does (changes unstaged), so checks see the same state either way.
        slot_git(&self.git, &slot.dir, &["reset", "--quiet"])?;
        Ok(String::from_utf8_lossy(&diff).into_owned())
    }

    fn run_checks(
        &self,
        req: &GateRequest,
        gate_file: &GateFile,
        slot: &Slot,
        repo: &RepoInfo,
        base: &str,
        report: &mut GateReport,
    ) -> Result<Vec<Reason>> {
        let specs = self.check_specs(req, gate_file);
        let probes = if req.probes {
            self.probe_specs(gate_file)
        } else {
            Vec::new()
        };
        if specs.is_empty() && probes.is_empty() {
            return Ok(Vec::new());
        }
        let sandbox = self.plan_sandbox(gate_file, slot, repo, base)?;
        report.sandbox = Some(sandbox.summary.clone());
        let log_dir = match &req.log_dir {
            Some(d) => d.clone(),
            None => {
                let logs = self.work_root(repo).join("logs");
                prune_logs(&logs, self.config.keep_logs.saturating_sub(1));
                logs.join(run_id())
            }
        };
        let mut env = checks::check_env(gate_file, &slot.dir, &slot.cache_dir, std::env::vars_os());
        if sandbox.summary.level != sandbox::Level::None {
            checks::private_home(&mut env, &sandbox.dirs);
        }
        let mut reasons = Vec::new();
        for (i, spec) in specs.iter().enumerate() {
            // After the first failure the rest are listed as skipped: the verdict is already FAIL.
            if !reasons.is_empty() {
                report.checks.push(skipped(spec));
                continue;
            }
            let log_path = log_dir.join(checks::log_file_name(i, &spec.name));
            let result = checks::run_check(
                spec,
                &sandbox,
                &env,
                &log_path,
                self.config.output_tail_bytes,
            )?;
            reasons.extend(failure_reason(spec, &result, &log_path));
            report.checks.push(result);
        }
        // Probes describe a patch that passed; on a FAIL there is nothing to compare.
        if reasons.is_empty() {
            for (i, spec) in probes.iter().enumerate() {
                let log_path = log_dir.join(checks::log_file_name(
                    specs.len() + i,
                    &format!("probe {}", spec.name),
                ));
                let result = checks::run_check(
                    spec,
                    &sandbox,
                    &env,
                    &log_path,
                    self.config.output_tail_bytes,
                )?;
                report.probes.push(result);
            }
        }
        Ok(reasons)
    }

    /// `gate.toml`'s `[[probe]]` commands, with the same time limits as checks.
    fn probe_specs(&self, gate_file: &GateFile) -> Vec<CheckSpec> {
        let default_timeout = self.default_timeout(gate_file);
        gate_file
            .probes
            .iter()
            .map(|c| configured_spec(c, default_timeout))
            .collect()
    }

    /// The checks to run: the task's own commands (with the default time limit), else `gate.toml`'s.
    fn check_specs(&self, req: &GateRequest, gate_file: &GateFile) -> Vec<CheckSpec> {
        let default_timeout = self.default_timeout(gate_file);
        match &req.checks {
            Some(commands) => commands
                .iter()
                .map(|c| CheckSpec {
                    name: c.clone(),
                    command: c.clone(),
                    timeout: default_timeout,
                })
                .collect(),
            None => gate_file
                .checks
                .iter()
                .map(|c| configured_spec(c, default_timeout))
                .collect(),
        }
    }

    fn default_timeout(&self, gate_file: &GateFile) -> Duration {
        self.config
            .default_check_timeout
            .unwrap_or(Duration::from_secs(gate_file.default_timeout_secs.max(1)))
    }
}

impl Gate {
    /// Decides how checks are contained for this run: `gate.toml`'s `[sandbox]` against what the machine offers.
    /// Refuses (ERROR) rather than run model-written code unconfined when no sandbox is available and `gate.toml`
    /// does not say `mode = "none"`.
    fn plan_sandbox(
        &self,
        gate_file: &GateFile,
        slot: &Slot,
        repo: &RepoInfo,
        base: &str,
    ) -> Result<checks::CheckSandbox> {
        let support = sandbox::support();
        let level = sandbox::choose(gate_file.sandbox.mode, support)
            .map_err(|message| GateError::SandboxUnavailable { message })?;
        let summary = sandbox::summary(level, &gate_file.sandbox, support);
        let dirs = sandbox::RunDirs {
            work_root: self.work_root(repo),
            checkout: slot.dir.clone(),
            cache: slot.cache_dir.clone(),
            tmp: slot.tmp_dir.clone(),
            shm: slot.tmp_dir.join(".shm"),
            home: slot.tmp_dir.join("home"),
            git_dir: checkout::git_dir_of(&slot.dir),
            objects: vec![repo.common_dir.join("objects")],
        };
        let mut protect = self.config.protect.clone();
        protect.push(repo.top.clone());
        let home = std::env::var_os("HOME").map(PathBuf::from);
        let roots = sandbox::plan_roots(
            &gate_file.sandbox,
            &dirs,
            &protect,
            home.as_deref(),
            std::env::var_os("PATH").as_deref(),
        )
        .map_err(|message| GateError::Config {
            file: format!("{GATE_TOML_PATH}@{base}"),
            message,
        })?;
        // Before any model-written code runs: our own /proc/<pid>/environ and memory become unreadable to it.
        sandbox::harden_self();
        Ok(checks::CheckSandbox {
            summary,
            roots,
            dirs,
        })
    }
}

/// The default work root of the repository whose git common directory is `common_dir`:
/// `<cache>/gate/<repo name>-<hash>`, with `<cache>` = `$AUTODEV_CACHE`, `$XDG_CACHE_HOME/autodev` or
/// `~/.cache/autodev` (`<common_dir>/autodev` when none is set).
///
/// Outside the repository on purpose: tools run by checks walk up from the checkout looking for their
/// configuration (cargo reads every ancestor's `Cargo.toml`, pytest its `pyproject.toml`), and the sandbox
/// denies the user's working tree, so a checkout inside it would break them.
pub fn default_work_root(common_dir: &Path) -> PathBuf {
    let cache = std::env::var_os("AUTODEV_CACHE")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("XDG_CACHE_HOME")
                .filter(|v| !v.is_empty())
                .map(|x| PathBuf::from(x).join("autodev"))
        })
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|v| !v.is_empty())
                .map(|h| PathBuf::from(h).join(".cache/autodev"))
        });
    let Some(cache) = cache else {
        return common_dir.join("autodev");
    };
    // The repository's folder name for people, a stable hash of its git directory for uniqueness.
    let top = if common_dir.file_name().is_some_and(|n| n == ".git") {
        common_dir.parent().unwrap_or(common_dir)
    } else {
        common_dir
    };
    let name: String = top
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .take(40)
        .collect();
    let hash = fnv1a(common_dir.as_os_str().as_encoded_bytes());
    cache.join("gate").join(format!("{name}-{hash:016x}"))
}

/// FNV-1a, 64 bits: stable across Rust versions (a path hash that names a folder must never change).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The rules that need no checkout: size, emptiness, a parsable diff, and the policy (paths, limits, binary,
/// modes). Fills the report's counts; the parsed patch, or the reasons to FAIL.
fn judge_statically(
    req: &GateRequest,
    policy: &Policy,
    report: &mut GateReport,
) -> std::result::Result<Patch, Vec<Reason>> {
    let size = req.patch.len() as u64;
    if size > policy.limits.max_patch_bytes {
        // "or more": the CLI stops reading one byte past the limit.
        let msg = format!(
            "the patch is {size} bytes or more; the limit is {}",
            policy.limits.max_patch_bytes
        );
        return Err(vec![Reason::new(ReasonCode::PolicyTooLarge, msg)]);
    }
    if req.patch.iter().all(u8::is_ascii_whitespace) {
        return Err(vec![Reason::new(
            ReasonCode::EmptyPatch,
            "the patch is empty",
        )]);
    }
    let patch = patch::parse(&req.patch, req.fuzzy).map_err(|e| {
        vec![Reason::new(ReasonCode::PatchMalformed, e.to_string()).with_file(e.file)]
    })?;
    if patch.files.is_empty() {
        let msg = "no file sections found: the text is not a unified diff (expected `diff --git` or ---/+++ lines)";
        return Err(vec![Reason::new(ReasonCode::PatchMalformed, msg)]);
    }
    report.files_changed = patch.files.len();
    report.lines_added = patch.files.iter().map(|f| f.added()).sum();
    report.lines_removed = patch.files.iter().map(|f| f.removed()).sum();
    let allowed = req
        .allowed_paths
        .clone()
        .unwrap_or_else(|| policy.paths.allowed.clone());
    let reasons = policy::check_patch(&patch, policy, &allowed);
    if reasons.is_empty() {
        Ok(patch)
    } else {
        Err(reasons)
    }
}

/// The result row of a check that did not run because an earlier one failed.
/// A `[[check]]` or `[[probe]]` as run: its own time limit, else the default.
fn configured_spec(c: &crate::config::CheckConfig, default_timeout: Duration) -> CheckSpec {
    CheckSpec {
        name: c.name.clone(),
        command: c.command.clone(),
        timeout: c
            .timeout_secs
            .map(Duration::from_secs)
            .unwrap_or(default_timeout),
    }
}

fn skipped(spec: &CheckSpec) -> crate::report::CheckResult {
    crate::report::CheckResult {
        name: spec.name.clone(),
        command: spec.command.clone(),
        status: CheckStatus::Skipped,
        exit_code: None,
        duration_ms: 0,
        timeout_secs: spec.timeout.as_secs(),
        output_tail: String::new(),
        log_path: None,
    }
}

/// Why a finished check fails the patch, if it does.
fn failure_reason(
    spec: &CheckSpec,
    result: &crate::report::CheckResult,
    log_path: &Path,
) -> Option<Reason> {
    match result.status {
        CheckStatus::Failed => {
            let code = result
                .exit_code
                .map(|c| c.to_string())
                .unwrap_or_else(|| "a signal".to_owned());
            let msg = format!(
                "check {:?} failed (exit {code}); log: {}",
                spec.name,
                log_path.display()
            );
            Some(Reason::new(ReasonCode::CheckFailed, msg))
        }
        CheckStatus::TimedOut => {
            let msg = format!(
                "check {:?} ran past {}s and was killed with every process it started; log: {}",
                spec.name,
                spec.timeout.as_secs(),
                log_path.display()
            );
            Some(Reason::new(ReasonCode::CheckTimeout, msg))
        }
        CheckStatus::Passed | CheckStatus::Skipped => None,
    }
}

/// Every path a patch reads or writes, deduplicated, in patch order.
fn touched_paths(patch: &Patch) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for fp in &patch.files {
        for p in [fp.old_path.as_deref(), fp.new_path.as_deref()]
            .into_iter()
            .flatten()
        {
            if !out.contains(&p) {
                out.push(p);
            }
        }
    }
    out
}

/// A unique, time-sortable name for one run's logs.
fn run_id() -> String {
    let ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0);
    let n = RUN_COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("{ms:013}-{}-{n}", std::process::id())
}

/// Keeps the newest `keep` run directories (best effort: logs are a convenience, not a record).
fn prune_logs(logs: &Path, keep: usize) {
    let Ok(entries) = std::fs::read_dir(logs) else {
        return;
    };
    let mut dirs: Vec<PathBuf> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    if dirs.len() <= keep {
        return;
    }
    dirs.sort();
    let excess = dirs.len() - keep;
    for d in dirs.into_iter().take(excess) {
        let _ = std::fs::remove_dir_all(d);
    }
}
