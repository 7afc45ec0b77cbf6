//! The `arende` command.

// Errors carry the text of the file they point into, for source spans; they
// are returned once per command, so their size costs nothing worth boxing for.
#![allow(clippy::result_large_err)]

mod cli;

fn main() -> std::process::ExitCode {
    cli::run()
}
