//! `autodev approve` and `autodev reject`.

use std::io::Write;
use std::path::Path;

use approval::{Decider, Via};
use queue_core::exit_codes;

use crate::cli::{ApproveArgs, RejectArgs};

pub(super) fn approve(queue_dir: &Path, args: ApproveArgs) -> anyhow::Result<u8> {
    let queue = super::open_queue(queue_dir)?;
    let who = decider(args.by);
    match approval::approve(&queue, args.id, &who) {
        Ok(d) => {
            let mut out = std::io::stdout().lock();
            if args.json {
                let v = serde_json::json!({"approved": d.record, "newly": d.newly});
                writeln!(out, "{}", serde_json::to_string_pretty(&v)?)?;
            } else if d.newly {
                writeln!(
                    out,
                    "approved {} (patch sha256 {}); `autodev apply {}` commits it on autodev/{}",
                    args.id, d.record.patch_sha256, args.id, args.id
                )?;
            } else {
                writeln!(
                    out,
                    "{} was already approved by {} for the same patch; nothing changed",
                    args.id, d.record.by
                )?;
            }
            Ok(exit_codes::OK)
        }
        Err(e) => refused(e),
    }
}

pub(super) fn reject(queue_dir: &Path, args: RejectArgs) -> anyhow::Result<u8> {
    let queue = super::open_queue(queue_dir)?;
    let who = decider(args.by);
    match approval::reject(&queue, args.id, &who, &args.reason) {
        Ok(d) if d.newly => {
            println!("rejected {}", args.id);
            Ok(exit_codes::OK)
        }
        Ok(d) => {
            println!("{} was already rejected by {}", args.id, d.record.by);
            Ok(exit_codes::OK)
        }
        Err(e) => refused(e),
    }
}

fn decider(by: Option<String>) -> Decider {
    let by = by.unwrap_or_else(super::os_user);
    Decider { by, via: Via::Cli }
}

/// A refusal prints `CODE: sentence` and exits 1; an infrastructure error goes up (exit 2).
pub(super) fn refused(e: approval::Error) -> anyhow::Result<u8> {
    if e.is_refusal() {
        eprintln!("{}: {e}", e.code());
        Ok(e.exit_code())
    } else {
        Err(e.into())
    }
}
