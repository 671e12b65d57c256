//! The diagnostics of `apiplay check` and the editor on a 1 MB payload (issue 9's budget:
//! 16 ms per check, so a keystroke can re-check a large body). Three shapes: one huge string
//! (a mesibo message), many small fields (a 1 MB Agora batch: every item walked, each a
//! finding past the 60-item limit), and deep-ish nesting with typos (a useradd whose user
//! object carries thousands of unknown keys, each a did-you-mean). Prints median and worst.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use apiplay::catalogue::catalogue;
use apiplay::collection::SidecarFile;

const MB: usize = 1 << 20;
const RUNS: usize = 30;

fn measure(name: &str, sidecar: &SidecarFile, body: &str) {
    let cat = catalogue();
    let report = cat.check_payload(sidecar, body);
    let findings = report.body.len() + report.sidecar.len();
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            let report = cat.check_payload(sidecar, body);
            std::hint::black_box(&report);
            start.elapsed()
        })
        .collect();
    times.sort();
    println!(
        "{name:<34} {:>7.2} MB  {findings:>6} findings  median {:>7.2} ms  worst {:>7.2} ms",
        body.len() as f64 / MB as f64,
        times[RUNS / 2].as_secs_f64() * 1e3,
        times[RUNS - 1].as_secs_f64() * 1e3,
    );
}

fn main() {
    let none = SidecarFile::default();
    let text = "x".repeat(MB);
    let message = format!(
        r#"{{"op":"message","token":"{{{{mesibo_app_token}}}}","message":{{"from":"a","to":"b","message":"{text}"}}}}"#
    );
    measure("mesibo message, one 1 MB string", &none, &message);

    let batch_side = SidecarFile::parse(
        "op = \"agora.chat.users.create\"\nbackend = \"agora_chat\"\n",
        std::path::Path::new("b.toml"),
    )
    .unwrap_or_default();
    let mut batch = String::from("[");
    let mut i = 0;
    while batch.len() < MB {
        if i > 0 {
            batch.push(',');
        }
        let _ = write!(
            batch,
            r#"{{"username":"user_{i}","password":"secret{i}","nickname":"Nick {i}"}}"#
        );
        i += 1;
    }
    batch.push(']');
    measure("agora batch, 1 MB of small users", &batch_side, &batch);

    let mut typos = String::from(r#"{"op":"useradd","token":"t","user":{"address":"a""#);
    let mut i = 0;
    while typos.len() < MB {
        let _ = write!(typos, r#","nmae{i}":"value {i}","adress":"{i}""#);
        i += 1;
    }
    typos.push_str("}}");
    measure("mesibo useradd, 1 MB of typos", &none, &typos);
}
