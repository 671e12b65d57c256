//! The operation picker (Ctrl+N): every catalogue operation grouped by vendor, filtered as you
//! type (id, title, method, path), each shown with its title, method and path. Enter asks for
//! the new payload's name (the op's default name to start with); Enter again creates it with
//! [`crate::catalogue::create_from_op`], the function `apiplay new` uses, never over a file.
//! The payload then opens in the editor and is selected in the tree.

use std::path::{Path, PathBuf};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseEvent};
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Widget};

use super::{cell, clip, Component, Ctx, Handled, View};
use crate::catalogue::{catalogue, payload_name, Operation};
use crate::tui::app::{App, Focus, Level};
use crate::tui::message::Effect;
use crate::tui::theme;

/// What the picker is doing.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Stage {
    /// Choosing an operation.
    Choose,
    /// Naming the payload of the chosen one (`error`: why the last name was refused).
    Name {
        op: &'static str,
        name: String,
        error: Option<String>,
    },
    /// Waiting for the files to be written.
    Creating { op: &'static str, name: String },
}

/// The picker's state.
#[derive(Debug)]
pub struct OpPicker {
    filter: String,
    /// Indices into the catalogue's ops of those shown, in catalogue (vendor) order.
    shown: Vec<usize>,
    selected: usize,
    stage: Stage,
    /// The collection folder: new payloads go in its vendor folder (`root/<vendor>/`)…
    root: PathBuf,
    /// … unless a folder was chosen (Alt+N on the Payloads tab).
    folder: Option<PathBuf>,
    drawn: std::cell::Cell<Rect>,
}

/// Where a new payload of `op` goes: the chosen `folder`, else `root`'s vendor folder.
fn payload_dir(root: &Path, folder: Option<&Path>, op: &crate::catalogue::Operation) -> PathBuf {
    folder.map_or_else(|| root.join(op.vendor.as_str()), Path::to_path_buf)
}

impl OpPicker {
    /// A picker over every op; new payloads go in `root/<vendor>/`.
    pub fn new(root: PathBuf) -> Self {
        let mut p = Self {
            filter: String::new(),
            shown: Vec::new(),
            selected: 0,
            stage: Stage::Choose,
            root,
            folder: None,
            drawn: std::cell::Cell::new(Rect::default()),
        };
        p.refilter();
        p
    }

    /// A picker whose payloads go in `folder` (below `root`), whatever their vendor.
    pub fn in_folder(root: PathBuf, folder: &str) -> Self {
        let folder = root.join(folder);
        Self {
            folder: Some(folder),
            ..Self::new(root)
        }
    }

    fn refilter(&mut self) {
        let words: Vec<String> = self
            .filter
            .split_whitespace()
            .map(str::to_lowercase)
            .collect();
        self.shown = catalogue()
            .ops()
            .iter()
            .enumerate()
            .filter(|(_, o)| {
                let hay = format!("{} {} {} {}", o.id, o.title, o.method, o.path).to_lowercase();
                words.iter().all(|w| hay.contains(w.as_str()))
            })
            .map(|(i, _)| i)
            .collect();
        self.selected = self.selected.min(self.shown.len().saturating_sub(1));
    }

    fn chosen(&self) -> Option<&'static Operation> {
        let i = *self.shown.get(self.selected)?;
        catalogue().ops().get(i)
    }

    /// The files were written (or not): on success the picker is done; on failure it asks
    /// for another name, saying why.
    pub fn created(&mut self, result: &Result<PathBuf, crate::catalogue::CreateError>) -> bool {
        match (result, &self.stage) {
            (Ok(_), _) => true,
            (Err(e), Stage::Creating { op, name }) => {
                self.stage = Stage::Name {
                    op,
                    name: name.clone(),
                    error: Some(e.to_string()),
                };
                false
            }
            (Err(_), _) => false,
        }
    }

    fn choose_key(&mut self, key: KeyEvent) -> Handled {
        match key.code {
            KeyCode::Esc => return Handled::NotConsumed,
            KeyCode::Up => self.selected = self.selected.saturating_sub(1),
            KeyCode::Down => {
                self.selected = (self.selected + 1).min(self.shown.len().saturating_sub(1));
            }
            KeyCode::PageUp => self.selected = self.selected.saturating_sub(10),
            KeyCode::PageDown => {
                self.selected = (self.selected + 10).min(self.shown.len().saturating_sub(1));
            }
            KeyCode::Home => self.selected = 0,
            KeyCode::End => self.selected = self.shown.len().saturating_sub(1),
            KeyCode::Backspace => {
                self.filter.pop();
                self.refilter();
            }
            KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                self.filter.clear();
                self.refilter();
            }
            KeyCode::Char(c)
                if !key
                    .modifiers
                    .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
            {
                self.filter.push(c);
                self.selected = 0;
                self.refilter();
            }
            KeyCode::Enter => {
                if let Some(op) = self.chosen() {
                    self.stage = Stage::Name {
                        op: &op.id,
                        name: op.default_name(),
                        error: None,
                    };
                }
            }
            _ => {}
        }
        Handled::Consumed
    }

    fn name_key(&mut self, key: KeyEvent, cx: &mut Ctx<'_>) -> Handled {
        let Stage::Name { op, name, error } = &mut self.stage else {
            return Handled::Consumed;
        };
        match key.code {
            KeyCode::Esc => self.stage = Stage::Choose,
            KeyCode::Backspace => {
                name.pop();
                *error = None;
            }
            KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                name.clear();
                *error = None;
            }
            KeyCode::Char(c)
                if !key
                    .modifiers
                    .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
            {
                name.push(c);
                *error = None;
            }
            KeyCode::Enter => match payload_name(name) {
                Err(e) => *error = Some(e.to_string()),
                Ok(stem) => {
                    let Some(operation) = catalogue().get(op) else {
                        return Handled::NotConsumed;
                    };
                    // The fields, not `self`: `self.stage` is borrowed.
                    let dir = payload_dir(&self.root, self.folder.as_deref(), operation);
                    cx.effect(Effect::CreatePayload {
                        op: operation.id.clone(),
                        dir,
                        name: stem.to_owned(),
                    });
                    self.stage = Stage::Creating {
                        op,
                        name: stem.to_owned(),
                    };
                }
            },
            _ => {}
        }
        Handled::Consumed
    }

    fn choose_lines(&self, rows: usize, width: usize) -> Vec<Line<'static>> {
        let ops = catalogue().ops();
        // Lines with the vendor headings; the index of the selected op's line.
        let mut lines: Vec<(Option<usize>, Line<'static>)> = Vec::new();
        let mut vendor = None;
        let id_w = self
            .shown
            .iter()
            .map(|&i| ops[i].id.len())
            .max()
            .unwrap_or(0)
            .min(width / 2);
        for (n, &i) in self.shown.iter().enumerate() {
            let o = &ops[i];
            if vendor != Some(o.vendor) {
                vendor = Some(o.vendor);
                let title = catalogue()
                    .vendor_title(o.vendor)
                    .unwrap_or(o.vendor.as_str())
                    .to_owned();
                lines.push((
                    None,
                    Line::styled(title, theme::dim().add_modifier(Modifier::BOLD)),
                ));
            }
            let path = if o.path.is_empty() { "/" } else { &o.path };
            let text = format!(
                "  {}  {:6} {}  {}",
                cell(&o.id, id_w),
                o.method,
                path,
                o.title
            );
            let style = if n == self.selected {
                theme::selected()
            } else {
                ratatui::style::Style::new()
            };
            lines.push((Some(n), Line::styled(cell(&text, width), style)));
        }
        if lines.is_empty() {
            return vec![Line::styled(
                format!("no operation matches \"{}\" (Backspace)", self.filter),
                theme::dim(),
            )];
        }
        let at = lines
            .iter()
            .position(|(n, _)| *n == Some(self.selected))
            .unwrap_or(0);
        let start = (at + 1).saturating_sub(rows).min(at.saturating_sub(1));
        let start = if at < rows { 0 } else { start };
        lines
            .into_iter()
            .skip(start)
            .take(rows)
            .map(|(_, l)| l)
            .collect()
    }
}

impl Component for OpPicker {
    fn handle_key(&mut self, key: KeyEvent, cx: &mut Ctx<'_>) -> Handled {
        match self.stage {
            Stage::Choose => self.choose_key(key),
            Stage::Name { .. } => self.name_key(key, cx),
            Stage::Creating { .. } => Handled::Consumed,
        }
    }

    fn handle_mouse(&mut self, _mouse: MouseEvent, _cx: &mut Ctx<'_>) -> Handled {
        Handled::Consumed
    }

    fn render(&self, area: Rect, buf: &mut Buffer, _view: View<'_>) {
        let width = (area.width * 9 / 10).max(20).min(area.width);
        let height = (area.height * 4 / 5).max(6).min(area.height);
        let rect = Rect {
            x: area.x + (area.width - width) / 2,
            y: area.y + (area.height - height) / 2,
            width,
            height,
        };
        self.drawn.set(rect);
        Clear.render(rect, buf);
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme::border(true))
            .title(" New payload from an operation ");
        let inner = block.inner(rect);
        block.render(rect, buf);
        if inner.height < 2 {
            return;
        }
        let w = usize::from(inner.width);
        let mut lines: Vec<Line<'static>> = Vec::new();
        match &self.stage {
            Stage::Choose => {
                lines.push(Line::from(vec![
                    Span::raw("filter: "),
                    Span::styled(format!("{}▏", self.filter), theme::selected()),
                    Span::styled(
                        format!(
                            "  {} of {} operations",
                            self.shown.len(),
                            catalogue().ops().len()
                        ),
                        theme::dim(),
                    ),
                ]));
                lines.extend(self.choose_lines(usize::from(inner.height) - 1, w));
            }
            Stage::Name { op, name, error } => {
                let dir = catalogue()
                    .get(op)
                    .map(|o| payload_dir(&self.root, self.folder.as_deref(), o))
                    .unwrap_or_default();
                lines.push(Line::raw(format!("{op}: the new payload's name")));
                lines.push(Line::from(vec![
                    Span::raw(format!("{}/", dir.display())),
                    Span::styled(format!("{name}▏"), theme::selected()),
                    Span::raw(".json (and .toml)"),
                ]));
                lines.push(Line::raw(""));
                if let Some(e) = error {
                    lines.push(Line::styled(clip(e, w), theme::error()));
                }
                lines.push(Line::styled(
                    "Enter creates it (never over a file), Esc goes back to the list",
                    theme::dim(),
                ));
            }
            Stage::Creating { op, name } => {
                lines.push(Line::raw(format!("creating {name}.json for {op}…")));
            }
        }
        for (i, line) in lines
            .into_iter()
            .take(usize::from(inner.height))
            .enumerate()
        {
            let y = inner.y + u16::try_from(i).unwrap_or(0);
            buf.set_line(inner.x, y, &line, inner.width);
        }
    }

    fn contains(&self, col: u16, row: u16) -> bool {
        self.drawn.get().contains(Position::new(col, row))
    }

    fn hints(&self) -> String {
        match self.stage {
            Stage::Choose => "type:filter ↑↓ Enter:choose Esc:close".into(),
            _ => "type:name Enter:create Esc:back".into(),
        }
    }

    fn captures_input(&self) -> bool {
        true
    }
}

impl App {
    /// Ctrl+N: the operation picker.
    pub fn open_picker(&mut self) {
        self.picker = Some(OpPicker::new(self.sidebar_root()));
    }

    /// The picker for a new payload in `folder` of the collection (Alt+N on the Payloads tab).
    pub fn open_picker_in(&mut self, folder: &str) {
        self.picker = Some(OpPicker::in_folder(self.sidebar_root(), folder));
    }

    /// A payload was created from the picker (or not): open it and select it in the tree.
    pub fn payload_created(&mut self, result: Result<PathBuf, crate::catalogue::CreateError>) {
        let done = self.picker.as_mut().is_none_or(|p| p.created(&result));
        match result {
            Ok(body) => {
                if done {
                    self.picker = None;
                }
                self.sidebar.payloads.select_when_listed(body.clone());
                self.open_payload(body.clone());
                self.focus = Focus::Editor;
                self.say(
                    Level::Info,
                    format!("created {} and its sidecar; F5 sends it", body.display()),
                );
            }
            Err(e) => self.say(Level::Error, format!("not created: {e}")),
        }
    }
}
