//! The sandbox's connection handling: a small accept loop over hyper's HTTP/1 server instead
//! of `axum::serve`, which offers no timeouts. A client cannot hold a connection for nothing:
//!
//! - the request head must arrive within [`Limits::header_read_timeout`] (hyper's own timer;
//!   it also runs while a kept-alive connection waits for its next request);
//! - no single read or write may wait longer than [`Limits::idle_timeout`] ([`IdleIo`]);
//! - the body must arrive within [`Limits::body_timeout`] (the router's guard answers 408);
//! - at most [`Limits::max_connections`] are served at once; further clients wait in the
//!   listen backlog until one closes, instead of using up file descriptors.
//!
//! Shutdown stops accepting, lets every connection finish the request it is on, and returns
//! once all are closed (so the store they share can close after them).

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{oneshot, Semaphore};
use tokio::time::{Instant, Sleep};

/// The connection limits of a sandbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// How long a client may take to send a request's head (also the longest a kept-alive
    /// connection may wait for its next request).
    pub header_read_timeout: Duration,
    /// The longest any single read or write on a connection may wait.
    pub idle_timeout: Duration,
    /// How long a request's body may take to arrive once its head is in.
    pub body_timeout: Duration,
    /// How many connections are served at once.
    pub max_connections: usize,
}

impl Default for Limits {
    /// Generous for a person typing at a terminal or a test suite on a busy machine, short
    /// enough that a stalled client is gone within a minute, and a connection cap well under
    /// the usual 1024 open files.
    fn default() -> Self {
        Limits {
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(30),
            body_timeout: Duration::from_secs(30),
            max_connections: 512,
        }
    }
}

/// Serves `app` on `listener` until `shutdown` fires (or its sender is dropped), then waits
/// for the open connections to finish.
pub async fn run(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    mut shutdown: oneshot::Receiver<()>,
) {
    let graceful = GracefulShutdown::new();
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    loop {
        let slot = tokio::select! {
            _ = &mut shutdown => break,
            slot = Arc::clone(&slots).acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => break,
            },
        };
        let accepted = tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => accepted,
        };
        let Ok((stream, _)) = accepted else {
            // Out of file descriptors or a connection reset before accept: wait a moment
            // rather than spin, and go on.
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        // Answers are small; don't hold them back for Nagle.
        let _ = stream.set_nodelay(true);
        let io = TokioIo::new(IdleIo::new(stream, limits.idle_timeout));
        let connection =
            graceful.watch(http.serve_connection(io, TowerToHyperService::new(app.clone())));
        tokio::spawn(async move {
            let _ = connection.await;
            drop(slot);
        });
    }
    drop(listener);
    graceful.shutdown().await;
}

/// A TCP stream whose reads and writes fail with `TimedOut` once one of them has waited
/// longer than the idle timeout. The timer starts when an operation first has to wait and
/// stops when it makes progress, so a slow but moving transfer is never cut.
#[derive(Debug)]
pub struct IdleIo {
    inner: TcpStream,
    idle: Duration,
    read_timer: Timer,
    write_timer: Timer,
}

#[derive(Debug)]
struct Timer {
    sleep: Pin<Box<Sleep>>,
    armed: bool,
}

impl Timer {
    fn new(idle: Duration) -> Timer {
        Timer {
            sleep: Box::pin(tokio::time::sleep(idle)),
            armed: false,
        }
    }

    /// The operation had to wait: start the clock if it is not running, and fail once it ran
    /// out.
    fn waiting(&mut self, idle: Duration, cx: &mut Context<'_>) -> Poll<io::Error> {
        if !self.armed {
            self.sleep.as_mut().reset(Instant::now() + idle);
            self.armed = true;
        }
        match self.sleep.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(io::Error::new(
                io::ErrorKind::TimedOut,
                format!("connection idle for {} s", idle.as_secs_f64()),
            )),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl IdleIo {
    /// Wraps `inner` with an idle timeout.
    pub fn new(inner: TcpStream, idle: Duration) -> IdleIo {
        IdleIo {
            inner,
            idle,
            read_timer: Timer::new(idle),
            write_timer: Timer::new(idle),
        }
    }
}

impl AsyncRead for IdleIo {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        match Pin::new(&mut this.inner).poll_read(cx, buf) {
            Poll::Pending => this.read_timer.waiting(this.idle, cx).map(Err),
            Poll::Ready(result) => {
                this.read_timer.armed = false;
                Poll::Ready(result)
            }
        }
    }
}

impl AsyncWrite for IdleIo {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        match Pin::new(&mut this.inner).poll_write(cx, buf) {
            Poll::Pending => this.write_timer.waiting(this.idle, cx).map(Err),
            Poll::Ready(result) => {
                this.write_timer.armed = false;
                Poll::Ready(result)
            }
        }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        match Pin::new(&mut this.inner).poll_write_vectored(cx, bufs) {
            Poll::Pending => this.write_timer.waiting(this.idle, cx).map(Err),
            Poll::Ready(result) => {
                this.write_timer.armed = false;
                Poll::Ready(result)
            }
        }
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}
