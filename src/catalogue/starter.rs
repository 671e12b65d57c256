//! What `apiplay new` writes for an op: a body that passes the op's rules and a sidecar that
//! names the op, so the pair sends as it is (with `{{variables}}` for credentials and for ids
//! an earlier op of the flow captures).

use std::fmt::Write as _;

use serde_json::{Map, Value};

use super::rules::segments;
use super::schema::{AuthScheme, FieldType};
use super::Operation;

impl Operation {
    /// The body a new payload starts with: the op's example body, else one built from its
    /// required fields and their examples, else `{}`.
    pub fn starter_body(&self) -> String {
        if let Some(body) = &self.example_body {
            return format!("{}\n", body.trim_end());
        }
        let mut root = Value::Object(Map::new());
        for field in self.fields.iter().filter(|f| f.required) {
            let value = field
                .example
                .as_ref()
                .map_or_else(|| empty_of(field.ty.primary()), toml_to_json);
            insert(&mut root, &segments(&field.path), value);
        }
        let mut text = serde_json::to_string_pretty(&root).unwrap_or_else(|_| "{}".to_owned());
        text.push('\n');
        text
    }

    /// The sidecar a new payload starts with (TOML text).
    pub fn starter_sidecar(&self) -> String {
        let mut out = format!(
            "op = {}\nbackend = {}\nmethod = {}\npath = {}\n",
            quote(&self.id),
            quote(&self.backend),
            quote(&self.method),
            quote(&self.path)
        );
        let mut headers: Vec<(String, String)> = self
            .headers
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let variable = self.auth.variable.as_deref().unwrap_or("token");
        match self.auth.scheme {
            AuthScheme::Bearer => {
                headers.push((
                    "Authorization".to_owned(),
                    format!("Bearer {{{{{variable}}}}}"),
                ));
            }
            AuthScheme::Basic => {
                headers.push(("Authorization".to_owned(), format!("{{{{{variable}}}}}")));
            }
            AuthScheme::Header => {
                let name = self
                    .auth
                    .name
                    .clone()
                    .unwrap_or_else(|| "Authorization".to_owned());
                headers.push((name, format!("{{{{{variable}}}}}")));
            }
            AuthScheme::Body | AuthScheme::None => {}
        }
        let mut table = |name: &str, rows: &[(String, String)]| {
            if rows.is_empty() {
                return;
            }
            let _ = write!(out, "\n[{name}]\n");
            for (k, v) in rows {
                let _ = writeln!(out, "{} = {}", key(k), quote(v));
            }
        };
        table("headers", &headers);
        let query: Vec<_> = self
            .query
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        table("query", &query);
        let captures: Vec<_> = self
            .captures
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        table("captures", &captures);
        out
    }
}

fn empty_of(ty: FieldType) -> Value {
    match ty {
        FieldType::String => Value::String(String::new()),
        FieldType::Integer | FieldType::Number => Value::from(0),
        FieldType::Boolean => Value::Bool(false),
        FieldType::Object => Value::Object(Map::new()),
        FieldType::Array => Value::Array(Vec::new()),
    }
}

/// A catalogue example as JSON.
pub fn toml_to_json(v: &toml::Value) -> Value {
    match v {
        toml::Value::String(s) => Value::String(s.clone()),
        toml::Value::Integer(n) => Value::from(*n),
        toml::Value::Float(n) => Value::from(*n),
        toml::Value::Boolean(b) => Value::Bool(*b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(items) => Value::Array(items.iter().map(toml_to_json).collect()),
        toml::Value::Table(t) => Value::Object(
            t.iter()
                .map(|(k, v)| (k.clone(), toml_to_json(v)))
                .collect(),
        ),
    }
}

/// Puts `value` at `path` below `at`, creating objects (and one-item arrays for `[]`).
fn insert(at: &mut Value, path: &[&str], value: Value) {
    let Some((first, rest)) = path.split_first() else {
        if !(value.is_object() && at.is_object()) {
            *at = value;
        }
        return;
    };
    if *first == "[]" {
        if !at.is_array() {
            *at = Value::Array(Vec::new());
        }
        if let Value::Array(items) = at {
            if items.is_empty() {
                items.push(Value::Object(Map::new()));
            }
            if let Some(item) = items.first_mut() {
                insert(item, rest, value);
            }
        }
        return;
    }
    if !at.is_object() {
        *at = Value::Object(Map::new());
    }
    if let Value::Object(map) = at {
        let slot = map.entry((*first).to_owned()).or_insert(Value::Null);
        if rest.is_empty() && !slot.is_null() && value.is_object() {
            return;
        }
        insert(slot, rest, value);
    }
}

/// A TOML basic string.
fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A TOML key: bare when it can be, quoted otherwise.
fn key(k: &str) -> String {
    if !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        k.to_owned()
    } else {
        quote(k)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::path::Path;

    use crate::catalogue::catalogue;
    use crate::collection::SidecarFile;

    /// Every op's starter pair parses, names its op, resolves to it, and is clean.
    #[test]
    fn every_starter_is_clean_and_resolves_to_its_op() {
        for op in catalogue().ops() {
            let side = SidecarFile::parse(&op.starter_sidecar(), Path::new("new.toml")).unwrap();
            assert_eq!(side.sidecar.op.as_deref(), Some(op.id.as_str()));
            let report = catalogue().check_payload(&side, &op.starter_body());
            assert_eq!(report.op.map(|o| o.id.as_str()), Some(op.id.as_str()));
            assert!(report.is_clean(), "{}: {report:?}", op.id);
        }
    }

    #[test]
    fn the_useradd_sidecar_is_what_a_person_would_write() {
        let op = catalogue().get("agora.chat.user.get").unwrap();
        assert_eq!(
            op.starter_sidecar(),
            "op = \"agora.chat.user.get\"\nbackend = \"agora_chat\"\nmethod = \"GET\"\npath = \"/{{agora_org}}/{{agora_app}}/users/{{agora_username}}\"\n\n[headers]\nAccept = \"application/json\"\nAuthorization = \"Bearer {{agora_chat_token}}\"\n"
        );
    }
}
