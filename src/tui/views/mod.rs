//! Drawing. `impl Widget for &App`: every view reads the state and never changes it.

mod editor;
mod popups;
mod response;
mod sidebar;
pub mod theme;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use super::app::{App, Focus, Level};
use super::keymap;

impl Widget for &App {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let a = self.areas();
        header(self, a.header, buf);
        sidebar::render(self, a.sidebar, buf);
        if a.editor.width > 0 {
            editor::render(self, a.editor, buf);
            response::render(self, a.response, buf);
        }
        footer(self, a.footer, buf);
        popups::render(self, area, buf);
    }
}

fn header(app: &App, area: Rect, buf: &mut Buffer) {
    let mut spans = vec![
        Span::styled(
            " apiplay ",
            Style::new().add_modifier(Modifier::BOLD | Modifier::REVERSED),
        ),
        Span::raw(" env "),
        Span::styled(
            app.env.name.clone(),
            Style::new().add_modifier(Modifier::BOLD),
        ),
    ];
    if let Some(path) = &app.editor.path {
        let method = if app.editor.info.method.is_empty() {
            "POST"
        } else {
            &app.editor.info.method
        };
        spans.push(Span::styled(" │ ", theme::dim()));
        spans.push(Span::raw(format!("{method} ")));
        spans.push(match app.target_url() {
            Some(url) => Span::raw(url),
            None => Span::styled(
                format!(
                    "(no `{}` backend in this environment)",
                    app.editor.info.backend
                ),
                theme::warn(),
            ),
        });
        spans.push(Span::styled(" │ ", theme::dim()));
        // Narrow terminals get the file name; the folder is in the sidebar.
        let shown = if area.width >= 120 {
            path.display().to_string()
        } else {
            path.file_name().map_or_else(
                || path.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            )
        };
        spans.push(Span::raw(shown));
        if app.editor.is_dirty() {
            spans.push(Span::styled(" ● unsaved", theme::warn()));
        }
    }
    Paragraph::new(Line::from(spans)).render(area, buf);
}

fn footer(app: &App, area: Rect, buf: &mut Buffer) {
    let mut spans = Vec::new();
    if let Some(flight) = app.sending {
        let frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
        spans.push(Span::styled(
            format!(
                "{} sending {:.1}s  Esc cancels ",
                frames[app.spinner % frames.len()],
                flight.started.elapsed().as_secs_f64()
            ),
            theme::warn().add_modifier(Modifier::BOLD),
        ));
    } else if let Some((level, text)) = &app.status {
        let style = match level {
            Level::Info => Style::new(),
            Level::Warn => theme::warn(),
            Level::Error => theme::error().add_modifier(Modifier::BOLD),
        };
        spans.push(Span::styled(format!("{text} "), style));
    }
    if !spans.is_empty() {
        spans.push(Span::styled("│ ", theme::dim()));
    }
    let hints = keymap::hints(app.focus, app.tab);
    spans.push(Span::styled(hints, theme::dim()));
    Paragraph::new(Line::from(spans)).render(area, buf);
}

/// Whether `focus` is the focused pane (and no popup steals the keys).
fn focused(app: &App, focus: Focus) -> bool {
    app.focus == focus && app.popup.is_none()
}

/// Writes `text` clipped to `area`'s first row.
#[allow(clippy::needless_pass_by_value)] // call sites build the line inline
fn line_at(buf: &mut Buffer, area: Rect, y: u16, line: Line<'_>) {
    if y >= area.y + area.height || area.width == 0 {
        return;
    }
    buf.set_line(area.x, y, &line, area.width);
}
