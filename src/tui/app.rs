//! The TUI's state: the panes (components that own their own state) and what spans them
//! (focus, environment, the send in flight, the status line, the popup). Messages change it
//! in the synchronous [`App::update`]; nothing here awaits or touches the disk, the network
//! or the terminal: outside work is queued as [`Effect`]s for the driver. Events are routed
//! to the components in `input.rs`.

use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::time::Instant;

use ratatui::layout::Rect;
use ratatui::text::Line;

use super::components::popup::{Popup, PopupKind};
use super::components::response::ResponsePane;
use super::components::sidebar::Sidebar;
pub use super::components::sidebar::Tab;
use super::components::{Command, Ctx};
use super::editor::Editor;
use super::keep::{DraftState, Next, SaveKind};
use super::layout::Areas;
use super::message::{Effect, Message};
use super::model::{EnvInfo, PayloadInfo, SendOutcome};
use super::response::ResponseView;
use super::theme;

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

/// A recorded exchange read from the history, for `l`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenedRequest {
    /// Its id.
    pub id: i64,
    /// The payload it was sent from (`<stdin>` when it came from a pipe).
    pub path: PathBuf,
    /// Its body; `None` for a request without one (a GET).
    pub body: Option<String>,
}

/// Everything the TUI shows.
#[derive(Debug)]
pub struct App {
    /// Focused pane.
    pub focus: Focus,
    /// Tabs: payloads, history, tokens.
    pub sidebar: Sidebar,
    /// The editor on the payload's body.
    pub editor: Editor,
    /// The editor on the payload's sidecar (the request), once F2 opened it.
    pub sidecar: Option<Editor>,
    /// Whether the editor pane shows the sidecar instead of the body.
    pub editing_sidecar: bool,
    /// The response viewer.
    pub response: ResponsePane,
    /// Open modal.
    pub popup: Option<Popup>,
    /// The operation picker (Ctrl+N), while open.
    pub picker: Option<super::components::picker::OpPicker>,
    /// Environment names, `sandbox` first.
    pub envs: Vec<String>,
    /// The current environment.
    pub env: EnvInfo,
    /// The send in flight.
    pub sending: Option<InFlight>,
    /// Unix seconds at the last tick.
    pub now: i64,
    /// Advances each tick while sending.
    pub spinner: usize,
    /// Status line message.
    pub status: Option<(Level, String)>,
    /// Terminal size.
    pub size: Rect,
    /// Set when the loop should end.
    pub quit: bool,
    /// The exchange last opened from History.
    pub opened_request: Option<OpenedRequest>,
    /// An exchange whose request is to be loaded into the editor once it is read.
    pub load_when_opened: Option<i64>,
    /// Drafts of the editor's text: when one is due, which was written, what failed.
    pub drafts: DraftState,
    /// The save in flight and what it is for.
    pub saving: Option<SaveKind>,
    /// The file whose outside change led to a "save mine elsewhere" (reloaded after it).
    pub conflict_path: Option<PathBuf>,
    /// Work for the driver.
    pub effects: Vec<Effect>,
    /// The open payload's URL resolved in an environment (payload, environment, URL): the
    /// header shows it while both are current.
    pub resolved_url: Option<(PathBuf, String, String)>,
    /// The panes' regions as drawn last (the mouse uses them).
    pub(super) areas: Cell<Areas>,
    next_id: u64,
}

impl App {
    /// A fresh state for a terminal of `size`, at unix time `now`.
    pub fn new(size: Rect, now: i64) -> Self {
        Self {
            focus: Focus::Sidebar,
            sidebar: Sidebar::default(),
            editor: Editor::default(),
            sidecar: None,
            editing_sidecar: false,
            response: ResponsePane::default(),
            popup: None,
            picker: None,
            envs: vec!["sandbox".into()],
            env: EnvInfo {
                name: "sandbox".into(),
                ..EnvInfo::default()
            },
            sending: None,
            now,
            spinner: 0,
            status: None,
            size,
            quit: false,
            opened_request: None,
            load_when_opened: None,
            drafts: DraftState::default(),
            saving: None,
            conflict_path: None,
            effects: Vec::new(),
            resolved_url: None,
            areas: Cell::new(Areas::default()),
            next_id: 1,
        }
    }

    /// Hands out ids for sends and bodies.
    pub fn fresh_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    /// The editor the editor pane shows: the body, or the sidecar after F2.
    pub fn active(&self) -> &Editor {
        match (&self.sidecar, self.editing_sidecar) {
            (Some(s), true) => s,
            _ => &self.editor,
        }
    }

    /// The editor the keys go to.
    pub fn active_mut(&mut self) -> &mut Editor {
        match (&mut self.sidecar, self.editing_sidecar) {
            (Some(s), true) => s,
            _ => &mut self.editor,
        }
    }

    /// F2: shows the sidecar (creating its text from the payload's facts when there is no
    /// file yet; the file is written on Ctrl+S), or back to the body.
    pub fn toggle_request(&mut self) {
        if self.editing_sidecar {
            self.editing_sidecar = false;
            return;
        }
        let Some(body) = self.editor.path.clone() else {
            self.say(Level::Warn, "open a payload first (Payloads tab, Enter)");
            return;
        };
        let path = crate::collection::SidecarFile::path_for(&body);
        if self.sidecar.as_ref().and_then(|s| s.path.as_ref()) != Some(&path) {
            let info = &self.editor.info;
            let (text, start) = match &info.sidecar_text {
                Some(t) => (t.clone(), None),
                None => (String::new(), Some(new_sidecar(info))),
            };
            let mut e = Editor::sidecar(path.clone(), text, start);
            e.stamp.clone_from(&self.editor.info.sidecar_stamp);
            // A sidecar written out from the payload's facts is no edit of the person's.
            self.drafts.sidecar_base = e.generation;
            e.side_panel = Some(self.request_panel());
            self.sidecar = Some(e);
            self.lint_sidecar();
            if self.editor.info.sidecar_text.is_none() {
                self.say(
                    Level::Info,
                    format!("{} does not exist yet: Ctrl+S creates it", path.display()),
                );
            }
        }
        self.editing_sidecar = true;
        self.focus = Focus::Editor;
    }

    /// The request as it will go out (before variables are filled in): method, URL with its
    /// query, headers and body encoding.
    pub fn request_panel(&self) -> super::editor::SidePanel {
        let info = &self.editor.info;
        let method = if info.method.is_empty() {
            "POST"
        } else {
            &info.method
        };
        let mut lines = vec![format!(
            "{method} {}",
            self.target_url()
                .unwrap_or_else(|| format!("(no `{}` backend here)", info.backend))
        )];
        lines.extend(info.headers.iter().map(|(k, v)| format!("{k}: {v}")));
        lines.push(format!(
            "body: {}",
            info.encoding.as_deref().unwrap_or("json")
        ));
        lines.push(String::new());
        lines.push("Keys: backend, method, path, [query], [headers], encoding, [captures]. Ctrl+S saves; a send uses the saved sidecar.".into());
        super::editor::SidePanel {
            title: " request ".into(),
            lines,
            scroll: 0,
        }
    }

    /// The visible sidebar tab.
    pub fn tab(&self) -> Tab {
        self.sidebar.tab
    }

    /// The response shown, if any.
    pub fn shown(&self) -> Option<&ResponseView> {
        self.response.view.as_ref()
    }

    /// Sets the status line.
    pub fn say(&mut self, level: Level, text: impl Into<String>) {
        self.status = Some((level, text.into()));
    }

    /// Reports a failure the user must read: the status line names it, and when it does not
    /// fit there the error panel shows it whole (it wraps and scrolls).
    pub fn fail(&mut self, title: &str, message: &str) {
        let first = message.lines().next().unwrap_or_default().to_owned();
        let room = usize::from(self.size.width).saturating_sub(24);
        if message.lines().count() > 1 || unicode_width::UnicodeWidthStr::width(message) > room {
            self.popup = Some(Popup::error(title, message));
            self.say(Level::Error, format!("{title} (Esc closes the panel)"));
        } else {
            self.say(Level::Error, first);
        }
    }

    /// Asks the core for the open payload's URL in the current environment.
    fn resolve_url(&mut self) {
        if let Some(path) = self.editor.path.clone() {
            self.effects.push(Effect::ResolveUrl(path));
        }
    }

    /// The URL a send of the open payload goes to, with its query: resolved in the current
    /// environment when the core has worked it out for the saved sidecar (secrets as
    /// `{{name}}`), else the sidecar's template joined as a send joins it.
    pub fn target_url(&self) -> Option<String> {
        if let (Some((path, env, url)), Some(open)) = (&self.resolved_url, &self.editor.path) {
            let sidecar_edited = self.sidecar.as_ref().is_some_and(Editor::is_dirty);
            // Resolved for this payload in this environment (not the one switched away from).
            if path == open && *env == self.env.name && !sidecar_edited {
                return Some(url.clone());
            }
        }
        let base = self.env.backends.get(&self.editor.info.backend)?;
        let query: Vec<(String, String)> = self.editor.info.query.clone();
        let encoded = crate::collection::form::encode(&query, true);
        Some(
            crate::collection::url::join(base, &self.editor.info.url_path, &encoded)
                .unwrap_or_else(|_| format!("{base}{}", self.editor.info.url_path)),
        )
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
            Message::PayloadsLoaded(Ok(entries)) => self.sidebar.payloads.set_entries(entries),
            Message::PayloadsLoaded(Err(e)) => {
                let shown = super::errors::unopened("cannot list the payloads", &e);
                self.fail(shown.title, &shown.message);
            }
            Message::PayloadLoaded {
                path,
                result,
                replace,
                restored,
                stale_draft,
            } => match result {
                Ok(info) => {
                    self.effects.push(Effect::ResolveUrl(path.clone()));
                    self.payload_loaded(&path, info, replace, restored);
                    if let Some(draft) = stale_draft {
                        self.offer_stale_draft(&path, draft);
                    }
                }
                Err(e) => {
                    let shown = super::errors::unopened("cannot open the payload", &e);
                    self.fail(shown.title, &shown.message);
                }
            },
            Message::EnvsLoaded { names, current } => {
                self.envs = names;
                self.env = current;
                self.resolve_url();
            }
            Message::UrlResolved { path, result } => match result {
                Ok((env, url)) => self.resolved_url = Some((path, env, url)),
                // Not resolvable now (a variable not captured yet): the header shows the
                // sidecar's template; a send says what is missing.
                Err(_) => {
                    if self
                        .resolved_url
                        .as_ref()
                        .is_some_and(|(p, _, _)| *p == path)
                    {
                        self.resolved_url = None;
                    }
                }
            },
            Message::SendDone { id, result } => {
                if self.sending.is_some_and(|s| s.id == id) {
                    self.sending = None;
                    match result {
                        Ok(outcome) => {
                            let text =
                                format!("{} in {} ms", outcome.status, outcome.elapsed.as_millis());
                            self.show_outcome(outcome, self.editor.op);
                            self.focus = Focus::Response;
                            match self.shown().and_then(|r| r.api_refusal.clone()) {
                                Some(no) => self.say(
                                    Level::Error,
                                    format!("{text}, but the API said no: {no}"),
                                ),
                                None => self.say(Level::Info, text),
                            }
                        }
                        Err(e) => {
                            // The previous response must not stay on screen as if this one
                            // had succeeded.
                            self.response.clear();
                            // The error's type decides: a spot in the body is marked and the
                            // cursor taken there; one in the sidecar is named, the body left.
                            let shown = e.shown();
                            self.editor.refused_at = shown.body_at;
                            if let Some((line, col)) = shown.body_at {
                                self.editor.jump(line - 1, col.saturating_sub(1));
                            }
                            // A variable with no value: the variables view opens on it.
                            match super::vars_ui::missing_variable(&e) {
                                Some(missing) => self.refused_for_variable(&missing),
                                None => self.fail(shown.title, &shown.message),
                            }
                        }
                    }
                }
            }
            Message::Recorded { summary, warning } => {
                match (summary, warning) {
                    (Err(e), _) => {
                        self.say(Level::Warn, format!("not recorded in the history: {e}"));
                    }
                    (Ok(_), Some(w)) => self.say(Level::Warn, w),
                    // After an API's "no", the refusal stays first on the line.
                    (Ok(Some(said)), None) => match self.status.take() {
                        Some((Level::Error, no)) => {
                            self.say(Level::Error, format!("{no} · {said}"));
                        }
                        _ => self.say(Level::Info, said),
                    },
                    (Ok(None), None) => {}
                }
                self.effects.push(Effect::LoadHistory);
                self.effects.push(Effect::LoadTokens);
                // A send may have captured what the URL needs.
                self.resolve_url();
            }
            Message::BodyIndexed {
                id,
                mode,
                reset,
                lines,
                done,
                note,
            } => {
                if let Some(r) = self.response.view.as_mut().filter(|r| r.id == id) {
                    r.add_lines(mode, reset, &lines, done);
                    if note.is_some() {
                        r.note = note;
                    }
                }
            }
            Message::Filtered { id, expr, result } => {
                let fresh = self.fresh_id();
                let mut cx = ctx(&mut self.effects, &mut self.status);
                self.response.filtered(id, fresh, expr, result, &mut cx);
            }
            Message::CurlImported(Ok((path, said))) => {
                self.say(Level::Info, said);
                self.open_payload(path);
            }
            Message::CurlImported(Err(e)) => {
                self.fail("not imported", &format!("not imported: {e}"));
            }
            Message::CurlReady(result) => {
                let mut cx = ctx(&mut self.effects, &mut self.status);
                self.response.curl_ready(result, &mut cx);
            }
            Message::SearchDone { id, query, matches } => {
                if let Some(r) = self.response.view.as_mut().filter(|r| r.id == id) {
                    r.search_results(&query, matches);
                    let n = r.search.as_ref().map_or(0, |s| s.matches.len());
                    self.say(Level::Info, format!("{n} matches for “{query}”"));
                }
            }
            Message::Saved { path, text, result } => self.saved(&path, &text, result),
            Message::DraftDue => self.flush_draft(),
            Message::DraftWritten {
                path,
                generation,
                result,
                checked,
                text,
            } => self.draft_written(&path, generation, result, checked, text),
            Message::HistoryLoaded(Ok(rows)) => self.sidebar.history.set_rows(rows),
            Message::TokensLoaded(Ok(rows)) => self.sidebar.tokens.set_rows(rows),
            Message::TokenInspected(result) => self.sidebar.tokens.workbench_answered(result),
            Message::TokenMinted(result) => {
                if result.is_ok() {
                    self.effects.push(Effect::LoadTokens);
                }
                self.sidebar.tokens.workbench_answered(result);
            }
            Message::Credentials(Ok((env, defaults))) => {
                self.sidebar.tokens.workbench_defaults(env, defaults);
            }
            Message::HistoryLoaded(Err(e)) => {
                let shown = e.shown("cannot read the history");
                self.fail(shown.title, &shown.message);
            }
            Message::TokensLoaded(Err(e)) => {
                let shown = e.shown("cannot read the token history");
                self.fail(shown.title, &shown.message);
            }
            Message::Credentials(Err(e)) => self.fail(e.title(), &e.to_string()),
            Message::Error(e) => {
                let shown = e.shown();
                if e.must_read() {
                    self.fail(shown.title, &shown.message);
                } else {
                    self.say(Level::Warn, shown.message);
                }
            }
            Message::ExchangeOpened {
                id,
                result,
                request,
            } => match result {
                Ok(outcome) => {
                    self.show_outcome(outcome, None);
                    if let Some(r) = self.response.view.as_mut() {
                        r.show_headers = true;
                    }
                    self.say(Level::Info, format!("exchange #{id}"));
                    self.opened_request =
                        request.map(|(path, body)| OpenedRequest { id, path, body });
                    if self.load_when_opened.take() == Some(id) {
                        self.load_opened_request(id);
                    }
                }
                Err(e) => self.fail(&format!("cannot open exchange #{id}"), &e.to_string()),
            },
            Message::VarsResolved(vars) => self.vars_resolved(vars),
            Message::SessionValueSet(result) => self.session_value_set(result),
            Message::SidecarReloaded { path, result } => {
                if self.editor.path.as_ref() == Some(&path) {
                    match result {
                        Ok(info) => {
                            self.effects.push(Effect::ResolveUrl(path.clone()));
                            let text = std::mem::take(&mut self.editor.info.text);
                            self.editor.info = PayloadInfo { text, ..info };
                            self.editor.sidecar_changed();
                            if let Some(s) = self.sidecar.as_mut() {
                                s.side_panel = None;
                            }
                            let panel = self.request_panel();
                            if let Some(s) = self.sidecar.as_mut() {
                                s.side_panel = Some(panel);
                            }
                        }
                        Err(e) => {
                            let shown = super::errors::unopened("cannot read the sidecar", &e);
                            self.fail(shown.title, &shown.message);
                        }
                    }
                }
            }
            Message::Managed { op, result } => self.managed(&op, result),
            Message::DeleteProbed { path, draft } => self.delete_probed(path, draft),
            Message::Written(result) => match result {
                Ok(path) => self.say(Level::Info, format!("wrote {}", path.display())),
                Err(e) => self.fail("not written", &format!("not written: {e}")),
            },
            Message::PayloadCreated(result) => self.payload_created(result),
            Message::Linted { generation, lint } => self.editor.linted(generation, lint),
            Message::Quit => self.quit = true,
        }
        if let Some(job) = self.editor.lint_job.take() {
            self.effects.push(Effect::Lint(job));
        }
    }

    fn payload_loaded(
        &mut self,
        path: &Path,
        info: PayloadInfo,
        replace: Option<String>,
        restored: bool,
    ) {
        let sidecar_error = info.sidecar_error.clone();
        let same = self.editor.path.as_deref() == Some(path);
        if same && !restored && replace.is_some() {
            // Loading a recorded request over the open payload is one more edit: Ctrl+Z
            // brings back what was there, unsaved edits included.
            if let Some(text) = replace {
                if self.editor.replace_all(&text) {
                    self.edited();
                }
            }
        } else {
            if !same {
                // Another payload's last response is not this one's, nor its sidecar.
                self.response.clear();
                self.sidecar = None;
                self.editing_sidecar = false;
            }
            let show_docs = self.editor.show_docs;
            self.editor = Editor::new(Some(path.to_path_buf()), info, replace);
            if !show_docs {
                self.editor.toggle_docs();
            }
            self.drafts = DraftState {
                failed: self.drafts.failed.take(),
                sidecar_base: self.drafts.sidecar_base,
                spare: self.drafts.spare.take(),
                ..DraftState::default()
            };
            if restored {
                // That very text is in the draft already.
                self.drafts.written = Some(self.editor.generation);
            } else if self.editor.is_dirty() {
                self.edited();
            }
        }
        self.editor.refused_at = None;
        if restored {
            let (row, col) = first_difference(&self.editor.saved_text, &self.editor.text());
            self.editor.jump(row, col);
            // Focus stays put: keys typed while the draft loads must not land in the
            // editor unasked.
            self.say(
                Level::Warn,
                format!(
                    "restored unsaved edits of {} from a draft (Ctrl+S saves them, Ctrl+Z drops them)",
                    path.display()
                ),
            );
        }
        if let Some(e) = sidecar_error {
            self.fail(
                "the sidecar is invalid",
                &format!(
                    "{e}\n\nThe body is open; fix the sidecar (the .toml beside it) to send it."
                ),
            );
        }
    }

    /// Opens an outcome in the response viewer and asks for its index.
    /// Shows a response; `op` is the operation it answers, when known, for the catalogue to
    /// explain a documented error.
    pub fn show_outcome(
        &mut self,
        outcome: SendOutcome,
        op: Option<&'static crate::catalogue::Operation>,
    ) {
        let id = self.fresh_id();
        let body = outcome.body;
        let mode = ResponseView::guess_mode(&body);
        let mut view = ResponseView::new(id, body.clone(), mode);
        view.status = Some(outcome.status);
        view.elapsed = outcome.elapsed;
        view.headers = outcome.headers;
        view.request_summary = outcome.request_summary;
        view.api_refusal = super::response::api_refusal(&body);
        view.explained =
            super::response::explain(op, outcome.status, &body, view.api_refusal.is_some());
        self.response.show(view);
        self.effects.push(Effect::CancelJobs);
        self.effects.push(Effect::IndexBody { id, body, mode });
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
        // An unchecked big text goes on: the send validates it anyway.
        if let Some(p) = self.editor.problem.clone().filter(|_| self.editor.checked) {
            self.editor.refused_at = Some((p.line, p.col));
            self.say(Level::Error, format!("not sent: {p}"));
            return;
        }
        if let Some(s) = self.sidecar.as_ref().filter(|s| s.is_dirty()) {
            let what = match &s.problem {
                Some(p) => format!("the sidecar is invalid ({p}); fix it and Ctrl+S, or Ctrl+Z"),
                None => "the sidecar has unsaved edits: Ctrl+S saves them (a send reads the saved sidecar)".to_owned(),
            };
            self.say(Level::Error, format!("not sent: {what}"));
            return;
        }
        if let Some(e) = self.editor.info.sidecar_error.clone() {
            self.fail("not sent: the sidecar is invalid", &e);
            return;
        }
        let id = self.fresh_id();
        self.sending = Some(InFlight {
            id,
            started: Instant::now(),
        });
        self.editor.refused_at = None;
        self.say(Level::Info, "sending… (Esc cancels)");
        self.effects.push(Effect::Send {
            id,
            path,
            text: self.editor.text(),
        });
    }

    /// Sends a recorded exchange again.
    pub fn replay(&mut self, exchange: i64) {
        if self.sending.is_some() {
            self.say(Level::Warn, "a request is already running (Esc cancels it)");
            return;
        }
        let id = self.fresh_id();
        self.sending = Some(InFlight {
            id,
            started: Instant::now(),
        });
        self.effects.push(Effect::Replay { id, exchange });
        self.say(Level::Info, format!("replaying #{exchange}… (Esc cancels)"));
    }

    /// Cancels the send in flight.
    pub fn cancel_send(&mut self) {
        if self.sending.take().is_some() {
            self.effects.push(Effect::CancelSend);
            self.say(Level::Warn, "request cancelled");
        }
    }

    /// Opens a payload (with its draft, if one was kept).
    pub fn open_payload(&mut self, path: PathBuf) {
        if self.editor.is_dirty() && self.editor.path.as_ref() != Some(&path) {
            self.say(
                Level::Info,
                "the previous payload's edits are kept as a draft",
            );
        }
        self.leave(Next::Open(path));
    }

    /// Loads the request of exchange `id` into the editor, reading the exchange first if
    /// it is not the one open.
    pub fn load_opened_request(&mut self, id: i64) {
        match self.opened_request.clone() {
            Some(req) if req.id == id => {
                let stdin = req.path.as_os_str() == "<stdin>" || req.path.as_os_str() == "-";
                let path = if stdin {
                    // A piped request has no file: it becomes a new payload, saved on Ctrl+S.
                    self.sidebar_root().join(format!("stdin-{id}.json"))
                } else {
                    req.path
                };
                let text = req.body.unwrap_or_default();
                if text.is_empty() && !stdin {
                    self.open_payload(path);
                    self.say(
                        Level::Info,
                        format!("exchange #{id} sent no body: its payload is open as it is"),
                    );
                    return;
                }
                self.effects.push(Effect::LoadPayload {
                    path: path.clone(),
                    with_draft: false,
                    replace: Some(text),
                });
                self.focus = Focus::Editor;
                let note = if stdin {
                    format!(
                        "#{id} came from stdin: it is open as {} (Ctrl+S writes it)",
                        path.display()
                    )
                } else {
                    format!("loaded the request of #{id} (Ctrl+Z brings back the text before)")
                };
                self.say(Level::Info, note);
            }
            _ => {
                self.load_when_opened = Some(id);
                self.effects.push(Effect::OpenExchange(id));
            }
        }
    }

    /// The collection's folder, as the payload entries show it.
    pub(crate) fn sidebar_root(&self) -> PathBuf {
        self.sidebar
            .payloads
            .entries()
            .first()
            .and_then(|e| {
                let depth = e.rel.matches('/').count() + 1;
                e.path.ancestors().nth(depth).map(Path::to_path_buf)
            })
            .unwrap_or_else(|| PathBuf::from("payloads"))
    }

    /// Opens the docs popup of the open payload.
    pub fn open_docs(&mut self) {
        let info = &self.editor.info;
        let lines: Vec<Line<'static>> = if self.editor.path.is_none() {
            vec![Line::styled(
                "open a payload to read its docs",
                theme::dim(),
            )]
        } else {
            let method = if info.method.is_empty() {
                "POST"
            } else {
                &info.method
            };
            let path = if info.url_path.is_empty() {
                "/"
            } else {
                &info.url_path
            };
            let header = Line::raw(format!("{method} {path} (backend `{}`)", info.backend));
            let op = info
                .docs_op
                .as_deref()
                .and_then(|id| crate::catalogue::catalogue().get(id));
            if let Some(op) = op {
                self.popup = Some(Popup::new(PopupKind::Docs { header, op }));
                return;
            }
            let mut lines = vec![header];
            if info.docs.trim().is_empty() {
                lines.push(Line::styled(
                    "this payload's sidecar has no docs",
                    theme::dim(),
                ));
            } else {
                lines.extend(info.docs.lines().map(|l| Line::raw(l.to_owned())));
            }
            lines
        };
        self.popup = Some(Popup::text("Docs", lines));
    }

    /// Carries out the cross-pane requests of a component.
    pub(super) fn apply(&mut self, commands: Vec<Command>) {
        for command in commands {
            match command {
                Command::Focus(f) => self.focus = f,
                Command::OpenPayload(path) => self.open_payload(path),
                Command::OpenExchange(id) => self.effects.push(Effect::OpenExchange(id)),
                Command::ExportCurl => match self.editor.path.clone() {
                    Some(path) => self.effects.push(Effect::ExportCurl {
                        path,
                        text: self.editor.text(),
                    }),
                    None => self.say(Level::Warn, "open a payload first (Payloads tab, Enter)"),
                },
                Command::Replay(id) => self.replay(id),
                Command::LoadRequest(id) => self.load_opened_request(id),
                Command::InsertInEditor(text) => {
                    if self.editor.path.is_none() {
                        self.say(Level::Warn, "open a payload first");
                        continue;
                    }
                    self.editor.insert(&text);
                    self.edited();
                    self.focus = Focus::Editor;
                    self.say(Level::Info, format!("inserted {text}"));
                }
                Command::SwitchEnv(name) => {
                    self.effects.push(Effect::SwitchEnv(name.clone()));
                    self.effects.push(Effect::LoadHistory);
                    self.say(Level::Info, format!("environment: {name}"));
                }
                Command::Refresh => match self.sidebar.tab {
                    Tab::Payloads => {}
                    Tab::History => self.effects.push(Effect::LoadHistory),
                    Tab::Tokens => self.effects.push(Effect::LoadTokens),
                },
                Command::Edited => self.edited(),
                Command::Ask(ask) => self.ask_manage(ask),
                Command::Manage(op) => self.effects.push(Effect::Manage(op)),
                Command::PickOpIn(folder) => self.open_picker_in(&folder),
                Command::SetSessionValue { name, value } => {
                    self.effects.push(Effect::SetSessionValue { name, value });
                }
            }
        }
    }
}

/// Builds a [`Ctx`] over the app's effects and status.
pub(super) fn ctx<'a>(
    effects: &'a mut Vec<Effect>,
    status: &'a mut Option<(Level, String)>,
) -> Ctx<'a> {
    Ctx {
        effects,
        status,
        commands: Vec::new(),
    }
}

/// The text of a new sidecar for a body that has none: what a body without a sidecar
/// does today (POST to the mesibo backend), written out so it can be changed.
fn new_sidecar(info: &PayloadInfo) -> String {
    let backend = if info.backend.is_empty() {
        "mesibo"
    } else {
        &info.backend
    };
    let method = if info.method.is_empty() {
        "POST"
    } else {
        &info.method
    };
    format!(
        "backend = \"{backend}\"\nmethod = \"{method}\"\npath = \"{}\"\n\n[query]\n\n[headers]\n",
        info.url_path
    )
}

/// Row and column (0-based, in characters) where `b` first differs from `a`.
pub(super) fn first_difference(a: &str, b: &str) -> (usize, usize) {
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
