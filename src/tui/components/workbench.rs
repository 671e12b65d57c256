//! The token workbench on the Tokens tab: `d` decodes and verifies a pasted token (the CLI's
//! auto-detection, the environment's credentials), `n` mints one locally from a form (every
//! kind of `apiplay token new`, the environment's credentials as defaults). The result shows
//! the verdict, the readable account, the JWT header and the claims, and scrolls.

use std::cell::Cell;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget, Wrap};
use serde_json::Value;

use super::{wrapped_rows, Ctx};
use crate::cli::token::{Kind, NewArgs, OpentokFormat};
use crate::secret::mask;
use crate::tokens::check::Verdict;
use crate::tokens::opentok::Role;
use crate::tokens::{describe, DecodedToken};
use crate::tui::message::Effect;
use crate::tui::theme;

/// A decoded token with its verdict, as the workbench shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Inspected {
    /// The token.
    pub token: String,
    /// What it says about itself.
    pub decoded: DecodedToken,
    /// A JWT's header; `None` for other formats.
    pub header: Option<Value>,
    /// What verifying it found.
    pub verdict: Verdict,
    /// An OpenTok session made for a minted token.
    pub session: Option<String>,
}

impl Inspected {
    /// The account of `token`; its JWT header read from the token itself.
    pub fn new(token: &str, decoded: DecodedToken, verdict: Verdict) -> Self {
        Self {
            token: token.to_owned(),
            header: jwt_header(token),
            decoded,
            verdict,
            session: None,
        }
    }
}

/// The header of a JWT (`None` when `token` is not one).
pub fn jwt_header(token: &str) -> Option<Value> {
    if !token.starts_with("eyJ") {
        return None;
    }
    crate::tokens::jwt::parse(token)
        .ok()
        .map(|jwt| Value::Object(jwt.header))
}

/// One of the environment's credentials the mint form starts from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialDefault {
    /// The variable (`agora_app_id`).
    pub name: String,
    /// Its value.
    pub value: String,
    /// Whether it is masked.
    pub secret: bool,
}

/// What the workbench is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Decode and verify a pasted token.
    Decode,
    /// Mint a token from the form.
    Mint,
}

/// Sets an option of `token new` from the form's text.
type Apply = fn(&mut NewArgs, &str) -> Result<(), String>;

/// A field of the mint form.
#[derive(Debug, Clone)]
struct Field {
    label: &'static str,
    /// The environment variable that gives its default.
    var: Option<&'static str>,
    secret: bool,
    value: String,
    apply: Apply,
}

const fn field(
    label: &'static str,
    var: Option<&'static str>,
    secret: bool,
    apply: Apply,
) -> (&'static str, Option<&'static str>, bool, Apply) {
    (label, var, secret, apply)
}

fn opt(v: &str) -> Option<String> {
    let v = v.trim();
    (!v.is_empty()).then(|| v.to_owned())
}

fn ttl(a: &mut NewArgs, v: &str) -> Result<(), String> {
    a.ttl = match v.trim() {
        "" => None,
        t => Some(
            t.parse()
                .map_err(|_| format!("ttl: `{t}` is not a whole number of seconds"))?,
        ),
    };
    Ok(())
}

fn role(a: &mut NewArgs, v: &str) -> Result<(), String> {
    if !v.trim().is_empty() {
        a.role = Role::parse(v.trim()).ok_or_else(|| {
            format!(
                "role: `{}` is not subscriber, publisher, moderator or publisheronly",
                v.trim()
            )
        })?;
    }
    Ok(())
}

type Spec = (&'static str, Option<&'static str>, bool, Apply);

const TTL: Spec = field("ttl (s)", None, false, ttl);
const AGORA_APP: Spec = field("app id", Some("agora_app_id"), false, |a, v| {
    a.app_id = opt(v);
    Ok(())
});
const AGORA_CERT: Spec = field(
    "certificate",
    Some("agora_app_certificate"),
    true,
    |a, v| {
        a.cert = opt(v);
        Ok(())
    },
);
const USER: Spec = field("user", None, false, |a, v| {
    a.user = opt(v);
    Ok(())
});
const SESSION: Spec = field("session id", None, false, |a, v| {
    a.session = opt(v);
    Ok(())
});
const ROLE: Spec = field("role", None, false, role);

/// The kinds of `apiplay token new`, in its order, with their form fields.
#[allow(clippy::too_many_lines)] // one table, read top to bottom
fn kinds() -> Vec<(Kind, &'static str, Vec<Spec>)> {
    vec![
        (
            Kind::AgoraChatUser,
            "agora-chat-user",
            vec![AGORA_APP, AGORA_CERT, USER, TTL],
        ),
        (
            Kind::AgoraChatApp,
            "agora-chat-app",
            vec![AGORA_APP, AGORA_CERT, TTL],
        ),
        (
            Kind::AgoraRtc,
            "agora-rtc",
            vec![
                AGORA_APP,
                AGORA_CERT,
                field("channel", None, false, |a, v| {
                    a.channel = opt(v);
                    Ok(())
                }),
                field("uid/account", None, false, |a, v| {
                    a.user = opt(v);
                    Ok(())
                }),
                field("publisher", None, false, |a, v| {
                    a.publisher = matches!(v.trim(), "y" | "yes" | "true" | "1");
                    Ok(())
                }),
                TTL,
            ],
        ),
        (
            Kind::AgoraRtm,
            "agora-rtm",
            vec![AGORA_APP, AGORA_CERT, USER, TTL],
        ),
        (
            Kind::Twilio,
            "twilio",
            vec![
                field("account sid", Some("twilio_account_sid"), false, |a, v| {
                    a.account_sid = opt(v);
                    Ok(())
                }),
                field("api key sid", Some("twilio_api_key_sid"), false, |a, v| {
                    a.key_sid = opt(v);
                    Ok(())
                }),
                field(
                    "api key secret",
                    Some("twilio_api_key_secret"),
                    true,
                    |a, v| {
                        a.secret = opt(v);
                        Ok(())
                    },
                ),
                field("identity", None, false, |a, v| {
                    a.user = opt(v);
                    Ok(())
                }),
                field("chat service", None, false, |a, v| {
                    a.chat_service = opt(v);
                    Ok(())
                }),
                field("video room", None, false, |a, v| {
                    a.room = opt(v);
                    Ok(())
                }),
                TTL,
            ],
        ),
        (
            Kind::Opentok,
            "opentok",
            vec![
                field("api key", Some("opentok_api_key"), false, |a, v| {
                    a.api_key = opt(v);
                    Ok(())
                }),
                field("api secret", Some("opentok_api_secret"), true, |a, v| {
                    a.secret = opt(v);
                    Ok(())
                }),
                SESSION,
                ROLE,
                field("format", None, false, |a, v| {
                    a.format = match v.trim() {
                        "" | "jwt" => OpentokFormat::Jwt,
                        "t1" | "T1" => OpentokFormat::T1,
                        other => return Err(format!("format: `{other}` is not jwt or t1")),
                    };
                    Ok(())
                }),
                TTL,
            ],
        ),
        (
            Kind::Vonage,
            "vonage",
            vec![
                field(
                    "application id",
                    Some("vonage_application_id"),
                    false,
                    |a, v| {
                        a.application_id = opt(v);
                        Ok(())
                    },
                ),
                field(
                    "private key file",
                    Some("vonage_private_key"),
                    true,
                    |a, v| {
                        a.private_key = opt(v).map(Into::into);
                        Ok(())
                    },
                ),
                SESSION,
                ROLE,
                TTL,
            ],
        ),
    ]
}

/// The workbench's state.
#[derive(Debug)]
pub struct Workbench {
    /// Decoding or minting.
    pub mode: Mode,
    /// The token typed or pasted (decode).
    input: String,
    /// The kind chosen (mint), an index into [`kinds`].
    kind: usize,
    fields: Vec<Field>,
    /// The focused row of the form: 0 is the kind, then the fields.
    focus: usize,
    /// The environment the defaults come from, and its credentials.
    env: String,
    defaults: Vec<CredentialDefault>,
    /// What the last decode or mint gave.
    pub result: Option<Result<Inspected, crate::tui::errors::TokenError>>,
    /// A form problem found before anything was asked of the core.
    problem: Option<String>,
    /// Whether a decode or mint is running.
    pub pending: bool,
    scroll: u16,
    max_scroll: Cell<u16>,
}

impl Workbench {
    /// An empty workbench in `mode`.
    pub fn new(mode: Mode) -> Self {
        let mut w = Self {
            mode,
            input: String::new(),
            kind: 0,
            fields: Vec::new(),
            focus: 0,
            env: String::new(),
            defaults: Vec::new(),
            result: None,
            problem: None,
            pending: false,
            scroll: 0,
            max_scroll: Cell::new(0),
        };
        w.set_kind(0);
        w
    }

    /// The environment's credentials arrived: fields the person has not typed in take them.
    pub fn set_defaults(&mut self, env: String, defaults: Vec<CredentialDefault>) {
        self.env = env;
        self.defaults = defaults;
        let kind = self.kind;
        let typed: Vec<(&'static str, String)> = self
            .fields
            .iter()
            .filter(|f| !f.value.is_empty() && f.var.is_none())
            .map(|f| (f.label, f.value.clone()))
            .collect();
        self.set_kind(kind);
        for f in &mut self.fields {
            if let Some((_, v)) = typed.iter().find(|(l, _)| *l == f.label) {
                f.value.clone_from(v);
            }
        }
    }

    fn default_of(&self, var: &str) -> Option<&CredentialDefault> {
        self.defaults.iter().find(|d| d.name == var)
    }

    fn set_kind(&mut self, kind: usize) {
        let all = kinds();
        self.kind = kind % all.len();
        let (_, _, specs) = &all[self.kind];
        self.fields = specs
            .iter()
            .map(|&(label, var, secret, apply)| Field {
                label,
                var,
                secret,
                // Plain credentials are written into the field, secrets stay empty: an empty
                // secret field means "the environment's", shown masked.
                value: var
                    .filter(|_| !secret)
                    .and_then(|v| self.default_of(v))
                    .map(|d| d.value.clone())
                    .unwrap_or_default(),
                apply,
            })
            .collect();
        self.focus = self.focus.min(self.fields.len());
    }

    /// A decode or mint answered.
    pub fn answered(&mut self, result: Result<Inspected, crate::tui::errors::TokenError>) {
        self.pending = false;
        self.scroll = 0;
        self.result = Some(result);
    }

    /// The `token new` options the form describes, or what is wrong with it.
    pub fn args(&self) -> Result<NewArgs, String> {
        let all = kinds();
        let mut args = NewArgs::new(all[self.kind].0);
        for f in &self.fields {
            (f.apply)(&mut args, &f.value)?;
        }
        Ok(args)
    }

    fn scroll_by(&mut self, delta: i32) {
        let max = i32::from(self.max_scroll.get());
        let next = (i32::from(self.scroll) + delta).clamp(0, max);
        self.scroll = u16::try_from(next).unwrap_or(0);
    }

    /// Handles a key; `false` when the workbench is to close.
    pub fn handle_key(&mut self, key: KeyEvent, cx: &mut Ctx<'_>) -> bool {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Esc => return false,
            KeyCode::PageUp => self.scroll_by(-10),
            KeyCode::PageDown => self.scroll_by(10),
            KeyCode::Enter => self.submit(cx),
            _ if self.mode == Mode::Decode => self.decode_key(key, ctrl),
            _ => self.form_key(key, ctrl),
        }
        true
    }

    fn decode_key(&mut self, key: KeyEvent, ctrl: bool) {
        match key.code {
            KeyCode::Char('u') if ctrl => self.input.clear(),
            KeyCode::Char(c) if !ctrl => self.input.push(c),
            KeyCode::Backspace => {
                self.input.pop();
            }
            KeyCode::Up => self.scroll_by(-1),
            KeyCode::Down => self.scroll_by(1),
            _ => {}
        }
    }

    fn form_key(&mut self, key: KeyEvent, ctrl: bool) {
        let rows = self.fields.len() + 1;
        match key.code {
            KeyCode::Tab | KeyCode::Down => self.focus = (self.focus + 1) % rows,
            KeyCode::BackTab | KeyCode::Up => self.focus = (self.focus + rows - 1) % rows,
            KeyCode::Left if self.focus == 0 => {
                let n = kinds().len();
                self.set_kind(self.kind + n - 1);
            }
            KeyCode::Right if self.focus == 0 => self.set_kind(self.kind + 1),
            _ if self.focus == 0 => {}
            KeyCode::Char('u') if ctrl => self.fields[self.focus - 1].value.clear(),
            KeyCode::Char(c) if !ctrl => self.fields[self.focus - 1].value.push(c),
            KeyCode::Backspace => {
                self.fields[self.focus - 1].value.pop();
            }
            _ => {}
        }
        self.problem = None;
    }

    fn submit(&mut self, cx: &mut Ctx<'_>) {
        if self.pending {
            return;
        }
        match self.mode {
            Mode::Decode => {
                let token = self.input.trim();
                if token.is_empty() {
                    self.problem = Some("paste or type a token first".to_owned());
                    return;
                }
                self.problem = None;
                self.pending = true;
                cx.effect(Effect::InspectToken(token.to_owned()));
            }
            Mode::Mint => match self.args() {
                Ok(args) => {
                    self.problem = None;
                    self.pending = true;
                    cx.effect(Effect::MintToken(Box::new(args)));
                }
                Err(problem) => self.problem = Some(problem),
            },
        }
    }

    /// The form or input lines.
    fn head(&self) -> Vec<Line<'static>> {
        let bold = Style::new().add_modifier(Modifier::BOLD);
        let cursor = || Span::styled("▏", theme::warn());
        match self.mode {
            Mode::Decode => {
                let shown = if self.input.is_empty() {
                    Span::styled("(paste a token here)", theme::dim())
                } else {
                    // A token is a credential: masked like every other.
                    Span::raw(format!(
                        "{} ({} chars)",
                        mask(&self.input),
                        self.input.len()
                    ))
                };
                vec![
                    Line::styled(
                        "Decode and verify — paste a token, Enter decodes, Esc closes",
                        bold,
                    ),
                    Line::from(vec![Span::raw("token: "), shown, cursor()]),
                ]
            }
            Mode::Mint => {
                let all = kinds();
                let mut lines = vec![Line::styled(
                    format!(
                        "Mint a token — Tab/↑↓ fields, ←→ kind, Enter mints, Esc closes (defaults: environment {})",
                        self.env
                    ),
                    bold,
                )];
                let focus_style = |row: usize| {
                    if row == self.focus {
                        theme::selected()
                    } else {
                        Style::new()
                    }
                };
                lines.push(Line::from(vec![
                    Span::styled(format!("{:>17}  ", "kind"), focus_style(0)),
                    Span::raw(format!("◂ {} ▸", all[self.kind].1)),
                ]));
                for (i, f) in self.fields.iter().enumerate() {
                    let mut spans = vec![Span::styled(
                        format!("{:>17}  ", f.label),
                        focus_style(i + 1),
                    )];
                    if f.value.is_empty() {
                        let from_env = f.var.and_then(|v| self.default_of(v));
                        if let Some(d) = from_env {
                            let shown = if d.secret {
                                mask(&d.value)
                            } else {
                                d.value.clone()
                            };
                            spans.push(Span::styled(
                                format!("{shown}  (from environment {})", self.env),
                                theme::dim(),
                            ));
                        }
                    } else if f.secret {
                        spans.push(Span::raw(mask(&f.value)));
                    } else {
                        spans.push(Span::raw(f.value.clone()));
                    }
                    if i + 1 == self.focus {
                        spans.push(cursor());
                    }
                    lines.push(Line::from(spans));
                }
                lines
            }
        }
    }

    /// The result lines: verdict, account, header, claims.
    fn body(&self, now: i64) -> Vec<Line<'static>> {
        let bold = Style::new().add_modifier(Modifier::BOLD);
        let mut lines = Vec::new();
        if let Some(problem) = &self.problem {
            lines.push(Line::styled(problem.clone(), theme::error()));
        }
        if self.pending {
            lines.push(Line::styled("working…", theme::dim()));
            return lines;
        }
        match &self.result {
            None => {}
            Some(Err(e)) => {
                for l in e.to_string().lines() {
                    lines.push(Line::styled(l.to_owned(), theme::error()));
                }
            }
            Some(Ok(r)) => {
                let style = if r.verdict.is_valid(now) {
                    theme::status(200)
                } else {
                    theme::error()
                };
                lines.push(Line::styled(r.verdict.describe(now), style));
                if self.mode == Mode::Mint {
                    lines.push(Line::raw(format!(
                        "minted {}  — recorded in the Tokens list (v reveals, c copies there)",
                        mask(&r.token)
                    )));
                }
                if let Some(s) = &r.session {
                    lines.push(Line::raw(format!("new session: {s}")));
                }
                for (label, value) in describe::account(&r.decoded, now) {
                    lines.push(Line::raw(format!("{label:>15}  {value}")));
                }
                if let Some(h) = &r.header {
                    lines.push(Line::styled("JWT header", bold));
                    let text = serde_json::to_string_pretty(h).unwrap_or_default();
                    lines.extend(text.lines().map(|l| Line::raw(l.to_owned())));
                }
                lines.push(Line::styled(format!("claims ({})", r.decoded.format), bold));
                let text = serde_json::to_string_pretty(&r.decoded.claims).unwrap_or_default();
                lines.extend(text.lines().map(|l| Line::raw(l.to_owned())));
            }
        }
        lines
    }

    /// Draws the workbench in `area` at `now`.
    pub fn render(&self, area: Rect, buf: &mut Buffer, now: i64) {
        let head = self.head();
        let head_h = u16::try_from(head.len())
            .unwrap_or(u16::MAX)
            .min(area.height);
        let head_area = Rect {
            height: head_h,
            ..area
        };
        Paragraph::new(head).render(head_area, buf);
        let rest = Rect {
            y: area.y + head_h,
            height: area.height - head_h,
            ..area
        };
        let lines = self.body(now);
        let rows = wrapped_rows(&lines, usize::from(rest.width).max(1));
        let visible = usize::from(rest.height.saturating_sub(1));
        let max = u16::try_from(rows.saturating_sub(visible)).unwrap_or(u16::MAX);
        self.max_scroll.set(max);
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((self.scroll.min(max), 0))
            .block(
                Block::default()
                    .borders(Borders::TOP)
                    .border_style(theme::dim())
                    .title(if max > 0 { "PgUp/PgDn scroll" } else { "" }),
            )
            .render(rest, buf);
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_form_builds_token_new_options_and_refuses_bad_numbers() {
        let mut w = Workbench::new(Mode::Mint);
        w.set_defaults(
            "sandbox".into(),
            vec![CredentialDefault {
                name: "agora_app_id".into(),
                value: "970CA35de60c44645bbae8a215061b33".into(),
                secret: false,
            }],
        );
        // agora-chat-user: app id (from the environment), certificate, user, ttl.
        assert_eq!(w.fields[0].value, "970CA35de60c44645bbae8a215061b33");
        w.fields[2].value = "alice".into();
        w.fields[3].value = "600".into();
        let args = w.args().unwrap();
        assert_eq!(args.kind, Kind::AgoraChatUser);
        assert_eq!(
            args.app_id.as_deref(),
            Some("970CA35de60c44645bbae8a215061b33")
        );
        assert_eq!(args.cert, None, "empty secret: the environment's");
        assert_eq!(args.user.as_deref(), Some("alice"));
        assert_eq!(args.ttl, Some(600));
        w.fields[3].value = "10m".into();
        assert_eq!(
            w.args().unwrap_err(),
            "ttl: `10m` is not a whole number of seconds"
        );
        // Kinds cycle both ways; opentok's role and format are checked.
        w.set_kind(5);
        assert_eq!(kinds()[w.kind].0, Kind::Opentok);
        w.fields[3].value = "boss".into();
        assert!(w.args().unwrap_err().starts_with("role: `boss`"));
        w.fields[3].value = "moderator".into();
        w.fields[4].value = "t1".into();
        let args = w.args().unwrap();
        assert_eq!(
            (args.role, args.format),
            (Role::Moderator, OpentokFormat::T1)
        );
    }
}
