//! A prepared request as a curl command line.
//!
//! The input is [`crate::session::Prepared::redacted`]: the very request `send` puts on the
//! wire (method, URL with its query, headers in order, the body bytes in its encoding), with
//! each secret and minted auth built-in left as its `{{name}}`. Each such placeholder becomes
//! a double-quoted shell variable reference between single-quoted literal text, so the
//! secret is never printed and every other byte reaches curl exactly as written.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::shell::{push_quoted, quote, variable_name};
use crate::collection::{variables_in, PayloadTemplate, TemplateError, AUTH_BUILTINS};
use crate::config::{Environment, VariableSource};
use crate::http::RenderedRequest;
use crate::session::Session;

/// An exported command and the shell variables it needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Export {
    /// `# needs $VAR: …` comment lines, then the command over several lines (`\` continued).
    pub text: String,
    /// Shell variable → how to set it, in name order.
    pub needs: BTreeMap<String, String>,
}

/// Where a placeholder sits, for the note on encoding its value.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    Plain,
    Encoded,
}

/// The curl command for a redacted request sent in environment `env`. The method is written
/// only where curl would not infer it (`GET` without a body, `POST` with one).
pub fn export(request: &RenderedRequest, env: &Environment) -> Export {
    let mut needs = BTreeMap::new();
    let mut lines = Vec::new();
    let url = match request.url.split_once('?') {
        // Adjacent shell words join: the query's placeholders get the URL-encoding note.
        Some((path, query)) if !variables_in(query).is_empty() => {
            let mut url = word(path, env, Place::Plain, &mut needs);
            url.push_str(&word(&format!("?{query}"), env, Place::Encoded, &mut needs));
            url
        }
        _ => word(&request.url, env, Place::Plain, &mut needs),
    };
    lines.push(format!("curl {url}"));
    let inferred = match request.body {
        Some(_) => "POST",
        None => "GET",
    };
    if request.method != inferred {
        lines.push(format!("-X {}", quote(&request.method)));
    }
    let form = request.headers.iter().any(|(k, v)| {
        k.eq_ignore_ascii_case("content-type") && crate::collection::form::is_form_content_type(v)
    });
    for (name, value) in &request.headers {
        let header = word(&format!("{name}: {value}"), env, Place::Plain, &mut needs);
        lines.push(format!("-H {header}"));
    }
    if let Some(body) = &request.body {
        let place = if form { Place::Encoded } else { Place::Plain };
        lines.push(format!("--data-raw {}", word(body, env, place, &mut needs)));
    }
    let mut text = String::new();
    for (var, how) in &needs {
        let _ = writeln!(text, "# needs ${var}: {how}");
    }
    text.push_str(&lines.join(" \\\n  "));
    text.push('\n');
    Export { text, needs }
}

/// One shell word: literal text single-quoted, each `{{name}}` a `"$VAR"` reference.
fn word(
    text: &str,
    env: &Environment,
    place: Place,
    needs: &mut BTreeMap<String, String>,
) -> String {
    let vars = variables_in(text);
    if vars.is_empty() {
        return quote(text);
    }
    let mut out = String::new();
    let mut at = 0;
    for var in vars {
        push_quoted(&mut out, &text[at..var.span.start]);
        let (shell, mut how) = shell_variable(&var.name, env);
        if place == Place::Encoded {
            how.push_str(" (URL-encoded: it goes into a query or form)");
        }
        let _ = write!(out, "\"${shell}\"");
        needs.entry(shell).or_insert(how);
        at = var.span.end;
    }
    push_quoted(&mut out, &text[at..]);
    if out.is_empty() {
        out.push_str("''");
    }
    out
}

/// The shell variable a placeholder becomes, and how to set it.
fn shell_variable(name: &str, env: &Environment) -> (String, String) {
    let shell = variable_name(name);
    if let Some(builtin) = AUTH_BUILTINS.iter().find(|b| b.name == name) {
        let env_flag = if env.is_sandbox() {
            String::new()
        } else {
            format!(" --env {}", env.name)
        };
        let how = match name {
            "$agora_app_token" => format!(
                "{}; apiplay mints it at each send, and for curl `export {shell}=$(apiplay token new agora-chat-app{env_flag})` does",
                builtin.what
            ),
            "$twilio_basic" => format!(
                "{}: `Basic ` and the base64 of SID:SECRET from {}, e.g. `export {shell}=\"Basic $(printf %s \"$SID:$SECRET\" | base64 -w0)\"`",
                builtin.what, builtin.needs
            ),
            _ => format!(
                "{}, minted by apiplay at each send from {}; curl cannot mint it (`apiplay send` sends this request with a fresh one)",
                builtin.what, builtin.needs
            ),
        };
        return (shell, how);
    }
    match env.variables.get(name).map(|v| &v.source) {
        Some(VariableSource::Env { env: process }) => (
            process.clone(),
            format!("{{{{{name}}}}}, the secret apiplay reads from ${process} too"),
        ),
        Some(VariableSource::Literal(_)) if env.is_sandbox() => (
            shell,
            format!("{{{{{name}}}}}, the sandbox's demo value (`apiplay sandbox` prints it)"),
        ),
        Some(VariableSource::Literal(_)) => (
            shell,
            format!("{{{{{name}}}}}, a secret of environment `{}`", env.name),
        ),
        None => (shell, format!("the value of {{{{{name}}}}}")),
    }
}

/// The curl command for a payload as `session` would send it: its [`Session::prepare`]d
/// request (redacted), moved from the embedded sandbox to the standalone one at
/// `sandbox_url`, whose start command heads the text then.
pub fn for_session(
    session: &Session,
    template: &PayloadTemplate,
    overrides: BTreeMap<String, serde_json::Value>,
    sandbox_url: &str,
) -> Result<Export, TemplateError> {
    let prepared = session.prepare(template, overrides)?;
    let mut request = prepared.redacted().clone();
    let mut out = match session.sandbox_url() {
        Some(root) => {
            rebase(&mut request, &root, sandbox_url);
            export(&request, session.environment())
        }
        None => return Ok(export(&request, session.environment())),
    };
    out.text = format!(
        "# the sandbox environment: run `apiplay sandbox --listen {}` first\n{}",
        sandbox_url
            .trim_start_matches("http://")
            .trim_end_matches('/'),
        out.text
    );
    Ok(out)
}

/// `request` with its URL moved from the root `from` to the root `to` (the embedded sandbox,
/// which lives as long as apiplay, to a standalone `apiplay sandbox`).
pub fn rebase(request: &mut RenderedRequest, from: &str, to: &str) {
    let from = from.trim_end_matches('/');
    if let Some(rest) = request.url.strip_prefix(from) {
        if rest.is_empty() || rest.starts_with(['/', '?']) {
            request.url = format!("{}{rest}", to.trim_end_matches('/'));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(
        method: &str,
        url: &str,
        headers: &[(&str, &str)],
        body: Option<&str>,
    ) -> RenderedRequest {
        RenderedRequest {
            method: method.to_owned(),
            url: url.to_owned(),
            headers: headers
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            body: body.map(str::to_owned),
        }
    }

    #[test]
    fn placeholders_become_variable_references_between_quoted_literals() {
        let env = Environment::sandbox();
        let out = export(
            &request(
                "POST",
                "http://h/x?a=it's",
                &[("Authorization", "Bearer {{$agora_app_token}}")],
                Some(r#"{"token":"{{mesibo_app_token}}"}"#),
            ),
            &env,
        );
        assert_eq!(
            out.text
                .lines()
                .filter(|l| !l.starts_with('#'))
                .collect::<Vec<_>>(),
            [
                r"curl 'http://h/x?a=it'\''s' \",
                r#"  -H 'Authorization: Bearer '"$AGORA_APP_TOKEN" \"#,
                r#"  --data-raw '{"token":"'"$MESIBO_APP_TOKEN"'"}'"#,
            ]
        );
        assert!(out.needs["AGORA_APP_TOKEN"].contains("apiplay token new agora-chat-app)"));
        assert!(out.needs["MESIBO_APP_TOKEN"].contains("demo value"));
    }

    #[test]
    fn the_method_is_written_only_where_curl_would_not_infer_it() {
        let env = Environment::sandbox();
        let get = export(&request("GET", "http://h/a", &[], None), &env);
        assert_eq!(get.text, "curl http://h/a\n");
        let delete = export(&request("DELETE", "http://h/a", &[], None), &env);
        assert_eq!(delete.text, "curl http://h/a \\\n  -X DELETE\n");
    }

    #[test]
    fn rebase_moves_only_that_root() {
        let mut r = request("GET", "http://127.0.0.1:4000/backend/?x=1", &[], None);
        rebase(&mut r, "http://127.0.0.1:4000", "http://127.0.0.1:8787");
        assert_eq!(r.url, "http://127.0.0.1:8787/backend/?x=1");
        let mut other = request("GET", "http://127.0.0.1:40001/", &[], None);
        rebase(&mut other, "http://127.0.0.1:4000", "http://x");
        assert_eq!(other.url, "http://127.0.0.1:40001/");
    }
}
