//! CLI bugs found by hand (issue 11), each pinned by the real binary against a real loopback
//! server or the real embedded sandbox, with a real history file in a temp data dir.
#![allow(clippy::unwrap_used)]

mod common;

use common::{start_server, Workspace};
use serde_json::Value;

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

const APP_TOKEN: &str = "87pbh20pzehd9ld0o0pxqx9h80jjqfu9ipul4l00fnb55pbfx9mxyyk4uyr1iwuw";

#[test]
fn no_history_still_reads_captures_and_tokens_and_records_nothing() {
    let server = start_server();
    let ws = Workspace::new(&server);
    let first = ws.payload(
        "add.json",
        &format!(r#"{{"op":"useradd","token":"{APP_TOKEN}","user":{{"address":"nh@example.com","token":{{"appid":"x"}}}}}}"#),
        Some("backend = \"mesibo\"\n[captures]\nuser_token = \"/user/token\"\n"),
    );
    let out = ws
        .cmd()
        .args(["send", first.to_str().unwrap(), "--env", "local"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let issued: Value = serde_json::from_slice(&out.stdout).unwrap();
    let issued = issued["user"]["token"].as_str().unwrap().to_owned();

    let echo = ws.payload(
        "echo.json",
        &format!(r#"{{"op":"echo","token":"{APP_TOKEN}","prev":"{{{{user_token}}}}","latest":"{{{{token:latest}}}}"}}"#),
        None,
    );
    let out = ws
        .cmd()
        .args([
            "send",
            echo.to_str().unwrap(),
            "--env",
            "local",
            "--no-history",
        ])
        .args(["--output", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let echoed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(echoed["prev"], issued.as_str(), "the capture is read");
    assert_eq!(
        echoed["latest"],
        issued.as_str(),
        "the token history is read"
    );
    // …and nothing is recorded.
    let history = ws.cmd().args(["history", "--json"]).output().unwrap();
    let history: Value = serde_json::from_slice(&history.stdout).unwrap();
    assert_eq!(history.as_array().unwrap().len(), 1, "{history}");
}

#[test]
fn no_history_creates_no_history_file() {
    let server = start_server();
    let ws = Workspace::new(&server);
    let out = ws
        .cmd()
        .args([
            "send",
            "payloads/mesibo-backend-payload.json",
            "--env",
            "local",
            "--no-history",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!ws.home.join("history.sqlite3").exists());
}

#[test]
fn an_unknown_environment_is_bad_input_for_every_command_and_the_tui() {
    let ws = Workspace::with_base("http://127.0.0.1:9");
    for args in [
        &["--env", "nope"][..],
        &["tui", "--env", "nope"],
        &["history", "--env", "nope"],
        &["tokens", "--env", "nope"],
        &["replay", "1", "--env", "nope"],
        &[
            "send",
            "payloads/mesibo-backend-payload.json",
            "--env",
            "nope",
        ],
    ] {
        let out = ws.cmd().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("unknown environment `nope`; known: sandbox, local."),
            "{args:?}: {}",
            stderr(&out)
        );
    }
}

/// Counts the occurrences of `needle` in `haystack`.
fn count(haystack: &str, needle: &str) -> usize {
    haystack.matches(needle).count()
}

#[test]
fn a_missing_secret_is_explained_once() {
    let ws = Workspace::with_base("http://127.0.0.1:9");
    let file = ws.payload(
        "secret.json",
        r#"{"op":"useradd","token":"{{app_token}}"}"#,
        None,
    );
    let out = ws
        .cmd()
        .args(["send", file.to_str().unwrap(), "--env", "local"])
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("secret.json:1:26: "), "{err}");
    assert_eq!(
        count(&err, "export APIPLAY_TEST_APP_TOKEN=… and run again"),
        1,
        "{err}"
    );
    assert_eq!(count(&err, "which is not set"), 1, "{err}");
}

#[test]
fn a_busy_sandbox_port_is_explained_once() {
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = busy.local_addr().unwrap().to_string();
    let ws = Workspace::with_base("http://127.0.0.1:9");
    let out = ws
        .cmd()
        .args(["sandbox", "--listen", &addr])
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains(&format!("cannot listen on {addr}")), "{err}");
    assert_eq!(count(&err, "Address already in use"), 1, "{err}");
}

#[test]
fn a_bad_apiplay_toml_is_one_readable_line() {
    let ws = Workspace::with_base("http://127.0.0.1:9");
    std::fs::write(ws.path().join("apiplay.toml"), "[environments.x\n").unwrap();
    let out = ws
        .cmd()
        .args(["send", "payloads/mesibo-backend-payload.json"])
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert_eq!(
        err.trim_end(),
        "error: ./apiplay.toml:1:16: invalid table header; expected `.`, `]`"
    );
}

/// Copies a folder of the repository's payloads into the workspace.
fn copy_payloads(ws: &Workspace, vendor: &str) {
    let from = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("payloads")
        .join(vendor);
    let to = ws.path().join("payloads").join(vendor);
    std::fs::create_dir_all(&to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}

fn tokens_json(ws: &Workspace, args: &[&str]) -> Vec<Value> {
    let out = ws
        .cmd()
        .args(["tokens", "--json"])
        .args(args)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    serde_json::from_slice::<Value>(&out.stdout)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn the_agora_chat_rest_token_is_an_agora_token_with_its_app_key() {
    let ws = Workspace::with_base("http://127.0.0.1:9");
    copy_payloads(&ws, "agora");
    for payload in [
        "payloads/agora/app-token.json",
        "payloads/agora/token-exchange.json",
    ] {
        let out = ws.cmd().args(["send", payload]).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{payload}: {}", stderr(&out));
    }
    let agora = tokens_json(&ws, &["--vendor", "agora"]);
    let chat: Vec<_> = agora
        .iter()
        .filter(|t| t["format"] == "agora-chat")
        .collect();
    assert_eq!(chat.len(), 1, "{agora:?}");
    let chat = chat[0];
    // The sandbox's demo org and app (README), as Agora writes an App Key: org#app.
    assert_eq!(chat["app"], "41434878#504205");
    assert_eq!(chat["subject"], "41434878#504205");
    assert_eq!(chat["source"], "/access_token");
    assert!(chat["token"].as_str().unwrap().starts_with("YWMt"));
    // The token-exchange payload asks for nothing about expiry: the Chat token lives as long
    // as the 007 app token apiplay minted for the send ({{$agora_app_token}}: 900 s).
    let left = chat["expires_at"].as_i64().unwrap() - chat["issued_at"].as_i64().unwrap();
    assert!((890..=900).contains(&left), "{left}");
    assert!(tokens_json(&ws, &[])
        .iter()
        .all(|t| t["format"] != "opaque"));
}

#[test]
fn token_decode_knows_the_recorded_mesibo_and_agora_chat_tokens() {
    let ws = Workspace::with_base("http://127.0.0.1:9");
    copy_payloads(&ws, "agora");
    copy_payloads(&ws, "mesibo");
    for payload in [
        "payloads/agora/app-token.json",
        "payloads/agora/token-exchange.json",
        "payloads/mesibo/useradd.json",
    ] {
        let out = ws.cmd().args(["send", payload]).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{payload}: {}", stderr(&out));
    }
    let all = tokens_json(&ws, &[]);
    for format in ["mesibo", "agora-chat"] {
        let t = all.iter().find(|t| t["format"] == format).unwrap();
        let out = ws
            .cmd()
            .args(["token", "decode", t["token"].as_str().unwrap(), "--json"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{format}: {}", stderr(&out));
        let decoded: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(decoded["format"], format);
        assert_eq!(decoded["subject"], t["subject"]);
        assert_eq!(decoded["expires_at"], t["expires_at"]);
    }
    let mesibo = all.iter().find(|t| t["format"] == "mesibo").unwrap();
    assert_eq!(mesibo["app"], "com.mesibo.firstapp");
    // A string no decoder knows and the history never saw is still refused, saying why.
    let out = ws
        .cmd()
        .args(["token", "decode", "abcdefghijklmnopqrstuvwxyz"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("not a token apiplay recorded"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_token_reference_by_vendor_name_resolves() {
    let server = start_server();
    let ws = Workspace::new(&server);
    copy_payloads(&ws, "twilio");
    let out = ws
        .cmd()
        .args(["send", "payloads/twilio/token.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let twilio = tokens_json(&ws, &["--vendor", "twilio"]);
    assert_eq!(twilio.len(), 1, "{twilio:?}");
    let echo = ws.payload(
        "echo.json",
        &format!(r#"{{"op":"echo","token":"{APP_TOKEN}","by_vendor":"{{{{token:twilio}}}}","by_format":"{{{{token:twilio-jwt}}}}"}}"#),
        None,
    );
    let out = ws
        .cmd()
        .args([
            "send",
            echo.to_str().unwrap(),
            "--env",
            "local",
            "--output",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let echoed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(echoed["by_vendor"], twilio[0]["token"]);
    assert_eq!(echoed["by_format"], twilio[0]["token"]);
}

#[test]
fn token_new_takes_the_sandbox_demo_credentials_by_default() {
    let ws = Workspace::with_base("http://127.0.0.1:9");
    let cmd = || {
        let mut cmd = ws.cmd();
        for var in [
            "AGORA_APP_ID",
            "AGORA_APP_CERTIFICATE",
            "TWILIO_ACCOUNT_SID",
            "TWILIO_API_KEY_SID",
            "TWILIO_API_KEY_SECRET",
            "OPENTOK_API_KEY",
            "OPENTOK_API_SECRET",
        ] {
            cmd.env_remove(var);
        }
        cmd
    };
    let mint = |args: &[&str]| {
        let out = cmd().args(["token", "new"]).args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    };
    let verify = |token: &str, args: &[&str]| {
        let out = cmd()
            .args(["token", "verify", token])
            .args(args)
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            stderr(&out)
        );
    };
    // The demo credentials of README's sandbox table, written out here by hand.
    let agora = mint(&["agora-chat-app"]);
    verify(&agora, &["--cert", "5CFd2fd1755d40ecb72977518be15d3b"]);
    let decoded = cmd()
        .args(["token", "decode", &agora, "--json"])
        .output()
        .unwrap();
    let decoded: Value = serde_json::from_slice(&decoded.stdout).unwrap();
    assert_eq!(decoded["app"], "970CA35de60c44645bbae8a215061b33");

    let twilio = mint(&["twilio", "--user", "alice"]);
    verify(&twilio, &["--secret", "secret"]);
    let opentok = mint(&["opentok"]);
    verify(
        &opentok,
        &["--secret", "1234567890abcdef1234567890abcdef1234567890"],
    );
}

#[test]
fn a_mesibo_result_false_is_recorded_and_listed_as_refused() {
    let server = start_server();
    let ws = Workspace::new(&server);
    let file = ws.payload(
        "bad.json",
        r#"{"op":"useradd","token":"wrong-app-token","user":{"address":"x@example.com"}}"#,
        None,
    );
    let out = ws
        .cmd()
        .args(["send", file.to_str().unwrap(), "--env", "local"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let out = ws
        .cmd()
        .args([
            "send",
            "payloads/mesibo-backend-payload.json",
            "--env",
            "local",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let history = ws.cmd().args(["history", "--json"]).output().unwrap();
    let history: Value = serde_json::from_slice(&history.stdout).unwrap();
    assert_eq!(history[0]["status"], 200);
    assert_eq!(history[0]["refused"], false);
    assert_eq!(history[1]["status"], 200);
    assert_eq!(history[1]["refused"], true);
    let listed = ws.cmd().args(["history"]).output().unwrap();
    let listed = String::from_utf8_lossy(&listed.stdout).into_owned();
    let lines: Vec<_> = listed.lines().collect();
    assert!(
        lines[1].starts_with("#1 ") && lines[1].contains(" 200 refused "),
        "{listed}"
    );
    assert!(
        lines[0].starts_with("#2 ") && !lines[0].contains("refused"),
        "{listed}"
    );
}
