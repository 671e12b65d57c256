//! The editor's state: the text (tui-textarea keeps it, with undo/redo, selection and the
//! yank buffer), the payload it came from, live JSON validation and the viewport.
//!
//! The textarea is used for editing only; drawing is ours (see `views::editor`) so the
//! text can be highlighted as JSON and the validation error marked in place.

use std::cell::Cell;
use std::path::PathBuf;
use std::sync::Arc;

use ratatui::layout::Rect;
use tui_textarea::{CursorMove, TextArea};

use super::model::PayloadInfo;
use crate::collection::TemplateError;

/// What the editor holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// A payload body (JSON with `{{variables}}`).
    #[default]
    Json,
    /// A sidecar (TOML: backend, method, path, query, headers, encoding, captures).
    Sidecar,
}

/// Where the editor's text is invalid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonProblem {
    /// What was being read: `JSON` or `sidecar`.
    pub what: &'static str,
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
            "invalid {} at {}:{}: {}",
            self.what, self.line, self.col, self.message
        )
    }
}

/// Checks `text` as JSON, as a send will; `{{name}}` inside strings is valid as it stands.
pub fn validate(text: &str) -> Option<JsonProblem> {
    match crate::collection::validate_json("", text) {
        Err(TemplateError::InvalidJson {
            line, col, message, ..
        }) => Some(JsonProblem {
            what: "JSON",
            line,
            col,
            message,
        }),
        _ => None,
    }
}

/// How serious a [`Diagnostic`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// The send will fail or the API will refuse it.
    Error,
    /// Likely a mistake.
    Warning,
    /// Worth knowing.
    Info,
}

/// A remark about one spot of the editor text (1-based line and column, in characters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// 1-based line.
    pub line: usize,
    /// 1-based column (characters).
    pub col: usize,
    /// How many characters it covers on that line (the key or value it is about).
    pub len: usize,
    /// How serious.
    pub severity: Severity,
    /// What to say.
    pub message: String,
}

/// Text shown beside the editor: a title and lines that wrap, scrolled by `scroll` rows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SidePanel {
    /// Its title.
    pub title: String,
    /// Its text.
    pub lines: Vec<String>,
    /// Rows scrolled.
    pub scroll: u16,
}

/// Checks `text` as the sidecar at `path` would be read.
pub fn validate_sidecar(text: &str, path: &std::path::Path) -> Option<JsonProblem> {
    match crate::collection::SidecarFile::parse(text, path) {
        Err(TemplateError::Sidecar {
            line, col, message, ..
        }) => Some(JsonProblem {
            what: "sidecar",
            line,
            col,
            message,
        }),
        Err(e) => Some(JsonProblem {
            what: "sidecar",
            line: 1,
            col: 1,
            message: e.to_string(),
        }),
        Ok(_) => None,
    }
}

/// Texts up to this size are compared with the file and validated at every keystroke;
/// bigger ones off the UI thread, when the draft is taken (a 50 MB validation alone takes
/// longer than a frame).
pub const LIVE_CHECK_LIMIT: usize = 1 << 20;

/// Texts up to this size are checked against the catalogue at every keystroke on the UI
/// thread; bigger ones (up to [`LIVE_CHECK_LIMIT`]) by a single-slot job off it, so typing
/// never waits (a 1 MB batch of small objects takes tens of milliseconds).
pub const INLINE_LINT_LIMIT: usize = 64 << 10;

/// The editor pane's state.
#[derive(Debug)]
#[allow(clippy::struct_excessive_bools)] // four independent facts, not a state machine
pub struct Editor {
    /// What the text is (a body or a sidecar).
    pub lang: Lang,
    /// Text, cursor, selection, undo history.
    pub area: TextArea<'static>,
    /// The payload file being edited, if any.
    pub path: Option<PathBuf>,
    /// The sidecar facts of that payload.
    pub info: PayloadInfo,
    /// The text as last loaded or saved, to tell whether there are unsaved changes.
    pub saved_text: Arc<str>,
    /// What the file was when it was loaded or last saved.
    pub stamp: Option<crate::fsio::FileStamp>,
    /// The current validation problem.
    pub problem: Option<JsonProblem>,
    /// Counts edits; a draft or an off-thread check names the generation it saw.
    pub generation: u64,
    /// Whether `problem` and the unsaved mark are known for this generation (a big text is
    /// checked off the UI thread; until then it counts as unsaved).
    pub checked: bool,
    dirty: bool,
    /// Where a refused send found the problem (1-based line, column), marked until an edit.
    pub refused_at: Option<(usize, usize)>,
    /// Remarks on the text from outside (the catalogue's checks), drawn in place.
    pub diagnostics: Vec<Diagnostic>,
    /// A panel beside the text (the operation's docs, completions).
    pub side_panel: Option<SidePanel>,
    /// The payload's sidecar as the catalogue reads it, to tell which op the body is (`None`
    /// when the sidecar is invalid: then nothing is checked against the catalogue).
    pub catalogue_sidecar: Option<crate::collection::SidecarFile>,
    /// The operation the body was matched to last (kept while the text is mid-edit).
    pub op: Option<&'static crate::catalogue::Operation>,
    /// Whether the docs panel follows the cursor beside a body.
    pub show_docs: bool,
    /// The completion list, while it is open.
    pub completion: Option<super::assist::Completion>,
    /// The (generation, cursor) the docs panel was made for.
    pub(super) assisted: Option<(u64, (usize, usize))>,
    /// Whether the text is at most [`LIVE_CHECK_LIMIT`] (measured at the last edit: summing a
    /// 50 MB text's line lengths again for every teaching step would cost the keystroke).
    pub(super) small: bool,
    /// A catalogue check to run off the UI thread (a text over [`INLINE_LINT_LIMIT`]); the
    /// app hands it to the driver.
    pub lint_job: Option<super::assist::LintJob>,
    /// First visible row, as drawn last (the view follows the cursor when drawing).
    pub top: Cell<usize>,
    /// First visible display column, as drawn last.
    pub left: Cell<usize>,
    /// The text's area (right of the line numbers) as drawn last, for mouse clicks.
    pub text_rect: Cell<Rect>,
    /// The whole pane as drawn last.
    pub drawn: Cell<Rect>,
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
    /// An editor on `info.text`; `replace` (a draft, a recorded request) replaces it as one
    /// edit, so Ctrl+Z goes back to the file's text.
    pub fn new(path: Option<PathBuf>, info: PayloadInfo, replace: Option<String>) -> Self {
        let lines: Vec<String> = info.text.split('\n').map(str::to_owned).collect();
        let mut area = TextArea::new(lines);
        area.set_max_histories(1000);
        let saved_text: Arc<str> = info.text.as_str().into();
        let stamp = info.stamp.clone();
        let mut editor = Self {
            lang: Lang::Json,
            area,
            path,
            info,
            saved_text,
            stamp,
            problem: None,
            generation: 0,
            checked: true,
            dirty: false,
            refused_at: None,
            diagnostics: Vec::new(),
            side_panel: None,
            catalogue_sidecar: None,
            op: None,
            show_docs: true,
            completion: None,
            assisted: None,
            lint_job: None,
            small: true,
            top: Cell::new(0),
            left: Cell::new(0),
            text_rect: Cell::new(Rect::default()),
            drawn: Cell::new(Rect::default()),
            undo_pair: false,
            redo_pair: false,
        };
        editor.catalogue_sidecar = editor.read_sidecar();
        if let Some(text) = replace {
            editor.replace_all(&text);
        }
        editor.check_now();
        editor.refresh_assist();
        editor
    }

    /// Replaces the whole text as one undoable edit; returns whether it changed.
    pub fn replace_all(&mut self, text: &str) -> bool {
        let current = self.text();
        if current == text {
            return false;
        }
        // Selecting nothing deletes nothing: then the insert is the only undo step.
        let pair = !current.is_empty();
        self.area.select_all();
        self.area.insert_str(text);
        self.undo_pair = pair;
        self.redo_pair = false;
        self.changed();
        true
    }

    /// The whole text.
    pub fn text(&self) -> String {
        self.area.lines().join("\n")
    }

    /// The whole text, into `buf` (cleared first; its allocation is reused).
    pub fn text_into(&self, buf: &mut String) {
        buf.clear();
        buf.reserve(self.len());
        for (i, line) in self.area.lines().iter().enumerate() {
            if i > 0 {
                buf.push('\n');
            }
            buf.push_str(line);
        }
    }

    /// The text's length in bytes, without joining it.
    pub fn len(&self) -> usize {
        let lines = self.area.lines();
        lines.iter().map(String::len).sum::<usize>() + lines.len().saturating_sub(1)
    }

    /// Whether the text is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether the text differs from the file (a big text counts as unsaved until its
    /// off-thread check says otherwise).
    pub fn is_dirty(&self) -> bool {
        self.path.is_some() && self.dirty
    }

    /// Records an edit: a new generation, checked at once when the text is small.
    pub fn changed(&mut self) {
        self.generation += 1;
        self.small = self.len() <= LIVE_CHECK_LIMIT;
        if self.small {
            self.check_now();
        } else {
            self.dirty = true;
            self.checked = false;
            // Findings of an older text would point at the wrong places.
            self.diagnostics.clear();
        }
        self.refresh_assist();
    }

    /// Takes the result of an off-thread check of generation `generation`.
    pub fn checked_off_thread(
        &mut self,
        generation: u64,
        dirty: bool,
        problem: Option<JsonProblem>,
    ) {
        if generation == self.generation {
            self.dirty = dirty;
            self.problem = problem;
            self.checked = true;
        }
    }

    /// The text now on disk is `text` (just saved), as `stamp` says.
    pub fn mark_saved(&mut self, text: &str, stamp: Option<crate::fsio::FileStamp>) {
        self.saved_text = text.into();
        self.stamp = stamp;
        self.dirty = !same_text(self.area.lines(), &self.saved_text);
    }

    /// Compares with the file and validates, on this thread.
    fn check_now(&mut self) {
        self.small = self.len() <= LIVE_CHECK_LIMIT;
        self.dirty = !same_text(self.area.lines(), &self.saved_text);
        self.revalidate();
        self.checked = true;
    }

    /// An editor on a sidecar: `text` is the file's (empty when there is none yet) and
    /// `start` what to begin with (a new sidecar starts from the payload's defaults).
    pub fn sidecar(path: PathBuf, text: String, start: Option<String>) -> Self {
        let info = PayloadInfo {
            text,
            ..PayloadInfo::default()
        };
        let mut e = Self::new(Some(path), info, start);
        e.lang = Lang::Sidecar;
        e.catalogue_sidecar = None;
        e.op = None;
        e.side_panel = None;
        e.revalidate();
        e
    }

    /// Re-runs validation after an edit, and the catalogue's checks on a body.
    pub fn revalidate(&mut self) {
        let text = self.text();
        self.problem = match (self.lang, &self.path) {
            (Lang::Sidecar, Some(p)) => validate_sidecar(&text, p),
            (Lang::Json, _) if self.path.is_some() || !self.area.is_empty() => validate(&text),
            _ => None,
        };
        self.lint(text);
    }

    /// The cursor's display column (wide characters count two, tabs go to the next stop).
    pub fn cursor_column(&self) -> usize {
        let (row, col) = self.area.cursor();
        self.area
            .lines()
            .get(row)
            .map_or(0, |l| display_width(l.chars().take(col)))
    }

    /// Moves the view so the cursor is inside a viewport of `rows` × `cols` (display
    /// columns). Called when drawing, with the size actually drawn.
    pub fn follow_cursor(&self, rows: usize, cols: usize) {
        let (row, _) = self.area.cursor();
        let col = self.cursor_column();
        let rows = rows.max(1);
        let cols = cols.max(1);
        let top = self.top.get();
        if row < top {
            self.top.set(row);
        } else if row >= top + rows {
            self.top.set(row + 1 - rows);
        }
        // Scrolling sideways leaves a margin, so what follows the cursor is in view too; a
        // cursor that fits without scrolling shows the line from its start.
        let margin = (cols / 4).min(8);
        let left = self.left.get();
        if col < cols.saturating_sub(1) {
            self.left.set(0);
        } else if col < left {
            self.left.set(col.saturating_sub(margin));
        } else if col >= left + cols {
            self.left.set((col + 1 + margin).saturating_sub(cols));
        }
    }

    /// The character index on `row` under display column `x`.
    pub fn char_at_column(&self, row: usize, x: usize) -> usize {
        let Some(line) = self.area.lines().get(row) else {
            return 0;
        };
        let mut w = 0;
        for (i, ch) in line.chars().enumerate() {
            let next = advance(w, ch);
            if x < next {
                return i;
            }
            w = next;
        }
        line.chars().count()
    }

    /// Moves the cursor to a 0-based row and column.
    pub fn jump(&mut self, row: usize, col: usize) {
        let r = u16::try_from(row).unwrap_or(u16::MAX);
        let c = u16::try_from(col).unwrap_or(u16::MAX);
        self.area.move_cursor(CursorMove::Jump(r, c));
    }

    /// Inserts text at the cursor (replacing a selection); the caller records the edit.
    pub fn insert(&mut self, text: &str) {
        self.plain_edit();
        self.area.insert_str(text);
    }

    /// Re-indents the JSON (2 spaces, member order kept) as one undoable edit.
    pub fn format_json(&mut self) -> Result<bool, JsonProblem> {
        if let Some(problem) = validate(&self.text()) {
            return Err(problem);
        }
        let value: serde_json::Value =
            serde_json::from_str(&self.text()).map_err(|e| JsonProblem {
                what: "JSON",
                line: e.line(),
                col: e.column(),
                message: e.to_string(),
            })?;
        let text = self.text();
        let mut pretty = serde_json::to_string_pretty(&value).unwrap_or_default();
        // The file's ending stays: a text that ended with a newline still does.
        if text.ends_with('\n') {
            pretty.push('\n');
        }
        if pretty == text {
            return Ok(false);
        }
        self.replace_all(&pretty);
        self.jump(0, 0);
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

/// Whether `lines` joined with newlines equal `text`, without joining them.
fn same_text(lines: &[String], text: &str) -> bool {
    let len = lines.iter().map(String::len).sum::<usize>() + lines.len().saturating_sub(1);
    if len != text.len() {
        return false;
    }
    let mut rest = text.as_bytes();
    for (i, line) in lines.iter().enumerate() {
        let Some(after) = rest.strip_prefix(line.as_bytes()) else {
            return false;
        };
        rest = after;
        if i + 1 < lines.len() {
            let Some(after) = rest.strip_prefix(b"\n") else {
                return false;
            };
            rest = after;
        }
    }
    rest.is_empty()
}

/// Tab stops every this many columns.
pub const TAB_WIDTH: usize = 4;

/// The display column after `ch` drawn at column `w`.
pub fn advance(w: usize, ch: char) -> usize {
    if ch == '\t' {
        (w / TAB_WIDTH + 1) * TAB_WIDTH
    } else {
        w + unicode_width::UnicodeWidthChar::width(ch).unwrap_or(0)
    }
}

/// The display width of characters drawn from column 0.
pub fn display_width(chars: impl Iterator<Item = char>) -> usize {
    chars.fold(0, advance)
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
    fn columns_count_wide_characters_and_tabs() {
        let info = PayloadInfo {
            text: "{\"名\": \"🙂\"}\n\tx".into(),
            ..PayloadInfo::default()
        };
        let mut e = Editor::new(Some("a.json".into()), info, None);
        // `{"名": ` is 7 columns wide: the CJK character counts two.
        e.jump(0, 6);
        assert_eq!(e.cursor_column(), 7);
        assert_eq!(e.char_at_column(0, 7), 6);
        // Clicking the right half of 名 lands on it, not after it.
        assert_eq!(e.char_at_column(0, 3), 2);
        e.jump(1, 1);
        assert_eq!(e.cursor_column(), 4, "a tab goes to the next stop");
        assert_eq!(e.char_at_column(1, 2), 0);
    }

    #[test]
    fn a_replacement_is_one_undo_back_to_the_file() {
        let info = PayloadInfo {
            text: "{\"a\": 1}".into(),
            ..PayloadInfo::default()
        };
        let mut e = Editor::new(Some("a.json".into()), info, Some("{\"a\": 2}".into()));
        assert!(e.is_dirty());
        assert!(e.undo());
        e.changed();
        assert_eq!(e.text(), "{\"a\": 1}");
        assert!(!e.is_dirty());
        assert!(e.redo());
        assert_eq!(e.text(), "{\"a\": 2}");
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
        e.changed();
        assert!(e.is_dirty());
        e.area.undo();
        e.changed();
        assert!(!e.is_dirty());
    }

    #[test]
    fn lines_compare_with_text_without_joining() {
        let lines = |s: &[&str]| s.iter().map(|l| (*l).to_owned()).collect::<Vec<_>>();
        assert!(same_text(&lines(&["{", "}", ""]), "{\n}\n"));
        assert!(!same_text(&lines(&["{", "}"]), "{\n}\n"));
        assert!(!same_text(&lines(&["{", "x"]), "{\ny"));
        assert!(
            !same_text(&lines(&["{x", ""]), "{\nx"),
            "same length, newline elsewhere"
        );
        assert!(same_text(&lines(&[""]), ""));
    }

    #[test]
    fn format_keeps_a_trailing_newline() {
        let info = PayloadInfo {
            text: "{\"a\":1}\n".into(),
            ..PayloadInfo::default()
        };
        let mut e = Editor::new(Some("a.json".into()), info, None);
        assert!(e.format_json().unwrap());
        assert_eq!(e.text(), "{\n  \"a\": 1\n}\n");
    }
}
