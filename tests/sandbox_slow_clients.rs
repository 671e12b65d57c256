//! Slow clients cannot starve the sandbox (issue 8 item 11): connections that send half a
//! header, stall a body or sit idle are closed, the number served at once is capped, and a
//! normal request is answered meanwhile. Real TCP over loopback against the real server, with
//! short limits so the test does not wait for the defaults; the only time bound is a generous
//! deadline so that a regression fails instead of hanging.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use apiplay::sandbox::{self, Limits, SandboxHandle, SandboxOptions};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Far longer than any limit below: reaching it means the server never closed.
const DEADLINE: Duration = Duration::from_secs(60);

async fn start(limits: Limits) -> SandboxHandle {
    sandbox::start_with(
        SandboxOptions {
            listen: "127.0.0.1:0".parse().unwrap(),
            db: None,
        },
        limits,
    )
    .await
    .unwrap()
}

/// Longer than [`DEADLINE`]: a limit set to this cannot be what closed a connection.
const NEVER: Duration = Duration::from_secs(120);
const SHORT: Duration = Duration::from_secs(2);

/// Only the header-read timeout is short.
fn header_limits(max_connections: usize) -> Limits {
    Limits {
        header_read_timeout: SHORT,
        idle_timeout: NEVER,
        body_timeout: NEVER,
        max_connections,
    }
}

/// Opens a connection and sends the first half of a request head.
async fn half_header(sandbox: &SandboxHandle) -> TcpStream {
    let mut stream = TcpStream::connect(sandbox.addr()).await.unwrap();
    stream
        .write_all(b"GET /chat/app/token HTTP/1.1\r\nHost: sandbox\r\nX-Slow: ")
        .await
        .unwrap();
    stream
}

/// Reads until the server closes the connection; what it sent before closing.
async fn until_closed(stream: &mut TcpStream) -> Vec<u8> {
    let mut got = Vec::new();
    let closed = tokio::time::timeout(DEADLINE, async {
        let mut buf = [0u8; 4096];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    assert!(closed.is_ok(), "the server kept the connection open");
    got
}

/// Whether the server has already closed `stream` (EOF or reset waiting to be read).
fn is_closed(stream: &TcpStream) -> bool {
    let mut buf = [0u8; 1];
    match stream.try_read(&mut buf) {
        Ok(0) => true,
        Ok(_) => false,
        Err(e) => e.kind() != std::io::ErrorKind::WouldBlock,
    }
}

/// A client that opens a new connection per request: a pooled one may be the kept-alive
/// connection the server is closing at that very moment, which is what these limits do.
fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap()
}

async fn app_token(client: &reqwest::Client, sandbox: &SandboxHandle) -> (u16, String) {
    let response = client
        .get(format!("{}/chat/app/token", sandbox.url()))
        .timeout(DEADLINE)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_half_headers_are_closed_and_others_are_answered_meanwhile() {
    let sandbox = start(header_limits(512)).await;
    let mut slow = Vec::new();
    for _ in 0..100 {
        slow.push(half_header(&sandbox).await);
    }
    // During the attack, a normal client gets its token.
    let client = client();
    let (status, token) = app_token(&client, &sandbox).await;
    assert_eq!(status, 200);
    assert!(token.starts_with("007"), "{token}");
    // And every slow connection is closed by the header-read timeout.
    for stream in &mut slow {
        until_closed(stream).await;
    }
    // The server is still answering after.
    assert_eq!(app_token(&client, &sandbox).await.0, 200);
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_connection_cap_holds_and_a_waiting_client_is_served_once_a_slot_frees() {
    let sandbox = start(header_limits(4)).await;
    let mut slow = Vec::new();
    for _ in 0..4 {
        slow.push(half_header(&sandbox).await);
    }
    // A fifth client is not refused: it waits in the backlog and is served once the header
    // timeout has closed a slow connection and freed a slot, not before.
    let client = client();
    let (status, _) = app_token(&client, &sandbox).await;
    assert_eq!(status, 200);
    assert!(
        slow.iter().any(is_closed),
        "the fifth connection was served while all four slots were held"
    );
    for stream in &mut slow {
        until_closed(stream).await;
    }
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_kept_alive_connection_is_closed() {
    let sandbox = start(Limits {
        header_read_timeout: NEVER,
        idle_timeout: SHORT,
        body_timeout: NEVER,
        max_connections: 512,
    })
    .await;
    let mut stream = TcpStream::connect(sandbox.addr()).await.unwrap();
    stream
        .write_all(b"GET /chat/app/token HTTP/1.1\r\nHost: sandbox\r\n\r\n")
        .await
        .unwrap();
    // The answer comes, then the connection (HTTP/1.1 keep-alive) idles until closed.
    let got = until_closed(&mut stream).await;
    let text = String::from_utf8_lossy(&got);
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    assert!(text.contains("\r\n\r\n007"), "{text}");
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_body_gets_408_in_the_vendors_shape() {
    let sandbox = start(Limits {
        header_read_timeout: NEVER,
        idle_timeout: NEVER,
        body_timeout: SHORT,
        max_connections: 512,
    })
    .await;
    let mut stream = TcpStream::connect(sandbox.addr()).await.unwrap();
    stream
        .write_all(
            b"POST /vonage/token HTTP/1.1\r\nHost: sandbox\r\nContent-Type: application/json\r\n\
              Content-Length: 100\r\n\r\n{\"session_id\":",
        )
        .await
        .unwrap();
    let got = until_closed(&mut stream).await;
    let text = String::from_utf8_lossy(&got);
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    let body: Value = serde_json::from_str(text.split("\r\n\r\n").nth(1).unwrap()).unwrap();
    // Vonage Video's error body: {"code": HTTP status, "message"}.
    assert_eq!(body["code"], 408, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("did not arrive"),
        "{body}"
    );
    sandbox.shutdown().await;
}
