//! Errors as they reach the TUI: the library's own types, not their text, so the screen can
//! decide how to show each one. A refusal located in a sidecar names the sidecar and leaves
//! the body unmarked; one located in the body marks the spot; an unknown variable says what
//! the TUI offers (not the CLI's `--var`); a network error names the URL and what to do.

use std::path::{Path, PathBuf};

use crate::collection::TemplateError;
use crate::config::{ConfigError, MintReason};
use crate::history::{HistoryError, IdentifyError};
use crate::http::HttpError;
use crate::session::ExchangeError;

/// Why the session (apiplay.toml, the embedded sandbox, the history) is not there: it could
/// not start, or not switch to another environment. The text is the whole chain of causes,
/// naming the file and what to do.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    /// Starting it failed; every action that needs it will try again.
    #[error("{}", crate::exit::anyhow_text(.0))]
    Start(anyhow::Error),
    /// Switching environment failed; the environment in use stays.
    #[error("{}", crate::exit::anyhow_text(.0))]
    Switch(anyhow::Error),
}

impl SessionError {
    /// The panel's title: what could not be done, and where the cause lives.
    pub fn title(&self) -> &'static str {
        let (Self::Start(e) | Self::Switch(e)) = self;
        let in_config = e.chain().any(<dyn std::error::Error>::is::<ConfigError>);
        match (self, in_config) {
            (Self::Start(_), true) => "the session could not start: apiplay.toml",
            (Self::Start(_), false) => "the session could not start",
            (Self::Switch(_), _) => "cannot switch environment",
        }
    }
}

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
    #[error(transparent)]
    Replay(#[from] ExchangeError),
    /// The session could not start (apiplay.toml, the sandbox, the history).
    #[error(transparent)]
    Session(#[from] SessionError),
}

/// Why a background job that has no pane of its own failed.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// The session could not start (apiplay.toml, the sandbox, the history) or switch
    /// environment; the text names the file and what to do.
    #[error(transparent)]
    Session(#[from] SessionError),
    /// The collection folder cannot be watched for changes made outside apiplay (F6 reads
    /// it again by hand).
    #[error("{} is not watched ({source}): F6 on the Payloads tab shows files changed outside apiplay", root.display())]
    Watch {
        /// The collection folder.
        root: std::path::PathBuf,
        /// The watcher's reason.
        #[source]
        source: notify::Error,
    },
}

impl JobError {
    /// How the TUI shows it.
    pub fn shown(&self) -> Shown {
        Shown {
            title: match self {
                JobError::Session(e) => e.title(),
                JobError::Watch { .. } => "files are not watched",
            },
            message: self.to_string(),
            body_at: None,
        }
    }

    /// Whether the user must read it before going on (a panel), or a warning will do.
    pub fn must_read(&self) -> bool {
        matches!(self, JobError::Session(_))
    }
}

/// Why the History or Tokens list, or one exchange of it, could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ListError {
    /// The history file: its text names the file and what to do.
    #[error(transparent)]
    History(#[from] HistoryError),
    /// The exchange asked for is not there, or there is no history.
    #[error(transparent)]
    Exchange(#[from] ExchangeError),
    /// The session could not start.
    #[error(transparent)]
    Session(#[from] SessionError),
}

/// Why a pasted curl command was not imported (no file was written).
#[derive(Debug, thiserror::Error)]
pub enum CurlImportError {
    /// The session (for the environment's URLs) could not start.
    #[error(transparent)]
    Session(#[from] SessionError),
    /// The working folder, which relative `@file` arguments are read from, is gone.
    #[error("cannot read the working folder: {0}")]
    Cwd(#[source] std::io::Error),
    /// The command is not one curl would run.
    #[error(transparent)]
    Parse(#[from] crate::curl::ParseError),
    /// The request cannot be a payload (its text says why and what to change).
    #[error(transparent)]
    Import(#[from] crate::curl::ImportError),
    /// The payload files could not be written.
    #[error(transparent)]
    Save(#[from] crate::curl::SaveError),
}

/// Why a body was not written to a file (`w` in the response, or a long curl command).
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// There is no data folder to write into.
    #[error(transparent)]
    DataDir(#[from] ConfigError),
    /// The `exports` folder could not be made.
    #[error("cannot create {}: {source}", path.display())]
    Folder {
        /// The folder.
        path: PathBuf,
        /// The operating system's reason.
        #[source]
        source: std::io::Error,
    },
    /// The file could not be written.
    #[error(transparent)]
    Write(#[from] crate::fsio::WriteError),
}

/// Why the token workbench has no decoded or minted token to show.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// The session (its environment's credentials, the history) could not start.
    #[error(transparent)]
    Session(#[from] SessionError),
    /// The pasted text is not a token apiplay knows.
    #[error("cannot decode the token: {0}; paste the whole token")]
    Decode(#[source] IdentifyError),
    /// The form cannot make a token (a credential is missing or invalid).
    #[error("{}", crate::exit::anyhow_text(.0))]
    Mint(anyhow::Error),
    /// The token was minted but does not decode: a bug in apiplay.
    #[error("the minted token does not decode: {0}")]
    Undecodable(#[source] crate::tokens::DecodeError),
    /// The token was minted but the token history could not keep it.
    #[error("minted, but not recorded in the token history: {0}")]
    NotRecorded(#[source] HistoryError),
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
            SendError::Replay(e) => Shown {
                title: "cannot replay",
                message: e.to_string(),
                body_at: None,
            },
            SendError::Session(e) => Shown {
                title: e.title(),
                message: e.to_string(),
                body_at: None,
            },
        }
    }
}

fn refusal(e: &TemplateError) -> Shown {
    let (message, body_at) = located(e);
    Shown {
        title: "not sent",
        message: format!("not sent: {message}"),
        body_at,
    }
}

/// How a payload that could not be opened (or whose sidecar could not be read again) is
/// shown: as a refusal is, pointing at the sidecar when the error is there.
pub fn unopened(title: &'static str, e: &TemplateError) -> Shown {
    let (message, body_at) = located(e);
    Shown {
        title,
        message,
        body_at,
    }
}

/// A variable's failure in the TUI's terms: an input a built-in is minted from is entered
/// with `e` in the variables view, not with the command line's `--var`.
pub fn config_text(e: &ConfigError) -> String {
    match e {
        ConfigError::Mint {
            builtin,
            environment,
            reason: MintReason::Missing(var),
        } => format!(
            "cannot mint {{{{{builtin}}}}} in environment `{environment}`: it needs the variable `{var}`; define it under [environments.{environment}.variables] in apiplay.toml, or enter it for this session (Ctrl+T, then e on `{var}`)"
        ),
        other => other.to_string(),
    }
}

/// The text of a template error and, when it is in the body, its line and column there.
fn located(e: &TemplateError) -> (String, Option<(usize, usize)>) {
    match e {
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
            let text = match e {
                TemplateError::Variable { source, .. } => {
                    format!("{file}:{line}:{col}: {}", config_text(source))
                }
                _ => e.to_string(),
            };
            if is_sidecar(file) {
                (format!("the sidecar {text}"), None)
            } else {
                (text, Some((*line, *col)))
            }
        }
        other => (other.to_string(), None),
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

    #[test]
    fn a_payload_that_cannot_open_points_at_the_sidecar_or_the_file() {
        let sidecar = unopened(
            "cannot read the sidecar",
            &TemplateError::Sidecar {
                path: "payloads/twilio/user-fetch.toml".into(),
                line: 2,
                col: 1,
                message: "invalid table header".into(),
            },
        );
        assert_eq!(sidecar.title, "cannot read the sidecar");
        assert_eq!(
            sidecar.message,
            "the sidecar payloads/twilio/user-fetch.toml:2:1 is invalid: invalid table header; F2 edits it"
        );
        assert_eq!(sidecar.body_at, None);
        let unreadable = unopened(
            "cannot open the payload",
            &TemplateError::Io {
                path: "payloads/a.json".into(),
                message: "Permission denied (os error 13)".into(),
            },
        );
        assert_eq!(
            unreadable.message,
            "cannot read payloads/a.json: Permission denied (os error 13)"
        );
    }

    #[test]
    fn a_session_that_cannot_start_must_be_read_and_an_unwatched_folder_is_a_warning() {
        let config = ConfigError::UnknownEnvironment {
            name: "nope".into(),
            known: "sandbox".into(),
        };
        let session = JobError::Session(SessionError::Start(anyhow::Error::new(config)));
        assert!(session.must_read());
        let shown = session.shown();
        assert_eq!(shown.title, "the session could not start: apiplay.toml");
        assert!(shown.message.contains("nope"), "{}", shown.message);
        let sandbox = SessionError::Start(
            anyhow::Error::new(std::io::Error::from(std::io::ErrorKind::AddrInUse))
                .context("starting the embedded sandbox"),
        );
        assert_eq!(sandbox.title(), "the session could not start");
        assert!(
            sandbox
                .to_string()
                .starts_with("starting the embedded sandbox: "),
            "the whole chain: {sandbox}"
        );
        let watch = JobError::Watch {
            root: "payloads".into(),
            source: notify::Error::generic("inotify watch limit reached"),
        };
        assert!(!watch.must_read());
        assert!(watch
            .shown()
            .message
            .starts_with("payloads is not watched (inotify watch limit reached)"));
    }

    #[test]
    fn a_mint_input_that_is_missing_is_entered_in_the_variables_view_not_with_var() {
        let missing = ConfigError::Mint {
            builtin: "$twilio_basic".into(),
            environment: "prod".into(),
            reason: MintReason::Missing("twilio_api_key_secret".into()),
        };
        assert!(missing
            .to_string()
            .contains("--var twilio_api_key_secret=…"));
        let refused = SendError::Refused(TemplateError::Variable {
            file: "payloads/twilio/user-fetch.toml".into(),
            line: 8,
            col: 17,
            source: missing,
        })
        .shown();
        assert!(!refused.message.contains("--var"), "{}", refused.message);
        assert!(
            refused.message.ends_with(
                "or enter it for this session (Ctrl+T, then e on `twilio_api_key_secret`)"
            ),
            "{}",
            refused.message
        );
        assert!(refused.message.starts_with(
            "not sent: the sidecar payloads/twilio/user-fetch.toml:8:17: cannot mint"
        ));
    }
}
