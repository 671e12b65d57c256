//! `apiplay sandbox` as a standalone process: the banner, the docs' curl commands (with the
//! real `curl` when installed, else reqwest), and a clean stop on SIGTERM.
#![allow(clippy::unwrap_used)]

mod sandbox_support;

use std::process::Command;

use apiplay::sandbox::demo;
use sandbox_support::Standalone;
use serde_json::Value;

fn has_curl() -> bool {
    Command::new("curl")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Runs curl with `args`; (HTTP status, body).
fn curl(args: &[&str]) -> (u16, String) {
    let output = Command::new("curl")
        .args(["-s", "-w", "\n%{http_code}"])
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let out = String::from_utf8(output.stdout).unwrap();
    let (body, status) = out.rsplit_once('\n').unwrap();
    (status.parse().unwrap(), body.to_owned())
}

/// The same request through reqwest when curl is missing.
fn fallback(method: &str, url: &str, bearer: Option<&str>, body: Option<String>) -> (u16, String) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let client = reqwest::Client::new();
        let mut request = client.request(method.parse().unwrap(), url);
        if let Some(token) = bearer {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request
                .header("content-type", "application/json")
                .body(body);
        }
        let response = request.send().await.unwrap();
        (response.status().as_u16(), response.text().await.unwrap())
    })
}

#[test]
fn docs_curl_commands_work_against_a_standalone_sandbox() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Standalone::spawn(&dir.path().join("s.sqlite3"), dir.path());
    let url = &sandbox.url;
    let curl_ok = has_curl();

    // mesibo: the docs' command, verbatim apart from host and port.
    let (status, body) = if curl_ok {
        curl(&[
            "-X",
            "POST",
            &format!("{url}/backend"),
            "-H",
            "Content-Type: application/json",
            "-d",
            "@payloads/mesibo-backend-payload.json",
        ])
    } else {
        let payload = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/payloads/mesibo-backend-payload.json"
        ))
        .unwrap();
        fallback("POST", &format!("{url}/backend"), None, Some(payload))
    };
    assert_eq!(status, 200);
    let reply: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(reply["result"], true, "{reply}");
    assert_eq!(reply["user"]["token"].as_str().unwrap().len(), 64);

    // Agora: app token -> exchange -> create user -> duplicate -> 400.
    let (status, app_token) = if curl_ok {
        curl(&[&format!("{url}/chat/app/token")])
    } else {
        fallback("GET", &format!("{url}/chat/app/token"), None, None)
    };
    assert_eq!(status, 200);
    assert!(app_token.starts_with("007"), "{app_token}");
    let base = format!("{url}/{}/{}", demo::AGORA_ORG, demo::AGORA_APP);
    let auth = format!("Authorization: Bearer {app_token}");
    let (status, body) = if curl_ok {
        curl(&[
            "-X",
            "POST",
            "-H",
            "Content-Type: application/json",
            "-H",
            &auth,
            "-d",
            r#"{"grant_type":"agora"}"#,
            &format!("{base}/token"),
        ])
    } else {
        fallback(
            "POST",
            &format!("{base}/token"),
            Some(&app_token),
            Some(r#"{"grant_type":"agora"}"#.into()),
        )
    };
    assert_eq!(status, 200, "{body}");
    let chat_token = serde_json::from_str::<Value>(&body).unwrap()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let auth = format!("Authorization: Bearer {chat_token}");
    let user = r#"[{"username":"user1","password":"123","nickname":"testuser"}]"#;
    let single = r#"{"username":"user1","password":"123","nickname":"testuser"}"#;
    let create = |body: &str| {
        if curl_ok {
            curl(&[
                "-X",
                "POST",
                "-H",
                &auth,
                &format!("{base}/users"),
                "-d",
                body,
            ])
        } else {
            fallback(
                "POST",
                &format!("{base}/users"),
                Some(&chat_token),
                Some(body.to_owned()),
            )
        }
    };
    let (status, body) = create(user);
    assert_eq!(status, 200, "{body}");
    let reply: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(reply["entities"][0]["username"], "user1");
    let (status, body) = create(single);
    assert_eq!(status, 400, "{body}");
    let reply: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(reply["error"], "duplicate_unique_property_exists");
}

#[cfg(unix)]
#[test]
fn banner_lists_credentials_and_routes_and_sigterm_stops_cleanly() {
    use std::io::Read;
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_apiplay"))
        .args(["sandbox", "--listen", "127.0.0.1:0", "--db"])
        .arg(dir.path().join("t.sqlite3"))
        .env("APIPLAY_HOME", dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(500));
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = child.wait().unwrap();
    assert_eq!(exit.code(), Some(0), "SIGTERM is a clean stop");
    let mut banner = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut banner)
        .unwrap();
    for needle in [
        demo::MESIBO_APP_TOKEN,
        demo::AGORA_APP_ID,
        "41434878/504205",
        demo::TWILIO_API_KEY_SID,
        demo::OPENTOK_API_KEY,
        "/backend/",
        "/{org}/{app}/users",
        "/token, /token/{id}",
        "/v1/Services",
        "/session/create",
        "/vonage/token",
    ] {
        assert!(banner.contains(needle), "banner lacks {needle}:\n{banner}");
    }
}

#[test]
fn a_busy_port_is_a_clear_error() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_apiplay"))
        .args(["sandbox", "--listen", &port, "--db", ":memory:"])
        .env("APIPLAY_HOME", dir.path())
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&port) && stderr.contains("--listen"),
        "{stderr}"
    );
}
