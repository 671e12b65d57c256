//! `apiplay curl FILE` and `apiplay import-curl 'curl …'`: the request `send` would make as a
//! curl command line, and a curl command line as a new payload and sidecar (see
//! [`crate::curl`]).

use std::collections::BTreeMap;
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::Args;

use crate::collection::{parse_cli_var, PayloadTemplate, SidecarFile};
use crate::config::{self, Config};
use crate::curl;
use crate::exit::Outcome;
use crate::session::{Session, SessionOptions};

/// Where an exported command goes for the sandbox environment, and which host an imported
/// command's sandbox URLs have: the standalone `apiplay sandbox`'s default address (the
/// embedded one lives only as long as apiplay runs).
pub const STANDALONE_SANDBOX: &str = "http://127.0.0.1:8787";

/// Options of `apiplay curl`.
#[derive(Debug, Args)]
pub struct CurlArgs {
    /// The payload file (its sidecar `.toml` beside it is read too).
    pub file: PathBuf,
    /// Set a variable, overriding every other source (repeatable).
    #[arg(long = "var", value_name = "K=V", value_parser = parse_cli_var)]
    pub vars: Vec<(String, serde_json::Value)>,
    /// For the sandbox environment: the standalone sandbox (`apiplay sandbox`) the command
    /// goes to.
    #[arg(long, value_name = "URL", default_value = STANDALONE_SANDBOX)]
    pub sandbox_url: String,
}

/// Options of `apiplay import-curl`.
#[derive(Debug, Args)]
pub struct ImportCurlArgs {
    /// The whole curl command in one argument (quote it), or `-` to read it from standard input.
    pub command: String,
    /// Where to write the payload (`NAME.json`; the sidecar `NAME.toml` goes beside it).
    /// Default: `imported/<op>.json` in the payloads folder, numbered if taken.
    #[arg(long, value_name = "PATH")]
    pub to: Option<PathBuf>,
    /// For the sandbox environment: the standalone sandbox's URL its backends are matched on.
    #[arg(long, value_name = "URL", default_value = STANDALONE_SANDBOX)]
    pub sandbox_url: String,
}

/// Runs `apiplay curl`.
pub fn curl(args: &CurlArgs, env: Option<&str>) -> anyhow::Result<Outcome> {
    let template = PayloadTemplate::load(&args.file)?;
    let overrides: BTreeMap<_, _> = args.vars.iter().cloned().collect();
    let options = SessionOptions {
        environment: env.map(str::to_owned),
        record: false,
        ..SessionOptions::default()
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let export = runtime.block_on(async {
        let session = Session::start(options).await?;
        anyhow::Ok(curl::export::for_session(
            &session,
            &template,
            overrides,
            &args.sandbox_url,
        )?)
    })?;
    let mut out = std::io::stdout().lock();
    out.write_all(export.text.as_bytes())?;
    out.flush()?;
    Ok(Outcome::Ok)
}

/// Runs `apiplay import-curl`.
pub fn import_curl(
    args: &ImportCurlArgs,
    env: Option<&str>,
    payloads: &Path,
) -> anyhow::Result<Outcome> {
    let command = if args.command == "-" {
        let mut text = String::new();
        std::io::stdin()
            .lock()
            .take(crate::collection::DEFAULT_MAX_REQUEST)
            .read_to_string(&mut text)
            .context("reading the curl command from standard input")?;
        text
    } else {
        args.command.clone()
    };
    let cwd = std::env::current_dir().context("finding the current folder")?;
    let request = curl::parse(&command, &cwd)?;
    let mut environment =
        Config::load(Path::new("."))?.environment(env.unwrap_or(config::SANDBOX))?;
    if environment.is_sandbox() {
        environment.bind_sandbox(&args.sandbox_url);
    }
    let imported = curl::import(&request, &environment)?;
    let path = curl::save(&imported, args.to.as_deref(), payloads)?;
    let sidecar = SidecarFile::path_for(&path);
    say!(
        "wrote {} and {}{}",
        path.display(),
        sidecar.display(),
        imported
            .op
            .as_deref()
            .map(|op| format!(" ({op})"))
            .unwrap_or_default()
    );
    for r in &imported.replaced {
        say!("replaced {} with {{{{{}}}}}: {}", r.what, r.variable, r.how);
    }
    for note in &imported.notes {
        say!("note: {note}");
    }
    writeln!(std::io::stdout().lock(), "{}", path.display())?;
    Ok(Outcome::Ok)
}
