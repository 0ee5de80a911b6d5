//! The `chokepoint` binary: parse, run, map the result to an exit code. Nothing else.

fn main() -> std::process::ExitCode {
    chokepoint_cli::main()
}
