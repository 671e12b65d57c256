//! The JWT plumbing the three JWT formats share (Twilio, OpenTok, Vonage): splitting into
//! parts, base64url, compact JSON, and HS256 signing and constant-time verification.
//!
//! RS256 signing lives with Vonage, its only user; everything that touches the compact
//! serialisation is here so the formats cannot drift apart.

use base64::Engine;
use hmac::Mac;
use serde::Serialize;
use serde_json::{Map, Value};

use super::codec::{self, URL_SAFE};
use super::{DecodeError, VerifyError};

/// A JWT split into its parts, header and payload parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct Jwt<'a> {
    /// The header object, keys in the order the token has them.
    pub header: Map<String, Value>,
    /// The payload (claims) object, keys in the order the token has them.
    pub payload: Map<String, Value>,
    /// `header.payload` exactly as in the token: what the signature covers.
    pub signing_input: &'a str,
    /// The raw signature bytes.
    pub signature: Vec<u8>,
}

impl Jwt<'_> {
    /// The header's `alg`, if it is a string.
    pub fn alg(&self) -> Option<&str> {
        self.header.get("alg").and_then(Value::as_str)
    }

    /// A string claim of the payload.
    pub fn claim_str(&self, name: &str) -> Option<&str> {
        self.payload.get(name).and_then(Value::as_str)
    }

    /// A numeric claim of the payload as whole seconds (JSON floats are truncated, as
    /// PyJWT does when it compares them).
    pub fn claim_i64(&self, name: &str) -> Option<i64> {
        let value = self.payload.get(name)?;
        #[allow(clippy::cast_possible_truncation)]
        value.as_i64().or_else(|| value.as_f64().map(|f| f as i64))
    }
}

/// Splits and parses a compact JWT. Errors name the part and the byte offset in `token`.
pub fn parse(token: &str) -> Result<Jwt<'_>, DecodeError> {
    let token = token.trim();
    let parts = token.split('.').count();
    if parts != 3 {
        return Err(DecodeError::JwtParts(parts));
    }
    let mut it = token.splitn(3, '.');
    let (Some(h), Some(p), Some(s)) = (it.next(), it.next(), it.next()) else {
        return Err(DecodeError::JwtParts(parts));
    };
    let header = json_part(h, 0, "header")?;
    let payload = json_part(p, h.len() + 1, "payload")?;
    let signature = codec::decode_b64(&URL_SAFE, s, h.len() + p.len() + 2)?;
    // An HMAC-SHA256 is 32 bytes whatever the key: a shorter or longer one was cut or altered.
    if header.get("alg").and_then(Value::as_str) == Some("HS256") && signature.len() != 32 {
        return Err(DecodeError::BadFieldAt {
            field: "signature",
            reason: format!("is {} bytes; an HS256 signature is 32", signature.len()),
            offset: h.len() + p.len() + 2,
        });
    }
    Ok(Jwt {
        header,
        payload,
        signing_input: &token[..h.len() + 1 + p.len()],
        signature,
    })
}

fn json_part(
    text: &str,
    base: usize,
    part: &'static str,
) -> Result<Map<String, Value>, DecodeError> {
    let bytes = codec::decode_b64(&URL_SAFE, text, base)?;
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(other) => Err(DecodeError::JwtJson {
            part,
            reason: format!("found {}", json_kind(&other)),
        }),
        Err(err) => Err(DecodeError::JwtJson {
            part,
            reason: err.to_string(),
        }),
    }
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Why a JWT could not be built.
#[derive(Debug, thiserror::Error)]
pub enum EncodeError {
    /// serde_json refused a claim (only possible with non-string map keys).
    #[error("claims cannot be serialised: {0}")]
    Json(#[from] serde_json::Error),
}

/// `base64url(json(header)) "." base64url(json(payload))`: compact JSON, as PyJWT and
/// jsonwebtoken emit it.
pub fn signing_input<H: Serialize, P: Serialize>(
    header: &H,
    payload: &P,
) -> Result<String, EncodeError> {
    let header = serde_json::to_vec(header)?;
    let payload = serde_json::to_vec(payload)?;
    let mut out = String::with_capacity((header.len() + payload.len()) * 4 / 3 + 48);
    URL_SAFE.encode_string(header, &mut out);
    out.push('.');
    URL_SAFE.encode_string(payload, &mut out);
    Ok(out)
}

/// Appends `"." base64url(signature)` to a signing input.
pub fn append_signature(mut signing_input: String, signature: &[u8]) -> String {
    signing_input.push('.');
    URL_SAFE.encode_string(signature, &mut signing_input);
    signing_input
}

/// Builds an HS256 JWT signed with `secret`.
pub fn encode_hs256<H: Serialize, P: Serialize>(
    header: &H,
    payload: &P,
    secret: &[u8],
) -> Result<String, EncodeError> {
    let input = signing_input(header, payload)?;
    let sig = codec::hmac_sha256(secret, input.as_bytes());
    Ok(append_signature(input, &sig))
}

/// Checks an HS256 signature in constant time; any other `alg` is refused, so a token
/// cannot downgrade itself to `none`.
pub fn verify_hs256(jwt: &Jwt<'_>, secret: &[u8]) -> Result<(), VerifyError> {
    match jwt.alg() {
        Some("HS256") => {}
        Some(other) => {
            return Err(VerifyError::Malformed(DecodeError::InvalidField {
                field: "alg",
                reason: format!("{other} where HS256 was expected"),
            }))
        }
        None => return Err(VerifyError::Malformed(DecodeError::MissingField("alg"))),
    }
    let mut mac = codec::new_hmac_sha256(secret);
    mac.update(jwt.signing_input.as_bytes());
    mac.verify_slice(&jwt.signature)
        .map_err(|_| VerifyError::SignatureMismatch)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    #[test]
    fn part_count_is_reported() {
        assert_eq!(
            parse("a.b").unwrap_err().to_string(),
            "JWT has 2 parts, expected 3"
        );
        assert_eq!(parse("a.b.c.d").unwrap_err(), DecodeError::JwtParts(4));
    }

    #[test]
    fn hs256_round_trip_and_tamper() {
        let token = encode_hs256(
            &json!({"alg":"HS256","typ":"JWT"}),
            &json!({"sub":"x"}),
            b"k",
        )
        .unwrap();
        let jwt = parse(&token).unwrap();
        assert_eq!(jwt.claim_str("sub"), Some("x"));
        verify_hs256(&jwt, b"k").unwrap();
        assert_eq!(
            verify_hs256(&jwt, b"K"),
            Err(VerifyError::SignatureMismatch)
        );
    }

    #[test]
    fn alg_none_is_refused() {
        let token = encode_hs256(&json!({"alg":"none"}), &json!({}), b"k").unwrap();
        assert!(verify_hs256(&parse(&token).unwrap(), b"k")
            .unwrap_err()
            .is_malformed());
    }

    #[test]
    fn payload_error_points_past_the_header() {
        let err = parse("e30.e!.c2ln").unwrap_err();
        assert!(
            matches!(err, DecodeError::Base64 { offset: 5, .. }),
            "{err}"
        );
    }
}
