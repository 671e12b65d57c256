//! Agora's legacy AccessToken (`006…`): decode and verify. Older token servers still hand
//! these out. Privilege values are absolute unix seconds here, unlike 007.
//!
//! ```text
//! token   = "006" + app_id + base64(string(signature) + u32 crc32(channel) + u32 crc32(uid) + string(m))
//! m       = u32 salt + u32 ts + privileges
//! signature = HMAC_SHA256(key = certificate, msg = app_id + channel + uid + m)
//! ```
//! The channel and uid are only present as CRC32s, so verifying needs them from the caller.

use hmac::Mac;
use serde_json::{json, Map, Value};

use super::packer::{Privileges, Reader};
use crate::tokens::codec::{self, STANDARD};
use crate::tokens::{DecodeError, DecodedToken, TokenFormat, VerifyError};

/// The version prefix.
pub const VERSION: &str = "006";

/// A parsed 006 token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessToken {
    /// The 32-character app id.
    pub app_id: String,
    /// The HMAC-SHA256 signature.
    pub signature: Vec<u8>,
    /// CRC32 of the channel name.
    pub crc_channel_name: u32,
    /// CRC32 of the uid string ("" for uid 0).
    pub crc_uid: u32,
    /// The salt.
    pub salt: u32,
    /// Absolute unix seconds until which the token is valid.
    pub ts: u32,
    /// Privilege id → absolute unix seconds.
    pub privileges: Privileges,
    /// The signed message `m`, exactly as in the token.
    pub message: Vec<u8>,
}

/// The name of a 006 privilege id.
pub fn privilege_name(id: u16) -> Option<&'static str> {
    Some(match id {
        1 => "joinChannel",
        2 => "publishAudioStream",
        3 => "publishVideoStream",
        4 => "publishDataStream",
        1000 => "rtmLogin",
        _ => return None,
    })
}

impl AccessToken {
    /// The format-independent view: no subject (only CRCs are carried), expiry `ts`.
    pub fn to_decoded(&self) -> DecodedToken {
        let privileges: Map<String, Value> = self
            .privileges
            .iter()
            .map(|(id, at)| {
                let key = privilege_name(*id).map_or_else(|| id.to_string(), str::to_owned);
                (key, json!(at))
            })
            .collect();
        DecodedToken {
            notes: Vec::new(),
            format: TokenFormat::Agora006,
            app: Some(self.app_id.clone()),
            subject: None,
            issued_at: None,
            expires_at: Some(i64::from(self.ts)),
            claims: json!({
                "app_id": self.app_id,
                "salt": self.salt,
                "ts": self.ts,
                "crc_channel_name": self.crc_channel_name,
                "crc_uid": self.crc_uid,
                "privileges": privileges,
            }),
        }
    }
}

/// Parses a 006 token without verifying it.
pub fn parse(token: &str) -> Result<AccessToken, DecodeError> {
    let token = token.trim();
    if !token.starts_with(VERSION) {
        return Err(DecodeError::InvalidField {
            field: "version",
            reason: format!("expected {VERSION}"),
        });
    }
    let Some(app_id) = token.get(3..35) else {
        return Err(DecodeError::Truncated {
            field: "app_id",
            offset: token.len(),
        });
    };
    let content = codec::decode_b64(&STANDARD, &token[35..], 35)?;
    let mut r = Reader::new(&content);
    let signature = r.bytes("signature")?.to_vec();
    let crc_channel_name = r.u32("crc_channel_name")?;
    let crc_uid = r.u32("crc_uid")?;
    let message = r.bytes("message")?.to_vec();
    if !r.remaining().is_empty() {
        return Err(DecodeError::TrailingBytes {
            count: r.remaining().len(),
            offset: r.pos(),
        });
    }
    let mut m = Reader::new(&message);
    let salt = m.u32("salt")?;
    let ts = m.u32("ts")?;
    let privileges = m.privileges()?;
    Ok(AccessToken {
        app_id: app_id.to_owned(),
        signature,
        crc_channel_name,
        crc_uid,
        salt,
        ts,
        privileges,
        message,
    })
}

/// Verifies a 006 token for `channel_name` and `uid` ("" or "0" for any user). A channel or
/// uid whose CRC32 differs from the token's is reported as a signature mismatch, since the
/// signature covers them.
pub fn verify(
    token: &str,
    app_certificate: &str,
    channel_name: &str,
    uid: &str,
) -> Result<AccessToken, VerifyError> {
    let parsed = parse(token)?;
    let uid = if uid == "0" { "" } else { uid };
    if crc32fast::hash(channel_name.as_bytes()) != parsed.crc_channel_name
        || crc32fast::hash(uid.as_bytes()) != parsed.crc_uid
    {
        return Err(VerifyError::SignatureMismatch);
    }
    let mut mac = codec::new_hmac_sha256(app_certificate.as_bytes());
    mac.update(parsed.app_id.as_bytes());
    mac.update(channel_name.as_bytes());
    mac.update(uid.as_bytes());
    mac.update(&parsed.message);
    mac.verify_slice(&parsed.signature)
        .map_err(|_| VerifyError::SignatureMismatch)?;
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const TOKEN: &str = "006970CA35de60c44645bbae8a215061b33IACV0fZUBw+72cVoL9eyGGh3Q6Poi8bgjwVLnyKSJyOXR7dIfRBXoFHlEAABAAAAR/QQAAEAAQCvKDdW";
    const CERT: &str = "5CFd2fd1755d40ecb72977518be15d3b";
    const CHANNEL: &str = "7d72365eb983485397e3e3f9d460bdda";

    #[test]
    fn official_vector_parses_and_verifies() {
        let t = verify(TOKEN, CERT, CHANNEL, "2882341273").unwrap();
        assert_eq!((t.salt, t.ts), (1, 1_111_111));
        assert_eq!(t.privileges, Privileges::from([(1, 1_446_455_471)]));
        assert_eq!(
            verify(TOKEN, CERT, CHANNEL, "2882341274").unwrap_err(),
            VerifyError::SignatureMismatch
        );
        assert_eq!(
            verify(
                TOKEN,
                "5CFd2fd1755d40ecb72977518be15d3c",
                CHANNEL,
                "2882341273"
            )
            .unwrap_err(),
            VerifyError::SignatureMismatch
        );
    }

    #[test]
    fn short_token_is_truncated() {
        assert!(matches!(
            parse("006970CA"),
            Err(DecodeError::Truncated {
                field: "app_id",
                ..
            })
        ));
    }
}
