//! The TOML sidecar beside a payload body: its request line, headers, backend, captures and
//! docs. The JSON body stays exactly what goes on the wire; everything else lives here.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::TemplateError;
use crate::config::line_col;

/// The request line and metadata of a payload.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sidecar {
    /// One paragraph for a person learning the op: what it does, required fields, units.
    #[serde(default)]
    pub docs: Option<String>,
    /// The catalogue operation this payload is (`mesibo.useradd`); without it the catalogue
    /// matches mesibo bodies by their `"op"` and others by method and path.
    #[serde(default)]
    pub op: Option<String>,
    /// Which of the environment's backends the request goes to.
    #[serde(default = "default_backend")]
    pub backend: String,
    /// The HTTP method.
    #[serde(default = "default_method")]
    pub method: String,
    /// Appended to the backend's base URL; may hold `{{variables}}`.
    #[serde(default)]
    pub path: String,
    /// Request headers; values may hold `{{variables}}`.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// Query parameters; values may hold `{{variables}}`.
    #[serde(default)]
    pub query: BTreeMap<String, String>,
    /// Variable name → JSON Pointer into the response body (`""` is the whole body).
    #[serde(default)]
    pub captures: BTreeMap<String, String>,
    /// How the JSON body goes on the wire; `None` leaves it to the operation (then JSON).
    #[serde(default)]
    pub encoding: Option<Encoding>,
}

/// How a payload's JSON body (what the user edits) is put on the wire.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Encoding {
    /// The JSON text as written, with `Content-Type: application/json`.
    #[default]
    Json,
    /// `application/x-www-form-urlencoded`: the body must be a JSON object; nested objects
    /// are flattened with `.` (`{"p2p":{"preference":"enabled"}}` → `p2p.preference=enabled`)
    /// and arrays repeat their key, as the vendors' SDKs send them.
    Form,
    /// No body at all, whatever the file holds.
    None,
}

impl Encoding {
    /// The sidecar spelling: `json`, `form` or `none`.
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Json => "json",
            Encoding::Form => "form",
            Encoding::None => "none",
        }
    }

    /// The `Content-Type` this encoding sends, if it sends a body.
    pub fn content_type(self) -> Option<&'static str> {
        match self {
            Encoding::Json => Some("application/json"),
            Encoding::Form => Some(FORM_CONTENT_TYPE),
            Encoding::None => None,
        }
    }
}

impl std::fmt::Display for Encoding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The media type of a form-encoded body.
pub const FORM_CONTENT_TYPE: &str = "application/x-www-form-urlencoded";

fn default_backend() -> String {
    "mesibo".to_owned()
}

fn default_method() -> String {
    "POST".to_owned()
}

impl Default for Sidecar {
    /// A body without a sidecar: POST to the mesibo backend URL.
    fn default() -> Self {
        Sidecar {
            docs: None,
            op: None,
            backend: default_backend(),
            method: default_method(),
            path: String::new(),
            headers: BTreeMap::new(),
            query: BTreeMap::new(),
            captures: BTreeMap::new(),
            encoding: None,
        }
    }
}

/// A sidecar together with where it came from, for error positions.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SidecarFile {
    /// The parsed sidecar.
    pub sidecar: Sidecar,
    /// The `.toml` file, if there is one.
    pub path: Option<PathBuf>,
    /// Its text, to locate `{{variables}}` in error messages.
    pub text: String,
}

impl SidecarFile {
    /// The sidecar path of a payload body: the same name with `.toml`.
    pub fn path_for(body: &Path) -> PathBuf {
        body.with_extension("toml")
    }

    /// Reads the sidecar beside `body`; a missing one gives the defaults.
    pub fn load_beside(body: &Path) -> Result<SidecarFile, TemplateError> {
        SidecarFile::load_beside_capped(body, super::DEFAULT_MAX_REQUEST)
    }

    /// [`SidecarFile::load_beside`] reading at most `limit` bytes.
    pub fn load_beside_capped(body: &Path, limit: u64) -> Result<SidecarFile, TemplateError> {
        let path = SidecarFile::path_for(body);
        match super::read_file_capped(&path, limit)? {
            Some(text) => SidecarFile::parse(&text, &path),
            None => Ok(SidecarFile::default()),
        }
    }

    /// Parses sidecar text; `path` is used in error messages.
    pub fn parse(text: &str, path: &Path) -> Result<SidecarFile, TemplateError> {
        let sidecar: Sidecar = toml::from_str(text).map_err(|e| {
            let (line, col) = e.span().map_or((1, 1), |s| line_col(text, s.start));
            TemplateError::Sidecar {
                path: path.to_owned(),
                line,
                col,
                message: crate::exit::one_line(e.message()),
            }
        })?;
        Ok(SidecarFile {
            sidecar,
            path: Some(path.to_owned()),
            text: text.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn parses_the_documented_shape() {
        let text = r#"
docs = "Creates a user."
backend = "agora_chat"
method = "POST"
path = "/{{agora_org}}/{{agora_app}}/users"
[headers]
Authorization = "Bearer {{agora_chat_token}}"
[captures]
uuid = "/entities/0/uuid"
"#;
        let file = SidecarFile::parse(text, Path::new("x.toml")).unwrap();
        assert_eq!(file.sidecar.backend, "agora_chat");
        assert_eq!(file.sidecar.captures["uuid"], "/entities/0/uuid");
        assert_eq!(file.sidecar.docs.as_deref(), Some("Creates a user."));
    }

    #[test]
    fn encoding_is_one_of_three_words() {
        let file = SidecarFile::parse("encoding = \"form\"\n", Path::new("x.toml")).unwrap();
        assert_eq!(file.sidecar.encoding, Some(Encoding::Form));
        assert_eq!(
            SidecarFile::parse("", Path::new("x.toml"))
                .unwrap()
                .sidecar
                .encoding,
            None
        );
        let err = SidecarFile::parse(
            "method = \"POST\"\nencoding = \"xml\"\n",
            Path::new("x.toml"),
        )
        .unwrap_err()
        .to_string();
        assert!(err.starts_with("x.toml:2:12:"), "{err}");
        assert!(err.contains("`json`, `form`"), "{err}");
    }

    #[test]
    fn unknown_keys_are_errors_with_position() {
        let err = SidecarFile::parse("methd = \"GET\"\n", Path::new("p/x.toml")).unwrap_err();
        let msg = err.to_string();
        assert!(msg.starts_with("p/x.toml:1:1:"), "{msg}");
        assert!(msg.contains("methd"), "{msg}");
    }
}
