//! Agora Chat: the app token server of the docs (`GET /chat/app/token`, and a user-token
//! route), the token exchange `POST /{org}/{app}/token`, and the user registry
//! (`POST /{org}/{app}/users`, `GET`/`DELETE /{org}/{app}/users/{username}`).
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
use serde_json::{json, Map, Value};

use super::body::{self, BodyError};
use super::demo;
use super::store::agora::{ChatUser, NewChatUser, Registered};
use super::store::{now_millis, now_secs, Store};
use crate::tokens::agora::{self as agora_token, Service, CHAT_APP};

/// Token lifetimes of the token server: default one hour, at most 24 h (the docs' maximum).
const DEFAULT_EXPIRE: u32 = 3600;
const MAX_EXPIRE: u32 = 86_400;
/// A batch registers at most this many users.
const MAX_BATCH: usize = 60;
const MAX_USERNAME: usize = 64;
const MAX_PASSWORD: usize = 64;
const MAX_NICKNAME: usize = 100;

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

fn expire_secs(query: &ExpireQuery) -> Result<u32, String> {
    let Some(raw) = &query.expire else {
        return Ok(DEFAULT_EXPIRE);
    };
    match raw.parse::<u32>() {
        Ok(secs) if (1..=MAX_EXPIRE).contains(&secs) => Ok(secs),
        _ => Err(format!(
            "expire must be a number of seconds from 1 to {MAX_EXPIRE} (24 h), got {raw:?}"
        )),
    }
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
    match expire_secs(&query) {
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
    if let Err(reason) = check_username(&username) {
        return (StatusCode::BAD_REQUEST, reason).into_response();
    }
    match expire_secs(&query) {
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
        Ok(request) => request,
        Err(err) => return body_error(&err),
    };
    match request
        .as_ref()
        .and_then(|r| r.get("grant_type"))
        .and_then(Value::as_str)
    {
        Some("agora") => {}
        Some(other) => {
            return illegal(&format!(
                "grant_type {other:?} is not supported by the sandbox; send \"agora\""
            ))
        }
        None => return illegal("grant_type is required: {\"grant_type\":\"agora\"}"),
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

/// The username rules of the docs: 1 to 64 of letters, digits, `_`, `-`, `.`.
fn check_username(name: &str) -> Result<(), String> {
    if name.is_empty() || name.len() > MAX_USERNAME {
        return Err(format!(
            "username must be 1 to {MAX_USERNAME} characters, got {}",
            name.chars().count()
        ));
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')))
    {
        return Err(format!(
            "username {name:?} has {bad:?}; use only letters, digits, _, - and ."
        ));
    }
    Ok(())
}

fn new_user(value: &Value, index: Option<usize>) -> Result<NewChatUser, String> {
    let at = index.map_or_else(String::new, |i| format!("[{i}]."));
    let Some(object) = value.as_object() else {
        return Err(format!(
            "{at}each user must be an object with username and password"
        ));
    };
    let field = |name: &str, max: usize, required: bool| -> Result<Option<String>, String> {
        match object.get(name) {
            None | Some(Value::Null) if required => Err(format!("{at}{name} is required")),
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.chars().count() <= max => Ok(Some(s.clone())),
            Some(Value::String(_)) => Err(format!("{at}{name} is longer than {max} characters")),
            Some(_) => Err(format!("{at}{name} must be a string")),
        }
    };
    let username = field("username", usize::MAX, true)?.unwrap_or_default();
    check_username(&username).map_err(|e| format!("{at}{e}"))?;
    // The password is checked but never stored: nothing in the sandbox logs users in.
    field("password", MAX_PASSWORD, true)?;
    let nickname = field("nickname", MAX_NICKNAME, false)?;
    Ok(NewChatUser { username, nickname })
}

fn entity(user: &ChatUser) -> Value {
    let mut map = Map::new();
    map.insert("uuid".into(), json!(user.uuid));
    map.insert("type".into(), json!("user"));
    map.insert("created".into(), json!(user.created));
    map.insert("modified".into(), json!(user.modified));
    map.insert("username".into(), json!(user.username));
    map.insert("activated".into(), json!(true));
    if let Some(nickname) = &user.nickname {
        map.insert("nickname".into(), json!(nickname));
    }
    Value::Object(map)
}

fn envelope(
    action: &str,
    headers: &HeaderMap,
    path: &str,
    entities: Vec<Value>,
) -> Map<String, Value> {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    let mut map = Map::new();
    map.insert("action".into(), json!(action));
    map.insert("application".into(), json!(demo::AGORA_APPLICATION_UUID));
    map.insert("path".into(), json!("/users"));
    map.insert(
        "uri".into(),
        json!(format!(
            "http://{host}/{}/{}{path}",
            demo::AGORA_ORG,
            demo::AGORA_APP
        )),
    );
    map.insert("entities".into(), Value::Array(entities));
    map.insert("timestamp".into(), json!(now_millis()));
    map.insert("duration".into(), json!(0));
    map.insert("organization".into(), json!(demo::AGORA_ORG));
    map.insert("applicationName".into(), json!(demo::AGORA_APP));
    map
}

/// `POST /{org}/{app}/users`: one user (an object) or a batch (an array of up to 60).
pub async fn create_users(
    State(store): State<Arc<Store>>,
    Path((org, app)): Path<(String, String)>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    if let Some(response) = check_app(&org, &app) {
        return response;
    }
    if let Some(response) = authorize(&store, &headers).await {
        return response;
    }
    let request = match body::json(&headers, body).await {
        Ok(Some(request)) => request,
        Ok(None) => return illegal("the body must be a user object or an array of users"),
        Err(err) => return body_error(&err),
    };
    let (users, batch) = match &request {
        Value::Array(items) if items.is_empty() || items.len() > MAX_BATCH => {
            return illegal(&format!(
                "a batch registers 1 to {MAX_BATCH} users, got {}",
                items.len()
            ))
        }
        Value::Array(items) => (
            items
                .iter()
                .enumerate()
                .map(|(i, v)| new_user(v, Some(i)))
                .collect::<Result<Vec<_>, _>>(),
            true,
        ),
        other => (new_user(other, None).map(|u| vec![u]), false),
    };
    let users = match users {
        Ok(users) => users,
        Err(reason) => return illegal(&reason),
    };
    let results = match store.agora_register(users).await {
        Ok(results) => results,
        Err(err) => return store_failed(&err),
    };
    let mut created = Vec::new();
    let mut failed = Vec::new();
    for result in results {
        match result {
            Registered::Created(user) => created.push(entity(&user)),
            Registered::Duplicate(name) => failed.push(name),
        }
    }
    if !batch {
        if let Some(name) = failed.first() {
            return error(
                StatusCode::BAD_REQUEST,
                "duplicate_unique_property_exists",
                "org.apache.usergrid.persistence.exceptions.DuplicateUniquePropertyExistsException",
                &format!(
                    "Request null Entity user requires that property named username be unique, value of {name} exists"
                ),
            );
        }
    }
    let mut body = envelope("post", &headers, "/users", created);
    if !failed.is_empty() {
        let data = failed
            .into_iter()
            .map(|name| {
                json!({"username": name, "registerUserFailReason": format!("the {name} already exists")})
            })
            .collect();
        body.insert("data".into(), Value::Array(data));
    }
    axum::Json(Value::Object(body)).into_response()
}

fn user_not_found(username: &str) -> Response {
    error(
        StatusCode::NOT_FOUND,
        "service_resource_not_found",
        "org.apache.usergrid.services.exceptions.ServiceResourceNotFoundException",
        &format!("Service resource not found: no user {username:?}"),
    )
}

/// `GET /{org}/{app}/users/{username}`.
pub async fn get_user(
    State(store): State<Arc<Store>>,
    Path((org, app, username)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> Response {
    if let Some(response) = check_app(&org, &app) {
        return response;
    }
    if let Some(response) = authorize(&store, &headers).await {
        return response;
    }
    match store.agora_user(username.clone()).await {
        Ok(Some(user)) => {
            let mut body = envelope(
                "get",
                &headers,
                &format!("/users/{username}"),
                vec![entity(&user)],
            );
            body.insert("count".into(), json!(1));
            axum::Json(Value::Object(body)).into_response()
        }
        Ok(None) => user_not_found(&username),
        Err(err) => store_failed(&err),
    }
}

/// `DELETE /{org}/{app}/users/{username}`.
pub async fn delete_user(
    State(store): State<Arc<Store>>,
    Path((org, app, username)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> Response {
    if let Some(response) = check_app(&org, &app) {
        return response;
    }
    if let Some(response) = authorize(&store, &headers).await {
        return response;
    }
    match store.agora_delete_user(username.clone()).await {
        Ok(Some(user)) => {
            let body = envelope(
                "delete",
                &headers,
                &format!("/users/{username}"),
                vec![entity(&user)],
            );
            axum::Json(Value::Object(body)).into_response()
        }
        Ok(None) => user_not_found(&username),
        Err(err) => store_failed(&err),
    }
}

#[cfg(test)]
mod tests {
    use super::check_username;

    #[test]
    fn username_rules() {
        assert!(check_username("user_1-a.b").is_ok());
        assert!(check_username("").is_err());
        assert!(check_username(&"a".repeat(64)).is_ok());
        assert!(check_username(&"a".repeat(65)).is_err());
        assert!(check_username("bad name").is_err());
        assert!(check_username("ü").is_err());
    }
}
