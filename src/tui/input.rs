//! Keys, mouse and paste: which pane an event belongs to and what it does there. Part of
//! the synchronous update; like it, nothing here does I/O.

use crossterm::event::{
    Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use ratatui::layout::Rect;

use super::app::{App, Focus, Level, Popup, Prompt, Tab};
use super::layout::{self, hit};
use super::message::Effect;

const WHEEL_LINES: isize = 3;

impl App {
    /// Dispatches a terminal event.
    pub fn on_event(&mut self, event: &Event) {
        match event {
            Event::Key(key) if key.kind != KeyEventKind::Release => self.on_key(*key),
            Event::Mouse(mouse) => self.on_mouse(*mouse),
            Event::Paste(text) => self.on_paste(text),
            Event::Resize(w, h) => {
                self.size = Rect::new(0, 0, *w, *h);
                self.sync_viewports();
            }
            _ => {}
        }
    }

    fn on_paste(&mut self, text: &str) {
        match &mut self.prompt {
            Some(Prompt::Search(q) | Prompt::TokenFilter(q)) => q.push_str(text.trim_end()),
            None if self.focus == Focus::Editor && self.popup.is_none() => {
                self.editor
                    .insert(&text.replace("\r\n", "\n").replace('\r', "\n"));
                self.edited();
                self.sync_viewports();
            }
            None => {}
        }
    }

    fn on_key(&mut self, key: KeyEvent) {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        if ctrl && key.code == KeyCode::Char('q') {
            self.quit = true;
            return;
        }
        if self.popup.is_some() {
            self.popup_key(key);
            return;
        }
        if self.prompt.is_some() {
            self.prompt_key(key);
            return;
        }
        if self.global_key(key) {
            return;
        }
        match self.focus {
            Focus::Sidebar => self.sidebar_key(key),
            Focus::Editor => self.editor_key(key),
            Focus::Response => self.response_key(key),
        }
        self.sync_viewports();
    }

    /// Keys that work in every pane; returns whether the key was one of them.
    fn global_key(&mut self, key: KeyEvent) -> bool {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let alt = key.modifiers.contains(KeyModifiers::ALT);
        let typing = self.focus == Focus::Editor
            || (self.focus == Focus::Sidebar && self.tab == Tab::Payloads);
        match key.code {
            KeyCode::F(1) => self.popup = Some(Popup::Help),
            KeyCode::Char('?') if !typing => self.popup = Some(Popup::Help),
            KeyCode::Tab => self.cycle_focus(true),
            KeyCode::BackTab => self.cycle_focus(false),
            KeyCode::F(5) => self.send(),
            KeyCode::Char('r') if ctrl => self.send(),
            KeyCode::Esc if self.sending.is_some() => self.cancel_send(),
            KeyCode::Char('e') if ctrl => {
                let current = self
                    .envs
                    .iter()
                    .position(|e| *e == self.env.name)
                    .unwrap_or(0);
                self.popup = Some(Popup::Environments(current));
            }
            KeyCode::Char('s') if ctrl => self.save(),
            KeyCode::Char('d') if ctrl => self.popup = Some(Popup::Docs),
            KeyCode::Char('t') if ctrl => match self.editor.path.clone() {
                Some(path) => self.effects.push(Effect::ResolveVars {
                    env: self.env.name.clone(),
                    path,
                    text: self.editor.text(),
                }),
                None => self.say(Level::Warn, "open a payload first"),
            },
            KeyCode::Char(c @ '1'..='3') if alt => {
                self.tab = Tab::ALL[usize::from(c as u8 - b'1')];
                self.focus = Focus::Sidebar;
                self.refresh_tab();
            }
            _ => return false,
        }
        self.sync_viewports();
        true
    }

    fn cycle_focus(&mut self, forward: bool) {
        const ORDER: [Focus; 3] = [Focus::Sidebar, Focus::Editor, Focus::Response];
        let i = ORDER.iter().position(|f| *f == self.focus).unwrap_or(0);
        self.focus = ORDER[if forward { (i + 1) % 3 } else { (i + 2) % 3 }];
    }

    fn refresh_tab(&mut self) {
        match self.tab {
            Tab::Payloads => {}
            Tab::History => self.effects.push(Effect::LoadHistory),
            Tab::Tokens => self.effects.push(Effect::LoadTokens),
        }
    }

    fn save(&mut self) {
        match self.editor.path.clone() {
            Some(path) => self.effects.push(Effect::Save {
                path,
                text: self.editor.text(),
            }),
            None => self.say(Level::Warn, "nothing to save: open a payload first"),
        }
    }

    fn popup_key(&mut self, key: KeyEvent) {
        let Some(popup) = self.popup.as_mut() else {
            return;
        };
        if let Popup::Environments(sel) = popup {
            match key.code {
                KeyCode::Up => *sel = sel.saturating_sub(1),
                KeyCode::Down => *sel = (*sel + 1).min(self.envs.len().saturating_sub(1)),
                KeyCode::Enter => {
                    if let Some(name) = self.envs.get(*sel).cloned() {
                        self.effects.push(Effect::SwitchEnv(name.clone()));
                        self.say(Level::Info, format!("environment: {name}"));
                    }
                    self.popup = None;
                }
                KeyCode::Esc => self.popup = None,
                _ => {}
            }
            return;
        }
        if matches!(
            key.code,
            KeyCode::Esc | KeyCode::Enter | KeyCode::Char('q' | '?') | KeyCode::F(1)
        ) {
            self.popup = None;
        }
    }

    fn prompt_key(&mut self, key: KeyEvent) {
        let Some(prompt) = self.prompt.as_mut() else {
            return;
        };
        let (Prompt::Search(q) | Prompt::TokenFilter(q)) = prompt;
        match key.code {
            KeyCode::Char(c) => q.push(c),
            KeyCode::Backspace => {
                q.pop();
            }
            KeyCode::Esc => {
                if matches!(prompt, Prompt::TokenFilter(_)) {
                    self.token_filter.clear();
                }
                self.prompt = None;
                return;
            }
            KeyCode::Enter => {
                let prompt = self.prompt.take();
                if let Some(Prompt::Search(q)) = prompt {
                    self.start_search(q);
                }
                return;
            }
            _ => {}
        }
        if let Some(Prompt::TokenFilter(q)) = &self.prompt {
            self.token_filter.clone_from(q);
            self.token_sel = 0;
        }
    }

    fn start_search(&mut self, query: String) {
        let Some(r) = self.response.as_mut() else {
            return;
        };
        if query.is_empty() {
            r.search = None;
            return;
        }
        r.begin_search(query.clone());
        self.effects.push(Effect::Search {
            id: r.id,
            body: r.body.clone(),
            query,
        });
    }

    fn sidebar_key(&mut self, key: KeyEvent) {
        let rows = usize::from(
            layout::sidebar_parts(self.areas().sidebar, self.tab == Tab::Tokens)
                .list
                .height,
        );
        let len = match self.tab {
            Tab::Payloads => self.filtered_payloads().len(),
            Tab::History => self.history.len(),
            Tab::Tokens => self.filtered_tokens().len(),
        };
        let sel = match self.tab {
            Tab::Payloads => &mut self.payload_sel,
            Tab::History => &mut self.history_sel,
            Tab::Tokens => &mut self.token_sel,
        };
        let last = len.saturating_sub(1);
        match key.code {
            KeyCode::Up => *sel = sel.saturating_sub(1),
            KeyCode::Down => *sel = (*sel + 1).min(last),
            KeyCode::PageUp => *sel = sel.saturating_sub(rows.max(1)),
            KeyCode::PageDown => *sel = (*sel + rows.max(1)).min(last),
            KeyCode::Home => *sel = 0,
            KeyCode::End => *sel = last,
            KeyCode::Left | KeyCode::Right => {
                let i = Tab::ALL.iter().position(|t| *t == self.tab).unwrap_or(0);
                let step = if key.code == KeyCode::Right { 1 } else { 2 };
                self.tab = Tab::ALL[(i + step) % 3];
                self.refresh_tab();
            }
            _ => match self.tab {
                Tab::Payloads => self.payloads_key(key),
                Tab::History => self.history_key(key),
                Tab::Tokens => self.tokens_key(key),
            },
        }
    }

    fn payloads_key(&mut self, key: KeyEvent) {
        match key.code {
            KeyCode::Enter => self.open_selected_payload(),
            KeyCode::Backspace => {
                self.payload_filter.pop();
                self.payload_sel = 0;
            }
            KeyCode::Esc => {
                self.payload_filter.clear();
                self.payload_sel = 0;
            }
            KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                self.payload_filter.push(c);
                self.payload_sel = 0;
            }
            _ => {}
        }
    }

    fn history_key(&mut self, key: KeyEvent) {
        let Some(row) = self.history.get(self.history_sel) else {
            return;
        };
        let id = row.id;
        match key.code {
            KeyCode::Enter => {
                self.effects.push(Effect::OpenExchange(id));
                self.focus = Focus::Response;
            }
            KeyCode::Char('r') => {
                if self.sending.is_some() {
                    self.say(Level::Warn, "a request is already running (Esc cancels it)");
                    return;
                }
                let send = self.fresh_id();
                self.sending = Some(super::app::InFlight {
                    id: send,
                    started: std::time::Instant::now(),
                });
                self.effects.push(Effect::Replay {
                    id: send,
                    exchange: id,
                    env: self.env.name.clone(),
                });
                self.say(Level::Info, format!("replaying #{id}… (Esc cancels)"));
            }
            KeyCode::Char('l') => {
                if self.opened_request.is_none() {
                    self.effects.push(Effect::OpenExchange(id));
                    self.say(Level::Info, "exchange opened; press l again to load it");
                } else {
                    self.load_opened_request();
                }
            }
            _ => {}
        }
    }

    fn tokens_key(&mut self, key: KeyEvent) {
        let Some(t) = self
            .filtered_tokens()
            .get(self.token_sel)
            .map(|t| (*t).clone())
        else {
            if key.code == KeyCode::Char('/') {
                self.prompt = Some(Prompt::TokenFilter(self.token_filter.clone()));
            }
            return;
        };
        match key.code {
            KeyCode::Char('/') => {
                self.prompt = Some(Prompt::TokenFilter(self.token_filter.clone()));
            }
            KeyCode::Enter | KeyCode::Char('v') if !self.revealed.remove(&t.id) => {
                self.revealed.insert(t.id);
            }
            KeyCode::Char('c' | 'y') => {
                self.effects.push(Effect::Copy(t.token.clone()));
                self.say(Level::Info, "token copied to the clipboard (OSC 52)");
            }
            KeyCode::Char('i') => {
                if self.editor.path.is_none() {
                    self.say(Level::Warn, "open a payload first");
                    return;
                }
                let name = format!("{{{{token:{}}}}}", t.id);
                self.editor.insert(&name);
                self.edited();
                self.focus = Focus::Editor;
                self.say(Level::Info, format!("inserted {name}"));
            }
            _ => {}
        }
    }

    fn editor_key(&mut self, key: KeyEvent) {
        if self.editor.path.is_none() {
            self.say(Level::Info, "open a payload from the Payloads tab first");
            return;
        }
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let changed = match key.code {
            KeyCode::Esc => {
                self.editor.area.cancel_selection();
                false
            }
            KeyCode::Char('z') if ctrl => self.editor.area.undo(),
            KeyCode::Char('y') if ctrl => self.editor.area.redo(),
            KeyCode::Char('c') if ctrl => {
                self.editor.area.copy();
                let text = self.editor.area.yank_text();
                if !text.is_empty() {
                    self.effects.push(Effect::Copy(text));
                }
                false
            }
            KeyCode::Char('x') if ctrl => {
                let cut = self.editor.area.cut();
                let text = self.editor.area.yank_text();
                if cut && !text.is_empty() {
                    self.effects.push(Effect::Copy(text));
                }
                cut
            }
            KeyCode::Char('v') if ctrl => self.editor.area.paste(),
            KeyCode::Char('a') if ctrl => {
                self.editor.area.select_all();
                false
            }
            _ => self.editor.area.input(key),
        };
        if changed {
            self.edited();
        }
    }

    fn response_key(&mut self, key: KeyEvent) {
        let Some(r) = self.response.as_mut() else {
            return;
        };
        let page = isize::try_from(r.viewport.max(2) - 1).unwrap_or(1);
        match key.code {
            KeyCode::Up | KeyCode::Char('k') => r.scroll_by(-1),
            KeyCode::Down | KeyCode::Char('j') => r.scroll_by(1),
            KeyCode::PageUp => r.scroll_by(-page),
            KeyCode::PageDown | KeyCode::Char(' ') => r.scroll_by(page),
            KeyCode::Home | KeyCode::Char('g') => r.scroll_to(0),
            KeyCode::End | KeyCode::Char('G') => r.scroll_to(usize::MAX),
            KeyCode::Left => r.hscroll = r.hscroll.saturating_sub(8),
            KeyCode::Right => r.hscroll += 8,
            KeyCode::Char('n') => r.next_match(true),
            KeyCode::Char('N') => r.next_match(false),
            KeyCode::Char('h') => r.show_headers = !r.show_headers,
            KeyCode::Char('/') => {
                let q = r
                    .search
                    .as_ref()
                    .map(|s| s.query.clone())
                    .unwrap_or_default();
                self.prompt = Some(Prompt::Search(q));
            }
            KeyCode::Char('y' | 'c') => {
                let text = String::from_utf8_lossy(&r.body).into_owned();
                self.effects.push(Effect::Copy(text));
                self.say(Level::Info, "body copied to the clipboard (OSC 52)");
            }
            _ => {}
        }
    }

    fn on_mouse(&mut self, m: MouseEvent) {
        if self.popup.is_some() {
            if matches!(m.kind, MouseEventKind::Down(_)) {
                self.popup = None;
            }
            return;
        }
        let a = self.areas();
        let (col, row) = (m.column, m.row);
        let pane = if hit(a.sidebar, col, row) {
            Focus::Sidebar
        } else if hit(a.editor, col, row) {
            Focus::Editor
        } else if hit(a.response, col, row) {
            Focus::Response
        } else {
            return;
        };
        match m.kind {
            MouseEventKind::Down(MouseButton::Left) => {
                self.focus = pane;
                self.click(pane, col, row);
            }
            MouseEventKind::ScrollDown | MouseEventKind::ScrollUp => {
                let delta = if m.kind == MouseEventKind::ScrollDown {
                    WHEEL_LINES
                } else {
                    -WHEEL_LINES
                };
                self.wheel(pane, delta);
            }
            _ => {}
        }
        self.sync_viewports();
    }

    fn click(&mut self, pane: Focus, col: u16, row: u16) {
        let a = self.areas();
        match pane {
            Focus::Sidebar => {
                let parts = layout::sidebar_parts(a.sidebar, self.tab == Tab::Tokens);
                if hit(parts.tabs, col, row) {
                    let mut x = parts.tabs.x;
                    for tab in Tab::ALL {
                        let w = u16::try_from(tab.title().len() + 1).unwrap_or(u16::MAX);
                        if col < x + w {
                            self.tab = tab;
                            self.refresh_tab();
                            self.sync_viewports();
                            return;
                        }
                        x += w;
                    }
                } else if hit(parts.list, col, row) {
                    let rows = usize::from(parts.list.height);
                    let sel = match self.tab {
                        Tab::Payloads => self.payload_sel,
                        Tab::History => self.history_sel,
                        Tab::Tokens => self.token_sel,
                    };
                    let target = layout::list_offset(sel, rows) + usize::from(row - parts.list.y);
                    let len = match self.tab {
                        Tab::Payloads => self.filtered_payloads().len(),
                        Tab::History => self.history.len(),
                        Tab::Tokens => self.filtered_tokens().len(),
                    };
                    if target >= len {
                        return;
                    }
                    match self.tab {
                        Tab::Payloads => {
                            let again = target == self.payload_sel;
                            self.payload_sel = target;
                            if again {
                                self.open_selected_payload();
                            }
                        }
                        Tab::History => self.history_sel = target,
                        Tab::Tokens => self.token_sel = target,
                    }
                }
            }
            Focus::Editor => {
                if self.editor.path.is_none() {
                    return;
                }
                let gutter = 5;
                let r = usize::from(row.saturating_sub(a.editor.y + 1)) + self.editor.top;
                let c = usize::from(col.saturating_sub(a.editor.x + 1 + gutter)) + self.editor.left;
                self.editor.jump(r, c);
            }
            Focus::Response => {}
        }
    }

    fn wheel(&mut self, pane: Focus, delta: isize) {
        match pane {
            Focus::Response => {
                if let Some(r) = self.response.as_mut() {
                    r.scroll_by(delta);
                }
            }
            Focus::Editor => {
                let (row, _) = self.editor.area.cursor();
                let target = row.saturating_add_signed(delta);
                self.editor.jump(target, 0);
            }
            Focus::Sidebar => {
                let len = match self.tab {
                    Tab::Payloads => self.filtered_payloads().len(),
                    Tab::History => self.history.len(),
                    Tab::Tokens => self.filtered_tokens().len(),
                };
                let sel = match self.tab {
                    Tab::Payloads => &mut self.payload_sel,
                    Tab::History => &mut self.history_sel,
                    Tab::Tokens => &mut self.token_sel,
                };
                *sel = sel.saturating_add_signed(delta).min(len.saturating_sub(1));
            }
        }
    }
}
