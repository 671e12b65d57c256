//! Which vendor a sandbox path belongs to, and that vendor's JSON error body. This is the one
//! mapping the router-level guards ([`super::guard`]) and the fallback use, so a refusal that
//! no handler wrote (a body over the cap, a query or path the extractors reject, an unknown
//! route) still reads like the backend the client is talking to.
//!
//! A route added later belongs to the vendor of its path prefix below; a new prefix is one new
//! line in [`Vendor::of_path`].

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::store::now_millis;

/// The emulated backends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Vendor {
    /// The mesibo backend API: `{"op","result":false,"error","errmsg"}`.
    Mesibo,
    /// Agora Chat (Easemob REST): `{"error","timestamp","duration","exception","error_description"}`.
    Agora,
    /// Twilio REST: `{"code","message","more_info","status"}`.
    Twilio,
    /// Vonage Video (OpenTok REST): `{"code","message"}`.
    Vonage,
}

impl Vendor {
    /// The vendor a request path belongs to. Agora Chat's routes are `/{org}/{app}/...` and
    /// the docs' token server's `/chat/...`, so Agora is what is left.
    pub fn of_path(path: &str) -> Vendor {
        let under = |prefix: &str| {
            path.strip_prefix(prefix)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        };
        if under("/backend") {
            Vendor::Mesibo
        } else if under("/token") || under("/v1") {
            // `/v1/...` is the Twilio Conversations REST API's version prefix; `/token` the
            // Twilio quickstart token server.
            Vendor::Twilio
        } else if under("/session") || under("/vonage") || under("/v2/project") || under("/room") {
            // OpenTok REST (`/session/create`, `/v2/project/{apiKey}/...`), the token server
            // and the OpenTok quickstart server's `/room/{name}`.
            Vendor::Vonage
        } else {
            Vendor::Agora
        }
    }

    /// The vendor's error body for `status` with `message`, as a response with that status.
    pub fn error(self, status: StatusCode, message: &str) -> Response {
        let body = match self {
            Vendor::Mesibo => json!({
                "op": null,
                "result": false,
                "error": if status == StatusCode::PAYLOAD_TOO_LARGE { "TOOLARGE" } else { "BADREQUEST" },
                "errmsg": message,
            }),
            Vendor::Agora => {
                let (error, exception) = easemob_error(status);
                json!({
                    "error": error,
                    "timestamp": now_millis(),
                    "duration": 0,
                    "exception": exception,
                    "error_description": message,
                })
            }
            Vendor::Twilio => {
                let code = twilio_code(status);
                json!({
                    "code": code,
                    "message": message,
                    "more_info": format!("https://www.twilio.com/docs/errors/{code}"),
                    "status": status.as_u16(),
                })
            }
            Vendor::Vonage => json!({"code": status.as_u16(), "message": message}),
        };
        (status, axum::Json(body)).into_response()
    }
}

/// Easemob's `error` and `exception` for a status. 400 `illegal_argument` ("This is an invalid
/// request": the URL, a header or the body is invalid), 401 `unauthorized` and 413
/// `request_entity_too_large` are from Agora Chat's "HTTP status codes" page; the rest are
/// not documented there and keep the sandbox's names.
fn easemob_error(status: StatusCode) -> (&'static str, &'static str) {
    match status {
        StatusCode::BAD_REQUEST
        | StatusCode::UNPROCESSABLE_ENTITY
        | StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            ("illegal_argument", "java.lang.IllegalArgumentException")
        }
        StatusCode::UNAUTHORIZED => (
            "unauthorized",
            "org.apache.usergrid.rest.exceptions.SecurityException",
        ),
        StatusCode::NOT_FOUND => (
            "not_found",
            "org.apache.usergrid.rest.exceptions.NotFoundException",
        ),
        StatusCode::METHOD_NOT_ALLOWED => (
            "method_not_allowed",
            "org.apache.usergrid.rest.exceptions.MethodNotAllowedException",
        ),
        StatusCode::REQUEST_TIMEOUT => (
            "request_timeout",
            "org.apache.usergrid.rest.exceptions.RequestTimeoutException",
        ),
        StatusCode::PAYLOAD_TOO_LARGE => (
            "request_entity_too_large",
            "org.apache.usergrid.rest.exceptions.RequestEntityTooLargeException",
        ),
        s if s.is_server_error() => ("internal_server_error", "java.lang.RuntimeException"),
        _ => ("illegal_argument", "java.lang.IllegalArgumentException"),
    }
}

/// Twilio's numeric code for a status: 20404 "Not Found" (twilio.com/docs/errors/20404);
/// 21201 for a bad parameter, as the token route already answers; otherwise the HTTP status,
/// as the token route does for 413 (Twilio documents no code for those refusals).
fn twilio_code(status: StatusCode) -> u32 {
    match status {
        StatusCode::NOT_FOUND => 20_404,
        StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY => 21_201,
        other => u32::from(other.as_u16()),
    }
}

#[cfg(test)]
mod tests {
    use super::Vendor;

    #[test]
    fn paths_map_to_their_vendor() {
        for (path, vendor) in [
            ("/backend", Vendor::Mesibo),
            ("/backend/", Vendor::Mesibo),
            ("/backendx", Vendor::Agora),
            ("/token", Vendor::Twilio),
            ("/token/alice", Vendor::Twilio),
            ("/v1/Services/IS1/Conversations", Vendor::Twilio),
            ("/session/create", Vendor::Vonage),
            ("/vonage/token", Vendor::Vonage),
            ("/v2/project/123456/session", Vendor::Vonage),
            ("/room/hello", Vendor::Vonage),
            ("/chat/app/token", Vendor::Agora),
            ("/41434878/504205/users", Vendor::Agora),
            ("/", Vendor::Agora),
        ] {
            assert_eq!(Vendor::of_path(path), vendor, "{path}");
        }
    }
}
