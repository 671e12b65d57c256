//! The plain data the TUI shows, as the core link hands it over: payload entries, a loaded
//! payload, the outcome of a send, history rows and token rows.
//!
//! Keeping the views on these small types means the screen does not change when a core
//! type grows a field, and tests can build them by hand.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

/// One payload file of the collection.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PayloadEntry {
    /// Absolute or working-directory-relative path of the `.json` file.
    pub path: PathBuf,
    /// Path relative to the collection root, `/`-separated, shown in the tree.
    pub rel: String,
    /// The catalogue operation it is (`agora.chat.token.exchange`), when one matches.
    pub op: Option<String>,
    /// The op's position in its vendor's usual flow.
    pub flow: Option<u32>,
    /// The variables a send of it captures (its sidecar's and its op's).
    pub captures: Vec<String>,
    /// The variables it uses (`{{name}}` in the body and the sidecar).
    pub uses: Vec<String>,
}

/// A payload opened in the editor.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PayloadInfo {
    /// The body text as stored in the file.
    pub text: String,
    /// Which backend of the environment it goes to (`mesibo`, `agora`, …).
    pub backend: String,
    /// HTTP method from the sidecar.
    pub method: String,
    /// Path appended to the backend URL.
    pub url_path: String,
    /// The sidecar's own docs paragraph (files written before the catalogue).
    pub docs: String,
    /// Without one, the catalogue op whose docs the popup shows, laid out for its width.
    pub docs_op: Option<String>,
    /// Why the sidecar could not be read (`file.toml:line:col: …`); the body still opens.
    pub sidecar_error: Option<String>,
    /// The sidecar's text, when there is a sidecar file.
    pub sidecar_text: Option<String>,
    /// Query parameters from the sidecar, in order.
    pub query: Vec<(String, String)>,
    /// Headers from the sidecar, in order.
    pub headers: Vec<(String, String)>,
    /// How the body goes on the wire (`json`, `form`, `none`), when the sidecar says.
    pub encoding: Option<String>,
    /// What the file was when it was read (`None`: no file yet), so a save notices an
    /// outside change.
    pub stamp: Option<crate::fsio::FileStamp>,
    /// What the sidecar file was when it was read (`None`: no sidecar file).
    pub sidecar_stamp: Option<crate::fsio::FileStamp>,
}

/// An environment as the header and switcher show it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EnvInfo {
    /// Its name.
    pub name: String,
    /// Backend name → base URL.
    pub backends: BTreeMap<String, String>,
}

/// A variable, capture or built-in with its value and where it comes from (the variables
/// view, Ctrl+T).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VarValue {
    /// The name inside the braces (`mesibo_app_token`, `$vonage_jwt`, `token:latest`).
    pub name: String,
    /// The value as shown: masked when secret; `None` when there is none.
    pub value: Option<String>,
    /// The value in clear, shown only for the one row a person reveals (`v`).
    pub clear: Option<String>,
    /// Where the value comes from (`$MESIBO_APP_TOKEN ({ env = … } in apiplay.toml)`,
    /// `captured from exchange #4`, `minted per send from …`, `sandbox demo credential`).
    pub source: String,
    /// Whether the open payload uses it.
    pub used: bool,
    /// Whether a value can be entered for the session (`e`): it has none, or it is a secret
    /// of the environment.
    pub enterable: bool,
    /// The payload that captures it (`o` opens it), filled in from the payload tree.
    pub opens: Option<PathBuf>,
}

/// What came back from a send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendOutcome {
    /// Status code.
    pub status: u16,
    /// Response headers.
    pub headers: Vec<(String, String)>,
    /// Raw body bytes (shared with the history write, not copied).
    pub body: bytes::Bytes,
    /// Time to the last byte.
    pub elapsed: Duration,
    /// Request line, headers and body as sent (secrets redacted), one entry per line.
    pub request_summary: Vec<String>,
}

/// One recorded exchange in the History tab.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryRow {
    /// Its id in the store.
    pub id: i64,
    /// Unix seconds when it was sent.
    pub at: i64,
    /// Payload path as recorded.
    pub payload: String,
    /// Environment name.
    pub env: String,
    /// Status code, or `None` when the request failed.
    pub status: Option<u16>,
    /// Whether the API said no (an HTTP error, or mesibo's `"result": false`).
    pub refused: bool,
    /// Duration in milliseconds.
    pub duration_ms: u64,
}

/// One issued token in the Tokens tab.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenRow {
    /// Its id in the store.
    pub id: i64,
    /// Stable format name (`mesibo`, `agora-007`, …).
    pub format: String,
    /// The token itself.
    pub token: String,
    /// Who it is for.
    pub subject: Option<String>,
    /// App id or key.
    pub app: Option<String>,
    /// Unix seconds.
    pub issued_at: Option<i64>,
    /// Unix seconds.
    pub expires_at: Option<i64>,
    /// Decoded claims.
    pub claims: serde_json::Value,
}

impl TokenRow {
    /// Seconds left at `now`, negative when expired, `None` when it does not expire.
    pub fn seconds_left(&self, now: i64) -> Option<i64> {
        self.expires_at.map(|e| e - now)
    }
}
