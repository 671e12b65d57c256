//! The one secret scrubber: every string that leaves a session for disk or the terminal (the
//! request kept in the history, the response's headers and body, a network error's text,
//! captured values) passes through a [`Scrubber`], which writes `{{name}}` wherever a
//! secret's value appears, in any of the encodings a value travels in:
//!
//! - as it is (a JSON body, a header, a path segment);
//! - JSON-escaped (`"` → `\"`, `/` → `\/`, non-ASCII as `\uXXXX`), as an echoing server
//!   writes it back inside a JSON string, and escaped twice, as a server writes back a whole
//!   JSON body inside a JSON string;
//! - percent-encoded, both the form way (`application/x-www-form-urlencoded`: space as `+`,
//!   which is how a query or form body carries it) and the RFC 3986 way (everything but
//!   `A-Z a-z 0-9 - . _ ~` as `%XX`), with upper- and lower-case hex digits, and as the URL
//!   parser leaves a value written into a path or a query as it is (a space or a non-ASCII
//!   letter as `%XX`, `/ + & =` kept), which is the URL a network error names.
//!
//! A placeholder that was itself percent-encoded on its way into a URL
//! (`%7B%7Bname%7D%7D`) is written back as `{{name}}` too, so the history holds one form.
//!
//! Who registers what: [`crate::collection`] builds the scrubber of each rendering from the
//! environment's secret variables (so a secret pasted literally into a payload is caught) and
//! from every value a rendering resolved as secret (`Resolved::secret`: environment secrets
//! and minted auth values such as `{{$opentok_jwt}}`; not `{{token:…}}` references, which
//! are masked in views but kept by the token history by design). Anything else holding a
//! secret calls [`Scrubber::add`].
//!
//! Values shorter than [`MIN_SECRET_LEN`] are not scrubbed: they would match by chance
//! (Twilio's demo secret is the word `secret`), and masking every occurrence of a common
//! word would corrupt responses. Such a value is still kept out of the history's request
//! copy, which is rendered with each referenced secret left as its `{{name}}`.

use std::borrow::Cow;
use std::fmt::{self, Write as _};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use crate::http::{HttpError, RenderedRequest, Response};

/// Secrets shorter than this are not scrubbed (see the module doc).
pub const MIN_SECRET_LEN: usize = 8;

/// Replaces every known secret, in each of its encodings, by its `{{name}}`.
#[derive(Clone, Default)]
pub struct Scrubber {
    /// `(name, value)` in the order registered, for equality and rebuilding.
    secrets: Vec<(String, String)>,
    /// One automaton over every encoded form, leftmost-longest.
    matcher: Option<AhoCorasick>,
    /// The `{{name}}` each pattern of `matcher` becomes, by pattern index.
    replacements: Vec<String>,
}

impl Scrubber {
    /// A scrubber knowing these `(name, value)` secrets.
    pub fn new(secrets: impl IntoIterator<Item = (String, String)>) -> Scrubber {
        let mut scrubber = Scrubber::default();
        for (name, value) in secrets {
            scrubber.push(name, value);
        }
        scrubber.rebuild();
        scrubber
    }

    /// Registers one more secret (a minted auth value, say) under `name`, written back as
    /// `{{name}}`.
    pub fn add(&mut self, name: &str, value: &str) {
        if self.push(name.to_owned(), value.to_owned()) {
            self.rebuild();
        }
    }

    /// The names of the secrets it knows, in registration order (no values).
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.secrets.iter().map(|(name, _)| name.as_str())
    }

    fn push(&mut self, name: String, value: String) -> bool {
        let known = self.secrets.iter().any(|(n, v)| *n == name && *v == value);
        if known || value.len() < MIN_SECRET_LEN {
            return false;
        }
        self.secrets.push((name, value));
        true
    }

    fn rebuild(&mut self) {
        let mut patterns: Vec<String> = Vec::new();
        let mut replacements = Vec::new();
        let mut add = |pattern: String, placeholder: &str| {
            if !pattern.is_empty() && !patterns.contains(&pattern) {
                patterns.push(pattern);
                replacements.push(placeholder.to_owned());
            }
        };
        for (name, value) in &self.secrets {
            let placeholder = format!("{{{{{name}}}}}");
            for form in encodings(value) {
                add(form, &placeholder);
            }
            for form in encodings(&placeholder).into_iter().skip(1) {
                add(form, &placeholder);
            }
        }
        self.matcher = if patterns.is_empty() {
            None
        } else {
            AhoCorasickBuilder::new()
                .match_kind(MatchKind::LeftmostLongest)
                .build(&patterns)
                .ok()
        };
        self.replacements = replacements;
    }

    /// `text` with every secret written as its `{{name}}`; borrowed when there is none.
    pub fn text<'t>(&self, text: &'t str) -> Cow<'t, str> {
        match &self.matcher {
            Some(m) if m.is_match(text) => Cow::Owned(m.replace_all(text, &self.replacements)),
            _ => Cow::Borrowed(text),
        }
    }

    /// Scrubs a string in place.
    pub fn scrub(&self, text: &mut String) {
        if let Cow::Owned(clean) = self.text(text) {
            *text = clean;
        }
    }

    /// `bytes` with every secret written as its `{{name}}` (bodies need not be UTF-8).
    pub fn bytes(&self, bytes: &bytes::Bytes) -> bytes::Bytes {
        match &self.matcher {
            Some(m) if m.is_match(bytes.as_ref()) => {
                m.replace_all_bytes(bytes, &self.replacements).into()
            }
            _ => bytes.clone(),
        }
    }

    /// Scrubs a request's URL, header values and body.
    pub fn request(&self, request: &mut RenderedRequest) {
        self.scrub(&mut request.url);
        for (_, value) in &mut request.headers {
            self.scrub(value);
        }
        if let Some(body) = &mut request.body {
            self.scrub(body);
        }
    }

    /// Scrubs a response's header values and body.
    pub fn response(&self, response: &mut Response) {
        for (_, value) in response
            .headers
            .iter_mut()
            .chain(response.sent_headers.iter_mut())
        {
            self.scrub(value);
        }
        response.body = self.bytes(&response.body);
    }

    /// Scrubs every text of a network error: the URL it names (the URL as sent, secrets
    /// and all) and the cause chain, which repeats it.
    pub fn error(&self, error: &mut HttpError) {
        match error {
            HttpError::InvalidRequest { url, message }
            | HttpError::Connect { url, message }
            | HttpError::Network { url, message } => {
                self.scrub(url);
                self.scrub(message);
            }
            HttpError::Timeout { url, .. } | HttpError::TooLarge { url, .. } => self.scrub(url),
        }
    }

    /// Scrubs what came back from a send: the response or the error.
    pub fn outcome(&self, outcome: &mut Result<Response, HttpError>) {
        match outcome {
            Ok(response) => self.response(response),
            Err(error) => self.error(error),
        }
    }
}

impl PartialEq for Scrubber {
    fn eq(&self, other: &Self) -> bool {
        self.secrets == other.secrets
    }
}

impl Eq for Scrubber {}

/// Names only: a scrubber's values are the secrets it exists to hide.
impl fmt::Debug for Scrubber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Scrubber")
            .field("names", &self.names().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

/// The forms a value travels in, the raw one first.
fn encodings(value: &str) -> Vec<String> {
    let json = json_escape(value);
    // A JSON body echoed inside a JSON string (httpbin's `"data"`) is escaped twice.
    let json_twice = json_escape(&json);
    let json_slash = json.replace('/', "\\/");
    let form: String = form_urlencoded::byte_serialize(value.as_bytes()).collect();
    let rfc3986 = percent(value, |b| matches!(b, b'-' | b'.' | b'_' | b'~'));
    // What the URL parser (WHATWG URL, the `url` crate under reqwest) leaves of a value
    // written into a path or a query as it is: `/`, `+`, `&`, `=` … stay, a space or a
    // non-ASCII letter becomes `%XX`.
    let in_path = percent(value, |b| {
        b.is_ascii_graphic() && !matches!(b, b'"' | b'#' | b'<' | b'>' | b'?' | b'`' | b'{' | b'}')
    });
    let in_query = percent(value, |b| {
        b.is_ascii_graphic() && !matches!(b, b'"' | b'#' | b'<' | b'>' | b'\'')
    });
    vec![
        value.to_owned(),
        json_ascii(&json, false),
        json_ascii(&json, true),
        json,
        json_twice,
        json_slash,
        form.clone(),
        lower_hex(&form),
        lower_hex(&rfc3986),
        rfc3986,
        in_path,
        in_query,
    ]
}

/// The inside of `value` written as a JSON string (`"` → `\"`, `\` → `\\`, controls).
fn json_escape(value: &str) -> String {
    let json = serde_json::to_string(value).unwrap_or_default();
    json.strip_prefix('"')
        .and_then(|j| j.strip_suffix('"'))
        .unwrap_or(value)
        .to_owned()
}

/// JSON-escaped text with every non-ASCII character as `\uXXXX` (UTF-16 units), as
/// ASCII-only JSON writers put it; `upper` for upper-case hex digits.
fn json_ascii(json: &str, upper: bool) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if c.is_ascii() {
            out.push(c);
            continue;
        }
        let mut units = [0u16; 2];
        for unit in c.encode_utf16(&mut units) {
            if upper {
                let _ = write!(out, "\\u{unit:04X}");
            } else {
                let _ = write!(out, "\\u{unit:04x}");
            }
        }
    }
    out
}

/// Percent-encodes every byte but ASCII letters, digits and those `keep` accepts, with
/// upper-case hex.
fn percent(value: &str, keep: impl Fn(u8) -> bool) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || keep(b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// The same percent-encoding with lower-case hex digits.
fn lower_hex(encoded: &str) -> String {
    let mut out = String::with_capacity(encoded.len());
    let mut rest = encoded;
    while let Some(i) = rest.find('%') {
        out.push_str(&rest[..i]);
        let escape = rest.get(i..i + 3).unwrap_or(&rest[i..]);
        out.push_str(&escape.to_ascii_lowercase());
        rest = &rest[i + escape.len()..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn scrubber() -> Scrubber {
        Scrubber::new([
            ("app_token".to_owned(), "s3cr3t/+ tok&en=é\"x".to_owned()),
            ("short".to_owned(), "abc".to_owned()),
        ])
    }

    #[test]
    fn every_encoding_becomes_the_placeholder() {
        let s = scrubber();
        // Written by hand: the value raw, form-encoded, RFC 3986-encoded (upper and lower
        // hex), JSON-escaped, JSON with `\/` and `\u00e9`.
        for text in [
            "s3cr3t/+ tok&en=é\"x",
            "s3cr3t%2F%2B+tok%26en%3D%C3%A9%22x",
            "s3cr3t%2F%2B%20tok%26en%3D%C3%A9%22x",
            "s3cr3t%2f%2b%20tok%26en%3d%c3%a9%22x",
            "s3cr3t/+ tok&en=é\\\"x",
            "s3cr3t\\/+ tok&en=é\\\"x",
            "s3cr3t/+ tok&en=\\u00e9\\\"x",
            "s3cr3t/+ tok&en=é\\\\\\\"x",
            "s3cr3t/+%20tok&en=%C3%A9%22x",
        ] {
            let wrapped = format!("before {text} after");
            assert_eq!(s.text(&wrapped), "before {{app_token}} after", "{text}");
        }
    }

    #[test]
    fn encoded_placeholders_are_written_back_plainly_and_short_values_are_left() {
        let s = scrubber();
        assert_eq!(
            s.text("http://h/p?token=%7B%7Bapp_token%7D%7D&abc=1"),
            "http://h/p?token={{app_token}}&abc=1"
        );
        assert_eq!(s.names().collect::<Vec<_>>(), ["app_token"]);
        assert!(matches!(s.text("nothing here"), Cow::Borrowed(_)));
    }

    #[test]
    fn errors_responses_and_bytes_are_scrubbed() {
        let mut s = Scrubber::default();
        s.add("$minted_jwt", "eyJhbGciOi.minted.value");
        let mut error = HttpError::Connect {
            url: "http://127.0.0.1:1/x?auth=eyJhbGciOi.minted.value".into(),
            message:
                "error sending request for url (http://127.0.0.1:1/x?auth=eyJhbGciOi.minted.value)"
                    .into(),
        };
        s.error(&mut error);
        assert_eq!(
            error.to_string(),
            "cannot connect to http://127.0.0.1:1/x?auth={{$minted_jwt}}: error sending request for url (http://127.0.0.1:1/x?auth={{$minted_jwt}}); is the server running and the URL right?"
        );
        let body = bytes::Bytes::from_static(b"\xff\x00eyJhbGciOi.minted.value\xfe");
        assert_eq!(s.bytes(&body).as_ref(), b"\xff\x00{{$minted_jwt}}\xfe");
        assert!(format!("{s:?}").contains("$minted_jwt"));
        assert!(!format!("{s:?}").contains("minted.value"));
    }
}
