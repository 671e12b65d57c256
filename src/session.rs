//! A session: the environment in use, the embedded sandbox when that environment is
//! `sandbox`, the one HTTP engine and the history store. The CLI and the TUI both drive
//! requests through it, so there is one path from a payload to a recorded exchange:
//!
//! ```text
//!  PayloadTemplate ─Session::prepare─▶ Prepared ─send─▶ Sent ─record─▶ history
//!  recorded Exchange ─Session::prepare_replay─┘   (the request to show,     (tokens and
//!                                                   or export as curl)       captures)
//! ```
//!
//! [`Sent::record`] is a separate, blocking step so a front end can show the response before
//! SQLite has stored a large body; it records the exchange, the tokens found and the sidecar's
//! captures, or nothing when the session does not record (`send --no-history`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::Context as _;
use serde_json::Value;

use crate::clock;
use crate::collection::{PayloadTemplate, Rendered, SidecarFile, TemplateError, Vars};
use crate::config::{self, Config, Environment};
use crate::history::{HistoryError, Recorded, Store};
use crate::http::{Engine, EngineOptions, Exchange, RenderedRequest};
use crate::sandbox::{self, SandboxHandle, SandboxOptions};

/// How to start a session.
#[derive(Debug, Clone)]
pub struct SessionOptions {
    /// The environment's name; `None` is the sandbox.
    pub environment: Option<String>,
    /// Where `apiplay.toml` is looked for.
    pub config_dir: PathBuf,
    /// Whether to record exchanges, tokens and captures. Without it the history is still read
    /// (captures and `{{token:…}}` resolve) when its file exists, and never written.
    pub record: bool,
    /// The HTTP engine's limits.
    pub engine: EngineOptions,
}

impl Default for SessionOptions {
    fn default() -> Self {
        SessionOptions {
            environment: None,
            config_dir: PathBuf::from("."),
            record: true,
            engine: EngineOptions::default(),
        }
    }
}

/// The shared handle on the history store.
pub type SharedStore = Arc<Mutex<Store>>;

/// Everything a request needs on its way.
#[derive(Debug)]
pub struct Session {
    config: Config,
    env: Environment,
    engine: Engine,
    store: Option<SharedStore>,
    store_warning: Option<String>,
    record: bool,
    sandbox: Option<SandboxHandle>,
    /// Values a person entered for this session (the TUI's missing secrets): in memory only,
    /// secret, never written anywhere.
    entered: BTreeMap<String, Value>,
}

impl Session {
    /// Loads the configuration, opens the history and, for the sandbox environment, starts
    /// the embedded sandbox on a free loopback port. Must run inside a tokio runtime.
    pub async fn start(options: SessionOptions) -> anyhow::Result<Session> {
        let config = Config::load(&options.config_dir)?;
        let name = options.environment.as_deref().unwrap_or(config::SANDBOX);
        let env = config.environment(name)?;
        let engine = Engine::new(options.engine)?;
        let (store, store_warning) = match open_store(options.record) {
            Ok(store) => (store.map(|s| Arc::new(Mutex::new(s))), None),
            Err(e) => (None, Some(format!("{e}; continuing without history"))),
        };
        let mut session = Session {
            config,
            env,
            engine,
            store,
            store_warning,
            record: options.record,
            sandbox: None,
            entered: BTreeMap::new(),
        };
        session.bind_sandbox().await?;
        Ok(session)
    }

    /// The environments of `apiplay.toml` (and the built-in sandbox).
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The environment in use, with the sandbox's URLs bound when it is the sandbox.
    pub fn environment(&self) -> &Environment {
        &self.env
    }

    /// The history store, unless it is unusable (or, when not recording, absent).
    pub fn store(&self) -> Option<&SharedStore> {
        self.store.as_ref()
    }

    /// Why the history is unusable, or the embedded sandbox runs in memory, for a warning;
    /// the session works without them.
    pub fn store_warning(&self) -> Option<&str> {
        self.store_warning.as_deref()
    }

    /// Runs `read` on the history store; `Ok(None)` when there is no history.
    pub fn with_store<T>(
        &self,
        read: impl FnOnce(&Store) -> Result<T, HistoryError>,
    ) -> Result<Option<T>, HistoryError> {
        let Some(store) = &self.store else {
            return Ok(None);
        };
        let store = lock(store)?;
        read(&store).map(Some)
    }

    /// Runs `write` on the history store; `Ok(None)` when there is no history.
    pub fn with_store_mut<T>(
        &self,
        write: impl FnOnce(&mut Store) -> Result<T, HistoryError>,
    ) -> Result<Option<T>, HistoryError> {
        let Some(store) = &self.store else {
            return Ok(None);
        };
        let mut store = lock(store)?;
        write(&mut store).map(Some)
    }

    /// A recorded exchange by id; an error names the history file when it is not there.
    pub fn recorded_exchange(&self, id: i64) -> Result<Exchange, ExchangeError> {
        let Some(store) = &self.store else {
            return Err(ExchangeError::NoHistory {
                id,
                why: self
                    .store_warning
                    .clone()
                    .unwrap_or_else(|| "there is no history yet".to_owned()),
            });
        };
        let store = lock(store)?;
        store
            .get_exchange(id)?
            .ok_or_else(|| ExchangeError::NotFound {
                id,
                path: store.path().to_owned(),
            })
    }

    /// Switches to another environment, starting or stopping the sandbox as needed.
    pub async fn switch_environment(&mut self, name: &str) -> anyhow::Result<()> {
        self.env = self.config.environment(name)?;
        self.bind_sandbox().await
    }

    async fn bind_sandbox(&mut self) -> anyhow::Result<()> {
        if !self.env.is_sandbox() {
            self.sandbox = None;
            return Ok(());
        }
        if self.sandbox.is_none() {
            let (db, no_dir) = match config::data_dir() {
                Ok(dir) => (Some(dir.join(sandbox::SANDBOX_DB)), None),
                Err(e) => (
                    None,
                    Some(format!("{e}; the embedded sandbox runs in memory")),
                ),
            };
            let options = SandboxOptions {
                listen: ([127, 0, 0, 1], 0).into(),
                db,
            };
            let handle = sandbox::start_or_in_memory(options)
                .await
                .context("starting the embedded sandbox")?;
            self.add_warning(no_dir.as_deref().or(handle.warning()));
            self.sandbox = Some(handle);
        }
        if let Some(handle) = &self.sandbox {
            self.env.bind_sandbox(&handle.url());
        }
        Ok(())
    }

    /// Adds a sentence to the warnings shown once (the history's and the sandbox store's).
    fn add_warning(&mut self, warning: Option<&str>) {
        if let Some(warning) = warning {
            self.store_warning = Some(match self.store_warning.take() {
                Some(first) => format!("{first}; {warning}"),
                None => warning.to_owned(),
            });
        }
    }

    /// The running sandbox's root URL, if the environment is the sandbox.
    pub fn sandbox_url(&self) -> Option<String> {
        self.sandbox.as_ref().map(SandboxHandle::url)
    }

    /// Keeps `value` for `name` for the rest of this session (in memory only; a secret:
    /// masked in views, left as `{{name}}` in the history). It comes after `--var` and before
    /// every other source.
    pub fn set_session_value(&mut self, name: &str, value: Value) {
        self.entered.insert(name.to_owned(), value);
    }

    /// The names given a value for this session.
    pub fn session_value_names(&self) -> impl Iterator<Item = &str> {
        self.entered.keys().map(String::as_str)
    }

    /// The variable sources: `overrides` (`--var`), the values entered for the session, the
    /// environment's captures, the environment, built-ins and the token history.
    pub fn vars(&self, overrides: BTreeMap<String, Value>) -> Vars<'_> {
        let mut vars = Vars::new(&self.env);
        vars.overrides = overrides;
        for (name, value) in &self.entered {
            if !vars.overrides.contains_key(name) {
                vars.overrides.insert(name.clone(), value.clone());
                vars.secret_overrides.insert(name.clone());
            }
        }
        if let Some(store) = &self.store {
            if let Ok(store) = store.lock() {
                vars.captures = store.captures(&self.env.name).unwrap_or_default();
            }
            let store = Arc::clone(store);
            vars.tokens = Some(Box::new(move |reference: &str| {
                let store = store.lock().ok()?;
                store
                    .lookup_token(reference, clock::now_unix())
                    .ok()
                    .flatten()
            }));
        }
        vars
    }

    /// Renders a payload for this session's environment into a request ready to show, export
    /// or send. Nothing goes out; an error names the file, line and column.
    pub fn prepare(
        &self,
        template: &PayloadTemplate,
        overrides: BTreeMap<String, Value>,
    ) -> Result<Prepared, TemplateError> {
        let rendered = template.render(&self.vars(overrides))?;
        Ok(self.prepared(
            template.name.clone(),
            rendered,
            template.sidecar.sidecar.captures.clone(),
        ))
    }

    /// Prepares a recorded exchange to be sent again: secrets (left as `{{name}}` in the
    /// history) are resolved from this session's environment, a request recorded against an
    /// earlier embedded sandbox goes to the running one, and the captures of the payload's
    /// sidecar (when its file is still there) are recorded again.
    pub fn prepare_replay(&self, recorded: &Exchange) -> Result<Prepared, TemplateError> {
        let request = &recorded.request;
        let template = PayloadTemplate {
            name: "the recorded request".to_owned(),
            body: request.body.clone().unwrap_or_default(),
            sidecar: SidecarFile::default(),
        };
        let vars = self.vars(BTreeMap::new());
        let mut url = request.url.clone();
        if let Some(root) = self.sandbox_url() {
            if let Some(rest) = loopback_path(&url) {
                url = format!("{root}{rest}");
            }
        }
        let rendered = template.rerender(&vars, &request.method, &url, &request.headers)?;
        let captures = SidecarFile::load_beside(Path::new(&recorded.payload))
            .map(|s| s.sidecar.captures)
            .unwrap_or_default();
        Ok(self.prepared(recorded.payload.clone(), rendered, captures))
    }

    fn prepared(
        &self,
        payload: String,
        rendered: Rendered,
        captures: BTreeMap<String, String>,
    ) -> Prepared {
        Prepared {
            payload,
            environment: self.env.name.clone(),
            rendered,
            captures,
            engine: self.engine.clone(),
            recorder: Recorder {
                store: self.store.clone().filter(|_| self.record),
            },
        }
    }
}

/// Opens the history: always when recording; when not, only a file that already exists
/// (read for captures and tokens, never created).
fn open_store(record: bool) -> Result<Option<Store>, HistoryError> {
    if !record {
        let path = config::data_dir()?.join(crate::history::FILE_NAME);
        if !path.exists() {
            return Ok(None);
        }
        return Store::open(&path).map(Some);
    }
    Store::open_default().map(Some)
}

fn lock(store: &SharedStore) -> Result<std::sync::MutexGuard<'_, Store>, HistoryError> {
    store.lock().map_err(|_| HistoryError::Query {
        path: PathBuf::new(),
        message: "the history lock was poisoned by a crash in another task".to_owned(),
    })
}

/// Why a recorded exchange could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ExchangeError {
    /// The session records nothing (`--no-history`, or the history file is unusable).
    #[error("exchange #{id} cannot be read: {why}")]
    NoHistory {
        /// The exchange asked for.
        id: i64,
        /// Why there is no history.
        why: String,
    },
    /// The history file could not be read.
    #[error(transparent)]
    History(#[from] HistoryError),
    /// No exchange has that id (deleted, or from another history file).
    #[error("no exchange #{id} in {}; the History tab and `apiplay history` list those kept", path.display())]
    NotFound {
        /// The exchange asked for.
        id: i64,
        /// The history file.
        path: PathBuf,
    },
}

/// A rendered request, not sent yet: what a front end shows or exports, and sends.
#[derive(Debug, Clone)]
pub struct Prepared {
    payload: String,
    environment: String,
    rendered: Rendered,
    captures: BTreeMap<String, String>,
    engine: Engine,
    recorder: Recorder,
}

impl Prepared {
    /// The request as it goes on the wire, secrets included: never show or store it.
    pub fn wire(&self) -> &RenderedRequest {
        &self.rendered.request
    }

    /// The same request with each secret left as its `{{name}}`: what to show, export and
    /// record.
    pub fn redacted(&self) -> &RenderedRequest {
        &self.rendered.redacted
    }

    /// The scrubber that knows every secret of this request (the environment's, and each
    /// value resolved or minted as secret): pass any text about it that a view shows or a
    /// file keeps through it. [`Prepared::send`] already does for the exchange.
    pub fn scrubber(&self) -> &crate::scrub::Scrubber {
        &self.rendered.scrubber
    }

    /// The payload it came from (its path, `<stdin>`, or the recorded payload of a replay).
    pub fn payload(&self) -> &str {
        &self.payload
    }

    /// The sidecar's captures (`name` → JSON Pointer) recorded from the answer.
    pub fn captures(&self) -> &BTreeMap<String, String> {
        &self.captures
    }

    /// Sends the request through the session's engine. The exchange keeps the redacted copy;
    /// call [`Sent::record`] to store it.
    pub async fn send(self) -> Sent {
        let started_at_ms = clock::now_unix_ms();
        let mut outcome = self.engine.send(&self.rendered.request).await;
        // The error names the URL as sent and a server may echo what it got: nothing of it
        // reaches a view or the history before the scrubber has seen it.
        self.rendered.scrubber.outcome(&mut outcome);
        Sent {
            exchange: Exchange {
                started_at_ms,
                environment: self.environment,
                payload: self.payload,
                request: self.rendered.redacted,
                outcome,
            },
            captures: self.captures,
            recorder: self.recorder,
        }
    }
}

/// Where a sent exchange is recorded, if anywhere.
#[derive(Debug, Clone)]
struct Recorder {
    store: Option<SharedStore>,
}

/// A request that went out, and what came back.
#[derive(Debug)]
pub struct Sent {
    exchange: Exchange,
    captures: BTreeMap<String, String>,
    recorder: Recorder,
}

impl Sent {
    /// The exchange: the redacted request and the response or the network error.
    pub fn exchange(&self) -> &Exchange {
        &self.exchange
    }

    /// Records the exchange, the tokens its answer issued and the captures (blocking: run it
    /// off an async UI thread). `Ok(None)` when the session does not record or has no history.
    pub fn record(&self) -> Result<Option<Recorded>, HistoryError> {
        let Some(store) = &self.recorder.store else {
            return Ok(None);
        };
        lock(store)?
            .record(&self.exchange, &self.captures)
            .map(Some)
    }
}

/// The path and query of a `http://127.0.0.1:PORT/...` URL.
fn loopback_path(url: &str) -> Option<&str> {
    let rest = url.strip_prefix("http://127.0.0.1:")?;
    let slash = rest.find('/').unwrap_or(rest.len());
    rest[..slash]
        .bytes()
        .all(|b| b.is_ascii_digit())
        .then(|| &rest[slash..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_sandbox_urls_are_rebased() {
        assert_eq!(
            loopback_path("http://127.0.0.1:4321/backend/"),
            Some("/backend/")
        );
        assert_eq!(loopback_path("http://127.0.0.1:4321"), Some(""));
        assert_eq!(loopback_path("https://api.mesibo.com/backend/"), None);
    }
}
