//! The catalogue: one description of every vendor operation apiplay knows (`catalogue/*.toml`,
//! embedded at build time and parsed once), and what is derived from it — which op a payload
//! is ([`Catalogue::resolve`]), and what is wrong with its body ([`Operation::check`]).
//!
//! It is the single source of truth: `apiplay check`, `explain`, `new`, the editor and the
//! sandbox all read the same rules, so they cannot disagree. The file format is the one agreed
//! in CONTRACT.md; [`schema`] holds its serde types.

pub mod answer;
mod check;
mod create;
pub mod json;
mod rules;
pub mod schema;
mod starter;
mod text;

use std::collections::BTreeMap;
use std::ops::{Deref, Range};
use std::sync::OnceLock;

pub use check::{
    did_you_mean, expected_phrase, is_whole_placeholder, num, place, toml_text, Diagnostic, Kind,
    Severity,
};
pub use create::{create_from_op, payload_name, CreateError, NewPayload};
pub use schema::{
    Auth, AuthScheme, BodyShape, Encoding, ErrorDoc, Field, FieldType, MatchRule, Op,
    ResponseField, TypeSpec, Units, Vendor,
};

use crate::collection::{Sidecar, SidecarFile};
use crate::config::line_col;
use json::{Node, Value};
use rules::Rules;
pub use starter::toml_to_json;

/// The embedded files: (file name, text).
static FILES: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/catalogue_files.rs"));

/// A catalogue file that does not load: where and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("catalogue/{file}:{line}:{col}: {message}")]
pub struct CatalogueError {
    /// The file name under `catalogue/`.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub col: usize,
    /// What is wrong.
    pub message: String,
}

/// One operation with its compiled rules. Derefs to its catalogue entry ([`Op`]).
#[derive(Debug, Clone)]
pub struct Operation {
    /// The vendor whose file it is in.
    pub vendor: Vendor,
    spec: Op,
    rules: Rules,
    /// Each URL parameter's compiled pattern, by index.
    param_patterns: Vec<Option<regex::Regex>>,
}

impl Deref for Operation {
    type Target = Op;

    fn deref(&self) -> &Op {
        &self.spec
    }
}

impl Operation {
    fn rules(&self) -> &Rules {
        &self.rules
    }

    /// The catalogue entry.
    pub fn spec(&self) -> &Op {
        &self.spec
    }

    /// Checks a body as written: invalid JSON is one finding at its spot; otherwise every
    /// field is held to the op's rules. Lines and columns are filled in.
    pub fn check(&self, body: &str) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        match json::parse(body) {
            Ok(node) => check::check_node(self, &node, &mut out),
            Err(e) => out.push(invalid_json(&e)),
        }
        place(body, &mut out);
        out.sort_by_key(|d| (d.line, d.col));
        out
    }

    /// Checks an already parsed body (the sandbox's view), leaving out unknown fields, which
    /// the real APIs ignore. Findings carry no position.
    pub fn check_value(&self, body: &serde_json::Value) -> Vec<Diagnostic> {
        let node = Node::from_json(body);
        let mut out = Vec::new();
        check::check_node(self, &node, &mut out);
        out.retain(|d| d.kind != Kind::UnknownField);
        out
    }

    /// Checks a form body as a server receives it (the sandbox's view of the Twilio and
    /// OpenTok forms). A form is the payload's JSON flattened by `collection::form`, so this
    /// undoes that: names nest at `.` (`Timers.Inactive`), a repeated name is a list, and a
    /// value is read as its field's type where it parses as one (`"3"` is an integer where the
    /// op wants one, `"true"` a boolean). Unknown names are left out, as in [`check_value`].
    ///
    /// [`check_value`]: Operation::check_value
    pub fn check_form(&self, pairs: &[(String, String)]) -> Vec<Diagnostic> {
        let mut root = serde_json::Map::new();
        for (name, value) in pairs {
            let typed = self.form_value(name, value);
            insert_dotted(&mut root, name, typed);
        }
        self.check_value(&serde_json::Value::Object(root))
    }

    /// The finding a server refuses a received body for: the first error of
    /// [`check_value`](Operation::check_value), if any (warnings do not refuse).
    pub fn refusal(&self, body: &serde_json::Value) -> Option<Diagnostic> {
        first_error(self.check_value(body))
    }

    /// [`refusal`](Operation::refusal) for a form body, as [`check_form`](Operation::check_form)
    /// reads it.
    pub fn form_refusal(&self, pairs: &[(String, String)]) -> Option<Diagnostic> {
        first_error(self.check_form(pairs))
    }

    /// A form value as the JSON its field takes, when it reads as that type; text otherwise
    /// (and the check then names the type it wanted).
    fn form_value(&self, name: &str, value: &str) -> serde_json::Value {
        let text = || serde_json::Value::String(value.to_owned());
        let Some(field) = self.field(name) else {
            return text();
        };
        if field.ty.accepts(FieldType::String) {
            return text();
        }
        let parsed = match field.ty.primary() {
            FieldType::Integer => value.parse::<i64>().ok().map(serde_json::Value::from),
            FieldType::Number => value
                .parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
                .map(serde_json::Value::Number),
            FieldType::Boolean => match value {
                "true" => Some(serde_json::Value::Bool(true)),
                "false" => Some(serde_json::Value::Bool(false)),
                _ => None,
            },
            _ => None,
        };
        parsed.unwrap_or_else(text)
    }

    /// The field at a dotted path (`user.token.expiry`; indexes may be written `[0]` or `[]`).
    pub fn field(&self, path: &str) -> Option<&Field> {
        let wanted = normalise_path(path);
        self.spec.fields.iter().find(|f| f.path == wanted)
    }

    /// Checks a URL parameter's value as sent (text): its pattern, length and numeric limits.
    /// `None` when it passes, is a `{{variable}}`, or is not a parameter of the op.
    pub fn check_param(&self, name: &str, value: &str) -> Option<String> {
        let index = self.spec.params.iter().position(|p| p.path == name)?;
        let param = &self.spec.params[index];
        if !crate::collection::variables_in(value).is_empty() {
            return None;
        }
        let numeric = param.ty.accepts(FieldType::Integer) || param.ty.accepts(FieldType::Number);
        if numeric && !param.ty.accepts(FieldType::String) {
            let units = param
                .units
                .map_or(String::new(), |u| format!(" {}", u.as_str()));
            let range = match (param.min, param.max) {
                (Some(lo), Some(hi)) => format!(" from {} to {}{units}", num(lo), num(hi)),
                (Some(lo), None) => format!(" of at least {}{units}", num(lo)),
                (None, Some(hi)) => format!(" of at most {}{units}", num(hi)),
                (None, None) => String::new(),
            };
            let wrong = || {
                Some(format!(
                    "{name} must be {}{range}, got {value:?}",
                    expected_phrase(param)
                ))
            };
            let Ok(n) = value.trim().parse::<f64>() else {
                return wrong();
            };
            let integer = !value.contains(['.', 'e', 'E']);
            let out_of_range = param.max.is_some_and(|m| n > m) || param.min.is_some_and(|m| n < m);
            if (param.ty.primary() == FieldType::Integer && !integer) || out_of_range {
                return wrong();
            }
            return None;
        }
        let len = value.chars().count();
        if let Some(max) = param.max_length.filter(|m| len > *m) {
            return Some(format!(
                "{name} is {len} characters long, over the {max}-character limit"
            ));
        }
        if let Some(re) = &self.param_patterns[index] {
            if !re.is_match(value) {
                let pattern = param.pattern.as_deref().unwrap_or_default();
                return Some(format!(
                    "{name} \"{value}\" does not match {pattern} ({})",
                    param.meaning
                ));
            }
        }
        None
    }

    /// The documented error with this code.
    pub fn error(&self, code: &str) -> Option<&ErrorDoc> {
        self.spec.errors.iter().find(|e| e.code == code)
    }

    /// The body shape the op takes.
    pub fn body_shape(&self) -> BodyShape {
        if let Some(shape) = self.spec.matcher.body {
            return shape;
        }
        let root = &self.rules.nodes[rules::ROOT];
        if root.item.is_some() {
            BodyShape::Array
        } else if root.children.is_empty() {
            BodyShape::None
        } else {
            BodyShape::Object
        }
    }
}

fn first_error(findings: Vec<Diagnostic>) -> Option<Diagnostic> {
    findings.into_iter().find(|d| d.severity == Severity::Error)
}

/// Puts `value` at the dotted `name` in `root`, making the objects on the way; a name already
/// there becomes a list of its values. A name with a plain value on its way (`a=1&a.b=2`) is
/// left out: no field can be at it, and unknown names are not checked.
fn insert_dotted(
    root: &mut serde_json::Map<String, serde_json::Value>,
    name: &str,
    value: serde_json::Value,
) {
    use serde_json::Value as J;
    let mut map = root;
    let mut rest = name;
    while let Some((head, tail)) = rest.split_once('.') {
        map = match map
            .entry(head.to_owned())
            .or_insert_with(|| J::Object(serde_json::Map::new()))
        {
            J::Object(inner) => inner,
            _ => return,
        };
        rest = tail;
    }
    match map.get_mut(rest) {
        None => {
            map.insert(rest.to_owned(), value);
        }
        Some(J::Array(items)) => items.push(value),
        Some(existing) => {
            let first = existing.take();
            *existing = J::Array(vec![first, value]);
        }
    }
}

/// `[0].username` → `[].username`, the form the catalogue writes.
fn normalise_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut chars = path.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        if c == '[' {
            while chars.peek().is_some_and(char::is_ascii_digit) {
                chars.next();
            }
        }
    }
    out
}

fn invalid_json(e: &json::ParseError) -> Diagnostic {
    Diagnostic::new(
        Severity::Error,
        Kind::InvalidJson,
        e.offset..e.offset + 1,
        String::new(),
        format!("invalid JSON: {}", e.message),
    )
}

/// Every operation, by vendor and id.
#[derive(Debug, Clone)]
pub struct Catalogue {
    ops: Vec<Operation>,
    titles: BTreeMap<Vendor, String>,
}

/// How a payload's op was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum How {
    /// The sidecar's `op = "…"`.
    Sidecar,
    /// A mesibo body's `"op"`.
    BodyOp,
    /// The sidecar's method and path (and the body's shape).
    Request,
}

/// Which op a payload is.
#[derive(Debug, Clone, PartialEq)]
pub enum Resolution<'c> {
    /// Found.
    Found(&'c Operation, How),
    /// The sidecar's `op` names no op.
    UnknownSidecarOp {
        /// What it says.
        name: String,
        /// The nearest id.
        suggestion: Option<&'c str>,
    },
    /// A mesibo body's `"op"` names no op.
    UnknownBodyOp {
        /// What it says.
        name: String,
        /// The value's bytes in the body.
        span: Range<usize>,
        /// The nearest op name.
        suggestion: Option<&'c str>,
    },
    /// Nothing matches.
    NoMatch,
}

/// Findings for one payload: its body's and its sidecar's.
#[derive(Debug, Clone)]
pub struct PayloadReport<'c> {
    /// The op, when one was found.
    pub op: Option<&'c Operation>,
    /// Findings in the body text.
    pub body: Vec<Diagnostic>,
    /// Findings in the sidecar text.
    pub sidecar: Vec<Diagnostic>,
}

impl PayloadReport<'_> {
    /// True when nothing was found.
    pub fn is_clean(&self) -> bool {
        self.body.is_empty() && self.sidecar.is_empty()
    }
}

impl PartialEq for Operation {
    fn eq(&self, other: &Self) -> bool {
        self.spec.id == other.spec.id
    }
}

impl Catalogue {
    /// Parses catalogue files given as (file name, text).
    pub fn parse(files: &[(&str, &str)]) -> Result<Catalogue, CatalogueError> {
        let mut ops: Vec<Operation> = Vec::new();
        let mut titles = BTreeMap::new();
        for (name, text) in files {
            let at = |offset: usize, message: String| {
                let (line, col) = line_col(text, offset);
                CatalogueError {
                    file: (*name).to_owned(),
                    line,
                    col,
                    message,
                }
            };
            let file: schema::VendorFile = toml::from_str(text)
                .map_err(|e| at(e.span().map_or(0, |s| s.start), e.message().to_owned()))?;
            titles.insert(file.vendor, file.title);
            for spec in file.ops {
                let offset = text.find(&format!("\"{}\"", spec.id)).unwrap_or(0);
                let prefix = format!("{}.", file.vendor.as_str());
                if !spec.id.starts_with(&prefix) {
                    return Err(at(
                        offset,
                        format!("op id \"{}\" must start with \"{prefix}\"", spec.id),
                    ));
                }
                if ops.iter().any(|o| o.spec.id == spec.id) {
                    return Err(at(
                        offset,
                        format!("op id \"{}\" is defined twice", spec.id),
                    ));
                }
                let m = &spec.matcher;
                if m.body_op.is_none() && (m.method.is_none() || m.path.is_none()) {
                    return Err(at(
                        offset,
                        format!(
                            "op \"{}\": match needs body_op, or method and path",
                            spec.id
                        ),
                    ));
                }
                let rules = Rules::compile(&spec)
                    .map_err(|e| at(offset, format!("op \"{}\": {e}", spec.id)))?;
                let param_patterns = spec
                    .params
                    .iter()
                    .map(rules::compile_pattern)
                    .collect::<Result<_, _>>()
                    .map_err(|e| at(offset, format!("op \"{}\": {e}", spec.id)))?;
                ops.push(Operation {
                    vendor: file.vendor,
                    spec,
                    rules,
                    param_patterns,
                });
            }
        }
        Ok(Catalogue { ops, titles })
    }

    /// Every op, in file order (vendor by vendor, each in the file's order).
    pub fn ops(&self) -> &[Operation] {
        &self.ops
    }

    /// The ops of one vendor.
    pub fn vendor_ops(&self, vendor: Vendor) -> impl Iterator<Item = &Operation> {
        self.ops.iter().filter(move |o| o.vendor == vendor)
    }

    /// The vendor file's title.
    pub fn vendor_title(&self, vendor: Vendor) -> Option<&str> {
        self.titles.get(&vendor).map(String::as_str)
    }

    /// The op with this id.
    pub fn get(&self, id: &str) -> Option<&Operation> {
        self.ops.iter().find(|o| o.spec.id == id)
    }

    /// The nearest id to a mistyped one.
    pub fn suggest_id(&self, id: &str) -> Option<&str> {
        did_you_mean(id, self.ops.iter().map(|o| o.spec.id.as_str())).or_else(|| {
            // `useradd` for `mesibo.useradd`: a bare op name.
            let tails = self
                .ops
                .iter()
                .filter(|o| o.spec.id.rsplit('.').next() == Some(id));
            let mut tails = tails.map(|o| o.spec.id.as_str());
            let first = tails.next();
            first.filter(|_| tails.next().is_none())
        })
    }

    /// The mesibo op whose body `"op"` is `name`.
    pub fn by_body_op(&self, name: &str) -> Option<&Operation> {
        self.ops
            .iter()
            .find(|o| o.spec.matcher.body_op.as_deref() == Some(name))
    }

    /// The op a request line matches: method, path (placeholders match any segment; the most
    /// literal match wins) and body shape.
    pub fn by_request(&self, method: &str, path: &str, shape: BodyShape) -> Option<&Operation> {
        let path = request_path(path);
        self.ops
            .iter()
            .filter(|o| {
                o.spec
                    .matcher
                    .method
                    .as_deref()
                    .is_some_and(|m| m.eq_ignore_ascii_case(method))
                    && o.spec.matcher.body.is_none_or(|b| {
                        b == shape || (b == BodyShape::None && shape == BodyShape::Object)
                    })
            })
            .filter_map(|o| Some((path_score(o.spec.matcher.path.as_deref()?, path)?, o)))
            .max_by_key(|(score, o)| (*score, o.spec.matcher.body == Some(shape)))
            .map(|(_, o)| o)
    }

    /// Which op a payload is: the sidecar's `op`, else a mesibo body's `"op"`, else the
    /// sidecar's method and path.
    pub fn resolve<'c>(&'c self, sidecar: &Sidecar, body: Option<&Node<'_>>) -> Resolution<'c> {
        if let Some(id) = &sidecar.op {
            return match self.get(id) {
                Some(op) => Resolution::Found(op, How::Sidecar),
                None => Resolution::UnknownSidecarOp {
                    name: id.clone(),
                    suggestion: self.suggest_id(id),
                },
            };
        }
        let body_op = body
            .filter(|_| sidecar.backend == "mesibo")
            .and_then(|b| b.get("op"))
            .and_then(|n| Some((n.as_str()?, n.span.clone())));
        if let Some((name, span)) = body_op {
            return match self.by_body_op(name) {
                Some(op) => Resolution::Found(op, How::BodyOp),
                None => Resolution::UnknownBodyOp {
                    name: name.to_owned(),
                    span,
                    suggestion: did_you_mean(
                        name,
                        self.ops
                            .iter()
                            .filter_map(|o| o.spec.matcher.body_op.as_deref()),
                    ),
                },
            };
        }
        let shape = match body.map(|b| &b.value) {
            Some(Value::Array(_)) => BodyShape::Array,
            Some(Value::Object(m)) if !m.is_empty() => BodyShape::Object,
            _ => BodyShape::None,
        };
        match self.by_request(&sidecar.method, &sidecar.path, shape) {
            Some(op) => Resolution::Found(op, How::Request),
            None => Resolution::NoMatch,
        }
    }

    /// Checks a payload: resolves its op and checks its body; an unknown op or a sidecar
    /// that contradicts the op is a finding in the sidecar.
    pub fn check_payload<'c>(&'c self, sidecar: &SidecarFile, body: &str) -> PayloadReport<'c> {
        let mut body_out = Vec::new();
        let mut side_out = Vec::new();
        let parsed = json::parse(body);
        if let Err(e) = &parsed {
            body_out.push(invalid_json(e));
        }
        let node = parsed.as_ref().ok();
        let op = match self.resolve(&sidecar.sidecar, node) {
            Resolution::Found(op, _) => Some(op),
            Resolution::UnknownSidecarOp { name, suggestion } => {
                let hint = suggestion.map_or_else(
                    || "; `apiplay ops` lists them".to_owned(),
                    |s| format!("; did you mean \"{s}\"?"),
                );
                let span = toml_value_span(&sidecar.text, "op").unwrap_or(0..0);
                side_out.push(Diagnostic::new(
                    Severity::Error,
                    Kind::UnknownOp,
                    span,
                    String::new(),
                    format!("unknown op \"{name}\"{hint}"),
                ));
                None
            }
            Resolution::UnknownBodyOp {
                name,
                span,
                suggestion,
            } => {
                let hint = suggestion.map_or_else(
                    || "; `apiplay ops mesibo` lists them".to_owned(),
                    |s| format!("; did you mean \"{s}\"?"),
                );
                body_out.push(Diagnostic::new(
                    Severity::Error,
                    Kind::UnknownOp,
                    span,
                    "op".to_owned(),
                    format!("unknown op \"{name}\"{hint}"),
                ));
                None
            }
            Resolution::NoMatch => {
                if node.is_some() {
                    let s = &sidecar.sidecar;
                    body_out.push(Diagnostic::new(
                        Severity::Warning,
                        Kind::NoOp,
                        0..0,
                        String::new(),
                        format!(
                            "no catalogue operation matches {} {} on backend {}; name one with op = \"…\" in the sidecar (`apiplay ops` lists them)",
                            s.method, if s.path.is_empty() { "/" } else { &s.path }, s.backend
                        ),
                    ));
                }
                None
            }
        };
        if let (Some(op), Some(node)) = (op, node) {
            check::check_node(op, node, &mut body_out);
        }
        if let Some(op) = op {
            sidecar_agrees(op, sidecar, &mut side_out);
        }
        place(body, &mut body_out);
        place(&sidecar.text, &mut side_out);
        body_out.sort_by_key(|d| (d.line, d.col));
        side_out.sort_by_key(|d| (d.line, d.col));
        PayloadReport {
            op,
            body: body_out,
            sidecar: side_out,
        }
    }
}

/// Warns where a sidecar contradicts its op's method or backend.
fn sidecar_agrees(op: &Operation, file: &SidecarFile, out: &mut Vec<Diagnostic>) {
    let s = &file.sidecar;
    if !s.method.eq_ignore_ascii_case(&op.method) {
        let span = toml_value_span(&file.text, "method").unwrap_or(0..0);
        out.push(Diagnostic::new(
            Severity::Error,
            Kind::NotAllowed,
            span,
            String::new(),
            format!("{} is sent with {}, not {}", op.id, op.method, s.method),
        ));
    }
    if s.backend != op.backend {
        let span = toml_value_span(&file.text, "backend").unwrap_or(0..0);
        out.push(Diagnostic::new(
            Severity::Error,
            Kind::NotAllowed,
            span,
            String::new(),
            format!(
                "{} goes to the {} backend, not {}",
                op.id, op.backend, s.backend
            ),
        ));
    }
}

/// The value's bytes of a top-level `key = value` line of a TOML text.
pub fn toml_value_span(text: &str, key: &str) -> Option<Range<usize>> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if trimmed.starts_with('[') {
            return None;
        }
        if let Some(rest) = trimmed.strip_prefix(key) {
            let after = rest.trim_start();
            if let Some(value) = after.strip_prefix('=') {
                let value_start = offset + (line.len() - value.trim_start().len());
                let value_end = offset + line.trim_end().len();
                return Some(value_start..value_end.max(value_start));
            }
        }
        offset += line.len();
    }
    None
}

/// The path part of a sidecar path or URL, without query.
fn request_path(path: &str) -> &str {
    let path = path.split(['?', '#']).next().unwrap_or_default();
    match path
        .strip_prefix("http://")
        .or_else(|| path.strip_prefix("https://"))
    {
        Some(rest) => rest.find('/').map_or("", |i| &rest[i..]),
        None => path,
    }
}

/// How well a sidecar path fits a match path (`/{org}/{app}/users`): `None` when it does not;
/// otherwise the number of literal segments that agree.
fn path_score(pattern: &str, path: &str) -> Option<usize> {
    let pat: Vec<&str> = pattern
        .trim_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    let got: Vec<&str> = path
        .trim_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    if pat.len() != got.len() {
        return None;
    }
    let mut score = 0;
    for (p, g) in pat.iter().zip(&got) {
        let placeholder = p.starts_with('{') && p.ends_with('}');
        if placeholder {
            continue;
        }
        if p == g {
            score += 1;
        } else if !g.contains("{{") {
            return None;
        }
    }
    Some(score)
}

/// The embedded catalogue, parsed on first use. Tests (`every_catalogue_file_loads`) keep the
/// embedded files valid, so a failure here is a build defect.
pub fn try_catalogue() -> Result<&'static Catalogue, &'static CatalogueError> {
    static CELL: OnceLock<Result<Catalogue, CatalogueError>> = OnceLock::new();
    CELL.get_or_init(|| Catalogue::parse(FILES)).as_ref()
}

/// The embedded catalogue. Panics only if an embedded file is invalid, which the test suite
/// rules out before anything lands.
pub fn catalogue() -> &'static Catalogue {
    match try_catalogue() {
        Ok(c) => c,
        Err(e) => panic!("the embedded catalogue does not load: {e}"),
    }
}

/// The names of the embedded files (for tests and `apiplay ops`).
pub fn embedded_files() -> impl Iterator<Item = &'static str> {
    FILES.iter().map(|(name, _)| *name)
}

#[cfg(test)]
mod tests;
