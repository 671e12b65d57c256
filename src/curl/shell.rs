//! POSIX shell words: literal text in single quotes (safe for every byte a shell argument can
//! hold), and `"$VAR"` references to shell variables between them.

/// Appends `literal` single-quoted: every byte stays literal (`'` is written `'\''`).
pub fn push_quoted(out: &mut String, literal: &str) {
    if literal.is_empty() {
        return;
    }
    out.push('\'');
    out.push_str(&literal.replace('\'', r"'\''"));
    out.push('\'');
}

/// A whole word: `literal` quoted, or `''` when empty. A word made only of characters no
/// shell treats specially (`-H`, `POST`) is written bare.
pub fn quote(literal: &str) -> String {
    if !literal.is_empty()
        && literal
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./:=@%+,".contains(&b))
    {
        return literal.to_owned();
    }
    let mut out = String::new();
    push_quoted(&mut out, literal);
    if out.is_empty() {
        out.push_str("''");
    }
    out
}

/// The shell variable name for a template variable: upper case, anything but ASCII letters
/// and digits as `_` (`mesibo_app_token` → `MESIBO_APP_TOKEN`, `$opentok_jwt` → `OPENTOK_JWT`).
pub fn variable_name(name: &str) -> String {
    name.trim_start_matches('$')
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_keeps_every_byte_literal() {
        assert_eq!(quote("-H"), "-H");
        assert_eq!(quote(""), "''");
        assert_eq!(quote("it's $HOME `x` \\ \n"), "'it'\\''s $HOME `x` \\ \n'");
        assert_eq!(variable_name("$agora_app_token"), "AGORA_APP_TOKEN");
        assert_eq!(variable_name("a.b-c"), "A_B_C");
    }
}
