//! The editor pane: line numbers, JSON highlighting, `{{variables}}`, the selection, the
//! cursor, the validation error and any diagnostics marked in place, and an optional side
//! panel. Text is measured in display columns (`unicode-width`; tabs to the next stop).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Direction, Layout, Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph, Widget, Wrap};

use super::{Command, Component, Ctx, Handled, View};
use crate::tui::app::Level;
use crate::tui::editor::{advance, Diagnostic, Editor, Lang, Severity, TAB_WIDTH};
use crate::tui::jsonlex;
use crate::tui::keys::{self, Action, Scope};
use crate::tui::message::Effect;
use crate::tui::theme;

/// Width of the line numbers.
const GUTTER: u16 = 5;
/// Lines the wheel moves.
const WHEEL_LINES: isize = 3;

impl Component for Editor {
    fn handle_key(&mut self, key: KeyEvent, cx: &mut Ctx<'_>) -> Handled {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let plain_char = matches!(key.code, KeyCode::Char(_))
            && !key
                .modifiers
                .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
        // Ctrl+C copies a selection; without one it is the global quit.
        if ctrl && key.code == KeyCode::Char('c') {
            if self.area.selection_range().is_none() {
                return Handled::NotConsumed;
            }
            self.area.copy();
            let text = self.area.yank_text();
            cx.effect(Effect::Copy(text));
            cx.say(Level::Info, "selection copied to the clipboard (OSC 52)");
            return Handled::Consumed;
        }
        if let Some(handled) = self.assist_key(key, cx) {
            return handled;
        }
        if key.code == KeyCode::Esc && self.area.selection_range().is_some() {
            self.area.cancel_selection();
            return Handled::Consumed;
        }
        // The global table wins over the textarea's own Ctrl keys (Ctrl+R is send, not redo).
        if !plain_char && keys::action(Scope::Global, key).is_some() {
            return Handled::NotConsumed;
        }
        if matches!(
            key.code,
            KeyCode::Tab | KeyCode::BackTab | KeyCode::Esc | KeyCode::F(_)
        ) {
            return Handled::NotConsumed;
        }
        if self.path.is_none() {
            cx.say(Level::Info, "open a payload from the Payloads tab first");
            return Handled::Consumed;
        }
        let changed = match keys::action(Scope::Editor, key) {
            Some(Action::Undo) => self.undo(),
            Some(Action::Redo) => self.redo(),
            Some(Action::Cut) => {
                self.plain_edit();
                let cut = self.area.cut();
                let text = self.area.yank_text();
                if cut && !text.is_empty() {
                    cx.effect(Effect::Copy(text));
                }
                cut
            }
            Some(Action::Paste) => {
                self.plain_edit();
                self.area.paste()
            }
            Some(Action::SelectAll) => {
                self.area.select_all();
                false
            }
            Some(Action::KillLine) => {
                self.plain_edit();
                self.area.delete_line_by_head()
            }
            Some(Action::Format) => match self.format_json() {
                Ok(changed) => changed,
                Err(p) => {
                    cx.say(Level::Error, format!("cannot format: {p}"));
                    false
                }
            },
            _ if ctrl
                && !matches!(
                    key.code,
                    KeyCode::Left
                        | KeyCode::Right
                        | KeyCode::Up
                        | KeyCode::Down
                        | KeyCode::Home
                        | KeyCode::End
                        | KeyCode::Backspace
                        | KeyCode::Delete
                ) =>
            {
                // Other Ctrl keys are not ours to guess at (tui-textarea would undo on
                // Ctrl+U, move on Ctrl+E...): only the table's keys edit.
                return Handled::NotConsumed;
            }
            _ => {
                let changed = self.area.input(key);
                if changed {
                    self.plain_edit();
                }
                changed
            }
        };
        self.after_key(changed, plain_char, cx);
        Handled::Consumed
    }

    fn handle_mouse(&mut self, mouse: MouseEvent, _cx: &mut Ctx<'_>) -> Handled {
        if self.path.is_none() {
            return Handled::NotConsumed;
        }
        match mouse.kind {
            MouseEventKind::Down(MouseButton::Left) => {
                let text = self.text_rect.get();
                if !text.contains(Position::new(mouse.column, mouse.row)) {
                    return Handled::NotConsumed;
                }
                let row = usize::from(mouse.row - text.y) + self.top.get();
                let x = usize::from(mouse.column - text.x) + self.left.get();
                let last = self.area.lines().len().saturating_sub(1);
                let row = row.min(last);
                let col = self.char_at_column(row, x);
                self.jump(row, col);
                self.completion = None;
                self.refresh_assist();
            }
            MouseEventKind::ScrollDown | MouseEventKind::ScrollUp => {
                let delta = if mouse.kind == MouseEventKind::ScrollDown {
                    WHEEL_LINES
                } else {
                    -WHEEL_LINES
                };
                let (row, _) = self.area.cursor();
                self.jump(row.saturating_add_signed(delta), 0);
            }
            _ => return Handled::NotConsumed,
        }
        Handled::Consumed
    }

    fn render(&self, area: Rect, buf: &mut Buffer, view: View<'_>) {
        self.drawn.set(area);
        let title = match &self.path {
            Some(p) => format!(
                " {}{} ",
                p.file_name()
                    .map(|n| n.to_string_lossy())
                    .unwrap_or_default(),
                if self.is_dirty() { " ●" } else { "" }
            ),
            None => " Editor ".to_owned(),
        };
        let status = match (&self.problem, self.path.is_some()) {
            // A big text is checked off the UI thread when typing pauses.
            (_, true) if !self.checked => Line::styled(" … checking the JSON ", theme::dim()),
            (Some(p), _) => Line::styled(format!(" ✗ {p} "), theme::error()),
            (None, true) if self.lang == Lang::Sidecar && self.diagnostics.is_empty() => {
                Line::styled(
                    " ✓ valid sidecar (Ctrl+S saves it, F2 back to the body) ",
                    theme::dim(),
                )
            }
            (None, true) => self.findings_status(),
            (None, false) => Line::raw(""),
        };
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme::border(view.focused))
            .title(title)
            .title_bottom(status);
        let mut inner = block.inner(area);
        block.render(area, buf);
        // The findings are listed under the text and the docs (up to three rows; the text
        // keeps four).
        let listed = if self.path.is_some() {
            u16::try_from(self.diagnostics.len().min(3))
                .unwrap_or(3)
                .min(inner.height.saturating_sub(4))
        } else {
            0
        };
        let list_area = Rect {
            y: inner.y + inner.height - listed,
            height: listed,
            ..inner
        };
        inner.height -= listed;
        if let Some(panel) = &self.side_panel {
            if inner.width >= 60 {
                let parts = Layout::default()
                    .direction(Direction::Horizontal)
                    .constraints([Constraint::Percentage(60), Constraint::Percentage(40)])
                    .split(inner);
                inner = parts[0];
                Paragraph::new(
                    panel
                        .lines
                        .iter()
                        .map(|l| Line::raw(l.clone()))
                        .collect::<Vec<_>>(),
                )
                .wrap(Wrap { trim: false })
                .scroll((panel.scroll, 0))
                .block(
                    Block::default()
                        .borders(Borders::LEFT)
                        .border_style(theme::dim())
                        .title(panel.title.clone()),
                )
                .render(parts[1], buf);
            }
        }
        if self.path.is_none() {
            self.text_rect.set(Rect::default());
            let hint = Line::styled(
                "Open a payload: Payloads tab, type to filter, Enter.",
                theme::dim(),
            );
            buf.set_line(inner.x + 1, inner.y, &hint, inner.width.saturating_sub(1));
            return;
        }
        let text = Rect {
            x: inner.x + GUTTER.min(inner.width),
            width: inner.width.saturating_sub(GUTTER),
            ..inner
        };
        self.text_rect.set(text);
        self.follow_cursor(usize::from(text.height), usize::from(text.width));
        self.draw_lines(inner, text, buf, view.focused);
        self.draw_findings(list_area, buf);
        if view.focused {
            self.draw_completion(inner, text, buf);
        }
    }

    fn contains(&self, col: u16, row: u16) -> bool {
        self.drawn.get().contains(Position::new(col, row))
    }

    fn hints(&self) -> String {
        keys::hints(&[Scope::Editor])
    }
}

impl Editor {
    /// After a key: an edit is announced (the app re-checks it) and may offer completion; a
    /// move refilters an open list and moves the docs panel along.
    fn after_key(&mut self, changed: bool, plain_char: bool, cx: &mut Ctx<'_>) {
        if changed {
            cx.command(Command::Edited);
            if plain_char || self.completion.is_some() {
                self.offer_completion();
            }
        } else {
            if self.completion.is_some() {
                self.offer_completion();
            }
            self.refresh_assist();
        }
    }

    /// The keys of the teaching: the open completion list, Ctrl+Space, F8 and F3.
    fn assist_key(&mut self, key: KeyEvent, cx: &mut Ctx<'_>) -> Option<Handled> {
        if self.completion.is_some() {
            match key.code {
                KeyCode::Up => {
                    self.completion_move(false);
                    return Some(Handled::Consumed);
                }
                KeyCode::Down => {
                    self.completion_move(true);
                    return Some(Handled::Consumed);
                }
                KeyCode::Esc => {
                    self.completion = None;
                    return Some(Handled::Consumed);
                }
                KeyCode::Enter | KeyCode::Tab => {
                    if let Some(label) = self.accept_completion() {
                        cx.say(Level::Info, format!("completed {label}"));
                        cx.command(Command::Edited);
                    }
                    return Some(Handled::Consumed);
                }
                _ => {}
            }
        }
        match keys::action(Scope::Editor, key) {
            Some(Action::Complete) if self.path.is_some() => {
                if let Err(why) = self.open_completion() {
                    cx.say(Level::Info, why);
                }
                return Some(Handled::Consumed);
            }
            Some(Action::NextDiagnostic) if self.path.is_some() => {
                match self.next_diagnostic() {
                    Some(said) => cx.say(Level::Info, said),
                    None => cx.say(Level::Info, "no findings: the catalogue's checks pass"),
                }
                self.refresh_assist();
                return Some(Handled::Consumed);
            }
            Some(Action::DocsPanel) => {
                let said = self.toggle_docs();
                cx.say(Level::Info, said);
                return Some(Handled::Consumed);
            }
            _ => {}
        }
        None
    }

    /// The frame's bottom line for a valid body: the op matched and how many findings.
    fn findings_status(&self) -> Line<'static> {
        let op = self.op.map_or_else(String::new, |o| format!(" · {}", o.id));
        let what = if self.lang == Lang::Sidecar {
            "sidecar"
        } else {
            "JSON"
        };
        if self.diagnostics.is_empty() {
            let ok = if self.op.is_some() { " ✓" } else { "" };
            return Line::styled(format!(" ✓ valid {what}{op}{ok} "), theme::dim());
        }
        let errors = self
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count();
        let warnings = self.diagnostics.len() - errors;
        let plural = |n: usize, what: &str| match n {
            0 => None,
            1 => Some(format!("1 {what}")),
            n => Some(format!("{n} {what}s")),
        };
        let counts: Vec<String> = [plural(errors, "error"), plural(warnings, "warning")]
            .into_iter()
            .flatten()
            .collect();
        let style = if errors > 0 {
            theme::error()
        } else {
            theme::warn()
        };
        Line::styled(
            format!(" ✓ valid {what}{op}: {} (F8: next) ", counts.join(", ")),
            style,
        )
    }

    /// Lists the findings under the text, from the one at or after the cursor's line.
    fn draw_findings(&self, area: Rect, buf: &mut Buffer) {
        if area.height == 0 {
            return;
        }
        let (row, _) = self.area.cursor();
        let n = self.diagnostics.len();
        let rows = usize::from(area.height);
        let first = self
            .diagnostics
            .iter()
            .position(|d| d.line > row)
            .unwrap_or(0)
            .min(n.saturating_sub(rows));
        for (i, d) in self.diagnostics.iter().skip(first).take(rows).enumerate() {
            let y = area.y + u16::try_from(i).unwrap_or(0);
            let word = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "note",
            };
            let mut style = severity(d.severity);
            if d.line == row + 1 {
                style = style.add_modifier(Modifier::BOLD);
            }
            let more = if i + 1 == rows && first + rows < n {
                format!(" (+{} more)", n - first - rows)
            } else {
                String::new()
            };
            let text = super::clip(
                &format!(" {}:{} {word}: {}{more}", d.line, d.col, d.message),
                usize::from(area.width),
            );
            buf.set_stringn(area.x, y, text, usize::from(area.width), style);
        }
    }

    /// The completion list, under the cursor (above it when there is no room below).
    fn draw_completion(&self, inner: Rect, text: Rect, buf: &mut Buffer) {
        use unicode_width::UnicodeWidthStr as _;
        let Some(c) = &self.completion else {
            return;
        };
        let (row, _) = self.area.cursor();
        let top = self.top.get();
        if row < top {
            return;
        }
        let cur_y = inner.y + u16::try_from(row - top).unwrap_or(u16::MAX);
        let cur_x = text.x
            + u16::try_from(self.cursor_column().saturating_sub(self.left.get()))
                .unwrap_or(u16::MAX);
        let shown = c.items.len().min(8);
        let label_w = c.items.iter().map(|i| i.label.width()).max().unwrap_or(0);
        let width = u16::try_from((label_w + 24).min(56))
            .unwrap_or(56)
            .min(inner.width);
        let height = u16::try_from(shown).unwrap_or(8) + 2;
        let below = inner.y + inner.height - cur_y.min(inner.y + inner.height) > height;
        let y = if below {
            cur_y + 1
        } else {
            cur_y.saturating_sub(height).max(inner.y)
        };
        let x = cur_x.min(inner.x + inner.width - width);
        let area = Rect {
            x,
            y,
            width,
            height: height.min(inner.height),
        };
        ratatui::widgets::Clear.render(area, buf);
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme::border(true))
            .title(" complete ");
        let list = block.inner(area);
        block.render(area, buf);
        let first = c.selected.saturating_sub(shown.saturating_sub(1));
        for (i, item) in c.items.iter().enumerate().skip(first).take(shown) {
            let y = list.y + u16::try_from(i - first).unwrap_or(0);
            let line = super::cell(
                &format!("{:label_w$}  {}", item.label, item.detail),
                usize::from(list.width),
            );
            let style = if i == c.selected {
                theme::selected()
            } else {
                Style::new()
            };
            buf.set_stringn(list.x, y, line, usize::from(list.width), style);
        }
    }

    #[allow(clippy::many_single_char_names)] // x, y, w: screen geometry
    fn draw_lines(&self, inner: Rect, text: Rect, buf: &mut Buffer, focused: bool) {
        let lines = self.area.lines();
        let (top, left) = (self.top.get(), self.left.get());
        let text_w = usize::from(text.width);
        let selection = self.area.selection_range();
        let (cur_row, cur_col) = self.area.cursor();
        let mark = self
            .refused_at
            .or_else(|| self.problem.as_ref().map(|p| (p.line, p.col)));
        for (i, row) in (top..lines.len())
            .take(usize::from(inner.height))
            .enumerate()
        {
            let y = inner.y + u16::try_from(i).unwrap_or(u16::MAX);
            let num_style = if row == cur_row {
                Style::new().add_modifier(Modifier::BOLD)
            } else {
                theme::dim()
            };
            buf.set_stringn(
                inner.x,
                y,
                format!("{:>4} ", row + 1),
                usize::from(inner.width),
                num_style,
            );
            let line = &lines[row];
            let diags: Vec<&Diagnostic> = self
                .diagnostics
                .iter()
                .filter(|d| d.line == row + 1)
                .collect();
            let mut w = 0usize;
            let mut chars = 0usize;
            let pieces = match self.lang {
                Lang::Json => jsonlex::lex_line(line),
                Lang::Sidecar => vec![(
                    jsonlex::EditKind::Json(crate::tui::bigjson::TokenKind::Punct),
                    0..line.len(),
                )],
            };
            'line: for (kind, range) in pieces {
                let style = theme::edit(kind);
                for ch in line[range].chars() {
                    let (this, col) = (w, chars);
                    w = advance(w, ch);
                    chars += 1;
                    if this < left {
                        continue;
                    }
                    let x = this - left;
                    if w - left > text_w {
                        break 'line;
                    }
                    let mut s = style;
                    if let Some(d) = diags.iter().find(|d| covers(d, col)) {
                        s = s
                            .patch(severity(d.severity))
                            .add_modifier(Modifier::UNDERLINED);
                    }
                    if in_selection(selection, row, col) {
                        s = s.add_modifier(Modifier::REVERSED);
                    }
                    if mark == Some((row + 1, col + 1)) {
                        s = theme::error_spot();
                    }
                    let px = text.x + u16::try_from(x).unwrap_or(u16::MAX);
                    if ch == '\t' {
                        let n = (w - this).min(TAB_WIDTH);
                        buf.set_string(px, y, " ".repeat(n), s);
                    } else {
                        buf.set_string(px, y, ch.to_string(), s);
                    }
                }
            }
            // An error at the end of a line (or past it) still gets a visible mark.
            if let Some((mr, mc)) = mark {
                let len = line.chars().count();
                if mr == row + 1 && mc > len {
                    let end = crate::tui::editor::display_width(line.chars()) + (mc - 1 - len);
                    if end >= left && end - left < text_w {
                        let px = text.x + u16::try_from(end - left).unwrap_or(u16::MAX);
                        buf.set_string(px, y, "◂", theme::error_spot());
                    }
                }
            }
        }
        if focused && cur_row >= top {
            let cur_x = self.cursor_column();
            let (dy, dx) = (cur_row - top, cur_x.wrapping_sub(left));
            if cur_x >= left && dy < usize::from(inner.height) && dx < text_w {
                let pos = Position::new(
                    text.x + u16::try_from(dx).unwrap_or(0),
                    inner.y + u16::try_from(dy).unwrap_or(0),
                );
                if let Some(cell) = buf.cell_mut(pos) {
                    cell.set_style(Style::new().add_modifier(Modifier::REVERSED));
                }
            }
        }
        let _ = cur_col;
    }
}

/// Whether a finding covers 0-based character `col` of its line.
fn covers(d: &Diagnostic, col: usize) -> bool {
    col + 1 >= d.col && col + 1 < d.col + d.len.max(1)
}

fn severity(s: Severity) -> Style {
    match s {
        Severity::Error => theme::error(),
        Severity::Warning => theme::warn(),
        Severity::Info => theme::dim(),
    }
}

fn in_selection(sel: Option<((usize, usize), (usize, usize))>, row: usize, col: usize) -> bool {
    let Some((start, end)) = sel else {
        return false;
    };
    (row, col) >= start && (row, col) < end
}
