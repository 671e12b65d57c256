//! Drawing the whole screen: `impl Widget for &App` lays the panes out once per frame, lets
//! each component draw itself (recording where, for the mouse), and draws the header line
//! and the footer (status, then the focused pane's hints from the key table; how to quit
//! and get help is always shown at the right).

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use super::app::{App, Focus, Level, Tab};
use super::components::{Component, View};
use super::layout;
use super::theme;

impl Widget for &App {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let wide = self.focus == Focus::Sidebar && self.sidebar.tab != Tab::Payloads;
        let a = layout::areas(area, wide);
        self.areas.set(a);
        let view = |pane: Focus| View {
            focused: self.focus == pane && self.popup.is_none(),
            now: self.now,
            sending: self.sending.is_some(),
            open: self.editor.path.as_deref(),
        };
        header(self, a.header, buf);
        self.sidebar.render(a.sidebar, buf, view(Focus::Sidebar));
        if a.editor.width > 0 {
            if !self.editing_sidecar {
                if let Some(s) = &self.sidecar {
                    s.drawn.set(Rect::default());
                }
            }
            self.active().render(a.editor, buf, view(Focus::Editor));
            self.response.render(a.response, buf, view(Focus::Response));
        } else {
            // Not drawn: nothing of theirs may catch a click.
            self.active().drawn.set(Rect::default());
            self.response.hide();
        }
        footer(self, a.footer, buf);
        if let Some(popup) = &self.popup {
            popup.render(area, buf, view(Focus::Sidebar));
        }
        if let Some(picker) = &self.picker {
            picker.render(area, buf, view(Focus::Sidebar));
        }
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
    let hints = match (&app.picker, &app.popup) {
        (Some(p), _) => p.hints(),
        (None, Some(p)) => p.hints(),
        (None, None) => match app.focus {
            Focus::Sidebar => app.sidebar.hints(),
            Focus::Editor => app.active().hints(),
            Focus::Response => app.response.hints(),
        },
    };
    // How to quit and get help stays visible however long the status is.
    let always = "F1:help ^Q:quit";
    let rest = hints.replace(" F1:help ^Q:quit", "");
    spans.push(Span::styled(rest, theme::dim()));
    let tail_w = u16::try_from(always.len() + 1).unwrap_or(0);
    let left = Rect {
        width: area.width.saturating_sub(tail_w),
        ..area
    };
    Paragraph::new(Line::from(spans)).render(left, buf);
    if area.width > tail_w {
        let x = area.x + area.width - tail_w;
        buf.set_string(x, area.y, format!(" {always}"), theme::dim());
    }
}
