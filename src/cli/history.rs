//! `apiplay history` and `apiplay tokens`: reading the history store.

use std::io::Write as _;

use clap::{Args, ValueEnum};

use super::output;
use crate::clock;
use crate::exit::Outcome;
use crate::history::{Store, TokenFilter};
use crate::tokens::TokenFormat;

/// Options of `apiplay history`.
#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// How many exchanges to list.
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
    /// Print JSON for machines.
    #[arg(long)]
    pub json: bool,
}

/// The vendors, for filtering tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Vendor {
    /// mesibo user tokens.
    Mesibo,
    /// Agora 007 and 006 tokens, and Agora Chat tokens from the REST token exchange.
    Agora,
    /// Twilio Access Tokens.
    Twilio,
    /// OpenTok T1 and JWT tokens and Vonage Video client tokens.
    Vonage,
}

impl Vendor {
    fn formats(self) -> Vec<TokenFormat> {
        let name = match self {
            Vendor::Mesibo => "mesibo",
            Vendor::Agora => "agora",
            Vendor::Twilio => "twilio",
            Vendor::Vonage => "vonage",
        };
        TokenFormat::of_vendor(name).unwrap_or_default().to_vec()
    }
}

/// Options of `apiplay tokens`.
#[derive(Debug, Args)]
pub struct TokensArgs {
    /// Only this vendor's tokens.
    #[arg(long, value_enum)]
    pub vendor: Option<Vendor>,
    /// Only tokens for this subject (address, identity, username, session).
    #[arg(long)]
    pub subject: Option<String>,
    /// Only tokens that have not expired.
    #[arg(long)]
    pub active: bool,
    /// How many tokens to list.
    #[arg(long, default_value_t = 50)]
    pub limit: usize,
    /// Show the tokens in full instead of masked.
    #[arg(long)]
    pub reveal: bool,
    /// Print JSON for machines (tokens in full).
    #[arg(long)]
    pub json: bool,
}

/// Runs `apiplay history`.
pub fn history(args: &HistoryArgs) -> anyhow::Result<Outcome> {
    let store = Store::open_default()?;
    let mut out = std::io::stdout().lock();
    let rows = store.list_exchanges(args.limit, None)?;
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&rows)?)?;
        return Ok(Outcome::Ok);
    }
    if rows.is_empty() {
        writeln!(
            out,
            "no exchanges yet; send one with `apiplay send payloads/mesibo-backend-payload.json`"
        )?;
    }
    for row in rows {
        let outcome = match (row.status, &row.error) {
            (Some(status), _) if row.refused => format!("{status} refused"),
            (Some(status), _) => status.to_string(),
            (None, Some(error)) => format!("error: {}", output::short(error)),
            (None, None) => "-".to_owned(),
        };
        let ms = row
            .elapsed_ms
            .map_or_else(|| "-".to_owned(), |m| format!("{m:.1} ms"));
        writeln!(
            out,
            "#{:<5} {}  {:<8} {:<6} {:<11} {:>9}  {}",
            row.id,
            clock::rfc3339(row.started_at_ms / 1000),
            row.environment,
            row.method,
            outcome,
            ms,
            row.payload
        )?;
    }
    Ok(Outcome::Ok)
}

/// Runs `apiplay tokens`.
pub fn tokens(args: &TokensArgs) -> anyhow::Result<Outcome> {
    let store = Store::open_default()?;
    let mut out = std::io::stdout().lock();
    let now = clock::now_unix();
    let filter = TokenFilter {
        subject: args.subject.clone(),
        formats: args.vendor.map(Vendor::formats).unwrap_or_default(),
        active_at: args.active.then_some(now),
        limit: Some(args.limit),
    };
    let rows = store.list_tokens(&filter)?;
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&rows)?)?;
        return Ok(Outcome::Ok);
    }
    if rows.is_empty() {
        writeln!(out, "no tokens{}", if args.active { " active" } else { "" })?;
    }
    for row in rows {
        let t = &row.token;
        let left = t.expires_at.map_or_else(
            || "no expiry known".to_owned(),
            |e| clock::time_left(e, now),
        );
        let shown = if args.reveal {
            t.token.clone()
        } else {
            crate::secret::mask(&t.token)
        };
        writeln!(
            out,
            "#{:<5} {:<12} {:<24} {:<22} {}  {}",
            row.id,
            t.format.as_str(),
            output::short(t.subject.as_deref().unwrap_or("-")),
            output::short(t.app.as_deref().unwrap_or("-")),
            left,
            shown
        )?;
    }
    Ok(Outcome::Ok)
}
