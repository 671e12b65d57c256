//! Vonage Video (OpenTok) as its servers speak it:
//!
//! - `POST /session/create` ([`session`]): the session API the OpenTok SDKs and the Vonage
//!   Video SDK call, form-encoded, authenticated by an `X-OPENTOK-AUTH` project JWT or an
//!   `Authorization: Bearer` application JWT ([`auth`]); the answer is a JSON array holding
//!   one session with the fields the real API returns.
//! - `GET /room/{name}` and `GET /session` ([`room`]): the OpenTok quickstart server
//!   (opentok/learning-opentok-node `routes/index.js`), answering `{apiKey, sessionId, token}`.
//! - `POST /vonage/token` ([`token`]): apiplay's own client-token route.
//!
//! Errors are the REST API's `{"code", "message"}`; authentication failures are 403 with
//! `code` -1, as the API answers them (opentok-node `test/opentok-test.js` fixture:
//! `{"code": -1, "message": "No suitable authentication found"}`).

mod auth;
mod room;
mod session;
mod token;

use std::sync::Arc;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::json;

use super::body::BodyError;
use super::store::Store;

/// The Vonage routes over `store`, with their own room table.
pub fn router(store: Arc<Store>) -> Router {
    let quickstart = Router::new()
        .route("/room/:name", get(room::room))
        .with_state((Arc::clone(&store), room::Rooms::default()));
    Router::new()
        .route("/session/create", post(session::create_session))
        .route("/vonage/token", post(token::token))
        .with_state(store)
        .route("/session", get(room::session_redirect))
        .merge(quickstart)
}

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
