//! The `autodev` binary: all logic lives in the library.

fn main() -> std::process::ExitCode {
    autodev::main()
}
