//! The legacy OpenTok token: `"T1==" + base64("partner_id=KEY&sig=HEX:" + data)`, where
//! `sig` is HMAC-SHA1 over the raw data string. Field order differs between SDKs, so
//! verification always runs over the data string exactly as carried.

use std::fmt::Write as _;

use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::{Map, Value};
use sha1::Sha1;

use super::{check_options, BuildError, TokenOptions, DEFAULT_LIFETIME_SECS};
use crate::tokens::codec::{self, STANDARD};
use crate::tokens::{DecodeError, DecodedToken, TokenFormat, VerifyError};

/// The prefix of every T1 token.
pub const PREFIX: &str = "T1==";

/// A parsed T1 token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct T1Token {
    /// `partner_id`: the API key.
    pub partner_id: String,
    /// The hex signature as carried.
    pub sig: String,
    /// The signed data string, verbatim.
    pub data: String,
    /// The data fields, decoded, in token order.
    pub fields: Vec<(String, String)>,
}

impl T1Token {
    /// A data field by name.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The format-independent view.
    pub fn to_decoded(&self) -> DecodedToken {
        let mut claims = Map::new();
        claims.insert("partner_id".into(), Value::String(self.partner_id.clone()));
        for (k, v) in &self.fields {
            claims.insert(k.clone(), Value::String(v.clone()));
        }
        let number = |name| {
            self.field(name)
                .and_then(|v| v.split('.').next())
                .and_then(|v| v.parse::<i64>().ok())
        };
        DecodedToken {
            notes: Vec::new(),
            format: TokenFormat::OpentokT1,
            app: Some(self.partner_id.clone()),
            subject: self.field("session_id").map(str::to_owned),
            issued_at: number("create_time"),
            expires_at: number("expire_time"),
            claims: Value::Object(claims),
        }
    }
}

/// Python's `quote_plus`: unreserved characters stay, space becomes `+`, the rest `%XX`.
fn quote_plus(out: &mut String, value: &str) {
    for b in value.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'_' | b'.' | b'-' | b'~' => {
                out.push(char::from(b));
            }
            b' ' => out.push('+'),
            _ => {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
}

fn sign(api_secret: &str, data: &str) -> Hmac<Sha1> {
    let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(api_secret.as_bytes()) else {
        unreachable!("HMAC takes keys of any length")
    };
    mac.update(data.as_bytes());
    mac
}

/// Builds a T1 token the way the Python SDK does (its field order and encoding).
pub fn build_t1(
    api_key: &str,
    api_secret: &str,
    opts: &TokenOptions,
    now_unix: i64,
    nonce: u32,
) -> Result<String, BuildError> {
    if api_secret.is_empty() {
        return Err(BuildError::Missing("API secret"));
    }
    let expire_time = check_options(api_key, opts, now_unix, DEFAULT_LIFETIME_SECS)?;
    let mut data = String::with_capacity(256);
    let field = |data: &mut String, name: &str, value: &str| {
        if !data.is_empty() {
            data.push('&');
        }
        data.push_str(name);
        data.push('=');
        quote_plus(data, value);
    };
    field(&mut data, "session_id", &opts.session_id);
    field(&mut data, "create_time", &now_unix.to_string());
    field(&mut data, "expire_time", &expire_time.to_string());
    field(&mut data, "role", opts.role.as_str());
    field(&mut data, "nonce", &nonce.to_string());
    field(
        &mut data,
        "initial_layout_class_list",
        &opts.initial_layout_class_list.join(" "),
    );
    if let Some(cd) = &opts.connection_data {
        field(&mut data, "connection_data", cd);
    }
    let sig = hex::encode(sign(api_secret, &data).finalize().into_bytes());
    let plain = format!("partner_id={api_key}&sig={sig}:{data}");
    let mut token = String::from(PREFIX);
    STANDARD.encode_string(plain, &mut token);
    Ok(token)
}

/// Parses a T1 token (either base64 alphabet, any field order) without verifying it.
pub fn parse_t1(token: &str) -> Result<T1Token, DecodeError> {
    let token = token.trim();
    let Some(body) = token.strip_prefix(PREFIX) else {
        return Err(DecodeError::InvalidField {
            field: "prefix",
            reason: format!("expected {PREFIX}"),
        });
    };
    let bytes = codec::decode_b64_any(body, PREFIX.len())?;
    let text = String::from_utf8(bytes).map_err(|err| DecodeError::InvalidField {
        field: "content",
        reason: format!("not UTF-8 at byte {}", err.utf8_error().valid_up_to()),
    })?;
    let Some((head, data)) = text.split_once(':') else {
        return Err(DecodeError::MissingField(
            "':' between the partner_id/sig part and the data",
        ));
    };
    let mut partner_id = None;
    let mut sig = None;
    for (k, v) in form_urlencoded::parse(head.as_bytes()) {
        match k.as_ref() {
            "partner_id" => partner_id = Some(v.into_owned()),
            "sig" => sig = Some(v.into_owned()),
            _ => {}
        }
    }
    let data_at = head.len() + 1;
    check_t1_data(data, data_at)?;
    let fields = form_urlencoded::parse(data.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if let Some((_, sig)) = form_urlencoded::parse(head.as_bytes()).find(|(k, _)| k == "sig") {
        if sig.len() != 40 || !sig.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(DecodeError::BadFieldAt {
                field: "sig",
                reason: format!("is {} characters; an HMAC-SHA1 is 40 hex digits", sig.len()),
                offset: head.find("sig=").map_or(0, |i| i + 4),
            });
        }
    }
    Ok(T1Token {
        partner_id: partner_id.ok_or(DecodeError::MissingField("partner_id"))?,
        sig: sig.ok_or(DecodeError::MissingField("sig"))?,
        data: data.to_owned(),
        fields,
    })
}

/// The fields every SDK writes (python, node, Java; specs/token-formats.md §3.1).
const T1_REQUIRED: [&str; 5] = ["session_id", "create_time", "expire_time", "nonce", "role"];

/// Checks a T1 data string for what a token cut short or altered shows: a broken `%XX`
/// escape, a missing required field, a time that is not a number, an expiry not after the
/// creation (a cut `expire_time=14` used to decode as 1970). `base` is where the data starts
/// in the decoded content, so offsets point into it.
fn check_t1_data(data: &str, base: usize) -> Result<(), DecodeError> {
    let bytes = data.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        let escape_ok = bytes
            .get(i + 1..i + 3)
            .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit));
        if *b == b'%' && !escape_ok {
            return Err(DecodeError::BadFieldAt {
                field: "data",
                reason: "has a `%` escape without two hex digits".to_owned(),
                offset: base + i,
            });
        }
    }
    let mut at = base;
    let mut values = std::collections::BTreeMap::new();
    for pair in data.split('&') {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        values.insert(key, (value, at + key.len() + 1));
        at += pair.len() + 1;
    }
    let end = base + data.len();
    for field in T1_REQUIRED {
        if !values.contains_key(field) {
            return Err(DecodeError::BadFieldAt {
                field,
                reason: "is missing".to_owned(),
                offset: end,
            });
        }
    }
    let time = |field: &'static str| -> Result<i64, DecodeError> {
        let (value, offset) = values[field];
        value.parse::<i64>().map_err(|_| DecodeError::BadFieldAt {
            field,
            reason: format!("{value:?} is not a number of seconds"),
            offset,
        })
    };
    let created = time("create_time")?;
    let expires = time("expire_time")?;
    if expires <= created {
        return Err(DecodeError::BadFieldAt {
            field: "expire_time",
            reason: format!("{expires} is not after create_time {created}"),
            offset: values["expire_time"].1,
        });
    }
    Ok(())
}

/// Decodes a T1 token into the format-independent view.
pub fn decode_t1(token: &str) -> Result<DecodedToken, DecodeError> {
    parse_t1(token).map(|t| t.to_decoded())
}

/// Verifies a T1 token's HMAC-SHA1 over its raw data string, in constant time.
pub fn verify_t1(token: &str, api_secret: &str) -> Result<T1Token, VerifyError> {
    let parsed = parse_t1(token)?;
    let sig = hex::decode(&parsed.sig).map_err(|err| DecodeError::InvalidField {
        field: "sig",
        reason: format!("not hexadecimal: {err}"),
    })?;
    sign(api_secret, &parsed.data)
        .verify_slice(&sig)
        .map_err(|_| VerifyError::SignatureMismatch)?;
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::super::{new_session_id, Role};
    use super::*;

    #[test]
    fn quote_plus_matches_python() {
        let mut s = String::new();
        quote_plus(&mut s, "a b~*{\"é");
        assert_eq!(s, "a+b~%2A%7B%22%C3%A9");
    }

    #[test]
    fn round_trip_in_url_safe_alphabet() {
        let opts = TokenOptions {
            session_id: new_session_id("4711", 1, "xyz"),
            role: Role::Moderator,
            connection_data: Some("name=a b?".into()),
            initial_layout_class_list: vec!["focus".into(), "full".into()],
            ..TokenOptions::default()
        };
        let token = build_t1("4711", "s3cret", &opts, 1_000, 7).unwrap();
        let url_safe = token.replace('+', "-").replace('/', "_");
        let parsed = verify_t1(&url_safe, "s3cret").unwrap();
        assert_eq!(parsed.field("connection_data"), Some("name=a b?"));
        assert_eq!(
            parsed.field("initial_layout_class_list"),
            Some("focus full")
        );
        assert_eq!(
            verify_t1(&token, "other").unwrap_err(),
            VerifyError::SignatureMismatch
        );
    }
}
