//! `apiplay sandbox`: the embedded sandbox, standalone.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Args;

use crate::exit::Outcome;

/// Options of `apiplay sandbox`.
#[derive(Debug, Args)]
pub struct SandboxArgs {
    /// Where to listen.
    #[arg(long, default_value = "127.0.0.1:8787")]
    pub listen: SocketAddr,
    /// The SQLite store (default: sandbox.sqlite3 in the data dir).
    #[arg(long)]
    pub db: Option<PathBuf>,
}

/// Runs the sandbox until interrupted.
pub fn run(args: &SandboxArgs) -> anyhow::Result<Outcome> {
    let _ = args;
    anyhow::bail!("not built yet")
}
