//! The app's side of managing the collection: opening the question for an action of the
//! payload tree, handing the answer to the driver, and following a payload that was renamed,
//! moved or deleted while it is open (its path, its sidecar, its draft), so no edit is lost.

use std::path::{Path, PathBuf};

use super::app::{App, Level};
use super::components::manage::{Ask, FileOp, ManagePopup, Managed};
use super::components::popup::{Popup, PopupKind};
use super::editor::Editor;
use super::keep::DraftState;
use super::message::Effect;
use crate::collection::SidecarFile;

impl App {
    /// Opens the question for a tree action (a delete first looks for a draft).
    pub(super) fn ask_manage(&mut self, ask: Ask) {
        if let Ask::Delete { path, .. } = ask {
            self.effects.push(Effect::ProbeDelete(path));
            return;
        }
        let folder = self.sidebar.payloads.highlighted_folder();
        self.popup = Some(Popup::new(PopupKind::Manage(ManagePopup::new(
            ask, &folder,
        ))));
    }

    /// The delete confirmation, naming what else is lost.
    pub(super) fn delete_probed(&mut self, path: PathBuf, draft: bool) {
        let mut losing = Vec::new();
        let open = self.editor.path.as_deref() == Some(path.as_path());
        if open && self.editor.is_dirty() {
            losing.push("It is open with unsaved edits: they are lost too.".to_owned());
        } else if draft {
            losing.push("A draft of unsaved edits is kept for it: it is deleted too.".to_owned());
        }
        if open && self.sidecar.as_ref().is_some_and(Editor::is_dirty) {
            losing.push("Its sidecar has unsaved edits: they are lost too.".to_owned());
        }
        self.popup = Some(Popup::new(PopupKind::Manage(ManagePopup::new(
            Ask::Delete { path, losing },
            "",
        ))));
    }

    /// A change to the collection was made or refused.
    pub(super) fn managed(
        &mut self,
        op: &FileOp,
        result: Result<Managed, crate::collection::manage::ManageError>,
    ) {
        let popup = match self.popup.as_mut() {
            Some(Popup {
                kind: PopupKind::Manage(m),
                ..
            }) => Some(m),
            _ => None,
        };
        let done = match result {
            Err(why) => {
                let why = why.to_string();
                match popup {
                    // The question stays open with what was typed; nothing changed.
                    Some(m) => m.refused(why),
                    None => self.fail("not done", &why),
                }
                return;
            }
            Ok(done) => done,
        };
        if popup.is_some() {
            self.popup = None;
        }
        self.say(Level::Info, done.said.clone());
        match op {
            FileOp::Delete { path } if self.editor.path.as_deref() == Some(path.as_path()) => {
                self.close_deleted();
            }
            FileOp::Rename { from, .. } | FileOp::Move { from, .. } => {
                if let Some(now) = &done.now {
                    self.follow(from, now);
                }
            }
            _ => {}
        }
        if let Some(now) = done.now {
            self.sidebar.payloads.select_when_listed(now.clone());
            if matches!(op, FileOp::Create { .. }) {
                self.open_payload(now);
            }
        }
    }

    /// The open payload was deleted: the editor closes (its draft went with it).
    fn close_deleted(&mut self) {
        self.editor = Editor::default();
        self.sidecar = None;
        self.editing_sidecar = false;
        self.response.clear();
        self.drafts = DraftState::default();
    }

    /// The open payload was renamed or moved: the editor follows it, and unsaved edits are
    /// kept in a draft under the new name (the old one's draft is removed).
    fn follow(&mut self, from: &Path, to: &Path) {
        if self.editor.path.as_deref() != Some(from) {
            return;
        }
        self.editor.path = Some(to.to_owned());
        if let Some(s) = self.sidecar.as_mut() {
            s.path = Some(SidecarFile::path_for(to));
        }
        if self.editor.is_dirty() {
            self.effects.push(Effect::DeleteDraft(from.to_owned()));
            self.drafts.written = None;
            self.edited();
        }
    }
}
