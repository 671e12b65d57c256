//! The left column: a tab bar over the Payloads, History and Tokens panes. It routes events
//! to the visible tab and switches tabs with ← → and clicks on the titles it drew.

use std::cell::Cell;

use crossterm::event::{KeyEvent, MouseButton, MouseEvent, MouseEventKind};
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::widgets::{Block, Borders, Widget};

use super::history::HistoryPane;
use super::payloads::PayloadsPane;
use super::tokens::TokensPane;
use super::{Command, Component, Ctx, Handled, View};
use crate::tui::keys::{self, Action, Scope};
use crate::tui::theme;

/// The sidebar's tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    /// The payload tree.
    Payloads,
    /// Recorded exchanges.
    History,
    /// Issued tokens.
    Tokens,
}

impl Tab {
    /// Tabs in display order.
    pub const ALL: [Tab; 3] = [Tab::Payloads, Tab::History, Tab::Tokens];

    /// Its title.
    pub fn title(self) -> &'static str {
        match self {
            Tab::Payloads => "Payloads",
            Tab::History => "History",
            Tab::Tokens => "Tokens",
        }
    }
}

/// The tab bar and the three panes.
#[derive(Debug)]
pub struct Sidebar {
    /// The visible tab.
    pub tab: Tab,
    /// The payload tree.
    pub payloads: PayloadsPane,
    /// The exchanges.
    pub history: HistoryPane,
    /// The tokens.
    pub tokens: TokensPane,
    area: Cell<Rect>,
    titles: Cell<[Rect; 3]>,
}

impl Default for Sidebar {
    fn default() -> Self {
        Self {
            tab: Tab::Payloads,
            payloads: PayloadsPane::default(),
            history: HistoryPane::default(),
            tokens: TokensPane::default(),
            area: Cell::new(Rect::default()),
            titles: Cell::new([Rect::default(); 3]),
        }
    }
}

impl Sidebar {
    /// Shows `tab`, asking for its rows to be re-read.
    pub fn show(&mut self, tab: Tab, cx: &mut Ctx<'_>) {
        self.tab = tab;
        if tab != Tab::Payloads {
            cx.command(Command::Refresh);
        }
    }

    fn pane(&self) -> &dyn Component {
        match self.tab {
            Tab::Payloads => &self.payloads,
            Tab::History => &self.history,
            Tab::Tokens => &self.tokens,
        }
    }

    fn pane_mut(&mut self) -> &mut dyn Component {
        match self.tab {
            Tab::Payloads => &mut self.payloads,
            Tab::History => &mut self.history,
            Tab::Tokens => &mut self.tokens,
        }
    }
}

impl Component for Sidebar {
    fn handle_key(&mut self, key: KeyEvent, cx: &mut Ctx<'_>) -> Handled {
        if self.pane_mut().handle_key(key, cx) == Handled::Consumed {
            return Handled::Consumed;
        }
        let i = Tab::ALL.iter().position(|t| *t == self.tab).unwrap_or(0);
        match keys::action(Scope::Sidebar, key) {
            Some(Action::NextTab) => self.show(Tab::ALL[(i + 1) % 3], cx),
            Some(Action::PrevTab) => self.show(Tab::ALL[(i + 2) % 3], cx),
            _ => return Handled::NotConsumed,
        }
        Handled::Consumed
    }

    fn handle_mouse(&mut self, mouse: MouseEvent, cx: &mut Ctx<'_>) -> Handled {
        let at = Position {
            x: mouse.column,
            y: mouse.row,
        };
        if let MouseEventKind::Down(MouseButton::Left) = mouse.kind {
            if let Some(i) = self.titles.get().iter().position(|r| r.contains(at)) {
                self.show(Tab::ALL[i], cx);
                return Handled::Consumed;
            }
        }
        if self.pane_mut().handle_mouse(mouse, cx) == Handled::Consumed {
            return Handled::Consumed;
        }
        let delta = match mouse.kind {
            MouseEventKind::ScrollDown => 3,
            MouseEventKind::ScrollUp => -3,
            _ => return Handled::NotConsumed,
        };
        match self.tab {
            Tab::Payloads => self.payloads.list.scroll(delta),
            Tab::History => self.history.list.scroll(delta),
            Tab::Tokens => self.tokens.list.scroll(delta),
        }
        Handled::Consumed
    }

    fn render(&self, area: Rect, buf: &mut Buffer, view: View<'_>) {
        self.area.set(area);
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme::border(view.focused));
        let inner = block.inner(area);
        block.render(area, buf);
        if inner.height == 0 {
            return;
        }
        let mut titles = [Rect::default(); 3];
        let mut x = inner.x;
        for (i, tab) in Tab::ALL.into_iter().enumerate() {
            let style = if tab == self.tab {
                Style::new().add_modifier(Modifier::BOLD | Modifier::REVERSED)
            } else {
                theme::dim()
            };
            let room = inner.right().saturating_sub(x);
            let w = u16::try_from(tab.title().len())
                .unwrap_or(u16::MAX)
                .min(room);
            buf.set_stringn(x, inner.y, tab.title(), usize::from(w), style);
            titles[i] = Rect::new(x, inner.y, w, 1);
            x = (x + w + 1).min(inner.right());
        }
        self.titles.set(titles);
        let rest = Rect {
            y: inner.y + 1,
            height: inner.height - 1,
            ..inner
        };
        self.pane().render(rest, buf, view);
    }

    fn contains(&self, col: u16, row: u16) -> bool {
        self.area.get().contains(Position { x: col, y: row })
    }

    fn hints(&self) -> String {
        self.pane().hints()
    }

    fn captures_input(&self) -> bool {
        self.pane().captures_input()
    }
}
