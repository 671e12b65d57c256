//! `apiplay token new|decode|verify`.

use clap::Subcommand;

use crate::exit::Outcome;

/// The token sub-commands.
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Decode a token, auto-detecting its format.
    Decode {
        /// The token, or `-` to read it from standard input.
        token: String,
    },
}

/// Runs a token sub-command.
#[allow(clippy::needless_pass_by_value)]
pub fn run(cmd: TokenCommand) -> anyhow::Result<Outcome> {
    let _ = cmd;
    anyhow::bail!("not built yet")
}
