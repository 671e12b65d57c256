//! The response pane: status, time and size; the request and headers on a toggle; the body
//! from the viewer's cache of formatted lines, with search matches marked.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Widget};

use super::{focused, line_at, theme};
use crate::http::human_size;
use crate::tui::app::{App, Focus, Prompt};
use crate::tui::bigjson::FormattedLine;
use crate::tui::response::{BodyMode, ResponseView};

pub(super) fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let mut block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme::border(focused(app, Focus::Response)))
        .title(" Response ");
    if let Some(r) = &app.response {
        block = block.title_bottom(bottom_line(app, r));
    }
    let inner = block.inner(area);
    block.render(area, buf);
    let Some(r) = &app.response else {
        let text = if app.sending.is_some() {
            "waiting for the response…  Esc cancels"
        } else {
            "F5 sends the payload; the response shows here."
        };
        line_at(buf, inner, inner.y, Line::styled(text, theme::dim()));
        return;
    };
    let mut y = inner.y;
    let status = r.status.map_or_else(
        || Span::styled("no response", theme::error()),
        |s| Span::styled(format!("{s} {}", reason(s)), theme::status(s)),
    );
    let mode = match r.mode {
        BodyMode::Json => "json",
        BodyMode::Text => "text",
    };
    let mut head = vec![
        status,
        Span::styled(
            format!(
                "  {} ms  {}  {mode}",
                r.elapsed.as_millis(),
                human_size(r.body.len())
            ),
            theme::dim(),
        ),
    ];
    if let Some(note) = &r.note {
        head.push(Span::styled(format!("  {note}"), theme::warn()));
    }
    line_at(buf, inner, y, Line::from(head));
    y += 1;
    let body_rows = app.response_body_rows();
    if r.show_headers {
        let header_rows = usize::from(inner.height.saturating_sub(1)).saturating_sub(body_rows);
        let mut lines: Vec<Line> = Vec::new();
        lines.extend(
            r.request_summary
                .iter()
                .map(|l| Line::styled(format!("→ {l}"), theme::dim())),
        );
        lines.push(Line::raw(""));
        lines.extend(r.headers.iter().map(|(k, v)| {
            Line::from(vec![
                Span::styled(format!("{k}: "), Style::new().add_modifier(Modifier::BOLD)),
                Span::raw(v.clone()),
            ])
        }));
        for line in lines.into_iter().take(header_rows) {
            line_at(buf, inner, y, line);
            y += 1;
        }
    }
    let current = r.current_match_line();
    let query = r.search.as_ref().map(|s| s.query.to_lowercase());
    for n in r.scroll..(r.scroll + body_rows).min(r.lines.len()) {
        if y >= inner.y + inner.height {
            break;
        }
        let line = match r.cache.get(&n) {
            Some(l) => styled(l, r.hscroll, query.as_deref(), current == Some(n)),
            None => Line::styled("…", theme::dim()),
        };
        line_at(buf, inner, y, line);
        y += 1;
    }
    if r.lines.is_empty() && !r.body.is_empty() {
        line_at(buf, inner, y, Line::styled("indexing…", theme::dim()));
    } else if r.body.is_empty() {
        line_at(buf, inner, y, Line::styled("(empty body)", theme::dim()));
    }
}

fn bottom_line<'a>(app: &App, r: &ResponseView) -> Line<'a> {
    if let Some(Prompt::Search(q)) = &app.prompt {
        return Line::from(vec![
            Span::styled(" /", theme::warn()),
            Span::raw(q.clone()),
            Span::styled("▏ ", theme::warn()),
        ]);
    }
    let mut spans = Vec::new();
    if let Some(s) = &r.search {
        let pos = s.current.map_or(0, |c| c + 1);
        let text = if s.done {
            format!(" /{} {pos}/{} ", s.query, s.matches.len())
        } else {
            format!(" /{} searching… ", s.query)
        };
        spans.push(Span::styled(text, theme::warn()));
    }
    let total = r.lines.len();
    let more = if r.indexed { "" } else { "+" };
    spans.push(Span::styled(
        format!(" line {}/{total}{more} ", (r.scroll + 1).min(total.max(1))),
        theme::dim(),
    ));
    Line::from(spans)
}

/// Styles a cached line, shifted `hscroll` columns, with search matches marked.
fn styled<'a>(
    line: &FormattedLine,
    hscroll: usize,
    query: Option<&str>,
    current: bool,
) -> Line<'a> {
    let lower = query.map(|_| line.text.to_lowercase());
    let hits: Vec<(usize, usize)> = match (query, &lower) {
        (Some(q), Some(l)) if !q.is_empty() && l.len() == line.text.len() => {
            l.match_indices(q).map(|(i, m)| (i, i + m.len())).collect()
        }
        _ => Vec::new(),
    };
    let mut spans = Vec::new();
    let mut col = 0usize;
    for (kind, range) in &line.spans {
        let base = theme::token(*kind);
        let text = &line.text[range.clone()];
        let mut piece = String::new();
        let mut piece_style = base;
        for (i, ch) in text.char_indices() {
            let at = range.start + i;
            let this = col;
            col += 1;
            if this < hscroll {
                continue;
            }
            let s = if hits.iter().any(|&(a, b)| at >= a && at < b) {
                theme::search_hit(current)
            } else {
                base
            };
            if s != piece_style && !piece.is_empty() {
                spans.push(Span::styled(std::mem::take(&mut piece), piece_style));
            }
            piece_style = s;
            piece.push(ch);
        }
        if !piece.is_empty() {
            spans.push(Span::styled(piece, piece_style));
        }
    }
    Line::from(spans)
}

fn reason(code: u16) -> &'static str {
    match code {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        409 => "Conflict",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "",
    }
}
