//! The mesibo backend API: `POST /backend` and `/backend/` with a JSON body, the legacy
//! form-encoded `POST`, and the legacy `GET /backend/?op=...&token=...`.
//!
//! Every answer is a JSON object with `op`, `result` and, when `result` is false, `error` (an
//! upper-case code) and `errmsg` (a sentence saying what to fix). A refused request is still
//! HTTP 200, as with the real backend, except an oversize body (413) and a store failure (500).
//!
//! | code | meaning |
//! |---|---|
//! | `BADREQUEST` | the body is not a JSON object (or a form) |
//! | `BADOP` | `op` is missing or not an operation the backend knows |
//! | `AUTHFAIL` | `token` is missing or is not the app token |
//! | `MISSINGFIELD` | a required field is absent (`errmsg` names it) |
//! | `BADFIELD` | a field has the wrong type, is out of range or too long (`errmsg` says which) |
//! | `NOUSER` | no user has that uid or address |
//! | `NOGROUP` | no group has that gid |
//! | `TOOLARGE` | the body is over 1 MiB (HTTP 413) |
//! | `INTERNAL` | the sandbox store failed (HTTP 500) |

mod fields;
mod ops;

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};
use subtle::ConstantTimeEq;

use super::body::{self, BodyError};
use super::demo;
use super::store::Store;
use crate::catalogue::{catalogue, Kind};
use fields::{Fail, Fields};

/// The operations the backend knows.
pub const OPS: [&str; 10] = [
    "useradd",
    "userdel",
    "userset",
    "usersget",
    "groupadd",
    "groupset",
    "groupdel",
    "groupeditmembers",
    "groupgetmembers",
    "message",
];

/// `GET /backend/?op=...`: the legacy form in the query string.
pub async fn get(State(store): State<Arc<Store>>, RawQuery(query): RawQuery) -> Response {
    let request = form_to_json(query.unwrap_or_default().as_bytes());
    answer(&store, &request, false).await
}

/// `POST /backend/`: JSON, or the legacy form when the content type says so (or when the body
/// is empty and the query string carries the form).
pub async fn post(
    State(store): State<Arc<Store>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let bytes = match body::read(&headers, body).await {
        Ok(bytes) => bytes,
        Err(err) => {
            let status = match err {
                BodyError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
                BodyError::Broken(_) | BodyError::Json(_) => StatusCode::BAD_REQUEST,
            };
            let code = if status == StatusCode::PAYLOAD_TOO_LARGE {
                "TOOLARGE"
            } else {
                "BADREQUEST"
            };
            return reply(status, None, None, Err(Fail::new(code, err.to_string())));
        }
    };
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    // `curl -d '{...}'` sends JSON labelled as a form; a body that opens like JSON is JSON.
    let looks_like_json = bytes
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| *b == b'{' || *b == b'[');
    let from_query = bytes.iter().all(u8::is_ascii_whitespace) && query.is_some();
    let is_json = (!is_form || looks_like_json) && !from_query;
    let request = if is_form && !looks_like_json {
        form_to_json(&bytes)
    } else if bytes.iter().all(u8::is_ascii_whitespace) && query.is_some() {
        form_to_json(query.unwrap_or_default().as_bytes())
    } else {
        match serde_json::from_slice::<Value>(&bytes) {
            Ok(value @ Value::Object(_)) => value,
            Ok(_) => {
                let fail = Fail::new("BADREQUEST", "the body must be a JSON object with \"op\"");
                return reply(StatusCode::OK, None, None, Err(fail));
            }
            Err(err) => {
                let fail = Fail::new("BADREQUEST", format!("the body is not valid JSON: {err}"));
                return reply(StatusCode::OK, None, None, Err(fail));
            }
        }
    };
    answer(&store, &request, is_json).await
}

fn form_to_json(form: &[u8]) -> Value {
    let map: HashMap<String, String> = form_urlencoded::parse(form).into_owned().collect();
    Value::Object(
        map.into_iter()
            .map(|(k, v)| (k, Value::String(v)))
            .collect(),
    )
}

/// Runs a request; a JSON one is first held to the catalogue's rules for its op (the legacy
/// form uses other names and only strings, so its handlers check it).
async fn answer(store: &Store, request: &Value, is_json: bool) -> Response {
    let op = request.get("op").and_then(Value::as_str);
    let id = request.get("id").cloned();
    let result = check(request, op).and_then(|op| {
        if is_json {
            catalogue_rules(op, request)?;
        }
        Ok(op)
    });
    let result = match result {
        Ok(op) => ops::run(store, op, &Fields(request)).await,
        Err(fail) => Err(fail),
    };
    let status = match &result {
        Err(fail) if fail.code == "INTERNAL" => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::OK,
    };
    reply(status, op, id, result)
}

/// The op must be known before the token is checked, so `BADOP` reads as in the docs.
fn check<'a>(request: &Value, op: Option<&'a str>) -> Result<&'a str, Fail> {
    let op = op.ok_or_else(|| {
        Fail::new(
            "BADOP",
            "\"op\" is required, one of: ".to_owned() + &OPS.join(", "),
        )
    })?;
    if !OPS.contains(&op) {
        return Err(Fail::new(
            "BADOP",
            format!("unknown op {op:?}; known ops: {}", OPS.join(", ")),
        ));
    }
    match request.get("token").and_then(Value::as_str) {
        Some(token) if bool::from(token.as_bytes().ct_eq(demo::MESIBO_APP_TOKEN.as_bytes())) => {
            Ok(op)
        }
        Some(_) => Err(Fail::new(
            "AUTHFAIL",
            "\"token\" is not the app token of this backend (the sandbox's is in its banner)",
        )),
        None => Err(Fail::new(
            "AUTHFAIL",
            "\"token\" (the app token) is required",
        )),
    }
}

/// The first error the catalogue finds in a JSON request: `MISSINGFIELD` for a required
/// field left out, `BADFIELD` for anything else. Unknown fields are ignored, as the real API
/// does.
fn catalogue_rules(op: &str, request: &Value) -> Result<(), Fail> {
    let Some(spec) = catalogue().by_body_op(op) else {
        return Ok(());
    };
    match spec.refusal(request) {
        None => Ok(()),
        Some(d) if d.kind == Kind::Missing => Err(Fail::new("MISSINGFIELD", d.message)),
        Some(d) => Err(Fail::new("BADFIELD", d.message)),
    }
}

fn reply(
    status: StatusCode,
    op: Option<&str>,
    id: Option<Value>,
    result: Result<Map<String, Value>, Fail>,
) -> Response {
    let (mut body, fail) = match result {
        Ok(fields) => (fields, None),
        Err(fail) => (Map::new(), Some(fail)),
    };
    body.insert(
        "op".into(),
        op.map_or(Value::Null, |op| Value::String(op.into())),
    );
    body.insert("result".into(), Value::Bool(fail.is_none()));
    if let Some(fail) = fail {
        body.insert("error".into(), Value::String(fail.code.into()));
        body.insert("errmsg".into(), Value::String(fail.message));
    }
    if let Some(id) = id {
        // The docs: `id` "will be returned back in the response".
        body.insert("id".into(), id);
    }
    (status, axum::Json(Value::Object(body))).into_response()
}
