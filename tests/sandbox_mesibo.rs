//! The mesibo backend API of the sandbox over real HTTP: every op's success and error shapes,
//! the legacy form, the docs' payload, bad input.
#![allow(clippy::unwrap_used)]

mod sandbox_support;

use apiplay::sandbox::demo;
use sandbox_support::{mesibo, post, start};
use serde_json::{json, Value};

fn backend(url: &str) -> String {
    format!("{url}/backend/")
}

#[tokio::test]
async fn docs_payload_issues_a_token_and_keeps_the_uid() {
    let sandbox = start(None).await;
    let client = reqwest::Client::new();
    let payload: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/payloads/mesibo-backend-payload.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let (status, first) = post(&client, &format!("{}/backend", sandbox.url()), &payload).await;
    assert_eq!(status, 200);
    assert_eq!(first["result"], true);
    assert_eq!(first["op"], "useradd");
    assert_eq!(first["user"]["address"], "xyz@example.com");
    let token = first["user"]["token"].as_str().unwrap();
    assert_eq!(token.len(), 64);
    assert!(token.bytes().all(|b| b.is_ascii_alphanumeric()));
    // The docs show uid as a string of digits ("uid":"5302").
    let uid: i64 = first["user"]["uid"].as_str().unwrap().parse().unwrap();

    let (_, second) = post(&client, &backend(&sandbox.url()), &payload).await;
    assert_eq!(
        second["user"]["uid"], first["user"]["uid"],
        "same address, same uid"
    );
    assert_ne!(
        second["user"]["token"], first["user"]["token"],
        "a fresh token each time"
    );

    let (_, other) = post(
        &client,
        &backend(&sandbox.url()),
        &mesibo("useradd", json!({"user": {"address": "other"}})),
    )
    .await;
    assert_eq!(other["result"], true);
    assert_eq!(
        other["user"]["uid"],
        (uid + 1).to_string(),
        "uids are dense"
    );
    assert!(
        other["user"].get("token").is_none(),
        "no user.token, no token"
    );
}

#[tokio::test]
async fn useradd_token_fields_are_checked() {
    let sandbox = start(None).await;
    let client = reqwest::Client::new();
    let url = backend(&sandbox.url());
    let cases = [
        (
            json!({"user": {"token": {"appid": "a"}}}),
            "MISSINGFIELD",
            "user.address",
        ),
        (
            json!({"user": {"address": "a", "token": {}}}),
            "MISSINGFIELD",
            "appid",
        ),
        (
            json!({"user": {"address": "a", "token": {"appid": "x", "expiry": "soon"}}}),
            "BADFIELD",
            "expiry",
        ),
        (
            json!({"user": {"address": "a", "token": {"appid": "x", "expiry": -5}}}),
            "BADFIELD",
            "under the minimum of 1 minute",
        ),
        (
            json!({"user": {"address": 7}}),
            "BADFIELD",
            "user.address: expected a string",
        ),
        (
            json!({"user": {"address": "a", "token": true}}),
            "BADFIELD",
            "user.token",
        ),
        (
            json!({"user": {"address": "a", "active": "maybe"}}),
            "BADFIELD",
            "user.active",
        ),
    ];
    for (rest, code, hint) in cases {
        let (status, body) = post(&client, &url, &mesibo("useradd", rest.clone())).await;
        assert_eq!(status, 200, "{rest}");
        assert_eq!(body["result"], false, "{rest}");
        assert_eq!(body["error"], code, "{rest}: {body}");
        assert!(
            body["errmsg"].as_str().unwrap().contains(hint),
            "{rest}: {body}"
        );
    }
    // In JSON the catalogue's type holds: minutes are a number, not a numeric string.
    let rest = json!({"user": {"address": "a", "token": {"appid": "x", "expiry": "10"}}});
    let (_, body) = post(&client, &url, &mesibo("useradd", rest)).await;
    assert_eq!(body["error"], "BADFIELD", "{body}");
    assert_eq!(
        body["errmsg"],
        "user.token.expiry: expected an integer number of minutes, got a string"
    );
    // The legacy form sends only strings, and its digits are numbers.
    let legacy = format!(
        "{}?op=useradd&token={}&addr=a&appid=x&expiry=10",
        url,
        demo::MESIBO_APP_TOKEN
    );
    let body: Value = client
        .get(legacy)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["result"], true, "{body}");
    // Unknown fields are ignored, as the real API does (check is where typos are caught).
    let rest =
        json!({"user": {"address": "a", "nmae": "x", "token": {"appid": "x", "expirey": 3}}});
    let (_, body) = post(&client, &url, &mesibo("useradd", rest)).await;
    assert_eq!(body["result"], true, "{body}");
}

#[tokio::test]
async fn bad_requests_get_mesibo_error_bodies() {
    let sandbox = start(None).await;
    let client = reqwest::Client::new();
    let url = backend(&sandbox.url());
    let (_, body) = post(
        &client,
        &url,
        &json!({"op": "someop", "token": demo::MESIBO_APP_TOKEN}),
    )
    .await;
    assert_eq!(
        body,
        json!({"op": "someop", "result": false, "error": "BADOP", "errmsg": body["errmsg"]})
    );
    let (_, body) = post(
        &client,
        &url,
        &json!({"op": "useradd", "token": "nope", "user": {"address": "a"}}),
    )
    .await;
    assert_eq!(body["error"], "AUTHFAIL");
    let (_, body) = post(
        &client,
        &url,
        &json!({"op": "useradd", "user": {"address": "a"}}),
    )
    .await;
    assert_eq!(body["error"], "AUTHFAIL");
    let (_, body) = post(&client, &url, &json!({"token": demo::MESIBO_APP_TOKEN})).await;
    assert_eq!(body["error"], "BADOP");
    let (_, body) = post(&client, &url, &json!([1, 2])).await;
    assert_eq!(body["error"], "BADREQUEST");

    let response = client
        .post(&url)
        .header("content-type", "application/json")
        .body("{\"op\": \"useradd\",\n  \"token\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "BADREQUEST");
    assert!(
        body["errmsg"].as_str().unwrap().contains("line 2"),
        "{body}"
    );

    // The request id comes back.
    let (_, body) = post(
        &client,
        &url,
        &mesibo("useradd", json!({"id": 42, "user": {"address": "a"}})),
    )
    .await;
    assert_eq!(body["id"], 42);

    // Over 1 MiB: 413 with a mesibo body.
    let big = format!(
        "{{\"op\":\"useradd\",\"pad\":\"{}\"}}",
        "x".repeat(1024 * 1024 + 1)
    );
    let response = client.post(&url).body(big).send().await.unwrap();
    assert_eq!(response.status(), 413);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "TOOLARGE");
    assert_eq!(body["result"], false);
}

#[tokio::test]
async fn legacy_form_get_and_post() {
    let sandbox = start(None).await;
    let client = reqwest::Client::new();
    let url = backend(&sandbox.url());
    let query = [
        ("op", "useradd"),
        ("token", demo::MESIBO_APP_TOKEN),
        ("addr", "legacy@example.com"),
        ("appid", "com.example.app"),
        ("expiry", "60"),
    ];
    let body: Value = client
        .get(&url)
        .query(&query)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["result"], true, "{body}");
    assert_eq!(body["user"]["token"].as_str().unwrap().len(), 64);
    let uid = body["user"]["uid"].clone();

    let body: Value = client
        .post(&url)
        .form(&[
            ("op", "userset"),
            ("token", demo::MESIBO_APP_TOKEN),
            ("addr", "legacy@example.com"),
            ("name", "Leg"),
            ("active", "0"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["result"], true, "{body}");
    assert_eq!(body["user"]["uid"], uid);
    assert_eq!(body["user"]["name"], "Leg");
    assert_eq!(body["user"]["active"], false);

    let body: Value = client
        .get(&url)
        .query(&[("op", "useradd"), ("token", "bad")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["error"], "AUTHFAIL");
}

#[tokio::test]
async fn users_set_get_and_delete() {
    let sandbox = start(None).await;
    let client = reqwest::Client::new();
    let url = backend(&sandbox.url());
    for i in 0..25 {
        let (_, body) = post(&client, &url, &mesibo("useradd", json!({"user": {"address": format!("u{i:02}@example.com"), "token": {"appid": "a"}}}))).await;
        assert_eq!(body["result"], true);
    }
    post(
        &client,
        &url,
        &mesibo("useradd", json!({"user": {"address": "zed@other.org"}})),
    )
    .await;

    let (_, body) = post(
        &client,
        &url,
        &mesibo(
            "usersget",
            json!({"user": {"address": "*@example.com"}, "count": 3}),
        ),
    )
    .await;
    assert_eq!(body["result"], true, "{body}");
    let users = body["users"].as_array().unwrap();
    assert_eq!(users.len(), 3);
    assert_eq!(users[0]["address"], "u00@example.com");
    let (_, body) = post(
        &client,
        &url,
        &mesibo("usersget", json!({"user": {"address": "*"}})),
    )
    .await;
    assert_eq!(
        body["users"].as_array().unwrap().len(),
        20,
        "count defaults to the maximum, 20"
    );
    let (_, body) = post(
        &client,
        &url,
        &mesibo("usersget", json!({"user": {"address": "*"}, "count": 21})),
    )
    .await;
    assert_eq!(body["error"], "BADFIELD");
    let (_, body) = post(
        &client,
        &url,
        &mesibo("usersget", json!({"user": {"address": "zed@*"}})),
    )
    .await;
    assert_eq!(body["users"][0]["address"], "zed@other.org");
    let (_, body) = post(
        &client,
        &url,
        &mesibo("usersget", json!({"user": {"address": "u_0@example.com"}})),
    )
    .await;
    assert_eq!(body["count"], 0, "_ is not a wildcard");

    let (_, body) = post(
        &client,
        &url,
        &mesibo(
            "userset",
            json!({"user": {"address": "zed@other.org", "name": "Zed", "flags": 3}}),
        ),
    )
    .await;
    assert_eq!(body["user"]["name"], "Zed");
    assert_eq!(body["user"]["flags"], 3);
    let (_, body) = post(
        &client,
        &url,
        &mesibo("userset", json!({"user": {"uid": 999_999, "name": "x"}})),
    )
    .await;
    assert_eq!(body["error"], "NOUSER");
    let (_, body) = post(
        &client,
        &url,
        &mesibo("userset", json!({"user": {"name": "x"}})),
    )
    .await;
    assert_eq!(body["error"], "MISSINGFIELD");

    let (_, body) = post(
        &client,
        &url,
        &mesibo("userdel", json!({"user": {"address": "u00@example.com"}})),
    )
    .await;
    assert_eq!(body["result"], true, "{body}");
    assert_eq!(body["revoked"], 1);
    let uid = body["user"]["uid"].as_str().unwrap().to_owned();
    let (_, body) = post(
        &client,
        &url,
        &mesibo("userdel", json!({"user": {"uid": uid}})),
    )
    .await;
    assert_eq!(body["error"], "NOUSER");
}

#[tokio::test]
async fn groups_and_members() {
    let sandbox = start(None).await;
    let client = reqwest::Client::new();
    let url = backend(&sandbox.url());
    let (_, body) = post(
        &client,
        &url,
        &mesibo(
            "groupadd",
            json!({"group": {"name": "Team", "flags": 0, "expiry": 3600, "members": ["a", "b"]}}),
        ),
    )
    .await;
    assert_eq!(body["result"], true, "{body}");
    assert_eq!(body["group"]["expiry"], 3600);
    let gid = body["group"]["gid"].as_i64().unwrap();

    let (_, body) = post(
        &client,
        &url,
        &mesibo(
            "groupset",
            json!({"group": {"gid": gid, "name": "Renamed"}}),
        ),
    )
    .await;
    assert_eq!(body["group"]["name"], "Renamed");
    assert_eq!(body["group"]["expiry"], 3600);

    let (_, body) = post(
        &client,
        &url,
        &mesibo(
            "groupeditmembers",
            json!({"group": {"gid": gid, "members": {"m": "c,d"}}}),
        ),
    )
    .await;
    assert_eq!(body["group"]["members"], 4, "{body}");
    let (_, body) = post(
        &client,
        &url,
        &mesibo(
            "groupeditmembers",
            json!({"group": {"gid": gid, "members": {"m": ["a"], "delete": 1}}}),
        ),
    )
    .await;
    assert_eq!(body["group"]["members"], 3, "{body}");
    let (_, body) = post(
        &client,
        &url,
        &mesibo("groupeditmembers", json!({"group": {"gid": gid}})),
    )
    .await;
    assert_eq!(body["error"], "MISSINGFIELD");

    let (_, body) = post(
        &client,
        &url,
        &mesibo(
            "groupgetmembers",
            json!({"group": {"gid": gid}, "count": 2}),
        ),
    )
    .await;
    let members: Vec<&str> = body["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["address"].as_str().unwrap())
        .collect();
    assert_eq!(members, ["b", "c"]);

    let (_, body) = post(
        &client,
        &url,
        &mesibo("groupadd", json!({"group": {"expiry": 0}})),
    )
    .await;
    assert_eq!(body["error"], "BADFIELD");
    let (_, body) = post(
        &client,
        &url,
        &mesibo("groupdel", json!({"group": {"gid": gid}})),
    )
    .await;
    assert_eq!(body["result"], true);
    for op in ["groupdel", "groupgetmembers", "groupset"] {
        let (_, body) = post(&client, &url, &mesibo(op, json!({"group": {"gid": gid}}))).await;
        assert_eq!(body["error"], "NOGROUP", "{op}");
    }
    let (_, body) = post(
        &client,
        &url,
        &mesibo("groupdel", json!({"group": {"gid": "x"}})),
    )
    .await;
    assert_eq!(body["error"], "BADFIELD");
}

#[tokio::test]
async fn messages_between_users_and_to_groups() {
    let sandbox = start(None).await;
    let client = reqwest::Client::new();
    let url = backend(&sandbox.url());
    for address in ["alice", "bob"] {
        post(
            &client,
            &url,
            &mesibo("useradd", json!({"user": {"address": address}})),
        )
        .await;
    }
    let (_, body) = post(
        &client,
        &url,
        &mesibo("groupadd", json!({"group": {"name": "g"}})),
    )
    .await;
    let gid = body["group"]["gid"].as_i64().unwrap();

    let (_, body) = post(
        &client,
        &url,
        &mesibo(
            "message",
            json!({"message": {"from": "alice", "to": "bob", "message": "hi"}}),
        ),
    )
    .await;
    assert_eq!(body["result"], true, "{body}");
    // The docs' answer: {"op":"message","mid":…,"result":true}, mid at the top level.
    let first = body["mid"].as_i64().unwrap();
    assert!(body.get("message").is_none(), "{body}");
    let (_, body) = post(
        &client,
        &url,
        &mesibo(
            "message",
            json!({"message": {"from": "alice", "gid": gid, "message": "all"}}),
        ),
    )
    .await;
    assert_eq!(body["mid"].as_i64().unwrap(), first + 1, "{body}");

    // The docs' own example: comma-separated to, and to with gid, and "flags": null.
    let (_, body) = post(
        &client,
        &url,
        &mesibo(
            "message",
            json!({"message": {"from": "alice", "to": "bob,alice", "gid": gid, "type": 0,
                   "expiry": 3600, "flags": null, "forced": true, "message": "docs"}}),
        ),
    )
    .await;
    assert_eq!(body["result"], true, "{body}");
    assert_eq!(body["mid"].as_i64().unwrap(), first + 2, "{body}");

    let cases = [
        (
            json!({"from": "carol", "to": "bob", "message": "x"}),
            "NOUSER",
        ),
        (
            json!({"from": "alice", "to": "bob,carol", "message": "x"}),
            "NOUSER",
        ),
        (
            json!({"from": "alice", "gid": 1, "message": "x"}),
            "NOGROUP",
        ),
        (json!({"from": "alice", "message": "x"}), "MISSINGFIELD"),
        (json!({"to": "bob", "message": "x"}), "MISSINGFIELD"),
        (json!({"from": "alice", "to": "bob"}), "MISSINGFIELD"),
        (
            json!({"from": "alice", "to": "bob", "message": "x", "expiry": "1h"}),
            "BADFIELD",
        ),
    ];
    for (message, code) in cases {
        let (_, body) = post(
            &client,
            &url,
            &mesibo("message", json!({"message": message.clone()})),
        )
        .await;
        assert_eq!(body["error"], code, "{message}: {body}");
    }
}

#[tokio::test]
async fn unknown_routes_and_methods_get_json_errors() {
    let sandbox = start(None).await;
    let client = reqwest::Client::new();
    let response = client
        .get(format!("{}/no/such/route/here/at/all", sandbox.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "not_found");
    assert!(body["error_description"]
        .as_str()
        .unwrap()
        .contains("/no/such/route"));
    let response = client
        .delete(format!("{}/backend/", sandbox.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 405);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["result"], false);
}
