//! Answers for requests no route takes: a JSON body naming the request and pointing at the
//! route table, never an empty 404/405.

use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::store::now_millis;

/// 404 for an unknown path. Under `/backend` the answer is mesibo-shaped.
pub async fn not_found(method: Method, uri: Uri) -> Response {
    refuse(StatusCode::NOT_FOUND, "not_found", &method, &uri)
}

/// 405 for a known path asked with another method.
pub async fn method_not_allowed(method: Method, uri: Uri) -> Response {
    refuse(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        &method,
        &uri,
    )
}

fn refuse(status: StatusCode, error: &str, method: &Method, uri: &Uri) -> Response {
    let description = format!(
        "the sandbox has no route for {method} {}; `apiplay sandbox` prints the route table",
        uri.path()
    );
    let body = if uri.path().starts_with("/backend") {
        json!({"op": null, "result": false, "error": "BADREQUEST", "errmsg": description})
    } else {
        json!({
            "error": error,
            "error_description": description,
            "timestamp": now_millis(),
            "duration": 0,
        })
    };
    (status, axum::Json(body)).into_response()
}
