//! The History tab: recorded exchanges, newest first, in columns that never spill into one
//! another. Enter opens one, `r` replays it, `l` loads its request into the editor.

use crossterm::event::{KeyEvent, MouseButton, MouseEvent, MouseEventKind};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::{cell, clip_left, line_at, Command, Component, Ctx, Handled, View};
use crate::clock::Clock;
use crate::tui::app::Focus;
use crate::tui::keys::{self, Action, Scope};
use crate::tui::list::SelectList;
use crate::tui::model::HistoryRow;
use crate::tui::theme;

/// Column widths: id, time, status, milliseconds, environment.
const COLS: [usize; 5] = [6, 11, 4, 6, 10];

/// The exchanges, the selection and the zone their times are shown in.
#[derive(Debug, Default)]
pub struct HistoryPane {
    rows: Vec<HistoryRow>,
    /// The selection.
    pub list: SelectList,
    /// Times are shown in this zone (the system's), named in the column header.
    pub clock: Clock,
}

impl HistoryPane {
    /// Replaces the rows (a re-read of the store).
    pub fn set_rows(&mut self, rows: Vec<HistoryRow>) {
        self.rows = rows;
        self.list.set_len(self.rows.len());
    }

    /// The rows, newest first.
    pub fn rows(&self) -> &[HistoryRow] {
        &self.rows
    }

    /// The highlighted row.
    pub fn selected(&self) -> Option<&HistoryRow> {
        self.rows.get(self.list.selected())
    }
}

impl Component for HistoryPane {
    fn handle_key(&mut self, key: KeyEvent, cx: &mut Ctx<'_>) -> Handled {
        let action =
            keys::action(Scope::History, key).or_else(|| keys::action(Scope::Sidebar, key));
        let Some(action) = action else {
            return Handled::NotConsumed;
        };
        if self.list.apply(action) {
            return Handled::Consumed;
        }
        let Some(id) = self.selected().map(|r| r.id) else {
            return Handled::NotConsumed;
        };
        match action {
            Action::Open => {
                cx.command(Command::OpenExchange(id));
                cx.command(Command::Focus(Focus::Response));
            }
            Action::Replay => cx.command(Command::Replay(id)),
            Action::LoadRequest => cx.command(Command::LoadRequest(id)),
            _ => return Handled::NotConsumed,
        }
        Handled::Consumed
    }

    fn handle_mouse(&mut self, mouse: MouseEvent, _cx: &mut Ctx<'_>) -> Handled {
        if let MouseEventKind::Down(MouseButton::Left) = mouse.kind {
            if let Some(n) = self.list.row_at(mouse.column, mouse.row) {
                self.list.select(n);
                return Handled::Consumed;
            }
        }
        Handled::NotConsumed
    }

    fn render(&self, area: Rect, buf: &mut Buffer, view: View<'_>) {
        let top = Rect { height: 1, ..area };
        let list = Rect {
            y: area.y + 1,
            height: area.height.saturating_sub(1),
            ..area
        };
        let [id_w, when_w, st_w, ms_w, env_w] = COLS;
        line_at(
            buf,
            top,
            top.y,
            Line::styled(
                format!(
                    "{} {} {} {} {} payload",
                    cell("#", id_w),
                    cell(
                        &format!("when ({})", self.clock.zone_name(view.now)),
                        when_w
                    ),
                    cell("st", st_w),
                    " ".repeat(ms_w - 2) + "ms",
                    cell("env", env_w),
                ),
                theme::dim(),
            ),
        );
        if self.rows.is_empty() {
            line_at(
                buf,
                list,
                list.y,
                Line::styled("nothing sent yet", theme::dim()),
            );
            return;
        }
        let fixed: usize = COLS.iter().sum::<usize>() + COLS.len();
        let payload_w = usize::from(area.width).saturating_sub(fixed).max(8);
        self.list.render(list, buf, |n| {
            let h = &self.rows[n];
            let status = h.status.map_or_else(
                || Span::styled(cell("err", st_w), theme::error()),
                |s| {
                    // An API that said no inside a 200 (mesibo `"result": false`) is a failure.
                    let style = if h.refused {
                        theme::error()
                    } else {
                        theme::status(s)
                    };
                    Span::styled(cell(&s.to_string(), st_w), style)
                },
            );
            let ms = if h.duration_ms > 999_999 {
                format!("{:>ms_w$}", format!("{}s", h.duration_ms / 1000))
            } else {
                format!("{:>ms_w$}", h.duration_ms)
            };
            Line::from(vec![
                Span::raw(format!(
                    "{} {} ",
                    cell(&h.id.to_string(), id_w),
                    cell(&self.clock.when(h.at, view.now), when_w)
                )),
                status,
                Span::raw(format!(
                    " {} {} {}",
                    cell(&ms, ms_w),
                    cell(&h.env, env_w),
                    clip_left(&h.payload, payload_w)
                )),
            ])
        });
    }

    fn contains(&self, col: u16, row: u16) -> bool {
        self.list.contains(col, row)
    }

    fn hints(&self) -> String {
        keys::hints(&[Scope::History, Scope::Sidebar])
    }
}
