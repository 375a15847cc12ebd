//! `autodev pause` and `autodev resume`.

use std::path::Path;

use queue_core::exit_codes;

use i18n::{Lang, t};

use crate::cli::PauseArgs;

pub(super) fn pause(queue_dir: &Path, args: PauseArgs, lang: Lang) -> anyhow::Result<u8> {
    let queue = super::open_queue(queue_dir)?;
    if queue.pause(&super::actor(), &args.reason)? {
        println!("{}", t!(lang, "cli-paused"));
    } else {
        println!("{}", t!(lang, "cli-already-paused"));
    }
    Ok(exit_codes::OK)
}

pub(super) fn resume(queue_dir: &Path, lang: Lang) -> anyhow::Result<u8> {
    let queue = super::open_queue(queue_dir)?;
    if queue.resume(&super::actor())? {
        println!("{}", t!(lang, "cli-resumed"));
    } else {
        println!("{}", t!(lang, "cli-not-paused"));
    }
    Ok(exit_codes::OK)
}
