//! apiplay's own client-token route (`POST /vonage/token`), not a vendor API: it mints T1 or
//! HS256 JWT client tokens with the demo API key and secret, as the server SDKs'
//! `generate_token` does locally. The builders enforce the SDKs' limits: a role of the four,
//! expiry in the future and at most 30 days ahead, connection data at most 1000 characters,
//! and a session id that belongs to the API key.

use axum::body::Body;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use rand::Rng;
use serde_json::{json, Value};

use super::{body_error, error};
use crate::sandbox::body;
use crate::sandbox::demo;
use crate::sandbox::store::now_secs;
use crate::tokens::opentok::{self, BuildError, Role, TokenOptions};

fn token_options(request: &Value, now: i64) -> Result<(TokenOptions, bool), String> {
    let session_id = match request.get("session_id") {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        None | Some(Value::Null) => return Err("session_id is required".into()),
        Some(_) => return Err("session_id must be a non-empty string".into()),
    };
    let role = match request.get("role") {
        None | Some(Value::Null) => Role::default(),
        Some(Value::String(s)) => s.parse::<Role>()?,
        Some(_) => return Err("role must be a string".into()),
    };
    let number = |name: &str| match request.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => value
            .as_i64()
            .map(Some)
            .ok_or_else(|| format!("{name} must be a whole number of seconds")),
    };
    let expire_time = match (number("expire_time")?, number("ttl")?) {
        (Some(_), Some(_)) => {
            return Err("give expire_time (unix seconds) or ttl (seconds), not both".into())
        }
        (Some(at), None) => Some(at),
        (None, Some(ttl)) => Some(now.checked_add(ttl).ok_or_else(|| {
            format!(
                "ttl {ttl} s is out of range: give at most {} s (30 days)",
                opentok::MAX_LIFETIME_SECS
            )
        })?),
        (None, None) => None,
    };
    let connection_data = match request
        .get("data")
        .or_else(|| request.get("connection_data"))
    {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return Err("data must be a string".into()),
    };
    let initial_layout_class_list = match request.get("initial_layout_class_list") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::String(s)) => s.split_whitespace().map(str::to_owned).collect(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| v.as_str().map(str::to_owned))
            .collect::<Option<_>>()
            .ok_or("initial_layout_class_list must be strings")?,
        Some(_) => return Err("initial_layout_class_list must be an array of strings".into()),
    };
    let t1 = match request.get("format").and_then(Value::as_str) {
        None | Some("jwt") => false,
        Some("t1") => true,
        Some(other) => return Err(format!("format must be \"jwt\" or \"t1\", got {other:?}")),
    };
    let options = TokenOptions {
        session_id,
        role,
        expire_time,
        connection_data,
        initial_layout_class_list,
    };
    Ok((options, t1))
}

/// `POST /vonage/token` with `{"session_id","role","expire_time"|"ttl","data","format"}`.
pub async fn token(headers: HeaderMap, body: Body) -> Response {
    let request = match body::json(&headers, body).await {
        Ok(Some(request)) if request.is_object() => request,
        Ok(_) => return error(
            StatusCode::BAD_REQUEST,
            "the body must be a JSON object like {\"session_id\":\"...\",\"role\":\"publisher\"}",
        ),
        Err(err) => return body_error(&err),
    };
    let now = now_secs();
    let (options, t1) = match token_options(&request, now) {
        Ok(parsed) => parsed,
        Err(reason) => return error(StatusCode::BAD_REQUEST, &reason),
    };
    let nonce = rand::thread_rng().gen_range(0..1_000_000);
    let built = if t1 {
        opentok::build_t1(
            demo::OPENTOK_API_KEY,
            demo::OPENTOK_API_SECRET,
            &options,
            now,
            nonce,
        )
    } else {
        opentok::build_jwt(
            demo::OPENTOK_API_KEY,
            demo::OPENTOK_API_SECRET,
            &options,
            now,
            nonce,
        )
    };
    match built {
        Ok(token) => {
            let expire_time = options
                .expire_time
                .unwrap_or(now + opentok::DEFAULT_LIFETIME_SECS);
            axum::Json(json!({
                "token": token,
                "format": if t1 { "t1" } else { "jwt" },
                "session_id": options.session_id,
                "api_key": demo::OPENTOK_API_KEY,
                "role": options.role.as_str(),
                "expire_time": expire_time,
            }))
            .into_response()
        }
        Err(err @ BuildError::WrongApiKey { .. }) => error(StatusCode::FORBIDDEN, &err.to_string()),
        Err(err) => error(StatusCode::BAD_REQUEST, &err.to_string()),
    }
}
