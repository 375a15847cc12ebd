//! # queue-pg
//!
//! autodev's task queue on PostgreSQL, for workers on several machines sharing one queue, one set of results and
//! one audit log. It implements [`queue_core::TaskQueue`] with the filesystem queue's guarantees, in SQL:
//!
//! - a claim is one short transaction: the oldest pending row `FOR UPDATE SKIP LOCKED`, a fresh token, a lease
//!   from the database's `now()` (workers' clocks do not matter) and the `TASK_CLAIMED` event, committed together;
//! - renew, complete, fail, release and [`queue_core::TaskQueue::put_result`] check the token in their `WHERE`: a
//!   stale holder changes 0 rows and gets [`queue_core::Error::LeaseLost`];
//! - every change of state commits with its event and its result rows;
//! - idle workers and `events --follow` wake on `LISTEN/NOTIFY`; polling stays the fallback.
//!
//! The schema is versioned ([`schema`]); [`PgQueue::init`] applies it, [`PgQueue::open`] refuses a database made
//! by a newer autodev.
//!
//! Calls block the calling thread: the client runs on a small runtime of its own, so the queue can be used from
//! plain threads and from async code alike (as the filesystem queue is).

mod ops;
pub mod schema;

use std::future::Future;
use std::path::Path;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use queue_core::{
    Claim, DecisionKind, Error, Event, EventKind, NewTask, QueueConfig, ReapSummary, Result,
    ResultKind, Task, TaskId, TaskQueue, TaskRow, TaskState,
};
use tokio_postgres::NoTls;

pub use schema::SCHEMA_VERSION;

/// Whether `s` names a PostgreSQL queue (`postgres://…` or `postgresql://…`) rather than a folder.
pub fn is_postgres_url(s: &str) -> bool {
    s.starts_with("postgres://") || s.starts_with("postgresql://")
}

/// What a connection error or a server refusal became, and whether the operation may simply be run again.
#[derive(Debug)]
pub(crate) enum OpError {
    /// Final: returned as is.
    Queue(Error),
    /// The server or connection failed before the transaction's commit was sent: nothing happened, so the
    /// operation can run again on a fresh connection.
    Db(tokio_postgres::Error),
    /// The pool gave no connection.
    Pool(String),
}

impl From<tokio_postgres::Error> for OpError {
    fn from(e: tokio_postgres::Error) -> Self {
        OpError::Db(e)
    }
}

impl From<Error> for OpError {
    fn from(e: Error) -> Self {
        OpError::Queue(e)
    }
}

/// The server's own words for `e` (tokio-postgres' `Display` says only "db error").
pub(crate) fn describe(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{} ({})", db.message(), db.code().code()),
        None => match std::error::Error::source(e) {
            Some(src) => format!("{e}: {src}"),
            None => e.to_string(),
        },
    }
}

/// Shared by the queue handle and the tasks it runs on its runtime.
#[derive(Debug)]
pub(crate) struct Inner {
    pub(crate) pool: Pool,
    pub(crate) location: String,
    pub(crate) config: QueueConfig,
    last_reap: Mutex<Option<Instant>>,
}

impl Inner {
    pub(crate) fn db_error(&self, detail: impl Into<String>) -> Error {
        Error::Database {
            location: self.location.clone(),
            detail: detail.into(),
        }
    }

    pub(crate) fn final_error(&self, e: OpError) -> Error {
        match e {
            OpError::Queue(e) => e,
            OpError::Db(e) => self.db_error(describe(&e)),
            OpError::Pool(detail) => self.db_error(detail),
        }
    }
}

/// Wakes [`TaskQueue::wait_for_work`] when the listener hears a notification.
#[derive(Debug, Default)]
struct Wake {
    generation: Mutex<u64>,
    cond: Condvar,
}

/// The client's runtime. Dropping a runtime blocks, which panics inside async code (a worker, the doctor), so
/// this one is always let go in the background, whichever way it is dropped (an error on open included).
#[derive(Debug)]
struct Rt(Option<tokio::runtime::Runtime>);

impl Rt {
    fn handle(&self) -> Option<&tokio::runtime::Handle> {
        self.0.as_ref().map(tokio::runtime::Runtime::handle)
    }
}

impl Drop for Rt {
    fn drop(&mut self) {
        if let Some(rt) = self.0.take() {
            rt.shutdown_background();
        }
    }
}

/// A queue in a PostgreSQL database.
#[derive(Debug)]
pub struct PgQueue {
    _rt: Rt,
    handle: tokio::runtime::Handle,
    inner: Arc<Inner>,
    pg_config: tokio_postgres::Config,
    wake: Arc<Wake>,
    listening: Mutex<bool>,
}

/// How often an operation that lost its connection before committing is run again.
const TRIES: u32 = 3;

impl PgQueue {
    /// Creates the schema (or brings it up to [`SCHEMA_VERSION`]) and the settings row if missing; never
    /// changes the settings of a queue that exists. Idempotent.
    pub fn init(url: &str, config: QueueConfig) -> Result<PgQueue> {
        let (rt, pg_config, location) = Self::runtime_and_config(url)?;
        let boot = Inner {
            pool: pool_for(&pg_config, 1)?,
            location: location.clone(),
            config: config.clone(),
            last_reap: Mutex::new(None),
        };
        let boot = Arc::new(boot);
        let b = Arc::clone(&boot);
        block_on(
            &rt,
            &location,
            async move { schema::migrate(&b, &config).await },
        )?;
        drop(boot);
        Self::open_with(rt, pg_config, location)
    }

    /// Opens a queue made by [`PgQueue::init`]: [`Error::NotInitialised`] without the schema,
    /// [`Error::SchemaTooNew`] when a newer autodev made it.
    pub fn open(url: &str) -> Result<PgQueue> {
        let (rt, pg_config, location) = Self::runtime_and_config(url)?;
        Self::open_with(rt, pg_config, location)
    }

    fn runtime_and_config(url: &str) -> Result<(Rt, tokio_postgres::Config, String)> {
        let mut cfg: tokio_postgres::Config = url.parse().map_err(|e| Error::Database {
            location: "(an address that does not parse)".into(),
            detail: format!(
                "not a PostgreSQL address ({e}); write it as postgres://USER:PASSWORD@HOST:PORT/DATABASE"
            ),
        })?;
        cfg.connect_timeout(Duration::from_secs(5));
        if cfg.get_application_name().is_none() {
            cfg.application_name("autodev");
        }
        let location = location_of(&cfg);
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("autodev-pg")
            .enable_all()
            .build()
            .map_err(|e| Error::Database {
                location: location.clone(),
                detail: format!("cannot start the database client's threads: {e}"),
            })?;
        Ok((Rt(Some(rt)), cfg, location))
    }

    fn open_with(rt: Rt, pg_config: tokio_postgres::Config, location: String) -> Result<PgQueue> {
        let pool = pool_for(&pg_config, 8)?;
        let probe = Arc::new(Inner {
            pool: pool.clone(),
            location: location.clone(),
            config: QueueConfig::default(),
            last_reap: Mutex::new(None),
        });
        let p = Arc::clone(&probe);
        let config = block_on(&rt, &location, async move { schema::check(&p).await })?;
        let inner = Arc::new(Inner {
            pool,
            location,
            config,
            last_reap: Mutex::new(None),
        });
        let handle = rt
            .handle()
            .cloned()
            .ok_or_else(|| inner.db_error("no client runtime"))?;
        Ok(PgQueue {
            handle,
            _rt: rt,
            inner,
            pg_config,
            wake: Arc::default(),
            listening: Mutex::new(false),
        })
    }

    /// Runs `op` on the client's runtime and waits for it; an operation whose connection broke before its commit
    /// is run again on a fresh connection (up to [`TRIES`] times).
    fn run<T, F, Fut>(&self, op: F) -> Result<T>
    where
        T: Send + 'static,
        F: Fn(Arc<Inner>) -> Fut + Send + 'static,
        Fut: Future<Output = std::result::Result<T, OpError>> + Send + 'static,
    {
        let inner = Arc::clone(&self.inner);
        let fut = async move {
            let mut tries = 0;
            loop {
                tries += 1;
                match op(Arc::clone(&inner)).await {
                    Ok(v) => return Ok(v),
                    Err(OpError::Db(e)) if tries < TRIES && retryable(&e) => {
                        tracing::warn!(error = %describe(&e), tries, "queue database: trying again on a fresh connection");
                        tokio::time::sleep(Duration::from_millis(50 * u64::from(tries))).await;
                    }
                    Err(OpError::Pool(d)) if tries < TRIES => {
                        tracing::warn!(error = %d, tries, "queue database: no connection; trying again");
                        tokio::time::sleep(Duration::from_millis(200 * u64::from(tries))).await;
                    }
                    Err(e) => return Err(inner.final_error(e)),
                }
            }
        };
        block_on_handle(&self.handle, &self.inner, fut)
    }

    /// The server's version (`SHOW server_version`), for `autodev doctor`.
    pub fn server_version(&self) -> Result<String> {
        self.run(|inner| async move {
            let c = ops::client(&inner).await?;
            let row = c.query_one("SHOW server_version", &[]).await?;
            Ok(row.get::<_, String>(0))
        })
    }

    /// The schema version in the database.
    pub fn schema_version(&self) -> Result<i32> {
        self.run(|inner| async move {
            let c = ops::client(&inner).await?;
            Ok(schema::version(&c).await?.unwrap_or(0))
        })
    }

    /// Starts the connection that LISTENs for events, once.
    fn ensure_listener(&self) {
        let mut started = self.listening.lock().unwrap_or_else(|p| p.into_inner());
        if *started {
            return;
        }
        *started = true;
        let wake = Arc::clone(&self.wake);
        let cfg = self.pg_config.clone();
        self.handle.spawn(ops::listen(cfg, move || {
            let mut g = wake.generation.lock().unwrap_or_else(|p| p.into_inner());
            *g = g.wrapping_add(1);
            wake.cond.notify_all();
        }));
    }
}

/// Runs `fut` on `rt` from outside it.
fn block_on<T: Send + 'static>(
    rt: &Rt,
    location: &str,
    fut: impl Future<Output = std::result::Result<T, OpError>> + Send + 'static,
) -> Result<T> {
    let (tx, rx) = std::sync::mpsc::sync_channel(1);
    if let Some(h) = rt.handle() {
        h.spawn(async move {
            let _ = tx.send(fut.await);
        });
    }
    match rx.recv() {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(OpError::Queue(e))) => Err(e),
        Ok(Err(OpError::Db(e))) => Err(Error::Database {
            location: location.to_string(),
            detail: describe(&e),
        }),
        Ok(Err(OpError::Pool(d))) => Err(Error::Database {
            location: location.to_string(),
            detail: d,
        }),
        Err(_) => Err(Error::Database {
            location: location.to_string(),
            detail: "the database client stopped".into(),
        }),
    }
}

/// Runs `fut` on the runtime behind `handle` and waits on a channel: a plain blocking wait, which is allowed on
/// any thread (a runtime's own `block_on` is not, inside async code).
fn block_on_handle<T: Send + 'static>(
    handle: &tokio::runtime::Handle,
    inner: &Inner,
    fut: impl Future<Output = Result<T>> + Send + 'static,
) -> Result<T> {
    let (tx, rx) = std::sync::mpsc::sync_channel(1);
    handle.spawn(async move {
        let _ = tx.send(fut.await);
    });
    rx.recv()
        .unwrap_or_else(|_| Err(inner.db_error("the database client stopped")))
}

/// A connection that broke, or a transaction the server rolled back for a conflict: nothing was committed.
fn retryable(e: &tokio_postgres::Error) -> bool {
    use tokio_postgres::error::SqlState;
    if e.is_closed() {
        return true;
    }
    match e.code() {
        Some(c) => {
            *c == SqlState::T_R_SERIALIZATION_FAILURE
                || *c == SqlState::T_R_DEADLOCK_DETECTED
                || *c == SqlState::ADMIN_SHUTDOWN
                || c.code().starts_with("08")
        }
        // An I/O error on the socket.
        None => std::error::Error::source(e).is_some_and(|s| s.is::<std::io::Error>()),
    }
}

fn pool_for(cfg: &tokio_postgres::Config, size: usize) -> Result<Pool> {
    let mgr = Manager::from_config(
        cfg.clone(),
        NoTls,
        ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        },
    );
    Pool::builder(mgr)
        .max_size(size)
        .runtime(deadpool_postgres::Runtime::Tokio1)
        .wait_timeout(Some(Duration::from_secs(30)))
        .create_timeout(Some(Duration::from_secs(10)))
        .build()
        .map_err(|e| Error::Database {
            location: location_of(cfg),
            detail: format!("cannot set up the connection pool: {e}"),
        })
}

/// `postgres://user@host:port/db`: the address without its password, for messages and logs.
pub fn location_of(cfg: &tokio_postgres::Config) -> String {
    use tokio_postgres::config::Host;
    let hosts: Vec<String> = cfg
        .get_hosts()
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let port = cfg
                .get_ports()
                .get(i)
                .or(cfg.get_ports().first())
                .copied()
                .unwrap_or(5432);
            match h {
                Host::Tcp(name) => format!("{name}:{port}"),
                Host::Unix(dir) => format!("{}:{port}", dir.display()),
            }
        })
        .collect();
    format!(
        "postgres://{}@{}/{}",
        cfg.get_user().unwrap_or(""),
        hosts.join(","),
        cfg.get_dbname().unwrap_or("")
    )
}

impl TaskQueue for PgQueue {
    fn location(&self) -> String {
        self.inner.location.clone()
    }

    fn local_root(&self) -> Option<&Path> {
        None
    }

    fn config(&self) -> &QueueConfig {
        &self.inner.config
    }

    fn submit(&self, new: NewTask, actor: &str) -> Result<Task> {
        let actor = actor.to_string();
        self.run(move |inner| ops::submit(inner, new.clone(), actor.clone()))
    }

    fn claim(&self, owner: &str) -> Result<Option<Claim>> {
        self.maybe_reap(owner)?;
        let owner = owner.to_string();
        self.run(move |inner| ops::claim(inner, owner.clone()))
    }

    fn renew(&self, claim: &Claim) -> Result<()> {
        let (id, token) = (claim.task.id, claim.token.clone());
        self.run(move |inner| ops::renew(inner, id, token.clone()))
    }

    fn complete(&self, claim: &Claim, outcome: &str) -> Result<()> {
        let kind = EventKind::TaskCompleted {
            outcome: outcome.to_string(),
        };
        self.finish(claim, TaskState::Done, None, kind)
    }

    fn fail(&self, claim: &Claim, reason: &str, message: &str) -> Result<()> {
        let kind = EventKind::TaskFailed {
            reason: reason.to_string(),
            message: queue_core::text::clip(message, queue_core::MAX_FAILURE_MESSAGE).into_owned(),
        };
        self.finish(claim, TaskState::Failed, Some(reason.to_string()), kind)
    }

    fn release(&self, claim: &Claim, reason: &str) -> Result<()> {
        let kind = EventKind::TaskReleased {
            reason: reason.to_string(),
        };
        self.finish(claim, TaskState::Pending, None, kind)
    }

    fn reap_expired(&self, actor: &str) -> Result<ReapSummary> {
        let actor = actor.to_string();
        self.run(move |inner| ops::reap(inner, actor.clone()))
    }

    fn paused(&self) -> Result<bool> {
        self.run(ops::paused)
    }

    fn pause(&self, actor: &str, reason: &str) -> Result<bool> {
        let (actor, reason) = (actor.to_string(), reason.to_string());
        self.run(move |inner| ops::set_paused(inner, actor.clone(), Some(reason.clone())))
    }

    fn resume(&self, actor: &str) -> Result<bool> {
        let actor = actor.to_string();
        self.run(move |inner| ops::set_paused(inner, actor.clone(), None))
    }

    fn record(&self, kind: EventKind, task: Option<TaskId>, actor: &str) -> Result<()> {
        // One event, made once: a retry after a broken connection appends the same record (same id).
        let ev = Event::new(kind, task, actor);
        self.run(move |inner| ops::record(inner, ev.clone()))
    }

    fn put_result(&self, claim: &Claim, kind: ResultKind, bytes: &[u8]) -> Result<()> {
        let (id, token, body) = (claim.task.id, claim.token.clone(), bytes.to_vec());
        self.run(move |inner| ops::put_result(inner, id, token.clone(), kind, body.clone()))
    }

    fn get_result(&self, id: TaskId, kind: ResultKind) -> Result<Option<Vec<u8>>> {
        self.run(move |inner| ops::get_result(inner, id, kind))
    }

    fn events_after(&self, cursor: u64) -> Result<(Vec<Event>, u64)> {
        self.run(move |inner| ops::events_after(inner, cursor))
    }

    fn tasks(&self) -> Result<Vec<TaskRow>> {
        self.run(ops::tasks)
    }

    fn task(&self, id: TaskId) -> Result<(Task, TaskState)> {
        self.run(move |inner| ops::task(inner, id))
    }

    fn counts(&self) -> Result<Vec<(&'static str, usize)>> {
        self.run(ops::counts)
    }

    fn task_events(&self, id: TaskId) -> Result<Vec<Event>> {
        self.run(move |inner| ops::task_events(inner, id))
    }

    fn get_decision(&self, id: TaskId, kind: DecisionKind) -> Result<Option<Vec<u8>>> {
        self.run(move |inner| ops::get_decision(inner, id, kind))
    }

    fn put_decision(
        &self,
        id: TaskId,
        kind: DecisionKind,
        record: &[u8],
        event: Event,
    ) -> Result<bool> {
        let record = record.to_vec();
        self.run(move |inner| ops::put_decision(inner, id, kind, record.clone(), event.clone()))
    }

    /// A session-level advisory lock on a connection of its own, kept open by the guard: the server drops the
    /// lock when the guard is dropped or the process dies (its connection closes).
    fn try_exclusive(&self, name: &str) -> Result<Option<queue_core::Exclusive>> {
        let cfg = self.pg_config.clone();
        let key = ops::lock_key(name);
        let location = self.inner.location.clone();
        let fut = async move {
            let (client, conn) = cfg.connect(NoTls).await.map_err(|e| Error::Database {
                location: location.clone(),
                detail: describe(&e),
            })?;
            tokio::spawn(conn);
            let got: bool = client
                .query_one("SELECT pg_try_advisory_lock($1)", &[&key])
                .await
                .map_err(|e| Error::Database {
                    location,
                    detail: describe(&e),
                })?
                .get(0);
            Ok(got.then(|| Box::new(client) as queue_core::Exclusive))
        };
        block_on_handle(&self.handle, &self.inner, fut)
    }

    /// None: a task holds one decision at most (the table's primary key), so deciders cannot race.
    fn decision_lock(&self, _id: TaskId) -> Result<Option<std::fs::File>> {
        Ok(None)
    }

    /// Waits on the LISTEN connection's notifications (any event: a submission, a release, a requeue).
    fn wait_for_work(&self, timeout: Duration) {
        self.ensure_listener();
        let g = self
            .wake
            .generation
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        let start = *g;
        let _ = self
            .wake
            .cond
            .wait_timeout_while(g, timeout, |n| *n == start);
    }
}

impl PgQueue {
    fn finish(
        &self,
        claim: &Claim,
        to: TaskState,
        failure: Option<String>,
        kind: EventKind,
    ) -> Result<()> {
        let ev = Event::new(kind, Some(claim.task.id), claim.owner.clone());
        let (id, token) = (claim.task.id, claim.token.clone());
        self.run(move |inner| {
            ops::finish(inner, id, token.clone(), to, failure.clone(), ev.clone())
        })
    }

    /// Takes back expired leases at most every quarter lease, as the filesystem queue does before a claim.
    fn maybe_reap(&self, actor: &str) -> Result<()> {
        let every = Duration::from_secs(self.inner.config.lease_secs.max(4) / 4);
        {
            let mut last = self
                .inner
                .last_reap
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            if let Some(t) = *last
                && t.elapsed() < every
            {
                return Ok(());
            }
            *last = Some(Instant::now());
        }
        self.reap_expired(actor).map(|_| ())
    }
}
