//! Twilio as its servers speak it:
//!
//! - The Conversations REST API v1 ([`conversations`]), as twilio-python 9.11.0 calls it
//!   (`twilio/rest/conversations/v1/`): Services, and in each service Users and Conversations,
//!   and in each conversation Participants and Messages; create, fetch, list, update and
//!   delete at `/v1/Services/...`, and the same for the account's default service at the
//!   shortened `/v1/Users...` and `/v1/Conversations...`. Writes are forms with capitalised
//!   parameters; every request is HTTP Basic with the API key SID and secret or the account
//!   SID and auth token ([`authenticate`]).
//! - The quickstart token server ([`token`]): `GET /token/:id?`, `POST /token`.
//!
//! Errors are Twilio's REST body `{"code", "message", "more_info", "status"}`.

mod conversations;
mod render;
mod token;

use std::sync::Arc;

use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use base64::Engine as _;
use serde_json::json;
use subtle::ConstantTimeEq;

use super::demo;
use super::store::Store;

/// The Twilio routes over `store`.
pub fn router(store: Arc<Store>) -> Router {
    Router::new()
        .route("/token", get(token::get).post(token::post))
        .route("/token/:id", get(token::get_id))
        .merge(conversations::router(store))
}

/// A refusal in Twilio's error body `{"code", "message", "more_info", "status"}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The HTTP status.
    pub status: StatusCode,
    /// Twilio's numeric code.
    pub code: u32,
    /// The sentence.
    pub message: String,
}

impl Refusal {
    /// A refusal with `status`, `code` and `message`.
    pub fn new(status: StatusCode, code: u32, message: impl Into<String>) -> Refusal {
        Refusal {
            status,
            code,
            message: message.into(),
        }
    }

    /// 404 with 20404, as Twilio words it: "The requested resource /v1/... was not found".
    pub fn not_found(path: &str) -> Refusal {
        Refusal::new(
            StatusCode::NOT_FOUND,
            20_404,
            format!("The requested resource {path} was not found"),
        )
    }

    /// 401 with 20003 "Authenticate" (sent with the Basic challenge).
    fn unauthorized() -> Refusal {
        Refusal::new(StatusCode::UNAUTHORIZED, 20_003, "Authenticate")
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let mut response = (
            self.status,
            axum::Json(json!({
                "code": self.code,
                "message": self.message,
                "more_info": format!("https://www.twilio.com/docs/errors/{}", self.code),
                "status": self.status.as_u16(),
            })),
        )
            .into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Basic realm=\"Twilio API\""),
            );
        }
        response
    }
}

/// Checks HTTP Basic auth: the demo API key SID and secret, or the demo account SID and auth
/// token. Anything else (no header, another scheme, wrong values) is 401 20003.
pub fn authenticate(headers: &HeaderMap) -> Result<(), Refusal> {
    let credentials = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|value| value.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("basic"))
        .and_then(|(_, rest)| {
            base64::engine::general_purpose::STANDARD
                .decode(rest.trim())
                .ok()
        })
        .and_then(|decoded| String::from_utf8(decoded).ok());
    let Some((user, pass)) = credentials.as_deref().and_then(|s| s.split_once(':')) else {
        return Err(Refusal::unauthorized());
    };
    let pairs = [
        (demo::TWILIO_API_KEY_SID, demo::TWILIO_API_KEY_SECRET),
        (demo::TWILIO_ACCOUNT_SID, demo::TWILIO_AUTH_TOKEN),
    ];
    let known = pairs.iter().any(|(u, p)| {
        bool::from(u.as_bytes().ct_eq(user.as_bytes()) & p.as_bytes().ct_eq(pass.as_bytes()))
    });
    if known {
        Ok(())
    } else {
        Err(Refusal::unauthorized())
    }
}

/// The root the answers' `url`s start with: this sandbox as the client reached it (the real
/// API's is `https://conversations.twilio.com`).
pub fn base_url(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("127.0.0.1");
    format!("http://{host}")
}
