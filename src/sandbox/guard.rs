//! The router-level guard every route inherits, whoever writes it: the body cap and a deadline
//! for the body to arrive apply to every request (GETs too), and any refusal that is not
//! already JSON — axum's plain-text `Query`/`Path`/`Json` rejections, a handler's plain-text
//! 400 — is rewritten into the vendor's JSON error body ([`Vendor::of_path`]).
//!
//! The body is read here, up to [`MAX_BODY`], and handed on in memory, so a handler that reads
//! it gets it at once and a handler that ignores it cannot be used to push megabytes past the
//! cap.

use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

use super::body::{self, BodyError, MAX_BODY};
use super::vendor::Vendor;

/// The most of a non-JSON refusal's text that is kept as the message.
const MAX_REFUSAL_TEXT: usize = 16 * 1024;

/// What the guard enforces.
#[derive(Debug, Clone, Copy)]
pub struct GuardLimits {
    /// How long the whole body may take to arrive once the headers are in.
    pub body_timeout: Duration,
}

/// The middleware: reads the body under the cap and the deadline, runs the route, and makes
/// sure a refusal is in the vendor's JSON shape.
pub async fn guard(State(limits): State<GuardLimits>, request: Request, next: Next) -> Response {
    let vendor = Vendor::of_path(request.uri().path());
    let (parts, incoming) = request.into_parts();
    let bytes =
        match tokio::time::timeout(limits.body_timeout, body::read(&parts.headers, incoming)).await
        {
            Ok(Ok(bytes)) => bytes,
            Ok(Err(err @ BodyError::TooLarge)) => {
                return vendor.error(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    &format!("{err}; the sandbox accepts at most {MAX_BODY} bytes on every route"),
                )
            }
            Ok(Err(err)) => return vendor.error(StatusCode::BAD_REQUEST, &err.to_string()),
            Err(_) => {
                return vendor.error(
                    StatusCode::REQUEST_TIMEOUT,
                    &format!(
                        "the request body did not arrive within {} s",
                        limits.body_timeout.as_secs_f64()
                    ),
                )
            }
        };
    let response = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    in_vendor_shape(vendor, response).await
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            let essence = v.split(';').next().unwrap_or_default().trim();
            essence.eq_ignore_ascii_case("application/json")
        })
}

/// A 4xx/5xx that is not JSON becomes the vendor's JSON error with the same status, its text
/// as the message, and its `Allow` header kept.
async fn in_vendor_shape(vendor: Vendor, response: Response) -> Response {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) || is_json(response.headers()) {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, MAX_REFUSAL_TEXT)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_owned())
        .unwrap_or_default();
    let message = if text.is_empty() {
        status.canonical_reason().unwrap_or("refused").to_owned()
    } else {
        text
    };
    let mut out = vendor.error(status, &message);
    if let Some(allow) = parts.headers.get(header::ALLOW) {
        out.headers_mut()
            .insert(header::ALLOW, HeaderValue::clone(allow));
    }
    out
}
