//! Twilio: a token server route as in the vendor's quickstarts. `GET /twilio/token?identity=
//! alice&ttl=3600` or `POST /twilio/token` with `{"identity","ttl"}` answers
//! `{"identity","token"}`: an Access Token (HS256 JWT signed with the demo API key secret)
//! with a chat grant for the demo service. Errors use Twilio's REST error body
//! `{"code","message","more_info","status"}`; an over-long ttl is code 20157, as Twilio says.

use axum::body::Body;
use axum::extract::Query;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{json, Value};

use super::body::{self, BodyError};
use super::demo;
use super::store::now_secs;
use crate::tokens::twilio::{AccessToken, BuildError, ChatGrant, Grant, MAX_TTL_SECS};

/// The longest identity accepted.
const MAX_IDENTITY: usize = 256;

/// The query of `GET /twilio/token`.
#[derive(Debug, Deserialize)]
pub struct TokenQuery {
    identity: Option<String>,
    ttl: Option<String>,
}

fn error(status: StatusCode, code: u32, message: &str) -> Response {
    let body = json!({
        "code": code,
        "message": message,
        "more_info": format!("https://www.twilio.com/docs/errors/{code}"),
        "status": status.as_u16(),
    });
    (status, axum::Json(body)).into_response()
}

/// Twilio's generic "invalid parameter" code for the REST API.
const INVALID_PARAMETER: u32 = 21_201;

/// `GET /twilio/token`.
pub async fn get(Query(query): Query<TokenQuery>) -> Response {
    let ttl = match query.ttl.as_deref().map(str::parse::<i64>) {
        None => None,
        Some(Ok(ttl)) => Some(ttl),
        Some(Err(_)) => {
            return error(
                StatusCode::BAD_REQUEST,
                INVALID_PARAMETER,
                "ttl must be a whole number of seconds",
            )
        }
    };
    mint(query.identity, ttl)
}

/// `POST /twilio/token` with `{"identity": "...", "ttl": 3600}`.
pub async fn post(headers: HeaderMap, body: Body) -> Response {
    let request = match body::json(&headers, body).await {
        Ok(request) => request.unwrap_or(Value::Null),
        Err(err @ BodyError::TooLarge) => {
            return error(StatusCode::PAYLOAD_TOO_LARGE, 413, &err.to_string())
        }
        Err(err) => return error(StatusCode::BAD_REQUEST, INVALID_PARAMETER, &err.to_string()),
    };
    if !request.is_object() {
        return error(
            StatusCode::BAD_REQUEST,
            INVALID_PARAMETER,
            "the body must be a JSON object like {\"identity\":\"alice\",\"ttl\":3600}",
        );
    }
    let identity = match request.get("identity") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            return error(
                StatusCode::BAD_REQUEST,
                INVALID_PARAMETER,
                "identity must be a string",
            )
        }
    };
    let ttl = match request.get("ttl") {
        None | Some(Value::Null) => None,
        Some(value) => match value.as_i64() {
            Some(ttl) => Some(ttl),
            None => {
                return error(
                    StatusCode::BAD_REQUEST,
                    INVALID_PARAMETER,
                    "ttl must be a whole number of seconds",
                )
            }
        },
    };
    mint(identity, ttl)
}

fn mint(identity: Option<String>, ttl: Option<i64>) -> Response {
    let Some(identity) = identity.filter(|i| !i.is_empty()) else {
        return error(
            StatusCode::BAD_REQUEST,
            INVALID_PARAMETER,
            "identity is required",
        );
    };
    if identity.chars().count() > MAX_IDENTITY {
        return error(
            StatusCode::BAD_REQUEST,
            INVALID_PARAMETER,
            &format!("identity is longer than {MAX_IDENTITY} characters"),
        );
    }
    let ttl = ttl.unwrap_or(3600);
    if ttl > i64::from(MAX_TTL_SECS) {
        return error(
            StatusCode::BAD_REQUEST,
            20_157,
            &format!("Expiration Time Exceeds Maximum Time Allowed: ttl {ttl} s is over {MAX_TTL_SECS} s (24 h)"),
        );
    }
    let Ok(ttl_secs) = u32::try_from(ttl) else {
        return error(
            StatusCode::BAD_REQUEST,
            INVALID_PARAMETER,
            "ttl must be positive",
        );
    };
    if ttl_secs == 0 {
        return error(
            StatusCode::BAD_REQUEST,
            INVALID_PARAMETER,
            "ttl must be positive",
        );
    }
    let mut token = AccessToken::new(
        demo::TWILIO_ACCOUNT_SID,
        demo::TWILIO_API_KEY_SID,
        demo::TWILIO_API_KEY_SECRET,
        &identity,
    );
    token.ttl_secs = ttl_secs;
    token.grants.push(Grant::Chat(ChatGrant {
        service_sid: Some(demo::TWILIO_CHAT_SERVICE_SID.to_owned()),
        ..ChatGrant::default()
    }));
    match token.to_jwt(now_secs()) {
        Ok(jwt) => axum::Json(json!({"identity": identity, "token": jwt})).into_response(),
        Err(err @ BuildError::TtlTooLong(_)) => {
            error(StatusCode::BAD_REQUEST, 20_157, &err.to_string())
        }
        Err(err) => error(StatusCode::BAD_REQUEST, INVALID_PARAMETER, &err.to_string()),
    }
}
