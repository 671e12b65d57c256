//! The Agora Chat flow on an app token minted at every send: with only the app id, the app
//! certificate, the org and the app name, the shipped payloads exchange a token and create,
//! read and delete a user on a standalone sandbox, with no token server in the loop.
#![allow(clippy::unwrap_used)]

mod sandbox_support;

use std::time::Duration;

use apiplay::sandbox::demo;
use serde_json::Value;

#[test]
fn the_agora_chain_needs_only_the_app_id_and_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = sandbox_support::Standalone::spawn(&dir.path().join("sb.sqlite3"), dir.path());
    let work = dir.path().join("work");
    std::fs::create_dir_all(&work).unwrap();
    std::fs::write(
        work.join("apiplay.toml"),
        format!(
            r#"[environments.agora-only.backends]
agora_chat = "{url}"

[environments.agora-only.variables]
agora_app_id = "{id}"
agora_app_certificate = {{ env = "WIRE_AGORA_CERT" }}
agora_org = "{org}"
agora_app = "{app}"
"#,
            url = sandbox.url,
            id = demo::AGORA_APP_ID,
            org = demo::AGORA_ORG,
            app = demo::AGORA_APP,
        ),
    )
    .unwrap();
    let payloads = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("payloads/agora");
    let run = |name: &str| {
        let out = assert_cmd::Command::new(env!("CARGO_BIN_EXE_apiplay"))
            .current_dir(&work)
            .env("APIPLAY_HOME", dir.path().join("home"))
            .env("NO_COLOR", "1")
            .env("WIRE_AGORA_CERT", demo::AGORA_APP_CERTIFICATE)
            .args(["send"])
            .arg(payloads.join(format!("{name}.json")))
            .args(["--env", "agora-only", "--output", "json"])
            .timeout(Duration::from_secs(60))
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice::<Value>(&out.stdout).unwrap()
    };
    let exchanged = run("token-exchange");
    assert!(exchanged["access_token"].as_str().unwrap().len() > 20);
    let created = run("create-user");
    let username = created["entities"][0]["username"]
        .as_str()
        .unwrap()
        .to_owned();
    let got = run("get-user");
    assert_eq!(got["entities"][0]["username"], username.as_str());
    let deleted = run("delete-user");
    assert_eq!(deleted["entities"][0]["username"], username.as_str());
}

#[test]
fn the_commented_cloud_environments_parse_and_name_real_hosts() {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/apiplay.toml")).unwrap();
    // Uncomment the TOML lines (`# [table]`, `# key = value`), leave the prose.
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
    // The hosts, by hand, from the vendors' docs and SDKs.
    for (env, backend, url) in [
        ("mesibo-cloud", "mesibo", "https://api.mesibo.com/backend/"),
        ("agora-cloud", "agora_chat", "https://a41.chat.agora.io"),
        ("opentok-cloud", "vonage_video", "https://api.opentok.com"),
        (
            "vonage-cloud",
            "vonage_video",
            "https://video.api.vonage.com",
        ),
        (
            "twilio-cloud",
            "twilio_token_server",
            "http://localhost:3000",
        ),
    ] {
        let e = config.environment(env).unwrap();
        assert_eq!(e.backend_url(backend), Some(url), "{env}");
    }
    // Every credential is a reference to the process environment.
    let vonage = config.environment("vonage-cloud").unwrap();
    assert!(vonage.variables["vonage_private_key"].secret);
    assert!(config.environment("agora-cloud").unwrap().variables["agora_app_certificate"].secret);
}
