//! placeholder
use crate::exit::Outcome;
use clap::Args;
/// Options of `apiplay send`.
#[derive(Debug, Args)]
pub struct SendArgs {
    file: String,
}
/// Options of `apiplay replay`.
#[derive(Debug, Args)]
pub struct ReplayArgs {
    id: i64,
}
pub fn send(_a: &SendArgs, _e: Option<&str>) -> anyhow::Result<Outcome> {
    anyhow::bail!("todo")
}
pub fn replay(_a: &ReplayArgs, _e: Option<&str>) -> anyhow::Result<Outcome> {
    anyhow::bail!("todo")
}
