//! The terminal UI: edit a payload, send it, read the response, and browse the history and
//! the issued tokens, in one screen.
//!
//! Shape (see STYLE.md): [`app::App`] holds the panes, each a component
//! ([`components`]) owning its state, key handling, drawing and key hints; it changes only
//! in its synchronous `update` ([`message::Message`] in, [`message::Effect`]s out). One key
//! table ([`keys`]) drives dispatch, the footer, the help popup and README. `views` draws a
//! frame; [`driver::Tui`] runs the loop and turns effects into tokio tasks; [`core_link`] is
//! the one door into the session (environment, sandbox, HTTP, history).

pub mod app;
pub mod assist;
pub mod bigjson;
mod collection_ui;
pub mod components;
pub mod core_link;
pub mod drafts;
pub mod driver;
pub mod editor;
pub mod errors;
pub mod files;
pub mod flow;
mod input;
pub mod jsonlex;
pub mod keep;
pub mod keys;
pub mod layout;
pub mod list;
pub mod message;
pub mod model;
pub mod response;
pub mod teach;
pub mod terminal;
pub mod theme;
mod token_link;
pub mod varlist;
mod vars_ui;
mod views;

use anyhow::Context as _;
use crossterm::event::EventStream;

use crate::cli::TuiArgs;
use crate::exit::Outcome;

/// Opens the TUI on `args.payloads` with `args.env` (the sandbox by default).
pub fn run(args: &TuiArgs) -> anyhow::Result<Outcome> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let link = core_link::CoreLink::new(args.env.clone(), args.payloads.clone());
    let drafts_dir = crate::datadir::subdir("drafts").ok();
    let result = runtime.block_on(async move {
        let (terminal, guard) = terminal::enter().context("setting up the terminal")?;
        let tui = driver::Tui::new(terminal, link, drafts_dir, Box::new(std::io::stdout()))
            .context("reading the terminal size")?;
        forward_signals(&tui.sender());
        let result = tui.run(EventStream::new()).await;
        drop(guard);
        result
    });
    // Tasks still running (a send, the sandbox) are dropped with the runtime, not awaited.
    runtime.shutdown_timeout(std::time::Duration::from_millis(200));
    result.map(|()| Outcome::Ok)
}

/// SIGTERM and SIGHUP end the loop like the quit key, so the terminal guard restores.
fn forward_signals(tx: &tokio::sync::mpsc::UnboundedSender<message::Message>) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        for kind in [SignalKind::terminate(), SignalKind::hangup()] {
            let tx = tx.clone();
            if let Ok(mut sig) = signal(kind) {
                tokio::spawn(async move {
                    if sig.recv().await.is_some() {
                        let _ = tx.send(message::Message::Quit);
                    }
                });
            }
        }
    }
    #[cfg(not(unix))]
    let _ = tx;
}
