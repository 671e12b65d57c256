//! `apiplay token new|decode|verify` through the real binary, with an isolated APIPLAY_HOME.
#![allow(clippy::unwrap_used)]

use assert_cmd::Command;

const APP: &str = "970CA35de60c44645bbae8a215061b33";
const CERT: &str = "5CFd2fd1755d40ecb72977518be15d3b";
const CHAT_USER_VECTOR: &str = "007eJxTYNAIsnbS3v/A5t2TC6feR15r+6cq8bqAvfaW+tk/Vzz+p6xTYLA0N3B2NDZNSTUzSDYxMTMxTUpKTLVINDI0NTAzTDI2dv8iwBDBxMDAyADCrEDMCOZzMRhZWBgZmxgamRsDAB+lHrg=";

struct Home(tempfile::TempDir);

impl Home {
    fn new() -> Self {
        Home(tempfile::tempdir().unwrap())
    }

    fn cmd(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_apiplay"));
        cmd.env("APIPLAY_HOME", self.0.path()).env("NO_COLOR", "1");
        for var in [
            "AGORA_APP_ID",
            "AGORA_APP_CERTIFICATE",
            "TWILIO_ACCOUNT_SID",
            "TWILIO_API_KEY_SID",
            "TWILIO_API_KEY_SECRET",
            "OPENTOK_API_KEY",
            "OPENTOK_API_SECRET",
            "VONAGE_APPLICATION_ID",
            "VONAGE_PRIVATE_KEY_PATH",
        ] {
            cmd.env_remove(var);
        }
        cmd
    }

    fn stdout(&self, args: &[&str]) -> String {
        let out = self
            .cmd()
            .args(args)
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        String::from_utf8(out).unwrap()
    }
}

#[test]
fn agora_chat_user_round_trip_through_the_cli_and_history() {
    let home = Home::new();
    // An environment without Agora credentials: the certificate must be given.
    std::fs::write(
        home.0.path().join("apiplay.toml"),
        "[environments.bare.backends]\nmesibo = \"http://127.0.0.1:9/\"\n",
    )
    .unwrap();
    let missing = home
        .cmd()
        .current_dir(home.0.path())
        .args([
            "token",
            "new",
            "agora-chat-user",
            "--app-id",
            APP,
            "--user",
            "alice",
            "--env",
            "bare",
        ])
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    assert!(String::from_utf8(missing).unwrap().contains(
        "--cert (or AGORA_APP_CERTIFICATE) is required (or `agora_app_certificate` in environment `bare`)"
    ));
    let out = home
        .cmd()
        .args([
            "token",
            "new",
            "agora-chat-user",
            "--app-id",
            APP,
            "--user",
            "alice",
            "--ttl",
            "86400",
        ])
        .env("AGORA_APP_CERTIFICATE", CERT)
        .assert()
        .success()
        .get_output()
        .clone();
    let token = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    assert!(token.starts_with("007eJ"), "{token}");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        !stderr.contains(CERT),
        "the certificate was echoed: {stderr}"
    );

    let account = home.stdout(&["token", "decode", &token]);
    assert!(account.contains("agora-007"), "{account}");
    assert!(account.contains("subject  alice"), "{account}");
    assert!(
        account.contains("expires in 23h 59m") || account.contains("expires in 1d"),
        "{account}"
    );
    assert!(
        account.contains("chat user_id=\"alice\": user for 1d"),
        "{account}"
    );

    let json: serde_json::Value =
        serde_json::from_str(&home.stdout(&["token", "decode", "--json", &token])).unwrap();
    assert_eq!(json["claims"]["services"][0]["privileges"]["user"], 86_400);
    assert_eq!(
        json["expires_at"].as_i64().unwrap() - json["issued_at"].as_i64().unwrap(),
        86_400
    );

    let valid = home.stdout(&["token", "verify", &token, "--cert", CERT]);
    assert!(valid.starts_with("valid: agora-007"), "{valid}");

    let tokens = home.stdout(&["tokens", "--json"]);
    assert!(
        tokens.contains(&token),
        "minted token not in the history: {tokens}"
    );
}

#[test]
fn no_history_leaves_the_history_empty() {
    let home = Home::new();
    let token = home.stdout(&[
        "token",
        "new",
        "agora-chat-app",
        "--app-id",
        APP,
        "--cert",
        CERT,
        "--no-history",
    ]);
    assert!(token.starts_with("007"));
    let tokens = home.stdout(&["tokens", "--json"]);
    assert!(!tokens.contains(token.trim()));
}

#[test]
fn verify_exit_codes() {
    let home = Home::new();
    // A correct signature on a token that expired in 1970.
    let expired = home
        .cmd()
        .args(["token", "verify", CHAT_USER_VECTOR, "--cert", CERT])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    assert!(String::from_utf8(expired)
        .unwrap()
        .contains("signature matches but the token expired"));
    home.cmd()
        .args([
            "token",
            "verify",
            CHAT_USER_VECTOR,
            "--cert",
            CERT,
            "--ignore-expiry",
        ])
        .assert()
        .code(0);
    let wrong = home
        .cmd()
        .args([
            "token",
            "verify",
            CHAT_USER_VECTOR,
            "--cert",
            "5CFd2fd1755d40ecb72977518be15d3c",
            "--ignore-expiry",
        ])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    assert!(String::from_utf8(wrong)
        .unwrap()
        .contains("signature does not match"));
    let malformed = home
        .cmd()
        .args(["token", "verify", &CHAT_USER_VECTOR[..60], "--cert", CERT])
        .assert()
        .code(2)
        .get_output()
        .stdout
        .clone();
    assert!(String::from_utf8(malformed)
        .unwrap()
        .starts_with("malformed: "));
}

#[test]
fn malformed_input_messages_are_precise() {
    let home = Home::new();
    let cases = [
        (
            "007eJxTYNAIsnbS3v/A5t2TC6feR15r+6cq8bqA*vfaW",
            "base64 invalid at offset 39",
        ),
        ("eyJhbGciOiJIUzI1NiJ9.e30", "JWT has 2 parts, expected 3"),
        (
            "007eJxTYNAIsnbS3v/A5t2TC6feR15r+6cq8bqAvfaW+tk/Vzz+",
            "zlib stream truncated",
        ),
        ("hello", "not a recognised token format"),
    ];
    for (token, message) in cases {
        let out = home
            .cmd()
            .args(["token", "decode", token])
            .assert()
            .code(2)
            .get_output()
            .stderr
            .clone();
        let stderr = String::from_utf8(out).unwrap();
        assert!(stderr.contains(message), "{token}: {stderr}");
    }
}

#[test]
fn decode_reads_standard_input() {
    let home = Home::new();
    let out = home
        .cmd()
        .args(["token", "decode", "-"])
        .write_stdin(format!("{CHAT_USER_VECTOR}\n"))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert!(String::from_utf8(out).unwrap().contains("2882341273"));
}

#[test]
fn twilio_new_and_verify_with_environment_secret() {
    let home = Home::new();
    let out = home
        .cmd()
        .args([
            "token",
            "new",
            "twilio",
            "--account-sid",
            "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "--key-sid",
            "SKb5aed9ca12bf5890f37930e63cad6d38",
            "--user",
            "bob",
            "--chat-service",
            "IS1",
            "--video",
            "--ttl",
            "600",
        ])
        .env("TWILIO_API_KEY_SECRET", "topsecret")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let token = String::from_utf8(out).unwrap().trim().to_owned();
    let json: serde_json::Value =
        serde_json::from_str(&home.stdout(&["token", "decode", "--json", &token])).unwrap();
    assert_eq!(json["format"], "twilio-jwt");
    assert_eq!(json["claims"]["grants"]["chat"]["service_sid"], "IS1");
    assert!(json["claims"]["grants"]["video"].is_object());
    home.cmd()
        .args(["token", "verify", &token])
        .env("TWILIO_API_KEY_SECRET", "topsecret")
        .assert()
        .code(0);
    home.cmd()
        .args(["token", "verify", &token, "--secret", "nope"])
        .assert()
        .code(1);
    let too_long = home
        .cmd()
        .args([
            "token",
            "new",
            "twilio",
            "--account-sid",
            "AC1",
            "--key-sid",
            "SK1",
            "--secret",
            "s",
            "--user",
            "bob",
            "--ttl",
            "90000",
            "--no-history",
        ])
        .assert()
        .success()
        .get_output()
        .clone();
    // Minted as twilio-python mints it (its AccessToken has no upper bound), with the
    // warning that Twilio refuses it with 20157 when it is used.
    assert!(String::from_utf8(too_long.stderr)
        .unwrap()
        .contains("20157"));
    let jwt = String::from_utf8(too_long.stdout).unwrap();
    let payload = jwt.trim().split('.').nth(1).unwrap();
    let claims: serde_json::Value = serde_json::from_slice(
        &base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, payload)
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["nbf"].as_i64().unwrap(),
        90_000
    );
}

#[test]
fn opentok_both_formats_and_vonage() {
    let home = Home::new();
    for format in ["t1", "jwt"] {
        let token = home.stdout(&[
            "token",
            "new",
            "opentok",
            "--api-key",
            "4711",
            "--secret",
            "s3",
            "--format",
            format,
            "--role",
            "moderator",
            "--data",
            "name=Ann",
        ]);
        let token = token.trim();
        assert_eq!(token.starts_with("T1=="), format == "t1");
        let json: serde_json::Value =
            serde_json::from_str(&home.stdout(&["token", "decode", "--json", token])).unwrap();
        assert_eq!(json["claims"]["role"], "moderator");
        assert_eq!(json["claims"]["connection_data"], "name=Ann");
        home.cmd()
            .args(["token", "verify", token, "--secret", "s3"])
            .assert()
            .code(0);
        home.cmd()
            .args(["token", "verify", token, "--secret", "s4"])
            .assert()
            .code(1);
    }
    let far = home
        .cmd()
        .args([
            "token",
            "new",
            "opentok",
            "--api-key",
            "4711",
            "--secret",
            "s3",
            "--ttl",
            "2600000",
        ])
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    assert!(String::from_utf8(far).unwrap().contains("30 days"));

    let pem = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/vonage-fake-private-key.pem"
    );
    let token = home.stdout(&[
        "token",
        "new",
        "vonage",
        "--application-id",
        "app-1",
        "--private-key",
        pem,
        "--session",
        "sess-1",
    ]);
    let token = token.trim();
    home.cmd()
        .args(["token", "verify", token, "--public-key", pem])
        .assert()
        .code(0);
    let account = home.stdout(&["token", "decode", token]);
    assert!(
        account.contains("vonage-jwt") && account.contains("sess-1"),
        "{account}"
    );
}

#[test]
fn vonage_new_takes_the_sandbox_demo_key() {
    // The sandbox environment's `vonage_private_key` is the PEM itself, not a path: `token new`
    // read it as a file name and failed.
    let home = Home::new();
    let token = home.stdout(&["token", "new", "vonage", "--session", "sess-2"]);
    let token = token.trim();
    let key = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/src/sandbox/vonage-demo-private-key.pem"
    );
    home.cmd()
        .args(["token", "verify", token, "--public-key", key])
        .assert()
        .code(0);
    let account = home.stdout(&["token", "decode", token]);
    assert!(
        account.contains("test_application_id") && account.contains("sess-2"),
        "{account}"
    );
}
