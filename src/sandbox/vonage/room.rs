//! The OpenTok quickstart server (opentok/learning-opentok-node `routes/index.js`), which a
//! client app asks for credentials: `GET /room/{name}` answers `{apiKey, sessionId, token}`,
//! creating a routed session the first time a room is asked for and reusing it after, with a
//! moderator token; `GET /session` redirects to `/room/session`. Like the quickstart, the
//! room → session map lives in memory and is lost when the sandbox stops.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use rand::Rng;
use serde_json::json;

use super::session::new_session;
use crate::sandbox::demo;
use crate::sandbox::store::{now_secs, Store};
use crate::tokens::opentok::{self, Role, TokenOptions};

/// Room name → session id, for one sandbox.
#[derive(Debug, Default, Clone)]
pub struct Rooms(Arc<Mutex<HashMap<String, String>>>);

/// The quickstart's failure answer: 500 `{"error": "createSession error:…"}`.
fn failed(reason: &str) -> Response {
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        axum::Json(json!({"error": format!("createSession error:{reason}")})),
    )
        .into_response()
}

/// `GET /room/{name}`.
pub async fn room(
    State((store, rooms)): State<(Arc<Store>, Rooms)>,
    Path(name): Path<String>,
) -> Response {
    let known = rooms.0.lock().ok().and_then(|map| map.get(&name).cloned());
    let session_id = match known {
        Some(id) => id,
        None => match new_session(&store, demo::OPENTOK_API_KEY).await {
            Ok((id, _)) => {
                let Ok(mut map) = rooms.0.lock() else {
                    return failed("the room table is unusable after a crash");
                };
                // Two first requests for one room at once: the first stored wins.
                map.entry(name).or_insert(id).clone()
            }
            Err(_) => return failed("the sandbox store failed"),
        },
    };
    let options = TokenOptions {
        session_id: session_id.clone(),
        role: Role::Moderator,
        ..TokenOptions::default()
    };
    let nonce = rand::thread_rng().gen_range(0..1_000_000);
    let token = match opentok::build_jwt(
        demo::OPENTOK_API_KEY,
        demo::OPENTOK_API_SECRET,
        &options,
        now_secs(),
        nonce,
    ) {
        Ok(token) => token,
        Err(err) => return failed(&err.to_string()),
    };
    (
        [(header::CONTENT_TYPE, "application/json")],
        axum::Json(json!({
            "apiKey": demo::OPENTOK_API_KEY,
            "sessionId": session_id,
            "token": token,
        })),
    )
        .into_response()
}

/// `GET /session`: the quickstart redirects (Express's default, 302 Found) to the room named
/// `session`.
pub async fn session_redirect() -> Response {
    (StatusCode::FOUND, [(header::LOCATION, "/room/session")]).into_response()
}
