//! Huffman coding of deflate blocks exactly as zlib's trees.c does it: static tables, tree
//! construction with zlib's heap order and tie-break, length-limit repair, the run-length
//! coding of code lengths, and the stored / fixed / dynamic block choice.

// Names follow zlib's trees.c (ltree/dtree, n/m/h/f) so the two read side by side.
#![allow(clippy::similar_names, clippy::many_single_char_names)]

use super::MAX_SYMBOLS;

pub(super) const LITERALS: usize = 256;
const END_BLOCK: usize = 256;
const L_CODES: usize = LITERALS + 1 + 29;
pub(super) const D_CODES: usize = 30;
pub(super) const BL_CODES: usize = 19;
pub(super) const HEAP_SIZE: usize = 2 * L_CODES + 1;
const MAX_BITS: usize = 15;
const MAX_BL_BITS: usize = 7;
const REP_3_6: usize = 16;
const REPZ_3_10: usize = 17;
const REPZ_11_138: usize = 18;

const EXTRA_LBITS: [u8; 29] = [
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
];
const EXTRA_DBITS: [u8; 30] = [
    0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13,
    13,
];
const EXTRA_BLBITS: [u8; 19] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 3, 7];
const BL_ORDER: [usize; 19] = [
    16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15,
];

/// The static tables zlib computes in `tr_static_init`.
pub(super) struct Tables {
    pub(super) length_code: [u8; 256],
    pub(super) base_length: [u16; 29],
    pub(super) dist_code: [u8; 512],
    pub(super) base_dist: [u16; 30],
    pub(super) static_ltree: Tree,
    pub(super) static_dtree: Tree,
}

/// Code lengths and (bit-reversed) codes of one Huffman tree.
#[derive(Clone)]
pub(super) struct Tree {
    pub(super) len: Vec<u16>,
    pub(super) code: Vec<u16>,
}

impl Tree {
    pub(super) fn new(size: usize) -> Tree {
        Tree {
            len: vec![0; size],
            code: vec![0; size],
        }
    }
}

/// The low `len` bits of `code`, reversed (deflate sends Huffman codes MSB first into an
/// LSB-first stream).
fn bi_reverse(code: u16, len: u16) -> u16 {
    // Two shifts so that `len == 0` gives 0 without a branch.
    ((u32::from(code).reverse_bits() >> 16) >> (16 - u32::from(len))) as u16
}

fn gen_codes(tree: &mut Tree, max_code: usize, bl_count: &[u16; MAX_BITS + 1]) {
    let mut next_code = [0u16; MAX_BITS + 1];
    let mut code = 0u16;
    for bits in 1..=MAX_BITS {
        code = (code.wrapping_add(bl_count[bits - 1])) << 1;
        next_code[bits] = code;
    }
    // Unused symbols (length 0) get code 0 and bump `next_code[0]`, which nothing reads;
    // doing so unconditionally avoids a mispredicted branch per symbol.
    for n in 0..=max_code {
        let len = tree.len[n];
        let next = &mut next_code[usize::from(len)];
        tree.code[n] = bi_reverse(*next, len);
        *next = next.wrapping_add(1);
    }
}

impl Tables {
    pub(super) fn new() -> Tables {
        let mut length_code = [0u8; 256];
        let mut base_length = [0u16; 29];
        let mut length = 0usize;
        for code in 0..28 {
            base_length[code] = length as u16;
            for _ in 0..(1 << EXTRA_LBITS[code]) {
                length_code[length] = code as u8;
                length += 1;
            }
        }
        length_code[length - 1] = 28;
        let mut dist_code = [0u8; 512];
        let mut base_dist = [0u16; 30];
        let mut dist = 0usize;
        for code in 0..16 {
            base_dist[code] = dist as u16;
            for _ in 0..(1 << EXTRA_DBITS[code]) {
                dist_code[dist] = code as u8;
                dist += 1;
            }
        }
        dist >>= 7;
        for code in 16..D_CODES {
            base_dist[code] = (dist << 7) as u16;
            for _ in 0..(1 << (EXTRA_DBITS[code] - 7)) {
                dist_code[256 + dist] = code as u8;
                dist += 1;
            }
        }
        let mut static_ltree = Tree::new(L_CODES + 2);
        let mut bl_count = [0u16; MAX_BITS + 1];
        for (n, len) in static_ltree.len.iter_mut().enumerate() {
            // 0..=143 and 280..=287 are 8 bits long.
            *len = match n {
                144..=255 => 9,
                256..=279 => 7,
                _ => 8,
            };
            bl_count[usize::from(*len)] += 1;
        }
        gen_codes(&mut static_ltree, L_CODES + 1, &bl_count);
        let static_dtree = Tree {
            len: vec![5; D_CODES],
            code: (0..D_CODES as u16).map(|n| bi_reverse(n, 5)).collect(),
        };
        Tables {
            length_code,
            base_length,
            dist_code,
            base_dist,
            static_ltree,
            static_dtree,
        }
    }

    fn d_code(&self, dist: usize) -> usize {
        if dist < 256 {
            usize::from(self.dist_code[dist])
        } else {
            usize::from(self.dist_code[256 + (dist >> 7)])
        }
    }
}

/// LSB-first bit packer, as zlib's `send_bits`.
pub(super) struct Bits {
    pub(super) out: Vec<u8>,
    pub(super) buf: u64,
    pub(super) count: u32,
}

impl Bits {
    fn send(&mut self, value: usize, len: u32) {
        self.buf |= (value as u64) << self.count;
        self.count += len;
        while self.count >= 8 {
            self.out.push(self.buf as u8);
            self.buf >>= 8;
            self.count -= 8;
        }
    }

    fn code(&mut self, tree: &Tree, symbol: usize) {
        self.send(usize::from(tree.code[symbol]), u32::from(tree.len[symbol]));
    }

    fn windup(&mut self) {
        if self.count > 0 {
            self.out.push(self.buf as u8);
        }
        self.buf = 0;
        self.count = 0;
    }
}

/// One symbol of the LZ77 output: a literal (`dist == 0`) or a match.
#[derive(Clone, Copy)]
pub(super) struct Sym {
    pub(super) dist: u16,
    pub(super) lc: u8,
}

/// A dynamic tree under construction (`tree_desc` + the frequency half of `ct_data`).
pub(super) struct Dyn {
    pub(super) freq: Vec<u32>,
    pub(super) tree: Tree,
    pub(super) dad: Vec<usize>,
    pub(super) max_code: usize,
}

impl Dyn {
    pub(super) fn new(size: usize) -> Dyn {
        Dyn {
            freq: vec![0; size],
            tree: Tree::new(size),
            dad: vec![0; size],
            max_code: 0,
        }
    }
}

/// Static description of a tree kind (`static_tree_desc`).
pub(super) struct Kind<'a> {
    pub(super) stree: Option<&'a Tree>,
    pub(super) extra: &'a [u8],
    pub(super) base: usize,
    pub(super) elems: usize,
    pub(super) max_length: u16,
}

/// The Huffman state shared by one block's trees (`heap`, `depth`, `bl_count`, lengths).
///
/// zlib keeps its priority queue and the finished node order in one `heap` array; here the
/// queue is `pq` and holds each node with its sort key, `freq << 8 | depth`, so that zlib's
/// `smaller(n, m)` (`freq` less, or equal with `depth` not greater) is one comparison,
/// `key(n) <= key(m)`, without chasing the node's fields.
pub(super) struct TreeBuilder {
    pub(super) heap: [usize; HEAP_SIZE],
    pub(super) pq: [(u64, usize); HEAP_SIZE],
    pub(super) heap_len: usize,
    pub(super) heap_max: usize,
    pub(super) depth: [u8; HEAP_SIZE],
    pub(super) bl_count: [u16; MAX_BITS + 1],
    pub(super) opt_len: u64,
    pub(super) static_len: u64,
}

fn key(freq: u32, depth: u8) -> u64 {
    (u64::from(freq) << 8) | u64::from(depth)
}

impl TreeBuilder {
    pub(super) fn new() -> TreeBuilder {
        TreeBuilder {
            heap: [0; HEAP_SIZE],
            pq: [(0, 0); HEAP_SIZE],
            heap_len: 0,
            heap_max: 0,
            depth: [0; HEAP_SIZE],
            bl_count: [0; MAX_BITS + 1],
            opt_len: 0,
            static_len: 0,
        }
    }

    fn pqdownheap(&mut self, mut k: usize) {
        let v = self.pq[k];
        let len = self.heap_len;
        let mut j = k << 1;
        while j <= len {
            if j < len {
                // Written as arithmetic so it compiles to a conditional move: this
                // comparison is data-dependent and mispredicted branches dominated.
                j += usize::from(self.pq[j + 1].0 <= self.pq[j].0);
            }
            if v.0 <= self.pq[j].0 {
                break;
            }
            self.pq[k] = self.pq[j];
            k = j;
            j <<= 1;
        }
        self.pq[k] = v;
    }

    fn build_tree(&mut self, d: &mut Dyn, kind: &Kind<'_>) {
        // zlib's `max_code` starts at -1: `None` here.
        let mut max_code: Option<usize> = None;
        self.heap_len = 0;
        self.heap_max = HEAP_SIZE;
        // Branch-free: every symbol is written to the next queue slot, which only advances
        // for used ones; lengths of used symbols are overwritten by `gen_bitlen`.
        for n in 0..kind.elems {
            let f = d.freq[n];
            let used = f != 0;
            self.pq[self.heap_len + 1] = (key(f, 0), n);
            self.heap_len += usize::from(used);
            max_code = if used { Some(n) } else { max_code };
            self.depth[n] = 0;
            d.tree.len[n] = 0;
        }
        // Deflate needs at least two codes of non-zero frequency.
        while self.heap_len < 2 {
            let node = match max_code {
                Some(m) if m >= 2 => 0,
                _ => {
                    let next = max_code.map_or(0, |m| m + 1);
                    max_code = Some(next);
                    next
                }
            };
            self.heap_len += 1;
            self.pq[self.heap_len] = (key(1, 0), node);
            d.freq[node] = 1;
            self.depth[node] = 0;
            self.opt_len = self.opt_len.wrapping_sub(1);
            if let Some(stree) = kind.stree {
                self.static_len = self.static_len.wrapping_sub(u64::from(stree.len[node]));
            }
        }
        d.max_code = max_code.unwrap_or(0);
        for n in (1..=self.heap_len / 2).rev() {
            self.pqdownheap(n);
        }
        let mut node = kind.elems;
        loop {
            let n = self.pq[1].1;
            self.pq[1] = self.pq[self.heap_len];
            self.heap_len -= 1;
            self.pqdownheap(1);
            let m = self.pq[1].1;
            self.heap_max -= 1;
            self.heap[self.heap_max] = n;
            self.heap_max -= 1;
            self.heap[self.heap_max] = m;
            d.freq[node] = d.freq[n] + d.freq[m];
            self.depth[node] = self.depth[n].max(self.depth[m]) + 1;
            d.dad[n] = node;
            d.dad[m] = node;
            self.pq[1] = (key(d.freq[node], self.depth[node]), node);
            node += 1;
            self.pqdownheap(1);
            if self.heap_len < 2 {
                break;
            }
        }
        self.heap_max -= 1;
        self.heap[self.heap_max] = self.pq[1].1;
        self.gen_bitlen(d, kind);
        gen_codes(&mut d.tree, d.max_code, &self.bl_count);
    }

    fn gen_bitlen(&mut self, d: &mut Dyn, kind: &Kind<'_>) {
        let max_length = kind.max_length;
        self.bl_count = [0; MAX_BITS + 1];
        d.tree.len[self.heap[self.heap_max]] = 0;
        let mut overflow = 0i32;
        let mut h = self.heap_max + 1;
        while h < HEAP_SIZE {
            let n = self.heap[h];
            let mut bits = d.tree.len[d.dad[n]] + 1;
            if bits > max_length {
                bits = max_length;
                overflow += 1;
            }
            d.tree.len[n] = bits;
            h += 1;
            if n > d.max_code {
                continue;
            }
            self.bl_count[usize::from(bits)] += 1;
            let xbits = if n >= kind.base {
                u64::from(kind.extra[n - kind.base])
            } else {
                0
            };
            let f = u64::from(d.freq[n]);
            self.opt_len = self.opt_len.wrapping_add(f * (u64::from(bits) + xbits));
            if let Some(stree) = kind.stree {
                self.static_len = self
                    .static_len
                    .wrapping_add(f * (u64::from(stree.len[n]) + xbits));
            }
        }
        if overflow == 0 {
            return;
        }
        let ml = usize::from(max_length);
        while overflow > 0 {
            let mut bits = ml - 1;
            while self.bl_count[bits] == 0 {
                bits -= 1;
            }
            self.bl_count[bits] -= 1;
            self.bl_count[bits + 1] += 2;
            self.bl_count[ml] -= 1;
            overflow -= 2;
        }
        let mut h = HEAP_SIZE;
        for bits in (1..=ml).rev() {
            let mut n = self.bl_count[bits];
            while n != 0 {
                h -= 1;
                let m = self.heap[h];
                if m > d.max_code {
                    continue;
                }
                let have = usize::from(d.tree.len[m]);
                if have != bits {
                    // zlib does this in unsigned arithmetic; wrapping keeps its result.
                    let f = u64::from(d.freq[m]);
                    self.opt_len = self
                        .opt_len
                        .wrapping_add((bits as u64).wrapping_sub(have as u64).wrapping_mul(f));
                    d.tree.len[m] = bits as u16;
                }
                n -= 1;
            }
        }
    }
}

/// The runs of equal code lengths that `scan_tree` counts and `send_tree` sends, with zlib's
/// state machine: (`curlen`, `count`, `prevlen`, `min_count` in effect for the run). Sets the
/// guard length past `max_code` as zlib does.
fn runs(tree: &mut Tree, max_code: usize) -> Vec<(u16, usize, i32, usize)> {
    let mut out = Vec::new();
    let mut prevlen: i32 = -1;
    let mut nextlen = tree.len[0];
    let mut count = 0usize;
    let (mut max_count, mut min_count) = if nextlen == 0 { (138, 3) } else { (7, 4) };
    tree.len[max_code + 1] = 0xffff;
    for n in 0..=max_code {
        let curlen = nextlen;
        nextlen = tree.len[n + 1];
        count += 1;
        if count < max_count && curlen == nextlen {
            continue;
        }
        out.push((curlen, count, prevlen, min_count));
        count = 0;
        prevlen = i32::from(curlen);
        (max_count, min_count) = if nextlen == 0 {
            (138, 3)
        } else if curlen == nextlen {
            (6, 3)
        } else {
            (7, 4)
        };
    }
    out
}

/// The three trees of a block and the builder they share, boxed once per thread.
pub(super) struct Trees {
    pub(super) ltree: Dyn,
    pub(super) dtree: Dyn,
    pub(super) bltree: Dyn,
    pub(super) heap: TreeBuilder,
}

pub(super) struct Encoder<'a> {
    pub(super) t: &'a Tables,
    pub(super) tr: Box<Trees>,
    pub(super) syms: Vec<Sym>,
    pub(super) bits: Bits,
}

impl Encoder<'_> {
    pub(super) fn tally_lit(&mut self, c: u8) -> bool {
        self.syms.push(Sym { dist: 0, lc: c });
        self.tr.ltree.freq[usize::from(c)] += 1;
        self.syms.len() == MAX_SYMBOLS
    }

    pub(super) fn tally_dist(&mut self, dist: usize, len: usize) -> bool {
        self.syms.push(Sym {
            dist: dist as u16,
            lc: len as u8,
        });
        self.tr.ltree.freq[usize::from(self.t.length_code[len]) + LITERALS + 1] += 1;
        self.tr.dtree.freq[self.t.d_code(dist - 1)] += 1;
        self.syms.len() == MAX_SYMBOLS
    }

    pub(super) fn init_block(&mut self) {
        self.tr.ltree.freq[..L_CODES].fill(0);
        self.tr.dtree.freq[..D_CODES].fill(0);
        self.tr.bltree.freq[..BL_CODES].fill(0);
        self.tr.ltree.freq[END_BLOCK] = 1;
        self.tr.heap.opt_len = 0;
        self.tr.heap.static_len = 0;
        self.syms.clear();
    }

    fn build_bl_tree(&mut self) -> usize {
        for (which, max_code) in [(0, self.tr.ltree.max_code), (1, self.tr.dtree.max_code)] {
            let tree = if which == 0 {
                &mut self.tr.ltree.tree
            } else {
                &mut self.tr.dtree.tree
            };
            for (curlen, count, prevlen, min_count) in runs(tree, max_code) {
                let f = &mut self.tr.bltree.freq;
                if count < min_count {
                    f[usize::from(curlen)] += count as u32;
                } else if curlen != 0 {
                    if i32::from(curlen) != prevlen {
                        f[usize::from(curlen)] += 1;
                    }
                    f[REP_3_6] += 1;
                } else if count <= 10 {
                    f[REPZ_3_10] += 1;
                } else {
                    f[REPZ_11_138] += 1;
                }
            }
        }
        let kind = Kind {
            stree: None,
            extra: &EXTRA_BLBITS,
            base: 0,
            elems: BL_CODES,
            max_length: MAX_BL_BITS as u16,
        };
        self.tr.heap.build_tree(&mut self.tr.bltree, &kind);
        let mut max_blindex = BL_CODES - 1;
        while max_blindex >= 3 {
            if self.tr.bltree.tree.len[BL_ORDER[max_blindex]] != 0 {
                break;
            }
            max_blindex -= 1;
        }
        self.tr.heap.opt_len = self
            .tr
            .heap
            .opt_len
            .wrapping_add(3 * (max_blindex as u64 + 1) + 5 + 5 + 4);
        max_blindex
    }

    fn send_tree(&mut self, which: usize, max_code: usize) {
        let tree = if which == 0 {
            &mut self.tr.ltree.tree
        } else {
            &mut self.tr.dtree.tree
        };
        let runs = runs(tree, max_code);
        let bl = &self.tr.bltree.tree;
        for (curlen, mut count, prevlen, min_count) in runs {
            let cur = usize::from(curlen);
            if count < min_count {
                for _ in 0..count {
                    self.bits.code(bl, cur);
                }
            } else if curlen != 0 {
                if i32::from(curlen) != prevlen {
                    self.bits.code(bl, cur);
                    count -= 1;
                }
                self.bits.code(bl, REP_3_6);
                self.bits.send(count - 3, 2);
            } else if count <= 10 {
                self.bits.code(bl, REPZ_3_10);
                self.bits.send(count - 3, 3);
            } else {
                self.bits.code(bl, REPZ_11_138);
                self.bits.send(count - 11, 7);
            }
        }
    }

    fn compress_block(&mut self, dynamic: bool) {
        let t = self.t;
        let (ltree, dtree) = if dynamic {
            (&self.tr.ltree.tree, &self.tr.dtree.tree)
        } else {
            (&t.static_ltree, &t.static_dtree)
        };
        for sym in &self.syms {
            if sym.dist == 0 {
                self.bits.code(ltree, usize::from(sym.lc));
                continue;
            }
            let lc = usize::from(sym.lc);
            let code = usize::from(t.length_code[lc]);
            self.bits.code(ltree, code + LITERALS + 1);
            let extra = u32::from(EXTRA_LBITS[code]);
            if extra != 0 {
                self.bits.send(lc - usize::from(t.base_length[code]), extra);
            }
            let dist = usize::from(sym.dist) - 1;
            let code = t.d_code(dist);
            self.bits.code(dtree, code);
            let extra = u32::from(EXTRA_DBITS[code]);
            if extra != 0 {
                self.bits.send(dist - usize::from(t.base_dist[code]), extra);
            }
        }
        self.bits.code(ltree, END_BLOCK);
    }

    /// `_tr_flush_block`: pick the cheapest of stored, fixed and dynamic as zlib does.
    pub(super) fn flush_block(&mut self, stored: &[u8], last: bool) {
        let lkind = Kind {
            stree: Some(&self.t.static_ltree),
            extra: &EXTRA_LBITS,
            base: LITERALS + 1,
            elems: L_CODES,
            max_length: MAX_BITS as u16,
        };
        self.tr.heap.build_tree(&mut self.tr.ltree, &lkind);
        let dkind = Kind {
            stree: Some(&self.t.static_dtree),
            extra: &EXTRA_DBITS,
            base: 0,
            elems: D_CODES,
            max_length: MAX_BITS as u16,
        };
        self.tr.heap.build_tree(&mut self.tr.dtree, &dkind);
        let max_blindex = self.build_bl_tree();
        let mut opt_lenb = (self.tr.heap.opt_len.wrapping_add(3 + 7)) >> 3;
        let static_lenb = (self.tr.heap.static_len.wrapping_add(3 + 7)) >> 3;
        if static_lenb <= opt_lenb {
            opt_lenb = static_lenb;
        }
        let last_bit = usize::from(last);
        if stored.len() as u64 + 4 <= opt_lenb {
            self.bits.send(last_bit, 3);
            self.bits.windup();
            let len = stored.len() as u16;
            self.bits.out.extend_from_slice(&len.to_le_bytes());
            self.bits.out.extend_from_slice(&(!len).to_le_bytes());
            self.bits.out.extend_from_slice(stored);
        } else if static_lenb == opt_lenb {
            self.bits.send((1 << 1) + last_bit, 3);
            self.compress_block(false);
        } else {
            self.bits.send((2 << 1) + last_bit, 3);
            let (lcodes, dcodes, blcodes) = (
                self.tr.ltree.max_code + 1,
                self.tr.dtree.max_code + 1,
                max_blindex + 1,
            );
            self.bits.send(lcodes - 257, 5);
            self.bits.send(dcodes - 1, 5);
            self.bits.send(blcodes - 4, 4);
            for &rank in &BL_ORDER[..blcodes] {
                let len = usize::from(self.tr.bltree.tree.len[rank]);
                self.bits.send(len, 3);
            }
            self.send_tree(0, lcodes - 1);
            self.send_tree(1, dcodes - 1);
            self.compress_block(true);
        }
        self.init_block();
        if last {
            self.bits.windup();
        }
    }
}
