//! Who is calling the video REST API, from its auth header:
//!
//! - `X-OPENTOK-AUTH`: an HS256 JWT signed with the project's API secret, `iss` = the API key,
//!   `ist` = `"project"`, `iat`, `exp` at most 5 minutes after `iat` (tokbox.com/developer/rest,
//!   "Authentication").
//! - `Authorization: Bearer`: an RS256 application JWT signed with the Vonage application's
//!   private key, carrying `application_id` (vonage-jwt `generate_application_jwt`).
//!
//! A refusal is 403 `{"code": -1, "message"}`. "No suitable authentication found" is the
//! API's own text for a request without either header (opentok-node test fixture); an `iat`
//! in the future is refused as in support.tokbox.com's article "Unable to create session even
//! though API key and secret are valid" ("issued time cannot be greater than current time").
//! The other messages are the sandbox's words: the API's are not documented.

use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use crate::sandbox::demo;
use crate::tokens::jwt::{self, Jwt};
use crate::tokens::rest_auth::OPENTOK_REST_MAX_LIFETIME_SECS;
use crate::tokens::vonage;

/// Clock skew tolerated on `iat`, in seconds (the sandbox's choice).
const SKEW_SECS: i64 = 5;

/// The authenticated caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    /// An OpenTok project, by API key.
    Project(String),
    /// A Vonage application, by application id.
    Application(String),
}

impl Caller {
    /// The id sessions are created under (API key or application id).
    pub fn owner(&self) -> &str {
        match self {
            Caller::Project(id) | Caller::Application(id) => id,
        }
    }
}

/// An authentication failure: answered 403 `{"code": -1, "message"}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal(pub String);

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        (
            StatusCode::FORBIDDEN,
            axum::Json(json!({"code": -1, "message": self.0})),
        )
            .into_response()
    }
}

fn refuse(message: &str) -> Refusal {
    Refusal(message.to_owned())
}

fn header<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
}

/// A claim as text: PyJWT writes `iss` as a string, jsonwebtoken keeps a numeric API key a
/// number.
fn claim_text(jwt: &Jwt<'_>, name: &str) -> Option<String> {
    match jwt.payload.get(name)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Checks `iat` and `exp`: both present, `iat` not in the future, `exp` not passed.
fn check_times(jwt: &Jwt<'_>, now: i64) -> Result<(i64, i64), Refusal> {
    let (Some(iat), Some(exp)) = (jwt.claim_i64("iat"), jwt.claim_i64("exp")) else {
        return Err(refuse("the JWT must carry iat and exp (unix seconds)"));
    };
    if iat > now + SKEW_SECS {
        return Err(refuse("issued time cannot be greater than current time"));
    }
    if exp <= now {
        return Err(refuse(
            "the JWT has expired (exp is in the past); mint a new one for every request",
        ));
    }
    Ok((iat, exp))
}

fn opentok(token: &str, now: i64) -> Result<Caller, Refusal> {
    let jwt =
        jwt::parse(token).map_err(|e| refuse(&format!("X-OPENTOK-AUTH is not a JWT: {e}")))?;
    if claim_text(&jwt, "ist").as_deref() != Some("project") {
        return Err(refuse(
            "X-OPENTOK-AUTH: ist must be \"project\" for this method",
        ));
    }
    let Some(iss) = claim_text(&jwt, "iss") else {
        return Err(refuse("X-OPENTOK-AUTH: iss (your API key) is missing"));
    };
    if iss != demo::OPENTOK_API_KEY {
        return Err(refuse(&format!(
            "X-OPENTOK-AUTH: unknown API key {iss:?} (the sandbox's project is {})",
            demo::OPENTOK_API_KEY
        )));
    }
    jwt::verify_hs256(&jwt, demo::OPENTOK_API_SECRET.as_bytes()).map_err(|e| {
        refuse(&format!(
            "X-OPENTOK-AUTH: {e}; sign it (HS256) with the project's API secret"
        ))
    })?;
    let (iat, exp) = check_times(&jwt, now)?;
    if exp - iat > OPENTOK_REST_MAX_LIFETIME_SECS {
        return Err(refuse(
            "X-OPENTOK-AUTH: exp is more than 5 minutes after iat, the longest the API allows",
        ));
    }
    Ok(Caller::Project(iss))
}

fn vonage(token: &str, now: i64) -> Result<Caller, Refusal> {
    let jwt =
        jwt::parse(token).map_err(|e| refuse(&format!("the Bearer token is not a JWT: {e}")))?;
    let Some(app) = claim_text(&jwt, "application_id") else {
        return Err(refuse("the Bearer JWT carries no application_id"));
    };
    if app != demo::VONAGE_APPLICATION_ID {
        return Err(refuse(&format!(
            "unknown application_id {app:?} (the sandbox's application is {})",
            demo::VONAGE_APPLICATION_ID
        )));
    }
    vonage::verify(token, demo::VONAGE_PRIVATE_KEY).map_err(|e| {
        refuse(&format!(
            "the Bearer JWT: {e}; sign it (RS256) with the application's private key"
        ))
    })?;
    check_times(&jwt, now)?;
    Ok(Caller::Application(app))
}

/// Authenticates a video REST call at `now` (unix seconds).
pub fn authenticate(headers: &HeaderMap, now: i64) -> Result<Caller, Refusal> {
    if let Some(token) = header(headers, "x-opentok-auth") {
        return opentok(token, now);
    }
    if let Some(value) = header(headers, "authorization") {
        let bearer = value
            .split_once(' ')
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim());
        if let Some(token) = bearer {
            return vonage(token, now);
        }
    }
    Err(refuse("No suitable authentication found"))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::tokens::rest_auth;

    fn with(name: &'static str, value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(name, value.parse().unwrap());
        h
    }

    #[test]
    fn project_jwt_is_checked_for_secret_key_and_times() {
        let now = 1_700_000_000;
        let good =
            rest_auth::opentok_rest_jwt(demo::OPENTOK_API_KEY, demo::OPENTOK_API_SECRET, now, "j")
                .unwrap();
        assert_eq!(
            authenticate(&with("x-opentok-auth", &good), now + 10).unwrap(),
            Caller::Project(demo::OPENTOK_API_KEY.into())
        );
        // Expired once exp (iat + 180) has passed.
        assert!(authenticate(&with("x-opentok-auth", &good), now + 181).is_err());
        // Issued in the future.
        assert!(authenticate(&with("x-opentok-auth", &good), now - 60).is_err());
        let wrong =
            rest_auth::opentok_rest_jwt(demo::OPENTOK_API_KEY, "another-secret", now, "j").unwrap();
        assert!(authenticate(&with("x-opentok-auth", &wrong), now).is_err());
        assert!(authenticate(&HeaderMap::new(), now).is_err());
    }

    #[test]
    fn application_jwt_is_checked_for_key_and_application() {
        let now = 1_700_000_000;
        let key = vonage::private_key_from_pem(demo::VONAGE_PRIVATE_KEY).unwrap();
        let good =
            rest_auth::vonage_application_jwt(demo::VONAGE_APPLICATION_ID, &key, now, "u").unwrap();
        assert_eq!(
            authenticate(&with("authorization", &format!("Bearer {good}")), now).unwrap(),
            Caller::Application(demo::VONAGE_APPLICATION_ID.into())
        );
        let other = rest_auth::vonage_application_jwt("someone-else", &key, now, "u").unwrap();
        assert!(authenticate(&with("authorization", &format!("Bearer {other}")), now).is_err());
        assert!(authenticate(&with("authorization", "Basic eDp5"), now).is_err());
    }
}
