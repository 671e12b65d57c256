//! `apiplay sandbox`: the embedded sandbox, standalone. Prints the demo credentials and the
//! route table, serves until Ctrl-C or SIGTERM, then stops cleanly (requests in flight are
//! answered and committed before the store closes).

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use crate::exit::Outcome;
use crate::sandbox::{self, demo, SandboxOptions};

/// Options of `apiplay sandbox`.
#[derive(Debug, Args)]
pub struct SandboxArgs {
    /// Where to listen.
    #[arg(long, default_value = "127.0.0.1:8787")]
    pub listen: SocketAddr,
    /// The SQLite store (default: sandbox.sqlite3 in the data dir; `:memory:` keeps nothing).
    #[arg(long)]
    pub db: Option<PathBuf>,
}

/// Runs the sandbox until interrupted.
pub fn run(args: &SandboxArgs) -> anyhow::Result<Outcome> {
    let db = match &args.db {
        Some(path) if path.as_os_str() == ":memory:" => None,
        Some(path) => Some(path.clone()),
        None => Some(default_db()?),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        let options = SandboxOptions {
            listen: args.listen,
            db: db.clone(),
        };
        let handle = sandbox::start(options).await.with_context(|| {
            format!(
                "cannot start the sandbox on {} (is another process using the port? try --listen 127.0.0.1:0)",
                args.listen
            )
        })?;
        write!(std::io::stdout().lock(), "{}", banner(&handle.url(), db.as_deref()))?;
        wait_for_stop().await;
        say!("stopping the sandbox...");
        handle.shutdown().await;
        Ok(Outcome::Ok)
    })
}

/// `sandbox.sqlite3` in the data dir (`$APIPLAY_HOME`, else the platform's), where the TUI
/// and `send` keep their embedded sandbox too.
fn default_db() -> anyhow::Result<PathBuf> {
    Ok(crate::config::data_dir()?.join(sandbox::SANDBOX_DB))
}

async fn wait_for_stop() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// What the sandbox prints at start: where it is, its demo credentials, its routes.
pub fn banner(url: &str, db: Option<&std::path::Path>) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let store = db.map_or_else(|| "in memory".to_owned(), |p| p.display().to_string());
    let _ = writeln!(out, "apiplay sandbox listening on {url}  (store: {store})");
    let _ = writeln!(
        out,
        "\nBase URLs: mesibo {url}/backend/   everything else {url}"
    );
    let _ = writeln!(out, "\nDemo credentials (public test values, not secrets):");
    let creds = [
        ("mesibo app token", demo::MESIBO_APP_TOKEN),
        ("mesibo appid", demo::MESIBO_APPID),
        ("Agora app id", demo::AGORA_APP_ID),
        ("Agora app certificate", demo::AGORA_APP_CERTIFICATE),
        ("Agora Chat org/app", "41434878/504205"),
        ("Twilio account SID", demo::TWILIO_ACCOUNT_SID),
        ("Twilio API key SID", demo::TWILIO_API_KEY_SID),
        ("Twilio API key secret", demo::TWILIO_API_KEY_SECRET),
        ("Twilio chat service SID", demo::TWILIO_CHAT_SERVICE_SID),
        ("OpenTok API key", demo::OPENTOK_API_KEY),
        ("OpenTok API secret", demo::OPENTOK_API_SECRET),
        ("Vonage application id", demo::VONAGE_APPLICATION_ID),
    ];
    for (name, value) in creds {
        let _ = writeln!(out, "  {name:<24} {value}");
    }
    let _ = writeln!(out, "\nRoutes:");
    for (method, path, what) in sandbox::ROUTES {
        let _ = writeln!(out, "  {method:<10} {path:<32} {what}");
    }
    let _ = writeln!(out, "\nCtrl-C stops it.");
    out
}
