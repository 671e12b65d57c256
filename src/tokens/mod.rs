//! Token formats: one module per format with a builder, a decoder and a verifier, plus the
//! auto-detecting [`decode`] that the token history and `apiplay token decode` use.
//!
//! Every decoder returns a [`DecodedToken`]: what the token itself says (issuer, subject,
//! issued-at, expiry, claims), never fields invented from context. mesibo tokens are opaque:
//! they are recognised by the response they arrive in (see the history extractors), not here.

// Vendor and product names (OpenTok, AccessToken2, PyJWT, miniz_oxide) appear as prose in the
// docs of this module tree; backticking them all would read as code.
#![allow(clippy::doc_markdown)]

pub mod agora;
pub mod check;
mod codec;
pub mod describe;
mod detect;
pub mod jwt;
pub mod opentok;
pub mod rest_auth;
pub mod twilio;
pub mod vonage;

use std::fmt;

use serde::{Deserialize, Serialize};

/// The formats apiplay can recognise. The string forms are stored in the history database,
/// so they must not change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TokenFormat {
    /// A mesibo user access token (opaque, known by the response it came in).
    Mesibo,
    /// Agora AccessToken2, `007…`.
    #[serde(rename = "agora-007")]
    Agora007,
    /// Agora legacy AccessToken, `006…`.
    #[serde(rename = "agora-006")]
    Agora006,
    /// Twilio Access Token: an HS256 JWT with `cty: twilio-fpa;v=1`.
    TwilioJwt,
    /// OpenTok legacy token, `T1==…`.
    #[serde(rename = "opentok-t1")]
    OpentokT1,
    /// OpenTok HS256 JWT signed with the project's API secret.
    OpentokJwt,
    /// Vonage Video RS256 client token signed with an application's private key.
    VonageJwt,
    /// An Agora Chat token from the REST token exchange (`POST /{org}/{app}/token`): opaque,
    /// known by the response it came in.
    AgoraChat,
    /// A token-shaped value of no known format.
    Opaque,
}

impl TokenFormat {
    /// Every format, in display order.
    pub const ALL: [TokenFormat; 9] = [
        TokenFormat::Mesibo,
        TokenFormat::Agora007,
        TokenFormat::Agora006,
        TokenFormat::TwilioJwt,
        TokenFormat::OpentokT1,
        TokenFormat::OpentokJwt,
        TokenFormat::VonageJwt,
        TokenFormat::AgoraChat,
        TokenFormat::Opaque,
    ];

    /// The vendor names (`mesibo`, `agora`, `twilio`, `vonage`, and `opentok` for Vonage
    /// Video's OpenTok formats) and the formats each issues.
    pub const VENDORS: [(&'static str, &'static [TokenFormat]); 5] = [
        ("mesibo", &[TokenFormat::Mesibo]),
        (
            "agora",
            &[
                TokenFormat::Agora007,
                TokenFormat::Agora006,
                TokenFormat::AgoraChat,
            ],
        ),
        ("twilio", &[TokenFormat::TwilioJwt]),
        (
            "vonage",
            &[
                TokenFormat::OpentokT1,
                TokenFormat::OpentokJwt,
                TokenFormat::VonageJwt,
            ],
        ),
        (
            "opentok",
            &[TokenFormat::OpentokT1, TokenFormat::OpentokJwt],
        ),
    ];

    /// The formats a vendor issues, by vendor name; `None` for a name that is not a vendor.
    pub fn of_vendor(name: &str) -> Option<&'static [TokenFormat]> {
        TokenFormat::VENDORS
            .iter()
            .find(|(vendor, _)| *vendor == name)
            .map(|(_, formats)| *formats)
    }

    /// The stable name used in the database, on the command line and in JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenFormat::Mesibo => "mesibo",
            TokenFormat::Agora007 => "agora-007",
            TokenFormat::Agora006 => "agora-006",
            TokenFormat::TwilioJwt => "twilio-jwt",
            TokenFormat::OpentokT1 => "opentok-t1",
            TokenFormat::OpentokJwt => "opentok-jwt",
            TokenFormat::VonageJwt => "vonage-jwt",
            TokenFormat::AgoraChat => "agora-chat",
            TokenFormat::Opaque => "opaque",
        }
    }

    /// Parses the stable name back; `None` for anything else.
    pub fn parse(name: &str) -> Option<TokenFormat> {
        TokenFormat::ALL.into_iter().find(|f| f.as_str() == name)
    }
}

impl fmt::Display for TokenFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a token says about itself, format-independently.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DecodedToken {
    /// The detected format.
    pub format: TokenFormat,
    /// App id, API key, issuer or application id, whichever the format carries.
    pub app: Option<String>,
    /// Who the token is for: user id, identity, session id.
    pub subject: Option<String>,
    /// Unix seconds.
    pub issued_at: Option<i64>,
    /// Unix seconds.
    pub expires_at: Option<i64>,
    /// Everything else the token carries, as JSON (services, grants, role, claims).
    pub claims: serde_json::Value,
    /// What the decoder accepted but is not canonical (missing or unexpected base64 padding).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// Why a string could not be decoded as a token. Every variant says which part and, where
/// there is one, which byte offset in the token string went wrong.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum DecodeError {
    /// No known format's prefix or shape matched.
    #[error("not a recognised token format (expected 007…, 006…, T1==… or a JWT)")]
    Unrecognized,
    /// A character outside the base64 alphabet, or a bad length or padding.
    #[error("base64 invalid at offset {offset} ({what})")]
    Base64 {
        /// Byte offset in the whole token string.
        offset: usize,
        /// What was wrong there.
        what: String,
    },
    /// The zlib stream ended before its last block and checksum.
    #[error("zlib stream truncated")]
    ZlibTruncated,
    /// The zlib stream is not valid (bad header, bad block, checksum mismatch).
    #[error("zlib stream corrupt: {0}")]
    ZlibCorrupt(String),
    /// Bytes follow the end of a 007 token's zlib stream.
    #[error("{count} unexpected bytes after the zlib stream (at byte {offset} of the base64-decoded token)")]
    ZlibTrailing {
        /// How many bytes follow the stream.
        count: usize,
        /// Where they start in the base64-decoded bytes.
        offset: usize,
    },
    /// A field of a text token (T1) is missing or unusable where the content stops or the
    /// value starts.
    #[error("{field} {reason} (at byte {offset} of the decoded content); was the token cut short or altered?")]
    BadFieldAt {
        /// The field.
        field: &'static str,
        /// What is wrong with it.
        reason: String,
        /// Byte offset in the decoded content.
        offset: usize,
    },
    /// The binary content ended inside a field.
    #[error("token content ends inside {field} (at byte {offset} of the decoded content)")]
    Truncated {
        /// The field being read.
        field: &'static str,
        /// Byte offset in the decoded content.
        offset: usize,
    },
    /// Bytes left over after the last field.
    #[error(
        "{count} unexpected bytes after the last field (at byte {offset} of the decoded content)"
    )]
    TrailingBytes {
        /// How many bytes are left.
        count: usize,
        /// Where they start in the decoded content.
        offset: usize,
    },
    /// A JWT that does not have three dot-separated parts.
    #[error("JWT has {0} parts, expected 3")]
    JwtParts(usize),
    /// A JWT header or payload that is not a JSON object.
    #[error("JWT {part} is not a JSON object: {reason}")]
    JwtJson {
        /// `header` or `payload`.
        part: &'static str,
        /// The JSON parser's message.
        reason: String,
    },
    /// A field that must be present is missing.
    #[error("missing field {0}")]
    MissingField(&'static str),
    /// A field is present but its value is wrong.
    #[error("field {field} is invalid: {reason}")]
    InvalidField {
        /// The field name.
        field: &'static str,
        /// What is wrong with it.
        reason: String,
    },
}

/// Why a token did not verify.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum VerifyError {
    /// The token could not be decoded at all.
    #[error("malformed token: {0}")]
    Malformed(#[from] DecodeError),
    /// The secret, certificate or key given to verify with is unusable.
    #[error("unusable key: {0}")]
    BadKey(String),
    /// The token is well formed but its signature was made with another secret.
    #[error("signature does not match")]
    SignatureMismatch,
}

impl VerifyError {
    /// True when the token itself is malformed (as opposed to signed with another key).
    pub fn is_malformed(&self) -> bool {
        matches!(self, VerifyError::Malformed(_))
    }
}

/// Detects the format of `token` and decodes it.
pub fn decode(token: &str) -> Result<DecodedToken, DecodeError> {
    detect::decode(token)
}
