//! A capture server for wire tests: it answers every request on 127.0.0.1:0 with
//! `{"captured": N}` and keeps what it received (method, path and query, headers, the body's
//! bytes), so a test can compare what apiplay sends with what an official SDK sends.
#![allow(dead_code, clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, Uri};
use axum::Router;

/// One request as it arrived.
#[derive(Debug, Clone)]
pub struct Captured {
    pub method: String,
    /// Path and query, exactly as sent.
    pub uri: String,
    /// Lower-case names; repeated headers joined with `, `.
    pub headers: BTreeMap<String, String>,
    pub body: Vec<u8>,
}

impl Captured {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }

    pub fn path(&self) -> &str {
        self.uri.split('?').next().unwrap_or("")
    }

    /// The query's pairs, decoded, in order.
    pub fn query(&self) -> Vec<(String, String)> {
        let q = self.uri.split_once('?').map_or("", |(_, q)| q);
        form_urlencoded::parse(q.as_bytes()).into_owned().collect()
    }

    /// The body's form pairs, decoded, in order.
    pub fn form(&self) -> Vec<(String, String)> {
        form_urlencoded::parse(&self.body).into_owned().collect()
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

pub type Log = Arc<Mutex<Vec<Captured>>>;

/// A running capture server.
pub struct Capture {
    pub addr: SocketAddr,
    pub log: Log,
}

impl Capture {
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn take(&self) -> Vec<Captured> {
        std::mem::take(&mut *self.log.lock().unwrap())
    }
}

async fn record(
    State(log): State<Log>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> ([(&'static str, &'static str); 1], String) {
    let mut map: BTreeMap<String, String> = BTreeMap::new();
    for (k, v) in &headers {
        let v = String::from_utf8_lossy(v.as_bytes()).into_owned();
        map.entry(k.as_str().to_owned())
            .and_modify(|e| {
                e.push_str(", ");
                e.push_str(&v);
            })
            .or_insert(v);
    }
    let mut log = log.lock().unwrap();
    log.push(Captured {
        method: method.as_str().to_owned(),
        uri: uri
            .path_and_query()
            .map_or_else(|| uri.path().to_owned(), |p| p.as_str().to_owned()),
        headers: map,
        body: body.to_vec(),
    });
    (
        [("content-type", "application/json")],
        format!(r#"{{"captured":{}}}"#, log.len()),
    )
}

/// Starts a capture server on its own thread and runtime.
pub fn start() -> Capture {
    let log: Log = Arc::default();
    let state = log.clone();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let app = Router::new().fallback(record).with_state(state);
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            axum::serve(listener, app).await.unwrap();
        });
    });
    let addr = rx.recv().unwrap();
    Capture { addr, log }
}

/// A request head: the request line, then each header line split at the first `: `.
pub type Head = (String, Vec<(String, String)>);

/// A server that keeps each request's head exactly as it arrived (header lines in order,
/// names as written), reads a `content-length` body, and answers `{"ok":true}`: the truth
/// about what a client put on the wire, with no HTTP library between.
pub struct RawHeads {
    pub addr: SocketAddr,
    /// Per request, its head.
    pub heads: Arc<Mutex<Vec<Head>>>,
}

impl RawHeads {
    pub fn start() -> RawHeads {
        use std::io::{BufRead, BufReader, Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let heads: Arc<Mutex<Vec<Head>>> = Arc::default();
        let log = heads.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { return };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut request_line = String::new();
                if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
                    continue;
                }
                let mut headers = Vec::new();
                loop {
                    let mut line = String::new();
                    reader.read_line(&mut line).unwrap();
                    let line = line.trim_end_matches(['\r', '\n']);
                    if line.is_empty() {
                        break;
                    }
                    let (k, v) = line.split_once(": ").unwrap();
                    headers.push((k.to_owned(), v.to_owned()));
                }
                let len: usize = headers
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
                    .map_or(0, |(_, v)| v.parse().unwrap());
                let mut body = vec![0; len];
                reader.read_exact(&mut body).unwrap();
                log.lock()
                    .unwrap()
                    .push((request_line.trim_end().to_owned(), headers));
                let answer = b"{\"ok\":true}";
                let _ = write!(
                    stream,
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                    answer.len()
                );
                let _ = stream.write_all(answer);
            }
        });
        RawHeads { addr, heads }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}
