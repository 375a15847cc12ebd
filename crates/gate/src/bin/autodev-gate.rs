//! `autodev-gate gate ...`: the gate's command line without the rest of autodev. The `autodev` binary wires the
//! same [`gate::cli::GateArgs`]; this one exists so the gate's hook tests can run a real `... gate --hook`.

use clap::Parser;

/// The autodev gate on its own (the same `gate` subcommand as `autodev gate`).
#[derive(Debug, Parser)]
#[command(name = "autodev-gate", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    Gate(gate::cli::GateArgs),
}

fn main() -> std::process::ExitCode {
    let Cli {
        command: Command::Gate(args),
    } = Cli::parse();
    std::process::ExitCode::from(gate::cli::run(args))
}
