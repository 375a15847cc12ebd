//! The bot: long polling, access control, command and button handlers, gate notifications, /healthz.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use approval::{Decider, Via};
use delivery::OnApprove;
use queue_core::{EventKind, Queue, TaskId};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use crate::api::{Api, ApiError, Message, Token, Update};
use crate::commands::{self, Button, Command};
use crate::html::{clip, clip_text, escape};
use crate::state::StateDir;
use crate::{Error, Result};

/// The numeric user or chat ids the bot obeys. Empty means nobody.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AllowList(Vec<i64>);

impl AllowList {
    /// Parses `TELEGRAM_ALLOW_FROM`: numeric ids separated by commas (spaces and a `telegram:`/`tg:` prefix
    /// are tolerated). A non-numeric entry is an error (usernames can be changed by their owner).
    pub fn parse(s: &str) -> std::result::Result<AllowList, String> {
        let mut ids = Vec::new();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let bare = part
                .strip_prefix("telegram:")
                .or_else(|| part.strip_prefix("tg:"))
                .unwrap_or(part);
            let id: i64 = bare.parse().map_err(|_| {
                format!(
                    "TELEGRAM_ALLOW_FROM entry `{part}` is not a numeric Telegram id (ask @userinfobot for yours)"
                )
            })?;
            ids.push(id);
        }
        Ok(AllowList(ids))
    }

    /// Whether a message from `user` in `chat` is obeyed.
    pub fn permits(&self, user: Option<i64>, chat: i64) -> bool {
        self.0.iter().any(|&id| Some(id) == user || id == chat)
    }

    /// Whether `user` (a person, not a chat) is on the list: a button press is the presser's act, so an
    /// allow-listed group chat does not let every member of it press Approve.
    pub fn permits_user(&self, user: i64) -> bool {
        self.0.contains(&user)
    }

    /// The ids (notifications go to each).
    pub fn ids(&self) -> &[i64] {
        &self.0
    }

    /// Whether nobody is allowed.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// How the bot runs.
#[derive(Debug, Clone)]
pub struct Config {
    /// Bot API base URL (`https://api.telegram.org`, or a fake's).
    pub api_base: String,
    /// The bot token.
    pub token: Token,
    /// Who is obeyed.
    pub allow: AllowList,
    /// The repository `/work` requests change.
    pub repo: PathBuf,
    /// getUpdates long-poll timeout, seconds.
    pub poll_timeout: u64,
    /// Where to serve /healthz.
    pub listen: Option<SocketAddr>,
    /// First pause after a failed getUpdates (doubles up to a minute).
    pub backoff: Duration,
    /// How often events.ndjson is read for notifications.
    pub notify_every: Duration,
}

/// When getUpdates last succeeded.
#[derive(Debug)]
struct Health {
    last_ok: Mutex<Option<Instant>>,
    fresh_for: Duration,
}

impl Health {
    fn ok(&self) {
        *self.last_ok.lock().unwrap_or_else(PoisonError::into_inner) = Some(Instant::now());
    }

    fn age(&self) -> Option<Duration> {
        self.last_ok
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .map(|t| t.elapsed())
    }
}

struct Bot {
    api: Api,
    queue: Arc<Queue>,
    state: StateDir,
    config: Config,
    health: Arc<Health>,
}

/// Runs the bot until `shutdown` is cancelled. Takes the poller lock first ([`Error::AlreadyRunning`]).
pub async fn run(queue: Arc<Queue>, config: Config, shutdown: CancellationToken) -> Result<()> {
    let state = StateDir::open(queue.root())?;
    let _lock = state.lock_poller()?;
    let api = Api::new(&config.api_base, config.token.clone())
        .map_err(|e| Error::Setup(format!("cannot build the HTTP client: {e}")))?;
    let health = Arc::new(Health {
        last_ok: Mutex::new(None),
        fresh_for: Duration::from_secs(config.poll_timeout + 60),
    });
    if let Some(addr) = config.listen {
        serve_health(addr, Arc::clone(&health), shutdown.clone()).await?;
    }
    if config.allow.is_empty() {
        tracing::warn!(
            "TELEGRAM_ALLOW_FROM is empty: the bot obeys nobody (set it to your numeric Telegram id)"
        );
    }
    let bot = Arc::new(Bot {
        api,
        queue,
        state,
        config,
        health,
    });
    tracing::info!(
        api = %bot.config.api_base,
        repo = %bot.config.repo.display(),
        allowed = bot.config.allow.ids().len(),
        "telegram bot started"
    );
    let notifier = {
        let bot = Arc::clone(&bot);
        let stop = shutdown.clone();
        tokio::spawn(async move { bot.notify_loop(stop).await })
    };
    let polled = bot.poll_loop(&shutdown).await;
    notifier.abort();
    let _ = notifier.await;
    polled
}

async fn serve_health(
    addr: SocketAddr,
    health: Arc<Health>,
    shutdown: CancellationToken,
) -> Result<()> {
    use axum::http::StatusCode;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| Error::Setup(format!("cannot listen on {addr}: {e}")))?;
    let app = axum::Router::new().route(
        "/healthz",
        axum::routing::get(move || {
            let health = Arc::clone(&health);
            async move {
                match health.age() {
                    Some(age) if age <= health.fresh_for => (
                        StatusCode::OK,
                        format!("ok: getUpdates succeeded {} s ago\n", age.as_secs()),
                    ),
                    Some(age) => (
                        StatusCode::SERVICE_UNAVAILABLE,
                        format!(
                            "stale: last successful getUpdates {} s ago\n",
                            age.as_secs()
                        ),
                    ),
                    None => (
                        StatusCode::SERVICE_UNAVAILABLE,
                        "starting: no successful getUpdates yet\n".to_owned(),
                    ),
                }
            }
        }),
    );
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app)
            .with_graceful_shutdown(shutdown.cancelled_owned())
            .await
        {
            tracing::error!(error = %e, "health endpoint stopped");
        }
    });
    tracing::info!(%addr, "serving /healthz");
    Ok(())
}

/// Sleeps `d`; returns true when shutdown was asked for meanwhile.
async fn sleep_or_stop(d: Duration, shutdown: &CancellationToken) -> bool {
    tokio::select! {
        _ = tokio::time::sleep(d) => shutdown.is_cancelled(),
        _ = shutdown.cancelled() => true,
    }
}

const MAX_BACKOFF: Duration = Duration::from_secs(60);

impl Bot {
    async fn poll_loop(&self, shutdown: &CancellationToken) -> Result<()> {
        let mut offset = self.state.update_offset()?;
        let mut pause = self.config.backoff;
        loop {
            if shutdown.is_cancelled() {
                return Ok(());
            }
            let got = tokio::select! {
                r = self.api.get_updates(offset, self.config.poll_timeout) => r,
                _ = shutdown.cancelled() => return Ok(()),
            };
            let wait = match got {
                Ok(updates) => {
                    self.health.ok();
                    pause = self.config.backoff;
                    let mut stuck = false;
                    for u in updates {
                        if u.update_id < offset {
                            continue;
                        }
                        // Saved before handling: a crash mid-command loses it rather than running it twice.
                        // Telegram's ids are far below i64::MAX; one that is not cannot be acknowledged (the
                        // next offset would wrap and replay every old update), so it is never handled.
                        let Some(next) = u.update_id.checked_add(1) else {
                            tracing::warn!(
                                update_id = u.update_id,
                                "ignoring an update whose id cannot be acknowledged"
                            );
                            stuck = true;
                            continue;
                        };
                        offset = next;
                        self.state.set_update_offset(offset)?;
                        self.handle(u).await;
                    }
                    if !stuck {
                        continue;
                    }
                    pause
                }
                Err(ApiError::Conflict { description }) => {
                    tracing::warn!(
                        "getUpdates: 409 Conflict from Telegram ({description}). Another program is using this \
                         bot token: another `autodev telegram`, a script, an OpenClaw gateway polling it, or a \
                         webhook. Stop the other poller, or call deleteWebhook if a webhook is set, or give \
                         OpenClaw its own bot token. Retrying in {} s.",
                        pause.as_secs_f32()
                    );
                    pause
                }
                Err(ApiError::RetryAfter { retry_after }) => {
                    tracing::warn!(retry_after, "getUpdates: 429 Too Many Requests; waiting");
                    Duration::from_secs(retry_after.max(1))
                }
                Err(ApiError::Api { code, description }) if code == 401 || code == 404 => {
                    return Err(Error::BadToken(format!("{code} {description}")));
                }
                Err(e) => {
                    tracing::warn!(
                        "getUpdates failed: {e}; retrying in {} s",
                        pause.as_secs_f32()
                    );
                    pause
                }
            };
            pause = (pause * 2).min(MAX_BACKOFF);
            if sleep_or_stop(wait, shutdown).await {
                return Ok(());
            }
        }
    }

    async fn handle(&self, u: Update) {
        if let Some(m) = u.message {
            self.on_message(m).await;
        } else if let Some(cq) = u.callback_query {
            self.on_callback(cq).await;
        }
    }

    async fn reply(&self, chat: i64, html: &str) {
        if let Err(e) = self.api.send_message(chat, html, None).await {
            tracing::warn!(chat, "cannot answer: {e}");
        }
    }

    fn audit_denied(&self, user: Option<i64>, what: &str) {
        let actor = format!(
            "telegram:{}",
            user.map_or_else(|| "unknown".to_owned(), |u| u.to_string())
        );
        tracing::warn!(%actor, command = %clip(what, 100), "refused: not in TELEGRAM_ALLOW_FROM");
        if let Err(e) = self.queue.record(
            EventKind::AccessDenied {
                command: clip(what, 200),
            },
            None,
            &actor,
        ) {
            tracing::error!("cannot write the ACCESS_DENIED event: {e}");
        }
    }

    async fn on_message(&self, m: Message) {
        let chat = m.chat.id;
        let user = m.from.as_ref().map(|u| u.id);
        let text = m.text.unwrap_or_default();
        if !self.config.allow.permits(user, chat) {
            self.audit_denied(user, &text);
            let who = user.map_or_else(String::new, |u| format!(" (your id is {u})"));
            self.reply(
                chat,
                &format!("Not allowed: this bot only obeys the ids in its allow list{who}."),
            )
            .await;
            return;
        }
        let actor = format!("telegram:{}", user.unwrap_or(chat));
        let html = match commands::parse(&text) {
            None => "Send /help for what I understand.".to_owned(),
            Some(Command::Help) => escape(&commands::help()),
            Some(Command::Work(args)) => self.work(&args, &actor),
            Some(Command::Status(id)) => self.status(id.as_deref()),
            Some(Command::Stop) => match self.queue.pause(&actor, "/stop from Telegram") {
                Ok(true) => "Paused: workers finish their current task and claim nothing new. /resume to undo."
                    .to_owned(),
                Ok(false) => "Already paused.".to_owned(),
                Err(e) => internal(&e),
            },
            Some(Command::Resume) => match self.queue.resume(&actor) {
                Ok(true) => "Resumed: workers claim again.".to_owned(),
                Ok(false) => "Not paused.".to_owned(),
                Err(e) => internal(&e),
            },
            Some(Command::Approve(id)) => match parse_id(&id) {
                Ok(id) => self.approve(id, user.unwrap_or(chat)).1,
                Err(html) => html,
            },
            Some(Command::Reject(id, reason)) => match parse_id(&id) {
                Ok(id) => self.reject(id, user.unwrap_or(chat), &reason).1,
                Err(html) => html,
            },
            Some(Command::Publish(id)) => match parse_id(&id) {
                Ok(id) => self.publish(id, &actor),
                Err(html) => html,
            },
            Some(Command::Unknown(name)) => {
                format!("Unknown command /{}. Send /help.", escape(&clip(&name, 40)))
            }
        };
        self.reply(chat, &html).await;
    }

    async fn on_callback(&self, cq: crate::api::CallbackQuery) {
        let user = cq.from.id;
        let chat = cq.message.as_ref().map_or(user, |m| m.chat.id);
        let data = cq.data.clone().unwrap_or_default();
        if !self.config.allow.permits_user(user) {
            self.audit_denied(Some(user), &format!("button {data}"));
            if let Err(e) = self.api.answer_callback_query(&cq.id, "Not allowed").await {
                tracing::warn!("answerCallbackQuery: {e}");
            }
            return;
        }
        let (toast, done, html) = match Button::parse(&data) {
            None => ("Unknown button".to_owned(), false, None),
            Some(Button::Approve(id)) => {
                let (ok, html) = self.approve(id, user);
                (
                    if ok {
                        format!("Approved {id}")
                    } else {
                        strip_tags(&html)
                    },
                    ok,
                    Some(html),
                )
            }
            Some(Button::Reject(id)) => {
                let (ok, html) = self.reject(id, user, "rejected with the Telegram button");
                (
                    if ok {
                        format!("Rejected {id}")
                    } else {
                        strip_tags(&html)
                    },
                    ok,
                    Some(html),
                )
            }
        };
        // Always answer, or the button spins until Telegram gives up.
        if let Err(e) = self.api.answer_callback_query(&cq.id, &toast).await {
            tracing::warn!("answerCallbackQuery: {e}");
        }
        if done && let Some(m) = &cq.message {
            let _ = self.api.remove_buttons(chat, m.message_id).await;
        }
        if let Some(html) = html {
            self.reply(chat, &html).await;
        }
    }

    fn work(&self, args: &str, actor: &str) -> String {
        let mut spec = commands::parse_work(args);
        spec.repo = Some(self.config.repo.to_string_lossy().into_owned());
        let ctx = submit::ValidateContext {
            cwd: self.config.repo.clone(),
        };
        match submit::submit(&self.queue, &spec, &ctx, actor) {
            Ok(task) => format!(
                "Queued <code>{}</code>: {}\nYou get a message when the gate has judged the patch.",
                task.id,
                escape(&clip(&task.title, 200))
            ),
            Err(submit::SubmitError::Rejected(rs)) => {
                let mut s = "Not queued:\n".to_owned();
                for r in rs.iter().take(10) {
                    let field = r
                        .field
                        .as_deref()
                        .map(|f| format!(" ({})", escape(f)))
                        .unwrap_or_default();
                    s.push_str(&format!(
                        "• <b>{}</b>{field}: {}\n",
                        r.code.as_str(),
                        escape(&clip_text(&r.message, 300))
                    ));
                }
                s.push_str("\nHow to write it:\n");
                s.push_str(&escape(commands::WORK_SYNTAX));
                s
            }
            Err(submit::SubmitError::Queue(e)) => internal(&e),
        }
    }

    fn status(&self, id: Option<&str>) -> String {
        let Some(id) = id else {
            return match self.queue.status() {
                Ok((tasks, summary)) => {
                    let mut s = String::new();
                    if summary.paused {
                        s.push_str("<b>Paused</b>: workers claim nothing until /resume.\n");
                    }
                    if !summary.corrupt.is_empty() {
                        s.push_str(&format!(
                            "⚠️ {} unreadable task file(s) (<b>TASK_FILE_CORRUPT</b>); <code>autodev status</code> at \
                             the PC lists them.\n",
                            summary.corrupt.len()
                        ));
                    }
                    if tasks.is_empty() {
                        s.push_str("No tasks.");
                        return s;
                    }
                    let counts: Vec<String> = summary
                        .counts
                        .iter()
                        .map(|(st, n)| format!("{n} {}", st.as_str()))
                        .collect();
                    s.push_str(&format!("{} task(s): {}\n", tasks.len(), counts.join(", ")));
                    for t in tasks.iter().rev().take(10) {
                        s.push_str(&format!(
                            "<code>{}</code> {} — {}\n",
                            t.id,
                            t.state.as_str(),
                            escape(&clip(&t.title, 80))
                        ));
                    }
                    s
                }
                Err(e) => internal(&e),
            };
        };
        let id = match parse_id(id) {
            Ok(id) => id,
            Err(html) => return html,
        };
        match self.queue.status_of(id) {
            Ok(t) => {
                let mut s = format!(
                    "<code>{}</code> <b>{}</b>\n{}\nintent {}, targets {}\ntries {} of {}\n",
                    t.id,
                    t.state.as_str(),
                    escape(&clip(&t.title, 200)),
                    t.intent,
                    escape(&clip(&t.targets.join(", "), 500)),
                    t.attempts,
                    t.max_attempts
                );
                if let Some(r) = &t.failure_reason {
                    s.push_str(&format!("failure: {}\n", escape(r)));
                }
                if let Ok(c) = approval::load(&self.queue, id) {
                    s.push_str(&format!(
                        "{} file(s), +{} −{}\n",
                        c.report.files_changed.len(),
                        c.report.lines_added,
                        c.report.lines_removed
                    ));
                }
                s.push_str(&self.delivery_line(id));
                s
            }
            Err(queue_core::Error::UnknownTask(_)) => {
                format!("<b>TASK_UNKNOWN</b>: no task {id}. /status lists them.")
            }
            Err(queue_core::Error::TaskCorrupt { detail, .. }) => format!(
                "<b>TASK_FILE_CORRUPT</b>: the file of <code>{id}</code> is not a task autodev can read ({}). \
                 Restore it or move it out of the queue; other tasks are not affected.",
                escape(&clip(&detail, 300))
            ),
            Err(e) => internal(&e),
        }
    }

    fn decider(user: i64) -> Decider {
        Decider {
            by: user.to_string(),
            via: Via::Telegram,
        }
    }

    /// (approved, reply).
    fn approve(&self, id: TaskId, user: i64) -> (bool, String) {
        match approval::approve(&self.queue, id, &Self::decider(user)) {
            Ok(d) if d.newly => (
                true,
                format!(
                    "Approved <code>{id}</code> (patch sha256 {}…). {}",
                    &d.record.patch_sha256.get(..12).unwrap_or_default(),
                    self.delivery_note(id)
                ),
            ),
            Ok(_) => (
                true,
                format!(
                    "<code>{id}</code> was already approved for this patch. {}",
                    self.delivery_note(id)
                ),
            ),
            Err(e) => (false, refusal(&e)),
        }
    }

    /// The delivery as the log tells it: pushed (with the pull request), or the last failure.
    fn delivery_line(&self, id: TaskId) -> String {
        if let Ok(Some(p)) = delivery::delivery_status(&self.queue, id) {
            let pr = p
                .pr_url
                .map(|u| format!(", pull request {}", escape(&u)))
                .unwrap_or_default();
            return format!(
                "pushed: <code>{}</code> on {}{pr}\n",
                escape(&p.branch),
                escape(&p.remote)
            );
        }
        match delivery::deliver::last_failure(&self.queue, id) {
            Ok(Some((code, message))) => format!(
                "delivery failed: <b>{}</b> {}\n",
                escape(&clip(&code, 60)),
                escape(&clip_text(&message, 500))
            ),
            _ => String::new(),
        }
    }

    /// What happens after the approval, as the repository's `delivery.toml` says.
    fn delivery_note(&self, id: TaskId) -> String {
        let on = approval::load(&self.queue, id)
            .map_err(delivery::Error::from)
            .and_then(|c| delivery::deliver::on_approve(&c.task.repo));
        let note = match on {
            Ok(OnApprove::Publish) => {
                "It will be pushed and a pull request opened; I send the link here.".to_owned()
            }
            Ok(OnApprove::Apply) => {
                format!("It will be committed on branch autodev/{id}; I tell you here when it is.")
            }
            Ok(OnApprove::None) => {
                return format!(
                    "Commit it with <code>autodev apply {id}</code> (branch autodev/{id}), or push it and open a \
                     pull request with /publish {id}."
                );
            }
            Err(e) => {
                return format!(
                    "Not delivered: <b>{}</b> {}",
                    e.code(),
                    escape(&clip_text(&e.to_string(), 500))
                );
            }
        };
        format!("{note}{}", self.deliverer_warning(id))
    }

    /// A warning when no `autodev deliver` runs on this queue (nobody would act on the request).
    fn deliverer_warning(&self, id: TaskId) -> String {
        if delivery::deliver::is_running(&self.queue) {
            return String::new();
        }
        format!(
            "\n⚠️ No <code>autodev deliver</code> is running on this queue: start it (compose profile \
             <code>deliver</code>), or run <code>autodev publish {id}</code> at the PC."
        )
    }

    /// `/publish ID`: logs the request for `autodev deliver` (the bot itself holds no forge token).
    fn publish(&self, id: TaskId, actor: &str) -> String {
        match approval::confirmed(&self.queue, id) {
            Ok(Some(_)) => {}
            Ok(None) => {
                return format!(
                    "<b>NOT_APPROVED</b>: <code>{id}</code> is not approved. /approve {id} first."
                );
            }
            Err(e) => return refusal(&e),
        }
        match self
            .queue
            .record(EventKind::PublishRequested {}, Some(id), actor)
        {
            Ok(()) => format!(
                "Publishing <code>{id}</code>: pushing branch autodev/{id} and opening its pull request. I send the \
                 link here.{}",
                self.deliverer_warning(id)
            ),
            Err(e) => internal(&e),
        }
    }

    /// (rejected, reply).
    fn reject(&self, id: TaskId, user: i64, reason: &str) -> (bool, String) {
        match approval::reject(&self.queue, id, &Self::decider(user), reason) {
            Ok(d) if d.newly => (true, format!("Rejected <code>{id}</code>.")),
            Ok(_) => (true, format!("<code>{id}</code> was already rejected.")),
            Err(e) => (false, refusal(&e)),
        }
    }

    async fn notify_loop(&self, shutdown: CancellationToken) {
        let mut pos = match self.start_position() {
            Ok(p) => p,
            Err(e) => {
                tracing::error!("notifications disabled: {e}");
                return;
            }
        };
        loop {
            if sleep_or_stop(self.config.notify_every, &shutdown).await {
                return;
            }
            let read = match self.queue.log().read_from(pos) {
                Ok(r) => r,
                Err(e) => {
                    tracing::warn!("cannot read events.ndjson: {e}");
                    continue;
                }
            };
            let mut all_sent = true;
            for ev in &read.events {
                let Some(id) = ev.task_id else { continue };
                let sent = match &ev.kind {
                    EventKind::TaskCompleted { outcome } if outcome == "GATE_PASSED" => {
                        self.notify_passed(id).await
                    }
                    EventKind::TaskFailed { reason, message } => {
                        self.notify_failed(id, reason, message).await
                    }
                    EventKind::Published {
                        branch,
                        remote,
                        pr_url,
                        ..
                    } => {
                        self.notify_published(id, branch, remote, pr_url.as_deref())
                            .await
                    }
                    EventKind::Applied { branch, commit } if ev.actor.starts_with("deliver:") => {
                        let html = format!(
                            "📌 <code>{id}</code> committed on branch <code>{}</code> ({})",
                            escape(branch),
                            escape(commit.get(..12).unwrap_or(commit))
                        );
                        self.broadcast(&html, None, None).await
                    }
                    EventKind::DeliveryFailed {
                        code,
                        message,
                        retryable,
                        ..
                    } => {
                        self.notify_delivery_failed(id, code, message, *retryable)
                            .await
                    }
                    _ => true,
                };
                all_sent &= sent;
            }
            // When Telegram was unreachable, read the same events again next time (a message may repeat;
            // none is lost).
            if all_sent && read.end_offset != pos {
                pos = read.end_offset;
                if let Err(e) = self.state.set_events_offset(pos) {
                    tracing::warn!("cannot save the notification offset: {e}");
                }
            }
        }
    }

    /// The saved offset, or the log's end on the first start (no flood of old news).
    fn start_position(&self) -> Result<u64> {
        if let Some(p) = self.state.events_offset()? {
            return Ok(p);
        }
        let end = self.queue.log().read()?.end_offset;
        self.state.set_events_offset(end)?;
        Ok(end)
    }

    /// Sends to every allowed chat; false when Telegram could not be reached (try again later).
    async fn broadcast(
        &self,
        html: &str,
        buttons: Option<Value>,
        doc: Option<(&str, &[u8], &str)>,
    ) -> bool {
        let mut reached = true;
        for &chat in self.config.allow.ids() {
            let sent = self.api.send_message(chat, html, buttons.clone()).await;
            let sent = match (sent, doc) {
                (Ok(_), Some((name, bytes, caption))) => self
                    .api
                    .send_document(chat, name, bytes.to_vec(), caption)
                    .await
                    .map(|_| ()),
                (r, _) => r.map(|_| ()),
            };
            match sent {
                Ok(()) => {}
                Err(e @ (ApiError::Http(_) | ApiError::RetryAfter { .. })) => {
                    tracing::warn!(chat, "notification not sent, will retry: {e}");
                    reached = false;
                }
                // 400 chat not found, 403 the user never started the bot or blocked it: retrying won't help.
                Err(e) => tracing::warn!(chat, "notification not delivered: {e}"),
            }
        }
        reached
    }

    async fn notify_passed(&self, id: TaskId) -> bool {
        let c = match approval::load(&self.queue, id) {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(%id, "gate passed but the result cannot be read: {e}");
                return true;
            }
        };
        let r = &c.report;
        let mut files = String::new();
        for f in r.files_changed.iter().take(30) {
            files.push_str(&format!("• <code>{}</code>\n", escape(&clip(f, 200))));
        }
        if r.files_changed.len() > 30 {
            files.push_str(&format!("… and {} more\n", r.files_changed.len() - 30));
        }
        // The model's own words about its change, marked as such: a claim to check against the patch.
        let summary = r.summary.as_deref().map_or_else(String::new, |s| {
            format!("Model's summary: <i>{}</i>\n", escape(&clip(s, 500)))
        });
        let html = format!(
            "✅ <code>{id}</code> passed the gate\n<b>{}</b>\n{summary}{} file(s) changed, +{} −{} lines\n{files}\n\
             Approve to let <code>autodev apply {id}</code> commit it on branch autodev/{id}.",
            escape(&clip(&c.task.title, 200)),
            r.files_changed.len(),
            r.lines_added,
            r.lines_removed,
        );
        let buttons = json!({"inline_keyboard": [[
            {"text": "✅ Approve", "callback_data": Button::Approve(id).data()},
            {"text": "❌ Reject", "callback_data": Button::Reject(id).data()},
        ]]});
        let name = format!("{id}.patch");
        let caption = format!(
            "patch of <code>{id}</code>, sha256 {}",
            c.sha256.get(..16).unwrap_or_default()
        );
        self.broadcast(&html, Some(buttons), Some((&name, &c.patch, &caption)))
            .await
    }

    async fn notify_published(
        &self,
        id: TaskId,
        branch: &str,
        remote: &str,
        pr_url: Option<&str>,
    ) -> bool {
        let pr = match pr_url {
            Some(url) => format!("\nPull request: {}", escape(url)),
            None => "\nNo pull request: the forge is \"none\" (push only).".to_owned(),
        };
        let html = format!(
            "🚀 <code>{id}</code> pushed: branch <code>{}</code> on {}{pr}",
            escape(branch),
            escape(remote)
        );
        self.broadcast(&html, None, None).await
    }

    async fn notify_delivery_failed(
        &self,
        id: TaskId,
        code: &str,
        message: &str,
        retryable: bool,
    ) -> bool {
        let next = if retryable {
            "I try again by myself."
        } else {
            "Fix the cause, then /publish again (or <code>autodev publish</code> at the PC)."
        };
        let html = format!(
            "⚠️ Delivery of <code>{id}</code> failed: <b>{}</b>\n{}\n{next}",
            escape(&clip(code, 60)),
            escape(&clip_text(message, 1500))
        );
        self.broadcast(&html, None, None).await
    }

    async fn notify_failed(&self, id: TaskId, reason: &str, message: &str) -> bool {
        let title = self
            .queue
            .status_of(id)
            .map(|s| s.title)
            .unwrap_or_default();
        let html = format!(
            "❌ <code>{id}</code> failed: <b>{}</b>\n{}\n{}",
            escape(&clip(reason, 100)),
            escape(&clip(&title, 200)),
            escape(&clip_text(message, 2000)),
        );
        self.broadcast(&html, None, None).await
    }
}

fn parse_id(s: &str) -> std::result::Result<TaskId, String> {
    if s.is_empty() {
        return Err("Give a task id, e.g. <code>/approve T20261125-0001</code>.".to_owned());
    }
    s.parse().map_err(|_| {
        format!(
            "<b>TASK_UNKNOWN</b>: <code>{}</code> is not a task id (they look like T20261125-0001).",
            escape(&clip(s, 40))
        )
    })
}

fn refusal(e: &approval::Error) -> String {
    if e.is_refusal() {
        format!(
            "<b>{}</b>: {}",
            e.code(),
            escape(&clip_text(&e.to_string(), 1500))
        )
    } else {
        internal(e)
    }
}

fn internal(e: &dyn std::fmt::Display) -> String {
    tracing::error!("{e}");
    "Internal error; the bot's log says more.".to_owned()
}

fn strip_tags(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allow_list_is_numeric_and_empty_means_nobody() {
        let a = AllowList::parse(" 42, tg:7 ,telegram:-100123").unwrap();
        assert_eq!(a.ids(), &[42, 7, -100123]);
        assert!(a.permits(Some(42), 42));
        assert!(a.permits(Some(99), -100123), "an allowed group chat");
        assert!(!a.permits(Some(99), 99));
        assert!(!a.permits(None, 5));
        let empty = AllowList::parse("").unwrap();
        assert!(empty.is_empty());
        assert!(!empty.permits(Some(0), 0));
        assert!(AllowList::parse("@alice").is_err());
    }

    #[test]
    fn strip_tags_for_toasts() {
        assert_eq!(
            strip_tags("<b>NOT_APPROVED</b>: a &lt;b&gt;"),
            "NOT_APPROVED: a <b>"
        );
    }
}
