//! The payload collection: discovery of `*.json` bodies, their sidecars, and rendering a
//! template into the request that goes on the wire.
//!
//! Rendering never sends anything: an invalid body, a broken sidecar or an unknown variable is
//! a [`TemplateError`] that names the file, line and column and says what to do.

pub mod form;
pub mod manage;
pub mod mint;
mod sidecar;
pub mod template;
pub mod url;
mod vars;

use std::path::{Path, PathBuf};

pub use mint::{AuthBuiltin, AUTH_BUILTINS};
pub use sidecar::{Encoding, Sidecar, SidecarFile, FORM_CONTENT_TYPE};
pub use template::{variables_in, VarRef};
pub use vars::{
    parse_cli_var, var_value, Cache, Origin, Resolved, TokenLookup, Vars, BUILTINS, TOKEN_PREFIX,
};

use crate::config::{line_col, ConfigError, Environment};
use crate::http::RenderedRequest;
use crate::scrub::Scrubber;

/// Why a payload could not be turned into a request.
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    /// A file could not be read.
    #[error("cannot read {path}: {message}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        message: String,
    },
    /// The body is not valid JSON.
    #[error("{file}:{line}:{col}: invalid JSON: {message}; fix the body and send again")]
    InvalidJson {
        /// The payload, as shown to the user.
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        col: usize,
        /// What the parser said.
        message: String,
    },
    /// The sidecar is not valid.
    #[error("{}:{line}:{col}: invalid sidecar: {message}", path.display())]
    Sidecar {
        /// The sidecar file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        col: usize,
        /// What the parser said.
        message: String,
    },
    /// A `{{name}}` no source defines.
    #[error("{file}:{line}:{col}: unknown variable `{name}`; pass --var {name}=…, define it in apiplay.toml under [environments.{environment}.variables], or capture it from an earlier response")]
    UnknownVariable {
        /// The file the placeholder is in.
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        col: usize,
        /// The variable.
        name: String,
        /// The environment searched.
        environment: String,
    },
    /// A variable's source failed (a secret's environment variable is unset).
    #[error("{file}:{line}:{col}: {source}")]
    Variable {
        /// The file the placeholder is in.
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        col: usize,
        /// The failure.
        source: ConfigError,
    },
    /// The sidecar names a backend the environment does not define.
    #[error("{file}: backend `{backend}` is not defined in environment `{environment}`; add it under [environments.{environment}.backends] in apiplay.toml")]
    UnknownBackend {
        /// The payload.
        file: String,
        /// The backend name.
        backend: String,
        /// The environment.
        environment: String,
    },
    /// The body cannot go on the wire in the payload's encoding.
    #[error("{file}: {source}; fix the body, or set `encoding` in its sidecar")]
    Encoding {
        /// The payload.
        file: String,
        /// Why the body does not fit the encoding.
        source: form::FormError,
    },
    /// A body (or sidecar) is larger than the request cap; nothing past the cap was read.
    #[error("{file} is larger than {limit} bytes ({}), the limit of what apiplay reads; nothing past it was read. {hint}", crate::http::human_size(usize::try_from(*limit).unwrap_or(usize::MAX)))]
    TooLarge {
        /// The file, or `standard input`.
        file: String,
        /// The cap, in bytes.
        limit: u64,
        /// How to raise the cap.
        hint: &'static str,
    },
    /// The rendered URL is not a valid URL.
    #[error("{file}: `{url}` is not a valid URL: {message}")]
    BadUrl {
        /// The payload.
        file: String,
        /// The URL as rendered.
        url: String,
        /// What the parser said.
        message: String,
    },
}

/// The default cap on a request body read from a file or standard input: 64 MiB.
pub const DEFAULT_MAX_REQUEST: u64 = 64 * 1024 * 1024;

/// How to raise the request cap, for [`TemplateError::TooLarge`].
pub const MAX_REQUEST_HINT: &str =
    "Nothing was sent; pass --max-request BYTES to `apiplay send` to raise the limit.";

/// Reads at most `limit` bytes of UTF-8 text from `reader`: one byte more than the cap is
/// [`TemplateError::TooLarge`] (with `hint` saying how to raise it), and nothing beyond it is
/// read, so `/dev/zero` or an endless pipe costs `limit` bytes of memory, not all of it.
/// `file` names the source in errors.
pub fn read_capped(
    reader: impl std::io::Read,
    file: &str,
    limit: u64,
    hint: &'static str,
) -> Result<String, TemplateError> {
    use std::io::Read as _;
    let io = |message: String| TemplateError::Io {
        path: PathBuf::from(file),
        message,
    };
    let mut bytes = Vec::new();
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| io(e.to_string()))?;
    if bytes.len() as u64 > limit {
        return Err(TemplateError::TooLarge {
            file: file.to_owned(),
            limit,
            hint,
        });
    }
    String::from_utf8(bytes).map_err(|e| {
        io(format!(
            "not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        ))
    })
}

/// Reads a file of at most `limit` bytes with [`read_capped`]; `Ok(None)` if it does not exist.
pub(crate) fn read_file_capped(path: &Path, limit: u64) -> Result<Option<String>, TemplateError> {
    match std::fs::File::open(path) {
        Ok(file) => {
            read_capped(file, &path.display().to_string(), limit, MAX_REQUEST_HINT).map(Some)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(TemplateError::Io {
            path: path.to_owned(),
            message: e.to_string(),
        }),
    }
}

/// A payload body with its sidecar, ready to render.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayloadTemplate {
    /// How the payload is named to the user (its path, or `<stdin>`).
    pub name: String,
    /// The body text exactly as in the file.
    pub body: String,
    /// The sidecar (defaults when there is none).
    pub sidecar: SidecarFile,
}

impl PayloadTemplate {
    /// Reads a body and the sidecar beside it, each capped at [`DEFAULT_MAX_REQUEST`].
    pub fn load(path: &Path) -> Result<PayloadTemplate, TemplateError> {
        PayloadTemplate::load_capped(path, DEFAULT_MAX_REQUEST)
    }

    /// Reads a body and the sidecar beside it, each of at most `limit` bytes.
    pub fn load_capped(path: &Path, limit: u64) -> Result<PayloadTemplate, TemplateError> {
        let body = read_file_capped(path, limit)?.ok_or_else(|| TemplateError::Io {
            path: path.to_owned(),
            message: "no such file".to_owned(),
        })?;
        let sidecar = SidecarFile::load_beside_capped(path, limit)?;
        Ok(PayloadTemplate {
            name: path.display().to_string(),
            body,
            sidecar,
        })
    }

    /// How the body goes on the wire: the sidecar's `encoding`, else that of the catalogue
    /// operation the sidecar names (`op = "…"`), else JSON.
    pub fn encoding(&self) -> Encoding {
        let sidecar = &self.sidecar.sidecar;
        sidecar
            .encoding
            .or_else(|| {
                let id = sidecar.op.as_deref()?;
                let op = crate::catalogue::try_catalogue().ok()?.get(id)?;
                Some(op.encoding)
            })
            .unwrap_or_default()
    }

    /// Checks that the body is valid JSON, naming line:col when it is not.
    pub fn validate(&self) -> Result<(), TemplateError> {
        validate_json(&self.name, &self.body)
    }

    /// Renders the request: the one to send, and a copy with secrets left as `{{name}}` for
    /// the history.
    pub fn render(&self, vars: &Vars<'_>) -> Result<Rendered, TemplateError> {
        self.validate()?;
        let sidecar = &self.sidecar.sidecar;
        let env = vars.env();
        let base =
            env.backend_url(&sidecar.backend)
                .ok_or_else(|| TemplateError::UnknownBackend {
                    file: self.name.clone(),
                    backend: sidecar.backend.clone(),
                    environment: env.name.clone(),
                })?;
        let rendered = render_pair(vars, |cache, reveal| {
            self.render_once(vars, cache, base, reveal)
        })?;
        if let Err(e) = reqwest::Url::parse(&rendered.request.url) {
            return Err(TemplateError::BadUrl {
                file: self.name.clone(),
                url: rendered.redacted.url,
                message: e.to_string(),
            });
        }
        Ok(rendered)
    }

    /// Renders a recorded request again: its body is this template's body, and `url` and
    /// `headers` (which may hold `{{name}}` placeholders) replace the sidecar's.
    pub fn rerender(
        &self,
        vars: &Vars<'_>,
        method: &str,
        url: &str,
        headers: &[(String, String)],
    ) -> Result<Rendered, TemplateError> {
        // A recorded request without a body (a GET, a DELETE) has nothing to validate. A
        // recorded form body is form text with its secrets left as `{{name}}`; any other
        // body is the JSON the payload held.
        let has_body = !self.body.is_empty();
        let form = headers
            .iter()
            .any(|(k, v)| k.eq_ignore_ascii_case("content-type") && form::is_form_content_type(v));
        if has_body && !form {
            self.validate()?;
        }
        render_pair(vars, |cache, reveal| {
            let body = if !has_body {
                None
            } else if form && reveal {
                let ctx = Locator::new(&self.name, &self.body, 0);
                Some(form::substitute(&self.body, |r| {
                    ctx.resolve(vars, cache, r, reveal)
                })?)
            } else if form {
                Some(self.body.clone())
            } else {
                Some(self.body_text(vars, cache, reveal)?)
            };
            // A recorded query holds its placeholders unescaped; their values go in
            // percent-encoded, as the first send encoded them.
            let query = match url.split_once('?') {
                Some((_, query)) if reveal => {
                    let ctx = Locator::new(&self.name, query, 0);
                    Some(form::substitute(query, |r| {
                        ctx.resolve(vars, cache, r, reveal)
                    })?)
                }
                _ => None,
            };
            let mut plain = |text: &str| {
                let ctx = Locator::new(&self.name, text, 0);
                template::substitute_text(text, |r| ctx.resolve(vars, cache, r, reveal))
            };
            let url = match (url.split_once('?'), query) {
                (Some((path, _)), Some(query)) => format!("{}?{query}", plain(path)?),
                _ => plain(url)?,
            };
            let headers = headers
                .iter()
                .map(|(k, v)| Ok((k.clone(), plain(v)?)))
                .collect::<Result<Vec<_>, TemplateError>>()?;
            Ok(RenderedRequest {
                method: method.to_owned(),
                url,
                headers,
                body,
            })
        })
    }

    /// The body with its placeholders substituted; positions in errors are the body's.
    fn body_text(
        &self,
        vars: &Vars<'_>,
        cache: &mut vars::Cache,
        reveal: bool,
    ) -> Result<String, TemplateError> {
        let ctx = Locator::new(&self.name, &self.body, 0);
        template::substitute_json(&self.body, |r| ctx.resolve(vars, cache, r, reveal))
    }

    /// One rendering; `reveal` false leaves secrets as their `{{name}}`. The cache keeps
    /// built-ins (`{{$uuid}}`) identical between the two renderings.
    fn render_once(
        &self,
        vars: &Vars<'_>,
        cache: &mut vars::Cache,
        base: &str,
        reveal: bool,
    ) -> Result<RenderedRequest, TemplateError> {
        let sidecar = &self.sidecar.sidecar;
        let body = self.body_text(vars, cache, reveal)?;
        let side_name = self
            .sidecar
            .path
            .as_ref()
            .map_or_else(|| self.name.clone(), |p| p.display().to_string());
        let side_text = &self.sidecar.text;
        let mut plain = |text: &str| {
            let offset = side_text.find(text).unwrap_or(0);
            let ctx = Locator::new(&side_name, side_text, offset);
            template::substitute_text(text, |r| ctx.resolve(vars, cache, r, reveal))
        };
        let path = plain(&sidecar.path)?;
        let mut query = Vec::new();
        for (k, v) in &sidecar.query {
            query.push((k.clone(), plain(v)?));
        }
        // The history copy keeps a secret as its `{{name}}`, unescaped, so a replay can
        // substitute it again.
        let encoded = form::encode(&query, !reveal);
        let url = url::join(base, &path, &encoded).map_err(|e| TemplateError::BadUrl {
            file: self.name.clone(),
            url: format!("{base}{path}"),
            message: e.to_string(),
        })?;
        let mut headers = Vec::new();
        for (k, v) in &sidecar.headers {
            headers.push((k.clone(), plain(v)?));
        }
        let method = sidecar.method.to_ascii_uppercase();
        let body = self.wire_body(&method, body, reveal, &mut headers)?;
        Ok(RenderedRequest {
            method,
            url,
            headers,
            body,
        })
    }
}

impl PayloadTemplate {
    /// The substituted JSON body in the payload's encoding, with its `Content-Type` added
    /// unless the sidecar sets one. GET, HEAD and DELETE with an empty body (or `{}`) send
    /// none, and so does a form with no fields (as the SDKs' HTTP clients do).
    fn wire_body(
        &self,
        method: &str,
        json: String,
        reveal: bool,
        headers: &mut Vec<(String, String)>,
    ) -> Result<Option<String>, TemplateError> {
        let trimmed = json.trim();
        let empty = trimmed.is_empty() || trimmed == "{}";
        let encoding = self.encoding();
        if encoding == Encoding::None || (empty && matches!(method, "GET" | "HEAD" | "DELETE")) {
            return Ok(None);
        }
        let body = match encoding {
            Encoding::Json | Encoding::None => json,
            Encoding::Form => {
                let value: serde_json::Value =
                    serde_json::from_str(trimmed).map_err(|e| TemplateError::InvalidJson {
                        file: self.name.clone(),
                        line: e.line().max(1),
                        col: e.column().max(1),
                        message: strip_position(&e.to_string()),
                    })?;
                let fields = form::pairs(&value).map_err(|source| TemplateError::Encoding {
                    file: self.name.clone(),
                    source,
                })?;
                if fields.is_empty() {
                    return Ok(None);
                }
                // The history copy keeps each secret as its `{{name}}`, unescaped.
                form::encode(&fields, !reveal)
            }
        };
        if let Some(content_type) = encoding.content_type() {
            if !headers
                .iter()
                .any(|(k, _)| k.eq_ignore_ascii_case("content-type"))
            {
                headers.push(("Content-Type".to_owned(), content_type.to_owned()));
            }
        }
        Ok(Some(body))
    }
}

/// Renders twice with one built-in cache (so `{{$uuid}}` agrees): once with secrets revealed
/// for the wire, once with them left as `{{name}}` and scrubbed for the history. The
/// scrubber knows the environment's secrets and every secret this rendering resolved.
fn render_pair(
    vars: &Vars<'_>,
    mut once: impl FnMut(&mut vars::Cache, bool) -> Result<RenderedRequest, TemplateError>,
) -> Result<Rendered, TemplateError> {
    let mut cache = vars::Cache::default();
    let request = once(&mut cache, true)?;
    let mut redacted = once(&mut cache, false)?;
    let mut secrets = environment_secrets(vars.env());
    secrets.extend(cache.secrets().iter().cloned());
    // Values minted for this send (`{{$opentok_jwt}}` …), wherever they were substituted.
    secrets.extend(
        cache
            .minted()
            .map(|(name, value)| (name.to_owned(), template::value_text(value))),
    );
    let scrubber = Scrubber::new(secrets);
    scrubber.request(&mut redacted);
    Ok(Rendered {
        request,
        redacted,
        scrubber,
    })
}

/// Every secret variable of the environment that has a value, as `(name, value)`: a secret
/// pasted literally into a payload (the docs' payload carries its app token inline) is
/// scrubbed even though no placeholder asked for it. An unset one is skipped (it cannot
/// appear anywhere).
fn environment_secrets(env: &Environment) -> Vec<(String, String)> {
    env.variables
        .iter()
        .filter(|(_, v)| v.secret)
        .filter_map(|(name, _)| {
            let (value, _) = env.resolve(name).ok()??;
            Some((name.clone(), template::value_text(&value)))
        })
        .collect()
}

/// A rendered request, its copy for the history, and the scrubber for everything the
/// exchange brings back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// What goes on the wire.
    pub request: RenderedRequest,
    /// The same with each secret value replaced by its `{{name}}`.
    pub redacted: RenderedRequest,
    /// Knows every secret of this rendering: the response and any error text pass through it
    /// before they are shown or stored.
    pub scrubber: Scrubber,
}

/// Checks that `text` is valid JSON, naming `name:line:col` when it is not.
pub fn validate_json(name: &str, text: &str) -> Result<(), TemplateError> {
    match serde_json::from_str::<serde::de::IgnoredAny>(text) {
        Ok(_) => Ok(()),
        // serde_json reports column 0 for an error at a line's very start; positions are 1-based.
        Err(e) => Err(TemplateError::InvalidJson {
            file: name.to_owned(),
            line: e.line().max(1),
            col: e.column().max(1),
            message: strip_position(&e.to_string()),
        }),
    }
}

fn strip_position(message: &str) -> String {
    message
        .find(" at line ")
        .map_or(message, |i| &message[..i])
        .to_owned()
}

/// Locates a placeholder of one text (body or sidecar) for error messages.
struct Locator<'t> {
    file: &'t str,
    text: &'t str,
    base: usize,
}

impl<'t> Locator<'t> {
    fn new(file: &'t str, text: &'t str, base: usize) -> Self {
        Locator { file, text, base }
    }

    fn resolve(
        &self,
        vars: &Vars<'_>,
        cache: &mut vars::Cache,
        r: &VarRef,
        reveal: bool,
    ) -> Result<serde_json::Value, TemplateError> {
        let position = || line_col(self.text, self.base + r.span.start);
        match vars.resolve(&r.name, cache) {
            Ok(Some(resolved)) if resolved.secret && !reveal => {
                Ok(serde_json::Value::String(format!("{{{{{}}}}}", r.name)))
            }
            Ok(Some(resolved)) => {
                // A `{{token:…}}` is masked in views but is no secret of the environment: the
                // token history keeps it by design, and a response that echoes it must keep it.
                if resolved.secret && resolved.origin != vars::Origin::TokenHistory {
                    cache.note_secret(&r.name, &resolved.value);
                }
                Ok(resolved.value)
            }
            Ok(None) => {
                let (line, col) = position();
                Err(TemplateError::UnknownVariable {
                    file: self.file.to_owned(),
                    line,
                    col,
                    name: r.name.clone(),
                    environment: vars.env().name.clone(),
                })
            }
            Err(source) => {
                let (line, col) = position();
                Err(TemplateError::Variable {
                    file: self.file.to_owned(),
                    line,
                    col,
                    source,
                })
            }
        }
    }
}

/// One payload of a collection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayloadEntry {
    /// The body file.
    pub path: PathBuf,
    /// Its path relative to the collection root, with `/` separators.
    pub rel: String,
}

/// The payload files under a folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Collection {
    /// The folder.
    pub root: PathBuf,
    /// Every `*.json` below it, sorted by relative path.
    pub payloads: Vec<PayloadEntry>,
}

impl Collection {
    /// Lists the `*.json` files below `root`, skipping hidden folders.
    pub fn discover(root: &Path) -> Result<Collection, TemplateError> {
        if !root.is_dir() {
            return Err(TemplateError::Io {
                path: root.to_owned(),
                message: "no such folder; run apiplay where payloads/ is, or pass --payloads DIR"
                    .to_owned(),
            });
        }
        let mut payloads = Vec::new();
        let mut stack = vec![root.to_owned()];
        while let Some(dir) = stack.pop() {
            let entries = std::fs::read_dir(&dir).map_err(|e| TemplateError::Io {
                path: dir.clone(),
                message: e.to_string(),
            })?;
            for entry in entries.flatten() {
                let path = entry.path();
                let hidden = entry.file_name().to_string_lossy().starts_with('.');
                if hidden {
                    continue;
                }
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == "json") {
                    let rel = path
                        .strip_prefix(root)
                        .unwrap_or(&path)
                        .components()
                        .map(|c| c.as_os_str().to_string_lossy())
                        .collect::<Vec<_>>()
                        .join("/");
                    payloads.push(PayloadEntry { path, rel });
                }
            }
        }
        payloads.sort_by(|a, b| a.rel.cmp(&b.rel));
        Ok(Collection {
            root: root.to_owned(),
            payloads,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    fn env() -> Environment {
        let mut env = Environment::sandbox();
        env.bind_sandbox("http://127.0.0.1:1");
        env
    }

    fn template(body: &str, sidecar: &str) -> PayloadTemplate {
        PayloadTemplate {
            name: "p.json".to_owned(),
            body: body.to_owned(),
            sidecar: SidecarFile::parse(sidecar, Path::new("p.toml")).unwrap(),
        }
    }

    #[test]
    fn secrets_are_redacted_in_the_history_copy_only() {
        let t = template(
            r#"{"op":"useradd","token":"{{mesibo_app_token}}","n":"{{n}}"}"#,
            "backend = \"mesibo\"\n",
        );
        let env = env();
        let mut vars = Vars::new(&env);
        vars.overrides.insert("n".to_owned(), json!(7));
        let rendered = t.render(&vars).unwrap();
        assert_eq!(rendered.request.url, "http://127.0.0.1:1/backend/");
        let sent: serde_json::Value =
            serde_json::from_str(rendered.request.body.as_deref().unwrap()).unwrap();
        assert_eq!(sent["token"], crate::sandbox::demo::MESIBO_APP_TOKEN);
        assert_eq!(sent["n"], 7);
        let kept = rendered.redacted.body.unwrap();
        assert!(kept.contains("\"{{mesibo_app_token}}\""), "{kept}");
        assert!(!kept.contains(crate::sandbox::demo::MESIBO_APP_TOKEN));
    }

    #[test]
    fn literal_secrets_of_the_environment_are_scrubbed_from_the_history_copy() {
        let token = crate::sandbox::demo::MESIBO_APP_TOKEN;
        let body = format!(r#"{{"op":"useradd","token":"{token}"}}"#);
        let rendered = template(&body, "").render(&Vars::new(&env())).unwrap();
        assert_eq!(rendered.request.body.as_deref(), Some(body.as_str()));
        assert_eq!(
            rendered.redacted.body.as_deref(),
            Some(r#"{"op":"useradd","token":"{{mesibo_app_token}}"}"#)
        );
    }

    #[test]
    fn unknown_variable_in_sidecar_names_the_sidecar_position() {
        let t = template(
            "{}",
            "method = \"GET\"\nbackend = \"agora_chat\"\npath = \"/x/{{who}}\"\n",
        );
        let err = t.render(&Vars::new(&env())).unwrap_err().to_string();
        assert!(err.starts_with("p.toml:3:"), "{err}");
        assert!(err.contains("unknown variable `who`"), "{err}");
    }

    #[test]
    fn invalid_json_names_line_and_column() {
        let t = template("{\n  \"op\": \"useradd\",\n  oops\n}", "");
        let err = t.render(&Vars::new(&env())).unwrap_err().to_string();
        assert!(err.starts_with("p.json:3:3: invalid JSON"), "{err}");
    }

    #[test]
    fn get_with_empty_body_sends_none_and_query_is_encoded() {
        let t = template(
            "{}",
            "method = \"get\"\nbackend = \"twilio_token_server\"\npath = \"/twilio/token\"\n[query]\nidentity = \"a b&c\"\n",
        );
        let r = t.render(&Vars::new(&env())).unwrap();
        assert_eq!(r.request.method, "GET");
        assert_eq!(r.request.body, None);
        assert_eq!(
            r.request.url,
            "http://127.0.0.1:1/twilio/token?identity=a+b%26c"
        );
    }
}
