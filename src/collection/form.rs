//! `application/x-www-form-urlencoded` bodies made from the JSON a user edits.
//!
//! The OpenTok session API and every Twilio REST write take forms. The official SDKs build
//! them from flat parameter maps: opentok-python posts `p2p.preference`, `archiveMode`,
//! `e2ee` (`opentok/opentok.py`, `create_session`), twilio-python repeats a key for each item
//! of a list parameter. A payload keeps its body as JSON on disk, so nested objects are
//! flattened with `.` and arrays repeat their key; `null` leaves the field out, as the SDKs
//! leave out a parameter that is `None`.

use serde_json::Value;

use super::template::{self, VarRef};

/// Why a JSON body has no form encoding.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormError {
    /// The body is not an object (a form is a list of names and values).
    #[error("a form-encoded body must be a JSON object of fields, found {0}")]
    NotAnObject(&'static str),
    /// An array holds an object or another array, which a form cannot express.
    #[error("`{path}` is an array holding {found}; a form field's list may hold only strings, numbers and booleans")]
    NestedInArray {
        /// The dotted path of the array.
        path: String,
        /// What the offending item is.
        found: &'static str,
    },
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The form's fields in body order: nested objects flattened with `.`, one pair per array
/// item, `null` left out. Numbers and booleans are their JSON text (`true`, `42`).
pub fn pairs(body: &Value) -> Result<Vec<(String, String)>, FormError> {
    let Value::Object(map) = body else {
        return Err(FormError::NotAnObject(kind(body)));
    };
    let mut out = Vec::new();
    for (key, value) in map {
        flatten(key, value, &mut out)?;
    }
    Ok(out)
}

fn flatten(path: &str, value: &Value, out: &mut Vec<(String, String)>) -> Result<(), FormError> {
    match value {
        Value::Null => {}
        Value::Object(map) => {
            for (key, inner) in map {
                flatten(&format!("{path}.{key}"), inner, out)?;
            }
        }
        Value::Array(items) => {
            for item in items {
                match item {
                    Value::Null => {}
                    Value::Object(_) | Value::Array(_) => {
                        return Err(FormError::NestedInArray {
                            path: path.to_owned(),
                            found: kind(item),
                        })
                    }
                    scalar => out.push((path.to_owned(), template::value_text(scalar))),
                }
            }
        }
        scalar => out.push((path.to_owned(), template::value_text(scalar))),
    }
    Ok(())
}

/// Percent-encodes one name or value as `application/x-www-form-urlencoded` does (space is
/// `+`), leaving each `{{name}}` placeholder as written when `keep_placeholders` is set: the
/// history copy then reads `token={{secret}}` and a replay can substitute it again.
fn encode_part(text: &str, keep_placeholders: bool, out: &mut String) {
    let mut at = 0;
    if keep_placeholders {
        for r in template::variables_in(text) {
            out.extend(form_urlencoded::byte_serialize(
                &text.as_bytes()[at..r.span.start],
            ));
            out.push_str(&text[r.span.clone()]);
            at = r.span.end;
        }
    }
    out.extend(form_urlencoded::byte_serialize(&text.as_bytes()[at..]));
}

/// The body text of a form: `name=value&…`.
pub fn encode(pairs: &[(String, String)], keep_placeholders: bool) -> String {
    let mut out = String::new();
    for (i, (name, value)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        encode_part(name, keep_placeholders, &mut out);
        out.push('=');
        encode_part(value, keep_placeholders, &mut out);
    }
    out
}

/// Substitutes the `{{name}}` placeholders a recorded form body kept, each value
/// percent-encoded in place.
pub fn substitute<E>(
    body: &str,
    mut lookup: impl FnMut(&VarRef) -> Result<Value, E>,
) -> Result<String, E> {
    template::substitute_text(body, |r| {
        let text = template::value_text(&lookup(r)?);
        Ok(Value::String(
            form_urlencoded::byte_serialize(text.as_bytes()).collect(),
        ))
    })
}

/// Whether a `Content-Type` value names a form.
pub fn is_form_content_type(value: &str) -> bool {
    value
        .split(';')
        .next()
        .is_some_and(|t| t.trim().eq_ignore_ascii_case(super::FORM_CONTENT_TYPE))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    #[test]
    fn flattens_as_the_opentok_sdk_names_its_fields() {
        let body =
            json!({"p2p": {"preference": "enabled"}, "archiveMode": "manual", "e2ee": false});
        let p = pairs(&body).unwrap();
        // The body opentok-python 3.13 sends for create_session() (media relayed, manual).
        assert_eq!(
            encode(&p, false),
            "p2p.preference=enabled&archiveMode=manual&e2ee=false"
        );
    }

    #[test]
    fn arrays_repeat_their_key_nulls_are_left_out_and_text_is_escaped() {
        let body = json!({"Identity": "a b&c=d", "Roles": ["x", 2], "Gone": null, "n": 1.5});
        let p = pairs(&body).unwrap();
        assert_eq!(
            encode(&p, false),
            "Identity=a+b%26c%3Dd&Roles=x&Roles=2&n=1.5"
        );
    }

    #[test]
    fn shapes_a_form_cannot_hold_are_named() {
        assert_eq!(
            pairs(&json!([1])).unwrap_err().to_string(),
            "a form-encoded body must be a JSON object of fields, found an array"
        );
        assert_eq!(
            pairs(&json!({"a": {"b": [{"c": 1}]}})).unwrap_err(),
            FormError::NestedInArray {
                path: "a.b".into(),
                found: "an object"
            }
        );
    }

    #[test]
    fn placeholders_survive_in_the_history_copy_and_substitute_back_encoded() {
        let p = vec![("Token".to_owned(), "x {{secret}}".to_owned())];
        assert_eq!(encode(&p, true), "Token=x+{{secret}}");
        assert_eq!(encode(&p, false), "Token=x+%7B%7Bsecret%7D%7D");
        let back = substitute("Token=x+{{secret}}", |_| Ok::<_, ()>(json!("a&b"))).unwrap();
        assert_eq!(back, "Token=x+a%26b");
    }

    #[test]
    fn content_type_check_ignores_parameters_and_case() {
        assert!(is_form_content_type(
            "Application/X-WWW-Form-Urlencoded; charset=utf-8"
        ));
        assert!(!is_form_content_type("application/json"));
    }
}
