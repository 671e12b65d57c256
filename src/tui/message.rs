//! What flows into [`super::app::App::update`] ([`Message`]) and what the update asks the
//! driver to do in return ([`Effect`]).
//!
//! Every slow or outside-world action is an effect: the update stays synchronous and
//! testable, and the driver turns effects into tokio tasks that answer with messages.

use std::path::PathBuf;
use std::sync::Arc;

use crossterm::event::Event;

use super::components::workbench::{CredentialDefault, Inspected};
use super::editor::JsonProblem;
use crate::fsio::FileStamp;

use super::errors::{CurlImportError, ExportError, ListError, SendError, SessionError, TokenError};
use super::model::{
    EnvInfo, HistoryRow, PayloadEntry, PayloadInfo, SendOutcome, TokenRow, VarValue,
};
use super::response::BodyMode;

/// An input to the app's state machine.
#[derive(Debug)]
pub enum Message {
    /// A terminal event: key, mouse, paste or resize.
    Input(Event),
    /// Time passed; drives the spinner and the tokens' countdowns.
    Tick {
        /// Unix seconds now.
        now: i64,
    },
    /// The collection was scanned.
    PayloadsLoaded(Result<Vec<PayloadEntry>, crate::collection::TemplateError>),
    /// A payload file and its sidecar were read.
    PayloadLoaded {
        /// Which file.
        path: PathBuf,
        /// Its contents, or why it could not be read.
        result: Result<PayloadInfo, crate::collection::TemplateError>,
        /// Text that replaces the file's body: a draft or a recorded request.
        replace: Option<String>,
        /// Whether `replace` came from a crash-safety draft (a notice says so).
        restored: bool,
        /// A draft taken before the file changed on disk: not restored, offered instead.
        stale_draft: Option<String>,
    },
    /// The environments available and the backends of the current one.
    EnvsLoaded {
        /// Every environment name, `sandbox` first.
        names: Vec<String>,
        /// The current environment's details.
        current: EnvInfo,
    },
    /// A send finished: the response, or why there is none (typed: the screen decides how
    /// to show it).
    SendDone {
        /// The send it belongs to.
        id: u64,
        /// The outcome.
        result: Result<SendOutcome, SendError>,
    },
    /// An exchange was written to the history (lists are stale now).
    Recorded {
        /// What was recorded (the exchange, the tokens found, the values captured; `None`
        /// when the session records nothing), or why it could not be written.
        summary: Result<Option<String>, crate::history::HistoryError>,
        /// The session's warning about its history (it runs without one).
        warning: Option<String>,
    },
    /// A chunk of a body's line index.
    BodyIndexed {
        /// The body it belongs to.
        id: u64,
        /// How the lines are to be read.
        mode: BodyMode,
        /// Whether earlier lines are void (JSON turned out invalid; now text).
        reset: bool,
        /// Packed line starts.
        lines: Vec<u64>,
        /// Whether this is the last chunk.
        done: bool,
        /// A remark, e.g. why JSON display was abandoned.
        note: Option<String>,
    },
    /// A jq filter's output on a response body (`F` in the response pane).
    Filtered {
        /// The body filtered.
        id: u64,
        /// The expression.
        expr: String,
        /// The outputs, one JSON value each, or why the filter failed on this body.
        result: Result<bytes::Bytes, crate::filter::FilterError>,
    },
    /// The editor's request as a curl command (or why it cannot be made).
    CurlReady(Result<String, SendError>),
    /// A pasted curl command was imported: the new payload and what to tell.
    CurlImported(Result<(PathBuf, String), CurlImportError>),
    /// Search matches in a body.
    SearchDone {
        /// The body searched.
        id: u64,
        /// The query.
        query: String,
        /// Byte offsets of the matches.
        matches: Vec<u64>,
    },
    /// A save to the payload file finished.
    Saved {
        /// The file.
        path: PathBuf,
        /// The text that was to be saved.
        text: String,
        /// What the file is now, or why nothing was written.
        result: Result<Option<FileStamp>, SaveFailure>,
    },
    /// Typing paused (or went on for long enough): time to keep the edit in a draft.
    DraftDue,
    /// The draft writer finished a draft.
    DraftWritten {
        /// The payload it belongs to.
        path: PathBuf,
        /// The editor generation it holds.
        generation: u64,
        /// `Err` with the reason when it could not be written.
        result: Result<(), super::drafts::DraftError>,
        /// For a big text, whether it differs from the file and where its JSON is invalid,
        /// worked out by the writer.
        checked: Option<(bool, Option<JsonProblem>)>,
        /// The job's text, handed back so the next draft reuses its buffer (a fresh 50 MB
        /// allocation costs the UI thread more than the copy itself).
        text: String,
    },
    /// The history list was (re)read.
    HistoryLoaded(Result<Vec<HistoryRow>, ListError>),
    /// The tokens list was (re)read.
    TokensLoaded(Result<Vec<TokenRow>, ListError>),
    /// A recorded exchange was read for viewing.
    ExchangeOpened {
        /// Its id.
        id: i64,
        /// The exchange as a response view, or why not.
        result: Result<SendOutcome, ListError>,
        /// Its payload path and request body (`None` when it had none), for `l`.
        request: Option<(PathBuf, Option<String>)>,
    },
    /// The catalogue's findings on one generation of the editor's body.
    Linted {
        /// The editor generation checked.
        generation: u64,
        /// The findings.
        lint: super::teach::Lint,
    },
    /// A payload was created from an operation (its body's path), or why not.
    PayloadCreated(Result<PathBuf, crate::catalogue::CreateError>),
    /// The payload's variables were resolved for the variables popup.
    VarsResolved(Vec<VarValue>),
    /// The sidecar of the open payload was read again (after a save).
    SidecarReloaded {
        /// The payload (body) it belongs to.
        path: PathBuf,
        /// Its facts, or why not.
        result: Result<PayloadInfo, crate::collection::TemplateError>,
    },
    /// A body was written to a file (`w` in the response).
    Written(Result<PathBuf, ExportError>),
    /// A token pasted into the workbench was decoded and verified, or why not.
    TokenInspected(Result<Inspected, TokenError>),
    /// The workbench minted and recorded a token, or why not.
    TokenMinted(Result<Inspected, TokenError>),
    /// The environment's credentials for the mint form: its name and the values set.
    Credentials(Result<(String, Vec<CredentialDefault>), SessionError>),
    /// A change to the collection was made, or why not (nothing changed then).
    Managed {
        /// What was asked.
        op: super::components::manage::FileOp,
        /// What it left, or why it was refused.
        result: Result<super::components::manage::Managed, crate::collection::manage::ManageError>,
    },
    /// A value entered for the session was kept, or why not.
    SessionValueSet(Result<String, SessionError>),
    /// Whether a payload to delete has a draft of unsaved edits (the confirmation says so).
    DeleteProbed {
        /// The payload.
        path: PathBuf,
        /// Whether a draft of it is kept.
        draft: bool,
    },
    /// The URL a send of the payload would go to, resolved in the current environment.
    UrlResolved {
        /// The payload.
        path: PathBuf,
        /// The environment and the URL (secrets as `{{name}}`), or why it could not be
        /// resolved now.
        result: Result<(String, String), SendError>,
    },
    /// Something failed in a task; shown in the status line.
    Error(super::errors::JobError),
    /// Stop: quit key, SIGTERM or SIGHUP.
    Quit,
}

/// Why a save wrote nothing (the file on disk is as it was).
#[derive(Debug, thiserror::Error)]
pub enum SaveFailure {
    /// The file is not what it was when it was opened: someone else changed it.
    #[error("the file changed on disk")]
    ChangedOnDisk,
    /// Another file is where a "save as" was to create one.
    #[error("the file already exists")]
    Exists,
    /// The file could not be checked before writing.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The operating system's reason.
        #[source]
        source: std::io::Error,
    },
    /// The write failed: which path, which step, why.
    #[error(transparent)]
    Write(#[from] crate::fsio::WriteError),
}

/// What a save expects to find on disk before it writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expect {
    /// The file as the editor last saw it (`None`: there was no file).
    Unchanged(Option<FileStamp>),
    /// No file: a new one is created, nothing is overwritten.
    Absent,
    /// Anything: the person chose to overwrite.
    Anything,
}

/// A draft for the draft writer.
#[derive(Debug, Clone, PartialEq)]
pub struct DraftJob {
    /// The payload it belongs to.
    pub path: PathBuf,
    /// The unsaved text.
    pub text: String,
    /// The editor generation of `text`.
    pub generation: u64,
    /// What the payload file was when the edit began.
    pub base: Option<FileStamp>,
    /// For a big text not yet checked on the UI thread: the file's text, to compare with
    /// (and the JSON is validated too). Equal texts delete the draft instead.
    pub check_against: Option<Arc<str>>,
}

/// Work the update asks the driver to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Read a payload and its sidecar (and a draft if `with_draft`).
    LoadPayload {
        /// Which file.
        path: PathBuf,
        /// Whether an unsaved draft should replace the file's text.
        with_draft: bool,
        /// Text to edit instead of the file's (a recorded request).
        replace: Option<String>,
    },
    /// Render and send the editor's text.
    Send {
        /// Identifies the send.
        id: u64,
        /// Payload path (for its sidecar and the history).
        path: PathBuf,
        /// The body text.
        text: String,
    },
    /// Abort the running send.
    CancelSend,
    /// Build the line index of a body off the UI thread.
    IndexBody {
        /// Body id.
        id: u64,
        /// The bytes.
        body: bytes::Bytes,
        /// Mode to try first.
        mode: BodyMode,
    },
    /// Run a jq filter on a body off the UI thread (a new one stops the last).
    Filter {
        /// Body id.
        id: u64,
        /// The bytes.
        body: bytes::Bytes,
        /// The expression (it compiled).
        expr: String,
    },
    /// Stop the running filter: its result is dropped.
    CancelFilter,
    /// Import a pasted curl command as a new payload.
    ImportCurl(String),
    /// Make the editor's request a curl command (nothing is sent).
    ExportCurl {
        /// The payload file.
        path: PathBuf,
        /// The editor's text.
        text: String,
    },
    /// Search a body off the UI thread.
    Search {
        /// Body id.
        id: u64,
        /// The bytes.
        body: bytes::Bytes,
        /// What to find.
        query: String,
    },
    /// Write the editor's text to its file, atomically.
    Save {
        /// The file.
        path: PathBuf,
        /// The text.
        text: String,
        /// What must be on disk for the write to go ahead.
        expect: Expect,
    },
    /// Keep the unsaved text so a crash loses nothing.
    WriteDraft(DraftJob),
    /// Read a payload's sidecar again (after it was saved).
    ReloadSidecar(PathBuf),
    /// Forget the draft of a payload (it was saved or reverted).
    DeleteDraft(PathBuf),
    /// Put text on the terminal's clipboard (OSC 52).
    Copy(String),
    /// Re-read the history list.
    LoadHistory,
    /// Re-read the tokens list.
    LoadTokens,
    /// Read one exchange.
    OpenExchange(i64),
    /// Send a recorded exchange again.
    Replay {
        /// Identifies the send.
        id: u64,
        /// The exchange.
        exchange: i64,
    },
    /// Resolve the variables of the editor's text.
    ResolveVars {
        /// The text.
        text: String,
    },
    /// Stop the indexing and search of the body shown until now (a new one replaces it).
    CancelJobs,
    /// Write a response body to a file in the data directory (too large to copy).
    WriteBody {
        /// The bytes.
        body: bytes::Bytes,
        /// Whether it is JSON (the file is named `.json`, else `.txt`).
        json: bool,
    },
    /// Switch environments (reload its backends).
    SwitchEnv(String),
    /// Decode and verify a token pasted into the workbench.
    InspectToken(String),
    /// Mint a token from the workbench's form and record it.
    MintToken(Box<crate::cli::token::NewArgs>),
    /// Read the environment's credentials for the mint form.
    LoadCredentials,
    /// Resolve the URL a send of this payload goes to (for the header).
    ResolveUrl(PathBuf),
    /// Change the collection's files (names checked against the disk first).
    Manage(super::components::manage::FileOp),
    /// Find out whether a payload has a draft, before asking to delete it.
    ProbeDelete(PathBuf),
    /// Scan the collection again.
    Rescan,
    /// Check a body against the catalogue off the UI thread (a new check stops the last).
    Lint(super::assist::LintJob),
    /// Write a new payload for a catalogue operation (`create_from_op`), then list the
    /// payloads again.
    CreatePayload {
        /// The operation's id.
        op: String,
        /// The folder.
        dir: PathBuf,
        /// The file name without `.json`.
        name: String,
    },
    /// Keep a value for the session (memory only).
    SetSessionValue {
        /// The variable.
        name: String,
        /// The value as typed.
        value: String,
    },
}
