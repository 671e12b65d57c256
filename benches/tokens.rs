//! Token benchmark (issue 3): build and verify throughput per format on one thread, and the
//! auto-detecting decoder's latency. Targets: ≥ 100,000 Agora Chat builds/s, ≥ 200,000 Twilio
//! JWTs/s, decode < 10 µs.
//!
//! `cargo bench --bench tokens`
#![allow(clippy::unwrap_used)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use apiplay::tokens::{self, agora, opentok, twilio, vonage};

const APP: &str = "970CA35de60c44645bbae8a215061b33";
const CERT: &str = "5CFd2fd1755d40ecb72977518be15d3b";
const OT_SECRET: &str = "1234567890abcdef1234567890abcdef1234567890";

/// Nanoseconds this thread has spent on a CPU (Linux `schedstat`), so the figures hold on a
/// machine shared with other work; `None` elsewhere.
fn thread_cpu_ns() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    text.split_whitespace().next()?.parse().ok()
}

/// Runs `f` repeatedly for about `budget` of wall time and returns operations per second of
/// CPU time spent on this thread (wall time where that is not available).
fn rate(budget: Duration, mut f: impl FnMut(u32)) -> f64 {
    for i in 0..1_000 {
        f(i);
    }
    let start = Instant::now();
    let cpu_start = thread_cpu_ns();
    let mut n = 0u32;
    while start.elapsed() < budget {
        for _ in 0..256 {
            f(n);
            n = n.wrapping_add(1);
        }
    }
    let wall = start.elapsed().as_secs_f64();
    let secs = match (cpu_start, thread_cpu_ns()) {
        (Some(a), Some(b)) if b > a => (b - a) as f64 / 1e9,
        _ => wall,
    };
    f64::from(n) / secs
}

fn line(name: &str, ops: f64, target: Option<f64>) {
    let per = 1e6 / ops;
    let verdict = match target {
        Some(t) if ops >= t => format!("  (target ≥ {t:.0}/s: met)"),
        Some(t) => format!("  (target ≥ {t:.0}/s: MISSED)"),
        None => String::new(),
    };
    println!("{name:<44} {ops:>12.0} ops/s  {per:>8.2} µs/op{verdict}");
}

#[allow(clippy::too_many_lines)] // one straight list of measurements reads best
fn main() {
    println!(
        "figures per second of this thread's CPU time ({}); one core, release build\n",
        if thread_cpu_ns().is_some() {
            "from /proc/thread-self/schedstat"
        } else {
            "wall clock"
        }
    );
    let budget = Duration::from_millis(
        std::env::var("APIPLAY_BENCH_MS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(1_500),
    );
    let pem = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/vonage-fake-private-key.pem"
    ))
    .unwrap();
    let session = "1_MX4xMjM0NTZ-flNhdCBNYXIgMTUgMTQ6NDI6MjMgUERUIDIwMTR-MC40OTAxMzAyNX4";
    let ot_opts = opentok::TokenOptions {
        session_id: session.into(),
        connection_data: Some("name=Johnny".into()),
        ..opentok::TokenOptions::default()
    };
    let now = 1_700_000_000;

    // Build.
    let chat = rate(budget, |i| {
        black_box(
            agora::chat_user_token(
                APP,
                CERT,
                "user-2882341273",
                86_400,
                1_700_000_000 + i,
                i | 1,
            )
            .unwrap(),
        );
    });
    line("agora-007 chat user: build", chat, Some(100_000.0));
    // Where an Agora build's time goes: the HMAC chain and the zlib stream.
    let content = agora::content(
        &agora::chat_user_token(APP, CERT, "user-2882341273", 86_400, 1_700_000_000, 7).unwrap(),
    )
    .unwrap();
    line(
        "  of which zlib level-6 compress",
        rate(budget, |_| {
            black_box(agora::compress_zlib(black_box(&content)));
        }),
        None,
    );
    line(
        "  of which HMAC-SHA256 chain",
        rate(budget, |i| {
            black_box(agora::signature(CERT, i, 7, black_box(&content[34..])));
        }),
        None,
    );
    line(
        "agora-007 rtc: build",
        rate(budget, |i| {
            black_box(
                agora::rtc_token(
                    APP,
                    CERT,
                    "7d72365eb983485397e3e3f9d460bdda",
                    "2882341273",
                    true,
                    600,
                    1_111_111 + i,
                    1,
                )
                .unwrap(),
            );
        }),
        None,
    );
    let mut tw = twilio::AccessToken::new(
        "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "SKb5aed9ca12bf5890f37930e63cad6d38",
        "secret",
        "ID@example.com",
    );
    tw.grants.push(twilio::Grant::Chat(twilio::ChatGrant {
        service_sid: Some("ISaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".into()),
        ..twilio::ChatGrant::default()
    }));
    line(
        "twilio-jwt (chat grant): build",
        rate(budget, |i| {
            black_box(tw.to_jwt(now + i64::from(i)).unwrap());
        }),
        Some(200_000.0),
    );
    line(
        "opentok-t1: build",
        rate(budget, |i| {
            black_box(
                opentok::build_t1("123456", OT_SECRET, &ot_opts, now, i % 1_000_000).unwrap(),
            );
        }),
        None,
    );
    line(
        "opentok-jwt: build",
        rate(budget, |i| {
            black_box(
                opentok::build_jwt("123456", OT_SECRET, &ot_opts, now, i % 1_000_000).unwrap(),
            );
        }),
        None,
    );
    let key = vonage::private_key_from_pem(&pem).unwrap();
    let vo_opts = vonage::TokenOptions {
        session_id: "session-id".into(),
        ..vonage::TokenOptions::default()
    };
    line(
        "vonage-jwt RS256 (key parsed once): build",
        rate(budget, |i| {
            black_box(vonage::build_with_key("app", &key, &vo_opts, now, &i.to_string()).unwrap());
        }),
        None,
    );

    // Verify.
    let chat_token =
        agora::chat_user_token(APP, CERT, "user-2882341273", 86_400, 1_700_000_000, 7).unwrap();
    let tw_token = tw.to_jwt(now).unwrap();
    let t1 = opentok::build_t1("123456", OT_SECRET, &ot_opts, now, 1).unwrap();
    let ot_jwt = opentok::build_jwt("123456", OT_SECRET, &ot_opts, now, 1).unwrap();
    let vo = vonage::build_with_key("app", &key, &vo_opts, now, "jti").unwrap();
    let public = rsa::pkcs8::EncodePublicKey::to_public_key_pem(
        &key.to_public_key(),
        rsa::pkcs8::LineEnding::LF,
    )
    .unwrap();
    line(
        "agora-007 chat user: verify",
        rate(budget, |_| {
            black_box(agora::verify(&chat_token, CERT).unwrap());
        }),
        None,
    );
    line(
        "twilio-jwt: verify",
        rate(budget, |_| {
            black_box(twilio::verify(&tw_token, "secret").unwrap());
        }),
        None,
    );
    line(
        "opentok-t1: verify",
        rate(budget, |_| {
            black_box(opentok::verify_t1(&t1, OT_SECRET).unwrap());
        }),
        None,
    );
    line(
        "opentok-jwt: verify",
        rate(budget, |_| {
            black_box(opentok::verify_jwt(&ot_jwt, OT_SECRET).unwrap());
        }),
        None,
    );
    line(
        "vonage-jwt RS256: verify (public key PEM)",
        rate(budget, |_| {
            black_box(vonage::verify(&vo, &public).unwrap());
        }),
        None,
    );

    // Decode latency (auto-detecting).
    println!();
    for (name, token) in [
        ("agora-007", &chat_token),
        ("twilio-jwt", &tw_token),
        ("opentok-t1", &t1),
        ("opentok-jwt", &ot_jwt),
        ("vonage-jwt", &vo),
    ] {
        let ops = rate(budget, |_| {
            black_box(tokens::decode(token).unwrap());
        });
        let us = 1e6 / ops;
        println!(
            "decode {name:<37} {us:>12.2} µs/op  (target < 10 µs: {})",
            if us < 10.0 { "met" } else { "MISSED" }
        );
    }
}
