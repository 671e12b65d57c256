//! The TUI's one door into the core: the [`Session`] (environment, sandbox, HTTP engine,
//! history) and the collection, translated into the small types of `model.rs`.
//!
//! The session starts lazily on first use, so the first frame never waits for the sandbox
//! or the history file. Every function here is async or blocking and is only called from
//! driver tasks, never from the update.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use tokio::sync::{OnceCell, RwLock};

use super::model::{
    EnvInfo, HistoryRow, PayloadEntry, PayloadInfo, Refusal, SendOutcome, TokenRow, VarValue,
};
use crate::collection::{self, Collection, PayloadTemplate, Rendered, TemplateError};
use crate::history::TokenFilter;
use crate::http::{Exchange, RenderedRequest};
use crate::session::{self, Session, SessionOptions, SharedStore};

/// How many rows the History and Tokens tabs read.
const LIST_LIMIT: usize = 500;

/// The session and where the payloads are.
#[derive(Debug)]
pub struct CoreLink {
    options: SessionOptions,
    session: OnceCell<RwLock<Session>>,
    /// The collection folder.
    pub payload_root: PathBuf,
}

impl CoreLink {
    /// A link that will start a session for `env` on first use.
    pub fn new(env: Option<String>, payload_root: PathBuf) -> Self {
        Self {
            options: SessionOptions {
                environment: env,
                ..SessionOptions::default()
            },
            session: OnceCell::new(),
            payload_root,
        }
    }

    async fn session(&self) -> Result<&RwLock<Session>, String> {
        self.session
            .get_or_try_init(|| async {
                Session::start(self.options.clone())
                    .await
                    .map(RwLock::new)
                    .map_err(|e| format!("{e:#}"))
            })
            .await
    }

    /// Lists the payload files (blocking).
    pub fn discover(&self) -> Result<Vec<PayloadEntry>, String> {
        let c = Collection::discover(&self.payload_root).map_err(|e| e.to_string())?;
        Ok(c.payloads
            .into_iter()
            .map(|p| PayloadEntry {
                path: p.path,
                rel: p.rel,
            })
            .collect())
    }

    /// Environment names and the current environment.
    pub async fn environments(&self) -> Result<(Vec<String>, EnvInfo), String> {
        let s = self.session().await?.read().await;
        Ok((s.config.environment_names(), env_info(&s)))
    }

    /// Switches environment (starting or stopping the sandbox).
    pub async fn switch(&self, name: &str) -> Result<(Vec<String>, EnvInfo), String> {
        let mut s = self.session().await?.write().await;
        s.switch_environment(name)
            .await
            .map_err(|e| format!("{e:#}"))?;
        Ok((s.config.environment_names(), env_info(&s)))
    }

    /// Renders `text` as the payload at `path` and sends it; a refusal means nothing was sent.
    pub async fn send(&self, path: &Path, text: &str) -> Result<Sent, SendFailure> {
        let lock = self.session().await.map_err(SendFailure::Other)?;
        let template = template(path, text).map_err(refusal)?;
        let (rendered, engine, env, store, warning) = {
            let s = lock.read().await;
            let rendered = s.render(&template, BTreeMap::new()).map_err(refusal)?;
            (
                rendered,
                s.engine.clone(),
                s.env.name.clone(),
                s.store.clone(),
                s.store_warning.clone(),
            )
        };
        let payload = path.display().to_string();
        let exchange = session::send_with(&engine, &env, &payload, &rendered).await;
        let captures = template.sidecar.sidecar.captures.clone();
        Ok(sent(exchange, &rendered, store, captures, warning))
    }

    /// Sends a recorded exchange again in the current environment.
    pub async fn replay(&self, id: i64) -> Result<Sent, SendFailure> {
        let lock = self.session().await.map_err(SendFailure::Other)?;
        let (rendered, engine, env, payload, store, warning) = {
            let s = lock.read().await;
            let recorded = get_exchange(&s, id).map_err(SendFailure::Other)?;
            let rendered = s.rehydrate(&recorded.request).map_err(refusal)?;
            (
                rendered,
                s.engine.clone(),
                s.env.name.clone(),
                recorded.payload,
                s.store.clone(),
                s.store_warning.clone(),
            )
        };
        let exchange = session::send_with(&engine, &env, &payload, &rendered).await;
        Ok(sent(exchange, &rendered, store, BTreeMap::new(), warning))
    }

    /// The newest exchanges.
    pub async fn history(&self) -> Result<Vec<HistoryRow>, String> {
        let s = self.session().await?.read().await;
        let Some(store) = &s.store else {
            return Ok(Vec::new());
        };
        let store = store
            .lock()
            .map_err(|_| "the history lock is poisoned".to_owned())?;
        let rows = store
            .list_exchanges(LIST_LIMIT, None)
            .map_err(|e| e.to_string())?;
        Ok(rows
            .into_iter()
            .map(|r| HistoryRow {
                id: r.id,
                at: r.started_at_ms / 1000,
                payload: r.payload,
                env: r.environment,
                status: r.status,
                #[allow(clippy::cast_possible_wrap, clippy::cast_sign_loss)]
                duration_ms: r.elapsed_ms.map_or(0, |m| m.max(0.0) as u64),
            })
            .collect())
    }

    /// The newest tokens.
    pub async fn tokens(&self) -> Result<Vec<TokenRow>, String> {
        let s = self.session().await?.read().await;
        let Some(store) = &s.store else {
            return Ok(Vec::new());
        };
        let store = store
            .lock()
            .map_err(|_| "the history lock is poisoned".to_owned())?;
        let filter = TokenFilter {
            limit: Some(LIST_LIMIT),
            ..TokenFilter::default()
        };
        let rows = store.list_tokens(&filter).map_err(|e| e.to_string())?;
        Ok(rows
            .into_iter()
            .map(|t| TokenRow {
                id: t.id,
                format: t.token.format.as_str().to_owned(),
                token: t.token.token,
                subject: t.token.subject,
                app: t.token.app,
                issued_at: Some(t.token.issued_at),
                expires_at: t.token.expires_at,
                claims: t.token.claims,
            })
            .collect())
    }

    /// One exchange as a viewable outcome, with its payload path and request body.
    pub async fn exchange(
        &self,
        id: i64,
    ) -> Result<(SendOutcome, Option<(PathBuf, String)>), String> {
        let s = self.session().await?.read().await;
        let ex = get_exchange(&s, id)?;
        let mut outcome = match outcome_of(&ex) {
            Ok(o) => o,
            Err(e) => SendOutcome {
                status: 0,
                headers: Vec::new(),
                body: e.into_bytes().into(),
                elapsed: Duration::ZERO,
                request_summary: Vec::new(),
                warning: None,
            },
        };
        outcome.request_summary = summary(&ex.request);
        let request = ex
            .request
            .body
            .clone()
            .map(|b| (PathBuf::from(&ex.payload), b));
        Ok((outcome, request))
    }

    /// The variables of `text` with their values; secrets masked.
    pub async fn variables(&self, text: &str) -> Result<Vec<VarValue>, String> {
        let s = self.session().await?.read().await;
        let vars = s.vars(BTreeMap::new());
        let mut cache = collection::Cache::default();
        let mut seen = std::collections::BTreeSet::new();
        let mut out = Vec::new();
        for v in collection::template::variables_in(text) {
            if !seen.insert(v.name.clone()) {
                continue;
            }
            let (value, source) = match vars.resolve(&v.name, &mut cache) {
                Ok(Some(r)) => {
                    let text = collection::template::value_text(&r.value);
                    let shown = if r.secret {
                        super::model::mask(&text)
                    } else {
                        text
                    };
                    (Some(shown), format!("{:?}", r.origin).to_lowercase())
                }
                Ok(None) => (None, "unknown".to_owned()),
                Err(e) => (None, e.to_string()),
            };
            out.push(VarValue {
                name: v.name,
                value,
                source,
            });
        }
        Ok(out)
    }
}

/// A request that went out: what to show now, and the history write to do next.
#[derive(Debug)]
pub struct Sent {
    /// The response (its body copied for the viewer), or the network error.
    pub outcome: Result<SendOutcome, String>,
    /// Records the exchange; run it on a blocking thread after showing the outcome.
    pub record: RecordJob,
}

/// A pending history write. The viewer gets the response first, so a large body is on
/// screen before SQLite has stored it.
#[derive(Debug)]
pub struct RecordJob {
    store: Option<SharedStore>,
    exchange: Exchange,
    captures: BTreeMap<String, String>,
    warning: Option<String>,
}

impl RecordJob {
    /// Writes the exchange, its tokens and captures (blocking); returns a warning if the
    /// history could not be written.
    pub fn run(self) -> Option<String> {
        let Some(store) = self.store else {
            return self.warning;
        };
        let Ok(mut store) = store.lock() else {
            return Some("not recorded: the history lock is poisoned".to_owned());
        };
        match store.record(&self.exchange, &self.captures) {
            Ok(_) => self.warning,
            Err(e) => Some(format!("not recorded in the history: {e}")),
        }
    }
}

fn sent(
    exchange: Exchange,
    rendered: &Rendered,
    store: Option<SharedStore>,
    captures: BTreeMap<String, String>,
    warning: Option<String>,
) -> Sent {
    let outcome = outcome_of(&exchange).map(|mut o| {
        o.request_summary = summary(&rendered.redacted);
        o
    });
    Sent {
        outcome,
        record: RecordJob {
            store,
            exchange,
            captures,
            warning,
        },
    }
}

/// Why a send produced no response to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendFailure {
    /// Rendering refused it; nothing went out.
    Refused(Refusal),
    /// It went out and failed, or the session is unusable.
    Other(String),
}

#[allow(clippy::needless_pass_by_value)] // used as `map_err(refusal)`
fn refusal(e: TemplateError) -> SendFailure {
    let at = match &e {
        TemplateError::InvalidJson { line, col, .. }
        | TemplateError::UnknownVariable { line, col, .. }
        | TemplateError::Variable { line, col, .. } => Some((*line, *col)),
        _ => None,
    };
    SendFailure::Refused(Refusal {
        message: e.to_string(),
        at,
    })
}

/// Loads a payload file and its sidecar (blocking).
pub fn load_payload(path: &Path) -> Result<PayloadInfo, String> {
    let t = PayloadTemplate::load(path).map_err(|e| e.to_string())?;
    let side = t.sidecar.sidecar;
    Ok(PayloadInfo {
        text: t.body,
        backend: side.backend,
        method: side.method,
        url_path: side.path,
        docs: side.docs.unwrap_or_default(),
    })
}

fn template(path: &Path, text: &str) -> Result<PayloadTemplate, TemplateError> {
    let mut t = PayloadTemplate::load(path)?;
    text.clone_into(&mut t.body);
    Ok(t)
}

fn env_info(s: &Session) -> EnvInfo {
    EnvInfo {
        name: s.env.name.clone(),
        backends: s.env.backends.clone(),
    }
}

fn get_exchange(s: &Session, id: i64) -> Result<Exchange, String> {
    let store = s
        .store
        .as_ref()
        .ok_or_else(|| "the history is not available".to_owned())?;
    let store = store
        .lock()
        .map_err(|_| "the history lock is poisoned".to_owned())?;
    store
        .get_exchange(id)
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("exchange #{id} is not in the history"))
}

fn outcome_of(ex: &Exchange) -> Result<SendOutcome, String> {
    let r = ex.outcome.as_ref().map_err(ToString::to_string)?;
    #[allow(clippy::cast_possible_wrap, clippy::cast_sign_loss)]
    let elapsed = Duration::from_micros((r.elapsed_ms.max(0.0) * 1000.0) as u64);
    Ok(SendOutcome {
        status: r.status,
        headers: r.headers.clone(),
        body: r.body.clone(),
        elapsed,
        request_summary: Vec::new(),
        warning: None,
    })
}

fn summary(req: &RenderedRequest) -> Vec<String> {
    let mut lines = vec![format!("{} {}", req.method, req.url)];
    lines.extend(req.headers.iter().map(|(k, v)| format!("{k}: {v}")));
    if let Some(body) = &req.body {
        lines.extend(body.lines().take(40).map(str::to_owned));
    }
    lines
}
