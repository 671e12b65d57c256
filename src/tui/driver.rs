//! The event loop: one `select!` over queued messages, terminal input and a wake-up timer.
//! Queued messages are handled before input, and the screen is redrawn once the queue is
//! empty whenever anything was handled. The timer is armed only while something on screen
//! moves with time (see [`next_wake`]): an idle screen sleeps until a key or a message.
//! Effects asked for by the update become tokio tasks (network, history, indexing, search)
//! or go to the draft writer thread; each task answers with a [`Message`].
//!
//! [`Tui`] is generic over the ratatui backend so tests run it on a `TestBackend`.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc as std_mpsc, Arc};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use crossterm::event::Event;
use futures_util::{Stream, StreamExt};
use ratatui::backend::Backend;
use ratatui::Terminal;
use tokio::sync::mpsc;
use tokio::task::AbortHandle;

use super::app::{App, Tab};
use super::bigjson;
use super::components::manage::FileOp;
use super::core_link::{self, CoreLink, Sent};
use super::drafts;
use super::errors::{ExportError, JobError, SendError};
use super::message::{DraftJob, Effect, Expect, Message, SaveFailure};
use super::response::{self, BodyMode};
use crate::fsio::{self, FileStamp, NewFileMode};

/// Lines in the first index chunk: enough for any screen, small enough to arrive at once.
const FIRST_CHUNK: usize = 512;
/// Lines in later index chunks.
const CHUNK: usize = 262_144;
/// Most search matches kept.
const MAX_MATCHES: usize = 1_000_000;
/// How often the spinner and the elapsed time advance while a send is in flight.
const SPINNER_PERIOD: Duration = Duration::from_millis(100);
/// Past the second boundary, so that the tick reads the new second.
const SECOND_MARGIN: Duration = Duration::from_millis(2);

/// Unix seconds now.
pub fn now_unix() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// What the draft writer thread is asked to do.
enum DraftOp {
    Write(DraftJob),
    Delete(PathBuf),
}

/// The running TUI.
pub struct Tui<B: Backend> {
    terminal: Terminal<B>,
    /// The state (public so tests can look at it).
    pub app: App,
    tx: mpsc::UnboundedSender<Message>,
    rx: mpsc::UnboundedReceiver<Message>,
    link: Arc<CoreLink>,
    drafts_dir: Option<PathBuf>,
    draft_tx: Option<std_mpsc::Sender<DraftOp>>,
    send_task: Option<AbortHandle>,
    /// The running line indexing and search, one of each kind (a new one stops the old).
    index_job: Job,
    search_job: Job,
    /// The catalogue checker's thread: it runs the newest check handed to it, one at a time.
    lint_tx: Option<std_mpsc::Sender<super::assist::LintJob>>,
    filter_job: Job,
    clipboard: Box<dyn Write + Send>,
    /// Set by every handled message: the screen is redrawn before the loop sleeps again.
    dirty: bool,
    /// Watches the collection folder while the TUI runs.
    watcher: Option<notify::RecommendedWatcher>,
}

/// A single-slot background job (gitui's `AsyncSingleJob`): starting one stops the last.
#[derive(Debug, Default)]
struct Job(Option<Arc<AtomicBool>>);

impl Job {
    /// Stops the running one, if any, and hands out the stop flag of the next.
    fn restart(&mut self) -> Arc<AtomicBool> {
        self.stop();
        let flag = Arc::new(AtomicBool::new(false));
        self.0 = Some(flag.clone());
        flag
    }

    fn stop(&mut self) {
        if let Some(flag) = self.0.take() {
            flag.store(true, Ordering::Relaxed);
        }
    }
}

impl<B: Backend> Tui<B> {
    /// Builds the TUI on `terminal`; `clipboard` receives OSC 52 sequences (stdout for real).
    pub fn new(
        terminal: Terminal<B>,
        link: CoreLink,
        drafts_dir: Option<PathBuf>,
        clipboard: Box<dyn Write + Send>,
    ) -> io::Result<Self> {
        let size = terminal.size()?;
        let app = App::new(
            ratatui::layout::Rect::new(0, 0, size.width, size.height),
            now_unix(),
        );
        let (tx, rx) = mpsc::unbounded_channel();
        let draft_tx = drafts_dir
            .clone()
            .map(|dir| spawn_draft_writer(dir, tx.clone()));
        Ok(Self {
            terminal,
            app,
            tx,
            rx,
            link: Arc::new(link),
            drafts_dir,
            draft_tx,
            send_task: None,
            index_job: Job::default(),
            search_job: Job::default(),
            lint_tx: None,
            filter_job: Job::default(),
            clipboard,
            dirty: true,
            watcher: None,
        })
    }

    /// A sender for messages from outside the loop (signals).
    pub fn sender(&self) -> mpsc::UnboundedSender<Message> {
        self.tx.clone()
    }

    /// The terminal (tests read its buffer).
    pub fn terminal(&self) -> &Terminal<B> {
        &self.terminal
    }

    /// Draws the current state.
    pub fn draw(&mut self) -> io::Result<()> {
        let app = &self.app;
        self.terminal
            .draw(|f| f.render_widget(app, f.area()))
            .map(|_| ())
    }

    /// Starts the initial loads: payloads, environments, history, tokens, a crash draft;
    /// and the watcher that rescans the payloads when files change on disk.
    pub fn start(&mut self) {
        self.rescan();
        self.watch();
        let (link, tx) = (self.link.clone(), self.tx.clone());
        tokio::spawn(async move {
            match link.environments().await {
                Ok((names, current)) => {
                    let _ = tx.send(Message::EnvsLoaded { names, current });
                }
                Err(e) => {
                    let _ = tx.send(Message::Error(JobError::Session(e)));
                }
            }
        });
        self.app.effects.push(Effect::LoadHistory);
        self.app.effects.push(Effect::LoadTokens);
        if let Some(dir) = self.drafts_dir.clone() {
            let tx = self.tx.clone();
            tokio::task::spawn_blocking(move || {
                if let Some(d) = drafts::newest(&dir) {
                    // Drafts keep canonical paths; show the one the payload tree uses.
                    let path = std::env::current_dir()
                        .ok()
                        .and_then(|cwd| d.path.strip_prefix(cwd).ok().map(PathBuf::from))
                        .unwrap_or_else(|| d.path.clone());
                    let result = core_link::load_payload(&path);
                    let _ = tx.send(loaded_with_draft(path, result, Some(d)));
                }
            });
        }
        self.perform_effects();
    }

    /// Applies a message and performs the effects it asked for; the screen is redrawn at the
    /// end of this turn of the loop, whichever path (select, drain) the message came by.
    pub fn handle(&mut self, msg: Message) {
        self.app.update(msg);
        self.dirty = true;
        self.perform_effects();
    }

    /// Handles every message already queued, without waiting.
    pub fn drain(&mut self) {
        while let Ok(msg) = self.rx.try_recv() {
            self.handle(msg);
        }
    }

    /// Waits up to `timeout` for one message and handles it; returns whether one came.
    pub async fn next_message(&mut self, timeout: Duration) -> bool {
        match tokio::time::timeout(timeout, self.rx.recv()).await {
            Ok(Some(msg)) => {
                self.handle(msg);
                true
            }
            _ => false,
        }
    }

    /// Runs until quit. `events` is the terminal's event stream.
    pub async fn run<S>(mut self, mut events: S) -> anyhow::Result<()>
    where
        S: Stream<Item = io::Result<Event>> + Unpin,
    {
        self.draw()?;
        self.dirty = false;
        self.start();
        while !self.app.quit {
            let wake = next_wake(&self.app, SystemTime::now());
            let draft_due = self.app.draft_deadline();
            tokio::select! {
                biased;
                Some(msg) = self.rx.recv() => self.handle(msg),
                () = sleep_until(draft_due), if draft_due.is_some() => self.handle(Message::DraftDue),
                event = events.next() => match event {
                    Some(Ok(event)) => self.handle(Message::Input(event)),
                    Some(Err(e)) => return Err(anyhow::Error::new(e).context("reading terminal input")),
                    None => self.app.quit = true,
                },
                () = sleep_or_never(wake) => self.handle(Message::Tick { now: now_unix() }),
            }
            // Messages first: what tasks reported is on screen before the next key.
            self.drain();
            if self.dirty && !self.app.quit {
                // The clock is not ticking while nothing moves: catch it up before a frame
                // (a key that opens the Tokens tab shows countdowns from now, not from then).
                let now = now_unix();
                if now != self.app.now {
                    self.app.update(Message::Tick { now });
                }
                self.draw()?;
                self.dirty = false;
            }
        }
        if let Some(task) = self.send_task.take() {
            task.abort();
        }
        // The terminal is restored after this returns, so the error is read on stderr.
        self.last_draft().map_err(|e| {
            anyhow::Error::new(e).context("the unsaved edit could not be kept in a draft")
        })
    }

    /// On the way out (a signal, or the terminal went away) an edit that is not safe yet
    /// is written to its draft here, on this thread, since the writer thread dies with us.
    fn last_draft(&mut self) -> Result<(), drafts::DraftError> {
        let Some(path) = self.app.editor.path.as_deref() else {
            return Ok(());
        };
        let discarded = self.app.drafts.discarded;
        if !discarded && self.app.edit_is_safe() {
            return Ok(());
        }
        match (self.drafts_dir.as_deref(), discarded) {
            (None, true) => Ok(()),
            (None, false) => Err(drafts::DraftError::NoDataFolder),
            (Some(dir), true) => drafts::delete(dir, path),
            (Some(dir), false) => {
                let e = &self.app.editor;
                drafts::write(dir, path, &e.text(), e.stamp.as_ref())
            }
        }
    }

    /// Scans the collection (off the UI thread): the files at once, then again in flow
    /// order once every sidecar is read.
    fn rescan(&self) {
        let (link, tx) = (self.link.clone(), self.tx.clone());
        tokio::task::spawn_blocking(move || match link.discover() {
            Ok(plain) => {
                let _ = tx.send(Message::PayloadsLoaded(Ok(plain.clone())));
                let _ = tx.send(Message::PayloadsLoaded(Ok(super::flow::arrange(plain))));
            }
            Err(e) => {
                let _ = tx.send(Message::PayloadsLoaded(Err(e)));
            }
        });
    }

    /// Watches the collection folder: each quiet burst of changes rescans it.
    fn watch(&mut self) {
        let root = self.link.payload_root.clone();
        if !root.is_dir() {
            return;
        }
        let (changed_tx, mut changed) = mpsc::unbounded_channel();
        match super::files::watch(&root, changed_tx) {
            Ok(w) => self.watcher = Some(w),
            Err(e) => {
                let _ = self.tx.send(Message::Error(JobError::Watch {
                    root: root.clone(),
                    source: e,
                }));
                return;
            }
        }
        let (link, tx) = (self.link.clone(), self.tx.clone());
        tokio::spawn(async move {
            while changed.recv().await.is_some() {
                let link = link.clone();
                let scan = move || link.discover().map(super::flow::arrange);
                let Ok(found) = tokio::task::spawn_blocking(scan).await else {
                    break;
                };
                if tx.send(Message::PayloadsLoaded(found)).is_err() {
                    break;
                }
            }
        });
    }

    fn spawn<F>(&self, fut: F) -> AbortHandle
    where
        F: std::future::Future<Output = Message> + Send + 'static,
    {
        let tx = self.tx.clone();
        tokio::spawn(async move {
            let _ = tx.send(fut.await);
        })
        .abort_handle()
    }

    fn blocking<F>(&self, f: F)
    where
        F: FnOnce(&mpsc::UnboundedSender<Message>) + Send + 'static,
    {
        let tx = self.tx.clone();
        tokio::task::spawn_blocking(move || f(&tx));
    }

    /// Turns the update's effects into tasks.
    pub fn perform_effects(&mut self) {
        for effect in std::mem::take(&mut self.app.effects) {
            self.perform(effect);
        }
    }

    #[allow(clippy::too_many_lines)] // one arm per effect, each a few lines
    fn perform(&mut self, effect: Effect) {
        let link = self.link.clone();
        match effect {
            Effect::LoadPayload {
                path,
                with_draft,
                replace,
            } => {
                let dir = self.drafts_dir.clone();
                self.blocking(move |tx| {
                    let result = core_link::load_payload(&path);
                    let draft = if with_draft {
                        dir.and_then(|d| drafts::read(&d, &path))
                    } else {
                        None
                    };
                    let _ = tx.send(match replace {
                        Some(text) => Message::PayloadLoaded {
                            path,
                            result,
                            replace: Some(text),
                            restored: false,
                            stale_draft: None,
                        },
                        None => loaded_with_draft(path, result, draft),
                    });
                });
            }
            Effect::Send { id, path, text, .. } => {
                let tx = self.tx.clone();
                let task = tokio::spawn(async move {
                    deliver(&tx, id, link.send(&path, &text).await);
                });
                self.replace_send(task.abort_handle());
            }
            Effect::Replay { id, exchange, .. } => {
                let tx = self.tx.clone();
                let task = tokio::spawn(async move {
                    deliver(&tx, id, link.replay(exchange).await);
                });
                self.replace_send(task.abort_handle());
            }
            Effect::CancelSend => {
                if let Some(task) = self.send_task.take() {
                    task.abort();
                }
            }
            Effect::IndexBody { id, body, mode } => {
                let stop = self.index_job.restart();
                self.blocking(move |tx| index_until(tx, id, &body, mode, &stop));
            }
            Effect::Search { id, body, query } => {
                let stop = self.search_job.restart();
                self.blocking(move |tx| {
                    let matches = response::find_all_until(&body, &query, MAX_MATCHES, &stop);
                    if !stop.load(Ordering::Relaxed) {
                        let _ = tx.send(Message::SearchDone { id, query, matches });
                    }
                });
            }
            Effect::ReloadSidecar(path) => self.blocking(move |tx| {
                let result = core_link::load_payload(&path);
                let _ = tx.send(Message::SidecarReloaded { path, result });
            }),
            Effect::Filter { id, body, expr } => {
                let stop = self.filter_job.restart();
                self.blocking(move |tx| {
                    let result = crate::tui::response::run_filter(&body, &expr, &stop);
                    if let Some(result) = result.filter(|_| !stop.load(Ordering::Relaxed)) {
                        let _ = tx.send(Message::Filtered { id, expr, result });
                    }
                });
            }
            Effect::CancelFilter => self.filter_job.stop(),
            Effect::ImportCurl(command) => {
                let tx = self.tx.clone();
                tokio::spawn(async move {
                    let _ = tx.send(Message::CurlImported(link.import_curl(&command).await));
                });
            }
            Effect::ExportCurl { path, text } => {
                let tx = self.tx.clone();
                tokio::spawn(async move {
                    let _ = tx.send(Message::CurlReady(link.curl(&path, &text).await));
                });
            }
            Effect::CancelJobs => {
                self.filter_job.stop();
                self.index_job.stop();
                self.search_job.stop();
            }
            Effect::WriteBody { body, json } => self.blocking(move |tx| {
                let _ = tx.send(Message::Written(write_body(&body, json)));
            }),
            Effect::Save { path, text, expect } => self.blocking(move |tx| {
                let result = save(&path, &text, &expect);
                let _ = tx.send(Message::Saved { path, text, result });
            }),
            Effect::WriteDraft(job) => {
                if self.draft_tx.is_none() {
                    let _ = self.tx.send(Message::DraftWritten {
                        path: job.path,
                        generation: job.generation,
                        result: Err(drafts::DraftError::NoDataFolder),
                        checked: None,
                        text: job.text,
                    });
                } else {
                    self.draft(DraftOp::Write(job));
                }
            }
            Effect::DeleteDraft(path) => self.draft(DraftOp::Delete(path)),
            Effect::Copy(text) => {
                let b64 = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
                let _ = write!(self.clipboard, "\x1b]52;c;{b64}\x07");
                let _ = self.clipboard.flush();
            }
            Effect::LoadHistory => {
                self.spawn(async move { Message::HistoryLoaded(link.history().await) });
            }
            Effect::LoadTokens => {
                self.spawn(async move { Message::TokensLoaded(link.tokens().await) });
            }
            Effect::InspectToken(token) => {
                self.spawn(
                    async move { Message::TokenInspected(link.inspect_token(&token).await) },
                );
            }
            Effect::MintToken(args) => {
                self.spawn(async move { Message::TokenMinted(link.mint_token(*args).await) });
            }
            Effect::ResolveUrl(path) => {
                self.spawn(async move {
                    let result = link.resolve_url(&path).await;
                    Message::UrlResolved { path, result }
                });
            }
            Effect::LoadCredentials => {
                self.spawn(async move { Message::Credentials(link.credential_defaults().await) });
            }
            Effect::OpenExchange(id) => {
                self.spawn(async move {
                    match link.exchange(id).await {
                        Ok((outcome, request)) => Message::ExchangeOpened {
                            id,
                            result: Ok(outcome),
                            request,
                        },
                        Err(e) => Message::ExchangeOpened {
                            id,
                            result: Err(e),
                            request: None,
                        },
                    }
                });
            }
            Effect::ResolveVars { text } => {
                self.spawn(async move {
                    match link.variables(&text).await {
                        Ok(vars) => Message::VarsResolved(vars),
                        Err(e) => Message::Error(JobError::Session(e)),
                    }
                });
            }
            Effect::Manage(op) => {
                let root = link.payload_root.clone();
                let drafts = self.drafts_dir.clone();
                self.blocking(move |tx| {
                    let result = super::files::perform(&root, &op);
                    if let (Ok(_), FileOp::Delete { path }, Some(dir)) = (&result, &op, drafts) {
                        let _ = drafts::delete(&dir, path);
                    }
                    let _ = tx.send(Message::Managed { op, result });
                    let found = link.discover().map(super::flow::arrange);
                    let _ = tx.send(Message::PayloadsLoaded(found));
                });
            }
            Effect::ProbeDelete(path) => {
                let dir = self.drafts_dir.clone();
                self.blocking(move |tx| {
                    let draft = dir.is_some_and(|d| drafts::read(&d, &path).is_some());
                    let _ = tx.send(Message::DeleteProbed { path, draft });
                });
            }
            Effect::Rescan => self.rescan(),
            Effect::Lint(job) => {
                let lint_tx = self
                    .lint_tx
                    .get_or_insert_with(|| spawn_linter(self.tx.clone()));
                let _ = lint_tx.send(job);
            }
            Effect::CreatePayload { op, dir, name } => {
                let link = link.clone();
                self.blocking(move |tx| {
                    let result = match crate::catalogue::catalogue().get(&op) {
                        Some(op) => {
                            crate::catalogue::create_from_op(op, &dir, &name).map(|made| made.body)
                        }
                        None => Err(crate::catalogue::CreateError::UnknownOp { id: op }),
                    };
                    if result.is_ok() {
                        let found = link.discover().map(super::flow::arrange);
                        let _ = tx.send(Message::PayloadsLoaded(found));
                    }
                    let _ = tx.send(Message::PayloadCreated(result));
                });
            }
            Effect::SetSessionValue { name, value } => {
                self.spawn(async move {
                    Message::SessionValueSet(
                        link.set_session_value(&name, &value).await.map(|()| name),
                    )
                });
            }
            Effect::SwitchEnv(name) => {
                self.spawn(async move {
                    match link.switch(&name).await {
                        Ok((names, current)) => Message::EnvsLoaded { names, current },
                        Err(e) => Message::Error(JobError::Session(e)),
                    }
                });
                self.app.effects.push(Effect::LoadHistory);
            }
        }
    }

    fn replace_send(&mut self, task: AbortHandle) {
        if let Some(old) = self.send_task.replace(task) {
            old.abort();
        }
    }

    fn draft(&self, op: DraftOp) {
        if let Some(tx) = &self.draft_tx {
            let _ = tx.send(op);
        }
    }
}

/// How long the loop may sleep with no key and no message before the screen changes by
/// itself: the spinner while a send is in flight, the next whole second while the Tokens tab
/// shows countdowns and ages, and never otherwise (`None`).
pub fn next_wake(app: &App, now: SystemTime) -> Option<Duration> {
    if app.sending.is_some() {
        return Some(SPINNER_PERIOD);
    }
    if app.tab() == Tab::Tokens && !app.sidebar.tokens.filtered().is_empty() {
        let into_second = now
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| u64::from(d.subsec_nanos()));
        return Some(Duration::from_nanos(1_000_000_000 - into_second) + SECOND_MARGIN);
    }
    None
}

/// Sleeps for `wake`, or forever when there is nothing to wake for.
async fn sleep_or_never(wake: Option<Duration>) {
    match wake {
        Some(d) => tokio::time::sleep(d).await,
        None => std::future::pending().await,
    }
}

/// Sleeps until `deadline` (forever without one; the branch is disabled then).
async fn sleep_until(deadline: Option<std::time::Instant>) {
    match deadline {
        Some(d) => tokio::time::sleep_until(d.into()).await,
        None => std::future::pending().await,
    }
}

/// The loaded payload with its draft: restored when the file is still what the draft was
/// taken from, offered (not restored) when the file changed since.
fn loaded_with_draft(
    path: PathBuf,
    result: Result<super::model::PayloadInfo, crate::collection::TemplateError>,
    draft: Option<drafts::Draft>,
) -> Message {
    let now = result.as_ref().ok().and_then(|info| info.stamp.as_ref());
    match draft {
        Some(d) if d.file_changed_since(now) => Message::PayloadLoaded {
            path,
            result,
            replace: None,
            restored: false,
            stale_draft: Some(d.text),
        },
        Some(d) => Message::PayloadLoaded {
            path,
            result,
            replace: Some(d.text),
            restored: true,
            stale_draft: None,
        },
        None => Message::PayloadLoaded {
            path,
            result,
            replace: None,
            restored: false,
            stale_draft: None,
        },
    }
}

/// Saves `text` to `path` atomically if the file is as `expect` says; returns its new stamp.
fn save(path: &Path, text: &str, expect: &Expect) -> Result<Option<FileStamp>, SaveFailure> {
    let failed = |source: std::io::Error| SaveFailure::Read {
        path: path.to_owned(),
        source,
    };
    match expect {
        Expect::Anything => {}
        Expect::Absent => {
            if std::fs::symlink_metadata(path).is_ok() {
                return Err(SaveFailure::Exists);
            }
        }
        Expect::Unchanged(Some(stamp)) => {
            if !stamp.still_matches(path).map_err(failed)? {
                return Err(SaveFailure::ChangedOnDisk);
            }
        }
        Expect::Unchanged(None) => {
            if std::fs::symlink_metadata(path).is_ok() {
                return Err(SaveFailure::ChangedOnDisk);
            }
        }
    }
    let written = if *expect == Expect::Absent {
        // "Save as" never replaces a file that appeared meanwhile.
        fsio::atomic_create(path, text.as_bytes(), NewFileMode::Shared)
    } else {
        fsio::atomic_write(path, text.as_bytes(), NewFileMode::Shared)
    };
    written.map_err(|e| match e.source.kind() {
        std::io::ErrorKind::AlreadyExists => SaveFailure::Exists,
        _ => SaveFailure::Write(e),
    })?;
    let meta = std::fs::metadata(path).map_err(failed)?;
    Ok(Some(FileStamp::new(text.as_bytes(), &meta)))
}

/// Shows the outcome at once, then records the exchange on a blocking thread; a cancel
/// after this point no longer stops the history write.
fn deliver(tx: &mpsc::UnboundedSender<Message>, id: u64, result: Result<Sent, SendError>) {
    match result {
        Ok(sent) => {
            let _ = tx.send(Message::SendDone {
                id,
                result: sent.outcome,
            });
            let tx = tx.clone();
            let job = sent.record;
            tokio::task::spawn_blocking(move || {
                let (summary, warning) = job.run();
                let _ = tx.send(Message::Recorded { summary, warning });
            });
        }
        Err(e) => {
            let _ = tx.send(Message::SendDone { id, result: Err(e) });
        }
    }
}

/// Writes a body to `<data dir>/exports/response-<unix time>.json` (mode 0600: it may hold
/// tokens) and returns the path.
fn write_body(body: &[u8], json: bool) -> Result<PathBuf, ExportError> {
    let dir = crate::config::data_dir()?.join("exports");
    std::fs::create_dir_all(&dir).map_err(|source| ExportError::Folder {
        path: dir.clone(),
        source,
    })?;
    let ext = if json { "json" } else { "txt" };
    let path = dir.join(format!("response-{}.{ext}", now_unix()));
    fsio::atomic_write(&path, body, NewFileMode::Private)?;
    Ok(path)
}

/// Indexes a body in chunks, falling back to text when it is not valid JSON.
pub fn index(tx: &mpsc::UnboundedSender<Message>, id: u64, body: &[u8], mode: BodyMode) {
    index_until(tx, id, body, mode, &AtomicBool::new(false));
}

/// [`index`] that stops early once `stop` is set (the body was replaced).
pub fn index_until(
    tx: &mpsc::UnboundedSender<Message>,
    id: u64,
    body: &[u8],
    mode: BodyMode,
    stop: &AtomicBool,
) {
    let send = |mode, reset, lines: Vec<u64>, done, note: Option<String>| {
        !stop.load(Ordering::Relaxed)
            && tx
                .send(Message::BodyIndexed {
                    id,
                    mode,
                    reset,
                    lines,
                    done,
                    note,
                })
                .is_ok()
    };
    if mode == BodyMode::Json {
        let mut batch = Vec::with_capacity(FIRST_CHUNK);
        let mut limit = FIRST_CHUNK;
        let mut open = true;
        let result = bigjson::index_json(body, |p| {
            batch.push(p);
            if batch.len() >= limit {
                open = send(
                    BodyMode::Json,
                    false,
                    std::mem::take(&mut batch),
                    false,
                    None,
                );
                limit = CHUNK;
                batch.reserve(CHUNK);
            }
            open
        });
        match result {
            Ok(()) => {
                send(BodyMode::Json, false, batch, true, None);
                return;
            }
            Err(e) => {
                let note = Some(format!("not valid JSON ({e}); shown as text"));
                text_index(body, &send, note);
                return;
            }
        }
    }
    text_index(body, &send, None);
}

fn text_index(
    body: &[u8],
    send: &impl Fn(BodyMode, bool, Vec<u64>, bool, Option<String>) -> bool,
    note: Option<String>,
) {
    let mut batch = Vec::new();
    let mut first = true;
    let mut open = true;
    bigjson::index_text(body, |p| {
        batch.push(p);
        if batch.len() >= CHUNK {
            open = send(
                BodyMode::Text,
                first,
                std::mem::take(&mut batch),
                false,
                note.clone(),
            );
            first = false;
        }
        open
    });
    send(BodyMode::Text, first, batch, true, note);
}

/// The draft writer: one thread, so drafts are written in order and never on the UI
/// thread; each written draft is answered with [`Message::DraftWritten`].
fn spawn_draft_writer(
    dir: PathBuf,
    answers: mpsc::UnboundedSender<Message>,
) -> std_mpsc::Sender<DraftOp> {
    let (tx, rx) = std_mpsc::channel::<DraftOp>();
    std::thread::spawn(move || {
        while let Ok(first) = rx.recv() {
            // Coalesce a burst of keystrokes into the last state of each payload.
            let mut ops = vec![first];
            while let Ok(op) = rx.try_recv() {
                ops.push(op);
            }
            let mut seen = std::collections::HashSet::new();
            for op in ops.into_iter().rev() {
                let path = match &op {
                    DraftOp::Write(job) => job.path.clone(),
                    DraftOp::Delete(p) => p.clone(),
                };
                if !seen.insert(path) {
                    continue;
                }
                match op {
                    DraftOp::Write(job) => {
                        let _ = answers.send(write_draft(&dir, job));
                    }
                    DraftOp::Delete(p) => {
                        let _ = drafts::delete(&dir, &p);
                    }
                }
            }
        }
    });
    tx
}

/// Starts the catalogue checker's thread: one check runs at a time, and of the checks queued
/// meanwhile only the newest runs (older texts are gone from the editor), so fast typing on
/// a large body neither waits nor piles up work. It ends when the driver drops its sender.
fn spawn_linter(
    answers: mpsc::UnboundedSender<Message>,
) -> std_mpsc::Sender<super::assist::LintJob> {
    let (tx, rx) = std_mpsc::channel::<super::assist::LintJob>();
    std::thread::spawn(move || {
        while let Ok(mut job) = rx.recv() {
            while let Ok(newer) = rx.try_recv() {
                job = newer;
            }
            let lint = job.run();
            let sent = answers.send(Message::Linted {
                generation: job.generation,
                lint,
            });
            if sent.is_err() {
                break;
            }
        }
    });
    tx
}

/// Writes one draft (for a big text, first checks it against the file and validates it).
fn write_draft(dir: &Path, job: DraftJob) -> Message {
    let checked = job
        .check_against
        .as_ref()
        .map(|saved| (**saved != *job.text, super::editor::validate(&job.text)));
    let result = match checked {
        Some((false, _)) => drafts::delete(dir, &job.path),
        _ => drafts::write(dir, &job.path, &job.text, job.base.as_ref()),
    };
    Message::DraftWritten {
        path: job.path,
        generation: job.generation,
        result,
        checked,
        text: job.text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::model::TokenRow;
    use ratatui::layout::Rect;

    fn at(secs: u64, millis: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs) + Duration::from_millis(millis)
    }

    #[test]
    fn an_idle_screen_with_nothing_moving_never_wakes() {
        let mut app = App::new(Rect::new(0, 0, 110, 30), 1_800_000_000);
        assert_eq!(next_wake(&app, at(1_800_000_000, 250)), None);
        app.sidebar.tab = Tab::Tokens;
        assert_eq!(
            next_wake(&app, at(1_800_000_000, 250)),
            None,
            "no token, no countdown"
        );
    }

    #[test]
    fn countdowns_wake_just_past_each_second_and_the_spinner_ten_times_a_second() {
        let mut app = App::new(Rect::new(0, 0, 110, 30), 1_800_000_000);
        app.sidebar.tokens.set_rows(vec![TokenRow {
            id: 1,
            format: "mesibo".into(),
            token: "0123456789abcdef".into(),
            subject: None,
            app: None,
            issued_at: Some(1_800_000_000),
            expires_at: Some(1_800_000_600),
            claims: serde_json::Value::Null,
        }]);
        assert_eq!(
            next_wake(&app, at(1_800_000_000, 250)),
            None,
            "Payloads tab"
        );
        app.sidebar.tab = Tab::Tokens;
        assert_eq!(
            next_wake(&app, at(1_800_000_000, 250)),
            Some(Duration::from_millis(752))
        );
        assert_eq!(
            next_wake(&app, at(1_800_000_001, 999)),
            Some(Duration::from_millis(3))
        );
        app.sidebar.tab = Tab::Payloads;
        app.sending = Some(crate::tui::app::InFlight {
            id: 2,
            started: std::time::Instant::now(),
        });
        assert_eq!(
            next_wake(&app, at(1_800_000_000, 250)),
            Some(Duration::from_millis(100))
        );
    }
}
