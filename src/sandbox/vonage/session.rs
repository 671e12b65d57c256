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
use crate::catalogue::{catalogue, Operation};
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

/// Reads the session options from the form's fields. They are held first to `op`'s fields in
/// the catalogue (the values each takes, the IPv4 `location`, the archive name's length), then
/// to the rules between fields that opentok-python's `create_session` enforces: always
/// archiving needs a routed session, and an archive's name and resolution go only with it.
pub fn options(op: &Operation, fields: &[(String, String)]) -> Result<SessionOptions, String> {
    if let Some(finding) = op.form_refusal(fields) {
        return Err(finding.message);
    }
    let get = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let media = match get("p2p.preference") {
        Some("enabled" | "always") => MediaMode::Relayed,
        _ => MediaMode::Routed,
    };
    let archive_always = get("archiveMode") == Some("always");
    if archive_always && media == MediaMode::Relayed {
        return Err(
            "archiveMode \"always\" needs a routed session (p2p.preference=disabled)".to_owned(),
        );
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

/// The catalogue's op for a session created by `caller`: the OpenTok call for a project, the
/// Vonage Video one for an application.
fn session_op(caller: &Caller) -> Result<&'static Operation, String> {
    let id = match caller {
        Caller::Project(_) => "vonage.video.session.create",
        Caller::Application(_) => "vonage.video.v2.session.create",
    };
    catalogue()
        .get(id)
        .ok_or_else(|| format!("the catalogue has no {id}"))
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
    let op = match session_op(&caller) {
        Ok(op) => op,
        Err(missing) => return error(StatusCode::INTERNAL_SERVER_ERROR, &missing),
    };
    if let Err(reason) = options(op, &fields) {
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
        let op = session_op(&Caller::Project("123456".into())).unwrap();
        assert_eq!(options(op, &[]).unwrap().media, MediaMode::Routed);
        let relayed = fields(&[("p2p.preference", "enabled"), ("archiveMode", "always")]);
        assert!(options(op, &relayed).unwrap_err().contains("routed"));
        let vonage_relayed = fields(&[("p2p.preference", "always")]);
        assert_eq!(
            options(op, &vonage_relayed).unwrap().media,
            MediaMode::Relayed
        );
        assert!(options(op, &fields(&[("archiveName", "x")])).is_err());
    }

    #[test]
    fn the_form_is_held_to_the_catalogue() {
        for caller in [
            Caller::Project("123456".into()),
            Caller::Application("test_application_id".into()),
        ] {
            let op = session_op(&caller).unwrap();
            let location = options(op, &fields(&[("location", "example.com")])).unwrap_err();
            assert!(location.contains("location"), "{location}");
            let e2ee = options(op, &fields(&[("e2ee", "yes")])).unwrap_err();
            assert!(e2ee.contains("boolean"), "{e2ee}");
            assert!(options(op, &fields(&[("e2ee", "true")])).is_ok());
            let mode = options(op, &fields(&[("archiveMode", "auto")])).unwrap_err();
            assert!(mode.contains("always"), "{mode}");
        }
        // Values only the catalogue knew before it was the sandbox's rule book.
        let op = session_op(&Caller::Project("123456".into())).unwrap();
        let always = [("archiveMode", "always")];
        let resolution = [always[0], ("archiveResolution", "800x600")];
        assert!(options(op, &fields(&resolution)).is_err());
        let long_name = "n".repeat(81);
        let name = [always[0], ("archiveName", long_name.as_str())];
        assert!(options(op, &fields(&name)).is_err());
        let good = [
            always[0],
            ("archiveResolution", "1280x720"),
            ("archiveName", "standup"),
        ];
        assert!(options(op, &fields(&good)).unwrap().archive_always);
    }
}
