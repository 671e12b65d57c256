//! `apiplay import-curl`: each curl command of the vendor docs we build from
//! (/work/shared/seeds: 000 is mesibo's "Creating User Access Tokens", 003 Agora Chat's
//! "Call the Chat REST APIs with a Chat app token" and its token-exchange reference), imported
//! as written and sent with `apiplay send` to a standalone sandbox the environment points at.
#![allow(clippy::unwrap_used)]

mod curl_support;

use curl_support::{send, standalone_sandbox, workspace, Workspace};

/// The mesibo docs' app token (seeds/000), which the import must never write.
const DOCS_APP_TOKEN: &str = "87pbh20pzehd9ld0o0pxqx9h80jjqfu9ipul4l00fnb55pbfx9mxyyk4uyr1iwuw";
/// The Agora docs' sample app token (seeds/003).
const DOCS_AGORA_TOKEN: &str = "007eJxTYPj3p2Tnb4tznzxfO/0LK5cu/GZmI71PnWPVkbVhP/aniEspMBhbJJqnGKclmVsYJ5kYWBhbJqcapqRZpJmbm5ikGRsnnT12OrGhN5pB97zpVEYGVgZGBiYGEJ+BAQBN0CGG";

struct Import {
    path: String,
    body: String,
    sidecar: String,
    stderr: String,
}

fn import(ws: &Workspace, command: &str, to: &str) -> Import {
    let out = ws
        .apiplay()
        .args(["import-curl", command, "--env", &ws.env, "--to", to])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(0), "{command}\n{stderr}");
    let path = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    assert_eq!(path, to);
    let body = std::fs::read_to_string(ws.path().join(to)).unwrap();
    let sidecar = std::fs::read_to_string(ws.path().join(to).with_extension("toml")).unwrap();
    for secret in [DOCS_APP_TOKEN, DOCS_AGORA_TOKEN] {
        assert!(
            !body.contains(secret) && !sidecar.contains(secret),
            "{body}\n{sidecar}"
        );
    }
    Import {
        path,
        body,
        sidecar,
        stderr,
    }
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

#[test]
fn the_docs_commands_import_as_written_and_send() {
    let sandbox = standalone_sandbox();
    let ws = workspace("c", &sandbox.root());
    std::fs::copy(
        ws.path().join("payloads/mesibo-backend-payload.json"),
        ws.path().join("mesibo-backend-payload.json"),
    )
    .unwrap();

    // seeds/000: the docs' command, as the page lays it out (one option a line) and with the
    // shell's line continuations; `@file` read relative to the current folder.
    for (i, command) in [
        "curl -X POST https://api.mesibo.com/backend\n-H 'Content-Type: application/json'\n-d @mesibo-backend-payload.json",
        "curl -X POST https://api.mesibo.com/backend \\\n  -H 'Content-Type: application/json' \\\n  -d @mesibo-backend-payload.json",
    ]
    .into_iter()
    .enumerate()
    {
        let got = import(&ws, command, &format!("mesibo-file-{i}.json"));
        assert!(got.sidecar.starts_with("op = \"mesibo.useradd\"\nbackend = \"mesibo\"\nmethod = \"POST\"\npath = \"\"\n"), "{}", got.sidecar);
        assert!(!got.sidecar.contains("Content-Type"), "{}", got.sidecar);
        assert_eq!(json(&got.body)["token"], "{{mesibo_app_token}}");
        assert_eq!(json(&got.body)["user"]["address"], "xyz@example.com");
        assert!(got.stderr.contains("replaced the body's `token` with {{mesibo_app_token}}: environment `c` reads it from $MESIBO_APP_TOKEN"), "{}", got.stderr);
        assert!(got.stderr.contains("api.mesibo.com is mesibo's public host"), "{}", got.stderr);
        let (status, body) = send(&ws, &got.path, &[]);
        assert_eq!(status, 200, "{body}");
        assert_eq!(json(&body)["result"], true, "{body}");
        assert_eq!(json(&body)["user"]["address"], "xyz@example.com");
    }

    // seeds/000's inline JSON, whole (the request the page shows above the command).
    let inline = format!(
        "curl -X POST https://api.mesibo.com/backend\n-H 'Content-Type: application/json'\n-d '{{\"op\":\"useradd\", \"token\":\"{DOCS_APP_TOKEN}\", \"user\": {{\"address\":\"abc@example.com\", \"token\": {{\"appid\": \"com.mesibo.firstapp\", \"expiry\": 525600}}}}}}'"
    );
    let got = import(&ws, &inline, "mesibo-inline.json");
    let (status, body) = send(&ws, &got.path, &[]);
    assert_eq!(
        (status, json(&body)["user"]["address"].clone()),
        (200, "abc@example.com".into()),
        "{body}"
    );

    // seeds/003, step 1: the docs' token server GET, as written.
    let got = import(
        &ws,
        "curl http://localhost:8090/chat/app/token",
        "app-token.json",
    );
    assert!(got.sidecar.starts_with("op = \"agora.chat.token_server.app\"\nbackend = \"agora_token_server\"\nmethod = \"GET\"\npath = \"/chat/app/token\"\n"), "{}", got.sidecar);
    assert_eq!(got.body, "{}\n");
    let (status, body) = send(&ws, &got.path, &[]);
    assert_eq!(status, 200, "{body}");
    assert!(body.starts_with("007"), "{body}");

    // Step 2: the exchange, as written: the docs' (long expired) app token becomes the
    // built-in apiplay mints at each send; the org and app in the path are the
    // environment's, so they become its variables.
    let exchange = format!(
        "curl -X POST -H 'Content-Type: application/json' -H 'Authorization: Bearer {DOCS_AGORA_TOKEN}' -d '{{\"grant_type\":\"agora\"}}' 'http://a41.chat.agora.io/41434878/504205/token'"
    );
    let got = import(&ws, &exchange, "exchange.json");
    assert!(got.sidecar.contains("op = \"agora.chat.token.exchange\"\nbackend = \"agora_chat\"\nmethod = \"POST\"\npath = \"/{{agora_org}}/{{agora_app}}/token\"\n"), "{}", got.sidecar);
    assert!(
        got.sidecar
            .contains("Authorization = \"Bearer {{$agora_app_token}}\""),
        "{}",
        got.sidecar
    );
    assert!(
        got.sidecar
            .contains("[captures]\nagora_chat_token = \"/access_token\""),
        "{}",
        got.sidecar
    );
    assert!(got.stderr.contains("replaced the Authorization header's Bearer token with {{$agora_app_token}}: apiplay mints it"), "{}", got.stderr);
    let (status, body) = send(&ws, &got.path, &[]);
    assert_eq!(status, 200, "{body}");
    assert!(json(&body)["access_token"].is_string(), "{body}");

    // Step 3: create a user, `-i` and all, once its host is the environment's backend; the
    // Chat app token is the one the exchange captured.
    let create = format!(
        "# Replace <YourAppToken> with the Chat app token you received.\ncurl -X POST -H \"Authorization: Bearer <YourAppToken>\" -i \"{}/41434878/504205/users\" -d '[\n    {{\n      \"username\": \"user1\",\n      \"password\": \"123\",\n      \"nickname\": \"testuser\"\n    }}\n  ]'",
        sandbox.root()
    );
    let got = import(&ws, &create, "create-user.json");
    assert!(
        got.sidecar.contains("op = \"agora.chat.users.create\""),
        "{}",
        got.sidecar
    );
    assert!(
        got.sidecar
            .contains("Authorization = \"Bearer {{agora_chat_token}}\""),
        "{}",
        got.sidecar
    );
    assert!(got.stderr.contains("note: -i ignored"), "{}", got.stderr);
    assert_eq!(json(&got.body)[0]["username"], "user1");
    let (status, body) = send(&ws, &got.path, &[]);
    assert_eq!(status, 200, "{body}");
    assert_eq!(json(&body)["entities"][0]["username"], "user1", "{body}");
}

#[test]
fn the_elided_docs_json_an_unknown_option_and_a_taken_name_are_exit_2_and_write_nothing() {
    let ws = workspace("c", "http://127.0.0.1:9");
    let before = std::fs::read_dir(ws.path()).unwrap().count();
    // seeds/000 writes the inline body with `...`: not JSON; the error says where.
    let elided = format!("curl -X POST https://api.mesibo.com/backend\n-H 'Content-Type: application/json'\n-d '{{\"op\":\"useradd\", \"token\":\"{DOCS_APP_TOKEN}\", ...}}'");
    let out = ws
        .apiplay()
        .args(["import-curl", &elided, "--env", "c"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("the body is not valid JSON at line 1 column 94: key must be a string"),
        "{err}"
    );
    assert!(!err.contains(DOCS_APP_TOKEN), "{err}");

    for (option, command) in [
        ("-v", "curl -v http://localhost:8090/chat/app/token"),
        (
            "--compressed",
            "curl --compressed http://localhost:8090/chat/app/token",
        ),
        ("-F", "curl -F a=b http://localhost:8090/x"),
    ] {
        let out = ws
            .apiplay()
            .args(["import-curl", command])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{command}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(&format!(
                "curl option `{option}` is not supported by import-curl"
            )),
            "{err}"
        );
    }
    assert_eq!(std::fs::read_dir(ws.path()).unwrap().count(), before);

    std::fs::write(ws.path().join("taken.toml"), "# mine\n").unwrap();
    let out = ws
        .apiplay()
        .args([
            "import-curl",
            "curl http://localhost:8090/chat/app/token",
            "--to",
            "taken.json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("taken.toml already exists: import-curl never overwrites"));
    assert_eq!(
        std::fs::read_to_string(ws.path().join("taken.toml")).unwrap(),
        "# mine\n"
    );
    assert!(!ws.path().join("taken.json").exists());
}

#[test]
fn stdin_and_the_default_name_under_payloads() {
    let ws = workspace("c", "http://127.0.0.1:9");
    for expected in [
        "payloads/imported/agora.chat.token_server.app.json",
        "payloads/imported/agora.chat.token_server.app-2.json",
    ] {
        let out = ws
            .apiplay()
            .args(["import-curl", "-"])
            .write_stdin("curl -s \\\n  'http://localhost:8090/chat/app/token?expire=60'\n")
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(String::from_utf8(out.stdout).unwrap().trim(), expected);
        let sidecar =
            std::fs::read_to_string(ws.path().join(expected).with_extension("toml")).unwrap();
        assert!(sidecar.contains("[query]\nexpire = \"60\"\n"), "{sidecar}");
    }
}
