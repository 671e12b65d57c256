//! What the editor teaches from the catalogue as you type: the findings of `apiplay check`
//! on the text ([`lint`], the very same [`crate::catalogue::Catalogue::check_payload`]), where
//! in the JSON the cursor is ([`place_at`], tolerant of the half-typed text an edit leaves),
//! the docs of the field there or the operation's overview ([`docs_panel`]), and what can be
//! typed there ([`completions`]): the field names the op defines for that object and not yet
//! in it, or the allowed values of the field whose value it is.

use crate::catalogue::{
    catalogue, expected_phrase, num, toml_text, Field, FieldType, Kind, Operation,
};
use crate::collection::SidecarFile;

use super::editor::{Diagnostic, Severity, SidePanel};

/// The catalogue's findings on a body, in editor terms.
#[derive(Debug, Clone, Default)]
pub struct Lint {
    /// The operation the payload was matched to (sidecar `op`, mesibo `"op"`, method+path).
    pub op: Option<&'static Operation>,
    /// Whether the text parsed as JSON (when not, `op` says nothing: the text is mid-edit).
    pub parsed: bool,
    /// The findings, by position; JSON syntax errors are left to the editor's own check.
    pub diagnostics: Vec<Diagnostic>,
}

/// Checks `text` as the body of the payload whose sidecar is `sidecar`: `apiplay check`'s
/// findings, with the length of the key or value each is about (for underlining).
pub fn lint(sidecar: &SidecarFile, text: &str) -> Lint {
    let report = catalogue().check_payload(sidecar, text);
    let parsed = !report.body.iter().any(|d| d.kind == Kind::InvalidJson);
    let diagnostics = report
        .body
        .into_iter()
        .filter(|d| d.kind != Kind::InvalidJson)
        .map(|d| editor_diagnostic(text, d))
        .collect();
    Lint {
        op: report.op,
        parsed,
        diagnostics,
    }
}

/// A catalogue finding in `text` as the editor draws it: its line, column and the characters
/// of its key or value on that line.
pub fn editor_diagnostic(text: &str, d: crate::catalogue::Diagnostic) -> Diagnostic {
    let spot = text.get(d.span.clone()).unwrap_or_default();
    let first_line = spot.split('\n').next().unwrap_or_default();
    Diagnostic {
        line: d.line.max(1),
        col: d.col.max(1),
        len: first_line.chars().count(),
        severity: match d.severity {
            crate::catalogue::Severity::Error => Severity::Error,
            crate::catalogue::Severity::Warning => Severity::Warning,
        },
        message: d.message,
    }
}

/// What the cursor is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum At {
    /// Where an object's key goes or is being written.
    Key,
    /// Where a value goes or is being written.
    Value,
    /// Between a key and its colon, after a value, outside the body.
    Other,
}

/// Where the cursor is in the JSON text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// The path of the object or array the cursor is in (`user`, `user.token`, `[]`; empty
    /// for the body itself).
    pub container: Vec<String>,
    /// Whether that container is an object.
    pub in_object: bool,
    /// Key or value position.
    pub at: At,
    /// The key whose value (or whose key) the cursor is on, `[]` for an array item.
    pub key: Option<String>,
    /// Inside a string: the characters between its opening quote and the cursor; inside a
    /// bare value (`tru`, `12`): its characters before the cursor.
    pub prefix: String,
    /// Whether the cursor is inside a string (after its opening quote).
    pub in_string: bool,
    /// The keys the container object holds (before and after the cursor).
    pub present: Vec<String>,
}

impl Place {
    /// The dotted catalogue path of the field under the cursor (`user.token.expiry`,
    /// `[].username`), when the cursor is on a key or a value.
    pub fn field_path(&self) -> Option<String> {
        let key = self.key.as_ref()?;
        let mut segs = self.container.clone();
        segs.push(key.clone());
        Some(join(&segs))
    }
}

/// Joins path segments the catalogue's way: keys with dots, `[]` stuck to what it follows.
pub fn join(segs: &[String]) -> String {
    let mut out = String::new();
    for s in segs {
        if s != "[]" && !out.is_empty() {
            out.push('.');
        }
        out.push_str(s);
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Key,
    Colon,
    Value,
    Comma,
}

#[derive(Debug, Clone)]
struct Frame {
    obj: bool,
    key: Option<String>,
    keys: Vec<String>,
    expect: Expect,
}

/// The byte offset of a 0-based (row, char column) in `lines` joined by newlines.
pub fn offset_of(lines: &[String], row: usize, col: usize) -> usize {
    let before: usize = lines.iter().take(row).map(|l| l.len() + 1).sum();
    let line = lines.get(row).map_or("", String::as_str);
    before + line.char_indices().nth(col).map_or(line.len(), |(i, _)| i)
}

/// The place a scan has reached, as seen from the frames open there.
fn snapshot(stack: &[Frame], at: At, key: Option<String>, prefix: &str, in_string: bool) -> Place {
    let mut container = Vec::new();
    for w in stack.windows(2) {
        container.push(if w[0].obj {
            w[0].key.clone().unwrap_or_default()
        } else {
            "[]".to_owned()
        });
    }
    // The root frame is not a container of its own: drop its `[]`.
    if stack.len() > 1 && !stack[0].obj {
        container.remove(0);
    }
    Place {
        container,
        in_object: stack.last().is_some_and(|f| f.obj),
        at,
        key,
        prefix: prefix.to_owned(),
        in_string,
        present: Vec::new(),
    }
}

/// What goes next in the innermost frame: a key, a value (of which key), or neither.
fn between(stack: &[Frame]) -> (At, Option<String>) {
    let Some(f) = stack.last() else {
        return (At::Other, None);
    };
    match (f.obj, f.expect) {
        (true, Expect::Key) => (At::Key, None),
        (true, Expect::Value) => (At::Value, f.key.clone()),
        (true, _) => (At::Other, f.key.clone()),
        (false, Expect::Value) if stack.len() > 1 => (At::Value, Some("[]".to_owned())),
        (false, Expect::Value) => (At::Value, None),
        (false, _) => (At::Other, None),
    }
}

/// Where byte `cursor` of `text` is, read from the text as it stands (it need not be valid
/// JSON: a half-typed key still has its place).
#[allow(clippy::too_many_lines)] // one pass of a small state machine reads best whole
pub fn place_at(text: &str, cursor: usize) -> Place {
    let b = text.as_bytes();
    let mut stack = vec![Frame {
        obj: false,
        key: None,
        keys: Vec::new(),
        expect: Expect::Value,
    }];
    let mut found: Option<(Place, usize)> = None;
    let mut present: Option<Vec<String>> = None;
    let mut i = 0;
    while i < b.len() {
        // On a string's opening quote the string's branch decides (a key's docs).
        if found.is_none() && (cursor < i || (cursor == i && b[i] != b'"')) {
            let (at, key) = between(&stack);
            found = Some((snapshot(&stack, at, key, "", false), stack.len()));
        }
        let c = b[i];
        match c {
            b'"' => {
                let start = i;
                let mut j = i + 1;
                while j < b.len() && b[j] != b'"' && b[j] != b'\n' {
                    j += if b[j] == b'\\' { 2 } else { 1 };
                }
                let end = j.min(b.len());
                let content = text.get(start + 1..end).unwrap_or_default();
                let top = stack.last_mut();
                let is_key = top
                    .as_ref()
                    .is_some_and(|f| f.obj && f.expect == Expect::Key);
                if found.is_none() && cursor == start {
                    // On the opening quote: a key's docs (nothing to complete), or the
                    // value's place.
                    let (at, key) = if is_key {
                        (At::Other, Some(content.to_owned()))
                    } else {
                        between(&stack)
                    };
                    found = Some((snapshot(&stack, at, key, "", false), stack.len()));
                }
                if found.is_none() && cursor > start && cursor <= end {
                    let prefix = text.get(start + 1..cursor).unwrap_or_default();
                    let (at, key) = if is_key {
                        (At::Key, Some(content.to_owned()))
                    } else {
                        let (_, key) = between(&stack);
                        (At::Value, key)
                    };
                    found = Some((snapshot(&stack, at, key, prefix, true), stack.len()));
                }
                if let Some(f) = stack.last_mut() {
                    if is_key {
                        f.keys.push(content.to_owned());
                        f.key = Some(content.to_owned());
                        f.expect = Expect::Colon;
                    } else {
                        f.expect = Expect::Comma;
                    }
                }
                i = end + 1;
                continue;
            }
            b':' => {
                if let Some(f) = stack.last_mut() {
                    f.expect = Expect::Value;
                }
            }
            b',' => {
                if let Some(f) = stack.last_mut() {
                    f.expect = if f.obj { Expect::Key } else { Expect::Value };
                }
            }
            b'{' | b'[' => {
                stack.push(Frame {
                    obj: c == b'{',
                    key: None,
                    keys: Vec::new(),
                    expect: if c == b'{' {
                        Expect::Key
                    } else {
                        Expect::Value
                    },
                });
            }
            b'}' | b']' => {
                if stack.len() > 1 {
                    if let (Some((_, depth)), None) = (&found, &present) {
                        if *depth == stack.len() {
                            present = stack.last().map(|f| f.keys.clone());
                        }
                    }
                    stack.pop();
                    if let Some(f) = stack.last_mut() {
                        f.expect = Expect::Comma;
                    }
                }
            }
            c if c.is_ascii_whitespace() => {}
            _ => {
                // A bare value: number, true, false, null, or something half-typed.
                let start = i;
                let mut j = i;
                while j < b.len()
                    && !matches!(b[j], b',' | b'}' | b']' | b':' | b'"')
                    && !b[j].is_ascii_whitespace()
                {
                    j += 1;
                }
                if found.is_none() && cursor > start && cursor <= j {
                    let (_, key) = between(&stack);
                    let prefix = text.get(start..cursor).unwrap_or_default();
                    found = Some((snapshot(&stack, At::Value, key, prefix, false), stack.len()));
                }
                if let Some(f) = stack.last_mut() {
                    f.expect = Expect::Comma;
                }
                i = j;
                continue;
            }
        }
        i += 1;
    }
    let (mut place, depth) = found.unwrap_or_else(|| {
        let (at, key) = between(&stack);
        (snapshot(&stack, at, key, "", false), stack.len())
    });
    place.present = present
        .or_else(|| stack.get(depth.saturating_sub(1)).map(|f| f.keys.clone()))
        .unwrap_or_default();
    place
}

/// One thing completion offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// What the list shows and what is inserted (a key's name, a value as JSON).
    pub label: String,
    /// A few words beside it (type, required, meaning).
    pub detail: String,
}

/// What can go at `place` in a body of `op`: the field names of that object not yet in it
/// (required ones first), or the allowed values of the field whose value it is; filtered by
/// what is typed already.
pub fn completions(op: &Operation, place: &Place) -> Vec<Item> {
    let prefix = place.prefix.to_ascii_lowercase();
    let matches = |s: &str| s.to_ascii_lowercase().starts_with(&prefix);
    match place.at {
        At::Key if place.in_object => {
            let mut items: Vec<(bool, Item)> = Vec::new();
            let depth = place.container.len();
            for f in &op.fields {
                if f.location.is_some() {
                    continue;
                }
                let segs = segments(&f.path);
                if segs.len() <= depth || segs[..depth] != place.container[..] {
                    continue;
                }
                let name = &segs[depth];
                if name == "[]"
                    || place
                        .present
                        .iter()
                        .any(|p| p == name && Some(p) != place.key.as_ref())
                    || items.iter().any(|(_, i)| &i.label == name)
                    || !matches(name)
                {
                    continue;
                }
                let direct = segs.len() == depth + 1;
                let detail = if direct {
                    format!(
                        "{}{}",
                        f.ty.names(),
                        if f.required { ", required" } else { "" }
                    )
                } else {
                    "object".to_owned()
                };
                items.push((
                    direct && f.required,
                    Item {
                        label: name.clone(),
                        detail,
                    },
                ));
            }
            items.sort_by_key(|(required, _)| !required);
            items.into_iter().map(|(_, i)| i).collect()
        }
        At::Value => {
            let Some(field) = place.field_path().and_then(|p| op.field(&p)) else {
                return Vec::new();
            };
            let mut values: Vec<String> = match &field.values {
                Some(v) => v.iter().map(|v| json_literal(v, field)).collect(),
                None if field.ty.primary() == FieldType::Boolean => {
                    vec!["true".to_owned(), "false".to_owned()]
                }
                None => Vec::new(),
            };
            values.retain(|v| {
                let bare = if place.in_string {
                    v.trim_matches('"')
                } else {
                    v
                };
                matches(bare) && (!place.in_string || v.starts_with('"'))
            });
            values
                .into_iter()
                .map(|label| Item {
                    label,
                    detail: field.meaning.clone(),
                })
                .collect()
        }
        _ => Vec::new(),
    }
}

/// A catalogue value as JSON text.
fn json_literal(v: &toml::Value, _field: &Field) -> String {
    match v {
        toml::Value::String(s) => serde_json::Value::String(s.clone()).to_string(),
        other => toml_text(other),
    }
}

/// A field path's segments (`user.token.expiry` → user, token, expiry; `[].a` → [], a).
fn segments(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let mut rest = part;
        let mut items = 0;
        while let Some(s) = rest.strip_suffix("[]") {
            rest = s;
            items += 1;
        }
        if !rest.is_empty() {
            out.push(rest.to_owned());
        }
        out.extend(std::iter::repeat_n("[]".to_owned(), items));
    }
    out
}

/// The docs panel: the field under the cursor (type, units, limits, allowed values,
/// required or optional, meaning), else the operation's overview; without an op, how to
/// name one.
pub fn docs_panel(op: Option<&Operation>, place: Option<&Place>) -> SidePanel {
    let Some(op) = op else {
        return SidePanel {
            title: " docs ".into(),
            lines: vec![
                "No catalogue operation matches this payload.".into(),
                String::new(),
                "Name one in its sidecar (F2): op = \"mesibo.useradd\"; a mesibo body is matched by its \"op\", others by method and path.".into(),
                String::new(),
                "Ctrl+N creates a payload from an operation.".into(),
            ],
            scroll: 0,
        };
    };
    let field = place
        .and_then(Place::field_path)
        .and_then(|p| op.field(&p).map(|f| (p, f)));
    match field {
        Some((path, f)) => field_panel(op, &path, f),
        None => overview_panel(op),
    }
}

fn field_panel(op: &Operation, path: &str, f: &Field) -> SidePanel {
    let mut lines = vec![format!(
        "{} · {}",
        expected_phrase(f),
        if f.required { "required" } else { "optional" }
    )];
    lines.push(f.meaning.clone());
    let human = |n: f64| {
        f.units
            .and_then(|u| u.human(n))
            .map_or(String::new(), |h| format!(" ({h})"))
    };
    let unit_of = |n: f64| {
        f.units.map_or(String::new(), |u| {
            #[allow(clippy::float_cmp)] // 1 is exact
            let one = n == 1.0;
            format!(" {}", if one { u.singular() } else { u.as_str() })
        })
    };
    let unit = unit_of(2.0);
    if let Some(lo) = f.min {
        lines.push(format!("min {}{}{}", num(lo), unit_of(lo), human(lo)));
    }
    if let Some(hi) = f.max {
        lines.push(format!("max {}{}{}", num(hi), unit_of(hi), human(hi)));
    }
    let count = |n: usize, what: &str| {
        if n == 1 {
            format!("1 {what}")
        } else {
            format!("{n} {what}s")
        }
    };
    if let Some(n) = f.min_length {
        lines.push(format!("at least {}", count(n, "character")));
    }
    if let Some(n) = f.max_length {
        lines.push(format!("at most {}", count(n, "character")));
    }
    if let Some(n) = f.max_items {
        lines.push(format!("at most {}", count(n, "item")));
    }
    if let Some(values) = &f.values {
        let shown: Vec<_> = values.iter().map(toml_text).collect();
        lines.push(format!("one of: {}", shown.join(", ")));
    }
    if let Some(p) = &f.pattern {
        lines.push(format!("pattern: {p}"));
    }
    if let Some(d) = &f.default {
        let human = match d {
            toml::Value::Integer(n) =>
            {
                #[allow(clippy::cast_precision_loss)]
                human(*n as f64)
            }
            toml::Value::Float(n) => human(*n),
            _ => String::new(),
        };
        lines.push(format!("default {}{unit}{human}", toml_text(d)));
    }
    if let Some(e) = &f.example {
        lines.push(format!("example: {}", toml_text(e)));
    }
    if !f.documented {
        lines.push("the vendor's docs are silent on its rules".into());
    }
    lines.push(String::new());
    lines.push(format!("{} · {}", op.id, op.title));
    SidePanel {
        title: format!(" {path} "),
        lines,
        scroll: 0,
    }
}

fn overview_panel(op: &Operation) -> SidePanel {
    let path = if op.path.is_empty() { "/" } else { &op.path };
    let lines = vec![
        op.title.clone(),
        format!("{} {path} (backend {})", op.method, op.backend),
        String::new(),
        op.summary.trim().to_owned(),
        String::new(),
        format!("docs: {}", op.docs_url),
        String::new(),
        "Move onto a field for its type, units and limits; Ctrl+Space completes; Ctrl+D: the whole op.".into(),
    ];
    SidePanel {
        title: format!(" {} ", op.id),
        lines,
        scroll: 0,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn at(text_with_bar: &str) -> Place {
        let cursor = text_with_bar.find('|').unwrap();
        let text = text_with_bar.replacen('|', "", 1);
        place_at(&text, cursor)
    }

    #[test]
    fn places_in_half_typed_text() {
        let p = at(r#"{"user": {|"name": "a"}}"#);
        assert_eq!(
            p.field_path().as_deref(),
            Some("user.name"),
            "on the key's quote"
        );
        assert_eq!(p.at, At::Other);
        let p = at(r#"{"op":"useradd","user":{"address":"a","ad|"#);
        assert_eq!(p.container, ["user"]);
        assert_eq!(
            (p.at, p.in_string, p.prefix.as_str()),
            (At::Key, true, "ad")
        );
        assert_eq!(p.present, ["address", "ad"]);
        let p = at(r#"{"user":{"token":{"expiry": 5|25600}}, "x": 1}"#);
        assert_eq!(p.field_path().as_deref(), Some("user.token.expiry"));
        assert_eq!((p.at, p.prefix.as_str()), (At::Value, "5"));
        let p = at(r#"{"user":{|}, "op":"useradd"}"#);
        assert_eq!(
            (p.at, p.container.clone()),
            (At::Key, vec!["user".to_owned()])
        );
        assert_eq!(p.field_path(), None);
        let p = at(r#"[{"username":"a"},{|"#);
        assert_eq!(p.container, ["[]"]);
        let p = at(r#"{"op": "useradd", "us|er": {}}"#);
        assert_eq!(p.field_path().as_deref(), Some("user"));
        assert_eq!(p.present, ["op", "user"], "keys after the cursor count too");
    }

    #[test]
    fn completes_names_not_yet_present_and_allowed_values() {
        let op = catalogue().get("mesibo.useradd").unwrap();
        let p = at(r#"{"op":"useradd","token":"t","user":{"address":"a", "|"#);
        let names: Vec<_> = completions(op, &p).into_iter().map(|i| i.label).collect();
        assert!(!names.contains(&"address".to_owned()), "{names:?}");
        assert!(names.contains(&"name".to_owned()), "{names:?}");
        assert!(
            names.contains(&"token".to_owned()),
            "the token object: {names:?}"
        );
        let p = at(r#"{"op":"useradd","token":"t","user":{"token":{"ex|"#);
        let names: Vec<_> = completions(op, &p).into_iter().map(|i| i.label).collect();
        assert_eq!(names, ["expiry"]);
        // A boolean's values.
        let op = catalogue().get("vonage.video.session.create").unwrap();
        let p = at(r#"{"e2ee": |}"#);
        let values: Vec<_> = completions(op, &p).into_iter().map(|i| i.label).collect();
        assert_eq!(values, ["true", "false"]);
    }

    #[test]
    fn a_typo_is_a_positioned_finding_with_its_span() {
        let text = "{\"op\":\"useradd\",\"token\":\"{{mesibo_app_token}}\",\n\"user\":{\"adress\":\"a@b\"}}";
        let lint = lint(&SidecarFile::default(), text);
        assert_eq!(lint.op.map(|o| o.id.as_str()), Some("mesibo.useradd"));
        let d = lint
            .diagnostics
            .iter()
            .find(|d| d.message.contains("adress"))
            .unwrap();
        assert_eq!((d.line, d.col, d.len), (2, 9, 8));
        // The address is missing, too: said at the object that lacks it.
        let missing = &lint.diagnostics[0];
        assert_eq!((missing.line, missing.col), (2, 1));
        assert!(missing.message.contains("address"), "{}", missing.message);
        assert_eq!(
            d.message,
            "unknown field \"adress\" in user; did you mean \"address\"?"
        );
    }
}
