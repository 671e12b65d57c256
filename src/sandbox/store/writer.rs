//! The writer thread: one connection, group commit, answers after COMMIT.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc};
use std::thread::JoinHandle;
use std::time::Instant;

use rusqlite::Connection;
use tokio::sync::oneshot;

use super::StoreError;

/// The most jobs one transaction takes; it bounds how long the first job of a batch waits.
pub const MAX_BATCH: usize = 256;

/// Called once the job's batch is committed (or failed to commit).
type Finish = Box<dyn FnOnce(Result<(), StoreError>) + Send>;

/// One unit of work: runs against the open transaction and says whether it succeeded (a
/// failed job's savepoint is rolled back) and how to answer once the batch is durable.
pub type Job = Box<dyn FnOnce(&Connection) -> (bool, Finish) + Send>;

/// Wraps a typed closure and its reply channel into a [`Job`].
pub fn job<T, F>(f: F, reply: oneshot::Sender<Result<T, StoreError>>) -> Job
where
    F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    T: Send + 'static,
{
    Box::new(move |conn| {
        let result = f(conn);
        let ok = result.is_ok();
        let finish: Finish = Box::new(move |commit| {
            let answer = match commit {
                Ok(()) => result,
                Err(err) => Err(err),
            };
            // The caller may have gone away (client disconnected); the work is done anyway.
            let _ = reply.send(answer);
        });
        (ok, finish)
    })
}

/// Counters of the writer thread, for benchmarks and diagnostics.
#[derive(Debug, Default)]
pub struct WriterStats {
    /// Transactions committed.
    pub batches: AtomicU64,
    /// Jobs run.
    pub jobs: AtomicU64,
    /// Nanoseconds spent running jobs (statements inside the transaction).
    pub work_nanos: AtomicU64,
    /// Nanoseconds spent in `COMMIT`.
    pub commit_nanos: AtomicU64,
    /// The longest single `COMMIT`, in nanoseconds.
    pub max_commit_nanos: AtomicU64,
}

/// Starts the writer thread over `conn`. After each successful commit it pokes `committed`
/// (when given) without ever blocking: a poke already pending stands for this one too. The
/// thread drops `committed` when it exits, which is how the receiver learns it is done.
pub fn spawn(
    conn: Connection,
    stats: Arc<WriterStats>,
    committed: Option<mpsc::SyncSender<()>>,
) -> std::io::Result<(mpsc::Sender<Job>, JoinHandle<()>)> {
    let (tx, rx) = mpsc::channel::<Job>();
    let handle = std::thread::Builder::new()
        .name("sandbox-writer".into())
        .spawn(move || run(&conn, &rx, &stats, committed.as_ref()))?;
    Ok((tx, handle))
}

fn nanos(since: Instant) -> u64 {
    u64::try_from(since.elapsed().as_nanos()).unwrap_or(u64::MAX)
}

fn run(
    conn: &Connection,
    rx: &mpsc::Receiver<Job>,
    stats: &WriterStats,
    committed: Option<&mpsc::SyncSender<()>>,
) {
    let mut finishes: Vec<Finish> = Vec::with_capacity(MAX_BATCH);
    // Blocks for the first job of a batch, then takes whatever queued up meanwhile.
    while let Ok(first) = rx.recv() {
        if let Err(err) = exec(conn, "BEGIN IMMEDIATE") {
            let (_, finish) = first(conn);
            finish(Err(err));
            continue;
        }
        let started = Instant::now();
        run_one(conn, first, &mut finishes);
        while finishes.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => run_one(conn, job, &mut finishes),
                Err(_) => break,
            }
        }
        stats
            .work_nanos
            .fetch_add(nanos(started), Ordering::Relaxed);
        let committing = Instant::now();
        let commit = exec(conn, "COMMIT");
        let commit_nanos = nanos(committing);
        stats
            .commit_nanos
            .fetch_add(commit_nanos, Ordering::Relaxed);
        stats
            .max_commit_nanos
            .fetch_max(commit_nanos, Ordering::Relaxed);
        stats.batches.fetch_add(1, Ordering::Relaxed);
        stats
            .jobs
            .fetch_add(finishes.len() as u64, Ordering::Relaxed);
        if commit.is_err() {
            let _ = exec(conn, "ROLLBACK");
        } else if let Some(committed) = committed {
            // Full means a poke is already waiting; Disconnected means no checkpointer.
            let _ = committed.try_send(());
        }
        for finish in finishes.drain(..) {
            finish(match &commit {
                Ok(()) => Ok(()),
                Err(err) => Err(StoreError::Commit(err.to_string())),
            });
        }
    }
}

fn run_one(conn: &Connection, job: Job, finishes: &mut Vec<Finish>) {
    if exec(conn, "SAVEPOINT job").is_err() {
        // Without a savepoint the job cannot be isolated from the batch; dropping it answers
        // its caller with `Closed`.
        drop(job);
        return;
    }
    let (ok, finish) = job(conn);
    if !ok {
        let _ = exec(conn, "ROLLBACK TO job");
    }
    let _ = exec(conn, "RELEASE job");
    finishes.push(finish);
}

fn exec(conn: &Connection, sql: &str) -> Result<(), StoreError> {
    conn.prepare_cached(sql)?.execute([])?;
    Ok(())
}
