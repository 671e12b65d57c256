//! Vendor auth built-ins over real loopback HTTP: the real binary mints `{{$opentok_jwt}}`,
//! `{{$vonage_jwt}}`, `{{$agora_app_token}}` and `{{$twilio_basic}}` from the environment's
//! credentials at every send, in any header, query or body value; the capture server checks
//! each with the credentials alone; the history keeps only the placeholders.
#![allow(clippy::unwrap_used)]

mod wire_support;

use std::path::PathBuf;
use std::time::Duration;

use apiplay::tokens::{agora, jwt, vonage};
use base64::Engine;

const KEY_PEM: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/vonage-fake-private-key.pem"
);
const OPENTOK_SECRET: &str = "opentok-secret-0123456789";
const AGORA_CERT: &str = "5CFd2fd1755d40ecb72977518be15d3b";

struct Ws {
    dir: tempfile::TempDir,
}

impl Ws {
    fn new(base: &str) -> Ws {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("apiplay.toml"),
            format!(
                r#"[environments.cap.backends]
vonage_video = "{base}"

[environments.cap.variables]
opentok_api_key = "47000001"
opentok_api_secret = {{ env = "WIRE_OPENTOK_SECRET" }}
vonage_application_id = "aaaaaaaa-bbbb-cccc-dddd-0123456789ab"
vonage_private_key = "{KEY_PEM}"
agora_app_id = "970CA35de60c44645bbae8a215061b33"
agora_app_certificate = {{ env = "WIRE_AGORA_CERT" }}
twilio_account_sid = "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
twilio_auth_token = {{ env = "WIRE_TWILIO_TOKEN" }}
"#
            ),
        )
        .unwrap();
        Ws { dir }
    }

    fn payload(&self, name: &str, body: &str, sidecar: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, body).unwrap();
        std::fs::write(path.with_extension("toml"), sidecar).unwrap();
        path
    }

    fn cmd(&self) -> assert_cmd::Command {
        let mut cmd = assert_cmd::Command::new(env!("CARGO_BIN_EXE_apiplay"));
        cmd.current_dir(self.dir.path())
            .env("APIPLAY_HOME", self.dir.path().join("home"))
            .env("NO_COLOR", "1")
            .env("WIRE_OPENTOK_SECRET", OPENTOK_SECRET)
            .env("WIRE_AGORA_CERT", AGORA_CERT)
            .env("WIRE_TWILIO_TOKEN", "twilio-auth-token-xyz")
            .timeout(Duration::from_secs(60));
        cmd
    }
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn claims(token: &str) -> serde_json::Map<String, serde_json::Value> {
    jwt::parse(token).unwrap().payload
}

/// Checks the four minted values of one captured request with the credentials alone;
/// returns the OpenTok JWT's `jti`.
fn check_minted(req: &wire_support::Captured) -> String {
    let now = i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap();
    // OpenTok: HS256 with the API secret; the REST reference's claims.
    let ot = req.header("x-opentok-auth").unwrap();
    jwt::verify_hs256(&jwt::parse(ot).unwrap(), OPENTOK_SECRET.as_bytes()).unwrap();
    let c = claims(ot);
    assert_eq!(c["iss"], "47000001");
    assert_eq!(c["ist"], "project");
    let (iat, exp) = (c["iat"].as_i64().unwrap(), c["exp"].as_i64().unwrap());
    assert!((iat - now).abs() < 60, "iat {iat} is now");
    assert!(exp > iat && exp - iat <= 300, "at most 5 minutes");
    let jti = c["jti"].as_str().unwrap().to_owned();

    // Vonage: RS256 with the application's key; vonage-jwt's claims.
    let bearer = req.header("authorization").unwrap();
    let token = bearer.strip_prefix("Bearer ").unwrap();
    vonage::verify(token, &std::fs::read_to_string(KEY_PEM).unwrap()).unwrap();
    let c = claims(token);
    assert_eq!(c["application_id"], "aaaaaaaa-bbbb-cccc-dddd-0123456789ab");
    assert_eq!(c["exp"].as_i64().unwrap() - c["iat"].as_i64().unwrap(), 900);
    assert!(c.contains_key("jti"));

    // Agora: a 007 app token that verifies with the certificate, in the form body.
    let form = req.form();
    assert_eq!(form[0].0, "app_token");
    let parsed = agora::verify(&form[0].1, AGORA_CERT).unwrap();
    assert_eq!(parsed.app_id, "970CA35de60c44645bbae8a215061b33");
    assert_eq!(parsed.chat_user_id(), Some(""), "an app token has no user");

    // Twilio: Basic over the account SID and auth token (no API key defined).
    let query = req.query();
    let basic = query[0].1.strip_prefix("Basic ").unwrap();
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(basic)
        .unwrap();
    assert_eq!(
        String::from_utf8(decoded).unwrap(),
        "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa:twilio-auth-token-xyz"
    );
    jti
}

#[test]
fn each_built_in_is_minted_per_send_verifies_and_stays_out_of_the_history() {
    let capture = wire_support::start();
    let ws = Ws::new(&capture.url());
    let file = ws.payload(
        "all.json",
        r#"{"app_token": "{{$agora_app_token}}", "n": 1}"#,
        r#"backend = "vonage_video"
method = "POST"
path = "/auth"
encoding = "form"
[headers]
X-OPENTOK-AUTH = "{{$opentok_jwt}}"
Authorization = "Bearer {{$vonage_jwt}}"
[query]
basic = "{{$twilio_basic}}"
"#,
    );
    for _ in 0..2 {
        let out = ws
            .cmd()
            .args(["send", file.to_str().unwrap(), "--env", "cap"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }
    let seen = capture.take();
    assert_eq!(seen.len(), 2);
    let jtis: Vec<String> = seen.iter().map(check_minted).collect();
    assert_ne!(jtis[0], jtis[1], "a fresh JWT for every send");
    assert_ne!(
        seen[0].header("authorization"),
        seen[1].header("authorization")
    );

    // The history holds the placeholders; no minted value reaches the disk.
    let store = apiplay::history::Store::open(&ws.dir.path().join("home/history.sqlite3")).unwrap();
    let ex = store.get_exchange(1).unwrap().unwrap();
    let headers: Vec<_> = ex
        .request
        .headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert!(
        headers.contains(&("X-OPENTOK-AUTH", "{{$opentok_jwt}}")),
        "{headers:?}"
    );
    assert!(
        headers.contains(&("Authorization", "Bearer {{$vonage_jwt}}")),
        "{headers:?}"
    );
    assert!(
        ex.request.url.ends_with("/auth?basic={{$twilio_basic}}"),
        "{}",
        ex.request.url
    );
    assert_eq!(
        ex.request.body.as_deref(),
        Some("app_token={{$agora_app_token}}&n=1")
    );
    drop(store);
    let minted: Vec<String> = seen
        .iter()
        .flat_map(|r| {
            [
                r.header("x-opentok-auth").unwrap().to_owned(),
                r.form()[0].1.clone(),
                r.query()[0].1.clone(),
            ]
        })
        .collect();
    for entry in std::fs::read_dir(ws.dir.path().join("home")).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        for value in &minted {
            let needle = &value.as_bytes()[value.len() - 24..];
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle),
                "a minted value was written to disk"
            );
        }
    }

    // A replay mints again.
    let out = ws.cmd().args(["replay", "2"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let again = capture.take();
    let c = claims(again[0].header("x-opentok-auth").unwrap());
    assert!(!jtis.contains(&c["jti"].as_str().unwrap().to_owned()));
}

#[test]
fn a_missing_credential_names_the_variable_and_nothing_is_sent() {
    let capture = wire_support::start();
    let ws = Ws::new(&capture.url());
    let file = ws.payload(
        "ot.json",
        "{}",
        "backend = \"vonage_video\"\npath = \"/x\"\n[headers]\nX-OPENTOK-AUTH = \"{{$opentok_jwt}}\"\n",
    );
    let out = ws
        .cmd()
        .env_remove("WIRE_OPENTOK_SECRET")
        .args(["send", file.to_str().unwrap(), "--env", "cap"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("WIRE_OPENTOK_SECRET"),
        "{}",
        stderr(&out)
    );
    let sandbox_ws = Ws::new(&capture.url());
    std::fs::write(
        sandbox_ws.dir.path().join("apiplay.toml"),
        format!(
            "[environments.cap.backends]\nvonage_video = \"{}\"\n",
            capture.url()
        ),
    )
    .unwrap();
    let file = sandbox_ws.payload(
        "v.json",
        "{}",
        "backend = \"vonage_video\"\npath = \"/x\"\n[headers]\nAuthorization = \"Bearer {{$vonage_jwt}}\"\n",
    );
    let out = sandbox_ws
        .cmd()
        .args(["send", file.to_str().unwrap(), "--env", "cap"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("cannot mint {{$vonage_jwt}} in environment `cap`: it needs the variable `vonage_application_id`"),
        "{err}"
    );
    assert!(err.contains("v.toml:"), "{err}");
    assert!(capture.take().is_empty());
}
