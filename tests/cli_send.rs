//! `apiplay send`, `replay`, `history` and `tokens`: the real binary against a real loopback
//! server, with a real history file in a temp data dir.
#![allow(clippy::unwrap_used)]

mod common;

use std::os::unix::fs::PermissionsExt as _;

use common::{start_server, Workspace};
use serde_json::Value;

fn stdout_json(output: &std::process::Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}",
            String::from_utf8_lossy(&output.stdout)
        )
    })
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn the_docs_payload_round_trips_and_its_token_is_recorded() {
    let server = start_server();
    let ws = Workspace::new(&server);
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
    let body = stdout_json(&out);
    assert_eq!(body["result"], true);
    assert_eq!(body["user"]["address"], "xyz@example.com");
    let err = stderr(&out);
    assert!(
        err.contains("200 OK") && err.contains("exchange #1"),
        "{err}"
    );
    assert!(
        err.contains("token mesibo for xyz@example.com (app com.mesibo.firstapp), expires in 36"),
        "{err}"
    );
    // The server got exactly the file's bytes.
    let sent = server.seen.lock().unwrap().clone();
    let file =
        std::fs::read_to_string(ws.path().join("payloads/mesibo-backend-payload.json")).unwrap();
    assert_eq!(sent, [file]);

    let tokens = ws
        .cmd()
        .args(["tokens", "--active", "--json"])
        .output()
        .unwrap();
    let tokens = stdout_json(&tokens);
    let token = &tokens[0];
    assert_eq!(token["format"], "mesibo");
    assert_eq!(token["subject"], "xyz@example.com");
    assert_eq!(token["app"], "com.mesibo.firstapp");
    assert_eq!(token["token"], body["user"]["token"]);
    assert_eq!(
        token["expires_at"].as_i64().unwrap() - token["issued_at"].as_i64().unwrap(),
        525_600 * 60
    );
    assert_eq!(token["exchange_id"], 1);

    let listed = ws.cmd().args(["tokens"]).output().unwrap();
    let listed = String::from_utf8_lossy(&listed.stdout).into_owned();
    assert!(
        listed.contains("xyz@example.com") && listed.contains("expires in 36"),
        "{listed}"
    );
    assert!(
        !listed.contains(body["user"]["token"].as_str().unwrap()),
        "tokens are masked: {listed}"
    );
}

#[test]
fn exit_codes_follow_the_design() {
    let server = start_server();
    let ws = Workspace::new(&server);
    let send = |file: &str, extra: &[&str]| {
        let mut cmd = ws.cmd();
        cmd.args(["send", file, "--env", "local"]).args(extra);
        cmd.output().unwrap()
    };
    // 1: mesibo says "result": false.
    let refused = ws.payload(
        "bad.json",
        r#"{"op":"useradd","token":"wrong","user":{"address":"a"}}"#,
        None,
    );
    let out = send(refused.to_str().unwrap(), &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(stdout_json(&out)["error"], "BADAPPTOKEN");
    // 1: HTTP 4xx.
    let denied = ws.payload(
        "denied.json",
        "{}",
        Some("backend = \"web\"\npath = \"/denied\"\n"),
    );
    assert_eq!(send(denied.to_str().unwrap(), &[]).status.code(), Some(1));
    // 2: unknown environment, unknown variable, bad --var.
    let out = ws
        .cmd()
        .args([
            "send",
            "payloads/mesibo-backend-payload.json",
            "--env",
            "prod",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("unknown environment `prod`; known: sandbox, local"),
        "{}",
        stderr(&out)
    );
    let out = send(
        "payloads/mesibo-backend-payload.json",
        &["--var", "novalue"],
    );
    assert_eq!(out.status.code(), Some(2));
    // 3: nothing listens.
    let closed = Workspace::with_base("http://127.0.0.1:9");
    let out = closed
        .cmd()
        .args([
            "send",
            "payloads/mesibo-backend-payload.json",
            "--env",
            "local",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("cannot connect to http://127.0.0.1:9/backend/"),
        "{}",
        stderr(&out)
    );
    // The failed exchange is still in the history, with its error.
    let history = closed.cmd().args(["history", "--json"]).output().unwrap();
    let history = stdout_json(&history);
    assert!(
        history[0]["error"]
            .as_str()
            .unwrap()
            .contains("cannot connect"),
        "{history}"
    );
    assert_eq!(history[0]["status"], Value::Null);
}

#[test]
fn invalid_json_is_refused_with_line_and_column_and_nothing_is_sent() {
    let server = start_server();
    let ws = Workspace::new(&server);
    let broken = ws.payload(
        "broken.json",
        "{\n  \"op\": \"useradd\",\n  \"user\": {\"address\": \"a\",}\n}\n",
        None,
    );
    let out = ws
        .cmd()
        .args(["send", broken.to_str().unwrap(), "--env", "local"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("broken.json:3:27: invalid JSON: key must be a string"),
        "{err}"
    );
    assert!(
        server.seen.lock().unwrap().is_empty(),
        "the server saw nothing"
    );
    assert!(
        !ws.home.join("history.sqlite3").exists(),
        "no history row for a request never sent"
    );
}

#[test]
fn unknown_variables_and_missing_secrets_name_their_place() {
    let server = start_server();
    let ws = Workspace::new(&server);
    let body =
        "{\"op\":\"useradd\",\n \"token\":\"{{app_token}}\",\n \"user\":{\"address\":\"{{who}}\"}}";
    let file = ws.payload("vars.json", body, None);
    let out = ws
        .cmd()
        .args(["send", file.to_str().unwrap(), "--env", "local"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("vars.json:2:11:")
            && err.contains("$APIPLAY_TEST_APP_TOKEN, which is not set"),
        "{err}"
    );

    let out = ws
        .cmd()
        .env("APIPLAY_TEST_APP_TOKEN", "env-secret-app-token")
        .args(["send", file.to_str().unwrap(), "--env", "local"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("vars.json:3:21: unknown variable `who`; pass --var who=…"),
        "{err}"
    );
    assert!(server.seen.lock().unwrap().is_empty());

    let out = ws
        .cmd()
        .env("APIPLAY_TEST_APP_TOKEN", "env-secret-app-token")
        .args([
            "send",
            file.to_str().unwrap(),
            "--env",
            "local",
            "--var",
            "who=ann@example.com",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout_json(&out)["user"]["address"], "ann@example.com");
}

#[test]
fn secrets_stay_out_of_the_history_and_replay_resolves_them_again() {
    let server = start_server();
    let ws = Workspace::new(&server);
    let file = ws.payload("secret.json", r#"{"op":"useradd","token":"{{app_token}}","user":{"address":"r@example.com","token":{"appid":"{{appid}}"}}}"#, None);
    let out = ws
        .cmd()
        .env("APIPLAY_TEST_APP_TOKEN", "env-secret-app-token")
        .args(["send", file.to_str().unwrap(), "--env", "local"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // The database and its WAL never hold the secret.
    for entry in std::fs::read_dir(&ws.home).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        assert!(
            !bytes.windows(20).any(|w| w == b"env-secret-app-token"),
            "secret written to disk"
        );
    }
    let replay = ws
        .cmd()
        .env("APIPLAY_TEST_APP_TOKEN", "env-secret-app-token")
        .args(["replay", "1"])
        .output()
        .unwrap();
    assert_eq!(replay.status.code(), Some(0), "{}", stderr(&replay));
    assert!(
        stderr(&replay).contains("exchange #2"),
        "{}",
        stderr(&replay)
    );
    let seen = server.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0], seen[1], "replay sends the same request");
    assert!(seen[1].contains("env-secret-app-token") && seen[1].contains("com.example.test"));
    // Without the secret in the environment, replay says which variable is missing.
    let out = ws.cmd().args(["replay", "1"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("APIPLAY_TEST_APP_TOKEN"),
        "{}",
        stderr(&out)
    );
    let out = ws.cmd().args(["replay", "99"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no exchange #99"));
}

#[test]
fn a_capture_feeds_a_later_request() {
    let server = start_server();
    let ws = Workspace::new(&server);
    let first = ws.payload(
        "add.json",
        r#"{"op":"useradd","token":"87pbh20pzehd9ld0o0pxqx9h80jjqfu9ipul4l00fnb55pbfx9mxyyk4uyr1iwuw","user":{"address":"cap@example.com","token":{"appid":"x"}}}"#,
        Some("backend = \"mesibo\"\n[captures]\nuser_token = \"/user/token\"\nuid = \"/user/uid\"\n"),
    );
    let out = ws
        .cmd()
        .args(["send", first.to_str().unwrap(), "--env", "local"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let issued = stdout_json(&out)["user"]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        stderr(&out).contains("captured user_token = tok"),
        "{}",
        stderr(&out)
    );
    let second = ws.payload(
        "echo.json",
        r#"{"op":"echo","token":"87pbh20pzehd9ld0o0pxqx9h80jjqfu9ipul4l00fnb55pbfx9mxyyk4uyr1iwuw","prev":"{{user_token}}","uid":"{{uid}}","ref":"{{token:cap@example.com}}"}"#,
        None,
    );
    let out = ws
        .cmd()
        .args([
            "send",
            second.to_str().unwrap(),
            "--env",
            "local",
            "--output",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let echoed = stdout_json(&out);
    assert_eq!(echoed["prev"], issued);
    assert_eq!(
        echoed["ref"], issued,
        "the token history is a variable source"
    );
    assert!(echoed["uid"].is_string());
    // Captures are per environment: the sandbox environment does not see them.
    let out = ws
        .cmd()
        .args(["send", second.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("unknown variable `user_token`"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn non_json_and_non_utf8_bodies_print_safely() {
    let server = start_server();
    let ws = Workspace::new(&server);
    let text = ws.payload(
        "text.json",
        "{}",
        Some("backend = \"web\"\nmethod = \"GET\"\npath = \"/text\"\n"),
    );
    let out = ws
        .cmd()
        .args(["send", text.to_str().unwrap(), "--env", "local"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "plain words\n\u{fffd}[31mred\n"
    );
    let bin = ws.payload(
        "bin.json",
        "{}",
        Some("backend = \"web\"\nmethod = \"GET\"\npath = \"/binary\"\n"),
    );
    let out = ws
        .cmd()
        .args(["send", bin.to_str().unwrap(), "--env", "local"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "\u{fffd}\u{fffd}ok\u{fffd}\n"
    );
    assert!(stderr(&out).contains("not valid UTF-8"));
    let raw = ws
        .cmd()
        .args([
            "send",
            bin.to_str().unwrap(),
            "--env",
            "local",
            "--output",
            "raw",
        ])
        .output()
        .unwrap();
    assert_eq!(raw.stdout, b"\xff\xfeok\x00");
}

#[test]
fn the_response_size_cap_and_timeouts_are_clear_errors() {
    let server = start_server();
    let ws = Workspace::new(&server);
    let big = ws.payload(
        "big.json",
        "{}",
        Some("backend = \"web\"\nmethod = \"GET\"\npath = \"/big\"\n"),
    );
    let out = ws
        .cmd()
        .args([
            "send",
            big.to_str().unwrap(),
            "--env",
            "local",
            "--max-body",
            "1000",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(
        stderr(&out).contains("larger than 1000 bytes"),
        "{}",
        stderr(&out)
    );
    let slow = ws.payload(
        "slow.json",
        "{}",
        Some("backend = \"web\"\nmethod = \"GET\"\npath = \"/slow\"\n"),
    );
    let out = ws
        .cmd()
        .args([
            "send",
            slow.to_str().unwrap(),
            "--env",
            "local",
            "--timeout",
            "1",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(
        stderr(&out).contains("no answer from") && stderr(&out).contains("within 1 s"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn stdin_payloads_go_to_the_default_mesibo_endpoint() {
    let server = start_server();
    let ws = Workspace::new(&server);
    let out = ws
        .cmd()
        .args(["send", "-", "--env", "local", "--no-history"])
        .write_stdin(r#"{"op":"useradd","token":"87pbh20pzehd9ld0o0pxqx9h80jjqfu9ipul4l00fnb55pbfx9mxyyk4uyr1iwuw","user":{"address":"in@example.com"}}"#)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout_json(&out)["result"], true);
    assert!(
        !ws.home.join("history.sqlite3").exists(),
        "--no-history writes nothing"
    );
}

#[test]
fn the_history_file_is_private_and_a_corrupt_one_does_not_stop_send() {
    let server = start_server();
    let ws = Workspace::new(&server);
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
    assert_eq!(out.status.code(), Some(0));
    let file = ws.home.join("history.sqlite3");
    assert_eq!(
        std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
        0o600
    );
    // The WAL outlives the process (no checkpoint on close) and is as private as the file.
    let wal = ws.home.join("history.sqlite3-wal");
    assert_eq!(
        std::fs::metadata(&wal).unwrap().permissions().mode() & 0o777,
        0o600
    );

    std::fs::remove_file(&file).unwrap();
    let _ = std::fs::remove_file(ws.home.join("history.sqlite3-wal"));
    let _ = std::fs::remove_file(ws.home.join("history.sqlite3-shm"));
    std::fs::write(&file, vec![b'#'; 8192]).unwrap();
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
    assert_eq!(stdout_json(&out)["result"], true);
    let err = stderr(&out);
    assert!(
        err.contains("warning: history file") && err.contains(&file.display().to_string()),
        "{err}"
    );
    let out = ws.cmd().args(["history"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("move it aside"), "{}", stderr(&out));
}

#[test]
fn concurrent_writers_lose_nothing() {
    let server = start_server();
    let ws = Workspace::new(&server);
    let children: Vec<_> = (0..8)
        .map(|_| {
            std::process::Command::new(env!("CARGO_BIN_EXE_apiplay"))
                .current_dir(ws.path())
                .env("APIPLAY_HOME", &ws.home)
                .args([
                    "send",
                    "payloads/mesibo-backend-payload.json",
                    "--env",
                    "local",
                    "--output",
                    "json",
                ])
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }
    let history = stdout_json(
        &ws.cmd()
            .args(["history", "--json", "--limit", "100"])
            .output()
            .unwrap(),
    );
    assert_eq!(history.as_array().unwrap().len(), 8);
    let tokens = stdout_json(
        &ws.cmd()
            .args(["tokens", "--json", "--limit", "100"])
            .output()
            .unwrap(),
    );
    assert_eq!(tokens.as_array().unwrap().len(), 8);
    let mut seen: Vec<_> = tokens
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["token"].as_str().unwrap().to_owned())
        .collect();
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 8, "every token distinct and kept");
}
