//! The response viewer's state: the raw body, its line index (built off the UI thread and
//! delivered in chunks), the scroll position, a cache of formatted visible lines and the
//! `/` search.
//!
//! Formatting a line costs at most [`bigjson::LINE_CAP`] bytes of work, so the lines that
//! come into view are formatted synchronously when the viewport moves (microseconds for a
//! screenful); everything proportional to the body's size — indexing and searching — runs
//! in blocking tasks that answer with messages.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use super::bigjson::{self, FormattedLine};
use crate::filter::{Filter, FilterError};

/// How the body is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyMode {
    /// Valid JSON, pretty-printed and highlighted.
    Json,
    /// Anything else, as lossy UTF-8 text.
    Text,
}

/// A finished or running `/` search.
#[derive(Debug, Clone, Default)]
pub struct Search {
    /// What was searched for.
    pub query: String,
    /// Byte offsets of the matches in the body, ascending.
    pub matches: Vec<u64>,
    /// Which match is current.
    pub current: Option<usize>,
    /// Whether the search task has finished.
    pub done: bool,
}

/// A response (or a recorded exchange) open in the viewer.
#[derive(Debug, Clone)]
#[allow(
    clippy::struct_excessive_bools,
    reason = "independent switches of one view: indexed, headers shown, binary, hex"
)]
pub struct ResponseView {
    /// Identifies the body so late index chunks of an older body are ignored.
    pub id: u64,
    /// HTTP status code, if there was a response.
    pub status: Option<u16>,
    /// Time from send to the last body byte.
    pub elapsed: Duration,
    /// Response headers, in order.
    pub headers: Vec<(String, String)>,
    /// The request line, headers and body that were sent, shown with the headers.
    pub request_summary: Vec<String>,
    /// The body as it arrived.
    pub body: bytes::Bytes,
    /// JSON or text.
    pub mode: BodyMode,
    /// Packed line starts (see [`bigjson::pack`]).
    pub lines: Vec<u64>,
    /// Whether the whole body has been indexed.
    pub indexed: bool,
    /// Why JSON display was abandoned, or another remark about the body.
    pub note: Option<String>,
    /// First visible line.
    pub scroll: usize,
    /// Columns scrolled to the right.
    pub hscroll: usize,
    /// Whether headers are shown above the body.
    pub show_headers: bool,
    /// Rows available for body lines at the last layout.
    pub viewport: usize,
    /// Formatted lines by line number.
    pub cache: HashMap<usize, Arc<FormattedLine>>,
    /// The current search, if any.
    pub search: Option<Search>,
    /// Why the API said no although the HTTP status is a success (mesibo `"result": false`).
    pub api_refusal: Option<String>,
    /// The documented error the answer carries, as the catalogue explains it.
    pub explained: Option<Explained>,
    /// Whether the body is not UTF-8 text (an image, a compressed body).
    pub binary: bool,
    /// Whether the body is shown as a hex dump (16 bytes a line) instead of text: the
    /// default for a binary body, toggled by `x`.
    pub hex: bool,
    /// The jq expression this body is the output of, when it is a filter's output.
    pub filter: Option<String>,
}

/// Bytes on one line of the hex view.
pub const HEX_WIDTH: usize = 16;

const CACHE_LIMIT: usize = 8192;

impl ResponseView {
    /// A viewer for `body`, waiting for its index.
    pub fn new(id: u64, body: bytes::Bytes, mode: BodyMode) -> Self {
        Self {
            id,
            status: None,
            elapsed: Duration::ZERO,
            headers: Vec::new(),
            request_summary: Vec::new(),
            body,
            mode,
            lines: Vec::new(),
            indexed: false,
            note: None,
            scroll: 0,
            hscroll: 0,
            show_headers: false,
            viewport: 20,
            cache: HashMap::new(),
            search: None,
            api_refusal: None,
            explained: None,
            binary: false,
            hex: false,
            filter: None,
        }
    }

    /// Marks a body that is not UTF-8 as binary and shows it as hex. Only a body that is not
    /// JSON-looking is checked (the check reads the whole body).
    pub fn detect_binary(&mut self) {
        if self.mode == BodyMode::Text && std::str::from_utf8(&self.body).is_err() {
            self.binary = true;
            self.hex = true;
        }
    }

    /// Switches between the hex dump and the text.
    pub fn toggle_hex(&mut self) {
        self.hex = !self.hex;
        self.cache.clear();
        self.scroll = 0;
        self.fill_cache();
    }

    /// How many lines there are to show: the index's, or the hex dump's.
    pub fn line_count(&self) -> usize {
        if self.hex {
            self.body.len().div_ceil(HEX_WIDTH)
        } else {
            self.lines.len()
        }
    }

    /// Which mode to try first: JSON when the body starts like a JSON document.
    pub fn guess_mode(body: &[u8]) -> BodyMode {
        match body.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'{' | b'[' | b'"' | b'-' | b'0'..=b'9' | b't' | b'f' | b'n') => BodyMode::Json,
            _ => BodyMode::Text,
        }
    }

    /// Takes a chunk of line starts from the indexing task.
    pub fn add_lines(&mut self, mode: BodyMode, reset: bool, lines: &[u64], done: bool) {
        if reset || mode != self.mode {
            self.lines.clear();
            self.cache.clear();
            self.scroll = 0;
            self.mode = mode;
        }
        self.lines.extend_from_slice(lines);
        self.indexed = done;
        self.fill_cache();
    }

    /// Largest valid scroll position.
    pub fn max_scroll(&self) -> usize {
        self.line_count().saturating_sub(self.viewport.max(1))
    }

    /// Moves the view by `delta` lines (negative is up) and formats what came into view.
    pub fn scroll_by(&mut self, delta: isize) {
        let target = self.scroll.saturating_add_signed(delta);
        self.scroll = target.min(self.max_scroll());
        self.fill_cache();
    }

    /// Jumps to a line (clamped).
    pub fn scroll_to(&mut self, line: usize) {
        self.scroll = line.min(self.max_scroll());
        self.fill_cache();
    }

    /// Sets the number of body rows on screen.
    pub fn set_viewport(&mut self, rows: usize) {
        self.viewport = rows.max(1);
        self.scroll = self.scroll.min(self.max_scroll());
        self.fill_cache();
    }

    /// Formats the visible lines that are not cached yet.
    pub fn fill_cache(&mut self) {
        let end = (self.scroll + self.viewport).min(self.line_count());
        if self.cache.len() > CACHE_LIMIT {
            self.cache.clear();
        }
        for n in self.scroll..end {
            if !self.cache.contains_key(&n) {
                let line = self.format(n);
                self.cache.insert(n, Arc::new(line));
            }
        }
    }

    /// Formats line `n` without caching it.
    pub fn format(&self, n: usize) -> FormattedLine {
        if self.hex {
            return hex_line(&self.body, n);
        }
        let Some(&packed) = self.lines.get(n) else {
            return FormattedLine::default();
        };
        match self.mode {
            BodyMode::Json => bigjson::format_line(&self.body, packed),
            BodyMode::Text => bigjson::format_text_line(&self.body, bigjson::offset_of(packed)),
        }
    }

    /// The line that contains byte `offset` of the body.
    pub fn line_of_offset(&self, offset: u64) -> usize {
        let idx = self
            .lines
            .partition_point(|&p| bigjson::offset_of(p) as u64 <= offset);
        idx.saturating_sub(1)
    }

    /// Starts a search: matches arrive later via [`ResponseView::search_results`].
    pub fn begin_search(&mut self, query: String) {
        self.search = Some(Search {
            query,
            ..Search::default()
        });
    }

    /// Takes the matches of the search task and jumps to the first one at or below the view.
    pub fn search_results(&mut self, query: &str, matches: Vec<u64>) {
        let Some(search) = self.search.as_mut() else {
            return;
        };
        if search.query != query {
            return;
        }
        search.matches = matches;
        search.done = true;
        let top = self
            .lines
            .get(self.scroll)
            .map_or(0, |&p| bigjson::offset_of(p)) as u64;
        let first = search.matches.partition_point(|&m| m < top);
        if search.matches.is_empty() {
            search.current = None;
        } else {
            search.current = Some(first.min(search.matches.len() - 1));
        }
        self.show_current_match();
    }

    /// Moves to the next (`forward`) or previous match, wrapping around.
    pub fn next_match(&mut self, forward: bool) {
        let Some(search) = self.search.as_mut() else {
            return;
        };
        let n = search.matches.len();
        if n == 0 {
            return;
        }
        let cur = search.current.unwrap_or(0);
        search.current = Some(if forward {
            (cur + 1) % n
        } else {
            (cur + n - 1) % n
        });
        self.show_current_match();
    }

    fn show_current_match(&mut self) {
        let Some(offset) = self
            .search
            .as_ref()
            .and_then(|s| s.current.and_then(|c| s.matches.get(c).copied()))
        else {
            return;
        };
        let line = self.line_of_offset(offset);
        if line < self.scroll || line >= self.scroll + self.viewport {
            self.scroll_to(line.saturating_sub(self.viewport / 3));
        }
    }

    /// The line of the current match, if any.
    pub fn current_match_line(&self) -> Option<usize> {
        let s = self.search.as_ref()?;
        let offset = *s.matches.get(s.current?)?;
        Some(self.line_of_offset(offset))
    }
}

/// Line `n` of a hex dump: offset, 16 bytes in hex, the printable ASCII of them
/// (`00000010  7b 22 61 22 …  |{"a"…|`).
pub fn hex_line(body: &[u8], n: usize) -> FormattedLine {
    use std::fmt::Write as _;
    let start = n * HEX_WIDTH;
    let chunk = body
        .get(start..(start + HEX_WIDTH).min(body.len()))
        .unwrap_or_default();
    let mut text = format!("{start:08x}  ");
    let offset_end = text.len();
    for i in 0..HEX_WIDTH {
        match chunk.get(i) {
            Some(b) => {
                let _ = write!(text, "{b:02x} ");
            }
            None => text.push_str("   "),
        }
        if i == 7 {
            text.push(' ');
        }
    }
    text.push(' ');
    let hex_end = text.len();
    text.push('|');
    text.extend(chunk.iter().map(|&b| {
        if b.is_ascii_graphic() || b == b' ' {
            char::from(b)
        } else {
            '.'
        }
    }));
    text.push('|');
    let len = text.len();
    FormattedLine {
        text,
        spans: vec![
            (bigjson::TokenKind::Punct, 0..offset_end),
            (bigjson::TokenKind::Number, offset_end..hex_end),
            (bigjson::TokenKind::String, hex_end..len),
        ],
    }
}

/// Bodies up to this size are filtered as the expression is typed; a larger one when Enter
/// is pressed (each run parses the whole body).
pub const LIVE_FILTER_LIMIT: usize = 1 << 20;

/// Runs a jq expression on a body (off the UI thread): each output as JSON, pretty, one
/// after another; `None` when `stop` was set meanwhile (a newer filter, or Esc).
pub fn run_filter(
    body: &[u8],
    expr: &str,
    stop: &std::sync::atomic::AtomicBool,
) -> Option<Result<bytes::Bytes, FilterError>> {
    use std::sync::atomic::Ordering;
    let run = || -> Result<Option<bytes::Bytes>, FilterError> {
        let filter = Filter::new(expr)?;
        let input = crate::filter::parse_input(body)?;
        if stop.load(Ordering::Relaxed) {
            return Ok(None);
        }
        let values = filter.run_value(input)?;
        if stop.load(Ordering::Relaxed) {
            return Ok(None);
        }
        let mut out = Vec::new();
        for v in &values {
            // Into memory: only a value jq cannot print fails here.
            crate::filter::write_value(&mut out, v, true, false).map_err(|e| FilterError::Run {
                expr: expr.to_owned(),
                message: e.to_string(),
            })?;
        }
        Ok(Some(out.into()))
    };
    run().transpose()
}

/// A documented error an answer carries: the code, the op whose docs say it, what it means
/// and what to do (the same words `apiplay send` prints on stderr).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explained {
    /// The vendor's code (`NOUSER`, `20404`, `duplicate_unique_property_exists`).
    pub code: String,
    /// The catalogue op that documents it.
    pub op: String,
    /// What it means.
    pub meaning: String,
    /// What to do.
    pub fix: String,
}

/// The catalogue's explanation of a refusal: an HTTP error or an API's no inside a success
/// (`refused_in_body`); `op` is the payload's operation when it is known. A success is not
/// parsed again.
pub fn explain(
    op: Option<&'static crate::catalogue::Operation>,
    status: u16,
    body: &[u8],
    refused_in_body: bool,
) -> Option<Explained> {
    if status < 400 && !refused_in_body {
        return None;
    }
    let (code, doc, op) = crate::catalogue::catalogue().explain_answer(op, status, body)?;
    Some(Explained {
        code,
        op: op.id.clone(),
        meaning: doc.meaning.clone(),
        fix: doc.fix.clone(),
    })
}

/// Bodies larger than this are not parsed to look for an API refusal.
const REFUSAL_SCAN_LIMIT: usize = 1 << 20;

/// Why an API said no inside a success status: mesibo answers HTTP 200 with
/// `"result": false`, `"error": CODE` and `"errmsg"` (README, the sandbox's mesibo table).
pub fn api_refusal(body: &[u8]) -> Option<String> {
    // The UI thread does not scan a large body (a refusal is a few hundred bytes); the
    // history's flag, read off the UI thread, scans them all.
    if body.len() > REFUSAL_SCAN_LIMIT {
        return None;
    }
    crate::http::body_refusal(body)
}

/// Finds every ASCII-case-insensitive occurrence of `query` in `body` (at most `limit`).
pub fn find_all(body: &[u8], query: &str, limit: usize) -> Vec<u64> {
    find_all_until(
        body,
        query,
        limit,
        &std::sync::atomic::AtomicBool::new(false),
    )
}

/// [`find_all`] that stops early once `stop` is set (a newer search or body replaced it).
pub fn find_all_until(
    body: &[u8],
    query: &str,
    limit: usize,
    stop: &std::sync::atomic::AtomicBool,
) -> Vec<u64> {
    let needle: Vec<u8> = query.bytes().map(|b| b.to_ascii_lowercase()).collect();
    let mut out = Vec::new();
    let Some((&first, rest)) = needle.split_first() else {
        return out;
    };
    let upper = first.to_ascii_uppercase();
    let mut i = 0;
    while i + needle.len() <= body.len() {
        if stop.load(std::sync::atomic::Ordering::Relaxed) {
            break;
        }
        let Some(pos) = body[i..=body.len() - needle.len()]
            .iter()
            .position(|&b| b == first || b == upper)
        else {
            break;
        };
        let at = i + pos;
        if body[at + 1..at + needle.len()]
            .iter()
            .zip(rest)
            .all(|(a, b)| a.to_ascii_lowercase() == *b)
        {
            out.push(at as u64);
            if out.len() >= limit {
                break;
            }
        }
        i = at + 1;
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn view(body: &str) -> ResponseView {
        let body = bytes::Bytes::copy_from_slice(body.as_bytes());
        let mut v = ResponseView::new(1, body.clone(), BodyMode::Json);
        let mut lines = Vec::new();
        bigjson::index_json(&body, |p| {
            lines.push(p);
            true
        })
        .unwrap();
        v.set_viewport(3);
        v.add_lines(BodyMode::Json, false, &lines, true);
        v
    }

    #[test]
    fn scrolling_is_clamped_and_formats_visible_lines() {
        let mut v = view(r#"{"a":1,"b":2,"c":3,"d":4}"#);
        assert_eq!(v.lines.len(), 6);
        v.scroll_by(100);
        assert_eq!(v.scroll, 3);
        assert!(v.cache.contains_key(&5));
        v.scroll_by(-100);
        assert_eq!(v.scroll, 0);
    }

    #[test]
    fn a_binary_body_is_a_hex_dump_by_default() {
        let body = bytes::Bytes::from_static(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\xff\xfe!");
        let mut v = ResponseView::new(1, body, ResponseView::guess_mode(b"\x89PNG"));
        v.detect_binary();
        assert!(v.binary && v.hex);
        assert_eq!(v.line_count(), 2);
        assert_eq!(
            v.format(0).text,
            "00000000  89 50 4e 47 0d 0a 1a 0a  00 00 00 0d 49 48 44 52  |.PNG........IHDR|"
        );
        assert_eq!(
            v.format(1).text,
            "00000010  ff fe 21                                          |..!|"
        );
        v.toggle_hex();
        assert!(!v.hex);
        let mut text = ResponseView::new(2, bytes::Bytes::from_static(b"plain"), BodyMode::Text);
        text.detect_binary();
        assert!(!text.binary && !text.hex);
    }

    #[test]
    fn search_jumps_between_matches() {
        let mut v = view(r#"{"a":"x","b":"y","c":"X","d":"z"}"#);
        v.begin_search("x".into());
        let m = find_all(&v.body, "x", 100);
        assert_eq!(m.len(), 2);
        v.search_results("x", m);
        assert_eq!(v.current_match_line(), Some(1));
        v.next_match(true);
        assert_eq!(v.current_match_line(), Some(3));
        v.next_match(true);
        assert_eq!(v.current_match_line(), Some(1));
        v.next_match(false);
        assert_eq!(v.current_match_line(), Some(3));
    }
}
