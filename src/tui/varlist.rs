//! The rows of the variables view: every value a `{{name}}` can take in the current
//! environment, with where it comes from, in the order a person looks for them — what the
//! open payload uses, the environment's variables, what was entered for the session, what
//! was captured (with the exchange that captured it), the auth built-ins and what they are
//! minted from, the other built-ins, and the newest token of the history.
//!
//! Secrets are masked with [`crate::secret::mask`] (the one mask); the clear value travels
//! along for the single row a person reveals. The sandbox's demo credentials are public (see
//! README, "The sandbox and its demo credentials"), so they are shown in clear.

use std::collections::{BTreeMap, BTreeSet};

use super::model::VarValue;
use crate::collection::{self, template, Cache, Origin, Vars};
use crate::config::VariableSource;
use crate::session::Session;

/// What the listing reads: the session's variable sources and the history's captures.
pub struct Listing<'a> {
    session: &'a Session,
    vars: Vars<'a>,
    captured_by: BTreeMap<String, Option<i64>>,
    session_values: BTreeSet<String>,
}

impl<'a> Listing<'a> {
    /// The listing of `session`'s current environment.
    pub fn new(session: &'a Session) -> Self {
        let env = &session.environment().name;
        let captured_by = session
            .with_store(|store| store.capture_exchanges(env))
            .ok()
            .flatten()
            .unwrap_or_default();
        Listing {
            session,
            vars: session.vars(BTreeMap::new()),
            captured_by,
            session_values: session.session_value_names().map(str::to_owned).collect(),
        }
    }

    /// The rows; `text` is the open payload's body and sidecar (empty when none is open).
    pub fn rows(&self, text: &str) -> Vec<VarValue> {
        let env = self.session.environment();
        let mut names: Vec<(String, bool)> = Vec::new();
        let mut seen = BTreeSet::new();
        let mut add = |name: &str, used: bool| {
            if seen.insert(name.to_owned()) {
                names.push((name.to_owned(), used));
            }
        };
        for v in template::variables_in(text) {
            add(&v.name, true);
        }
        for name in env.variables.keys() {
            add(name, false);
        }
        for name in &self.session_values {
            add(name, false);
        }
        for name in self.vars.captures.keys() {
            add(name, false);
        }
        for b in collection::AUTH_BUILTINS {
            add(b.name, false);
        }
        for name in collection::BUILTINS {
            add(name, false);
        }
        add("token:latest", false);
        let mut cache = Cache::default();
        names
            .into_iter()
            .map(|(name, used)| VarValue {
                used,
                ..self.row(&name, &mut cache)
            })
            .collect()
    }

    fn row(&self, name: &str, cache: &mut Cache) -> VarValue {
        let env = self.session.environment();
        let declared = env.variables.get(name);
        let public = env.is_sandbox()
            && matches!(
                declared.map(|v| &v.source),
                Some(VariableSource::Literal(_))
            )
            && !self.session_values.contains(name);
        let env_source = |secret_unset: bool| {
            match declared.map(|v| &v.source) {
            Some(VariableSource::Env { env: var }) if secret_unset => format!(
                "${var} ({{ env = \"{var}\" }} in apiplay.toml) is not set: e enters a value for this session"
            ),
            Some(VariableSource::Env { env: var }) => {
                format!("${var} ({{ env = \"{var}\" }} in apiplay.toml)")
            }
            Some(VariableSource::Literal(_)) if public => {
                "sandbox demo credential (public)".to_owned()
            }
            _ => format!("apiplay.toml [environments.{}.variables]", env.name),
        }
        };
        let mut row = VarValue {
            name: name.to_owned(),
            ..VarValue::default()
        };
        match self.vars.resolve(name, cache) {
            Ok(Some(r)) => {
                let text = template::value_text(&r.value);
                let shown = if r.secret && !public {
                    crate::secret::mask(&text)
                } else {
                    text.clone()
                };
                row.value = Some(shown);
                row.clear = Some(text);
                row.enterable = r.secret;
                row.source = match r.origin {
                    Origin::Override => {
                        "entered for this session (memory only, never written)".to_owned()
                    }
                    Origin::Capture => match self.captured_by.get(name).copied().flatten() {
                        Some(id) => format!("captured from exchange #{id}"),
                        None => "captured from an earlier answer".to_owned(),
                    },
                    Origin::Environment => env_source(false),
                    Origin::Minted => auth_source(name),
                    Origin::Builtin => "built-in, drawn again at every send".to_owned(),
                    Origin::TokenHistory => {
                        "the newest token of the history ({{token:FORMAT}}, {{token:SUBJECT}} and {{token:ID}} pick others)".to_owned()
                    }
                };
            }
            Ok(None) => {
                row.enterable = true;
                row.source = if collection::mint::is_auth_builtin(name) {
                    auth_source(name)
                } else if name.starts_with(collection::TOKEN_PREFIX) {
                    "no token in the history yet".to_owned()
                } else {
                    "unknown: a send that uses it is refused; e enters a value for this session"
                        .to_owned()
                };
            }
            Err(crate::config::ConfigError::MissingSecret { .. }) if declared.is_some() => {
                row.enterable = true;
                row.source = env_source(true);
            }
            Err(e) => {
                row.enterable = true;
                row.source = crate::exit::one_line(&super::errors::config_text(&e));
            }
        }
        row
    }
}

/// What an auth built-in is and what it is minted from.
fn auth_source(name: &str) -> String {
    collection::AUTH_BUILTINS
        .iter()
        .find(|b| b.name == name)
        .map_or_else(String::new, |b| {
            format!("minted per send: {}, from {}", b.what, b.needs)
        })
}
