//! Load benchmark of the embedded sandbox over loopback: `useradd` (durable: a real SQLite
//! file in WAL mode) with 64 concurrent clients, then the token-server routes.
//!
//! `cargo bench --bench sandbox_load` prints throughput and latency percentiles per scenario,
//! plus the writer thread's batch statistics. The load generator is a minimal keep-alive
//! HTTP/1.1 client over tokio (one connection per simulated client); it shares the machine
//! with the server (separate tokio runtimes in one process), so the figures include its cost.
//! `SANDBOX_LOAD_SECS` sets the duration of each scenario (default 5); `SANDBOX_LOAD_SERVER=axum`
//! serves the router with plain `axum::serve` instead of the sandbox's own connection handling.
#![allow(clippy::unwrap_used)]

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use apiplay::sandbox::{self, demo, store::Store};

const CLIENTS: usize = 64;

struct Request {
    method: &'static str,
    path: String,
    body: Option<String>,
}

type MakeRequest = Arc<dyn Fn(usize, usize) -> Request + Send + Sync>;

fn main() {
    let secs: u64 = std::env::var("SANDBOX_LOAD_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let duration = Duration::from_secs(secs);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("load.sqlite3");

    // The server gets its own runtime, as in `apiplay sandbox`.
    let server_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("server")
        .enable_all()
        .build()
        .unwrap();
    let store = Arc::new(Store::open(Some(&db)).unwrap());
    let app = sandbox::router(store.clone());
    let listener = server_rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    // The sandbox's own connection handling (timeouts, connection cap), as `start` serves
    // it; `SANDBOX_LOAD_SERVER=axum` serves the same router with plain `axum::serve` instead,
    // to see what that handling costs.
    if std::env::var("SANDBOX_LOAD_SERVER").is_ok_and(|s| s == "axum") {
        println!("server: axum::serve (no timeouts, no connection cap)");
        server_rt.spawn(async move { axum::serve(listener, app).await });
    } else {
        server_rt.spawn(sandbox::serve(listener, app, sandbox::Limits::default()));
    }

    let client_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("client")
        .enable_all()
        .build()
        .unwrap();

    println!(
        "sandbox load: {CLIENTS} concurrent clients, {secs} s per scenario, store {}",
        db.display()
    );
    println!(
        "{:<30} {:>9} {:>9} {:>9} {:>9} {:>9} {:>7}",
        "scenario", "requests", "req/s", "p50 ms", "p99 ms", "max ms", "errors"
    );

    let useradd: MakeRequest = Arc::new(|client_no, i| Request {
        method: "POST",
        path: "/backend/".into(),
        body: Some(format!(
            r#"{{"op":"useradd","token":"{}","user":{{"address":"load-{client_no}-{i}@example.com","token":{{"appid":"com.load","expiry":60}}}}}}"#,
            demo::MESIBO_APP_TOKEN
        )),
    });
    let before = snapshot(&store);
    client_rt.block_on(run(
        "warm-up (useradd)",
        &addr,
        Duration::from_secs(1),
        useradd.clone(),
        1_000_000,
    ));
    let warm = snapshot(&store);
    let cpu = thread_cpu();
    client_rt.block_on(run("mesibo useradd (durable)", &addr, duration, useradd, 0));
    print_cpu(&cpu, duration);
    let after = snapshot(&store);
    let max_commit = store
        .writer_stats()
        .max_commit_nanos
        .load(Ordering::Relaxed);
    let batches = after.0 - warm.0;
    let jobs = after.1 - warm.1;
    println!(
        "  writer: {batches} commits, {:.1} useradds per commit, {:.1} us statements + {:.1} us COMMIT per commit, longest COMMIT {:.1} ms ({} commits before warm-up)",
        jobs as f64 / batches.max(1) as f64,
        (after.2 - warm.2) as f64 / 1e3 / batches.max(1) as f64,
        (after.3 - warm.3) as f64 / 1e3 / batches.max(1) as f64,
        max_commit as f64 / 1e6,
        before.0,
    );

    let session_id = client_rt.block_on(async {
        let response = reqwest::Client::new()
            .post(format!("http://{addr}/session/create"))
            .send()
            .await
            .unwrap();
        let body: serde_json::Value = response.json().await.unwrap_or_default();
        body[0]["session_id"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    });
    for (name, make) in token_routes(&session_id) {
        let cpu = thread_cpu();
        client_rt.block_on(run(name, &addr, duration, make, 0));
        print_cpu(&cpu, duration);
    }
}

/// The token-server scenarios; Vonage needs a session created beforehand.
fn token_routes(session_id: &str) -> Vec<(&'static str, MakeRequest)> {
    vec![
        (
            "agora GET /chat/app/token",
            Arc::new(|_, _| Request {
                method: "GET",
                path: "/chat/app/token".into(),
                body: None,
            }),
        ),
        (
            "agora GET /chat/user/../token",
            Arc::new(|c, i| Request {
                method: "GET",
                path: format!("/chat/user/u{c}x{i}/token"),
                body: None,
            }),
        ),
        (
            "twilio GET /token/:id",
            Arc::new(|c, i| Request {
                method: "GET",
                path: format!("/token/user{c}-{i}"),
                body: None,
            }),
        ),
        ("vonage POST /vonage/token", {
            let session_id = session_id.to_owned();
            Arc::new(move |_, _| Request {
                method: "POST",
                path: "/vonage/token".into(),
                body: Some(format!(
                    r#"{{"session_id":"{session_id}","role":"publisher","format":"t1"}}"#
                )),
            })
        }),
    ]
}

/// CPU time (clock ticks) per thread group of this process: the server's runtime, the load
/// generator's runtime, the store's writer and checkpointer. Linux only; empty elsewhere.
fn thread_cpu() -> std::collections::BTreeMap<String, u64> {
    let mut out = std::collections::BTreeMap::new();
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return out;
    };
    for task in tasks.flatten() {
        let comm = std::fs::read_to_string(task.path().join("comm")).unwrap_or_default();
        let stat = std::fs::read_to_string(task.path().join("stat")).unwrap_or_default();
        // Fields after the `(comm)`: state is field 3, utime 14 and stime 15.
        let Some((_, rest)) = stat.rsplit_once(')') else {
            continue;
        };
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let ticks: u64 = fields
            .get(11..13)
            .map_or(0, |f| f.iter().filter_map(|v| v.parse::<u64>().ok()).sum());
        let group = match comm.trim() {
            name if name.starts_with("server") => "server (axum + handlers)",
            name if name.starts_with("client") => "load generator",
            "sandbox-writer" => "store writer thread",
            "sandbox-checkpo" => "store checkpointer",
            _ => "other",
        };
        *out.entry(group.to_owned()).or_default() += ticks;
    }
    out
}

fn print_cpu(before: &std::collections::BTreeMap<String, u64>, duration: Duration) {
    let after = thread_cpu();
    let parts: Vec<String> = after
        .iter()
        .map(|(group, ticks)| {
            let used = ticks - before.get(group).copied().unwrap_or(0);
            // Clock ticks are 1/100 s on Linux.
            let cores = used as f64 / 100.0 / duration.as_secs_f64();
            format!("{group} {cores:.2}")
        })
        .collect();
    if !parts.is_empty() {
        println!("  CPU (cores busy): {}", parts.join(", "));
    }
}

fn snapshot(store: &Store) -> (u64, u64, u64, u64) {
    let s = store.writer_stats();
    (
        s.batches.load(Ordering::Relaxed),
        s.jobs.load(Ordering::Relaxed),
        s.work_nanos.load(Ordering::Relaxed),
        s.commit_nanos.load(Ordering::Relaxed),
    )
}

/// One keep-alive HTTP/1.1 connection: writes a request, reads the status line, the headers
/// and a `Content-Length` body. Much cheaper than a full client, so the figures are mostly the
/// server's.
struct Connection {
    stream: tokio::io::BufReader<tokio::net::TcpStream>,
    host: String,
    line: String,
}

impl Connection {
    async fn open(addr: &str) -> Connection {
        let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        stream.set_nodelay(true).unwrap();
        Connection {
            stream: tokio::io::BufReader::new(stream),
            host: addr.to_owned(),
            line: String::new(),
        }
    }

    /// Sends `request`; the response status, or `None` if the connection failed.
    async fn send(&mut self, request: &Request) -> Option<u16> {
        use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};
        let body = request.body.as_deref().unwrap_or("");
        let head = format!(
            "{} {} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            request.method,
            request.path,
            self.host,
            body.len()
        );
        let mut bytes = head.into_bytes();
        bytes.extend_from_slice(body.as_bytes());
        self.stream.get_mut().write_all(&bytes).await.ok()?;
        self.line.clear();
        self.stream.read_line(&mut self.line).await.ok()?;
        let status = self.line.split_whitespace().nth(1)?.parse().ok()?;
        let mut length = 0usize;
        loop {
            self.line.clear();
            self.stream.read_line(&mut self.line).await.ok()?;
            let line = self.line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse().ok()?;
                }
            }
        }
        let mut body = vec![0; length];
        self.stream.read_exact(&mut body).await.ok()?;
        Some(status)
    }
}

async fn run(name: &str, addr: &str, duration: Duration, make: MakeRequest, offset: usize) {
    let started = Instant::now();
    let deadline = started + duration;
    let mut tasks = Vec::new();
    for client_no in 0..CLIENTS {
        let (addr, make) = (addr.to_owned(), make.clone());
        tasks.push(tokio::spawn(async move {
            let mut connection = Connection::open(&addr).await;
            let mut latencies = Vec::with_capacity(16_384);
            let mut errors = 0u64;
            let mut i = offset;
            while Instant::now() < deadline {
                let request = make(client_no, i);
                i += 1;
                let sent = Instant::now();
                let status = connection.send(&request).await;
                latencies.push(u32::try_from(sent.elapsed().as_micros()).unwrap_or(u32::MAX));
                match status {
                    Some(200..=299) => {}
                    Some(_) => errors += 1,
                    None => {
                        errors += 1;
                        connection = Connection::open(&addr).await;
                    }
                }
            }
            (latencies, errors)
        }));
    }
    let mut all = Vec::new();
    let mut errors = 0;
    for task in tasks {
        let (latencies, e) = task.await.unwrap();
        all.extend(latencies);
        errors += e;
    }
    let elapsed = started.elapsed().as_secs_f64();
    all.sort_unstable();
    // Nearest-rank percentile, in per mille.
    let pct = |per_mille: usize| {
        let idx = (all.len() * per_mille).div_ceil(1000).saturating_sub(1);
        f64::from(all.get(idx).copied().unwrap_or(0)) / 1000.0
    };
    println!(
        "{name:<30} {:>9} {:>9.0} {:>9.2} {:>9.2} {:>9.2} {:>7}",
        all.len(),
        all.len() as f64 / elapsed,
        pct(500),
        pct(990),
        pct(1000),
        errors
    );
}
