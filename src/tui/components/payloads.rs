//! The Payloads tab: the collection's files, filtered as you type, Enter opens one.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::{clip_left, line_at, Command, Component, Ctx, Handled, View};
use crate::tui::app::Focus;
use crate::tui::keys::{self, Action, Scope};
use crate::tui::list::SelectList;
use crate::tui::model::PayloadEntry;
use crate::tui::theme;

/// The payload tree and its filter.
#[derive(Debug, Default)]
pub struct PayloadsPane {
    entries: Vec<PayloadEntry>,
    filter: String,
    /// Indices into `entries` of the rows shown.
    shown: Vec<usize>,
    /// The selection among the rows shown.
    pub list: SelectList,
}

impl PayloadsPane {
    /// Replaces the entries (a new scan of the collection).
    pub fn set_entries(&mut self, entries: Vec<PayloadEntry>) {
        self.entries = entries;
        self.list.select(0);
        self.refilter();
    }

    /// Every entry.
    pub fn entries(&self) -> &[PayloadEntry] {
        &self.entries
    }

    /// The filter text.
    pub fn filter(&self) -> &str {
        &self.filter
    }

    /// The entries matching the filter, in display order.
    pub fn filtered(&self) -> Vec<&PayloadEntry> {
        self.shown.iter().map(|&i| &self.entries[i]).collect()
    }

    /// The highlighted entry.
    pub fn selected(&self) -> Option<&PayloadEntry> {
        self.shown
            .get(self.list.selected())
            .map(|&i| &self.entries[i])
    }

    fn refilter(&mut self) {
        let f = self.filter.to_lowercase();
        self.shown = (0..self.entries.len())
            .filter(|&i| f.is_empty() || self.entries[i].rel.to_lowercase().contains(&f))
            .collect();
        self.list.set_len(self.shown.len());
    }

    fn set_filter(&mut self, filter: String) {
        self.filter = filter;
        self.list.select(0);
        self.refilter();
    }

    fn open(&self, cx: &mut Ctx<'_>) {
        if let Some(e) = self.selected() {
            cx.command(Command::OpenPayload(e.path.clone()));
            cx.command(Command::Focus(Focus::Editor));
        }
    }
}

impl Component for PayloadsPane {
    fn handle_key(&mut self, key: KeyEvent, cx: &mut Ctx<'_>) -> Handled {
        match keys::action(Scope::Payloads, key) {
            Some(Action::Open) => self.open(cx),
            Some(Action::KillLine) => self.set_filter(String::new()),
            Some(Action::Cancel) if !self.filter.is_empty() => self.set_filter(String::new()),
            _ => match key.code {
                KeyCode::Backspace => {
                    let mut f = self.filter.clone();
                    f.pop();
                    self.set_filter(f);
                }
                KeyCode::Char(c)
                    if !key
                        .modifiers
                        .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
                {
                    let mut f = self.filter.clone();
                    f.push(c);
                    self.set_filter(f);
                }
                _ => {
                    return match keys::action(Scope::Sidebar, key) {
                        Some(a) if self.list.apply(a) => Handled::Consumed,
                        _ => Handled::NotConsumed,
                    }
                }
            },
        }
        Handled::Consumed
    }

    fn handle_mouse(&mut self, mouse: MouseEvent, cx: &mut Ctx<'_>) -> Handled {
        match mouse.kind {
            MouseEventKind::Down(MouseButton::Left) => {
                if let Some(n) = self.list.row_at(mouse.column, mouse.row) {
                    let again = n == self.list.selected();
                    self.list.select(n);
                    if again {
                        self.open(cx);
                    }
                    return Handled::Consumed;
                }
                Handled::NotConsumed
            }
            _ => Handled::NotConsumed,
        }
    }

    fn render(&self, area: Rect, buf: &mut Buffer, view: View<'_>) {
        let top = Rect { height: 1, ..area };
        let list = Rect {
            y: area.y + 1,
            height: area.height.saturating_sub(1),
            ..area
        };
        let filter = if self.filter.is_empty() {
            Line::styled("type to filter…", theme::dim())
        } else {
            Line::from(vec![
                Span::styled("filter: ", theme::dim()),
                Span::raw(self.filter.clone()),
            ])
        };
        line_at(buf, top, top.y, filter);
        if self.shown.is_empty() {
            let text = if self.entries.is_empty() {
                "no payloads found (--payloads DIR)"
            } else {
                "nothing matches the filter"
            };
            line_at(buf, list, list.y, Line::styled(text, theme::dim()));
            return;
        }
        let width = usize::from(area.width);
        self.list.render(list, buf, |n| {
            let e = &self.entries[self.shown[n]];
            let open = view.open == Some(e.path.as_path());
            let mark = if open { 2 } else { 0 };
            let (dir, name) = e.rel.rsplit_once('/').unwrap_or(("", &e.rel));
            let mut spans = Vec::new();
            let mut room = width.saturating_sub(mark);
            if !dir.is_empty() {
                // The name keeps its room; a long folder gives way first.
                let name_w = unicode_width::UnicodeWidthStr::width(name);
                let dir_room = room.saturating_sub(name_w + 1).min(room / 2);
                if dir_room > 1 {
                    let d = clip_left(&format!("{dir}/"), dir_room);
                    room -= unicode_width::UnicodeWidthStr::width(d.as_str()) + 1;
                    spans.push(Span::styled(format!("{d} "), theme::dim()));
                }
            }
            // Cut from the left so `.json` stays: a cut name never looks like another type.
            spans.push(Span::raw(clip_left(name, room)));
            if open {
                spans.push(Span::styled(" ✎", theme::warn()));
            }
            Line::from(spans)
        });
    }

    fn contains(&self, col: u16, row: u16) -> bool {
        self.list.contains(col, row)
    }

    fn hints(&self) -> String {
        keys::hints(&[Scope::Payloads, Scope::Sidebar])
    }
}
