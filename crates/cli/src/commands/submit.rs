//! `autodev submit`.

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use i18n::{Lang, t};
use queue_core::{TaskSpec, exit_codes};
use submit::{Rejection, SubmitError, ValidateContext};

use crate::cli::SubmitArgs;

pub(super) fn run(addr: &super::QueueAddr, args: SubmitArgs, lang: Lang) -> anyhow::Result<u8> {
    let queue = super::open_any(addr)?;
    let mut spec = match &args.file {
        None => TaskSpec::default(),
        Some(path) => {
            let bytes = if path == Path::new("-") {
                submit::read_task_file(std::io::stdin().lock())
                    .with_context(|| t!(lang, "cli-err-read-stdin"))?
            } else {
                let shown = path.display();
                let f = std::fs::File::open(path)
                    .with_context(|| t!(lang, "cli-err-open-task-file", path = &shown))?;
                submit::read_task_file(f)
                    .with_context(|| t!(lang, "cli-err-read-task-file", path = &shown))?
            };
            match submit::parse_task_file(&bytes) {
                Ok(s) => s,
                Err(r) => return rejected(&[r], args.json, lang),
            }
        }
    };
    if args.file.is_none()
        && args.work.is_none()
        && args.intent.is_none()
        && args.targets.is_empty()
    {
        anyhow::bail!(t!(lang, "cli-submit-nothing"));
    }
    if args.work.is_some() {
        spec.work = args.work;
    }
    if args.intent.is_some() {
        spec.intent = args.intent;
    }
    if !args.targets.is_empty() {
        spec.targets = Some(args.targets);
    }
    if args.title.is_some() {
        spec.title = args.title;
    }
    if args.repo.is_some() {
        spec.repo = args.repo;
    }
    if args.base.is_some() {
        spec.base = args.base;
    }
    if !args.checks.is_empty() {
        spec.checks = Some(args.checks);
    }
    let ctx = ValidateContext {
        cwd: super::current_dir(lang)?,
    };
    match submit::submit(&*queue, &spec, &ctx, &super::actor()) {
        Ok(task) => {
            let mut out = std::io::stdout().lock();
            if args.json {
                let v = serde_json::json!({"id": task.id, "state": "pending", "task": task});
                writeln!(out, "{}", serde_json::to_string_pretty(&v)?)?;
            } else {
                writeln!(out, "{}", task.id)?;
            }
            Ok(exit_codes::OK)
        }
        Err(SubmitError::Rejected(r)) => rejected(&r, args.json, lang),
        // Queue::submit leaves nothing behind when it fails: say so, so that a retry is known to be safe.
        Err(SubmitError::Queue(e)) => {
            let code = e.code();
            Err(anyhow::Error::new(e).context(t!(lang, "cli-submit-not-queued", code = code)))
        }
    }
}

/// Each rejection as `CODE (field): sentence` on stderr, the sentence in `lang`; with `--json` also the English
/// JSON on stdout.
fn rejected(rejections: &[Rejection], json: bool, lang: Lang) -> anyhow::Result<u8> {
    if json {
        let v = serde_json::json!({"rejected": rejections});
        writeln!(
            std::io::stdout().lock(),
            "{}",
            serde_json::to_string_pretty(&v)?
        )?;
    }
    let mut err = std::io::stderr().lock();
    writeln!(err, "{}", t!(lang, "cli-submit-rejected"))?;
    for r in rejections {
        writeln!(err, "  {}", r.line(lang))?;
    }
    Ok(exit_codes::REJECTED)
}
