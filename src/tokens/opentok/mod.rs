//! OpenTok (Vonage Video with project API keys): session ids, the options every client token
//! takes and their checks, the legacy `T1==` token ([`t1`]) and the HS256 JWT ([`hs256`]).

mod hs256;
pub(crate) mod t1;

use std::fmt;
use std::str::FromStr;

use base64::Engine;

pub use hs256::{build_jwt, decode_jwt, is_opentok_jwt, jwt_to_decoded, verify_jwt};
pub use t1::{build_t1, decode_t1, parse_t1, verify_t1, T1Token};

use super::codec::{self, URL_SAFE};
use super::jwt::EncodeError;
use super::DecodeError;

/// The longest a token may live: 30 days.
pub const MAX_LIFETIME_SECS: i64 = 30 * 24 * 60 * 60;
/// Default lifetime of a T1 or HS256 token: one day.
pub const DEFAULT_LIFETIME_SECS: i64 = 24 * 60 * 60;
/// Longest connection data (Python and Java SDKs; node allows 1024).
pub const MAX_CONNECTION_DATA: usize = 1000;

/// What a client connecting with the token may do.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Role {
    /// Receive streams only.
    Subscriber,
    /// Publish and receive (the default).
    #[default]
    Publisher,
    /// Publish and receive, and moderate others.
    Moderator,
    /// Publish only.
    PublisherOnly,
}

impl Role {
    /// Every role, for help texts.
    pub const ALL: [Role; 4] = [
        Role::Subscriber,
        Role::Publisher,
        Role::Moderator,
        Role::PublisherOnly,
    ];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Subscriber => "subscriber",
            Role::Publisher => "publisher",
            Role::Moderator => "moderator",
            Role::PublisherOnly => "publisheronly",
        }
    }

    /// Parses a wire name, case-insensitively; Java's `PUBLISHER_ONLY` spelling too.
    pub fn parse(name: &str) -> Option<Role> {
        let norm: String = name
            .chars()
            .filter(|c| *c != '_' && *c != '-')
            .collect::<String>()
            .to_ascii_lowercase();
        Role::ALL.into_iter().find(|r| r.as_str() == norm)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::parse(s).ok_or_else(|| {
            format!(
                "unknown role {s:?} (expected subscriber, publisher, moderator or publisheronly)"
            )
        })
    }
}

/// The options of a client token (T1, HS256 JWT or Vonage RS256).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TokenOptions {
    /// The session the token connects to.
    pub session_id: String,
    /// What the client may do.
    pub role: Role,
    /// Absolute unix seconds; `None` for the format's default lifetime.
    pub expire_time: Option<i64>,
    /// Free-form data other clients see (at most 1000 characters).
    pub connection_data: Option<String>,
    /// Layout classes for the client's streams.
    pub initial_layout_class_list: Vec<String>,
}

/// Why a token could not be built.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// `expire_time` at or before now.
    #[error("cannot generate token: expire_time {expire_time} is not in the future (now {now})")]
    ExpiryInPast {
        /// The requested expiry.
        expire_time: i64,
        /// The time of building.
        now: i64,
    },
    /// `expire_time` more than 30 days ahead.
    #[error("cannot generate token: expire_time {expire_time} is not in the next 30 days (latest {latest})")]
    ExpiryTooFar {
        /// The requested expiry.
        expire_time: i64,
        /// The latest allowed.
        latest: i64,
    },
    /// Connection data over 1000 characters.
    #[error("connection data must be at most 1000 characters (got {0})")]
    ConnectionDataTooLong(usize),
    /// Layout class list over 1000 characters.
    #[error("initial layout class list must be at most 1000 characters when joined (got {0})")]
    LayoutTooLong(usize),
    /// The session id is not a valid OpenTok session id.
    #[error("cannot generate token: {0}")]
    BadSession(#[from] SessionIdError),
    /// The session was created under another API key.
    #[error("cannot generate token: the session_id {session_id} does not belong to the api_key {api_key}")]
    WrongApiKey {
        /// The session id.
        session_id: String,
        /// The API key.
        api_key: String,
    },
    /// A required input is empty.
    #[error("{0} is required")]
    Missing(&'static str),
    /// The private key could not be read or used (Vonage).
    #[error("private key unusable: {0}")]
    Key(String),
    /// Serialisation failed.
    #[error(transparent)]
    Encode(#[from] EncodeError),
}

/// Why a session id could not be read.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum SessionIdError {
    /// Too short to hold the two-character sentinel and any data.
    #[error("session id {0:?} is too short")]
    TooShort(String),
    /// The part after the sentinel is not URL-safe base64 of UTF-8 text.
    #[error("session id is not valid: {0}")]
    Invalid(DecodeError),
}

/// Builds a session id as the OpenTok servers do: `2_` + URL-safe base64 (no padding) of
/// `1~API_KEY~~CREATE_TIME_MS~RANDOM~~`. The sandbox uses it to hand out sessions that
/// [`session_api_key_parts`] and the SDKs' ownership checks accept.
pub fn new_session_id(api_key: &str, create_time_ms: i64, random: &str) -> String {
    let raw = format!("1~{api_key}~~{create_time_ms}~{random}~~");
    let mut out = String::from("2_");
    URL_SAFE.encode_string(raw, &mut out);
    out
}

/// Splits a session id into its `~`-separated parts: `[0]` "1", `[1]` API key, `[2]`
/// location hint, `[3]` create time, `[4]` random, then empties.
pub fn session_api_key_parts(session_id: &str) -> Result<Vec<String>, SessionIdError> {
    let Some(body) = session_id.get(2..).filter(|b| !b.is_empty()) else {
        return Err(SessionIdError::TooShort(session_id.to_owned()));
    };
    let bytes = codec::decode_b64_any(body, 2).map_err(SessionIdError::Invalid)?;
    let text = String::from_utf8(bytes).map_err(|err| {
        SessionIdError::Invalid(DecodeError::InvalidField {
            field: "session_id",
            reason: format!("not UTF-8 at byte {}", err.utf8_error().valid_up_to()),
        })
    })?;
    Ok(text.split('~').map(str::to_owned).collect())
}

/// The checks the SDKs make before signing; returns the expiry to use.
pub(crate) fn check_options(
    api_key: &str,
    opts: &TokenOptions,
    now_unix: i64,
    default_lifetime: i64,
) -> Result<i64, BuildError> {
    if api_key.is_empty() {
        return Err(BuildError::Missing("API key"));
    }
    if opts.session_id.is_empty() {
        return Err(BuildError::Missing("session id"));
    }
    let expire_time = opts.expire_time.unwrap_or(now_unix + default_lifetime);
    if expire_time <= now_unix {
        return Err(BuildError::ExpiryInPast {
            expire_time,
            now: now_unix,
        });
    }
    let latest = now_unix + MAX_LIFETIME_SECS;
    if expire_time > latest {
        return Err(BuildError::ExpiryTooFar {
            expire_time,
            latest,
        });
    }
    if let Some(data) = &opts.connection_data {
        let chars = data.chars().count();
        if chars > MAX_CONNECTION_DATA {
            return Err(BuildError::ConnectionDataTooLong(chars));
        }
    }
    let layout = opts.initial_layout_class_list.join(" ").chars().count();
    if layout > MAX_CONNECTION_DATA {
        return Err(BuildError::LayoutTooLong(layout));
    }
    let parts = session_api_key_parts(&opts.session_id)?;
    if !parts.iter().any(|p| p == api_key) {
        return Err(BuildError::WrongApiKey {
            session_id: opts.session_id.clone(),
            api_key: api_key.to_owned(),
        });
    }
    Ok(expire_time)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn official_session_ids_decode() {
        let parts = session_api_key_parts(
            "2_MX40NTg0MDM1Mn5-MTQ5NDY3OTM3NDcxNX54bVZGdnh5MDdqQ3BWQ1ZJMnRFcVREYU9-fg",
        )
        .unwrap();
        assert_eq!(
            parts.join("~"),
            "1~45840352~~1494679374715~xmVFvxy07jCpVCVI2tEqTDaO~~"
        );
        assert_eq!(
            new_session_id("45840352", 1_494_679_374_715, "xmVFvxy07jCpVCVI2tEqTDaO"),
            "2_MX40NTg0MDM1Mn5-MTQ5NDY3OTM3NDcxNX54bVZGdnh5MDdqQ3BWQ1ZJMnRFcVREYU9-fg"
        );
    }

    #[test]
    fn roles_parse() {
        assert_eq!(Role::parse("PUBLISHER_ONLY"), Some(Role::PublisherOnly));
        assert_eq!(Role::parse("moderator"), Some(Role::Moderator));
        assert_eq!(Role::parse("admin"), None);
    }

    #[test]
    fn option_checks() {
        let sid = new_session_id("123", 1, "r");
        let mut o = TokenOptions {
            session_id: sid,
            ..TokenOptions::default()
        };
        assert_eq!(check_options("123", &o, 100, 10).unwrap(), 110);
        assert!(matches!(
            check_options("124", &o, 100, 10),
            Err(BuildError::WrongApiKey { .. })
        ));
        o.expire_time = Some(100);
        assert!(matches!(
            check_options("123", &o, 100, 10),
            Err(BuildError::ExpiryInPast { .. })
        ));
        o.expire_time = Some(100 + MAX_LIFETIME_SECS + 1);
        assert!(matches!(
            check_options("123", &o, 100, 10),
            Err(BuildError::ExpiryTooFar { .. })
        ));
        o.expire_time = None;
        o.connection_data = Some("é".repeat(1001));
        assert!(matches!(
            check_options("123", &o, 100, 10),
            Err(BuildError::ConnectionDataTooLong(1001))
        ));
        o.connection_data = Some("é".repeat(1000));
        assert!(check_options("123", &o, 100, 10).is_ok());
    }
}
