//! Agora's little-endian packing: integers, length-prefixed strings and sorted privilege
//! maps, with a reader that reports the field and offset where content runs out.

use std::collections::BTreeMap;

use crate::tokens::DecodeError;

/// Privilege id → value (relative seconds in 007, absolute unix seconds in 006). A
/// `BTreeMap` because both formats pack the keys in ascending order.
pub type Privileges = BTreeMap<u16, u32>;

/// Appends packed values to a byte buffer.
#[derive(Debug, Default)]
pub(crate) struct Writer {
    pub(crate) buf: Vec<u8>,
}

impl Writer {
    pub(crate) fn with_capacity(cap: usize) -> Self {
        Writer {
            buf: Vec::with_capacity(cap),
        }
    }

    pub(crate) fn u16(&mut self, v: u16) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }

    pub(crate) fn i16(&mut self, v: i16) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }

    pub(crate) fn u32(&mut self, v: u32) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }

    /// Callers check the 65535-byte limit first ([`check_len`]).
    pub(crate) fn bytes(&mut self, v: &[u8]) {
        self.u16(v.len() as u16);
        self.buf.extend_from_slice(v);
    }

    pub(crate) fn privileges(&mut self, map: &Privileges) {
        self.u16(map.len() as u16);
        for (k, v) in map {
            self.u16(*k);
            self.u32(*v);
        }
    }
}

/// Whether `s` fits a `uint16` length prefix.
pub(crate) fn fits_u16(len: usize) -> bool {
    u16::try_from(len).is_ok()
}

/// Reads packed values, tracking the offset for error messages.
#[derive(Debug)]
pub(crate) struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(data: &'a [u8]) -> Self {
        Reader { data, pos: 0 }
    }

    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    pub(crate) fn remaining(&self) -> &'a [u8] {
        &self.data[self.pos..]
    }

    fn take(&mut self, n: usize, field: &'static str) -> Result<&'a [u8], DecodeError> {
        match self.data.get(self.pos..self.pos + n) {
            Some(slice) => {
                self.pos += n;
                Ok(slice)
            }
            None => Err(DecodeError::Truncated {
                field,
                offset: self.pos,
            }),
        }
    }

    pub(crate) fn u16(&mut self, field: &'static str) -> Result<u16, DecodeError> {
        let b = self.take(2, field)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }

    pub(crate) fn i16(&mut self, field: &'static str) -> Result<i16, DecodeError> {
        let b = self.take(2, field)?;
        Ok(i16::from_le_bytes([b[0], b[1]]))
    }

    pub(crate) fn u32(&mut self, field: &'static str) -> Result<u32, DecodeError> {
        let b = self.take(4, field)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    pub(crate) fn bytes(&mut self, field: &'static str) -> Result<&'a [u8], DecodeError> {
        let len = self.u16(field)?;
        self.take(usize::from(len), field)
    }

    pub(crate) fn string(&mut self, field: &'static str) -> Result<String, DecodeError> {
        let start = self.pos + 2;
        let bytes = self.bytes(field)?;
        String::from_utf8(bytes.to_vec()).map_err(|err| DecodeError::InvalidField {
            field,
            reason: format!(
                "not UTF-8 at byte {} of the decoded content",
                start + err.utf8_error().valid_up_to()
            ),
        })
    }

    pub(crate) fn privileges(&mut self) -> Result<Privileges, DecodeError> {
        let count = self.u16("privilege count")?;
        let mut map = Privileges::new();
        for _ in 0..count {
            let key = self.u16("privilege id")?;
            let value = self.u32("privilege value")?;
            map.insert(key, value);
        }
        Ok(map)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn round_trip_and_sorted_privileges() {
        let mut w = Writer::default();
        w.bytes(b"abc");
        let mut p = Privileges::new();
        p.insert(2, 7);
        p.insert(1, 9);
        w.privileges(&p);
        assert_eq!(
            hex::encode(&w.buf),
            "03006162630200010009000000020007000000"
        );
        let mut r = Reader::new(&w.buf);
        assert_eq!(r.string("s").unwrap(), "abc");
        assert_eq!(r.privileges().unwrap(), p);
        assert!(r.remaining().is_empty());
    }

    #[test]
    fn truncation_names_field_and_offset() {
        let mut r = Reader::new(&[5, 0, b'a']);
        assert_eq!(
            r.string("user_id").unwrap_err(),
            DecodeError::Truncated {
                field: "user_id",
                offset: 2
            }
        );
    }
}
