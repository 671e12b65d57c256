//! Body encodings over real loopback HTTP: the real binary sends a payload's JSON body as
//! JSON, as a form (nested objects flattened with `.`) or not at all, as its sidecar says; the
//! history keeps the bytes that went out with secrets left as `{{name}}`, and a replay sends
//! the same bytes again.
#![allow(clippy::unwrap_used)]

mod wire_support;

use std::path::{Path, PathBuf};
use std::time::Duration;

use wire_support::Capture;

struct Ws {
    dir: tempfile::TempDir,
}

impl Ws {
    fn new(capture: &Capture) -> Ws {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("apiplay.toml"),
            format!(
                "[environments.cap.backends]\nvonage_video = \"{}\"\n\n[environments.cap.variables]\nsecret = {{ env = \"WIRE_TEST_SECRET\" }}\nplain = \"a b\"\n",
                capture.url()
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

    fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    fn cmd(&self) -> assert_cmd::Command {
        let mut cmd = assert_cmd::Command::new(env!("CARGO_BIN_EXE_apiplay"));
        cmd.current_dir(self.dir.path())
            .env("APIPLAY_HOME", self.home())
            .env("NO_COLOR", "1")
            .env("WIRE_TEST_SECRET", "s&cret=1 two")
            .timeout(Duration::from_secs(60));
        cmd
    }

    fn send(&self, file: &Path) -> std::process::Output {
        self.cmd()
            .args(["send", file.to_str().unwrap(), "--env", "cap"])
            .output()
            .unwrap()
    }
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_form_payload_goes_out_form_encoded_and_the_history_keeps_those_bytes() {
    let capture = wire_support::start();
    let ws = Ws::new(&capture);
    let file = ws.payload(
        "create.json",
        r#"{
  "p2p": { "preference": "enabled" },
  "archiveMode": "manual",
  "e2ee": false,
  "token": "{{secret}}",
  "note": "{{plain}}",
  "skip": null
}"#,
        "backend = \"vonage_video\"\nmethod = \"POST\"\npath = \"/session/create\"\nencoding = \"form\"\n",
    );
    let out = ws.send(&file);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let seen = capture.take();
    assert_eq!(seen.len(), 1);
    let req = &seen[0];
    assert_eq!(
        (req.method.as_str(), req.uri.as_str()),
        ("POST", "/session/create")
    );
    assert_eq!(
        req.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    // Written by hand: what a browser or Python's urlencode makes of these fields.
    assert_eq!(
        req.text(),
        "p2p.preference=enabled&archiveMode=manual&e2ee=false&token=s%26cret%3D1+two&note=a+b"
    );

    // The history holds the same bytes with the secret left as its placeholder, never the
    // secret itself.
    let store = apiplay::history::Store::open(&ws.home().join("history.sqlite3")).unwrap();
    let ex = store.get_exchange(1).unwrap().unwrap();
    assert_eq!(
        ex.request.body.as_deref(),
        Some("p2p.preference=enabled&archiveMode=manual&e2ee=false&token={{secret}}&note=a+b")
    );
    assert!(ex
        .request
        .headers
        .iter()
        .any(|(k, v)| k == "Content-Type" && v == "application/x-www-form-urlencoded"));
    drop(store);

    // A replay resolves the secret again and sends byte for byte what the first send did.
    let out = ws.cmd().args(["replay", "1"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let again = capture.take();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].body, req.body);
    assert_eq!(
        again[0].header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
}

#[test]
fn json_stays_the_default_and_none_sends_no_body() {
    let capture = wire_support::start();
    let ws = Ws::new(&capture);
    let body = "{\n  \"a\": {\"b\": 1}\n}";
    let json = ws.payload(
        "j.json",
        body,
        "backend = \"vonage_video\"\npath = \"/j\"\n",
    );
    let none = ws.payload(
        "n.json",
        body,
        "backend = \"vonage_video\"\npath = \"/n\"\nmethod = \"POST\"\nencoding = \"none\"\n",
    );
    assert_eq!(ws.send(&json).status.code(), Some(0));
    assert_eq!(ws.send(&none).status.code(), Some(0));
    let seen = capture.take();
    assert_eq!(seen[0].header("content-type"), Some("application/json"));
    assert_eq!(seen[0].text(), body, "JSON goes out as written");
    assert_eq!(seen[1].uri, "/n");
    assert!(seen[1].body.is_empty());
    assert_eq!(seen[1].header("content-type"), None);
}

#[test]
fn a_body_a_form_cannot_carry_is_refused_before_sending() {
    let capture = wire_support::start();
    let ws = Ws::new(&capture);
    let file = ws.payload(
        "bad.json",
        r#"{"Roles": [{"x": 1}]}"#,
        "backend = \"vonage_video\"\npath = \"/x\"\nencoding = \"form\"\n",
    );
    let out = ws.send(&file);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("bad.json"), "{err}");
    assert!(
        err.contains("`Roles` is an array holding an object"),
        "{err}"
    );
    let bad = ws.payload(
        "enc.json",
        "{}",
        "backend = \"vonage_video\"\nencoding = \"xml\"\n",
    );
    let out = ws.send(&bad);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("enc.toml:2:"), "{}", stderr(&out));
    assert!(capture.take().is_empty(), "nothing was sent");
}
