//! The embedded sandbox: an axum server over one SQLite store that emulates the mesibo backend
//! API, Agora Chat (token server, token exchange, users), Twilio (the quickstart token server
//! and the Conversations REST API) and Vonage
//! Video (sessions and a token server), with fixed demo credentials ([`demo`]).
//!
//! All routes share one port:
//!
//! | method | path | emulates |
//! |---|---|---|
//! | `POST` | `/backend`, `/backend/` | mesibo backend API, JSON `{"op","token",...}` or legacy form |
//! | `GET` | `/backend/?op=...&token=...` | mesibo legacy form API |
//! | `GET` | `/chat/app/token[?expire=SECS]` | Agora Chat token server: a 007 app token (plain text) |
//! | `GET` | `/chat/user/{username}/token[?expire=SECS]` | Agora Chat token server: a 007 user token (plain text) |
//! | `POST` | `/{org}/{app}/token` | Agora Chat: exchange a 007 app token for a Chat app token |
//! | `POST` | `/{org}/{app}/users` | Agora Chat: register one user or a batch of up to 60 |
//! | `GET`, `DELETE` | `/{org}/{app}/users/{username}` | Agora Chat: get or delete a user |
//! | `GET`, `POST` | `/token`, `GET /token/{id}` | Twilio's quickstart token server: `{identity, token}` |
//! | `POST`, `GET`, `DELETE` | `/v1/Services/...`, `/v1/Users...`, `/v1/Conversations...` | Twilio Conversations REST (form, HTTP Basic) |
//! | `POST` | `/session/create` | Vonage Video (OpenTok REST): create a session (form; `X-OPENTOK-AUTH` or Bearer) |
//! | `GET` | `/room/{name}`, `/session` | the OpenTok quickstart server: `{apiKey, sessionId, token}` |
//! | `POST` | `/vonage/token` | apiplay's own client-token route: a T1 or JWT client token |
//!
//! Anything else answers 404 (or 405 for a known path with another method) with a JSON error
//! body. Every route, whoever adds it, inherits the router-level guard ([`guard`]): a 1 MiB
//! body cap on every method (413), a deadline for the body (408), and every refusal in the
//! JSON error shape of the vendor its path belongs to ([`vendor::Vendor::of_path`]). Connections
//! are served with header-read and idle timeouts and a connection cap ([`serve::Limits`]).
//!
//! A new route goes into [`routes`]; the guard is layered over all of them in [`router`].

mod agora;
mod body;
mod guard;

/// The sandbox store's file name in the data dir.
pub const SANDBOX_DB: &str = "sandbox.sqlite3";
pub mod demo;
mod fallback;
mod mesibo;
mod serve;
pub mod store;
mod twilio;
mod vendor;
mod vonage;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::routing::{get, post, put};
use axum::Router;

pub use mesibo::OPS as MESIBO_OPS;
pub use serve::Limits;
use store::{Store, StoreError};

/// The routes, as printed at start: method, path, what it does.
pub const ROUTES: &[(&str, &str, &str)] = &[
    (
        "POST",
        "/backend/",
        "mesibo backend API (JSON ops, or the legacy form)",
    ),
    ("GET", "/backend/?op=..&token=..", "mesibo legacy form API"),
    (
        "GET",
        "/chat/app/token",
        "Agora Chat token server: 007 app token (text)",
    ),
    (
        "GET",
        "/chat/user/{username}/token",
        "Agora Chat token server: 007 user token (text)",
    ),
    (
        "POST",
        "/{org}/{app}/token",
        "Agora Chat: exchange an app token (grant_type agora)",
    ),
    (
        "POST",
        "/{org}/{app}/users",
        "Agora Chat: register users (one, or a batch of <= 60)",
    ),
    (
        "GET|DELETE",
        "/{org}/{app}/users/{username}",
        "Agora Chat: get or delete a user",
    ),
    (
        "GET|POST",
        "/token, /token/{id}",
        "Twilio quickstart token server: {identity, token}",
    ),
    (
        "POST|GET|DELETE",
        "/v1/Services[/{sid}/...]",
        "Twilio Conversations REST: services, users, conversations, participants, messages",
    ),
    (
        "POST",
        "/session/create",
        "Vonage Video: create a session (form; X-OPENTOK-AUTH or Bearer JWT)",
    ),
    (
        "GET",
        "/room/{name}",
        "OpenTok quickstart server: {apiKey, sessionId, token}",
    ),
    (
        "POST",
        "/vonage/token",
        "apiplay's client-token route: T1 or JWT client token",
    ),
];

/// How to start a sandbox.
#[derive(Debug, Clone)]
pub struct SandboxOptions {
    /// Where to listen; port 0 picks a free port.
    pub listen: SocketAddr,
    /// The SQLite file; `None` keeps the store in memory.
    pub db: Option<PathBuf>,
}

/// Why the sandbox could not start.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    /// Binding the listening socket failed.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// The OS error.
        source: std::io::Error,
    },
    /// The store could not be opened.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A running sandbox; dropping it stops the server.
#[derive(Debug)]
pub struct SandboxHandle {
    addr: SocketAddr,
    warning: Option<String>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<()>>,
}

impl SandboxHandle {
    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Why the sandbox runs on an in-memory store instead of the file it was asked for (see
    /// [`start_or_in_memory`]), as a sentence for a warning.
    pub fn warning(&self) -> Option<&str> {
        self.warning.as_deref()
    }

    /// The root URL, `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting connections, lets requests in flight finish, and waits until the
    /// store has committed everything and closed.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
    }
}

impl Drop for SandboxHandle {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// The router over `store`, guarded with the default [`Limits`]; tests and benchmarks may serve
/// it themselves.
pub fn router(store: Arc<Store>) -> Router {
    router_with(store, &Limits::default())
}

/// The router over `store` with the guard's deadline taken from `limits`.
pub fn router_with(store: Arc<Store>, limits: &Limits) -> Router {
    let guard_limits = guard::GuardLimits {
        body_timeout: limits.body_timeout,
    };
    routes(store).layer(axum::middleware::from_fn_with_state(
        guard_limits,
        guard::guard,
    ))
}

/// Every route and the fallbacks. Add new routes here (or `.merge` a vendor's router here):
/// the guard in [`router_with`] then covers them.
fn routes(store: Arc<Store>) -> Router {
    Router::new()
        .route("/backend", get(mesibo::get).post(mesibo::post))
        .route("/backend/", get(mesibo::get).post(mesibo::post))
        .route("/chat/app/token", get(agora::app_token))
        .route("/chat/user/:username/token", get(agora::user_token))
        .route("/:org/:app/token", post(agora::exchange))
        .route(
            "/:org/:app/users",
            post(agora::create_users)
                .get(agora::list_users)
                .delete(agora::delete_users),
        )
        .route(
            "/:org/:app/users/:username",
            get(agora::get_user)
                .put(agora::modify_user)
                .delete(agora::delete_user),
        )
        .route(
            "/:org/:app/users/:username/password",
            put(agora::set_password),
        )
        .route(
            "/:org/:app/users/:username/disconnect",
            get(agora::disconnect),
        )
        .route("/:org/:app/users/:username/status", get(agora::user_status))
        .route("/:org/:app/users/batch/status", post(agora::batch_status))
        .fallback(fallback::not_found)
        .method_not_allowed_fallback(fallback::method_not_allowed)
        .with_state(Arc::clone(&store))
        .merge(vonage::router(Arc::clone(&store)))
        .merge(twilio::router(store))
}

/// Serves `app` (see [`router_with`]) on `listener` with `limits`, as [`start`] does, for as
/// long as the returned future is polled; benchmarks run it on a runtime of their own.
pub async fn serve(listener: tokio::net::TcpListener, app: Router, limits: Limits) {
    let (_never, stop) = tokio::sync::oneshot::channel::<()>();
    serve::run(listener, app, limits, stop).await;
}

/// Starts the sandbox on the current tokio runtime, with the default [`Limits`].
pub async fn start(options: SandboxOptions) -> Result<SandboxHandle, SandboxError> {
    start_with(options, Limits::default()).await
}

/// Starts the sandbox on the current tokio runtime with the given connection limits.
pub async fn start_with(
    options: SandboxOptions,
    limits: Limits,
) -> Result<SandboxHandle, SandboxError> {
    let store = Arc::new(Store::open(options.db.as_deref())?);
    serve_store(store, options.listen, limits, None).await
}

/// Starts the sandbox like [`start`], but when its store file cannot be opened (a read-only
/// or full data dir, a file that is not a database) runs it on an in-memory store instead and
/// says so in [`SandboxHandle::warning`]: the embedded sandbox is a convenience, and an
/// unwritable data dir must not stop a send that does not need what it stored before.
pub async fn start_or_in_memory(options: SandboxOptions) -> Result<SandboxHandle, SandboxError> {
    let limits = Limits::default();
    let (store, warning) = match Store::open(options.db.as_deref()) {
        Ok(store) => (store, None),
        Err(err) if options.db.is_some() => {
            let warning = format!(
                "{err}; the embedded sandbox runs in memory instead (what it stores lasts until apiplay exits)"
            );
            (Store::open(None)?, Some(warning))
        }
        Err(err) => return Err(err.into()),
    };
    serve_store(Arc::new(store), options.listen, limits, warning).await
}

async fn serve_store(
    store: Arc<Store>,
    listen: SocketAddr,
    limits: Limits,
    warning: Option<String>,
) -> Result<SandboxHandle, SandboxError> {
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|source| SandboxError::Bind {
            addr: listen,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| SandboxError::Bind {
        addr: listen,
        source,
    })?;
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let app = router_with(store, &limits);
    let server = tokio::spawn(serve::run(listener, app, limits, rx));
    Ok(SandboxHandle {
        addr,
        warning,
        shutdown: Some(tx),
        server: Some(server),
    })
}
