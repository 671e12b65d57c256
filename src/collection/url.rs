//! A request's URL from a backend's base URL, a sidecar's path and its query, joined by the
//! `url` crate (the `Url` reqwest parses): the path is resolved against the base as a directory, so
//! `http://h/backend/` + `` stays `http://h/backend/` (and `http://h/backend` + `` stays
//! `http://h/backend`: an empty path adds nothing), `http://h:9` + `/org/app/users` is
//! `http://h:9/org/app/users`, and a base path is kept (`http://h/api` + `users` is
//! `http://h/api/users`). A path that is a URL itself (`https://…`) replaces the base.
//!
//! The same function serves the request sent, the copy the history keeps and the TUI's
//! header; in the last two, `{{name}}` placeholders stay as written (the `url` crate
//! percent-encodes braces in a path, and a replay must find them again).

use url::Url;

/// `base` joined with `path`, then `query` (already form-encoded) appended.
///
/// # Errors
/// The `url` crate's error when `base` (or a `path` that is a whole URL) is not a URL.
pub fn join(base: &str, path: &str, query: &str) -> Result<String, url::ParseError> {
    let mut url = if path.starts_with("http://") || path.starts_with("https://") {
        Url::parse(path)?
    } else {
        let mut base = Url::parse(base)?;
        let relative = path.trim_start_matches('/');
        if relative.is_empty() {
            // No path: the base exactly as written (`…/backend` stays without a slash).
            base
        } else {
            if !base.path().ends_with('/') {
                let dir = format!("{}/", base.path());
                base.set_path(&dir);
            }
            base.join(relative)?
        }
    };
    if !query.is_empty() {
        let joined = match url.query() {
            Some(q) if !q.is_empty() => format!("{q}&{query}"),
            _ => query.to_owned(),
        };
        url.set_query(Some(&joined));
    }
    // Braces are not URL characters; the only ones here are apiplay's placeholders.
    Ok(url.as_str().replace("%7B%7B", "{{").replace("%7D%7D", "}}"))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn paths_join_the_base_as_a_directory() {
        let j = |b, p, q| join(b, p, q).unwrap();
        assert_eq!(
            j("http://127.0.0.1:9/backend/", "", ""),
            "http://127.0.0.1:9/backend/"
        );
        assert_eq!(
            j("https://api.mesibo.com/backend", "", ""),
            "https://api.mesibo.com/backend"
        );
        assert_eq!(
            j("https://api.mesibo.com/backend", "", "a=1"),
            "https://api.mesibo.com/backend?a=1"
        );
        assert_eq!(
            j("http://127.0.0.1:9", "/41434878/504205/users", ""),
            "http://127.0.0.1:9/41434878/504205/users"
        );
        assert_eq!(
            j("https://a.example/api", "users", ""),
            "https://a.example/api/users"
        );
        assert_eq!(
            j("https://a.example/api/", "/users", ""),
            "https://a.example/api/users"
        );
        assert_eq!(
            j("http://h:9", "/chat/app/token", "expire=60"),
            "http://h:9/chat/app/token?expire=60"
        );
        assert_eq!(j("http://h:9", "/x?a=1", "b=2"), "http://h:9/x?a=1&b=2");
        assert_eq!(
            j("http://h:9", "https://other.example/t", ""),
            "https://other.example/t"
        );
        // Placeholders survive in the path and the query.
        assert_eq!(
            j(
                "http://h:9",
                "/{{agora_org}}/{{agora_app}}/users",
                "t={{token}}"
            ),
            "http://h:9/{{agora_org}}/{{agora_app}}/users?t={{token}}"
        );
        // The default port is dropped, a space encoded: what reqwest sends.
        assert_eq!(j("http://h:80/", "a b", ""), "http://h/a%20b");
        assert!(join("not a url", "/x", "").is_err());
    }
}
