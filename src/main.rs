//! The `apiplay` binary: parse the command line and dispatch; everything else lives in the library.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    apiplay::cli::main(apiplay::cli::Cli::parse())
}
