//! The diagnostics of `apiplay check` and the editor on a 1 MB payload (issue 9's budget:
//! 16 ms per check, so a keystroke can re-check a large body). Three shapes: one huge string
//! (a mesibo message), many small fields (a 1 MB Agora batch: every item walked, each a
//! finding past the 60-item limit), and deep-ish nesting with typos (a useradd whose user
//! object carries thousands of unknown keys, each a did-you-mean). Prints median and worst.
//!
//! Then the editor's own path for the same bodies: one keystroke typed into a 1 MB text and
//! `Editor::changed` (compare with the file, JSON validation, the catalogue's check, the
//! cursor's place and the docs panel), which is what the UI thread does per key. Prints
//! median and p99.

use std::time::{Duration, Instant};

use apiplay::catalogue::catalogue;
use apiplay::collection::SidecarFile;
use apiplay::tui::editor::Editor;
use apiplay::tui::model::PayloadInfo;

const MB: usize = 1 << 20;
const RUNS: usize = 30;
const KEYS: usize = 100;

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

/// A keystroke in the editor on `body` (with the sidecar text `sidecar`), as the TUI handles
/// it: on the UI thread the character goes in and `Editor::changed` runs (compare with the
/// file, JSON validation, the docs panel; a text over 64 KiB queues its catalogue check),
/// then the queued check runs as the driver's lint job does, off the UI thread.
fn keystroke(name: &str, sidecar: Option<&str>, body: &str) {
    assert!(body.len() <= apiplay::tui::editor::LIVE_CHECK_LIMIT);
    let info = PayloadInfo {
        text: body.to_owned(),
        sidecar_text: sidecar.map(str::to_owned),
        ..PayloadInfo::default()
    };
    let mut e = Editor::new(Some("bench.json".into()), info, None);
    if let Some(job) = e.lint_job.take() {
        let lint = job.run();
        e.linted(job.generation, lint);
    }
    let findings = e.diagnostics.len();
    // Type inside the first string on line 1 (after `{"op":"` or `[{"`), so the text stays
    // JSON and the catalogue's check runs whole every time.
    e.jump(0, 7);
    let mut ui = Vec::with_capacity(KEYS);
    let mut job_times = Vec::with_capacity(KEYS);
    for i in 0..KEYS {
        let start = Instant::now();
        if i % 2 == 0 {
            e.insert("x");
        } else {
            e.area.delete_char();
        }
        e.changed();
        ui.push(start.elapsed());
        let start = Instant::now();
        if let Some(job) = e.lint_job.take() {
            let lint = job.run();
            e.linted(job.generation, lint);
        }
        job_times.push(start.elapsed());
        std::hint::black_box(&e.diagnostics);
    }
    let ms = |v: &mut Vec<Duration>, q: usize| {
        v.sort();
        v[(KEYS * q / 100).min(KEYS - 1)].as_secs_f64() * 1e3
    };
    println!(
        "editor key, {name:<33} {:>5.2} MB {findings:>6} findings  UI thread median {:>6.2} ms p99 {:>6.2} ms  | off-thread check median {:>6.2} ms p99 {:>6.2} ms  ({KEYS} keys)",
        body.len() as f64 / MB as f64,
        ms(&mut ui, 50),
        ms(&mut ui, 99),
        ms(&mut job_times, 50),
        ms(&mut job_times, 99),
    );
}

/// A mesibo message whose text makes the body `size` bytes.
fn message(size: usize) -> String {
    let head = r#"{"op":"message","token":"{{mesibo_app_token}}","message":{"from":"a","to":"b","message":""#;
    let text = "x".repeat(size.saturating_sub(head.len() + 3));
    format!("{head}{text}\"}}}}")
}

/// An Agora batch of small users, at most `size` bytes.
fn batch(size: usize) -> String {
    let mut batch = String::from("[");
    let mut i = 0;
    loop {
        let item =
            format!(r#"{{"username":"user_{i}","password":"secret{i}","nickname":"Nick {i}"}}"#);
        if batch.len() + item.len() + 2 > size {
            break;
        }
        if i > 0 {
            batch.push(',');
        }
        batch.push_str(&item);
        i += 1;
    }
    batch.push(']');
    batch
}

/// A useradd whose user object holds typos, at most `size` bytes.
fn typos(size: usize) -> String {
    let mut typos = String::from(r#"{"op":"useradd","token":"t","user":{"address":"a""#);
    let mut i = 0;
    loop {
        let more = format!(r#","nmae{i}":"value {i}","adress":"{i}""#);
        if typos.len() + more.len() + 2 > size {
            break;
        }
        typos.push_str(&more);
        i += 1;
    }
    typos.push_str("}}");
    typos
}

fn main() {
    let none = SidecarFile::default();
    let batch_toml = "op = \"agora.chat.users.create\"\nbackend = \"agora_chat\"\n";
    let batch_side =
        SidecarFile::parse(batch_toml, std::path::Path::new("b.toml")).unwrap_or_default();
    measure("mesibo message, one 1 MB string", &none, &message(MB));
    measure("agora batch, 1 MB of small users", &batch_side, &batch(MB));
    measure("mesibo useradd, 1 MB of typos", &none, &typos(MB));
    // The editor checks texts of up to LIVE_CHECK_LIMIT (1 MiB) at every key.
    let live = apiplay::tui::editor::LIVE_CHECK_LIMIT;
    keystroke("mesibo message, one 1 MB string", None, &message(live));
    keystroke(
        "agora batch, 1 MB of small users",
        Some(batch_toml),
        &batch(live),
    );
    keystroke("mesibo useradd, 1 MB of typos", None, &typos(live));
}
