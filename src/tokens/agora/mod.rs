//! Agora AccessToken2 (`007…`): build any service list, parse every encoder's output, and
//! verify the HMAC-SHA256 chain over the original signing bytes. The legacy `006` format is
//! in [`v006`].
//!
//! ```text
//! token        = "007" + base64(zlib(string(signature) + signing_info))
//! signing_info = string(app_id) + u32 issue_ts + u32 expire + u32 salt + u16 n + services
//! signature    = HMAC(HMAC(HMAC(u32 issue_ts, cert), u32 salt) ... see [`signature`]
//! ```

mod packer;
mod service;
pub mod v006;
mod zlib;

use base64::Engine;
use hmac::Mac;
use serde_json::{json, Value};

pub use packer::Privileges;
pub use service::{Rtm2Permissions, Service, CHAT_APP, CHAT_USER};
pub use zlib::{compress_zlib, decompress_zlib};

use super::codec::{self, STANDARD};
pub use super::VerifyError;
use super::{DecodeError, DecodedToken, TokenFormat};
use packer::{Reader, Writer};

/// The packed signature: a `uint16` length and 32 bytes of HMAC-SHA256.
const SIG: usize = 2 + 32;

/// The version prefix of AccessToken2.
pub const VERSION: &str = "007";

/// A parsed AccessToken2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessToken2 {
    /// The 32-character app id.
    pub app_id: String,
    /// Unix seconds when the token was issued.
    pub issue_ts: u32,
    /// Validity in seconds relative to `issue_ts`.
    pub expire: u32,
    /// The random salt that went into the signing key.
    pub salt: u32,
    /// The services parsed, in token order.
    pub services: Vec<Service>,
    /// The type id at which parsing stopped because it is unknown, if any.
    pub unknown_service_type: Option<u16>,
    /// The 32-byte HMAC-SHA256 signature as carried by the token.
    pub signature: Vec<u8>,
    /// The signed bytes exactly as in the token, so unknown services still verify.
    pub signing_info: Vec<u8>,
}

impl AccessToken2 {
    /// Unix seconds when the token stops being valid.
    pub fn expires_at(&self) -> i64 {
        i64::from(self.issue_ts) + i64::from(self.expire)
    }

    /// The first Chat service's user id (empty for an app token).
    pub fn chat_user_id(&self) -> Option<&str> {
        self.services.iter().find_map(|s| match s {
            Service::Chat { user_id, .. } => Some(user_id.as_str()),
            _ => None,
        })
    }

    /// The format-independent view.
    pub fn to_decoded(&self) -> DecodedToken {
        let subject = self.services.iter().find_map(|s| match s {
            Service::Rtc { uid, .. } if !uid.is_empty() => Some(uid.clone()),
            Service::Rtm { user_id, .. }
            | Service::Chat { user_id, .. }
            | Service::Rtm2 { user_id, .. }
                if !user_id.is_empty() =>
            {
                Some(user_id.clone())
            }
            Service::Apaas { user_uuid, .. } if !user_uuid.is_empty() => Some(user_uuid.clone()),
            _ => None,
        });
        let mut claims = json!({
            "app_id": self.app_id,
            "issue_ts": self.issue_ts,
            "expire": self.expire,
            "salt": self.salt,
            "services": self.services.iter().map(Service::to_json).collect::<Vec<_>>(),
        });
        if let (Some(t), Value::Object(map)) = (self.unknown_service_type, &mut claims) {
            map.insert("unknown_service_type".into(), json!(t));
        }
        DecodedToken {
            notes: Vec::new(),
            format: TokenFormat::Agora007,
            app: Some(self.app_id.clone()),
            subject,
            issued_at: Some(i64::from(self.issue_ts)),
            expires_at: Some(self.expires_at()),
            claims,
        }
    }
}

/// Why a token could not be built.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum BuildError {
    /// App ids and certificates are 32 hex characters (Agora's `isUuid` check).
    #[error("{what} must be 32 hexadecimal characters (got {len} characters)")]
    NotHex32 {
        /// `app id` or `app certificate`.
        what: &'static str,
        /// The length given.
        len: usize,
    },
    /// A token needs at least one service.
    #[error("a token needs at least one service")]
    NoService,
    /// A string field is longer than the 65535 bytes its length prefix can hold.
    #[error("a {service} field is {len} bytes; at most 65535 fit")]
    FieldTooLong {
        /// The service name.
        service: &'static str,
        /// The length given.
        len: usize,
    },
}

fn check_hex32(what: &'static str, value: &str) -> Result<(), BuildError> {
    if value.len() == 32 && value.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(())
    } else {
        Err(BuildError::NotHex32 {
            what,
            len: value.chars().count(),
        })
    }
}

/// The HMAC chain: `HMAC(HMAC(HMAC(key=u32 issue_ts, cert), key=u32 salt, ·), key=·, info)`,
/// returned as a MAC ready for `finalize` or `verify_slice`.
fn signer(
    app_certificate: &str,
    issue_ts: u32,
    salt: u32,
    signing_info: &[u8],
) -> hmac::Hmac<sha2::Sha256> {
    let k1 = codec::hmac_sha256(&issue_ts.to_le_bytes(), app_certificate.as_bytes());
    let k2 = codec::hmac_sha256(&salt.to_le_bytes(), &k1);
    let mut mac = codec::new_hmac_sha256(&k2);
    mac.update(signing_info);
    mac
}

/// The signature of `signing_info` under `app_certificate`.
pub fn signature(app_certificate: &str, issue_ts: u32, salt: u32, signing_info: &[u8]) -> [u8; 32] {
    signer(app_certificate, issue_ts, salt, signing_info)
        .finalize()
        .into_bytes()
        .into()
}

/// Builds a 007 token. Services are packed stably sorted by type, as the SDKs do.
pub fn build(
    app_id: &str,
    app_certificate: &str,
    issue_ts: u32,
    expire: u32,
    salt: u32,
    services: &[Service],
) -> Result<String, BuildError> {
    check_hex32("app id", app_id)?;
    check_hex32("app certificate", app_certificate)?;
    if services.is_empty() {
        return Err(BuildError::NoService);
    }
    if let Some((service, len)) = services
        .iter()
        .find_map(|s| s.oversized_field().map(|len| (s.name(), len)))
    {
        return Err(BuildError::FieldTooLong { service, len });
    }
    let mut sorted: Vec<&Service> = services.iter().collect();
    sorted.sort_by_key(|s| s.type_id());

    // content = string(signature) + signing_info, packed in one buffer: the signature's
    // bytes are reserved first and filled in once the signing info after them is known.
    let mut content = Writer::with_capacity(192);
    content.buf.resize(SIG, 0);
    content.bytes(app_id.as_bytes());
    content.u32(issue_ts);
    content.u32(expire);
    content.u32(salt);
    content.u16(sorted.len() as u16);
    for service in sorted {
        service.pack(&mut content);
    }
    let sig = signature(app_certificate, issue_ts, salt, &content.buf[SIG..]);
    content.buf[..2].copy_from_slice(&32u16.to_le_bytes());
    content.buf[2..SIG].copy_from_slice(&sig);
    let compressed = zlib::compress_zlib(&content.buf);
    let mut token = String::with_capacity(3 + compressed.len() * 4 / 3 + 4);
    token.push_str(VERSION);
    STANDARD.encode_string(compressed, &mut token);
    Ok(token)
}

/// A Chat user token: `ServiceChat(user_id)` with the `user` privilege, valid `expire_secs`
/// from `issue_ts` (the token and the privilege share it, as in `ChatTokenBuilder2`).
pub fn chat_user_token(
    app_id: &str,
    app_certificate: &str,
    user_id: &str,
    expire_secs: u32,
    issue_ts: u32,
    salt: u32,
) -> Result<String, BuildError> {
    let service = Service::Chat {
        user_id: user_id.to_owned(),
        privileges: Privileges::from([(CHAT_USER, expire_secs)]),
    };
    build(
        app_id,
        app_certificate,
        issue_ts,
        expire_secs,
        salt,
        &[service],
    )
}

/// A Chat app token: `ServiceChat("")` with the `app` privilege.
pub fn chat_app_token(
    app_id: &str,
    app_certificate: &str,
    expire_secs: u32,
    issue_ts: u32,
    salt: u32,
) -> Result<String, BuildError> {
    let service = Service::Chat {
        user_id: String::new(),
        privileges: Privileges::from([(CHAT_APP, expire_secs)]),
    };
    build(
        app_id,
        app_certificate,
        issue_ts,
        expire_secs,
        salt,
        &[service],
    )
}

/// An RTC token for one channel; `uid` empty (or "0") means any user. `role_publisher`
/// adds the three publish privileges to joinChannel, as `RtcTokenBuilder2` does.
#[allow(clippy::too_many_arguments)]
pub fn rtc_token(
    app_id: &str,
    app_certificate: &str,
    channel_name: &str,
    uid: &str,
    role_publisher: bool,
    expire_secs: u32,
    issue_ts: u32,
    salt: u32,
) -> Result<String, BuildError> {
    let mut privileges = Privileges::from([(1, expire_secs)]);
    if role_publisher {
        privileges.extend([(2, expire_secs), (3, expire_secs), (4, expire_secs)]);
    }
    let service = Service::Rtc {
        channel_name: channel_name.to_owned(),
        uid: if uid == "0" {
            String::new()
        } else {
            uid.to_owned()
        },
        privileges,
    };
    build(
        app_id,
        app_certificate,
        issue_ts,
        expire_secs,
        salt,
        &[service],
    )
}

/// An RTM login token for `user_id`.
pub fn rtm_token(
    app_id: &str,
    app_certificate: &str,
    user_id: &str,
    expire_secs: u32,
    issue_ts: u32,
    salt: u32,
) -> Result<String, BuildError> {
    let service = Service::Rtm {
        user_id: user_id.to_owned(),
        privileges: Privileges::from([(1, expire_secs)]),
    };
    build(
        app_id,
        app_certificate,
        issue_ts,
        expire_secs,
        salt,
        &[service],
    )
}

/// Decompresses a 007 token into its content bytes (signature + signing info).
pub fn content(token: &str) -> Result<Vec<u8>, DecodeError> {
    let token = token.trim();
    let Some(body) = token.strip_prefix(VERSION) else {
        return Err(DecodeError::InvalidField {
            field: "version",
            reason: format!(
                "expected {VERSION}, found {:?}",
                token.get(..3).unwrap_or(token)
            ),
        });
    };
    let compressed = codec::decode_b64(&STANDARD, body, VERSION.len())?;
    zlib::decompress_zlib(&compressed)
}

/// Parses a 007 token without verifying it. Parsing stops at an unknown service type;
/// the services before it are kept and the signature still covers the original bytes.
pub fn parse(token: &str) -> Result<AccessToken2, DecodeError> {
    let content = content(token)?;
    let mut r = Reader::new(&content);
    let signature = r.bytes("signature")?.to_vec();
    let signing_info = r.remaining().to_vec();
    let app_id = r.string("app_id")?;
    let issue_ts = r.u32("issue_ts")?;
    let expire = r.u32("expire")?;
    let salt = r.u32("salt")?;
    let count = r.u16("service count")?;
    let mut services = Vec::with_capacity(usize::from(count.min(8)));
    let mut unknown_service_type = None;
    for _ in 0..count {
        let type_id = r.u16("service type")?;
        let Some(service) = Service::unpack(type_id, &mut r)? else {
            unknown_service_type = Some(type_id);
            break;
        };
        services.push(service);
    }
    if unknown_service_type.is_none() && !r.remaining().is_empty() {
        return Err(DecodeError::TrailingBytes {
            count: r.remaining().len(),
            offset: r.pos(),
        });
    }
    Ok(AccessToken2 {
        app_id,
        issue_ts,
        expire,
        salt,
        services,
        unknown_service_type,
        signature,
        signing_info,
    })
}

/// Parses `token` and checks its signature against `app_certificate` in constant time.
pub fn verify(token: &str, app_certificate: &str) -> Result<AccessToken2, VerifyError> {
    let parsed = parse(token)?;
    check_hex32("app certificate", app_certificate)
        .map_err(|err| VerifyError::BadKey(err.to_string()))?;
    signer(
        app_certificate,
        parsed.issue_ts,
        parsed.salt,
        &parsed.signing_info,
    )
    .verify_slice(&parsed.signature)
    .map_err(|_| VerifyError::SignatureMismatch)?;
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const APP: &str = "970CA35de60c44645bbae8a215061b33";
    const CERT: &str = "5CFd2fd1755d40ecb72977518be15d3b";

    #[test]
    fn chat_user_matches_official_vector() {
        let token = chat_user_token(APP, CERT, "2882341273", 600, 1_111_111, 1).unwrap();
        assert_eq!(token, "007eJxTYNAIsnbS3v/A5t2TC6feR15r+6cq8bqAvfaW+tk/Vzz+p6xTYLA0N3B2NDZNSTUzSDYxMTMxTUpKTLVINDI0NTAzTDI2dv8iwBDBxMDAyADCrEDMCOZzMRhZWBgZmxgamRsDAB+lHrg=");
    }

    #[test]
    fn verify_tells_mismatch_from_malformed() {
        let token = chat_app_token(APP, CERT, 86_400, 1_700_000_000, 42).unwrap();
        let parsed = verify(&token, CERT).unwrap();
        assert_eq!(parsed.chat_user_id(), Some(""));
        assert_eq!(parsed.expires_at(), 1_700_086_400);
        let other = "5CFd2fd1755d40ecb72977518be15d3c";
        assert_eq!(
            verify(&token, other).unwrap_err(),
            VerifyError::SignatureMismatch
        );
        assert!(verify("007abc", CERT).unwrap_err().is_malformed());
        assert!(matches!(
            verify(&token, "short"),
            Err(VerifyError::BadKey(_))
        ));
    }

    #[test]
    fn unknown_service_stops_parsing_but_verifies() {
        let mut info = Writer::default();
        info.bytes(APP.as_bytes());
        info.u32(10);
        info.u32(20);
        info.u32(30);
        info.u16(2);
        Service::Fpa {
            privileges: Privileges::from([(1, 20)]),
        }
        .pack(&mut info);
        info.u16(99);
        info.buf.extend_from_slice(b"opaque future fields");
        let sig = signature(CERT, 10, 30, &info.buf);
        let mut content = Writer::default();
        content.bytes(&sig);
        content.buf.extend_from_slice(&info.buf);
        let token = format!("007{}", STANDARD.encode(compress_zlib(&content.buf)));
        let parsed = verify(&token, CERT).unwrap();
        assert_eq!(parsed.services.len(), 1);
        assert_eq!(parsed.unknown_service_type, Some(99));
    }

    #[test]
    fn build_checks_inputs() {
        assert_eq!(
            chat_app_token("xyz", CERT, 1, 1, 1).unwrap_err(),
            BuildError::NotHex32 {
                what: "app id",
                len: 3
            }
        );
        assert_eq!(
            build(APP, CERT, 1, 1, 1, &[]).unwrap_err(),
            BuildError::NoService
        );
        let long = "x".repeat(70_000);
        assert!(matches!(
            chat_user_token(APP, CERT, &long, 1, 1, 1),
            Err(BuildError::FieldTooLong {
                service: "chat",
                ..
            })
        ));
    }

    #[test]
    fn privilege_names_follow_the_service() {
        let chat = Service::Chat {
            user_id: String::new(),
            privileges: Privileges::new(),
        };
        assert_eq!(chat.privilege_name(2), Some("app"));
        assert_eq!(chat.privilege_name(0), None);
        assert_eq!(chat.privilege_name(3), None);
    }
}
