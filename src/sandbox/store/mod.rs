//! The sandbox's one store: every SQLite access of the emulated backends goes through here.
//!
//! Writes are serialised onto one dedicated writer thread that group-commits: it takes every
//! job already queued (up to [`writer::MAX_BATCH`]), runs each inside its own savepoint of one
//! `BEGIN IMMEDIATE` transaction, commits once, and only then answers the callers. In WAL mode
//! with `synchronous=NORMAL` a commit is a `write(2)` to the WAL, so an answered request
//! survives a killed process; a batch costs one commit however many requests it holds, which
//! is where the throughput comes from.
//!
//! Reads of a file-backed store use a small pool of read-only connections, so they never wait
//! behind a batch; an in-memory store has a single connection, so its reads are jobs on the
//! writer thread too. The vendor modules call the typed operations of the sub-modules
//! ([`mesibo`], [`agora`], [`twilio`], [`vonage`]) and never see SQL.

pub mod agora;
pub mod mesibo;
mod schema;
pub mod twilio;
pub mod vonage;
mod writer;

use std::path::{Path, PathBuf};
use std::sync::{mpsc, Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};
use sha2::{Digest, Sha256};

use writer::Job;
pub use writer::WriterStats;

/// How many read-only connections a file-backed store keeps.
const READERS: usize = 3;
/// How often the checkpointer folds the WAL back into the database file. Small, frequent
/// checkpoints keep the WAL file short and reused; measured under load, 100 ms gave the
/// shortest commit stalls (a 500 ms period, or the writer's own 64 MiB auto-checkpoint, let
/// single commits stall for 200+ ms on ext4).
const CHECKPOINT_EVERY: Duration = Duration::from_millis(100);

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite refused an open, a statement or a commit.
    #[error("sandbox store {path}: {source}")]
    Sqlite {
        /// The database file, or `:memory:`.
        path: String,
        /// The SQLite error.
        source: rusqlite::Error,
    },
    /// The database file could not be created private (mode 0600).
    #[error("cannot create the sandbox store {path}: {source}")]
    Create {
        /// The database file.
        path: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// A statement failed inside a running store.
    #[error("sandbox store: {0}")]
    Query(#[from] rusqlite::Error),
    /// The batch holding this write failed to commit; nothing of it was stored.
    #[error("sandbox store: commit failed: {0}")]
    Commit(String),
    /// The writer thread is gone (the store is shutting down).
    #[error("sandbox store is closed")]
    Closed,
    /// The writer thread could not be started.
    #[error("cannot start the sandbox store's writer thread: {0}")]
    Thread(std::io::Error),
}

/// The store: a writer thread, read connections and a checkpointer.
pub struct Store {
    jobs: Option<mpsc::Sender<Job>>,
    readers: Vec<Mutex<Connection>>,
    writer: Option<JoinHandle<()>>,
    stats: Arc<WriterStats>,
    checkpointer: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("readers", &self.readers.len())
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Opens (creating if needed) the store at `path`, or an in-memory store for `None`, and
    /// starts its writer thread.
    pub fn open(path: Option<&Path>) -> Result<Store, StoreError> {
        let label = path.map_or_else(|| ":memory:".to_owned(), |p| p.display().to_string());
        let wrap = |source| StoreError::Sqlite {
            path: label.clone(),
            source,
        };
        if let Some(p) = path {
            // Private (0600, its folder 0700) before SQLite opens it, so the WAL is too.
            crate::datadir::private_file(p).map_err(|source| StoreError::Create {
                path: label.clone(),
                source,
            })?;
        }
        let mut conn = match path {
            Some(p) => Connection::open(p),
            None => Connection::open_in_memory(),
        }
        .map_err(wrap)?;
        schema::configure_writer(&conn, path.is_some()).map_err(wrap)?;
        schema::migrate(&mut conn).map_err(wrap)?;

        let mut readers = Vec::new();
        let mut checkpointer = None;
        let mut committed = None;
        if let Some(p) = path {
            for _ in 0..READERS {
                readers.push(Mutex::new(open_reader(p).map_err(wrap)?));
            }
            let (poke, pokes) = mpsc::sync_channel(1);
            committed = Some(poke);
            checkpointer =
                Some(spawn_checkpointer(p.to_path_buf(), pokes).map_err(StoreError::Thread)?);
        }
        let stats = Arc::new(WriterStats::default());
        let (jobs, writer) =
            writer::spawn(conn, stats.clone(), committed).map_err(StoreError::Thread)?;
        Ok(Store {
            jobs: Some(jobs),
            readers,
            writer: Some(writer),
            stats,
            checkpointer,
        })
    }

    /// The writer thread's counters (batches, jobs, time in statements and in commits).
    pub fn writer_stats(&self) -> &WriterStats {
        &self.stats
    }

    /// Runs `f` on the writer thread inside the current batch's transaction and answers once
    /// that batch is committed. An `Err` from `f` rolls back only `f`'s own changes.
    pub async fn write<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
        T: Send + 'static,
    {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let job = writer::job(f, tx);
        self.jobs
            .as_ref()
            .ok_or(StoreError::Closed)?
            .send(job)
            .map_err(|_| StoreError::Closed)?;
        rx.await.map_err(|_| StoreError::Closed)?
    }

    /// Runs the read-only `f` on a pooled read connection, or on the writer thread when the
    /// store is in memory.
    pub async fn read<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
        T: Send + 'static,
    {
        if self.readers.is_empty() {
            return self.write(f).await;
        }
        // Reads are indexed point lookups of a few microseconds, so running them inline on
        // the async worker is cheaper than a hop to the blocking pool.
        for reader in &self.readers {
            if let Ok(conn) = reader.try_lock() {
                return f(&conn);
            }
        }
        let conn = self.readers[0]
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&conn)
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        // Closing the channel lets the writer finish the jobs it holds, commit and exit.
        self.jobs.take();
        if let Some(writer) = self.writer.take() {
            let _ = writer.join();
        }
        // The writer has exited and dropped its end of the pokes, so the checkpointer's wait
        // ends too.
        if let Some(handle) = self.checkpointer.take() {
            let _ = handle.join();
        }
    }
}

fn open_reader(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(Duration::from_secs(5))?;
    Ok(conn)
}

/// Passive checkpoints on their own connection keep the WAL short without ever blocking the
/// writer; the writer's own auto-checkpoint is only a backstop. The thread sleeps until the
/// writer pokes it after a commit, so an idle sandbox never wakes it (it woke ten times a
/// second before, most of an idle TUI's CPU); under load it checkpoints at most once per
/// [`CHECKPOINT_EVERY`]. It ends when the writer has gone and a last checkpoint is done.
fn spawn_checkpointer(path: PathBuf, pokes: mpsc::Receiver<()>) -> std::io::Result<JoinHandle<()>> {
    std::thread::Builder::new()
        .name("sandbox-checkpoint".into())
        .spawn(move || {
            let Ok(conn) = Connection::open(&path) else {
                return;
            };
            let _ = conn.busy_timeout(Duration::from_millis(100));
            while pokes.recv().is_ok() {
                // Let the commits of the next 100 ms share this checkpoint.
                std::thread::sleep(CHECKPOINT_EVERY);
                let _ = pokes.try_recv();
                let _ = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
            }
        })
}

/// The SHA-256 of an issued secret: tokens are stored hashed, never in clear.
pub fn token_digest(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// Seconds since the Unix epoch.
pub fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// Milliseconds since the Unix epoch.
pub fn now_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}
