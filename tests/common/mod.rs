//! Test fixtures: a real HTTP server on 127.0.0.1:0 that plays a small mesibo-like backend and
//! records what it received, and a workspace (temp folder with apiplay.toml, payloads and an
//! isolated APIPLAY_HOME) to run the real binary in.
#![allow(dead_code, clippy::unwrap_used)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;

/// What the server received: one entry per request, the raw body.
pub type Seen = Arc<Mutex<Vec<String>>>;

/// A running loopback server.
pub struct Server {
    pub addr: SocketAddr,
    pub seen: Seen,
}

async fn backend(State(seen): State<Seen>, body: Bytes) -> impl IntoResponse {
    let text = String::from_utf8_lossy(&body).into_owned();
    seen.lock().unwrap().push(text.clone());
    let Ok(json) = serde_json::from_str::<serde_json::Value>(&text) else {
        return (StatusCode::BAD_REQUEST, "not json".to_owned());
    };
    let op = json["op"].as_str().unwrap_or("").to_owned();
    if json["token"] != "87pbh20pzehd9ld0o0pxqx9h80jjqfu9ipul4l00fnb55pbfx9mxyyk4uyr1iwuw"
        && json["token"] != "env-secret-app-token"
    {
        return (
            StatusCode::OK,
            format!(r#"{{"op":"{op}","result":false,"error":"BADAPPTOKEN"}}"#),
        );
    }
    let reply = match op.as_str() {
        "useradd" => {
            let n = seen.lock().unwrap().len();
            let address = json["user"]["address"].as_str().unwrap_or("");
            format!(
                r#"{{"user":{{"uid":"{}","address":"{address}","token":"tok{n:061}"}},"op":"useradd","result":true}}"#,
                5300 + n
            )
        }
        "echo" => text.clone(),
        _ => format!(r#"{{"op":"{op}","result":false,"error":"BADOP"}}"#),
    };
    (StatusCode::OK, reply)
}

async fn slow() -> &'static str {
    tokio::time::sleep(Duration::from_secs(10)).await;
    "late"
}

/// Starts the server on its own thread and runtime.
pub fn start_server() -> Server {
    let seen: Seen = Arc::default();
    let state = seen.clone();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let app = Router::new()
                .route("/backend/", post(backend))
                .route(
                    "/text",
                    get(|| async {
                        (
                            [("content-type", "text/plain")],
                            "plain words\n\x1b[31mred\n",
                        )
                    }),
                )
                .route(
                    "/binary",
                    get(|| async { Bytes::from_static(b"\xff\xfeok\x00") }),
                )
                .route("/big", get(|| async { "x".repeat(100_000) }))
                .route(
                    "/denied",
                    post(|| async { (StatusCode::FORBIDDEN, r#"{"error":"forbidden"}"#) }),
                )
                .route("/slow", get(slow))
                .with_state(state);
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            axum::serve(listener, app).await.unwrap();
        });
    });
    let addr = rx.recv().unwrap();
    Server { addr, seen }
}

/// A temp folder with apiplay.toml (environment `local` → the server), the repository's
/// payloads, and an isolated data dir.
pub struct Workspace {
    pub dir: tempfile::TempDir,
    pub home: PathBuf,
}

impl Workspace {
    pub fn new(server: &Server) -> Workspace {
        Workspace::with_base(&format!("http://{}", server.addr))
    }

    pub fn with_base(base: &str) -> Workspace {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().join("home");
        std::fs::write(
            dir.path().join("apiplay.toml"),
            format!(
                r#"[environments.local.backends]
mesibo = "{base}/backend/"
web = "{base}"

[environments.local.variables]
app_token = {{ env = "APIPLAY_TEST_APP_TOKEN" }}
appid = "com.example.test"
"#
            ),
        )
        .unwrap();
        let payloads = dir.path().join("payloads");
        std::fs::create_dir_all(&payloads).unwrap();
        let docs =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("payloads/mesibo-backend-payload.json");
        std::fs::copy(docs, payloads.join("mesibo-backend-payload.json")).unwrap();
        Workspace { dir, home }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes a payload body and, if given, its sidecar.
    pub fn payload(&self, name: &str, body: &str, sidecar: Option<&str>) -> PathBuf {
        let path = self.path().join("payloads").join(name);
        std::fs::write(&path, body).unwrap();
        if let Some(sidecar) = sidecar {
            std::fs::write(path.with_extension("toml"), sidecar).unwrap();
        }
        path
    }

    /// The real binary, run in this workspace with its own data dir and no colour.
    pub fn cmd(&self) -> assert_cmd::Command {
        let mut cmd = assert_cmd::Command::new(env!("CARGO_BIN_EXE_apiplay"));
        cmd.current_dir(self.path())
            .env("APIPLAY_HOME", &self.home)
            .env("NO_COLOR", "1")
            .env_remove("APIPLAY_TEST_APP_TOKEN")
            .timeout(Duration::from_secs(60));
        cmd
    }
}
