//! History store benchmark (issue 2): with 1,000,000 exchanges and 1,000,000 tokens already
//! stored, how long does recording one exchange take, and listing the active tokens of one
//! subject? Targets: ≤ 1 ms median, ≤ 20 ms.
//!
//! `cargo bench --bench history` (set `APIPLAY_BENCH_ROWS` for a smaller run).
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use apiplay::history::{Store, TokenFilter};
use apiplay::http::{Exchange, RenderedRequest, Response};
use rusqlite::params;

const SUBJECTS: i64 = 100_000;

fn main() {
    let rows: i64 = std::env::var("APIPLAY_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.sqlite3");
    drop(Store::open(&path).unwrap());

    let seed = Instant::now();
    seed_rows(&path, rows);
    let size = std::fs::metadata(&path).unwrap().len();
    println!(
        "seeded {rows} exchanges + {rows} tokens in {:.1} s ({} MiB)",
        seed.elapsed().as_secs_f64(),
        size >> 20
    );

    let mut store = Store::open(&path).unwrap();
    let now = 1_800_000_000;
    let captures = BTreeMap::from([("user_token".to_owned(), "/user/token".to_owned())]);
    let mut record = Vec::new();
    for i in 0..2_000 {
        let exchange = exchange(i, now);
        let start = Instant::now();
        let recorded = store.record(&exchange, &captures).unwrap();
        record.push(start.elapsed());
        assert_eq!(recorded.tokens.len(), 1);
    }
    report(
        "record one exchange (+ its token and capture)",
        &mut record,
        Duration::from_millis(1),
    );

    let mut list = Vec::new();
    for i in 0..2_000 {
        let subject = format!("user{}@example.com", (i * 7919) % SUBJECTS);
        let filter = TokenFilter {
            subject: Some(subject),
            active_at: Some(now),
            ..TokenFilter::default()
        };
        let start = Instant::now();
        let tokens = store.list_tokens(&filter).unwrap();
        list.push(start.elapsed());
        assert!(!tokens.is_empty() || rows < SUBJECTS);
    }
    report(
        "list the active tokens of one subject",
        &mut list,
        Duration::from_millis(20),
    );
}

/// Bulk-loads rows shaped like real ones: a mesibo useradd exchange and its token, subjects
/// spread over 100,000 addresses, half the tokens expired.
fn seed_rows(path: &std::path::Path, rows: i64) {
    let mut conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF;")
        .unwrap();
    let tx = conn.transaction().unwrap();
    {
        let mut ex = tx
            .prepare(
                "INSERT INTO exchanges (started_at_ms, environment, payload, method, url,
                   request_headers, request_body, status, response_headers, response_body,
                   ttfb_ms, elapsed_ms) VALUES (?1, 'sandbox', 'payloads/mesibo/useradd.json',
                   'POST', 'http://127.0.0.1:8787/backend/', '[]', ?2, 200, '[]', ?3, 0.4, 0.6)",
            )
            .unwrap();
        let mut tok = tx
            .prepare(
                "INSERT INTO tokens (format, token, subject, app, issued_at, expires_at,
                   exchange_id, environment, source, claims)
                 VALUES ('mesibo', ?1, ?2, 'com.mesibo.firstapp', ?3, ?4, ?5, 'sandbox',
                   '/user/token', '{}')",
            )
            .unwrap();
        for i in 0..rows {
            let subject = format!("user{}@example.com", i % SUBJECTS);
            let token = format!("{i:064x}");
            let body = format!(
                r#"{{"op":"useradd","token":"{{{{mesibo_app_token}}}}","user":{{"address":"{subject}","token":{{"appid":"com.mesibo.firstapp","expiry":525600}}}}}}"#
            );
            let response = format!(
                r#"{{"user":{{"uid":"{i}","token":"{token}"}},"op":"useradd","result":true}}"#
            );
            ex.execute(params![1_700_000_000_000 + i, body, response.as_bytes()])
                .unwrap();
            let issued = 1_700_000_000 + i;
            let expires = if (i / SUBJECTS) % 2 == 0 {
                issued + 60
            } else {
                2_000_000_000
            };
            tok.execute(params![token, subject, issued, expires, i + 1])
                .unwrap();
        }
    }
    tx.commit().unwrap();
    // Start measuring from a checkpointed file, as a long-lived history would be.
    conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
        .unwrap();
}

fn exchange(i: i64, now: i64) -> Exchange {
    let subject = format!("user{}@example.com", i % SUBJECTS);
    Exchange {
        started_at_ms: now * 1000,
        environment: "sandbox".into(),
        payload: "payloads/mesibo/useradd.json".into(),
        request: RenderedRequest {
            method: "POST".into(),
            url: "http://127.0.0.1:8787/backend/".into(),
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: Some(format!(
                r#"{{"op":"useradd","token":"{{{{mesibo_app_token}}}}","user":{{"address":"{subject}","token":{{"appid":"com.mesibo.firstapp","expiry":60}}}}}}"#
            )),
        },
        outcome: Ok(Response {
            status: 200,
            headers: vec![("content-type".into(), "application/json".into())],
            body: format!(
                r#"{{"user":{{"uid":"{i}","token":"{:064x}"}},"op":"useradd","result":true}}"#,
                i + (1 << 40)
            )
            .into_bytes()
            .into(),
            ttfb_ms: 0.4,
            elapsed_ms: 0.6,
            sent_headers: Vec::new(),
        }),
    }
}

fn report(what: &str, samples: &mut [Duration], target: Duration) {
    samples.sort();
    let pct = |per_mille: usize| samples[(samples.len() - 1) * per_mille / 1000];
    let median = pct(500);
    println!(
        "{what}: median {:.3} ms, p99 {:.3} ms, max {:.3} ms over {} runs (target median ≤ {} ms: {})",
        median.as_secs_f64() * 1e3,
        pct(990).as_secs_f64() * 1e3,
        samples[samples.len() - 1].as_secs_f64() * 1e3,
        samples.len(),
        target.as_millis(),
        if median <= target { "met" } else { "MISSED" }
    );
}
