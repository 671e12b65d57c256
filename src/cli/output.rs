//! How the headless commands print: response bodies (pretty, compact or raw; highlighted only
//! on a terminal without `NO_COLOR`), status lines and token summaries.

use std::io::Write;

use super::send::OutputMode;
use crate::clock;
use crate::highlight;
use crate::history::{IssuedToken, Recorded};
use crate::http::{Exchange, Response};

/// Whether colour may be used at all (`NO_COLOR` unset or empty).
pub fn colour_allowed() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// `200 OK · 3.1 ms · 142 B · POST http://… · exchange #12`.
pub fn status_line(
    exchange: &Exchange,
    response: &Response,
    recorded: Option<&Recorded>,
    colour: bool,
) -> String {
    let reason = crate::http::reason(response.status);
    let mut status = format!("{} {reason}", response.status);
    if colour {
        let code = if response.refused() { 31 } else { 32 };
        status = format!("\x1b[1;{code}m{status}\x1b[0m");
    }
    let id = recorded.map_or_else(String::new, |r| format!(" · exchange #{}", r.exchange_id));
    format!(
        "{status} · {:.1} ms · {} · {} {}{id}",
        response.elapsed_ms,
        crate::http::human_size(response.body.len()),
        exchange.request.method,
        exchange.request.url
    )
}

/// `token mesibo for xyz@example.com (app com.mesibo.firstapp), expires in 364d 23h`.
pub fn token_line(token: &IssuedToken) -> String {
    let (subject, left) = subject_and_left(token);
    let app = token
        .app
        .as_deref()
        .map_or_else(String::new, |a| format!(" (app {a})"));
    format!("token {}{subject}{app}, {left}", token.format)
}

/// [`token_line`] without the app (`token mesibo for alice@example.com, expires in 365d`),
/// for the TUI's one status line; the Tokens tab shows the app.
pub fn token_brief(token: &IssuedToken) -> String {
    let (subject, left) = subject_and_left(token);
    format!("token {}{subject}, {left}", token.format)
}

fn subject_and_left(token: &IssuedToken) -> (String, String) {
    let subject = token
        .subject
        .as_deref()
        .map_or_else(String::new, |s| format!(" for {s}"));
    let left = token.expires_at.map_or_else(
        || "no expiry known".to_owned(),
        |e| clock::time_left(e, clock::now_unix()),
    );
    (subject, left)
}

/// At most 60 characters of a value, for one-line summaries.
pub fn short(text: &str) -> String {
    if text.chars().count() <= 60 {
        text.to_owned()
    } else {
        format!("{}…", text.chars().take(59).collect::<String>())
    }
}

/// Prints a body: JSON pretty or compact (highlighted when `colour`), anything else as text
/// with control characters made visible, or the raw bytes in `Raw` mode.
pub fn body(
    out: &mut impl Write,
    body: &[u8],
    mode: OutputMode,
    colour: bool,
) -> std::io::Result<()> {
    if mode == OutputMode::Raw {
        return out.write_all(body);
    }
    if let Ok(json) = serde_json::from_slice::<serde_json::Value>(body) {
        let text = match mode {
            OutputMode::Json => json.to_string(),
            _ => serde_json::to_string_pretty(&json).unwrap_or_else(|_| json.to_string()),
        };
        let text = text + "\n";
        return if colour {
            out.write_all(highlight::json_ansi(&text).as_bytes())
        } else {
            out.write_all(text.as_bytes())
        };
    }
    if body.is_empty() {
        return Ok(());
    }
    let text = String::from_utf8_lossy(body);
    if matches!(text, std::borrow::Cow::Owned(_)) {
        say!("note: the body is not valid UTF-8; invalid bytes are shown as �, use --output raw for the bytes");
    }
    let safe: String = text
        .chars()
        .map(|c| {
            if c.is_control() && c != '\n' && c != '\t' {
                char::REPLACEMENT_CHARACTER
            } else {
                c
            }
        })
        .collect();
    writeln!(out, "{}", safe.trim_end_matches('\n'))
}

/// Prints what `filter` makes of a JSON body, one output after another: pretty (highlighted
/// when `colour`), compact with `Json`, and strings unquoted with `Raw` (as `jq -r`).
pub fn filtered(
    out: &mut impl Write,
    filter: &crate::filter::Filter,
    body: &[u8],
    mode: OutputMode,
    colour: bool,
) -> anyhow::Result<()> {
    let values = filter.run(body)?;
    let mut text = Vec::new();
    for value in &values {
        crate::filter::write_value(
            &mut text,
            value,
            mode == OutputMode::Pretty,
            mode == OutputMode::Raw,
        )?;
    }
    if colour && mode != OutputMode::Raw {
        out.write_all(highlight::json_ansi(&String::from_utf8_lossy(&text)).as_bytes())?;
    } else {
        out.write_all(&text)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn print(body: &[u8], mode: OutputMode, colour: bool) -> String {
        let mut out = Vec::new();
        super::body(&mut out, body, mode, colour).unwrap();
        String::from_utf8_lossy(&out).into_owned()
    }

    #[test]
    fn bodies_print_by_mode() {
        let json = br#"{"b":1,"a":[true]}"#;
        assert_eq!(
            print(json, OutputMode::Json, false),
            "{\"b\":1,\"a\":[true]}\n"
        );
        assert_eq!(
            print(json, OutputMode::Pretty, false),
            "{\n  \"b\": 1,\n  \"a\": [\n    true\n  ]\n}\n"
        );
        assert!(print(json, OutputMode::Pretty, true).contains("\x1b["));
        assert_eq!(
            print(b"\x1b[2Jhi\xff", OutputMode::Pretty, false),
            "\u{fffd}[2Jhi\u{fffd}\n"
        );
        assert_eq!(
            print(b"\xff\x00", OutputMode::Raw, false).as_bytes(),
            "\u{fffd}\0".as_bytes()
        );
    }
}
