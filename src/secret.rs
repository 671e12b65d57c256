//! How a secret (or a token) is shown when it must not be: one mask for the CLI and the TUI.

/// The dots that stand for the hidden part.
const DOTS: &str = "••••";

/// Masks a secret: `87pb••••iwuw` (its first and last four characters, enough to tell two
/// apart) when it has at least 16 characters, else `••••••••` whatever its length, so a
/// short secret shows neither its characters nor its length.
pub fn mask(secret: &str) -> String {
    let n = secret.chars().count();
    if n < 16 {
        return DOTS.repeat(2);
    }
    let head: String = secret.chars().take(4).collect();
    let tail: String = secret.chars().skip(n - 4).collect();
    format!("{head}{DOTS}{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_four_at_each_end_of_a_long_secret_and_nothing_of_a_short_one() {
        // The docs' mesibo app token (README's sandbox table).
        assert_eq!(
            mask("87pbh20pzehd9ld0o0pxqx9h80jjqfu9ipul4l00fnb55pbfx9mxyyk4uyr1iwuw"),
            "87pb••••iwuw"
        );
        assert_eq!(mask("0123456789abcdef"), "0123••••cdef");
        assert_eq!(mask("secret"), "••••••••");
        assert_eq!(mask("0123456789abcde"), "••••••••");
        assert_eq!(mask(""), "••••••••");
    }
}
