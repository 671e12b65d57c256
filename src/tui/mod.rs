//! The terminal UI.

use crate::cli::TuiArgs;
use crate::exit::Outcome;

/// Opens the TUI.
pub fn run(args: &TuiArgs) -> anyhow::Result<Outcome> {
    let _ = args;
    anyhow::bail!("the TUI is not built yet; use `apiplay send`")
}
