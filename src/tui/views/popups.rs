//! Modals: help, environment switcher, the operation's docs and the variables table.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Widget, Wrap};

use super::theme;
use crate::tui::app::{App, Popup};
use crate::tui::keymap::KEYMAP;

pub(super) fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let Some(popup) = &app.popup else {
        return;
    };
    let (title, lines): (&str, Vec<Line>) = match popup {
        Popup::Help => ("Keys — Esc closes", help_lines()),
        Popup::Environments(sel) => (
            "Environment — Enter switches, Esc closes",
            app.envs
                .iter()
                .enumerate()
                .map(|(i, name)| {
                    let mark = if *name == app.env.name { "● " } else { "  " };
                    let line = Line::raw(format!("{mark}{name}"));
                    if i == *sel {
                        line.style(theme::selected())
                    } else {
                        line
                    }
                })
                .collect(),
        ),
        Popup::Docs => ("Docs — Esc closes", docs_lines(app)),
        Popup::Variables(vars) => (
            "Variables (secrets masked) — Esc closes",
            if vars.is_empty() {
                vec![Line::styled(
                    "this payload uses no {{variables}}",
                    theme::dim(),
                )]
            } else {
                vars.iter()
                    .map(|v| {
                        let value = match &v.value {
                            Some(val) => Span::raw(val.clone()),
                            None => {
                                Span::styled("unknown: the send will be refused", theme::error())
                            }
                        };
                        Line::from(vec![
                            Span::styled(
                                format!("{{{{{}}}}} ", v.name),
                                theme::edit(crate::tui::jsonlex::EditKind::Variable),
                            ),
                            Span::styled("= ", theme::dim()),
                            value,
                            Span::styled(format!("  ({})", v.source), theme::dim()),
                        ])
                    })
                    .collect()
            },
        ),
    };
    let width = (area.width * 4 / 5).max(20).min(area.width);
    let height = u16::try_from(lines.len() + 2)
        .unwrap_or(u16::MAX)
        .clamp(5, area.height.saturating_sub(2).max(5))
        .min(area.height);
    let rect = Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    };
    Clear.render(rect, buf);
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(theme::border(true))
                .title(format!(" {title} ")),
        )
        .render(rect, buf);
}

fn help_lines() -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    let mut section = "";
    for (sec, key, what) in KEYMAP {
        if *sec != section {
            section = sec;
            lines.push(Line::styled(
                (*sec).to_owned(),
                Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
            ));
        }
        lines.push(Line::from(vec![
            Span::styled(
                format!("  {key:<26}"),
                Style::new().fg(ratatui::style::Color::Cyan),
            ),
            Span::raw((*what).to_owned()),
        ]));
    }
    lines
}

fn docs_lines(app: &App) -> Vec<Line<'static>> {
    let info = &app.editor.info;
    if app.editor.path.is_none() {
        return vec![Line::styled(
            "open a payload to read its docs",
            theme::dim(),
        )];
    }
    let mut lines = vec![Line::styled(
        format!(
            "{} {} (backend `{}`)",
            if info.method.is_empty() {
                "POST"
            } else {
                &info.method
            },
            if info.url_path.is_empty() {
                "/"
            } else {
                &info.url_path
            },
            info.backend
        ),
        Style::new().add_modifier(Modifier::BOLD),
    )];
    if info.docs.trim().is_empty() {
        lines.push(Line::styled(
            "this payload's sidecar has no docs",
            theme::dim(),
        ));
    } else {
        lines.extend(info.docs.lines().map(|l| Line::raw(l.to_owned())));
    }
    lines
}
