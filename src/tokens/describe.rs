//! Human-readable accounts of decoded tokens, the lines `apiplay token decode` prints and the
//! TUI's token view can reuse. Times are shown as [`crate::clock`] shows them everywhere.

use std::fmt::Write as _;

use serde_json::Value;

use super::DecodedToken;
use crate::clock::{rfc3339 as utc, span, time_left as expiry_relative};

/// The lines of a readable account: (label, value) pairs in display order. Services and
/// grants come last, one line each with their privileges.
pub fn account(token: &DecodedToken, now: i64) -> Vec<(String, String)> {
    let mut lines = vec![("format".to_owned(), token.format.as_str().to_owned())];
    for note in &token.notes {
        lines.push(("note".into(), note.clone()));
    }
    if let Some(app) = &token.app {
        lines.push(("app/issuer".into(), app.clone()));
    }
    if let Some(subject) = &token.subject {
        lines.push(("subject".into(), subject.clone()));
    }
    if let Some(iat) = token.issued_at {
        lines.push((
            "issued".into(),
            format!("{} ({} ago)", utc(iat), span(now - iat)),
        ));
    }
    match token.expires_at {
        Some(exp) => lines.push((
            "expires".into(),
            format!("{} ({})", utc(exp), expiry_relative(exp, now)),
        )),
        None => lines.push(("expires".into(), "never (no expiry in the token)".into())),
    }
    let issue = token.issued_at.unwrap_or(0);
    if let Some(services) = token.claims.get("services").and_then(Value::as_array) {
        for service in services {
            lines.push(("service".into(), describe_service(service, issue)));
        }
    }
    if let Some(grants) = token.claims.get("grants").and_then(Value::as_object) {
        for (key, grant) in grants {
            if key != "identity" {
                lines.push(("grant".into(), format!("{key} {grant}")));
            }
        }
    }
    if let Some(role) = token.claims.get("role").and_then(Value::as_str) {
        lines.push(("role".into(), role.to_owned()));
    }
    if let Some(data) = token.claims.get("connection_data").and_then(Value::as_str) {
        lines.push(("connection data".into(), data.to_owned()));
    }
    lines
}

fn describe_service(service: &Value, issue: i64) -> String {
    let name = service.get("name").and_then(Value::as_str).unwrap_or("?");
    let mut out = name.to_owned();
    if let Some(obj) = service.as_object() {
        for (k, v) in obj {
            if matches!(k.as_str(), "name" | "type" | "privileges") {
                continue;
            }
            let _ = write!(out, " {k}={v}");
        }
    }
    if let Some(privs) = service.get("privileges").and_then(Value::as_object) {
        let list: Vec<String> = privs
            .iter()
            .map(|(k, v)| match v.as_i64() {
                Some(secs) => format!("{k} for {} (until {})", span(secs), utc(issue + secs)),
                None => format!("{k} {v}"),
            })
            .collect();
        let _ = write!(out, ": {}", list.join(", "));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokens::TokenFormat;
    use serde_json::json;

    #[test]
    fn account_lists_times_and_privileges() {
        let token = DecodedToken {
            notes: Vec::new(),
            format: TokenFormat::Agora007,
            app: Some("app".into()),
            subject: Some("alice".into()),
            issued_at: Some(1_000),
            expires_at: Some(1_000 + 86_400),
            claims: json!({"services": [{"type": 5, "name": "chat", "user_id": "alice",
                                         "privileges": {"user": 86_400}}]}),
        };
        let lines = account(&token, 1_060);
        let text: Vec<String> = lines.iter().map(|(k, v)| format!("{k}: {v}")).collect();
        assert_eq!(text[0], "format: agora-007");
        assert!(text[4].contains("expires in 23h 59m"), "{}", text[4]);
        assert!(
            text[5].starts_with("service: chat user_id=\"alice\": user for 1d"),
            "{}",
            text[5]
        );
        let expired = account(&token, 1_000 + 4 * 86_400);
        assert!(
            expired[4].1.ends_with("(expired 3d ago)"),
            "{}",
            expired[4].1
        );
    }
}
