//! Token extractors: every response is scanned for the tokens a backend issued.
//!
//! Two extractors run in turn. The mesibo one knows `useradd`'s shape and the request it
//! answered (address, appid, expiry in minutes). The generic one visits token-named fields
//! (`token`, `access_token`, `accessToken`, `jwt`, …) with token-shaped values and asks the
//! format decoders ([`crate::tokens::decode`]) what each is; a value no decoder knows is kept
//! as `opaque`, with an expiry from its siblings (`expires_in`, `expire_timestamp`) when the
//! response gives one. A plain-text body that decodes as a token is one too (the Agora token
//! server of the docs answers that way).

use serde::Serialize;
use serde_json::{Map, Value};

use crate::tokens::{self, TokenFormat};

/// mesibo's default user-token expiry: one year, in minutes.
pub const MESIBO_DEFAULT_EXPIRY_MINUTES: i64 = 525_600;

/// Field names whose string values may be tokens.
const TOKEN_FIELDS: [&str; 8] = [
    "token",
    "access_token",
    "accessToken",
    "jwt",
    "app_token",
    "user_token",
    "appToken",
    "userToken",
];

/// Sibling fields that name a token's subject, first match wins.
const SUBJECT_FIELDS: [&str; 6] = [
    "address",
    "identity",
    "username",
    "user_id",
    "uid",
    "session_id",
];

/// How many JSON nodes the generic extractor visits at most, so a huge response stays cheap.
const MAX_NODES: usize = 200_000;

/// Bodies larger than this are not scanned for tokens or captures: token-issuing responses are
/// small, and building a tree of a 50 MB body would cost many times its size in memory.
pub const MAX_SCANNED_BODY: usize = 4 * 1024 * 1024;

/// A token a backend issued (or apiplay minted).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IssuedToken {
    /// Its format.
    pub format: TokenFormat,
    /// The token itself.
    pub token: String,
    /// Who it is for.
    pub subject: Option<String>,
    /// App id, API key or issuer.
    pub app: Option<String>,
    /// Unix seconds.
    pub issued_at: i64,
    /// Unix seconds; `None` when nothing says.
    pub expires_at: Option<i64>,
    /// JSON Pointer of the token in the response (`""` for a whole body), or `minted`.
    pub source: String,
    /// What else is known: decoded claims, mesibo uid.
    pub claims: Value,
}

/// Finds the tokens in a response. `request` is the JSON body that was sent, if any;
/// `body` the raw response body; `now` the Unix time the response arrived.
pub fn extract(request: Option<&Value>, body: &[u8], now: i64) -> Vec<IssuedToken> {
    if body.len() > MAX_SCANNED_BODY {
        return Vec::new();
    }
    let parsed = serde_json::from_slice::<Value>(body).ok();
    extract_parsed(request, "", body, parsed.as_ref(), now)
}

/// [`extract`] for a caller that has already parsed the body (`None` when it is not JSON),
/// so a response is parsed once for tokens and captures together; `url` is the request's URL
/// (the Agora Chat token exchange is known by its path).
pub fn extract_parsed(
    request: Option<&Value>,
    url: &str,
    body: &[u8],
    parsed: Option<&Value>,
    now: i64,
) -> Vec<IssuedToken> {
    let Some(response) = parsed else {
        return plain_text_token(body, now).into_iter().collect();
    };
    let mut found = Vec::new();
    if let Some(t) = mesibo_useradd(request, response, now) {
        found.push(t);
    }
    if let Some(t) = agora_chat_exchange(request, url, response, now) {
        found.push(t);
    }
    let mut budget = MAX_NODES;
    let mut pointer = String::new();
    visit(response, &mut pointer, now, &mut budget, &mut found);
    found
}

fn plain_text_token(body: &[u8], now: i64) -> Option<IssuedToken> {
    let text = std::str::from_utf8(body).ok()?.trim();
    let text = text
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or(text);
    if !token_shaped(text) {
        return None;
    }
    let decoded = tokens::decode(text).ok()?;
    Some(from_decoded(text, decoded, String::new(), now, None))
}

/// mesibo `useradd`: `{"user":{"uid":…,"token":…},"op":"useradd","result":true}`.
fn mesibo_useradd(request: Option<&Value>, response: &Value, now: i64) -> Option<IssuedToken> {
    if response.get("op")?.as_str()? != "useradd" || response.get("result")? != &Value::Bool(true) {
        return None;
    }
    let user = response.get("user")?;
    let token = user.get("token")?.as_str()?;
    let requested = request.and_then(|r| r.get("user"));
    let requested_token = requested.and_then(|u| u.get("token"));
    let minutes = requested_token
        .and_then(|t| t.get("expiry"))
        .and_then(|e| e.as_i64().or_else(|| e.as_str()?.parse().ok()))
        .unwrap_or(MESIBO_DEFAULT_EXPIRY_MINUTES);
    let subject = user
        .get("address")
        .or_else(|| requested.and_then(|u| u.get("address")))
        .and_then(Value::as_str)
        .map(str::to_owned);
    let app = requested_token
        .and_then(|t| t.get("appid"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    let mut claims = Map::new();
    if let Some(uid) = user.get("uid") {
        claims.insert("uid".to_owned(), uid.clone());
    }
    claims.insert("expiry_minutes".to_owned(), Value::from(minutes));
    Some(IssuedToken {
        format: TokenFormat::Mesibo,
        token: token.to_owned(),
        subject,
        app,
        issued_at: now,
        expires_at: Some(now.saturating_add(minutes.saturating_mul(60))),
        source: "/user/token".to_owned(),
        claims: Value::Object(claims),
    })
}

/// The Agora Chat REST token exchange, `POST /{org}/{app}/token` with a `grant_type`: the
/// answer's `access_token` is an Agora Chat token (opaque) for the app key `org#app` (Agora's
/// "App Key" is `{orgname}#{appname}`), or for the `username` of a user-token request. The
/// expiry comes from `expire_timestamp` (ms) or `expires_in` (s).
fn agora_chat_exchange(
    request: Option<&Value>,
    url: &str,
    response: &Value,
    now: i64,
) -> Option<IssuedToken> {
    let request = request?;
    request.get("grant_type")?.as_str()?;
    let token = response.get("access_token")?.as_str()?;
    if !token_shaped(token) || tokens::decode(token).is_ok() {
        return None;
    }
    let path = url.split(['?', '#']).next()?;
    let path = path.split_once("://").map_or(path, |(_, rest)| rest);
    let mut segments = path.split('/').skip(1).filter(|s| !s.is_empty());
    let (org, app, last) = (segments.next()?, segments.next()?, segments.next()?);
    if last != "token" || segments.next().is_some() {
        return None;
    }
    let app_key = format!("{org}#{app}");
    let user = request.get("username").and_then(scalar_text);
    let mut claims = Map::new();
    claims.insert(
        "privileges".to_owned(),
        Value::from(if user.is_some() { "user" } else { "app" }),
    );
    claims.insert("grant_type".to_owned(), request["grant_type"].clone());
    let map = response.as_object()?;
    Some(IssuedToken {
        format: TokenFormat::AgoraChat,
        token: token.to_owned(),
        subject: Some(user.unwrap_or_else(|| app_key.clone())),
        app: Some(app_key),
        issued_at: now,
        expires_at: sibling_expiry(map, now),
        source: "/access_token".to_owned(),
        claims: Value::Object(claims),
    })
}

fn visit(
    value: &Value,
    pointer: &mut String,
    now: i64,
    budget: &mut usize,
    found: &mut Vec<IssuedToken>,
) {
    if *budget == 0 {
        return;
    }
    *budget -= 1;
    let len = pointer.len();
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                push_segment(pointer, key);
                if let (true, Some(text)) = (TOKEN_FIELDS.contains(&key.as_str()), child.as_str()) {
                    if token_shaped(text) && !found.iter().any(|t| t.token == text) {
                        found.push(generic(text, pointer.clone(), map, now));
                    }
                } else {
                    visit(child, pointer, now, budget, found);
                }
                pointer.truncate(len);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                push_segment(pointer, &i.to_string());
                visit(child, pointer, now, budget, found);
                pointer.truncate(len);
            }
        }
        _ => {}
    }
}

fn push_segment(pointer: &mut String, key: &str) {
    pointer.push('/');
    pointer.push_str(&key.replace('~', "~0").replace('/', "~1"));
}

fn generic(text: &str, source: String, siblings: &Map<String, Value>, now: i64) -> IssuedToken {
    let subject = SUBJECT_FIELDS
        .iter()
        .find_map(|f| siblings.get(*f).and_then(scalar_text));
    match tokens::decode(text) {
        Ok(decoded) => from_decoded(text, decoded, source, now, subject),
        Err(_) => IssuedToken {
            format: TokenFormat::Opaque,
            token: text.to_owned(),
            subject,
            app: None,
            issued_at: now,
            expires_at: sibling_expiry(siblings, now),
            source,
            claims: Value::Object(Map::new()),
        },
    }
}

fn from_decoded(
    text: &str,
    decoded: tokens::DecodedToken,
    source: String,
    now: i64,
    subject: Option<String>,
) -> IssuedToken {
    IssuedToken {
        format: decoded.format,
        token: text.to_owned(),
        subject: decoded.subject.or(subject),
        app: decoded.app,
        issued_at: decoded.issued_at.unwrap_or(now),
        expires_at: decoded.expires_at,
        source,
        claims: decoded.claims,
    }
}

/// `expires_in` (seconds from now) or `expire_timestamp` (Unix milliseconds, Agora Chat).
fn sibling_expiry(siblings: &Map<String, Value>, now: i64) -> Option<i64> {
    if let Some(ms) = siblings.get("expire_timestamp").and_then(Value::as_i64) {
        return Some(ms / 1000);
    }
    siblings
        .get("expires_in")
        .and_then(Value::as_i64)
        .map(|s| now.saturating_add(s))
}

fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// At least 16 printable, non-space ASCII characters: a credential, not a word or a flag.
fn token_shaped(text: &str) -> bool {
    text.len() >= 16 && text.bytes().all(|b| b.is_ascii_graphic())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    #[test]
    fn mesibo_useradd_takes_subject_app_and_minutes_from_the_request() {
        let request = json!({"op":"useradd","token":"x","user":{"address":"xyz@example.com",
            "token":{"appid":"com.mesibo.firstapp","expiry":60}}});
        let body = br#"{"user":{"uid":"5302","token":"8931aa0c9e6e0a0a3ca9e9ddea5cd1d6c1f8d0d1"},"op":"useradd","result":true}"#;
        let found = extract(Some(&request), body, 1_000);
        assert_eq!(
            found.len(),
            1,
            "the generic extractor must not record it twice"
        );
        let t = &found[0];
        assert_eq!(t.format, TokenFormat::Mesibo);
        assert_eq!(t.subject.as_deref(), Some("xyz@example.com"));
        assert_eq!(t.app.as_deref(), Some("com.mesibo.firstapp"));
        assert_eq!(t.expires_at, Some(1_000 + 3_600));
        assert_eq!(t.claims["uid"], "5302");
        assert_eq!(t.source, "/user/token");
    }

    #[test]
    fn mesibo_expiry_defaults_to_a_year_and_failures_issue_nothing() {
        let body = br#"{"user":{"uid":1,"token":"79a818d76fe45fb5a3ac395a0a98251c"},"op":"useradd","result":true}"#;
        let t = &extract(None, body, 0)[0];
        assert_eq!(t.expires_at, Some(525_600 * 60));
        let refused = br#"{"op":"useradd","result":false,"error":"BADAPPTOKEN"}"#;
        assert!(extract(None, refused, 0).is_empty());
    }

    #[test]
    fn lifetimes_at_the_edge_of_i64_saturate_instead_of_wrapping() {
        let request =
            json!({"op":"useradd","user":{"address":"a","token":{"appid":"x","expiry":i64::MAX}}});
        let body = br#"{"user":{"uid":1,"token":"79a818d76fe45fb5a3ac395a0a98251c"},"op":"useradd","result":true}"#;
        assert_eq!(
            extract(Some(&request), body, 1_000)[0].expires_at,
            Some(i64::MAX)
        );
        let body = br#"{"access_token":"YWMtocXMjBEEQhmBqj-1iqWUywAAAAAAAAAA","expires_in":9223372036854775807}"#;
        assert_eq!(extract(None, body, 1_000)[0].expires_at, Some(i64::MAX));
    }

    #[test]
    fn generic_fields_get_sibling_subject_and_expiry() {
        let body = br#"{"access_token":"YWMtocXMjBEEQhmBqj-1iqWUywAAAAAAAAAA","expires_in":600,
            "expire_timestamp":1628148692771,"data":[{"identity":"alice","jwt":"short"}]}"#;
        let found = extract(None, body, 100);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].format, TokenFormat::Opaque);
        assert_eq!(found[0].expires_at, Some(1_628_148_692));
        assert_eq!(found[0].source, "/access_token");
        let nested = br#"{"items":[{"identity":"alice","token":"abcdefghijklmnopqrstuvwxyz"}]}"#;
        let t = &extract(None, nested, 100)[0];
        assert_eq!(
            (t.subject.as_deref(), t.source.as_str()),
            (Some("alice"), "/items/0/token")
        );
    }

    #[test]
    fn huge_bodies_are_not_scanned() {
        let mut body = br#"{"token":"abcdefghijklmnopqrstuvwxyz","pad":""#.to_vec();
        body.resize(MAX_SCANNED_BODY, b'x');
        body.extend_from_slice(b"\"}");
        assert!(extract(None, &body, 0).is_empty());
        assert_eq!(
            extract(None, &body[..60], 0).len(),
            0,
            "truncated JSON is not a token"
        );
        assert_eq!(
            extract(None, br#"{"token":"abcdefghijklmnopqrstuvwxyz"}"#, 0).len(),
            1
        );
    }

    #[test]
    fn prose_and_short_values_are_not_tokens() {
        assert!(extract(None, br#"{"token":"not a token at all, words"}"#, 0).is_empty());
        assert!(extract(None, b"hello world", 0).is_empty());
        assert!(extract(None, &[0xff, 0xfe, 0x00], 0).is_empty());
    }
}
