//! The process exit codes of DESIGN.md, in one place so the CLI and the tests agree.

use std::process::ExitCode;

/// What a command's outcome means to a calling script.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Everything went as asked.
    Ok = 0,
    /// The API said no: HTTP 4xx/5xx, mesibo `"result": false`, an invalid token.
    ApiRefused = 1,
    /// Bad input: usage, invalid JSON, unknown variable, malformed token.
    BadInput = 2,
    /// The network failed: refused, DNS, TLS, timeout.
    Network = 3,
}

impl From<Outcome> for ExitCode {
    fn from(outcome: Outcome) -> Self {
        ExitCode::from(outcome as u8)
    }
}

/// Maps an error that reached the top of a command to its exit code: network failures are
/// 3, everything a user can fix in their input or files is 2.
pub fn classify(err: &anyhow::Error) -> Outcome {
    for cause in err.chain() {
        if let Some(http) = cause.downcast_ref::<crate::http::HttpError>() {
            return match http {
                crate::http::HttpError::InvalidRequest { .. } => Outcome::BadInput,
                _ => Outcome::Network,
            };
        }
    }
    Outcome::BadInput
}

/// An error and its causes on one line, `outer: inner: …`, each said once: a cause whose text
/// the message already holds (an error that prints its source and also returns it from
/// `source()`, as `io::Error` wrappers often do) is skipped, and multi-line parser messages
/// are joined with `; `. The CLI prints this after `error: `; the TUI shows it.
pub fn error_text(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = one_line(&err.to_string());
    let mut cause = err.source();
    while let Some(c) = cause {
        let part = one_line(&c.to_string());
        if !part.is_empty() && !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        cause = c.source();
    }
    text
}

/// [`error_text`] for an `anyhow` chain.
pub fn anyhow_text(err: &anyhow::Error) -> String {
    let root: &(dyn std::error::Error + 'static) = err.as_ref();
    error_text(root)
}

/// Joins the lines of a message with `; ` (the toml parser says `invalid table header` and
/// `expected …` on two lines).
pub fn one_line(message: &str) -> String {
    message
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("cannot listen on 127.0.0.1:8787: {source}")]
    struct Bind {
        source: std::io::Error,
    }

    #[test]
    fn each_cause_is_said_once_on_one_line() {
        let io = std::io::Error::new(std::io::ErrorKind::AddrInUse, "Address already in use");
        let err = anyhow::Error::new(Bind { source: io }).context("cannot start the sandbox");
        assert_eq!(
            anyhow_text(&err),
            "cannot start the sandbox: cannot listen on 127.0.0.1:8787: Address already in use"
        );
        let err = anyhow::anyhow!("./apiplay.toml:1:16: invalid table header\nexpected `.`, `]`\n");
        assert_eq!(
            anyhow_text(&err),
            "./apiplay.toml:1:16: invalid table header; expected `.`, `]`"
        );
    }
}
