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
