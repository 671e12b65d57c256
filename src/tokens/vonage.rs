//! Vonage Video client tokens: RS256 JWTs signed with a Vonage application's private key, in
//! the shape of the Vonage Python SDK's `generate_client_token`. RSASSA-PKCS1-v1_5 is
//! deterministic, so the official vector's signature reproduces exactly.

use rsa::pkcs1::{DecodeRsaPrivateKey, DecodeRsaPublicKey};
use rsa::pkcs1v15::{Signature, SigningKey, VerifyingKey};
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey};
use rsa::sha2::Sha256;
use rsa::signature::{SignatureEncoding, Signer, Verifier};
use rsa::{RsaPrivateKey, RsaPublicKey};
use serde::Serialize;
use serde_json::{json, Value};

use super::jwt::{self, Jwt};
pub use super::opentok::{BuildError, Role, TokenOptions};
use super::opentok::{MAX_CONNECTION_DATA, MAX_LIFETIME_SECS};
use super::{DecodeError, DecodedToken, TokenFormat, VerifyError};

/// Default lifetime of a Vonage client token: 15 minutes.
pub const DEFAULT_LIFETIME_SECS: i64 = 15 * 60;

#[derive(Serialize)]
struct Header {
    alg: &'static str,
    typ: &'static str,
}

#[derive(Serialize)]
struct Payload<'a> {
    session_id: &'a str,
    role: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    connection_data: Option<&'a str>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    initial_layout_class_list: &'a [String],
    exp: i64,
    jti: &'a str,
    iat: i64,
    subject: &'static str,
    scope: &'static str,
    acl: Value,
    application_id: &'a str,
}

/// Reads an RSA private key from PKCS#8 (`BEGIN PRIVATE KEY`) or PKCS#1 PEM.
pub fn private_key_from_pem(pem: &str) -> Result<RsaPrivateKey, String> {
    RsaPrivateKey::from_pkcs8_pem(pem.trim())
        .or_else(|_| RsaPrivateKey::from_pkcs1_pem(pem.trim()))
        .map_err(|err| format!("not an RSA private key in PKCS#8 or PKCS#1 PEM: {err}"))
}

/// Reads an RSA public key from SPKI or PKCS#1 PEM, or derives it from a private key PEM.
pub fn public_key_from_pem(pem: &str) -> Result<RsaPublicKey, String> {
    let pem = pem.trim();
    RsaPublicKey::from_public_key_pem(pem)
        .or_else(|_| RsaPublicKey::from_pkcs1_pem(pem))
        .or_else(|_| private_key_from_pem(pem).map(|k| k.to_public_key()))
        .map_err(|_| "not an RSA public or private key in PEM form".to_owned())
}

/// Builds a client token for `application_id`, signed with `private_key_pem`.
pub fn build(
    application_id: &str,
    private_key_pem: &str,
    opts: &TokenOptions,
    now_unix: i64,
    jti: &str,
) -> Result<String, BuildError> {
    let key = private_key_from_pem(private_key_pem).map_err(BuildError::Key)?;
    build_with_key(application_id, &key, opts, now_unix, jti)
}

/// [`build`] with a key already parsed, for callers that mint many tokens.
pub fn build_with_key(
    application_id: &str,
    key: &RsaPrivateKey,
    opts: &TokenOptions,
    now_unix: i64,
    jti: &str,
) -> Result<String, BuildError> {
    if application_id.is_empty() {
        return Err(BuildError::Missing("application id"));
    }
    if opts.session_id.is_empty() {
        return Err(BuildError::Missing("session id"));
    }
    let exp = opts.expire_time.unwrap_or(now_unix + DEFAULT_LIFETIME_SECS);
    if exp <= now_unix {
        return Err(BuildError::ExpiryInPast {
            expire_time: exp,
            now: now_unix,
        });
    }
    if exp > now_unix + MAX_LIFETIME_SECS {
        return Err(BuildError::ExpiryTooFar {
            expire_time: exp,
            latest: now_unix + MAX_LIFETIME_SECS,
        });
    }
    if let Some(data) = &opts.connection_data {
        let chars = data.chars().count();
        if chars > MAX_CONNECTION_DATA {
            return Err(BuildError::ConnectionDataTooLong(chars));
        }
    }
    let payload = Payload {
        session_id: &opts.session_id,
        role: opts.role.as_str(),
        connection_data: opts.connection_data.as_deref(),
        initial_layout_class_list: &opts.initial_layout_class_list,
        exp,
        jti,
        iat: now_unix,
        subject: "video",
        scope: "session.connect",
        acl: json!({"paths": {"/session/**": {}}}),
        application_id,
    };
    let header = Header {
        alg: "RS256",
        typ: "JWT",
    };
    let input = jwt::signing_input(&header, &payload)?;
    let signer = SigningKey::<Sha256>::new(key.clone());
    let sig = signer
        .try_sign(input.as_bytes())
        .map_err(|err| BuildError::Key(err.to_string()))?;
    Ok(jwt::append_signature(input, &sig.to_bytes()))
}

/// Whether a parsed JWT is a Vonage RS256 token.
pub fn is_vonage(jwt: &Jwt<'_>) -> bool {
    jwt.alg() == Some("RS256")
}

/// The format-independent view of a parsed Vonage JWT.
pub fn to_decoded(jwt: &Jwt<'_>) -> DecodedToken {
    DecodedToken {
        notes: Vec::new(),
        format: TokenFormat::VonageJwt,
        app: jwt.claim_str("application_id").map(str::to_owned),
        subject: jwt
            .claim_str("session_id")
            .or_else(|| jwt.claim_str("sub"))
            .map(str::to_owned),
        issued_at: jwt.claim_i64("iat"),
        expires_at: jwt.claim_i64("exp"),
        claims: Value::Object(jwt.payload.clone()),
    }
}

/// Decodes a Vonage token without verifying it.
pub fn decode(token: &str) -> Result<DecodedToken, DecodeError> {
    let jwt = jwt::parse(token)?;
    if !is_vonage(&jwt) {
        return Err(DecodeError::InvalidField {
            field: "alg",
            reason: "expected RS256".into(),
        });
    }
    Ok(to_decoded(&jwt))
}

/// Verifies a Vonage token with the application's public key, or the private key it was
/// signed with (the public half is derived from it).
pub fn verify(token: &str, public_or_private_pem: &str) -> Result<DecodedToken, VerifyError> {
    let jwt = jwt::parse(token)?;
    if !is_vonage(&jwt) {
        return Err(DecodeError::InvalidField {
            field: "alg",
            reason: "expected RS256".into(),
        }
        .into());
    }
    let key = public_key_from_pem(public_or_private_pem).map_err(VerifyError::BadKey)?;
    let sig = Signature::try_from(jwt.signature.as_slice())
        .map_err(|_| VerifyError::SignatureMismatch)?;
    VerifyingKey::<Sha256>::new(key)
        .verify(jwt.signing_input.as_bytes(), &sig)
        .map_err(|_| VerifyError::SignatureMismatch)?;
    Ok(to_decoded(&jwt))
}
