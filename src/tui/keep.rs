//! Keeping the person's edit: drafts taken when typing pauses, saves that never overwrite an
//! outside change unasked, and leaving (quit, open another payload) only once the edit is
//! saved, safely in a draft, or knowingly dropped.
//!
//! Like the rest of the update, nothing here does I/O: the draft writer and the save are
//! effects, and their answers come back as messages.
//!
//! An edit is *safe* when the editor matches its file or a draft of exactly this text
//! (this generation) was written. Drafts are debounced: written [`DRAFT_PAUSE`] after the
//! last keystroke, and at least every [`DRAFT_MAX_WAIT`] while typing goes on.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::app::{App, Focus, Level};
use super::components::popup::{Popup, PopupKind};
use super::editor::Editor;
use super::message::{DraftJob, Effect, Expect, SaveFailure};
use crate::fsio::FileStamp;

/// A draft is written this long after the last keystroke.
pub const DRAFT_PAUSE: Duration = Duration::from_millis(300);
/// While typing goes on, a draft is written at least this often.
pub const DRAFT_MAX_WAIT: Duration = Duration::from_secs(1);

/// Where the person was going when the edit had to be kept first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    /// Quit the TUI.
    Quit,
    /// Open another payload.
    Open(PathBuf),
}

/// The drafts' side of the editor.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DraftState {
    /// First and latest edit not yet handed to the draft writer.
    pub due: Option<(Instant, Instant)>,
    /// The editor generation last written to a draft.
    pub written: Option<u64>,
    /// Why the last draft write failed; cleared by the next success.
    pub failed: Option<String>,
    /// Where to go once the draft (or a save) is done.
    pub then: Option<Next>,
    /// The sidecar editor's generation when F2 opened it: a sidecar text apiplay wrote out
    /// from the payload's facts, untouched, is not an edit to ask about.
    pub sidecar_base: u64,
    /// The person chose to discard the edit: no last draft on the way out.
    pub discarded: bool,
    /// The buffer of the last draft, handed back by the writer for the next one.
    pub spare: Option<String>,
}

/// What a save was for, to continue afterwards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SaveKind {
    /// Ctrl+S, or "keep mine" over an outside change.
    Plain,
    /// "Save mine elsewhere": a copy in a new file; the editor then shows the file on disk.
    Elsewhere,
}

impl App {
    /// Whether the body is saved or safely in a draft, and the sidecar (which has no
    /// drafts) is saved.
    pub fn edit_is_safe(&self) -> bool {
        self.body_is_safe() && !self.sidecar_is_dirty()
    }

    fn body_is_safe(&self) -> bool {
        !self.editor.is_dirty() || self.drafts.written == Some(self.editor.generation)
    }

    fn sidecar_is_dirty(&self) -> bool {
        self.sidecar
            .as_ref()
            .is_some_and(|s| s.is_dirty() && s.generation != self.drafts.sidecar_base)
    }

    /// The editor (body or sidecar) that edits `path`.
    fn editor_of(&self, path: &Path) -> Option<&Editor> {
        std::iter::once(&self.editor)
            .chain(self.sidecar.as_ref())
            .find(|e| e.path.as_deref() == Some(path))
    }

    /// When the pending draft is due, if one is.
    pub fn draft_deadline(&self) -> Option<Instant> {
        self.drafts
            .due
            .map(|(first, last)| (last + DRAFT_PAUSE).min(first + DRAFT_MAX_WAIT))
    }

    /// Called after every edit of the active editor's text.
    pub fn edited(&mut self) {
        let e = self.active_mut();
        e.changed();
        e.refused_at = None;
        // Drafts are of bodies; the sidecar is kept by saving it.
        if e.lang == super::editor::Lang::Sidecar {
            self.lint_sidecar();
            return;
        }
        if self.editor.path.is_some() {
            let now = Instant::now();
            let first = self.drafts.due.map_or(now, |(first, _)| first);
            self.drafts.due = Some((first, now));
        }
    }

    /// Hands the current text to the draft writer now (or forgets the draft when the text
    /// is the file's again).
    pub fn flush_draft(&mut self) {
        self.drafts.due = None;
        let Some(path) = self.editor.path.clone() else {
            return;
        };
        if self.editor.checked && !self.editor.is_dirty() {
            self.effects.push(Effect::DeleteDraft(path));
            return;
        }
        let mut text = self.drafts.spare.take().unwrap_or_default();
        let e = &self.editor;
        e.text_into(&mut text);
        self.effects.push(Effect::WriteDraft(DraftJob {
            path,
            text,
            generation: e.generation,
            base: e.stamp.clone(),
            check_against: (!e.checked).then(|| e.saved_text.clone()),
        }));
    }

    /// The draft writer's answer.
    pub fn draft_written(
        &mut self,
        path: &Path,
        generation: u64,
        result: Result<(), super::drafts::DraftError>,
        checked: Option<(bool, Option<super::editor::JsonProblem>)>,
        text: String,
    ) {
        self.drafts.spare = Some(text);
        if self.editor.path.as_deref() != Some(path) {
            if let Err(e) = result {
                self.say(
                    Level::Error,
                    format!("the draft of {} was not written: {e}", path.display()),
                );
            }
            return;
        }
        if let Some((dirty, problem)) = checked {
            self.editor.checked_off_thread(generation, dirty, problem);
        }
        match result {
            Ok(()) => {
                self.drafts.written = Some(self.drafts.written.unwrap_or(0).max(generation));
                self.drafts.failed = None;
                if self.edit_is_safe() {
                    if let Some(next) = self.drafts.then.take() {
                        self.go(next);
                    }
                }
            }
            Err(e) => {
                let e = e.to_string();
                // Said once, not at every keystroke of a failing streak.
                if self.drafts.failed.is_none() {
                    self.say(
                        Level::Error,
                        format!(
                            "draft not written: {e}; the edit is only in memory (Ctrl+S saves)"
                        ),
                    );
                }
                self.drafts.failed = Some(e.clone());
                if let Some(next) = self.drafts.then.take() {
                    self.ask_unsaved(e, next);
                }
            }
        }
    }

    /// Leaves the current edit (quit, open another payload) once it is safe; asks when it
    /// cannot be kept in a draft.
    pub fn leave(&mut self, next: Next) {
        if self.edit_is_safe() {
            self.go(next);
            return;
        }
        if self.sidecar_is_dirty() {
            let why = "a sidecar's edits are kept only by saving them".to_owned();
            self.ask_unsaved(why, next);
            return;
        }
        if let Some(why) = self.drafts.failed.clone() {
            self.ask_unsaved(why, next);
            return;
        }
        self.drafts.then = Some(next);
        self.flush_draft();
        self.say(Level::Info, "keeping the edit in a draft first…");
    }

    fn ask_unsaved(&mut self, why: String, next: Next) {
        let unsaved = self.sidecar.as_ref().filter(|_| self.sidecar_is_dirty());
        let path = unsaved
            .unwrap_or(&self.editor)
            .path
            .clone()
            .unwrap_or_default();
        self.popup = Some(Popup::new(PopupKind::Unsaved { path, why, next }));
    }

    /// Offers a draft that is older than its file's last change (the file is open).
    pub fn offer_stale_draft(&mut self, path: &Path, draft: String) {
        self.popup = Some(Popup::new(PopupKind::StaleDraft {
            path: path.to_owned(),
            draft,
        }));
        self.say(
            Level::Warn,
            format!(
                "{} changed on disk after its draft was taken",
                path.display()
            ),
        );
    }

    /// Goes on to `next` without further questions.
    pub fn go(&mut self, next: Next) {
        match next {
            Next::Quit => self.quit = true,
            Next::Open(path) => {
                self.effects.push(Effect::LoadPayload {
                    path,
                    with_draft: true,
                    replace: None,
                });
                self.focus = Focus::Editor;
            }
        }
    }

    /// Saves the editor shown (body or sidecar) to its file, unless the file changed since
    /// it was read.
    pub fn save(&mut self) {
        let e = self.active();
        match e.path.clone() {
            Some(path) => {
                let expect = Expect::Unchanged(e.stamp.clone());
                let text = e.text();
                self.save_as(path, text, expect, SaveKind::Plain);
            }
            None => self.say(Level::Warn, "nothing to save: open a payload first"),
        }
    }

    /// Saves every editor whose edit is not safe (the answer "save" before leaving).
    fn save_unsafe(&mut self) {
        let mut jobs = Vec::new();
        if self.sidecar_is_dirty() {
            jobs.extend(self.sidecar.as_ref());
        }
        if !self.body_is_safe() {
            jobs.push(&self.editor);
        }
        let jobs: Vec<_> = jobs
            .into_iter()
            .filter_map(|e| Some((e.path.clone()?, e.text(), e.stamp.clone())))
            .collect();
        for (path, text, stamp) in jobs {
            self.save_as(path, text, Expect::Unchanged(stamp), SaveKind::Plain);
        }
    }

    /// Goes back to what is on disk for `path` (the body or the sidecar), dropping the edit.
    fn reload(&mut self, path: &Path) {
        if self.sidecar.as_ref().and_then(|s| s.path.as_deref()) == Some(path) {
            self.sidecar = None;
            self.editing_sidecar = false;
            if let Some(body) = self.editor.path.clone() {
                self.effects.push(Effect::ReloadSidecar(body));
            }
        } else if let Some(body) = self.editor.path.clone() {
            self.effects.push(Effect::DeleteDraft(body.clone()));
            self.effects.push(Effect::LoadPayload {
                path: body,
                with_draft: false,
                replace: None,
            });
        }
    }

    fn save_as(&mut self, path: PathBuf, text: String, expect: Expect, kind: SaveKind) {
        self.saving = Some(kind);
        self.effects.push(Effect::Save { path, text, expect });
    }

    /// A save finished.
    pub fn saved(
        &mut self,
        path: &Path,
        text: &str,
        result: Result<Option<FileStamp>, SaveFailure>,
    ) {
        let kind = self.saving.take().unwrap_or(SaveKind::Plain);
        match result {
            Ok(_) if kind == SaveKind::Elsewhere => {
                self.say(
                    Level::Info,
                    format!("saved your version as {}", path.display()),
                );
                // The editor goes back to the file on disk, which stays as the other
                // program left it.
                if let Some(from) = self.conflict_path.take() {
                    self.reload(&from);
                }
            }
            Ok(stamp) => {
                if self.editor.path.as_deref() == Some(path) {
                    self.editor.mark_saved(text, stamp.clone());
                    if !self.editor.is_dirty() {
                        self.drafts.due = None;
                        self.effects.push(Effect::DeleteDraft(path.to_owned()));
                    }
                }
                if let Some(s) = self
                    .sidecar
                    .as_mut()
                    .filter(|s| s.path.as_deref() == Some(path))
                {
                    s.mark_saved(text, stamp);
                    if let Some(body) = self.editor.path.clone() {
                        self.effects.push(Effect::ReloadSidecar(body));
                    }
                }
                self.say(Level::Info, format!("saved {}", path.display()));
                if self.edit_is_safe() {
                    if let Some(next) = self.drafts.then.take() {
                        self.go(next);
                    }
                }
            }
            Err(SaveFailure::ChangedOnDisk) => {
                self.drafts.then = None;
                self.popup = Some(Popup::new(PopupKind::Conflict {
                    path: path.to_owned(),
                }));
                self.say(
                    Level::Warn,
                    format!(
                        "not saved: {} changed on disk since it was opened",
                        path.display()
                    ),
                );
            }
            Err(SaveFailure::Exists) => {
                self.say(
                    Level::Error,
                    format!(
                        "not saved: {} already exists (choose another name)",
                        path.display()
                    ),
                );
                self.popup = Some(Popup::new(PopupKind::SaveAs {
                    input: path.display().to_string(),
                    text: text.to_owned(),
                }));
            }
            Err(e @ (SaveFailure::Read { .. } | SaveFailure::Write(_))) => {
                self.drafts.then = None;
                self.fail(
                    "not saved",
                    &format!("not saved: {e} (the file is unchanged, the edit kept)"),
                );
            }
        }
    }

    /// Keys of the popups this module opens; returns whether the popup was one of them.
    pub fn keep_popup_key(&mut self, code: crossterm::event::KeyCode) -> bool {
        use crossterm::event::KeyCode;
        let Some(kind) = self.popup.as_ref().map(|p| p.kind.clone()) else {
            return false;
        };
        match kind {
            PopupKind::Unsaved { next, .. } => match code {
                KeyCode::Char('s' | 'S') => {
                    self.popup = None;
                    self.drafts.then = Some(next);
                    self.save_unsafe();
                }
                KeyCode::Char('d' | 'D') => {
                    self.popup = None;
                    // Dropped means dropped: an older draft of it is not offered later.
                    if let Some(path) = self.editor.path.clone() {
                        self.effects.push(Effect::DeleteDraft(path));
                    }
                    self.drafts.discarded = true;
                    self.go(next);
                }
                KeyCode::Esc | KeyCode::Char('c' | 'C') => self.popup = None,
                _ => {}
            },
            PopupKind::Conflict { path } => match code {
                KeyCode::Char('r' | 'R') => {
                    self.popup = None;
                    self.reload(&path);
                }
                KeyCode::Char('k' | 'K') => {
                    self.popup = None;
                    if let Some(text) = self.editor_of(&path).map(Editor::text) {
                        self.save_as(path, text, Expect::Anything, SaveKind::Plain);
                    }
                }
                KeyCode::Char('a' | 'A') => {
                    if let Some(text) = self.editor_of(&path).map(Editor::text) {
                        self.popup = Some(Popup::new(PopupKind::SaveAs {
                            input: elsewhere(Some(&path)),
                            text,
                        }));
                        self.conflict_path = Some(path);
                    }
                }
                KeyCode::Esc | KeyCode::Char('c' | 'C') => self.popup = None,
                _ => {}
            },
            PopupKind::StaleDraft { draft, .. } => match code {
                KeyCode::Char('r' | 'R') => {
                    self.popup = None;
                    if let Some(path) = self.editor.path.clone() {
                        self.effects.push(Effect::DeleteDraft(path));
                    }
                    self.say(Level::Info, "kept the file; the draft is deleted");
                }
                KeyCode::Char('k' | 'K') => {
                    self.popup = None;
                    let info = self.editor.info.clone();
                    self.editor = Editor::new(self.editor.path.clone(), info, Some(draft));
                    self.drafts.written = Some(self.editor.generation);
                    let (row, col) =
                        super::app::first_difference(&self.editor.saved_text, &self.editor.text());
                    self.editor.jump(row, col);
                    self.say(
                        Level::Warn,
                        "the draft is in the editor; Ctrl+S overwrites the changed file",
                    );
                }
                KeyCode::Char('a' | 'A') => {
                    self.popup = Some(Popup::new(PopupKind::SaveAs {
                        input: elsewhere(self.editor.path.as_deref()),
                        text: draft,
                    }));
                    self.conflict_path = self.editor.path.clone();
                }
                KeyCode::Esc | KeyCode::Char('c' | 'C') => {
                    self.popup = None;
                    self.say(Level::Info, "the draft is kept for later");
                }
                _ => {}
            },
            PopupKind::SaveAs { mut input, text } => match code {
                KeyCode::Char(c) => {
                    input.push(c);
                    self.popup = Some(Popup::new(PopupKind::SaveAs { input, text }));
                }
                KeyCode::Backspace => {
                    input.pop();
                    self.popup = Some(Popup::new(PopupKind::SaveAs { input, text }));
                }
                KeyCode::Enter if !input.trim().is_empty() => {
                    self.popup = None;
                    let path = PathBuf::from(input.trim());
                    self.save_as(path, text, Expect::Absent, SaveKind::Elsewhere);
                }
                KeyCode::Esc => self.popup = None,
                _ => {}
            },
            _ => return false,
        }
        true
    }
}

/// A name beside `path` for "save mine elsewhere": `x.json` → `x.mine.json`.
fn elsewhere(path: Option<&Path>) -> String {
    let Some(path) = path else {
        return String::new();
    };
    let stem = path
        .file_stem()
        .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
    let ext = path
        .extension()
        .map_or_else(|| "json".into(), |e| e.to_string_lossy().into_owned());
    path.with_file_name(format!("{stem}.mine.{ext}"))
        .display()
        .to_string()
}
