//! The byte-level codecs every format shares: base64 in both alphabets with error offsets
//! mapped back into the token string, and HMAC helpers.

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::{alphabet, Engine};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::DecodeError;

/// Standard alphabet, padding optional on decode (tokens copied by hand lose their `=`).
pub(crate) const STANDARD: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// URL-safe alphabet without padding on encode, padding optional on decode (JWT parts).
pub(crate) const URL_SAFE: GeneralPurpose = GeneralPurpose::new(
    &alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Decodes `text` with `engine`; `base` is where `text` starts in the whole token, so the
/// error offset points into what the user pasted.
pub(crate) fn decode_b64(
    engine: &GeneralPurpose,
    text: &str,
    base: usize,
) -> Result<Vec<u8>, DecodeError> {
    engine
        .decode(text)
        .map_err(|err| b64_error(&err, text, base))
}

/// Decodes base64 in either alphabet (OpenTok's Java SDK emits URL-safe T1 tokens).
pub(crate) fn decode_b64_any(text: &str, base: usize) -> Result<Vec<u8>, DecodeError> {
    if text.contains(['-', '_']) {
        decode_b64(&URL_SAFE, text, base)
    } else {
        decode_b64(&STANDARD, text, base)
    }
}

fn b64_error(err: &base64::DecodeError, text: &str, base: usize) -> DecodeError {
    use base64::DecodeError as E;
    let (offset, what) = match *err {
        E::InvalidByte(at, byte) | E::InvalidLastSymbol(at, byte) => {
            (at, format!("unexpected character {:?}", char::from(byte)))
        }
        E::InvalidLength(len) => (
            text.len(),
            format!("{len} symbols is not a valid base64 length"),
        ),
        E::InvalidPadding => (
            text.find('=').unwrap_or(text.len()),
            "bad padding".to_owned(),
        ),
    };
    DecodeError::Base64 {
        offset: base + offset,
        what,
    }
}

/// HMAC-SHA256 of `msg` under `key`.
pub(crate) fn hmac_sha256(key: &[u8], msg: &[u8]) -> [u8; 32] {
    let mut mac = new_hmac_sha256(key);
    mac.update(msg);
    mac.finalize().into_bytes().into()
}

/// A keyed HMAC-SHA256 ready for `update`; HMAC accepts keys of any length.
pub(crate) fn new_hmac_sha256(key: &[u8]) -> Hmac<Sha256> {
    match Hmac::<Sha256>::new_from_slice(key) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC takes keys of any length"),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn base64_error_offset_is_relative_to_the_whole_token() {
        let err = decode_b64(&STANDARD, "QUJD*EFG", 3).unwrap_err();
        assert_eq!(
            err.to_string(),
            "base64 invalid at offset 7 (unexpected character '*')"
        );
    }

    #[test]
    fn both_alphabets_decode_to_the_same_bytes() {
        let bytes = [0xfbu8, 0xff, 0xbf, 0x00];
        let std = STANDARD.encode(bytes);
        let url = URL_SAFE.encode(bytes);
        assert_ne!(std.trim_end_matches('='), url);
        assert_eq!(decode_b64_any(&std, 0).unwrap(), bytes);
        assert_eq!(decode_b64_any(&url, 0).unwrap(), bytes);
    }
}
