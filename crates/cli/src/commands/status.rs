//! `autodev status`.

use std::io::Write;
use std::path::Path;

use i18n::{Lang, t};
use queue_core::text::printable;
use queue_core::{Queue, QueueSummary, TaskId, TaskStatus, exit_codes};

use crate::cli::StatusArgs;

pub(super) fn run(queue_dir: &Path, args: StatusArgs, lang: Lang) -> anyhow::Result<u8> {
    let queue = super::open_queue(queue_dir)?;
    let mut out = std::io::stdout().lock();
    match args.id {
        Some(id) => one(&mut out, &queue, id, args.json, lang),
        None => all(&mut out, &queue, args.json, lang),
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
    /// The reasons of the gate's last FAIL (`gate.json`), for the human output.
    gate_reasons: Vec<gate::Reason>,
}

/// `autodev status <id>`: only that task's file is read.
fn one(
    out: &mut impl Write,
    queue: &Queue,
    id: TaskId,
    json: bool,
    lang: Lang,
) -> anyhow::Result<u8> {
    let t = match queue.status_of(id) {
        Ok(t) => t,
        Err(queue_core::Error::TaskCorrupt { id, path, detail }) => {
            let c = queue_core::CorruptTask {
                id,
                folder: "",
                path,
                detail,
            };
            eprintln!("{}", corrupt_line(&c, lang));
            return Ok(exit_codes::REJECTED);
        }
        Err(queue_core::Error::UnknownTask(_)) => {
            let queue = queue.root().display();
            eprintln!(
                "{}",
                t!(lang, "cli-status-unknown", id = &id, queue = &queue)
            );
            return Ok(exit_codes::REJECTED);
        }
        Err(e) => return Err(e.into()),
    };
    let extras = Extras {
        published: delivery::delivery_status(queue, id)?,
        delivery_failed: delivery::deliver::last_failure(queue, id)?,
        summary: t.report.as_deref().and_then(model_summary),
        gate_reasons: t
            .gate
            .as_deref()
            .filter(|_| !json)
            .and_then(gate::GateReport::read)
            .filter(|r| !r.passed())
            .map(|r| r.reasons)
            .unwrap_or_default(),
    };
    if json {
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&one_json(&t, &extras)?)?
        )?;
    } else {
        one_human(out, &t, &extras, lang)?;
        warn_about(&t, lang);
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

/// `label  value` lines, the labels in `lang` padded to one column (by display width: a Hangul syllable takes
/// two terminal columns).
fn one_human(out: &mut impl Write, t: &TaskStatus, x: &Extras, lang: Lang) -> std::io::Result<()> {
    let mut line =
        |label: String, value: &dyn std::fmt::Display| writeln!(out, "{} {value}", pad(&label, 9));
    line(t!(lang, "cli-label-id"), &t.id)?;
    line(t!(lang, "cli-label-state"), &t.state.as_str())?;
    let attempts = t!(
        lang,
        "cli-status-attempts",
        attempts = t.attempts,
        max = t.max_attempts
    );
    line(t!(lang, "cli-label-attempts"), &attempts)?;
    line(t!(lang, "cli-label-title"), &printable(&t.title))?;
    line(t!(lang, "cli-label-intent"), &t.intent)?;
    if let Some(sum) = &x.summary {
        let sum = t!(lang, "cli-status-summary", summary = &printable(sum));
        line(t!(lang, "cli-label-summary"), &sum)?;
    }
    line(
        t!(lang, "cli-label-targets"),
        &printable(&t.targets.join(", ")),
    )?;
    let base = match t.base_commit.as_deref() {
        Some(sha) => short(sha).to_owned(),
        None => t!(lang, "cli-status-no-commits"),
    };
    line(
        t!(lang, "cli-label-repo"),
        &format!("{} @ {base}", t.repo.display()),
    )?;
    if let Some(o) = &t.owner {
        line(t!(lang, "cli-label-owner"), &printable(o))?;
    }
    if let Some(l) = &t.lease_expires_at {
        let until = t!(lang, "cli-status-lease-until", time = &l.to_rfc3339());
        line(t!(lang, "cli-label-lease"), &until)?;
    }
    if let Some(r) = &t.failure_reason {
        // The code, and in Korean what it means (English shows the code as it always has).
        let reason = printable(r);
        let failure = match queue_core::explain::failure(r, lang) {
            Some(explanation) => t!(
                lang,
                "cli-status-failure",
                reason = &reason,
                explanation = &explanation
            ),
            None => reason.into_owned(),
        };
        line(t!(lang, "cli-label-failure"), &failure)?;
    }
    for (label, p) in [
        (t!(lang, "cli-label-patch"), &t.patch),
        (t!(lang, "cli-label-report"), &t.report),
        (t!(lang, "cli-label-gate"), &t.gate),
        (t!(lang, "cli-label-approval"), &t.approval),
    ] {
        if let Some(p) = p {
            line(label, &p.display())?;
        }
    }
    // gate.json, named above, says its reasons in English (they are also what the model was told); a reader of
    // another language gets each code's meaning, with the message as it is below it.
    if lang != Lang::En {
        for r in &x.gate_reasons {
            let mut text = t!(
                lang,
                "cli-status-gate-reason",
                code = r.code.as_str(),
                explanation = gate::explain_reason(r.code, lang)
            );
            for l in r.message.lines() {
                text.push_str(&format!("\n{} {}", pad("", 9), printable(l)));
            }
            line(t!(lang, "cli-label-gate-reason"), &text)?;
        }
    }
    if let Some(p) = &x.published {
        let pushed = format!("{} {} @ {}", p.remote, p.branch, short(&p.commit));
        line(t!(lang, "cli-label-pushed"), &pushed)?;
        if let Some(url) = &p.pr_url {
            line(t!(lang, "cli-label-pull-request"), url)?;
        }
    }
    if let Some((code, message)) = &x.delivery_failed {
        // The message is the log's record (English); the code's meaning is said in the reader's language.
        let (code, message) = (printable(code), printable(message));
        let failed = match delivery::explain_code(&code, lang) {
            Some(explanation) => t!(
                lang,
                "cli-status-delivery-failed-explained",
                code = &code,
                explanation = &explanation,
                message = &message
            ),
            None => t!(
                lang,
                "cli-status-delivery-failed",
                code = &code,
                message = &message
            ),
        };
        line(t!(lang, "cli-label-delivery"), &failed)?;
    }
    Ok(())
}

/// Terminal columns `s` takes: two for Hangul and other East Asian wide characters, one otherwise.
pub(crate) fn columns(s: &str) -> usize {
    s.chars()
        .map(|c| match u32::from(c) {
            0x1100..=0x115F
            | 0x2E80..=0x303E
            | 0x3041..=0x33FF
            | 0x3400..=0x4DBF
            | 0x4E00..=0x9FFF
            | 0xA960..=0xA97F
            | 0xAC00..=0xD7A3
            | 0xF900..=0xFAFF
            | 0xFE30..=0xFE4F
            | 0xFF00..=0xFF60
            | 0xFFE0..=0xFFE6 => 2,
            _ => 1,
        })
        .sum()
}

/// `s` followed by spaces up to `width` columns.
pub(super) fn pad(s: &str, width: usize) -> String {
    format!("{s}{}", " ".repeat(width.saturating_sub(columns(s))))
}

/// Spaces up to `width` columns, then `s`.
fn pad_left(s: &str, width: usize) -> String {
    format!("{}{s}", " ".repeat(width.saturating_sub(columns(s))))
}

/// Loud warnings on stderr about what must not be mistaken for a person's approval.
fn warn_about(t: &TaskStatus, lang: Lang) {
    if let Some(p) = &t.unlogged_approval {
        let message = t!(
            lang,
            "cli-status-unlogged-approval",
            path = &p.display(),
            id = &t.id
        );
        eprintln!("{}", t!(lang, "cli-warning", message = &message));
    }
    if let Some(why) = &t.task_not_as_submitted {
        let message = t!(lang, "cli-status-not-as-submitted", why = why, id = &t.id);
        eprintln!("{}", t!(lang, "cli-warning", message = &message));
    }
}

/// `autodev status`: every task, and every file that should be one but is not.
fn all(out: &mut impl Write, queue: &Queue, json: bool, lang: Lang) -> anyhow::Result<u8> {
    let (tasks, summary) = queue.status()?;
    for p in &summary.log_problems {
        // Damage in the log is reported, never fatal.
        eprintln!("{}", t!(lang, "cli-warning", message = p));
    }
    for c in &summary.corrupt {
        // Listed in the table too; here with what is wrong and what to do.
        let message = corrupt_line(c, lang);
        eprintln!("{}", t!(lang, "cli-warning", message = &message));
    }
    if json {
        let v = serde_json::json!({"queue": queue.root(), "paused": summary.paused, "counts": summary.counts,
            "log_problems": summary.log_problems, "tasks": tasks, "corrupt": summary.corrupt});
        writeln!(out, "{}", serde_json::to_string_pretty(&v)?)?;
        return Ok(exit_codes::OK);
    }
    if summary.paused {
        writeln!(out, "{}", t!(lang, "cli-status-paused"))?;
    }
    if tasks.is_empty() && summary.corrupt.is_empty() {
        let queue = queue.root().display();
        writeln!(out, "{}", t!(lang, "cli-status-empty", queue = &queue))?;
        return Ok(exit_codes::OK);
    }
    table(out, &tasks, &summary, lang)?;
    Ok(exit_codes::OK)
}

fn table(
    out: &mut impl Write,
    tasks: &[TaskStatus],
    summary: &QueueSummary,
    lang: Lang,
) -> std::io::Result<()> {
    writeln!(
        out,
        "{} {} {}  {}",
        pad(&t!(lang, "cli-status-header-id"), 16),
        pad(&t!(lang, "cli-status-header-state"), 9),
        pad_left(&t!(lang, "cli-status-header-attempts"), 8),
        t!(lang, "cli-status-header-title")
    )?;
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
    let total = t!(
        lang,
        "cli-status-total",
        count = tasks.len() + summary.corrupt.len(),
        counts = &counts.join(", ")
    );
    writeln!(out, "\n{total}")
}

/// The `summary` of a worker report; `None` when the report is unreadable (status must not fail over it).
fn model_summary(report: &Path) -> Option<String> {
    summary_of(&std::fs::read(report).ok()?)
}

/// `TASK_FILE_CORRUPT: …` for a file named like a task that is not one.
fn corrupt_line(c: &queue_core::CorruptTask, lang: Lang) -> String {
    t!(
        lang,
        "cli-status-corrupt",
        path = &printable(&c.path.display().to_string()),
        id = &c.id,
        detail = &printable(&c.detail)
    )
}

fn short(sha: &str) -> &str {
    sha.get(..12).unwrap_or(sha)
}

/// `autodev status [ID]` on a PostgreSQL queue: the same report as for a folder, each "file" named by where it
/// lives in the database (state, results, decisions and events commit together there, so there are no files to
/// cross-check against the log, and no corrupt ones).
pub(super) fn run_postgres(url: &str, args: StatusArgs, lang: Lang) -> anyhow::Result<u8> {
    let queue = queue_pg::PgQueue::open(url)?;
    let q: &dyn queue_core::TaskQueue = &queue;
    let mut out = std::io::stdout().lock();
    if let Some(id) = args.id {
        let t = match db_status(q, id, None) {
            Ok(t) => t,
            Err(queue_core::Error::UnknownTask(_)) => {
                let location = q.location();
                eprintln!(
                    "{}",
                    t!(lang, "cli-status-unknown", id = &id, queue = &location)
                );
                return Ok(exit_codes::REJECTED);
            }
            Err(e) => return Err(e.into()),
        };
        let gate_reasons = match q.get_result(id, queue_core::ResultKind::Gate)? {
            Some(b) if !args.json => serde_json::from_slice::<gate::GateReport>(&b)
                .ok()
                .filter(|r| !r.passed())
                .map(|r| r.reasons)
                .unwrap_or_default(),
            _ => Vec::new(),
        };
        let extras = Extras {
            published: delivery::delivery_status(q, id)?,
            delivery_failed: delivery::deliver::last_failure(q, id)?,
            summary: q
                .get_result(id, queue_core::ResultKind::Report)?
                .and_then(|b| summary_of(&b)),
            gate_reasons,
        };
        if args.json {
            writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(&one_json(&t, &extras)?)?
            )?;
        } else {
            one_human(&mut out, &t, &extras, lang)?;
        }
        return Ok(exit_codes::OK);
    }
    let rows = q.tasks()?;
    let mut tasks = Vec::with_capacity(rows.len());
    for row in &rows {
        match db_status(q, row.id, Some(row)) {
            Ok(t) => tasks.push(t),
            // Finished and gone between the two reads: it shows next time.
            Err(queue_core::Error::UnknownTask(_)) => {}
            Err(e) => return Err(e.into()),
        }
    }
    let mut summary = QueueSummary {
        paused: q.paused()?,
        ..QueueSummary::default()
    };
    for t in &tasks {
        *summary.counts.entry(t.state).or_default() += 1;
    }
    if args.json {
        let v = serde_json::json!({"queue": q.location(), "paused": summary.paused, "counts": summary.counts,
            "log_problems": summary.log_problems, "tasks": tasks, "corrupt": summary.corrupt});
        writeln!(out, "{}", serde_json::to_string_pretty(&v)?)?;
        return Ok(exit_codes::OK);
    }
    if summary.paused {
        writeln!(out, "{}", t!(lang, "cli-status-paused"))?;
    }
    if tasks.is_empty() {
        let location = q.location();
        writeln!(out, "{}", t!(lang, "cli-status-empty", queue = &location))?;
        return Ok(exit_codes::OK);
    }
    table(&mut out, &tasks, &summary, lang)?;
    Ok(exit_codes::OK)
}

/// A database task's status, with the same fields as a folder's; `row` when the caller listed it already.
fn db_status(
    q: &dyn queue_core::TaskQueue,
    id: TaskId,
    row: Option<&queue_core::TaskRow>,
) -> queue_core::Result<TaskStatus> {
    use queue_core::ResultKind;
    let (task, state) = q.task(id)?;
    let listed;
    let row = match row {
        Some(r) => Some(r),
        None => {
            listed = q.tasks()?.into_iter().find(|r| r.id == id);
            listed.as_ref()
        }
    };
    let location = q.location();
    let at = |what: String| std::path::PathBuf::from(format!("{location} {what}"));
    let result = |k: ResultKind| -> queue_core::Result<Option<std::path::PathBuf>> {
        Ok(q.get_result(id, k)?
            .map(|_| at(format!("autodev_results/{id}/{}", k.ext()))))
    };
    let approval = approval::confirmed(q, id)
        .ok()
        .flatten()
        .map(|_| at(format!("autodev_decisions/{id}")));
    Ok(TaskStatus {
        id,
        state,
        attempts: task.attempt,
        max_attempts: q.config().max_attempts,
        title: task.title,
        intent: task.intent,
        targets: task.targets,
        repo: task.repo,
        base_commit: task.base_commit,
        created_at: task.created_at,
        task_file: at(format!("autodev_tasks/{id}")),
        owner: row.and_then(|r| r.owner.clone()),
        lease_expires_at: row.and_then(|r| r.lease_expires_at),
        patch: result(ResultKind::Patch)?,
        report: result(ResultKind::Report)?,
        gate: result(ResultKind::Gate)?,
        approval,
        unlogged_approval: None,
        task_not_as_submitted: None,
        failure_reason: row.and_then(|r| r.failure_reason.clone()),
        last_event: q.task_events(id)?.last().map(|e| e.type_name().to_string()),
    })
}

/// The `summary` of a worker report's bytes.
fn summary_of(bytes: &[u8]) -> Option<String> {
    serde_json::from_slice::<queue_core::report::Report>(bytes)
        .ok()?
        .summary
}
