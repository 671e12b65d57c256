//! placeholder
use crate::exit::Outcome;
use clap::Args;
/// Options of `apiplay history`.
#[derive(Debug, Args)]
pub struct HistoryArgs {
    #[arg(long)]
    json: bool,
}
/// Options of `apiplay tokens`.
#[derive(Debug, Args)]
pub struct TokensArgs {
    #[arg(long)]
    json: bool,
}
pub fn history(_a: &HistoryArgs) -> anyhow::Result<Outcome> {
    anyhow::bail!("todo")
}
pub fn tokens(_a: &TokensArgs) -> anyhow::Result<Outcome> {
    anyhow::bail!("todo")
}
