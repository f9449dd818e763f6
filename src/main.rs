//! The `greatgame` binary: parse arguments, run, map errors to exit codes (2 for bad input, 1 for a
//! failure while running). All the work is in the library.

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    match cli::run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {}", cli::describe(&err));
            ExitCode::from(cli::exit_code(&err))
        }
    }
}
