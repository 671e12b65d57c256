//! Environments (`apiplay.toml`) and data paths.
//!
//! An environment names the base URL of each backend and the variables templates may use.
//! Secrets are references to process environment variables (`{ env = "MESIBO_APP_TOKEN" }`),
//! resolved only when a template asks for them, so a missing one is an error naming the
//! variable exactly when it matters. The built-in `sandbox` environment needs no file: its
//! backends are the embedded sandbox's URL and its variables the demo credentials.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::sandbox::demo;

/// The name of the built-in environment backed by the embedded sandbox.
pub const SANDBOX: &str = "sandbox";

/// The file environments are read from, in the working directory.
pub const CONFIG_FILE: &str = "apiplay.toml";

/// Why the configuration could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file exists but could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The file is not valid TOML or does not have the expected shape.
    #[error("{path}:{line}:{col}: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        col: usize,
        /// What the parser said.
        message: String,
    },
    /// No environment of that name.
    #[error("unknown environment `{name}`; known: {known}. Define it under [environments.{name}] in apiplay.toml")]
    UnknownEnvironment {
        /// The name asked for.
        name: String,
        /// The names that exist, comma-separated.
        known: String,
    },
    /// A secret refers to an unset process environment variable.
    #[error("variable `{name}` of environment `{environment}` reads ${var}, which is not set; export {var}=… and run again")]
    MissingSecret {
        /// The template variable.
        name: String,
        /// The environment.
        environment: String,
        /// The process environment variable.
        var: String,
    },
    /// An auth built-in (`{{$opentok_jwt}}` …) lacks an input or cannot use it.
    #[error("cannot mint {{{{{builtin}}}}} in environment `{environment}`: {}", .reason.cli_text(environment))]
    Mint {
        /// The built-in, with its `$`.
        builtin: String,
        /// The environment.
        environment: String,
        /// What is missing or wrong.
        reason: MintReason,
    },
    /// Neither `$APIPLAY_HOME` nor a platform data directory is available.
    #[error("no data directory: set APIPLAY_HOME to a writable folder")]
    NoDataDir,
}

/// Why an auth built-in cannot be minted. Each front end says what to do in its own terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MintReason {
    /// An input variable (`twilio_api_key_secret` …) has no value.
    Missing(String),
    /// An input has a value that cannot be used; the text says why and what to do.
    Unusable(String),
}

impl MintReason {
    /// The reason with the command line's advice (`--var`).
    pub fn cli_text(&self, environment: &str) -> String {
        match self {
            MintReason::Missing(var) => format!(
                "it needs the variable `{var}`; define it under [environments.{environment}.variables] in apiplay.toml or pass --var {var}=…"
            ),
            MintReason::Unusable(reason) => reason.clone(),
        }
    }
}

/// Where a variable's value comes from.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum VariableSource {
    /// A secret read from the process environment when used.
    Env {
        /// The process environment variable's name.
        env: String,
    },
    /// A value written in the file (or built in); any JSON type.
    Literal(serde_json::Value),
}

/// A variable of an environment.
#[derive(Debug, Clone, PartialEq)]
pub struct Variable {
    /// Where the value comes from.
    pub source: VariableSource,
    /// Whether the value must be masked in the UI and kept out of the history.
    pub secret: bool,
}

/// A named set of backend base URLs and variables.
#[derive(Debug, Clone, PartialEq)]
pub struct Environment {
    /// Its name.
    pub name: String,
    /// Backend name (`mesibo`, `agora_chat`, …) → base URL.
    pub backends: BTreeMap<String, String>,
    /// Template variables.
    pub variables: BTreeMap<String, Variable>,
}

impl Environment {
    /// Whether requests go to the embedded sandbox (which must then be started).
    pub fn is_sandbox(&self) -> bool {
        self.name == SANDBOX
    }

    /// The built-in sandbox environment; [`Environment::bind_sandbox`] fills in its URLs.
    pub fn sandbox() -> Environment {
        let literal = |v: &str, secret: bool| Variable {
            source: VariableSource::Literal(serde_json::Value::String(v.to_owned())),
            secret,
        };
        let variables = [
            ("mesibo_app_token", literal(demo::MESIBO_APP_TOKEN, true)),
            ("mesibo_appid", literal(demo::MESIBO_APPID, false)),
            ("agora_app_id", literal(demo::AGORA_APP_ID, false)),
            (
                "agora_app_certificate",
                literal(demo::AGORA_APP_CERTIFICATE, true),
            ),
            ("agora_org", literal(demo::AGORA_ORG, false)),
            ("agora_app", literal(demo::AGORA_APP, false)),
            (
                "twilio_account_sid",
                literal(demo::TWILIO_ACCOUNT_SID, false),
            ),
            (
                "twilio_api_key_sid",
                literal(demo::TWILIO_API_KEY_SID, false),
            ),
            (
                "twilio_api_key_secret",
                literal(demo::TWILIO_API_KEY_SECRET, true),
            ),
            ("twilio_auth_token", literal(demo::TWILIO_AUTH_TOKEN, true)),
            (
                "twilio_chat_service_sid",
                literal(demo::TWILIO_CHAT_SERVICE_SID, false),
            ),
            ("opentok_api_key", literal(demo::OPENTOK_API_KEY, false)),
            (
                "opentok_api_secret",
                literal(demo::OPENTOK_API_SECRET, true),
            ),
            (
                "vonage_application_id",
                literal(demo::VONAGE_APPLICATION_ID, false),
            ),
            // The key itself rather than a path: `{{$vonage_jwt}}` takes either.
            (
                "vonage_private_key",
                literal(demo::VONAGE_PRIVATE_KEY, true),
            ),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        Environment {
            name: SANDBOX.to_owned(),
            backends: BTreeMap::new(),
            variables,
        }
    }

    /// Points every backend of the sandbox environment at a running sandbox's root URL.
    pub fn bind_sandbox(&mut self, root_url: &str) {
        let root = root_url.trim_end_matches('/');
        for name in BACKENDS {
            let url = if name == "mesibo" {
                format!("{root}/backend/")
            } else {
                root.to_owned()
            };
            self.backends.insert(name.to_owned(), url);
        }
    }

    /// The base URL of a backend, or `None` if this environment does not define it.
    pub fn backend_url(&self, backend: &str) -> Option<&str> {
        self.backends.get(backend).map(String::as_str)
    }

    /// Resolves a variable's value: `Ok(None)` if the environment does not define it.
    pub fn resolve(&self, name: &str) -> Result<Option<(serde_json::Value, bool)>, ConfigError> {
        let Some(var) = self.variables.get(name) else {
            return Ok(None);
        };
        let value = match &var.source {
            VariableSource::Literal(v) => v.clone(),
            VariableSource::Env { env } => match std::env::var(env) {
                Ok(v) => serde_json::Value::String(v),
                Err(_) => {
                    return Err(ConfigError::MissingSecret {
                        name: name.to_owned(),
                        environment: self.name.clone(),
                        var: env.clone(),
                    })
                }
            },
        };
        Ok(Some((value, var.secret)))
    }
}

/// The backends the payload collection knows, each a key of an environment's `[backends]`.
pub const BACKENDS: [&str; 7] = [
    "mesibo",
    "agora_chat",
    "agora_token_server",
    "twilio_token_server",
    "twilio_conversations",
    "vonage_video",
    "vonage_token_server",
];

/// The environments of `apiplay.toml` plus the built-in sandbox.
#[derive(Debug, Clone, Default)]
pub struct Config {
    environments: BTreeMap<String, Environment>,
    /// The file they came from, if any.
    pub path: Option<PathBuf>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    #[serde(default)]
    environments: BTreeMap<String, FileEnvironment>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileEnvironment {
    #[serde(default)]
    backends: BTreeMap<String, String>,
    #[serde(default)]
    variables: BTreeMap<String, VariableSource>,
    /// Literal variables that must nevertheless be masked.
    #[serde(default)]
    secrets: Vec<String>,
}

impl Config {
    /// Reads `apiplay.toml` from `dir` if it exists; the sandbox environment is always there.
    pub fn load(dir: &Path) -> Result<Config, ConfigError> {
        let path = dir.join(CONFIG_FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => Config::parse(&text, &path),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Config::default()),
            Err(source) => Err(ConfigError::Read { path, source }),
        }
    }

    /// Parses the text of an `apiplay.toml`; `path` is used in error messages.
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let file: FileConfig = toml::from_str(text).map_err(|e| {
            let (line, col) = e.span().map_or((1, 1), |s| line_col(text, s.start));
            ConfigError::Parse {
                path: path.to_owned(),
                line,
                col,
                message: crate::exit::one_line(e.message()),
            }
        })?;
        let environments = file
            .environments
            .into_iter()
            .map(|(name, env)| {
                let variables = env
                    .variables
                    .into_iter()
                    .map(|(k, source)| {
                        let secret = matches!(source, VariableSource::Env { .. })
                            || env.secrets.contains(&k);
                        (k, Variable { source, secret })
                    })
                    .collect();
                let environment = Environment {
                    name: name.clone(),
                    backends: env.backends,
                    variables,
                };
                (name, environment)
            })
            .collect();
        Ok(Config {
            environments,
            path: Some(path.to_owned()),
        })
    }

    /// Every environment name, the built-in sandbox first.
    pub fn environment_names(&self) -> Vec<String> {
        std::iter::once(SANDBOX.to_owned())
            .chain(self.environments.keys().filter(|n| *n != SANDBOX).cloned())
            .collect()
    }

    /// The environment called `name`. A `[environments.sandbox]` table in the file adds to
    /// (and overrides) the built-in sandbox's variables; its backends stay the sandbox's.
    pub fn environment(&self, name: &str) -> Result<Environment, ConfigError> {
        if name == SANDBOX {
            let mut env = Environment::sandbox();
            if let Some(extra) = self.environments.get(SANDBOX) {
                env.variables.extend(extra.variables.clone());
            }
            return Ok(env);
        }
        self.environments
            .get(name)
            .cloned()
            .ok_or_else(|| ConfigError::UnknownEnvironment {
                name: name.to_owned(),
                known: self.environment_names().join(", "),
            })
    }
}

/// The folder for the history database and drafts: `$APIPLAY_HOME`, else the platform data
/// directory. It is created if missing.
pub fn data_dir() -> Result<PathBuf, ConfigError> {
    let dir = match std::env::var_os("APIPLAY_HOME") {
        Some(home) if !home.is_empty() => PathBuf::from(home),
        _ => directories::ProjectDirs::from("", "", "apiplay")
            .map(|d| d.data_dir().to_owned())
            .ok_or(ConfigError::NoDataDir)?,
    };
    crate::datadir::private_dir(&dir).map_err(|source| ConfigError::Read {
        path: dir.clone(),
        source,
    })?;
    Ok(dir)
}

/// 1-based line and column (in characters) of a byte offset in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const SAMPLE: &str = r#"
[environments.cloud.backends]
mesibo = "https://api.mesibo.com/backend/"

[environments.cloud.variables]
mesibo_app_token = { env = "APIPLAY_TEST_UNSET_TOKEN" }
mesibo_appid = "com.example.app"
"#;

    #[test]
    fn secrets_are_env_references_resolved_on_use() {
        let config = Config::parse(SAMPLE, Path::new("apiplay.toml")).unwrap();
        let env = config.environment("cloud").unwrap();
        assert_eq!(
            env.backend_url("mesibo"),
            Some("https://api.mesibo.com/backend/")
        );
        assert_eq!(
            env.resolve("mesibo_appid").unwrap(),
            Some((serde_json::json!("com.example.app"), false))
        );
        let err = env.resolve("mesibo_app_token").unwrap_err().to_string();
        assert!(err.contains("$APIPLAY_TEST_UNSET_TOKEN"), "{err}");
        assert!(err.contains("mesibo_app_token"), "{err}");
        assert_eq!(env.resolve("nope").unwrap(), None);
    }

    #[test]
    fn parse_errors_carry_line_and_column() {
        let err = Config::parse("[environments.x]\nbackends = 3\n", Path::new("a.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("a.toml:2:"), "{err}");
    }

    #[test]
    fn sandbox_is_builtin_and_first() {
        let config = Config::parse(SAMPLE, Path::new("apiplay.toml")).unwrap();
        assert_eq!(config.environment_names(), ["sandbox", "cloud"]);
        let mut env = config.environment("sandbox").unwrap();
        env.bind_sandbox("http://127.0.0.1:9/");
        assert_eq!(
            env.backend_url("mesibo"),
            Some("http://127.0.0.1:9/backend/")
        );
        assert_eq!(env.backend_url("agora_chat"), Some("http://127.0.0.1:9"));
        assert!(
            env.resolve("mesibo_app_token").unwrap().unwrap().1,
            "app token is a secret"
        );
        let err = config.environment("prod").unwrap_err().to_string();
        assert!(err.contains("sandbox, cloud"), "{err}");
    }

    #[test]
    fn line_col_counts_characters() {
        assert_eq!(line_col("ab\ncé{", 6), (2, 3));
        assert_eq!(line_col("x", 0), (1, 1));
    }
}
