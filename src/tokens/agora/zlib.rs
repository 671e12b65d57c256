//! The zlib stream inside a 007 token.
//!
//! Compression is not canonical. The official Python and Java SDKs use C zlib at level 6, so
//! apiplay compresses with the same C zlib (flate2's `zlib` backend over libz-sys, built from
//! source and linked statically) at level 6, which reproduces their tokens byte for byte
//! (checked against CPython's zlib in `tests/tokens_vectors.rs`). Pure-Rust deflaters make
//! other choices: miniz_oxide emits a stored block for token-sized content (what Agora's Rust
//! port does, `007eJwB…`). Inflation accepts every encoder's output.

use std::cell::RefCell;

use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress, Status};

use crate::tokens::DecodeError;

/// A decompressed 007 content is a few hundred bytes; anything near this is an attack.
const MAX_CONTENT: usize = 1 << 20;

thread_local! {
    /// One deflate stream per thread, reset between tokens: zlib's state is ~256 KiB, and
    /// allocating it per token would cost more than the compression itself.
    static DEFLATE: RefCell<Compress> = RefCell::new(Compress::new(Compression::new(6), true));
}

/// zlib-compresses `content` exactly as C zlib's `compress2(level 6)` does.
pub fn compress_zlib(content: &[u8]) -> Vec<u8> {
    DEFLATE.with(|cell| {
        let mut stream = cell.borrow_mut();
        stream.reset();
        // zlib's worst case: 5 bytes per 16 KiB stored block, plus header and checksum.
        let mut out = Vec::with_capacity(content.len() + content.len() / 1000 + 64);
        loop {
            let consumed = usize::try_from(stream.total_in()).unwrap_or(usize::MAX);
            let input = content.get(consumed..).unwrap_or_default();
            match stream.compress_vec(input, &mut out, FlushCompress::Finish) {
                Ok(Status::StreamEnd) => return out,
                Ok(_) => out.reserve(out.capacity().max(64)),
                // Compressing in memory with Finish cannot fail; an empty stream would be caught
                // by every decoder, so no token can silently go out broken.
                Err(_) => return Vec::new(),
            }
        }
    })
}

/// Inflates a zlib stream, telling truncation apart from corruption.
pub fn decompress_zlib(data: &[u8]) -> Result<Vec<u8>, DecodeError> {
    let mut stream = Decompress::new(true);
    let mut out = Vec::with_capacity(data.len() * 4 + 64);
    loop {
        let consumed = usize::try_from(stream.total_in()).unwrap_or(usize::MAX);
        let input = data.get(consumed..).unwrap_or_default();
        let before = (stream.total_in(), stream.total_out());
        let status = stream
            .decompress_vec(input, &mut out, FlushDecompress::None)
            .map_err(|e| {
                DecodeError::ZlibCorrupt(e.message().unwrap_or("invalid deflate data").to_owned())
            })?;
        if status == Status::StreamEnd {
            // The SDKs' decoders stop at the stream's end; a token is one stream and nothing
            // after it, so anything more means the token was altered or glued to something.
            let end = usize::try_from(stream.total_in()).unwrap_or(usize::MAX);
            if end < data.len() {
                return Err(DecodeError::ZlibTrailing {
                    count: data.len() - end,
                    offset: end,
                });
            }
            return Ok(out);
        }
        if out.len() >= MAX_CONTENT {
            return Err(DecodeError::ZlibCorrupt(format!(
                "content larger than {MAX_CONTENT} bytes"
            )));
        }
        if out.len() == out.capacity() {
            out.reserve(out.capacity());
        } else if (stream.total_in(), stream.total_out()) == before {
            // No progress with room to write: the input ended before the stream did.
            return Err(DecodeError::ZlibTruncated);
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn round_trip_and_reuse() {
        let large = vec![9u8; 70_000];
        for content in [&b""[..], b"abcabcabcabc", &[7u8; 5000], &large] {
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
        assert!(matches!(
            decompress_zlib(b"\x78\x9c\xff\xff"),
            Err(DecodeError::ZlibCorrupt(_))
        ));
    }
}
