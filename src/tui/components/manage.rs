//! The collection's questions: the name of a duplicate, a new name, the folder to move to,
//! a new folder, and the confirmation of a delete (naming the file, and saying when unsaved
//! edits or a draft go with it). Enter asks the driver to do it ([`FileOp`]); a refusal (a
//! taken name, `..`, a `/` in a name) comes back into the same popup, so nothing typed is
//! lost and nothing on disk changed.

use std::cell::Cell;
use std::path::{Path, PathBuf};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Widget, Wrap};

use super::{wrapped_rows, Command, Ctx, Handled};
use crate::tui::theme;

/// A change to the collection, carried out by the driver (names are checked there, against
/// the disk).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileOp {
    /// A copy of a payload (and its sidecar) beside it, named `name`.
    Duplicate {
        /// The payload.
        from: PathBuf,
        /// The new file name.
        name: String,
    },
    /// A new name in the same folder.
    Rename {
        /// The payload.
        from: PathBuf,
        /// The new file name.
        name: String,
    },
    /// Another folder, relative to the collection root (empty: the root).
    Move {
        /// The payload.
        from: PathBuf,
        /// The folder.
        folder: String,
    },
    /// Delete a payload, its sidecar and its draft.
    Delete {
        /// The payload.
        path: PathBuf,
    },
    /// A new folder, relative to the collection root.
    NewFolder {
        /// The folder.
        rel: String,
    },
    /// A new payload (and sidecar) in a folder relative to the collection root.
    Create {
        /// The folder.
        folder: String,
        /// The file name.
        name: String,
        /// The body.
        body: String,
        /// The sidecar's text.
        sidecar: Option<String>,
    },
}

/// What a done [`FileOp`] left: a sentence for the status line, and where the payload is
/// now (`None` after a delete or a new folder).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Managed {
    /// What happened.
    pub said: String,
    /// The payload's path now.
    pub now: Option<PathBuf>,
}

/// What the popup asks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ask {
    /// The name of a copy.
    Duplicate(PathBuf),
    /// A new name.
    Rename(PathBuf),
    /// A folder to move to.
    Move(PathBuf),
    /// A new folder's path.
    NewFolder,
    /// Whether to delete (with what else is lost).
    Delete {
        /// The payload.
        path: PathBuf,
        /// Unsaved edits or a draft that go with it.
        losing: Vec<String>,
    },
}

/// The popup.
#[derive(Debug, Clone)]
pub struct ManagePopup {
    /// The question.
    pub ask: Ask,
    /// The text typed.
    pub input: String,
    /// Why the last try was refused.
    pub error: Option<String>,
    /// Whether the change is under way.
    pub busy: bool,
    area: Cell<Rect>,
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
}

impl ManagePopup {
    /// A popup asking `ask`, its input pre-filled: the file name to edit, the folder, or a
    /// `-copy` name.
    pub fn new(ask: Ask, folder: &str) -> Self {
        let input = match &ask {
            Ask::Duplicate(p) => {
                let name = file_name(p);
                let stem = name.strip_suffix(".json").unwrap_or(&name);
                format!("{stem}-copy.json")
            }
            Ask::Rename(p) => file_name(p),
            Ask::Move(_) => folder.to_owned(),
            Ask::NewFolder if folder.is_empty() => String::new(),
            Ask::NewFolder => format!("{folder}/"),
            Ask::Delete { .. } => String::new(),
        };
        Self {
            ask,
            input,
            error: None,
            busy: false,
            area: Cell::new(Rect::default()),
        }
    }

    fn title(&self) -> &'static str {
        match self.ask {
            Ask::Duplicate(_) => "Duplicate — Enter copies, Esc cancels",
            Ask::Rename(_) => "Rename — Enter renames, Esc cancels",
            Ask::Move(_) => "Move — Enter moves, Esc cancels",
            Ask::NewFolder => "New folder — Enter creates, Esc cancels",
            Ask::Delete { .. } => "Delete — y deletes, n or Esc keeps it",
        }
    }

    fn op(&self) -> FileOp {
        let name = self.input.clone();
        match &self.ask {
            Ask::Duplicate(p) => FileOp::Duplicate {
                from: p.clone(),
                name,
            },
            Ask::Rename(p) => FileOp::Rename {
                from: p.clone(),
                name,
            },
            Ask::Move(p) => FileOp::Move {
                from: p.clone(),
                folder: name,
            },
            Ask::NewFolder => FileOp::NewFolder { rel: name },
            Ask::Delete { path, .. } => FileOp::Delete { path: path.clone() },
        }
    }

    /// Handles a key: typing, Enter (asks for the change), Esc (`NotConsumed`: close).
    pub fn handle_key(&mut self, key: KeyEvent, cx: &mut Ctx<'_>) -> Handled {
        if self.busy {
            return Handled::Consumed;
        }
        if let Ask::Delete { .. } = self.ask {
            return match key.code {
                KeyCode::Char('y' | 'Y') => {
                    self.busy = true;
                    cx.command(Command::Manage(self.op()));
                    Handled::Consumed
                }
                KeyCode::Char('n' | 'N' | 'q') | KeyCode::Esc => Handled::NotConsumed,
                _ => Handled::Consumed,
            };
        }
        match key.code {
            KeyCode::Esc => return Handled::NotConsumed,
            KeyCode::Enter => {
                self.error = None;
                self.busy = true;
                cx.command(Command::Manage(self.op()));
            }
            KeyCode::Backspace => {
                self.input.pop();
                self.error = None;
            }
            KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                self.input.clear();
            }
            KeyCode::Char(c)
                if !key
                    .modifiers
                    .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
            {
                self.input.push(c);
                self.error = None;
            }
            _ => {}
        }
        Handled::Consumed
    }

    /// The refusal of the last try: shown under the input, which stays as typed.
    pub fn refused(&mut self, why: String) {
        self.busy = false;
        self.error = Some(why);
    }

    fn lines(&self) -> Vec<Line<'static>> {
        let key = Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD);
        let mut lines = Vec::new();
        let field = |label: &str, input: &str| {
            Line::from(vec![
                Span::styled(format!("{label}: "), theme::dim()),
                Span::raw(input.to_owned()),
                Span::styled("▏", theme::dim()),
            ])
        };
        match &self.ask {
            Ask::Duplicate(p) => {
                lines.push(Line::raw(format!(
                    "copy {} (and its sidecar) as",
                    p.display()
                )));
                lines.push(field("name", &self.input));
            }
            Ask::Rename(p) => {
                lines.push(Line::raw(format!(
                    "rename {} (and its sidecar) to",
                    p.display()
                )));
                lines.push(field("name", &self.input));
            }
            Ask::Move(p) => {
                lines.push(Line::raw(format!(
                    "move {} (and its sidecar) to the folder",
                    p.display()
                )));
                lines.push(field("folder", &self.input));
                lines.push(Line::styled(
                    "relative to the collection (empty: its top); the folder must exist",
                    theme::dim(),
                ));
            }
            Ask::NewFolder => {
                lines.push(Line::raw("a new folder in the collection"));
                lines.push(field("folder", &self.input));
            }
            Ask::Delete { path, losing } => {
                lines.push(Line::raw(format!(
                    "Delete {} (and its sidecar, if it has one)? This cannot be undone.",
                    path.display()
                )));
                for l in losing {
                    lines.push(Line::styled(l.clone(), theme::warn()));
                }
                lines.push(Line::raw(""));
                lines.push(Line::from(vec![
                    Span::styled("  y   ", key),
                    Span::raw("delete"),
                ]));
                lines.push(Line::from(vec![
                    Span::styled("  n   ", key),
                    Span::raw("keep it"),
                ]));
            }
        }
        if !matches!(self.ask, Ask::Delete { .. }) {
            lines.push(Line::styled(
                "nothing is overwritten; no `/`, `..` or leading `.` in a name",
                theme::dim(),
            ));
        }
        if self.busy {
            lines.push(Line::styled("working…", theme::dim()));
        }
        if let Some(e) = &self.error {
            lines.push(Line::styled(format!("✗ {e}"), theme::error()));
        }
        lines
    }

    /// Draws the popup centred in `area`.
    pub fn render(&self, area: Rect, buf: &mut Buffer) {
        let lines = self.lines();
        let width = (area.width * 4 / 5).max(20).min(area.width);
        let rows = wrapped_rows(&lines, usize::from(width.saturating_sub(2)).max(1));
        let height = u16::try_from(rows + 2).unwrap_or(u16::MAX).min(area.height);
        let rect = Rect {
            x: area.x + (area.width - width) / 2,
            y: area.y + (area.height - height) / 2,
            width,
            height,
        };
        self.area.set(rect);
        Clear.render(rect, buf);
        let border = if self.error.is_some() || matches!(self.ask, Ask::Delete { .. }) {
            theme::error()
        } else {
            theme::border(true)
        };
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(
                Block::default()
                    .borders(Borders::ALL)
                    .border_style(border)
                    .title(format!(" {} ", self.title())),
            )
            .render(rect, buf);
    }

    /// Whether a point is inside it.
    pub fn contains(&self, col: u16, row: u16) -> bool {
        self.area.get().contains(Position { x: col, y: row })
    }

    /// The footer hints.
    pub fn hints(&self) -> String {
        match self.ask {
            Ask::Delete { .. } => "y:delete n:keep".into(),
            _ => "Enter:ok Esc:cancel".into(),
        }
    }
}
