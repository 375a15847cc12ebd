//! `autodev status`.

use std::io::Write;
use std::path::Path;

use queue_core::text::printable;
use queue_core::{Queue, QueueSummary, TaskId, TaskStatus, exit_codes};

use crate::cli::StatusArgs;

pub(super) fn run(queue_dir: &Path, args: StatusArgs) -> anyhow::Result<u8> {
    let queue = super::open_queue(queue_dir)?;
    let mut out = std::io::stdout().lock();
    match args.id {
        Some(id) => one(&mut out, &queue, id, args.json),
        None => all(&mut out, &queue, args.json),
    }
}

/// What `status <id>` shows beyond the task's own status: delivery and the model's summary.
struct Extras {
    /// What the log's PUBLISHED says: the pushed branch and the pull request.
    published: Option<delivery::Published>,
    /// The last DELIVERY_FAILED since the last request (`autodev deliver`), when not published since.
    delivery_failed: Option<(String, String)>,
    /// The model's own summary of its patch, from the report (absent before a patch exists).
    summary: Option<String>,
}

/// `autodev status <id>`: only that task's file is read.
fn one(out: &mut impl Write, queue: &Queue, id: TaskId, json: bool) -> anyhow::Result<u8> {
    let t = match queue.status_of(id) {
        Ok(t) => t,
        Err(queue_core::Error::TaskCorrupt { id, path, detail }) => {
            let c = queue_core::CorruptTask {
                id,
                folder: "",
                path,
                detail,
            };
            eprintln!("{}", corrupt_line(&c));
            return Ok(exit_codes::REJECTED);
        }
        Err(queue_core::Error::UnknownTask(_)) => {
            eprintln!(
                "TASK_UNKNOWN: no task {id} in {}; `autodev status` lists them",
                queue.root().display()
            );
            return Ok(exit_codes::REJECTED);
        }
        Err(e) => return Err(e.into()),
    };
    let extras = Extras {
        published: delivery::delivery_status(queue, id)?,
        delivery_failed: delivery::deliver::last_failure(queue, id)?,
        summary: t.report.as_deref().and_then(model_summary),
    };
    if json {
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&one_json(&t, &extras)?)?
        )?;
    } else {
        one_human(out, &t, &extras)?;
        warn_about(&t);
    }
    Ok(exit_codes::OK)
}

fn one_json(t: &TaskStatus, x: &Extras) -> anyhow::Result<serde_json::Value> {
    let mut v = serde_json::to_value(t)?;
    if let Some(obj) = v.as_object_mut() {
        if let Some(sum) = &x.summary {
            obj.insert("summary".into(), sum.as_str().into());
        }
        if let Some(p) = &x.published {
            obj.insert("published".into(), serde_json::to_value(p)?);
        }
        if let Some((code, message)) = &x.delivery_failed {
            obj.insert(
                "delivery_failed".into(),
                serde_json::json!({"code": code, "message": message}),
            );
        }
    }
    Ok(v)
}

fn one_human(out: &mut impl Write, t: &TaskStatus, x: &Extras) -> std::io::Result<()> {
    writeln!(out, "id        {}", t.id)?;
    writeln!(out, "state     {}", t.state.as_str())?;
    writeln!(out, "attempts  {} of {}", t.attempts, t.max_attempts)?;
    writeln!(out, "title     {}", printable(&t.title))?;
    writeln!(out, "intent    {}", t.intent)?;
    if let Some(sum) = &x.summary {
        writeln!(out, "summary   {} (the model's words)", printable(sum))?;
    }
    writeln!(out, "targets   {}", printable(&t.targets.join(", ")))?;
    let base = t.base_commit.as_deref().map_or("(no commits yet)", short);
    writeln!(out, "repo      {} @ {base}", t.repo.display())?;
    if let Some(o) = &t.owner {
        writeln!(out, "owner     {}", printable(o))?;
    }
    if let Some(l) = &t.lease_expires_at {
        writeln!(out, "lease     until {}", l.to_rfc3339())?;
    }
    if let Some(r) = &t.failure_reason {
        writeln!(out, "failure   {}", printable(r))?;
    }
    for (label, p) in [
        ("patch", &t.patch),
        ("report", &t.report),
        ("gate", &t.gate),
        ("approval", &t.approval),
    ] {
        if let Some(p) = p {
            writeln!(out, "{label:<9} {}", p.display())?;
        }
    }
    if let Some(p) = &x.published {
        writeln!(
            out,
            "pushed    {} {} @ {}",
            p.remote,
            p.branch,
            short(&p.commit)
        )?;
        if let Some(url) = &p.pr_url {
            writeln!(out, "pull req  {url}")?;
        }
    }
    if let Some((code, message)) = &x.delivery_failed {
        writeln!(out, "delivery  failed: {code}: {}", printable(message))?;
    }
    Ok(())
}

/// Loud warnings on stderr about what must not be mistaken for a person's approval.
fn warn_about(t: &TaskStatus) {
    if let Some(p) = &t.unlogged_approval {
        eprintln!(
            "warning: APPROVAL_NOT_IN_LOG: {} was not written by `autodev approve` (the log has no matching \
             APPROVED event); it is not an approval. Read the patch and `autodev reject {}`",
            p.display(),
            t.id
        );
    }
    if let Some(why) = &t.task_not_as_submitted {
        eprintln!(
            "warning: TASK_NOT_AS_SUBMITTED: {why}; approve and apply refuse it. Read the task file and the \
             patch, then `autodev reject {}`",
            t.id
        );
    }
}

/// `autodev status`: every task, and every file that should be one but is not.
fn all(out: &mut impl Write, queue: &Queue, json: bool) -> anyhow::Result<u8> {
    let (tasks, summary) = queue.status()?;
    for p in &summary.log_problems {
        // Damage in the log is reported, never fatal.
        eprintln!("warning: {p}");
    }
    for c in &summary.corrupt {
        // Listed in the table too; here with what is wrong and what to do.
        eprintln!("warning: {}", corrupt_line(c));
    }
    if json {
        let v = serde_json::json!({"queue": queue.root(), "paused": summary.paused, "counts": summary.counts,
            "log_problems": summary.log_problems, "tasks": tasks, "corrupt": summary.corrupt});
        writeln!(out, "{}", serde_json::to_string_pretty(&v)?)?;
        return Ok(exit_codes::OK);
    }
    if summary.paused {
        writeln!(
            out,
            "queue is PAUSED: workers claim nothing until `autodev resume`"
        )?;
    }
    if tasks.is_empty() && summary.corrupt.is_empty() {
        writeln!(out, "no tasks in {}", queue.root().display())?;
        return Ok(exit_codes::OK);
    }
    table(out, &tasks, &summary)?;
    Ok(exit_codes::OK)
}

fn table(
    out: &mut impl Write,
    tasks: &[TaskStatus],
    summary: &QueueSummary,
) -> std::io::Result<()> {
    writeln!(out, "{:<16} {:<9} {:>8}  TITLE", "ID", "STATE", "ATTEMPTS")?;
    for t in tasks {
        let title: String = printable(&t.title).chars().take(70).collect();
        writeln!(
            out,
            "{:<16} {:<9} {:>8}  {title}",
            t.id.to_string(),
            t.state.as_str(),
            t.attempts
        )?;
    }
    // A file that is no task has no title: its row shows where it is.
    for c in &summary.corrupt {
        writeln!(
            out,
            "{:<16} {:<9} {:>8}  {}",
            c.id.to_string(),
            "corrupt",
            "-",
            printable(&c.path.display().to_string())
        )?;
    }
    let mut counts: Vec<String> = summary
        .counts
        .iter()
        .map(|(s, n)| format!("{n} {}", s.as_str()))
        .collect();
    if !summary.corrupt.is_empty() {
        counts.push(format!("{} corrupt", summary.corrupt.len()));
    }
    writeln!(
        out,
        "\n{} task(s): {}",
        tasks.len() + summary.corrupt.len(),
        counts.join(", ")
    )
}

/// The `summary` of a worker report; `None` when the report is unreadable (status must not fail over it).
fn model_summary(report: &Path) -> Option<String> {
    let text = std::fs::read_to_string(report).ok()?;
    serde_json::from_str::<queue_core::report::Report>(&text)
        .ok()?
        .summary
}

/// `TASK_FILE_CORRUPT: …` for a file named like a task that is not one.
fn corrupt_line(c: &queue_core::CorruptTask) -> String {
    format!(
        "TASK_FILE_CORRUPT: {} ({}) is not a task autodev can read: {}; other tasks are not affected. Restore it \
         from a backup or move it out of the queue",
        printable(&c.path.display().to_string()),
        c.id,
        printable(&c.detail)
    )
}

fn short(sha: &str) -> &str {
    sha.get(..12).unwrap_or(sha)
}
