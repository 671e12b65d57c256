//! `apiplay token new KIND`: mint a token locally with the same builders the sandbox uses,
//! print it, and record it in the token history.

use std::io::Write as _;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, ValueEnum};
use rand::Rng;

use super::secret_from;
use crate::clock;
use crate::config::{Config, Environment};
use crate::exit::Outcome;
use crate::history::Store;
use crate::tokens::{self, agora, opentok, twilio, vonage, DecodedToken};

/// What to mint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Kind {
    /// Agora Chat user token (007, Chat service, `user` privilege).
    AgoraChatUser,
    /// Agora Chat app token (007, Chat service, `app` privilege).
    AgoraChatApp,
    /// Agora RTC token (007, RTC service).
    AgoraRtc,
    /// Agora RTM token (007, RTM service).
    AgoraRtm,
    /// Twilio Access Token (HS256 JWT with grants).
    Twilio,
    /// OpenTok client token (T1 or HS256 JWT).
    Opentok,
    /// Vonage Video client token (RS256 JWT).
    Vonage,
}

/// The OpenTok token formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OpentokFormat {
    /// The legacy `T1==` token.
    T1,
    /// The HS256 JWT current SDKs emit.
    Jwt,
}

/// Options of `apiplay token new`.
#[derive(Debug, Clone, PartialEq, Eq, Args)]
#[allow(clippy::struct_excessive_bools)]
pub struct NewArgs {
    /// What to mint.
    #[arg(value_enum)]
    pub kind: Kind,
    /// Lifetime in seconds (default: Agora 3600, Twilio 3600, OpenTok 86400, Vonage 900).
    #[arg(long)]
    pub ttl: Option<u32>,
    /// Agora app id.
    #[arg(long, env = "AGORA_APP_ID")]
    pub app_id: Option<String>,
    /// Agora app certificate [env: AGORA_APP_CERTIFICATE].
    #[arg(long)]
    pub cert: Option<String>,
    /// The user: Agora Chat/RTM user id, RTC user account or uid, Twilio identity.
    #[arg(long)]
    pub user: Option<String>,
    /// Agora RTC channel name.
    #[arg(long)]
    pub channel: Option<String>,
    /// Agora RTC: add the publish privileges to joinChannel.
    #[arg(long)]
    pub publisher: bool,
    /// Twilio account SID (AC…).
    #[arg(long, env = "TWILIO_ACCOUNT_SID")]
    pub account_sid: Option<String>,
    /// Twilio API key SID (SK…).
    #[arg(long, env = "TWILIO_API_KEY_SID")]
    pub key_sid: Option<String>,
    /// Twilio API key secret or OpenTok API secret [env: TWILIO_API_KEY_SECRET / OPENTOK_API_SECRET].
    #[arg(long)]
    pub secret: Option<String>,
    /// Twilio: add a Chat grant for this service SID (IS…).
    #[arg(long)]
    pub chat_service: Option<String>,
    /// Twilio: the Chat grant's push credential SID (CR…).
    #[arg(long)]
    pub push_credential: Option<String>,
    /// Twilio: add a Video grant (for this room when given).
    #[arg(long)]
    pub video: bool,
    /// Twilio: the Video grant's room.
    #[arg(long)]
    pub room: Option<String>,
    /// Twilio: add a Voice grant for outgoing calls through this TwiML app SID (AP…).
    #[arg(long)]
    pub voice_app: Option<String>,
    /// Twilio: allow incoming calls in the Voice grant.
    #[arg(long)]
    pub voice_incoming: bool,
    /// Twilio: add a Sync grant for this service SID.
    #[arg(long)]
    pub sync_service: Option<String>,
    /// Twilio: add a TaskRouter grant for this workspace SID (with --worker, --task-role).
    #[arg(long)]
    pub workspace: Option<String>,
    /// Twilio: the TaskRouter worker SID.
    #[arg(long)]
    pub worker: Option<String>,
    /// Twilio: the TaskRouter role.
    #[arg(long)]
    pub task_role: Option<String>,
    /// OpenTok API key (project key).
    #[arg(long, env = "OPENTOK_API_KEY")]
    pub api_key: Option<String>,
    /// OpenTok: token format.
    #[arg(long, value_enum, default_value_t = OpentokFormat::Jwt)]
    pub format: OpentokFormat,
    /// OpenTok/Vonage session id (OpenTok: a new one is made for the API key when omitted).
    #[arg(long)]
    pub session: Option<String>,
    /// OpenTok/Vonage role: subscriber, publisher, moderator, publisheronly.
    #[arg(long, default_value = "publisher")]
    pub role: opentok::Role,
    /// OpenTok/Vonage connection data (at most 1000 characters).
    #[arg(long)]
    pub data: Option<String>,
    /// OpenTok/Vonage initial layout class (repeat for several).
    #[arg(long = "layout")]
    pub layout: Vec<String>,
    /// Vonage application id.
    #[arg(long, env = "VONAGE_APPLICATION_ID")]
    pub application_id: Option<String>,
    /// Vonage private key PEM file [env: VONAGE_PRIVATE_KEY_PATH].
    #[arg(long, value_name = "FILE")]
    pub private_key: Option<PathBuf>,
    /// Do not record the token in the token history.
    #[arg(long)]
    pub no_history: bool,
}

impl NewArgs {
    /// The options of a bare `apiplay token new KIND` (every other option at its default),
    /// for callers that fill them in themselves (the TUI's mint form).
    pub fn new(kind: Kind) -> NewArgs {
        NewArgs {
            kind,
            ttl: None,
            app_id: None,
            cert: None,
            user: None,
            channel: None,
            publisher: false,
            account_sid: None,
            key_sid: None,
            secret: None,
            chat_service: None,
            push_credential: None,
            video: false,
            room: None,
            voice_app: None,
            voice_incoming: false,
            sync_service: None,
            workspace: None,
            worker: None,
            task_role: None,
            api_key: None,
            format: OpentokFormat::Jwt,
            session: None,
            role: opentok::Role::Publisher,
            data: None,
            layout: Vec::new(),
            application_id: None,
            private_key: None,
            no_history: false,
        }
    }
}

/// The credentials of the environment (`--env`; the sandbox's demo credentials by default),
/// used where neither an option nor its process environment variable gives one.
pub struct Defaults {
    env: Environment,
}

impl Defaults {
    /// The defaults of an environment already loaded (the TUI's current one).
    pub fn of(env: Environment) -> Defaults {
        Defaults { env }
    }

    /// The defaults of environment `name` (the sandbox when `None`) of `./apiplay.toml`.
    pub fn load(name: Option<&str>) -> anyhow::Result<Defaults> {
        let config = Config::load(std::path::Path::new("."))?;
        Ok(Defaults {
            env: config.environment(name.unwrap_or(crate::config::SANDBOX))?,
        })
    }

    /// A variable of the environment as text; an error when it names an unset secret.
    fn get(&self, variable: &str) -> anyhow::Result<Option<String>> {
        Ok(self
            .env
            .resolve(variable)?
            .map(|(value, _)| crate::collection::template::value_text(&value))
            .filter(|v| !v.is_empty()))
    }

    /// `value` (an option or its process environment variable), else the environment's
    /// `variable`, else an error naming all three.
    fn pick(&self, value: Option<&String>, variable: &str, what: &str) -> anyhow::Result<String> {
        if let Some(v) = value.filter(|v| !v.is_empty()) {
            return Ok(v.clone());
        }
        self.get(variable)?.ok_or_else(|| {
            anyhow::anyhow!(
                "{what} is required (or `{variable}` in environment `{}`)",
                self.env.name
            )
        })
    }

    /// A secret: its option, its process environment variable `var`, else the environment's
    /// `variable`.
    fn secret(
        &self,
        option: Option<&str>,
        var: &str,
        variable: &str,
        what: &str,
    ) -> anyhow::Result<String> {
        self.pick(secret_from(option, var).as_ref(), variable, what)
    }
}

fn required(value: Option<&String>, what: &str) -> anyhow::Result<String> {
    value
        .filter(|v| !v.is_empty())
        .cloned()
        .ok_or_else(|| anyhow::anyhow!("{what} is required"))
}

/// Mints, prints and records.
pub fn run(args: &NewArgs, defaults: &Defaults) -> anyhow::Result<Outcome> {
    let now = clock::now_unix();
    let Minted { token, session } = mint(args, defaults, now)?;
    if let Some(id) = session {
        say!("session: {id}");
    }
    writeln!(std::io::stdout().lock(), "{token}")?;
    if !args.no_history {
        let decoded = tokens::decode(&token).context("the minted token does not decode")?;
        record(&token, &decoded, now)?;
    }
    Ok(Outcome::Ok)
}

/// Records a minted token in the token history (environment `local`: it was not sent
/// anywhere).
fn record(token: &str, decoded: &DecodedToken, now: i64) -> anyhow::Result<()> {
    let mut store = Store::open_default()
        .context("cannot open the token history (use --no-history to skip it)")?;
    store
        .record_minted(token, decoded, "local", now)
        .context("cannot record the token in the history (use --no-history to skip it)")?;
    Ok(())
}

/// A token minted, and the OpenTok session made for it when none was given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Minted {
    /// The token.
    pub token: String,
    /// The new session's id, when one was made.
    pub session: Option<String>,
}

/// Mints the token `args` describe at `now`, credentials missing from `args` taken from
/// `defaults`; prints nothing (the CLI prints, the TUI shows).
pub fn mint(args: &NewArgs, defaults: &Defaults, now: i64) -> anyhow::Result<Minted> {
    let mut made_session = None;
    let token = mint_token(args, defaults, now, &mut made_session)?;
    Ok(Minted {
        token,
        session: made_session,
    })
}

fn mint_token(
    args: &NewArgs,
    defaults: &Defaults,
    now: i64,
    made_session: &mut Option<String>,
) -> anyhow::Result<String> {
    let mut rng = rand::thread_rng();
    match args.kind {
        Kind::AgoraChatUser | Kind::AgoraChatApp | Kind::AgoraRtc | Kind::AgoraRtm => {
            mint_agora(args, defaults, now, rng.gen_range(1..=99_999_999))
        }
        Kind::Twilio => {
            let mut token = twilio::AccessToken::new(
                &defaults.pick(
                    args.account_sid.as_ref(),
                    "twilio_account_sid",
                    "--account-sid (or TWILIO_ACCOUNT_SID)",
                )?,
                &defaults.pick(
                    args.key_sid.as_ref(),
                    "twilio_api_key_sid",
                    "--key-sid (or TWILIO_API_KEY_SID)",
                )?,
                &defaults.secret(
                    args.secret.as_deref(),
                    "TWILIO_API_KEY_SECRET",
                    "twilio_api_key_secret",
                    "--secret (or TWILIO_API_KEY_SECRET)",
                )?,
                &required(args.user.as_ref(), "--user (the identity)")?,
            );
            token.ttl_secs = args.ttl.unwrap_or(twilio::DEFAULT_TTL_SECS);
            token.grants = twilio_grants(args);
            if let Some(lifetime) = token.over_max_ttl(now) {
                say!(
                    "warning: a lifetime of {lifetime} s is over Twilio's 24 h maximum; the token is minted (as Twilio's helper libraries mint it), but Twilio refuses it with error 20157 when a client presents it"
                );
            }
            Ok(token.to_jwt(now)?)
        }
        Kind::Opentok => {
            let api_key = defaults.pick(
                args.api_key.as_ref(),
                "opentok_api_key",
                "--api-key (or OPENTOK_API_KEY)",
            )?;
            let secret = defaults.secret(
                args.secret.as_deref(),
                "OPENTOK_API_SECRET",
                "opentok_api_secret",
                "--secret (or OPENTOK_API_SECRET)",
            )?;
            let session_id = if let Some(s) = &args.session {
                s.clone()
            } else {
                // Like the OpenTok servers: a fresh session under this key, so the token is
                // usable as-is against the sandbox.
                let random: String = (0..24)
                    .map(|_| char::from(rng.sample(rand::distributions::Alphanumeric)))
                    .collect();
                let id = opentok::new_session_id(&api_key, clock::now_unix_ms(), &random);
                *made_session = Some(id.clone());
                id
            };
            let opts = options(args, session_id, now);
            let nonce = rng.gen_range(0..=999_999);
            Ok(match args.format {
                OpentokFormat::T1 => opentok::build_t1(&api_key, &secret, &opts, now, nonce)?,
                OpentokFormat::Jwt => opentok::build_jwt(&api_key, &secret, &opts, now, nonce)?,
            })
        }
        Kind::Vonage => {
            let app = defaults.pick(
                args.application_id.as_ref(),
                "vonage_application_id",
                "--application-id (or VONAGE_APPLICATION_ID)",
            )?;
            let pem = vonage_pem(args, defaults)?;
            let session_id = required(args.session.as_ref(), "--session")?;
            let opts = options(args, session_id, now);
            let jti = uuid::Uuid::new_v4().to_string();
            Ok(vonage::build(&app, &pem, &opts, now, &jti)?)
        }
    }
}

/// The Vonage private key's PEM text: `--private-key` or `VONAGE_PRIVATE_KEY_PATH` (a file),
/// else the environment's `vonage_private_key`: a key file's path, or the PEM itself (the
/// sandbox's demo key).
fn vonage_pem(args: &NewArgs, defaults: &Defaults) -> anyhow::Result<String> {
    let path = args
        .private_key
        .clone()
        .or_else(|| secret_from(None, "VONAGE_PRIVATE_KEY_PATH").map(PathBuf::from));
    if let Some(path) = path {
        return std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read the private key file {}", path.display()));
    }
    let key = defaults.pick(
        None,
        "vonage_private_key",
        "--private-key FILE (or VONAGE_PRIVATE_KEY_PATH)",
    )?;
    crate::collection::mint::private_key_text(&key).map_err(|e| match e {
        crate::collection::mint::MintError::Unusable(why) => anyhow::anyhow!("{why}"),
        crate::collection::mint::MintError::Missing(what) => anyhow::anyhow!("{what} is missing"),
    })
}

/// An Agora 007 token of the kinds `agora-*`.
fn mint_agora(args: &NewArgs, defaults: &Defaults, now: i64, salt: u32) -> anyhow::Result<String> {
    let app_id = defaults.pick(
        args.app_id.as_ref(),
        "agora_app_id",
        "--app-id (or AGORA_APP_ID)",
    )?;
    let cert = defaults.secret(
        args.cert.as_deref(),
        "AGORA_APP_CERTIFICATE",
        "agora_app_certificate",
        "--cert (or AGORA_APP_CERTIFICATE)",
    )?;
    let ttl = args.ttl.unwrap_or(3600);
    let issue = u32::try_from(now).context("the clock is past 2106")?;
    let user = || required(args.user.as_ref(), "--user");
    let token = match args.kind {
        Kind::AgoraChatUser => agora::chat_user_token(&app_id, &cert, &user()?, ttl, issue, salt),
        Kind::AgoraChatApp => agora::chat_app_token(&app_id, &cert, ttl, issue, salt),
        Kind::AgoraRtc => {
            let channel = required(args.channel.as_ref(), "--channel")?;
            let uid = args.user.clone().unwrap_or_default();
            agora::rtc_token(
                &app_id,
                &cert,
                &channel,
                &uid,
                args.publisher,
                ttl,
                issue,
                salt,
            )
        }
        _ => agora::rtm_token(&app_id, &cert, &user()?, ttl, issue, salt),
    };
    Ok(token?)
}

fn options(args: &NewArgs, session_id: String, now: i64) -> opentok::TokenOptions {
    opentok::TokenOptions {
        session_id,
        role: args.role,
        expire_time: args.ttl.map(|t| now + i64::from(t)),
        connection_data: args.data.clone(),
        initial_layout_class_list: args.layout.clone(),
    }
}

fn twilio_grants(args: &NewArgs) -> Vec<twilio::Grant> {
    let mut grants = Vec::new();
    if args.chat_service.is_some() || args.push_credential.is_some() {
        grants.push(twilio::Grant::Chat(twilio::ChatGrant {
            service_sid: args.chat_service.clone(),
            push_credential_sid: args.push_credential.clone(),
            ..twilio::ChatGrant::default()
        }));
    }
    if args.video || args.room.is_some() {
        grants.push(twilio::Grant::Video(twilio::VideoGrant {
            room: args.room.clone(),
        }));
    }
    if args.voice_app.is_some() || args.voice_incoming {
        grants.push(twilio::Grant::Voice(twilio::VoiceGrant {
            incoming_allow: args.voice_incoming,
            outgoing_application_sid: args.voice_app.clone(),
            ..twilio::VoiceGrant::default()
        }));
    }
    if let Some(sid) = &args.sync_service {
        grants.push(twilio::Grant::Sync(twilio::SyncGrant {
            service_sid: Some(sid.clone()),
            endpoint_id: None,
        }));
    }
    if args.workspace.is_some() || args.worker.is_some() || args.task_role.is_some() {
        grants.push(twilio::Grant::TaskRouter(twilio::TaskRouterGrant {
            workspace_sid: args.workspace.clone(),
            worker_sid: args.worker.clone(),
            role: args.task_role.clone(),
        }));
    }
    grants
}
