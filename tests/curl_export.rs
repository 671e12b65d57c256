//! `apiplay curl FILE`: every shipped payload exported and run with the real `curl` against
//! one standalone sandbox, and sent with `apiplay send` to a second one in the same state;
//! both answers agree (status, and the body's shape: fresh tokens and ids differ).
#![allow(clippy::unwrap_used)]

mod curl_support;

use std::collections::BTreeMap;

use base64::Engine as _;
use curl_support::{run_curl, send, shape, standalone_sandbox, workspace, Workspace};

/// The order a person runs them in (each vendor's flow: create before use, delete last);
/// payloads not named here run after, in name order.
const ORDER: &[&str] = &[
    "mesibo-backend-payload",
    "mesibo/useradd",
    "mesibo/userset",
    "mesibo/usersget",
    "mesibo/groupadd",
    "mesibo/groupset",
    "mesibo/groupeditmembers",
    "mesibo/groupgetmembers",
    "mesibo/message",
    "mesibo/groupdel",
    "mesibo/userdel",
    "agora/app-token",
    "agora/token-exchange",
    "agora/create-user",
    "agora/user-token",
    "agora/create-users-batch",
    "agora/get-user",
    "agora/list-users",
    "agora/modify-user",
    "agora/change-password",
    "agora/user-status",
    "agora/users-status",
    "agora/disconnect-user",
    "agora/delete-user",
    "agora/delete-users",
    "twilio/token",
    "twilio/service-create",
    "twilio/service-fetch",
    "twilio/service-list",
    "twilio/user-create",
    "twilio/user-fetch",
    "twilio/user-update",
    "twilio/user-list",
    "twilio/conversation-create",
    "twilio/conversation-fetch",
    "twilio/conversation-update",
    "twilio/conversation-list",
    "twilio/participant-create",
    "twilio/participant-fetch",
    "twilio/participant-update",
    "twilio/participant-list",
    "twilio/message-create",
    "twilio/message-fetch",
    "twilio/message-update",
    "twilio/message-list",
    "twilio/message-delete",
    "twilio/participant-delete",
    "twilio/conversation-delete",
    "twilio/user-delete",
    "twilio/service-delete",
    "vonage/create-session",
    "vonage/create-session-v2",
    "vonage/room",
];

fn ordered(all: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = ORDER
        .iter()
        .map(|p| format!("payloads/{p}.json"))
        .filter(|p| all.contains(p))
        .collect();
    for p in all {
        if !out.contains(&p) {
            out.push(p);
        }
    }
    out
}

/// The value for a `# needs $NAME` line, found the way the line says.
fn needed(ws: &Workspace, name: &str, how: &str) -> String {
    if let Some(v) = ws.secrets.get(name) {
        return v.clone();
    }
    let demo = |var: &str| -> Option<String> {
        let env = apiplay::config::Environment::sandbox();
        let (v, _) = env.resolve(var).ok()??;
        Some(v.as_str()?.to_owned())
    };
    match name {
        "AGORA_APP_TOKEN" => {
            assert!(
                how.contains("apiplay token new agora-chat-app --env c"),
                "{how}"
            );
            let out = ws
                .apiplay()
                .args(["token", "new", "agora-chat-app", "--env", &ws.env])
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            String::from_utf8(out.stdout).unwrap().trim().to_owned()
        }
        "TWILIO_BASIC" => {
            assert!(how.contains("base64"), "{how}");
            let pair = format!(
                "{}:{}",
                demo("twilio_api_key_sid").unwrap(),
                demo("twilio_api_key_secret").unwrap()
            );
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(pair)
            )
        }
        "OPENTOK_JWT" | "VONAGE_JWT" => {
            assert!(how.contains("curl cannot mint it"), "{how}");
            let builtin = format!("${}", name.to_ascii_lowercase());
            let now = i64::try_from(
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_secs(),
            )
            .unwrap();
            apiplay::collection::mint::mint(&builtin, now, |v| Ok::<_, ()>(demo(v)))
                .unwrap()
                .unwrap()
                .unwrap()
        }
        other => panic!("no way to set ${other}: {how}"),
    }
}

/// The sidecar's captures of a payload, taken from an answer (as `send` records them).
fn captures(ws: &Workspace, payload: &str, body: &str) -> Vec<(String, String)> {
    let sidecar = ws.path().join(payload).with_extension("toml");
    let Ok(text) = std::fs::read_to_string(sidecar) else {
        return Vec::new();
    };
    let table: toml::Table = toml::from_str(&text).unwrap();
    let Some(toml::Value::Table(caps)) = table.get("captures") else {
        return Vec::new();
    };
    let json: Option<serde_json::Value> = serde_json::from_str(body).ok();
    caps.iter()
        .filter_map(|(name, pointer)| {
            let pointer = pointer.as_str()?;
            let value = if pointer.is_empty() {
                json.as_ref().map_or_else(
                    || body.trim().to_owned(),
                    |j| j.as_str().map_or_else(|| j.to_string(), str::to_owned),
                )
            } else {
                let v = json.as_ref()?.pointer(pointer)?;
                v.as_str().map_or_else(|| v.to_string(), str::to_owned)
            };
            Some((name.clone(), value))
        })
        .collect()
}

#[test]
fn every_shipped_payload_run_with_curl_gets_what_send_gets() {
    let (a, b) = (standalone_sandbox(), standalone_sandbox());
    let by_send = workspace("s", &a.root());
    let by_curl = workspace("c", &b.root());
    let payloads = ordered(by_curl.payloads());
    assert!(payloads.len() >= 29, "{payloads:?}");
    let mut vars: Vec<(String, String)> = Vec::new();
    for payload in &payloads {
        let sent = send(&by_send, payload, &[]);

        let mut cmd = by_curl.apiplay();
        cmd.args(["curl", payload, "--env", "c"]);
        for (k, v) in &vars {
            cmd.args(["--var", &format!("{k}={v}")]);
        }
        let out = cmd.output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{payload}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let command = String::from_utf8(out.stdout).unwrap();
        // Every secret (each line of the PEM key) long enough not to be an ordinary word:
        // the demo Twilio key secret is `secret`, which the comments say.
        for secret in by_curl.secrets.values() {
            for part in secret
                .lines()
                .filter(|l| l.len() >= 12 && !l.starts_with("-----"))
            {
                assert!(
                    !command.contains(part),
                    "{payload}: a secret in the clear:\n{command}"
                );
            }
        }
        let mut env = BTreeMap::new();
        for line in command.lines() {
            if let Some(rest) = line.strip_prefix("# needs $") {
                let (name, how) = rest.split_once(": ").unwrap();
                env.insert(name.to_owned(), needed(&by_curl, name, how));
            }
        }
        let curled = run_curl(&command, &env);
        assert_eq!(
            curled.0, sent.0,
            "{payload}: curl got {curled:?}, send got {sent:?}\n{command}"
        );
        assert_eq!(
            shape(&curled.1),
            shape(&sent.1),
            "{payload}\n{}\n{}",
            curled.1,
            sent.1
        );
        assert!(
            (200..300).contains(&curled.0),
            "{payload}: the shipped payload failed: {curled:?}\n{command}"
        );
        vars.extend(captures(&by_curl, payload, &curled.1));
    }
}

#[test]
fn the_sandbox_environment_goes_to_the_standalone_sandbox_with_its_start_line() {
    let ws = workspace("c", "http://127.0.0.1:9");
    let out = ws
        .apiplay()
        .args(["curl", "payloads/mesibo/useradd.json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "# the sandbox environment: run `apiplay sandbox --listen 127.0.0.1:8787` first"
    );
    assert!(
        lines[1].starts_with("# needs $MESIBO_APP_TOKEN: "),
        "{text}"
    );
    assert_eq!(lines[2], "curl http://127.0.0.1:8787/backend/ \\");
    assert_eq!(lines[3], "  -H 'Content-Type: application/json' \\");
    assert!(
        text.contains(r#"  "token": "'"$MESIBO_APP_TOKEN"'","#),
        "{text}"
    );
    assert!(
        !text.contains(apiplay::sandbox::demo::MESIBO_APP_TOKEN),
        "{text}"
    );
}

#[test]
fn a_bad_payload_is_exit_2_naming_its_place() {
    let ws = workspace("c", "http://127.0.0.1:9");
    std::fs::write(
        ws.path().join("bad.json"),
        "{\n  \"op\": \"useradd\",\n  oops\n}\n",
    )
    .unwrap();
    let out = ws.apiplay().args(["curl", "bad.json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.json:3:3"), "{err}");
    assert!(out.stdout.is_empty());
}
