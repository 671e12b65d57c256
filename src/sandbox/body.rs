//! Request bodies, read with the sandbox's size cap so every vendor can answer an oversize
//! body in its own error style (axum's built-in limit answers in plain text).

use axum::body::Body;
use axum::http::{header, HeaderMap};
use futures_util::StreamExt;

/// The largest body any route accepts: 1 MiB.
pub const MAX_BODY: usize = 1024 * 1024;

/// Why a body could not be read.
#[derive(Debug, thiserror::Error)]
pub enum BodyError {
    /// Longer than [`MAX_BODY`].
    #[error("request body is larger than {MAX_BODY} bytes")]
    TooLarge,
    /// The connection failed while the body was arriving.
    #[error("request body could not be read: {0}")]
    Broken(String),
    /// The body is not JSON.
    #[error("request body is not valid JSON: {0}")]
    Json(#[from] serde_json::Error),
}

/// Reads a JSON body; `None` when the body is empty.
pub async fn json(headers: &HeaderMap, body: Body) -> Result<Option<serde_json::Value>, BodyError> {
    let bytes = read(headers, body).await?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    Ok(Some(serde_json::from_slice(&bytes)?))
}

/// Reads the whole body, refusing more than [`MAX_BODY`] bytes without buffering them.
pub async fn read(headers: &HeaderMap, body: Body) -> Result<Vec<u8>, BodyError> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > MAX_BODY as u64) {
        return Err(BodyError::TooLarge);
    }
    let capacity = declared.map_or(0, |len| usize::try_from(len).unwrap_or(MAX_BODY));
    let mut out = Vec::with_capacity(capacity);
    let mut stream = body.into_data_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|err| BodyError::Broken(err.to_string()))?;
        if out.len() + chunk.len() > MAX_BODY {
            return Err(BodyError::TooLarge);
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}
