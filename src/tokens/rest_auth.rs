//! The short-lived JWTs a server signs to call the video REST APIs (not client tokens):
//!
//! - OpenTok's `X-OPENTOK-AUTH` project JWT, HS256 with the project's API secret. Claims as
//!   the REST reference lists them (tokbox.com/developer/rest, "Authentication"): `iss` = API
//!   key, `ist` = `"project"`, `iat`, `exp` (at most 5 minutes ahead), `jti` (optional). In
//!   the order and with the lifetime opentok-python 3.13 uses (`_create_jwt_auth_header`:
//!   `ist, iat, exp = iat + 180, iss, jti`).
//! - The Vonage application JWT, RS256 with the application's private key, as vonage-jwt
//!   1.1 builds it (`JwtClient.generate_application_jwt`): `application_id`, `iat`, `jti` (a
//!   UUID), `exp` = `iat` + 15 minutes; header `{"alg":"RS256","typ":"JWT"}`.

use rsa::pkcs1v15::SigningKey;
use rsa::sha2::Sha256;
use rsa::signature::{SignatureEncoding, Signer};
use rsa::RsaPrivateKey;
use serde::Serialize;

use super::jwt::{self, EncodeError};
use super::opentok::BuildError;

/// Lifetime of an `X-OPENTOK-AUTH` JWT: 3 minutes (opentok-python's `_jwt_livetime`, and the
/// REST reference's recommendation).
pub const OPENTOK_REST_LIFETIME_SECS: i64 = 180;
/// The longest lifetime the OpenTok REST API accepts: 5 minutes (REST reference).
pub const OPENTOK_REST_MAX_LIFETIME_SECS: i64 = 300;
/// Lifetime of a Vonage application JWT: 15 minutes (vonage-jwt's default).
pub const VONAGE_APP_JWT_LIFETIME_SECS: i64 = 15 * 60;

#[derive(Serialize)]
struct Header {
    alg: &'static str,
    typ: &'static str,
}

#[derive(Serialize)]
struct OpentokClaims<'a> {
    ist: &'static str,
    iat: i64,
    exp: i64,
    iss: &'a str,
    jti: &'a str,
}

#[derive(Serialize)]
struct VonageClaims<'a> {
    application_id: &'a str,
    iat: i64,
    jti: &'a str,
    exp: i64,
}

/// The `X-OPENTOK-AUTH` value for `api_key`, signed with `api_secret`, issued at `now`.
pub fn opentok_rest_jwt(
    api_key: &str,
    api_secret: &str,
    now: i64,
    jti: &str,
) -> Result<String, EncodeError> {
    let claims = OpentokClaims {
        ist: "project",
        iat: now,
        exp: now + OPENTOK_REST_LIFETIME_SECS,
        iss: api_key,
        jti,
    };
    let header = Header {
        alg: "HS256",
        typ: "JWT",
    };
    jwt::encode_hs256(&header, &claims, api_secret.as_bytes())
}

/// A Vonage application JWT for `application_id`, signed with its private key.
pub fn vonage_application_jwt(
    application_id: &str,
    key: &RsaPrivateKey,
    now: i64,
    jti: &str,
) -> Result<String, BuildError> {
    if application_id.is_empty() {
        return Err(BuildError::Missing("application id"));
    }
    let claims = VonageClaims {
        application_id,
        iat: now,
        jti,
        exp: now + VONAGE_APP_JWT_LIFETIME_SECS,
    };
    let header = Header {
        alg: "RS256",
        typ: "JWT",
    };
    let input = jwt::signing_input(&header, &claims)?;
    let sig = SigningKey::<Sha256>::new(key.clone())
        .try_sign(input.as_bytes())
        .map_err(|err| BuildError::Key(err.to_string()))?;
    Ok(jwt::append_signature(input, &sig.to_bytes()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    #[test]
    fn opentok_claims_are_the_rest_reference_ones() {
        let token = opentok_rest_jwt("123456", "s3cret", 1_700_000_000, "j1").unwrap();
        let jwt = jwt::parse(&token).unwrap();
        jwt::verify_hs256(&jwt, b"s3cret").unwrap();
        assert_eq!(
            serde_json::Value::Object(jwt.payload.clone()),
            json!({"ist":"project","iat":1_700_000_000,"exp":1_700_000_180,"iss":"123456","jti":"j1"})
        );
        assert_eq!(
            serde_json::Value::Object(jwt.header),
            json!({"alg":"HS256","typ":"JWT"})
        );
    }

    #[test]
    fn vonage_claims_are_vonage_jwt_ones_and_the_signature_verifies() {
        let pem = include_str!("../../tests/data/vonage-fake-private-key.pem");
        let key = super::super::vonage::private_key_from_pem(pem).unwrap();
        let token = vonage_application_jwt("app-1", &key, 1_700_000_000, "u-1").unwrap();
        let jwt = jwt::parse(&token).unwrap();
        assert_eq!(
            serde_json::Value::Object(jwt.payload.clone()),
            json!({"application_id":"app-1","iat":1_700_000_000,"jti":"u-1","exp":1_700_000_900})
        );
        // The client-token verifier checks any RS256 signature made with this key.
        super::super::vonage::verify(&token, pem).unwrap();
        assert!(vonage_application_jwt("", &key, 1, "x").is_err());
    }
}
