//! Errors as they reach the TUI: the library's own types, not their text, so the screen can
//! decide how to show each one. A refusal located in a sidecar names the sidecar and leaves
//! the body unmarked; one located in the body marks the spot; an unknown variable says what
//! the TUI offers (not the CLI's `--var`); a network error names the URL and what to do.

use std::path::Path;

use crate::collection::TemplateError;
use crate::history::HistoryError;
use crate::http::HttpError;

/// Why a send (or replay) showed no response.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// The request could not be rendered: nothing went out.
    #[error(transparent)]
    Refused(#[from] TemplateError),
    /// It went out and no answer came (secrets already scrubbed from the text).
    #[error(transparent)]
    Network(#[from] HttpError),
    /// The exchange to replay could not be read from the history.
    #[error("{0}")]
    Replay(String),
    /// The session could not start (apiplay.toml, the sandbox, the history).
    #[error("{0}")]
    Session(String),
}

/// Why the History or Tokens list could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ListError {
    /// The history file: its text names the file and what to do.
    #[error(transparent)]
    History(#[from] HistoryError),
    /// The session could not start.
    #[error("{0}")]
    Session(String),
}

impl ListError {
    /// How the TUI shows it: the whole text in the error panel when it does not fit the
    /// status line (the history's advice, `mv … .bak`, is at its end).
    pub fn shown(&self, what: &'static str) -> Shown {
        Shown {
            title: what,
            message: self.to_string(),
            body_at: None,
        }
    }
}

/// How an error is shown: the panel's title, the text, and the place in the editor's body
/// to mark, if the error is there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown {
    /// The panel's title (and the status line's, when the text needs the panel).
    pub title: &'static str,
    /// The whole text.
    pub message: String,
    /// 1-based line and column in the body, for errors located in it.
    pub body_at: Option<(usize, usize)>,
}

/// Whether `file` names a sidecar (`NAME.toml`) rather than a body.
fn is_sidecar(file: &str) -> bool {
    Path::new(file)
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("toml"))
}

impl SendError {
    /// How the TUI shows it.
    pub fn shown(&self) -> Shown {
        match self {
            SendError::Refused(e) => refusal(e),
            // The library's text names the URL and what to do.
            SendError::Network(e) => Shown {
                title: "the request failed",
                message: e.to_string(),
                body_at: None,
            },
            SendError::Replay(text) => Shown {
                title: "cannot replay",
                message: text.clone(),
                body_at: None,
            },
            SendError::Session(text) => Shown {
                title: "the request failed",
                message: text.clone(),
                body_at: None,
            },
        }
    }
}

fn refusal(e: &TemplateError) -> Shown {
    let (message, body_at) = match e {
        TemplateError::Sidecar {
            path,
            line,
            col,
            message,
        } => (
            format!(
                "the sidecar {}:{line}:{col} is invalid: {message}; F2 edits it",
                path.display()
            ),
            None,
        ),
        TemplateError::UnknownVariable {
            file,
            line,
            col,
            name,
            environment,
        } => {
            let place = if is_sidecar(file) {
                format!("the sidecar {file}:{line}:{col}")
            } else {
                format!("{file}:{line}:{col}")
            };
            (
                format!(
                    "{place}: unknown variable `{name}`; define it in apiplay.toml under [environments.{environment}.variables], or send first the payload that captures it (Ctrl+T lists the variables)"
                ),
                (!is_sidecar(file)).then_some((*line, *col)),
            )
        }
        TemplateError::InvalidJson {
            file, line, col, ..
        }
        | TemplateError::Variable {
            file, line, col, ..
        } => {
            let text = e.to_string();
            if is_sidecar(file) {
                (format!("the sidecar {text}"), None)
            } else {
                (text, Some((*line, *col)))
            }
        }
        other => (other.to_string(), None),
    };
    Shown {
        title: "not sent",
        message: format!("not sent: {message}"),
        body_at,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_type_decides_where_the_error_points() {
        let sidecar = SendError::Refused(TemplateError::Sidecar {
            path: "payloads/agora/app-token.toml".into(),
            line: 4,
            col: 9,
            message: "expected `=`".into(),
        })
        .shown();
        assert_eq!(sidecar.body_at, None, "the body is not marked");
        assert_eq!(
            sidecar.message,
            "not sent: the sidecar payloads/agora/app-token.toml:4:9 is invalid: expected `=`; F2 edits it"
        );
        let in_header = SendError::Refused(TemplateError::UnknownVariable {
            file: "payloads/agora/app-token.toml".into(),
            line: 7,
            col: 18,
            name: "agora_chat_token".into(),
            environment: "sandbox".into(),
        })
        .shown();
        assert_eq!(in_header.body_at, None);
        assert!(in_header
            .message
            .starts_with("not sent: the sidecar payloads/agora/app-token.toml:7:18: unknown variable `agora_chat_token`"));
        assert!(
            !in_header.message.contains("--var"),
            "a CLI flag: {}",
            in_header.message
        );
        let in_body = SendError::Refused(TemplateError::UnknownVariable {
            file: "payloads/mesibo/useradd.json".into(),
            line: 1,
            col: 26,
            name: "app_token".into(),
            environment: "sandbox".into(),
        })
        .shown();
        assert_eq!(in_body.body_at, Some((1, 26)));
        let network = SendError::Network(HttpError::Connect {
            url: "http://127.0.0.1:9/backend/".into(),
            message: "tcp connect error: Connection refused (os error 111)".into(),
        })
        .shown();
        assert_eq!(network.title, "the request failed");
        assert_eq!(
            network.message,
            "cannot connect to http://127.0.0.1:9/backend/: tcp connect error: Connection refused (os error 111); is the server running and the URL right?"
        );
    }
}
