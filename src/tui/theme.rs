//! Colours and text styles, in one place so every pane agrees.

use ratatui::style::{Color, Modifier, Style};

use crate::tui::bigjson::TokenKind;
use crate::tui::jsonlex::EditKind;

/// Style of a JSON token.
pub fn token(kind: TokenKind) -> Style {
    match kind {
        TokenKind::Key => Style::new().fg(Color::Cyan),
        TokenKind::String => Style::new().fg(Color::Green),
        TokenKind::Number => Style::new().fg(Color::Yellow),
        TokenKind::Bool => Style::new().fg(Color::Magenta),
        TokenKind::Null => Style::new().fg(Color::DarkGray),
        TokenKind::Punct => Style::new(),
    }
}

/// Style of a piece of editor text.
pub fn edit(kind: EditKind) -> Style {
    match kind {
        EditKind::Json(k) => token(k),
        EditKind::Variable => Style::new()
            .fg(Color::LightMagenta)
            .add_modifier(Modifier::BOLD | Modifier::ITALIC),
        EditKind::Plain => Style::new().fg(Color::Red),
    }
}

/// Border of a pane, brighter when focused.
pub fn border(focused: bool) -> Style {
    if focused {
        Style::new()
            .fg(Color::LightBlue)
            .add_modifier(Modifier::BOLD)
    } else {
        Style::new().fg(Color::DarkGray)
    }
}

/// A highlighted list row.
pub fn selected() -> Style {
    Style::new().bg(Color::Blue).fg(Color::White)
}

/// Search matches.
pub fn search_hit(current: bool) -> Style {
    if current {
        Style::new().bg(Color::Yellow).fg(Color::Black)
    } else {
        Style::new().bg(Color::DarkGray).fg(Color::White)
    }
}

/// The spot of a JSON error.
pub fn error_spot() -> Style {
    Style::new()
        .bg(Color::Red)
        .fg(Color::White)
        .add_modifier(Modifier::BOLD)
}

/// Error text.
pub fn error() -> Style {
    Style::new().fg(Color::LightRed)
}

/// Warning text.
pub fn warn() -> Style {
    Style::new().fg(Color::Yellow)
}

/// Quiet text: hints, secondary columns.
pub fn dim() -> Style {
    Style::new().fg(Color::DarkGray)
}

/// HTTP status colour.
pub fn status(code: u16) -> Style {
    let c = match code {
        200..=299 => Color::Green,
        300..=399 => Color::Cyan,
        400..=499 => Color::Yellow,
        _ => Color::Red,
    };
    Style::new().fg(c).add_modifier(Modifier::BOLD)
}
