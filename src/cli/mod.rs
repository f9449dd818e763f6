//! Command-line interface: argument parsing and wiring only. One file per subcommand, each owning its
//! usage text and a `run` entry.

mod budget;
mod calibrate;
mod check;
mod compare;
mod discover;
mod execute;
mod explore;
mod hindcast;
mod init;
mod interrupt;
mod json;
mod merge;
mod play;
mod report;
mod run;
mod schema;
mod sensitivity;
mod settings;
mod verify;

use clap::{Parser, Subcommand};

use greatgame::output::OutputError;
use greatgame::play::PlayError;
use greatgame::report::ReportError;
use greatgame::scenario::ScenarioError;

/// Monte Carlo scenarios of Central Asia's alignment between NATO, Russia and China.
#[derive(Debug, Parser)]
#[command(name = "greatgame", version, about, long_about = None, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    Run(run::Args),
    Check(check::Args),
    Compare(compare::Args),
    Hindcast(hindcast::Args),
    Calibrate(calibrate::Args),
    Merge(merge::Args),
    Play(play::Args),
    Report(report::Args),
    Schema(schema::Args),
    Init(init::Args),
    Verify(verify::Args),
    Explore(explore::Args),
    Sensitivity(sensitivity::Args),
    Discover(discover::Args),
}

/// An error caused by what the user gave (a bad option value), as opposed to a failure while running.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct InputError(pub String);

/// Parses the command line and runs the chosen command.
pub fn run() -> anyhow::Result<()> {
    interrupt::install();
    match Cli::parse().command {
        Command::Run(args) => run::run(&args),
        Command::Check(args) => check::run(&args),
        Command::Compare(args) => compare::run(&args),
        Command::Hindcast(args) => hindcast::run(&args),
        Command::Calibrate(args) => calibrate::run(&args),
        Command::Merge(args) => merge::run(&args),
        Command::Play(args) => play::run(&args),
        Command::Report(args) => report::run(&args),
        Command::Schema(args) => schema::run(&args),
        Command::Init(args) => init::run(&args),
        Command::Verify(args) => verify::run(&args),
        Command::Explore(args) => explore::run(&args),
        Command::Sensitivity(args) => sensitivity::run(&args),
        Command::Discover(args) => discover::run(&args),
    }
}

/// `err` and its causes as one line, `outer: inner: …`, as `{:#}` prints them, except that a cause
/// whose text the line already holds is not repeated: many errors name their cause in their own
/// message (`/out/runs.csv: cannot write: No space left on device`) and also return it as their
/// source, and the user should read the operating system's words once.
pub fn describe(err: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in err.chain() {
        let text = cause.to_string();
        if line.contains(&text) {
            continue;
        }
        if !line.is_empty() {
            line.push_str(": ");
        }
        line.push_str(&text);
    }
    line
}

/// 130 if interrupted (Ctrl-C, SIGTERM or SIGHUP), 2 if `err` comes from bad input (scenario,
/// options, parts, an output folder or file that cannot be used or is in use, a folder to report on),
/// else 1.
pub fn exit_code(err: &anyhow::Error) -> u8 {
    if err.chain().any(|e| e.is::<interrupt::Interrupted>()) {
        return interrupt::EXIT_CODE;
    }
    let input = err.chain().any(|e| {
        e.is::<ScenarioError>()
            || e.is::<InputError>()
            || e.downcast_ref::<ReportError>()
                .is_some_and(ReportError::is_input)
            || e.downcast_ref::<PlayError>()
                .is_some_and(PlayError::is_input)
            || matches!(
                e.downcast_ref::<OutputError>(),
                Some(
                    OutputError::Dir { .. }
                        | OutputError::Busy { .. }
                        | OutputError::Target { .. }
                        | OutputError::NoFolder { .. }
                )
            )
    });
    if input {
        2
    } else {
        1
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io;

    #[test]
    fn describe_names_a_cause_once_where_the_message_already_holds_it() {
        let disk_full = || io::Error::new(io::ErrorKind::StorageFull, "No space left on device");
        let err = anyhow::Error::new(OutputError::Write {
            path: "/out/runs.csv".into(),
            source: disk_full(),
        });
        assert_eq!(
            format!("{err:#}").matches("No space left").count(),
            2,
            "the premise: {{:#}} repeats a cause the message already names"
        );
        assert_eq!(
            describe(&err),
            "/out/runs.csv: cannot write: No space left on device"
        );
        // Context added on top, and a cause the message does not name, are both kept.
        let err = anyhow::Error::new(disk_full()).context("saving the game to g.toml");
        assert_eq!(
            describe(&err),
            "saving the game to g.toml: No space left on device"
        );
        let err = anyhow::Error::new(OutputError::Write {
            path: "/out/runs.csv".into(),
            source: disk_full(),
        })
        .context("2 of 3 folders failed; the first");
        assert_eq!(
            describe(&err),
            "2 of 3 folders failed; the first: /out/runs.csv: cannot write: No space left on device"
        );
    }
}
