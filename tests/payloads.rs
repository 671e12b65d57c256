//! The shipped collection, held to the catalogue: every mesibo, Agora, Twilio and Vonage payload
//! names its op and passes `apiplay check`, every op of theirs has a payload, and every payload
//! works, in the catalogue's flow order, through the real binary against the embedded sandbox (the
//! default environment), captures chaining one request into the next.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::time::Duration;

use std::collections::BTreeMap;

use apiplay::catalogue::{catalogue, Vendor};
use apiplay::collection::{Collection, PayloadTemplate};

fn repo_payloads() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("payloads")
}

/// The payloads of the other vendors, in an order where each capture exists before it is
/// used; mesibo's, Agora's and Twilio's come from the catalogue's flow order (see `chain`).
const OTHERS: [&str; 3] = [
    "vonage/create-session",
    "vonage/create-session-v2",
    "vonage/room",
];

/// The shipped payload of each catalogue op (by its sidecar's `op`), relative, without `.json`.
fn payload_of_each_op() -> BTreeMap<String, String> {
    let collection = Collection::discover(&repo_payloads()).unwrap();
    let mut map = BTreeMap::new();
    for entry in &collection.payloads {
        let template = PayloadTemplate::load(&entry.path).unwrap();
        if let Some(op) = template.sidecar.sidecar.op {
            map.insert(op, entry.rel.trim_end_matches(".json").to_owned());
        }
    }
    map
}

/// The docs' own payload, then every mesibo, Agora and Twilio op's payload in the catalogue's
/// flow order (Twilio's: token, then service → user → conversation → participant → message,
/// deletes last), then the others.
fn chain() -> Vec<String> {
    let payloads = payload_of_each_op();
    let mut chain = vec!["mesibo-backend-payload".to_owned()];
    for vendor in [Vendor::Mesibo, Vendor::Agora, Vendor::Twilio] {
        let mut ops: Vec<_> = catalogue().vendor_ops(vendor).collect();
        ops.sort_by_key(|o| o.flow.unwrap_or(u32::MAX));
        for op in ops {
            let payload = payloads
                .get(&op.id)
                .unwrap_or_else(|| panic!("no shipped payload names op = {:?}", op.id));
            chain.push(payload.clone());
        }
    }
    chain.extend(OTHERS.iter().map(|s| (*s).to_owned()));
    chain
}

/// Every mesibo, Agora, Twilio and Vonage payload names its op in its sidecar, carries no
/// `docs` prose (the catalogue's text replaces it), and passes `apiplay check` with no finding;
/// so does the docs' own file, matched by its "op".
#[test]
fn every_vendors_payloads_name_their_op_and_pass_check() {
    let collection = Collection::discover(&repo_payloads()).unwrap();
    let mut checked = 0;
    for entry in &collection.payloads {
        if !["mesibo/", "agora/", "twilio/", "vonage/"]
            .iter()
            .any(|v| entry.rel.starts_with(v))
        {
            continue;
        }
        let template = PayloadTemplate::load(&entry.path).unwrap();
        template.validate().unwrap();
        let sidecar = &template.sidecar.sidecar;
        let op = sidecar
            .op
            .as_deref()
            .unwrap_or_else(|| panic!("{} names no op", entry.rel));
        assert!(
            catalogue().get(op).is_some(),
            "{}: unknown op {op}",
            entry.rel
        );
        assert!(sidecar.docs.is_none(), "{} still has docs prose", entry.rel);
        checked += 1;
    }
    assert!(checked >= 48, "only {checked} payloads");
    let out = assert_cmd::Command::new(env!("CARGO_BIN_EXE_apiplay"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "check",
            "payloads/mesibo",
            "payloads/agora",
            "payloads/twilio",
            "payloads/vonage",
            "payloads/mesibo-backend-payload.json",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// Every op of the catalogue has a shipped payload, and Twilio's are the 21 of CONTRACT.md.
#[test]
fn every_op_has_a_shipped_payload() {
    let payloads = payload_of_each_op();
    for vendor in [
        Vendor::Mesibo,
        Vendor::Agora,
        Vendor::Twilio,
        Vendor::Vonage,
    ] {
        for op in catalogue().vendor_ops(vendor) {
            assert!(payloads.contains_key(&op.id), "no payload for {}", op.id);
        }
    }
    let names: Vec<_> = Collection::discover(&repo_payloads())
        .unwrap()
        .payloads
        .iter()
        .map(|p| p.rel.trim_end_matches(".json").to_owned())
        .collect();
    for other in OTHERS {
        assert!(names.iter().any(|n| n == other), "missing payload {other}");
    }
    // CONTRACT.md's Twilio op ids, written out by hand, and the updates (a Service has none in
    // twilio-python: its settings are a Configuration resource).
    let mut twilio = vec!["twilio.quickstart.token".to_owned()];
    for resource in ["service", "user", "conversation", "participant", "message"] {
        for action in ["create", "fetch", "update", "list", "delete"] {
            if (resource, action) != ("service", "update") {
                twilio.push(format!("twilio.conversations.{resource}.{action}"));
            }
        }
    }
    for id in &twilio {
        assert!(payloads.contains_key(id), "no payload for {id}");
    }
    assert_eq!(catalogue().vendor_ops(Vendor::Twilio).count(), twilio.len());
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
    for op in chain() {
        let out = run(&op);
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
    // Nor the Twilio Basic credentials minted for the Conversations calls.
    let basic = base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        format!(
            "{}:{}",
            apiplay::sandbox::demo::TWILIO_API_KEY_SID,
            apiplay::sandbox::demo::TWILIO_API_KEY_SECRET
        ),
    );
    for entry in std::fs::read_dir(home.path()).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        for secret in [
            apiplay::sandbox::demo::MESIBO_APP_TOKEN,
            apiplay::sandbox::demo::AGORA_APP_CERTIFICATE,
            basic.as_str(),
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
    // The Agora Chat REST token is known by the exchange that issued it (issue 11); the Twilio
    // one comes from the quickstart token server.
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
