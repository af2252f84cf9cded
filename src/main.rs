//! The `sanc` binary: parse arguments, run, map the outcome to an exit code.

mod cli;

// Events are allocated by the threads that parse them and freed by the one
// that evaluates them; mimalloc handles that hand-over without the lock
// contention of the system allocator (see src/eval/pipeline.rs).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> cli::Exit {
    cli::run()
}
