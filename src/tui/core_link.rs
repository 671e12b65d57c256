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

use super::errors::{CurlImportError, ListError, SendError, SessionError, TokenError};
use super::model::{
    EnvInfo, HistoryRow, PayloadEntry, PayloadInfo, SendOutcome, TokenRow, VarValue,
};
use crate::collection::{self, Collection, PayloadTemplate, SidecarFile, TemplateError};
use crate::history::{HistoryError, TokenFilter};
use crate::http::Exchange;
use crate::session::{self, Session, SessionOptions};

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

    pub(super) async fn session(&self) -> Result<&RwLock<Session>, SessionError> {
        self.session
            .get_or_try_init(|| async {
                Session::start(self.options.clone())
                    .await
                    .map(RwLock::new)
                    .map_err(SessionError::Start)
            })
            .await
    }

    /// Lists the payload files, sorted by path (blocking); [`super::flow::arrange`] then puts
    /// them in flow order.
    pub fn discover(&self) -> Result<Vec<PayloadEntry>, TemplateError> {
        let c = Collection::discover(&self.payload_root)?;
        Ok(c.payloads
            .into_iter()
            .map(|p| PayloadEntry {
                path: p.path,
                rel: p.rel,
                ..PayloadEntry::default()
            })
            .collect())
    }

    /// Environment names and the current environment.
    pub async fn environments(&self) -> Result<(Vec<String>, EnvInfo), SessionError> {
        let s = self.session().await?.read().await;
        Ok((s.config().environment_names(), env_info(&s)))
    }

    /// Switches environment (starting or stopping the sandbox).
    pub async fn switch(&self, name: &str) -> Result<(Vec<String>, EnvInfo), SessionError> {
        let mut s = self.session().await?.write().await;
        s.switch_environment(name)
            .await
            .map_err(SessionError::Switch)?;
        Ok((s.config().environment_names(), env_info(&s)))
    }

    /// The curl command for `text` as the payload at `path` (nothing is sent); for the
    /// sandbox environment it goes to a standalone `apiplay sandbox`.
    pub async fn curl(&self, path: &Path, text: &str) -> Result<String, SendError> {
        let lock = self.session().await?;
        let template = template(path, text)?;
        let s = lock.read().await;
        let export = crate::curl::export::for_session(
            &s,
            &template,
            BTreeMap::new(),
            crate::cli::curl::STANDALONE_SANDBOX,
        )?;
        Ok(export.text)
    }

    /// Imports a pasted curl command as a new payload under the collection (blocking file
    /// writes are small): its path and what to tell (the op, what was replaced, notes).
    pub async fn import_curl(&self, command: &str) -> Result<(PathBuf, String), CurlImportError> {
        let lock = self.session().await?;
        let mut env = lock.read().await.environment().clone();
        if env.is_sandbox() {
            env.bind_sandbox(crate::cli::curl::STANDALONE_SANDBOX);
        }
        let cwd = std::env::current_dir().map_err(CurlImportError::Cwd)?;
        let request = crate::curl::parse(command, &cwd)?;
        let imported = crate::curl::import(&request, &env)?;
        let path = crate::curl::save(&imported, None, &self.payload_root)?;
        let said = imported.summary(&path);
        Ok((path, said))
    }

    /// Renders `text` as the payload at `path` (with the sidecar beside it, read now) and
    /// sends it; a refusal means nothing was sent.
    pub async fn send(&self, path: &Path, text: &str) -> Result<Sent, SendError> {
        let lock = self.session().await?;
        let template = template(path, text)?;
        let (prepared, warning) = {
            let s = lock.read().await;
            let prepared = s.prepare(&template, BTreeMap::new())?;
            (prepared, s.store_warning().map(str::to_owned))
        };
        Ok(sent(prepared.send().await, warning))
    }

    /// Sends a recorded exchange again in the current environment, through the same path as
    /// a send (its sidecar's captures are recorded again).
    pub async fn replay(&self, id: i64) -> Result<Sent, SendError> {
        let lock = self.session().await?;
        let (prepared, warning) = {
            let s = lock.read().await;
            let recorded = s.recorded_exchange(id)?;
            let prepared = s.prepare_replay(&recorded)?;
            (prepared, s.store_warning().map(str::to_owned))
        };
        Ok(sent(prepared.send().await, warning))
    }

    /// The environment's name and the URL a send of the payload at `path` goes to now, as
    /// the history would record it:
    /// its path and query resolved in the current environment (captures included), secrets
    /// as `{{name}}`. Only the sidecar's path and query are rendered (not the body or the
    /// headers, whose own problems a send reports).
    pub async fn resolve_url(&self, path: &Path) -> Result<(String, String), SendError> {
        let lock = self.session().await?;
        let mut template = template(path, "{}")?;
        template.sidecar.sidecar.headers.clear();
        let s = lock.read().await;
        let prepared = s.prepare(&template, BTreeMap::new())?;
        Ok((
            s.environment().name.clone(),
            prepared.redacted().url.clone(),
        ))
    }

    /// The newest exchanges.
    pub async fn history(&self) -> Result<Vec<HistoryRow>, ListError> {
        let s = self.session().await?.read().await;
        let rows = s
            .with_store(|store| store.list_exchanges(LIST_LIMIT, None))?
            .unwrap_or_default();
        Ok(rows
            .into_iter()
            .map(|r| HistoryRow {
                id: r.id,
                at: r.started_at_ms / 1000,
                payload: r.payload,
                env: r.environment,
                status: r.status,
                refused: r.refused,
                #[allow(clippy::cast_possible_wrap, clippy::cast_sign_loss)]
                duration_ms: r.elapsed_ms.map_or(0, |m| m.max(0.0) as u64),
            })
            .collect())
    }

    /// The newest tokens.
    pub async fn tokens(&self) -> Result<Vec<TokenRow>, ListError> {
        let s = self.session().await?.read().await;
        let filter = TokenFilter {
            limit: Some(LIST_LIMIT),
            ..TokenFilter::default()
        };
        let rows = s
            .with_store(|store| store.list_tokens(&filter))?
            .unwrap_or_default();
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

    /// Decodes a pasted token with the CLI's auto-detection (`apiplay token decode`): the
    /// format decoders, then the history for tokens known by the response that issued them.
    pub async fn decode_token(
        &self,
        token: &str,
    ) -> Result<crate::tokens::DecodedToken, TokenError> {
        let s = self.session().await?.read().await;
        let found = s
            .with_store(|store| Ok(crate::history::identify(token, Some(store))))
            .map_err(|e| TokenError::Decode(e.into()))?;
        found
            .unwrap_or_else(|| crate::history::identify(token, None))
            .map_err(TokenError::Decode)
    }

    /// One exchange as a viewable outcome, with its payload path and request body.
    pub async fn exchange(
        &self,
        id: i64,
    ) -> Result<(SendOutcome, Option<(PathBuf, Option<String>)>), ListError> {
        let s = self.session().await?.read().await;
        let ex = s.recorded_exchange(id)?;
        let mut outcome = match outcome_of(&ex) {
            Ok(o) => o,
            Err(e) => SendOutcome {
                status: 0,
                headers: Vec::new(),
                body: e.to_string().into_bytes().into(),
                elapsed: Duration::ZERO,
                request_summary: Vec::new(),
            },
        };
        outcome.request_summary = summary(&ex);
        let request = Some((PathBuf::from(&ex.payload), ex.request.body.clone()));
        Ok((outcome, request))
    }

    /// Keeps a value for the session (in memory only): the next send uses it.
    pub async fn set_session_value(&self, name: &str, value: &str) -> Result<(), SessionError> {
        let mut s = self.session().await?.write().await;
        s.set_session_value(name, collection::var_value(value));
        Ok(())
    }

    /// Every variable, capture and built-in with its value and source: first those `text`
    /// (the open payload's body and sidecar) uses, then the environment's variables, the
    /// values entered for the session, the captures, the auth built-ins, the other built-ins
    /// and the newest token. Secrets masked; the sandbox's public demo credentials in clear.
    pub async fn variables(&self, text: &str) -> Result<Vec<VarValue>, SessionError> {
        let s = self.session().await?.read().await;
        let listing = super::varlist::Listing::new(&s);
        Ok(listing.rows(text))
    }
}

/// A request that went out: what to show now, and the history write to do next.
#[derive(Debug)]
pub struct Sent {
    /// The response (its body copied for the viewer), or the network error.
    pub outcome: Result<SendOutcome, SendError>,
    /// Records the exchange; run it on a blocking thread after showing the outcome.
    pub record: RecordJob,
}

/// A pending history write. The viewer gets the response first, so a large body is on
/// screen before SQLite has stored it.
#[derive(Debug)]
pub struct RecordJob {
    sent: session::Sent,
    warning: Option<String>,
}

impl RecordJob {
    /// Writes the exchange, its tokens and captures (blocking); returns what was recorded
    /// (`recorded #12: token mesibo for …, expires in …; captured agora_user_uuid`; `None`
    /// when the session records nothing) or why it could not be written, and the session's
    /// warning about its history, if it has one.
    pub fn run(self) -> (Result<Option<String>, HistoryError>, Option<String>) {
        let recorded = self.sent.record().map(|r| r.as_ref().map(recorded_summary));
        (recorded, self.warning)
    }
}

/// One line saying what a send left in the history: the exchange, each token, each capture.
pub fn recorded_summary(r: &crate::history::Recorded) -> String {
    let mut parts: Vec<String> = r
        .tokens
        .iter()
        .map(crate::cli::output::token_brief)
        .collect();
    if !r.captures.is_empty() {
        let names: Vec<&str> = r.captures.iter().map(|(k, _)| k.as_str()).collect();
        parts.push(format!("captured {}", names.join(", ")));
    }
    if parts.is_empty() {
        format!("recorded #{}", r.exchange_id)
    } else {
        format!("recorded #{}: {}", r.exchange_id, parts.join("; "))
    }
}

fn sent(sent: session::Sent, warning: Option<String>) -> Sent {
    let exchange = sent.exchange();
    let outcome = outcome_of(exchange)
        .map(|mut o| {
            o.request_summary = summary(exchange);
            o
        })
        .map_err(SendError::Network);
    Sent {
        outcome,
        record: RecordJob { sent, warning },
    }
}

/// Loads a payload file and its sidecar (blocking). An invalid sidecar does not keep the
/// body from opening: its error comes along in `sidecar_error`. A file that does not exist
/// yet opens empty, as a new payload (a request from stdin, loaded from the history).
pub fn load_payload(path: &Path) -> Result<PayloadInfo, TemplateError> {
    // The time is taken before the bytes are read: a change in between then shows as a
    // different time, and the stamp's hash decides.
    let meta = std::fs::metadata(path).ok();
    let side_meta = std::fs::metadata(SidecarFile::path_for(path)).ok();
    let mut info = read_payload(path)?;
    info.stamp = meta.map(|m| crate::fsio::FileStamp::new(info.text.as_bytes(), &m));
    info.sidecar_stamp = side_meta.and_then(|m| {
        let text = info.sidecar_text.as_ref()?;
        Some(crate::fsio::FileStamp::new(text.as_bytes(), &m))
    });
    Ok(info)
}

fn read_payload(path: &Path) -> Result<PayloadInfo, TemplateError> {
    match PayloadTemplate::load(path) {
        Ok(t) => {
            // Ctrl+D shows the catalogue's docs of the payload's op (the sidecar's own `docs`,
            // kept for files written before the catalogue, wins when it has one).
            let docs = t
                .sidecar
                .sidecar
                .docs
                .clone()
                .filter(|d| !d.trim().is_empty());
            // The popup lays the op's docs out for its own width, so only the op is kept.
            let docs_op = docs.is_none().then(|| {
                let report = crate::catalogue::catalogue().check_payload(&t.sidecar, &t.body);
                report.op.map(|op| op.id.clone())
            });
            let file = t.sidecar;
            let side = file.sidecar;
            Ok(PayloadInfo {
                text: t.body,
                backend: side.backend,
                method: side.method,
                url_path: side.path,
                docs: docs.unwrap_or_default(),
                docs_op: docs_op.flatten(),
                sidecar_error: None,
                sidecar_text: file.path.is_some().then_some(file.text),
                query: side.query.into_iter().collect(),
                headers: side.headers.into_iter().collect(),
                encoding: side.encoding.map(|e| e.as_str().to_owned()),
                stamp: None,
                sidecar_stamp: None,
            })
        }
        Err(e @ TemplateError::Sidecar { .. }) => {
            let text = std::fs::read_to_string(path).map_err(|io| TemplateError::Io {
                path: path.to_path_buf(),
                message: io.to_string(),
            })?;
            Ok(PayloadInfo {
                text,
                sidecar_error: Some(e.to_string()),
                sidecar_text: std::fs::read_to_string(SidecarFile::path_for(path)).ok(),
                ..PayloadInfo::default()
            })
        }
        Err(TemplateError::Io { .. }) if !path.exists() => Ok(PayloadInfo {
            backend: "mesibo".to_owned(),
            ..PayloadInfo::default()
        }),
        Err(e) => Err(e),
    }
}

/// The editor's text with the sidecar beside `path`; the body file itself is not read again.
fn template(path: &Path, text: &str) -> Result<PayloadTemplate, TemplateError> {
    Ok(PayloadTemplate {
        name: path.display().to_string(),
        body: text.to_owned(),
        sidecar: SidecarFile::load_beside(path)?,
    })
}

fn env_info(s: &Session) -> EnvInfo {
    EnvInfo {
        name: s.environment().name.clone(),
        backends: s.environment().backends.clone(),
    }
}

fn outcome_of(ex: &Exchange) -> Result<SendOutcome, crate::http::HttpError> {
    let r = ex.outcome.as_ref().map_err(Clone::clone)?;
    #[allow(clippy::cast_possible_wrap, clippy::cast_sign_loss)]
    let elapsed = Duration::from_micros((r.elapsed_ms.max(0.0) * 1000.0) as u64);
    Ok(SendOutcome {
        status: r.status,
        headers: r.headers.clone(),
        body: r.body.clone(),
        elapsed,
        request_summary: Vec::new(),
    })
}

/// The request that went out: method and URL, every header on the wire (secrets as
/// `{{name}}`; the request's own headers for an exchange recorded before they were kept, or
/// that got no answer), then the body.
fn summary(ex: &Exchange) -> Vec<String> {
    let req = &ex.request;
    let mut lines = vec![format!("{} {}", req.method, req.url)];
    let headers = match &ex.outcome {
        Ok(r) if !r.sent_headers.is_empty() => &r.sent_headers,
        _ => &req.headers,
    };
    lines.extend(headers.iter().map(|(k, v)| format!("{k}: {v}")));
    if let Some(body) = &req.body {
        lines.extend(body.lines().take(40).map(str::to_owned));
    }
    lines
}
