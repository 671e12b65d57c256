//! Format auto-detection: the prefix (`007`, `006`, `T1==`) or, for JWTs, the header and
//! claims decide which decoder runs.

use super::{agora, jwt, opentok, twilio, vonage, DecodeError, DecodedToken, TokenFormat};
use serde_json::Value;

/// Detects and decodes; see [`super::decode`].
pub(crate) fn decode(token: &str) -> Result<DecodedToken, DecodeError> {
    let token = token.trim();
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
        format: TokenFormat::Opaque,
        app: jwt.claim_str("iss").map(str::to_owned),
        subject: jwt.claim_str("sub").map(str::to_owned),
        issued_at: jwt.claim_i64("iat"),
        expires_at: jwt.claim_i64("exp"),
        claims: Value::Object(jwt.payload.clone()),
    }
}
