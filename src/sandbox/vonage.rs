//! Vonage Video (OpenTok): session creation (`POST /session/create`, as the REST API answers
//! it: an array holding one session) and a token server route (`POST /vonage/token`) that
//! mints T1 or HS256 JWT client tokens with the demo API key and secret. The builders enforce
//! the SDKs' limits: a role of the four, expiry in the future and at most 30 days ahead,
//! connection data at most 1000 characters, and a session id that belongs to the API key.
//! Errors are `{"code": HTTP status, "message"}` like the Video REST API's.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use rand::distributions::Alphanumeric;
use rand::Rng;
use serde_json::{json, Value};

use super::body::{self, BodyError};
use super::demo;
use super::store::{now_millis, now_secs, Store};
use crate::tokens::opentok::{self, BuildError, Role, TokenOptions};

fn error(status: StatusCode, message: &str) -> Response {
    (
        status,
        axum::Json(json!({"code": status.as_u16(), "message": message})),
    )
        .into_response()
}

fn body_error(err: &BodyError) -> Response {
    match err {
        BodyError::TooLarge => error(StatusCode::PAYLOAD_TOO_LARGE, &err.to_string()),
        _ => error(StatusCode::BAD_REQUEST, &err.to_string()),
    }
}

/// `Sat Mar 15 14:42:23 UTC 2014`, the date style of the REST API's `create_dt`.
fn create_dt(unix: i64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    let (year, month, day) = crate::clock::civil_from_days(days);
    format!(
        "{} {} {day:02} {:02}:{:02}:{:02} UTC {year}",
        DAYS[usize::try_from(days.rem_euclid(7)).unwrap_or(0)],
        MONTHS[usize::try_from(month.saturating_sub(1)).unwrap_or(0)],
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

fn option<'a>(request: &'a Value, name: &str, allowed: &[&str]) -> Result<Option<&'a str>, String> {
    match request.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if allowed.contains(&s.as_str()) => Ok(Some(s)),
        Some(other) => Err(format!(
            "{name} must be one of {}, got {other}",
            allowed.join(", ")
        )),
    }
}

/// `POST /session/create`: a new session owned by the demo API key.
pub async fn create_session(
    State(store): State<Arc<Store>>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let request = match body::json(&headers, body).await {
        Ok(request) => request.unwrap_or_else(|| json!({})),
        Err(err) => return body_error(&err),
    };
    if !request.is_object() {
        return error(
            StatusCode::BAD_REQUEST,
            "the body must be a JSON object (or empty)",
        );
    }
    let media = option(&request, "mediaMode", &["routed", "relayed"]);
    let archive = option(&request, "archiveMode", &["manual", "always"]);
    let (media, archive) = match (media, archive) {
        (Ok(media), Ok(archive)) => (media.unwrap_or("relayed"), archive.unwrap_or("manual")),
        (Err(reason), _) | (_, Err(reason)) => return error(StatusCode::BAD_REQUEST, &reason),
    };
    if archive == "always" && media != "routed" {
        return error(
            StatusCode::BAD_REQUEST,
            "archiveMode \"always\" needs mediaMode \"routed\"",
        );
    }
    let random: String = rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(24)
        .map(char::from)
        .collect();
    let created_ms = now_millis();
    let session_id = opentok::new_session_id(demo::OPENTOK_API_KEY, created_ms, &random);
    if let Err(err) = store.vonage_add_session(session_id.clone()).await {
        return error(
            StatusCode::INTERNAL_SERVER_ERROR,
            &format!("the sandbox store failed: {err}"),
        );
    }
    axum::Json(json!([{
        "session_id": session_id,
        "project_id": demo::OPENTOK_API_KEY,
        "partner_id": demo::OPENTOK_API_KEY,
        "create_dt": create_dt(created_ms / 1000),
        "media_mode": media,
        "archive_mode": archive,
        "media_server_url": "",
    }]))
    .into_response()
}

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

#[cfg(test)]
mod tests {
    use super::create_dt;

    #[test]
    fn create_dt_matches_the_rest_api_style() {
        assert_eq!(create_dt(1_394_894_543), "Sat Mar 15 14:42:23 UTC 2014");
        assert_eq!(create_dt(0), "Thu Jan 01 00:00:00 UTC 1970");
        assert_eq!(create_dt(951_782_400), "Tue Feb 29 00:00:00 UTC 2000");
    }
}
