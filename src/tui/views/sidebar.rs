//! The sidebar: tab bar, then the payload tree, the history table or the tokens table with
//! the selected token's decoded claims.

use chrono_free::{ago, clock};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget, Wrap};

use super::{focused, line_at, theme};
use crate::tui::app::{App, Focus, Prompt, Tab};
use crate::tui::layout::{self, SidebarParts};
use crate::tui::model::{human_duration, mask};

pub(super) fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme::border(focused(app, Focus::Sidebar)));
    block.render(area, buf);
    let parts = layout::sidebar_parts(area, app.tab == Tab::Tokens);
    let mut tabs = Vec::new();
    for tab in Tab::ALL {
        let style = if tab == app.tab {
            Style::new().add_modifier(Modifier::BOLD | Modifier::REVERSED)
        } else {
            theme::dim()
        };
        tabs.push(Span::styled(tab.title(), style));
        tabs.push(Span::raw(" "));
    }
    line_at(buf, parts.tabs, parts.tabs.y, Line::from(tabs));
    match app.tab {
        Tab::Payloads => payloads(app, parts, buf),
        Tab::History => history(app, parts, buf),
        Tab::Tokens => tokens(app, parts, buf),
    }
}

fn rows<'a>(
    buf: &mut Buffer,
    list: Rect,
    selected: usize,
    total: usize,
    mut line: impl FnMut(usize) -> Line<'a>,
) {
    let rows = usize::from(list.height);
    let first = layout::list_offset(selected, rows);
    for (i, n) in (first..total.min(first + rows)).enumerate() {
        let y = list.y + u16::try_from(i).unwrap_or(u16::MAX);
        let mut l = line(n);
        if n == selected {
            l = l.style(theme::selected());
            buf.set_style(Rect::new(list.x, y, list.width, 1), theme::selected());
        }
        line_at(buf, list, y, l);
    }
}

fn payloads(app: &App, parts: SidebarParts, buf: &mut Buffer) {
    let filter = if app.payload_filter.is_empty() {
        Line::styled("type to filter…", theme::dim())
    } else {
        Line::from(vec![
            Span::styled("filter: ", theme::dim()),
            Span::raw(app.payload_filter.clone()),
        ])
    };
    line_at(buf, parts.top, parts.top.y, filter);
    let items = app.filtered_payloads();
    if items.is_empty() {
        let text = if app.payloads.is_empty() {
            "no payloads found (--payloads DIR)"
        } else {
            "nothing matches the filter"
        };
        line_at(
            buf,
            parts.list,
            parts.list.y,
            Line::styled(text, theme::dim()),
        );
        return;
    }
    rows(buf, parts.list, app.payload_sel, items.len(), |n| {
        let rel = &items[n].rel;
        let depth = rel.matches('/').count();
        let name = rel.rsplit('/').next().unwrap_or(rel);
        let dir = rel.rsplit_once('/').map(|(d, _)| d).unwrap_or_default();
        let mut spans = vec![Span::raw("  ".repeat(depth)), Span::raw(name.to_owned())];
        if depth > 0 {
            spans.insert(0, Span::styled(format!("{dir}/ "), theme::dim()));
            spans.remove(1);
        }
        if app.editor.path.as_ref() == Some(&items[n].path) {
            spans.push(Span::styled(" ✎", theme::warn()));
        }
        Line::from(spans)
    });
}

fn history(app: &App, parts: SidebarParts, buf: &mut Buffer) {
    line_at(
        buf,
        parts.top,
        parts.top.y,
        Line::styled(
            format!(
                "{:<6} {:<8} {:<4} {:>6}  {:<10} payload",
                "#", "when", "st", "ms", "env"
            ),
            theme::dim(),
        ),
    );
    if app.history.is_empty() {
        line_at(
            buf,
            parts.list,
            parts.list.y,
            Line::styled("nothing sent yet", theme::dim()),
        );
        return;
    }
    rows(buf, parts.list, app.history_sel, app.history.len(), |n| {
        let h = &app.history[n];
        let status = h.status.map_or_else(
            || Span::styled("err ", theme::error()),
            |s| Span::styled(format!("{s:<4}"), theme::status(s)),
        );
        Line::from(vec![
            Span::raw(format!("{:<6} {:<8} ", h.id, clock(h.at))),
            status,
            Span::raw(format!(
                " {:>6}  {:<10} {}",
                h.duration_ms, h.env, h.payload
            )),
        ])
    });
}

fn tokens(app: &App, parts: SidebarParts, buf: &mut Buffer) {
    let top = match &app.prompt {
        Some(Prompt::TokenFilter(q)) => Line::from(vec![
            Span::styled("/", theme::warn()),
            Span::raw(q.clone()),
            Span::styled("▏", theme::warn()),
        ]),
        _ if !app.token_filter.is_empty() => Line::styled(
            format!("filter: {}  (/ to change)", app.token_filter),
            theme::dim(),
        ),
        _ => Line::styled(
            format!(
                "{:<11} {:<20} {:<18} {:<9} {:<11} token",
                "format", "subject", "app", "issued", "time left"
            ),
            theme::dim(),
        ),
    };
    line_at(buf, parts.top, parts.top.y, top);
    let items = app.filtered_tokens();
    if items.is_empty() {
        let text = if app.tokens.is_empty() {
            "no tokens yet: send a payload that issues one"
        } else {
            "no token matches the filter"
        };
        line_at(
            buf,
            parts.list,
            parts.list.y,
            Line::styled(text, theme::dim()),
        );
        return;
    }
    rows(buf, parts.list, app.token_sel, items.len(), |n| {
        let t = items[n];
        let left = match t.seconds_left(app.now) {
            Some(s) if s > 0 => Span::styled(format!("{:<11}", human_duration(s)), Style::new()),
            Some(_) => Span::styled(format!("{:<11}", "expired"), theme::error()),
            None => Span::styled(format!("{:<11}", "no expiry"), theme::dim()),
        };
        let shown = if app.revealed.contains(&t.id) {
            t.token.clone()
        } else {
            mask(&t.token)
        };
        Line::from(vec![
            Span::raw(format!(
                "{:<11} {:<20} {:<18} {:<9} ",
                t.format,
                clip(t.subject.as_deref().unwrap_or("-"), 20),
                clip(t.app.as_deref().unwrap_or("-"), 18),
                t.issued_at
                    .map_or_else(|| "-".to_owned(), |i| ago(app.now, i)),
            )),
            left,
            Span::raw(" "),
            Span::raw(shown),
        ])
    });
    if let Some(t) = items.get(app.token_sel) {
        let claims = serde_json::to_string_pretty(&t.claims).unwrap_or_default();
        let shown = if app.revealed.contains(&t.id) {
            t.token.clone()
        } else {
            format!("{}  (v reveals)", mask(&t.token))
        };
        let mut lines = vec![
            Line::from(vec![
                Span::styled(
                    format!("#{} ", t.id),
                    Style::new().add_modifier(Modifier::BOLD),
                ),
                Span::raw(shown),
            ]),
            Line::styled(
                format!("decoded claims ({})", t.format),
                Style::new().add_modifier(Modifier::BOLD),
            ),
        ];
        lines.extend(claims.lines().map(|l| Line::raw(l.to_owned())));
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(
                Block::default()
                    .borders(Borders::TOP)
                    .border_style(theme::dim()),
            )
            .render(parts.details, buf);
    }
}

fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_owned()
    } else {
        let mut out: String = s.chars().take(n.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}

/// Time formatting without a date crate: the TUI needs only clock times and ages.
mod chrono_free {
    /// `HH:MM:SS` (UTC) of a unix time.
    pub fn clock(at: i64) -> String {
        let s = at.rem_euclid(86_400);
        format!("{:02}:{:02}:{:02}", s / 3600, s % 3600 / 60, s % 60)
    }

    /// How long ago `at` was, as `5m ago`.
    pub fn ago(now: i64, at: i64) -> String {
        format!("{} ago", crate::tui::model::human_duration(now - at))
    }
}
