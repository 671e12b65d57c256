//! `apiplay send` against `curl` (issue 2): the same small POST to the same loopback server,
//! each run as a whole process, alternating, so both see the same machine. Target: apiplay's
//! median wall time ≤ 1.5× curl's.
//!
//! `cargo bench --bench send_vs_curl` (needs `curl` on PATH).
#![allow(clippy::unwrap_used)]

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod support;

const RUNS: usize = 200;

fn main() {
    let addr = support::mesibo_useradd_server();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("apiplay.toml"),
        format!("[environments.local.backends]\nmesibo = \"http://{addr}/backend/\"\n"),
    )
    .unwrap();
    let payload = dir.path().join("p.json");
    std::fs::write(
        &payload,
        r#"{"op":"useradd","token":"t","user":{"address":"a@example.com","token":{"appid":"x"}}}"#,
    )
    .unwrap();
    let url = format!("http://{addr}/backend/");
    let data = format!("@{}", payload.display());

    let apiplay = || {
        let mut c = Command::new(env!("CARGO_BIN_EXE_apiplay"));
        c.current_dir(dir.path())
            .env("APIPLAY_HOME", dir.path().join("home"))
            .args(["send", "p.json", "--env", "local", "--output", "json"]);
        c
    };
    let curl = || {
        let mut c = Command::new("curl");
        c.args([
            "-s",
            "-X",
            "POST",
            "-H",
            "Content-Type: application/json",
            "--data-binary",
            &data,
            &url,
        ]);
        c
    };
    for (name, history) in [
        ("apiplay send (recording history)", true),
        ("apiplay send --no-history", false),
    ] {
        let (mut a, mut b) = (Vec::new(), Vec::new());
        for _ in 0..RUNS {
            let mut cmd = apiplay();
            if !history {
                cmd.arg("--no-history");
            }
            a.push(time(&mut cmd));
            b.push(time(&mut curl()));
        }
        let (ma, mb) = (median(&mut a), median(&mut b));
        println!(
            "{name}: median {:.2} ms; curl: median {:.2} ms; ratio {:.2}× (target ≤ 1.5×: {})",
            ma.as_secs_f64() * 1e3,
            mb.as_secs_f64() * 1e3,
            ma.as_secs_f64() / mb.as_secs_f64(),
            if ma.as_secs_f64() <= 1.5 * mb.as_secs_f64() {
                "met"
            } else {
                "MISSED"
            }
        );
    }
}

fn time(cmd: &mut Command) -> Duration {
    let start = Instant::now();
    let status = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    let elapsed = start.elapsed();
    assert!(status.success(), "{cmd:?} failed");
    elapsed
}

fn median(samples: &mut [Duration]) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}
