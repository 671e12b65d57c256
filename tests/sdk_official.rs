//! The vendors' official server SDKs, unchanged, against the real sandbox (and, for the
//! same-request checks, against a capture server next to apiplay's own request). The SDKs are
//! installed by `tests/sdk/install.sh` (which `.ci/run` calls) into `tests/sdk/.deps`; outside
//! CI a missing install skips these tests with a message, in CI it fails them.
#![allow(clippy::unwrap_used)]

mod wire_support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use apiplay::sandbox::{self, demo, SandboxOptions};
use apiplay::tokens::{agora, jwt};
use serde_json::Value;

fn sdk_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sdk")
}

/// Whether the SDKs are installed; in CI their absence is a failure.
fn installed() -> bool {
    let ok = sdk_dir().join(".deps/python/opentok").is_dir()
        && sdk_dir().join(".deps/node/node_modules/opentok").is_dir();
    assert!(
        ok || std::env::var_os("CI").is_none(),
        "the SDKs are not installed: run tests/sdk/install.sh"
    );
    if !ok {
        eprintln!("SKIPPED: the official SDKs are not installed; run tests/sdk/install.sh");
    }
    ok
}

fn python(args: &[&str]) -> Vec<Value> {
    let out = Command::new("python3")
        .arg(sdk_dir().join("opentok_py.py"))
        .args(args)
        .env("PYTHONPATH", sdk_dir().join(".deps/python"))
        .output()
        .unwrap();
    lines(&out)
}

fn node(script: &str, args: &[&str]) -> Vec<Value> {
    let out = Command::new("node")
        .arg(sdk_dir().join(script))
        .args(args)
        .env("NODE_PATH", sdk_dir().join(".deps/node/node_modules"))
        .output()
        .unwrap();
    lines(&out)
}

fn lines(out: &std::process::Output) -> Vec<Value> {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or(Value::String(l.to_owned())))
        .collect()
}

fn start_sandbox() -> (tokio::runtime::Runtime, sandbox::SandboxHandle) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let handle = rt
        .block_on(sandbox::start(SandboxOptions {
            listen: "127.0.0.1:0".parse().unwrap(),
            db: None,
        }))
        .unwrap();
    (rt, handle)
}

#[test]
fn opentok_sdks_create_sessions_in_the_sandbox() {
    if !installed() {
        return;
    }
    let (_rt, sb) = start_sandbox();
    let url = sb.url();
    let args = [
        url.as_str(),
        demo::OPENTOK_API_KEY,
        demo::OPENTOK_API_SECRET,
    ];
    let mut results = python(&args);
    results.extend(node("opentok_node.js", &args));
    assert_eq!(results.len(), 7, "{results:?}");
    for r in &results {
        let id = r["session_id"].as_str().unwrap_or_else(|| panic!("{r}"));
        let parts = apiplay::tokens::opentok::session_api_key_parts(id).unwrap();
        assert_eq!(parts[1], demo::OPENTOK_API_KEY, "{r}");
    }
    // With the wrong secret, the SDKs get the API's 403 and say so.
    let bad = python(&[url.as_str(), demo::OPENTOK_API_KEY, "not-the-secret"]);
    assert!(
        bad.iter()
            .all(|r| r["error"].as_str().unwrap().contains("invalid credentials")),
        "{bad:?}"
    );
}

#[test]
fn agora_token_package_tokens_work_on_the_chat_rest_routes() {
    if !installed() {
        return;
    }
    let (rt, sb) = start_sandbox();
    let token = node(
        "agora_token.js",
        &[demo::AGORA_APP_ID, demo::AGORA_APP_CERTIFICATE, "600"],
    )[0]
    .as_str()
    .unwrap()
    .to_owned();
    agora::verify(&token, demo::AGORA_APP_CERTIFICATE).unwrap();
    let base = format!("{}/{}/{}", sb.url(), demo::AGORA_ORG, demo::AGORA_APP);
    rt.block_on(async {
        let client = reqwest::Client::new();
        let exchange = client
            .post(format!("{base}/token"))
            .bearer_auth(&token)
            .json(&serde_json::json!({"grant_type": "agora"}))
            .send()
            .await
            .unwrap();
        assert_eq!(exchange.status(), 200);
        let created = client
            .post(format!("{base}/users"))
            .bearer_auth(&token)
            .json(&serde_json::json!({"username": "sdkuser1", "password": "p"}))
            .send()
            .await
            .unwrap();
        assert_eq!(created.status(), 200, "{:?}", created.text().await);
        let got = client
            .get(format!("{base}/users/sdkuser1"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(got.status(), 200);
    });
}

/// Sends a shipped payload with the real binary to the capture server.
fn apiplay_sends(payload: &str, capture: &wire_support::Capture) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("apiplay.toml"),
        format!(
            "[environments.cap.backends]\nvonage_video = \"{}\"\n[environments.cap.variables]\nopentok_api_key = \"{}\"\nopentok_api_secret = \"{}\"\n",
            capture.url(),
            demo::OPENTOK_API_KEY,
            demo::OPENTOK_API_SECRET
        ),
    )
    .unwrap();
    let out = assert_cmd::Command::new(env!("CARGO_BIN_EXE_apiplay"))
        .current_dir(dir.path())
        .env("APIPLAY_HOME", dir.path().join("home"))
        .args(["send", "--env", "cap"])
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join(payload))
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    assert!(out.status.code().is_some(), "{out:?}");
}

fn claims(token: &str) -> serde_json::Map<String, Value> {
    jwt::parse(token).unwrap().payload
}

#[test]
fn apiplay_sends_the_same_session_request_as_the_opentok_sdks() {
    if !installed() {
        return;
    }
    let capture = wire_support::start();
    let url = capture.url();
    let args = [
        url.as_str(),
        demo::OPENTOK_API_KEY,
        demo::OPENTOK_API_SECRET,
    ];
    python(&args); // answers are not sessions: the SDK fails after sending; only the request counts
    let py = capture.take();
    node("opentok_node.js", &args);
    let js = capture.take();
    apiplay_sends("payloads/vonage/create-session.json", &capture);
    let ours = capture.take();
    assert_eq!(ours.len(), 1);
    let ours = &ours[0];
    // opentok-python's create_session(media_mode=routed): the second call.
    let py = &py[1];
    for sdk in [py, &js[1]] {
        assert_eq!(
            (sdk.method.as_str(), sdk.path()),
            (ours.method.as_str(), ours.path())
        );
        assert_eq!(sdk.query(), ours.query());
        assert_eq!(sdk.header("content-type"), ours.header("content-type"));
        let (a, b) = (
            claims(sdk.header("x-opentok-auth").unwrap()),
            claims(ours.header("x-opentok-auth").unwrap()),
        );
        assert_eq!(
            (a["iss"].clone(), a["ist"].clone()),
            (b["iss"].clone(), b["ist"].clone())
        );
        let life = |c: &serde_json::Map<String, Value>| {
            c["exp"].as_i64().unwrap() - c["iat"].as_i64().unwrap()
        };
        assert!(life(&a) <= 300 && life(&b) <= 300);
        // Every field the SDK sends, apiplay sends with the same value.
        let ours_form = ours.form();
        for pair in sdk.form() {
            assert!(
                ours_form.contains(&pair),
                "{pair:?} missing from {ours_form:?}"
            );
        }
    }
    // Python: the same fields in the same order, and the same claim names and lifetime.
    assert_eq!(py.form(), ours.form());
    let (a, b) = (
        claims(py.header("x-opentok-auth").unwrap()),
        claims(ours.header("x-opentok-auth").unwrap()),
    );
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
}
