//! `POST /session/create`: a new session, as the Video REST API makes one.
//!
//! The request is a form (opentok-python `create_session` posts `data=options`; opentok-node
//! `client.createSession` sends `form`; vonage-video posts `sent_data_type='form'`):
//! `p2p.preference` (`enabled` relayed, `disabled` routed, the default; vonage-video sends
//! `always` for relayed), `archiveMode` (`manual`, the default, or `always`, which needs a
//! routed session), `e2ee` (`true`/`false`), `location` (an IPv4 address), and
//! `archiveName`/`archiveResolution` with `archiveMode=always`. The answer is a JSON array
//! holding one object with the fields opentok-python's test fixture records from the real API
//! (`tests/test_session_creation.py`, February 2025).

use std::sync::Arc;

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use rand::distributions::Alphanumeric;
use rand::Rng;
use serde_json::json;

use super::auth::{self, Caller};
use super::{body_error, error};
use crate::sandbox::body;
use crate::sandbox::store::{now_millis, now_secs, Store};
use crate::tokens::opentok;

/// How a session sends media.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaMode {
    /// Through the Media Router (`p2p.preference=disabled`).
    Routed,
    /// Peer to peer (`p2p.preference=enabled`).
    Relayed,
}

/// The options of a new session, read from the form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionOptions {
    /// Routed or relayed.
    pub media: MediaMode,
    /// Archived automatically.
    pub archive_always: bool,
}

/// `ice_credential_expiration` in the real API's answer (the fixture's value).
const ICE_CREDENTIAL_EXPIRATION: i64 = 86_100;

/// `Sat Mar 15 14:42:23 UTC 2014`, the date style of the REST API's `create_dt`.
pub fn create_dt(unix: i64) -> String {
    crate::clock::utc(unix, "%a %b %d %H:%M:%S UTC %Y")
}

/// Reads the session options from the form's fields.
pub fn options(fields: &[(String, String)]) -> Result<SessionOptions, String> {
    let get = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let media = match get("p2p.preference") {
        None | Some("disabled") => MediaMode::Routed,
        Some("enabled" | "always") => MediaMode::Relayed,
        Some(other) => {
            return Err(format!(
            "p2p.preference must be \"enabled\" (relayed) or \"disabled\" (routed), got {other:?}"
        ))
        }
    };
    let archive_always = match get("archiveMode") {
        None | Some("manual") => false,
        Some("always") => true,
        Some(other) => {
            return Err(format!(
                "archiveMode must be \"manual\" or \"always\", got {other:?}"
            ))
        }
    };
    if archive_always && media == MediaMode::Relayed {
        return Err(
            "archiveMode \"always\" needs a routed session (p2p.preference=disabled)".to_owned(),
        );
    }
    match get("e2ee") {
        None | Some("true" | "false") => {}
        Some(other) => return Err(format!("e2ee must be \"true\" or \"false\", got {other:?}")),
    }
    if let Some(location) = get("location") {
        if location.parse::<std::net::Ipv4Addr>().is_err() {
            return Err(format!(
                "location must be an IPv4 address, got {location:?}"
            ));
        }
    }
    for name in ["archiveName", "archiveResolution"] {
        if get(name).is_some() && !archive_always {
            return Err(format!(
                "{name} is only allowed with archiveMode \"always\""
            ));
        }
    }
    Ok(SessionOptions {
        media,
        archive_always,
    })
}

/// Creates a session owned by `owner` in the store; returns its id and creation time (ms).
pub async fn new_session(store: &Store, owner: &str) -> Result<(String, i64), Response> {
    let random: String = rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(24)
        .map(char::from)
        .collect();
    let created_ms = now_millis();
    let session_id = opentok::new_session_id(owner, created_ms, &random);
    store
        .vonage_add_session(session_id.clone())
        .await
        .map_err(|err| {
            error(
                StatusCode::INTERNAL_SERVER_ERROR,
                &format!("the sandbox store failed: {err}"),
            )
        })?;
    Ok((session_id, created_ms))
}

fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(crate::collection::form::is_form_content_type)
}

/// `POST /session/create`.
pub async fn create_session(
    State(store): State<Arc<Store>>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let caller: Caller = match auth::authenticate(&headers, now_secs()) {
        Ok(caller) => caller,
        Err(refusal) => return refusal.into_response(),
    };
    let bytes = match body::read(&headers, body).await {
        Ok(bytes) => bytes,
        Err(err) => return body_error(&err),
    };
    if !bytes.is_empty() && !is_form(&headers) {
        return error(
            StatusCode::BAD_REQUEST,
            "send the session options as application/x-www-form-urlencoded (p2p.preference=disabled&archiveMode=manual&e2ee=false), as the SDKs do",
        );
    }
    let fields: Vec<(String, String)> = form_urlencoded::parse(&bytes).into_owned().collect();
    if let Err(reason) = options(&fields) {
        return error(StatusCode::BAD_REQUEST, &reason);
    }
    let owner = caller.owner();
    let (session_id, created_ms) = match new_session(&store, owner).await {
        Ok(made) => made,
        Err(response) => return response,
    };
    axum::Json(json!([{
        "session_id": session_id,
        "project_id": owner,
        "partner_id": owner,
        "create_dt": create_dt(created_ms / 1000),
        "session_status": null,
        "status_invalid": null,
        "media_server_hostname": null,
        "messaging_server_url": null,
        "messaging_url": null,
        "symphony_address": null,
        "properties": null,
        "ice_server": null,
        "session_segment_id": uuid::Uuid::new_v4().to_string(),
        "ice_servers": null,
        "ice_credential_expiration": ICE_CREDENTIAL_EXPIRATION,
    }]))
    .into_response()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn create_dt_matches_the_rest_api_style() {
        assert_eq!(create_dt(1_394_894_543), "Sat Mar 15 14:42:23 UTC 2014");
        assert_eq!(create_dt(0), "Thu Jan 01 00:00:00 UTC 1970");
        assert_eq!(create_dt(951_782_400), "Tue Feb 29 00:00:00 UTC 2000");
    }

    #[test]
    fn routed_is_the_default_and_always_archiving_needs_it() {
        assert_eq!(options(&[]).unwrap().media, MediaMode::Routed);
        let relayed = fields(&[("p2p.preference", "enabled"), ("archiveMode", "always")]);
        assert!(options(&relayed).unwrap_err().contains("routed"));
        let vonage_relayed = fields(&[("p2p.preference", "always")]);
        assert_eq!(options(&vonage_relayed).unwrap().media, MediaMode::Relayed);
        assert!(options(&fields(&[("location", "example.com")])).is_err());
        assert!(options(&fields(&[("archiveName", "x")])).is_err());
    }
}
