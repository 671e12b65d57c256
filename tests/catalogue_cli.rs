//! `apiplay check`, `ops`, `explain` and `new` as a user runs them: the real binary, files in
//! a temp dir, and (for `new`) the written payloads sent to the embedded sandbox.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::time::Duration;

use assert_cmd::Command;

fn apiplay(home: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_apiplay"));
    cmd.env("APIPLAY_HOME", home)
        .env("NO_COLOR", "1")
        .current_dir(home)
        .timeout(Duration::from_secs(60));
    cmd
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The issue's own examples, positions counted by hand in the file as written.
#[test]
fn check_points_at_typos_with_did_you_mean_and_units() {
    let dir = tempfile::tempdir().unwrap();
    let body = "{\n  \"op\": \"useradd\",\n  \"token\": \"{{mesibo_app_token}}\",\n  \"user\": {\n    \"adress\": \"a@b\",\n    \"token\": {\"appid\": \"x\", \"expiry\": \"1 year\", \"expirey\": 3}\n  }\n}\n";
    std::fs::write(dir.path().join("p.json"), body).unwrap();
    let out = apiplay(dir.path())
        .args(["check", "p.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let lines: Vec<_> = stdout.lines().collect();
    assert_eq!(
        lines,
        [
            "p.json:4:3: error: missing required field \"user.address\" (the user's address: any string unique in your app (phone, email, user id); mesibo does not interpret it)",
            "p.json:5:5: warning: unknown field \"adress\" in user; did you mean \"address\"?",
            "p.json:6:39: error: user.token.expiry: expected an integer number of minutes, got a string",
            "p.json:6:49: warning: unknown field \"expirey\" in user.token; did you mean \"expiry\"?",
        ],
        "{stdout}"
    );
    assert!(text(&out.stderr).contains("1 file checked: 2 errors, 2 warnings"));

    let out = apiplay(dir.path())
        .args(["check", "--json", "p.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 4);
    assert_eq!(list[2]["file"], "p.json");
    assert_eq!(list[2]["line"], 6);
    assert_eq!(list[2]["col"], 39);
    assert_eq!(list[2]["severity"], "error");
    assert_eq!(list[2]["field"], "user.token.expiry");
    assert_eq!(list[2]["op"], "mesibo.useradd");
}

#[test]
fn check_names_an_unknown_op_and_a_clean_file_exits_zero() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("bad.json"),
        r#"{"op":"useradd2","token":"t"}"#,
    )
    .unwrap();
    let out = apiplay(dir.path())
        .args(["check", "bad.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stdout),
        "bad.json:1:7: error: unknown op \"useradd2\"; did you mean \"useradd\"?\n"
    );
    std::fs::write(dir.path().join("side.json"), "{}").unwrap();
    std::fs::write(
        dir.path().join("side.toml"),
        "op = \"agora.chat.user.gett\"\nbackend = \"agora_chat\"\n",
    )
    .unwrap();
    let out = apiplay(dir.path())
        .args(["check", "side.json"])
        .output()
        .unwrap();
    assert_eq!(
        text(&out.stdout),
        "side.toml:1:6: error: unknown op \"agora.chat.user.gett\"; did you mean \"agora.chat.user.get\"?\n"
    );
    // Templates give no false positives: a whole {{variable}} is a value of any type.
    std::fs::write(
        dir.path().join("ok.json"),
        r#"{"op":"useradd","token":"{{t}}","user":{"address":"{{a}}","token":{"appid":"x","expiry":"{{minutes}}"}}}"#,
    )
    .unwrap();
    let out = apiplay(dir.path())
        .args(["check", "ok.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    assert!(out.stdout.is_empty());
}

#[test]
fn ops_lists_every_vendor_and_filters_by_one() {
    let dir = tempfile::tempdir().unwrap();
    let out = apiplay(dir.path())
        .args(["ops", "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<_> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap().to_owned())
        .collect();
    assert!(ids.contains(&"mesibo.useradd".to_owned()));
    assert!(ids.contains(&"agora.chat.users.status".to_owned()));
    let useradd = list
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["id"] == "mesibo.useradd")
        .unwrap();
    assert_eq!(useradd["vendor"], "mesibo");
    assert_eq!(useradd["method"], "POST");
    assert_eq!(useradd["path"], "");
    assert_eq!(useradd["title"], "Create a user and issue its access token");
    let out = apiplay(dir.path()).args(["ops", "agora"]).output().unwrap();
    let stdout = text(&out.stdout);
    assert!(stdout.contains("agora.chat.user.password"), "{stdout}");
    assert!(!stdout.contains("mesibo.useradd"), "{stdout}");
    let out = apiplay(dir.path()).args(["ops", "nope"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("mesibo, agora, twilio, vonage"));
}

#[test]
fn explain_prints_fields_units_example_answer_and_errors() {
    let dir = tempfile::tempdir().unwrap();
    let out = apiplay(dir.path())
        .args(["explain", "agora.chat.token.exchange"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let s = text(&out.stdout);
    for needle in [
        "agora.chat.token.exchange — Exchange an app token for a Chat app token",
        "POST {agora_chat}/{{agora_org}}/{{agora_app}}/token",
        "grant_type",
        "one of \"agora\"",
        "Example body",
        "expires_in",
        "integer, seconds",
        "expire_timestamp",
        "integer, milliseconds",
        "auth_bad_access_token (HTTP 401)",
        "what to do:",
        "Sources",
    ] {
        assert!(s.contains(needle), "{needle:?} missing in:\n{s}");
    }
    // A file: the docs' own payload is explained as mesibo.useradd, by its "op".
    std::fs::write(
        dir.path().join("mesibo-backend-payload.json"),
        std::fs::read(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("payloads/mesibo-backend-payload.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let out = apiplay(dir.path())
        .args(["explain", "mesibo-backend-payload.json"])
        .output()
        .unwrap();
    assert!(
        text(&out.stdout).starts_with("mesibo.useradd — "),
        "{}",
        text(&out.stdout)
    );
    assert!(text(&out.stdout).contains("user.token.expiry  integer          minutes"));
    let out = apiplay(dir.path())
        .args(["explain", "mesibo.useradd2"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("did you mean \"mesibo.useradd\""),
        "{}",
        text(&out.stderr)
    );
}

/// `apiplay new` for every mesibo and Agora op, in the catalogue's flow order, into an empty
/// folder; each written payload sends successfully to the embedded sandbox as it is.
#[test]
fn new_payloads_send_as_they_are_in_flow_order() {
    let dir = tempfile::tempdir().unwrap();
    let out = apiplay(dir.path())
        .args(["ops", "--json"])
        .output()
        .unwrap();
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut ops: Vec<_> = list
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["vendor"] == "mesibo" || o["vendor"] == "agora")
        .map(|o| {
            (
                o["vendor"].as_str().unwrap().to_owned(),
                o["flow"].as_u64().unwrap_or(99),
                o["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    ops.sort();
    assert!(ops.len() >= 24, "{ops:?}");
    for (_, _, id) in &ops {
        let out = apiplay(dir.path())
            .args(["new", id, "mine"])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "new {id}: {}",
            text(&out.stderr)
        );
        let written = text(&out.stdout);
        let body = written.lines().next().unwrap().to_owned();
        assert!(
            Path::new(&body).extension().is_some_and(|e| e == "json"),
            "{written}"
        );
        let out = apiplay(dir.path())
            .args(["send", &body, "--output", "json"])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "send {id}: {}{}",
            text(&out.stderr),
            text(&out.stdout)
        );
    }
    // It never overwrites.
    let out = apiplay(dir.path())
        .args(["new", "mesibo.useradd", "mine"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("already exists"),
        "{}",
        text(&out.stderr)
    );
}

/// A documented error in the answer is explained on stderr: meaning and what to do.
#[test]
fn send_explains_a_documented_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("del.json"),
        r#"{"op":"userdel","token":"{{mesibo_app_token}}","user":{"address":"nobody@example.com"}}"#,
    )
    .unwrap();
    let out = apiplay(dir.path())
        .args(["send", "del.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("NOUSER (mesibo.userdel): "), "{stderr}");
    assert!(
        stderr.contains("  what to do: create the user first (mesibo.useradd)"),
        "{stderr}"
    );
}
