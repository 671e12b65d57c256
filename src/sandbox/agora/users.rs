//! The Agora Chat user system: register one and many, get, list, modify (push nickname),
//! change password, force offline, online state, delete one and many. Bodies and URL
//! parameters are held to `catalogue/agora.toml`; answers use the docs' envelope.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::{json, Map, Value};

use super::{
    authorize, body, body_error, check_app, error, illegal, param_error, store_failed, validate,
};
use crate::sandbox::demo;
use crate::sandbox::store::agora::{ChatUser, NewChatUser, Registered};
use crate::sandbox::store::{now_millis, Store};

/// `limit` when a list or bulk delete leaves it out (the docs' default).
const DEFAULT_LIMIT: u32 = 10;

type Org = Path<(String, String)>;
type OrgUser = Path<(String, String, String)>;

/// Every handler's prelude: the app and the token, checked in that order; `Err(answer)`
/// refuses.
async fn admit(store: &Store, headers: &HeaderMap, org: &str, app: &str) -> Result<(), Response> {
    if let Some(response) = check_app(org, app) {
        return Err(response);
    }
    authorize(store, headers).await.map_or(Ok(()), Err)
}

/// The prelude of a handler that takes a JSON body: admitted, then the body read as JSON
/// (`what` names the shape expected) and held to the catalogue op that `op_of` picks for it.
async fn admit_json(
    (store, headers, org, app): (&Store, &HeaderMap, &str, &str),
    body: Body,
    what: &str,
    op_of: impl FnOnce(&Value) -> &'static str,
) -> Result<Value, Response> {
    admit(store, headers, org, app).await?;
    let request = json_body(headers, body, what).await?;
    match validate(op_of(&request), &request) {
        Some(refused) => Err(refused),
        None => Ok(request),
    }
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

fn ok(body: Map<String, Value>) -> Response {
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

/// A JSON request body, or the refusal to answer.
async fn json_body(headers: &HeaderMap, body: Body, what: &str) -> Result<Value, Response> {
    match body::json(headers, body).await {
        Ok(Some(request)) => Ok(request),
        Ok(None) => Err(illegal(&format!("the body must be {what}"))),
        Err(err) => Err(body_error(&err)),
    }
}

/// A user of a validated request: username and nickname (the password is not kept:
/// nothing in the sandbox logs users in).
fn new_user(value: &Value) -> NewChatUser {
    let text = |name: &str| value.get(name).and_then(Value::as_str).map(str::to_owned);
    NewChatUser {
        username: text("username").unwrap_or_default(),
        nickname: text("nickname"),
    }
}

/// `POST /{org}/{app}/users`: one user (an object) or a batch (an array of up to 60).
pub async fn create_users(
    State(store): State<Arc<Store>>,
    Path((org, app)): Org,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let request = match admit_json(
        (&store, &headers, &org, &app),
        body,
        "a user object or an array of users",
        |r| {
            if r.is_array() {
                "agora.chat.users.create"
            } else {
                "agora.chat.user.create"
            }
        },
    )
    .await
    {
        Ok(request) => request,
        Err(refused) => return refused,
    };
    let batch = request.is_array();
    let users = match &request {
        Value::Array(items) if items.is_empty() => {
            return illegal("the array of users is empty; send 1 to 60 users")
        }
        Value::Array(items) => items.iter().map(new_user).collect(),
        one => vec![new_user(one)],
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
                &format!("Application null Entity user requires that property named username be unique, value of {name} exists"),
            );
        }
    }
    let mut answer = envelope("post", &headers, "/users", created);
    if batch {
        // The docs: `data` lists the names not registered, and is [] when all were.
        let data = failed
            .into_iter()
            .map(|name| json!({"username": name, "registerUserFailReason": format!("the {name} already exists")}))
            .collect();
        answer.insert("data".into(), Value::Array(data));
    }
    ok(answer)
}

/// `GET /{org}/{app}/users/{username}`.
pub async fn get_user(
    State(store): State<Arc<Store>>,
    Path((org, app, username)): OrgUser,
    headers: HeaderMap,
) -> Response {
    if let Err(refused) = admit(&store, &headers, &org, &app).await {
        return refused;
    }
    match store.agora_user(username.clone()).await {
        Ok(Some(user)) => {
            let mut answer = envelope(
                "get",
                &headers,
                &format!("/users/{username}"),
                vec![entity(&user)],
            );
            answer.insert("count".into(), json!(1));
            ok(answer)
        }
        Ok(None) => user_not_found(&username),
        Err(err) => store_failed(&err),
    }
}

/// `limit` and `cursor` of a paged call, held to the op's parameters.
fn paging(op: &str, query: &BTreeMap<String, String>) -> Result<(u32, i64), Box<Response>> {
    let limit = match query.get("limit") {
        None => DEFAULT_LIMIT,
        Some(raw) => {
            if let Some(reason) = param_error(op, "limit", raw) {
                return Err(Box::new(illegal(&reason)));
            }
            raw.trim().parse().map_err(|_| {
                Box::new(illegal(&format!(
                    "limit must be a whole number, got {raw:?}"
                )))
            })?
        }
    };
    let after = match query.get("cursor") {
        None => 0,
        Some(cursor) => URL_SAFE_NO_PAD
            .decode(cursor)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| Box::new(illegal(&format!("cursor {cursor:?} is not one this server gave; pass the cursor of the previous answer"))))?,
    };
    Ok((limit, after))
}

fn paged(
    mut answer: Map<String, Value>,
    query: &BTreeMap<String, String>,
    next: Option<i64>,
) -> Map<String, Value> {
    let params: Map<String, Value> = query.iter().map(|(k, v)| (k.clone(), json!([v]))).collect();
    answer.insert("params".into(), Value::Object(params));
    if let Some(next) = next {
        answer.insert(
            "cursor".into(),
            json!(URL_SAFE_NO_PAD.encode(next.to_string())),
        );
    }
    answer
}

/// `GET /{org}/{app}/users?limit=&cursor=`: users in registration order.
pub async fn list_users(
    State(store): State<Arc<Store>>,
    Path((org, app)): Org,
    Query(query): Query<BTreeMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    if let Err(refused) = admit(&store, &headers, &org, &app).await {
        return refused;
    }
    let (limit, after) = match paging("agora.chat.users.list", &query) {
        Ok(p) => p,
        Err(refused) => return *refused,
    };
    match store.agora_list(limit, after).await {
        Ok((users, next)) => {
            let entities: Vec<_> = users.iter().map(entity).collect();
            let count = entities.len();
            let mut answer = paged(envelope("get", &headers, "/users", entities), &query, next);
            answer.insert("count".into(), json!(count));
            ok(answer)
        }
        Err(err) => store_failed(&err),
    }
}

/// `DELETE /{org}/{app}/users?limit=&cursor=`: deletes the earliest-registered users.
pub async fn delete_users(
    State(store): State<Arc<Store>>,
    Path((org, app)): Org,
    Query(query): Query<BTreeMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    if let Err(refused) = admit(&store, &headers, &org, &app).await {
        return refused;
    }
    let (limit, after) = match paging("agora.chat.users.delete", &query) {
        Ok(p) => p,
        Err(refused) => return *refused,
    };
    match store.agora_delete_many(limit, after).await {
        Ok((users, next)) => {
            let entities = users.iter().map(entity).collect();
            ok(paged(
                envelope("delete", &headers, "/users", entities),
                &query,
                next,
            ))
        }
        Err(err) => store_failed(&err),
    }
}

/// `PUT /{org}/{app}/users/{username}` with `{"nickname"}`: the push-notification name.
pub async fn modify_user(
    State(store): State<Arc<Store>>,
    Path((org, app, username)): OrgUser,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let request = match admit_json(
        (&store, &headers, &org, &app),
        body,
        "a JSON object like {\"nickname\": \"…\"}",
        |_| "agora.chat.user.modify",
    )
    .await
    {
        Ok(request) => request,
        Err(refused) => return refused,
    };
    let nickname = request
        .get("nickname")
        .and_then(Value::as_str)
        .map(str::to_owned);
    match store.agora_set_nickname(username.clone(), nickname).await {
        Ok(Some(user)) => ok(envelope("put", &headers, "/users", vec![entity(&user)])),
        Ok(None) => user_not_found(&username),
        Err(err) => store_failed(&err),
    }
}

/// `PUT /{org}/{app}/users/{username}/password` with `{"newpassword"}`.
pub async fn set_password(
    State(store): State<Arc<Store>>,
    Path((org, app, username)): OrgUser,
    headers: HeaderMap,
    body: Body,
) -> Response {
    if let Err(refused) = admit_json(
        (&store, &headers, &org, &app),
        body,
        "a JSON object like {\"newpassword\": \"…\"}",
        |_| "agora.chat.user.password",
    )
    .await
    {
        return refused;
    }
    match store.agora_user(username.clone()).await {
        Ok(Some(_)) => ok(small("set user password")),
        Ok(None) => user_not_found(&username),
        Err(err) => store_failed(&err),
    }
}

/// `{action, timestamp, duration}`: the short answer of the password and state calls.
fn small(action: &str) -> Map<String, Value> {
    let mut map = Map::new();
    map.insert("action".into(), json!(action));
    map.insert("timestamp".into(), json!(now_millis()));
    map.insert("duration".into(), json!(0));
    map
}

/// `GET /{org}/{app}/users/{username}/disconnect`: nobody is connected to the sandbox, so
/// this only checks that the user exists.
pub async fn disconnect(
    State(store): State<Arc<Store>>,
    Path((org, app, username)): OrgUser,
    headers: HeaderMap,
) -> Response {
    if let Err(refused) = admit(&store, &headers, &org, &app).await {
        return refused;
    }
    match store.agora_user(username.clone()).await {
        Ok(Some(_)) => {
            let mut answer = envelope(
                "get",
                &headers,
                &format!("/users/{username}/disconnect"),
                Vec::new(),
            );
            answer.insert("data".into(), json!({"result": true}));
            ok(answer)
        }
        Ok(None) => user_not_found(&username),
        Err(err) => store_failed(&err),
    }
}

/// `GET /{org}/{app}/users/{username}/status`: every user is offline in the sandbox.
pub async fn user_status(
    State(store): State<Arc<Store>>,
    Path((org, app, username)): OrgUser,
    headers: HeaderMap,
) -> Response {
    if let Err(refused) = admit(&store, &headers, &org, &app).await {
        return refused;
    }
    let mut answer = small("get");
    answer.insert(
        "uri".into(),
        json!(format!("/{org}/{app}/users/{username}/status")),
    );
    answer.insert("entities".into(), json!([]));
    answer.insert("data".into(), json!({ username: "offline" }));
    answer.insert("count".into(), json!(0));
    ok(answer)
}

/// `POST /{org}/{app}/users/batch/status` with `{"usernames": [...]}` (at most 100).
pub async fn batch_status(
    State(store): State<Arc<Store>>,
    Path((org, app)): Org,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let request = match admit_json(
        (&store, &headers, &org, &app),
        body,
        "a JSON object like {\"usernames\": [\"user1\"]}",
        |_| "agora.chat.users.status",
    )
    .await
    {
        Ok(request) => request,
        Err(refused) => return refused,
    };
    let data: Vec<Value> = request
        .get("usernames")
        .and_then(Value::as_array)
        .map(|names| {
            names
                .iter()
                .filter_map(Value::as_str)
                .map(|n| json!({ n: "offline" }))
                .collect()
        })
        .unwrap_or_default();
    let mut answer = small("get batch user status");
    answer.insert("data".into(), Value::Array(data));
    ok(answer)
}

/// `DELETE /{org}/{app}/users/{username}`.
pub async fn delete_user(
    State(store): State<Arc<Store>>,
    Path((org, app, username)): OrgUser,
    headers: HeaderMap,
) -> Response {
    if let Err(refused) = admit(&store, &headers, &org, &app).await {
        return refused;
    }
    match store.agora_delete_user(username.clone()).await {
        Ok(Some(user)) => ok(envelope(
            "delete",
            &headers,
            &format!("/users/{username}"),
            vec![entity(&user)],
        )),
        Ok(None) => user_not_found(&username),
        Err(err) => store_failed(&err),
    }
}
