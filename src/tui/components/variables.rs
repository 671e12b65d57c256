//! The variables view (Ctrl+T, from anywhere): every variable, capture and built-in with its
//! value and where it comes from. Secrets are masked; `v` reveals the one row selected (and
//! masks it again), `e` enters a value for the session — kept in memory only, used by the
//! next send, never written — and `o` opens the payload whose answer captures the variable.
//!
//! A send refused for a variable with no value opens this view on that variable, with the
//! refusal on top: it names the operation that captures it and the payload that makes it.

use std::cell::Cell;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseEvent, MouseEventKind};
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Widget, Wrap};

use super::{clip, wrapped_rows, Command, Ctx, Handled};
use crate::tui::app::Focus;
use crate::tui::jsonlex::EditKind;
use crate::tui::keys::{self, Action, Scope};
use crate::tui::list::SelectList;
use crate::tui::model::VarValue;
use crate::tui::theme;

/// The view's state.
#[derive(Debug, Clone, Default)]
pub struct VariablesView {
    /// Lines above the list: why a send was refused and what fixes it.
    pub header: Vec<Line<'static>>,
    rows: Vec<VarValue>,
    /// The selected row.
    pub list: SelectList,
    /// The row shown in clear.
    revealed: Option<String>,
    /// A value being typed for the session: (name, text).
    entering: Option<(String, String)>,
    /// The row to select when the rows arrive.
    focus: Option<String>,
    /// The payload the header's refusal points to (`o` opens it before the rows arrive, and
    /// for a row that names none).
    pub opens: Option<std::path::PathBuf>,
    loading: bool,
    area: Cell<Rect>,
}

impl VariablesView {
    /// A view waiting for its rows; `focus` is selected once they come.
    pub fn loading(header: Vec<Line<'static>>, focus: Option<String>) -> Self {
        Self {
            header,
            focus,
            loading: true,
            ..Self::default()
        }
    }

    /// The rows arrived (or were re-read after a value was entered).
    pub fn set_rows(&mut self, rows: Vec<VarValue>) {
        let keep = self
            .focus
            .take()
            .or_else(|| self.rows.get(self.list.selected()).map(|r| r.name.clone()));
        self.rows = rows;
        self.loading = false;
        self.list.set_len(self.rows.len());
        if let Some(name) = keep {
            if let Some(i) = self.rows.iter().position(|r| r.name == name) {
                self.list.select(i);
            }
        }
    }

    /// The rows shown.
    pub fn rows(&self) -> &[VarValue] {
        &self.rows
    }

    fn selected(&self) -> Option<&VarValue> {
        self.rows.get(self.list.selected())
    }

    /// Handles a key; `NotConsumed` closes the view.
    pub fn handle_key(&mut self, key: KeyEvent, cx: &mut Ctx<'_>) -> Handled {
        if let Some((name, input)) = self.entering.as_mut() {
            match key.code {
                KeyCode::Esc => self.entering = None,
                KeyCode::Enter if input.is_empty() => {}
                KeyCode::Enter => {
                    cx.command(Command::SetSessionValue {
                        name: name.clone(),
                        value: std::mem::take(input),
                    });
                    self.entering = None;
                    self.loading = true;
                }
                KeyCode::Backspace => {
                    input.pop();
                }
                KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                    input.clear();
                }
                KeyCode::Char(c)
                    if !key
                        .modifiers
                        .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
                {
                    input.push(c);
                }
                _ => {}
            }
            return Handled::Consumed;
        }
        match keys::action(Scope::Variables, key) {
            Some(Action::Reveal) => {
                if let Some(r) = self.selected() {
                    let name = r.name.clone();
                    self.revealed = if self.revealed.as_ref() == Some(&name) {
                        None
                    } else {
                        Some(name)
                    };
                }
            }
            Some(Action::EnterValue) => match self.selected() {
                Some(r) if r.enterable => self.entering = Some((r.name.clone(), String::new())),
                Some(r) => cx.say(
                    crate::tui::app::Level::Warn,
                    format!(
                        "{} has a value that is no secret ({}); change it there",
                        r.name, r.source
                    ),
                ),
                None => {}
            },
            Some(Action::Open) => match self
                .selected()
                .and_then(|r| r.opens.clone())
                .or_else(|| self.opens.clone())
            {
                Some(path) => {
                    cx.command(Command::OpenPayload(path));
                    cx.command(Command::Focus(Focus::Editor));
                    return Handled::NotConsumed;
                }
                None => cx.say(
                    crate::tui::app::Level::Warn,
                    "no payload of the tree captures this variable",
                ),
            },
            // Moving on masks the revealed row again.
            Some(a) if self.list.apply(a) => self.revealed = None,
            Some(Action::Cancel) => return Handled::NotConsumed,
            _ => {}
        }
        Handled::Consumed
    }

    /// Scrolls with the wheel; a click inside is kept.
    pub fn handle_mouse(&mut self, mouse: MouseEvent) -> Handled {
        match mouse.kind {
            MouseEventKind::ScrollDown => self.list.scroll(3),
            MouseEventKind::ScrollUp => self.list.scroll(-3),
            MouseEventKind::Down(_) => {
                if let Some(n) = self.list.row_at(mouse.column, mouse.row) {
                    self.list.select(n);
                } else if !self.contains(mouse.column, mouse.row) {
                    return Handled::NotConsumed;
                }
            }
            _ => {}
        }
        Handled::Consumed
    }

    fn row_line(&self, r: &VarValue, width: usize) -> Line<'static> {
        let revealed = self.revealed.as_deref() == Some(r.name.as_str());
        let mut spans = vec![
            Span::styled(if r.used { "● " } else { "  " }, theme::dim()),
            Span::styled(
                format!("{{{{{}}}}}", r.name),
                theme::edit(EditKind::Variable),
            ),
            Span::styled(" = ", theme::dim()),
        ];
        let value = match (&r.value, &r.clear) {
            (Some(_), Some(clear)) if revealed => Span::styled(clear.clone(), theme::warn()),
            (Some(v), _) => Span::raw(v.clone()),
            (None, _) => Span::styled("(no value)", theme::error()),
        };
        let used: usize = spans.iter().map(Span::width).sum();
        let value_w = value.width();
        spans.push(Span::styled(
            clip(&value.content, width.saturating_sub(used + 2).max(8)),
            value.style,
        ));
        let room = width.saturating_sub(used + value_w + 3);
        if room > 8 {
            spans.push(Span::styled(
                format!("  {}", clip(&r.source, room)),
                theme::dim(),
            ));
        }
        Line::from(spans)
    }

    /// Draws the view: the header, the list, and the selected row's source in full.
    pub fn render(&self, area: Rect, buf: &mut Buffer) {
        let width = (area.width * 9 / 10).max(20).min(area.width);
        let height = (area.height * 9 / 10).max(8).min(area.height);
        let rect = Rect {
            x: area.x + (area.width - width) / 2,
            y: area.y + (area.height - height) / 2,
            width,
            height,
        };
        self.area.set(rect);
        Clear.render(rect, buf);
        let title = if self.header.is_empty() {
            " Variables — v reveals the row, e enters a value, o opens its capturer, Esc closes "
        } else {
            " not sent — o opens the payload that captures it, e enters a value, Esc closes "
        };
        let border = if self.header.is_empty() {
            theme::border(true)
        } else {
            theme::error()
        };
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(border)
            .title(title);
        let inner = block.inner(rect);
        block.render(rect, buf);
        let w = usize::from(inner.width).max(1);
        let head_rows = u16::try_from(wrapped_rows(&self.header, w)).unwrap_or(0);
        let head_h = head_rows.min(inner.height / 2);
        if head_h > 0 {
            Paragraph::new(self.header.clone())
                .wrap(Wrap { trim: false })
                .render(
                    Rect {
                        height: head_h,
                        ..inner
                    },
                    buf,
                );
        }
        // The selected row's source in full, and the value prompt, at the bottom.
        let mut foot: Vec<Line<'static>> = Vec::new();
        if let Some((name, input)) = &self.entering {
            foot.push(Line::from(vec![
                Span::styled(
                    format!("value for {name}: "),
                    Style::new().add_modifier(Modifier::BOLD),
                ),
                Span::raw("•".repeat(input.chars().count())),
                Span::styled("▏", theme::dim()),
            ]));
            foot.push(Line::styled(
                "kept in memory for this session only (never written); Enter keeps it, Esc cancels",
                theme::dim(),
            ));
        } else if let Some(r) = self.selected() {
            let mut l = vec![
                Span::styled(
                    format!("{}: ", r.name),
                    Style::new().add_modifier(Modifier::BOLD),
                ),
                Span::raw(r.source.clone()),
            ];
            if let Some(p) = &r.opens {
                l.push(Span::styled(
                    format!(" — o opens {}", p.display()),
                    theme::warn(),
                ));
            }
            foot.push(Line::from(l));
        }
        let foot_h = u16::try_from(wrapped_rows(&foot, w))
            .unwrap_or(0)
            .min(inner.height.saturating_sub(head_h + 1));
        let list_area = Rect {
            y: inner.y + head_h,
            height: inner.height.saturating_sub(head_h + foot_h),
            ..inner
        };
        if self.loading && self.rows.is_empty() {
            buf.set_line(
                list_area.x,
                list_area.y,
                &Line::styled("reading…", theme::dim()),
                list_area.width,
            );
        } else {
            self.list
                .render(list_area, buf, |n| self.row_line(&self.rows[n], w));
        }
        if foot_h > 0 {
            Paragraph::new(foot).wrap(Wrap { trim: false }).render(
                Rect {
                    y: inner.y + inner.height - foot_h,
                    height: foot_h,
                    ..inner
                },
                buf,
            );
        }
    }

    /// Whether a point is inside it.
    pub fn contains(&self, col: u16, row: u16) -> bool {
        self.area.get().contains(Position { x: col, y: row })
    }

    /// The footer hints.
    pub fn hints(&self) -> String {
        if self.entering.is_some() {
            return "Enter:keep Esc:cancel".into();
        }
        keys::hints(&[Scope::Variables]).replace(" F5:send", "")
    }
}
