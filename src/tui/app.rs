//! The TUI's whole state and its synchronous `update`. Nothing here awaits or touches the
//! disk, the network or the terminal: outside work is queued as [`Effect`]s for the driver.
//! Key and mouse handling live in `input.rs`.

use std::collections::HashSet;
use std::path::PathBuf;
use std::time::Instant;

use ratatui::layout::Rect;

use super::editor::Editor;
use super::layout::{self, Areas};
use super::message::{Effect, Message};
use super::model::{EnvInfo, HistoryRow, PayloadEntry, SendOutcome, TokenRow, VarValue};
use super::response::ResponseView;

/// Which pane takes the keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    /// The left column.
    Sidebar,
    /// The payload editor.
    Editor,
    /// The response viewer.
    Response,
}

/// The sidebar's tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    /// The payload tree.
    Payloads,
    /// Recorded exchanges.
    History,
    /// Issued tokens.
    Tokens,
}

impl Tab {
    /// Tabs in display order.
    pub const ALL: [Tab; 3] = [Tab::Payloads, Tab::History, Tab::Tokens];

    /// Its title.
    pub fn title(self) -> &'static str {
        match self {
            Tab::Payloads => "Payloads",
            Tab::History => "History",
            Tab::Tokens => "Tokens",
        }
    }
}

/// A modal on top of the panes.
#[derive(Debug, Clone, PartialEq)]
pub enum Popup {
    /// Every key; the number is how far it is scrolled.
    Help(u16),
    /// Choose an environment; the index is the highlighted one.
    Environments(usize),
    /// The payload's docs from its sidecar.
    Docs,
    /// The payload's variables and their values.
    Variables(Vec<VarValue>),
}

/// A one-line text prompt at the bottom of a pane.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Prompt {
    /// `/` search in the response.
    Search(String),
    /// `/` filter in the tokens table.
    TokenFilter(String),
}

/// How loud a status message is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Neutral information.
    Info,
    /// Something to read before the next step.
    Warn,
    /// Something failed.
    Error,
}

/// A send in flight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InFlight {
    /// Its id; late answers of cancelled sends carry other ids.
    pub id: u64,
    /// When it began, for the elapsed-time display.
    pub started: Instant,
}

/// Everything the TUI shows.
#[derive(Debug)]
pub struct App {
    /// Focused pane.
    pub focus: Focus,
    /// Visible sidebar tab.
    pub tab: Tab,
    /// Environment names, `sandbox` first.
    pub envs: Vec<String>,
    /// The current environment.
    pub env: EnvInfo,
    /// All payloads of the collection.
    pub payloads: Vec<PayloadEntry>,
    /// Typed filter of the payload tree.
    pub payload_filter: String,
    /// Highlighted row among the filtered payloads.
    pub payload_sel: usize,
    /// Recorded exchanges, newest first.
    pub history: Vec<HistoryRow>,
    /// Highlighted history row.
    pub history_sel: usize,
    /// Issued tokens, newest first.
    pub tokens: Vec<TokenRow>,
    /// Highlighted row among the filtered tokens.
    pub token_sel: usize,
    /// Subject/format filter of the tokens table.
    pub token_filter: String,
    /// Tokens shown in clear.
    pub revealed: HashSet<i64>,
    /// The editor.
    pub editor: Editor,
    /// The response viewer, once something was sent or opened.
    pub response: Option<ResponseView>,
    /// The send in flight.
    pub sending: Option<InFlight>,
    /// Unix seconds at the last tick.
    pub now: i64,
    /// Advances each tick while sending.
    pub spinner: usize,
    /// Open modal.
    pub popup: Option<Popup>,
    /// Open prompt.
    pub prompt: Option<Prompt>,
    /// Status line message.
    pub status: Option<(Level, String)>,
    /// Where the editor's text problem is, from a refused send (line, col; 1-based).
    pub refused_at: Option<(usize, usize)>,
    /// Terminal size.
    pub size: Rect,
    /// Set when the loop should end.
    pub quit: bool,
    /// Id, payload path and request body of the exchange last opened from History.
    pub opened_request: Option<(i64, PathBuf, String)>,
    /// An exchange whose request is to be loaded into the editor once it is read.
    pub load_when_opened: Option<i64>,
    /// Work for the driver.
    pub effects: Vec<Effect>,
    next_id: u64,
}

impl App {
    /// A fresh state for a terminal of `size`, at unix time `now`.
    pub fn new(size: Rect, now: i64) -> Self {
        Self {
            focus: Focus::Sidebar,
            tab: Tab::Payloads,
            envs: vec!["sandbox".into()],
            env: EnvInfo {
                name: "sandbox".into(),
                ..EnvInfo::default()
            },
            payloads: Vec::new(),
            payload_filter: String::new(),
            payload_sel: 0,
            history: Vec::new(),
            history_sel: 0,
            tokens: Vec::new(),
            token_sel: 0,
            token_filter: String::new(),
            revealed: HashSet::new(),
            editor: Editor::default(),
            response: None,
            sending: None,
            now,
            spinner: 0,
            popup: None,
            prompt: None,
            status: None,
            refused_at: None,
            size,
            quit: false,
            opened_request: None,
            load_when_opened: None,
            effects: Vec::new(),
            next_id: 1,
        }
    }

    /// Hands out ids for sends and bodies.
    pub fn fresh_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    /// The panes' regions at the current size.
    pub fn areas(&self) -> Areas {
        let wide = self.focus == Focus::Sidebar && self.tab != Tab::Payloads;
        layout::areas(self.size, wide)
    }

    /// Sets the status line.
    pub fn say(&mut self, level: Level, text: impl Into<String>) {
        self.status = Some((level, text.into()));
    }

    /// Payload entries matching the filter (case-insensitive substring of the path).
    pub fn filtered_payloads(&self) -> Vec<&PayloadEntry> {
        let f = self.payload_filter.to_lowercase();
        self.payloads
            .iter()
            .filter(|p| f.is_empty() || p.rel.to_lowercase().contains(&f))
            .collect()
    }

    /// Tokens matching the filter (subject or format).
    pub fn filtered_tokens(&self) -> Vec<&TokenRow> {
        let f = self.token_filter.to_lowercase();
        self.tokens
            .iter()
            .filter(|t| {
                f.is_empty()
                    || t.format.to_lowercase().contains(&f)
                    || t.subject
                        .as_deref()
                        .is_some_and(|s| s.to_lowercase().contains(&f))
            })
            .collect()
    }

    /// The URL the current payload goes to in the current environment.
    pub fn target_url(&self) -> Option<String> {
        let base = self.env.backends.get(&self.editor.info.backend)?;
        let path = &self.editor.info.url_path;
        Some(if path.is_empty() {
            base.clone()
        } else {
            format!(
                "{}/{}",
                base.trim_end_matches('/'),
                path.trim_start_matches('/')
            )
        })
    }

    /// Applies one message.
    #[allow(clippy::too_many_lines)] // one arm per message reads better than a split
    pub fn update(&mut self, msg: Message) {
        match msg {
            Message::Input(event) => self.on_event(&event),
            Message::Tick { now } => {
                self.now = now;
                if self.sending.is_some() {
                    self.spinner = self.spinner.wrapping_add(1);
                }
            }
            Message::PayloadsLoaded(Ok(entries)) => {
                self.payloads = entries;
                self.payload_sel = 0;
            }
            Message::PayloadsLoaded(Err(e)) => self.say(Level::Error, e),
            Message::PayloadLoaded {
                path,
                result,
                replace,
                restored,
            } => match result {
                Ok(info) => {
                    self.editor = Editor::new(Some(path.clone()), info, replace);
                    if self.editor.is_dirty() {
                        self.edited();
                    }
                    self.refused_at = None;
                    self.sync_viewports();
                    if restored {
                        let (row, col) =
                            first_difference(&self.editor.saved_text, &self.editor.text());
                        self.editor.jump(row, col);
                        self.sync_viewports();
                        // Focus stays put: keys typed while the draft loads must not land
                        // in the editor unasked.
                        self.say(
                            Level::Warn,
                            format!(
                                "restored unsaved edits of {} from a draft (Ctrl+S saves, Ctrl+Z undoes)",
                                path.display()
                            ),
                        );
                    }
                }
                Err(e) => self.say(Level::Error, e),
            },
            Message::EnvsLoaded { names, current } => {
                self.envs = names;
                self.env = current;
            }
            Message::SendRefused { id, refusal } => {
                if self.sending.is_some_and(|s| s.id == id) {
                    self.sending = None;
                    self.refused_at = refusal.at;
                    if let Some((line, col)) = refusal.at {
                        self.editor.jump(line - 1, col.saturating_sub(1));
                        self.sync_viewports();
                    }
                    self.say(Level::Error, format!("not sent: {}", refusal.message));
                }
            }
            Message::SendDone { id, result } => {
                if self.sending.is_some_and(|s| s.id == id) {
                    self.sending = None;
                    match result {
                        Ok(outcome) => {
                            let text =
                                format!("{} in {} ms", outcome.status, outcome.elapsed.as_millis());
                            self.show_outcome(outcome);
                            self.focus = Focus::Response;
                            self.say(Level::Info, text);
                        }
                        Err(e) => self.say(Level::Error, e),
                    }
                }
            }
            Message::Recorded { warning } => {
                if let Some(w) = warning {
                    self.say(Level::Warn, w);
                }
                self.effects.push(Effect::LoadHistory);
                self.effects.push(Effect::LoadTokens);
            }
            Message::BodyIndexed {
                id,
                mode,
                reset,
                lines,
                done,
                note,
            } => {
                if let Some(r) = self.response.as_mut().filter(|r| r.id == id) {
                    r.add_lines(mode, reset, &lines, done);
                    if note.is_some() {
                        r.note = note;
                    }
                }
            }
            Message::SearchDone { id, query, matches } => {
                if let Some(r) = self.response.as_mut().filter(|r| r.id == id) {
                    r.search_results(&query, matches);
                    let n = r.search.as_ref().map_or(0, |s| s.matches.len());
                    self.say(Level::Info, format!("{n} matches for “{query}”"));
                }
            }
            Message::Saved { path, result } => match result {
                Ok(()) => {
                    if self.editor.path.as_ref() == Some(&path) {
                        self.editor.saved_text = self.editor.text();
                    }
                    self.effects.push(Effect::DeleteDraft(path.clone()));
                    self.say(Level::Info, format!("saved {}", path.display()));
                }
                Err(e) => self.say(Level::Error, e),
            },
            Message::HistoryLoaded(Ok(rows)) => {
                self.history = rows;
                self.history_sel = self.history_sel.min(self.history.len().saturating_sub(1));
            }
            Message::TokensLoaded(Ok(rows)) => {
                self.tokens = rows;
                self.token_sel = self.token_sel.min(self.tokens.len().saturating_sub(1));
            }
            Message::HistoryLoaded(Err(e)) | Message::TokensLoaded(Err(e)) | Message::Error(e) => {
                self.say(Level::Error, e);
            }
            Message::ExchangeOpened {
                id,
                result,
                request,
            } => match result {
                Ok(outcome) => {
                    self.show_outcome(outcome);
                    if let Some(r) = self.response.as_mut() {
                        r.show_headers = true;
                    }
                    self.say(Level::Info, format!("exchange #{id}"));
                    self.opened_request = request.map(|(path, body)| (id, path, body));
                    if self.load_when_opened.take() == Some(id) {
                        self.load_opened_request(id);
                    }
                }
                Err(e) => self.say(Level::Error, e),
            },
            Message::VarsResolved(vars) => self.popup = Some(Popup::Variables(vars)),
            Message::Quit => self.quit = true,
        }
    }

    /// Opens an outcome in the response viewer and asks for its index.
    pub fn show_outcome(&mut self, outcome: SendOutcome) {
        let id = self.fresh_id();
        let body = outcome.body;
        let mode = ResponseView::guess_mode(&body);
        let mut view = ResponseView::new(id, body.clone(), mode);
        view.status = Some(outcome.status);
        view.elapsed = outcome.elapsed;
        view.headers = outcome.headers;
        view.request_summary = outcome.request_summary;
        self.response = Some(view);
        self.sync_viewports();
        self.effects.push(Effect::IndexBody { id, body, mode });
    }

    /// Resizes viewports after a layout change and keeps the editor cursor in view.
    pub fn sync_viewports(&mut self) {
        let a = self.areas();
        let rows = layout::inner_rows(a.editor).saturating_sub(1);
        let cols = layout::inner_cols(a.editor).saturating_sub(5);
        self.editor.follow_cursor(rows, cols);
        let body_rows = self.response_body_rows();
        if let Some(r) = self.response.as_mut() {
            r.set_viewport(body_rows);
        }
    }

    /// Rows of the response pane left for body lines.
    pub fn response_body_rows(&self) -> usize {
        let total = layout::inner_rows(self.areas().response).saturating_sub(1);
        match &self.response {
            Some(r) if r.show_headers => {
                let header_rows = r.headers.len() + r.request_summary.len() + 2;
                total.saturating_sub(header_rows.min(total / 2))
            }
            _ => total,
        }
    }

    /// Starts sending the editor's text unless it is known to be invalid.
    pub fn send(&mut self) {
        if self.sending.is_some() {
            self.say(Level::Warn, "a request is already running (Esc cancels it)");
            return;
        }
        let Some(path) = self.editor.path.clone() else {
            self.say(Level::Warn, "open a payload first (Payloads tab, Enter)");
            return;
        };
        if let Some(p) = self.editor.problem.clone() {
            self.refused_at = Some((p.line, p.col));
            self.say(Level::Error, format!("not sent: {p}"));
            return;
        }
        let id = self.fresh_id();
        self.sending = Some(InFlight {
            id,
            started: Instant::now(),
        });
        self.refused_at = None;
        self.say(Level::Info, "sending… (Esc cancels)");
        self.effects.push(Effect::Send {
            id,
            env: self.env.name.clone(),
            path,
            text: self.editor.text(),
        });
    }

    /// Cancels the send in flight.
    pub fn cancel_send(&mut self) {
        if self.sending.take().is_some() {
            self.effects.push(Effect::CancelSend);
            self.say(Level::Warn, "request cancelled");
        }
    }

    /// Called after every edit of the editor text.
    pub fn edited(&mut self) {
        self.editor.revalidate();
        self.refused_at = None;
        if let Some(path) = self.editor.path.clone() {
            if self.editor.is_dirty() {
                self.effects.push(Effect::WriteDraft {
                    path,
                    text: self.editor.text(),
                });
            } else {
                self.effects.push(Effect::DeleteDraft(path));
            }
        }
    }

    /// Opens the highlighted payload.
    pub fn open_selected_payload(&mut self) {
        let Some(path) = self
            .filtered_payloads()
            .get(self.payload_sel)
            .map(|p| p.path.clone())
        else {
            return;
        };
        if self.editor.is_dirty() && self.editor.path.as_ref() != Some(&path) {
            self.say(
                Level::Info,
                "the previous payload's edits are kept as a draft",
            );
        }
        self.effects.push(Effect::LoadPayload {
            path,
            with_draft: true,
            replace: None,
        });
        self.focus = Focus::Editor;
    }

    /// Loads the request of exchange `id` into the editor, reading the exchange first if
    /// it is not the one open.
    pub fn load_opened_request(&mut self, id: i64) {
        match self.opened_request.clone() {
            Some((opened, path, text)) if opened == id => {
                self.effects.push(Effect::LoadPayload {
                    path,
                    with_draft: false,
                    replace: Some(text),
                });
                self.focus = Focus::Editor;
            }
            _ => {
                self.load_when_opened = Some(id);
                self.effects.push(Effect::OpenExchange(id));
            }
        }
    }
}

/// Row and column (0-based, in characters) where `b` first differs from `a`.
fn first_difference(a: &str, b: &str) -> (usize, usize) {
    let (mut row, mut col) = (0, 0);
    for (x, y) in a.chars().zip(b.chars()) {
        if x != y {
            break;
        }
        if y == '\n' {
            row += 1;
            col = 0;
        } else {
            col += 1;
        }
    }
    (row, col)
}
