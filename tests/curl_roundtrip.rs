//! The round trip: `import-curl` of an exported command gives back an equivalent payload and
//! sidecar — the new payload makes the same request (method, URL and its query, headers,
//! body as JSON or form fields), secrets and minted built-ins still as their `{{name}}`.
//! Over every shipped payload, and over generated bodies, headers and queries.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use apiplay::collection::{PayloadTemplate, TemplateError, Vars};
use apiplay::config::Environment;
use apiplay::curl;
use apiplay::http::RenderedRequest;
use proptest::prelude::*;

fn env() -> Environment {
    let mut env = Environment::sandbox();
    env.bind_sandbox("http://127.0.0.1:8787");
    env
}

/// Renders a payload (the copy with secrets as `{{name}}`), giving each variable only a
/// flow would capture a stand-in value.
fn render(
    template: &PayloadTemplate,
    env: &Environment,
    vars: &mut BTreeMap<String, serde_json::Value>,
) -> RenderedRequest {
    loop {
        let mut v = Vars::new(env);
        v.overrides = vars.clone();
        match template.render(&v) {
            Ok(r) => return r.redacted,
            Err(TemplateError::UnknownVariable { name, .. }) => {
                vars.insert(name.clone(), serde_json::Value::String(format!("{name}-1")));
            }
            Err(e) => panic!("{}: {e}", template.name),
        }
    }
}

/// What a request means on the wire, for comparing: query pairs and headers sorted, the
/// body as JSON or as sorted form fields.
/// Method, path, query pairs, headers, body.
type Meaning = (String, String, Pairs, Pairs, String);
type Pairs = Vec<(String, String)>;

fn meaning(request: &RenderedRequest) -> Meaning {
    let (path, query) = request.url.split_once('?').unwrap_or((&request.url, ""));
    let mut query_pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    query_pairs.sort();
    let mut h: Vec<(String, String)> = request
        .headers
        .iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
        .collect();
    h.sort();
    let form = h
        .iter()
        .any(|(k, v)| k == "content-type" && v.starts_with("application/x-www-form-urlencoded"));
    let body = match &request.body {
        None => "none".to_owned(),
        Some(b) if form => {
            let mut pairs: Vec<(String, String)> =
                form_urlencoded::parse(b.as_bytes()).into_owned().collect();
            pairs.sort();
            format!("form {pairs:?}")
        }
        Some(b) => match serde_json::from_str::<serde_json::Value>(b) {
            Ok(v) => format!("json {v}"),
            Err(_) => format!("text {b}"),
        },
    };
    (
        request.method.clone(),
        path.trim_end_matches('/').to_owned(),
        query_pairs,
        h,
        body,
    )
}

/// Exports `template`, imports the command into `dir`, and renders the import.
fn round_trip(
    template: &PayloadTemplate,
    dir: &Path,
    name: &str,
) -> (RenderedRequest, RenderedRequest, String) {
    let env = env();
    let mut vars = BTreeMap::new();
    let before = render(template, &env, &mut vars);
    let command = curl::export(&before, &env).text;
    let request = curl::parse(&command, dir).unwrap_or_else(|e| panic!("{e}\n{command}"));
    let imported = curl::import(&request, &env).unwrap_or_else(|e| panic!("{e}\n{command}"));
    let body = dir.join(format!("{name}.json"));
    std::fs::write(&body, &imported.body).unwrap();
    std::fs::write(body.with_extension("toml"), &imported.sidecar).unwrap();
    let again = PayloadTemplate::load(&body)
        .unwrap_or_else(|e| panic!("{e}\n{}\n{}", imported.body, imported.sidecar));
    let after = render(&again, &env, &mut vars);
    (
        before,
        after,
        format!("{command}\n{}\n{}", imported.body, imported.sidecar),
    )
}

#[test]
fn every_shipped_payload_comes_back_as_the_same_request() {
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("payloads");
    let mut stack = vec![root];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "json") {
                files.push(p);
            }
        }
    }
    assert!(files.len() >= 29);
    for (i, file) in files.iter().enumerate() {
        let template = PayloadTemplate::load(file).unwrap();
        let (before, after, context) = round_trip(&template, dir.path(), &format!("p{i}"));
        assert_eq!(
            meaning(&after),
            meaning(&before),
            "{}\n{context}",
            file.display()
        );
        // The catalogue knows the op again (a shipped sidecar that names one).
        let original_op = template.sidecar.sidecar.op.clone();
        if let Some(op) = original_op {
            assert!(
                context.contains(&format!("op = \"{op}\"")),
                "{}: {context}",
                file.display()
            );
        }
    }
}

/// Text without `$` (a shell variable reference reads back as a variable) or `{` (a
/// placeholder), with quotes, backslashes, newlines and non-ASCII.
fn text() -> impl Strategy<Value = String> {
    proptest::string::string_regex("[ -#%-z|~é中\n\t'\"\\\\]{0,12}").unwrap()
}

fn header_value() -> impl Strategy<Value = String> {
    proptest::string::string_regex("[!-#%-z|~][ -#%-z|~]{0,10}[!-#%-z|~]").unwrap()
}

fn toml_string(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn generated_requests_come_back_the_same(
        method in prop::sample::select(vec!["GET", "POST", "PUT", "PATCH", "DELETE"]),
        form in any::<bool>(),
        fields in prop::collection::btree_map("[a-z][a-z0-9_.]{0,6}", text(), 0..4),
        headers in prop::collection::btree_map("x-[a-z0-9-]{1,8}", header_value(), 0..3),
        query in prop::collection::btree_map("[a-z]{1,6}", text(), 0..3),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let body = serde_json::to_string_pretty(&fields).unwrap();
        let mut sidecar = format!("backend = \"agora_chat\"\nmethod = \"{method}\"\npath = \"/gen/path\"\n");
        if form {
            sidecar.push_str("encoding = \"form\"\n");
        }
        sidecar.push_str("[headers]\n");
        for (k, v) in &headers {
            writeln!(sidecar, "{k} = {}", toml_string(v)).unwrap();
        }
        sidecar.push_str("[query]\n");
        for (k, v) in &query {
            writeln!(sidecar, "{k} = {}", toml_string(v)).unwrap();
        }
        let file = dir.path().join("gen.json");
        std::fs::write(&file, &body).unwrap();
        std::fs::write(file.with_extension("toml"), &sidecar).unwrap();
        let template = PayloadTemplate::load(&file).unwrap();
        let (before, after, context) = round_trip(&template, dir.path(), "back");
        prop_assert_eq!(meaning(&after), meaning(&before), "{}", context);
    }
}
