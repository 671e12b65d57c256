//! One token auto-detection for the CLI (`apiplay token decode`) and the TUI: the format
//! decoders first (007, 006, T1, JWTs), then the history, where tokens that carry nothing
//! readable (mesibo user tokens, Agora Chat REST tokens) are known by the response that issued
//! them.

use super::{HistoryError, Store};
use crate::tokens::{self, DecodeError, DecodedToken};

/// Why a token could not be identified.
#[derive(Debug, thiserror::Error)]
pub enum IdentifyError {
    /// No decoder knows it and the history has not recorded it.
    #[error("{0}, and it is not a token apiplay recorded (mesibo and Agora Chat REST tokens are known by the response that issued them)")]
    Unknown(DecodeError),
    /// A decoder recognised the format, but the token is malformed.
    #[error(transparent)]
    Malformed(DecodeError),
    /// The history could not be read.
    #[error(transparent)]
    History(#[from] HistoryError),
}

/// Decodes `token` by its format, else finds it in `store`.
pub fn identify(token: &str, store: Option<&Store>) -> Result<DecodedToken, IdentifyError> {
    let token = token.trim();
    match tokens::decode(token) {
        Ok(decoded) => Ok(decoded),
        Err(DecodeError::Unrecognized) => {
            let found = match store {
                Some(store) => store.find_token(token)?,
                None => None,
            };
            let Some(found) = found else {
                return Err(IdentifyError::Unknown(DecodeError::Unrecognized));
            };
            let t = found.token;
            Ok(DecodedToken {
                notes: Vec::new(),
                format: t.format,
                app: t.app,
                subject: t.subject,
                issued_at: Some(t.issued_at),
                expires_at: t.expires_at,
                claims: t.claims,
            })
        }
        Err(e) => Err(IdentifyError::Malformed(e)),
    }
}
