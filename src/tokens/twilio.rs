//! Twilio Access Tokens: HS256 JWTs with `cty: twilio-fpa;v=1`, signed with an API key
//! secret, carrying an identity and one grant per product.
//!
//! The JSON is emitted as twilio-python + PyJWT emit it (sorted header keys, payload in
//! `jti, grants, iss, exp, nbf, sub` order) so the derived vector reproduces byte for byte;
//! decoding accepts any key order.

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;
use serde_json::{Map, Value};

use super::jwt::{self, Jwt};
use super::{DecodeError, DecodedToken, TokenFormat, VerifyError};

/// The content type that marks a Twilio Access Token.
pub const CTY: &str = "twilio-fpa;v=1";
/// Twilio refuses tokens that live longer than this (error 20157) when a client presents one;
/// the helper libraries mint them all the same, and so does [`AccessToken::to_jwt`].
pub const MAX_TTL_SECS: u32 = 86_400;
/// The SDKs' default lifetime.
pub const DEFAULT_TTL_SECS: u32 = 3_600;

/// Chat (Conversations / Programmable Chat) grant, key `chat`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ChatGrant {
    /// The Chat service SID (`IS…`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_sid: Option<String>,
    /// The endpoint id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoint_id: Option<String>,
    /// The deployment role SID.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deployment_role_sid: Option<String>,
    /// The push credential SID (`CR…`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub push_credential_sid: Option<String>,
}

/// Video grant, key `video`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct VideoGrant {
    /// The room name or SID; absent means any room.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub room: Option<String>,
}

/// Voice grant, key `voice`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VoiceGrant {
    /// Allow incoming calls (emitted as `incoming: {allow: true}`).
    pub incoming_allow: bool,
    /// The TwiML application SID for outgoing calls.
    pub outgoing_application_sid: Option<String>,
    /// Parameters passed to the outgoing application.
    pub outgoing_application_params: Option<Map<String, Value>>,
    /// The push credential SID.
    pub push_credential_sid: Option<String>,
    /// The endpoint id.
    pub endpoint_id: Option<String>,
}

impl Serialize for VoiceGrant {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        if self.incoming_allow {
            map.serialize_entry("incoming", &serde_json::json!({"allow": true}))?;
        }
        if let Some(sid) = &self.outgoing_application_sid {
            let mut outgoing = Map::new();
            outgoing.insert("application_sid".into(), Value::String(sid.clone()));
            if let Some(params) = &self.outgoing_application_params {
                outgoing.insert("params".into(), Value::Object(params.clone()));
            }
            map.serialize_entry("outgoing", &outgoing)?;
        }
        if let Some(v) = &self.push_credential_sid {
            map.serialize_entry("push_credential_sid", v)?;
        }
        if let Some(v) = &self.endpoint_id {
            map.serialize_entry("endpoint_id", v)?;
        }
        map.end()
    }
}

/// Sync grant, key `data_sync`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SyncGrant {
    /// The Sync service SID.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_sid: Option<String>,
    /// The endpoint id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoint_id: Option<String>,
}

/// TaskRouter grant, key `task_router`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TaskRouterGrant {
    /// The workspace SID.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workspace_sid: Option<String>,
    /// The worker SID.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub worker_sid: Option<String>,
    /// The role.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
}

/// One grant of an Access Token.
#[derive(Debug, Clone, PartialEq)]
pub enum Grant {
    /// `chat`.
    Chat(ChatGrant),
    /// `video`.
    Video(VideoGrant),
    /// `voice`.
    Voice(VoiceGrant),
    /// `data_sync`.
    Sync(SyncGrant),
    /// `task_router`.
    TaskRouter(TaskRouterGrant),
    /// `player`: the Playback grant is an opaque object from the PlaybackGrant API.
    Playback(Map<String, Value>),
}

impl Grant {
    /// The key under `grants` in the payload.
    pub fn key(&self) -> &'static str {
        match self {
            Grant::Chat(_) => "chat",
            Grant::Video(_) => "video",
            Grant::Voice(_) => "voice",
            Grant::Sync(_) => "data_sync",
            Grant::TaskRouter(_) => "task_router",
            Grant::Playback(_) => "player",
        }
    }
}

impl Serialize for Grant {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Grant::Chat(g) => g.serialize(s),
            Grant::Video(g) => g.serialize(s),
            Grant::Voice(g) => g.serialize(s),
            Grant::Sync(g) => g.serialize(s),
            Grant::TaskRouter(g) => g.serialize(s),
            Grant::Playback(g) => g.serialize(s),
        }
    }
}

/// An Access Token to build.
#[derive(Debug, Clone, PartialEq)]
pub struct AccessToken {
    /// The account SID (`AC…`), the `sub` claim.
    pub account_sid: String,
    /// The API key SID (`SK…`), the `iss` claim.
    pub api_key_sid: String,
    /// The API key secret that signs the token. Never printed.
    pub api_key_secret: String,
    /// The identity of the user; empty to leave it out.
    pub identity: String,
    /// Lifetime in seconds (default 3600; Twilio accepts at most 86400 when the token is used).
    pub ttl_secs: u32,
    /// An absolute expiry that overrides `ttl_secs` (python's `valid_until`).
    pub valid_until: Option<i64>,
    /// Emit `nbf = now` (twilio-python does by default).
    pub include_nbf: bool,
    /// The `twr` header: the region to route to.
    pub region: Option<String>,
    /// The grants, in payload order.
    pub grants: Vec<Grant>,
}

impl Default for AccessToken {
    fn default() -> Self {
        AccessToken {
            account_sid: String::new(),
            api_key_sid: String::new(),
            api_key_secret: String::new(),
            identity: String::new(),
            ttl_secs: DEFAULT_TTL_SECS,
            valid_until: None,
            include_nbf: true,
            region: None,
            grants: Vec::new(),
        }
    }
}

/// Why an Access Token could not be built.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// Expiry not after issue.
    #[error("token would expire at or before it is issued")]
    AlreadyExpired,
    /// A required field is empty.
    #[error("{0} is required")]
    Missing(&'static str),
    /// Serialisation failed.
    #[error(transparent)]
    Encode(#[from] jwt::EncodeError),
}

#[derive(Serialize)]
struct Header<'a> {
    alg: &'static str,
    cty: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    twr: Option<&'a str>,
    typ: &'static str,
}

struct Grants<'a> {
    grants: &'a [Grant],
    identity: &'a str,
}

impl Serialize for Grants<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        for grant in self.grants {
            map.serialize_entry(grant.key(), grant)?;
        }
        if !self.identity.is_empty() {
            map.serialize_entry("identity", self.identity)?;
        }
        map.end()
    }
}

#[derive(Serialize)]
struct Payload<'a> {
    jti: String,
    grants: Grants<'a>,
    iss: &'a str,
    exp: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    nbf: Option<i64>,
    sub: &'a str,
}

impl AccessToken {
    /// A token with the default lifetime and no grants.
    pub fn new(account_sid: &str, api_key_sid: &str, api_key_secret: &str, identity: &str) -> Self {
        AccessToken {
            account_sid: account_sid.to_owned(),
            api_key_sid: api_key_sid.to_owned(),
            api_key_secret: api_key_secret.to_owned(),
            identity: identity.to_owned(),
            ..AccessToken::default()
        }
    }

    /// When a token signed at `now_unix` expires (Unix seconds).
    pub fn expires_at(&self, now_unix: i64) -> i64 {
        self.valid_until
            .unwrap_or(now_unix + i64::from(self.ttl_secs))
    }

    /// The lifetime of a token signed at `now_unix` when it is over Twilio's 24 h maximum:
    /// such a token is minted (as the helper libraries mint it) but Twilio refuses it with
    /// error 20157 when a client presents it.
    pub fn over_max_ttl(&self, now_unix: i64) -> Option<i64> {
        let lifetime = self.expires_at(now_unix) - now_unix;
        (lifetime > i64::from(MAX_TTL_SECS)).then_some(lifetime)
    }

    /// Signs the token as of `now_unix` (any lifetime: see [`AccessToken::over_max_ttl`]).
    pub fn to_jwt(&self, now_unix: i64) -> Result<String, BuildError> {
        for (name, value) in [
            ("account SID", &self.account_sid),
            ("API key SID", &self.api_key_sid),
            ("API key secret", &self.api_key_secret),
        ] {
            if value.is_empty() {
                return Err(BuildError::Missing(name));
            }
        }
        let exp = self.expires_at(now_unix);
        if exp <= now_unix {
            return Err(BuildError::AlreadyExpired);
        }
        let header = Header {
            alg: "HS256",
            cty: CTY,
            twr: self.region.as_deref(),
            typ: "JWT",
        };
        let payload = Payload {
            jti: format!("{}-{now_unix}", self.api_key_sid),
            grants: Grants {
                grants: &self.grants,
                identity: &self.identity,
            },
            iss: &self.api_key_sid,
            exp,
            nbf: self.include_nbf.then_some(now_unix),
            sub: &self.account_sid,
        };
        Ok(jwt::encode_hs256(
            &header,
            &payload,
            self.api_key_secret.as_bytes(),
        )?)
    }
}

/// Whether a parsed JWT is a Twilio Access Token (by its `cty`).
pub fn is_twilio(jwt: &Jwt<'_>) -> bool {
    jwt.header.get("cty").and_then(Value::as_str) == Some(CTY)
}

/// The format-independent view of a parsed Twilio JWT.
pub fn to_decoded(jwt: &Jwt<'_>) -> DecodedToken {
    let identity = jwt
        .payload
        .get("grants")
        .and_then(|g| g.get("identity"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    let issued_at = jwt.claim_i64("iat").or_else(|| jwt.claim_i64("nbf"));
    let expires_at = jwt.claim_i64("exp");
    DecodedToken {
        notes: over_max_ttl_note(issued_at, expires_at)
            .into_iter()
            .collect(),
        format: TokenFormat::TwilioJwt,
        app: jwt.claim_str("iss").map(str::to_owned),
        subject: identity,
        issued_at,
        expires_at,
        claims: Value::Object(jwt.payload.clone()),
    }
}

/// What to tell the holder of a token that lives longer than Twilio accepts.
fn over_max_ttl_note(issued_at: Option<i64>, expires_at: Option<i64>) -> Option<String> {
    let lifetime = expires_at?.checked_sub(issued_at?)?;
    (lifetime > i64::from(MAX_TTL_SECS)).then(|| {
        format!(
            "lifetime {lifetime} s is over Twilio's 24 h maximum: Twilio refuses the token with error 20157 (Expiration Time Exceeds Maximum Time Allowed) when a client presents it; mint it with --ttl 86400 or less"
        )
    })
}

/// Decodes a Twilio Access Token without verifying it.
pub fn decode(token: &str) -> Result<DecodedToken, DecodeError> {
    let jwt = jwt::parse(token)?;
    if !is_twilio(&jwt) {
        return Err(DecodeError::InvalidField {
            field: "cty",
            reason: format!("expected {CTY}"),
        });
    }
    Ok(to_decoded(&jwt))
}

/// Verifies a Twilio Access Token with the API key secret.
pub fn verify(token: &str, api_key_secret: &str) -> Result<DecodedToken, VerifyError> {
    let jwt = jwt::parse(token)?;
    if !is_twilio(&jwt) {
        return Err(VerifyError::Malformed(DecodeError::InvalidField {
            field: "cty",
            reason: format!("expected {CTY}"),
        }));
    }
    jwt::verify_hs256(&jwt, api_key_secret.as_bytes())?;
    Ok(to_decoded(&jwt))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn token() -> AccessToken {
        let mut t = AccessToken::new(
            "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "SKb5aed9ca12bf5890f37930e63cad6d38",
            "secret",
            "ID@example.com",
        );
        t.grants.push(Grant::Chat(ChatGrant {
            service_sid: Some("ISaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".into()),
            push_credential_sid: Some("CRaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".into()),
            ..ChatGrant::default()
        }));
        t
    }

    #[test]
    fn ttl_over_a_day_is_minted_and_flagged() {
        let mut t = token();
        t.ttl_secs = 86_401;
        let jwt = t.to_jwt(1_000).unwrap();
        let claims = decode(&jwt).unwrap();
        assert_eq!(claims.claims["exp"], 87_401);
        assert!(claims.notes[0].contains("20157"), "{:?}", claims.notes);
        assert_eq!(t.over_max_ttl(1_000), Some(86_401));
        t.ttl_secs = 86_400;
        assert_eq!(t.over_max_ttl(1_000), None);
        assert!(decode(&t.to_jwt(1_000).unwrap()).unwrap().notes.is_empty());
    }

    #[test]
    fn verify_and_decode() {
        let jwt = token().to_jwt(1_700_000_000).unwrap();
        let d = verify(&jwt, "secret").unwrap();
        assert_eq!(d.subject.as_deref(), Some("ID@example.com"));
        assert_eq!(d.expires_at, Some(1_700_003_600));
        assert_eq!(
            verify(&jwt, "Secret").unwrap_err(),
            VerifyError::SignatureMismatch
        );
    }

    #[test]
    fn voice_grant_shape() {
        let g = VoiceGrant {
            incoming_allow: true,
            outgoing_application_sid: Some("AP1".into()),
            ..VoiceGrant::default()
        };
        assert_eq!(
            serde_json::to_string(&g).unwrap(),
            r#"{"incoming":{"allow":true},"outgoing":{"application_sid":"AP1"}}"#
        );
    }
}
