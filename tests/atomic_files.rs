//! Files apiplay writes for the user are whole or absent, never cut short: `apiplay new` on a
//! full disk (a file size limit, SIGXFSZ ignored, so writes fail with EFBIG as on a full
//! disk) leaves no payload or sidecar behind and says which file it could not write.
#![allow(clippy::unwrap_used)]

use std::path::Path;

fn entries(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|d| {
            d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn new_on_a_full_disk_leaves_nothing_half_written() {
    let tmp = tempfile::tempdir().unwrap();
    let out = std::process::Command::new("sh")
        .args([
            "-c",
            "trap '' XFSZ; ulimit -f 0; exec \"$0\" new mesibo.useradd payloads/mine",
            env!("CARGO_BIN_EXE_apiplay"),
        ])
        .current_dir(tmp.path())
        .env("APIPLAY_HOME", tmp.path().join("home"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(
        stderr.contains("cannot write payloads/mine/useradd.json: writing: File too large"),
        "what, which file, why: {stderr}"
    );
    assert_eq!(
        entries(&tmp.path().join("payloads/mine")),
        Vec::<String>::new(),
        "no empty or partial payload, no temporary file"
    );

    // Without the limit the same command writes both files whole.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_apiplay"))
        .args(["new", "mesibo.useradd", "payloads/mine"])
        .current_dir(tmp.path())
        .env("APIPLAY_HOME", tmp.path().join("home"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut names = entries(&tmp.path().join("payloads/mine"));
    names.sort();
    assert_eq!(names, ["useradd.json", "useradd.toml"]);
    let body = std::fs::read_to_string(tmp.path().join("payloads/mine/useradd.json")).unwrap();
    assert!(body.contains("\"op\": \"useradd\""), "{body}");
}
