//! `autodev events`.

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use queue_core::text::printable;
use queue_core::{Event, exit_codes};

use i18n::{Lang, t};

use crate::cli::EventsArgs;

pub(super) fn run(queue_dir: &Path, args: EventsArgs, lang: Lang) -> anyhow::Result<u8> {
    let queue = super::open_queue(queue_dir)?;
    let log = queue.log();
    let mut offset = 0;
    let mut reported_torn = None;
    loop {
        let read = log.read_from(offset)?;
        print(&read.events, &args)?;
        for b in &read.bad_lines {
            let message = t!(lang, "cli-events-bad-line", line = b.line, error = &b.error);
            eprintln!("{}", t!(lang, "cli-warning", message = message));
        }
        if let Some(t) = &read.torn_tail
            && reported_torn != Some(t.offset)
        {
            let message = t!(lang, "cli-events-torn-tail", line = t.line);
            eprintln!("{}", t!(lang, "cli-warning", message = message));
            reported_torn = Some(t.offset);
        }
        offset = read.end_offset;
        if !args.follow {
            return Ok(exit_codes::OK);
        }
        // Polling, not inotify: change notifications do not cross Docker Desktop bind mounts.
        std::thread::sleep(Duration::from_millis(500));
    }
}

/// The events of `--task` (all without it), one per line: JSON with `--json`, else a readable line.
fn print(events: &[Event], args: &EventsArgs) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    for ev in events {
        if args.task.is_some() && ev.task_id != args.task {
            continue;
        }
        if args.json {
            writeln!(out, "{}", serde_json::to_string(ev)?)?;
        } else {
            writeln!(out, "{}", human(ev))?;
        }
    }
    out.flush()?;
    Ok(())
}

fn human(ev: &Event) -> String {
    let mut v = serde_json::to_value(ev).unwrap_or_default();
    let mut details = Vec::new();
    if let Some(obj) = v.as_object_mut() {
        for k in ["id", "ts", "type", "task_id", "actor"] {
            obj.remove(k);
        }
        for (k, val) in obj.iter() {
            let s = match val {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            details.push(format!("{k}={}", printable(&s)));
        }
    }
    format!(
        "{}  {:<15} {:<16} {:<20} {}",
        ev.ts.format("%Y-%m-%d %H:%M:%S"),
        ev.type_name(),
        ev.task_id
            .map(|t| t.to_string())
            .unwrap_or_else(|| "-".into()),
        printable(&ev.actor),
        details.join(" ")
    )
}

/// `autodev events` on a PostgreSQL queue: the event table in order; `--follow` wakes on LISTEN/NOTIFY (and
/// looks again every two seconds whatever happens).
pub(super) fn run_postgres(url: &str, args: EventsArgs, _lang: Lang) -> anyhow::Result<u8> {
    use queue_core::TaskQueue;
    let queue = queue_pg::PgQueue::open(url)?;
    let mut cursor = 0;
    loop {
        let (events, next) = queue.events_after(cursor)?;
        print(&events, &args)?;
        let more = next != cursor;
        cursor = next;
        if more {
            // A page was full, or more may have come: read on before waiting.
            continue;
        }
        if !args.follow {
            return Ok(exit_codes::OK);
        }
        queue.wait_for_work(Duration::from_secs(2));
    }
}
