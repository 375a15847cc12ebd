//! `autodev publish`.

use std::io::Write;

use delivery::{EnvSource, PublishOptions, Published};
use queue_core::exit_codes;

use i18n::{Lang, t};

use crate::cli::PublishArgs;

pub(super) fn run(addr: &super::QueueAddr, args: PublishArgs, lang: Lang) -> anyhow::Result<u8> {
    let queue = super::open_any(addr)?;
    let committer = super::apply::committer(
        &*queue,
        &super::current_dir(lang)?,
        args.id,
        args.committer_name,
        args.committer_email,
    );
    let opts = PublishOptions {
        remote: args.remote,
        ready: args.ready,
        actor: super::actor(),
        committer,
        env: EnvSource::Process,
    };
    let mut out = std::io::stdout().lock();
    match delivery::publish(&*queue, args.id, &opts) {
        Ok(p) if args.json => {
            let v = serde_json::json!({"id": args.id, "published": p});
            writeln!(out, "{}", serde_json::to_string_pretty(&v)?)?;
            Ok(exit_codes::OK)
        }
        Ok(p) => {
            writeln!(out, "{}", summary(&p, lang))?;
            Ok(exit_codes::OK)
        }
        // Every delivery error has a code, infrastructure ones too: print it, exit 1 or 2. Messages hold no token.
        Err(e) => {
            if args.json {
                let v = serde_json::json!({"id": args.id, "error": {
                    "code": e.code(), "message": e.to_string(), "retryable": e.is_retryable(),
                    "retry_at": e.retry_at()}});
                writeln!(out, "{}", serde_json::to_string_pretty(&v)?)?;
            }
            eprintln!("{}: {}", e.code(), e.localized(lang));
            Ok(e.exit_code())
        }
    }
}

/// One or two lines: what was pushed, and the pull request.
fn summary(p: &Published, lang: Lang) -> String {
    let short = p.commit.get(..12).unwrap_or(&p.commit);
    let (branch, remote) = (&p.branch, &p.remote);
    let push = if p.newly_pushed {
        t!(
            lang,
            "cli-publish-pushed",
            branch = branch,
            commit = short,
            remote = remote
        )
    } else {
        t!(
            lang,
            "cli-publish-already-pushed",
            branch = branch,
            commit = short,
            remote = remote
        )
    };
    let pr = match (&p.pr_url, p.newly_opened) {
        (Some(url), true) => t!(lang, "cli-publish-opened", url = url),
        (Some(url), false) => t!(lang, "cli-publish-already-open", url = url),
        (None, _) => t!(lang, "cli-publish-no-forge"),
    };
    format!("{push}\n{pr}")
}
