//! Agora Chat: the app token server of the docs (`GET /chat/app/token`, and a user-token
//! route), the token exchange `POST /{org}/{app}/token`, and the user system ([`users`]).
//!
//! Bodies and URL parameters are held to the catalogue (`catalogue/agora.toml`): the rule that
//! `apiplay check` applies is the one the sandbox enforces. Unknown fields are ignored, as the
//! real API does.
//!
//! The exchange verifies the 007 app token's signature with the demo certificate, its app id,
//! its Chat `app` privilege and its expiry, then answers an opaque Chat app token (`YWMt…`, as
//! in the docs' example) that the store remembers (hashed) until the 007 token would have
//! expired. The user routes accept either token as `Authorization: Bearer`. Errors use the
//! Easemob body: `{"error","timestamp","duration","exception","error_description"}`.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use rand::Rng;
use serde::Deserialize;
use serde_json::{json, Value};

use super::body::{self, BodyError};
use super::demo;
use super::store::{now_millis, now_secs, Store};
use crate::catalogue::catalogue;
use crate::tokens::agora::{self as agora_token, Service, CHAT_APP};

mod users;

pub use users::{
    batch_status, create_users, delete_user, delete_users, disconnect, get_user, list_users,
    modify_user, set_password, user_status,
};

/// Token lifetime of the token server when `?expire=` is absent: one hour.
const DEFAULT_EXPIRE: u32 = 3600;

/// `?expire=SECONDS` of the token-server routes.
#[derive(Debug, Deserialize)]
pub struct ExpireQuery {
    expire: Option<String>,
}

fn error(status: StatusCode, error: &str, exception: &str, description: &str) -> Response {
    let body = json!({
        "error": error,
        "timestamp": now_millis(),
        "duration": 0,
        "exception": exception,
        "error_description": description,
    });
    (status, axum::Json(body)).into_response()
}

fn illegal(description: &str) -> Response {
    error(
        StatusCode::BAD_REQUEST,
        "illegal_argument",
        "java.lang.IllegalArgumentException",
        description,
    )
}

fn bad_token(description: &str) -> Response {
    error(
        StatusCode::UNAUTHORIZED,
        "auth_bad_access_token",
        "org.apache.usergrid.rest.exceptions.SecurityException",
        description,
    )
}

fn store_failed(err: &super::store::StoreError) -> Response {
    error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal_server_error",
        "java.lang.RuntimeException",
        &format!("the sandbox store failed: {err}"),
    )
}

fn body_error(err: &BodyError) -> Response {
    match err {
        BodyError::TooLarge => error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "request_entity_too_large",
            "org.apache.usergrid.rest.exceptions.RequestEntityTooLargeException",
            &err.to_string(),
        ),
        BodyError::Json(_) => error(
            StatusCode::BAD_REQUEST,
            "json_parse",
            "com.fasterxml.jackson.core.JsonParseException",
            &err.to_string(),
        ),
        BodyError::Broken(_) => illegal(&err.to_string()),
    }
}

/// The first error the catalogue finds in a request body of `op_id`, as an
/// `illegal_argument` answer.
fn validate(op_id: &str, request: &Value) -> Option<Response> {
    let op = catalogue().get(op_id)?;
    op.refusal(request).map(|d| illegal(&d.message))
}

/// A URL parameter held to the catalogue: the sentence saying what is wrong.
fn param_error(op_id: &str, name: &str, value: &str) -> Option<String> {
    catalogue().get(op_id)?.check_param(name, value)
}

fn expire_secs(op_id: &str, query: &ExpireQuery) -> Result<u32, String> {
    let Some(raw) = &query.expire else {
        return Ok(DEFAULT_EXPIRE);
    };
    if let Some(reason) = param_error(op_id, "expire", raw) {
        return Err(reason);
    }
    raw.trim()
        .parse::<u32>()
        .map_err(|_| format!("expire must be a whole number of seconds, got {raw:?}"))
}

fn salt() -> u32 {
    rand::thread_rng().gen_range(1..=99_999_999)
}

fn issue_ts() -> u32 {
    u32::try_from(now_secs()).unwrap_or(u32::MAX)
}

fn text(token: Result<String, agora_token::BuildError>) -> Response {
    match token {
        Ok(token) => token.into_response(),
        Err(err) => (StatusCode::INTERNAL_SERVER_ERROR, err.to_string()).into_response(),
    }
}

/// `GET /chat/app/token`: a 007 Chat app token, as plain text like the docs' Java server.
pub async fn app_token(Query(query): Query<ExpireQuery>) -> Response {
    match expire_secs("agora.chat.token_server.app", &query) {
        Ok(expire) => text(agora_token::chat_app_token(
            demo::AGORA_APP_ID,
            demo::AGORA_APP_CERTIFICATE,
            expire,
            issue_ts(),
            salt(),
        )),
        Err(reason) => (StatusCode::BAD_REQUEST, reason).into_response(),
    }
}

/// `GET /chat/user/{username}/token`: a 007 Chat user token for `username`, as plain text.
pub async fn user_token(
    Path(username): Path<String>,
    Query(query): Query<ExpireQuery>,
) -> Response {
    const OP: &str = "agora.chat.token_server.user";
    if let Some(reason) = param_error(OP, "chatUserName", &username) {
        return (StatusCode::BAD_REQUEST, reason).into_response();
    }
    match expire_secs(OP, &query) {
        Ok(expire) => text(agora_token::chat_user_token(
            demo::AGORA_APP_ID,
            demo::AGORA_APP_CERTIFICATE,
            &username,
            expire,
            issue_ts(),
            salt(),
        )),
        Err(reason) => (StatusCode::BAD_REQUEST, reason).into_response(),
    }
}

/// Checks a 007 app token: signature, app id, Chat `app` privilege, expiry. Its expiry (Unix
/// seconds) if valid.
fn verify_app_token(token: &str) -> Result<i64, &'static str> {
    let parsed = agora_token::verify(token, demo::AGORA_APP_CERTIFICATE)
        .map_err(|_| "Unable to authenticate due to corrupt access token")?;
    if parsed.app_id != demo::AGORA_APP_ID {
        return Err("Unable to authenticate: the token is for another app id");
    }
    let privilege = parsed.services.iter().find_map(|s| match s {
        Service::Chat { privileges, .. } => privileges.get(&CHAT_APP).copied(),
        _ => None,
    });
    let Some(privilege) = privilege else {
        return Err("Unable to authenticate: the token has no Chat app privilege");
    };
    let expires = parsed
        .expires_at()
        .min(i64::from(parsed.issue_ts) + i64::from(privilege));
    if expires <= now_secs() {
        return Err("Unable to authenticate due to expired access token");
    }
    Ok(expires)
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

/// Checks `Authorization: Bearer` for the app token or an exchanged Chat app token;
/// `Some(401 answer)` if it is neither.
async fn authorize(store: &Store, headers: &HeaderMap) -> Option<Response> {
    let Some(token) = bearer(headers) else {
        return Some(error(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "org.apache.usergrid.rest.exceptions.SecurityException",
            "Authorization: Bearer <app token> is required",
        ));
    };
    if token.starts_with(agora_token::VERSION) {
        return verify_app_token(token).err().map(bad_token);
    }
    match store.agora_token_expiry(token.to_owned()).await {
        Ok(Some(expires_ms)) if expires_ms > now_millis() => None,
        Ok(Some(_)) => Some(bad_token(
            "Unable to authenticate due to expired access token",
        )),
        Ok(None) => Some(bad_token(
            "Unable to authenticate due to corrupt access token",
        )),
        Err(err) => Some(store_failed(&err)),
    }
}

/// `Some(404 answer)` unless `org/app` is the demo app.
fn check_app(org: &str, app: &str) -> Option<Response> {
    if org == demo::AGORA_ORG && app == demo::AGORA_APP {
        return None;
    }
    Some(error(
        StatusCode::NOT_FOUND,
        "organization_application_not_found",
        "org.apache.usergrid.rest.exceptions.OrganizationApplicationNotFoundException",
        &format!(
            "Could not find application for {org}/{app}; the sandbox serves {}/{}",
            demo::AGORA_ORG,
            demo::AGORA_APP
        ),
    ))
}

/// `POST /{org}/{app}/token` with `{"grant_type":"agora"}`: exchanges a 007 app token.
pub async fn exchange(
    State(store): State<Arc<Store>>,
    Path((org, app)): Path<(String, String)>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    if let Some(response) = check_app(&org, &app) {
        return response;
    }
    let request = match body::json(&headers, body).await {
        Ok(Some(request)) => request,
        Ok(None) => return illegal("grant_type is required: {\"grant_type\":\"agora\"}"),
        Err(err) => return body_error(&err),
    };
    if let Some(refused) = validate("agora.chat.token.exchange", &request) {
        return refused;
    }
    let Some(app_token) = bearer(&headers) else {
        return bad_token("Authorization: Bearer <Agora 007 app token> is required");
    };
    let expires = match verify_app_token(app_token) {
        Ok(expires) => expires,
        Err(reason) => return bad_token(reason),
    };
    let mut random = [0u8; 48];
    rand::thread_rng().fill(&mut random[..]);
    let access_token = format!("YWMt{}", URL_SAFE_NO_PAD.encode(random));
    let expires_ms = expires * 1000;
    if let Err(err) = store
        .agora_remember_token(access_token.clone(), expires_ms)
        .await
    {
        return store_failed(&err);
    }
    axum::Json(json!({
        "access_token": access_token,
        "expires_in": expires - now_secs(),
        "expire_timestamp": expires_ms,
    }))
    .into_response()
}
