//! Many clients at once against one sandbox over a real SQLite file: nothing lost, nothing
//! duplicated, and tokens are stored hashed, bound to their app id.
#![allow(clippy::unwrap_used)]

mod sandbox_support;

use std::collections::HashSet;

use apiplay::sandbox::store::Store;
use sandbox_support::{mesibo, post, start};
use serde_json::json;

const CLIENTS: usize = 64;
const PER_CLIENT: usize = 100;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_four_clients_times_one_hundred_useradds_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sandbox.sqlite3");
    let sandbox = start(Some(db.clone())).await;
    let url = format!("{}/backend/", sandbox.url());

    let mut tasks = Vec::new();
    for client_no in 0..CLIENTS {
        let url = url.clone();
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            let mut answers = Vec::with_capacity(PER_CLIENT);
            for i in 0..PER_CLIENT {
                let address = format!("c{client_no}-u{i}@example.com");
                let body = mesibo(
                    "useradd",
                    json!({"user": {"address": address, "token": {"appid": "com.load"}}}),
                );
                let (status, reply) = post(&client, &url, &body).await;
                assert_eq!(status, 200);
                assert_eq!(reply["result"], true, "{reply}");
                answers.push((
                    // uid is a string of digits, as the mesibo docs show it.
                    reply["user"]["uid"]
                        .as_str()
                        .unwrap()
                        .parse::<i64>()
                        .unwrap(),
                    reply["user"]["token"].as_str().unwrap().to_owned(),
                ));
            }
            answers
        }));
    }
    let mut uids = HashSet::new();
    let mut tokens = HashSet::new();
    let mut sample = Vec::new();
    for task in tasks {
        for (uid, token) in task.await.unwrap() {
            uids.insert(uid);
            if sample.len() < 3 {
                sample.push((uid, token.clone()));
            }
            tokens.insert(token);
        }
    }
    assert_eq!(uids.len(), CLIENTS * PER_CLIENT, "distinct uids");
    assert_eq!(tokens.len(), CLIENTS * PER_CLIENT, "distinct tokens");
    sandbox.shutdown().await;

    // Reopen the file: every user and token is there, and the tokens are only digests.
    let store = Store::open(Some(&db)).unwrap();
    assert_eq!(
        store.mesibo_user_count().await.unwrap(),
        i64::try_from(CLIENTS * PER_CLIENT).unwrap()
    );
    for (uid, token) in &sample {
        assert_eq!(
            store
                .mesibo_token_appid(*uid, token.clone())
                .await
                .unwrap()
                .as_deref(),
            Some("com.load")
        );
        assert_eq!(
            store
                .mesibo_token_appid(*uid + 1, token.clone())
                .await
                .unwrap(),
            None
        );
    }
    drop(store);
    let mut bytes = std::fs::read(&db).unwrap();
    if let Ok(wal) = std::fs::read(dir.path().join("sandbox.sqlite3-wal")) {
        bytes.extend(wal);
    }
    for (_, token) in &sample {
        assert!(
            !bytes.windows(token.len()).any(|w| w == token.as_bytes()),
            "a token is stored in clear"
        );
    }
}
