//! Vendor auth built-ins, minted fresh at every send from the environment's credentials:
//!
//! | built-in | from | value |
//! |---|---|---|
//! | `{{$agora_app_token}}` | `agora_app_id`, `agora_app_certificate` | a 007 Chat app token (AccessToken2, `ServiceChat` with the `app` privilege) |
//! | `{{$opentok_jwt}}` | `opentok_api_key`, `opentok_api_secret` | the `X-OPENTOK-AUTH` HS256 project JWT |
//! | `{{$vonage_jwt}}` | `vonage_application_id`, `vonage_private_key` | the RS256 application JWT (`Authorization: Bearer …`) |
//! | `{{$twilio_basic}}` | `twilio_api_key_sid` + `twilio_api_key_secret`, else `twilio_account_sid` + `twilio_auth_token` | the whole `Basic …` header value |
//!
//! Each value is a secret: the history keeps the placeholder, never the minted value.

use base64::Engine;
use rand::Rng;

use crate::tokens::{agora, rest_auth, vonage};

/// An auth built-in: its name, the variables it reads, and what it makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuthBuiltin {
    /// The name inside the braces, with its `$`.
    pub name: &'static str,
    /// The variables it is minted from, for help texts.
    pub needs: &'static str,
    /// What it is, in a few words.
    pub what: &'static str,
}

/// Every auth built-in.
pub const AUTH_BUILTINS: [AuthBuiltin; 4] = [
    AuthBuiltin {
        name: "$agora_app_token",
        needs: "agora_app_id, agora_app_certificate",
        what: "Agora 007 Chat app token, 15 minutes",
    },
    AuthBuiltin {
        name: "$opentok_jwt",
        needs: "opentok_api_key, opentok_api_secret",
        what: "X-OPENTOK-AUTH project JWT (HS256), 3 minutes",
    },
    AuthBuiltin {
        name: "$vonage_jwt",
        needs: "vonage_application_id, vonage_private_key (a PEM file path)",
        what: "Vonage application JWT (RS256), 15 minutes",
    },
    AuthBuiltin {
        name: "$twilio_basic",
        needs:
            "twilio_api_key_sid + twilio_api_key_secret, or twilio_account_sid + twilio_auth_token",
        what: "HTTP Basic auth header value",
    },
];

/// Lifetime of a minted Agora app token: 900 s, AccessToken2's default `expire`
/// (`AgoraIO/Tools` `python3/src/AccessToken2.py`).
pub const AGORA_APP_TOKEN_SECS: u32 = 900;

/// Whether `name` is an auth built-in.
pub fn is_auth_builtin(name: &str) -> bool {
    AUTH_BUILTINS.iter().any(|b| b.name == name)
}

/// Why a built-in could not be minted: a missing input, or one that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MintError {
    /// A variable it needs is defined nowhere.
    Missing(&'static str),
    /// An input is there but unusable (a short certificate, an unreadable key).
    Unusable(String),
}

/// Mints the built-in `name` (one of [`AUTH_BUILTINS`]) at `now`; `get` looks a variable up
/// through the usual sources. `Ok(None)` when `name` is not an auth built-in.
pub fn mint<E>(
    name: &str,
    now: i64,
    mut get: impl FnMut(&str) -> Result<Option<String>, E>,
) -> Result<Option<Result<String, MintError>>, E> {
    let mut need = |var: &'static str| -> Result<Result<String, MintError>, E> {
        Ok(get(var)?.ok_or(MintError::Missing(var)))
    };
    let jti = || uuid::Uuid::new_v4().to_string();
    let minted = match name {
        "$agora_app_token" => {
            let (id, cert) = (need("agora_app_id")?, need("agora_app_certificate")?);
            id.and_then(|id| cert.map(|cert| (id, cert)))
                .and_then(|(id, cert)| {
                    let salt = rand::thread_rng().gen_range(1..=99_999_999);
                    let issued = u32::try_from(now).unwrap_or(u32::MAX);
                    agora::chat_app_token(&id, &cert, AGORA_APP_TOKEN_SECS, issued, salt)
                        .map_err(|e| MintError::Unusable(e.to_string()))
                })
        }
        "$opentok_jwt" => {
            let (key, secret) = (need("opentok_api_key")?, need("opentok_api_secret")?);
            key.and_then(|k| secret.map(|s| (k, s))).and_then(|(k, s)| {
                rest_auth::opentok_rest_jwt(&k, &s, now, &jti())
                    .map_err(|e| MintError::Unusable(e.to_string()))
            })
        }
        "$vonage_jwt" => {
            let (app, key) = (need("vonage_application_id")?, need("vonage_private_key")?);
            app.and_then(|a| key.map(|k| (a, k)))
                .and_then(|(app, key)| {
                    let pem = private_key_text(&key)?;
                    let key = vonage::private_key_from_pem(&pem)
                        .map_err(|e| MintError::Unusable(format!("vonage_private_key: {e}")))?;
                    rest_auth::vonage_application_jwt(&app, &key, now, &jti())
                        .map_err(|e| MintError::Unusable(e.to_string()))
                })
        }
        "$twilio_basic" => {
            let (user, pass) = if need("twilio_api_key_sid")?.is_ok() {
                (need("twilio_api_key_sid")?, need("twilio_api_key_secret")?)
            } else {
                (need("twilio_account_sid")?, need("twilio_auth_token")?)
            };
            user.and_then(|u| pass.map(|p| (u, p))).map(|(u, p)| {
                let mut out = String::from("Basic ");
                base64::engine::general_purpose::STANDARD
                    .encode_string(format!("{u}:{p}"), &mut out);
                out
            })
        }
        _ => return Ok(None),
    };
    Ok(Some(minted))
}

/// The PEM text of `vonage_private_key`: a path to the key file (as the Vonage SDKs take
/// it), or the PEM itself (the vonage-jwt client accepts both).
pub fn private_key_text(value: &str) -> Result<String, MintError> {
    if value.trim_start().starts_with("-----BEGIN") {
        return Ok(value.to_owned());
    }
    std::fs::read_to_string(value).map_err(|e| {
        MintError::Unusable(format!(
            "cannot read the private key file {value}: {e}; set vonage_private_key to the path of the application's .key file"
        ))
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::collections::BTreeMap;

    fn from<'m>(
        map: &'m BTreeMap<&'static str, String>,
    ) -> impl FnMut(&str) -> Result<Option<String>, ()> + 'm {
        |name| Ok(map.get(name).cloned())
    }

    #[test]
    fn twilio_basic_prefers_the_api_key_and_falls_back_to_the_account() {
        let mut vars = BTreeMap::new();
        vars.insert("twilio_account_sid", "ACx".to_owned());
        vars.insert("twilio_auth_token", "tok".to_owned());
        // base64("ACx:tok"), computed by hand.
        assert_eq!(
            mint("$twilio_basic", 0, from(&vars)).unwrap().unwrap(),
            Ok("Basic QUN4OnRvaw==".to_owned())
        );
        vars.insert("twilio_api_key_sid", "SKy".to_owned());
        assert_eq!(
            mint("$twilio_basic", 0, from(&vars)).unwrap().unwrap(),
            Err(MintError::Missing("twilio_api_key_secret"))
        );
        vars.insert("twilio_api_key_secret", "sec".to_owned());
        assert_eq!(
            mint("$twilio_basic", 0, from(&vars)).unwrap().unwrap(),
            Ok("Basic U0t5OnNlYw==".to_owned())
        );
    }

    #[test]
    fn agora_app_token_verifies_with_the_certificate() {
        let mut vars = BTreeMap::new();
        vars.insert(
            "agora_app_id",
            "970CA35de60c44645bbae8a215061b33".to_owned(),
        );
        assert_eq!(
            mint("$agora_app_token", 1_700_000_000, from(&vars))
                .unwrap()
                .unwrap(),
            Err(MintError::Missing("agora_app_certificate"))
        );
        vars.insert(
            "agora_app_certificate",
            "5CFd2fd1755d40ecb72977518be15d3b".to_owned(),
        );
        let token = mint("$agora_app_token", 1_700_000_000, from(&vars))
            .unwrap()
            .unwrap()
            .unwrap();
        let parsed = agora::verify(&token, "5CFd2fd1755d40ecb72977518be15d3b").unwrap();
        assert_eq!(parsed.expires_at(), 1_700_000_900);
        assert!(agora::verify(&token, "5CFd2fd1755d40ecb72977518be15d3c").is_err());
    }

    #[test]
    fn vonage_key_may_be_a_path_or_the_pem_and_a_bad_path_says_so() {
        let pem_path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/vonage-fake-private-key.pem"
        );
        let mut vars = BTreeMap::new();
        vars.insert("vonage_application_id", "app".to_owned());
        vars.insert("vonage_private_key", pem_path.to_owned());
        let token = mint("$vonage_jwt", 5, from(&vars))
            .unwrap()
            .unwrap()
            .unwrap();
        let pem = std::fs::read_to_string(pem_path).unwrap();
        vonage::verify(&token, &pem).unwrap();
        vars.insert("vonage_private_key", pem);
        assert!(mint("$vonage_jwt", 5, from(&vars))
            .unwrap()
            .unwrap()
            .is_ok());
        vars.insert("vonage_private_key", "/nonexistent/app.key".to_owned());
        let Err(MintError::Unusable(msg)) = mint("$vonage_jwt", 5, from(&vars)).unwrap().unwrap()
        else {
            panic!("expected an unusable key");
        };
        assert!(msg.contains("/nonexistent/app.key"), "{msg}");
        assert_eq!(mint("$uuid", 5, from(&vars)).unwrap(), None);
    }
}
