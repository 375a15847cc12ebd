//! Fuzzes the NDJSON audit-log reader (`queue_core::EventLog::read` / `read_from`) on a file holding arbitrary
//! bytes. It must never fail or panic on content, and the tolerance promise must hold: after any damage, a
//! newline and one well-formed record, that record is the last event read (salvaged even when the damage is a
//! torn record on the same line), and `end_offset` never passes the end of the file.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use queue_core::event::{Event, EventKind, EventLog};

fn dir() -> &'static tempfile::TempDir {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let shm = std::path::Path::new("/dev/shm");
        let mut b = tempfile::Builder::new();
        b.prefix("autodev-fuzz-events-");
        if shm.is_dir() { b.tempdir_in(shm) } else { b.tempdir() }.expect("temp dir")
    })
}

fuzz_target!(|data: &[u8]| {
    let path = dir().path().join("events.ndjson");
    std::fs::write(&path, data).expect("write");
    let log = EventLog::new(&path);
    let read = log.read().expect("content never makes read fail");
    assert!(read.end_offset <= data.len() as u64);
    // A follower continuing from the returned offset must not fail either.
    let again = log.read_from(read.end_offset).expect("read_from");
    assert!(again.end_offset <= data.len() as u64);

    // Append one well-formed record after the damage: it must come back.
    let ev = Event::new(EventKind::QueuePaused { reason: "fuzz".into() }, None, "fuzz");
    let record = serde_json::to_vec(&ev).expect("serialize");
    let mut with_record = data.to_vec();
    let same_line = data.first().is_some_and(|b| b & 1 == 1);
    if !same_line {
        with_record.push(b'\n');
    }
    // Odd first byte: the record lands right after the damage, on the same line (a writer died mid-record).
    let line_start = with_record.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
    with_record.extend(&record);
    with_record.push(b'\n');
    std::fs::write(&path, &with_record).expect("write");
    let read = log.read().expect("read");
    // If damage + record happen to form one valid record on their own, that record is (rightly) what is read.
    let line = &with_record[line_start..with_record.len() - 1];
    if serde_json::from_slice::<Event>(line).is_err() || line == record.as_slice() {
        // Compared as JSON: the timestamp's sub-second precision is the file format's, not `Utc::now()`'s.
        let last = read.events.last().map(|e| serde_json::to_vec(e).expect("serialize"));
        assert_eq!(last.as_deref(), Some(record.as_slice()), "the appended record is read back");
    }
});
