//! The one HTTP engine: every request apiplay sends goes through [`Engine::send`].
//!
//! A request's life:
//!
//! ```text
//!  payload file ──render──▶ RenderedRequest ──Engine::send──▶ Response ──▶ Exchange
//!  (collection)             (+ redacted copy)  (timeouts,       (status,     (redacted request,
//!                                               size cap)        headers,     response or error,
//!                                                                body, time)  env, payload)
//! ```
//!
//! The engine holds one `reqwest::Client` (one connection pool) for the process. Cancelling is
//! dropping the future: callers race it against a cancellation signal.

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use serde::{Deserialize, Serialize};

/// The default cap on a response body: 256 MiB.
pub const DEFAULT_MAX_BODY: u64 = 256 * 1024 * 1024;

/// A request ready for the wire (or, redacted, for the history).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RenderedRequest {
    /// Upper-case method.
    pub method: String,
    /// The full URL, query included.
    pub url: String,
    /// Headers in order.
    pub headers: Vec<(String, String)>,
    /// The body, if one is sent.
    pub body: Option<String>,
}

/// The reason phrase of a status code (`OK`, `Not Found`), from the `http` crate's table as
/// reqwest re-exports it; empty for a code it does not name.
pub fn reason(code: u16) -> &'static str {
    reqwest::StatusCode::from_u16(code)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("")
}

/// Why an API said no inside its body, whatever the status: mesibo answers HTTP 200 with
/// `"result": false`, an `error` code and sometimes an `errmsg` (README, the sandbox's mesibo
/// table). `Some("AUTHFAIL: …")`, or `Some("result: false")`
/// without a code; `None` when the body is not such a refusal. The one reader of it: the
/// CLI's status line, the history's `refused` flag and the TUI's header all call it.
pub fn body_refusal(body: &[u8]) -> Option<String> {
    /// Only these three fields are built; every other one is skipped while parsing, so a
    /// 50 MB body costs a scan, not a tree.
    #[derive(Deserialize)]
    struct Verdict {
        result: Option<serde_json::Value>,
        error: Option<serde_json::Value>,
        errmsg: Option<String>,
    }
    if body.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return None;
    }
    let v: Verdict = serde_json::from_slice(body).ok()?;
    if v.result != Some(serde_json::Value::Bool(false)) {
        return None;
    }
    let code = match v.error {
        Some(serde_json::Value::String(s)) => s,
        Some(other) => other.to_string(),
        None => "result: false".to_owned(),
    };
    Some(match v.errmsg {
        Some(msg) => format!("{code}: {msg}"),
        None => code,
    })
}

/// Limits of the engine.
#[derive(Debug, Clone, Copy)]
pub struct EngineOptions {
    /// Time allowed to establish a connection.
    pub connect_timeout: Duration,
    /// Time allowed for the whole exchange, body included.
    pub timeout: Duration,
    /// Largest response body accepted, in bytes.
    pub max_body: u64,
}

impl Default for EngineOptions {
    fn default() -> Self {
        EngineOptions {
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(60),
            max_body: DEFAULT_MAX_BODY,
        }
    }
}

/// A response as received.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Response {
    /// HTTP status code.
    pub status: u16,
    /// Headers in order (values lossily decoded).
    pub headers: Vec<(String, String)>,
    /// The raw body bytes, shared cheaply between the views and the history.
    #[serde(with = "body_bytes")]
    pub body: bytes::Bytes,
    /// Time to the response head, in milliseconds.
    pub ttfb_ms: f64,
    /// Time to the end of the body, in milliseconds.
    pub elapsed_ms: f64,
    /// Every header of the request as the client put it on the wire, in order: the
    /// request's own, then those the HTTP client adds (`accept`, `user-agent`, `host`,
    /// `content-length`). Empty for exchanges recorded before they were kept.
    #[serde(default)]
    pub sent_headers: Vec<(String, String)>,
}

impl Response {
    /// The body parsed as JSON, if it is JSON.
    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// Whether the API said no: an HTTP error status, or a refusal in the body
    /// ([`body_refusal`]: mesibo's `"result": false`).
    pub fn refused(&self) -> bool {
        self.status >= 400 || body_refusal(&self.body).is_some()
    }

    /// The value of a header, case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Why a request got no response.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq, Serialize, Deserialize)]
pub enum HttpError {
    /// The request could not be built (bad method or header).
    #[error("cannot build the request to {url}: {message}")]
    InvalidRequest {
        /// The URL.
        url: String,
        /// What was wrong.
        message: String,
    },
    /// No connection could be made (refused, DNS, TLS).
    #[error("cannot connect to {url}: {message}; is the server running and the URL right?")]
    Connect {
        /// The URL.
        url: String,
        /// The cause chain.
        message: String,
    },
    /// The server did not answer in time.
    #[error("no answer from {url} within {seconds} s; raise the timeout or check the server")]
    Timeout {
        /// The URL.
        url: String,
        /// The limit that passed.
        seconds: u64,
    },
    /// The body was larger than the cap.
    #[error("the response from {url} is larger than {limit} bytes; raise the response size limit to read it")]
    TooLarge {
        /// The URL.
        url: String,
        /// The cap.
        limit: u64,
    },
    /// The connection failed mid-exchange.
    #[error("network error talking to {url}: {message}")]
    Network {
        /// The URL.
        url: String,
        /// The cause chain.
        message: String,
    },
}

/// One request and what came of it, as the history records it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Exchange {
    /// When it was sent, Unix milliseconds.
    pub started_at_ms: i64,
    /// The environment's name.
    pub environment: String,
    /// The payload it came from (path or `<stdin>`).
    pub payload: String,
    /// The request with secrets left as `{{name}}`.
    pub request: RenderedRequest,
    /// The response, or why there was none.
    pub outcome: Result<Response, HttpError>,
}

/// The HTTP client of the process.
#[derive(Debug, Clone)]
pub struct Engine {
    client: reqwest::Client,
    options: EngineOptions,
}

impl Engine {
    /// Builds the client.
    pub fn new(options: EngineOptions) -> Result<Engine, HttpError> {
        let client = reqwest::Client::builder()
            .connect_timeout(options.connect_timeout)
            .timeout(options.timeout)
            .user_agent(CLIENT_DEFAULTS[1].1)
            .build()
            .map_err(|e| HttpError::InvalidRequest {
                url: String::new(),
                message: chain(&e),
            })?;
        Ok(Engine { client, options })
    }

    /// Sends a request and reads the whole response, within the engine's limits.
    pub async fn send(&self, request: &RenderedRequest) -> Result<Response, HttpError> {
        let url = request.url.clone();
        let invalid = |message: String| HttpError::InvalidRequest {
            url: url.clone(),
            message,
        };
        let method = reqwest::Method::from_bytes(request.method.as_bytes())
            .map_err(|_| invalid(format!("`{}` is not an HTTP method", request.method)))?;
        let mut builder = self.client.request(method, &request.url);
        for (k, v) in &request.headers {
            builder = builder.header(k, v);
        }
        if let Some(body) = &request.body {
            builder = builder.body(body.clone());
        }
        let built = builder.build().map_err(|e| self.classify(&url, &e))?;
        let sent_headers = wire_headers(&built);
        let start = Instant::now();
        let response = self
            .client
            .execute(built)
            .await
            .map_err(|e| self.classify(&url, &e))?;
        let ttfb = start.elapsed();
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let limit = self.options.max_body;
        if response.content_length().is_some_and(|n| n > limit) {
            return Err(HttpError::TooLarge { url, limit });
        }
        let mut body = Vec::new();
        let mut stream = response.bytes_stream();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| self.classify(&url, &e))?;
            if (body.len() + chunk.len()) as u64 > limit {
                return Err(HttpError::TooLarge { url, limit });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Response {
            status,
            headers,
            body: body.into(),
            ttfb_ms: ttfb.as_secs_f64() * 1000.0,
            elapsed_ms: start.elapsed().as_secs_f64() * 1000.0,
            sent_headers,
        })
    }

    fn classify(&self, url: &str, e: &reqwest::Error) -> HttpError {
        let url = url.to_owned();
        if e.is_timeout() {
            HttpError::Timeout {
                url,
                seconds: self.options.timeout.as_secs(),
            }
        } else if e.is_connect() {
            HttpError::Connect {
                url,
                message: chain(e),
            }
        } else if e.is_builder() {
            HttpError::InvalidRequest {
                url,
                message: chain(e),
            }
        } else {
            HttpError::Network {
                url,
                message: chain(e),
            }
        }
    }
}

/// A byte count for people: `512 B`, `1.5 KiB`, `50.0 MiB`.
pub fn human_size(bytes: usize) -> String {
    let b = bytes as f64;
    if bytes < 1024 {
        format!("{bytes} B")
    } else if bytes < 1024 * 1024 {
        format!("{:.1} KiB", b / 1024.0)
    } else {
        format!("{:.1} MiB", b / (1024.0 * 1024.0))
    }
}

/// Serde for the body as a byte sequence (the `bytes` crate's serde support is a feature we
/// do not otherwise need).
mod body_bytes {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(body: &bytes::Bytes, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(body)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<bytes::Bytes, D::Error> {
        Vec::<u8>::deserialize(d).map(bytes::Bytes::from)
    }
}

/// What the client adds to every request unless the request sets it: reqwest's default
/// `accept: */*` and the engine's `user-agent`, in the order reqwest appends them.
const CLIENT_DEFAULTS: [(&str, &str); 2] = [
    ("accept", "*/*"),
    ("user-agent", concat!("apiplay/", env!("CARGO_PKG_VERSION"))),
];

/// The headers `request` goes out with, in wire order: its own (names lower-cased as HTTP/1
/// writes them), then the client's defaults it does not set (reqwest merges them at execute),
/// then `host` (hyper-util sets it from the URL when absent) and `content-length` for a body
/// (hyper, from the body's exact size).
fn wire_headers(request: &reqwest::Request) -> Vec<(String, String)> {
    let own = request.headers();
    let mut out: Vec<(String, String)> = own
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    for (name, value) in CLIENT_DEFAULTS {
        if !own.contains_key(name) {
            out.push((name.to_owned(), value.to_owned()));
        }
    }
    let url = request.url();
    if !own.contains_key("host") {
        if let Some(host) = url.host_str() {
            let host = match url.port() {
                Some(port) => format!("{host}:{port}"),
                None => host.to_owned(),
            };
            out.push(("host".to_owned(), host));
        }
    }
    if !own.contains_key("content-length") {
        if let Some(len) = request
            .body()
            .and_then(reqwest::Body::as_bytes)
            .map(<[u8]>::len)
        {
            out.push(("content-length".to_owned(), len.to_string()));
        }
    }
    out
}

/// An error and its sources, joined, so "connection refused" is not lost behind "error
/// sending request".
fn chain(e: &dyn std::error::Error) -> String {
    let mut parts = vec![e.to_string()];
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = s.source();
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, body: &str) -> Response {
        Response {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: bytes::Bytes::copy_from_slice(body.as_bytes()),
            ttfb_ms: 0.0,
            elapsed_ms: 0.0,
            sent_headers: Vec::new(),
        }
    }

    #[test]
    fn sizes_read_well() {
        assert_eq!(human_size(52_428_800), "50.0 MiB");
        assert_eq!(human_size(1536), "1.5 KiB");
        assert_eq!(human_size(10), "10 B");
    }

    #[test]
    fn refusal_is_status_or_mesibo_result_false() {
        assert_eq!(
            body_refusal(
                br#"{"op":"useradd","result":false,"error":"AUTHFAIL","errmsg":"bad token"}"#
            ),
            Some("AUTHFAIL: bad token".to_owned())
        );
        assert_eq!(
            body_refusal(br#" {"result": false}"#),
            Some("result: false".to_owned())
        );
        assert_eq!(body_refusal(br#"{"result": "false"}"#), None);
        assert_eq!(body_refusal(br#"[{"result": false}]"#), None);
        assert!(!response(200, r#"{"result":true}"#).refused());
        assert!(response(200, r#"{"op":"x","result":false,"error":"BADOP"}"#).refused());
        assert!(response(404, "nope").refused());
        assert!(!response(200, "not json").refused());
        assert_eq!(
            response(200, "").header("content-type"),
            Some("application/json")
        );
    }
}
