//! The versioned schema: migrations applied in order, each once, in one transaction, by [`crate::PgQueue::init`].

use queue_core::{Error, QueueConfig};

use crate::ops::{client, commit};
use crate::{Inner, OpError};

/// The migrations, oldest first: `(version, SQL)`. Append only; a released migration is never edited.
pub const MIGRATIONS: &[(i32, &str)] = &[(1, include_str!("../migrations/0001_queue.sql"))];

/// The newest schema version this build knows.
pub const SCHEMA_VERSION: i32 = 1;

/// Serialises concurrent `init`s (any constant; "autodev" in ASCII).
const MIGRATE_LOCK: i64 = 0x0061_7574_6f64_6576;

/// The schema version recorded in the database, `None` when it has no autodev schema.
pub(crate) async fn version<C: deadpool_postgres::GenericClient>(
    c: &C,
) -> Result<Option<i32>, tokio_postgres::Error> {
    let exists: bool = c
        .query_one("SELECT to_regclass('autodev_schema') IS NOT NULL", &[])
        .await?
        .get(0);
    if !exists {
        return Ok(None);
    }
    let row = c
        .query_one("SELECT max(version) FROM autodev_schema", &[])
        .await?;
    Ok(row.get::<_, Option<i32>>(0))
}

/// Applies the missing migrations and writes the settings row if there is none.
pub(crate) async fn migrate(inner: &Inner, config: &QueueConfig) -> Result<(), OpError> {
    let mut c = client(inner).await?;
    let tx = c.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATE_LOCK])
        .await?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS autodev_schema (
             version    integer PRIMARY KEY,
             applied_at timestamptz NOT NULL DEFAULT now()
         )",
    )
    .await?;
    let have = version(&tx).await?.unwrap_or(0);
    if have > SCHEMA_VERSION {
        return Err(Error::SchemaTooNew {
            found: have,
            known: SCHEMA_VERSION,
        }
        .into());
    }
    for (v, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > have) {
        tx.batch_execute(sql).await?;
        tx.execute("INSERT INTO autodev_schema (version) VALUES ($1)", &[v])
            .await?;
    }
    let lease = i32::try_from(config.lease_secs).unwrap_or(i32::MAX);
    let tries = i32::try_from(config.max_attempts).unwrap_or(i32::MAX);
    tx.execute(
        "INSERT INTO autodev_queue (lease_secs, max_attempts) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        &[&lease, &tries],
    )
    .await?;
    commit(inner, tx).await
}

/// Checks that the database holds a schema this build can use and reads the settings.
pub(crate) async fn check(inner: &Inner) -> Result<QueueConfig, OpError> {
    let c = client(inner).await?;
    match version(&c).await? {
        None => Err(Error::NotInitialised {
            path: inner.location.clone().into(),
        }
        .into()),
        Some(v) if v > SCHEMA_VERSION => Err(Error::SchemaTooNew {
            found: v,
            known: SCHEMA_VERSION,
        }
        .into()),
        Some(v) if v < SCHEMA_VERSION => Err(inner
            .db_error(format!(
                "its schema is version {v}, older than this autodev's {SCHEMA_VERSION}: run `autodev init \
                 --queue <address>` to upgrade it"
            ))
            .into()),
        Some(_) => {
            let row = c
                .query_one(
                    "SELECT lease_secs, max_attempts FROM autodev_queue",
                    &[],
                )
                .await?;
            Ok(QueueConfig {
                format: 1,
                lease_secs: u64::try_from(row.get::<_, i32>(0)).unwrap_or(300),
                max_attempts: u32::try_from(row.get::<_, i32>(1)).unwrap_or(3),
            })
        }
    }
}
