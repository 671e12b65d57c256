//! Replay goes through the same path as a send in both front ends: the real binary
//! (`apiplay replay`) and the TUI's core link, each against the real embedded sandbox with a
//! real history file. A bodyless exchange replays, and the sidecar's captures are recorded again.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;

use apiplay::history::Store;
use serde_json::Value;

/// Copies the repository's Agora app-token payload (a GET with no body that captures the
/// whole answer as `agora_app_token`) into `dir/payloads/agora/`.
fn app_token_payload(dir: &Path) -> std::path::PathBuf {
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("payloads/agora");
    let to = dir.join("payloads/agora");
    std::fs::create_dir_all(&to).unwrap();
    for name in ["app-token.json", "app-token.toml"] {
        std::fs::copy(from.join(name), to.join(name)).unwrap();
    }
    to.join("app-token.json")
}

/// The captured value and the response body of exchange `id`, read from the history file.
fn capture_and_body(home: &Path, name: &str, id: i64) -> (Value, String) {
    let store = Store::open(&home.join(apiplay::history::FILE_NAME)).unwrap();
    let captures = store.captures("sandbox").unwrap();
    let exchange = store.get_exchange(id).unwrap().unwrap();
    let body = String::from_utf8(exchange.outcome.unwrap().body.to_vec()).unwrap();
    (captures[name].clone(), body)
}

#[test]
fn cli_replay_of_a_bodyless_exchange_sends_it_again_and_captures() {
    let ws = common::Workspace::with_base("http://127.0.0.1:9");
    let file = app_token_payload(ws.path());
    let out = ws
        .cmd()
        .args(["send", file.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let out = ws.cmd().args(["replay", "1"]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("exchange #2"), "{err}");
    assert!(err.contains("captured agora_app_token = "), "{err}");
    // The capture now holds the replay's token, not the first one.
    let (captured, body) = capture_and_body(&ws.home, "agora_app_token", 2);
    assert!(body.starts_with("007"), "{body}");
    assert_eq!(captured, Value::String(body));
}

#[test]
fn tui_replay_records_the_captures_and_a_refusal_is_marked() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    // This test binary's only in-process session: the history goes to the temp dir.
    std::env::set_var("APIPLAY_HOME", &home);
    let file = app_token_payload(dir.path());
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let link = apiplay::tui::core_link::CoreLink::new(None, dir.path().join("payloads"));
        let sent = link.send(&file, "{}").await.unwrap();
        assert_eq!(sent.outcome.as_ref().unwrap().status, 200);
        assert_eq!(
            tokio::task::spawn_blocking(move || sent.record.run())
                .await
                .unwrap()
                .1,
            None
        );
        let first = capture_and_body(&home, "agora_app_token", 1);
        assert_eq!(first.0, Value::String(first.1.clone()));

        let replayed = link.replay(1).await.unwrap();
        assert_eq!(replayed.outcome.as_ref().unwrap().status, 200);
        assert_eq!(
            tokio::task::spawn_blocking(move || replayed.record.run())
                .await
                .unwrap()
                .1,
            None
        );
        let (captured, body) = capture_and_body(&home, "agora_app_token", 2);
        assert_ne!(body, first.1, "a fresh token (random salt) was issued");
        assert_eq!(captured, Value::String(body));

        // A payload with a body: mesibo's useradd issues a fresh user token at every call,
        // and the replay's is the one captured.
        let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("payloads/mesibo");
        let to = dir.path().join("payloads/mesibo");
        std::fs::create_dir_all(&to).unwrap();
        for name in ["useradd.json", "useradd.toml"] {
            std::fs::copy(from.join(name), to.join(name)).unwrap();
        }
        let text = std::fs::read_to_string(to.join("useradd.json")).unwrap();
        let sent = link.send(&to.join("useradd.json"), &text).await.unwrap();
        assert_eq!(
            tokio::task::spawn_blocking(move || sent.record.run())
                .await
                .unwrap()
                .1,
            None
        );
        let replayed = link.replay(3).await.unwrap();
        assert_eq!(
            tokio::task::spawn_blocking(move || replayed.record.run())
                .await
                .unwrap()
                .1,
            None
        );
        let (captured, body) = capture_and_body(&home, "mesibo_user_token", 4);
        let body: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(body["result"], true);
        assert_eq!(captured, body["user"]["token"]);
        let (_, first) = capture_and_body(&home, "mesibo_user_token", 3);
        let first: Value = serde_json::from_str(&first).unwrap();
        assert_ne!(captured, first["user"]["token"]);

        // mesibo says no inside a 200: the outcome and the history row say refused.
        let bad = text.replace("{{mesibo_app_token}}", "not-the-app-token");
        let sent = link.send(&to.join("useradd.json"), &bad).await.unwrap();
        let outcome = sent.outcome.as_ref().unwrap();
        assert_eq!(outcome.status, 200);
        assert!(String::from_utf8_lossy(&outcome.body).contains(r#""result":false"#));
        assert_eq!(
            tokio::task::spawn_blocking(move || sent.record.run())
                .await
                .unwrap()
                .1,
            None,
            "no history warning"
        );
        let rows = link.history().await.unwrap();
        assert_eq!(
            (rows[0].id, rows[0].status, rows[0].refused),
            (5, Some(200), true)
        );
        assert_eq!((rows[1].id, rows[1].refused), (4, false));
    });
}
