//! `apiplay token new|decode|verify`: mint tokens locally, explain any token, check a
//! signature. Secrets come from options or environment variables and are never printed.
//!
//! Exit codes: `verify` gives 0 for a valid token, 1 for a well-formed token that does not
//! verify (wrong secret, expired), 2 for a malformed token or unusable key.

mod mint;

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Subcommand};

pub use mint::{mint, Defaults, Kind, Minted, NewArgs, OpentokFormat};

use super::output;
use crate::clock;
use crate::exit::Outcome;
use crate::tokens::{
    self, agora, describe, opentok, twilio, vonage, DecodedToken, TokenFormat, VerifyError,
};

/// The token sub-commands.
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Build a token locally, print it and record it in the token history.
    New(Box<NewArgs>),
    /// Decode a token, auto-detecting its format.
    Decode {
        /// The token, or `-` to read it from standard input.
        token: String,
        /// Print JSON for machines.
        #[arg(long)]
        json: bool,
    },
    /// Check a token's signature (and expiry): exit 0 valid, 1 invalid, 2 malformed.
    Verify(VerifyArgs),
}

/// Options of `apiplay token verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The token, or `-` to read it from standard input.
    pub token: String,
    /// Twilio API key secret or OpenTok API secret [env: TWILIO_API_KEY_SECRET / OPENTOK_API_SECRET].
    #[arg(long)]
    pub secret: Option<String>,
    /// Agora app certificate [env: AGORA_APP_CERTIFICATE].
    #[arg(long)]
    pub cert: Option<String>,
    /// Vonage public key, or the private key itself, as a PEM file [env: VONAGE_PRIVATE_KEY_PATH].
    #[arg(long, value_name = "FILE")]
    pub public_key: Option<PathBuf>,
    /// Agora 006 only: the channel the token was issued for (the token carries only its CRC).
    #[arg(long)]
    pub channel: Option<String>,
    /// Agora 006 only: the uid the token was issued for (empty or 0 for any user).
    #[arg(long, default_value = "")]
    pub uid: String,
    /// Accept a correctly signed token even if it has expired.
    #[arg(long)]
    pub ignore_expiry: bool,
}

/// Runs a token sub-command; `token new` takes missing credentials from environment `env`
/// (the sandbox's demo credentials by default).
#[allow(clippy::needless_pass_by_value)]
pub fn run(cmd: TokenCommand, env: Option<&str>) -> anyhow::Result<Outcome> {
    match cmd {
        TokenCommand::New(args) => mint::run(&args, &mint::Defaults::load(env)?),
        TokenCommand::Decode { token, json } => decode(&read_token(&token)?, json),
        TokenCommand::Verify(args) => verify(&args),
    }
}

/// The most `token decode -` and `token verify -` read from standard input: 1 MiB, far
/// above any token (the largest, a Twilio grant set, is a few KiB).
const MAX_TOKEN_INPUT: u64 = 1024 * 1024;

/// The token argument, or standard input for `-` (trimmed either way).
fn read_token(arg: &str) -> anyhow::Result<String> {
    if arg != "-" {
        return Ok(arg.trim().to_owned());
    }
    let text = crate::collection::read_capped(
        std::io::stdin().lock(),
        "standard input",
        MAX_TOKEN_INPUT,
        "No token is that long; pass the token itself.",
    )
    .context("cannot read the token from standard input")?;
    Ok(text.trim().to_owned())
}

fn decode(token: &str, json: bool) -> anyhow::Result<Outcome> {
    // The history is read when it exists (never created for a decode).
    let path = crate::config::data_dir()?.join(crate::history::FILE_NAME);
    let store = if path.exists() {
        Some(crate::history::Store::open(&path)?)
    } else {
        None
    };
    let decoded =
        crate::history::identify(token, store.as_ref()).context("cannot decode the token")?;
    let mut out = std::io::stdout().lock();
    if json {
        writeln!(out, "{}", serde_json::to_string_pretty(&decoded)?)?;
    } else {
        print_account(&mut out, &decoded)?;
    }
    Ok(Outcome::Ok)
}

/// Prints the readable account, labels in bold on a terminal that allows colour.
pub(crate) fn print_account(out: &mut impl Write, decoded: &DecodedToken) -> std::io::Result<()> {
    let colour = std::io::stdout().is_terminal() && output::colour_allowed();
    for (label, value) in describe::account(decoded, clock::now_unix()) {
        if colour {
            writeln!(out, "\x1b[1;36m{label:>15}\x1b[0m  {value}")?;
        } else {
            writeln!(out, "{label:>15}  {value}")?;
        }
    }
    Ok(())
}

/// A secret from its option or, failing that, from an environment variable.
pub(crate) fn secret_from(option: Option<&str>, var: &str) -> Option<String> {
    option
        .map(str::to_owned)
        .or_else(|| std::env::var(var).ok().filter(|v| !v.is_empty()))
}

fn verify(args: &VerifyArgs) -> anyhow::Result<Outcome> {
    let token = read_token(&args.token)?;
    let mut out = std::io::stdout().lock();
    let decoded = match tokens::decode(&token) {
        Ok(decoded) => decoded,
        Err(err) => {
            writeln!(out, "malformed: {err}")?;
            return Ok(Outcome::BadInput);
        }
    };
    let missing = |what: &str| anyhow::anyhow!("verifying a {} token needs {what}", decoded.format);
    let result = match decoded.format {
        TokenFormat::Agora007 => {
            let cert = secret_from(args.cert.as_deref(), "AGORA_APP_CERTIFICATE")
                .ok_or_else(|| missing("--cert (or AGORA_APP_CERTIFICATE)"))?;
            agora::verify(&token, &cert).map(|_| ())
        }
        TokenFormat::Agora006 => {
            let cert = secret_from(args.cert.as_deref(), "AGORA_APP_CERTIFICATE")
                .ok_or_else(|| missing("--cert (or AGORA_APP_CERTIFICATE)"))?;
            let channel = args
                .channel
                .as_deref()
                .ok_or_else(|| missing("--channel (006 tokens carry only its CRC32) and --uid"))?;
            agora::v006::verify(&token, &cert, channel, &args.uid).map(|_| ())
        }
        TokenFormat::TwilioJwt => {
            let secret = secret_from(args.secret.as_deref(), "TWILIO_API_KEY_SECRET")
                .ok_or_else(|| missing("--secret (or TWILIO_API_KEY_SECRET)"))?;
            twilio::verify(&token, &secret).map(|_| ())
        }
        TokenFormat::OpentokT1 | TokenFormat::OpentokJwt => {
            let secret = secret_from(args.secret.as_deref(), "OPENTOK_API_SECRET")
                .ok_or_else(|| missing("--secret (or OPENTOK_API_SECRET)"))?;
            if decoded.format == TokenFormat::OpentokT1 {
                opentok::verify_t1(&token, &secret).map(|_| ())
            } else {
                opentok::verify_jwt(&token, &secret).map(|_| ())
            }
        }
        TokenFormat::VonageJwt => {
            let path = args
                .public_key
                .clone()
                .or_else(|| secret_from(None, "VONAGE_PRIVATE_KEY_PATH").map(PathBuf::from))
                .ok_or_else(|| missing("--public-key FILE (or VONAGE_PRIVATE_KEY_PATH)"))?;
            let pem = std::fs::read_to_string(&path)
                .with_context(|| format!("cannot read the key file {}", path.display()))?;
            vonage::verify(&token, &pem).map(|_| ())
        }
        TokenFormat::Mesibo | TokenFormat::AgoraChat | TokenFormat::Opaque => {
            writeln!(
                out,
                "invalid: a {} token has no signature apiplay can check",
                decoded.format
            )?;
            return Ok(Outcome::ApiRefused);
        }
    };
    match result {
        Ok(()) => {}
        Err(VerifyError::Malformed(err)) => {
            writeln!(out, "malformed: {err}")?;
            return Ok(Outcome::BadInput);
        }
        Err(VerifyError::BadKey(why)) => {
            anyhow::bail!("cannot verify with the key given: {why}")
        }
        Err(VerifyError::SignatureMismatch) => {
            writeln!(
                out,
                "invalid: signature does not match ({} token; signed with another secret, or altered)",
                decoded.format
            )?;
            return Ok(Outcome::ApiRefused);
        }
    }
    let (line, outcome) = expiry_verdict(&decoded, args.ignore_expiry, clock::now_unix());
    writeln!(out, "{line}")?;
    Ok(outcome)
}

/// What `verify` says of a correctly signed token, given its expiry.
fn expiry_verdict(decoded: &DecodedToken, ignore_expiry: bool, now: i64) -> (String, Outcome) {
    match decoded.expires_at {
        Some(exp) if exp <= now && !ignore_expiry => (
            format!(
                "invalid: signature matches but the token {} ({})",
                clock::time_left(exp, now),
                clock::rfc3339(exp)
            ),
            Outcome::ApiRefused,
        ),
        Some(exp) => (
            format!(
                "valid: {} signature matches; {}",
                decoded.format,
                clock::time_left(exp, now)
            ),
            Outcome::Ok,
        ),
        None => (
            format!(
                "valid: {} signature matches; no expiry in the token",
                decoded.format
            ),
            Outcome::Ok,
        ),
    }
}
