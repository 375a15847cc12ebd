//! `autodev pause` and `autodev resume`.

use std::path::Path;

use queue_core::exit_codes;

use crate::cli::PauseArgs;

pub(super) fn pause(queue_dir: &Path, args: PauseArgs) -> anyhow::Result<u8> {
    let queue = super::open_queue(queue_dir)?;
    if queue.pause(&super::actor(), &args.reason)? {
        println!(
            "paused: workers finish their current task and claim nothing new (`autodev resume` to undo)"
        );
    } else {
        println!("already paused");
    }
    Ok(exit_codes::OK)
}

pub(super) fn resume(queue_dir: &Path) -> anyhow::Result<u8> {
    let queue = super::open_queue(queue_dir)?;
    if queue.resume(&super::actor())? {
        println!("resumed: workers claim again");
    } else {
        println!("not paused");
    }
    Ok(exit_codes::OK)
}
