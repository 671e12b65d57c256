//! Diagnostics: a body checked against its operation's fields, each finding placed at the key
//! or value it is about, in the text as written.
//!
//! The same walk serves `apiplay check`, the editor and the sandbox (which checks the parsed
//! request through [`Node::from_json`] and ignores unknown fields, as the real APIs do).

use std::ops::Range;

use super::json::{Member, Node, Value};
use super::rules::{Rules, ROOT};
use super::schema::{Field, FieldType, Units};
use super::Operation;
use crate::collection::variables_in;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The vendor would refuse the request, or the body is not what the op takes.
    Error,
    /// The vendor would accept it but probably not do what was meant (an unknown field is
    /// ignored by the real APIs).
    Warning,
}

impl Severity {
    /// `error` or `warning`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// What kind of finding, for callers that act on it (the sandbox maps these to vendor errors).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The body is not JSON.
    InvalidJson,
    /// A key the op does not define.
    UnknownField,
    /// A value of the wrong JSON type.
    WrongType,
    /// A required field is absent.
    Missing,
    /// A number, length or count outside the documented limits.
    OutOfLimits,
    /// A value not among the allowed ones, or not matching the pattern.
    NotAllowed,
    /// The op named by the body or sidecar does not exist.
    UnknownOp,
    /// No op of the catalogue matches the payload.
    NoOp,
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// What kind.
    pub kind: Kind,
    /// Bytes of the key or value it is about.
    pub span: Range<usize>,
    /// 1-based line of `span.start` (0 when checked from a parsed value).
    pub line: usize,
    /// 1-based column in characters (0 when checked from a parsed value).
    pub col: usize,
    /// The field's path with indexes (`user.token.expiry`, `[1].username`); empty for the body.
    pub path: String,
    /// One sentence: what is wrong, with a did-you-mean where one is near.
    pub message: String,
}

impl Diagnostic {
    /// A finding at a byte span; `line`/`col` are filled by [`place`].
    pub fn new(
        severity: Severity,
        kind: Kind,
        span: Range<usize>,
        path: String,
        message: String,
    ) -> Self {
        Diagnostic {
            severity,
            kind,
            span,
            line: 0,
            col: 0,
            path,
            message,
        }
    }
}

/// Fills `line` and `col` of each diagnostic from its span over `text` (one pass over the text,
/// counting columns as it goes, so thousands of findings on one long line stay cheap).
pub fn place(text: &str, diagnostics: &mut [Diagnostic]) {
    if diagnostics.is_empty() {
        return;
    }
    let mut order: Vec<usize> = (0..diagnostics.len()).collect();
    order.sort_by_key(|&i| diagnostics[i].span.start);
    // `col`: characters from the line's start to `at` (bytes that begin a UTF-8 character).
    let (mut line, mut col, mut at) = (1, 0, 0);
    let bytes = text.as_bytes();
    for i in order {
        let target = diagnostics[i].span.start.min(text.len());
        while at < target {
            if bytes[at] == b'\n' {
                line += 1;
                col = 0;
            } else if bytes[at] & 0xC0 != 0x80 {
                col += 1;
            }
            at += 1;
        }
        diagnostics[i].line = line;
        diagnostics[i].col = col + 1;
    }
}

/// The closest candidate to `word` when it is near enough to be a typo.
pub fn did_you_mean<'c>(
    word: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<&'c str> {
    let limit = (word.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .filter(|c| *c != word)
        .map(|c| {
            let d = if c.eq_ignore_ascii_case(word) {
                0
            } else {
                strsim::damerau_levenshtein(&word.to_ascii_lowercase(), &c.to_ascii_lowercase())
            };
            (d, c)
        })
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// True for a string that is exactly one `{{variable}}`: after substitution it takes the
/// variable's JSON type, so it counts as a value of any type.
pub fn is_whole_placeholder(s: &str) -> bool {
    let refs = variables_in(s);
    refs.len() == 1 && refs[0].span == (0..s.len())
}

/// Checks a parsed body against an op's rules.
pub(super) fn check_node(op: &Operation, root: &Node<'_>, out: &mut Vec<Diagnostic>) {
    let mut walker = Walker {
        op,
        rules: op.rules(),
        path: Vec::new(),
        out,
    };
    walker.root(root);
}

enum Seg<'a> {
    Key(&'a str),
    Index(usize),
}

struct Walker<'o, 'n, 'd> {
    op: &'o Operation,
    rules: &'o Rules,
    path: Vec<Seg<'n>>,
    out: &'d mut Vec<Diagnostic>,
}

impl<'n> Walker<'_, 'n, '_> {
    fn path_text(&self) -> String {
        let mut s = String::new();
        for seg in &self.path {
            match seg {
                Seg::Key(k) => {
                    if !s.is_empty() {
                        s.push('.');
                    }
                    s.push_str(k);
                }
                Seg::Index(i) => {
                    s.push('[');
                    s.push_str(&i.to_string());
                    s.push(']');
                }
            }
        }
        s
    }

    /// The path for a message: `the body` for the body itself.
    fn subject(&self) -> String {
        let path = self.path_text();
        if path.is_empty() {
            "the body".to_owned()
        } else {
            path
        }
    }

    fn push(&mut self, severity: Severity, kind: Kind, span: Range<usize>, message: String) {
        let path = self.path_text();
        self.out
            .push(Diagnostic::new(severity, kind, span, path, message));
    }

    fn root(&mut self, root: &'n Node<'n>) {
        let rule = &self.rules.nodes[ROOT];
        if rule.field.is_some() {
            // The body itself is described (a batch's item count): check it like a field.
            self.value(root, ROOT, None);
            return;
        }
        match (&root.value, rule.children.is_empty(), rule.item) {
            (Value::Object(_), false, _) | (Value::Array(_), _, Some(_)) => {}
            (value, false, _) => {
                let got = value.type_name();
                self.push(
                    Severity::Error,
                    Kind::WrongType,
                    root.span.clone(),
                    format!(
                        "the body of {} must be a JSON object, got {got}",
                        self.op.id
                    ),
                );
                return;
            }
            (value, true, Some(_)) => {
                let got = value.type_name();
                self.push(
                    Severity::Error,
                    Kind::WrongType,
                    root.span.clone(),
                    format!("the body of {} must be a JSON array, got {got}", self.op.id),
                );
                return;
            }
            _ => {}
        }
        self.container(root, ROOT, None);
    }

    /// Walks the members or items of `node`, whose rule is `rule`.
    fn container(&mut self, node: &'n Node<'n>, rule: usize, key_span: Option<&Range<usize>>) {
        match &node.value {
            Value::Object(members) => self.object(node, members, rule, key_span),
            Value::Array(items) => {
                if let Some(item_rule) = self.rules.nodes[rule].item {
                    for (i, item) in items.iter().enumerate() {
                        self.path.push(Seg::Index(i));
                        self.value(item, item_rule, None);
                        self.path.pop();
                    }
                }
            }
            _ => {}
        }
    }

    fn object(
        &mut self,
        node: &'n Node<'n>,
        members: &'n [Member<'n>],
        rule: usize,
        key_span: Option<&Range<usize>>,
    ) {
        let rules = self.rules;
        let here = &rules.nodes[rule];
        let strict = rule == ROOT || !here.children.is_empty();
        for m in members {
            match here.child(&m.key) {
                Some(child) => {
                    self.path.push(Seg::Key(&m.key));
                    self.value(&m.node, child, Some(&m.key_span));
                    self.path.pop();
                }
                None if strict => {
                    let place = self.path_text();
                    let within = if place.is_empty() {
                        String::new()
                    } else {
                        format!(" in {place}")
                    };
                    let hint = did_you_mean(&m.key, here.children.iter().map(|(k, _)| k.as_str()))
                        .map_or_else(String::new, |s| format!("; did you mean \"{s}\"?"));
                    let ignored = if hint.is_empty() {
                        format!("; {} ignores it", self.op.id)
                    } else {
                        String::new()
                    };
                    self.push(
                        Severity::Warning,
                        Kind::UnknownField,
                        m.key_span.clone(),
                        format!("unknown field \"{}\"{within}{hint}{ignored}", m.key),
                    );
                }
                None => {}
            }
        }
        for (name, child) in &here.children {
            let Some(f) = rules.nodes[*child].field else {
                continue;
            };
            let field = &self.op.fields[f];
            if field.required && !members.iter().any(|m| m.key == *name) {
                let place = self.path_text();
                let full = if place.is_empty() {
                    (*name).clone()
                } else {
                    format!("{place}.{name}")
                };
                let span = key_span
                    .cloned()
                    .unwrap_or(node.span.start..node.span.start + 1);
                let span = if span.is_empty() {
                    node.span.clone()
                } else {
                    span
                };
                // The finding is about the absent field, so its path is that field's.
                let message = format!("missing required field \"{full}\" ({})", field.meaning);
                self.out.push(Diagnostic::new(
                    Severity::Error,
                    Kind::Missing,
                    span,
                    full,
                    message,
                ));
            }
        }
    }

    fn value(&mut self, node: &'n Node<'n>, rule: usize, key_span: Option<&Range<usize>>) {
        let Some(f) = self.rules.nodes[rule].field else {
            self.container(node, rule, key_span);
            return;
        };
        let field = &self.op.fields[f];
        if let Value::String(s) = &node.value {
            if is_whole_placeholder(s) {
                return;
            }
        }
        // The vendors treat an optional field sent as null as left out (the mesibo docs'
        // own example sends "flags": null).
        if node.value == Value::Null && !field.required {
            return;
        }
        if !field.ty.all().iter().any(|t| type_fits(*t, &node.value)) {
            let path = self.subject();
            let expected = expected_phrase(field);
            let got = node.value.type_name();
            self.push(
                Severity::Error,
                Kind::WrongType,
                node.span.clone(),
                format!("{path}: expected {expected}, got {got}"),
            );
            return;
        }
        self.limits(node, f, field);
        self.container(node, rule, key_span);
    }

    fn limits(&mut self, node: &'n Node<'n>, index: usize, field: &Field) {
        let path = self.subject();
        match &node.value {
            Value::Number { value, .. } => {
                let units = field.units;
                if let Some(max) = field.max.filter(|m| value > m) {
                    let msg = format!(
                        "{path} {} is over the {}",
                        num(*value),
                        limit_phrase(max, units)
                    );
                    self.push(Severity::Error, Kind::OutOfLimits, node.span.clone(), msg);
                }
                if let Some(min) = field.min.filter(|m| value < m) {
                    let unit = units.map_or(String::new(), |u| {
                        format!(
                            " {}",
                            if (min - 1.0).abs() < f64::EPSILON {
                                u.singular()
                            } else {
                                u.as_str()
                            }
                        )
                    });
                    let msg = format!(
                        "{path} {} is under the minimum of {}{unit}",
                        num(*value),
                        num(min)
                    );
                    self.push(Severity::Error, Kind::OutOfLimits, node.span.clone(), msg);
                }
            }
            Value::String(s) => {
                let templated = !variables_in(s).is_empty();
                if !templated {
                    let len = s.chars().count();
                    if let Some(max) = field.max_length.filter(|m| len > *m) {
                        let msg = format!(
                            "{path} is {len} characters long, over the {max}-character limit"
                        );
                        self.push(Severity::Error, Kind::OutOfLimits, node.span.clone(), msg);
                    }
                    if let Some(min) = field.min_length.filter(|m| len < *m) {
                        let msg = if len == 0 {
                            format!(
                                "{path} is empty; it needs at least {min} character{}",
                                if min == 1 { "" } else { "s" }
                            )
                        } else {
                            format!("{path} is {len} characters long, under the minimum of {min}")
                        };
                        self.push(Severity::Error, Kind::OutOfLimits, node.span.clone(), msg);
                    }
                    if let Some(re) = self.rules.patterns[index].as_ref() {
                        if !re.is_match(s) {
                            let pattern = field.pattern.as_deref().unwrap_or_default();
                            let msg = format!(
                                "{path} \"{s}\" does not match {pattern} ({})",
                                field.meaning
                            );
                            self.push(Severity::Error, Kind::NotAllowed, node.span.clone(), msg);
                        }
                    }
                }
            }
            Value::Array(items) => {
                if let Some(max) = field.max_items.filter(|m| items.len() > *m) {
                    let msg = format!(
                        "{path} has {} items, over the {max}-item limit",
                        items.len()
                    );
                    self.push(Severity::Error, Kind::OutOfLimits, node.span.clone(), msg);
                }
            }
            _ => {}
        }
        if let Some(values) = &field.values {
            if let Value::String(s) = &node.value {
                if !variables_in(s).is_empty() {
                    return;
                }
            }
            if !values.iter().any(|v| same_value(v, &node.value)) {
                let shown: Vec<String> = values.iter().map(toml_text).collect();
                let hint = match &node.value {
                    Value::String(s) => {
                        did_you_mean(s, values.iter().filter_map(toml::Value::as_str))
                            .map_or_else(String::new, |c| format!("; did you mean \"{c}\"?"))
                    }
                    _ => String::new(),
                };
                let got = value_text(&node.value);
                let msg = format!("{path} {got} is not one of {}{hint}", shown.join(", "));
                self.push(Severity::Error, Kind::NotAllowed, node.span.clone(), msg);
            }
        }
    }
}

fn type_fits(ty: FieldType, value: &Value<'_>) -> bool {
    matches!(
        (ty, value),
        (FieldType::String, Value::String(_))
            | (FieldType::Integer, Value::Number { integer: true, .. })
            | (FieldType::Number, Value::Number { .. })
            | (FieldType::Boolean, Value::Bool(_))
            | (FieldType::Object, Value::Object(_))
            | (FieldType::Array, Value::Array(_))
    )
}

/// "an integer number of minutes", "a string", "a number of seconds", "an integer or a string".
pub fn expected_phrase(field: &Field) -> String {
    let one = |ty: FieldType| match (ty, field.units) {
        (FieldType::Integer, Some(u)) => format!("an integer number of {}", u.as_str()),
        (FieldType::Number, Some(u)) => format!("a number of {}", u.as_str()),
        (ty, _) => ty.with_article().to_owned(),
    };
    field
        .ty
        .all()
        .iter()
        .map(|t| one(*t))
        .collect::<Vec<_>>()
        .join(" or ")
}

/// "86400-second (24 h) limit", or "limit of 20" without units.
fn limit_phrase(max: f64, units: Option<Units>) -> String {
    match units {
        Some(u) => {
            let human = u.human(max).map_or_else(String::new, |h| format!(" ({h})"));
            format!("{}-{}{human} limit", num(max), u.singular())
        }
        None => format!("limit of {}", num(max)),
    }
}

/// A number as a person writes it: no `.0` on whole values.
pub fn num(n: f64) -> String {
    format!("{n}")
}

fn same_value(allowed: &toml::Value, value: &Value<'_>) -> bool {
    match (allowed, value) {
        (toml::Value::String(a), Value::String(b)) => a == b,
        (toml::Value::Integer(a), Value::Number { value, .. }) => {
            (*a as f64 - value).abs() < f64::EPSILON
        }
        (toml::Value::Float(a), Value::Number { value, .. }) => (a - value).abs() < f64::EPSILON,
        (toml::Value::Boolean(a), Value::Bool(b)) => a == b,
        _ => false,
    }
}

/// A catalogue value as JSON text (`"enabled"`, `20`, `true`).
pub fn toml_text(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => format!("\"{s}\""),
        toml::Value::Integer(n) => n.to_string(),
        toml::Value::Float(n) => num(*n),
        toml::Value::Boolean(b) => b.to_string(),
        toml::Value::Datetime(d) => format!("\"{d}\""),
        toml::Value::Array(items) => format!(
            "[{}]",
            items.iter().map(toml_text).collect::<Vec<_>>().join(", ")
        ),
        toml::Value::Table(_) => "an object".to_owned(),
    }
}

fn value_text(v: &Value<'_>) -> String {
    match v {
        Value::String(s) => format!("\"{s}\""),
        Value::Number { value, .. } => num(*value),
        Value::Bool(b) => b.to_string(),
        Value::Null => "null".to_owned(),
        Value::Object(_) => "an object".to_owned(),
        Value::Array(_) => "an array".to_owned(),
    }
}
