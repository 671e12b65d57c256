//! A curl command line read as the shell would split it (the `shlex` crate: quotes,
//! backslashes, `\` line continuations and `#` comments), then its options as curl reads them
//! (`curl --manual`; short options may be clustered, `-sSL`, and take their value attached,
//! `-XPOST`). Only the options in [`SUPPORTED`] are known; any other is an error naming it.

use std::path::{Path, PathBuf};

/// The options read, for help texts: each with what it does here.
pub const SUPPORTED: [(&str, &str); 15] = [
    ("-X, --request METHOD", "the method"),
    ("-H, --header 'Name: value'", "a header"),
    (
        "-d, --data DATA",
        "body data (`@file` reads the file, dropping CR and LF)",
    ),
    ("--data-raw DATA", "body data, `@` not special"),
    (
        "--data-binary DATA",
        "body data (`@file` reads the file as is)",
    ),
    (
        "--data-urlencode DATA",
        "body data URL-encoded (`name=value`, `name@file`, …)",
    ),
    (
        "--json DATA",
        "a JSON body with JSON Content-Type and Accept",
    ),
    ("-G, --get", "the data goes into the URL's query, with GET"),
    ("-u, --user USER:PASSWORD", "HTTP Basic auth"),
    ("--url URL", "the URL"),
    (
        "-i, --include",
        "ignored: apiplay always shows the response's headers",
    ),
    ("-s, --silent", "ignored: apiplay shows no progress meter"),
    ("-S, --show-error", "ignored: apiplay always shows errors"),
    (
        "-L, --location",
        "ignored: apiplay follows redirects (up to 10)",
    ),
    (
        "-k, --insecure",
        "ignored: apiplay always verifies TLS certificates",
    ),
];

/// Why a curl command line could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// The shell would not accept it.
    #[error(
        "the command has an unclosed quote (or ends in a lone `\\`): close it and paste it again"
    )]
    Unbalanced,
    /// The first word is not `curl`.
    #[error("not a curl command: it starts with `{0}`; paste a command that starts with `curl`")]
    NotCurl(String),
    /// Nothing after the options.
    #[error("the curl command has no URL: add one (`curl https://host/path …`)")]
    NoUrl,
    /// Two URLs (curl would make two requests).
    #[error(
        "the curl command has two URLs, `{0}` and `{1}`: apiplay imports one request; keep one"
    )]
    TwoUrls(String, String),
    /// A second command in the text.
    #[error("the text holds a second curl command at word {0}: import one command at a time")]
    Second(usize),
    /// An option apiplay cannot translate.
    #[error("curl option `{0}` is not supported by import-curl (supported: -X -H -d --data --data-raw --data-binary --data-urlencode --json -G -u --url, and -i -s -S -L -k ignored); remove it and import again")]
    Unsupported(String),
    /// An option without its value.
    #[error("curl option `{0}` needs a value")]
    MissingValue(String),
    /// A malformed option value.
    #[error("curl option `{option}` {problem}")]
    BadValue {
        /// The option.
        option: String,
        /// What is wrong, and what to do.
        problem: String,
    },
    /// An `@file` that could not be read.
    #[error("{}: cannot read the file `{option} @{}` names: {message}", path.display(), path.display())]
    File {
        /// The option.
        option: String,
        /// The file, as resolved.
        path: PathBuf,
        /// Why.
        message: String,
    },
}

/// A request as curl would send it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CurlRequest {
    /// The method (`-X`, else GET with `-G` or without data, else POST).
    pub method: String,
    /// The URL, with the data in its query for `-G`.
    pub url: String,
    /// `-H` headers in order (and `--json`'s two).
    pub headers: Vec<(String, String)>,
    /// The body: the data options' parts joined with `&` (`--json`'s concatenated).
    pub body: Option<String>,
    /// `-u USER:PASSWORD`.
    pub user: Option<(String, String)>,
    /// What was accepted and ignored, one sentence each.
    pub notes: Vec<String>,
}

/// Reads a curl command line; `@file` arguments are read relative to `cwd`.
pub fn parse(command: &str, cwd: &Path) -> Result<CurlRequest, ParseError> {
    let text = command.replace("\r\n", "\n");
    let text = text.trim_start().trim_start_matches("$ ");
    let words = shlex::split(&join_continuations(text)).ok_or(ParseError::Unbalanced)?;
    let mut words = words.into_iter();
    match words.next() {
        Some(first) if first == "curl" || first.ends_with("/curl") => {}
        Some(first) => return Err(ParseError::NotCurl(first)),
        None => return Err(ParseError::NotCurl(String::new())),
    }
    let words: Vec<String> = words.collect();
    let mut reader = Reader {
        cwd,
        request: CurlRequest::default(),
        method: None,
        get: false,
        data: Vec::new(),
        json: Vec::new(),
        url: None,
    };
    let mut i = 0;
    while i < words.len() {
        let word = &words[i];
        i += 1;
        let mut value = |option: &str| -> Result<String, ParseError> {
            let v = words
                .get(i)
                .cloned()
                .ok_or_else(|| ParseError::MissingValue(option.to_owned()))?;
            i += 1;
            Ok(v)
        };
        if let Some(long) = word.strip_prefix("--") {
            let option = format!("--{long}");
            match long {
                "request" | "header" | "data" | "data-ascii" | "data-raw" | "data-binary"
                | "data-urlencode" | "json" | "user" | "url" => {
                    let v = value(&option)?;
                    reader.with_value(&option, v)?;
                }
                _ => reader.flag(&option)?,
            }
        } else if word.len() > 1 && word.starts_with('-') {
            let cluster: Vec<char> = word[1..].chars().collect();
            let mut at = 0;
            while at < cluster.len() {
                let c = cluster[at];
                at += 1;
                let option = format!("-{c}");
                if matches!(c, 'X' | 'H' | 'd' | 'u') {
                    let rest: String = cluster[at..].iter().collect();
                    let v = if rest.is_empty() {
                        value(&option)?
                    } else {
                        rest
                    };
                    reader.with_value(&option, v)?;
                    break;
                }
                reader.flag(&option)?;
            }
        } else if word == "curl" {
            return Err(ParseError::Second(i));
        } else {
            reader.url(word.clone())?;
        }
    }
    reader.finish()
}

/// Removes each `\` + newline outside single quotes, as the shell does before it splits
/// words (shlex keeps an empty word for one that starts a line's indentation).
fn join_continuations(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let (mut single, mut double) = (false, false);
    while let Some(c) = chars.next() {
        match c {
            '\\' if !single => {
                match chars.peek() {
                    Some('\n') => {
                        chars.next();
                    }
                    Some('\r') => {
                        chars.next();
                        if chars.peek() == Some(&'\n') {
                            chars.next();
                        }
                    }
                    Some(&next) => {
                        out.push(c);
                        out.push(next);
                        chars.next();
                    }
                    None => out.push(c),
                }
                continue;
            }
            '\'' if !double => single = !single,
            '"' if !single => double = !double,
            // A comment runs to the end of its line; its quotes are no quotes.
            '#' if !single && !double && out.chars().last().is_none_or(char::is_whitespace) => {
                out.push('#');
                for c in chars.by_ref() {
                    out.push(c);
                    if c == '\n' {
                        break;
                    }
                }
                continue;
            }
            _ => {}
        }
        out.push(c);
    }
    out
}

struct Reader<'a> {
    cwd: &'a Path,
    request: CurlRequest,
    method: Option<String>,
    get: bool,
    data: Vec<String>,
    json: Vec<String>,
    url: Option<String>,
}

impl Reader<'_> {
    fn url(&mut self, url: String) -> Result<(), ParseError> {
        if let Some(first) = &self.url {
            return Err(ParseError::TwoUrls(first.clone(), url));
        }
        self.url = Some(url);
        Ok(())
    }

    fn flag(&mut self, option: &str) -> Result<(), ParseError> {
        let note = match option {
            "-G" | "--get" => {
                self.get = true;
                return Ok(());
            }
            "-i" | "--include" => "-i ignored: apiplay always shows the response's headers",
            "-s" | "--silent" => "-s ignored: apiplay shows no progress meter",
            "-S" | "--show-error" => "-S ignored: apiplay always shows errors",
            "-L" | "--location" => "-L ignored: apiplay follows redirects (up to 10) anyway",
            "-k" | "--insecure" => {
                "-k ignored: apiplay always verifies TLS certificates (the sandbox is plain HTTP)"
            }
            _ => return Err(ParseError::Unsupported(option.to_owned())),
        };
        if !self.request.notes.iter().any(|n| n == note) {
            self.request.notes.push(note.to_owned());
        }
        Ok(())
    }

    fn with_value(&mut self, option: &str, value: String) -> Result<(), ParseError> {
        match option {
            "-X" | "--request" => self.method = Some(value.to_ascii_uppercase()),
            "-H" | "--header" => self.header(option, &value)?,
            "-d" | "--data" | "--data-ascii" => {
                let part = match value.strip_prefix('@') {
                    Some(file) => self.read(option, file)?.replace(['\r', '\n'], ""),
                    None => value,
                };
                self.data.push(part);
            }
            "--data-binary" => {
                let part = match value.strip_prefix('@') {
                    Some(file) => self.read(option, file)?,
                    None => value,
                };
                self.data.push(part);
            }
            "--data-raw" => self.data.push(value),
            "--data-urlencode" => {
                let part = self.urlencode(option, &value)?;
                self.data.push(part);
            }
            "--json" => {
                let part = match value.strip_prefix('@') {
                    Some(file) => self.read(option, file)?,
                    None => value,
                };
                self.json.push(part);
            }
            "-u" | "--user" => {
                let Some((user, password)) = value.split_once(':') else {
                    return Err(ParseError::BadValue {
                        option: option.to_owned(),
                        problem: format!("`{value}` has no `:PASSWORD` (curl would ask for it): write -u USER:PASSWORD"),
                    });
                };
                self.request.user = Some((user.to_owned(), password.to_owned()));
            }
            "--url" => self.url(value)?,
            _ => return Err(ParseError::Unsupported(option.to_owned())),
        }
        Ok(())
    }

    fn header(&mut self, option: &str, value: &str) -> Result<(), ParseError> {
        if value.starts_with('@') {
            return Err(ParseError::BadValue {
                option: option.to_owned(),
                problem: "`@file` (headers from a file) is not supported: write each header as -H 'Name: value'".to_owned(),
            });
        }
        // `Name;` is a header with an empty value; `Name:` alone removes one of curl's own.
        if let Some(name) = value.strip_suffix(';').filter(|n| !n.contains(':')) {
            self.request
                .headers
                .push((name.trim().to_owned(), String::new()));
            return Ok(());
        }
        let Some((name, v)) = value.split_once(':') else {
            return Err(ParseError::BadValue {
                option: option.to_owned(),
                problem: format!("`{value}` is not `Name: value`"),
            });
        };
        let v = v.trim();
        if v.is_empty() {
            self.request.notes.push(format!(
                "-H '{name}:' (removing curl's own {name} header) ignored: apiplay sends its own"
            ));
            return Ok(());
        }
        self.request
            .headers
            .push((name.trim().to_owned(), v.to_owned()));
        Ok(())
    }

    fn read(&self, option: &str, file: &str) -> Result<String, ParseError> {
        if file == "-" {
            return Err(ParseError::BadValue {
                option: option.to_owned(),
                problem: "`@-` (the body from standard input) is not supported: save the body to a file and use @FILE".to_owned(),
            });
        }
        let path = self.cwd.join(file);
        let bytes = std::fs::read(&path).map_err(|e| ParseError::File {
            option: option.to_owned(),
            path: path.clone(),
            message: e.to_string(),
        })?;
        String::from_utf8(bytes).map_err(|_| ParseError::File {
            option: option.to_owned(),
            path,
            message: "it is not UTF-8 text (a payload body is JSON)".to_owned(),
        })
    }

    /// `--data-urlencode`: `content`, `=content`, `name=content`, `@file`, `name@file`.
    fn urlencode(&self, option: &str, value: &str) -> Result<String, ParseError> {
        let enc = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
        let eq = value.find('=');
        let at = value.find('@');
        Ok(match (eq, at) {
            (Some(e), _) if at.is_none_or(|a| e < a) => {
                let (name, content) = (&value[..e], &value[e + 1..]);
                if name.is_empty() {
                    enc(content)
                } else {
                    format!("{name}={}", enc(content))
                }
            }
            (_, Some(a)) => {
                let (name, file) = (&value[..a], &value[a + 1..]);
                let content = self.read(option, file)?;
                if name.is_empty() {
                    enc(&content)
                } else {
                    format!("{name}={}", enc(&content))
                }
            }
            _ => enc(value),
        })
    }

    fn finish(mut self) -> Result<CurlRequest, ParseError> {
        let mut url = self.url.take().ok_or(ParseError::NoUrl)?;
        if !url.contains("://") {
            url = format!("http://{url}");
        }
        let mut request = self.request;
        let mut body = None;
        if !self.json.is_empty() {
            request
                .headers
                .push(("Content-Type".to_owned(), "application/json".to_owned()));
            request
                .headers
                .push(("Accept".to_owned(), "application/json".to_owned()));
            let mut text = self.json.concat();
            if !self.data.is_empty() {
                text.push('&');
                text.push_str(&self.data.join("&"));
            }
            body = Some(text);
        } else if !self.data.is_empty() {
            body = Some(self.data.join("&"));
        }
        if self.get {
            if let Some(data) = body.take() {
                url.push(if url.contains('?') { '&' } else { '?' });
                url.push_str(&data);
            }
        }
        request.method = self
            .method
            .unwrap_or_else(|| if body.is_some() { "POST" } else { "GET" }.to_owned());
        request.url = url;
        request.body = body;
        Ok(request)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn p(text: &str) -> Result<CurlRequest, ParseError> {
        parse(text, Path::new("."))
    }

    #[test]
    fn clusters_attached_values_continuations_and_comments() {
        let r = p("# needs $T: it's x \\\ncurl -sSL -XPUT \\\n  'http://h/a?b=1' -HAccept:\\ text/plain -d a=1 --data-urlencode 'q=a b&c'").unwrap();
        assert_eq!(r.method, "PUT");
        assert_eq!(r.url, "http://h/a?b=1");
        assert_eq!(r.headers, [("Accept".to_owned(), "text/plain".to_owned())]);
        assert_eq!(r.body.as_deref(), Some("a=1&q=a+b%26c"));
        assert_eq!(r.notes.len(), 3);
    }

    #[test]
    fn continuations_at_the_start_of_an_indented_line_leave_no_empty_word() {
        let r = p("curl http://h/x \\\n  -H 'A: b' \\\r\n  -d '{\"a\": \"c\\\\d\"}'").unwrap();
        assert_eq!(r.headers, [("A".to_owned(), "b".to_owned())]);
        assert_eq!(r.body.as_deref(), Some(r#"{"a": "c\\d"}"#));
    }

    #[test]
    fn get_moves_the_data_into_the_query() {
        let r = p("curl -G http://h/a -d x=1 -d y=2").unwrap();
        assert_eq!(
            (r.method.as_str(), r.url.as_str(), r.body),
            ("GET", "http://h/a?x=1&y=2", None)
        );
    }

    #[test]
    fn errors_name_what_is_wrong() {
        assert_eq!(
            p("curl -v http://h").unwrap_err(),
            ParseError::Unsupported("-v".into())
        );
        assert_eq!(
            p("curl --compressed http://h").unwrap_err(),
            ParseError::Unsupported("--compressed".into())
        );
        assert_eq!(p("curl 'http://h").unwrap_err(), ParseError::Unbalanced);
        assert_eq!(
            p("wget http://h").unwrap_err(),
            ParseError::NotCurl("wget".into())
        );
        assert_eq!(
            p("curl -X").unwrap_err(),
            ParseError::MissingValue("-X".into())
        );
        assert_eq!(p("curl -s").unwrap_err(), ParseError::NoUrl);
    }
}
