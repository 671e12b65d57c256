//! Starting the embedded sandbox from the real binary under faults: many processes on a fresh
//! data dir at once (the schema migration must not race), and a data dir apiplay cannot write
//! (the sandbox falls back to an in-memory store with a warning, and `send` still works).
#![allow(clippy::unwrap_used)]

use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

/// A folder holding the docs' payload, and a data dir path inside it (not created).
fn workspace() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let payloads = dir.path().join("payloads");
    std::fs::create_dir_all(&payloads).unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("payloads/mesibo-backend-payload.json"),
        payloads.join("mesibo-backend-payload.json"),
    )
    .unwrap();
    let home = dir.path().join("home");
    (dir, home)
}

fn send(dir: &Path, home: &Path, extra: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_apiplay"));
    cmd.current_dir(dir)
        .arg("send")
        .arg("payloads/mesibo-backend-payload.json")
        .args(extra)
        .env("APIPLAY_HOME", home)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

fn describe(out: &Output) -> String {
    format!(
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Issue 8 item 7: 2 to 10 of 16 failed with "table mesibo_users already exists".
#[test]
fn sixteen_sends_on_a_fresh_data_dir_at_once_all_succeed() {
    for round in 0..2 {
        let (dir, home) = workspace();
        let children: Vec<_> = (0..16)
            .map(|_| send(dir.path(), &home, &[]).spawn().unwrap())
            .collect();
        let outputs: Vec<Output> = children
            .into_iter()
            .map(|c| c.wait_with_output().unwrap())
            .collect();
        let failed: Vec<String> = outputs
            .iter()
            .filter(|o| o.status.code() != Some(0))
            .map(describe)
            .collect();
        assert!(
            failed.is_empty(),
            "round {round}: {} of 16 failed:\n{}",
            failed.len(),
            failed.join("\n---\n")
        );
        for out in &outputs {
            let body: Value = serde_json::from_slice(&out.stdout).unwrap();
            assert_eq!(body["result"], true, "{}", describe(out));
            assert_eq!(body["user"]["address"], "xyz@example.com");
        }
    }
}

/// Issue 8 item 14: with a data dir apiplay cannot write, `send --no-history` used to fail
/// because the embedded sandbox could not open `sandbox.sqlite3`.
#[test]
fn a_read_only_data_dir_still_lets_send_no_history_work() {
    let (dir, home) = workspace();
    std::fs::create_dir_all(&home).unwrap();
    std::fs::set_permissions(&home, std::fs::Permissions::from_mode(0o555)).unwrap();
    // Root writes through mode bits, so as root the send runs as `nobody`, for whom the
    // data dir is read-only; the workspace must then be readable by everyone.
    let as_root = std::fs::metadata(&home).unwrap().uid() == 0
        && std::fs::File::create(home.join("probe")).is_ok();
    let _ = std::fs::remove_file(home.join("probe"));
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let mut cmd = send(dir.path(), &home, &["--no-history"]);
    if as_root {
        cmd.uid(65_534).gid(65_534);
    }
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let body: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(body["result"], true, "{}", describe(&out));
    assert_eq!(body["user"]["address"], "xyz@example.com");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("warning:") && stderr.contains("in memory"),
        "no warning about the in-memory sandbox store: {stderr}"
    );
    assert!(
        stderr.contains("sandbox.sqlite3"),
        "the warning names the file it could not open: {stderr}"
    );
    assert!(
        !home.join("sandbox.sqlite3").exists(),
        "nothing was written to the read-only data dir"
    );
}
