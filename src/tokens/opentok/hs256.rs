//! The OpenTok HS256 client JWT that current SDKs emit by default, in the Python SDK's shape:
//! `session_id, role, iat, exp, scope, [initial_layout_class_list], [connection_data], iss,
//! ist, nonce`, signed with the project's API secret.

use serde::Serialize;
use serde_json::Value;

use super::{check_options, BuildError, TokenOptions, DEFAULT_LIFETIME_SECS};
use crate::tokens::jwt::{self, Jwt};
use crate::tokens::{DecodeError, DecodedToken, TokenFormat, VerifyError};

#[derive(Serialize)]
struct Header {
    alg: &'static str,
    typ: &'static str,
}

#[derive(Serialize)]
struct Payload<'a> {
    session_id: &'a str,
    role: &'static str,
    iat: i64,
    exp: i64,
    scope: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    initial_layout_class_list: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    connection_data: Option<&'a str>,
    iss: &'a str,
    ist: &'static str,
    nonce: u32,
}

/// Builds an HS256 client JWT.
pub fn build_jwt(
    api_key: &str,
    api_secret: &str,
    opts: &TokenOptions,
    now_unix: i64,
    nonce: u32,
) -> Result<String, BuildError> {
    if api_secret.is_empty() {
        return Err(BuildError::Missing("API secret"));
    }
    let exp = check_options(api_key, opts, now_unix, DEFAULT_LIFETIME_SECS)?;
    let layout = opts.initial_layout_class_list.join(" ");
    let payload = Payload {
        session_id: &opts.session_id,
        role: opts.role.as_str(),
        iat: now_unix,
        exp,
        scope: "session.connect",
        initial_layout_class_list: (!layout.is_empty()).then_some(layout),
        connection_data: opts.connection_data.as_deref(),
        iss: api_key,
        ist: "project",
        nonce,
    };
    let header = Header {
        alg: "HS256",
        typ: "JWT",
    };
    Ok(jwt::encode_hs256(&header, &payload, api_secret.as_bytes())?)
}

/// Whether a parsed JWT is an OpenTok client or project token.
pub fn is_opentok_jwt(jwt: &Jwt<'_>) -> bool {
    jwt.alg() == Some("HS256")
        && (jwt.claim_str("ist") == Some("project") || jwt.payload.contains_key("session_id"))
}

/// The format-independent view of a parsed OpenTok JWT.
pub fn jwt_to_decoded(jwt: &Jwt<'_>) -> DecodedToken {
    DecodedToken {
        notes: Vec::new(),
        format: TokenFormat::OpentokJwt,
        app: jwt
            .payload
            .get("iss")
            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned)),
        subject: jwt.claim_str("session_id").map(str::to_owned),
        issued_at: jwt.claim_i64("iat"),
        expires_at: jwt.claim_i64("exp"),
        claims: Value::Object(jwt.payload.clone()),
    }
}

/// Decodes an OpenTok JWT without verifying it.
pub fn decode_jwt(token: &str) -> Result<DecodedToken, DecodeError> {
    let jwt = jwt::parse(token)?;
    if !is_opentok_jwt(&jwt) {
        return Err(DecodeError::InvalidField {
            field: "ist",
            reason: "not an OpenTok token (no ist=project or session_id)".into(),
        });
    }
    Ok(jwt_to_decoded(&jwt))
}

/// Verifies an OpenTok JWT with the API secret.
pub fn verify_jwt(token: &str, api_secret: &str) -> Result<DecodedToken, VerifyError> {
    let jwt = jwt::parse(token)?;
    if !is_opentok_jwt(&jwt) {
        return Err(VerifyError::Malformed(DecodeError::InvalidField {
            field: "ist",
            reason: "not an OpenTok token (no ist=project or session_id)".into(),
        }));
    }
    jwt::verify_hs256(&jwt, api_secret.as_bytes())?;
    Ok(jwt_to_decoded(&jwt))
}
