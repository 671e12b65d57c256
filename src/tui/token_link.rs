//! The token workbench's door into the core: decode and verify a pasted token with the
//! environment's credentials, mint one from the mint form (the same code as `apiplay token
//! new`), and the environment's credentials the form starts from.

use super::components::workbench::{CredentialDefault, Inspected};
use super::core_link::CoreLink;
use super::errors::{SessionError, TokenError};
use crate::cli::token::{mint, Defaults, NewArgs};
use crate::clock;
use crate::config::Environment;
use crate::tokens::check::{self, Keys};

/// The environment variables the mint form and the verifier read, and whether each is a
/// secret the form must mask.
pub const CREDENTIALS: [&str; 9] = [
    "agora_app_id",
    "agora_app_certificate",
    "twilio_account_sid",
    "twilio_api_key_sid",
    "twilio_api_key_secret",
    "opentok_api_key",
    "opentok_api_secret",
    "vonage_application_id",
    "vonage_private_key",
];

/// A variable of `env` as text; `None` when unset, empty, or a secret whose process
/// variable is missing.
fn text(env: &Environment, name: &str) -> Option<String> {
    env.resolve(name)
        .ok()
        .flatten()
        .map(|(v, _)| crate::collection::template::value_text(&v))
        .filter(|v| !v.is_empty())
}

/// The keys of `env` for verifying; the Vonage key is read from the file it names.
fn keys_of(env: &Environment) -> Keys {
    Keys {
        agora_app_certificate: text(env, "agora_app_certificate"),
        twilio_api_key_secret: text(env, "twilio_api_key_secret"),
        opentok_api_secret: text(env, "opentok_api_secret"),
        vonage_key_pem: text(env, "vonage_private_key")
            .and_then(|key| crate::collection::mint::private_key_text(&key).ok()),
    }
}

impl CoreLink {
    /// Decodes a pasted token (the CLI's identification: the decoders, then the history) and
    /// verifies it with the current environment's credentials.
    pub async fn inspect_token(&self, token: &str) -> Result<Inspected, TokenError> {
        let token = token.trim();
        let decoded = self.decode_token(token).await?;
        let s = self.session().await?.read().await;
        let env = s.environment();
        let verdict = check::check(token, &decoded, &keys_of(env), &env.name);
        Ok(Inspected::new(token, decoded, verdict))
    }

    /// Mints the token the form describes (credentials it leaves empty come from the
    /// environment), records it in the token history as `apiplay token new` does, and
    /// verifies it with the credentials it was minted with.
    pub async fn mint_token(&self, args: NewArgs) -> Result<Inspected, TokenError> {
        let s = self.session().await?.read().await;
        let env = s.environment();
        let now = clock::now_unix();
        let minted = mint(&args, &Defaults::of(env.clone()), now).map_err(TokenError::Mint)?;
        let decoded = crate::tokens::decode(&minted.token).map_err(TokenError::Undecodable)?;
        s.with_store_mut(|store| store.record_minted(&minted.token, &decoded, "local", now))
            .map_err(TokenError::NotRecorded)?;
        let mut keys = keys_of(env);
        if let Some(cert) = args.cert.clone() {
            keys.agora_app_certificate = Some(cert);
        }
        if let Some(secret) = args.secret.clone() {
            keys.twilio_api_key_secret = Some(secret.clone());
            keys.opentok_api_secret = Some(secret);
        }
        if let Some(path) = &args.private_key {
            keys.vonage_key_pem = path
                .to_str()
                .and_then(|p| crate::collection::mint::private_key_text(p).ok());
        }
        let verdict = check::check(&minted.token, &decoded, &keys, &env.name);
        let mut inspected = Inspected::new(&minted.token, decoded, verdict);
        inspected.session = minted.session;
        Ok(inspected)
    }

    /// The environment's credentials for the mint form (secrets flagged, to be masked).
    pub async fn credential_defaults(
        &self,
    ) -> Result<(String, Vec<CredentialDefault>), SessionError> {
        let s = self.session().await?.read().await;
        let env = s.environment();
        let defaults = CREDENTIALS
            .iter()
            .filter_map(|&name| {
                let value = text(env, name)?;
                let secret = env.variables.get(name).is_some_and(|v| v.secret);
                Some(CredentialDefault {
                    name: name.to_owned(),
                    value,
                    secret,
                })
            })
            .collect();
        Ok((env.name.clone(), defaults))
    }
}
