//! Highlighting of the JSON being typed in the editor, one line at a time.
//!
//! Text being edited is often invalid, so this lexer never fails: anything it does not
//! recognise is plain text. `{{name}}` references are their own kind wherever they appear,
//! because they are what a person needs to see while editing a template; they are found by
//! the renderer's own scanner, so what is marked is exactly what will be substituted.

use std::ops::Range;

use super::bigjson::TokenKind;
use crate::collection::variables_in;

/// A piece of an editor line, for styling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EditKind {
    /// A JSON token.
    Json(TokenKind),
    /// A `{{variable}}` reference, braces included.
    Variable,
    /// Anything unrecognised.
    Plain,
}

/// Splits `line` into styled byte ranges that cover it exactly, in order.
pub fn lex_line(line: &str) -> Vec<(EditKind, Range<usize>)> {
    let b = line.as_bytes();
    let mut out: Vec<(EditKind, Range<usize>)> = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let start = i;
        let kind = match b[i] {
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                i = (i + 1).min(b.len());
                let mut j = i;
                while j < b.len() && b[j].is_ascii_whitespace() {
                    j += 1;
                }
                if b.get(j) == Some(&b':') {
                    TokenKind::Key
                } else {
                    TokenKind::String
                }
            }
            b'-' | b'0'..=b'9' => {
                while i < b.len() && matches!(b[i], b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E')
                {
                    i += 1;
                }
                TokenKind::Number
            }
            b't' | b'f' | b'n' => {
                let word = ["true", "false", "null"]
                    .into_iter()
                    .find(|w| line[i..].starts_with(w));
                if let Some(w) = word {
                    i += w.len();
                    if w == "null" {
                        TokenKind::Null
                    } else {
                        TokenKind::Bool
                    }
                } else {
                    i += line[i..].chars().next().map_or(1, char::len_utf8);
                    push(&mut out, EditKind::Plain, start..i);
                    continue;
                }
            }
            b'{' | b'}' | b'[' | b']' | b',' | b':' | b' ' | b'\t' => {
                i += 1;
                TokenKind::Punct
            }
            _ => {
                i += line[i..].chars().next().map_or(1, char::len_utf8);
                push(&mut out, EditKind::Plain, start..i);
                continue;
            }
        };
        split_variables(line, EditKind::Json(kind), start..i, &mut out);
    }
    out
}

fn push(out: &mut Vec<(EditKind, Range<usize>)>, kind: EditKind, range: Range<usize>) {
    if range.is_empty() {
        return;
    }
    if let Some((k, r)) = out.last_mut() {
        if *k == kind && r.end == range.start {
            r.end = range.end;
            return;
        }
    }
    out.push((kind, range));
}

fn split_variables(
    line: &str,
    kind: EditKind,
    range: Range<usize>,
    out: &mut Vec<(EditKind, Range<usize>)>,
) {
    let mut pos = range.start;
    for var in variables_in(&line[range.clone()]) {
        let (s, e) = (range.start + var.span.start, range.start + var.span.end);
        push(out, kind, pos..s);
        push(out, EditKind::Variable, s..e);
        pos = e;
    }
    push(out, kind, pos..range.end);
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn spans_cover_the_line_and_mark_variables() {
        let line = r#"  "token": "{{app_token}}", "n": 5, x"#;
        let spans = lex_line(line);
        let mut pos = 0;
        for (_, r) in &spans {
            assert_eq!(r.start, pos);
            pos = r.end;
        }
        assert_eq!(pos, line.len());
        let var = spans
            .iter()
            .find(|(k, _)| *k == EditKind::Variable)
            .unwrap();
        assert_eq!(&line[var.1.clone()], "{{app_token}}");
        assert!(spans
            .iter()
            .any(|(k, r)| *k == EditKind::Json(TokenKind::Key) && &line[r.clone()] == "\"token\""));
        assert!(spans
            .iter()
            .any(|(k, r)| *k == EditKind::Json(TokenKind::Number) && &line[r.clone()] == "5"));
    }

    #[test]
    fn unterminated_strings_and_unicode_do_not_panic() {
        for line in ["\"abc", "é{{", "{{ x }} }}", "\\", "\"\\"] {
            let spans = lex_line(line);
            assert_eq!(spans.last().map_or(0, |(_, r)| r.end), line.len());
        }
        assert_eq!(variables_in("a {{ x }} b {{y}}")[0].name, "x");
    }
}
