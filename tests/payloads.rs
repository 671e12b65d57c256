//! The shipped collection: every payload is plain JSON with a documented sidecar, and every one
//! works, in the order a person would run them, through the real binary against the embedded
//! sandbox (the default environment), captures chaining one request into the next.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::time::Duration;

use apiplay::collection::{Collection, PayloadTemplate};

fn repo_payloads() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("payloads")
}

/// Every operation the issue lists, in an order where each capture exists before it is used.
const CHAIN: [&str; 22] = [
    "mesibo-backend-payload",
    "mesibo/useradd",
    "mesibo/usersget",
    "mesibo/userset",
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
    "agora/delete-user",
    "twilio/chat-access-token",
    "vonage/create-session",
    "vonage/create-session-v2",
    "vonage/room",
];

#[test]
fn every_payload_is_json_with_a_documented_sidecar() {
    let collection = Collection::discover(&repo_payloads()).unwrap();
    let names: Vec<_> = collection
        .payloads
        .iter()
        .map(|p| p.rel.trim_end_matches(".json").to_owned())
        .collect();
    for op in CHAIN {
        assert!(
            names.iter().any(|n| n == op),
            "missing payload {op}; have {names:?}"
        );
    }
    for entry in &collection.payloads {
        let template = PayloadTemplate::load(&entry.path).unwrap();
        template.validate().unwrap();
        serde_json::from_str::<serde_json::Value>(&template.body).unwrap();
        if entry.rel == "mesibo-backend-payload.json" {
            continue; // the docs' own file: a body with no sidecar goes to the mesibo backend
        }
        let docs = template.sidecar.sidecar.docs.as_deref().unwrap_or_default();
        assert!(
            template.sidecar.path.is_some(),
            "{} has no sidecar",
            entry.rel
        );
        assert!(
            docs.len() > 60,
            "{} needs a docs paragraph, has {docs:?}",
            entry.rel
        );
    }
}

#[test]
fn the_docs_payload_is_the_docs_example() {
    let text =
        std::fs::read_to_string(repo_payloads().join("mesibo-backend-payload.json")).unwrap();
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        value,
        serde_json::json!({"op":"useradd","token":"87pbh20pzehd9ld0o0pxqx9h80jjqfu9ipul4l00fnb55pbfx9mxyyk4uyr1iwuw",
            "user":{"address":"xyz@example.com","token":{"appid":"com.mesibo.firstapp","expiry":525_600}}})
    );
}

#[test]
fn every_payload_works_against_the_embedded_sandbox_in_order() {
    let home = tempfile::tempdir().unwrap();
    let run = |op: &str| {
        assert_cmd::Command::new(env!("CARGO_BIN_EXE_apiplay"))
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("APIPLAY_HOME", home.path())
            .env("NO_COLOR", "1")
            .args(["send", &format!("payloads/{op}.json"), "--output", "json"])
            .timeout(Duration::from_secs(60))
            .output()
            .unwrap()
    };
    for op in CHAIN {
        let out = run(op);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{op}: {stderr}\n{}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
    // No secret reached the disk, though the docs' payload carries its app token literally
    // (the history keeps `{{mesibo_app_token}}` in its place).
    for entry in std::fs::read_dir(home.path()).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        for secret in [
            apiplay::sandbox::demo::MESIBO_APP_TOKEN,
            apiplay::sandbox::demo::AGORA_APP_CERTIFICATE,
        ] {
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "{secret} in {}",
                path.display()
            );
        }
    }
    // The tokens each vendor issued are all in the history, decoded by format.
    let out = assert_cmd::Command::new(env!("CARGO_BIN_EXE_apiplay"))
        .env("APIPLAY_HOME", home.path())
        .args(["tokens", "--json", "--limit", "100"])
        .output()
        .unwrap();
    let tokens: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let formats: std::collections::BTreeSet<_> = tokens
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["format"].as_str().unwrap().to_owned())
        .collect();
    // The Agora Chat REST token is known by the exchange that issued it (issue 11).
    for format in ["mesibo", "agora-007", "twilio-jwt", "agora-chat"] {
        assert!(
            formats.contains(format),
            "no {format} token recorded: {formats:?}"
        );
    }
    assert!(
        formats.contains("opentok-jwt") || formats.contains("opentok-t1"),
        "no OpenTok token recorded: {formats:?}"
    );
}
