//! Verifying a token of any detected format with whatever keys are at hand, and saying what
//! came of it in one line: the TUI's token workbench checks a pasted or minted token with the
//! environment's credentials (`apiplay token verify` takes them from options instead).

use std::fmt;

use super::{agora, opentok, twilio, vonage, DecodedToken, TokenFormat, VerifyError};
use crate::clock;

/// The secrets a check may use; `None` where the environment has none.
#[derive(Debug, Clone, Default)]
pub struct Keys {
    /// Agora app certificate (32 hex digits).
    pub agora_app_certificate: Option<String>,
    /// Twilio API key secret.
    pub twilio_api_key_secret: Option<String>,
    /// OpenTok (Vonage Video) API secret.
    pub opentok_api_secret: Option<String>,
    /// A Vonage application's private (or public) key, PEM text.
    pub vonage_key_pem: Option<String>,
}

/// What a check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The signature matches; `expires_at` repeats the token's expiry (Unix seconds).
    Valid {
        /// The format checked.
        format: TokenFormat,
        /// When it expires, if it says.
        expires_at: Option<i64>,
    },
    /// The signature was made with another key, or the token was altered.
    Mismatch(TokenFormat),
    /// The key at hand is unusable (not hex, not a PEM key …).
    BadKey(String),
    /// The token cannot be checked here; the text says why and what would.
    NotChecked(String),
}

impl Verdict {
    /// The one-line account at `now`: `valid: twilio-jwt signature matches; expires in 59m`.
    pub fn describe(&self, now: i64) -> String {
        match self {
            Verdict::Valid {
                format,
                expires_at: Some(exp),
            } if *exp <= now => format!(
                "invalid: {format} signature matches but the token {} ({})",
                clock::time_left(*exp, now),
                clock::rfc3339(*exp)
            ),
            Verdict::Valid {
                format,
                expires_at: Some(exp),
            } => format!(
                "valid: {format} signature matches; {}",
                clock::time_left(*exp, now)
            ),
            Verdict::Valid { format, .. } => {
                format!("valid: {format} signature matches; no expiry in the token")
            }
            Verdict::Mismatch(format) => format!(
                "invalid: signature does not match ({format} token; signed with another secret, or altered)"
            ),
            Verdict::BadKey(why) => format!("not verified: the environment's key is unusable: {why}"),
            Verdict::NotChecked(why) => format!("not verified: {why}"),
        }
    }

    /// Whether the token is good to use at `now` (signature matches, not expired).
    pub fn is_valid(&self, now: i64) -> bool {
        matches!(self, Verdict::Valid { expires_at, .. } if expires_at.is_none_or(|e| e > now))
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe(clock::now_unix()))
    }
}

/// Checks `token` (already decoded as `decoded`) with the matching key of `keys`;
/// `environment` names where the keys came from, for the "what to do" of a missing one.
pub fn check(token: &str, decoded: &DecodedToken, keys: &Keys, environment: &str) -> Verdict {
    let format = decoded.format;
    let missing = |variable: &str| {
        Verdict::NotChecked(format!(
            "{format} tokens are checked with `{variable}`, which environment `{environment}` does not set"
        ))
    };
    let result = match format {
        TokenFormat::Agora007 => match &keys.agora_app_certificate {
            Some(cert) => agora::verify(token, cert).map(|_| ()),
            None => return missing("agora_app_certificate"),
        },
        TokenFormat::TwilioJwt => match &keys.twilio_api_key_secret {
            Some(secret) => twilio::verify(token, secret).map(|_| ()),
            None => return missing("twilio_api_key_secret"),
        },
        TokenFormat::OpentokT1 | TokenFormat::OpentokJwt => match &keys.opentok_api_secret {
            Some(secret) if format == TokenFormat::OpentokT1 => {
                opentok::verify_t1(token, secret).map(|_| ())
            }
            Some(secret) => opentok::verify_jwt(token, secret).map(|_| ()),
            None => return missing("opentok_api_secret"),
        },
        TokenFormat::VonageJwt => match &keys.vonage_key_pem {
            Some(pem) => vonage::verify(token, pem).map(|_| ()),
            None => return missing("vonage_private_key"),
        },
        TokenFormat::Agora006 => {
            return Verdict::NotChecked(
                "agora-006 tokens carry only their channel's CRC32: check it with `apiplay token verify --channel NAME --uid UID`".to_owned(),
            )
        }
        TokenFormat::Mesibo | TokenFormat::AgoraChat | TokenFormat::Opaque => {
            return Verdict::NotChecked(format!(
                "{format} tokens have no signature apiplay can check (only the service that issued it can)"
            ))
        }
    };
    match result {
        Ok(()) => Verdict::Valid {
            format,
            expires_at: decoded.expires_at,
        },
        Err(VerifyError::SignatureMismatch) => Verdict::Mismatch(format),
        Err(VerifyError::BadKey(why)) => Verdict::BadKey(why),
        Err(VerifyError::Malformed(e)) => Verdict::NotChecked(format!("malformed: {e}")),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    use crate::sandbox::demo::{AGORA_APP_CERTIFICATE as CERT, AGORA_APP_ID as APP_ID};

    #[test]
    fn checks_with_the_matching_key_and_says_what_is_missing() {
        let token = agora::chat_user_token(APP_ID, CERT, "alice", 600, 1_000, 7).unwrap();
        let decoded = crate::tokens::decode(&token).unwrap();
        let keys = Keys {
            agora_app_certificate: Some(CERT.to_owned()),
            ..Keys::default()
        };
        let verdict = check(&token, &decoded, &keys, "sandbox");
        assert_eq!(
            verdict,
            Verdict::Valid {
                format: TokenFormat::Agora007,
                expires_at: Some(1_600)
            }
        );
        assert_eq!(
            verdict.describe(1_060),
            "valid: agora-007 signature matches; expires in 9m"
        );
        assert!(verdict.is_valid(1_060));
        assert!(!verdict.is_valid(1_600));
        assert!(verdict.describe(1_700).starts_with(
            "invalid: agora-007 signature matches but the token expired 1m 40s ago (1970-01-01T00:26:40Z)"
        ));
        let other = Keys {
            agora_app_certificate: Some("0".repeat(32)),
            ..Keys::default()
        };
        assert_eq!(
            check(&token, &decoded, &other, "sandbox"),
            Verdict::Mismatch(TokenFormat::Agora007)
        );
        let none = check(&token, &decoded, &Keys::default(), "cloud");
        assert_eq!(
            none.describe(0),
            "not verified: agora-007 tokens are checked with `agora_app_certificate`, which environment `cloud` does not set"
        );
    }
}
