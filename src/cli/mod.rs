//! The command line: clap definitions and dispatch to the headless commands and the TUI.
//!
//! Every command returns an [`Outcome`]; errors are reported once, here, with their whole
//! context chain, and mapped to the exit codes of DESIGN.md by [`crate::exit::classify`].
//!
//! Output to a closed pipe (`apiplay tokens | head -1`) ends quietly, as `cat` does: every
//! command writes its stdout with `writeln!(out, ..)?` on a locked `std::io::stdout()`, so a
//! write into a closed pipe is an `io::Error` of kind `BrokenPipe` that travels up like any
//! other error, and [`main`] turns it into a quiet exit 0. Messages for stderr go through
//! [`say!`], which drops them when stderr is closed. `println!`/`eprintln!` (which panic on a
//! closed pipe) are denied in this module tree so no command slips past the mechanism.

#![deny(clippy::print_stdout, clippy::print_stderr)]

/// `eprintln!` that never panics: a message for a closed stderr has nowhere to go.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

mod check;
pub mod curl;
mod explain;
mod history;
pub(crate) mod output;
pub mod sandbox;
mod send;
pub mod token;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::exit::{self, Outcome};

/// apiplay: a terminal playground for token-issuing backend APIs.
#[derive(Debug, Parser)]
#[command(name = "apiplay", version, about, long_about = None)]
pub struct Cli {
    /// What to do; without one, apiplay opens the TUI.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Options of the TUI when no sub-command is given.
    #[command(flatten)]
    pub tui: TuiArgs,
}

/// The sub-commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Open the terminal UI (the default).
    Tui,
    /// Render a payload, send it, print the response and record it.
    Send(send::SendArgs),
    /// Send a recorded exchange again, with secrets re-resolved from the environment.
    Replay(send::ReplayArgs),
    /// Print the request a payload makes as a curl command line (secrets as shell variables).
    Curl(curl::CurlArgs),
    /// Write a payload and its sidecar from a curl command line (`-` reads it from stdin).
    ImportCurl(curl::ImportCurlArgs),
    /// List recorded exchanges, newest first.
    History(history::HistoryArgs),
    /// List issued tokens with their time left.
    Tokens(history::TokensArgs),
    /// Build, decode and verify tokens.
    #[command(subcommand)]
    Token(token::TokenCommand),
    /// Run the embedded sandbox standalone.
    Sandbox(sandbox::SandboxArgs),
    /// Check payloads against the catalogue: `file:line:col: error|warning: message`.
    Check(check::CheckArgs),
    /// List the operations the catalogue describes.
    Ops(check::OpsArgs),
    /// Print an operation's docs: fields, units, limits, an example, the answer, the errors.
    Explain(explain::ExplainArgs),
    /// Write a ready payload and sidecar for an operation.
    New(explain::NewArgs),
}

/// Where apiplay finds its environments and payloads.
#[derive(Debug, Clone, Args)]
pub struct TuiArgs {
    /// The environment to send to (from apiplay.toml, or the built-in `sandbox`).
    #[arg(long = "env", global = true)]
    pub env: Option<String>,
    /// The folder of payload templates.
    #[arg(long, global = true, default_value = "payloads")]
    pub payloads: PathBuf,
}

/// Runs the parsed command line and turns its outcome into the process exit code.
pub fn main(cli: Cli) -> ExitCode {
    match run(cli) {
        Ok(outcome) => outcome.into(),
        // The reader went away (`| head -1`): it has what it wanted; nothing to report.
        Err(err) if is_broken_pipe(&err) => Outcome::Ok.into(),
        Err(err) => {
            say!("error: {}", exit::anyhow_text(&err));
            exit::classify(&err).into()
        }
    }
}

/// Whether an error comes from writing into a pipe whose reader has gone.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn run(cli: Cli) -> anyhow::Result<Outcome> {
    // An unknown `--env` is bad input for every command, the TUI included: stop before
    // anything starts, naming the environments that exist.
    if let Some(name) = &cli.tui.env {
        crate::config::Config::load(std::path::Path::new("."))?.environment(name)?;
    }
    match cli.command {
        None | Some(Command::Tui) => crate::tui::run(&cli.tui),
        Some(Command::Send(args)) => send::send(&args, cli.tui.env.as_deref()),
        Some(Command::Replay(args)) => send::replay(&args, cli.tui.env.as_deref()),
        Some(Command::Curl(args)) => curl::curl(&args, cli.tui.env.as_deref()),
        Some(Command::ImportCurl(args)) => {
            curl::import_curl(&args, cli.tui.env.as_deref(), &cli.tui.payloads)
        }
        Some(Command::History(args)) => history::history(&args),
        Some(Command::Tokens(args)) => history::tokens(&args),
        Some(Command::Token(cmd)) => token::run(cmd, cli.tui.env.as_deref()),
        Some(Command::Sandbox(args)) => sandbox::run(&args),
        Some(Command::Check(args)) => check::check(&args),
        Some(Command::Ops(args)) => check::ops(&args),
        Some(Command::Explain(args)) => explain::explain(&args),
        Some(Command::New(args)) => explain::new(&args),
    }
}
