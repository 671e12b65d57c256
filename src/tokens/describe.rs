//! Human-readable accounts of decoded tokens: absolute UTC times without a date crate, and
//! relative times ("expires in 23 h 59 m", "expired 3 d ago") that the CLI and TUI share.

use std::fmt::Write as _;

use serde_json::Value;

use super::DecodedToken;

/// `YYYY-MM-DD HH:MM:SS UTC` for unix seconds (proleptic Gregorian calendar).
pub fn utc(unix: i64) -> String {
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} UTC",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

/// Converts days since 1970-01-01 to (year, month, day), using 400-year eras.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// A duration in its two largest units: "3 d 4 h", "23 h 59 m", "5 m 2 s", "12 s".
pub fn span(secs: i64) -> String {
    let secs = secs.unsigned_abs();
    let (d, h, m, s) = (
        secs / 86_400,
        secs % 86_400 / 3600,
        secs % 3600 / 60,
        secs % 60,
    );
    match (d, h, m) {
        (0, 0, 0) => format!("{s} s"),
        (0, 0, _) => format!("{m} m {s} s"),
        (0, _, _) => format!("{h} h {m} m"),
        _ if h == 0 => format!("{d} d"),
        _ => format!("{d} d {h} h"),
    }
}

/// "expires in 23 h 59 m" or "expired 3 d ago".
pub fn expiry_relative(expires_at: i64, now: i64) -> String {
    if expires_at > now {
        format!("expires in {}", span(expires_at - now))
    } else {
        format!("expired {} ago", span(now - expires_at))
    }
}

/// The lines of a readable account: (label, value) pairs in display order. Services and
/// grants come last, one line each with their privileges.
pub fn account(token: &DecodedToken, now: i64) -> Vec<(String, String)> {
    let mut lines = vec![("format".to_owned(), token.format.as_str().to_owned())];
    if let Some(app) = &token.app {
        lines.push(("app/issuer".into(), app.clone()));
    }
    if let Some(subject) = &token.subject {
        lines.push(("subject".into(), subject.clone()));
    }
    if let Some(iat) = token.issued_at {
        lines.push((
            "issued".into(),
            format!("{} ({} ago)", utc(iat), span(now - iat)),
        ));
    }
    match token.expires_at {
        Some(exp) => lines.push((
            "expires".into(),
            format!("{} ({})", utc(exp), expiry_relative(exp, now)),
        )),
        None => lines.push(("expires".into(), "never (no expiry in the token)".into())),
    }
    let issue = token.issued_at.unwrap_or(0);
    if let Some(services) = token.claims.get("services").and_then(Value::as_array) {
        for service in services {
            lines.push(("service".into(), describe_service(service, issue)));
        }
    }
    if let Some(grants) = token.claims.get("grants").and_then(Value::as_object) {
        for (key, grant) in grants {
            if key != "identity" {
                lines.push(("grant".into(), format!("{key} {grant}")));
            }
        }
    }
    if let Some(role) = token.claims.get("role").and_then(Value::as_str) {
        lines.push(("role".into(), role.to_owned()));
    }
    if let Some(data) = token.claims.get("connection_data").and_then(Value::as_str) {
        lines.push(("connection data".into(), data.to_owned()));
    }
    lines
}

fn describe_service(service: &Value, issue: i64) -> String {
    let name = service.get("name").and_then(Value::as_str).unwrap_or("?");
    let mut out = name.to_owned();
    if let Some(obj) = service.as_object() {
        for (k, v) in obj {
            if matches!(k.as_str(), "name" | "type" | "privileges") {
                continue;
            }
            let _ = write!(out, " {k}={v}");
        }
    }
    if let Some(privs) = service.get("privileges").and_then(Value::as_object) {
        let list: Vec<String> = privs
            .iter()
            .map(|(k, v)| match v.as_i64() {
                Some(secs) => format!("{k} for {} (until {})", span(secs), utc(issue + secs)),
                None => format!("{k} {v}"),
            })
            .collect();
        let _ = write!(out, ": {}", list.join(", "));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_and_relative() {
        assert_eq!(utc(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(utc(1_700_000_000), "2023-11-14 22:13:20 UTC");
        assert_eq!(utc(951_825_600), "2000-02-29 12:00:00 UTC");
        assert_eq!(expiry_relative(86_340, 0), "expires in 23 h 59 m");
        assert_eq!(expiry_relative(0, 3 * 86_400), "expired 3 d ago");
        assert_eq!(span(62), "1 m 2 s");
    }
}
