//! `autodev pause` and `autodev resume`.

use queue_core::exit_codes;

use i18n::{Lang, t};

use crate::cli::PauseArgs;

pub(super) fn pause(addr: &super::QueueAddr, args: PauseArgs, lang: Lang) -> anyhow::Result<u8> {
    let queue = super::open_any(addr)?;
    if queue.pause(&super::actor(), &args.reason)? {
        println!("{}", t!(lang, "cli-paused"));
    } else {
        println!("{}", t!(lang, "cli-already-paused"));
    }
    Ok(exit_codes::OK)
}

pub(super) fn resume(addr: &super::QueueAddr, lang: Lang) -> anyhow::Result<u8> {
    let queue = super::open_any(addr)?;
    if queue.resume(&super::actor())? {
        println!("{}", t!(lang, "cli-resumed"));
    } else {
        println!("{}", t!(lang, "cli-not-paused"));
    }
    Ok(exit_codes::OK)
}
