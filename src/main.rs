//! The `sanc` binary: parse arguments, run, map the outcome to an exit code.

mod cli;

fn main() -> cli::Exit {
    cli::run()
}
