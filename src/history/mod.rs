//! The history store: one SQLite file (`history.sqlite3`, mode 0600, WAL) holding every
//! exchange, every token the backends issued, and the values captured for later requests.
//!
//! Several apiplay processes may write at once: each write is one `BEGIN IMMEDIATE`
//! transaction and waits (busy timeout) rather than failing.
//!
//! The WAL is not checkpointed on every close (a short `apiplay send` would pay a checkpoint
//! and its fsyncs each time). But a process that opens the file while no other holds it
//! rebuilds the WAL index from the whole WAL and forgets how much of it was already copied
//! back, so it appends after the old frames: with short-lived processes only, the WAL would
//! grow by every write forever and each open would read all of it. So the store that closes
//! with a WAL over [`WAL_LIMIT`] folds it into the database and truncates it, if no other
//! connection is busy at that moment (otherwise a later close does). Requests are stored as rendered
//! but with secrets left as their `{{name}}`, so the file never holds an app token or
//! certificate the user did not write into a payload themselves.

pub mod extract;
pub mod identify;
mod schema;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::Serialize;
use serde_json::Value;

pub use extract::IssuedToken;
pub use identify::{identify, IdentifyError};

use crate::http::{Exchange, HttpError, RenderedRequest, Response};
use crate::tokens::{DecodedToken, TokenFormat};

/// The history file's name in the data directory.
pub const FILE_NAME: &str = "history.sqlite3";

/// How long a write waits for another process's transaction before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// WAL size above which closing the store checkpoints it and truncates the WAL to zero.
pub const WAL_LIMIT: u64 = 1 << 20;

/// Why the history could not be used.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    /// The file could not be opened, is not a database, or is corrupt.
    #[error("history file {path} cannot be used: {message}; move it aside (mv {path} {path}.bak) and apiplay starts a fresh one")]
    Open {
        /// The file.
        path: PathBuf,
        /// What SQLite said.
        message: String,
    },
    /// A read or write failed.
    #[error("history file {path}: {message}")]
    Query {
        /// The file.
        path: PathBuf,
        /// What SQLite said.
        message: String,
    },
    /// The data directory is unusable.
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
}

/// What recording an exchange produced.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Recorded {
    /// The new exchange's id.
    pub exchange_id: i64,
    /// The tokens found in the response.
    pub tokens: Vec<IssuedToken>,
    /// The values captured, by variable name.
    pub captures: Vec<(String, Value)>,
}

/// One line of `apiplay history`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExchangeSummary {
    /// Its id.
    pub id: i64,
    /// Unix milliseconds.
    pub started_at_ms: i64,
    /// The environment.
    pub environment: String,
    /// The payload it came from.
    pub payload: String,
    /// HTTP method.
    pub method: String,
    /// URL (secrets redacted).
    pub url: String,
    /// HTTP status, if a response came.
    pub status: Option<u16>,
    /// Whether the API said no: an HTTP error status, or mesibo's `"result": false`.
    pub refused: bool,
    /// Total time in milliseconds, if a response came.
    pub elapsed_ms: Option<f64>,
    /// Why no response came.
    pub error: Option<String>,
}

/// A token of the history with its row data.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredToken {
    /// Its id.
    pub id: i64,
    /// The exchange it came from (`None` when minted locally).
    pub exchange_id: Option<i64>,
    /// The environment.
    pub environment: String,
    /// The token.
    #[serde(flatten)]
    pub token: IssuedToken,
}

/// Which tokens to list.
#[derive(Debug, Clone, Default)]
pub struct TokenFilter {
    /// Only this subject.
    pub subject: Option<String>,
    /// Only these formats (any of them); empty for all.
    pub formats: Vec<TokenFormat>,
    /// Only tokens not expired at this Unix time.
    pub active_at: Option<i64>,
    /// At most this many, newest first.
    pub limit: Option<usize>,
}

/// The open history database.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl Store {
    /// Opens (creating if needed, with mode 0600) the history in the data directory.
    pub fn open_default() -> Result<Store, HistoryError> {
        Store::open(&crate::config::data_dir()?.join(FILE_NAME))
    }

    /// Opens (creating if needed, with mode 0600) the history at `path`.
    pub fn open(path: &Path) -> Result<Store, HistoryError> {
        let fail = |message: String| HistoryError::Open {
            path: path.to_owned(),
            message,
        };
        crate::datadir::private_file(path).map_err(|e| fail(e.to_string()))?;
        let mut conn = Connection::open(path).map_err(|e| fail(e.to_string()))?;
        conn.busy_timeout(BUSY_TIMEOUT)
            .map_err(|e| fail(e.to_string()))?;
        // A short-lived `apiplay send` would otherwise pay a checkpoint and its fsyncs on every
        // exit; the WAL is folded in when a close finds it over WAL_LIMIT instead (see Drop).
        conn.set_db_config(
            rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE,
            true,
        )
        .map_err(|e| fail(e.to_string()))?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(|e| fail(e.to_string()))?;
        conn.execute_batch("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;")
            .map_err(|e| fail(e.to_string()))?;
        schema::migrate(&mut conn).map_err(|e| fail(e.to_string()))?;
        Ok(Store {
            conn,
            path: path.to_owned(),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn query_err(&self, e: &rusqlite::Error) -> HistoryError {
        HistoryError::Query {
            path: self.path.clone(),
            message: e.to_string(),
        }
    }

    /// Records an exchange, the tokens its response issued and the values its sidecar
    /// captures (`name` → JSON Pointer), all in one transaction.
    pub fn record(
        &mut self,
        exchange: &Exchange,
        captures: &BTreeMap<String, String>,
    ) -> Result<Recorded, HistoryError> {
        let now = exchange.started_at_ms / 1000;
        let refused = exchange.outcome.as_ref().is_ok_and(Response::refused);
        let (tokens, captured_values) = match &exchange.outcome {
            Ok(_) if refused => (Vec::new(), Vec::new()),
            Ok(response) => {
                let request = exchange
                    .request
                    .body
                    .as_deref()
                    .and_then(|b| serde_json::from_str(b).ok());
                if response.body.len() > extract::MAX_SCANNED_BODY {
                    (Vec::new(), Vec::new())
                } else {
                    // Parsed once, for the extractors and the captures together.
                    let parsed: Option<Value> = serde_json::from_slice(&response.body).ok();
                    let body = &response.body;
                    (
                        extract::extract_parsed(
                            request.as_ref(),
                            &exchange.request.url,
                            body,
                            parsed.as_ref(),
                            now,
                        ),
                        capture(body, parsed.as_ref(), captures),
                    )
                }
            }
            _ => (Vec::new(), Vec::new()),
        };
        let result = (|| -> rusqlite::Result<i64> {
            let tx = self
                .conn
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            insert_exchange(&tx, exchange, refused)?;
            let exchange_id = tx.last_insert_rowid();
            for token in &tokens {
                insert_token(&tx, token, Some(exchange_id), &exchange.environment)?;
            }
            for (name, value) in &captured_values {
                tx.execute(
                    "INSERT INTO captures (environment, name, value, exchange_id, updated_at_ms)
                     VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT (environment, name) DO UPDATE SET value = excluded.value,
                       exchange_id = excluded.exchange_id, updated_at_ms = excluded.updated_at_ms",
                    params![
                        exchange.environment,
                        name,
                        value.to_string(),
                        exchange_id,
                        exchange.started_at_ms
                    ],
                )?;
            }
            tx.commit()?;
            Ok(exchange_id)
        })();
        let exchange_id = result.map_err(|e| self.query_err(&e))?;
        Ok(Recorded {
            exchange_id,
            tokens,
            captures: captured_values,
        })
    }

    /// Records a token minted locally (`apiplay token new`).
    pub fn record_minted(
        &mut self,
        token: &str,
        decoded: &DecodedToken,
        environment: &str,
        now: i64,
    ) -> Result<i64, HistoryError> {
        let issued = IssuedToken {
            format: decoded.format,
            token: token.to_owned(),
            subject: decoded.subject.clone(),
            app: decoded.app.clone(),
            issued_at: decoded.issued_at.unwrap_or(now),
            expires_at: decoded.expires_at,
            source: "minted".to_owned(),
            claims: decoded.claims.clone(),
        };
        insert_token(&self.conn, &issued, None, environment).map_err(|e| self.query_err(&e))?;
        Ok(self.conn.last_insert_rowid())
    }

    /// The newest exchanges first; `before` pages backwards from an id.
    pub fn list_exchanges(
        &self,
        limit: usize,
        before: Option<i64>,
    ) -> Result<Vec<ExchangeSummary>, HistoryError> {
        let run = || -> rusqlite::Result<Vec<ExchangeSummary>> {
            let mut stmt = self.conn.prepare_cached(
                "SELECT id, started_at_ms, environment, payload, method, url, status, elapsed_ms, error,
                        refused
                 FROM exchanges WHERE id < ?1 ORDER BY id DESC LIMIT ?2",
            )?;
            let rows = stmt.query_map(
                params![
                    before.unwrap_or(i64::MAX),
                    i64::try_from(limit).unwrap_or(i64::MAX)
                ],
                |r| {
                    let error: Option<String> = r.get(8)?;
                    Ok(ExchangeSummary {
                        id: r.get(0)?,
                        started_at_ms: r.get(1)?,
                        environment: r.get(2)?,
                        payload: r.get(3)?,
                        method: r.get(4)?,
                        url: r.get(5)?,
                        status: r.get(6)?,
                        refused: r.get(9)?,
                        elapsed_ms: r.get(7)?,
                        error: error.map(|e| {
                            serde_json::from_str::<HttpError>(&e).map_or(e, |h| h.to_string())
                        }),
                    })
                },
            )?;
            rows.collect()
        };
        run().map_err(|e| self.query_err(&e))
    }

    /// One exchange in full.
    pub fn get_exchange(&self, id: i64) -> Result<Option<Exchange>, HistoryError> {
        self.conn
            .query_row(
                "SELECT started_at_ms, environment, payload, method, url, request_headers,
                        request_body, status, response_headers, response_body, ttfb_ms,
                        elapsed_ms, error, sent_headers
                 FROM exchanges WHERE id = ?1",
                [id],
                read_exchange,
            )
            .optional()
            .map_err(|e| self.query_err(&e))
    }

    /// Tokens matching `filter`, newest first.
    pub fn list_tokens(&self, filter: &TokenFilter) -> Result<Vec<StoredToken>, HistoryError> {
        let mut clauses = vec!["1 = 1".to_owned()];
        let mut args: Vec<rusqlite::types::Value> = Vec::new();
        if let Some(subject) = &filter.subject {
            args.push(subject.clone().into());
            clauses.push(format!("subject = ?{}", args.len()));
        }
        if !filter.formats.is_empty() {
            let mut slots = Vec::new();
            for format in &filter.formats {
                args.push(format.as_str().to_owned().into());
                slots.push(format!("?{}", args.len()));
            }
            clauses.push(format!("format IN ({})", slots.join(", ")));
        }
        if let Some(at) = filter.active_at {
            args.push(at.into());
            clauses.push(format!("expires_at > ?{}", args.len()));
        }
        args.push(
            filter
                .limit
                .map_or(-1, |l| i64::try_from(l).unwrap_or(i64::MAX))
                .into(),
        );
        let sql = format!(
            "SELECT id, format, token, subject, app, issued_at, expires_at, exchange_id,
                    environment, source, claims FROM tokens WHERE {} ORDER BY id DESC LIMIT ?{}",
            clauses.join(" AND "),
            args.len()
        );
        let run = || -> rusqlite::Result<Vec<StoredToken>> {
            let mut stmt = self.conn.prepare_cached(&sql)?;
            let rows = stmt.query_map(rusqlite::params_from_iter(args.iter()), read_token)?;
            rows.collect()
        };
        run().map_err(|e| self.query_err(&e))
    }

    /// The newest recorded token whose text is exactly `token`.
    pub fn find_token(&self, token: &str) -> Result<Option<StoredToken>, HistoryError> {
        self.conn
            .query_row(
                "SELECT id, format, token, subject, app, issued_at, expires_at, exchange_id,
                        environment, source, claims FROM tokens WHERE token = ?1
                 ORDER BY id DESC LIMIT 1",
                [token],
                read_token,
            )
            .optional()
            .map_err(|e| self.query_err(&e))
    }

    /// Resolves a `{{token:REF}}`: `latest`, a numeric id, a format name (`twilio-jwt`), a
    /// vendor name (`twilio`: any of its formats), or a subject; the
    /// newest token still active at `now` wins (an id is taken as asked).
    pub fn lookup_token(&self, reference: &str, now: i64) -> Result<Option<String>, HistoryError> {
        let mut filter = TokenFilter {
            active_at: Some(now),
            limit: Some(1),
            ..TokenFilter::default()
        };
        if let Ok(id) = reference.parse::<i64>() {
            return self
                .conn
                .query_row("SELECT token FROM tokens WHERE id = ?1", [id], |r| r.get(0))
                .optional()
                .map_err(|e| self.query_err(&e));
        }
        if let Some(format) = TokenFormat::parse(reference) {
            filter.formats = vec![format];
        } else if let Some(formats) = TokenFormat::of_vendor(reference) {
            filter.formats = formats.to_vec();
        } else if reference != "latest" {
            filter.subject = Some(reference.to_owned());
        }
        Ok(self
            .list_tokens(&filter)?
            .into_iter()
            .next()
            .map(|t| t.token.token))
    }

    /// The values captured in an environment.
    pub fn captures(&self, environment: &str) -> Result<BTreeMap<String, Value>, HistoryError> {
        let run = || -> rusqlite::Result<BTreeMap<String, Value>> {
            let mut stmt = self
                .conn
                .prepare_cached("SELECT name, value FROM captures WHERE environment = ?1")?;
            let rows = stmt.query_map([environment], |r| {
                let text: String = r.get(1)?;
                Ok((
                    r.get(0)?,
                    serde_json::from_str(&text).unwrap_or(Value::String(text)),
                ))
            })?;
            rows.collect()
        };
        run().map_err(|e| self.query_err(&e))
    }

    /// Where each captured value of an environment came from: `name` → the exchange that
    /// captured it (`None` for rows of an older apiplay that did not keep it).
    pub fn capture_exchanges(
        &self,
        environment: &str,
    ) -> Result<BTreeMap<String, Option<i64>>, HistoryError> {
        let run = || -> rusqlite::Result<BTreeMap<String, Option<i64>>> {
            let mut stmt = self
                .conn
                .prepare_cached("SELECT name, exchange_id FROM captures WHERE environment = ?1")?;
            let rows = stmt.query_map([environment], |r| Ok((r.get(0)?, r.get(1)?)))?;
            rows.collect()
        };
        run().map_err(|e| self.query_err(&e))
    }

    /// How many exchanges are stored.
    pub fn exchange_count(&self) -> Result<i64, HistoryError> {
        self.conn
            .query_row("SELECT count(*) FROM exchanges", [], |r| r.get(0))
            .map_err(|e| self.query_err(&e))
    }

    /// The WAL file (next to the database).
    pub fn wal_path(&self) -> PathBuf {
        let mut name = self.path.as_os_str().to_owned();
        name.push("-wal");
        PathBuf::from(name)
    }

    /// Folds the WAL into the database and truncates it when it is over [`WAL_LIMIT`]. Never
    /// waits: if another connection is writing or reading old frames, it does what it can
    /// without blocking and leaves the rest to a later close. Returns whether the WAL was
    /// emptied.
    pub fn fold_wal_if_large(&self) -> bool {
        let large = std::fs::metadata(self.wal_path()).is_ok_and(|m| m.len() > WAL_LIMIT);
        if !large || self.conn.busy_timeout(Duration::ZERO).is_err() {
            return false;
        }
        // Columns: busy (1 if it could not finish), frames in the WAL, frames checkpointed.
        let busy = self
            .conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
                r.get::<_, i64>(0)
            });
        let _ = self.conn.busy_timeout(BUSY_TIMEOUT);
        busy.is_ok_and(|b| b == 0)
    }
}

impl Drop for Store {
    /// Runs after the command's output is written: the checkpoint is off a send's path.
    fn drop(&mut self) {
        self.fold_wal_if_large();
    }
}

/// Values of a response at the sidecar's JSON Pointers; `""` is the whole body (its text when
/// it is not JSON).
fn capture(
    body: &[u8],
    json: Option<&Value>,
    captures: &BTreeMap<String, String>,
) -> Vec<(String, Value)> {
    captures
        .iter()
        .filter_map(|(name, pointer)| {
            let value = match (json, pointer.as_str()) {
                (Some(v), p) => v.pointer(p).cloned(),
                (None, "") => Some(Value::String(
                    String::from_utf8_lossy(body).trim().to_owned(),
                )),
                (None, _) => None,
            };
            value.map(|v| (name.clone(), v))
        })
        .collect()
}

fn insert_exchange(conn: &Connection, exchange: &Exchange, refused: bool) -> rusqlite::Result<()> {
    let request = &exchange.request;
    let headers = |h: &[(String, String)]| serde_json::to_string(h).unwrap_or_default();
    let (status, response_headers, body, ttfb, elapsed, error) = match &exchange.outcome {
        Ok(r) => (
            Some(r.status),
            Some(headers(&r.headers)),
            Some(&r.body[..]),
            Some(r.ttfb_ms),
            Some(r.elapsed_ms),
            None,
        ),
        Err(e) => (None, None, None, None, None, serde_json::to_string(e).ok()),
    };
    let sent_headers = match &exchange.outcome {
        Ok(r) if !r.sent_headers.is_empty() => Some(headers(&r.sent_headers)),
        _ => None,
    };
    conn.execute(
        "INSERT INTO exchanges (started_at_ms, environment, payload, method, url, request_headers,
            request_body, status, response_headers, response_body, ttfb_ms, elapsed_ms, error,
            refused, sent_headers)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
        params![
            exchange.started_at_ms,
            exchange.environment,
            exchange.payload,
            request.method,
            request.url,
            headers(&request.headers),
            request.body,
            status,
            response_headers,
            body,
            ttfb,
            elapsed,
            error,
            refused,
            sent_headers
        ],
    )?;
    Ok(())
}

fn insert_token(
    conn: &Connection,
    t: &IssuedToken,
    exchange_id: Option<i64>,
    environment: &str,
) -> rusqlite::Result<usize> {
    conn.execute(
        "INSERT INTO tokens (format, token, subject, app, issued_at, expires_at, exchange_id,
            environment, source, claims) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            t.format.as_str(),
            t.token,
            t.subject,
            t.app,
            t.issued_at,
            t.expires_at,
            exchange_id,
            environment,
            t.source,
            t.claims.to_string()
        ],
    )
}

fn read_exchange(r: &Row<'_>) -> rusqlite::Result<Exchange> {
    let pairs = |text: Option<String>| -> Vec<(String, String)> {
        text.and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default()
    };
    let status: Option<u16> = r.get(7)?;
    let outcome = if let Some(status) = status {
        Ok(Response {
            status,
            headers: pairs(r.get(8)?),
            body: r.get::<_, Option<Vec<u8>>>(9)?.unwrap_or_default().into(),
            ttfb_ms: r.get::<_, Option<f64>>(10)?.unwrap_or_default(),
            elapsed_ms: r.get::<_, Option<f64>>(11)?.unwrap_or_default(),
            sent_headers: pairs(r.get(13)?),
        })
    } else {
        let text: Option<String> = r.get(12)?;
        let text = text.unwrap_or_default();
        Err(serde_json::from_str(&text).unwrap_or(HttpError::Network {
            url: String::new(),
            message: text,
        }))
    };
    Ok(Exchange {
        started_at_ms: r.get(0)?,
        environment: r.get(1)?,
        payload: r.get(2)?,
        request: RenderedRequest {
            method: r.get(3)?,
            url: r.get(4)?,
            headers: pairs(r.get(5)?),
            body: r.get(6)?,
        },
        outcome,
    })
}

fn read_token(r: &Row<'_>) -> rusqlite::Result<StoredToken> {
    let format: String = r.get(1)?;
    let claims: String = r.get(10)?;
    Ok(StoredToken {
        id: r.get(0)?,
        exchange_id: r.get(7)?,
        environment: r.get(8)?,
        token: IssuedToken {
            format: TokenFormat::parse(&format).unwrap_or(TokenFormat::Opaque),
            token: r.get(2)?,
            subject: r.get(3)?,
            app: r.get(4)?,
            issued_at: r.get(5)?,
            expires_at: r.get(6)?,
            source: r.get(9)?,
            claims: serde_json::from_str(&claims).unwrap_or(Value::Null),
        },
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn exchange(body: &str) -> Exchange {
        Exchange {
            started_at_ms: 1_000_000,
            environment: "sandbox".into(),
            payload: "p.json".into(),
            request: RenderedRequest {
                method: "POST".into(),
                url: "http://x/backend/".into(),
                headers: vec![],
                body: Some(r#"{"op":"useradd","token":"{{mesibo_app_token}}","user":{"address":"a@b.c","token":{"appid":"app","expiry":10}}}"#.into()),
            },
            outcome: Ok(Response {
                status: 200,
                headers: vec![("content-type".into(), "application/json".into())],
                body: body.as_bytes().to_vec().into(),
                ttfb_ms: 1.0,
                elapsed_ms: 2.0,
                sent_headers: vec![
                    ("content-type".into(), "application/json".into()),
                    ("host".into(), "x".into()),
                ],
            }),
        }
    }

    #[test]
    fn records_exchange_tokens_and_captures_and_reads_them_back() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("h.sqlite3")).unwrap();
        let body = r#"{"user":{"uid":"7","token":"0123456789abcdef0123456789abcdef"},"op":"useradd","result":true}"#;
        let captures = BTreeMap::from([("user_token".to_owned(), "/user/token".to_owned())]);
        let recorded = store.record(&exchange(body), &captures).unwrap();
        assert_eq!(recorded.tokens.len(), 1);
        let back = store.get_exchange(recorded.exchange_id).unwrap().unwrap();
        assert_eq!(back, exchange(body));
        assert_eq!(
            store.captures("sandbox").unwrap()["user_token"],
            "0123456789abcdef0123456789abcdef"
        );
        assert!(store.captures("other").unwrap().is_empty());
        assert_eq!(
            store.capture_exchanges("sandbox").unwrap()["user_token"],
            Some(recorded.exchange_id)
        );
        let active = TokenFilter {
            subject: Some("a@b.c".into()),
            active_at: Some(1_000),
            ..TokenFilter::default()
        };
        assert_eq!(store.list_tokens(&active).unwrap().len(), 1);
        let later = TokenFilter {
            active_at: Some(1_000 + 601),
            ..active
        };
        assert!(
            store.list_tokens(&later).unwrap().is_empty(),
            "expiry is 10 minutes"
        );
        assert_eq!(
            store.lookup_token("a@b.c", 1_000).unwrap().as_deref(),
            Some("0123456789abcdef0123456789abcdef")
        );
        assert_eq!(
            store.lookup_token("mesibo", 1_000).unwrap(),
            store.lookup_token("latest", 1_000).unwrap()
        );
        assert_eq!(store.lookup_token("nobody", 1_000).unwrap(), None);
    }

    #[test]
    fn refused_responses_issue_and_capture_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("h.sqlite3")).unwrap();
        let captures = BTreeMap::from([("x".to_owned(), "/op".to_owned())]);
        let recorded = store
            .record(
                &exchange(r#"{"op":"useradd","result":false,"error":"BADOP"}"#),
                &captures,
            )
            .unwrap();
        assert!(recorded.tokens.is_empty() && recorded.captures.is_empty());
        assert_eq!(store.list_exchanges(10, None).unwrap()[0].status, Some(200));
    }

    #[test]
    fn closing_skips_the_checkpoint_and_the_next_open_sees_everything() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.sqlite3");
        let mut store = Store::open(&path).unwrap();
        let body = r#"{"user":{"uid":"7","token":"0123456789abcdef0123456789abcdef"},"op":"useradd","result":true}"#;
        store.record(&exchange(body), &BTreeMap::new()).unwrap();
        drop(store);
        assert!(
            dir.path().join("h.sqlite3-wal").exists(),
            "the WAL is kept, not checkpointed on close"
        );
        let store = Store::open(&path).unwrap();
        assert_eq!(store.exchange_count().unwrap(), 1);
    }

    /// Records exchanges of a 64 KiB body each until the WAL is past the limit.
    fn fill_wal(store: &mut Store) -> i64 {
        let body = format!(
            r#"{{"op":"useradd","result":true,"pad":"{}"}}"#,
            "x".repeat(65_536)
        );
        let mut n = 0;
        while std::fs::metadata(store.wal_path()).map_or(0, |m| m.len()) <= WAL_LIMIT {
            store.record(&exchange(&body), &BTreeMap::new()).unwrap();
            n += 1;
        }
        n
    }

    #[test]
    fn closing_with_a_large_wal_folds_it_in_and_empties_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.sqlite3");
        let mut store = Store::open(&path).unwrap();
        let wal = store.wal_path();
        assert_eq!(wal, dir.path().join("h.sqlite3-wal"));
        let n = fill_wal(&mut store);
        assert!(
            n > 1,
            "records leave the WAL as it is; only the close folds it"
        );
        drop(store);
        assert_eq!(std::fs::metadata(&wal).unwrap().len(), 0, "WAL truncated");
        assert!(
            std::fs::metadata(&path).unwrap().len() > 65_536 * n.unsigned_abs(),
            "the rows are in the database file now"
        );
        let store = Store::open(&path).unwrap();
        assert_eq!(store.exchange_count().unwrap(), n);
    }

    #[test]
    fn a_reader_elsewhere_is_not_waited_for_and_nothing_is_lost() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.sqlite3");
        let mut store = Store::open(&path).unwrap();
        let n = fill_wal(&mut store);
        // Another connection in the middle of a read keeps the WAL's frames in use.
        let other = Connection::open(&path).unwrap();
        other.execute_batch("BEGIN").unwrap();
        let seen: i64 = other
            .query_row("SELECT count(*) FROM exchanges", [], |r| r.get(0))
            .unwrap();
        assert_eq!(seen, n);
        let started = std::time::Instant::now();
        assert!(!store.fold_wal_if_large(), "cannot truncate under a reader");
        assert!(
            started.elapsed() < BUSY_TIMEOUT,
            "returned instead of waiting out the busy timeout"
        );
        store.record(&exchange("{}"), &BTreeMap::new()).unwrap();
        other.execute_batch("COMMIT").unwrap();
        drop(other);
        assert!(store.fold_wal_if_large(), "the reader is gone");
        assert_eq!(std::fs::metadata(store.wal_path()).unwrap().len(), 0);
        assert_eq!(store.exchange_count().unwrap(), n + 1);
    }

    #[test]
    fn a_file_that_is_not_a_database_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.sqlite3");
        std::fs::write(&path, vec![b'x'; 4096]).unwrap();
        let err = Store::open(&path).unwrap_err().to_string();
        assert!(
            err.contains(&path.display().to_string()) && err.contains("move it aside"),
            "{err}"
        );
    }
}
