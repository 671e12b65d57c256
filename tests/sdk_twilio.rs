//! twilio-python 9.11.0, unchanged, against the real sandbox (pointed at it by a
//! `TwilioHttpClient` subclass that only rewrites the host), and the same-request checks: what
//! twilio-python sends for each Conversations call of the shipped payloads, next to what apiplay
//! sends from the payload, both captured on a loopback server. The SDK is installed by
//! `tests/sdk/install.sh` (which `.ci/run` calls) into `tests/sdk/.deps/twilio-python`; outside
//! CI a missing install skips these tests with a message, in CI it fails them.
#![allow(clippy::unwrap_used)]

mod wire_support;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use apiplay::sandbox::{self, demo, SandboxOptions};
use base64::Engine as _;
use serde_json::Value;

fn sdk_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sdk")
}

/// Whether twilio-python is installed; in CI its absence is a failure.
fn installed() -> bool {
    let ok = sdk_dir().join(".deps/twilio-python/twilio").is_dir();
    assert!(
        ok || std::env::var_os("CI").is_none(),
        "twilio-python is not installed: run tests/sdk/install.sh"
    );
    if !ok {
        eprintln!("SKIPPED: twilio-python is not installed; run tests/sdk/install.sh");
    }
    ok
}

fn python(script: &str, args: &[&str]) -> String {
    let out = Command::new("python3")
        .arg(sdk_dir().join(script))
        .args(args)
        .env("PYTHONPATH", sdk_dir().join(".deps/twilio-python"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
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

/// Runs tests/sdk/twilio_py.py; each call's line by name.
fn sdk_calls(url: &str, user: &str, pass: &str) -> Vec<(String, Value)> {
    python("twilio_py.py", &[url, user, pass, demo::TWILIO_ACCOUNT_SID])
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap_or_else(|_| panic!("{l}"));
            (v["call"].as_str().unwrap().to_owned(), v)
        })
        .collect()
}

#[test]
fn twilio_python_conversations_calls_succeed_against_the_sandbox() {
    if !installed() {
        return;
    }
    let (_rt, sb) = start_sandbox();
    let url = sb.url();
    for (user, pass) in [
        (demo::TWILIO_API_KEY_SID, demo::TWILIO_API_KEY_SECRET),
        (demo::TWILIO_ACCOUNT_SID, demo::TWILIO_AUTH_TOKEN),
    ] {
        let calls = sdk_calls(&url, user, pass);
        let by_name = |name: &str| {
            calls
                .iter()
                .find(|(n, _)| n == name)
                .map_or_else(|| panic!("no {name} in {calls:?}"), |(_, v)| v.clone())
        };
        // The two calls that must fail, failing as twilio-python reports Twilio's errors.
        let duplicate = by_name("user.create_duplicate");
        assert_eq!(
            (duplicate["ok"].clone(), duplicate["status"].clone()),
            (false.into(), 409.into())
        );
        let gone = by_name("service.fetch_deleted");
        assert_eq!(
            (gone["status"].clone(), gone["code"].clone()),
            (404.into(), 20_404.into())
        );
        let expected_failures = ["user.create_duplicate", "service.fetch_deleted"];
        let succeeded: Vec<&String> = calls
            .iter()
            .filter(|(n, v)| !expected_failures.contains(&n.as_str()) && v["ok"] == true)
            .map(|(n, _)| n)
            .collect();
        let failed: Vec<&(String, Value)> = calls
            .iter()
            .filter(|(n, v)| !expected_failures.contains(&n.as_str()) && v["ok"] != true)
            .collect();
        eprintln!(
            "twilio-python 9.11.0 ({user}): {} of {} conversations.v1 calls succeeded against the sandbox",
            succeeded.len(),
            calls.len() - expected_failures.len()
        );
        assert!(failed.is_empty(), "{failed:?}");
        assert_eq!(succeeded.len(), 24, "{calls:?}");
        // What the SDK read back, checked against the values it sent.
        assert_eq!(by_name("service.fetch")["friendly_name"], "sdk-demo");
        assert_eq!(by_name("user.create")["identity"], "alice");
        assert_eq!(
            by_name("user.fetch_by_identity")["sid"],
            by_name("user.create")["sid"]
        );
        assert_eq!(by_name("user.update")["friendly_name"], "Alice A.");
        assert_eq!(by_name("conversation.fetch")["unique_name"], "standup");
        assert_eq!(
            by_name("participant.list")["identities"],
            serde_json::json!(["alice"])
        );
        let message = by_name("message.create");
        assert_eq!(message["index"], 0);
        assert_eq!(
            message["participant_sid"],
            by_name("participant.create")["sid"]
        );
        assert_eq!(by_name("message.fetch")["body"], "hello");
        // Three messages read two at a time: the SDK followed meta.next_page_url.
        assert_eq!(
            by_name("message.list")["indexes"],
            serde_json::json!([0, 1, 2])
        );
        assert_eq!(
            by_name("default.user.create")["chat_service_sid"],
            demo::TWILIO_CHAT_SERVICE_SID
        );
        // The SDK parsed date_created as a datetime (its format is Twilio's).
        assert!(by_name("user.create")["date_created"]
            .as_str()
            .unwrap()
            .ends_with("+00:00"));
    }
    // With a wrong secret the SDK gets Twilio's 401 and says so.
    let calls = sdk_calls(&url, demo::TWILIO_API_KEY_SID, "not-the-secret");
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!(
        (calls[0].1["status"].clone(), calls[0].1["code"].clone()),
        (401.into(), 20_003.into())
    );
}

/// Fixed SIDs both sides use: (variable, value).
const SIDS: [(&str, &str); 5] = [
    ("twilio_service_sid", "IS0123456789abcdef0123456789abcdef"),
    ("twilio_user_sid", "US0123456789abcdef0123456789abcdef"),
    (
        "twilio_conversation_sid",
        "CH0123456789abcdef0123456789abcdef",
    ),
    (
        "twilio_participant_sid",
        "MB0123456789abcdef0123456789abcdef",
    ),
    ("twilio_message_sid", "IM0123456789abcdef0123456789abcdef"),
];

/// Sends every shipped Conversations payload with the real binary to the capture server, in
/// one data dir, with the SIDs as variables.
fn apiplay_sends(ops: &[String], capture: &wire_support::Capture) {
    let dir = tempfile::tempdir().unwrap();
    let mut vars = format!(
        "twilio_api_key_sid = \"{}\"\ntwilio_api_key_secret = \"{}\"\n",
        demo::TWILIO_API_KEY_SID,
        demo::TWILIO_API_KEY_SECRET
    );
    for (name, value) in SIDS {
        writeln!(vars, "{name} = \"{value}\"").unwrap();
    }
    std::fs::write(
        dir.path().join("apiplay.toml"),
        format!(
            "[environments.cap.backends]\ntwilio_conversations = \"{}\"\n[environments.cap.variables]\n{vars}",
            capture.url()
        ),
    )
    .unwrap();
    for op in ops {
        let payload = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("payloads/twilio")
            .join(format!("{}.json", op.replace('.', "-")));
        let out = assert_cmd::Command::new(env!("CARGO_BIN_EXE_apiplay"))
            .current_dir(dir.path())
            .env("APIPLAY_HOME", dir.path().join("home"))
            .args(["send", "--env", "cap", "--no-history"])
            .arg(&payload)
            .timeout(Duration::from_secs(60))
            .output()
            .unwrap();
        assert!(
            out.status.code().is_some(),
            "{op}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// The Basic credentials of a request, decoded.
fn basic(request: &wire_support::Captured) -> Option<String> {
    let value = request.header("authorization")?;
    let encoded = value.strip_prefix("Basic ")?;
    String::from_utf8(
        base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .ok()?,
    )
    .ok()
}

#[test]
fn apiplay_sends_the_same_conversations_requests_as_twilio_python() {
    if !installed() {
        return;
    }
    let capture = wire_support::start();
    let url = capture.url();
    let mut args = vec![
        url.as_str(),
        demo::TWILIO_API_KEY_SID,
        demo::TWILIO_API_KEY_SECRET,
        demo::TWILIO_ACCOUNT_SID,
    ];
    args.extend(SIDS.iter().map(|(_, sid)| *sid));
    let ops: Vec<String> = python("twilio_py_requests.py", &args)
        .lines()
        .map(str::to_owned)
        .collect();
    assert_eq!(ops.len(), 20, "{ops:?}");
    let sdk = capture.take();
    assert_eq!(sdk.len(), ops.len(), "one request per SDK call");
    apiplay_sends(&ops, &capture);
    let ours = capture.take();
    assert_eq!(ours.len(), ops.len());
    let mut matching = 0;
    let mut differences = Vec::new();
    for ((op, theirs), mine) in ops.iter().zip(&sdk).zip(&ours) {
        let mut differ = Vec::new();
        let mut check = |what: &str, a: String, b: String| {
            if a != b {
                differ.push(format!("{what}: sdk {a:?} vs apiplay {b:?}"));
            }
        };
        check("method", theirs.method.clone(), mine.method.clone());
        check("path", theirs.path().to_owned(), mine.path().to_owned());
        let sorted = |mut q: Vec<(String, String)>| {
            q.sort();
            format!("{q:?}")
        };
        check("query", sorted(theirs.query()), sorted(mine.query()));
        // twilio-python also labels its bodiless list GETs as forms (`page()` sets the header);
        // with no body there is no encoding to compare.
        if !theirs.body.is_empty() || !mine.body.is_empty() {
            check(
                "content-type",
                format!("{:?}", theirs.header("content-type")),
                format!("{:?}", mine.header("content-type")),
            );
        }
        check(
            "body is empty",
            theirs.body.is_empty().to_string(),
            mine.body.is_empty().to_string(),
        );
        check(
            "form fields",
            format!("{:?}", theirs.form()),
            format!("{:?}", mine.form()),
        );
        check(
            "accept",
            format!("{:?}", theirs.header("accept")),
            format!("{:?}", mine.header("accept")),
        );
        check(
            "auth scheme and credentials",
            format!("{:?}", basic(theirs)),
            format!("{:?}", basic(mine)),
        );
        if differ.is_empty() {
            matching += 1;
        } else {
            differences.push(format!("{op}: {}", differ.join("; ")));
        }
    }
    eprintln!(
        "Twilio operations whose requests match twilio-python 9.11.0: {matching} of {}",
        ops.len()
    );
    assert!(differences.is_empty(), "{differences:#?}");
    // The credentials really are the demo key's (not merely equal on both sides).
    assert_eq!(
        basic(&ours[0]).unwrap(),
        format!(
            "{}:{}",
            demo::TWILIO_API_KEY_SID,
            demo::TWILIO_API_KEY_SECRET
        )
    );
}
