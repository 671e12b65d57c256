//! Answers for requests no route takes: the vendor's JSON error body (by path, see
//! [`Vendor::of_path`]) naming the request and pointing at the route table, never an empty
//! 404/405.

use axum::http::{Method, StatusCode, Uri};
use axum::response::Response;

use super::vendor::Vendor;

/// 404 for an unknown path.
pub async fn not_found(method: Method, uri: Uri) -> Response {
    refuse(StatusCode::NOT_FOUND, &method, &uri)
}

/// 405 for a known path asked with another method.
pub async fn method_not_allowed(method: Method, uri: Uri) -> Response {
    refuse(StatusCode::METHOD_NOT_ALLOWED, &method, &uri)
}

fn refuse(status: StatusCode, method: &Method, uri: &Uri) -> Response {
    let description = format!(
        "the sandbox has no route for {method} {}; `apiplay sandbox` prints the route table",
        uri.path()
    );
    Vendor::of_path(uri.path()).error(status, &description)
}
