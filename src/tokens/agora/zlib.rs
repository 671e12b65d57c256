//! The zlib stream inside a 007 token.
//!
//! Compression is not canonical, and the official Python and Java vectors come from C zlib at
//! level 6. For token-sized content C zlib almost always picks a fixed-Huffman block, and
//! miniz_oxide at level 6 with the fixed-Huffman strategy makes the same match choices, so
//! its output equals the vectors byte for byte (`tests/tokens_vectors.rs` pins this). With its
//! default strategy miniz_oxide emits a stored block instead (what Agora's Rust port does).
//! Inflation accepts every encoder's output.

use std::cell::RefCell;

use miniz_oxide::deflate::core::{
    compress, create_comp_flags_from_zip_params, CompressionStrategy, CompressorOxide, TDEFLFlush,
    TDEFLStatus,
};
use miniz_oxide::inflate::{self, TINFLStatus};

use crate::tokens::DecodeError;

/// The level that, with [`STRATEGY`], reproduces the official vectors.
pub const LEVEL: u8 = 6;
/// The miniz_oxide strategy that reproduces the official vectors.
pub const STRATEGY: CompressionStrategy = CompressionStrategy::Fixed;

/// A decompressed 007 content is a few hundred bytes; anything near this is an attack.
const MAX_CONTENT: usize = 1 << 20;

thread_local! {
    // The compressor owns ~300 KiB of tables; allocating them per token would dominate
    // the build time, so each thread keeps one and resets it.
    static COMPRESSOR: RefCell<CompressorOxide> = RefCell::new(CompressorOxide::new(
        create_comp_flags_from_zip_params(i32::from(LEVEL), 15, STRATEGY as i32),
    ));
}

/// zlib-compresses `content` (header, fixed-Huffman deflate, adler32).
pub fn compress_zlib(content: &[u8]) -> Vec<u8> {
    COMPRESSOR.with(|cell| {
        let mut comp = cell.borrow_mut();
        comp.reset();
        // Fixed Huffman never expands by more than 1/8 plus block overhead.
        let mut out = vec![0u8; content.len() + content.len() / 4 + 64];
        let (status, _, written) = compress(&mut comp, content, &mut out, TDEFLFlush::Finish);
        debug_assert_eq!(status, TDEFLStatus::Done);
        out.truncate(written);
        out
    })
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
