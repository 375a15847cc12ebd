//! The schema's versions: init is idempotent and keeps the settings, a database without the schema is "not
//! initialised", and one made by a newer autodev is refused without a change.

use queue_core::{Error, QueueConfig, TaskQueue};
use queue_pg::{PgQueue, SCHEMA_VERSION};
use test_support::postgres::{Postgres, server};

#[test]
fn init_twice_keeps_the_first_settings() {
    let url = server().database();
    let first = QueueConfig {
        lease_secs: 42,
        max_attempts: 7,
        ..QueueConfig::default()
    };
    PgQueue::init(&url, first.clone()).unwrap();
    let again = PgQueue::init(&url, QueueConfig::default()).unwrap();
    assert_eq!(again.config(), &first);
    assert_eq!(again.schema_version().unwrap(), SCHEMA_VERSION);
    assert!(
        again
            .server_version()
            .unwrap()
            .chars()
            .next()
            .unwrap()
            .is_ascii_digit()
    );
    assert_eq!(PgQueue::open(&url).unwrap().config(), &first);
}

#[test]
fn a_database_without_the_schema_is_not_initialised() {
    let url = server().database();
    let err = PgQueue::open(&url).unwrap_err();
    assert!(matches!(err, Error::NotInitialised { .. }), "{err}");
    assert!(err.to_string().contains("autodev init"), "{err}");
}

#[test]
fn a_newer_schema_is_refused_and_left_alone() {
    let url = server().database();
    PgQueue::init(&url, QueueConfig::default()).unwrap();
    let db = Postgres::db_name(&url);
    server().psql(db, "INSERT INTO autodev_schema (version) VALUES (99)");
    for err in [
        PgQueue::open(&url).unwrap_err(),
        PgQueue::init(&url, QueueConfig::default()).unwrap_err(),
    ] {
        assert!(
            matches!(err, Error::SchemaTooNew { found: 99, known } if known == SCHEMA_VERSION),
            "{err}"
        );
        assert_eq!(err.code(), "QUEUE_SCHEMA_TOO_NEW");
    }
    assert_eq!(
        server()
            .psql(db, "SELECT max(version) FROM autodev_schema")
            .trim(),
        "99"
    );
}

#[test]
fn an_unreachable_server_is_a_database_error_without_the_password() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let err =
        PgQueue::open(&format!("postgres://autodev:s3cret-pw@127.0.0.1:{port}/x")).unwrap_err();
    assert_eq!(err.code(), "QUEUE_DATABASE_ERROR");
    let text = err.to_string();
    assert!(!text.contains("s3cret-pw"), "{text}");
    assert!(text.contains(&format!("127.0.0.1:{port}")), "{text}");
}
