//! The bot: long polling, access control, command and button handlers, gate notifications, /healthz.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use approval::{Decider, Via};
use delivery::OnApprove;
use i18n::{Lang, t};
use queue_core::{EventKind, ResultKind, TaskId, TaskQueue};
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
    /// The language of a chat that has not chosen one with `/lang`.
    pub lang: Lang,
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
    queue: Arc<dyn TaskQueue>,
    state: StateDir,
    /// On a database queue: the queue-wide lock that keeps a second bot (on any machine) from polling.
    _exclusive: Option<queue_core::Exclusive>,
    config: Config,
    health: Arc<Health>,
    /// Each chat's `/lang`, as saved in `lang.json`.
    langs: Mutex<BTreeMap<i64, Lang>>,
}

/// A notification as one chat gets it, in that chat's language.
struct Notice {
    html: String,
    buttons: Option<Value>,
    caption: String,
}

impl Notice {
    fn text(html: String) -> Notice {
        Notice {
            html,
            buttons: None,
            caption: String::new(),
        }
    }
}

/// Runs the bot until `shutdown` is cancelled. Takes the poller lock first ([`Error::AlreadyRunning`]).
pub async fn run(
    queue: Arc<dyn TaskQueue>,
    config: Config,
    shutdown: CancellationToken,
) -> Result<()> {
    let state = match queue.local_root() {
        Some(root) => StateDir::open(root)?,
        None => StateDir::open_local(&queue.location())?,
    };
    let _lock = state.lock_poller()?;
    // A database queue is shared by machines: one bot for all of them.
    let exclusive = if queue.local_root().is_none() {
        match queue.try_exclusive("telegram")? {
            Some(held) => Some(held),
            None => {
                return Err(Error::AlreadyRunning {
                    lock: format!("{} (advisory lock \"telegram\")", queue.location()).into(),
                    pid: "another machine".into(),
                });
            }
        }
    } else {
        None
    };
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
    let langs = Mutex::new(state.chat_langs()?);
    let bot = Arc::new(Bot {
        api,
        queue,
        state,
        _exclusive: exclusive,
        config,
        health,
        langs,
    });
    tracing::info!(
        api = %bot.config.api_base,
        repo = %bot.config.repo.display(),
        allowed = bot.config.allow.ids().len(),
        lang = %bot.config.lang,
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

    /// The language `chat` chose with `/lang`, else the process's.
    fn lang(&self, chat: i64) -> Lang {
        self.langs
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&chat)
            .copied()
            .unwrap_or(self.config.lang)
    }

    async fn on_message(&self, m: Message) {
        let chat = m.chat.id;
        let user = m.from.as_ref().map(|u| u.id);
        let text = m.text.unwrap_or_default();
        let lang = self.lang(chat);
        if !self.config.allow.permits(user, chat) {
            self.audit_denied(user, &text);
            let html = match user {
                Some(id) => t!(lang, "bot-not-allowed", id = &id),
                None => t!(lang, "bot-not-allowed-anonymous"),
            };
            self.reply(chat, &html).await;
            return;
        }
        let actor = format!("telegram:{}", user.unwrap_or(chat));
        let html = match commands::parse(&text) {
            None => t!(lang, "bot-unknown-input"),
            Some(Command::Lang(arg)) => self.set_lang(chat, &arg),
            Some(command) => self.command(command, lang, chat, user, &actor),
        };
        self.reply(chat, &html).await;
    }

    /// Every command but `/lang`, answered in `lang`.
    fn command(
        &self,
        command: Command,
        lang: Lang,
        chat: i64,
        user: Option<i64>,
        actor: &str,
    ) -> String {
        match command {
            Command::Help => escape(&commands::help(lang)),
            Command::Work(args) => self.work(&args, actor, lang),
            Command::Status(id) => self.status(id.as_deref(), lang),
            Command::Stop => match self.queue.pause(actor, "/stop from Telegram") {
                Ok(true) => t!(lang, "bot-paused"),
                Ok(false) => t!(lang, "bot-already-paused"),
                Err(e) => internal(&e, lang),
            },
            Command::Resume => match self.queue.resume(actor) {
                Ok(true) => t!(lang, "bot-resumed"),
                Ok(false) => t!(lang, "bot-not-paused"),
                Err(e) => internal(&e, lang),
            },
            Command::Approve(id) => match parse_id(&id, lang) {
                Ok(id) => self.approve(id, user.unwrap_or(chat), lang).1,
                Err(html) => html,
            },
            Command::Reject(id, reason) => match parse_id(&id, lang) {
                Ok(id) => self.reject(id, user.unwrap_or(chat), &reason, lang).1,
                Err(html) => html,
            },
            Command::Publish(id) => match parse_id(&id, lang) {
                Ok(id) => self.publish(id, actor, lang),
                Err(html) => html,
            },
            Command::Lang(arg) => self.set_lang(chat, &arg),
            Command::Unknown(name) => {
                t!(
                    lang,
                    "bot-unknown-command",
                    name = &escape(&clip(&name, 40))
                )
            }
        }
    }

    /// `/lang [ko|en]`: shows or sets the chat's language, saved durably before it is answered.
    fn set_lang(&self, chat: i64, arg: &str) -> String {
        if arg.trim().is_empty() {
            return t!(self.lang(chat), "bot-lang-current");
        }
        let Some(lang) = Lang::parse(arg) else {
            return t!(self.lang(chat), "bot-lang-unknown");
        };
        let mut langs = self.langs.lock().unwrap_or_else(PoisonError::into_inner);
        let mut next = langs.clone();
        next.insert(chat, lang);
        if let Err(e) = self.state.set_chat_langs(&next) {
            return internal(&e, self.config.lang);
        }
        *langs = next;
        tracing::info!(chat, %lang, "chat language set");
        t!(lang, "bot-lang-set")
    }

    async fn on_callback(&self, cq: crate::api::CallbackQuery) {
        let user = cq.from.id;
        let chat = cq.message.as_ref().map_or(user, |m| m.chat.id);
        let data = cq.data.clone().unwrap_or_default();
        let lang = self.lang(chat);
        if !self.config.allow.permits_user(user) {
            self.audit_denied(Some(user), &format!("button {data}"));
            let toast = t!(lang, "bot-toast-not-allowed");
            if let Err(e) = self.api.answer_callback_query(&cq.id, &toast).await {
                tracing::warn!("answerCallbackQuery: {e}");
            }
            return;
        }
        let (toast, done, html) = match Button::parse(&data) {
            None => (t!(lang, "bot-toast-unknown-button"), false, None),
            Some(Button::Approve(id)) => {
                let (ok, html) = self.approve(id, user, lang);
                (
                    if ok {
                        t!(lang, "bot-toast-approved", id = &id)
                    } else {
                        strip_tags(&html)
                    },
                    ok,
                    Some(html),
                )
            }
            Some(Button::Reject(id)) => {
                // The reason is recorded, not shown: it stays English like the log.
                let (ok, html) = self.reject(id, user, "rejected with the Telegram button", lang);
                (
                    if ok {
                        t!(lang, "bot-toast-rejected", id = &id)
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

    fn work(&self, args: &str, actor: &str, lang: Lang) -> String {
        let mut spec = commands::parse_work(args);
        spec.repo = Some(self.config.repo.to_string_lossy().into_owned());
        let ctx = submit::ValidateContext {
            cwd: self.config.repo.clone(),
        };
        match submit::submit(&*self.queue, &spec, &ctx, actor) {
            Ok(task) => t!(
                lang,
                "bot-queued",
                id = &task.id,
                title = &escape(&clip(&task.title, 200))
            ),
            Err(submit::SubmitError::Rejected(rs)) => {
                let mut s = t!(lang, "bot-not-queued");
                s.push('\n');
                for r in rs.iter().take(10) {
                    let field = r
                        .field
                        .as_deref()
                        .map(|f| format!(" ({})", escape(f)))
                        .unwrap_or_default();
                    s.push_str(&format!(
                        "• <b>{}</b>{field}: {}\n",
                        r.code.as_str(),
                        escape(&clip_text(&r.localized(lang), 300))
                    ));
                }
                s.push('\n');
                s.push_str(&t!(lang, "bot-how-to-write"));
                s.push('\n');
                s.push_str(&escape(&commands::work_syntax(lang)));
                s
            }
            Err(submit::SubmitError::Queue(e)) => internal(&e, lang),
        }
    }

    fn status(&self, id: Option<&str>, lang: Lang) -> String {
        let Some(id) = id else {
            return match self
                .queue
                .tasks()
                .and_then(|t| Ok((t, self.queue.paused()?)))
            {
                Ok((tasks, paused)) => {
                    let mut s = String::new();
                    if paused {
                        s.push_str(&t!(lang, "bot-status-paused"));
                        s.push('\n');
                    }
                    let corrupt = self.corrupt_files();
                    if corrupt > 0 {
                        s.push_str(&t!(lang, "bot-status-corrupt", count = corrupt));
                        s.push('\n');
                    }
                    if tasks.is_empty() {
                        s.push_str(&t!(lang, "bot-status-no-tasks"));
                        return s;
                    }
                    let mut per_state = BTreeMap::<queue_core::TaskState, usize>::new();
                    for t in &tasks {
                        *per_state.entry(t.state).or_default() += 1;
                    }
                    let counts: Vec<String> = per_state
                        .iter()
                        .map(|(st, n)| format!("{n} {}", st.as_str()))
                        .collect();
                    s.push_str(&t!(
                        lang,
                        "bot-status-count",
                        count = tasks.len(),
                        counts = &counts.join(", ")
                    ));
                    s.push('\n');
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
                Err(e) => internal(&e, lang),
            };
        };
        let id = match parse_id(id, lang) {
            Ok(id) => id,
            Err(html) => return html,
        };
        match self.task_view(id) {
            Ok(task) => {
                let mut s = format!(
                    "<code>{}</code> <b>{}</b>\n{}\n",
                    task.id,
                    task.state.as_str(),
                    escape(&clip(&task.title, 200)),
                );
                s.push_str(&t!(
                    lang,
                    "bot-task-summary",
                    intent = &task.intent,
                    targets = &escape(&clip(&task.targets.join(", "), 500)),
                    attempts = task.attempts,
                    max = task.max_attempts
                ));
                s.push('\n');
                if let Some(r) = &task.failure_reason {
                    let reason = escape(r);
                    s.push_str(&match queue_core::explain::failure(r, lang) {
                        Some(why) => t!(
                            lang,
                            "bot-task-failure-explained",
                            reason = &reason,
                            explanation = &escape(&why),
                            reasons = &reason_lines(&gate_codes(r, task.gate.as_ref()), lang)
                        ),
                        None => t!(lang, "bot-task-failure", reason = &reason),
                    });
                    s.push('\n');
                }
                if let Ok(c) = approval::load(&*self.queue, id) {
                    s.push_str(&t!(
                        lang,
                        "bot-task-diffstat",
                        files = c.report.files_changed.len(),
                        added = c.report.lines_added,
                        removed = c.report.lines_removed
                    ));
                    s.push('\n');
                }
                s.push_str(&self.delivery_line(id, lang));
                s
            }
            Err(queue_core::Error::UnknownTask(_)) => t!(lang, "bot-task-unknown", id = &id),
            Err(queue_core::Error::TaskCorrupt { detail, .. }) => t!(
                lang,
                "bot-task-corrupt",
                id = &id,
                detail = &escape(&clip(&detail, 300))
            ),
            Err(e) => internal(&e, lang),
        }
    }

    /// A task as `/status ID` shows it, from any queue backend.
    fn task_view(&self, id: TaskId) -> queue_core::Result<TaskView> {
        let (task, state) = self.queue.task(id)?;
        let failure_reason = if state == queue_core::TaskState::Failed {
            self.queue.last_failure_reason(id)?
        } else {
            None
        };
        let gate = self
            .queue
            .get_result(id, ResultKind::Gate)
            .ok()
            .flatten()
            .and_then(|b| serde_json::from_slice(&b).ok());
        Ok(TaskView {
            id,
            state,
            title: task.title,
            intent: task.intent.to_string(),
            targets: task.targets,
            attempts: task.attempt,
            max_attempts: self.queue.config().max_attempts,
            failure_reason,
            gate,
        })
    }

    /// Task files a worker could not read (a folder queue only; a database has none).
    fn corrupt_files(&self) -> usize {
        self.queue
            .local_root()
            .and_then(|root| queue_core::Queue::open(root).ok())
            .and_then(|q| q.corrupt_files().ok())
            .map_or(0, |c| c.len())
    }

    fn decider(user: i64) -> Decider {
        Decider {
            by: user.to_string(),
            via: Via::Telegram,
        }
    }

    /// (approved, reply).
    fn approve(&self, id: TaskId, user: i64, lang: Lang) -> (bool, String) {
        match approval::approve(&*self.queue, id, &Self::decider(user)) {
            Ok(d) if d.newly => (
                true,
                t!(
                    lang,
                    "bot-approved",
                    id = &id,
                    sha = d.record.patch_sha256.get(..12).unwrap_or_default(),
                    next = &self.delivery_note(id, lang)
                ),
            ),
            Ok(_) => (
                true,
                t!(
                    lang,
                    "bot-already-approved",
                    id = &id,
                    next = &self.delivery_note(id, lang)
                ),
            ),
            Err(e) => (false, refusal(&e, lang)),
        }
    }

    /// The delivery as the log tells it: pushed (with the pull request), or the last failure.
    fn delivery_line(&self, id: TaskId, lang: Lang) -> String {
        if let Ok(Some(p)) = delivery::delivery_status(&*self.queue, id) {
            let (branch, remote) = (escape(&p.branch), escape(&p.remote));
            let line = match p.pr_url {
                Some(url) => t!(
                    lang,
                    "bot-delivery-pushed-pr",
                    branch = &branch,
                    remote = &remote,
                    url = &escape(&url)
                ),
                None => t!(
                    lang,
                    "bot-delivery-pushed",
                    branch = &branch,
                    remote = &remote
                ),
            };
            return format!("{line}\n");
        }
        match delivery::deliver::last_failure(&*self.queue, id) {
            Ok(Some((code, message))) => {
                let (shown, message) =
                    (escape(&clip(&code, 60)), escape(&clip_text(&message, 500)));
                let line = match delivery::explain_code(&code, lang) {
                    Some(why) => t!(
                        lang,
                        "bot-delivery-failed-explained",
                        code = &shown,
                        explanation = &escape(&why),
                        message = &message
                    ),
                    None => t!(
                        lang,
                        "bot-delivery-failed",
                        code = &shown,
                        message = &message
                    ),
                };
                format!("{line}\n")
            }
            _ => String::new(),
        }
    }

    /// What happens after the approval, as the repository's `delivery.toml` says.
    fn delivery_note(&self, id: TaskId, lang: Lang) -> String {
        let on = approval::load(&*self.queue, id)
            .map_err(delivery::Error::from)
            .and_then(|c| delivery::deliver::on_approve(&c.task.repo));
        let note = match on {
            Ok(OnApprove::Publish) => t!(lang, "bot-next-publish"),
            Ok(OnApprove::Apply) => t!(lang, "bot-next-apply", id = &id),
            Ok(OnApprove::None) => return t!(lang, "bot-next-manual", id = &id),
            Err(e) => {
                return t!(
                    lang,
                    "bot-not-delivered",
                    code = e.code(),
                    message = &escape(&clip_text(&e.localized(lang), 500))
                );
            }
        };
        format!("{note}{}", self.deliverer_warning(id, lang))
    }

    /// A warning when no `autodev deliver` runs on this queue (nobody would act on the request).
    fn deliverer_warning(&self, id: TaskId, lang: Lang) -> String {
        if delivery::deliver::is_running(&*self.queue) {
            return String::new();
        }
        format!("\n{}", t!(lang, "bot-no-deliverer", id = &id))
    }

    /// `/publish ID`: logs the request for `autodev deliver` (the bot itself holds no forge token).
    fn publish(&self, id: TaskId, actor: &str, lang: Lang) -> String {
        match approval::confirmed(&*self.queue, id) {
            Ok(Some(_)) => {}
            Ok(None) => return t!(lang, "bot-publish-not-approved", id = &id),
            Err(e) => return refusal(&e, lang),
        }
        match self
            .queue
            .record(EventKind::PublishRequested {}, Some(id), actor)
        {
            Ok(()) => format!(
                "{}{}",
                t!(lang, "bot-publishing", id = &id),
                self.deliverer_warning(id, lang)
            ),
            Err(e) => internal(&e, lang),
        }
    }

    /// (rejected, reply).
    fn reject(&self, id: TaskId, user: i64, reason: &str, lang: Lang) -> (bool, String) {
        match approval::reject(&*self.queue, id, &Self::decider(user), reason) {
            Ok(d) if d.newly => (true, t!(lang, "bot-rejected", id = &id)),
            Ok(_) => (true, t!(lang, "bot-already-rejected", id = &id)),
            Err(e) => (false, refusal(&e, lang)),
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
            let (events, end) = match self.queue.events_after(pos) {
                Ok(r) => r,
                Err(e) => {
                    tracing::warn!("cannot read the queue's events: {e}");
                    continue;
                }
            };
            let mut all_sent = true;
            for ev in &events {
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
                        let (branch, commit) =
                            (escape(branch), escape(commit.get(..12).unwrap_or(commit)));
                        self.broadcast(None, |lang| {
                            Notice::text(t!(
                                lang,
                                "bot-notify-applied",
                                id = &id,
                                branch = &branch,
                                commit = &commit
                            ))
                        })
                        .await
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
            if all_sent && end != pos {
                pos = end;
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
        let mut end = 0;
        loop {
            let (page, next) = self.queue.events_after(end)?;
            if page.is_empty() || next == end {
                break;
            }
            end = next;
        }
        self.state.set_events_offset(end)?;
        Ok(end)
    }

    /// Sends to every allowed chat, each in its language (`notice`), with `doc` (file name, bytes) after the
    /// message when given; false when Telegram could not be reached (try again later).
    async fn broadcast(&self, doc: Option<(&str, &[u8])>, notice: impl Fn(Lang) -> Notice) -> bool {
        let mut reached = true;
        for &chat in self.config.allow.ids() {
            let n = notice(self.lang(chat));
            let sent = self.api.send_message(chat, &n.html, n.buttons).await;
            let sent = match (sent, doc) {
                (Ok(_), Some((name, bytes))) => self
                    .api
                    .send_document(chat, name, bytes.to_vec(), &n.caption)
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
        let c = match approval::load(&*self.queue, id) {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(%id, "gate passed but the result cannot be read: {e}");
                return true;
            }
        };
        let r = &c.report;
        let listed: String = r
            .files_changed
            .iter()
            .take(30)
            .map(|f| format!("• <code>{}</code>\n", escape(&clip(f, 200))))
            .collect();
        let title = escape(&clip(&c.task.title, 200));
        let summary = r.summary.as_deref().map(|s| escape(&clip(s, 500)));
        let sha = c.sha256.get(..16).unwrap_or_default();
        let name = format!("{id}.patch");
        self.broadcast(Some((&name, &c.patch)), |lang| {
            let mut files = listed.clone();
            if r.files_changed.len() > 30 {
                files.push_str(&t!(lang, "bot-more-files", count = r.files_changed.len() - 30));
                files.push('\n');
            }
            // The model's own words about its change, marked as such: a claim to check against the patch.
            let summary = summary.as_deref().map_or_else(String::new, |s| {
                format!("{}\n", t!(lang, "bot-model-summary", summary = s))
            });
            Notice {
                html: t!(
                    lang,
                    "bot-notify-passed",
                    id = &id,
                    title = &title,
                    summary = &summary,
                    count = r.files_changed.len(),
                    added = r.lines_added,
                    removed = r.lines_removed,
                    files = &files
                ),
                buttons: Some(json!({"inline_keyboard": [[
                    {"text": t!(lang, "bot-button-approve"), "callback_data": Button::Approve(id).data()},
                    {"text": t!(lang, "bot-button-reject"), "callback_data": Button::Reject(id).data()},
                ]]})),
                caption: t!(lang, "bot-patch-caption", id = &id, sha = sha),
            }
        })
        .await
    }

    async fn notify_published(
        &self,
        id: TaskId,
        branch: &str,
        remote: &str,
        pr_url: Option<&str>,
    ) -> bool {
        let (branch, remote) = (escape(branch), escape(remote));
        let url = pr_url.map(escape);
        self.broadcast(None, |lang| {
            Notice::text(match &url {
                Some(url) => t!(
                    lang,
                    "bot-notify-published",
                    id = &id,
                    branch = &branch,
                    remote = &remote,
                    url = url
                ),
                None => t!(
                    lang,
                    "bot-notify-published-no-pr",
                    id = &id,
                    branch = &branch,
                    remote = &remote
                ),
            })
        })
        .await
    }

    async fn notify_delivery_failed(
        &self,
        id: TaskId,
        code: &str,
        message: &str,
        retryable: bool,
    ) -> bool {
        let (shown, message) = (escape(&clip(code, 60)), escape(&clip_text(message, 1500)));
        self.broadcast(None, |lang| {
            let next = if retryable {
                t!(lang, "bot-delivery-retrying")
            } else {
                t!(lang, "bot-delivery-fix-first")
            };
            // The log's message is English (it is the record); the code's meaning in the chat's language.
            Notice::text(match delivery::explain_code(code, lang) {
                Some(why) => t!(
                    lang,
                    "bot-notify-delivery-failed-explained",
                    id = &id,
                    code = &shown,
                    explanation = &escape(&why),
                    message = &message,
                    next = &next
                ),
                None => t!(
                    lang,
                    "bot-notify-delivery-failed",
                    id = &id,
                    code = &shown,
                    message = &message,
                    next = &next
                ),
            })
        })
        .await
    }

    async fn notify_failed(&self, id: TaskId, reason: &str, message: &str) -> bool {
        let (title, gate) = self
            .task_view(id)
            .map(|s| (s.title, s.gate))
            .unwrap_or_default();
        let gate_codes = gate_codes(reason, gate.as_ref());
        let code = reason;
        let reason = escape(&clip(code, 100));
        let title = escape(&clip(&title, 200));
        let message = escape(&clip_text(message, 2000));
        self.broadcast(None, |lang| {
            // The log's message is English (it is the record); the code's meaning in the chat's language.
            Notice::text(match queue_core::explain::failure(code, lang) {
                Some(why) => t!(
                    lang,
                    "bot-notify-failed-explained",
                    id = &id,
                    reason = &reason,
                    title = &title,
                    explanation = &escape(&why),
                    reasons = &reason_lines(&gate_codes, lang),
                    message = &message
                ),
                None => t!(
                    lang,
                    "bot-notify-failed",
                    id = &id,
                    reason = &reason,
                    title = &title,
                    message = &message
                ),
            })
        })
        .await
    }
}

/// For a task that failed at the gate (`GATE_FAILED`), the codes of the gate's last FAIL, from its `gate.json`;
/// none otherwise (or when the file cannot be read: it is only shown, never relied on).
/// What `/status ID` shows of a task.
struct TaskView {
    id: TaskId,
    state: queue_core::TaskState,
    title: String,
    intent: String,
    targets: Vec<String>,
    attempts: u32,
    max_attempts: u32,
    failure_reason: Option<String>,
    /// The gate's report, when the worker stored one.
    gate: Option<gate::GateReport>,
}

fn gate_codes(reason: &str, gate: Option<&gate::GateReport>) -> Vec<gate::ReasonCode> {
    // protocol::WorkerCode::GateFailed's wire name (stable: events and scripts match on it).
    if reason != "GATE_FAILED" {
        return Vec::new();
    }
    gate.filter(|r| !r.passed())
        .map(|r| r.reason_codes())
        .unwrap_or_default()
}

/// Each gate reason code with what it means in `lang`, each after a line break (HTML).
fn reason_lines(codes: &[gate::ReasonCode], lang: Lang) -> String {
    codes
        .iter()
        .map(|&code| {
            let why = escape(&gate::explain_reason(code, lang));
            format!(
                "\n{}",
                t!(
                    lang,
                    "bot-gate-reason",
                    code = code.as_str(),
                    explanation = &why
                )
            )
        })
        .collect()
}

fn parse_id(s: &str, lang: Lang) -> std::result::Result<TaskId, String> {
    if s.is_empty() {
        return Err(t!(lang, "bot-give-id"));
    }
    s.parse()
        .map_err(|_| t!(lang, "bot-not-a-task-id", id = &escape(&clip(s, 40))))
}

fn refusal(e: &approval::Error, lang: Lang) -> String {
    if e.is_refusal() {
        format!(
            "<b>{}</b>: {}",
            e.code(),
            escape(&clip_text(&e.localized(lang), 1500))
        )
    } else {
        internal(e, lang)
    }
}

fn internal(e: &dyn std::fmt::Display, lang: Lang) -> String {
    tracing::error!("{e}");
    t!(lang, "bot-internal-error")
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
