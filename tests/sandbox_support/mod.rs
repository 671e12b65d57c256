//! Shared helpers of the sandbox integration tests: an in-process sandbox, a standalone
//! `apiplay sandbox` process, and mesibo request bodies.
#![allow(clippy::unwrap_used, clippy::needless_pass_by_value, dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use apiplay::sandbox::{self, demo, SandboxHandle, SandboxOptions};
use serde_json::{json, Value};

/// Starts an in-process sandbox on an ephemeral loopback port.
pub async fn start(db: Option<PathBuf>) -> SandboxHandle {
    sandbox::start(SandboxOptions {
        listen: "127.0.0.1:0".parse().unwrap(),
        db,
    })
    .await
    .unwrap()
}

/// A mesibo request body with the demo app token.
pub fn mesibo(op: &str, rest: Value) -> Value {
    let mut body = json!({"op": op, "token": demo::MESIBO_APP_TOKEN});
    for (k, v) in rest.as_object().unwrap() {
        body[k] = v.clone();
    }
    body
}

/// POSTs JSON and returns (status, body).
pub async fn post(client: &reqwest::Client, url: &str, body: &Value) -> (u16, Value) {
    let response = client.post(url).json(body).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

/// A standalone `apiplay sandbox` process; killed (SIGKILL) when dropped.
pub struct Standalone {
    pub child: Child,
    pub url: String,
}

impl Standalone {
    /// Spawns `apiplay sandbox --listen 127.0.0.1:0 --db DB` and waits for its banner.
    pub fn spawn(db: &Path, home: &Path) -> Standalone {
        let mut child = Command::new(env!("CARGO_BIN_EXE_apiplay"))
            .args(["sandbox", "--listen", "127.0.0.1:0", "--db"])
            .arg(db)
            .env("APIPLAY_HOME", home)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let first = lines.next().unwrap().unwrap();
        let url = first
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap_or_else(|| panic!("no URL in banner line {first:?}"))
            .to_owned();
        // Keep draining stdout so the process never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Standalone { child, url }
    }
}

impl Drop for Standalone {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
