//! The Payloads tab: the collection's files, each folder's in the order its flow runs them
//! (the step at the right edge), filtered as you type (the filter matches the folder
//! and name shown), Enter opens one; Alt+C, Alt+R, Alt+M, Delete and Alt+F duplicate,
//! rename, move and delete payloads (with their sidecars) and make folders.
//!
//! A long name is cut in its middle and keeps its extension, so a cut name never looks like
//! another file (`create-us…tch.json`, never `create-users-batch.js`).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::manage::Ask;
use super::{clip_left, line_at, Command, Component, Ctx, Handled, Level, View};
use crate::tui::app::Focus;
use crate::tui::keys::{self, Action, Scope};
use crate::tui::list::SelectList;
use crate::tui::message::Effect;
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
    /// A file to highlight once a scan lists it (a new name, a copy).
    pending: Option<std::path::PathBuf>,
}

impl PayloadsPane {
    /// Replaces the entries (a new scan of the collection), keeping the highlighted file
    /// highlighted when it is still there.
    pub fn set_entries(&mut self, entries: Vec<PayloadEntry>) {
        let keep = self.selected().map(|e| e.path.clone());
        self.entries = entries;
        self.list.select(0);
        self.refilter();
        if let Some(path) = keep {
            self.select_path(&path);
        }
        if let Some(path) = self.pending.take() {
            if self.entries.iter().any(|e| e.path == path) {
                if !self.filter.is_empty()
                    && !self.shown.iter().any(|&i| self.entries[i].path == path)
                {
                    self.set_filter(String::new());
                }
                self.select_path(&path);
            } else {
                self.pending = Some(path);
            }
        }
    }

    /// Highlights `path` now if it is listed, else once a scan lists it.
    pub fn select_when_listed(&mut self, path: std::path::PathBuf) {
        if self.entries.iter().any(|e| e.path == path) {
            self.pending = Some(path);
            let entries = std::mem::take(&mut self.entries);
            // The rows shown index the entries just taken away.
            self.shown.clear();
            self.set_entries(entries);
        } else {
            self.pending = Some(path);
        }
    }

    /// Highlights the row of `path`, if it is shown.
    pub fn select_path(&mut self, path: &std::path::Path) {
        if let Some(n) = self
            .shown
            .iter()
            .position(|&i| self.entries[i].path == path)
        {
            self.list.select(n);
        }
    }

    /// The folder of the highlighted entry, relative to the collection root.
    fn folder(&self) -> String {
        self.selected()
            .and_then(|e| e.rel.rsplit_once('/'))
            .map_or_else(String::new, |(d, _)| d.to_owned())
    }

    fn ask(&self, cx: &mut Ctx<'_>, ask: impl FnOnce(std::path::PathBuf) -> Ask) {
        match self.selected() {
            Some(e) => cx.command(Command::Ask(ask(e.path.clone()))),
            None => cx.say(crate::tui::app::Level::Warn, "no payload is highlighted"),
        }
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
            Some(Action::Duplicate) => self.ask(cx, Ask::Duplicate),
            Some(Action::Rename) => self.ask(cx, Ask::Rename),
            Some(Action::Move) => self.ask(cx, Ask::Move),
            Some(Action::Delete) => self.ask(cx, |path| Ask::Delete {
                path,
                losing: Vec::new(),
            }),
            Some(Action::NewFolder) => cx.command(Command::Ask(Ask::NewFolder)),
            Some(Action::NewHere) => cx.command(Command::PickOpIn(self.folder())),
            Some(Action::Rescan) => {
                cx.say(
                    Level::Info,
                    "the payload list is read again from the collection folder",
                );
                cx.effect(Effect::Rescan);
            }
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
            // The flow step goes at the right edge, so the folder and name read as a path.
            let step = e.flow.map(|s| format!(" {s}")).unwrap_or_default();
            let mut room = width.saturating_sub(mark + step.len());
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
            // Cut in the middle so `.json` stays: a cut name never looks like another type.
            let shown = elide_middle(name, room);
            let pad = room.saturating_sub(unicode_width::UnicodeWidthStr::width(shown.as_str()));
            spans.push(Span::raw(shown));
            if !step.is_empty() {
                spans.push(Span::styled(
                    format!("{}{step}", " ".repeat(pad)),
                    theme::dim(),
                ));
            }
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

impl PayloadsPane {
    /// The folder of the highlighted payload, to pre-fill a new folder or a move.
    pub fn highlighted_folder(&self) -> String {
        self.folder()
    }
}

/// Cuts `name` to `n` display columns in its middle, keeping its extension whole
/// (`create-us…tch.json`); a name that fits is unchanged.
pub fn elide_middle(name: &str, n: usize) -> String {
    use unicode_width::UnicodeWidthStr as _;
    if name.width() <= n {
        return name.to_owned();
    }
    let (stem, ext) = match name.rfind('.') {
        Some(i) if i > 0 => name.split_at(i),
        _ => (name, ""),
    };
    let room = n.saturating_sub(ext.width() + 1);
    if room < 2 {
        return clip_left(name, n);
    }
    let head_room = room - room / 3;
    let mut head = String::new();
    let mut w = 0;
    for ch in stem.chars() {
        let cw = unicode_width::UnicodeWidthChar::width(ch).unwrap_or(0);
        if w + cw > head_room {
            break;
        }
        w += cw;
        head.push(ch);
    }
    let mut tail: Vec<char> = Vec::new();
    let mut tw = 0;
    for ch in stem.chars().rev() {
        let cw = unicode_width::UnicodeWidthChar::width(ch).unwrap_or(0);
        if w + tw + cw > room {
            break;
        }
        tw += cw;
        tail.push(ch);
    }
    let tail: String = tail.into_iter().rev().collect();
    format!("{head}…{tail}{ext}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_names_keep_their_extension() {
        assert_eq!(
            elide_middle("create-users-batch.json", 30),
            "create-users-batch.json"
        );
        assert_eq!(
            elide_middle("create-users-batch.json", 16),
            "create-…tch.json"
        );
        assert_eq!(
            elide_middle("create-users-batch.json", 20),
            "create-use…atch.json"
        );
        assert_eq!(elide_middle("名前名前名前名前.json", 12), "名前…前.json");
    }

    #[test]
    fn selecting_a_listed_path_with_a_row_highlighted_does_not_panic() {
        let entry = |rel: &str| PayloadEntry {
            path: format!("payloads/{rel}").into(),
            rel: rel.to_owned(),
            ..PayloadEntry::default()
        };
        let mut pane = PayloadsPane::default();
        pane.set_entries(vec![entry("a.json"), entry("b.json")]);
        pane.list.select(1);
        pane.select_when_listed("payloads/a.json".into());
        assert_eq!(pane.selected().map(|e| e.rel.as_str()), Some("a.json"));
    }
}
