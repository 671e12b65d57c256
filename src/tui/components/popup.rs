//! Modals over the panes: help, the environment switcher, the operation's docs, the
//! variables table and the error panel. Every text popup wraps and scrolls, so nothing a
//! person must read is cut.

use std::cell::Cell;
use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent, MouseEvent, MouseEventKind};
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Widget, Wrap};

use super::{wrapped_rows, Command, Component, Ctx, Handled, View};
use crate::tui::keep::Next;
use crate::tui::keys::{self, Action, Scope};
use crate::tui::list::SelectList;
use crate::tui::theme;

/// What a popup shows.
#[derive(Debug, Clone)]
pub enum PopupKind {
    /// Every key, from the key table.
    Help,
    /// Choose an environment.
    Environments {
        /// The names, `sandbox` first.
        names: Vec<String>,
        /// The current one.
        current: String,
        /// The highlighted one.
        list: SelectList,
    },
    /// Every variable with its value and source.
    Variables(super::variables::VariablesView),
    /// The catalogue's docs of the open payload's op, laid out for the popup's width.
    Docs {
        /// The payload's method, path and backend.
        header: Line<'static>,
        /// Its op.
        op: &'static crate::catalogue::Operation,
    },
    /// A titled text: docs from a sidecar, or an error to read in full.
    Text {
        /// The title.
        title: String,
        /// The lines (they wrap).
        lines: Vec<Line<'static>>,
        /// Whether it reports a failure (red border).
        error: bool,
    },
    /// The edit is neither saved nor in a draft: save, discard or cancel before `next`.
    Unsaved {
        /// The payload.
        path: PathBuf,
        /// Why no draft could be written.
        why: String,
        /// Where the person was going.
        next: Next,
    },
    /// The file changed on disk since it was opened: reload theirs, keep mine, or save mine
    /// elsewhere.
    Conflict {
        /// The payload.
        path: PathBuf,
    },
    /// A draft older than the file's last change: use it, drop it, or save it elsewhere.
    StaleDraft {
        /// The payload.
        path: PathBuf,
        /// The draft's text.
        draft: String,
    },
    /// A question about the collection (a name, a folder, a delete).
    Manage(super::manage::ManagePopup),
    /// Save a text under a new name.
    SaveAs {
        /// The typed path.
        input: String,
        /// The text to save.
        text: String,
    },
}

/// A modal with its scroll position and the area it drew last.
#[derive(Debug, Clone)]
pub struct Popup {
    /// What it shows.
    pub kind: PopupKind,
    scroll: u16,
    max_scroll: Cell<u16>,
    area: Cell<Rect>,
}

impl Popup {
    /// A popup of `kind`, scrolled to the top.
    pub fn new(kind: PopupKind) -> Self {
        Self {
            kind,
            scroll: 0,
            max_scroll: Cell::new(u16::MAX),
            area: Cell::new(Rect::default()),
        }
    }

    /// A text popup.
    pub fn text(title: impl Into<String>, lines: Vec<Line<'static>>) -> Self {
        Self::new(PopupKind::Text {
            title: title.into(),
            lines,
            error: false,
        })
    }

    /// The error panel: `message` wraps and scrolls.
    pub fn error(title: impl Into<String>, message: &str) -> Self {
        Self::new(PopupKind::Text {
            title: title.into(),
            lines: message.lines().map(|l| Line::raw(l.to_owned())).collect(),
            error: true,
        })
    }

    /// Rows scrolled.
    pub fn scroll(&self) -> u16 {
        self.scroll
    }

    fn scroll_by(&mut self, delta: i32) {
        let max = i32::from(self.max_scroll.get());
        let next = (i32::from(self.scroll) + delta).clamp(0, max);
        self.scroll = u16::try_from(next).unwrap_or(0);
    }

    fn title(&self) -> String {
        match &self.kind {
            PopupKind::Help => "Keys — ↑↓ PgUp/PgDn scroll, Esc closes".into(),
            PopupKind::Environments { .. } => "Environment — Enter switches, Esc closes".into(),
            PopupKind::Text { title, .. } => format!("{title} — ↑↓ scroll, Esc closes"),
            PopupKind::Docs { .. } => "Docs — ↑↓ scroll, Esc closes".into(),
            PopupKind::Unsaved { .. } => "Unsaved edit".into(),
            PopupKind::Conflict { .. } => "Changed on disk".into(),
            PopupKind::StaleDraft { .. } => "Draft older than the file".into(),
            PopupKind::SaveAs { .. } => "Save as — Enter saves, Esc cancels".into(),
            PopupKind::Manage(_) | PopupKind::Variables(_) => String::new(),
        }
    }

    /// The lines to show in a text popup `width` columns wide inside its borders.
    fn lines(&self, width: usize) -> Vec<Line<'static>> {
        match &self.kind {
            PopupKind::Docs { header, op } => {
                let text = op.explain_text_for(width);
                std::iter::once(header.clone())
                    .chain(text.lines().map(|l| Line::raw(l.to_owned())))
                    .collect()
            }
            PopupKind::Help => help_lines(),
            PopupKind::Environments {
                names,
                current,
                list,
            } => names
                .iter()
                .enumerate()
                .map(|(i, name)| {
                    let mark = if name == current { "● " } else { "  " };
                    let line = Line::raw(format!("{mark}{name}"));
                    if i == list.selected() {
                        line.style(theme::selected())
                    } else {
                        line
                    }
                })
                .collect(),
            PopupKind::Variables(_) => Vec::new(),
            PopupKind::Text { lines, .. } => lines.clone(),
            kind => keep_lines(kind),
        }
    }
}

impl Component for Popup {
    fn handle_key(&mut self, key: KeyEvent, cx: &mut Ctx<'_>) -> Handled {
        if let PopupKind::Manage(m) = &mut self.kind {
            return m.handle_key(key, cx);
        }
        if let PopupKind::Variables(v) = &mut self.kind {
            return v.handle_key(key, cx);
        }
        if let PopupKind::Environments { names, list, .. } = &mut self.kind {
            match key.code {
                KeyCode::Up => list.apply(Action::Up),
                KeyCode::Down => list.apply(Action::Down),
                KeyCode::Enter => {
                    if let Some(name) = names.get(list.selected()) {
                        cx.command(Command::SwitchEnv(name.clone()));
                    }
                    return Handled::NotConsumed;
                }
                KeyCode::Esc | KeyCode::Char('q') => return Handled::NotConsumed,
                _ => false,
            };
            return Handled::Consumed;
        }
        if matches!(self.kind, PopupKind::Help)
            && matches!(keys::action(Scope::Global, key), Some(Action::Help))
        {
            return Handled::NotConsumed;
        }
        match (key.code, keys::action(Scope::Popup, key)) {
            (KeyCode::Up | KeyCode::Char('k'), _) => self.scroll_by(-1),
            (KeyCode::Down | KeyCode::Char('j'), _) => self.scroll_by(1),
            (KeyCode::PageUp, _) => self.scroll_by(-10),
            (KeyCode::PageDown | KeyCode::Char(' '), _) => self.scroll_by(10),
            (KeyCode::Home, _) => self.scroll = 0,
            (KeyCode::End, _) => self.scroll = self.max_scroll.get(),
            // Esc, q, Enter and anything else close it.
            _ => return Handled::NotConsumed,
        }
        Handled::Consumed
    }

    fn handle_mouse(&mut self, mouse: MouseEvent, _cx: &mut Ctx<'_>) -> Handled {
        if let PopupKind::Variables(v) = &mut self.kind {
            return v.handle_mouse(mouse);
        }
        match mouse.kind {
            MouseEventKind::ScrollDown => self.scroll_by(3),
            MouseEventKind::ScrollUp => self.scroll_by(-3),
            MouseEventKind::Down(_) if self.contains(mouse.column, mouse.row) => {}
            _ => return Handled::NotConsumed,
        }
        Handled::Consumed
    }

    fn render(&self, area: Rect, buf: &mut Buffer, _view: View<'_>) {
        if let PopupKind::Manage(m) = &self.kind {
            m.render(area, buf);
            return;
        }
        if let PopupKind::Variables(v) = &self.kind {
            v.render(area, buf);
            return;
        }
        let width = (area.width * 4 / 5).max(20).min(area.width);
        let inner_w = usize::from(width.saturating_sub(2)).max(1);
        let lines = self.lines(inner_w);
        let rows = wrapped_rows(&lines, inner_w);
        let height = u16::try_from(rows + 2)
            .unwrap_or(u16::MAX)
            .clamp(5, area.height.saturating_sub(2).max(5))
            .min(area.height);
        let rect = Rect {
            x: area.x + (area.width - width) / 2,
            y: area.y + (area.height - height) / 2,
            width,
            height,
        };
        self.area.set(rect);
        let visible = usize::from(height.saturating_sub(2));
        let max = u16::try_from(rows.saturating_sub(visible)).unwrap_or(u16::MAX);
        self.max_scroll.set(max);
        let scroll = self.scroll.min(max);
        Clear.render(rect, buf);
        let error = matches!(self.kind, PopupKind::Text { error: true, .. });
        let border = if error {
            theme::error()
        } else {
            theme::border(true)
        };
        let mut title = self.title();
        if max > 0 {
            title = format!("{title} — {}/{}", scroll + 1, max + 1);
        }
        Paragraph::new(lines)
            .scroll((scroll, 0))
            .wrap(Wrap { trim: false })
            .block(
                Block::default()
                    .borders(Borders::ALL)
                    .border_style(border)
                    .title(format!(" {title} ")),
            )
            .render(rect, buf);
    }

    fn contains(&self, col: u16, row: u16) -> bool {
        if let PopupKind::Manage(m) = &self.kind {
            return m.contains(col, row);
        }
        if let PopupKind::Variables(v) = &self.kind {
            return v.contains(col, row);
        }
        self.area.get().contains(Position { x: col, y: row })
    }

    fn hints(&self) -> String {
        if let PopupKind::Manage(m) = &self.kind {
            return m.hints();
        }
        if let PopupKind::Variables(v) = &self.kind {
            return v.hints();
        }
        keys::hints(&[Scope::Popup])
    }

    fn captures_input(&self) -> bool {
        true
    }
}

/// The questions of `keep.rs` (unsaved edit, outside change, stale draft, save as) and
/// their keyed answers.
fn keep_lines(kind: &PopupKind) -> Vec<Line<'static>> {
    let (question, answers): (String, Vec<(&str, &str)>) = match kind {
        PopupKind::Unsaved { path, why, next } => (
            format!(
                "{} has an edit that is not saved, and no draft could be written ({why}).",
                path.display()
            ),
            match next {
                Next::Quit => vec![
                    ("s", "save it, then quit"),
                    ("d", "discard it and quit"),
                    ("Esc", "cancel: stay here with the edit"),
                ],
                Next::Open(_) => vec![
                    ("s", "save it, then open the other payload"),
                    ("d", "discard it and open the other payload"),
                    ("Esc", "cancel: stay here with the edit"),
                ],
            },
        ),
        PopupKind::Conflict { path } => (
            format!(
                "{} changed on disk since you opened it; nothing was saved.",
                path.display()
            ),
            vec![
                ("r", "reload theirs (drops your edit)"),
                ("k", "keep mine (overwrites their change)"),
                ("a", "save mine elsewhere (a new file)"),
                ("Esc", "cancel: decide later"),
            ],
        ),
        PopupKind::StaleDraft { path, .. } => (
            format!(
                "A draft of {} holds unsaved edits, but the file changed on disk after the \
                 draft was taken. The editor shows the file.",
                path.display()
            ),
            vec![
                ("r", "keep the file (deletes the draft)"),
                ("k", "use my draft (Ctrl+S then overwrites the file)"),
                ("a", "save the draft elsewhere (a new file)"),
                ("Esc", "decide later (the draft is kept)"),
            ],
        ),
        PopupKind::SaveAs { input, .. } => {
            return vec![
                Line::from(vec![
                    Span::styled("path: ", theme::dim()),
                    Span::raw(input.clone()),
                    Span::styled("▏", theme::dim()),
                ]),
                Line::styled(
                    "a new file: an existing one is never overwritten",
                    theme::dim(),
                ),
            ];
        }
        _ => return Vec::new(),
    };
    let mut lines = vec![Line::raw(question), Line::raw("")];
    for (key, what) in answers {
        lines.push(Line::from(vec![
            Span::styled(
                format!("  {key:<4}"),
                Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
            ),
            Span::raw(what.to_owned()),
        ]));
    }
    lines
}

fn help_lines() -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    let mut section = "";
    for (sec, key, what) in keys::help_rows() {
        if sec != section {
            section = sec;
            lines.push(Line::styled(
                sec.to_owned(),
                Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
            ));
        }
        lines.push(Line::from(vec![
            Span::styled(format!("  {key:<22}"), Style::new().fg(Color::Cyan)),
            Span::raw(what.to_owned()),
        ]));
    }
    lines
}
