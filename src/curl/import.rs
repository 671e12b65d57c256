//! A curl request as a payload: the JSON body on disk and its sidecar.
//!
//! - The URL's root is matched to the environment's backends (the longest that prefixes it;
//!   between equal ones, the backend of the op the rest of the request matches), else to a
//!   vendor's public host ([`VENDOR_HOSTS`]); the rest is the sidecar's `path` and `[query]`.
//! - The op comes from the catalogue's matcher (a mesibo body's `"op"`, else method, path and
//!   body shape); its `{{org}}`-like path segments are written as variables where the
//!   environment's value is the one in the URL, and its captures go into the sidecar.
//! - A form body becomes a JSON object with `encoding = "form"`; a JSON body is kept.
//! - Credentials become `{{variables}}`: the op's auth (a mesibo body `token`, a `Bearer`
//!   value, Basic or `-u`, a named header), any secret value of the environment written out,
//!   and `$VAR` shell references. The import says what it replaced and how to set each; the
//!   replaced values are checked absent from both files before anything is written.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::{Map, Value};

use super::credentials::State;
use super::parse::CurlRequest;
use crate::catalogue::{self, AuthScheme, Catalogue, Resolution};
use crate::collection::{form, template, Encoding, Sidecar};
use crate::config::Environment;

/// Public hosts of the vendors, for a URL no backend of the environment prefixes: host
/// suffix → backend and the backend URL's path. Sources: the mesibo backend API URL (docs.mesibo.com, "Backend API"),
/// Agora Chat REST hosts (`aNN.chat.agora.io`, the console's data centre; older apps on
/// `easemob.com`), the OpenTok REST host `api.opentok.com` and Vonage's
/// `video.api.vonage.com`, and the Agora docs' token server on `localhost:8090`.
pub const VENDOR_HOSTS: [(&str, &str, &str); 6] = [
    ("api.mesibo.com", "mesibo", "/backend"),
    (".chat.agora.io", "agora_chat", ""),
    (".easemob.com", "agora_chat", ""),
    ("api.opentok.com", "vonage_video", ""),
    ("video.api.vonage.com", "vonage_video", ""),
    ("localhost:8090", "agora_token_server", ""),
];

/// Secret values shorter than this are not searched for in the command (a demo secret such
/// as `secret` would match ordinary words).
pub(super) const MIN_SECRET_LEN: usize = 12;

/// Why a curl request cannot be a payload.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    /// The URL is not `scheme://host/…`.
    #[error("the URL `{0}` has no host: write it as http(s)://HOST/PATH")]
    BadUrl(String),
    /// A body that is neither JSON nor a form.
    #[error("the body is neither JSON nor a form ({problem}); an apiplay payload is a JSON body on disk: make the curl body JSON or a form (name=value&…)")]
    Body {
        /// What did not parse, where.
        problem: String,
    },
    /// A JSON body that does not parse.
    #[error("the body is not valid JSON at line {line} column {col}: {message}; complete it (docs often elide parts with `...`) and import again")]
    InvalidJson {
        /// 1-based line in the body.
        line: usize,
        /// 1-based column in the body.
        col: usize,
        /// serde_json's message.
        message: String,
    },
    /// A replaced secret would still be in the files (a bug guard; nothing is written).
    #[error("the value replaced by {{{{{0}}}}} is still in the new files; nothing was written")]
    SecretLeft(String),
}

/// A value replaced by a variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replaced {
    /// Where it was (`the Authorization header's Bearer token`).
    pub what: String,
    /// The variable, without braces (`mesibo_app_token`, `$agora_app_token`).
    pub variable: String,
    /// How the variable gets its value.
    pub how: String,
}

/// A payload made from a curl command, ready to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    /// The JSON body file's text.
    pub body: String,
    /// The sidecar's TOML text.
    pub sidecar: String,
    /// The catalogue op, when one matched.
    pub op: Option<String>,
    /// The backend chosen (`None`: the URL is kept whole in `path`).
    pub backend: Option<String>,
    /// The values replaced by variables.
    pub replaced: Vec<Replaced>,
    /// Other things to know (ignored options, a vendor host, a URL kept whole).
    pub notes: Vec<String>,
    /// A file name for the payload (`agora.chat.user.create`), without extension.
    pub stem: String,
}

impl Imported {
    /// One line for a status bar: where it went, the op, what was replaced, the notes.
    pub fn summary(&self, path: &std::path::Path) -> String {
        let mut said = format!("imported the curl command as {}", path.display());
        if let Some(op) = &self.op {
            let _ = write!(said, " ({op})");
        }
        for r in &self.replaced {
            let _ = write!(said, "; {} → {{{{{}}}}}", r.what, r.variable);
        }
        for n in &self.notes {
            let _ = write!(said, "; {n}");
        }
        said
    }
}

/// Turns a curl request into a payload for environment `env`.
pub fn import(request: &CurlRequest, env: &Environment) -> Result<Imported, ImportError> {
    let cat = catalogue::catalogue();
    let mut state = State {
        env,
        replaced: Vec::new(),
        notes: request.notes.clone(),
        secrets: Vec::new(),
    };
    // Shell variable references first: `"$TOKEN"` in the command means a variable.
    let url = state.shell_refs(&request.url);
    let mut headers: Vec<(String, String)> = request
        .headers
        .iter()
        .map(|(k, v)| (k.clone(), state.shell_refs(v)))
        .collect();
    let body_text = request.body.as_deref().map(|b| state.shell_refs(b));

    let (root, path, query) = split_url(&url)?;
    let content_type = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-type"))
        .map(|(_, v)| v.clone());
    let (mut body, encoding) = body_value(body_text.as_deref(), content_type.as_deref())?;
    // The sidecar's encoding adds its own Content-Type: drop the header that says the same.
    headers.retain(|(k, v)| {
        !(k.eq_ignore_ascii_case("content-type")
            && ((encoding == Encoding::Form && form::is_form_content_type(v))
                || (encoding == Encoding::Json
                    && v.trim().eq_ignore_ascii_case("application/json"))))
    });

    let full_path = format!("{root}{path}");
    let (backend, mut rel) = state.backend(cat, &request.method, &full_path, &root, &path, &body);
    let probe = Sidecar {
        docs: None,
        op: None,
        backend: backend.clone().unwrap_or_default(),
        method: request.method.clone(),
        path: rel.clone(),
        headers: BTreeMap::new(),
        query: BTreeMap::new(),
        captures: BTreeMap::new(),
        encoding: None,
    };
    let node = catalogue::json::Node::from_json(&body);
    let op = match cat.resolve(&probe, Some(&node)) {
        Resolution::Found(op, _) if backend.as_deref().is_none_or(|b| b == op.backend) => {
            Some(by_auth(cat, op, &headers, request.user.is_some()))
        }
        _ => None,
    };
    if let Some(op) = op {
        rel = templated_path(&op.path, &rel, env);
        state.credentials(op, &mut headers, &mut body, request.user.as_ref());
    } else {
        state.generic_credentials(&mut headers, request.user.as_ref());
    }
    state.env_secrets(&mut headers, &mut body, &mut rel);

    let query_map = query_table(&mut state, query.as_deref(), &mut rel);

    let encoding_written = match (encoding, request.method.as_str(), body_is_empty(&body)) {
        (Encoding::Form, _, _) => Some("form"),
        (Encoding::Json, "GET" | "HEAD" | "DELETE", true) if body_text.is_none() => None,
        (Encoding::Json, _, true) if body_text.is_none() => Some("none"),
        _ => None,
    };
    let body_out = format!(
        "{}\n",
        serde_json::to_string_pretty(&body).unwrap_or_default()
    );

    if backend.is_none() {
        state.notes.push(format!(
            "no backend of environment `{}` serves {root}: the URL is kept whole in the sidecar's path",
            env.name
        ));
    }
    let side = sidecar_text(&Parts {
        op,
        backend: backend.as_deref(),
        method: &request.method,
        path: &rel,
        encoding: encoding_written,
        headers: &headers,
        query: &query_map,
    });
    for (variable, value) in &state.secrets {
        if body_out.contains(value.as_str()) || side.contains(value.as_str()) {
            return Err(ImportError::SecretLeft(variable.clone()));
        }
    }
    let stem = match op {
        Some(op) => op.id.clone(),
        None => stem_of(&request.method, &path),
    };
    Ok(Imported {
        body: body_out,
        sidecar: side,
        op: op.map(|o| o.id.clone()),
        backend,
        replaced: state.replaced,
        notes: state.notes,
        stem,
    })
}

/// The query's pairs, decoded, with the environment's secrets replaced; a query whose names
/// repeat stays as written in `rel` (a sidecar's `[query]` holds one value per name).
fn query_table(
    state: &mut State<'_>,
    query: Option<&str>,
    rel: &mut String,
) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    let Some(q) = query else {
        return map;
    };
    for (k, v) in parse_pairs(q) {
        if map.insert(k, v).is_some() {
            state
                .notes
                .push("a query name repeats: the query is kept as written in `path`".to_owned());
            *rel = format!("{rel}?{q}");
            return BTreeMap::new();
        }
    }
    for v in map.values_mut() {
        *v = state.replace_secrets_in(v);
    }
    map
}

/// What the sidecar says.
struct Parts<'a> {
    op: Option<&'a catalogue::Operation>,
    backend: Option<&'a str>,
    method: &'a str,
    path: &'a str,
    encoding: Option<&'a str>,
    headers: &'a [(String, String)],
    query: &'a BTreeMap<String, String>,
}

fn sidecar_text(p: &Parts<'_>) -> String {
    let mut side = String::new();
    if let Some(op) = p.op {
        let _ = writeln!(side, "op = {}", toml_str(&op.id));
    }
    if let Some(b) = p.backend {
        let _ = writeln!(side, "backend = {}", toml_str(b));
    }
    let _ = writeln!(side, "method = {}", toml_str(p.method));
    let _ = writeln!(side, "path = {}", toml_str(p.path));
    if let Some(e) = p.encoding {
        let _ = writeln!(side, "encoding = {}", toml_str(e));
    }
    table(
        &mut side,
        "headers",
        p.headers.iter().map(|(k, v)| (k.as_str(), v.as_str())),
    );
    table(
        &mut side,
        "query",
        p.query.iter().map(|(k, v)| (k.as_str(), v.as_str())),
    );
    if let Some(op) = p.op {
        table(
            &mut side,
            "captures",
            op.captures.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        );
    }
    side
}

/// Among the ops matched the same way (OpenTok's and Vonage's `POST /session/create`), the
/// one whose credential the request carries.
fn by_auth<'c>(
    cat: &'c Catalogue,
    op: &'c catalogue::Operation,
    headers: &[(String, String)],
    user: bool,
) -> &'c catalogue::Operation {
    let header = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    };
    let carries = |o: &catalogue::Operation| match o.auth.scheme {
        AuthScheme::Header => o.auth.name.as_deref().is_some_and(|n| header(n).is_some()),
        AuthScheme::Bearer => header("authorization").is_some_and(|v| {
            v.get(..7)
                .is_some_and(|p| p.eq_ignore_ascii_case("bearer "))
        }),
        AuthScheme::Basic => {
            user || header("authorization")
                .is_some_and(|v| v.get(..6).is_some_and(|p| p.eq_ignore_ascii_case("basic ")))
        }
        AuthScheme::Body | AuthScheme::None => false,
    };
    if carries(op) {
        return op;
    }
    cat.ops()
        .iter()
        .filter(|o| {
            o.backend == op.backend
                && o.matcher.method == op.matcher.method
                && o.matcher.path == op.matcher.path
                && o.matcher.body_op == op.matcher.body_op
        })
        .find(|o| carries(o))
        .unwrap_or(op)
}

/// `a=1&b=x+y` → decoded pairs in order.
fn parse_pairs(text: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(text.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn body_is_empty(body: &Value) -> bool {
    matches!(body, Value::Object(m) if m.is_empty())
}

/// `scheme://authority`, the path, and the query (without `#fragment`).
fn split_url(url: &str) -> Result<(String, String, Option<String>), ImportError> {
    let url = url.split('#').next().unwrap_or_default();
    let Some(scheme_end) = url.find("://") else {
        return Err(ImportError::BadUrl(url.to_owned()));
    };
    let after = &url[scheme_end + 3..];
    let host_end = after.find(['/', '?']).unwrap_or(after.len());
    if host_end == 0 {
        return Err(ImportError::BadUrl(url.to_owned()));
    }
    let root = url[..scheme_end + 3 + host_end].to_owned();
    let rest = &after[host_end..];
    let (path, query) = match rest.split_once('?') {
        Some((p, q)) => (p.to_owned(), Some(q.to_owned())),
        None => (rest.to_owned(), None),
    };
    Ok((root, path, query))
}

/// The body as JSON on disk and how it goes on the wire.
fn body_value(
    text: Option<&str>,
    content_type: Option<&str>,
) -> Result<(Value, Encoding), ImportError> {
    let Some(text) = text else {
        return Ok((Value::Object(Map::new()), Encoding::Json));
    };
    let form_type = content_type.is_some_and(form::is_form_content_type);
    if !form_type {
        match serde_json::from_str::<Value>(text) {
            Ok(v) => return Ok((v, Encoding::Json)),
            Err(e) if content_type.is_some() || looks_like_json(text) => {
                return Err(ImportError::InvalidJson {
                    line: e.line(),
                    col: e.column(),
                    message: strip_at(&e.to_string()),
                });
            }
            Err(_) => {}
        }
    }
    // curl's -d without a Content-Type sends a form; so does an explicit form type.
    if text.is_empty() {
        return Ok((Value::Object(Map::new()), Encoding::Form));
    }
    if !text
        .split('&')
        .all(|p| p.contains('=') && !p.starts_with('='))
    {
        return Err(ImportError::Body {
            problem: format!(
                "`{}` is not name=value pairs",
                text.chars().take(40).collect::<String>()
            ),
        });
    }
    let mut map = Map::new();
    for (k, v) in parse_pairs(text) {
        match map.get_mut(&k) {
            Some(Value::Array(items)) => items.push(Value::String(v)),
            Some(first) => {
                let first = first.take();
                map.insert(k, Value::Array(vec![first, Value::String(v)]));
            }
            None => {
                map.insert(k, Value::String(v));
            }
        }
    }
    Ok((Value::Object(map), Encoding::Form))
}

fn looks_like_json(text: &str) -> bool {
    matches!(text.trim_start().chars().next(), Some('{' | '[' | '"'))
}

fn strip_at(message: &str) -> String {
    message
        .split(" at line ")
        .next()
        .unwrap_or(message)
        .to_owned()
}

/// The op's path (`/{{agora_org}}/{{agora_app}}/users`) where each `{{var}}` segment whose
/// environment value is the URL's segment takes the variable; other segments stay as given.
fn templated_path(op_path: &str, rel: &str, env: &Environment) -> String {
    let pattern: Vec<&str> = op_path.split('/').collect();
    let given: Vec<&str> = rel.split('/').collect();
    if pattern.len() != given.len() {
        return rel.to_owned();
    }
    pattern
        .iter()
        .zip(&given)
        .map(|(p, g)| {
            let refs = template::variables_in(p);
            match refs.as_slice() {
                [r] if r.span == (0..p.len()) => {
                    let value = env
                        .resolve(&r.name)
                        .ok()
                        .flatten()
                        .map(|(v, _)| template::value_text(&v));
                    if value.as_deref() == Some(*g) {
                        (*p).to_owned()
                    } else {
                        (*g).to_owned()
                    }
                }
                _ => (*g).to_owned(),
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

fn stem_of(method: &str, path: &str) -> String {
    let last = path
        .split('/')
        .rev()
        .find(|s| !s.is_empty() && !s.contains("{{"))
        .unwrap_or("request");
    let clean: String = last
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("{}-{clean}", method.to_ascii_lowercase())
}

/// A TOML basic string.
fn toml_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn toml_key(k: &str) -> String {
    if !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        k.to_owned()
    } else {
        toml_str(k)
    }
}

fn table<'a>(out: &mut String, name: &str, rows: impl Iterator<Item = (&'a str, &'a str)>) {
    let mut rows = rows.peekable();
    if rows.peek().is_none() {
        return;
    }
    let _ = writeln!(out, "\n[{name}]");
    for (k, v) in rows {
        let _ = writeln!(out, "{} = {}", toml_key(k), toml_str(v));
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::curl::parse;
    use std::path::Path;

    fn sandbox() -> Environment {
        let mut env = Environment::sandbox();
        env.bind_sandbox("http://127.0.0.1:8787");
        env
    }

    #[test]
    fn the_mesibo_docs_command_becomes_useradd_with_its_token_a_variable() {
        let cmd = "curl -X POST https://api.mesibo.com/backend \\\n -H 'Content-Type: application/json' \\\n -d '{\"op\":\"useradd\", \"token\":\"87pbh20pzehd9ld0o0pxqx9h80jjqfu9ipul4l00fnb55pbfx9mxyyk4uyr1iwuw\", \"user\": {\"address\": \"xyz@example.com\"}}'";
        let got = import(&parse(cmd, Path::new(".")).unwrap(), &sandbox()).unwrap();
        assert_eq!(got.op.as_deref(), Some("mesibo.useradd"));
        assert!(!got.body.contains("87pbh20"), "{}", got.body);
        assert!(
            got.body.contains("\"token\": \"{{mesibo_app_token}}\""),
            "{}",
            got.body
        );
        assert!(
            got.sidecar.starts_with(
                "op = \"mesibo.useradd\"\nbackend = \"mesibo\"\nmethod = \"POST\"\npath = \"\"\n"
            ),
            "{}",
            got.sidecar
        );
        assert!(!got.sidecar.contains("Content-Type"), "{}", got.sidecar);
        assert_eq!(got.replaced[0].variable, "mesibo_app_token");
    }

    #[test]
    fn a_form_becomes_a_json_object_with_form_encoding() {
        let cmd = "curl http://127.0.0.1:8787/session/create -H 'X-OPENTOK-AUTH: abc.def.ghi' -d 'p2p.preference=enabled&e2ee=false&tag=a+b&tag=c'";
        let got = import(&parse(cmd, Path::new(".")).unwrap(), &sandbox()).unwrap();
        assert_eq!(got.op.as_deref(), Some("vonage.video.session.create"));
        let body: Value = serde_json::from_str(&got.body).unwrap();
        assert_eq!(
            body,
            serde_json::json!({"p2p.preference": "enabled", "e2ee": "false", "tag": ["a b", "c"]})
        );
        assert!(
            got.sidecar.contains("encoding = \"form\""),
            "{}",
            got.sidecar
        );
        assert!(
            got.sidecar
                .contains("X-OPENTOK-AUTH = \"{{$opentok_jwt}}\""),
            "{}",
            got.sidecar
        );
    }
}
