//! `{{variable}}` templates inside JSON bodies and sidecar strings.
//!
//! Substitution works on the text, not on a re-serialised value, so a body goes on the wire
//! byte for byte as written, with only the placeholders replaced. A JSON string that is exactly
//! `"{{name}}"` takes the value's JSON type; a placeholder inside a longer string is replaced
//! by the value's text, JSON-escaped.

use std::ops::Range;

use serde_json::Value;

/// One `{{name}}` occurrence in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VarRef {
    /// The variable's name, trimmed.
    pub name: String,
    /// Byte range of the whole placeholder, braces included.
    pub span: Range<usize>,
}

/// Every `{{name}}` in `text`, in order. Names are letters, digits and `_ . - : $ # @ +`.
pub fn variables_in(text: &str) -> Vec<VarRef> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while let Some(open) = find(bytes, i, b"{{") {
        let Some(close) = find(bytes, open + 2, b"}}") else {
            break;
        };
        let inner = &text[open + 2..close];
        let name = inner.trim();
        if !name.is_empty() && name.chars().all(is_name_char) {
            found.push(VarRef {
                name: name.to_owned(),
                span: open..close + 2,
            });
            i = close + 2;
        } else {
            i = open + 1;
        }
    }
    found
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-' | ':' | '$' | '#' | '@' | '+')
}

fn find(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

/// The byte ranges of JSON string tokens (quotes included) in valid JSON text.
fn string_tokens(text: &str) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'"' {
            let start = i;
            i += 1;
            while i < bytes.len() && bytes[i] != b'"' {
                i += if bytes[i] == b'\\' { 2 } else { 1 };
            }
            tokens.push(start..(i + 1).min(bytes.len()));
        }
        i += 1;
    }
    tokens
}

/// The text a value contributes inside a longer string.
pub fn value_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Substitutes placeholders in valid JSON text. `lookup` returns the replacement value of a
/// name, or the error to stop with; only placeholders inside string tokens are considered.
pub fn substitute_json<E>(
    text: &str,
    mut lookup: impl FnMut(&VarRef) -> Result<Value, E>,
) -> Result<String, E> {
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for token in string_tokens(text) {
        let content = token.start + 1..token.end.saturating_sub(1).max(token.start + 1);
        let refs: Vec<VarRef> = variables_in(&text[content.clone()])
            .into_iter()
            .map(|r| VarRef {
                name: r.name,
                span: r.span.start + content.start..r.span.end + content.start,
            })
            .collect();
        if refs.is_empty() {
            continue;
        }
        out.push_str(&text[copied..token.start]);
        if refs.len() == 1 && refs[0].span == content {
            // The whole string is one placeholder: the value keeps its JSON type.
            out.push_str(&lookup(&refs[0])?.to_string());
        } else {
            out.push('"');
            let mut at = content.start;
            for r in &refs {
                out.push_str(&text[at..r.span.start]);
                let quoted = Value::String(value_text(&lookup(r)?)).to_string();
                out.push_str(&quoted[1..quoted.len() - 1]);
                at = r.span.end;
            }
            out.push_str(&text[at..content.end]);
            out.push('"');
        }
        copied = token.end;
    }
    out.push_str(&text[copied..]);
    Ok(out)
}

/// Substitutes placeholders in plain text (URL paths, header values) with the values' text.
pub fn substitute_text<E>(
    text: &str,
    mut lookup: impl FnMut(&VarRef) -> Result<Value, E>,
) -> Result<String, E> {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for r in variables_in(text) {
        out.push_str(&text[at..r.span.start]);
        out.push_str(&value_text(&lookup(&r)?));
        at = r.span.end;
    }
    out.push_str(&text[at..]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    fn lookup(r: &VarRef) -> Result<Value, String> {
        match r.name.as_str() {
            "n" => Ok(json!(42)),
            "flag" => Ok(json!(true)),
            "s" => Ok(json!("a\"b")),
            other => Err(other.to_owned()),
        }
    }

    #[test]
    fn finds_placeholders_with_spans() {
        let refs = variables_in(r#"{"a":"{{ x }}-{{$uuid}}", "b":"{{}}"}"#);
        let names: Vec<_> = refs.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["x", "$uuid"]);
        assert_eq!(refs[0].span, 6..13);
    }

    #[test]
    fn whole_string_placeholder_takes_the_value_type() {
        let out = substitute_json(r#"{"count": "{{n}}", "on":"{{flag}}"}"#, lookup).unwrap();
        assert_eq!(out, r#"{"count": 42, "on":true}"#);
    }

    #[test]
    fn embedded_placeholders_are_escaped_and_formatting_kept() {
        let out = substitute_json("{\n  \"msg\": \"x{{s}}y{{n}}\"\n}", lookup).unwrap();
        assert_eq!(out, "{\n  \"msg\": \"xa\\\"by42\"\n}");
        let parsed: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(parsed["msg"], "xa\"by42");
    }

    #[test]
    fn placeholders_outside_strings_and_escaped_quotes_are_left_alone() {
        let text = r#"{"a":"q\"{{n}}\"","b":1}"#;
        let out = substitute_json(text, lookup).unwrap();
        assert_eq!(out, r#"{"a":"q\"42\"","b":1}"#);
    }

    #[test]
    fn first_unknown_stops() {
        let err = substitute_json(r#"{"a":"{{nope}}"}"#, lookup).unwrap_err();
        assert_eq!(err, "nope");
        assert_eq!(
            substitute_text("/u/{{n}}/{{s}}", lookup).unwrap(),
            "/u/42/a\"b"
        );
    }
}
