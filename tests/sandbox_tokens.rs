//! The token-issuing routes of the sandbox over real HTTP: Agora Chat (token server,
//! exchange, users), Twilio and Vonage. Every token issued verifies with the project's own
//! verifiers; every error has the vendor's body.
// Each test is one flow of the docs, read top to bottom; splitting would repeat its setup.
#![allow(clippy::unwrap_used, clippy::too_many_lines)]

mod sandbox_support;

use apiplay::sandbox::demo;
use apiplay::tokens::{agora, opentok, twilio};
use reqwest::StatusCode;
use sandbox_support::start;
use serde_json::{json, Value};

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        .try_into()
        .unwrap()
}

async fn text(client: &reqwest::Client, url: String) -> (StatusCode, String) {
    let response = client.get(url).send().await.unwrap();
    (response.status(), response.text().await.unwrap())
}

async fn send(request: reqwest::RequestBuilder) -> (StatusCode, Value) {
    let response = request.send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap())
}

#[tokio::test]
async fn agora_token_server_issues_verifiable_chat_tokens() {
    let sandbox = start(None).await;
    let client = reqwest::Client::new();
    let (status, token) = text(
        &client,
        format!("{}/chat/app/token?expire=600", sandbox.url()),
    )
    .await;
    assert_eq!(status, 200);
    let parsed = agora::verify(&token, demo::AGORA_APP_CERTIFICATE).unwrap();
    assert_eq!(parsed.app_id, demo::AGORA_APP_ID);
    assert_eq!(parsed.expire, 600);
    assert_eq!(parsed.chat_user_id(), Some(""));
    assert!((i64::from(parsed.issue_ts) - now()).abs() < 5);

    let (status, token) = text(
        &client,
        format!("{}/chat/user/alice_1/token", sandbox.url()),
    )
    .await;
    assert_eq!(status, 200);
    let parsed = agora::verify(&token, demo::AGORA_APP_CERTIFICATE).unwrap();
    assert_eq!(parsed.chat_user_id(), Some("alice_1"));
    assert_eq!(parsed.expire, 3600);

    for query in ["expire=86401", "expire=0", "expire=soon"] {
        let (status, body) =
            text(&client, format!("{}/chat/app/token?{query}", sandbox.url())).await;
        assert_eq!(status, 400, "{query}");
        assert!(body.contains("86400"), "{body}");
    }
    let (status, _) = text(
        &client,
        format!("{}/chat/user/bad%20name/token", sandbox.url()),
    )
    .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn agora_exchange_then_users() {
    let sandbox = start(None).await;
    let client = reqwest::Client::new();
    let base = format!("{}/{}/{}", sandbox.url(), demo::AGORA_ORG, demo::AGORA_APP);
    let (_, app_token) = text(
        &client,
        format!("{}/chat/app/token?expire=1000", sandbox.url()),
    )
    .await;

    let (status, body) = send(
        client
            .post(format!("{base}/token"))
            .bearer_auth(&app_token)
            .json(&json!({"grant_type": "agora"})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let chat_token = body["access_token"].as_str().unwrap().to_owned();
    assert!(chat_token.starts_with("YWMt"));
    let expires_in = body["expires_in"].as_i64().unwrap();
    assert!((990..=1000).contains(&expires_in), "{body}");
    assert_eq!(
        body["expire_timestamp"].as_i64().unwrap() / 1000,
        now() + expires_in
    );

    // Create with the exchanged token; the documented entities body.
    let (status, body) = send(
        client
            .post(format!("{base}/users"))
            .bearer_auth(&chat_token)
            .json(&json!({"username": "user1", "password": "123", "nickname": "testuser"})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["action"], "post");
    assert_eq!(body["path"], "/users");
    assert_eq!(body["organization"], demo::AGORA_ORG);
    assert_eq!(body["applicationName"], demo::AGORA_APP);
    let entity = &body["entities"][0];
    assert_eq!(entity["username"], "user1");
    assert_eq!(entity["type"], "user");
    assert_eq!(entity["activated"], true);
    assert_eq!(entity["nickname"], "testuser");
    let uuid = entity["uuid"].as_str().unwrap().to_owned();

    // The docs forbid uppercase in a username: 400 illegal_argument, as for any illegal name.
    let (status, body) = send(
        client
            .post(format!("{base}/users"))
            .bearer_auth(&chat_token)
            .json(&json!({"username": "User1", "password": "123"})),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"], "illegal_argument");
    assert!(body["error_description"]
        .as_str()
        .unwrap()
        .contains("username \"User1\" does not match"));

    // A duplicate, with the 007 app token directly.
    let (status, body) = send(
        client
            .post(format!("{base}/users"))
            .bearer_auth(&app_token)
            .json(&json!({"username": "user1", "password": "x"})),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], "duplicate_unique_property_exists");
    assert_eq!(
        body["exception"],
        "org.apache.usergrid.persistence.exceptions.DuplicateUniquePropertyExistsException"
    );
    assert!(body["error_description"]
        .as_str()
        .unwrap()
        .contains("value of user1 exists"));
    assert!(body["timestamp"].is_i64());

    // A batch: the taken name is reported in data[], the others are created.
    let batch: Vec<Value> = (0..3)
        .map(|i| json!({"username": format!("b{i}"), "password": "p"}))
        .chain([json!({"username": "user1", "password": "p"})])
        .collect();
    let (status, body) = send(
        client
            .post(format!("{base}/users"))
            .bearer_auth(&chat_token)
            .json(&batch),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["entities"].as_array().unwrap().len(), 3);
    assert_eq!(body["data"][0]["username"], "user1");
    assert_eq!(
        body["data"][0]["registerUserFailReason"],
        "the user1 already exists"
    );
    // None taken: data is [] (the docs' first example), not left out.
    let (status, body) = send(
        client
            .post(format!("{base}/users"))
            .bearer_auth(&chat_token)
            .json(&json!([{"username": "fresh_1"}, {"username": "fresh_2"}])),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"], json!([]));

    let too_many: Vec<Value> = (0..61)
        .map(|i| json!({"username": format!("m{i}"), "password": "p"}))
        .collect();
    let (status, body) = send(
        client
            .post(format!("{base}/users"))
            .bearer_auth(&chat_token)
            .json(&too_many),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], "illegal_argument");

    for bad in [
        json!({"username": "a".repeat(65), "password": "p"}),
        json!({"username": "has space", "password": "p"}),
        json!({"username": "ok", "password": "p".repeat(65)}),
        json!({"username": 5, "password": "p"}),
        json!("user"),
    ] {
        let (status, body) = send(
            client
                .post(format!("{base}/users"))
                .bearer_auth(&chat_token)
                .json(&bad),
        )
        .await;
        assert_eq!(status, 400, "{bad}");
        assert_eq!(body["error"], "illegal_argument", "{bad}");
    }

    // Get and delete.
    let (status, body) = send(
        client
            .get(format!("{base}/users/USER1"))
            .bearer_auth(&chat_token),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["entities"][0]["uuid"], uuid.as_str());
    let (status, body) = send(
        client
            .delete(format!("{base}/users/user1"))
            .bearer_auth(&chat_token),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["action"], "delete");
    let (status, body) = send(
        client
            .get(format!("{base}/users/user1"))
            .bearer_auth(&chat_token),
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(body["error"], "service_resource_not_found");
    let (status, _) = send(
        client
            .delete(format!("{base}/users/user1"))
            .bearer_auth(&chat_token),
    )
    .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn agora_bad_tokens_and_bodies() {
    let sandbox = start(None).await;
    let client = reqwest::Client::new();
    let base = format!("{}/{}/{}", sandbox.url(), demo::AGORA_ORG, demo::AGORA_APP);
    let now = u32::try_from(now()).unwrap();
    let expired = agora::chat_app_token(
        demo::AGORA_APP_ID,
        demo::AGORA_APP_CERTIFICATE,
        60,
        now - 120,
        7,
    )
    .unwrap();
    let wrong_cert = agora::chat_app_token(
        demo::AGORA_APP_ID,
        "0123456789abcdef0123456789abcdef",
        600,
        now,
        7,
    )
    .unwrap();
    let user_token = agora::chat_user_token(
        demo::AGORA_APP_ID,
        demo::AGORA_APP_CERTIFICATE,
        "bob",
        600,
        now,
        7,
    )
    .unwrap();
    for token in [
        expired.as_str(),
        wrong_cert.as_str(),
        user_token.as_str(),
        "007garbage",
        "YWMtunknown",
    ] {
        for request in [
            client
                .post(format!("{base}/token"))
                .json(&json!({"grant_type": "agora"})),
            client
                .post(format!("{base}/users"))
                .json(&json!({"username": "x", "password": "y"})),
            client.get(format!("{base}/users/x")),
        ] {
            let (status, body) = send(request.bearer_auth(token)).await;
            assert_eq!(status, 401, "{token}");
            assert_eq!(body["error"], "auth_bad_access_token", "{token}");
            assert_eq!(
                body["exception"],
                "org.apache.usergrid.rest.exceptions.SecurityException"
            );
        }
    }
    let (status, body) = send(
        client
            .post(format!("{base}/users"))
            .json(&json!({"username": "x", "password": "y"})),
    )
    .await;
    assert_eq!(status, 401);
    assert_eq!(body["error"], "unauthorized");

    let (_, app_token) = text(&client, format!("{}/chat/app/token", sandbox.url())).await;
    let (status, body) = send(
        client
            .post(format!("{base}/token"))
            .bearer_auth(&app_token)
            .json(&json!({"grant_type": "password"})),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], "illegal_argument");
    let (status, body) = send(
        client
            .post(format!("{base}/users"))
            .bearer_auth(&app_token)
            .header("content-type", "application/json")
            .body("[{\"username\":"),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], "json_parse");
    let (status, body) = send(
        client
            .post(format!("{}/1/2/users", sandbox.url()))
            .bearer_auth(&app_token)
            .json(&json!({})),
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(body["error"], "organization_application_not_found");

    let big = format!("[{}]", "1,".repeat(600_000));
    let response = client
        .post(format!("{base}/users"))
        .bearer_auth(&app_token)
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "request_entity_too_large");
}

/// Twilio's quickstart token server (sdk-starter-node `src/router.js`, `src/token_generator.js`):
/// `GET /token/:id`, `POST /token` with `id`, a random name without one; the token as
/// twilio-node signs it: one hour, no `nbf`, a chat grant and a `default` sync grant.
#[tokio::test]
async fn twilio_token_server() {
    let sandbox = start(None).await;
    let client = reqwest::Client::new();
    let url = format!("{}/token", sandbox.url());
    let before = now();
    let (status, body) = send(client.get(format!("{url}/alice"))).await;
    let after = now();
    assert_eq!(status, 200, "{body}");
    let keys: Vec<&str> = body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["identity", "token"]);
    assert_eq!(body["identity"], "alice");
    let decoded =
        twilio::verify(body["token"].as_str().unwrap(), demo::TWILIO_API_KEY_SECRET).unwrap();
    assert_eq!(decoded.subject.as_deref(), Some("alice"));
    assert_eq!(decoded.app.as_deref(), Some(demo::TWILIO_API_KEY_SID));
    assert_eq!(decoded.claims["sub"], demo::TWILIO_ACCOUNT_SID);
    assert_eq!(
        decoded.claims["grants"]["chat"]["service_sid"],
        demo::TWILIO_CHAT_SERVICE_SID
    );
    assert_eq!(
        decoded.claims["grants"]["data_sync"]["service_sid"],
        "default"
    );
    assert!(
        decoded.claims.get("nbf").is_none(),
        "twilio-node sets no nbf"
    );
    let exp = decoded.expires_at.unwrap();
    assert!((before + 3600..=after + 3600).contains(&exp), "{exp}");
    assert!(twilio::verify(body["token"].as_str().unwrap(), "other").is_err());

    // ?identity= (CONTRACT.md's form), a form and a JSON body with `id`, as the quickstart reads.
    let (_, body) = send(client.get(&url).query(&[("identity", "zed")])).await;
    assert_eq!(body["identity"], "zed");
    let (_, body) = send(client.post(&url).form(&[("id", "bob")])).await;
    assert_eq!(body["identity"], "bob");
    let (_, body) = send(client.post(&url).json(&json!({"id": "carol"}))).await;
    assert_eq!(body["identity"], "carol");
    let (_, body) = send(client.post(&url).json(&json!({"id": 42}))).await;
    assert_eq!(body["identity"], "42");
    // No name: a random adjective + first name + place, different across calls.
    let mut names = std::collections::BTreeSet::new();
    for _ in 0..8 {
        let (status, body) = send(client.get(&url)).await;
        assert_eq!(status, 200);
        names.insert(body["identity"].as_str().unwrap().to_owned());
    }
    assert!(names.len() > 1, "{names:?}");
    assert!(names
        .iter()
        .all(|n| n.chars().next().unwrap().is_ascii_uppercase() && n.len() > 6));
    // Bad JSON gets the quickstart's error handler's shape.
    let (status, body) = send(
        client
            .post(&url)
            .header("content-type", "application/json")
            .body("{\"id\":"),
    )
    .await;
    assert_eq!(status, 400);
    assert!(body["message"].as_str().unwrap().contains("JSON"), "{body}");
    assert_eq!(body["error"], json!({}));
}

#[tokio::test]
async fn vonage_sessions_and_tokens() {
    let sandbox = start(None).await;
    let client = reqwest::Client::new();
    // The session API takes a form and an X-OPENTOK-AUTH project JWT (tests/wire_vonage.rs
    // covers it in depth).
    let auth = || {
        let now = i64::try_from(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_secs(),
        )
        .unwrap();
        apiplay::tokens::rest_auth::opentok_rest_jwt(
            demo::OPENTOK_API_KEY,
            demo::OPENTOK_API_SECRET,
            now,
            "sandbox-tokens",
        )
        .unwrap()
    };
    let form = |body: &'static str| {
        client
            .post(format!("{}/session/create", sandbox.url()))
            .header("X-OPENTOK-AUTH", auth())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
    };
    let (status, body) = send(form("p2p.preference=disabled")).await;
    assert_eq!(status, 200, "{body}");
    let session = body[0]["session_id"].as_str().unwrap().to_owned();
    assert_eq!(body[0]["project_id"], demo::OPENTOK_API_KEY);
    assert!(opentok::session_api_key_parts(&session)
        .unwrap()
        .contains(&demo::OPENTOK_API_KEY.to_owned()));
    let (status, _) = send(
        client
            .post(format!("{}/session/create", sandbox.url()))
            .header("X-OPENTOK-AUTH", auth()),
    )
    .await;
    assert_eq!(status, 200, "an empty body is fine");
    let (status, _) = send(form("p2p.preference=enabled&archiveMode=always")).await;
    assert_eq!(status, 400);

    let url = format!("{}/vonage/token", sandbox.url());
    let (status, body) = send(client.post(&url).json(&json!({"session_id": session, "role": "moderator", "ttl": 3600, "data": "name=Johnny", "format": "t1"}))).await;
    assert_eq!(status, 200, "{body}");
    let t1 = opentok::verify_t1(body["token"].as_str().unwrap(), demo::OPENTOK_API_SECRET).unwrap();
    let t1 = format!("{t1:?}");
    assert!(
        t1.contains("moderator") && t1.contains("name=Johnny"),
        "{t1}"
    );
    assert!(opentok::verify_t1(body["token"].as_str().unwrap(), "wrong-secret").is_err());

    let (status, body) = send(client.post(&url).json(&json!({"session_id": session}))).await;
    assert_eq!(status, 200, "{body}");
    let decoded =
        opentok::verify_jwt(body["token"].as_str().unwrap(), demo::OPENTOK_API_SECRET).unwrap();
    assert_eq!(decoded.claims["role"], "publisher");
    assert_eq!(decoded.claims["session_id"], session.as_str());
    assert_eq!(decoded.expires_at, body["expire_time"].as_i64());

    let foreign = opentok::new_session_id("999999", 1, "x");
    let cases = [
        (json!({"session_id": foreign}), 403),
        (json!({"session_id": session, "role": "king"}), 400),
        (json!({"session_id": session, "ttl": 31 * 86_400}), 400),
        (
            json!({"session_id": session, "expire_time": now() - 10}),
            400,
        ),
        (
            json!({"session_id": session, "data": "x".repeat(1001)}),
            400,
        ),
        (json!({"session_id": session, "format": "t2"}), 400),
        (json!({"role": "publisher"}), 400),
        (json!({"session_id": "garbage"}), 400),
    ];
    for (request, expected) in cases {
        let (status, body) = send(client.post(&url).json(&request)).await;
        assert_eq!(status.as_u16(), expected, "{request}: {body}");
        assert_eq!(body["code"], expected, "{request}");
    }
    let (status, _) = send(
        client
            .post(&url)
            .json(&json!({"session_id": session, "data": "x".repeat(1000)})),
    )
    .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn oversize_bodies_get_413_in_each_vendors_style() {
    let sandbox = start(None).await;
    let client = reqwest::Client::new();
    let big = format!("{{\"pad\":\"{}\"}}", "x".repeat(1024 * 1024));
    for (path, field) in [
        ("/token", "message"),
        ("/vonage/token", "message"),
        ("/session/create", "message"),
    ] {
        let response = client
            .post(format!("{}{path}", sandbox.url()))
            .header("content-type", "application/json")
            .body(big.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 413, "{path}");
        let body: Value = response.json().await.unwrap();
        assert!(
            body[field].as_str().unwrap().contains("larger than"),
            "{path}: {body}"
        );
    }
}
