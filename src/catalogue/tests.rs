#![allow(clippy::unwrap_used)]

use std::path::Path;

use super::*;

/// A small catalogue written by hand for the unit tests, independent of the shipped files.
const SAMPLE: &str = r#"
vendor = "mesibo"
title = "sample"

[[ops]]
id = "mesibo.useradd"
title = "Create a user"
summary = "Creates a user."
docs_url = "https://example.com"
sources = ["hand"]
backend = "mesibo"
method = "POST"
auth = { scheme = "body", field = "token", variable = "mesibo_app_token" }
match = { body_op = "useradd" }

[[ops.fields]]
path = "op"
type = "string"
required = true
values = ["useradd"]
meaning = "the operation"

[[ops.fields]]
path = "token"
type = "string"
required = true
meaning = "the app token"

[[ops.fields]]
path = "user"
type = "object"
required = true
meaning = "the user"

[[ops.fields]]
path = "user.address"
type = "string"
required = true
meaning = "the user's address"

[[ops.fields]]
path = "user.name"
type = "string"
meaning = "display name"
max_length = 5

[[ops.fields]]
path = "user.token"
type = "object"
meaning = "token request"

[[ops.fields]]
path = "user.token.expiry"
type = "integer"
units = "minutes"
min = 1
max = 525600
meaning = "lifetime"

[[ops.fields]]
path = "count"
type = "integer"
max = 20
meaning = "page size"

[[ops.fields]]
path = "ext"
type = "object"
meaning = "free-form"

[[ops]]
id = "mesibo.userdel"
title = "Delete a user"
summary = "Deletes a user."
docs_url = "https://example.com"
sources = ["hand"]
backend = "mesibo"
method = "POST"
auth = { scheme = "body", field = "token" }
match = { body_op = "userdel" }
"#;

const AGORA: &str = r#"
vendor = "agora"
title = "sample"

[[ops]]
id = "agora.chat.user.create"
title = "one"
summary = "s"
docs_url = "u"
sources = ["hand"]
backend = "agora_chat"
method = "POST"
path = "/{{agora_org}}/{{agora_app}}/users"
auth = { scheme = "bearer", variable = "agora_chat_token" }
match = { method = "POST", path = "/{org}/{app}/users", body = "object" }

[[ops.fields]]
path = "username"
type = "string"
required = true
pattern = "[a-z0-9_.-]{1,64}"
meaning = "lowercase name"

[[ops.fields]]
path = "p2p.preference"
type = "string"
values = ["enabled", "disabled"]
meaning = "relayed or routed"

[[ops]]
id = "agora.chat.users.create"
title = "many"
summary = "s"
docs_url = "u"
sources = ["hand"]
backend = "agora_chat"
method = "POST"
auth = { scheme = "bearer" }
match = { method = "POST", path = "/{org}/{app}/users", body = "array" }

[[ops.fields]]
path = "[]"
type = "object"
meaning = "a user"

[[ops.fields]]
path = "[].username"
type = "string"
required = true
meaning = "name"

[[ops]]
id = "agora.chat.user.get"
title = "get"
summary = "s"
docs_url = "u"
sources = ["hand"]
backend = "agora_chat"
method = "GET"
auth = { scheme = "bearer" }
match = { method = "GET", path = "/{org}/{app}/users/{username}" }

[[ops]]
id = "agora.chat.user.status"
title = "status"
summary = "s"
docs_url = "u"
sources = ["hand"]
backend = "agora_chat"
method = "GET"
auth = { scheme = "bearer" }
match = { method = "GET", path = "/{org}/{app}/users/{username}/status" }

[[ops]]
id = "agora.chat.users.list"
title = "list"
summary = "s"
docs_url = "u"
sources = ["hand"]
backend = "agora_chat"
method = "GET"
auth = { scheme = "bearer" }
match = { method = "GET", path = "/{org}/{app}/users" }
"#;

fn sample() -> Catalogue {
    Catalogue::parse(&[("mesibo.toml", SAMPLE), ("agora.toml", AGORA)]).unwrap()
}

fn messages(op: &str, body: &str) -> Vec<String> {
    let cat = sample();
    cat.get(op)
        .unwrap()
        .check(body)
        .into_iter()
        .map(|d| {
            format!(
                "{}:{}: {}: {}",
                d.line,
                d.col,
                d.severity.as_str(),
                d.message
            )
        })
        .collect()
}

fn sidecar(text: &str) -> SidecarFile {
    SidecarFile::parse(text, Path::new("p.toml")).unwrap()
}

#[test]
fn every_catalogue_file_loads() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("catalogue");
    let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    let embedded: Vec<&str> = embedded_files().collect();
    assert_eq!(on_disk, embedded, "every file in catalogue/ is embedded");
    let cat = try_catalogue().unwrap();
    for name in embedded {
        let vendor = Vendor::parse(name.trim_end_matches(".toml")).unwrap();
        assert!(cat.vendor_ops(vendor).count() > 0, "{name} has ops");
    }
}

#[test]
fn a_clean_body_has_no_findings() {
    let body = r#"{"op":"useradd","token":"{{mesibo_app_token}}","user":{"address":"a@b","token":{"expiry":60}}}"#;
    assert_eq!(messages("mesibo.useradd", body), Vec::<String>::new());
}

#[test]
fn unknown_field_has_a_did_you_mean_at_the_key() {
    let body = "{\"op\":\"useradd\",\"token\":\"t\",\n  \"user\": {\"adress\": \"a@b\"}}";
    assert_eq!(
        messages("mesibo.useradd", body),
        [
            "2:3: error: missing required field \"user.address\" (the user's address)",
            "2:12: warning: unknown field \"adress\" in user; did you mean \"address\"?",
        ]
    );
}

#[test]
fn transposed_letters_are_suggested() {
    let body = r#"{"op":"useradd","token":"t","user":{"address":"a","nmae":"x"}}"#;
    let got = messages("mesibo.useradd", body);
    assert_eq!(
        got,
        ["1:51: warning: unknown field \"nmae\" in user; did you mean \"name\"?"]
    );
}

#[test]
fn a_far_unknown_field_says_it_is_ignored() {
    let body = r#"{"op":"useradd","token":"t","user":{"address":"a"},"zzzzzz":1}"#;
    let got = messages("mesibo.useradd", body);
    assert_eq!(
        got,
        ["1:52: warning: unknown field \"zzzzzz\"; mesibo.useradd ignores it"]
    );
}

#[test]
fn wrong_type_names_the_units() {
    let body = r#"{"op":"useradd","token":"t","user":{"address":"a","token":{"expiry":"1 year"}}}"#;
    assert_eq!(
        messages("mesibo.useradd", body),
        ["1:69: error: user.token.expiry: expected an integer number of minutes, got a string"]
    );
    let body = r#"{"op":"useradd","token":"t","user":{"address":"a","token":{"expiry":1.5}}}"#;
    assert_eq!(
        messages("mesibo.useradd", body),
        ["1:69: error: user.token.expiry: expected an integer number of minutes, got a number"]
    );
}

#[test]
fn limits_are_explained_with_units() {
    let body = r#"{"op":"useradd","token":"t","user":{"address":"a","token":{"expiry":600000}}}"#;
    assert_eq!(
        messages("mesibo.useradd", body),
        ["1:69: error: user.token.expiry 600000 is over the 525600-minute (1 year) limit"]
    );
    let body = r#"{"op":"useradd","token":"t","user":{"address":"a","token":{"expiry":0}}}"#;
    assert_eq!(
        messages("mesibo.useradd", body),
        ["1:69: error: user.token.expiry 0 is under the minimum of 1 minute"]
    );
    let body = r#"{"op":"useradd","token":"t","user":{"address":"a","name":"toolong"},"count":21}"#;
    assert_eq!(
        messages("mesibo.useradd", body),
        [
            "1:58: error: user.name is 7 characters long, over the 5-character limit",
            "1:77: error: count 21 is over the limit of 20",
        ]
    );
}

#[test]
fn placeholders_count_as_any_type_and_skip_limits() {
    let body = r#"{"op":"useradd","token":"t","user":{"address":"{{a}}","name":"{{long_name}}","token":{"expiry":"{{minutes}}"}},"count":"{{n}}"}"#;
    assert_eq!(messages("mesibo.useradd", body), Vec::<String>::new());
    // Part of a string is still a string: the type check applies.
    let body =
        r#"{"op":"useradd","token":"t","user":{"address":"a","token":{"expiry":"{{m}} min"}}}"#;
    assert_eq!(messages("mesibo.useradd", body).len(), 1);
}

#[test]
fn values_and_patterns() {
    let body = r#"{"username":"Alice","p2p":{"preference":"enable"}}"#;
    assert_eq!(
        messages("agora.chat.user.create", body),
        [
            "1:13: error: username \"Alice\" does not match [a-z0-9_.-]{1,64} (lowercase name)",
            "1:41: error: p2p.preference \"enable\" is not one of \"enabled\", \"disabled\"; did you mean \"enabled\"?",
        ]
    );
    assert_eq!(
        messages(
            "mesibo.useradd",
            r#"{"op":"userdel","token":"t","user":{"address":"a"}}"#
        ),
        ["1:7: error: op \"userdel\" is not one of \"useradd\""]
    );
}

#[test]
fn free_form_objects_take_any_key() {
    let body = r#"{"op":"useradd","token":"t","user":{"address":"a"},"ext":{"anything":1}}"#;
    assert_eq!(messages("mesibo.useradd", body), Vec::<String>::new());
}

#[test]
fn array_bodies_are_checked_item_by_item() {
    let body = "[\n {\"username\":\"a\"},\n {\"usrname\":\"b\"}\n]";
    assert_eq!(
        messages("agora.chat.users.create", body),
        [
            "3:2: error: missing required field \"[1].username\" (name)",
            "3:3: warning: unknown field \"usrname\" in [1]; did you mean \"username\"?",
        ]
    );
    assert_eq!(
        messages("agora.chat.users.create", "{}"),
        ["1:1: error: the body of agora.chat.users.create must be a JSON array, got an object"]
    );
}

#[test]
fn invalid_json_is_one_finding_at_its_spot() {
    let got = messages("mesibo.useradd", "{\n  \"op\": \"useradd\",\n  oops\n}");
    assert_eq!(
        got,
        ["3:3: error: invalid JSON: expected a key in double quotes"]
    );
}

#[test]
fn columns_count_characters_not_bytes() {
    let body = r#"{"op":"useradd","token":"é€","user":{"address":"a"},"nmae":1}"#;
    let got = messages("mesibo.useradd", body);
    assert_eq!(
        got,
        ["1:53: warning: unknown field \"nmae\"; mesibo.useradd ignores it"]
    );
}

#[test]
fn the_sidecar_op_wins_and_a_wrong_one_has_a_did_you_mean() {
    let cat = sample();
    let body = r#"{"op":"useradd","token":"t","user":{"address":"a"}}"#;
    let report = cat.check_payload(&sidecar("op = \"mesibo.userdel\"\n"), body);
    assert_eq!(report.op.unwrap().id, "mesibo.userdel");
    let report = cat.check_payload(
        &sidecar("backend = \"mesibo\"\nop = \"mesibo.useradd2\"\n"),
        body,
    );
    assert!(report.op.is_none());
    let d = &report.sidecar[0];
    assert_eq!((d.line, d.col), (2, 6));
    assert_eq!(
        d.message,
        "unknown op \"mesibo.useradd2\"; did you mean \"mesibo.useradd\"?"
    );
}

#[test]
fn mesibo_bodies_match_by_their_op() {
    let cat = sample();
    let report = cat.check_payload(
        &SidecarFile::default(),
        r#"{"op":"useradd","token":"t","user":{"address":"a"}}"#,
    );
    assert_eq!(report.op.unwrap().id, "mesibo.useradd");
    assert!(report.is_clean(), "{report:?}");
    let report = cat.check_payload(&SidecarFile::default(), r#"{"op":"useradd2","token":"t"}"#);
    assert_eq!(
        report.body[0].message,
        "unknown op \"useradd2\"; did you mean \"useradd\"?"
    );
    assert_eq!((report.body[0].line, report.body[0].col), (1, 7));
}

#[test]
fn others_match_by_method_path_and_shape() {
    let cat = sample();
    let side = |m: &str, p: &str| {
        sidecar(&format!(
            "backend = \"agora_chat\"\nmethod = \"{m}\"\npath = \"{p}\"\n"
        ))
    };
    let users = "/{{agora_org}}/{{agora_app}}/users";
    let id = |s: &SidecarFile, body: &str| cat.check_payload(s, body).op.map(|o| o.id.clone());
    assert_eq!(
        id(&side("POST", users), r#"{"username":"a"}"#).as_deref(),
        Some("agora.chat.user.create")
    );
    assert_eq!(
        id(&side("POST", users), r#"[{"username":"a"}]"#).as_deref(),
        Some("agora.chat.users.create")
    );
    assert_eq!(
        id(&side("GET", users), "{}").as_deref(),
        Some("agora.chat.users.list")
    );
    let one = "/{{agora_org}}/{{agora_app}}/users/{{agora_username}}";
    assert_eq!(
        id(&side("get", one), "{}").as_deref(),
        Some("agora.chat.user.get")
    );
    let status = "/{{agora_org}}/{{agora_app}}/users/{{agora_username}}/status";
    assert_eq!(
        id(&side("GET", status), "").as_deref(),
        Some("agora.chat.user.status")
    );
    let report = cat.check_payload(&side("PUT", "/nowhere"), "{}");
    assert!(report.op.is_none());
    assert!(
        report.body[0]
            .message
            .starts_with("no catalogue operation matches PUT /nowhere"),
        "{:?}",
        report.body
    );
}

#[test]
fn a_sidecar_that_contradicts_its_op_is_a_finding() {
    let cat = sample();
    let report = cat.check_payload(
        &sidecar("op = \"agora.chat.user.get\"\nbackend = \"agora_chat\"\nmethod = \"POST\"\n"),
        "{}",
    );
    assert_eq!(report.sidecar.len(), 1);
    assert_eq!(
        report.sidecar[0].message,
        "agora.chat.user.get is sent with GET, not POST"
    );
    assert_eq!((report.sidecar[0].line, report.sidecar[0].col), (3, 10));
}

#[test]
fn the_sandbox_view_ignores_unknown_fields() {
    let cat = sample();
    let op = cat.get("mesibo.useradd").unwrap();
    let body = serde_json::json!({"op":"useradd","token":"t","user":{"address":"a","nmae":"x","token":{"expiry":"x"}}});
    let found = op.check_value(&body);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].kind, Kind::WrongType);
    assert_eq!(found[0].path, "user.token.expiry");
}

#[test]
fn catalogue_errors_name_file_line_and_key() {
    let bad = SAMPLE.replace(
        "meaning = \"page size\"",
        "meaning = \"page size\"\nmaxx = 3",
    );
    let err = Catalogue::parse(&[("mesibo.toml", &bad)]).unwrap_err();
    assert_eq!(err.file, "mesibo.toml");
    assert!(err.message.contains("maxx"), "{err}");
    assert!(
        err.to_string().starts_with("catalogue/mesibo.toml:"),
        "{err}"
    );
    let bad = SAMPLE.replace(
        "path = \"user.name\"\ntype = \"string\"",
        "path = \"user.name\"\ntype = \"integer\"",
    );
    let err = Catalogue::parse(&[("mesibo.toml", &bad)]).unwrap_err();
    assert!(err.message.contains("min_length or max_length"), "{err}");
}

#[test]
fn json_reader_keeps_spans_and_unescapes() {
    let text = r#"{"a\n":"x\u00e9\ud83d\ude00","b":[1,-2.5e3,true,null]}"#;
    let node = json::parse(text).unwrap();
    let json::Value::Object(members) = &node.value else {
        panic!()
    };
    assert_eq!(members[0].key, "a\n");
    assert_eq!(&text[members[0].key_span.clone()], r#""a\n""#);
    assert_eq!(members[0].node.as_str(), Some("xé😀"));
    assert_eq!(&text[members[1].node.span.clone()], "[1,-2.5e3,true,null]");
    for bad in [
        "{",
        "[1,]",
        "01",
        "\"\\x\"",
        "{\"a\" 1}",
        "1 2",
        "\"\\ud800\"",
    ] {
        assert!(json::parse(bad).is_err(), "{bad}");
    }
    let deep = "[".repeat(200) + &"]".repeat(200);
    assert!(json::parse(&deep)
        .unwrap_err()
        .message
        .contains("nested too deeply"));
}

/// Each shipped op's example body passes its own op's rules, so `explain` and `apiplay new`
/// never teach a body `check` would fault.
#[test]
fn every_example_body_passes_its_own_op() {
    for op in catalogue().ops() {
        if let Some(body) = &op.example_body {
            let found = op.check(body);
            assert!(found.is_empty(), "{}: {found:?}", op.id);
        }
    }
}

/// Each field's example is of one of the field's types and among its allowed values.
#[test]
fn every_field_example_fits_its_field() {
    for op in catalogue().ops() {
        for f in &op.fields {
            let Some(example) = &f.example else { continue };
            let ty = match example {
                toml::Value::String(s) if is_whole_placeholder(s) => continue,
                toml::Value::String(_) => FieldType::String,
                toml::Value::Integer(_) => FieldType::Integer,
                toml::Value::Float(_) => FieldType::Number,
                toml::Value::Boolean(_) => FieldType::Boolean,
                toml::Value::Array(_) => FieldType::Array,
                toml::Value::Table(_) => FieldType::Object,
                toml::Value::Datetime(_) => panic!("{}: {}: a datetime example", op.id, f.path),
            };
            let fits =
                f.ty.accepts(ty) || (ty == FieldType::Integer && f.ty.accepts(FieldType::Number));
            assert!(
                fits,
                "{}: {}: example is {}, field is {}",
                op.id,
                f.path,
                ty.as_str(),
                f.ty.names()
            );
            if let Some(values) = &f.values {
                assert!(
                    values.contains(example),
                    "{}: {}: example not among values",
                    op.id,
                    f.path
                );
            }
        }
    }
}

/// Every op of the agreed id list (CONTRACT.md) is in the catalogue.
#[test]
fn the_agreed_mesibo_ids_are_all_there() {
    let ids = [
        "mesibo.useradd",
        "mesibo.userdel",
        "mesibo.userset",
        "mesibo.usersget",
        "mesibo.groupadd",
        "mesibo.groupset",
        "mesibo.groupdel",
        "mesibo.groupeditmembers",
        "mesibo.groupgetmembers",
        "mesibo.message",
    ];
    for id in ids {
        assert!(catalogue().get(id).is_some(), "{id} is missing");
    }
}

/// The docs' own payload (seed 000) matches mesibo.useradd by its "op" and is clean.
#[test]
fn the_docs_payload_matches_useradd_and_is_clean() {
    let body = r#"{"op":"useradd","token":"87pbh20pzehd9ld0o0pxqx9h80jjqfu9ipul4l00fnb55pbfx9mxyyk4uyr1iwuw","user":{"address":"xyz@example.com","token":{"appid":"com.mesibo.firstapp","expiry":525600}}}"#;
    let report = catalogue().check_payload(&SidecarFile::default(), body);
    assert_eq!(report.op.map(|o| o.id.as_str()), Some("mesibo.useradd"));
    assert!(report.is_clean(), "{report:?}");
    let typo = body.replace("\"expiry\":525600", "\"expiry\":\"1 year\"");
    let report = catalogue().check_payload(&SidecarFile::default(), &typo);
    assert_eq!(
        report.body[0].message,
        "user.token.expiry: expected an integer number of minutes, got a string"
    );
}

#[test]
fn the_agreed_agora_ids_are_all_there() {
    let ids = [
        "agora.chat.token_server.app",
        "agora.chat.token_server.user",
        "agora.chat.token.exchange",
        "agora.chat.user.create",
        "agora.chat.users.create",
        "agora.chat.user.get",
        "agora.chat.users.list",
        "agora.chat.user.modify",
        "agora.chat.user.delete",
        "agora.chat.users.delete",
        "agora.chat.user.password",
        "agora.chat.user.disconnect",
        "agora.chat.user.status",
        "agora.chat.users.status",
    ];
    for id in ids {
        assert!(catalogue().get(id).is_some(), "{id} is missing");
    }
}

/// The Agora rules as the docs state them: lowercase names, 64 at most, 60 users a batch.
#[test]
fn agora_rules_from_the_docs() {
    let one = catalogue().get("agora.chat.user.create").unwrap();
    let found = one.check(r#"{"username":"Alice","password":"123"}"#);
    assert_eq!(found.len(), 1);
    assert!(
        found[0]
            .message
            .starts_with("username \"Alice\" does not match [a-z0-9_.-]{1,64}"),
        "{found:?}"
    );
    assert!(
        one.check(&format!(r#"{{"username":"{}"}}"#, "a".repeat(65)))[0]
            .message
            .contains("does not match")
    );
    let many = catalogue().get("agora.chat.users.create").unwrap();
    let batch: Vec<String> = (0..61)
        .map(|i| format!(r#"{{"username":"u{i}"}}"#))
        .collect();
    let found = many.check(&format!("[{}]", batch.join(",")));
    assert_eq!(found.len(), 1);
    assert_eq!(
        found[0].message,
        "the body has 61 items, over the 60-item limit"
    );
    assert_eq!((found[0].line, found[0].col), (1, 1));
    let exchange = catalogue().get("agora.chat.token.exchange").unwrap();
    assert_eq!(
        exchange.check(r#"{"grant_type":"agra"}"#)[0].message,
        "grant_type \"agra\" is not one of \"agora\"; did you mean \"agora\"?"
    );
}

/// Columns count characters, not bytes, and restart on each line; findings on one long line
/// are placed in a single pass.
#[test]
fn place_counts_characters_per_line() {
    let text = "{\"名前\": 1, \"é\": 2,\n  \"x\": 3}";
    let at = |needle: &str| {
        let start = text.find(needle).unwrap();
        Diagnostic::new(
            Severity::Warning,
            Kind::UnknownField,
            start..start + needle.len(),
            String::new(),
            String::new(),
        )
    };
    let mut found = vec![at("\"x\""), at("\"é\""), at("\"名前\"")];
    place(text, &mut found);
    let spots: Vec<_> = found.iter().map(|d| (d.line, d.col)).collect();
    // By hand: `{"名前": 1, ` is 10 characters, so "é" starts at column 11.
    assert_eq!(spots, [(2, 3), (1, 11), (1, 2)]);
}
