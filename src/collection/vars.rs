//! Where a `{{name}}` gets its value, first to last: `--var`, values captured from earlier
//! responses, the environment's variables, built-ins (`{{$uuid}}` …), and the token history
//! (`{{token:latest}}`, `{{token:FORMAT}}`, `{{token:SUBJECT}}`, `{{token:ID}}`).

use std::collections::{BTreeMap, BTreeSet};

use rand::Rng;
use serde_json::Value;

use super::mint;
use crate::clock;
use crate::config::{ConfigError, Environment, MintReason};

/// The prefix of a reference to the token history.
pub const TOKEN_PREFIX: &str = "token:";

/// Which source a value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// `--var` on the command line (or the TUI's overrides).
    Override,
    /// Captured from an earlier response in this environment.
    Capture,
    /// The environment's variables.
    Environment,
    /// A built-in such as `{{$uuid}}`.
    Builtin,
    /// The token history.
    TokenHistory,
    /// An auth built-in minted for this send (`{{$opentok_jwt}}` …).
    Minted,
}

/// A resolved value.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved {
    /// The value.
    pub value: Value,
    /// Whether to mask it in views and keep it out of the history.
    pub secret: bool,
    /// Where it came from.
    pub origin: Origin,
}

/// Built-in values drawn once per rendering, so a request and its history copy agree, and
/// the secrets the rendering resolved, for its scrubber.
#[derive(Debug, Default)]
pub struct Cache {
    values: BTreeMap<String, Value>,
    secrets: Vec<(String, String)>,
}

impl Cache {
    /// Notes that `name` resolved to the secret `value` in this rendering.
    pub fn note_secret(&mut self, name: &str, value: &Value) {
        let text = super::template::value_text(value);
        if !self.secrets.iter().any(|(n, v)| n == name && *v == text) {
            self.secrets.push((name.to_owned(), text));
        }
    }

    /// The secrets noted so far, as `(name, value)`.
    pub fn secrets(&self) -> &[(String, String)] {
        &self.secrets
    }

    /// The values minted for auth built-ins in this rendering: secrets the history copy must
    /// never hold, whatever place they were substituted in.
    pub fn minted(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.values
            .iter()
            .filter(|(name, _)| mint::is_auth_builtin(name))
            .map(|(name, value)| (name.as_str(), value))
    }
}

/// Looks up a token-history reference (the part after `token:`).
pub type TokenLookup<'a> = Box<dyn Fn(&str) -> Option<String> + 'a>;

/// The variable sources for one rendering.
pub struct Vars<'a> {
    /// `--var K=V` values (and the values a person entered in the TUI for the session).
    pub overrides: BTreeMap<String, Value>,
    /// Overrides that are secrets (entered for a session in the TUI): masked, scrubbed and
    /// kept out of the history like the environment's secrets. An override of a variable the
    /// environment marks secret is a secret too.
    pub secret_overrides: BTreeSet<String>,
    /// Captured values of the environment.
    pub captures: BTreeMap<String, Value>,
    env: &'a Environment,
    /// The token history, if one is open.
    pub tokens: Option<TokenLookup<'a>>,
}

impl std::fmt::Debug for Vars<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vars")
            .field("overrides", &self.overrides.keys().collect::<Vec<_>>())
            .field("captures", &self.captures.keys().collect::<Vec<_>>())
            .field("env", &self.env.name)
            .finish_non_exhaustive()
    }
}

impl<'a> Vars<'a> {
    /// Sources with only the environment (and built-ins).
    pub fn new(env: &'a Environment) -> Self {
        Vars {
            overrides: BTreeMap::new(),
            secret_overrides: BTreeSet::new(),
            captures: BTreeMap::new(),
            env,
            tokens: None,
        }
    }

    /// The environment searched.
    pub fn env(&self) -> &Environment {
        self.env
    }

    /// Resolves `name`; `Ok(None)` when no source defines it.
    pub fn resolve(&self, name: &str, cache: &mut Cache) -> Result<Option<Resolved>, ConfigError> {
        let plain = |value: &Value, origin| Resolved {
            value: value.clone(),
            secret: false,
            origin,
        };
        if let Some(v) = self.overrides.get(name) {
            let secret = self.secret_overrides.contains(name)
                || self.env.variables.get(name).is_some_and(|var| var.secret);
            return Ok(Some(Resolved {
                secret,
                ..plain(v, Origin::Override)
            }));
        }
        if let Some(v) = self.captures.get(name) {
            return Ok(Some(plain(v, Origin::Capture)));
        }
        if let Some((value, secret)) = self.env.resolve(name)? {
            return Ok(Some(Resolved {
                value,
                secret,
                origin: Origin::Environment,
            }));
        }
        if let Some(v) = cache.values.get(name) {
            if mint::is_auth_builtin(name) {
                return Ok(Some(Resolved {
                    value: v.clone(),
                    secret: true,
                    origin: Origin::Minted,
                }));
            }
            return Ok(Some(plain(v, Origin::Builtin)));
        }
        if let Some(minted) = self.mint(name, cache)? {
            return Ok(Some(minted));
        }
        if let Some(v) = builtin(name) {
            cache.values.insert(name.to_owned(), v.clone());
            return Ok(Some(plain(&v, Origin::Builtin)));
        }
        if let (Some(reference), Some(lookup)) = (name.strip_prefix(TOKEN_PREFIX), &self.tokens) {
            return Ok(lookup(reference).map(|token| Resolved {
                value: Value::String(token),
                secret: true,
                origin: Origin::TokenHistory,
            }));
        }
        Ok(None)
    }
}

impl Vars<'_> {
    /// Mints an auth built-in from the variables it needs (looked up through every source),
    /// and keeps it in the cache so the rest of this rendering uses the same value.
    fn mint(&self, name: &str, cache: &mut Cache) -> Result<Option<Resolved>, ConfigError> {
        if !mint::is_auth_builtin(name) {
            return Ok(None);
        }
        let minted = mint::mint(name, clock::now_unix(), |var| {
            Ok(self
                .resolve(var, cache)?
                .map(|r| super::template::value_text(&r.value)))
        })?;
        let Some(minted) = minted else {
            return Ok(None);
        };
        let value = minted.map_err(|e| ConfigError::Mint {
            builtin: name.to_owned(),
            environment: self.env.name.clone(),
            reason: match e {
                mint::MintError::Missing(var) => MintReason::Missing(var.to_owned()),
                mint::MintError::Unusable(reason) => MintReason::Unusable(reason),
            },
        })?;
        let value = Value::String(value);
        cache.values.insert(name.to_owned(), value.clone());
        Ok(Some(Resolved {
            value,
            secret: true,
            origin: Origin::Minted,
        }))
    }
}

/// The built-in variables' names, for help texts.
pub const BUILTINS: [&str; 6] = [
    "$uuid",
    "$now",
    "$timestamp",
    "$timestamp_ms",
    "$random_email",
    "$random_int",
];

fn builtin(name: &str) -> Option<Value> {
    let mut rng = rand::thread_rng();
    Some(match name {
        "$uuid" => Value::String(uuid::Uuid::new_v4().to_string()),
        "$now" => Value::String(clock::rfc3339(clock::now_unix())),
        "$timestamp" => Value::from(clock::now_unix()),
        "$timestamp_ms" => Value::from(clock::now_unix_ms()),
        "$random_email" => Value::String(format!(
            "user{:08}@example.com",
            rng.gen_range(0..100_000_000)
        )),
        "$random_int" => Value::from(rng.gen_range(0..1_000_000)),
        _ => return None,
    })
}

/// Parses a `--var K=V`: V is taken as JSON when it is a number, boolean, null, array or
/// object, and as a string otherwise.
pub fn parse_cli_var(arg: &str) -> Result<(String, Value), String> {
    let (key, raw) = arg
        .split_once('=')
        .ok_or_else(|| format!("`{arg}` is not K=V; write e.g. --var address=alice@example.com"))?;
    let key = key.trim();
    if key.is_empty() {
        return Err(format!(
            "`{arg}` has an empty name; write e.g. --var address=alice@example.com"
        ));
    }
    Ok((key.to_owned(), var_value(raw)))
}

/// A value typed by hand (`--var`, or entered for the session in the TUI): JSON when it is a
/// number, boolean, null, array or object, a string otherwise.
pub fn var_value(raw: &str) -> Value {
    match serde_json::from_str::<Value>(raw) {
        Ok(
            v @ (Value::Number(_)
            | Value::Bool(_)
            | Value::Null
            | Value::Array(_)
            | Value::Object(_)),
        ) => v,
        _ => Value::String(raw.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    #[test]
    fn sources_are_searched_in_order() {
        let env = Environment::sandbox();
        let mut vars = Vars::new(&env);
        let mut cache = Cache::default();
        vars.captures
            .insert("mesibo_appid".into(), json!("captured"));
        assert_eq!(
            vars.resolve("mesibo_appid", &mut cache)
                .unwrap()
                .unwrap()
                .value,
            "captured"
        );
        vars.overrides.insert("mesibo_appid".into(), json!("cli"));
        let r = vars.resolve("mesibo_appid", &mut cache).unwrap().unwrap();
        assert_eq!(
            (r.value, r.origin, r.secret),
            (json!("cli"), Origin::Override, false)
        );
        // An override of a secret of the environment, or one entered as a secret, is secret.
        vars.overrides
            .insert("mesibo_app_token".into(), json!("typed"));
        assert!(
            vars.resolve("mesibo_app_token", &mut cache)
                .unwrap()
                .unwrap()
                .secret
        );
        vars.overrides
            .insert("agora_chat_token".into(), json!("typed"));
        assert!(
            !vars
                .resolve("agora_chat_token", &mut cache)
                .unwrap()
                .unwrap()
                .secret
        );
        vars.secret_overrides.insert("agora_chat_token".into());
        assert!(
            vars.resolve("agora_chat_token", &mut cache)
                .unwrap()
                .unwrap()
                .secret
        );
        assert!(
            vars.resolve("mesibo_app_token", &mut cache)
                .unwrap()
                .unwrap()
                .secret
        );
        assert_eq!(vars.resolve("token:latest", &mut cache).unwrap(), None);
        vars.tokens = Some(Box::new(|r: &str| {
            (r == "latest").then(|| "tok".to_owned())
        }));
        let t = vars.resolve("token:latest", &mut cache).unwrap().unwrap();
        assert_eq!((t.value, t.secret), (json!("tok"), true));
    }

    #[test]
    fn builtins_are_stable_within_a_rendering() {
        let env = Environment::sandbox();
        let vars = Vars::new(&env);
        let mut cache = Cache::default();
        let a = vars.resolve("$uuid", &mut cache).unwrap().unwrap().value;
        let b = vars.resolve("$uuid", &mut cache).unwrap().unwrap().value;
        assert_eq!(a, b);
        assert_eq!(a.as_str().unwrap().len(), 36);
        let fresh = vars
            .resolve("$uuid", &mut Cache::default())
            .unwrap()
            .unwrap()
            .value;
        assert_ne!(a, fresh);
        assert!(vars
            .resolve("$timestamp", &mut cache)
            .unwrap()
            .unwrap()
            .value
            .is_i64());
    }

    #[test]
    fn cli_vars_are_typed() {
        assert_eq!(parse_cli_var("n=60").unwrap(), ("n".into(), json!(60)));
        assert_eq!(
            parse_cli_var("a=x@y.z").unwrap(),
            ("a".into(), json!("x@y.z"))
        );
        assert_eq!(
            parse_cli_var("s=\"60\"").unwrap(),
            ("s".into(), json!("\"60\""))
        );
        assert!(parse_cli_var("novalue").unwrap_err().contains("K=V"));
    }
}
