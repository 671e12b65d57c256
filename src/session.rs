//! A session: the environment in use, the embedded sandbox when that environment is
//! `sandbox`, the one HTTP engine and the history store. The CLI and the TUI both drive
//! requests through it, so there is one path from a payload to a recorded exchange:
//! [`Session::render`] → [`Session::send`] → [`Session::record`].

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use anyhow::Context as _;
use serde_json::Value;

use crate::clock;
use crate::collection::{PayloadTemplate, Rendered, TemplateError, Vars};
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
    /// Whether to open the history store.
    pub history: bool,
    /// The HTTP engine's limits.
    pub engine: EngineOptions,
}

impl Default for SessionOptions {
    fn default() -> Self {
        SessionOptions {
            environment: None,
            config_dir: PathBuf::from("."),
            history: true,
            engine: EngineOptions::default(),
        }
    }
}

/// The shared handle on the history store.
pub type SharedStore = Arc<Mutex<Store>>;

/// Everything a request needs on its way.
#[derive(Debug)]
pub struct Session {
    /// The environments.
    pub config: Config,
    /// The environment in use (sandbox URLs bound when it is the sandbox).
    pub env: Environment,
    /// The HTTP engine.
    pub engine: Engine,
    /// The history, unless disabled or unusable.
    pub store: Option<SharedStore>,
    /// Why the history is unusable, for a warning; the session works without it.
    pub store_warning: Option<String>,
    sandbox: Option<SandboxHandle>,
}

impl Session {
    /// Loads the configuration, opens the history and, for the sandbox environment, starts
    /// the embedded sandbox on a free loopback port. Must run inside a tokio runtime.
    pub async fn start(options: SessionOptions) -> anyhow::Result<Session> {
        let config = Config::load(&options.config_dir)?;
        let name = options.environment.as_deref().unwrap_or(config::SANDBOX);
        let env = config.environment(name)?;
        let engine = Engine::new(options.engine)?;
        let (store, store_warning) = if options.history {
            match Store::open_default() {
                Ok(store) => (Some(Arc::new(Mutex::new(store))), None),
                Err(e) => (None, Some(format!("{e}; continuing without history"))),
            }
        } else {
            (None, None)
        };
        let mut session = Session {
            config,
            env,
            engine,
            store,
            store_warning,
            sandbox: None,
        };
        session.bind_sandbox().await?;
        Ok(session)
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
            let db = config::data_dir()?.join(sandbox::SANDBOX_DB);
            let options = SandboxOptions {
                listen: ([127, 0, 0, 1], 0).into(),
                db: Some(db),
            };
            let handle = sandbox::start(options)
                .await
                .context("starting the embedded sandbox")?;
            self.sandbox = Some(handle);
        }
        if let Some(handle) = &self.sandbox {
            self.env.bind_sandbox(&handle.url());
        }
        Ok(())
    }

    /// The running sandbox's root URL, if the environment is the sandbox.
    pub fn sandbox_url(&self) -> Option<String> {
        self.sandbox.as_ref().map(SandboxHandle::url)
    }

    /// The variable sources: `overrides` (`--var`), the environment's captures, the
    /// environment, built-ins and the token history.
    pub fn vars(&self, overrides: BTreeMap<String, Value>) -> Vars<'_> {
        let mut vars = Vars::new(&self.env);
        vars.overrides = overrides;
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

    /// Renders a payload for this session's environment.
    pub fn render(
        &self,
        template: &PayloadTemplate,
        overrides: BTreeMap<String, Value>,
    ) -> Result<Rendered, TemplateError> {
        template.render(&self.vars(overrides))
    }

    /// Sends a rendered request; the exchange keeps the redacted copy.
    pub async fn send(&self, payload: &str, rendered: &Rendered) -> Exchange {
        send_with(&self.engine, &self.env.name, payload, rendered).await
    }

    /// Records an exchange (tokens and captures included); `Ok(None)` without a history.
    pub fn record(
        &self,
        exchange: &Exchange,
        captures: &BTreeMap<String, String>,
    ) -> Result<Option<Recorded>, HistoryError> {
        let Some(store) = &self.store else {
            return Ok(None);
        };
        let mut store = store.lock().map_err(|_| HistoryError::Query {
            path: PathBuf::new(),
            message: "the history lock was poisoned by a crash in another task".to_owned(),
        })?;
        store.record(exchange, captures).map(Some)
    }

    /// Rebuilds a recorded request for sending again: secrets (left as `{{name}}` in the
    /// history) are resolved from this session's environment, and a request recorded against
    /// an earlier embedded sandbox goes to the running one.
    pub fn rehydrate(&self, recorded: &RenderedRequest) -> Result<Rendered, TemplateError> {
        let template = PayloadTemplate {
            name: "the recorded request".to_owned(),
            body: recorded.body.clone().unwrap_or_default(),
            sidecar: crate::collection::SidecarFile::default(),
        };
        let vars = self.vars(BTreeMap::new());
        let mut url = recorded.url.clone();
        if let Some(root) = self.sandbox_url() {
            if let Some(rest) = loopback_path(&url) {
                url = format!("{root}{rest}");
            }
        }
        template.rerender(&vars, &recorded.method, &url, &recorded.headers)
    }
}

/// Sends through an engine and wraps the result as an [`Exchange`]. Free of `Session` so a
/// spawned task can run it with a cloned engine.
pub async fn send_with(
    engine: &Engine,
    environment: &str,
    payload: &str,
    rendered: &Rendered,
) -> Exchange {
    let started_at_ms = clock::now_unix_ms();
    let outcome = engine.send(&rendered.request).await;
    Exchange {
        started_at_ms,
        environment: environment.to_owned(),
        payload: payload.to_owned(),
        request: rendered.redacted.clone(),
        outcome,
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
