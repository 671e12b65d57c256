//! History growth (issue 13): `apiplay send` run 10,000 times, each as a whole process of the
//! real release binary, against one loopback server with one data dir, so the history grows
//! as it does in use. Printed per block of 1,000 sends: median and p90 wall time of a send,
//! and the WAL and database sizes after the block; then the largest WAL seen after any send.
//! Targets: the last sends within 1.3× of the first ones; the WAL under a few MiB throughout.
//!
//! `cargo bench --bench history_growth` (set `APIPLAY_BENCH_SENDS` for a shorter run).
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod support;

const BLOCK: usize = 1_000;
/// Sends in the first and last samples compared against each other.
const EDGE: usize = 100;

fn main() {
    let sends: usize = std::env::var("APIPLAY_BENCH_SENDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let addr = support::mesibo_useradd_server();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("apiplay.toml"),
        format!("[environments.local.backends]\nmesibo = \"http://{addr}/backend/\"\n"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("p.json"),
        r#"{"op":"useradd","token":"t","user":{"address":"a@example.com","token":{"appid":"x"}}}"#,
    )
    .unwrap();
    let home = dir.path().join("home");
    let db = home.join(apiplay::history::FILE_NAME);
    let wal = home.join(format!("{}-wal", apiplay::history::FILE_NAME));

    println!(
        "== {sends} × `apiplay send` (release binary, loopback server, one data dir; WAL limit {} KiB)",
        apiplay::history::WAL_LIMIT >> 10
    );
    println!(
        "{:>13}  {:>11}  {:>9}  {:>10}  {:>10}",
        "sends", "median ms", "p90 ms", "WAL KiB", "DB KiB"
    );
    println!(
        "{:>13}  {:>11}  {:>9}  {:>10}  {:>10}",
        0,
        "-",
        "-",
        size_kib(&wal),
        size_kib(&db)
    );
    let mut all = Vec::with_capacity(sends);
    let mut block = Vec::with_capacity(BLOCK);
    let mut wal_max = 0;
    for n in 1..=sends {
        let start = Instant::now();
        let status = Command::new(env!("CARGO_BIN_EXE_apiplay"))
            .current_dir(dir.path())
            .env("APIPLAY_HOME", &home)
            .args(["send", "p.json", "--env", "local", "--output", "json"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .unwrap();
        let took = start.elapsed();
        assert!(status.success(), "send #{n} failed");
        all.push(took);
        block.push(took);
        wal_max = wal_max.max(std::fs::metadata(&wal).map_or(0, |m| m.len()));
        if n % BLOCK == 0 || n == sends {
            println!(
                "{:>13}  {:>11.2}  {:>9.2}  {:>10}  {:>10}",
                format!("{}–{n}", n - block.len() + 1),
                ms(quantile(&mut block, 50)),
                ms(quantile(&mut block, 90)),
                size_kib(&wal),
                size_kib(&db)
            );
            block.clear();
        }
    }
    let edge = EDGE.min(sends / 2).max(1);
    let first = quantile(&mut all[..edge].to_vec(), 50);
    let last = quantile(&mut all[sends - edge..].to_vec(), 50);
    let ratio = last.as_secs_f64() / first.as_secs_f64();
    println!(
        "first {edge} sends median {:.2} ms, last {edge} median {:.2} ms: {ratio:.2}× (target ≤ 1.3×: {})",
        ms(first),
        ms(last),
        if ratio <= 1.3 { "met" } else { "MISSED" }
    );
    println!(
        "largest WAL after any send: {} KiB (target: a few MiB: {})",
        wal_max >> 10,
        if wal_max <= 4 << 20 { "met" } else { "MISSED" }
    );
}

fn size_kib(path: &Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len()) >> 10
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// The `percent`th percentile (nearest rank below).
fn quantile(samples: &mut [Duration], percent: usize) -> Duration {
    samples.sort();
    samples[(samples.len() - 1) * percent / 100]
}
