//! Field access for mesibo requests. A JSON body (`{"user":{"address":..}}`) and the legacy
//! form (`addr=..`) reach the same operations: each field is looked up under its JSON path and
//! its legacy name, and form values (always strings) are accepted where numbers or booleans are
//! expected.

use serde_json::Value;

/// A refused request: the upper-case code and a sentence for humans.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fail {
    /// One of the codes listed in the module doc of [`super`].
    pub code: &'static str,
    /// What was wrong and what to send instead.
    pub message: String,
}

impl Fail {
    /// A refusal with `code`.
    pub fn new(code: &'static str, message: impl Into<String>) -> Fail {
        Fail {
            code,
            message: message.into(),
        }
    }
}

/// A request body normalised to a JSON object.
#[derive(Debug)]
pub struct Fields<'a>(pub &'a Value);

fn at<'v>(value: &'v Value, path: &str) -> Option<&'v Value> {
    path.split('.')
        .try_fold(value, |v, key| v.as_object()?.get(key))
        .filter(|v| !v.is_null())
}

impl Fields<'_> {
    /// The first of `paths` present, with the path it was found under.
    pub fn get(&self, paths: &[&'static str]) -> Option<(&'static str, &Value)> {
        paths.iter().find_map(|p| at(self.0, p).map(|v| (*p, v)))
    }

    /// An optional string of at most [`MAX_STRING`] characters (addresses, names, app ids).
    pub fn opt_str(&self, paths: &[&'static str]) -> Result<Option<String>, Fail> {
        self.opt_text(paths, MAX_STRING)
    }

    /// An optional string of at most `max` characters. Every string is bounded here, before
    /// it reaches the store, so an over-long one is `BADFIELD` rather than a store error.
    pub fn opt_text(&self, paths: &[&'static str], max: usize) -> Result<Option<String>, Fail> {
        match self.get(paths) {
            None => Ok(None),
            Some((path, Value::String(s))) => bounded_len(path, s, max).map(|()| Some(s.clone())),
            Some((path, other)) => Err(type_error(path, "a string", other)),
        }
    }

    /// A required, non-empty string of at most `max` characters.
    pub fn req_text(&self, paths: &[&'static str], max: usize) -> Result<String, Fail> {
        match self.opt_text(paths, max)? {
            Some(s) if !s.is_empty() => Ok(s),
            Some(_) => Err(Fail::new(
                "BADFIELD",
                format!("{} must not be empty", paths[0]),
            )),
            None => Err(missing(paths)),
        }
    }

    /// A required, non-empty string of at most [`MAX_STRING`] characters.
    pub fn req_str(&self, paths: &[&'static str]) -> Result<String, Fail> {
        self.req_text(paths, MAX_STRING)
    }

    /// An optional integer (a JSON number or a string of digits).
    pub fn opt_int(&self, paths: &[&'static str]) -> Result<Option<i64>, Fail> {
        match self.get(paths) {
            None => Ok(None),
            Some((path, value)) => match value {
                Value::Number(n) => n.as_i64().map(Some),
                Value::String(s) => s.trim().parse().ok().map(Some),
                _ => None,
            }
            .ok_or_else(|| type_error(path, "an integer", value)),
        }
    }

    /// A required integer.
    pub fn req_int(&self, paths: &[&'static str]) -> Result<i64, Fail> {
        self.opt_int(paths)?.ok_or_else(|| missing(paths))
    }

    /// An optional boolean (`true`/`false`, `1`/`0`, or those as strings).
    pub fn opt_bool(&self, paths: &[&'static str]) -> Result<Option<bool>, Fail> {
        match self.get(paths) {
            None => Ok(None),
            Some((path, value)) => match value {
                Value::Bool(b) => Some(*b),
                Value::Number(n) => n.as_i64().and_then(|n| match n {
                    0 => Some(false),
                    1 => Some(true),
                    _ => None,
                }),
                Value::String(s) => match s.as_str() {
                    "1" | "true" => Some(true),
                    "0" | "false" => Some(false),
                    _ => None,
                },
                _ => None,
            }
            .map(Some)
            .ok_or_else(|| type_error(path, "true/false or 1/0", value)),
        }
    }

    /// A list of addresses: a JSON array of strings or one comma-separated string.
    pub fn opt_list(&self, paths: &[&'static str]) -> Result<Option<Vec<String>>, Fail> {
        let Some((path, value)) = self.get(paths) else {
            return Ok(None);
        };
        let list = match value {
            Value::String(s) => s
                .split(',')
                .map(|item| bounded_len(path, item.trim(), MAX_STRING).map(|()| item))
                .collect::<Result<Vec<_>, _>>()?
                .into_iter()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
            Value::Array(items) => items
                .iter()
                .map(|item| match item {
                    Value::String(s) if !s.is_empty() => {
                        bounded_len(path, s, MAX_STRING).map(|()| s.clone())
                    }
                    other => Err(type_error(path, "an array of non-empty strings", other)),
                })
                .collect::<Result<_, _>>()?,
            other => {
                return Err(type_error(
                    path,
                    "an array of strings or a comma-separated string",
                    other,
                ))
            }
        };
        Ok(Some(list))
    }

    /// A positive integer within `1..=max`, or `default` when absent.
    pub fn bounded(
        &self,
        paths: &[&'static str],
        default: i64,
        max: i64,
        unit: &str,
    ) -> Result<i64, Fail> {
        let value = self.opt_int(paths)?.unwrap_or(default);
        if (1..=max).contains(&value) {
            Ok(value)
        } else {
            Err(Fail::new(
                "BADFIELD",
                format!(
                    "{} must be between 1 and {max} {unit}, got {value}",
                    paths[0]
                ),
            ))
        }
    }
}

/// The longest address, name or app id accepted, in characters.
pub const MAX_STRING: usize = 256;

fn bounded_len(path: &str, s: &str, max: usize) -> Result<(), Fail> {
    // Bytes bound characters from above: only a long string needs counting.
    if s.len() > max && s.chars().count() > max {
        return Err(Fail::new(
            "BADFIELD",
            format!("{path} is longer than {max} characters"),
        ));
    }
    Ok(())
}

fn missing(paths: &[&'static str]) -> Fail {
    let names = paths.join(" or ");
    Fail::new("MISSINGFIELD", format!("{names} is required"))
}

fn type_error(path: &str, expected: &str, got: &Value) -> Fail {
    let kind = match got {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    };
    Fail::new("BADFIELD", format!("{path} must be {expected}, got {kind}"))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use serde_json::json;

    use super::Fields;

    #[test]
    fn json_path_and_legacy_name_reach_the_same_field() {
        let json = json!({"user": {"address": "a@x", "active": false}});
        let form = json!({"addr": "a@x", "active": "0"});
        for body in [&json, &form] {
            let f = Fields(body);
            assert_eq!(f.req_str(&["user.address", "addr"]).unwrap(), "a@x");
            assert_eq!(f.opt_bool(&["user.active", "active"]).unwrap(), Some(false));
        }
    }

    #[test]
    fn wrong_types_and_missing_fields_name_the_field() {
        let body = json!({"user": {"address": 5}, "count": "x"});
        let f = Fields(&body);
        let err = f.req_str(&["user.address"]).unwrap_err();
        assert_eq!(err.code, "BADFIELD");
        assert!(err
            .message
            .contains("user.address must be a string, got a number"));
        assert_eq!(f.req_str(&["user.name"]).unwrap_err().code, "MISSINGFIELD");
        assert_eq!(
            f.bounded(&["count"], 20, 20, "users").unwrap_err().code,
            "BADFIELD"
        );
        let body = json!({"count": 21});
        assert_eq!(
            Fields(&body)
                .bounded(&["count"], 20, 20, "")
                .unwrap_err()
                .code,
            "BADFIELD"
        );
    }

    #[test]
    fn every_string_is_bounded_before_the_store() {
        let long = "a".repeat(257);
        let body = json!({"user": {"address": long}, "m": format!("ok,{long}"), "list": [long], "msg": long});
        let f = Fields(&body);
        for err in [
            f.req_str(&["user.address"]).unwrap_err(),
            f.opt_list(&["m"]).unwrap_err(),
            f.opt_list(&["list"]).unwrap_err(),
        ] {
            assert_eq!(err.code, "BADFIELD");
            assert!(
                err.message.contains("longer than 256 characters"),
                "{err:?}"
            );
        }
        assert_eq!(f.req_text(&["msg"], 1000).unwrap().len(), 257);
        // 256 two-byte characters are 512 bytes and still fit.
        let body = json!({"a": "é".repeat(256)});
        assert!(Fields(&body).req_str(&["a"]).is_ok());
    }

    #[test]
    fn member_lists_take_arrays_or_commas() {
        let body = json!({"m": "a, b,,c", "group": {"members": ["x", "y"]}});
        let f = Fields(&body);
        assert_eq!(f.opt_list(&["m"]).unwrap().unwrap(), ["a", "b", "c"]);
        assert_eq!(f.opt_list(&["group.members"]).unwrap().unwrap(), ["x", "y"]);
    }
}
