//! The exact request that went out: every header on the wire (the payload's own, and those
//! the HTTP client adds: `accept`, `user-agent`, `host`, `content-length`) is recorded at the
//! send, secrets as their `{{name}}`, and read back for the request view. A raw TCP server
//! tells what really arrived.
#![allow(clippy::unwrap_used)]

mod wire_support;

use std::time::Duration;

const SECRET: &str = "s3cr3t-bearer-value-0123456789";

fn workspace(base: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("apiplay.toml"),
        format!(
            r#"[environments.raw.backends]
mesibo = "{base}/api/"

[environments.raw.variables]
api_secret = {{ env = "WIRE_HEADERS_SECRET" }}
"#
        ),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("post.json"),
        r#"{"op": "useradd", "token": "{{api_secret}}", "user": {"address": "a@b.c"}}"#,
    )
    .unwrap();
    std::fs::write(
        dir.path().join("post.toml"),
        "backend = \"mesibo\"\nmethod = \"POST\"\npath = \"users\"\n\n[headers]\nAuthorization = \"Bearer {{api_secret}}\"\nX-Trace = \"t-1\"\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("get.json"), "{}").unwrap();
    std::fs::write(
        dir.path().join("get.toml"),
        "backend = \"mesibo\"\nmethod = \"GET\"\npath = \"users\"\n\n[query]\nlimit = \"5\"\n",
    )
    .unwrap();
    dir
}

fn send(dir: &tempfile::TempDir, payload: &str) {
    assert_cmd::Command::new(env!("CARGO_BIN_EXE_apiplay"))
        .current_dir(dir.path())
        .env("APIPLAY_HOME", dir.path().join("home"))
        .env("WIRE_HEADERS_SECRET", SECRET)
        .env("NO_COLOR", "1")
        .args(["--env", "raw", "send", payload])
        .timeout(Duration::from_secs(60))
        .assert()
        .success();
}

/// The recorded wire headers of exchange `id`.
fn recorded(dir: &tempfile::TempDir, id: i64) -> Vec<(String, String)> {
    let db = rusqlite::Connection::open(dir.path().join("home/history.sqlite3")).unwrap();
    let text: String = db
        .query_row(
            "SELECT sent_headers FROM exchanges WHERE id = ?1",
            [id],
            |r| r.get(0),
        )
        .unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn every_header_on_the_wire_is_recorded_in_order_with_secrets_masked() {
    let server = wire_support::RawHeads::start();
    let dir = workspace(&server.url());
    send(&dir, "post.json");
    send(&dir, "get.json");
    let heads = server.heads.lock().unwrap().clone();
    assert_eq!(heads.len(), 2);
    let port = server.addr.port();

    // The POST: what arrived, line by line, with the secret where it was.
    let (line, got) = &heads[0];
    assert_eq!(line, "POST /api/users HTTP/1.1");
    let body_len =
        r#"{"op": "useradd", "token": "", "user": {"address": "a@b.c"}}"#.len() + SECRET.len();
    let expected: Vec<(String, String)> = [
        ("authorization", format!("Bearer {SECRET}")),
        ("x-trace", "t-1".to_owned()),
        ("content-type", "application/json".to_owned()),
        ("accept", "*/*".to_owned()),
        (
            "user-agent",
            format!("apiplay/{}", env!("CARGO_PKG_VERSION")),
        ),
        ("host", format!("127.0.0.1:{port}")),
        ("content-length", body_len.to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    assert_eq!(got, &expected, "what the server received");
    // Recorded the same, the secret as its placeholder.
    let mut masked = expected.clone();
    masked[0].1 = "Bearer {{api_secret}}".to_owned();
    assert_eq!(recorded(&dir, 1), masked);

    // The GET: no body, so no content-type and no content-length.
    let (line, got) = &heads[1];
    assert_eq!(line, "GET /api/users?limit=5 HTTP/1.1");
    let names: Vec<&str> = got.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(names, ["accept", "user-agent", "host"]);
    assert_eq!(&recorded(&dir, 2), got);

    // Nothing in the history (database and WAL) holds the secret.
    for entry in std::fs::read_dir(dir.path().join("home")).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            let bytes = std::fs::read(&path).unwrap();
            let found = bytes.windows(SECRET.len()).any(|w| w == SECRET.as_bytes());
            assert!(!found, "{} holds the secret", path.display());
        }
    }
}
