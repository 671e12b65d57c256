//! Vonage Video true to the wire, over real loopback HTTP: the sandbox's `POST /session/create`
//! takes the SDKs' form and their two auth headers, refuses what the API refuses (403 with
//! code -1), answers the real fields; the quickstart server's `GET /room/{name}`; and the
//! shipped payloads, sent by the real binary, work against it.
#![allow(clippy::unwrap_used)]

mod sandbox_support;

use std::time::Duration;

use apiplay::sandbox::demo;
use apiplay::tokens::{jwt, opentok, rest_auth, vonage};
use serde_json::{json, Value};

fn now() -> i64 {
    i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap()
}

fn project_jwt(secret: &str, iat: i64, exp: i64) -> String {
    jwt::encode_hs256(
        &json!({"alg": "HS256", "typ": "JWT"}),
        &json!({"iss": demo::OPENTOK_API_KEY, "ist": "project", "iat": iat, "exp": exp, "jti": "t"}),
        secret.as_bytes(),
    )
    .unwrap()
}

async fn create(
    url: &str,
    header: Option<(&str, String)>,
    content_type: &str,
    body: &str,
) -> (u16, Value) {
    let mut request = reqwest::Client::new()
        .post(format!("{url}/session/create"))
        .header("content-type", content_type)
        .body(body.to_owned());
    if let Some((name, value)) = header {
        request = request.header(name, value);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    assert_eq!(
        response.headers()["content-type"],
        "application/json",
        "opentok-python reads the answer only when it is exactly application/json"
    );
    (status, response.json().await.unwrap())
}

const FORM: &str = "application/x-www-form-urlencoded";

#[tokio::test]
async fn session_create_answers_the_real_fields_for_both_auth_schemes() {
    let sandbox = sandbox_support::start(None).await;
    let url = sandbox.url();
    let good =
        rest_auth::opentok_rest_jwt(demo::OPENTOK_API_KEY, demo::OPENTOK_API_SECRET, now(), "a")
            .unwrap();
    let (status, body) = create(
        &url,
        Some(("X-OPENTOK-AUTH", good)),
        FORM,
        "p2p.preference=enabled&archiveMode=manual&e2ee=false",
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let session = &body.as_array().unwrap()[0];
    // The keys of opentok-python's recorded answer (tests/test_session_creation.py), by hand.
    let keys: Vec<&str> = session
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "session_id",
            "project_id",
            "partner_id",
            "create_dt",
            "session_status",
            "status_invalid",
            "media_server_hostname",
            "messaging_server_url",
            "messaging_url",
            "symphony_address",
            "properties",
            "ice_server",
            "session_segment_id",
            "ice_servers",
            "ice_credential_expiration"
        ]
    );
    assert_eq!(session["project_id"], "123456");
    assert_eq!(session["partner_id"], "123456");
    let id = session["session_id"].as_str().unwrap();
    assert_eq!(opentok::session_api_key_parts(id).unwrap()[1], "123456");

    // The Vonage application JWT, as vonage-video sends it (relayed is `always` there).
    let key = vonage::private_key_from_pem(demo::VONAGE_PRIVATE_KEY).unwrap();
    let app =
        rest_auth::vonage_application_jwt(demo::VONAGE_APPLICATION_ID, &key, now(), "b").unwrap();
    let (status, body) = create(
        &url,
        Some(("Authorization", format!("Bearer {app}"))),
        FORM,
        "p2p.preference=always",
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body[0]["project_id"], "test_application_id");

    // No body at all is a routed session with the defaults.
    let again =
        rest_auth::opentok_rest_jwt(demo::OPENTOK_API_KEY, demo::OPENTOK_API_SECRET, now(), "c")
            .unwrap();
    let (status, _) = create(&url, Some(("X-OPENTOK-AUTH", again)), FORM, "").await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn bad_auth_gets_the_apis_403() {
    let sandbox = sandbox_support::start(None).await;
    let url = sandbox.url();
    let form = "p2p.preference=disabled";
    let t = now();
    // The API's own answer to a request without auth (opentok-node's fixture), by hand.
    let (status, body) = create(&url, None, FORM, form).await;
    assert_eq!(status, 403);
    assert_eq!(
        body,
        json!({"code": -1, "message": "No suitable authentication found"})
    );
    let refused = |(status, body): (u16, Value)| {
        assert_eq!(status, 403, "{body}");
        assert_eq!(body["code"], -1, "{body}");
        body["message"].as_str().unwrap().to_owned()
    };
    let wrong_secret = project_jwt("not-the-secret", t, t + 180);
    let msg = refused(create(&url, Some(("X-OPENTOK-AUTH", wrong_secret)), FORM, form).await);
    assert!(msg.contains("signature"), "{msg}");
    let expired = project_jwt(demo::OPENTOK_API_SECRET, t - 400, t - 100);
    let msg = refused(create(&url, Some(("X-OPENTOK-AUTH", expired)), FORM, form).await);
    assert!(msg.contains("expired"), "{msg}");
    let future = project_jwt(demo::OPENTOK_API_SECRET, t + 120, t + 240);
    let msg = refused(create(&url, Some(("X-OPENTOK-AUTH", future)), FORM, form).await);
    assert_eq!(msg, "issued time cannot be greater than current time");
    let too_long = project_jwt(demo::OPENTOK_API_SECRET, t, t + 3600);
    let msg = refused(create(&url, Some(("X-OPENTOK-AUTH", too_long)), FORM, form).await);
    assert!(msg.contains("5 minutes"), "{msg}");
    refused(create(&url, Some(("X-OPENTOK-AUTH", "garbage".into())), FORM, form).await);
    // A Bearer JWT whose signature is not the application key's.
    let key = vonage::private_key_from_pem(demo::VONAGE_PRIVATE_KEY).unwrap();
    let app = rest_auth::vonage_application_jwt(demo::VONAGE_APPLICATION_ID, &key, t, "x").unwrap();
    let (input, _) = app.rsplit_once('.').unwrap();
    let forged = format!("Bearer {input}.AAAA");
    let msg = refused(create(&url, Some(("Authorization", forged)), FORM, form).await);
    assert!(msg.contains("signature"), "{msg}");
    let other = rest_auth::vonage_application_jwt("another-app", &key, t, "y").unwrap();
    refused(
        create(
            &url,
            Some(("Authorization", format!("Bearer {other}"))),
            FORM,
            form,
        )
        .await,
    );
}

#[tokio::test]
async fn the_form_is_the_encoding_and_its_values_are_checked() {
    let sandbox = sandbox_support::start(None).await;
    let url = sandbox.url();
    let auth = || {
        Some((
            "X-OPENTOK-AUTH",
            rest_auth::opentok_rest_jwt(
                demo::OPENTOK_API_KEY,
                demo::OPENTOK_API_SECRET,
                now(),
                "f",
            )
            .unwrap(),
        ))
    };
    for (content_type, body, needle) in [
        (
            "application/json",
            r#"{"mediaMode":"routed"}"#,
            "form-urlencoded",
        ),
        (FORM, "p2p.preference=routed", "p2p.preference"),
        (FORM, "archiveMode=always&p2p.preference=enabled", "routed"),
        (FORM, "e2ee=yes", "e2ee"),
        (FORM, "location=example.com", "IPv4"),
        (FORM, "archiveName=x", "archiveMode"),
    ] {
        let (status, answer) = create(&url, auth(), content_type, body).await;
        assert_eq!(status, 400, "{body}: {answer}");
        assert_eq!(answer["code"], 400);
        let message = answer["message"].as_str().unwrap();
        assert!(message.contains(needle), "{body}: {message}");
    }
    let (status, _) = create(
        &url,
        auth(),
        FORM,
        "p2p.preference=disabled&archiveMode=always&archiveName=weekly&archiveResolution=1280x720&location=12.34.56.78&e2ee=true",
    )
    .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn the_quickstart_room_keeps_its_session_and_gives_moderator_tokens() {
    let sandbox = sandbox_support::start(None).await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let get = |path: &str| client.get(format!("{}{path}", sandbox.url())).send();
    let first: Value = get("/room/standup").await.unwrap().json().await.unwrap();
    let keys: Vec<&str> = first
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["apiKey", "sessionId", "token"]);
    assert_eq!(first["apiKey"], "123456");
    let second: Value = get("/room/standup").await.unwrap().json().await.unwrap();
    assert_eq!(
        first["sessionId"], second["sessionId"],
        "one session per room"
    );
    assert_ne!(first["token"], second["token"], "a fresh token each time");
    let other: Value = get("/room/retro").await.unwrap().json().await.unwrap();
    assert_ne!(first["sessionId"], other["sessionId"]);
    let token = first["token"].as_str().unwrap();
    let decoded = opentok::verify_jwt(token, demo::OPENTOK_API_SECRET).unwrap();
    assert_eq!(decoded.claims["role"], "moderator");
    assert_eq!(decoded.subject.as_deref(), first["sessionId"].as_str());
    let redirect = get("/session").await.unwrap();
    assert_eq!(redirect.status(), 302);
    assert_eq!(redirect.headers()["location"], "/room/session");
}

#[test]
fn the_shipped_vonage_payloads_work_through_the_real_binary() {
    let home = tempfile::tempdir().unwrap();
    let run = |payload: &str| {
        let out = assert_cmd::Command::new(env!("CARGO_BIN_EXE_apiplay"))
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("APIPLAY_HOME", home.path())
            .env("NO_COLOR", "1")
            .args(["send", payload, "--output", "json"])
            .timeout(Duration::from_secs(60))
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{payload}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice::<Value>(&out.stdout).unwrap()
    };
    let ot = run("payloads/vonage/create-session.json");
    assert_eq!(ot[0]["project_id"], "123456");
    let app = run("payloads/vonage/create-session-v2.json");
    assert_eq!(app[0]["project_id"], "test_application_id");
    let room = run("payloads/vonage/room.json");
    assert_eq!(room["apiKey"], "123456");
    // The history shows the form that went out and the auth placeholders, never a JWT.
    let store = apiplay::history::Store::open(&home.path().join("history.sqlite3")).unwrap();
    let first = store.get_exchange(1).unwrap().unwrap();
    assert_eq!(
        first.request.body.as_deref(),
        Some("p2p.preference=disabled&archiveMode=manual&e2ee=false")
    );
    assert!(first
        .request
        .headers
        .contains(&("X-OPENTOK-AUTH".to_owned(), "{{$opentok_jwt}}".to_owned())));
    let second = store.get_exchange(2).unwrap().unwrap();
    assert!(second.request.headers.contains(&(
        "Authorization".to_owned(),
        "Bearer {{$vonage_jwt}}".to_owned()
    )));
    let third = store.get_exchange(3).unwrap().unwrap();
    assert_eq!(
        (third.request.method.as_str(), third.request.body.as_deref()),
        ("GET", None)
    );
}
