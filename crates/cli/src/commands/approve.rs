//! `autodev approve` and `autodev reject`.

use std::io::Write;

use approval::{Decider, Via};
use i18n::{Lang, t};
use queue_core::exit_codes;

use crate::cli::{ApproveArgs, RejectArgs};

pub(super) fn approve(
    addr: &super::QueueAddr,
    args: ApproveArgs,
    lang: Lang,
) -> anyhow::Result<u8> {
    let queue = super::open_any(addr)?;
    let who = decider(args.by);
    match approval::approve(&*queue, args.id, &who) {
        Ok(d) => {
            let mut out = std::io::stdout().lock();
            if args.json {
                let v = serde_json::json!({"approved": d.record, "newly": d.newly});
                writeln!(out, "{}", serde_json::to_string_pretty(&v)?)?;
            } else if d.newly {
                let sha = &d.record.patch_sha256;
                writeln!(
                    out,
                    "{}",
                    t!(lang, "cli-approved", id = &args.id, sha = sha)
                )?;
            } else {
                let by = &d.record.by;
                writeln!(
                    out,
                    "{}",
                    t!(lang, "cli-already-approved", id = &args.id, by = by)
                )?;
            }
            Ok(exit_codes::OK)
        }
        Err(e) => refused(e, lang),
    }
}

pub(super) fn reject(addr: &super::QueueAddr, args: RejectArgs, lang: Lang) -> anyhow::Result<u8> {
    let queue = super::open_any(addr)?;
    let who = decider(args.by);
    match approval::reject(&*queue, args.id, &who, &args.reason) {
        Ok(d) if d.newly => {
            println!("{}", t!(lang, "cli-rejected", id = &args.id));
            Ok(exit_codes::OK)
        }
        Ok(d) => {
            let by = &d.record.by;
            println!(
                "{}",
                t!(lang, "cli-already-rejected", id = &args.id, by = by)
            );
            Ok(exit_codes::OK)
        }
        Err(e) => refused(e, lang),
    }
}

fn decider(by: Option<String>) -> Decider {
    let by = by.unwrap_or_else(super::os_user);
    Decider { by, via: Via::Cli }
}

/// A refusal prints `CODE: sentence` (the sentence in `lang`) and exits 1; an infrastructure error goes up
/// (exit 2).
pub(super) fn refused(e: approval::Error, lang: Lang) -> anyhow::Result<u8> {
    if e.is_refusal() {
        eprintln!("{}: {}", e.code(), e.localized(lang));
        Ok(e.exit_code())
    } else {
        Err(e.into())
    }
}
