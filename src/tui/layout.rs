//! Where each pane goes for a given terminal size: one pure function, called once per frame
//! by the views. The panes record the areas they were given, and the mouse and the
//! viewports use those records, so nothing computes the layout a second time.

use ratatui::layout::{Constraint, Direction, Layout, Rect};

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
