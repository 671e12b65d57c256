//! `apiplay send --filter`: jq expressions on the embedded sandbox's answers, through the real
//! binary.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

fn apiplay(home: &std::path::Path) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::new(env!("CARGO_BIN_EXE_apiplay"));
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("APIPLAY_HOME", home)
        .env("NO_COLOR", "1")
        .timeout(Duration::from_secs(60));
    cmd
}

#[test]
fn the_docs_useradd_answer_filtered_to_its_token() {
    let home = tempfile::tempdir().unwrap();
    let out = apiplay(home.path())
        .args([
            "send",
            "payloads/mesibo-backend-payload.json",
            "--filter",
            ".user.token",
            "--output",
            "raw",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = String::from_utf8(out.stdout).unwrap();
    // The history's token extractor found the same token in the whole answer.
    let tokens = apiplay(home.path())
        .args(["tokens", "--json"])
        .output()
        .unwrap();
    let tokens: serde_json::Value = serde_json::from_slice(&tokens.stdout).unwrap();
    assert_eq!(tokens[0]["subject"], "xyz@example.com");
    assert_eq!(format!("{}\n", tokens[0]["token"].as_str().unwrap()), token);

    // Without raw output the string is JSON; keys are jq's sorted keys of the docs' answer
    // (`{"user":{"uid","address","token"}}`).
    let out = apiplay(home.path())
        .args([
            "send",
            "payloads/mesibo-backend-payload.json",
            "--filter",
            "(.user | keys), (.result | not)",
            "--output",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "[\"address\",\"token\",\"uid\"]\nfalse\n"
    );
}

#[test]
fn a_bad_expression_is_exit_2_with_its_column_and_nothing_is_sent() {
    let home = tempfile::tempdir().unwrap();
    let out = apiplay(home.path())
        .args([
            "send",
            "payloads/mesibo-backend-payload.json",
            "--filter",
            ".user | tokn(1)",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad filter `.user | tokn(1)` at column 9: undefined filter `tokn`"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
    assert!(!home.path().join("history.sqlite3").exists());

    let out = apiplay(home.path())
        .args([
            "send",
            "payloads/mesibo-backend-payload.json",
            "--filter",
            "{a: .b",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("at column 1: `{` is never closed"), "{err}");

    // A filter that fails on the answer it got: jq's message, exit 2, the body not printed.
    let out = apiplay(home.path())
        .args([
            "send",
            "payloads/mesibo-backend-payload.json",
            "--filter",
            ".user.address.x",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("filter `.user.address.x` failed: cannot index"),
        "{err}"
    );
}
