//! Little-endian binary helpers: fixed-width floats, LEB128 varints
//! (canonical: the shortest encoding only) and zigzag for signed integers.
//! The reader never panics: every read is bounds-checked.

pub(crate) struct Writer {
    pub buf: Vec<u8>,
}

impl Writer {
    pub fn with_capacity(n: usize) -> Self {
        Writer { buf: Vec::with_capacity(n) }
    }
    pub fn u32(&mut self, v: u32) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    pub fn f64(&mut self, v: f64) {
        self.buf.extend_from_slice(&v.to_bits().to_le_bytes());
    }
    pub fn var(&mut self, mut v: u128) {
        loop {
            let b = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                self.buf.push(b);
                return;
            }
            self.buf.push(b | 0x80);
        }
    }
    pub fn var_i(&mut self, v: i128) {
        self.var(((v << 1) ^ (v >> 127)) as u128);
    }
}

pub(crate) struct Reader<'a> {
    b: &'a [u8],
    pos: usize,
}

pub(crate) type R<T> = Result<T, String>;

impl<'a> Reader<'a> {
    pub fn new(b: &'a [u8]) -> Self {
        Reader { b, pos: 0 }
    }
    pub fn remaining(&self) -> usize {
        self.b.len() - self.pos
    }
    pub fn take(&mut self, n: usize) -> R<&'a [u8]> {
        if n > self.remaining() {
            return Err(format!("summary: truncated at byte {}", self.pos));
        }
        let s = &self.b[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }
    pub fn u32(&mut self) -> R<u32> {
        let s = self.take(4)?;
        Ok(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
    }
    pub fn f64(&mut self) -> R<f64> {
        let s = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(s);
        Ok(f64::from_bits(u64::from_le_bytes(a)))
    }
    /// A canonical varint of at most `bits` bits.
    #[inline]
    pub fn var_bits(&mut self, bits: u32) -> R<u128> {
        // One byte (most bucket counts): canonical, and within any `bits` >= 7.
        if let Some(&b) = self.b.get(self.pos) {
            if b < 0x80 && bits >= 7 {
                self.pos += 1;
                return Ok(b as u128);
            }
        }
        self.var_bits_long(bits)
    }

    fn var_bits_long(&mut self, bits: u32) -> R<u128> {
        let start = self.pos;
        let mut v: u128 = 0;
        let mut shift = 0u32;
        loop {
            let b = *self.b.get(self.pos).ok_or_else(|| format!("summary: truncated at byte {}", self.pos))?;
            self.pos += 1;
            let d = (b & 0x7f) as u128;
            if shift >= bits || (bits - shift < 7 && d >> (bits - shift) != 0) {
                return Err(format!("summary: integer too large at byte {start}"));
            }
            v |= d << shift;
            if b & 0x80 == 0 {
                if b == 0 && shift > 0 {
                    return Err(format!("summary: non-canonical integer at byte {start}"));
                }
                return Ok(v);
            }
            shift += 7;
        }
    }
    pub fn u64(&mut self) -> R<u64> {
        Ok(self.var_bits(64)? as u64)
    }
    pub fn u128(&mut self) -> R<u128> {
        self.var_bits(128)
    }
    pub fn i128(&mut self) -> R<i128> {
        let z = self.var_bits(128)?;
        Ok(((z >> 1) as i128) ^ -((z & 1) as i128))
    }
    pub fn i64(&mut self) -> R<i64> {
        let z = self.var_bits(64)?;
        Ok(((z >> 1) as i64) ^ -((z & 1) as i64))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_varints() {
        let vals: [u128; 9] = [0, 1, 127, 128, 300, u64::MAX as u128, (u64::MAX as u128) + 1, u128::MAX - 1, u128::MAX];
        for &v in &vals {
            let mut w = Writer::with_capacity(0);
            w.var(v);
            let mut r = Reader::new(&w.buf);
            assert_eq!(r.u128().unwrap(), v);
            assert_eq!(r.remaining(), 0);
            let mut r = Reader::new(&w.buf);
            if v <= u64::MAX as u128 {
                assert_eq!(r.u64().unwrap() as u128, v);
            } else {
                assert!(r.u64().is_err());
            }
        }
        for &v in &[0i128, 1, -1, i128::MAX, i128::MIN, -12345678901234567890] {
            let mut w = Writer::with_capacity(0);
            w.var_i(v);
            assert_eq!(Reader::new(&w.buf).i128().unwrap(), v);
        }
        assert!(Reader::new(&[0x80, 0x00]).u64().is_err()); // non-canonical
        assert!(Reader::new(&[0x80]).u64().is_err()); // truncated
        assert!(Reader::new(&[0xff; 10]).u64().is_err());
        assert!(Reader::new(&[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02]).u64().is_err());
        assert_eq!(Reader::new(&[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]).u64().unwrap(), u64::MAX);
    }
}
