//! The Tokens tab: issued tokens with their time left counting down, masked until revealed,
//! a `/` filter, and the selected token's decoded claims in a panel that scrolls.

use std::cell::Cell;
use std::collections::HashSet;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget, Wrap};

use super::workbench::{jwt_header, CredentialDefault, Inspected, Mode, Workbench};
use super::{cell, line_at, wrapped_rows, Command, Component, Ctx, Handled, View};
use crate::clock::{countdown, span};
use crate::secret::mask;
use crate::tui::app::Level;
use crate::tui::keys::{self, Action, Scope};
use crate::tui::list::SelectList;
use crate::tui::model::TokenRow;
use crate::tui::theme;

/// The tokens, the filter and what is revealed.
#[derive(Debug, Default)]
pub struct TokensPane {
    rows: Vec<TokenRow>,
    filter: String,
    /// The `/` prompt's text while it is open.
    prompt: Option<String>,
    /// Indices into `rows` of the rows shown.
    shown: Vec<usize>,
    /// The selection among the rows shown.
    pub list: SelectList,
    /// Tokens shown in clear.
    pub revealed: HashSet<i64>,
    /// How far the claims panel is scrolled.
    claims_scroll: u16,
    /// The claims panel drawn last, and how far it can scroll.
    details: Cell<Rect>,
    claims_max: Cell<u16>,
    /// The workbench (decode a pasted token, mint one), while open.
    pub workbench: Option<Workbench>,
}

impl TokensPane {
    /// Replaces the rows (a re-read of the store).
    pub fn set_rows(&mut self, rows: Vec<TokenRow>) {
        self.rows = rows;
        self.refilter();
    }

    /// The tokens matching the filter (subject or format).
    pub fn filtered(&self) -> Vec<&TokenRow> {
        self.shown.iter().map(|&i| &self.rows[i]).collect()
    }

    /// The highlighted token.
    pub fn selected(&self) -> Option<&TokenRow> {
        self.shown.get(self.list.selected()).map(|&i| &self.rows[i])
    }

    fn refilter(&mut self) {
        let f = self.filter.to_lowercase();
        self.shown = (0..self.rows.len())
            .filter(|&i| {
                let t = &self.rows[i];
                f.is_empty()
                    || t.format.to_lowercase().contains(&f)
                    || t.subject
                        .as_deref()
                        .is_some_and(|s| s.to_lowercase().contains(&f))
            })
            .collect();
        self.list.set_len(self.shown.len());
    }

    /// A workbench decode or mint answered.
    pub fn workbench_answered(
        &mut self,
        result: Result<Inspected, crate::tui::errors::TokenError>,
    ) {
        if let Some(w) = self.workbench.as_mut() {
            w.answered(result);
        }
    }

    /// The environment's credentials for the mint form arrived.
    pub fn workbench_defaults(&mut self, env: String, defaults: Vec<CredentialDefault>) {
        if let Some(w) = self.workbench.as_mut() {
            w.set_defaults(env, defaults);
        }
    }

    fn set_filter(&mut self, f: String) {
        self.filter = f;
        self.list.select(0);
        self.claims_scroll = 0;
        self.refilter();
    }

    fn scroll_claims(&mut self, delta: i32) {
        let max = i32::from(self.claims_max.get());
        let next = (i32::from(self.claims_scroll) + delta).clamp(0, max);
        self.claims_scroll = u16::try_from(next).unwrap_or(0);
    }

    fn prompt_key(&mut self, key: KeyEvent) {
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
            KeyCode::Esc => {
                self.prompt = None;
                self.set_filter(String::new());
                return;
            }
            KeyCode::Enter => {
                self.prompt = None;
                return;
            }
            _ => return,
        }
        let q = q.clone();
        self.set_filter(q);
    }
}

impl Component for TokensPane {
    fn handle_key(&mut self, key: KeyEvent, cx: &mut Ctx<'_>) -> Handled {
        if let Some(w) = self.workbench.as_mut() {
            if !w.handle_key(key, cx) {
                self.workbench = None;
            }
            return Handled::Consumed;
        }
        if self.prompt.is_some() {
            self.prompt_key(key);
            return Handled::Consumed;
        }
        let action = keys::action(Scope::Tokens, key).or_else(|| keys::action(Scope::Sidebar, key));
        let Some(action) = action else {
            return Handled::NotConsumed;
        };
        let before = self.list.selected();
        if self.list.apply(action) {
            if self.list.selected() != before {
                self.claims_scroll = 0;
            }
            return Handled::Consumed;
        }
        match action {
            Action::Find => {
                // The prompt starts from the filter in force: it edits it, it does not stack.
                self.prompt = Some(self.filter.clone());
                return Handled::Consumed;
            }
            Action::DetailsUp => self.scroll_claims(-1),
            Action::DetailsDown => self.scroll_claims(1),
            Action::DecodeToken => {
                self.workbench = Some(Workbench::new(Mode::Decode));
                return Handled::Consumed;
            }
            Action::MintToken => {
                self.workbench = Some(Workbench::new(Mode::Mint));
                cx.effect(crate::tui::message::Effect::LoadCredentials);
                return Handled::Consumed;
            }
            _ => {}
        }
        let Some(t) = self.selected().cloned() else {
            return Handled::NotConsumed;
        };
        match action {
            Action::Reveal => {
                if !self.revealed.remove(&t.id) {
                    self.revealed.insert(t.id);
                }
            }
            Action::Copy => {
                cx.effect(crate::tui::message::Effect::Copy(t.token.clone()));
                cx.say(Level::Info, "token copied to the clipboard (OSC 52)");
            }
            Action::InsertToken => {
                cx.command(Command::InsertInEditor(format!("{{{{token:{}}}}}", t.id)));
            }
            Action::DetailsUp | Action::DetailsDown => {}
            _ => return Handled::NotConsumed,
        }
        Handled::Consumed
    }

    fn handle_mouse(&mut self, mouse: MouseEvent, _cx: &mut Ctx<'_>) -> Handled {
        let over_details = self.details.get().contains(Position {
            x: mouse.column,
            y: mouse.row,
        });
        match mouse.kind {
            MouseEventKind::ScrollDown if over_details => self.scroll_claims(3),
            MouseEventKind::ScrollUp if over_details => self.scroll_claims(-3),
            MouseEventKind::Down(MouseButton::Left) => {
                let Some(n) = self.list.row_at(mouse.column, mouse.row) else {
                    return Handled::NotConsumed;
                };
                if n != self.list.selected() {
                    self.claims_scroll = 0;
                }
                self.list.select(n);
            }
            _ => return Handled::NotConsumed,
        }
        Handled::Consumed
    }

    fn render(&self, area: Rect, buf: &mut Buffer, view: View<'_>) {
        let rest = area.height.saturating_sub(1);
        let details_h = rest * 2 / 5;
        let top = Rect { height: 1, ..area };
        let list = Rect {
            y: area.y + 1,
            height: rest - details_h,
            ..area
        };
        let details = Rect {
            y: list.y + list.height,
            height: details_h,
            ..area
        };
        let header = match &self.prompt {
            Some(q) => Line::from(vec![
                Span::styled("/", theme::warn()),
                Span::raw(q.clone()),
                Span::styled("▏", theme::warn()),
            ]),
            None if !self.filter.is_empty() => Line::styled(
                format!("filter: {}  (/ to change)", self.filter),
                theme::dim(),
            ),
            None => Line::styled(
                format!(
                    "{} {} {} {} {} token",
                    cell("format", 11),
                    cell("subject", 20),
                    cell("app", 18),
                    cell("issued", 11),
                    cell("time left", 16)
                ),
                theme::dim(),
            ),
        };
        if let Some(w) = &self.workbench {
            self.details.set(Rect::default());
            w.render(
                Rect {
                    y: area.y,
                    height: area.height,
                    ..area
                },
                buf,
                view.now,
            );
            return;
        }
        line_at(buf, top, top.y, header);
        if self.shown.is_empty() {
            self.details.set(Rect::default());
            let text = if self.rows.is_empty() {
                "no tokens yet: send a payload that issues one"
            } else {
                "no token matches the filter"
            };
            line_at(buf, list, list.y, Line::styled(text, theme::dim()));
            return;
        }
        self.list.render(list, buf, |n| {
            let t = &self.rows[self.shown[n]];
            let left = match t.seconds_left(view.now) {
                Some(s) if s > 0 => Span::raw(cell(&countdown(s), 16)),
                Some(_) => Span::styled(cell("expired", 16), theme::error()),
                None => Span::styled(cell("no expiry", 16), theme::dim()),
            };
            let shown = if self.revealed.contains(&t.id) {
                t.token.clone()
            } else {
                mask(&t.token)
            };
            let issued = t
                .issued_at
                .map_or_else(|| "-".to_owned(), |i| format!("{} ago", span(view.now - i)));
            Line::from(vec![
                Span::raw(format!(
                    "{} {} {} {} ",
                    cell(&t.format, 11),
                    cell(t.subject.as_deref().unwrap_or("-"), 20),
                    cell(t.app.as_deref().unwrap_or("-"), 18),
                    cell(&issued, 11),
                )),
                left,
                Span::raw(" "),
                Span::raw(shown),
            ])
        });
        self.render_claims(details, buf);
    }

    fn contains(&self, col: u16, row: u16) -> bool {
        self.list.contains(col, row) || self.details.get().contains(Position { x: col, y: row })
    }

    fn hints(&self) -> String {
        if self.workbench.is_some() {
            return "Enter:go Esc:close PgUp/PgDn:scroll".to_owned();
        }
        keys::hints(&[Scope::Tokens, Scope::Sidebar])
    }

    fn captures_input(&self) -> bool {
        self.prompt.is_some() || self.workbench.is_some()
    }
}

impl TokensPane {
    fn render_claims(&self, area: Rect, buf: &mut Buffer) {
        self.details.set(area);
        let Some(t) = self.selected() else {
            return;
        };
        let claims = serde_json::to_string_pretty(&t.claims).unwrap_or_default();
        let shown = if self.revealed.contains(&t.id) {
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
                format!("decoded claims ({})  J/K scroll", t.format),
                Style::new().add_modifier(Modifier::BOLD),
            ),
        ];
        if let Some(header) = jwt_header(&t.token) {
            lines.push(Line::styled(
                "JWT header",
                Style::new().add_modifier(Modifier::BOLD),
            ));
            let text = serde_json::to_string_pretty(&header).unwrap_or_default();
            lines.extend(text.lines().map(|l| Line::raw(l.to_owned())));
            lines.push(Line::styled(
                "claims",
                Style::new().add_modifier(Modifier::BOLD),
            ));
        }
        lines.extend(claims.lines().map(|l| Line::raw(l.to_owned())));
        let inner_w = usize::from(area.width).max(1);
        let rows = wrapped_rows(&lines, inner_w);
        let visible = usize::from(area.height.saturating_sub(1));
        let max = u16::try_from(rows.saturating_sub(visible)).unwrap_or(u16::MAX);
        self.claims_max.set(max);
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((self.claims_scroll.min(max), 0))
            .block(
                Block::default()
                    .borders(Borders::TOP)
                    .border_style(theme::dim()),
            )
            .render(area, buf);
    }
}
