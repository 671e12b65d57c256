//! Format auto-detection: the prefix (`007`, `006`, `T1==`) or, for JWTs, the header and
//! claims decide which decoder runs.

use super::{agora, jwt, opentok, twilio, vonage, DecodeError, DecodedToken, TokenFormat};
use serde_json::Value;

/// Detects and decodes; see [`super::decode`].
pub(crate) fn decode(token: &str) -> Result<DecodedToken, DecodeError> {
    let token = token.trim();
    let mut decoded = decode_strict(token)?;
    decoded.notes.extend(padding_notes(token));
    Ok(decoded)
}

/// What the base64 of `token` does with padding that its format does not: 007, 006 and T1
/// bodies are `=`-padded, JWT parts are not. The decoders accept both (tokens copied by
/// hand lose their `=`), and `decode` says so.
fn padding_notes(token: &str) -> Vec<String> {
    let padded_body = [
        (agora::VERSION, 3),
        (agora::v006::VERSION, 35),
        (opentok::t1::PREFIX, opentok::t1::PREFIX.len()),
    ]
    .into_iter()
    .find(|(prefix, _)| token.starts_with(prefix))
    .and_then(|(_, start)| token.get(start..));
    if let Some(body) = padded_body {
        return if body.len() % 4 == 0 {
            Vec::new()
        } else {
            vec![format!(
                "base64 padding missing ({} `=` expected at byte {}); accepted",
                4 - body.len() % 4,
                token.len()
            )]
        };
    }
    let mut notes = Vec::new();
    let mut offset = 0;
    for (part, name) in token.split('.').zip(["header", "payload", "signature"]) {
        if let Some(at) = part.find('=') {
            notes.push(format!(
                "JWT {name} carries `=` padding at byte {} (JWTs use unpadded base64url); accepted",
                offset + at
            ));
        }
        offset += part.len() + 1;
    }
    notes
}

fn decode_strict(token: &str) -> Result<DecodedToken, DecodeError> {
    if token.starts_with(agora::VERSION) {
        return agora::parse(token).map(|t| t.to_decoded());
    }
    if token.starts_with(agora::v006::VERSION) {
        return agora::v006::parse(token).map(|t| t.to_decoded());
    }
    if token.starts_with(opentok::t1::PREFIX) {
        return opentok::decode_t1(token);
    }
    // Every JWT header is a JSON object, so its base64url starts with "eyJ" (`{"`).
    if token.starts_with("eyJ") {
        let jwt = jwt::parse(token)?;
        return Ok(if twilio::is_twilio(&jwt) {
            twilio::to_decoded(&jwt)
        } else if vonage::is_vonage(&jwt) {
            vonage::to_decoded(&jwt)
        } else if opentok::is_opentok_jwt(&jwt) {
            opentok::jwt_to_decoded(&jwt)
        } else {
            generic(&jwt)
        });
    }
    Err(DecodeError::Unrecognized)
}

/// A JWT of no known vendor: what its registered claims say, nothing invented.
fn generic(jwt: &jwt::Jwt<'_>) -> DecodedToken {
    DecodedToken {
        notes: Vec::new(),
        format: TokenFormat::Opaque,
        app: jwt.claim_str("iss").map(str::to_owned),
        subject: jwt.claim_str("sub").map(str::to_owned),
        issued_at: jwt.claim_i64("iat"),
        expires_at: jwt.claim_i64("exp"),
        claims: Value::Object(jwt.payload.clone()),
    }
}
