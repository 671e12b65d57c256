//! The editor pane: line numbers, JSON highlighting, `{{variables}}`, the selection, the
//! cursor, and the validation error marked in place and named in the bottom border.

use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Widget};

use super::{focused, theme};
use crate::tui::app::{App, Focus};
use crate::tui::jsonlex;

const GUTTER: u16 = 5;

pub(super) fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let e = &app.editor;
    let title = match &e.path {
        Some(p) => format!(
            " {}{} ",
            p.file_name()
                .map(|n| n.to_string_lossy())
                .unwrap_or_default(),
            if e.is_dirty() { " ●" } else { "" }
        ),
        None => " Editor ".to_owned(),
    };
    let status = match (&e.problem, e.path.is_some()) {
        (Some(p), _) => Line::styled(format!(" ✗ {p} "), theme::error()),
        (None, true) => Line::styled(" ✓ valid JSON ", theme::dim()),
        (None, false) => Line::raw(""),
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme::border(focused(app, Focus::Editor)))
        .title(title)
        .title_bottom(status);
    let inner = block.inner(area);
    block.render(area, buf);
    if e.path.is_none() {
        let hint = Line::styled(
            "Open a payload: Payloads tab, type to filter, Enter.",
            theme::dim(),
        );
        buf.set_line(inner.x + 1, inner.y, &hint, inner.width.saturating_sub(1));
        return;
    }
    let lines = e.area.lines();
    let text_x = inner.x + GUTTER;
    let text_w = usize::from(inner.width.saturating_sub(GUTTER));
    let selection = e.area.selection_range();
    let (cur_row, cur_col) = e.area.cursor();
    let mark = app
        .refused_at
        .or_else(|| e.problem.as_ref().map(|p| (p.line, p.col)));
    for (i, row) in (e.top..lines.len())
        .take(usize::from(inner.height))
        .enumerate()
    {
        let y = inner.y + u16::try_from(i).unwrap_or(u16::MAX);
        let number = format!("{:>4} ", row + 1);
        let num_style = if row == cur_row {
            Style::new().add_modifier(Modifier::BOLD)
        } else {
            theme::dim()
        };
        buf.set_string(inner.x, y, number, num_style);
        let line = &lines[row];
        let mut col = 0usize;
        'line: for (kind, range) in jsonlex::lex_line(line) {
            let style = theme::edit(kind);
            for ch in line[range].chars() {
                let this = col;
                col += 1;
                if this < e.left {
                    continue;
                }
                let x = this - e.left;
                if x >= text_w {
                    break 'line;
                }
                let mut s = style;
                if in_selection(selection, row, this) {
                    s = s.add_modifier(Modifier::REVERSED);
                }
                if mark == Some((row + 1, this + 1)) {
                    s = theme::error_spot();
                }
                let px = text_x + u16::try_from(x).unwrap_or(u16::MAX);
                buf.set_string(px, y, ch.to_string(), s);
            }
        }
        // An error at the end of a line (or past it) still gets a visible mark.
        if let Some((mr, mc)) = mark {
            let len = line.chars().count();
            if mr == row + 1 && mc > len && mc > e.left && mc - 1 - e.left < text_w {
                let px = text_x + u16::try_from(mc - 1 - e.left).unwrap_or(u16::MAX);
                buf.set_string(px, y, "◂", theme::error_spot());
            }
        }
    }
    if focused(app, Focus::Editor) && cur_row >= e.top && cur_col >= e.left {
        let (dy, dx) = (cur_row - e.top, cur_col - e.left);
        if dy < usize::from(inner.height) && dx < text_w {
            let pos = Position::new(
                text_x + u16::try_from(dx).unwrap_or(0),
                inner.y + u16::try_from(dy).unwrap_or(0),
            );
            if let Some(cell) = buf.cell_mut(pos) {
                cell.set_style(Style::new().add_modifier(Modifier::REVERSED));
            }
        }
    }
}

fn in_selection(sel: Option<((usize, usize), (usize, usize))>, row: usize, col: usize) -> bool {
    let Some((start, end)) = sel else {
        return false;
    };
    (row, col) >= start && (row, col) < end
}
