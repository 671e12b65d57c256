//! `apiplay send` and `apiplay replay`: one request through the session, printed and recorded.

use std::collections::BTreeMap;
use std::io::{IsTerminal as _, Write as _};
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context as _;
use clap::{Args, ValueEnum};

use super::output;
use crate::collection::{
    parse_cli_var, read_capped, PayloadTemplate, SidecarFile, DEFAULT_MAX_REQUEST, MAX_REQUEST_HINT,
};
use crate::exit::Outcome;
use crate::filter::Filter;
use crate::http::{EngineOptions, DEFAULT_MAX_BODY};
use crate::session::{Sent, Session, SessionOptions};

/// How to print a response body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputMode {
    /// Pretty JSON, highlighted on a terminal (plain when piped or with NO_COLOR).
    Pretty,
    /// Compact JSON on one line.
    Json,
    /// The body bytes exactly as received.
    Raw,
}

/// Limits of the HTTP engine, shared by `send` and `replay`.
#[derive(Debug, Clone, Args)]
pub struct EngineArgs {
    /// Seconds allowed to connect.
    #[arg(long, default_value_t = 10, value_name = "SECONDS")]
    pub connect_timeout: u64,
    /// Seconds allowed for the whole exchange.
    #[arg(long, default_value_t = 60, value_name = "SECONDS")]
    pub timeout: u64,
    /// Largest response body accepted, in bytes.
    #[arg(long, default_value_t = DEFAULT_MAX_BODY, value_name = "BYTES")]
    pub max_body: u64,
}

impl EngineArgs {
    fn options(&self) -> EngineOptions {
        EngineOptions {
            connect_timeout: Duration::from_secs(self.connect_timeout),
            timeout: Duration::from_secs(self.timeout),
            max_body: self.max_body,
        }
    }
}

/// Options of `apiplay send`.
#[derive(Debug, Args)]
pub struct SendArgs {
    /// The payload file (its sidecar `.toml` beside it is read too), or `-` for standard input.
    pub file: PathBuf,
    /// Set a variable, overriding every other source (repeatable). V is JSON when it parses as
    /// a number, boolean, array or object.
    #[arg(long = "var", value_name = "K=V", value_parser = parse_cli_var)]
    pub vars: Vec<(String, serde_json::Value)>,
    /// How to print the response body.
    #[arg(long, value_enum, default_value_t = OutputMode::Pretty)]
    pub output: OutputMode,
    /// Print what a jq expression makes of the JSON response (each output on its own; with
    /// `--output raw`, strings without quotes, as `jq -r`).
    #[arg(long, value_name = "EXPR")]
    pub filter: Option<String>,
    /// Do not record the exchange or its tokens.
    #[arg(long)]
    pub no_history: bool,
    /// Largest request body (file or standard input) read, in bytes; nothing past it is read.
    #[arg(long, default_value_t = DEFAULT_MAX_REQUEST, value_name = "BYTES")]
    pub max_request: u64,
    /// Engine limits.
    #[command(flatten)]
    pub engine: EngineArgs,
}

/// Options of `apiplay replay`.
#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// The exchange's id (see `apiplay history`).
    pub id: i64,
    /// How to print the response body.
    #[arg(long, value_enum, default_value_t = OutputMode::Pretty)]
    pub output: OutputMode,
    /// Print what a jq expression makes of the JSON response.
    #[arg(long, value_name = "EXPR")]
    pub filter: Option<String>,
    /// Engine limits.
    #[command(flatten)]
    pub engine: EngineArgs,
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")
}

/// Runs `apiplay send`.
pub fn send(args: &SendArgs, env: Option<&str>) -> anyhow::Result<Outcome> {
    let template = if args.file.as_os_str() == "-" {
        let body = read_capped(
            std::io::stdin().lock(),
            "standard input",
            args.max_request,
            MAX_REQUEST_HINT,
        )?;
        PayloadTemplate {
            name: "<stdin>".to_owned(),
            body,
            sidecar: SidecarFile::default(),
        }
    } else {
        PayloadTemplate::load_capped(&args.file, args.max_request)?
    };
    // Nothing starts (no sandbox, no store) for a body that cannot be sent or a bad filter.
    template.validate()?;
    // The catalogue op, to explain a documented error in the answer.
    let op = crate::catalogue::catalogue()
        .check_payload(&template.sidecar, &template.body)
        .op;
    let filter = args.filter.as_deref().map(Filter::new).transpose()?;
    let overrides: BTreeMap<_, _> = args.vars.iter().cloned().collect();
    let options = SessionOptions {
        environment: env.map(str::to_owned),
        record: !args.no_history,
        engine: args.engine.options(),
        ..SessionOptions::default()
    };
    runtime()?.block_on(async {
        let session = Session::start(options).await?;
        warn_store(&session);
        let prepared = session.prepare(&template, overrides)?;
        finish(&prepared.send().await, args.output, op, filter.as_ref())
    })
}

/// Runs `apiplay replay`.
pub fn replay(args: &ReplayArgs, env: Option<&str>) -> anyhow::Result<Outcome> {
    let filter = args.filter.as_deref().map(Filter::new).transpose()?;
    // The recorded environment is the default, so the history is read before the session.
    let recorded = {
        let store = crate::history::Store::open_default()?;
        store.get_exchange(args.id)?.with_context(|| {
            format!(
                "no exchange #{} in {}; see `apiplay history`",
                args.id,
                store.path().display()
            )
        })?
    };
    let options = SessionOptions {
        environment: Some(env.map_or_else(|| recorded.environment.clone(), str::to_owned)),
        engine: args.engine.options(),
        ..SessionOptions::default()
    };
    runtime()?.block_on(async {
        let session = Session::start(options).await?;
        warn_store(&session);
        let prepared = session.prepare_replay(&recorded)?;
        finish(&prepared.send().await, args.output, None, filter.as_ref())
    })
}

fn warn_store(session: &Session) {
    if let Some(warning) = session.store_warning() {
        say!("warning: {warning}");
    }
}

/// Records and prints an exchange, and says what it means for the exit code. A documented
/// error in the answer is explained from the catalogue (`op` first, else any op).
fn finish(
    sent: &Sent,
    mode: OutputMode,
    op: Option<&crate::catalogue::Operation>,
    filter: Option<&Filter>,
) -> anyhow::Result<Outcome> {
    let recorded = match sent.record() {
        Ok(r) => r,
        Err(e) => {
            say!("warning: {e}; the exchange was not recorded");
            None
        }
    };
    let exchange = sent.exchange();
    let response = match &exchange.outcome {
        Ok(response) => response,
        Err(e) => return Err(e.clone().into()),
    };
    let stderr_colour = std::io::stderr().is_terminal() && output::colour_allowed();
    say!(
        "{}",
        output::status_line(exchange, response, recorded.as_ref(), stderr_colour)
    );
    if let Some((code, doc, op)) =
        crate::catalogue::catalogue().explain_answer(op, response.status, &response.body)
    {
        say!("{code} ({}): {}", op.id, doc.meaning);
        say!("  what to do: {}", doc.fix);
    }
    if let Some(recorded) = &recorded {
        for token in &recorded.tokens {
            say!("{}", output::token_line(token));
        }
        for (name, value) in &recorded.captures {
            say!(
                "captured {name} = {}",
                output::short(&crate::collection::template::value_text(value))
            );
        }
    }
    let stdout = std::io::stdout();
    let colour = stdout.is_terminal() && output::colour_allowed();
    let mut out = stdout.lock();
    match filter {
        Some(filter) => output::filtered(&mut out, filter, &response.body, mode, colour)?,
        None => output::body(&mut out, &response.body, mode, colour)?,
    }
    out.flush()?;
    Ok(if response.refused() {
        Outcome::ApiRefused
    } else {
        Outcome::Ok
    })
}
