//! The zlib stream inside a 007 token.
//!
//! Compression is not canonical. The official Python and Java SDKs use C zlib at level 6, so
//! tokens are compressed with [`super::deflate`], which makes zlib's level-6 choices exactly
//! (checked against CPython's zlib in `tests/tokens_vectors.rs`). miniz_oxide, flate2's
//! default backend, does not: at level 6 it emits a stored block for token-sized content (what
//! Agora's Rust port does, `007eJwB…`), and even its fixed-Huffman strategy, which happens to
//! reproduce the six official vectors, disagrees with zlib on about a third of random contents.
//! Inflation accepts every encoder's output.

use miniz_oxide::inflate::{self, TINFLStatus};

use super::deflate;
use crate::tokens::DecodeError;

/// A decompressed 007 content is a few hundred bytes; anything near this is an attack.
const MAX_CONTENT: usize = 1 << 20;

/// zlib-compresses `content` as C zlib level 6 does. Content beyond the 32 KiB window that
/// [`deflate`] covers (no real token) falls back to miniz_oxide, still valid zlib.
pub fn compress_zlib(content: &[u8]) -> Vec<u8> {
    deflate::compress(content)
        .unwrap_or_else(|| miniz_oxide::deflate::compress_to_vec_zlib(content, 6))
}

/// Inflates a zlib stream, telling truncation apart from corruption.
pub fn decompress_zlib(data: &[u8]) -> Result<Vec<u8>, DecodeError> {
    inflate::decompress_to_vec_zlib_with_limit(data, MAX_CONTENT).map_err(|err| match err.status {
        TINFLStatus::FailedCannotMakeProgress | TINFLStatus::NeedsMoreInput => {
            DecodeError::ZlibTruncated
        }
        TINFLStatus::Adler32Mismatch => {
            DecodeError::ZlibCorrupt("adler32 checksum mismatch".into())
        }
        TINFLStatus::HasMoreOutput => {
            DecodeError::ZlibCorrupt(format!("content larger than {MAX_CONTENT} bytes"))
        }
        _ => DecodeError::ZlibCorrupt("invalid deflate data".into()),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn round_trip_and_reuse() {
        for content in [&b""[..], b"abcabcabcabc", &[7u8; 5000]] {
            let z = compress_zlib(content);
            assert_eq!(&z[..2], &[0x78, 0x9c]);
            assert_eq!(decompress_zlib(&z).unwrap(), content);
        }
    }

    #[test]
    fn truncation_is_told_apart() {
        let z = compress_zlib(b"hello hello hello hello");
        assert_eq!(
            decompress_zlib(&z[..z.len() - 6]),
            Err(DecodeError::ZlibTruncated)
        );
        let mut bad = z.clone();
        let last = bad.len() - 1;
        bad[last] ^= 1;
        assert!(matches!(
            decompress_zlib(&bad),
            Err(DecodeError::ZlibCorrupt(_))
        ));
    }
}
