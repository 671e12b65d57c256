//! Twilio true to the wire, over real loopback HTTP: the sandbox's Conversations REST API takes
//! forms and HTTP Basic, answers the fields twilio-python reads with SIDs of the right kind,
//! refuses what the API refuses in Twilio's error body, pages with `meta`, keeps what it stored
//! across a restart (a real SQLite file); and the shipped payloads go out as forms with Basic
//! auth minted at send time. The expected field lists and error bodies are written by hand from
//! twilio-python 9.11.0 and Twilio's published answers, not taken from the code under test.
// The hand-written field lists make the resource walk long; split, it would only scatter them.
#![allow(clippy::unwrap_used, clippy::too_many_lines)]

mod sandbox_support;
mod wire_support;

use std::time::Duration;

use apiplay::sandbox::demo;
use base64::Engine as _;
use serde_json::{json, Value};

const KEY: (&str, &str) = (demo::TWILIO_API_KEY_SID, demo::TWILIO_API_KEY_SECRET);
const ACCOUNT: (&str, &str) = (demo::TWILIO_ACCOUNT_SID, demo::TWILIO_AUTH_TOKEN);

struct Api {
    client: reqwest::Client,
    base: String,
    auth: (&'static str, &'static str),
}

impl Api {
    fn new(base: String, auth: (&'static str, &'static str)) -> Api {
        Api {
            client: reqwest::Client::new(),
            base,
            auth,
        }
    }

    async fn answer(request: reqwest::RequestBuilder) -> (u16, Value) {
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap()
        };
        (status, body)
    }

    async fn post(&self, path: &str, form: &[(&str, &str)]) -> (u16, Value) {
        Self::answer(
            self.client
                .post(format!("{}{path}", self.base))
                .basic_auth(self.auth.0, Some(self.auth.1))
                .form(form),
        )
        .await
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        Self::answer(
            self.client
                .get(format!("{}{path}", self.base))
                .basic_auth(self.auth.0, Some(self.auth.1)),
        )
        .await
    }

    async fn delete(&self, path: &str) -> (u16, Value) {
        Self::answer(
            self.client
                .delete(format!("{}{path}", self.base))
                .basic_auth(self.auth.0, Some(self.auth.1)),
        )
        .await
    }
}

fn keys(v: &Value) -> Vec<&str> {
    v.as_object().unwrap().keys().map(String::as_str).collect()
}

fn assert_sid(sid: &Value, prefix: &str) {
    let sid = sid.as_str().unwrap();
    assert_eq!(sid.len(), 34, "{sid}");
    assert!(sid.starts_with(prefix), "{sid}");
    assert!(sid[2..].chars().all(|c| c.is_ascii_hexdigit()), "{sid}");
}

/// `2015-12-16T22:18:37Z`, the format twilio-python parses (`%Y-%m-%dT%H:%M:%SZ`).
fn assert_date(v: &Value) {
    let s = v.as_str().unwrap();
    let b = s.as_bytes();
    assert_eq!(b.len(), 20, "{s}");
    for (i, c) in b.iter().enumerate() {
        match i {
            4 | 7 => assert_eq!(*c, b'-', "{s}"),
            10 => assert_eq!(*c, b'T', "{s}"),
            13 | 16 => assert_eq!(*c, b':', "{s}"),
            19 => assert_eq!(*c, b'Z', "{s}"),
            _ => assert!(c.is_ascii_digit(), "{s}"),
        }
    }
}

#[tokio::test]
async fn the_resources_answer_the_fields_twilio_python_reads() {
    let sandbox = sandbox_support::start(None).await;
    let api = Api::new(sandbox.url(), KEY);
    let (status, service) = api.post("/v1/Services", &[("FriendlyName", "demo")]).await;
    assert_eq!(status, 201, "{service}");
    // twilio-python's ServiceInstance reads these (twilio/rest/conversations/v1/service).
    assert_eq!(
        keys(&service),
        [
            "account_sid",
            "sid",
            "friendly_name",
            "date_created",
            "date_updated",
            "url",
            "links"
        ]
    );
    assert_sid(&service["sid"], "IS");
    assert_eq!(service["account_sid"], "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    assert_eq!(service["friendly_name"], "demo");
    assert_date(&service["date_created"]);
    let is = service["sid"].as_str().unwrap().to_owned();
    assert_eq!(
        service["url"],
        format!("{}/v1/Services/{is}", sandbox.url())
    );
    assert_eq!(
        service["links"]["users"],
        format!("{}/v1/Services/{is}/Users", sandbox.url())
    );

    // The account SID and auth token authenticate as well as the API key.
    let account = Api::new(sandbox.url(), ACCOUNT);
    let users = format!("/v1/Services/{is}/Users");
    let (status, user) = account
        .post(&users, &[("Identity", "alice"), ("FriendlyName", "Alice")])
        .await;
    assert_eq!(status, 201, "{user}");
    assert_eq!(
        keys(&user),
        [
            "sid",
            "account_sid",
            "chat_service_sid",
            "role_sid",
            "identity",
            "friendly_name",
            "attributes",
            "is_online",
            "is_notifiable",
            "date_created",
            "date_updated",
            "url",
            "links"
        ]
    );
    assert_sid(&user["sid"], "US");
    assert_eq!(user["chat_service_sid"], is.as_str());
    assert_eq!(user["identity"], "alice");
    assert_eq!(user["attributes"], "{}");
    // The identity works in place of the SID.
    let (status, by_identity) = api.get(&format!("{users}/alice")).await;
    assert_eq!(status, 200);
    assert_eq!(by_identity["sid"], user["sid"]);
    let (status, updated) = api
        .post(&format!("{users}/alice"), &[("FriendlyName", "Alice A.")])
        .await;
    assert_eq!(
        (status, &updated["friendly_name"]),
        (200, &json!("Alice A."))
    );

    let (status, conversation) = api
        .post(
            &format!("/v1/Services/{is}/Conversations"),
            &[("FriendlyName", "Standup"), ("UniqueName", "standup")],
        )
        .await;
    assert_eq!(status, 201, "{conversation}");
    assert_eq!(
        keys(&conversation),
        [
            "account_sid",
            "chat_service_sid",
            "messaging_service_sid",
            "sid",
            "friendly_name",
            "unique_name",
            "attributes",
            "state",
            "date_created",
            "date_updated",
            "timers",
            "url",
            "links",
            "bindings"
        ]
    );
    assert_sid(&conversation["sid"], "CH");
    assert_eq!(conversation["state"], "active");
    // The unique name works in place of the SID.
    let conv = format!("/v1/Services/{is}/Conversations/standup");
    let (status, participant) = api
        .post(&format!("{conv}/Participants"), &[("Identity", "alice")])
        .await;
    assert_eq!(status, 201, "{participant}");
    assert_eq!(
        keys(&participant),
        [
            "account_sid",
            "chat_service_sid",
            "conversation_sid",
            "sid",
            "identity",
            "attributes",
            "messaging_binding",
            "role_sid",
            "date_created",
            "date_updated",
            "url",
            "last_read_message_index",
            "last_read_timestamp"
        ]
    );
    assert_sid(&participant["sid"], "MB");
    assert_eq!(participant["conversation_sid"], conversation["sid"]);

    let messages = format!("{conv}/Messages");
    let (status, message) = api
        .post(&messages, &[("Author", "alice"), ("Body", "hello")])
        .await;
    assert_eq!(status, 201, "{message}");
    assert_eq!(
        keys(&message),
        [
            "account_sid",
            "chat_service_sid",
            "conversation_sid",
            "sid",
            "index",
            "author",
            "body",
            "media",
            "attributes",
            "participant_sid",
            "date_created",
            "date_updated",
            "delivery",
            "url",
            "links",
            "content_sid"
        ]
    );
    assert_sid(&message["sid"], "IM");
    assert_eq!(message["index"], 0);
    assert_eq!(message["participant_sid"], participant["sid"]);
    assert_eq!(message["date_updated"], Value::Null, "not edited yet");
    // Without Author the message is the system's, with no participant.
    let (_, system) = api.post(&messages, &[("Body", "joined")]).await;
    assert_eq!(
        (
            &system["author"],
            &system["participant_sid"],
            &system["index"]
        ),
        (&json!("system"), &Value::Null, &json!(1))
    );

    // Deletes answer 204 with no body; a conversation takes its messages with it.
    let (status, body) = api
        .delete(&format!("/v1/Services/{is}/Conversations/standup"))
        .await;
    assert_eq!((status, body), (204, Value::Null));
    let (status, _) = api
        .get(&format!("{messages}/{}", message["sid"].as_str().unwrap()))
        .await;
    assert_eq!(status, 404);
    // The shortened URLs act on the default service.
    let (status, dora) = api.post("/v1/Users", &[("Identity", "dora")]).await;
    assert_eq!(status, 201);
    assert_eq!(dora["chat_service_sid"], demo::TWILIO_CHAT_SERVICE_SID);
}

/// Twilio's answer to failed authentication, as published (twilio.com/docs/api/errors/20003 and
/// the body clients receive), by hand.
fn authenticate_body() -> Value {
    json!({
        "code": 20003,
        "message": "Authenticate",
        "more_info": "https://www.twilio.com/docs/errors/20003",
        "status": 401
    })
}

#[tokio::test]
async fn missing_or_wrong_credentials_get_401_20003() {
    let sandbox = sandbox_support::start(None).await;
    let url = format!("{}/v1/Services", sandbox.url());
    let client = reqwest::Client::new();
    let basic = |user: &str, pass: &str| {
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pass}"))
        )
    };
    for auth in [
        None,
        Some(format!("Bearer {}", demo::TWILIO_API_KEY_SECRET)),
        Some(basic(demo::TWILIO_API_KEY_SID, "not-the-secret")),
        Some(basic(demo::TWILIO_ACCOUNT_SID, demo::TWILIO_API_KEY_SECRET)),
        Some(basic(
            "SKffffffffffffffffffffffffffffffff",
            demo::TWILIO_API_KEY_SECRET,
        )),
        Some("Basic !!!not-base64".to_owned()),
        Some(format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode("no-colon")
        )),
    ] {
        let mut request = client.get(&url);
        if let Some(auth) = &auth {
            request = request.header("authorization", auth);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 401, "{auth:?}");
        assert_eq!(
            response.headers()["www-authenticate"],
            "Basic realm=\"Twilio API\""
        );
        let body: Value = response.json().await.unwrap();
        assert_eq!(body, authenticate_body(), "{auth:?}");
    }
    // A refused write stores nothing.
    let refused = client
        .post(&url)
        .basic_auth(demo::TWILIO_API_KEY_SID, Some("wrong"))
        .form(&[("FriendlyName", "sneaky")])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
    let (_, list) = Api::new(sandbox.url(), KEY).get("/v1/Services").await;
    assert!(!list.to_string().contains("sneaky"), "{list}");
}

#[tokio::test]
async fn refusals_are_twilios_error_bodies() {
    let sandbox = sandbox_support::start(None).await;
    let api = Api::new(sandbox.url(), KEY);
    // Unknown SIDs: 404 with 20404 naming the resource.
    let (status, body) = api
        .get("/v1/Services/ISffffffffffffffffffffffffffffffff")
        .await;
    assert_eq!(status, 404);
    assert_eq!(
        body,
        json!({
            "code": 20404,
            "message": "The requested resource /v1/Services/ISffffffffffffffffffffffffffffffff was not found",
            "more_info": "https://www.twilio.com/docs/errors/20404",
            "status": 404
        })
    );
    let (status, _) = api
        .post(
            "/v1/Services/ISffffffffffffffffffffffffffffffff/Users",
            &[("Identity", "x")],
        )
        .await;
    assert_eq!(status, 404, "a user of a service that does not exist");
    // A JSON body is not read: Identity is missing, as the real API answers (twilio-chat-demo-
    // android issue 147 quotes this body).
    let response = reqwest::Client::new()
        .post(format!("{}/v1/Users", sandbox.url()))
        .basic_auth(KEY.0, Some(KEY.1))
        .json(&json!({"Identity": "bob"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body,
        json!({
            "code": 20001,
            "message": "Missing required parameter Identity in the post body",
            "more_info": "https://www.twilio.com/docs/errors/20001",
            "status": 400
        })
    );
    let (status, body) = api.post("/v1/Services", &[]).await;
    assert_eq!(status, 400);
    assert_eq!(
        body["message"],
        "Missing required parameter FriendlyName in the post body"
    );
    // Duplicates are 409; nothing second is stored.
    assert_eq!(api.post("/v1/Users", &[("Identity", "eve")]).await.0, 201);
    let (status, body) = api.post("/v1/Users", &[("Identity", "eve")]).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["status"], 409);
    let (_, list) = api.get("/v1/Users").await;
    let eves = list["users"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| u["identity"] == "eve")
        .count();
    assert_eq!(eves, 1);
    // Identity is case-sensitive (the User page): Eve is someone else.
    assert_eq!(api.post("/v1/Users", &[("Identity", "Eve")]).await.0, 201);
    // Values the sandbox refuses, each with a message naming the parameter.
    let (_, conv) = api.post("/v1/Conversations", &[]).await;
    let sid = conv["sid"].as_str().unwrap();
    for (path, form, needle) in [
        (
            "/v1/Conversations".to_owned(),
            vec![("State", "open")],
            "State",
        ),
        (
            format!("/v1/Conversations/{sid}/Messages"),
            vec![("Body", "x".repeat(1601).leak() as &str)],
            "1600",
        ),
        (
            format!("/v1/Conversations/{sid}/Participants"),
            vec![("Attributes", "{}")],
            "Identity",
        ),
    ] {
        let (status, body) = api.post(&path, &form).await;
        assert_eq!(status, 400, "{path}: {body}");
        assert!(body["message"].as_str().unwrap().contains(needle), "{body}");
    }
    let (status, body) = api.get("/v1/Users?PageSize=5000").await;
    assert_eq!(status, 400);
    assert!(body["message"].as_str().unwrap().contains("PageSize"));
}

#[tokio::test]
async fn lists_page_through_meta_as_the_sdks_follow_it() {
    let sandbox = sandbox_support::start(None).await;
    let api = Api::new(sandbox.url(), KEY);
    let (_, service) = api
        .post("/v1/Services", &[("FriendlyName", "paging")])
        .await;
    let users = format!("/v1/Services/{}/Users", service["sid"].as_str().unwrap());
    for name in ["u1", "u2", "u3"] {
        assert_eq!(api.post(&users, &[("Identity", name)]).await.0, 201);
    }
    let (status, first) = api.get(&format!("{users}?PageSize=2")).await;
    assert_eq!(status, 200);
    assert_eq!(keys(&first), ["users", "meta"]);
    assert_eq!(
        keys(&first["meta"]),
        [
            "page",
            "page_size",
            "first_page_url",
            "previous_page_url",
            "url",
            "next_page_url",
            "key"
        ]
    );
    assert_eq!(first["meta"]["key"], "users");
    assert_eq!(first["meta"]["page_size"], 2);
    assert_eq!(first["meta"]["previous_page_url"], Value::Null);
    let identities = |page: &Value| -> Vec<String> {
        page["users"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["identity"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(identities(&first), ["u1", "u2"]);
    // next_page_url is absolute; follow it as twilio-python does.
    let next = first["meta"]["next_page_url"].as_str().unwrap();
    let path = next.strip_prefix(&sandbox.url()).unwrap();
    let (_, second) = api.get(path).await;
    assert_eq!(identities(&second), ["u3"]);
    assert_eq!(second["meta"]["page"], 1);
    assert_eq!(second["meta"]["next_page_url"], Value::Null);
    assert!(second["meta"]["previous_page_url"].is_string());
}

#[tokio::test]
async fn what_the_sandbox_stored_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sandbox.sqlite3");
    let (service_sid, user) = {
        let sandbox = sandbox_support::start(Some(db.clone())).await;
        let api = Api::new(sandbox.url(), KEY);
        let (_, service) = api.post("/v1/Services", &[("FriendlyName", "kept")]).await;
        let sid = service["sid"].as_str().unwrap().to_owned();
        let (_, user) = api
            .post(&format!("/v1/Services/{sid}/Users"), &[("Identity", "kim")])
            .await;
        sandbox.shutdown().await;
        (sid, user)
    };
    let sandbox = sandbox_support::start(Some(db)).await;
    let api = Api::new(sandbox.url(), KEY);
    let (status, again) = api
        .get(&format!("/v1/Services/{service_sid}/Users/kim"))
        .await;
    assert_eq!(status, 200);
    // The same resource; only the port in its URL differs between the two runs.
    for key in ["sid", "identity", "date_created", "chat_service_sid"] {
        assert_eq!(again[key], user[key], "{key}");
    }
}

/// Sends a shipped payload with the real binary against `backend_url`, in a fresh data dir;
/// returns the data dir (history) and the exit code.
fn apiplay_sends(payload: &str, backend_url: &str, vars: &str) -> (tempfile::TempDir, i32) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("apiplay.toml"),
        format!(
            "[environments.cap.backends]\ntwilio_conversations = \"{backend_url}\"\ntwilio_token_server = \"{backend_url}\"\n[environments.cap.variables]\n{vars}"
        ),
    )
    .unwrap();
    let out = assert_cmd::Command::new(env!("CARGO_BIN_EXE_apiplay"))
        .current_dir(dir.path())
        .env("APIPLAY_HOME", dir.path().join("home"))
        .args(["send", "--env", "cap"])
        .arg(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(payload))
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    (dir, out.status.code().unwrap_or(-1))
}

#[test]
fn the_shipped_payloads_send_forms_with_basic_auth_minted_at_send_time() {
    let capture = wire_support::start();
    let vars = format!(
        "twilio_api_key_sid = \"{}\"\ntwilio_api_key_secret = \"{}\"\ntwilio_service_sid = \"IS0123456789abcdef0123456789abcdef\"\n",
        demo::TWILIO_API_KEY_SID,
        demo::TWILIO_API_KEY_SECRET
    );
    let (home, code) = apiplay_sends("payloads/twilio/user-create.json", &capture.url(), &vars);
    assert_eq!(code, 0);
    let sent = capture.take();
    assert_eq!(sent.len(), 1);
    let sent = &sent[0];
    assert_eq!(sent.method, "POST");
    assert_eq!(
        sent.path(),
        "/v1/Services/IS0123456789abcdef0123456789abcdef/Users"
    );
    assert_eq!(
        sent.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(
        sent.form(),
        [
            ("Identity".to_owned(), "alice".to_owned()),
            ("FriendlyName".to_owned(), "Alice".to_owned())
        ]
    );
    // `Basic base64(SID:secret)`, computed here by hand.
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!(
            "{}:{}",
            demo::TWILIO_API_KEY_SID,
            demo::TWILIO_API_KEY_SECRET
        ))
    );
    assert_eq!(sent.header("authorization"), Some(expected.as_str()));
    // The history keeps the placeholder, never the credentials.
    let store = apiplay::history::Store::open(&home.path().join("home/history.sqlite3")).unwrap();
    let exchange = store.get_exchange(1).unwrap().unwrap();
    assert!(exchange
        .request
        .headers
        .contains(&("Authorization".to_owned(), "{{$twilio_basic}}".to_owned())));
    assert_eq!(
        exchange.request.body.as_deref(),
        Some("Identity=alice&FriendlyName=Alice")
    );

    // The quickstart token request: a bare GET of /token/alice.
    let (_, code) = apiplay_sends("payloads/twilio/token.json", &capture.url(), "");
    assert_eq!(code, 0);
    let sent = capture.take();
    assert_eq!(
        (
            sent[0].method.as_str(),
            sent[0].uri.as_str(),
            sent[0].body.len()
        ),
        ("GET", "/token/alice", 0)
    );
}

#[test]
fn the_commented_twilio_environment_names_the_real_hosts_and_env_credentials() {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/apiplay.toml")).unwrap();
    let toml: String = text
        .lines()
        .filter_map(|l| l.strip_prefix("# "))
        .filter(|l| {
            l.starts_with('[') || l.split_once(" = ").is_some_and(|(k, _)| !k.contains(' '))
        })
        .flat_map(|l| [l, "\n"])
        .collect();
    let config =
        apiplay::config::Config::parse(&toml, std::path::Path::new("apiplay.toml")).unwrap();
    let twilio = config.environment("twilio-cloud").unwrap();
    // The Conversations API's host (twilio-python's Conversations domain), by hand.
    assert_eq!(
        twilio.backend_url("twilio_conversations"),
        Some("https://conversations.twilio.com")
    );
    assert_eq!(
        twilio.backend_url("twilio_token_server"),
        Some("http://localhost:3000")
    );
    for secret in ["twilio_api_key_secret", "twilio_auth_token"] {
        assert!(twilio.variables[secret].secret, "{secret}");
    }
    for name in ["twilio_account_sid", "twilio_api_key_sid"] {
        assert!(twilio.variables.contains_key(name), "{name}");
    }
}
