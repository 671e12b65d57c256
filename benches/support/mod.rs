//! What several benches share: a loopback server answering like mesibo's `useradd` (so a
//! send through it also records a token), on its own thread and runtime.
#![allow(dead_code, clippy::unwrap_used)]

use axum::routing::post;
use axum::Router;

/// The answer: the docs' useradd shape with a 32-character user token.
pub const USERADD_ANSWER: &str = r#"{"user":{"uid":"1","token":"0123456789abcdef0123456789abcdef"},"op":"useradd","result":true}"#;

/// Starts the server; `POST /backend/` answers [`USERADD_ANSWER`]. Returns its address.
pub fn mesibo_useradd_server() -> std::net::SocketAddr {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let app = Router::new().route("/backend/", post(|| async { USERADD_ANSWER }));
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            axum::serve(listener, app).await.unwrap();
        });
    });
    rx.recv().unwrap()
}
