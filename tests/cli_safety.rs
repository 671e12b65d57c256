//! Faults at the edges of the CLI, with the real binary: output into a pipe whose reader has
//! gone, and request bodies that never end.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeMap;
use std::io::{BufRead as _, BufReader, Write as _};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use apiplay::history::Store;
use apiplay::http::{Exchange, RenderedRequest, Response};
use common::{start_server, Workspace};

/// The real binary in `ws`, with its stdin, stdout and stderr piped.
fn spawn(ws: &Workspace, args: &[&str]) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_apiplay"))
        .args(args)
        .current_dir(ws.path())
        .env("APIPLAY_HOME", &ws.home)
        .env("NO_COLOR", "1")
        .env_remove("APIPLAY_TEST_APP_TOKEN")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Waits for a child, failing the test (and killing it) after a minute.
fn wait(mut child: std::process::Child) -> (Option<i32>, String) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut stderr = String::new();
            std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
            return (status.code(), stderr);
        }
        if Instant::now() > deadline {
            child.kill().unwrap();
            panic!("apiplay did not finish within a minute");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Runs the binary as `apiplay ARGS | head -1` does: reads one line of its stdout, then
/// closes the pipe while the binary still has more to write. Returns the exit code and stderr.
fn into_head_1(ws: &Workspace, args: &[&str]) -> (Option<i32>, String, String) {
    let mut child = spawn(ws, args);
    drop(child.stdin.take());
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    reader.read_line(&mut first).unwrap();
    drop(reader);
    let (code, stderr) = wait(child);
    (code, stderr, first)
}

fn assert_quiet(what: &str, code: Option<i32>, stderr: &str) {
    assert_eq!(code, Some(0), "{what}: exit code; stderr: {stderr}");
    assert!(
        !stderr.contains("panicked") && !stderr.to_lowercase().contains("broken pipe"),
        "{what}: stderr should be quiet, got: {stderr}"
    );
}

/// A history holding `n` exchanges and `n` tokens: far more output than a pipe buffers.
fn fill_history(ws: &Workspace, n: usize) {
    // A real Twilio token from the vendor vectors, so the token rows are genuine.
    let vectors: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/tokens.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let token = vectors["twilio_access_token"][0]["token"].as_str().unwrap();
    let decoded = apiplay::tokens::decode(token).unwrap();
    std::fs::create_dir_all(&ws.home).unwrap();
    let mut store = Store::open(&ws.home.join("history.sqlite3")).unwrap();
    for i in 0..n {
        store.record_minted(token, &decoded, "local", 0).unwrap();
        let exchange = Exchange {
            started_at_ms: 1_700_000_000_000 + i64::try_from(i).unwrap(),
            environment: "local".to_owned(),
            payload: format!("payloads/p{i}.json"),
            request: RenderedRequest {
                method: "POST".to_owned(),
                url: "http://127.0.0.1:9/backend/".to_owned(),
                headers: Vec::new(),
                body: Some("{}".to_owned()),
            },
            outcome: Ok(Response {
                status: 200,
                headers: Vec::new(),
                body: bytes::Bytes::from_static(b"{\"result\":true}"),
                ttfb_ms: 1.0,
                elapsed_ms: 2.0,
                sent_headers: Vec::new(),
            }),
        };
        store.record(&exchange, &BTreeMap::new()).unwrap();
    }
}

#[test]
fn output_into_a_closed_pipe_ends_quietly_in_every_command() {
    let server = start_server();
    let ws = Workspace::new(&server);
    fill_history(&ws, 1500);
    ws.payload(
        "big.json",
        "{}",
        Some("backend = \"web\"\nmethod = \"GET\"\npath = \"/big\"\n"),
    );
    let cases: &[&[&str]] = &[
        &["tokens", "--limit", "1500"],
        &["tokens", "--limit", "1500", "--json"],
        &["history", "--limit", "1000"],
        &["history", "--limit", "1000", "--json"],
        &[
            "send",
            "payloads/big.json",
            "--env",
            "local",
            "--output",
            "raw",
        ],
        &["send", "payloads/big.json", "--env", "local"],
    ];
    for args in cases {
        let what = args.join(" ");
        let (code, stderr, first) = into_head_1(&ws, args);
        assert!(!first.is_empty(), "{what}: printed nothing");
        assert_quiet(&what, code, &stderr);
    }
}

/// 64 MiB, the documented default of `send --max-request`.
const DEFAULT_MAX_REQUEST: &str = "67108864";

#[test]
fn an_endless_payload_file_stops_at_the_request_cap() {
    let ws = Workspace::with_base("http://127.0.0.1:9");
    for (args, limit) in [
        (
            vec!["send", "/dev/zero", "--env", "local"],
            DEFAULT_MAX_REQUEST,
        ),
        (
            vec![
                "send",
                "/dev/zero",
                "--env",
                "local",
                "--max-request",
                "100000",
            ],
            "100000",
        ),
    ] {
        let mut child = spawn(&ws, &args);
        drop(child.stdin.take());
        let (code, stderr) = wait(child);
        assert_eq!(code, Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains("/dev/zero") && stderr.contains(limit),
            "{args:?}: the error names the file and the limit: {stderr}"
        );
        assert!(
            stderr.contains("--max-request"),
            "{args:?}: the error names the flag: {stderr}"
        );
    }
}

#[test]
fn endless_standard_input_stops_at_the_request_cap_without_reading_on() {
    let ws = Workspace::with_base("http://127.0.0.1:9");
    let limit: usize = 200_000;
    let mut child = spawn(
        &ws,
        &[
            "send",
            "-",
            "--env",
            "local",
            "--max-request",
            &limit.to_string(),
        ],
    );
    let mut stdin = child.stdin.take().unwrap();
    // Feeds until the reader closes its end; bounded so an uncapped binary cannot eat the
    // machine's memory (it then fails the assertions below instead).
    let feeder = std::thread::spawn(move || {
        let chunk = vec![b' '; 64 * 1024];
        let mut written = 0usize;
        while written < 512 * 1024 * 1024 {
            match stdin.write(&chunk) {
                Ok(n) => written += n,
                Err(_) => break,
            }
        }
        written
    });
    let (code, stderr) = wait(child);
    let written = feeder.join().unwrap();
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("standard input") && stderr.contains("200000"),
        "the error names the input and the limit: {stderr}"
    );
    assert!(stderr.contains("--max-request"), "names the flag: {stderr}");
    // What the pipe and one read buffer can hold beyond the cap, no more.
    assert!(
        written < limit + 4 * 1024 * 1024,
        "{written} bytes were taken from a pipe capped at {limit}"
    );
}

/// Every folder and file under `dir` with its permission bits.
fn modes_under(dir: &std::path::Path) -> Vec<(std::path::PathBuf, u32, bool)> {
    use std::os::unix::fs::PermissionsExt as _;
    let mut found = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(path) = stack.pop() {
        let meta = std::fs::symlink_metadata(&path).unwrap();
        found.push((
            path.clone(),
            meta.permissions().mode() & 0o777,
            meta.is_dir(),
        ));
        if meta.is_dir() {
            for entry in std::fs::read_dir(&path).unwrap() {
                stack.push(entry.unwrap().path());
            }
        }
    }
    found
}

/// Asserts the data dir and everything in it is 0700 (folders) / 0600 (files).
pub fn assert_private(home: &std::path::Path, what: &str) {
    for (path, mode, is_dir) in modes_under(home) {
        let want = if is_dir { 0o700 } else { 0o600 };
        assert_eq!(
            mode,
            want,
            "{what}: {} is {mode:o}, should be {want:o}",
            path.display()
        );
    }
}

#[test]
fn the_data_dir_and_its_files_are_private_whatever_the_umask() {
    for umask in ["022", "000"] {
        let ws = Workspace::with_base("http://127.0.0.1:9");
        // `send` on the sandbox environment creates the data dir, the history and the
        // embedded sandbox's store (with their WAL files); `tokens` reads them back.
        for args in [
            "send payloads/mesibo-backend-payload.json",
            "token new twilio --user alice --account-sid ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa --key-sid SKb5aed9ca12bf5890f37930e63cad6d38 --secret secret",
            "tokens",
        ] {
            let out = Command::new("sh")
                .arg("-c")
                .arg(format!("umask {umask}; exec \"$0\" {args}"))
                .arg(env!("CARGO_BIN_EXE_apiplay"))
                .current_dir(ws.path())
                .env("APIPLAY_HOME", &ws.home)
                .env("NO_COLOR", "1")
                .output()
                .unwrap();
            assert_eq!(
                out.status.code(),
                Some(0),
                "umask {umask}, {args}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let names: Vec<String> = std::fs::read_dir(&ws.home)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        for expected in ["history.sqlite3", "history.sqlite3-wal", "sandbox.sqlite3"] {
            assert!(
                names.iter().any(|n| n == expected),
                "{expected} in {names:?}"
            );
        }
        assert_private(&ws.home, &format!("umask {umask}"));
    }
}

/// Secrets of the scrubbing test: each carries the marker `s3cr3t` and characters that must
/// be escaped on their way (space, `/`, `+`, `&`, `=`, `"`, non-ASCII), in the place it goes.
const SECRETS: [(&str, &str, &str); 4] = [
    ("query_secret", "SC8_QUERY_SECRET", "q-s3cr3t/+ ü&=x"),
    ("body_secret", "SC8_BODY_SECRET", "b-s3cr3t/\"é-x"),
    (
        "header_secret",
        "SC8_HEADER_SECRET",
        "h-s3cr3t-0123456789abcdef",
    ),
    ("path_secret", "SC8_PATH_SECRET", "p-s3cr3t ü~x"),
];

/// The forms the secrets travel in, written by hand: form-encoded, RFC 3986-encoded,
/// path-encoded by the URL parser, JSON-escaped.
const ENCODED: [&str; 8] = [
    "q-s3cr3t%2F%2B+%C3%BC%26%3Dx",
    "q-s3cr3t%2F%2B%20%C3%BC%26%3Dx",
    "q-s3cr3t/+ \\u00fc&=x",
    "b-s3cr3t/\\\"é-x",
    "b-s3cr3t%2F%22%C3%A9-x",
    "p-s3cr3t%20%C3%BC~x",
    "p-s3cr3t+%C3%BC%7Ex",
    "p-s3cr3t ü~x",
];

/// `%XX` escapes decoded (as UTF-8, lossily), the way a server reads a path.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A server that answers anything with the request echoed back: the URI as received, the
/// query decoded, the Authorization header, and the body raw and JSON-escaped. `/ok` answers
/// 200 with JSON (so a capture can pick a secret out of it), everything else 404.
fn start_echo_server() -> std::net::SocketAddr {
    use axum::http::{HeaderMap, Method, StatusCode, Uri};
    async fn echo(
        method: Method,
        uri: Uri,
        headers: HeaderMap,
        body: String,
    ) -> (StatusCode, String) {
        let query: Vec<(String, String)> = uri
            .query()
            .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
            .unwrap_or_default();
        let auth = headers
            .get("authorization")
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .unwrap_or_default();
        let echo = serde_json::json!({
            "method": method.as_str(),
            "uri": uri.to_string(),
            "path_decoded": percent_decode(uri.path()),
            "query": query,
            "auth": auth,
            "body": body,
            "body_json": serde_json::from_str::<serde_json::Value>(&body).ok(),
        });
        if uri.path() == "/ok" {
            (StatusCode::OK, echo.to_string())
        } else {
            (
                StatusCode::NOT_FOUND,
                format!("no route for {method} {uri}; auth {auth}; body {body}; {echo}"),
            )
        }
    }
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let app = axum::Router::new().fallback(echo);
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            axum::serve(listener, app).await.unwrap();
        });
    });
    rx.recv().unwrap()
}

#[test]
fn no_secret_reaches_the_data_dir_or_the_terminal_in_any_encoding() {
    let echo = start_echo_server();
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let ws = Workspace::with_base("http://127.0.0.1:9");
    let variables = SECRETS
        .iter()
        .map(|(name, var, _)| format!("{name} = {{ env = \"{var}\" }}"))
        .collect::<Vec<_>>()
        .join("\n")
        + "\n";
    std::fs::write(
        ws.path().join("apiplay.toml"),
        format!(
            "[environments.local.backends]\nweb = \"http://{echo}\"\n\
             [environments.local.variables]\n{variables}\
             [environments.closed.backends]\nweb = \"http://{closed}\"\n\
             [environments.closed.variables]\n{variables}"
        ),
    )
    .unwrap();
    let sidecar = |path: &str| {
        format!(
            "backend = \"web\"\nmethod = \"POST\"\npath = \"{path}\"\n\
             [query]\ntoken = \"{{{{query_secret}}}}\"\n\
             [headers]\nAuthorization = \"Bearer {{{{header_secret}}}}\"\n\
             [captures]\nechoed = \"/body_json/token\"\nechoed_query = \"/query/0/1\"\n"
        )
    };
    let body = r#"{"token": "{{body_secret}}", "n": 1}"#;
    ws.payload(
        "leak.json",
        body,
        Some(&sidecar("/missing/{{path_secret}}")),
    );
    ws.payload("ok.json", body, Some(&sidecar("/ok")));

    let mut terminal = String::new();
    let mut run = |args: &[&str], code: i32| {
        let mut cmd = ws.cmd();
        for (_, var, value) in SECRETS {
            cmd.env(var, value);
        }
        let out = cmd.args(args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(code), "{args:?}: {stderr}");
        terminal.push_str(&String::from_utf8_lossy(&out.stdout));
        terminal.push_str(&stderr);
        stderr
    };
    // A 404 that echoes everything, a closed port (the error names the URL as sent), a 200
    // whose captures pick secrets out of the answer, a replay, and the listings.
    run(&["send", "payloads/leak.json", "--env", "local"], 1);
    let refused = run(&["send", "payloads/leak.json", "--env", "closed"], 3);
    assert!(refused.contains(&closed.to_string()), "{refused}");
    assert!(refused.contains("{{query_secret}}"), "{refused}");
    run(&["send", "payloads/ok.json", "--env", "local"], 0);
    run(
        &[
            "send",
            "payloads/ok.json",
            "--env",
            "local",
            "--output",
            "raw",
        ],
        0,
    );
    run(&["replay", "1", "--env", "local"], 1);
    run(&["replay", "2", "--env", "closed"], 3);
    run(&["history", "--json"], 0);

    let mut files = Vec::new();
    for (path, _, is_dir) in modes_under(&ws.home) {
        if !is_dir {
            files.push((path.clone(), std::fs::read(&path).unwrap()));
        }
    }
    let names: Vec<String> = files.iter().map(|(p, _)| p.display().to_string()).collect();
    assert!(
        names.iter().any(|n| n.ends_with("history.sqlite3-wal")),
        "the WAL is among the files searched: {names:?}"
    );
    let contains =
        |hay: &[u8], needle: &str| hay.windows(needle.len()).any(|w| w == needle.as_bytes());
    let mut forms: Vec<&str> = SECRETS.iter().map(|(_, _, v)| *v).collect();
    forms.extend(ENCODED);
    // The marker every secret carries: whatever the encoding, its core survives.
    forms.push("s3cr3t");
    for form in forms {
        assert!(
            !terminal.contains(form),
            "{form:?} reached the terminal:\n{terminal}"
        );
        for (path, bytes) in &files {
            assert!(!contains(bytes, form), "{form:?} is in {}", path.display());
        }
    }
    // What was echoed back is still there, as placeholders.
    assert!(terminal.contains("{{body_secret}}"), "{terminal}");
    assert!(
        terminal.contains("captured echoed = {{body_secret}}"),
        "{terminal}"
    );
}
