//! Twilio's quickstart token server (TwilioDevEd/sdk-starter-node, `src/router.js` and
//! `src/token_generator.js`): `GET /token/:id?` and `POST /token` (body field `id`, a form or
//! JSON) answer `{identity, token}`. The token is an Access Token as twilio-node's `toJwt`
//! builds it: signed with the API key secret, one hour, no `nbf`, a chat grant for the
//! Conversation Service and a sync grant for the `default` Sync service. Without an id the
//! quickstart names the user at random (adjective + first name + place); so does the sandbox,
//! with words of its own.
//!
//! The sandbox also reads `?identity=` on `GET /token` (CONTRACT.md's route for this op); the
//! quickstart itself ignores the query. The quickstart never refuses a lifetime: Twilio's
//! 24-hour limit (error 20157) bites when a client SDK presents the token, not here.

use axum::body::Body;
use axum::extract::{Path, Query};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use rand::seq::SliceRandom;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::sandbox::body::{self, BodyError};
use crate::sandbox::demo;
use crate::sandbox::store::now_secs;
use crate::sandbox::vendor::Vendor;
use crate::tokens::twilio::{AccessToken, ChatGrant, Grant, SyncGrant, DEFAULT_TTL_SECS};

/// The query of `GET /token`.
#[derive(Debug, Deserialize)]
pub struct TokenQuery {
    identity: Option<String>,
}

/// `GET /token[?identity=]`.
pub async fn get(Query(query): Query<TokenQuery>) -> Response {
    answer(query.identity)
}

/// `GET /token/:id`.
pub async fn get_id(Path(id): Path<String>) -> Response {
    answer(Some(id))
}

/// `POST /token` with `id` in a form or a JSON body (the quickstart parses both).
pub async fn post(headers: HeaderMap, body: Body) -> Response {
    let bytes = match body::read(&headers, body).await {
        Ok(bytes) => bytes,
        Err(err) => return express_error(&err),
    };
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let id = if content_type.starts_with("application/json") {
        match serde_json::from_slice::<Value>(&bytes) {
            Ok(Value::Object(map)) => map.get("id").and_then(id_text),
            Ok(_) => None,
            Err(err) => return express_error(&BodyError::Json(err)),
        }
    } else if crate::collection::form::is_form_content_type(content_type) {
        form_urlencoded::parse(&bytes)
            .find(|(k, _)| k == "id")
            .map(|(_, v)| v.into_owned())
    } else {
        None
    };
    answer(id)
}

/// The quickstart passes `req.body.id` on as it is: a number is an identity too.
fn id_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The quickstart's error handler: `{message, error: {}}` with the status.
fn express_error(err: &BodyError) -> Response {
    let status = match err {
        BodyError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        _ => StatusCode::BAD_REQUEST,
    };
    Vendor::TwilioQuickstart.error(status, &err.to_string())
}

/// Words of the sandbox's random names: adjective + first name + place, the pattern of the
/// quickstart's `name_generator.js` (with words of our own).
const ADJECTIVES: [&str; 8] = [
    "Brisk", "Calm", "Eager", "Merry", "Nimble", "Plucky", "Sunny", "Witty",
];
const FIRST_NAMES: [&str; 8] = ["Ada", "Ben", "Cleo", "Dev", "Eli", "Fay", "Gus", "Ivy"];
const PLACES: [&str; 8] = [
    "Lisbon", "Oslo", "Quito", "Riga", "Sofia", "Tunis", "Vaduz", "Zagreb",
];

fn random_name() -> String {
    let mut rng = rand::thread_rng();
    let pick = |words: &[&'static str], rng: &mut rand::rngs::ThreadRng| {
        words.choose(rng).copied().unwrap_or("Anonymous")
    };
    format!(
        "{}{}{}",
        pick(&ADJECTIVES, &mut rng),
        pick(&FIRST_NAMES, &mut rng),
        pick(&PLACES, &mut rng)
    )
}

fn answer(id: Option<String>) -> Response {
    // `identity || nameGenerator()`: an empty id gets a random name too.
    let identity = id.filter(|i| !i.is_empty()).unwrap_or_else(random_name);
    let mut token = AccessToken::new(
        demo::TWILIO_ACCOUNT_SID,
        demo::TWILIO_API_KEY_SID,
        demo::TWILIO_API_KEY_SECRET,
        &identity,
    );
    token.ttl_secs = DEFAULT_TTL_SECS;
    token.include_nbf = false;
    token.grants.push(Grant::Chat(ChatGrant {
        service_sid: Some(demo::TWILIO_CHAT_SERVICE_SID.to_owned()),
        ..ChatGrant::default()
    }));
    token.grants.push(Grant::Sync(SyncGrant {
        service_sid: Some("default".to_owned()),
        ..SyncGrant::default()
    }));
    match token.to_jwt(now_secs()) {
        Ok(jwt) => axum::Json(json!({"identity": identity, "token": jwt})).into_response(),
        Err(err) => {
            Vendor::TwilioQuickstart.error(StatusCode::INTERNAL_SERVER_ERROR, &err.to_string())
        }
    }
}
