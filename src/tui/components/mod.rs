//! The panes as components (gitui's `Component`, the ratatui component template): each owns
//! its state, handles the keys and mouse events meant for it (answering [`Handled`]), draws
//! itself and names its key hints (read from the one key table, [`crate::tui::keys`]).
//!
//! A component reaches outside itself only through [`Ctx`]: effects for the driver, the
//! status line, and [`Command`]s the app carries out across panes (open a payload, insert a
//! token reference into the editor). Rendering takes `&self`; the only thing it writes is
//! the areas it drew (in `Cell`s), which the mouse handlers then hit-test against.

pub mod editor;
pub mod history;
pub mod manage;
pub mod payloads;
pub mod picker;
pub mod popup;
pub mod response;
pub mod sidebar;
pub mod tokens;
pub mod variables;
pub mod workbench;

use std::path::{Path, PathBuf};

use crossterm::event::{KeyEvent, MouseEvent};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;

use super::app::{Focus, Level};
use super::message::Effect;

/// Whether a component used an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handled {
    /// It did; nobody else sees the event.
    Consumed,
    /// It did not; the app offers it to the global keys.
    NotConsumed,
}

/// Something a component asks of the app because it spans panes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Move the focus.
    Focus(Focus),
    /// Open a payload file in the editor.
    OpenPayload(PathBuf),
    /// Show a recorded exchange in the response pane.
    OpenExchange(i64),
    /// Make the editor's request a curl command for the clipboard.
    ExportCurl,
    /// Send a recorded exchange again.
    Replay(i64),
    /// Load a recorded exchange's request into the editor.
    LoadRequest(i64),
    /// Insert text at the editor's cursor.
    InsertInEditor(String),
    /// Switch to an environment.
    SwitchEnv(String),
    /// The History or Tokens list is shown: re-read it.
    Refresh,
    /// The editor text changed (validate, write a draft).
    Edited,
    /// Ask a question about the collection (a name, a folder, a delete).
    Ask(manage::Ask),
    /// Change the collection's files.
    Manage(manage::FileOp),
    /// Open the operation picker for a new payload in this folder (relative to the
    /// collection root; empty for the root).
    PickOpIn(String),
    /// Keep a value for a variable for the rest of the session (memory only).
    SetSessionValue {
        /// The variable.
        name: String,
        /// Its value as typed.
        value: String,
    },
}

/// What a component can touch outside itself while handling an event.
#[derive(Debug)]
pub struct Ctx<'a> {
    /// Work for the driver.
    pub effects: &'a mut Vec<Effect>,
    /// The status line.
    pub status: &'a mut Option<(Level, String)>,
    /// Cross-pane requests, carried out by the app after the component returns.
    pub commands: Vec<Command>,
}

impl Ctx<'_> {
    /// Sets the status line.
    pub fn say(&mut self, level: Level, text: impl Into<String>) {
        *self.status = Some((level, text.into()));
    }

    /// Queues work for the driver.
    pub fn effect(&mut self, effect: Effect) {
        self.effects.push(effect);
    }

    /// Asks the app for something that spans panes.
    pub fn command(&mut self, command: Command) {
        self.commands.push(command);
    }
}

/// What a component may read from the rest of the app while drawing.
#[derive(Debug, Clone, Copy)]
pub struct View<'a> {
    /// Whether it has the keys (and no popup covers it).
    pub focused: bool,
    /// Unix seconds now.
    pub now: i64,
    /// Whether a request is in flight.
    pub sending: bool,
    /// The payload open in the editor.
    pub open: Option<&'a Path>,
}

/// A pane.
pub trait Component {
    /// Handles a key meant for this pane.
    fn handle_key(&mut self, key: KeyEvent, cx: &mut Ctx<'_>) -> Handled;
    /// Handles a mouse event inside the area this pane drew last.
    fn handle_mouse(&mut self, mouse: MouseEvent, cx: &mut Ctx<'_>) -> Handled;
    /// Draws the pane and records where.
    fn render(&self, area: Rect, buf: &mut Buffer, view: View<'_>);
    /// Whether a screen point lies in the area drawn last.
    fn contains(&self, col: u16, row: u16) -> bool;
    /// The footer's key hints while this pane has the focus.
    fn hints(&self) -> String;
    /// Whether it is taking typed text (a prompt is open), so global keys wait.
    fn captures_input(&self) -> bool {
        false
    }
}

/// Writes `line` on row `y` of `area`, clipped to its width.
#[allow(clippy::needless_pass_by_value)] // call sites build the line inline
pub fn line_at(buf: &mut Buffer, area: Rect, y: u16, line: Line<'_>) {
    if y < area.y || y >= area.y + area.height || area.width == 0 {
        return;
    }
    buf.set_line(area.x, y, &line, area.width);
}

/// Cuts `s` to `n` display columns, ending with `…` when cut.
pub fn clip(s: &str, n: usize) -> String {
    use unicode_width::UnicodeWidthStr as _;
    if s.width() <= n {
        return s.to_owned();
    }
    let mut out = String::new();
    let mut w = 0;
    for ch in s.chars() {
        let cw = unicode_width::UnicodeWidthChar::width(ch).unwrap_or(0);
        if w + cw + 1 > n {
            break;
        }
        w += cw;
        out.push(ch);
    }
    out.push('…');
    out
}

/// Cuts `s` to `n` display columns from the left, starting with `…` when cut (paths keep
/// their file name).
pub fn clip_left(s: &str, n: usize) -> String {
    use unicode_width::UnicodeWidthStr as _;
    if s.width() <= n {
        return s.to_owned();
    }
    let mut kept: Vec<char> = Vec::new();
    let mut w = 0;
    for ch in s.chars().rev() {
        let cw = unicode_width::UnicodeWidthChar::width(ch).unwrap_or(0);
        if w + cw + 1 > n {
            break;
        }
        w += cw;
        kept.push(ch);
    }
    let mut out = String::from("…");
    out.extend(kept.into_iter().rev());
    out
}

/// Rows `lines` take when word-wrapped to `width` (word wrapping can need a row more than
/// the plain division says, so a long line counts one extra).
pub fn wrapped_rows(lines: &[Line<'_>], width: usize) -> usize {
    let width = width.max(1);
    lines
        .iter()
        .map(|l| {
            let w = l.width();
            w.div_ceil(width).max(1) + usize::from(w > width)
        })
        .sum()
}

/// Pads or clips `s` to exactly `n` display columns.
pub fn cell(s: &str, n: usize) -> String {
    use unicode_width::UnicodeWidthStr as _;
    let mut out = clip(s, n);
    let w = out.width();
    out.extend(std::iter::repeat_n(' ', n.saturating_sub(w)));
    out
}

/// Largest text sent through OSC 52: the whole sequence stays within 100,000 bytes, hterm's
/// cap (chromium hterm `etc/osc52.sh`); kitty (kitty issue #3031) and Termux (termux-app
/// issue #5324) cut far lower, so a copy can still fail there without a word.
pub const OSC52_MAX_TEXT: usize = (100_000 - "\x1b]52;c;\x07".len()) / 4 * 3;

/// Copies `text` through OSC 52, or says it is too large and how to write it to a file.
pub fn copy(cx: &mut Ctx<'_>, text: String, what: &str, file_hint: Option<&str>) {
    if text.len() > OSC52_MAX_TEXT {
        let size = crate::http::human_size(text.len());
        let alt = file_hint.map_or_else(String::new, |h| format!("; {h}"));
        cx.say(
            Level::Warn,
            format!("not copied: {what} ({size}) is over the 74,994 bytes OSC 52 can carry{alt}"),
        );
        return;
    }
    cx.effect(Effect::Copy(text));
    cx.say(
        Level::Info,
        format!("{what} copied to the clipboard (OSC 52)"),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clipping_counts_display_columns() {
        assert_eq!(clip("create-users-batch.json", 12), "create-user…");
        assert_eq!(
            clip_left("payloads/agora/create-users-batch.json", 16),
            "…sers-batch.json"
        );
        assert_eq!(cell("名前", 6), "名前  ");
        assert_eq!(cell("abcdef", 4), "abc…");
    }
}
