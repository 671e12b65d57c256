//! The response pane: status, time and size; the request and headers on a toggle; the body
//! from the viewer's cache of formatted lines (lines not cached yet are formatted while
//! drawing, each at most `bigjson::LINE_CAP` bytes of work), with search matches marked.

use std::cell::Cell;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseEvent, MouseEventKind};
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Widget};

use super::{copy, line_at, Component, Ctx, Handled, View};
use crate::http::human_size;
use crate::tui::bigjson::FormattedLine;
use crate::tui::keys::{self, Action, Scope};
use crate::tui::message::Effect;
use crate::tui::response::{BodyMode, ResponseView};
use crate::tui::theme;

/// Lines the wheel moves.
const WHEEL_LINES: isize = 3;

/// The viewer, its `/` prompt and what was drawn last.
#[derive(Debug, Default)]
pub struct ResponsePane {
    /// The response (or recorded exchange) shown, if any.
    pub view: Option<ResponseView>,
    /// The `/` prompt's text while it is open.
    pub prompt: Option<String>,
    area: Cell<Rect>,
    body_rows: Cell<usize>,
}

impl ResponsePane {
    /// Shows a new body; the viewport starts at what was drawn last.
    pub fn show(&mut self, mut view: ResponseView) {
        let rows = self.body_rows.get();
        if rows > 0 {
            view.set_viewport(rows);
        }
        self.view = Some(view);
        self.prompt = None;
    }

    /// Records that the pane is not on screen (nothing of it may catch a click).
    pub fn hide(&self) {
        self.area.set(Rect::default());
    }

    /// Forgets what is shown.
    pub fn clear(&mut self) {
        self.view = None;
        self.prompt = None;
    }

    fn prompt_key(&mut self, key: KeyEvent, cx: &mut Ctx<'_>) {
        let Some(q) = self.prompt.as_mut() else {
            return;
        };
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Char('u') if ctrl => q.clear(),
            KeyCode::Char(c) if !ctrl => q.push(c),
            KeyCode::Backspace => {
                q.pop();
            }
            KeyCode::Esc => self.prompt = None,
            KeyCode::Enter => {
                let query = self.prompt.take().unwrap_or_default();
                self.start_search(query, cx);
            }
            _ => {}
        }
    }

    fn start_search(&mut self, query: String, cx: &mut Ctx<'_>) {
        let Some(r) = self.view.as_mut() else {
            return;
        };
        if query.is_empty() {
            r.search = None;
            return;
        }
        r.begin_search(query.clone());
        cx.effect(Effect::Search {
            id: r.id,
            body: r.body.clone(),
            query,
        });
    }
}

impl Component for ResponsePane {
    fn handle_key(&mut self, key: KeyEvent, cx: &mut Ctx<'_>) -> Handled {
        if self.prompt.is_some() {
            self.prompt_key(key, cx);
            return Handled::Consumed;
        }
        let rows = self.body_rows.get();
        let Some(r) = self.view.as_mut() else {
            return Handled::NotConsumed;
        };
        if rows > 0 && rows != r.viewport {
            r.set_viewport(rows);
        }
        let page = isize::try_from(r.viewport.max(2) - 1).unwrap_or(1);
        match keys::action(Scope::Response, key) {
            Some(Action::Up) => r.scroll_by(-1),
            Some(Action::Down) => r.scroll_by(1),
            Some(Action::PageUp) => r.scroll_by(-page),
            Some(Action::PageDown) => r.scroll_by(page),
            Some(Action::Top) => r.scroll_to(0),
            Some(Action::Bottom) => r.scroll_to(usize::MAX),
            Some(Action::Left) => r.hscroll = r.hscroll.saturating_sub(8),
            Some(Action::Right) => r.hscroll += 8,
            Some(Action::NextMatch) => r.next_match(true),
            Some(Action::PrevMatch) => r.next_match(false),
            Some(Action::Headers) => r.show_headers = !r.show_headers,
            // A fresh prompt: `/` starts a new search, it does not append to the last one.
            Some(Action::Find) => self.prompt = Some(String::new()),
            Some(Action::Copy) => {
                let text = String::from_utf8_lossy(&r.body).into_owned();
                copy(cx, text, "the body", Some("w writes it to a file"));
            }
            Some(Action::WriteFile) => cx.effect(Effect::WriteBody {
                body: r.body.clone(),
                json: r.mode == BodyMode::Json,
            }),
            _ => return Handled::NotConsumed,
        }
        Handled::Consumed
    }

    fn handle_mouse(&mut self, mouse: MouseEvent, _cx: &mut Ctx<'_>) -> Handled {
        let Some(r) = self.view.as_mut() else {
            return Handled::NotConsumed;
        };
        match mouse.kind {
            MouseEventKind::ScrollDown => r.scroll_by(WHEEL_LINES),
            MouseEventKind::ScrollUp => r.scroll_by(-WHEEL_LINES),
            _ => return Handled::NotConsumed,
        }
        Handled::Consumed
    }

    fn render(&self, area: Rect, buf: &mut Buffer, view: View<'_>) {
        self.area.set(area);
        let mut block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme::border(view.focused))
            .title(" Response ");
        if let Some(r) = &self.view {
            block = block.title_bottom(self.bottom_line(r));
        }
        let inner = block.inner(area);
        block.render(area, buf);
        let Some(r) = &self.view else {
            let text = if view.sending {
                "waiting for the response…  Esc cancels"
            } else {
                "F5 sends the payload; the response shows here."
            };
            line_at(buf, inner, inner.y, Line::styled(text, theme::dim()));
            return;
        };
        let mut y = inner.y;
        line_at(buf, inner, y, head_line(r));
        y += 1;
        let total = usize::from(inner.height.saturating_sub(1));
        let body_rows = if r.show_headers {
            // The request that went out (every header on the wire, then its body) and the
            // response's headers take what they need, leaving three rows of body.
            let header_rows = r.headers.len() + r.request_summary.len() + 2;
            total.saturating_sub(header_rows.min(total.saturating_sub(3)))
        } else {
            total
        };
        self.body_rows.set(body_rows);
        if r.show_headers {
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
            for line in lines.into_iter().take(total - body_rows) {
                line_at(buf, inner, y, line);
                y += 1;
            }
        }
        let current = r.current_match_line();
        let query = r.search.as_ref().map(|s| s.query.to_lowercase());
        // The scroll was clamped for the viewport of the last frame; clamp again for this one.
        let scroll = r.scroll.min(r.lines.len().saturating_sub(body_rows.max(1)));
        for n in scroll..(scroll + body_rows).min(r.lines.len()) {
            if y >= inner.y + inner.height {
                break;
            }
            let line = match r.cache.get(&n) {
                Some(l) => styled(l, r.hscroll, query.as_deref(), current == Some(n)),
                None => styled(
                    &r.format(n),
                    r.hscroll,
                    query.as_deref(),
                    current == Some(n),
                ),
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

    fn contains(&self, col: u16, row: u16) -> bool {
        self.area.get().contains(Position { x: col, y: row })
    }

    fn hints(&self) -> String {
        keys::hints(&[Scope::Response])
    }

    fn captures_input(&self) -> bool {
        self.prompt.is_some()
    }
}

impl ResponsePane {
    fn bottom_line<'a>(&self, r: &ResponseView) -> Line<'a> {
        if let Some(q) = &self.prompt {
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
}

fn head_line<'a>(r: &ResponseView) -> Line<'a> {
    let status = r.status.map_or_else(
        || Span::styled("no response", theme::error()),
        |s| Span::styled(format!("{s} {}", crate::http::reason(s)), theme::status(s)),
    );
    let mode = match r.mode {
        BodyMode::Json => "json",
        BodyMode::Text => "text",
    };
    let mut head = vec![status];
    if let Some(no) = &r.api_refusal {
        head.push(Span::styled(
            format!("  ✗ {no}"),
            theme::error().add_modifier(Modifier::BOLD),
        ));
    }
    head.push(Span::styled(
        format!(
            "  {} ms  {}  {mode}",
            r.elapsed.as_millis(),
            human_size(r.body.len())
        ),
        theme::dim(),
    ));
    if let Some(note) = &r.note {
        head.push(Span::styled(format!("  {note}"), theme::warn()));
    }
    Line::from(head)
}

/// Styles a formatted line, shifted `hscroll` columns, with search matches marked.
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
