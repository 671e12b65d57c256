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
    /// Twilio's quickstart token server (sdk-starter-node, an Express app): its error handler
    /// answers `{"message","error":{}}`.
    TwilioQuickstart,
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
        } else if under("/v1") {
            // `/v1/...` is the Twilio Conversations REST API's version prefix.
            Vendor::Twilio
        } else if under("/token") {
            Vendor::TwilioQuickstart
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
            Vendor::TwilioQuickstart => json!({"message": message, "error": {}}),
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

/// Twilio's numeric code for a status: 20404 "The requested resource ... was not found"
/// (support.twilio.com article 50009103572635); otherwise the HTTP status, as Twilio documents
/// no code for the guard's refusals (body too large, too slow, a malformed query).
fn twilio_code(status: StatusCode) -> u32 {
    match status {
        StatusCode::NOT_FOUND => 20_404,
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
            ("/token", Vendor::TwilioQuickstart),
            ("/token/alice", Vendor::TwilioQuickstart),
            ("/tokens", Vendor::Agora),
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
