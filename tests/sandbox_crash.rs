//! A standalone sandbox killed with SIGKILL in the middle of a load keeps every user whose
//! `useradd` was answered, once restarted on the same `--db`.
#![allow(clippy::unwrap_used)]

mod sandbox_support;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use sandbox_support::{mesibo, Standalone};
use serde_json::{json, Value};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answered_useradds_survive_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("crash.sqlite3");
    let mut sandbox = Standalone::spawn(&db, dir.path());
    let url = format!("{}/backend/", sandbox.url);

    let stop = Arc::new(AtomicBool::new(false));
    let count = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for client_no in 0..32 {
        let (url, stop, count) = (url.clone(), stop.clone(), count.clone());
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            let mut answered = Vec::new();
            for i in 0.. {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let address = format!("k{client_no}-{i}");
                let body = mesibo(
                    "useradd",
                    json!({"user": {"address": address, "token": {"appid": "a"}}}),
                );
                // A request cut off by the kill is simply not counted as answered.
                let Ok(response) = client.post(&url).json(&body).send().await else {
                    break;
                };
                let Ok(reply) = response.json::<Value>().await else {
                    break;
                };
                assert_eq!(reply["result"], true, "{reply}");
                // uid is a string of digits, as the mesibo docs show it.
                answered.push((address, reply["user"]["uid"].as_str().unwrap().to_owned()));
                count.fetch_add(1, Ordering::Relaxed);
            }
            answered
        }));
    }
    // Kill in the middle of the load once it has answered enough, however fast this machine
    // is (a fixed 1.5 s was too short when other builds shared the cores).
    for _ in 0..600 {
        if count.load(Ordering::Relaxed) > 600 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    sandbox.child.kill().unwrap(); // SIGKILL: no shutdown path runs.
    sandbox.child.wait().unwrap();
    stop.store(true, Ordering::Relaxed);
    let mut answered = Vec::new();
    for task in tasks {
        answered.extend(task.await.unwrap());
    }
    assert!(
        answered.len() > 500,
        "the load ran ({} answered)",
        answered.len()
    );

    let restarted = Standalone::spawn(&db, dir.path());
    let url = format!("{}/backend/", restarted.url);
    let client = reqwest::Client::new();
    for (address, uid) in &answered {
        let reply: Value = client
            .post(&url)
            .json(&mesibo(
                "usersget",
                json!({"user": {"address": address}, "count": 1}),
            ))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(
            reply["users"][0]["uid"].as_str(),
            Some(uid.as_str()),
            "{address} lost: {reply}"
        );
    }
}
