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

use super::{copy, line_at, Command, Component, Ctx, Handled, Level, View};
use crate::filter::{Filter, FilterError};
use crate::http::human_size;
use crate::tui::bigjson::FormattedLine;
use crate::tui::errors::SendError;
use crate::tui::keys::{self, Action, Scope};
use crate::tui::message::Effect;
use crate::tui::response::{BodyMode, ResponseView, LIVE_FILTER_LIMIT};
use crate::tui::theme;

/// Lines the wheel moves.
const WHEEL_LINES: isize = 3;

/// The `F` prompt: a jq expression, checked as it is typed.
#[derive(Debug, Default, Clone)]
pub struct FilterPrompt {
    /// The expression typed.
    pub text: String,
    /// Where it is wrong (1-based column) and why, or why it failed on the body.
    pub error: Option<(usize, String)>,
}

/// The viewer, its `/` and `F` prompts and what was drawn last.
#[derive(Debug, Default)]
pub struct ResponsePane {
    /// The response (or recorded exchange) shown, if any: the full body, or a filter's
    /// output (its `filter` says which).
    pub view: Option<ResponseView>,
    /// The other of the two: the full body while the filter's output is shown, or the
    /// filter's output while the full body is (`f` swaps them).
    pub stash: Option<ResponseView>,
    /// The `/` prompt's text while it is open.
    pub prompt: Option<String>,
    /// The `F` prompt while it is open.
    pub filter: Option<FilterPrompt>,
    /// The expression of the filter running off the UI thread, if one is.
    pub filter_running: Option<String>,
    /// Whether long lines wrap (`W`).
    pub wrap: bool,
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
        view.detect_binary();
        self.view = Some(view);
        self.stash = None;
        self.prompt = None;
        self.filter = None;
        self.filter_running = None;
    }

    /// Records that the pane is not on screen (nothing of it may catch a click).
    pub fn hide(&self) {
        self.area.set(Rect::default());
    }

    /// Forgets what is shown.
    pub fn clear(&mut self) {
        self.view = None;
        self.stash = None;
        self.prompt = None;
        self.filter = None;
        self.filter_running = None;
    }

    /// The response's own body (not a filter's output).
    fn base(&self) -> Option<&ResponseView> {
        match &self.view {
            Some(v) if v.filter.is_some() => self.stash.as_ref(),
            other => other.as_ref(),
        }
    }

    fn filter_key(&mut self, key: KeyEvent, cx: &mut Ctx<'_>) {
        let Some(prompt) = self.filter.as_mut() else {
            return;
        };
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Char('u') if ctrl => prompt.text.clear(),
            KeyCode::Char(c) if !ctrl => prompt.text.push(c),
            KeyCode::Backspace => {
                prompt.text.pop();
            }
            KeyCode::Esc => {
                self.filter = None;
                if self.filter_running.take().is_some() {
                    cx.effect(Effect::CancelFilter);
                    cx.say(Level::Info, "filter cancelled");
                }
                return;
            }
            KeyCode::Enter => {
                self.check_filter(cx, true);
                return;
            }
            _ => return,
        }
        self.check_filter(cx, false);
    }

    /// Compiles the prompt's expression; a good one runs on the body when `enter` is
    /// pressed, or as it is typed for a body up to [`LIVE_FILTER_LIMIT`].
    fn check_filter(&mut self, cx: &mut Ctx<'_>, enter: bool) {
        let Some(prompt) = self.filter.as_mut() else {
            return;
        };
        let expr = prompt.text.trim().to_owned();
        if expr.is_empty() {
            prompt.error = None;
            if self.view.as_ref().is_some_and(|v| v.filter.is_some()) {
                self.full_or_filtered();
            }
            if enter {
                self.filter = None;
            }
            return;
        }
        match Filter::new(&expr) {
            Err(FilterError::Expression { col, message, .. }) => {
                prompt.error = Some((col, message));
                if enter {
                    cx.say(Level::Error, "the filter has an error: fix it, or Esc");
                }
            }
            Err(e) => prompt.error = Some((1, e.to_string())),
            Ok(_) => {
                prompt.error = None;
                let Some(base) = self.base() else {
                    self.filter = None;
                    return;
                };
                let (id, body) = (base.id, base.body.clone());
                if enter || body.len() <= LIVE_FILTER_LIMIT {
                    if body.len() > LIVE_FILTER_LIMIT {
                        cx.say(
                            Level::Info,
                            format!("filtering {}… Esc cancels", human_size(body.len())),
                        );
                    }
                    self.filter_running = Some(expr.clone());
                    cx.effect(Effect::Filter { id, body, expr });
                }
                // A small body's output follows at once; a large one's prompt waits for it
                // (showing that it runs, Esc cancels).
                if enter && body_is_small(self.base()) {
                    self.filter = None;
                }
            }
        }
    }

    /// Swaps the full body and the filter's output (`f`).
    fn full_or_filtered(&mut self) {
        if let Some(other) = self.stash.take() {
            self.stash = self.view.replace(other);
        }
    }

    /// Takes a filter's output (or its failure) for the body `id`; `fresh` is the id of the
    /// new view.
    pub fn filtered(
        &mut self,
        id: u64,
        fresh: u64,
        expr: String,
        result: Result<bytes::Bytes, FilterError>,
        cx: &mut Ctx<'_>,
    ) {
        if self.filter_running.as_deref() == Some(expr.as_str()) {
            self.filter_running = None;
        }
        let Some(base) = self.base().filter(|b| b.id == id) else {
            return;
        };
        match result {
            Ok(body) => {
                let mode = ResponseView::guess_mode(&body);
                let mut view = ResponseView::new(fresh, body.clone(), mode);
                view.status = base.status;
                view.elapsed = base.elapsed;
                view.headers.clone_from(&base.headers);
                view.request_summary.clone_from(&base.request_summary);
                view.filter = Some(expr);
                let rows = self.body_rows.get();
                if rows > 0 {
                    view.set_viewport(rows);
                }
                if self.view.as_ref().is_some_and(|v| v.filter.is_none()) {
                    self.stash = self.view.take();
                }
                self.view = Some(view);
                // Enter pressed on a large body: the prompt waited for this.
                if !body_is_small(self.base()) {
                    self.filter = None;
                }
                cx.effect(Effect::IndexBody {
                    id: fresh,
                    body,
                    mode,
                });
            }
            Err(e) => match self.filter.as_mut() {
                // The prompt points at the column of an expression error (a later edit may
                // have fixed it, but the text still says what was run).
                Some(p) => match e {
                    FilterError::Expression { col, message, .. } => p.error = Some((col, message)),
                    other => p.error = Some((0, other.to_string())),
                },
                None => cx.say(Level::Error, e.to_string()),
            },
        }
    }

    /// The editor's request as curl, ready: copied (OSC 52), or written to a file when it is
    /// over what OSC 52 carries.
    pub fn curl_ready(&mut self, result: Result<String, SendError>, cx: &mut Ctx<'_>) {
        match result {
            Ok(text) if text.len() > super::OSC52_MAX_TEXT => {
                cx.say(
                    Level::Warn,
                    format!(
                        "the curl command ({}) is over what OSC 52 carries: writing it to a file",
                        human_size(text.len())
                    ),
                );
                cx.effect(Effect::WriteBody {
                    body: text.into(),
                    json: false,
                });
            }
            Ok(text) => copy(cx, text, "the request as a curl command", None),
            Err(e) => {
                let shown = e.shown();
                cx.say(Level::Error, format!("no curl command: {}", shown.message));
            }
        }
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
        if self.filter.is_some() {
            self.filter_key(key, cx);
            return Handled::Consumed;
        }
        if self.prompt.is_some() {
            self.prompt_key(key, cx);
            return Handled::Consumed;
        }
        match keys::action(Scope::Response, key) {
            Some(Action::CopyCurl) => {
                cx.command(Command::ExportCurl);
                return Handled::Consumed;
            }
            Some(Action::Wrap) => {
                self.wrap = !self.wrap;
                let state = if self.wrap { "on" } else { "off" };
                cx.say(Level::Info, format!("wrap {state}"));
                return Handled::Consumed;
            }
            Some(Action::FullBody) if self.stash.is_some() => {
                self.full_or_filtered();
                return Handled::Consumed;
            }
            Some(Action::Filter) if self.view.is_some() => {
                let text = self
                    .view
                    .as_ref()
                    .and_then(|v| v.filter.clone())
                    .unwrap_or_default();
                self.filter = Some(FilterPrompt { text, error: None });
                return Handled::Consumed;
            }
            _ => {}
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
            Some(Action::Hex) => r.toggle_hex(),
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
        // A documented error: what it means and what to do, under the status, in at most
        // half of the pane.
        let room = usize::from(inner.height.saturating_sub(1)) / 2;
        for line in explained_lines(r, usize::from(inner.width), room) {
            line_at(buf, inner, y, line);
            y += 1;
        }
        let total = usize::from((inner.y + inner.height).saturating_sub(y));
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
        let count = r.line_count();
        let scroll = r.scroll.min(count.saturating_sub(body_rows.max(1)));
        let bottom = inner.y + inner.height;
        let hscroll = if self.wrap { 0 } else { r.hscroll };
        for n in scroll..(scroll + body_rows).min(count) {
            if y >= bottom {
                break;
            }
            let formatted;
            let line = if let Some(l) = r.cache.get(&n) {
                l.as_ref()
            } else {
                formatted = r.format(n);
                &formatted
            };
            let line = styled(line, hscroll, query.as_deref(), current == Some(n));
            if self.wrap {
                for row in wrap_line(line, usize::from(inner.width)) {
                    if y >= bottom {
                        break;
                    }
                    line_at(buf, inner, y, row);
                    y += 1;
                }
            } else {
                line_at(buf, inner, y, line);
                y += 1;
            }
        }
        if count == 0 && !r.body.is_empty() {
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
        self.prompt.is_some() || self.filter.is_some()
    }
}

impl ResponsePane {
    fn bottom_line<'a>(&self, r: &ResponseView) -> Line<'a> {
        if let Some(f) = &self.filter {
            let mut spans = vec![
                Span::styled(" jq ", theme::warn()),
                Span::raw(f.text.clone()),
                Span::styled("▏ ", theme::warn()),
            ];
            if let Some((col, message)) = &f.error {
                let at = if *col > 0 {
                    format!("column {col}: ")
                } else {
                    String::new()
                };
                spans.push(Span::styled(format!("✗ {at}{message} "), theme::error()));
            } else if self.filter_running.is_some() {
                spans.push(Span::styled("running… Esc cancels ", theme::dim()));
            } else if !body_is_small(self.base()) {
                spans.push(Span::styled("Enter runs it ", theme::dim()));
            }
            return Line::from(spans);
        }
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
        if let Some(expr) = &r.filter {
            spans.push(Span::styled(
                format!(" jq {expr}  f: full body "),
                theme::warn(),
            ));
        } else if self.stash.is_some() {
            spans.push(Span::styled(
                " full body  f: the filter's output ",
                theme::dim(),
            ));
        }
        if self.wrap {
            spans.push(Span::styled(" wrap ", theme::dim()));
        }
        let total = r.line_count();
        let more = if r.indexed || r.hex { "" } else { "+" };
        spans.push(Span::styled(
            format!(" line {}/{total}{more} ", (r.scroll + 1).min(total.max(1))),
            theme::dim(),
        ));
        Line::from(spans)
    }
}

/// Whether a body is filtered as the expression is typed.
fn body_is_small(base: Option<&ResponseView>) -> bool {
    base.is_some_and(|b| b.body.len() <= LIVE_FILTER_LIMIT)
}

/// Cuts a line into rows of at most `width` display columns.
fn wrap_line(line: Line<'static>, width: usize) -> Vec<Line<'static>> {
    use unicode_width::UnicodeWidthChar as _;
    let width = width.max(1);
    let mut rows = Vec::new();
    let mut row: Vec<Span<'static>> = Vec::new();
    let mut used = 0;
    for span in line.spans {
        let mut piece = String::new();
        for ch in span.content.chars() {
            let w = ch.width().unwrap_or(0);
            if used + w > width && used > 0 {
                if !piece.is_empty() {
                    row.push(Span::styled(std::mem::take(&mut piece), span.style));
                }
                rows.push(Line::from(std::mem::take(&mut row)));
                used = 0;
            }
            piece.push(ch);
            used += w;
        }
        if !piece.is_empty() {
            row.push(Span::styled(piece, span.style));
        }
    }
    rows.push(Line::from(row));
    rows
}

/// Wraps prose at spaces (a word longer than a row is cut where the row ends), keeping each
/// word's style; the spaces at a break are dropped.
fn wrap_words(line: Line<'static>, width: usize) -> Vec<Line<'static>> {
    use unicode_width::UnicodeWidthStr as _;
    let width = width.max(1);
    let mut rows = Vec::new();
    let mut row: Vec<Span<'static>> = Vec::new();
    let mut used = 0;
    for span in line.spans {
        for word in span.content.split_inclusive(' ') {
            let w = word.trim_end().width();
            if used > 0 && used + w > width {
                rows.push(trimmed_end(std::mem::take(&mut row)));
                used = 0;
            }
            let word = if used == 0 { word.trim_start() } else { word };
            row.push(Span::styled(word.to_owned(), span.style));
            used += word.width();
        }
    }
    rows.push(trimmed_end(row));
    rows.into_iter().flat_map(|r| wrap_line(r, width)).collect()
}

/// A row without the space its last word ended with (it would wrap to a blank row).
fn trimmed_end(mut row: Vec<Span<'static>>) -> Line<'static> {
    if let Some(last) = row.last_mut() {
        let kept = last.content.trim_end().len();
        if kept < last.content.len() {
            last.content = last.content[..kept].to_owned().into();
        }
    }
    Line::from(row)
}

/// The catalogue's explanation of the answer's error, wrapped to `width`, in at most `room`
/// rows: what to do keeps at least half of them.
fn explained_lines(r: &ResponseView, width: usize, room: usize) -> Vec<Line<'static>> {
    let Some(e) = &r.explained else {
        return Vec::new();
    };
    let meaning = Line::from(vec![
        Span::styled(
            format!("{} ", e.code),
            theme::error().add_modifier(Modifier::BOLD),
        ),
        Span::styled(format!("({}): ", e.op), theme::dim()),
        Span::raw(e.meaning.clone()),
    ]);
    let fix = Line::from(vec![
        Span::styled("what to do: ", Style::new().add_modifier(Modifier::BOLD)),
        Span::raw(e.fix.clone()),
    ]);
    let mut rows = wrap_words(meaning, width);
    let fix = wrap_words(fix, width);
    let fix_rows = fix.len().min(room.div_ceil(2));
    rows.truncate(room.saturating_sub(fix_rows));
    rows.extend(fix.into_iter().take(fix_rows));
    rows
}

fn head_line<'a>(r: &ResponseView) -> Line<'a> {
    let status = r.status.map_or_else(
        || Span::styled("no response", theme::error()),
        |s| Span::styled(format!("{s} {}", crate::http::reason(s)), theme::status(s)),
    );
    let mode = match (r.binary, r.hex, r.mode) {
        (true, true, _) => "binary · hex (x: raw)",
        (true, false, _) => "binary · raw (x: hex)",
        (false, true, _) => "hex (x: text)",
        (false, false, BodyMode::Json) => "json",
        (false, false, BodyMode::Text) => "text",
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
