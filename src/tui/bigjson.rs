//! Pretty-printing of arbitrarily large JSON bodies without building a tree.
//!
//! A response body is kept as the raw bytes that arrived. One sequential pass
//! ([`index_json`], run off the UI thread) validates it and records where each line of
//! the *pretty* form starts: the byte offset of the token that opens the line and its
//! nesting depth, packed into one `u64`. Any single line can then be produced on demand
//! by [`format_line`] from that offset alone, in time bounded by [`LINE_CAP`], so the
//! viewer formats and highlights only the lines on screen.
//!
//! Why our own tokenizer rather than syntect for responses: in JSON a newline can never
//! occur inside a token, so every pretty line starts in the "between tokens" state and
//! can be tokenized alone, with no parse state carried from the lines above it. syntect
//! would need its parse state for every line chunk and costs a regex engine per line;
//! this scanner is a byte loop and its token kinds are exactly what the styles need.

use std::ops::Range;

/// Longest text produced for one line; beyond it the line ends with `…`.
pub const LINE_CAP: usize = 4096;

const DEPTH_SHIFT: u32 = 40;
const OFFSET_MASK: u64 = (1 << DEPTH_SHIFT) - 1;

/// Packs a line start (byte offset of its first token, nesting depth) into one word.
pub fn pack(offset: usize, depth: usize) -> u64 {
    (offset as u64 & OFFSET_MASK) | ((depth as u64) << DEPTH_SHIFT)
}

/// The byte offset of a packed line start.
pub fn offset_of(packed: u64) -> usize {
    (packed & OFFSET_MASK) as usize
}

/// The nesting depth of a packed line start.
pub fn depth_of(packed: u64) -> usize {
    (packed >> DEPTH_SHIFT) as usize
}

/// Where and why a body stopped being valid JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanError {
    /// Byte offset into the body.
    pub offset: usize,
    /// What was expected there.
    pub message: &'static str,
}

impl std::fmt::Display for ScanError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} at byte {}", self.message, self.offset)
    }
}

/// What a piece of a formatted line is, for styling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// An object member name.
    Key,
    /// A string value.
    String,
    /// A number.
    Number,
    /// `true` or `false`.
    Bool,
    /// `null`.
    Null,
    /// Braces, brackets, commas, colons and indentation.
    Punct,
}

/// One pretty line: its text and the styled ranges of that text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FormattedLine {
    /// The line as displayed (lossy UTF-8).
    pub text: String,
    /// Byte ranges of `text` with their kind, in order.
    pub spans: Vec<(TokenKind, Range<usize>)>,
}

fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && is_ws(b[i]) {
        i += 1;
    }
    i
}

/// Scans a string starting at its opening quote; returns the offset after the closing quote.
fn scan_string(b: &[u8], start: usize) -> Result<usize, ScanError> {
    let mut i = start + 1;
    while i < b.len() {
        match b[i] {
            b'"' => return Ok(i + 1),
            b'\\' => i += 2,
            c if c < 0x20 => {
                return Err(ScanError {
                    offset: i,
                    message: "control character inside a string",
                })
            }
            _ => i += 1,
        }
    }
    Err(ScanError {
        offset: start,
        message: "unterminated string",
    })
}

fn scan_number(b: &[u8], start: usize) -> Result<usize, ScanError> {
    let mut i = start;
    while i < b.len() && matches!(b[i], b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E') {
        i += 1;
    }
    if i == start || !b[start..i].iter().any(u8::is_ascii_digit) {
        return Err(ScanError {
            offset: start,
            message: "expected a value",
        });
    }
    Ok(i)
}

fn scan_literal(b: &[u8], start: usize, word: &[u8]) -> Result<usize, ScanError> {
    if b[start..].starts_with(word) {
        Ok(start + word.len())
    } else {
        Err(ScanError {
            offset: start,
            message: "expected a value",
        })
    }
}

/// Scans a scalar (string, number, literal) at `i`; returns its end.
fn scan_scalar(b: &[u8], i: usize) -> Result<usize, ScanError> {
    match b[i] {
        b'"' => scan_string(b, i),
        b't' => scan_literal(b, i, b"true"),
        b'f' => scan_literal(b, i, b"false"),
        b'n' => scan_literal(b, i, b"null"),
        _ => scan_number(b, i),
    }
}

fn expect_key(b: &[u8], i: usize) -> Result<usize, ScanError> {
    if i >= b.len() || b[i] != b'"' {
        return Err(ScanError {
            offset: i,
            message: "expected a member name in quotes",
        });
    }
    let end = scan_string(b, i)?;
    let colon = skip_ws(b, end);
    if colon >= b.len() || b[colon] != b':' {
        return Err(ScanError {
            offset: colon,
            message: "expected `:` after the member name",
        });
    }
    Ok(skip_ws(b, colon + 1))
}

/// Validates `body` as JSON and reports the start of every pretty line to `sink`, in order.
///
/// `sink` returns `false` to stop early (the viewer went away); that is not an error.
pub fn index_json(b: &[u8], mut sink: impl FnMut(u64) -> bool) -> Result<(), ScanError> {
    let mut stack: Vec<u8> = Vec::new();
    let mut i = skip_ws(b, 0);
    if i >= b.len() {
        return Err(ScanError {
            offset: i,
            message: "empty body",
        });
    }
    if !sink(pack(i, 0)) {
        return Ok(());
    }
    loop {
        // At the start of a value.
        if i >= b.len() {
            return Err(ScanError {
                offset: i,
                message: "expected a value",
            });
        }
        let open = b[i];
        if open == b'{' || open == b'[' {
            let close = if open == b'{' { b'}' } else { b']' };
            let j = skip_ws(b, i + 1);
            if j < b.len() && b[j] == close {
                i = j + 1;
            } else {
                stack.push(open);
                if !sink(pack(j, stack.len())) {
                    return Ok(());
                }
                i = if open == b'{' { expect_key(b, j)? } else { j };
                continue;
            }
        } else {
            i = scan_scalar(b, i)?;
        }
        // After a value: commas and closers until the next value starts.
        loop {
            i = skip_ws(b, i);
            let Some(&top) = stack.last() else {
                if i == b.len() {
                    return Ok(());
                }
                return Err(ScanError {
                    offset: i,
                    message: "unexpected data after the end of the document",
                });
            };
            match b.get(i) {
                Some(b',') => {
                    i = skip_ws(b, i + 1);
                    if !sink(pack(i, stack.len())) {
                        return Ok(());
                    }
                    if top == b'{' {
                        i = expect_key(b, i)?;
                    }
                    break;
                }
                Some(b'}') if top == b'{' => {}
                Some(b']') if top == b'[' => {}
                _ => {
                    return Err(ScanError {
                        offset: i,
                        message: if top == b'{' {
                            "expected `,` or `}`"
                        } else {
                            "expected `,` or `]`"
                        },
                    })
                }
            }
            stack.pop();
            if !sink(pack(i, stack.len())) {
                return Ok(());
            }
            i += 1;
        }
    }
}

struct LineBuilder {
    line: FormattedLine,
}

impl LineBuilder {
    fn push(&mut self, kind: TokenKind, text: &str) {
        let start = self.line.text.len();
        self.line.text.push_str(text);
        self.line.spans.push((kind, start..self.line.text.len()));
    }

    fn push_bytes(&mut self, kind: TokenKind, bytes: &[u8]) {
        let room = LINE_CAP.saturating_sub(self.line.text.len());
        if bytes.len() > room {
            let text = String::from_utf8_lossy(&bytes[..room]);
            self.push(kind, &text);
            self.push(TokenKind::Punct, "…");
        } else {
            let text = String::from_utf8_lossy(bytes);
            self.push(kind, &text);
        }
    }

    fn comma(&mut self, b: &[u8], i: usize) {
        let j = skip_ws(b, i);
        if b.get(j) == Some(&b',') {
            self.push(TokenKind::Punct, ",");
        }
    }
}

/// Produces the pretty line that starts at `packed` (from [`index_json`]) with 2-space indents.
///
/// Trusts the index: the body was validated when it was built. A line stops at [`LINE_CAP`].
pub fn format_line(b: &[u8], packed: u64) -> FormattedLine {
    let mut out = LineBuilder {
        line: FormattedLine::default(),
    };
    let depth = depth_of(packed);
    let mut i = offset_of(packed);
    if depth > 0 {
        out.push(TokenKind::Punct, &" ".repeat((depth * 2).min(LINE_CAP / 2)));
    }
    let Some(&first) = b.get(i) else {
        return out.line;
    };
    if first == b'}' || first == b']' {
        out.push_bytes(TokenKind::Punct, &b[i..=i]);
        out.comma(b, i + 1);
        return out.line;
    }
    if first == b'"' {
        let end = scan_string(b, i).unwrap_or(b.len());
        let colon = skip_ws(b, end);
        if b.get(colon) == Some(&b':') {
            out.push_bytes(TokenKind::Key, &b[i..end]);
            out.push(TokenKind::Punct, ": ");
            i = skip_ws(b, colon + 1);
        }
    }
    let Some(&c) = b.get(i) else {
        return out.line;
    };
    if c == b'{' || c == b'[' {
        let close = if c == b'{' { b'}' } else { b']' };
        let j = skip_ws(b, i + 1);
        if b.get(j) == Some(&close) {
            out.push(TokenKind::Punct, if c == b'{' { "{}" } else { "[]" });
            out.comma(b, j + 1);
        } else {
            out.push_bytes(TokenKind::Punct, &b[i..=i]);
        }
        return out.line;
    }
    let end = scan_scalar(b, i).unwrap_or(b.len());
    let kind = match c {
        b'"' => TokenKind::String,
        b't' | b'f' => TokenKind::Bool,
        b'n' => TokenKind::Null,
        _ => TokenKind::Number,
    };
    out.push_bytes(kind, &b[i..end]);
    out.comma(b, end);
    out.line
}

/// Reports the start of every line of a non-JSON body (after each `\n`).
pub fn index_text(b: &[u8], mut sink: impl FnMut(u64) -> bool) {
    if !sink(0) {
        return;
    }
    for (i, &c) in b.iter().enumerate() {
        if c == b'\n' && i + 1 < b.len() && !sink((i + 1) as u64) {
            return;
        }
    }
}

/// Produces a text line starting at byte `start`, lossily decoded, tabs expanded, capped.
pub fn format_text_line(b: &[u8], start: usize) -> FormattedLine {
    let rest = b.get(start..).unwrap_or_default();
    let end = rest
        .iter()
        .position(|&c| c == b'\n')
        .unwrap_or(rest.len())
        .min(LINE_CAP);
    let mut line = &rest[..end];
    if line.last() == Some(&b'\r') {
        line = &line[..line.len() - 1];
    }
    let text: String = String::from_utf8_lossy(line)
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let len = text.len();
    FormattedLine {
        text,
        spans: vec![(TokenKind::String, 0..len)],
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn pretty(body: &str) -> Result<String, ScanError> {
        let mut starts = Vec::new();
        index_json(body.as_bytes(), |p| {
            starts.push(p);
            true
        })?;
        Ok(starts
            .iter()
            .map(|&p| format_line(body.as_bytes(), p).text)
            .collect::<Vec<_>>()
            .join("\n"))
    }

    #[test]
    fn matches_serde_pretty_printing() {
        let bodies = [
            r#"{"op":"useradd","result":true,"user":{"uid":5,"token":"abc","tags":[],"o":{}},"list":[1,2.5,-3,[true,false,null],{"a":"b\"c"}]}"#,
            "[]",
            "  42 ",
            r#""just a string""#,
            r"[[[]],[{}]]",
        ];
        for body in bodies {
            let value: serde_json::Value = serde_json::from_str(body).unwrap();
            let expected = serde_json::to_string_pretty(&value).unwrap();
            assert_eq!(pretty(body).unwrap(), expected, "body {body}");
        }
    }

    #[test]
    fn rejects_invalid_json_with_offsets() {
        assert_eq!(pretty(r#"{"a" 1}"#).unwrap_err().offset, 5);
        assert_eq!(pretty(r"[1,2").unwrap_err().offset, 4);
        assert_eq!(pretty(r#"{"a":1} x"#).unwrap_err().offset, 8);
        assert!(pretty("").is_err());
        assert!(pretty("[tru]").is_err());
        assert!(pretty(r#"{"a":1]"#).is_err());
    }

    #[test]
    fn keys_and_values_are_styled_apart() {
        let body = br#"{"k":"v","n":1}"#;
        let line = format_line(body, pack(1, 1));
        assert_eq!(line.text, r#"  "k": "v","#);
        let kinds: Vec<_> = line.spans.iter().map(|(k, _)| *k).collect();
        assert_eq!(
            kinds,
            [
                TokenKind::Punct,
                TokenKind::Key,
                TokenKind::Punct,
                TokenKind::String,
                TokenKind::Punct
            ]
        );
    }

    #[test]
    fn long_lines_are_capped_and_invalid_utf8_is_lossy() {
        let long = format!("[\"{}\"]", "x".repeat(LINE_CAP * 2));
        let text = pretty(&long).unwrap();
        assert!(text.lines().nth(1).unwrap().ends_with('…'));
        let bytes = b"ok \xff\xfe end\nsecond";
        let mut starts = Vec::new();
        index_text(bytes, |p| {
            starts.push(p);
            true
        });
        assert_eq!(starts.len(), 2);
        assert_eq!(
            format_text_line(bytes, offset_of(starts[0])).text,
            "ok \u{fffd}\u{fffd} end"
        );
    }
}
