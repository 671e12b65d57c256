//! A zlib stream encoder that makes the same choices as C zlib at level 6 (`zlib.compress(x)`
//! in Python, `Deflater` in Java), so 007 tokens built here are byte-identical to the official
//! SDKs' for any content, not only the vectors'.
//!
//! Deflate output is not canonical: it depends on the match finder and on how each block is
//! coded. This follows zlib's level-6 `deflate_slow` (lazy matching: good 8, lazy 16, nice 128,
//! chain 128; 15-bit hash of three bytes; `TOO_FAR` 4096) and its `_tr_flush_block` choice
//! between stored, fixed and dynamic Huffman blocks, with zlib's tree construction (heap order,
//! depth tie-break, length-limit overflow repair) so that the dynamic-block size it compares
//! and the trees it sends come out the same. Content is limited to the 32 KiB window, which no
//! real token approaches; [`compress`] returns `None` past it.

// Names follow zlib's trees.c (ltree/dtree, n/m/h/f) so the two read side by side.
#![allow(clippy::similar_names, clippy::many_single_char_names)]

use std::cell::RefCell;

const WINDOW: usize = 32_768;
const HASH_SIZE: usize = 32_768;
const MIN_MATCH: usize = 3;
const MAX_MATCH: usize = 258;
const MIN_LOOKAHEAD: usize = MAX_MATCH + MIN_MATCH + 1;
const MAX_DIST: usize = WINDOW - MIN_LOOKAHEAD;
const TOO_FAR: usize = 4096;
const GOOD_LENGTH: usize = 8;
const MAX_LAZY: usize = 16;
const NICE_LENGTH: usize = 128;
const MAX_CHAIN: usize = 128;
/// zlib's `lit_bufsize - 1` at memLevel 8: a block ends after this many symbols.
const MAX_SYMBOLS: usize = (1 << 14) - 1;

mod trees;

use trees::{Bits, Dyn, Encoder, Sym, Tables, TreeBuilder, Trees, BL_CODES, D_CODES, HEAP_SIZE};

/// Per-thread hash heads, tagged with a generation so a new stream needs no 128 KiB clear.
struct Heads {
    slots: Vec<u32>,
    generation: u32,
}

thread_local! {
    static HEADS: RefCell<Heads> = RefCell::new(Heads { slots: vec![0; HASH_SIZE], generation: 0 });
    static TABLES: Tables = Tables::new();
    // The trees and buffers of one stream, kept per thread: allocating and zeroing them for
    // every token was a visible part of the build time.
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// Reusable parts of an [`Encoder`] and the window.
#[derive(Default)]
struct Scratch {
    trees: Option<Box<Trees>>,
    syms: Vec<Sym>,
    window: Vec<u8>,
    prev: Vec<u16>,
}

fn hash(w: &[u8], p: usize) -> usize {
    ((usize::from(w[p]) << 10) ^ (usize::from(w[p + 1]) << 5) ^ usize::from(w[p + 2]))
        & (HASH_SIZE - 1)
}

/// Compresses `data` into a zlib stream exactly as C zlib's `compress2(level 6)` does, or
/// `None` when `data` exceeds the 32 KiB window this encoder is limited to.
pub fn compress(data: &[u8]) -> Option<Vec<u8>> {
    if data.len() > WINDOW {
        return None;
    }
    Some(TABLES.with(|t| HEADS.with(|heads| deflate(t, &mut heads.borrow_mut(), data))))
}

#[allow(clippy::too_many_lines)]
fn deflate(t: &Tables, heads: &mut Heads, data: &[u8]) -> Vec<u8> {
    heads.generation = (heads.generation + 1) & 0xffff;
    if heads.generation == 0 {
        heads.slots.fill(0);
        heads.generation = 1;
    }
    let generation = heads.generation << 16;
    // zlib zero-fills MAX_MATCH bytes past the data; matches and hashes may read them.
    let mut scratch = SCRATCH.with(|c| std::mem::take(&mut *c.borrow_mut()));
    let mut w = std::mem::take(&mut scratch.window);
    w.clear();
    w.extend_from_slice(data);
    w.resize(data.len() + MAX_MATCH + 2, 0);
    // Entries are written by `insert` before any chain walk reads them, so stale values
    // from an earlier stream are never seen.
    let mut prev = std::mem::take(&mut scratch.prev);
    prev.resize(data.len().max(1), 0);
    let tr = scratch.trees.take().unwrap_or_else(|| {
        Box::new(Trees {
            ltree: Dyn::new(HEAP_SIZE),
            dtree: Dyn::new(2 * D_CODES + 1),
            bltree: Dyn::new(2 * BL_CODES + 1),
            heap: TreeBuilder::new(),
        })
    });
    let mut syms = std::mem::take(&mut scratch.syms);
    syms.clear();
    let insert = |heads: &mut Heads, prev: &mut [u16], s: usize| -> usize {
        let h = hash(&w, s);
        let slot = heads.slots[h];
        let head = if slot & 0xffff_0000 == generation {
            (slot & 0xffff) as usize
        } else {
            0
        };
        prev[s] = head as u16;
        heads.slots[h] = generation | s as u32;
        head
    };

    let mut enc = Encoder {
        t,
        tr,
        syms,
        bits: Bits {
            out: Vec::with_capacity(data.len() + 16),
            buf: 0,
            count: 0,
        },
    };
    enc.bits.out.extend_from_slice(&[0x78, 0x9c]);
    enc.init_block();

    let mut strstart = 0usize;
    let mut lookahead = data.len();
    let mut block_start = 0usize;
    let mut match_length = MIN_MATCH - 1;
    let mut match_start = 0usize;
    let mut prev_length;
    let mut prev_match;
    let mut match_available = false;

    while lookahead > 0 {
        let mut hash_head = 0usize;
        if lookahead >= MIN_MATCH {
            hash_head = insert(heads, &mut prev, strstart);
        }
        prev_length = match_length;
        prev_match = match_start;
        match_length = MIN_MATCH - 1;
        if hash_head != 0 && prev_length < MAX_LAZY && strstart - hash_head <= MAX_DIST {
            let (len, start) = longest_match(
                &w,
                &prev,
                strstart,
                lookahead,
                hash_head,
                prev_length,
                match_start,
            );
            match_length = len;
            match_start = start;
            if match_length <= 5 && match_length == MIN_MATCH && strstart - match_start > TOO_FAR {
                match_length = MIN_MATCH - 1;
            }
        }
        if prev_length >= MIN_MATCH && match_length <= prev_length {
            let max_insert = strstart + lookahead - MIN_MATCH;
            let flush = enc.tally_dist(strstart - 1 - prev_match, prev_length - MIN_MATCH);
            lookahead -= prev_length - 1;
            for _ in 0..prev_length - 2 {
                strstart += 1;
                if strstart <= max_insert {
                    insert(heads, &mut prev, strstart);
                }
            }
            match_available = false;
            match_length = MIN_MATCH - 1;
            strstart += 1;
            if flush {
                enc.flush_block(&data[block_start..strstart], false);
                block_start = strstart;
            }
        } else if match_available {
            if enc.tally_lit(w[strstart - 1]) {
                enc.flush_block(&data[block_start..strstart], false);
                block_start = strstart;
            }
            strstart += 1;
            lookahead -= 1;
        } else {
            match_available = true;
            strstart += 1;
            lookahead -= 1;
        }
    }
    if match_available {
        enc.tally_lit(w[strstart - 1]);
    }
    enc.flush_block(&data[block_start..strstart], true);
    let mut out = std::mem::take(&mut enc.bits.out);
    out.extend_from_slice(&adler32(data).to_be_bytes());
    SCRATCH.with(|c| {
        *c.borrow_mut() = Scratch {
            trees: Some(enc.tr),
            syms: enc.syms,
            window: w,
            prev,
        };
    });
    out
}

/// zlib's `longest_match`: walks the hash chain from `cur_match`, returns the best length
/// (capped at the lookahead) and its start; keeps `match_start` when nothing beats
/// `prev_length`, as zlib does.
fn longest_match(
    w: &[u8],
    prev: &[u16],
    strstart: usize,
    lookahead: usize,
    mut cur_match: usize,
    prev_length: usize,
    mut match_start: usize,
) -> (usize, usize) {
    let mut chain = MAX_CHAIN;
    let mut best_len = prev_length;
    let nice = NICE_LENGTH.min(lookahead);
    let limit = strstart.saturating_sub(MAX_DIST);
    if prev_length >= GOOD_LENGTH {
        chain >>= 2;
    }
    loop {
        let m = cur_match;
        if w[m + best_len] == w[strstart + best_len]
            && w[m + best_len - 1] == w[strstart + best_len - 1]
            && w[m] == w[strstart]
            && w[m + 1] == w[strstart + 1]
        {
            let len = w[m..m + MAX_MATCH]
                .iter()
                .zip(&w[strstart..strstart + MAX_MATCH])
                .take_while(|(a, b)| a == b)
                .count();
            if len > best_len {
                match_start = cur_match;
                best_len = len;
                if len >= nice {
                    break;
                }
            }
        }
        cur_match = usize::from(prev[cur_match]);
        chain -= 1;
        if cur_match <= limit || chain == 0 {
            break;
        }
    }
    (best_len.min(lookahead), match_start)
}

fn adler32(data: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for chunk in data.chunks(5552) {
        for &byte in chunk {
            a += u32::from(byte);
            b += a;
        }
        a %= 65_521;
        b %= 65_521;
    }
    (b << 16) | a
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn known_outputs() {
        assert_eq!(hex::encode(compress(b"").unwrap()), "789c030000000001");
        let z = compress(b"hello hello hello hello").unwrap();
        assert_eq!(
            miniz_oxide::inflate::decompress_to_vec_zlib(&z).unwrap(),
            b"hello hello hello hello"
        );
    }
}
