//! Syntax highlighting with syntect (pure-Rust regex), shared by the CLI and the TUI.
//!
//! The syntax and theme sets are loaded once, lazily, on first use: a piped `apiplay send`
//! never pays for them.

use std::sync::OnceLock;

use syntect::easy::HighlightLines;
use syntect::highlighting::{Style, Theme, ThemeSet};
use syntect::parsing::{SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;

/// The theme used everywhere.
pub const THEME: &str = "base16-ocean.dark";

struct Assets {
    syntaxes: SyntaxSet,
    theme: Theme,
}

fn assets() -> &'static Assets {
    static ASSETS: OnceLock<Assets> = OnceLock::new();
    ASSETS.get_or_init(|| {
        let mut themes = ThemeSet::load_defaults();
        let theme = themes.themes.remove(THEME).unwrap_or_default();
        Assets {
            syntaxes: SyntaxSet::load_defaults_newlines(),
            theme,
        }
    })
}

/// The loaded syntaxes.
pub fn syntaxes() -> &'static SyntaxSet {
    &assets().syntaxes
}

/// The theme.
pub fn theme() -> &'static Theme {
    &assets().theme
}

/// The JSON syntax.
pub fn json_syntax() -> &'static SyntaxReference {
    let set = syntaxes();
    set.find_syntax_by_extension("json")
        .unwrap_or_else(|| set.find_syntax_plain_text())
}

/// A highlighter for JSON text, fed line by line (lines keep their `\n`).
pub fn json_highlighter() -> HighlightLines<'static> {
    HighlightLines::new(json_syntax(), theme())
}

/// Highlights JSON text as 24-bit ANSI escapes for a terminal. Falls back to the plain text
/// if the highlighter fails.
pub fn json_ansi(text: &str) -> String {
    let mut highlighter = json_highlighter();
    let mut out = String::with_capacity(text.len() * 2);
    for line in LinesWithEndings::from(text) {
        match highlighter.highlight_line(line, syntaxes()) {
            Ok(ranges) => {
                let ranges: Vec<(Style, &str)> = ranges;
                out.push_str(&syntect::util::as_24_bit_terminal_escaped(&ranges, false));
            }
            Err(_) => out.push_str(line),
        }
    }
    out.push_str("\x1b[0m");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_gets_colours_and_keeps_its_text() {
        let text = "{\n  \"result\": true\n}\n";
        let out = json_ansi(text);
        assert!(out.contains("\x1b[38;2;"), "{out:?}");
        let plain: String = strip_ansi(&out);
        assert_eq!(plain, text);
    }

    fn strip_ansi(s: &str) -> String {
        let mut out = String::new();
        let mut chars = s.chars();
        while let Some(c) = chars.next() {
            if c == '\x1b' {
                for d in chars.by_ref() {
                    if d == 'm' {
                        break;
                    }
                }
            } else {
                out.push(c);
            }
        }
        out
    }
}
