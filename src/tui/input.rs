//! Routing of keys, mouse and paste (gitui's order): the popup first; then the focused pane,
//! which answers `Consumed` or `NotConsumed`; then the global keys of the key table. Mouse
//! events go to the pane whose last drawn area holds the point. Part of the synchronous
//! update: nothing here does I/O.

use crossterm::event::{Event, KeyEvent, KeyEventKind, MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::Rect;

use super::app::{ctx, App, Focus, Level};
use super::components::popup::{Popup, PopupKind};
use super::components::{Component, Handled};
use super::keep::Next;
use super::keys::{self, Action, Scope};
use super::message::Effect;

impl App {
    /// Dispatches a terminal event.
    pub fn on_event(&mut self, event: &Event) {
        match event {
            Event::Key(key) if key.kind != KeyEventKind::Release => self.on_key(*key),
            Event::Mouse(mouse) => self.on_mouse(*mouse),
            Event::Paste(text) => self.on_paste(text),
            Event::Resize(w, h) => self.size = Rect::new(0, 0, *w, *h),
            _ => {}
        }
    }

    fn on_paste(&mut self, text: &str) {
        if self.popup.is_some() {
            return;
        }
        // A curl command pasted where there is nothing to edit becomes a new payload.
        if self.focus == Focus::Editor
            && (self.editor.path.is_none() || self.editor.text().trim().is_empty())
            && crate::curl::looks_like_curl(text)
        {
            self.say(Level::Info, "importing the pasted curl command…");
            self.effects.push(Effect::ImportCurl(text.to_owned()));
            return;
        }
        if self.focus == Focus::Editor && self.editor.path.is_some() && self.picker.is_none() {
            self.editor
                .insert(&text.replace("\r\n", "\n").replace('\r', "\n"));
            self.edited();
            return;
        }
        // Elsewhere a paste is typed, one key at a time (filters and prompts).
        for c in text.trim_end().chars() {
            self.on_key(KeyEvent::from(crossterm::event::KeyCode::Char(c)));
        }
    }

    fn on_key(&mut self, key: KeyEvent) {
        let global = keys::action(Scope::Global, key);
        // The questions about the edit (save, quit, outside changes) take their own keys.
        if self.keep_popup_key(key.code) {
            return;
        }
        if let Some(picker) = self.picker.as_mut() {
            let mut cx = ctx(&mut self.effects, &mut self.status);
            if picker.handle_key(key, &mut cx) == Handled::NotConsumed {
                self.picker = None;
            }
            return;
        }
        if let Some(popup) = self.popup.as_mut() {
            let mut cx = ctx(&mut self.effects, &mut self.status);
            let handled = popup.handle_key(key, &mut cx);
            let commands = std::mem::take(&mut cx.commands);
            if handled == Handled::NotConsumed {
                self.popup = None;
            }
            self.apply(commands);
            if handled == Handled::NotConsumed && global == Some(Action::Quit) {
                self.leave(Next::Quit);
            }
            return;
        }
        if global == Some(Action::Cancel) && self.sending.is_some() {
            self.cancel_send();
            return;
        }
        let mut cx = ctx(&mut self.effects, &mut self.status);
        let active = match (&mut self.sidecar, self.editing_sidecar) {
            (Some(s), true) => s,
            _ => &mut self.editor,
        };
        let pane: &mut dyn Component = match self.focus {
            Focus::Sidebar => &mut self.sidebar,
            Focus::Editor => active,
            Focus::Response => &mut self.response,
        };
        let handled = pane.handle_key(key, &mut cx);
        let commands = std::mem::take(&mut cx.commands);
        self.apply(commands);
        if handled == Handled::Consumed {
            return;
        }
        if let Some(action) = global {
            self.global(action);
        }
    }

    /// The actions of the global keys.
    fn global(&mut self, action: Action) {
        match action {
            Action::Send => self.send(),
            Action::NextPane => self.cycle_focus(true),
            Action::PrevPane => self.cycle_focus(false),
            Action::TabPayloads | Action::TabHistory | Action::TabTokens => {
                let tab = match action {
                    Action::TabPayloads => super::app::Tab::Payloads,
                    Action::TabHistory => super::app::Tab::History,
                    _ => super::app::Tab::Tokens,
                };
                let mut cx = ctx(&mut self.effects, &mut self.status);
                self.sidebar.show(tab, &mut cx);
                let commands = std::mem::take(&mut cx.commands);
                self.apply(commands);
                self.focus = Focus::Sidebar;
            }
            Action::Environments => {
                let current = self
                    .envs
                    .iter()
                    .position(|e| *e == self.env.name)
                    .unwrap_or(0);
                let mut list = super::list::SelectList::default();
                list.set_len(self.envs.len());
                list.select(current);
                self.popup = Some(Popup::new(PopupKind::Environments {
                    names: self.envs.clone(),
                    current: self.env.name.clone(),
                    list,
                }));
            }
            Action::Save => self.save(),
            Action::Docs => self.open_docs(),
            Action::Request => self.toggle_request(),
            Action::Variables => self.open_variables(),
            Action::Help => self.popup = Some(Popup::new(PopupKind::Help)),
            Action::NewFromOp => self.open_picker(),
            Action::Quit => self.leave(Next::Quit),
            _ => {}
        }
    }

    fn cycle_focus(&mut self, forward: bool) {
        const ORDER: [Focus; 3] = [Focus::Sidebar, Focus::Editor, Focus::Response];
        let i = ORDER.iter().position(|f| *f == self.focus).unwrap_or(0);
        self.focus = ORDER[if forward { (i + 1) % 3 } else { (i + 2) % 3 }];
    }

    fn on_mouse(&mut self, m: MouseEvent) {
        if self.picker.is_some() {
            return;
        }
        if let Some(popup) = self.popup.as_mut() {
            let mut cx = ctx(&mut self.effects, &mut self.status);
            if popup.handle_mouse(m, &mut cx) == Handled::NotConsumed
                && matches!(m.kind, MouseEventKind::Down(_))
            {
                self.popup = None;
            }
            return;
        }
        // The pane under the pointer, from the areas drawn last.
        let (col, row) = (m.column, m.row);
        let pane = if self.sidebar.contains(col, row) {
            Focus::Sidebar
        } else if self.active().contains(col, row) {
            Focus::Editor
        } else if self.response.contains(col, row) {
            Focus::Response
        } else {
            return;
        };
        if let MouseEventKind::Down(MouseButton::Left) = m.kind {
            self.focus = pane;
        }
        let mut cx = ctx(&mut self.effects, &mut self.status);
        let _ = match pane {
            Focus::Sidebar => self.sidebar.handle_mouse(m, &mut cx),
            Focus::Editor => match (&mut self.sidecar, self.editing_sidecar) {
                (Some(s), true) => s.handle_mouse(m, &mut cx),
                _ => self.editor.handle_mouse(m, &mut cx),
            },
            Focus::Response => self.response.handle_mouse(m, &mut cx),
        };
        let commands = std::mem::take(&mut cx.commands);
        self.apply(commands);
    }
}
