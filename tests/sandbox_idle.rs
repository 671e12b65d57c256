//! An idle sandbox sleeps: its checkpointer wakes only after the writer commits. Counted with
//! the kernel's context-switch counters of the thread (`/proc/PID/task/TID/status`), not with
//! a clock: before the fix the thread woke every 100 ms whether or not anything was written.
#![allow(clippy::unwrap_used)]

mod sandbox_support;

use std::path::{Path, PathBuf};
use std::time::Duration;

use sandbox_support::{mesibo, Standalone};
use serde_json::json;

/// The `/proc` folder of the process's thread whose name (cut to 15 bytes by Linux) is
/// `name`, waiting up to 10 s for the thread to start.
fn thread_dir(pid: u32, name: &str) -> PathBuf {
    for _ in 0..200 {
        for task in std::fs::read_dir(format!("/proc/{pid}/task")).unwrap() {
            let dir = task.unwrap().path();
            // A thread may end between the listing and this read.
            let comm = std::fs::read_to_string(dir.join("comm")).unwrap_or_default();
            if comm.trim() == name {
                return dir;
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("no thread named {name} in process {pid}");
}

/// Reads the thread's wake-ups until they stop changing (it has reached its wait), up to 5 s.
fn settled_wakeups(dir: &Path) -> u64 {
    let mut last = wakeups(dir);
    for _ in 0..25 {
        std::thread::sleep(Duration::from_millis(200));
        let now = wakeups(dir);
        if now == last {
            break;
        }
        last = now;
    }
    last
}

/// How many times the thread has gone to sleep and been woken (voluntary switches).
fn wakeups(dir: &Path) -> u64 {
    let status = std::fs::read_to_string(dir.join("status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("voluntary_ctxt_switches:"))
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_checkpointer_sleeps_while_nothing_is_written_and_wakes_after_a_commit() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Standalone::spawn(&dir.path().join("s.sqlite3"), dir.path());
    let checkpointer = thread_dir(sandbox.child.id(), "sandbox-checkpo");

    let before = settled_wakeups(&checkpointer);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let idle = wakeups(&checkpointer) - before;
    assert_eq!(
        idle, 0,
        "the checkpointer woke {idle} times with nothing written"
    );

    let client = reqwest::Client::new();
    let body = mesibo("useradd", json!({"user": {"address": "idle@example.com"}}));
    let answer = client
        .post(format!("{}/backend/", sandbox.url))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        wakeups(&checkpointer) > before,
        "the checkpointer never woke after a commit"
    );
}
