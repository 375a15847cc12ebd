//! The worker loop: claim, prompt, edit, gate, retry with feedback, report.

use protocol::WorkerCode;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

use chrono::Utc;
use queue_core::{AttemptRecord, Claim, EventKind, Report, ResultKind, TaskQueue};
use sha2::Digest;

use crate::backend::{
    Backend, BackendError, ChatRequest, ChatResponse, Message, Progress, Role, estimate_tokens,
};
use crate::config::WorkerConfig;
use crate::context::{self, SYSTEM_PROMPT};
use crate::edits::{self, EditError};
use crate::metrics::Metrics;
use crate::whole::{self, EditFormat};

/// Longest reason kept per problem of a try (in the report and in the feedback to the model), in bytes.
const MAX_REASON_BYTES: usize = 2048;

/// Most reasons kept per try; the rest are counted in one line.
const MAX_REASONS: usize = 20;

/// How one task ended for this worker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskOutcome {
    /// The gate passed; the task is in `done/` awaiting approval.
    Passed,
    /// The task is in `failed/` with this reason code.
    Failed(WorkerCode),
    /// The task went back to `pending/` without using a try (infrastructure: server down, model missing,
    /// shutdown).
    Released(WorkerCode),
    /// Our lease was taken back; someone else owns the task now.
    LeaseLost,
}

/// Why the worker cannot go on at all (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum WorkerError {
    /// The queue failed (disk, permissions). Not retryable without fixing the cause.
    #[error(transparent)]
    Queue(#[from] queue_core::Error),
    /// The model server is unusable (unreachable, model missing) and `--once` was asked.
    #[error(transparent)]
    Backend(#[from] BackendError),
    /// The queue's disk refused the task's results or its events (`WorkerCode::ArtifactWriteFailed`,
    /// `WorkerCode::EventLogWriteFailed`) and `--once` was asked. The task was given back without using a try; retryable
    /// once the disk is fixed.
    #[error("{code}: {message}; the task was given back without using a try")]
    Infrastructure {
        /// The release reason.
        code: WorkerCode,
        /// What failed.
        message: String,
    },
}

/// Options for [`Worker::run`].
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Handle one task (or none, if the queue is empty) and return.
    pub once: bool,
    /// Tasks handled at the same time.
    pub concurrency: usize,
}

/// Counts of what a run did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct RunSummary {
    /// Tasks that passed the gate.
    pub passed: u64,
    /// Tasks failed.
    pub failed: u64,
    /// Tasks given back.
    pub released: u64,
}

/// A worker: one queue, one model server, one gate.
pub struct Worker {
    queue: Arc<dyn TaskQueue>,
    backend: Backend,
    gate: gate::Gate,
    config: WorkerConfig,
    owner: String,
    metrics: Arc<Metrics>,
    /// The last infrastructure problem (the model server's, or the queue's disk), for `/readyz` and `--once`.
    last_backend_error: std::sync::Mutex<Option<String>>,
    /// This machine's clone of the tasks' repository, used instead of the path each task was submitted with.
    repo: Option<std::path::PathBuf>,
}

impl Worker {
    /// A worker named `owner` (e.g. `worker:<host>:<pid>`).
    pub fn new(
        queue: Arc<dyn TaskQueue>,
        backend: Backend,
        gate: gate::Gate,
        config: WorkerConfig,
        owner: String,
    ) -> Worker {
        // Model-written checks must never reach the queue (results, approvals, the audit log).
        let gate = match queue.local_root() {
            Some(root) => gate.protecting(root),
            // A database queue has no folder a check could reach.
            None => gate,
        };
        Worker {
            queue,
            backend,
            gate,
            config,
            owner,
            metrics: Arc::new(Metrics::default()),
            last_backend_error: std::sync::Mutex::new(None),
            repo: None,
        }
    }

    /// Works in `dir`, this machine's clone of the tasks' repository, instead of the path each task was submitted
    /// with (a worker on another machine than the submitter, sharing a database queue). A task's base commit
    /// that the clone lacks is fetched from the clone's own remotes first.
    pub fn with_repo(mut self, dir: std::path::PathBuf) -> Worker {
        self.repo = Some(dir);
        self
    }

    /// The claim as this worker works on it: with [`Worker::with_repo`], the task's repository is the local clone
    /// (the stored task, which approval checks against the log, is not changed).
    fn localize(&self, mut claim: Claim) -> Claim {
        if let Some(dir) = &self.repo {
            if let Some(base) = &claim.task.base_commit
                && !gate::ensure_commit(dir, base)
            {
                tracing::warn!(task = %claim.task.id, base = %base, repo = %dir.display(),
                    "the clone lacks the task's base commit, even after fetching");
            }
            claim.task.repo = dir.clone();
        }
        claim
    }

    /// The worker's metrics (shared with the HTTP endpoint).
    pub fn metrics(&self) -> Arc<Metrics> {
        Arc::clone(&self.metrics)
    }

    /// The queue.
    pub fn queue(&self) -> &dyn TaskQueue {
        &*self.queue
    }

    /// The model client.
    pub fn backend(&self) -> &Backend {
        &self.backend
    }

    /// The effective configuration.
    pub fn config(&self) -> &WorkerConfig {
        &self.config
    }

    /// Is the model server reachable and the model (or its fallback) installed? `Err` says why not.
    pub async fn ready(&self) -> Result<String, BackendError> {
        let models = self.backend.list_models().await?;
        let has = |m: &str| models.iter().any(|x| model_matches(&x.name, m));
        if has(&self.config.model) {
            return Ok(self.config.model.clone());
        }
        if let Some(f) = &self.config.fallback_model
            && has(f)
        {
            return Ok(f.clone());
        }
        // llama-server and other OpenAI servers often serve one model whatever the name: trust a chat to say.
        if self.config.backend == crate::backend::BackendKind::OpenAi && !models.is_empty() {
            return Ok(self.config.model.clone());
        }
        Err(BackendError::ModelNotFound {
            model: self.config.model.clone(),
            host: self.config.host.clone(),
        })
    }

    /// Runs until `shutdown` is cancelled (or one task, with `once`).
    pub async fn run(
        self: &Arc<Self>,
        opts: RunOptions,
        shutdown: CancellationToken,
    ) -> Result<RunSummary, WorkerError> {
        let mut set = tokio::task::JoinSet::new();
        for slot in 0..opts.concurrency.max(1) {
            let me = Arc::clone(self);
            let shutdown = shutdown.clone();
            let once = opts.once;
            set.spawn(async move { me.lane(slot, once, shutdown).await });
        }
        let mut total = RunSummary::default();
        let mut first_err = None;
        while let Some(res) = set.join_next().await {
            match res {
                Ok(Ok(s)) => {
                    total.passed += s.passed;
                    total.failed += s.failed;
                    total.released += s.released;
                }
                Ok(Err(e)) => {
                    first_err.get_or_insert(e);
                }
                Err(join) => tracing::error!(error = %join, "worker lane panicked"),
            }
        }
        match first_err {
            Some(e) => Err(e),
            None => Ok(total),
        }
    }

    async fn lane(
        self: Arc<Self>,
        slot: usize,
        once: bool,
        shutdown: CancellationToken,
    ) -> Result<RunSummary, WorkerError> {
        let mut summary = RunSummary::default();
        let mut backoff = Duration::from_secs(1);
        loop {
            if shutdown.is_cancelled() {
                return Ok(summary);
            }
            self.metrics.set_queue_depth(&*self.queue);
            let claim = match self.queue.claim(&self.owner) {
                Ok(c) => c,
                // A database that is down (or restarting) is waited out like a model server that is: the
                // tasks are safe in it, and every other lane would fail the same way.
                Err(e @ queue_core::Error::Database { .. }) if !once => {
                    tracing::warn!(error = %e, retry_in = ?backoff, "cannot reach the queue's database");
                    tokio::select! {
                        _ = tokio::time::sleep(backoff) => {}
                        _ = shutdown.cancelled() => {}
                    }
                    backoff = (backoff * 2).min(Duration::from_secs(60));
                    continue;
                }
                Err(e) => return Err(e.into()),
            };
            let Some(claim) = claim else {
                if once {
                    return Ok(summary);
                }
                // Wakes early on a database's notification (a new task); otherwise sleeps the poll interval.
                let queue = Arc::clone(&self.queue);
                let poll = self.config.poll_interval;
                let wait = tokio::task::spawn_blocking(move || queue.wait_for_work(poll));
                tokio::select! {
                    _ = wait => {}
                    _ = shutdown.cancelled() => {}
                }
                continue;
            };
            let claim = self.localize(claim);
            tracing::info!(task = %claim.task.id, slot, attempt = claim.task.attempt, "claimed");
            let outcome = self.process(&claim, shutdown.clone()).await;
            self.metrics.task_finished(&outcome);
            match &outcome {
                TaskOutcome::Passed => summary.passed += 1,
                TaskOutcome::Failed(_) => summary.failed += 1,
                TaskOutcome::Released(_) => summary.released += 1,
                TaskOutcome::LeaseLost => {}
            }
            tracing::info!(task = %claim.task.id, outcome = ?outcome, "task finished");
            if let TaskOutcome::Released(reason) = &outcome
                && *reason != WorkerCode::Shutdown
            {
                let msg = self
                    .last_backend_error
                    .lock()
                    .ok()
                    .and_then(|g| g.clone())
                    .unwrap_or_default();
                if once {
                    return Err(if is_disk_failure(*reason) {
                        WorkerError::Infrastructure {
                            code: *reason,
                            message: msg,
                        }
                    } else {
                        WorkerError::Backend(BackendError::ServerError { message: msg })
                    });
                }
                // The server is down, the model missing or the disk full: every task would fail the same way.
                // Wait, then look again; the released task is still first in line.
                tracing::warn!(reason = %reason, retry_in = ?backoff, "{msg}");
                tokio::select! {
                    _ = tokio::time::sleep(backoff) => {}
                    _ = shutdown.cancelled() => {}
                }
                backoff = (backoff * 2).min(Duration::from_secs(60));
                continue;
            }
            backoff = Duration::from_secs(1);
            if once {
                return Ok(summary);
            }
        }
    }

    /// Handles one claimed task to a terminal state (or gives it back).
    pub async fn process(&self, claim: &Claim, shutdown: CancellationToken) -> TaskOutcome {
        // Heartbeat: renew at a third of the lease; if the lease is lost, stop working on the task.
        let lost = CancellationToken::new();
        let lost_tx = lost.clone();
        let every = Duration::from_secs((self.queue.config().lease_secs / 3).max(1));
        let hb_queue = Arc::clone(&self.queue);
        let hb_claim = claim.clone();
        let heartbeat = tokio::spawn(async move {
            loop {
                tokio::time::sleep(every).await;
                if let Err(queue_core::Error::LeaseLost { .. }) = hb_queue.renew(&hb_claim) {
                    lost_tx.cancel();
                    return;
                }
            }
        });
        let work = self.work(claim);
        tokio::pin!(work);
        let outcome = tokio::select! {
            o = &mut work => o,
            _ = lost.cancelled() => TaskOutcome::LeaseLost,
            _ = shutdown.cancelled() => {
                // Stop mid-generation: give the task back untouched for the next worker.
                self.release(claim, WorkerCode::Shutdown)
            }
        };
        heartbeat.abort();
        outcome
    }

    async fn work(&self, claim: &Claim) -> TaskOutcome {
        let mut run = match self.start(claim) {
            Ok(run) => run,
            Err(o) => return o,
        };
        for try_no in 1..=self.config.model_tries {
            if let Some(outcome) = self.one_try(&mut run, try_no).await {
                return outcome;
            }
        }
        let (code, msg) =
            std::mem::replace(&mut run.last_reason, (WorkerCode::NoAttempt, String::new()));
        self.fail(
            claim,
            &mut run.report,
            code,
            &format!(
                "no acceptable patch after {} tries; last problem: {msg}",
                self.config.model_tries
            ),
        )
    }

    /// Reads the task's base files and opens the conversation; `Err` when the task cannot start (failed).
    fn start<'c>(&self, claim: &'c Claim) -> Result<TaskRun<'c>, TaskOutcome> {
        let task = &claim.task;
        let mut report = Report {
            task_id: Some(task.id),
            backend: self.config.backend.to_string(),
            model: self.config.model.clone(),
            ..Report::default()
        };
        let base = context::read_base(&task.repo, task.base_commit.as_deref(), &task.targets)
            .map_err(|e| {
                self.fail(
                    claim,
                    &mut report,
                    WorkerCode::BaseUnreadable,
                    &e.to_string(),
                )
            })?;
        let Some(base_commit) = task.base_commit.clone() else {
            return Err(self.fail(
                claim,
                &mut report,
                WorkerCode::BaseUnborn,
                "the repository had no commits when the task was submitted; commit something, then submit again",
            ));
        };
        let base = Arc::new(base);
        let request = format!("{}\n{}", task.title, task.work);
        let plan = whole::choose(
            self.config.edit_format,
            &base.files,
            &request,
            self.config.max_tokens,
            u64::from(self.config.num_ctx).saturating_sub(u64::from(self.config.max_tokens)),
        );
        let system = match plan.format {
            EditFormat::Whole if plan.regions.is_empty() => whole::SYSTEM_PROMPT.to_owned(),
            EditFormat::Whole => format!("{}{}", whole::SYSTEM_PROMPT, whole::PARTS_RULE),
            EditFormat::SearchReplace => SYSTEM_PROMPT.to_owned(),
            EditFormat::Definitions => {
                whole::definitions_prompt(task.intent, !plan.regions.is_empty())
            }
        };
        let prompt = context::render_prompt(task, &base, &plan);
        Ok(TaskRun {
            claim,
            report,
            format: plan.format,
            plan: Arc::new(plan),
            refused: Vec::new(),
            prompt: prompt.clone(),
            messages: vec![Message::system(system), Message::user(prompt)],
            model: self.config.model.clone(),
            last_reason: (WorkerCode::NoAttempt, String::new()),
            base,
            base_commit,
        })
    }

    /// One try: ask, then judge the answer. `Some` ends the task; `None` goes on to the next try (the
    /// conversation then holds the answer, or a stand-in, and the feedback).
    async fn one_try(&self, run: &mut TaskRun<'_>, try_no: u32) -> Option<TaskOutcome> {
        let claim = run.claim;
        // Never send what would be cut: the estimate is conservative.
        let budget =
            u64::from(self.config.num_ctx).saturating_sub(u64::from(self.config.max_tokens));
        if let Err(needed) = fit_history(&mut run.messages, budget) {
            // Only the task's own prompt is left: it is what does not fit.
            let msg = format!(
                "the prompt needs about {needed} tokens but AUTODEV_NUM_CTX={} leaves {budget} after {} for the \
                 answer; raise AUTODEV_NUM_CTX or target fewer/smaller files",
                self.config.num_ctx, self.config.max_tokens
            );
            return Some(self.fail(claim, &mut run.report, WorkerCode::ContextTooLarge, &msg));
        }
        let mut attempt = AttemptRecord {
            number: try_no,
            model: run.model.clone(),
            ..AttemptRecord::default()
        };
        let resp = match self.ask_with_fallback(run, &mut attempt).await {
            Ok(r) => r,
            Err(AskError::Ended(o)) => return Some(o),
            Err(AskError::Backend(e)) => {
                return match self.backend_failure(
                    claim,
                    &mut run.report,
                    attempt,
                    e,
                    &mut run.last_reason,
                ) {
                    Failure::Ends(o) => Some(o),
                    Failure::Retry(None) => None,
                    Failure::Retry(Some((said, feedback))) => {
                        push_turn(run, said, &feedback);
                        None
                    }
                };
            }
        };
        self.count_answer(&mut attempt, &resp);
        if resp.prompt_tokens > 0 && resp.prompt_tokens >= u64::from(self.config.num_ctx) {
            let msg = format!(
                "the server evaluated {} prompt tokens with num_ctx {}: the prompt was cut",
                resp.prompt_tokens, self.config.num_ctx
            );
            attempt.outcome = WorkerCode::ContextTruncated.as_str().into();
            attempt.reasons.push(msg.clone());
            run.report.attempts.push(attempt);
            return Some(self.fail(claim, &mut run.report, WorkerCode::ContextTruncated, &msg));
        }
        let feedback = if resp.is_truncated() {
            attempt.outcome = WorkerCode::AnswerTruncated.as_str().into();
            let m = format!(
                "the answer was cut at {} tokens (AUTODEV_MAX_TOKENS); answer with fewer, smaller edits",
                resp.completion_tokens
            );
            attempt.reasons.push(m.clone());
            run.last_reason = (WorkerCode::AnswerTruncated, m.clone());
            vec![m]
        } else {
            // A summary in the wrong language is asked for again on its own; the code is kept, no try is used.
            let summary = self.summary_in_language(run, &resp.content).await;
            let judged = self
                .try_answer(
                    claim,
                    Said {
                        text: &resp.content,
                        plan: &run.plan,
                        summary,
                        refused: &mut run.refused,
                        conversation: &run.messages,
                        model: &run.model,
                        format: run.format,
                    },
                    &run.base,
                    &run.base_commit,
                    try_no,
                    &mut run.report,
                    &mut attempt,
                )
                .await;
            match judged {
                Ok(outcome) => return Some(outcome),
                Err((code, reasons)) => {
                    run.last_reason = (code, reasons.join("\n"));
                    reasons
                }
            }
        };
        run.report.attempts.push(attempt);
        push_turn(run, Message::assistant(resp.content), &feedback);
        None
    }

    /// For a Korean request whose answer summarises the change in another script (some models drift into
    /// Chinese): asks the model once more for the summary alone, and returns the answer with the new summary when
    /// it is Korean. A separate request, not a try of the code: `None` (keep the answer's) whatever goes wrong.
    async fn summary_in_language(&self, run: &TaskRun<'_>, answer: &str) -> Option<String> {
        // Parsing is cheap next to the request it may save; the answer is parsed again with the budget later.
        let parsed = match run.format {
            EditFormat::Whole | EditFormat::Definitions => {
                whole::parse(answer, &run.claim.task.targets)
            }
            EditFormat::SearchReplace => edits::parse_answer(answer),
        };
        let summary = parsed.ok()?.summary?;
        if crate::lang::summary_fits(&run.claim.task.work, &summary) {
            return None;
        }
        tracing::info!(task = %run.claim.task.id, "the summary is not in the request's language (Korean); asking again");
        let mut messages = run.messages.clone();
        messages.push(Message::assistant(answer.to_owned()));
        messages.push(Message::user(
            "Your summary is not in Korean, the language of the request. Keep the change as it is. \
             Answer with only {\"summary\": \"...\"}: one line in Korean (한국어) saying what the change does."
                .to_owned(),
        ));
        let mut req = ChatRequest::new(&run.model, messages, self.config.num_ctx);
        req.temperature = self.config.temperature;
        req.seed = self.config.seed;
        req.max_tokens = Some(256);
        req.json_schema = Some(serde_json::json!({
            "type": "object",
            "properties": {"summary": {"type": "string", "maxLength": queue_core::report::MAX_SUMMARY_CHARS}},
            "required": ["summary"]
        }));
        let resp = self.backend.chat(&req, &mut |_: &Progress| {}).await.ok()?;
        self.metrics.model_answer(&resp);
        let again: serde_json::Value = serde_json::from_str(resp.content.trim()).ok()?;
        let korean = again.get("summary")?.as_str()?.trim().to_owned();
        if !crate::lang::is_korean(&korean) {
            tracing::warn!(task = %run.claim.task.id, "the summary asked for again is still not Korean; keeping the first");
            return None;
        }
        Some(korean)
    }

    /// Asks the run's model; when it is not installed and a different fallback is configured, logs
    /// `MODEL_FALLBACK` and asks the fallback instead (for this and the remaining tries).
    async fn ask_with_fallback(
        &self,
        run: &mut TaskRun<'_>,
        attempt: &mut AttemptRecord,
    ) -> Result<ChatResponse, AskError> {
        match self
            .ask(
                run.claim,
                &run.model,
                &run.messages,
                run.format,
                attempt.number,
            )
            .await
        {
            Err(BackendError::ModelNotFound { .. })
                if self
                    .config
                    .fallback_model
                    .as_deref()
                    .is_some_and(|f| f != run.model) =>
            {
                let fallback = self.config.fallback_model.clone().unwrap_or_default();
                let event = EventKind::ModelFallback {
                    model: run.model.clone(),
                    fallback: fallback.clone(),
                    reason: WorkerCode::ModelNotFound.as_str().into(),
                };
                self.log_event(run.claim, event).map_err(AskError::Ended)?;
                run.report.fallback_model = Some(fallback.clone());
                run.model = fallback;
                attempt.model = run.model.clone();
                self.ask(
                    run.claim,
                    &run.model,
                    &run.messages,
                    run.format,
                    attempt.number,
                )
                .await
                .map_err(AskError::Backend)
            }
            other => other.map_err(AskError::Backend),
        }
    }

    /// Handles a backend error: the task ends (released or failed), or the try is used up and the next one may
    /// start, after the model is told about an answer that was cut off.
    fn backend_failure(
        &self,
        claim: &Claim,
        report: &mut Report,
        mut attempt: AttemptRecord,
        err: BackendError,
        last_reason: &mut (WorkerCode, String),
    ) -> Failure {
        let code = err.code();
        // A server's error message is outside text too, and may be as long as a stream line.
        let mut msg = queue_core::text::clip(&err.to_string(), MAX_REASON_BYTES).into_owned();
        tracing::warn!(task = %claim.task.id, code = code.as_str(), "{msg}");
        let cut_off = match &err {
            // Not the task's fault: give it back and let the loop wait for the server.
            BackendError::Unreachable { .. }
            | BackendError::ModelNotFound { .. }
            | BackendError::Busy { .. } => {
                if let Ok(mut g) = self.last_backend_error.lock() {
                    *g = Some(msg);
                }
                return Failure::Ends(self.release(claim, code));
            }
            BackendError::AnswerTooLarge { limit_bytes } => {
                msg.push_str(" (AUTODEV_MAX_ANSWER_BYTES)");
                Some(format!(
                    "{code}: your answer passed {limit_bytes} bytes without ending and was cut off; answer with \
                     at most {} short edits that quote only the lines they change",
                    self.config.max_edits
                ))
            }
            BackendError::AnswerTooSlow { limit, .. } => {
                msg.push_str(" (AUTODEV_ANSWER_TIMEOUT)");
                Some(format!(
                    "{code}: your answer did not finish within {} s and was cut off; answer with fewer, \
                     smaller edits",
                    limit.as_secs()
                ))
            }
            _ => None,
        };
        attempt.outcome = code.as_str().into();
        attempt.reasons.push(msg.clone());
        report.attempts.push(attempt);
        *last_reason = (code, msg);
        // What was cut off is not kept: a short note stands in for it in the conversation.
        Failure::Retry(cut_off.map(|feedback| {
            (
                Message::assistant(format!("[answer cut off by the worker: {code}]")),
                vec![feedback],
            )
        }))
    }

    async fn ask(
        &self,
        claim: &Claim,
        model: &str,
        messages: &[Message],
        format: EditFormat,
        try_no: u32,
    ) -> Result<crate::backend::ChatResponse, BackendError> {
        // A retry at the first try's (often greedy) temperature tends to repeat the answer just refused.
        let temperature = if try_no > 1 {
            self.config.retry_temperature
        } else {
            self.config.temperature
        };
        // Reproducible, but not the same draw on every try.
        let seed = self
            .config
            .seed
            .map(|s| s.wrapping_add(u64::from(try_no - 1)));
        self.ask_sampled(claim, model, messages, format, temperature, seed)
            .await
    }

    async fn ask_sampled(
        &self,
        claim: &Claim,
        model: &str,
        messages: &[Message],
        format: EditFormat,
        temperature: f32,
        seed: Option<u64>,
    ) -> Result<crate::backend::ChatResponse, BackendError> {
        let mut req = ChatRequest::new(model, messages.to_vec(), self.config.num_ctx);
        req.temperature = temperature;
        req.seed = seed;
        req.max_tokens = Some(self.config.max_tokens);
        // Whole files are free text: a grammar would only hold the model to JSON string escapes.
        req.json_schema = (format == EditFormat::SearchReplace)
            .then(|| edits::answer_schema(self.config.max_edits, self.config.max_edit_chars));
        let started = Instant::now();
        let bar = crate::progress::Line::new(claim.task.id, model);
        let mut on_progress = |p: &Progress| bar.update(p);
        let res = self.backend.chat(&req, &mut on_progress).await;
        bar.finish();
        self.metrics.model_request(started.elapsed(), res.is_ok());
        res
    }

    /// Parses, applies and gates one answer. `Ok` ends the task; `Err` is the try's code and the feedback for the
    /// next try.
    #[allow(clippy::too_many_arguments)]
    async fn try_answer(
        &self,
        claim: &Claim,
        said: Said<'_>,
        base: &Arc<context::BaseFiles>,
        base_commit: &str,
        try_no: u32,
        report: &mut Report,
        attempt: &mut AttemptRecord,
    ) -> Result<TaskOutcome, (WorkerCode, Vec<String>)> {
        let mut built = self
            .build(
                said.text,
                said.plan,
                &claim.task.targets,
                base,
                claim.task.intent,
            )
            .await
            .map_err(|errs| refused_edits(attempt, &errs))?;
        if let Some(s) = &said.summary {
            built.summary = Some(clip_summary(s));
        }
        let sha = hex(&sha2::Sha256::digest(built.patch.as_bytes()));
        if let Some((_, why)) = said.refused.iter().find(|(s, _)| *s == sha) {
            // The gate's verdict on the same patch cannot change: say so instead of checking it again.
            let code = WorkerCode::AnswerRepeated;
            let mut feedback = vec![format!(
                "{code}: this is the same change as an earlier answer, which the check refused; write a \
                 different solution. What the check said then:"
            )];
            feedback.extend(why.iter().cloned());
            attempt.outcome = code.as_str().into();
            attempt.reasons.push(feedback[0].clone());
            return Err((code, feedback));
        }
        report.summary = built.summary.clone();
        report.files_changed = built.files.clone();
        report.lines_added = built.added;
        report.lines_removed = built.removed;
        report.patch_sha256 = sha.clone();
        let gate_report = match self.judge(claim, base_commit, &built.patch).await {
            Ok(r) => r,
            Err(message) => {
                attempt.outcome = WorkerCode::GateError.as_str().into();
                attempt
                    .reasons
                    .push(queue_core::text::clip(&message, MAX_REASON_BYTES).into_owned());
                report.attempts.push(attempt.clone());
                return Ok(self.fail(claim, report, WorkerCode::GateError, &message));
            }
        };
        report.gate_verdict = gate_report.verdict.into();
        report.gate_reasons = gate_report
            .reasons
            .iter()
            .map(|r| r.code.as_str().to_string())
            .collect();
        let passed = gate_report.passed();
        let code = if passed {
            WorkerCode::GatePassed
        } else {
            WorkerCode::GateFailed
        };
        attempt.outcome = code.as_str().into();
        let (built, sha, gate_report) = if passed {
            report.attempts.push(attempt.clone());
            let first = Candidate {
                built,
                sha,
                gate: gate_report,
                attempt: report.attempts.len() - 1,
            };
            let chosen = if self.config.candidates > 1 && !first.gate.probes.is_empty() {
                self.agree(claim, &said, base, base_commit, try_no, report, first)
                    .await
            } else {
                first
            };
            report.summary = chosen.built.summary.clone();
            report.files_changed = chosen.built.files.clone();
            report.lines_added = chosen.built.added;
            report.lines_removed = chosen.built.removed;
            report.patch_sha256 = chosen.sha.clone();
            (chosen.built, chosen.sha, chosen.gate)
        } else {
            (built, sha, gate_report)
        };
        if let Err(o) = self.save_try(claim, report, &built.patch, &sha, &gate_report, try_no) {
            return Ok(o);
        }
        if passed {
            return Ok(self.complete_passed(claim, &gate_report, sha));
        }
        match self.gate_feedback(claim, attempt, &gate_report) {
            Ok(feedback) => {
                said.refused.push((sha, feedback.clone()));
                Err((code, feedback))
            }
            Err(o) => Ok(o),
        }
    }

    /// Samples more answers to the question `first` answered, until `AUTODEV_CANDIDATES` passed the gate (or
    /// `2 × AUTODEV_CANDIDATES − 1` answers were asked), and returns the passing candidate whose probe output
    /// agrees most with the others' (see [`crate::agree`]); a tie keeps the earlier one, so `first` stands unless
    /// outvoted. Stops once no further candidate could change the choice, and at the first error of the server
    /// or the gate (the candidates so far decide). Each extra answer is a report attempt with its
    /// `candidate` number; the chosen one's attempt says how it was chosen.
    #[allow(clippy::too_many_arguments)]
    async fn agree(
        &self,
        claim: &Claim,
        said: &Said<'_>,
        base: &Arc<context::BaseFiles>,
        base_commit: &str,
        try_no: u32,
        report: &mut Report,
        first: Candidate,
    ) -> Candidate {
        let wanted = self.config.candidates as usize;
        // An answer the gate refuses is no candidate; a few of those may be asked for on top, no more (a hard
        // request is where sampling pays, and where it costs).
        let most_answers = 2 * wanted - 1;
        let mut tally = crate::agree::Tally::default();
        tally.add(0, crate::agree::behaviour(&first.gate.probes));
        let mut pool = vec![first];
        let mut asked = 1;
        while asked < most_answers && tally.open(wanted.saturating_sub(pool.len())) {
            let number = asked as u32;
            asked += 1;
            let mut attempt = AttemptRecord {
                number: try_no,
                candidate: number,
                model: said.model.to_owned(),
                ..AttemptRecord::default()
            };
            // Its own draw: the seed moves with the try and the candidate.
            let seed = self
                .config
                .seed
                .map(|s| s.wrapping_add(u64::from(try_no) * 100 + u64::from(number)));
            let temperature = self.config.retry_temperature;
            let resp = match self
                .ask_sampled(
                    claim,
                    said.model,
                    said.conversation,
                    said.format,
                    temperature,
                    seed,
                )
                .await
            {
                Ok(r) => r,
                Err(e) => {
                    tracing::warn!(task = %claim.task.id, error = %e, "no more candidates: the server failed");
                    break;
                }
            };
            self.count_answer(&mut attempt, &resp);
            if let Some(c) = self
                .candidate(claim, said, base, base_commit, &resp, &mut attempt, &pool)
                .await
            {
                tally.add(pool.len(), crate::agree::behaviour(&c.gate.probes));
                report.attempts.push(attempt);
                pool.push(Candidate {
                    attempt: report.attempts.len() - 1,
                    ..c
                });
            } else {
                let stop = attempt.outcome == WorkerCode::GateError.as_str();
                report.attempts.push(attempt);
                if stop {
                    break;
                }
            }
        }
        let (chosen, size) = tally.leader().unwrap_or((0, 1));
        let (behaviours, passing) = tally.sizes();
        let chosen = pool.swap_remove(chosen.min(pool.len() - 1));
        if let Some(a) = report.attempts.get_mut(chosen.attempt) {
            a.reasons.push(format!(
                "chosen: {size} of {passing} passing candidates behave exactly alike by the probes \
                 ({behaviours} behaviour(s)); it agrees most with the others"
            ));
        }
        chosen
    }

    /// What an answer cost, in its attempt and in the metrics.
    fn count_answer(&self, attempt: &mut AttemptRecord, resp: &ChatResponse) {
        attempt.prompt_tokens = resp.prompt_tokens;
        attempt.completion_tokens = resp.completion_tokens;
        attempt.load_seconds = resp.load_duration.as_secs_f64();
        attempt.prompt_seconds = resp.prompt_duration.as_secs_f64();
        attempt.generation_seconds = resp.generation_duration.as_secs_f64();
        self.metrics.model_answer(resp);
    }

    /// One extra answer as a candidate: built and gated with probes. `None` when it is not one (its attempt says
    /// why).
    #[allow(clippy::too_many_arguments)]
    async fn candidate(
        &self,
        claim: &Claim,
        said: &Said<'_>,
        base: &Arc<context::BaseFiles>,
        base_commit: &str,
        resp: &ChatResponse,
        attempt: &mut AttemptRecord,
        pool: &[Candidate],
    ) -> Option<Candidate> {
        if resp.is_truncated() {
            attempt.outcome = WorkerCode::AnswerTruncated.as_str().into();
            return None;
        }
        let built = match self
            .build(
                &resp.content,
                said.plan,
                &claim.task.targets,
                base,
                claim.task.intent,
            )
            .await
        {
            Ok(b) => b,
            Err(errs) => {
                refused_edits(attempt, &errs);
                return None;
            }
        };
        let sha = hex(&sha2::Sha256::digest(built.patch.as_bytes()));
        // The same patch behaves the same: no need to run it again.
        if let Some(same) = pool.iter().find(|c| c.sha == sha) {
            attempt.outcome = WorkerCode::GatePassed.as_str().into();
            return Some(Candidate {
                built,
                sha,
                gate: same.gate.clone(),
                attempt: 0,
            });
        }
        match self.judge(claim, base_commit, &built.patch).await {
            Ok(gate) if gate.passed() => {
                attempt.outcome = WorkerCode::GatePassed.as_str().into();
                Some(Candidate {
                    built,
                    sha,
                    gate,
                    attempt: 0,
                })
            }
            Ok(_) => {
                attempt.outcome = WorkerCode::GateFailed.as_str().into();
                None
            }
            Err(message) => {
                attempt.outcome = WorkerCode::GateError.as_str().into();
                attempt
                    .reasons
                    .push(queue_core::text::clip(&message, MAX_REASON_BYTES).into_owned());
                None
            }
        }
    }

    /// The gate's verdict on `patch` at `base_commit`, judged on a blocking thread; the error as a sentence.
    async fn judge(
        &self,
        claim: &Claim,
        base_commit: &str,
        patch: &str,
    ) -> Result<gate::GateReport, String> {
        let task = &claim.task;
        // The patch reaches results/ only after the gate has judged it: the checks run code the model wrote, and
        // must not find the bytes to hash (for a forged approval) while they run. The gate gets its own copy.
        let mut req = gate::GateRequest::new(
            task.repo.clone(),
            base_commit.to_string(),
            patch.as_bytes().to_vec(),
        );
        req.allowed_paths = Some(task.targets.clone());
        req.checks = task.checks.clone();
        req.probes = self.config.candidates > 1;
        let g = self.gate.clone();
        let started = Instant::now();
        let report = match tokio::task::spawn_blocking(move || g.check(&req)).await {
            Ok(Ok(r)) => r,
            Ok(Err(e)) => return Err(e.to_string()),
            Err(join) => return Err(join.to_string()),
        };
        self.metrics.gate_finished(started.elapsed(), &report);
        Ok(report)
    }

    /// Writes the try's files, then logs `PATCH_PROPOSED`. The files first: a try whose results cannot be
    /// written is given back before the log says anything about it, so the log never names a pass whose patch or
    /// report is missing (and a later try's GATE_PASSED stays the only one). The writes are fenced (see
    /// `write_result`). `Err` ends the task (given back, or the lease was lost).
    fn save_try(
        &self,
        claim: &Claim,
        report: &mut Report,
        patch: &str,
        sha: &str,
        gate_report: &gate::GateReport,
        try_no: u32,
    ) -> Result<(), TaskOutcome> {
        // Serialised before anything is written: gate.json holds the whole verdict or is not written at all.
        let gate_json = serde_json::to_vec_pretty(gate_report).map_err(|e| {
            let msg = format!("the gate's report does not serialise: {e}");
            self.give_back(claim, WorkerCode::ArtifactWriteFailed, &msg)
        })?;
        self.write_result(claim, ResultKind::Patch, patch.as_bytes())?;
        self.write_result(claim, ResultKind::Gate, &gate_json)?;
        if gate_report.passed() {
            self.write_report(claim, report)?;
        }
        let id = claim.task.id;
        self.log_event(
            claim,
            EventKind::PatchProposed {
                patch: format!("results/{id}.patch"),
                sha256: sha.to_owned(),
                attempt: try_no,
            },
        )
    }

    /// Logs `GATE_PASSED` with the sha256 of the bytes the gate judged (from our own memory: approve and apply
    /// accept only these) and completes the task.
    fn complete_passed(
        &self,
        claim: &Claim,
        gate_report: &gate::GateReport,
        sha256: String,
    ) -> TaskOutcome {
        let checks = gate_report
            .checks
            .iter()
            .map(|c| format!("{} {}ms", c.name, c.duration_ms))
            .collect();
        if let Err(o) = self.log_event(claim, EventKind::GatePassed { checks, sha256 }) {
            return o;
        }
        match self.queue.complete(claim, WorkerCode::GatePassed.as_str()) {
            Ok(()) => TaskOutcome::Passed,
            Err(e @ queue_core::Error::LogAppend { .. }) => {
                // The task is in done/; the reaper's reconcile_log writes its TASK_COMPLETED later.
                tracing::error!(task = %claim.task.id, error = %e, "the task passed, but TASK_COMPLETED is not logged");
                TaskOutcome::Passed
            }
            Err(_) => TaskOutcome::LeaseLost,
        }
    }

    /// Logs `GATE_FAILED` and returns what the model is told: the reasons (clipped) and the failed checks'
    /// output tails. `Err` ends the task (the event could not be logged).
    fn gate_feedback(
        &self,
        claim: &Claim,
        attempt: &mut AttemptRecord,
        gate_report: &gate::GateReport,
    ) -> Result<Vec<String>, TaskOutcome> {
        let reasons = clip_reasons(
            gate_report
                .reasons
                .iter()
                .map(|r| format!("{}: {}", r.code.as_str(), r.message))
                .collect(),
        );
        let codes = gate_report
            .reasons
            .iter()
            .map(|r| r.code.as_str().to_string())
            .collect();
        self.log_event(claim, EventKind::GateFailed { reasons: codes })?;
        attempt.reasons.extend(reasons.clone());
        let mut feedback = reasons;
        for c in gate_report
            .checks
            .iter()
            .filter(|c| !matches!(c.status, gate::CheckStatus::Passed))
        {
            feedback.push(format!(
                "check `{}` output (tail):\n{}",
                c.command,
                tail(&c.output_tail, 1500)
            ));
        }
        Ok(feedback)
    }

    /// Parses, matches and diffs an answer on a blocking thread: however large the answer, the runtime stays free
    /// for lease renewals and shutdown, and the work itself is bounded by [`edits::Limits`].
    async fn build(
        &self,
        text: &str,
        plan: &Arc<whole::Plan>,
        targets: &[String],
        base: &Arc<context::BaseFiles>,
        intent: queue_core::Intent,
    ) -> Result<Built, Vec<EditError>> {
        let text = text.to_owned();
        let targets = targets.to_vec();
        let base = Arc::clone(base);
        let plan = Arc::clone(plan);
        let limits = edits::Limits {
            max_edits: usize::try_from(self.config.max_edits).unwrap_or(usize::MAX),
            ..edits::Limits::default()
        };
        match tokio::task::spawn_blocking(move || {
            build_patch(&text, &plan, &targets, &base, limits, intent)
        })
        .await
        {
            Ok(built) => built,
            Err(join) => Err(vec![EditError {
                code: WorkerCode::EditInternalError,
                message: format!("the worker failed while applying the edits: {join}"),
            }]),
        }
    }

    fn fail(
        &self,
        claim: &Claim,
        report: &mut Report,
        code: WorkerCode,
        message: &str,
    ) -> TaskOutcome {
        // A task is failed only with its report written: without one, nobody could tell why.
        if let Err(o) = self.write_report(claim, report) {
            return o;
        }
        match self.queue.fail(claim, code.as_str(), message) {
            Ok(()) => TaskOutcome::Failed(code),
            Err(e @ queue_core::Error::LogAppend { .. }) => {
                // The task is in failed/ and its report says why; reconcile_log writes a TASK_FAILED later.
                tracing::error!(task = %claim.task.id, error = %e,
                    "the task failed ({code}), but TASK_FAILED is not logged");
                TaskOutcome::Failed(code)
            }
            Err(_) => TaskOutcome::LeaseLost,
        }
    }

    /// Writes `results/<id>.report.json` (see [`Worker::write_result`]).
    fn write_report(&self, claim: &Claim, report: &mut Report) -> Result<(), TaskOutcome> {
        report.finished_at = Some(Utc::now());
        let bytes = match serde_json::to_vec_pretty(report) {
            Ok(b) => b,
            Err(e) => {
                let msg = format!("the report does not serialise: {e}");
                return Err(self.give_back(claim, WorkerCode::ArtifactWriteFailed, &msg));
            }
        };
        self.write_result(claim, ResultKind::Report, &bytes)?;
        self.metrics.attempts_finished(&report.attempts);
        Ok(())
    }

    /// Stores a result of the task (`results/<id>.<ext>`, or a row), only while the claim is ours: results are
    /// shared by every try of the task, and a worker whose lease was taken back must not overwrite what the new
    /// holder writes (the queue checks the claim as it writes). `Err` is how the task ended instead: the lease
    /// was lost, or the result could not be stored and the task was given back.
    fn write_result(
        &self,
        claim: &Claim,
        kind: ResultKind,
        bytes: &[u8],
    ) -> Result<(), TaskOutcome> {
        match self.queue.put_result(claim, kind, bytes) {
            Ok(()) => Ok(()),
            Err(queue_core::Error::LeaseLost { .. }) => Err(TaskOutcome::LeaseLost),
            Err(e) => {
                let msg = format!("cannot store the task's {}: {e}", kind.ext());
                Err(self.give_back(claim, WorkerCode::ArtifactWriteFailed, &msg))
            }
        }
    }

    /// Logs an event about the claimed task. The log is what approval trusts, so a task is never carried on
    /// past an event that could not be appended (queue-core has already tried again): `Err` is the task given
    /// back instead.
    fn log_event(&self, claim: &Claim, kind: EventKind) -> Result<(), TaskOutcome> {
        self.queue
            .record(kind, Some(claim.task.id), &self.owner)
            .map_err(|e| self.give_back(claim, WorkerCode::EventLogWriteFailed, &e.to_string()))
    }

    /// Gives the task back without using a try: the queue's disk failed, not the task. The lane then backs off
    /// as it does for a server that is down.
    fn give_back(&self, claim: &Claim, code: WorkerCode, message: &str) -> TaskOutcome {
        tracing::error!(task = %claim.task.id, code = code.as_str(), "{message}; giving the task back (no try used)");
        if let Ok(mut g) = self.last_backend_error.lock() {
            *g = Some(message.to_string());
        }
        self.release(claim, code)
    }

    /// Moves the task back to `pending/`. A `TASK_RELEASED` that cannot be logged does not undo the move: the
    /// task is pending all the same, and the error is logged.
    fn release(&self, claim: &Claim, code: WorkerCode) -> TaskOutcome {
        match self.queue.release(claim, code.as_str()) {
            Ok(()) => TaskOutcome::Released(code),
            Err(e @ queue_core::Error::LogAppend { .. }) => {
                tracing::error!(task = %claim.task.id, error = %e,
                    "the task was given back, but TASK_RELEASED is not logged");
                TaskOutcome::Released(code)
            }
            Err(queue_core::Error::LeaseLost { .. }) => TaskOutcome::LeaseLost,
            Err(e) => {
                tracing::error!(task = %claim.task.id, error = %e,
                    "cannot give the task back; it returns to pending/ when its lease expires");
                TaskOutcome::LeaseLost
            }
        }
    }
}

/// Records refused edits on the try and returns its code and the feedback (each edit error, clipped).
fn refused_edits(attempt: &mut AttemptRecord, errs: &[EditError]) -> (WorkerCode, Vec<String>) {
    let code = errs.first().map_or(WorkerCode::EditRefused, |e| e.code);
    attempt.outcome = code.as_str().into();
    let msgs = clip_reasons(
        errs.iter()
            .map(|e| format!("{}: {}", e.code, e.message))
            .collect(),
    );
    attempt.reasons.extend(msgs.clone());
    (code, msgs)
}

/// Whether a release reason is the queue's disk (rather than the model server).
fn is_disk_failure(reason: WorkerCode) -> bool {
    matches!(
        reason,
        WorkerCode::ArtifactWriteFailed | WorkerCode::EventLogWriteFailed
    )
}

/// One task's run through its tries: the conversation so far, the model in use, the report being built.
struct TaskRun<'c> {
    claim: &'c Claim,
    report: Report,
    messages: Vec<Message>,
    /// The configured model, or the fallback once the first was not installed.
    model: String,
    /// The last try's code and problem, for the failure message when no try is left.
    last_reason: (WorkerCode, String),
    base: Arc<context::BaseFiles>,
    base_commit: String,
    /// The answer format the prompt asks for (`plan.format`).
    format: EditFormat,
    /// How the files were shown: whole, or in parts.
    plan: Arc<whole::Plan>,
    /// Patches the gate refused in earlier tries (sha256) and what it said.
    refused: Vec<(String, Vec<String>)>,
    /// The task's own prompt (the first user message), for a retry asked afresh.
    prompt: String,
}

/// Why asking the model gave no answer.
enum AskError {
    /// The server or the model failed.
    Backend(BackendError),
    /// The task ended meanwhile (an event could not be logged: given back).
    Ended(TaskOutcome),
}

/// How a failed model call goes on.
enum Failure {
    /// The task is finished with (released, failed, lease lost).
    Ends(TaskOutcome),
    /// The try is used up; the next may start, after this answer stand-in and feedback when given.
    Retry(Option<(Message, Vec<String>)>),
}

/// One answer as the model said it, with the summary asked for again in the request's language, if any.
struct Said<'a> {
    text: &'a str,
    plan: &'a Arc<whole::Plan>,
    summary: Option<String>,
    /// Patches the gate refused in earlier tries (sha256) and what it said.
    refused: &'a mut Vec<(String, Vec<String>)>,
    /// What the answer was asked with, and how: for more candidates to the same question.
    conversation: &'a [Message],
    model: &'a str,
    format: EditFormat,
}

/// A patch the gate passed, for choosing among several by their probes.
struct Candidate {
    built: Built,
    sha: String,
    gate: gate::GateReport,
    /// Its answer's index in the report's attempts.
    attempt: usize,
}

/// A summary as the report keeps it: at most `MAX_SUMMARY_CHARS` characters.
fn clip_summary(s: &str) -> String {
    s.chars()
        .take(queue_core::report::MAX_SUMMARY_CHARS)
        .collect()
}

/// What one answer made.
struct Built {
    patch: String,
    /// The answer's own summary of the change (trimmed, at most `MAX_SUMMARY_CHARS`).
    summary: Option<String>,
    files: Vec<String>,
    added: u64,
    removed: u64,
}

/// Parses `text`, refuses it past `limits`, applies its edits to the base files and renders the diff.
fn build_patch(
    text: &str,
    plan: &whole::Plan,
    targets: &[String],
    base: &context::BaseFiles,
    limits: edits::Limits,
    intent: queue_core::Intent,
) -> Result<Built, Vec<EditError>> {
    let mut answer = match plan.format {
        EditFormat::Whole | EditFormat::Definitions => whole::parse(text, targets),
        EditFormat::SearchReplace => edits::parse_answer(text),
    }
    .map_err(|e| vec![e])?;
    // A definitions answer that writes a shown part under its `path lines A-B` header is taken as that part.
    let by_parts = answer.files.iter().any(|f| f.lines.is_some());
    if plan.format == EditFormat::Definitions && !by_parts {
        crate::defs::expand(&mut answer, &base.files, &plan.regions).map_err(|e| vec![e])?;
    } else {
        crate::regions::splice(&mut answer, &plan.regions, &base.files).map_err(|e| vec![e])?;
    }
    let changes =
        edits::apply_answer_within(&answer, targets, |p| base.files.get(p).cloned(), limits)
            .map_err(|errs| {
                errs.into_iter()
                    .map(|e| no_change_for(e, intent))
                    .collect::<Vec<_>>()
            })?;
    if plan.format.is_blocks()
        && wants_content(intent)
        && changes
            .values()
            .all(|(old, new)| same_but_spacing(old.as_deref(), new))
    {
        // Measured: Qwen2.5-Coder-1.5B, asked to implement a stub, wrote the file back with the stub and two blank
        // lines fewer (HumanEval/38); the gate, with no example to run, passed it. Such an answer is no change.
        return Err(vec![no_change_for(
            EditError {
                code: WorkerCode::EditNoChange,
                message: "the answer changes only blank lines or spaces at line ends, nothing the request asks \
                          for: write the change itself"
                    .into(),
            },
            intent,
        )]);
    }
    let rendered = edits::render(&changes);
    Ok(Built {
        patch: rendered.patch,
        summary: answer
            .summary
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(clip_summary),
        files: changes.keys().cloned().collect(),
        added: rendered.added,
        removed: rendered.removed,
    })
}

/// A `fix` answered with the code as it was: says that the code is wrong and how to find where.
///
/// Why: a small model that talked itself into "the code is correct" writes it back again when told only that
/// nothing changed. Measured with Qwen2.5-Coder-1.5B on the evaluation's fix suite (20-problem sample, commit
/// 7e66303): 8 of mode a's 29 answers changed nothing, 9 of 31 on fix-haystack.
fn no_change_for(mut e: EditError, intent: queue_core::Intent) -> EditError {
    if e.code == WorkerCode::EditNoChange && intent == queue_core::Intent::Fix {
        e.message.push_str(
            ". The request reports that the code as it stands goes wrong, so leaving it as it is cannot be right: \
             follow the code by hand on the input the request names, find the line that gives the wrong result, \
             and change it",
        );
    }
    e
}

/// Whether a request of this kind needs more than spacing: a feature, a fix, a speed-up or a test. Formatting is
/// `chore` (or `refactor`, `docs`).
fn wants_content(intent: queue_core::Intent) -> bool {
    use queue_core::Intent;
    matches!(
        intent,
        Intent::Feat | Intent::Fix | Intent::Perf | Intent::Test
    )
}

/// Whether `new` differs from `old` only in blank lines and spaces at line ends (indentation counts: it is code in
/// Python). A new file is a change.
fn same_but_spacing(old: Option<&[u8]>, new: &[u8]) -> bool {
    let Some(old) = old else { return false };
    let lines = |b: &[u8]| -> Vec<String> {
        String::from_utf8_lossy(b)
            .lines()
            .map(|l| l.trim_end().to_owned())
            .filter(|l| !l.is_empty())
            .collect()
    };
    lines(old) == lines(new)
}

/// Sets up the next try after a failed one.
///
/// Search/replace: the answer (or a stand-in) and why it could not be used are added to the conversation, so the
/// model can correct its quotes. Whole files: the task is asked afresh with the last refusal as a note, and the
/// refused answer is left out — a small model shown its own answer writes it again (measured: HumanEval/5 with
/// Qwen2.5-Coder-1.5B gave the same refused change three times, at temperature 0.7 too).
fn push_turn(run: &mut TaskRun<'_>, said: Message, feedback: &[String]) {
    let reasons = feedback
        .iter()
        .map(|f| format!("- {f}"))
        .collect::<Vec<_>>()
        .join("\n");
    match run.format {
        EditFormat::SearchReplace => {
            run.messages.push(said);
            run.messages.push(Message::user(format!(
                "Your answer could not be used:\n{reasons}\n\nAnswer again with the complete corrected JSON object."
            )));
        }
        EditFormat::Whole | EditFormat::Definitions => {
            let what = if run.format == EditFormat::Whole {
                "its complete corrected contents"
            } else {
                "the complete corrected version of each function or class you change"
            };
            run.messages.truncate(1);
            run.messages.push(Message::user(format!(
                "{}\n\nAn earlier answer to this task was refused:\n{reasons}\n\nWrite a new, correct solution that \
                 avoids this problem. Answer in the same form: the SUMMARY line, then the path of each file you \
                 change and {what} in a ``` block.",
                run.prompt
            )));
        }
    }
}

fn conversation_tokens(messages: &[Message]) -> u64 {
    messages
        .iter()
        .map(|m| estimate_tokens(&m.content) + 4)
        .sum()
}

/// Makes the conversation fit `budget` tokens, giving up the least useful first: older answer/feedback turns,
/// then the text of the last answer (a short note stands in for it, so a runaway answer never blocks the next
/// try), then the last turn. `Err(tokens)` when the task's own prompt (system + user) alone does not fit.
fn fit_history(messages: &mut Vec<Message>, budget: u64) -> Result<(), u64> {
    let fits = |m: &[Message]| conversation_tokens(m) <= budget;
    if !fits(messages) && messages.len() > 4 {
        let last = messages.split_off(messages.len() - 2);
        messages.truncate(2);
        messages.extend(last);
    }
    if !fits(messages)
        && let Some(said) = messages.get_mut(2).filter(|m| m.role == Role::Assistant)
        && said.content.len() > 256
    {
        *said = Message::assistant(format!(
            "[my previous answer ({} bytes) is left out: it was too large to repeat]",
            said.content.len()
        ));
    }
    if !fits(messages) {
        messages.truncate(2);
    }
    match conversation_tokens(messages) {
        n if n > budget => Err(n),
        _ => Ok(()),
    }
}

/// Each reason clipped to [`MAX_REASON_BYTES`] and at most [`MAX_REASONS`] of them: reasons quote the model's
/// answer, which may be huge, and end up in the report, the log and the next prompt.
fn clip_reasons(reasons: Vec<String>) -> Vec<String> {
    let total = reasons.len();
    let mut kept: Vec<String> = reasons
        .into_iter()
        .take(MAX_REASONS)
        .map(|r| queue_core::text::clip(&r, MAX_REASON_BYTES).into_owned())
        .collect();
    if total > MAX_REASONS {
        kept.push(format!("… and {} more problems", total - MAX_REASONS));
    }
    kept
}

/// Ollama names may omit `:latest`.
fn model_matches(installed: &str, wanted: &str) -> bool {
    installed == wanted
        || installed.strip_suffix(":latest") == Some(wanted)
        || wanted.strip_suffix(":latest") == Some(installed)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn tail(s: &str, n: usize) -> &str {
    let start = s.len().saturating_sub(n);
    let mut i = start;
    while i < s.len() && !s.is_char_boundary(i) {
        i += 1;
    }
    &s[i..]
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    /// A whole-file answer that writes a stub back with only its blank lines changed is no change for a feature
    /// or a fix (measured: HumanEval/38, which the gate passed for want of an example to run); indentation is a
    /// change, and so is any spacing when formatting is what was asked (`chore`).
    #[test]
    fn a_whole_file_answer_that_only_moves_blank_lines_is_no_change_for_a_feature() {
        let stub = "\n\ndef f(s):\n    \"\"\"Doc.\"\"\"\n    raise NotImplementedError\n";
        let base = context::BaseFiles {
            files: BTreeMap::from([("f.py".to_string(), stub.as_bytes().to_vec())]),
            all_paths: vec!["f.py".into()],
            prompt_template: None,
        };
        let plan = whole::Plan {
            format: EditFormat::Whole,
            regions: BTreeMap::new(),
        };
        let targets = vec!["f.py".to_string()];
        let answer = |body: &str| format!("SUMMARY: implement f\nf.py\n```python\n{body}```\n");
        let build = |body: &str, intent| {
            build_patch(
                &answer(body),
                &plan,
                &targets,
                &base,
                edits::Limits::default(),
                intent,
            )
        };
        let copied = "def f(s):   \n    \"\"\"Doc.\"\"\"\n\n    raise NotImplementedError\n";
        let err = build(copied, queue_core::Intent::Feat).err().unwrap();
        assert_eq!(err[0].code, WorkerCode::EditNoChange);
        assert!(
            err[0].message.contains("only blank lines") && !err[0].message.contains("by hand"),
            "{}",
            err[0].message
        );
        // A fix written back unchanged (exactly, or but for spacing) is told that the code is wrong.
        for same in [copied, stub] {
            let err = build(same, queue_core::Intent::Fix).err().unwrap();
            assert_eq!(err[0].code, WorkerCode::EditNoChange);
            assert!(
                err[0]
                    .message
                    .contains("follow the code by hand on the input the request names"),
                "{}",
                err[0].message
            );
        }
        assert!(
            build(copied, queue_core::Intent::Chore).is_ok(),
            "formatting was asked"
        );
        let reindented = "def f(s):\n    \"\"\"Doc.\"\"\"\nraise NotImplementedError\n";
        assert!(
            build(reindented, queue_core::Intent::Fix).is_ok(),
            "indentation is code"
        );
        let implemented = "def f(s):\n    \"\"\"Doc.\"\"\"\n    return s[::-1]\n";
        assert!(build(implemented, queue_core::Intent::Feat).is_ok());
    }

    fn turn(answer: &str) -> Vec<Message> {
        vec![
            Message::system("rules"),
            Message::user("the task"),
            Message::assistant(answer),
            Message::user("- EDIT_NO_MATCH: …"),
        ]
    }

    /// Found by running the worker: a huge answer stayed in the history, the next try was refused as
    /// CONTEXT_TOO_LARGE (advice: raise AUTODEV_NUM_CTX) and the remaining tries were never used.
    #[test]
    fn a_huge_answer_gives_way_to_a_note_and_the_next_try_goes_ahead() {
        let mut messages = turn(&"x".repeat(3_000_000));
        assert_eq!(fit_history(&mut messages, 6000), Ok(()));
        assert_eq!(messages.len(), 4, "the feedback stays");
        assert!(
            messages[2].content.contains("(3000000 bytes) is left out"),
            "{}",
            messages[2].content
        );
        assert_eq!(messages[3].content, "- EDIT_NO_MATCH: …");
    }

    #[test]
    fn a_history_that_fits_is_left_alone_and_older_turns_go_first() {
        let mut messages = turn("{\"edits\": []}");
        let before = messages.clone();
        assert_eq!(fit_history(&mut messages, 6000), Ok(()));
        assert_eq!(messages, before);

        let mut messages = turn(&"y".repeat(9000));
        messages.push(Message::assistant("{\"edits\": [1]}"));
        messages.push(Message::user("- GATE_FAILED"));
        assert_eq!(fit_history(&mut messages, 1000), Ok(()));
        let roles: Vec<&str> = messages.iter().map(|m| m.content.as_str()).collect();
        assert_eq!(
            roles,
            ["rules", "the task", "{\"edits\": [1]}", "- GATE_FAILED"]
        );
    }

    #[test]
    fn only_a_task_prompt_too_large_by_itself_is_context_too_large() {
        let mut messages = vec![Message::system("rules"), Message::user("z".repeat(30_000))];
        assert_eq!(fit_history(&mut messages, 6000), Err(10_000 + 4 + 2 + 4));
        // Long feedback goes too, before the task is refused.
        let mut messages = turn("short");
        messages[3] = Message::user("w".repeat(30_000));
        assert_eq!(fit_history(&mut messages, 6000), Ok(()));
        assert_eq!(messages.len(), 2);
    }

    #[test]
    fn reasons_are_clipped_and_counted() {
        let reasons: Vec<String> = (0..20_000)
            .map(|i| format!("EDIT_NO_MATCH: edit {i} {}", "q".repeat(5000)))
            .collect();
        let kept = clip_reasons(reasons);
        assert_eq!(kept.len(), MAX_REASONS + 1);
        assert!(kept.iter().all(|r| r.len() < MAX_REASON_BYTES + 64));
        assert!(kept[0].ends_with("more bytes cut]"), "{}", kept[0]);
        assert_eq!(kept[MAX_REASONS], "… and 19980 more problems");
    }
}
