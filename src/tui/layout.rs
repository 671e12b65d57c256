//! Where each pane goes for a given terminal size. One pure function, used by the views to
//! draw and by the update to size viewports and to hit-test mouse clicks, so the two never
//! disagree.

use ratatui::layout::{Constraint, Direction, Layout, Position, Rect};

/// The screen's regions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Areas {
    /// Top line: environment, URL, path.
    pub header: Rect,
    /// Left column: tabs and list.
    pub sidebar: Rect,
    /// The payload editor, border included.
    pub editor: Rect,
    /// The response viewer, border included.
    pub response: Rect,
    /// Bottom line: status and key hints.
    pub footer: Rect,
}

/// Splits `area`. Wide terminals (≥ 140 columns) put editor and response side by side.
/// With `wide_sidebar` the sidebar takes the whole middle (the History and Tokens tables).
pub fn areas(area: Rect, wide_sidebar: bool) -> Areas {
    let rows = Layout::default()
        .direction(Direction::Vertical)
        .constraints([
            Constraint::Length(1),
            Constraint::Min(3),
            Constraint::Length(1),
        ])
        .split(area);
    let sidebar_width = (area.width / 4).clamp(29, 44);
    let cols = Layout::default()
        .direction(Direction::Horizontal)
        .constraints([Constraint::Length(sidebar_width), Constraint::Min(10)])
        .split(rows[1]);
    let main = if area.width >= 140 {
        Layout::default()
            .direction(Direction::Horizontal)
            .constraints([Constraint::Percentage(45), Constraint::Percentage(55)])
            .split(cols[1])
    } else {
        Layout::default()
            .direction(Direction::Vertical)
            .constraints([Constraint::Percentage(45), Constraint::Percentage(55)])
            .split(cols[1])
    };
    if wide_sidebar {
        return Areas {
            header: rows[0],
            sidebar: rows[1],
            editor: Rect::default(),
            response: Rect::default(),
            footer: rows[2],
        };
    }
    Areas {
        header: rows[0],
        sidebar: cols[0],
        editor: main[0],
        response: main[1],
        footer: rows[2],
    }
}

/// Rows inside a bordered pane.
pub fn inner_rows(r: Rect) -> usize {
    usize::from(r.height.saturating_sub(2))
}

/// Columns inside a bordered pane.
pub fn inner_cols(r: Rect) -> usize {
    usize::from(r.width.saturating_sub(2))
}

/// The sidebar's parts inside its border: tab bar, a filter or column-header line, the
/// list, and (Tokens only) the details of the selected token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SidebarParts {
    /// The tab titles.
    pub tabs: Rect,
    /// Filter line or table header.
    pub top: Rect,
    /// The rows.
    pub list: Rect,
    /// Details below the list (empty when unused).
    pub details: Rect,
}

/// Splits the sidebar; `with_details` reserves the bottom 40 % for details.
pub fn sidebar_parts(sidebar: Rect, with_details: bool) -> SidebarParts {
    let inner = Rect {
        x: sidebar.x + 1,
        y: sidebar.y + 1,
        width: sidebar.width.saturating_sub(2),
        height: sidebar.height.saturating_sub(2),
    };
    let rest = inner.height.saturating_sub(2);
    let details_h = if with_details { rest * 2 / 5 } else { 0 };
    let list_h = rest - details_h;
    let row = |y: u16, h: u16| Rect {
        x: inner.x,
        y,
        width: inner.width,
        height: h,
    };
    SidebarParts {
        tabs: row(inner.y, inner.height.min(1)),
        top: row(inner.y + 1, inner.height.saturating_sub(1).min(1)),
        list: row(inner.y + 2, list_h),
        details: row(inner.y + 2 + list_h, details_h),
    }
}

/// First row of a list of `rows` visible rows that keeps `selected` in view.
pub fn list_offset(selected: usize, rows: usize) -> usize {
    selected.saturating_sub(rows.max(1) - 1)
}

/// Whether the point lies in `r`.
pub fn hit(r: Rect, col: u16, row: u16) -> bool {
    r.contains(Position { x: col, y: row })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panes_tile_the_screen_at_both_sizes() {
        for (w, h) in [(80, 24), (160, 48)] {
            let a = areas(Rect::new(0, 0, w, h), false);
            assert_eq!(a.header.height, 1);
            assert_eq!(a.footer.y, h - 1);
            assert_eq!(a.sidebar.height, h - 2);
            assert!(a.editor.height >= 8 && a.response.height >= 8);
            assert_eq!(a.sidebar.right(), a.editor.x);
            assert_eq!(a.editor.right().max(a.response.right()), w);
        }
    }
}
