//! The one selectable list: payloads, history, tokens and the environment switcher all keep
//! their selection, scrolling and mouse hit-testing here.
//!
//! The first visible row and the rows drawn are recorded when the list is rendered, so a
//! click or a page key uses exactly what is on screen, never a second layout computation.

use std::cell::Cell;

use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::text::Line;

use super::keys::Action;
use super::theme;

/// A selection over `len` rows, with the scroll offset and area of the last render.
#[derive(Debug, Clone, Default)]
pub struct SelectList {
    selected: usize,
    len: usize,
    offset: Cell<usize>,
    area: Cell<Rect>,
}

impl SelectList {
    /// The selected row (0 when empty).
    pub fn selected(&self) -> usize {
        self.selected
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Sets the number of rows, keeping the selection inside.
    pub fn set_len(&mut self, len: usize) {
        self.len = len;
        self.selected = self.selected.min(len.saturating_sub(1));
    }

    /// Selects row `i` (clamped).
    pub fn select(&mut self, i: usize) {
        self.selected = i.min(self.len.saturating_sub(1));
    }

    /// Rows shown at the last render (at least 1).
    pub fn page(&self) -> usize {
        usize::from(self.area.get().height).max(1)
    }

    /// Applies a movement action; returns whether it was one.
    pub fn apply(&mut self, action: Action) -> bool {
        let last = self.len.saturating_sub(1);
        let s = self.selected;
        self.selected = match action {
            Action::Up => s.saturating_sub(1),
            Action::Down => (s + 1).min(last),
            Action::PageUp => s.saturating_sub(self.page()),
            Action::PageDown => (s + self.page()).min(last),
            Action::Top => 0,
            Action::Bottom => last,
            _ => return false,
        };
        true
    }

    /// Moves the selection by `delta` rows (the mouse wheel).
    pub fn scroll(&mut self, delta: isize) {
        self.select(self.selected.saturating_add_signed(delta));
    }

    /// Whether the point is inside the rows drawn last.
    pub fn contains(&self, col: u16, row: u16) -> bool {
        self.area.get().contains(Position { x: col, y: row })
    }

    /// The row under a screen point, from the last render.
    pub fn row_at(&self, col: u16, row: u16) -> Option<usize> {
        let area = self.area.get();
        if !area.contains(Position { x: col, y: row }) {
            return None;
        }
        let n = self.offset.get() + usize::from(row - area.y);
        (n < self.len).then_some(n)
    }

    /// Draws the visible rows in `area` (`line(n)` builds row `n`), highlighting the
    /// selection, and records what was drawn.
    pub fn render<'a>(
        &self,
        area: Rect,
        buf: &mut Buffer,
        mut line: impl FnMut(usize) -> Line<'a>,
    ) {
        self.area.set(area);
        let rows = usize::from(area.height);
        if rows == 0 {
            return;
        }
        // Scroll only as far as needed to keep the selection in view.
        let mut offset = self.offset.get();
        if self.selected < offset {
            offset = self.selected;
        } else if self.selected >= offset + rows {
            offset = self.selected + 1 - rows;
        }
        offset = offset.min(self.len.saturating_sub(rows));
        self.offset.set(offset);
        for (i, n) in (offset..self.len.min(offset + rows)).enumerate() {
            let y = area.y + u16::try_from(i).unwrap_or(u16::MAX);
            let mut l = line(n);
            let row = Rect::new(area.x, y, area.width, 1);
            if n == self.selected {
                l = l.style(theme::selected());
                buf.set_style(row, theme::selected());
            }
            buf.set_line(area.x, y, &l, area.width);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_clamp_and_clicks_map_to_rows_drawn() {
        let mut l = SelectList::default();
        l.set_len(10);
        let mut buf = Buffer::empty(Rect::new(0, 0, 10, 20));
        l.apply(Action::Bottom);
        assert_eq!(l.selected(), 9);
        l.render(Rect::new(0, 5, 10, 4), &mut buf, |n| {
            Line::raw(n.to_string())
        });
        // Rows 6..=9 are shown at y 5..=8.
        assert_eq!(l.row_at(3, 5), Some(6));
        assert_eq!(l.row_at(3, 9), None);
        assert_eq!(buf[(0, 8)].symbol(), "9");
        l.apply(Action::PageUp);
        assert_eq!(l.selected(), 5);
        l.apply(Action::Down);
        l.set_len(3);
        assert_eq!(l.selected(), 2);
    }
}
