//! # autodev
//!
//! The `autodev` command line: `init`, `submit`, `status`, `events`, `pause`, `resume`. Each command is a module
//! under [`commands`]; [`cli`] holds the clap definitions (their doc comments are the English `--help` text),
//! [`help`] the same help in Korean and [`usage`] the parsing, with usage errors in the reader's language.

pub mod cli;
pub mod commands;
mod errors;
pub mod help;
pub mod ssot;
pub mod usage;

use std::io::Write;
use std::process::ExitCode;

use queue_core::exit_codes;

/// Parses arguments, runs the command and maps the outcome to the documented exit codes.
pub fn main() -> ExitCode {
    // Every command may hold a token (the bot, the worker's API key) or run model-written checks (the worker, the
    // gate): no process of the same user may read this one's environment or memory.
    gate::sandbox::harden_self();
    let lang = i18n::Lang::from_env();
    let cli = match usage::parse(std::env::args_os(), lang) {
        Ok(cli) => cli,
        Err(code) => return ExitCode::from(code),
    };
    match commands::run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            // A closed pipe (`autodev events | head`) is not an error.
            if err.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::from(exit_codes::OK);
            }
            let message = errors::describe(&err, lang);
            let _ = writeln!(
                std::io::stderr(),
                "{}",
                i18n::t!(lang, "cli-error", message = &message)
            );
            ExitCode::from(exit_codes::ERROR)
        }
    }
}
