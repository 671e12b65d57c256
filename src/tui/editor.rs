//! The editor's state: the text (tui-textarea keeps it, with undo/redo, selection and the
//! yank buffer), the payload it came from, live JSON validation and the viewport.
//!
//! The textarea is used for editing only; drawing is ours (see `views::editor`) so the
//! text can be highlighted as JSON and the validation error marked in place.

use std::path::PathBuf;

use tui_textarea::{CursorMove, TextArea};

use super::model::PayloadInfo;
use crate::collection::TemplateError;

/// Where the editor's JSON is invalid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonProblem {
    /// 1-based line.
    pub line: usize,
    /// 1-based column (characters).
    pub col: usize,
    /// serde_json's description.
    pub message: String,
}

impl std::fmt::Display for JsonProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "invalid JSON at {}:{}: {}",
            self.line, self.col, self.message
        )
    }
}

/// Checks `text` as JSON, as a send will; `{{name}}` inside strings is valid as it stands.
pub fn validate(text: &str) -> Option<JsonProblem> {
    match crate::collection::validate_json("", text) {
        Err(TemplateError::InvalidJson {
            line, col, message, ..
        }) => Some(JsonProblem { line, col, message }),
        _ => None,
    }
}

/// The editor pane's state.
#[derive(Debug)]
pub struct Editor {
    /// Text, cursor, selection, undo history.
    pub area: TextArea<'static>,
    /// The payload file being edited, if any.
    pub path: Option<PathBuf>,
    /// The sidecar facts of that payload.
    pub info: PayloadInfo,
    /// The text as last loaded or saved, to tell whether there are unsaved changes.
    pub saved_text: String,
    /// The current validation problem.
    pub problem: Option<JsonProblem>,
    /// First visible row.
    pub top: usize,
    /// First visible column.
    pub left: usize,
    /// A format is two textarea edits (delete all, insert); these make it one undo step.
    undo_pair: bool,
    redo_pair: bool,
}

impl Default for Editor {
    fn default() -> Self {
        Self::new(None, PayloadInfo::default(), None)
    }
}

impl Editor {
    /// An editor on `info.text`, or on `draft` when an unsaved draft exists.
    pub fn new(path: Option<PathBuf>, info: PayloadInfo, draft: Option<String>) -> Self {
        let text = draft.unwrap_or_else(|| info.text.clone());
        let lines: Vec<String> = text.split('\n').map(str::to_owned).collect();
        let mut area = TextArea::new(lines);
        area.set_max_histories(1000);
        let saved_text = info.text.clone();
        let mut editor = Self {
            area,
            path,
            info,
            saved_text,
            problem: None,
            top: 0,
            left: 0,
            undo_pair: false,
            redo_pair: false,
        };
        editor.revalidate();
        editor
    }

    /// The whole text.
    pub fn text(&self) -> String {
        self.area.lines().join("\n")
    }

    /// Whether the text differs from the file.
    pub fn is_dirty(&self) -> bool {
        self.path.is_some() && self.text() != self.saved_text
    }

    /// Re-runs validation after an edit.
    pub fn revalidate(&mut self) {
        self.problem = if self.path.is_some() || !self.area.is_empty() {
            validate(&self.text())
        } else {
            None
        };
    }

    /// Keeps the cursor inside a viewport of `rows` × `cols`.
    pub fn follow_cursor(&mut self, rows: usize, cols: usize) {
        let (row, col) = self.area.cursor();
        let rows = rows.max(1);
        let cols = cols.max(1);
        if row < self.top {
            self.top = row;
        } else if row >= self.top + rows {
            self.top = row + 1 - rows;
        }
        // Scrolling sideways leaves a margin, so what follows the cursor is in view too.
        let margin = (cols / 4).min(8);
        if col < self.left {
            self.left = col.saturating_sub(margin);
        } else if col >= self.left + cols {
            self.left = (col + 1 + margin).saturating_sub(cols);
        }
    }

    /// Moves the cursor to a 0-based row and column.
    pub fn jump(&mut self, row: usize, col: usize) {
        let r = u16::try_from(row).unwrap_or(u16::MAX);
        let c = u16::try_from(col).unwrap_or(u16::MAX);
        self.area.move_cursor(CursorMove::Jump(r, c));
    }

    /// Inserts text at the cursor (replacing a selection).
    pub fn insert(&mut self, text: &str) {
        self.plain_edit();
        self.area.insert_str(text);
        self.revalidate();
    }

    /// Re-indents the JSON (2 spaces, member order kept) as one undoable edit.
    pub fn format_json(&mut self) -> Result<bool, JsonProblem> {
        if let Some(problem) = validate(&self.text()) {
            return Err(problem);
        }
        let value: serde_json::Value =
            serde_json::from_str(&self.text()).map_err(|e| JsonProblem {
                line: e.line(),
                col: e.column(),
                message: e.to_string(),
            })?;
        let pretty = serde_json::to_string_pretty(&value).unwrap_or_default();
        if pretty == self.text().trim_end() {
            return Ok(false);
        }
        self.area.select_all();
        self.area.insert_str(&pretty);
        self.undo_pair = true;
        self.redo_pair = false;
        self.jump(0, 0);
        self.revalidate();
        Ok(true)
    }

    /// Undoes the last edit (a format as a whole).
    pub fn undo(&mut self) -> bool {
        let pair = std::mem::take(&mut self.undo_pair);
        let done = self.area.undo();
        if pair {
            self.area.undo();
        }
        self.redo_pair = pair;
        done
    }

    /// Redoes the last undone edit (a format as a whole).
    pub fn redo(&mut self) -> bool {
        let pair = std::mem::take(&mut self.redo_pair);
        let done = self.area.redo();
        if pair {
            self.area.redo();
        }
        self.undo_pair = pair;
        done
    }

    /// Forgets format pairing after an ordinary edit.
    pub fn plain_edit(&mut self) {
        self.undo_pair = false;
        self.redo_pair = false;
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn validation_names_line_and_column() {
        let p = validate("{\n  \"a\": 1,\n  \"b\" 2\n}").unwrap();
        assert_eq!((p.line, p.col), (3, 7));
        assert!(p
            .to_string()
            .starts_with("invalid JSON at 3:7: expected `:`"));
        assert!(validate(r#"{"t": "{{token}}"}"#).is_none());
    }

    #[test]
    fn dirty_tracks_the_saved_text() {
        let info = PayloadInfo {
            text: "{}".into(),
            ..PayloadInfo::default()
        };
        let mut e = Editor::new(Some("a.json".into()), info, None);
        assert!(!e.is_dirty());
        e.insert(" ");
        assert!(e.is_dirty());
        e.area.undo();
        assert!(!e.is_dirty());
    }
}
