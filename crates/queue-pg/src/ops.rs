//! The queue's operations as SQL: each one short transaction, its event committed with it.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use deadpool_postgres::Transaction;
use queue_core::{
    Claim, DecisionKind, Error, Event, EventKind, NewTask, ReapSummary, ResultKind, Task, TaskId,
    TaskRow, TaskState,
};
use tokio_postgres::AsyncMessage;

use crate::{Inner, OpError, describe};

/// Taken by every writer of an event from its insert to its commit, so that events are numbered in commit order
/// and a follower reading `seq > cursor` never misses one ("AUTODEVE" in ASCII, any constant would do).
const EVENTS_LOCK: i64 = 0x4155_544f_4445_5645;

/// The advisory-lock key of queue-wide lock `name`: FNV-1a of `autodev:<name>`, stable across builds.
pub(crate) fn lock_key(name: &str) -> i64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in b"autodev:".iter().chain(name.as_bytes()) {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    i64::from_ne_bytes(h.to_ne_bytes())
}

/// A pooled connection.
pub(crate) async fn client(inner: &Inner) -> Result<deadpool_postgres::Object, OpError> {
    inner
        .pool
        .get()
        .await
        .map_err(|e| OpError::Pool(format!("cannot connect: {}", pool_error(&e))))
}

fn pool_error(e: &deadpool_postgres::PoolError) -> String {
    match e {
        deadpool_postgres::PoolError::Backend(db) => describe(db),
        other => other.to_string(),
    }
}

/// Commits `tx`. A failure here is final: the commit may have reached the server, so running the operation again
/// could do it twice.
pub(crate) async fn commit(inner: &Inner, tx: Transaction<'_>) -> Result<(), OpError> {
    tx.commit().await.map_err(|e| {
        OpError::Queue(inner.db_error(format!(
            "the commit did not complete ({}); the change may or may not have been made",
            describe(&e)
        )))
    })
}

/// Appends `ev` to the audit log inside `tx`.
async fn log(tx: &Transaction<'_>, ev: &Event) -> Result<(), OpError> {
    let json = serde_json::to_value(ev).map_err(|e| Error::Corrupt {
        path: "autodev_events".into(),
        detail: format!("event does not serialize: {e}"),
    })?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&EVENTS_LOCK])
        .await?;
    tx.execute(
        "INSERT INTO autodev_events (task_id, event) VALUES ($1, $2)",
        &[&ev.task_id.map(|t| t.to_string()), &json],
    )
    .await?;
    Ok(())
}

fn task_from(
    inner: &Inner,
    id: &str,
    json: serde_json::Value,
    attempt: i32,
) -> Result<Task, OpError> {
    let mut task: Task = serde_json::from_value(json).map_err(|e| Error::Corrupt {
        path: format!("{} autodev_tasks/{id}", inner.location).into(),
        detail: e.to_string(),
    })?;
    task.attempt = u32::try_from(attempt).unwrap_or(1);
    Ok(task)
}

fn state_of(s: &str) -> TaskState {
    match s {
        "pending" => TaskState::Pending,
        "claimed" => TaskState::Claimed,
        "failed" => TaskState::Failed,
        "approved" => TaskState::Approved,
        "rejected" => TaskState::Rejected,
        "applied" => TaskState::Applied,
        _ => TaskState::Done,
    }
}

pub(crate) async fn submit(
    inner: Arc<Inner>,
    new: NewTask,
    actor: String,
) -> Result<Task, OpError> {
    let mut c = client(&inner).await?;
    let tx = c.transaction().await?;
    let now = Utc::now();
    let day = now.date_naive();
    // The day's row is locked until commit: ids are handed out one at a time, densely, never twice.
    let seq: i32 = tx
        .query_one(
            "INSERT INTO autodev_ids (day, last_seq) VALUES ($1, 1)
             ON CONFLICT (day) DO UPDATE SET last_seq = autodev_ids.last_seq + 1
             RETURNING last_seq",
            &[&TaskId::day_key(day)],
        )
        .await?
        .get(0);
    let seq = u32::try_from(seq).unwrap_or(u32::MAX);
    if seq > 999_999_999 {
        return Err(Error::IdsExhausted {
            day: TaskId::day_key(day),
        }
        .into());
    }
    let task = new.into_task(TaskId::new(day, seq), now, &actor);
    let json = serde_json::to_value(&task).map_err(|e| inner.db_error(e.to_string()))?;
    tx.execute(
        "INSERT INTO autodev_tasks (id, state, task, attempt) VALUES ($1, 'pending', $2, 1)",
        &[&task.id.to_string(), &json],
    )
    .await?;
    let ev = Event::new(
        EventKind::TaskSubmitted {
            title: task.title.clone(),
            intent: task.intent.to_string(),
            targets: task.targets.clone(),
            repo: Some(task.repo.clone()),
            base_commit: task.base_commit.clone(),
            checks: task.checks.clone(),
        },
        Some(task.id),
        actor,
    );
    log(&tx, &ev).await?;
    commit(&inner, tx).await?;
    Ok(task)
}

pub(crate) async fn claim(inner: Arc<Inner>, owner: String) -> Result<Option<Claim>, OpError> {
    let mut c = client(&inner).await?;
    let tx = c.transaction().await?;
    let token = ulid::Ulid::new().to_string();
    let row = tx
        .query_opt(
            "UPDATE autodev_tasks t
                SET state = 'claimed', owner = $1, token = $2, updated_at = now(),
                    lease_expires_at = now() + make_interval(secs => q.lease_secs)
               FROM autodev_queue q
              WHERE q.paused_at IS NULL
                AND t.id = (SELECT id FROM autodev_tasks WHERE state = 'pending'
                             ORDER BY seq LIMIT 1 FOR UPDATE SKIP LOCKED)
          RETURNING t.id, t.task, t.attempt, t.lease_expires_at",
            &[&owner, &token],
        )
        .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let id: String = row.get(0);
    let task = task_from(&inner, &id, row.get(1), row.get(2))?;
    let lease_expires_at: DateTime<Utc> = row.get(3);
    let ev = Event::new(
        EventKind::TaskClaimed {
            owner: owner.clone(),
            token: token.clone(),
            attempt: task.attempt,
            lease_expires_at,
        },
        Some(task.id),
        owner.clone(),
    );
    log(&tx, &ev).await?;
    commit(&inner, tx).await?;
    Ok(Some(Claim::held(task, owner, token)))
}

/// Extends the lease of `id` if `token` still holds it; [`Error::LeaseLost`] otherwise.
async fn extend_lease(
    c: &impl deadpool_postgres::GenericClient,
    id: TaskId,
    token: &str,
) -> Result<(), OpError> {
    let n = c
        .execute(
            "UPDATE autodev_tasks t SET lease_expires_at = now() + make_interval(secs => q.lease_secs)
               FROM autodev_queue q WHERE t.id = $1 AND t.token = $2",
            &[&id.to_string(), &token],
        )
        .await?;
    if n == 0 {
        return Err(Error::LeaseLost { task: id }.into());
    }
    Ok(())
}

pub(crate) async fn renew(inner: Arc<Inner>, id: TaskId, token: String) -> Result<(), OpError> {
    let c = client(&inner).await?;
    extend_lease(&c, id, &token).await
}

pub(crate) async fn finish(
    inner: Arc<Inner>,
    id: TaskId,
    token: String,
    to: TaskState,
    failure: Option<String>,
    ev: Event,
) -> Result<(), OpError> {
    let mut c = client(&inner).await?;
    let tx = c.transaction().await?;
    let n = tx
        .execute(
            "UPDATE autodev_tasks
                SET state = $3, owner = NULL, token = NULL, lease_expires_at = NULL,
                    failure_reason = $4, updated_at = now()
              WHERE id = $1 AND token = $2",
            &[&id.to_string(), &token, &to.as_str(), &failure],
        )
        .await?;
    if n == 0 {
        return Err(Error::LeaseLost { task: id }.into());
    }
    log(&tx, &ev).await?;
    commit(&inner, tx).await
}

pub(crate) async fn reap(inner: Arc<Inner>, actor: String) -> Result<ReapSummary, OpError> {
    let mut c = client(&inner).await?;
    let tx = c.transaction().await?;
    let rows = tx
        .query(
            "SELECT t.id, t.attempt, t.token, q.max_attempts
               FROM autodev_tasks t, autodev_queue q
              WHERE t.state = 'claimed' AND t.lease_expires_at < now()
              ORDER BY t.seq
                FOR UPDATE OF t SKIP LOCKED",
            &[],
        )
        .await?;
    let mut summary = ReapSummary::default();
    for row in rows {
        let id_s: String = row.get(0);
        let Ok(id) = id_s.parse::<TaskId>() else {
            continue;
        };
        let attempt: i32 = row.get(1);
        let old_token: String = row.get(2);
        let max: i32 = row.get(3);
        let ev = if attempt >= max {
            tx.execute(
                "UPDATE autodev_tasks SET state = 'failed', owner = NULL, token = NULL,
                        lease_expires_at = NULL, failure_reason = 'MAX_ATTEMPTS_EXCEEDED', updated_at = now()
                  WHERE id = $1",
                &[&id_s],
            )
            .await?;
            summary.failed.push(id);
            EventKind::TaskFailed {
                reason: "MAX_ATTEMPTS_EXCEEDED".into(),
                message: format!("the lease expired on try {attempt} of {max}; no tries left"),
            }
        } else {
            tx.execute(
                "UPDATE autodev_tasks SET state = 'pending', owner = NULL, token = NULL,
                        lease_expires_at = NULL, attempt = attempt + 1, updated_at = now()
                  WHERE id = $1",
                &[&id_s],
            )
            .await?;
            summary.requeued.push(id);
            EventKind::TaskRequeued {
                attempt: u32::try_from(attempt + 1).unwrap_or(u32::MAX),
                reason: "LEASE_EXPIRED".into(),
                previous_owner: Some(format!("token:{old_token}")),
            }
        };
        log(&tx, &Event::new(ev, Some(id), actor.clone())).await?;
    }
    commit(&inner, tx).await?;
    Ok(summary)
}

pub(crate) async fn paused(inner: Arc<Inner>) -> Result<bool, OpError> {
    let c = client(&inner).await?;
    let row = c
        .query_one("SELECT paused_at IS NOT NULL FROM autodev_queue", &[])
        .await?;
    Ok(row.get(0))
}

/// Pauses (`reason` given) or resumes; false when the queue already was so (nothing logged then).
pub(crate) async fn set_paused(
    inner: Arc<Inner>,
    actor: String,
    reason: Option<String>,
) -> Result<bool, OpError> {
    let mut c = client(&inner).await?;
    let tx = c.transaction().await?;
    let n = match &reason {
        Some(r) => {
            tx.execute(
                "UPDATE autodev_queue SET paused_by = $1, paused_at = now(), paused_reason = $2
                  WHERE paused_at IS NULL",
                &[&actor, r],
            )
            .await?
        }
        None => {
            tx.execute(
                "UPDATE autodev_queue SET paused_by = NULL, paused_at = NULL, paused_reason = NULL
                  WHERE paused_at IS NOT NULL",
                &[],
            )
            .await?
        }
    };
    if n == 0 {
        return Ok(false);
    }
    let kind = match reason {
        Some(reason) => EventKind::QueuePaused { reason },
        None => EventKind::QueueResumed {},
    };
    log(&tx, &Event::new(kind, None, actor)).await?;
    commit(&inner, tx).await?;
    Ok(true)
}

/// Appends an event; an `APPLIED` also moves its task to `applied`, in the same transaction.
pub(crate) async fn record(inner: Arc<Inner>, ev: Event) -> Result<(), OpError> {
    let mut c = client(&inner).await?;
    let tx = c.transaction().await?;
    if let (EventKind::Applied { .. }, Some(id)) = (&ev.kind, ev.task_id) {
        tx.execute(
            "UPDATE autodev_tasks SET state = 'applied', updated_at = now() WHERE id = $1",
            &[&id.to_string()],
        )
        .await?;
    }
    log(&tx, &ev).await?;
    commit(&inner, tx).await
}

fn decision_name(kind: DecisionKind) -> &'static str {
    match kind {
        DecisionKind::Approval => "approval",
        DecisionKind::Rejection => "rejection",
    }
}

pub(crate) async fn task_events(inner: Arc<Inner>, id: TaskId) -> Result<Vec<Event>, OpError> {
    let c = client(&inner).await?;
    let rows = c
        .query(
            "SELECT event FROM autodev_events WHERE task_id = $1 ORDER BY seq",
            &[&id.to_string()],
        )
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| serde_json::from_value(r.get(0)).ok())
        .collect())
}

pub(crate) async fn get_decision(
    inner: Arc<Inner>,
    id: TaskId,
    kind: DecisionKind,
) -> Result<Option<Vec<u8>>, OpError> {
    let c = client(&inner).await?;
    let row = c
        .query_opt(
            "SELECT record FROM autodev_decisions WHERE task_id = $1 AND kind = $2",
            &[&id.to_string(), &decision_name(kind)],
        )
        .await?;
    Ok(row.map(|r| r.get(0)))
}

/// The record, its event and the task's state in one transaction; `false` when the task has a decision already.
pub(crate) async fn put_decision(
    inner: Arc<Inner>,
    id: TaskId,
    kind: DecisionKind,
    record: Vec<u8>,
    ev: Event,
) -> Result<bool, OpError> {
    let mut c = client(&inner).await?;
    let tx = c.transaction().await?;
    let n = tx
        .execute(
            "INSERT INTO autodev_decisions (task_id, kind, record) VALUES ($1, $2, $3)
             ON CONFLICT (task_id) DO NOTHING",
            &[&id.to_string(), &decision_name(kind), &record],
        )
        .await?;
    if n == 0 {
        return Ok(false);
    }
    let state = match kind {
        DecisionKind::Approval => "approved",
        DecisionKind::Rejection => "rejected",
    };
    tx.execute(
        "UPDATE autodev_tasks SET state = $2, updated_at = now() WHERE id = $1 AND state = 'done'",
        &[&id.to_string(), &state],
    )
    .await?;
    log(&tx, &ev).await?;
    commit(&inner, tx).await?;
    Ok(true)
}

pub(crate) async fn put_result(
    inner: Arc<Inner>,
    id: TaskId,
    token: String,
    kind: ResultKind,
    body: Vec<u8>,
) -> Result<(), OpError> {
    let mut c = client(&inner).await?;
    let tx = c.transaction().await?;
    // The holder's check and its write commit together: the row stays locked until then, so no reaper can take
    // the task back in between.
    extend_lease(&tx, id, &token).await?;
    tx.execute(
        "INSERT INTO autodev_results (task_id, kind, body) VALUES ($1, $2, $3)
         ON CONFLICT (task_id, kind) DO UPDATE SET body = EXCLUDED.body, written_at = now()",
        &[&id.to_string(), &kind.ext(), &body],
    )
    .await?;
    commit(&inner, tx).await
}

pub(crate) async fn get_result(
    inner: Arc<Inner>,
    id: TaskId,
    kind: ResultKind,
) -> Result<Option<Vec<u8>>, OpError> {
    let c = client(&inner).await?;
    let row = c
        .query_opt(
            "SELECT body FROM autodev_results WHERE task_id = $1 AND kind = $2",
            &[&id.to_string(), &kind.ext()],
        )
        .await?;
    Ok(row.map(|r| r.get(0)))
}

/// At most this many events per read; a follower reads again from the returned cursor.
const EVENTS_PAGE: i64 = 5000;

pub(crate) async fn events_after(
    inner: Arc<Inner>,
    cursor: u64,
) -> Result<(Vec<Event>, u64), OpError> {
    let c = client(&inner).await?;
    let from = i64::try_from(cursor).unwrap_or(i64::MAX);
    let rows = c
        .query(
            "SELECT seq, event FROM autodev_events WHERE seq > $1 ORDER BY seq LIMIT $2",
            &[&from, &EVENTS_PAGE],
        )
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    let mut next = cursor;
    for row in rows {
        let seq: i64 = row.get(0);
        next = u64::try_from(seq).unwrap_or(next);
        match serde_json::from_value::<Event>(row.get(1)) {
            Ok(ev) => out.push(ev),
            // Written by a newer autodev (an event type this one does not know): skipped, as a bad line is.
            Err(e) => tracing::warn!(seq, error = %e, "skipping an event this autodev cannot read"),
        }
    }
    Ok((out, next))
}

pub(crate) async fn tasks(inner: Arc<Inner>) -> Result<Vec<TaskRow>, OpError> {
    let c = client(&inner).await?;
    let rows = c
        .query(
            "SELECT id, state, attempt, task->>'title', owner, lease_expires_at, failure_reason
               FROM autodev_tasks ORDER BY seq",
            &[],
        )
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let Ok(id) = row.get::<_, String>(0).parse::<TaskId>() else {
            continue;
        };
        out.push(TaskRow {
            id,
            state: state_of(row.get(1)),
            attempts: u32::try_from(row.get::<_, i32>(2)).unwrap_or(0),
            title: row.get::<_, Option<String>>(3).unwrap_or_default(),
            owner: row.get(4),
            lease_expires_at: row.get(5),
            failure_reason: row.get(6),
        });
    }
    Ok(out)
}

pub(crate) async fn task(inner: Arc<Inner>, id: TaskId) -> Result<(Task, TaskState), OpError> {
    let c = client(&inner).await?;
    let row = c
        .query_opt(
            "SELECT task, attempt, state FROM autodev_tasks WHERE id = $1",
            &[&id.to_string()],
        )
        .await?;
    let Some(row) = row else {
        return Err(Error::UnknownTask(id).into());
    };
    let task = task_from(&inner, &id.to_string(), row.get(0), row.get(1))?;
    Ok((task, state_of(row.get(2))))
}

pub(crate) async fn counts(inner: Arc<Inner>) -> Result<Vec<(&'static str, usize)>, OpError> {
    let c = client(&inner).await?;
    let rows = c
        .query(
            "SELECT state, count(*) FROM autodev_tasks GROUP BY state",
            &[],
        )
        .await?;
    let mut out = vec![("pending", 0), ("claimed", 0), ("done", 0), ("failed", 0)];
    for row in rows {
        let n = usize::try_from(row.get::<_, i64>(1)).unwrap_or(0);
        // As on the filesystem, where a decided task's file stays in done/.
        let slot = match row.get::<_, &str>(0) {
            "pending" => 0,
            "claimed" => 1,
            "failed" => 3,
            _ => 2,
        };
        out[slot].1 += n;
    }
    Ok(out)
}

/// Keeps a connection LISTENing on `autodev_events`, calling `wake` for each notification, and reconnects
/// (after a pause) whenever it breaks. Runs until the runtime stops.
pub(crate) async fn listen(cfg: tokio_postgres::Config, wake: impl Fn() + Send + 'static) {
    loop {
        match cfg.connect(tokio_postgres::NoTls).await {
            Ok((client, mut conn)) => {
                let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
                let driver = tokio::spawn(async move {
                    while let Some(msg) = std::future::poll_fn(|cx| conn.poll_message(cx)).await {
                        match msg {
                            Ok(AsyncMessage::Notification(_)) => {
                                if tx.send(()).is_err() {
                                    break;
                                }
                            }
                            Ok(_) => {}
                            Err(_) => break,
                        }
                    }
                });
                if client.batch_execute("LISTEN autodev_events").await.is_ok() {
                    // A missed notification is only a later wake-up: callers poll as well.
                    wake();
                    while rx.recv().await.is_some() {
                        wake();
                    }
                }
                driver.abort();
            }
            Err(e) => {
                tracing::debug!(error = %describe(&e), "queue database: LISTEN connection failed; retrying");
            }
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}
