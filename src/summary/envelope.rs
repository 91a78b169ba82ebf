//! A checked envelope around serialised data (the same layout as the Python
//! package's pickles, `attrition/_utils/envelope.py`), integers little-endian:
//!
//! ```text
//! magic     4 bytes   what the payload is (b"ATSM": a summary table)
//! format    u16       version of the payload's encoding
//! library   u8 + text the attrition version that wrote it (ASCII, at most 64 bytes)
//! length    u64       bytes of payload
//! payload   length bytes
//! checksum  u32       CRC-32 (zlib's polynomial) of every byte before it
//! ```
//!
//! [`open`] checks each part in that order and names the first that fails. The
//! payload's encoding is the caller's: a new payload needs no change here.

/// CRC-32 of `bytes`, continuing from `crc` (0 to start), as `zlib.crc32(bytes, crc)`.
pub fn crc32(crc: u32, bytes: &[u8]) -> u32 {
    let mut h = crc32fast::Hasher::new_with_initial(crc);
    h.update(bytes);
    h.finalize()
}

/// Longest library version kept in the header.
const MAX_LIBRARY: usize = 64;
const HEAD: usize = 4 + 2 + 1;

/// `payload` in an envelope of kind `magic` and `format`, written by this library version.
pub fn seal(magic: [u8; 4], format: u16, payload: &[u8]) -> Vec<u8> {
    let lib = env!("CARGO_PKG_VERSION").as_bytes();
    let lib = &lib[..lib.len().min(MAX_LIBRARY)];
    let mut out = Vec::with_capacity(HEAD + lib.len() + 8 + payload.len() + 4);
    out.extend_from_slice(&magic);
    out.extend_from_slice(&format.to_le_bytes());
    out.push(lib.len() as u8);
    out.extend_from_slice(lib);
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    out.extend_from_slice(payload);
    let crc = crc32(0, &out);
    out.extend_from_slice(&crc.to_le_bytes());
    out
}

/// What [`open`] found.
#[derive(Debug, Clone, PartialEq)]
pub struct Opened<'a> {
    pub format: u16,
    /// The attrition version that wrote the data.
    pub library: String,
    pub payload: &'a [u8],
}

/// The contents of an envelope of kind `magic` whose format is one of
/// `formats`; an error naming `what` and the first check that failed.
pub fn open<'a>(magic: [u8; 4], formats: &[u16], b: &'a [u8], what: &str) -> Result<Opened<'a>, String> {
    let short = || format!("{what}: truncated ({} bytes, too short for the header)", b.len());
    if b.len() < HEAD + 8 + 4 {
        return Err(short());
    }
    if b[..4] != magic {
        return Err(format!("{what}: not {what} data (it starts with {:?}, expected {:?})", &b[..4], &magic));
    }
    let format = u16::from_le_bytes([b[4], b[5]]);
    if !formats.contains(&format) {
        return Err(format!(
            "{what}: format version {format}, which this attrition cannot read (it reads {formats:?}); \
             it was written by another version of attrition"
        ));
    }
    let nlib = b[6] as usize;
    let at = HEAD + nlib;
    if b.len() < at + 8 + 4 {
        return Err(short());
    }
    let library = String::from_utf8_lossy(&b[HEAD..at]).into_owned();
    let mut len = [0u8; 8];
    len.copy_from_slice(&b[at..at + 8]);
    let length = u64::from_le_bytes(len);
    let start = at + 8;
    let follows = (b.len() - start - 4) as u64;
    if length != follows {
        return Err(format!(
            "{what}: the header announces {length} bytes of payload but {follows} follow (truncated or extended)"
        ));
    }
    let end = b.len() - 4;
    let crc = u32::from_le_bytes([b[end], b[end + 1], b[end + 2], b[end + 3]]);
    if crc32(0, &b[..end]) != crc {
        return Err(format!("{what}: checksum mismatch (the data was corrupted after attrition {library} wrote it)"));
    }
    Ok(Opened { format, library, payload: &b[start..end] })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_matches_zlib() {
        assert_eq!(crc32(0, b""), 0);
        assert_eq!(crc32(0, b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(crc32(0, b"1234"), b"56789"), 0xCBF4_3926);
    }

    #[test]
    fn envelope_round_trip_and_each_check() {
        let b = seal(*b"TEST", 3, b"payload");
        let o = open(*b"TEST", &[3], &b, "a test blob").unwrap();
        assert_eq!((o.format, o.payload), (3, &b"payload"[..]));
        assert_eq!(o.library, env!("CARGO_PKG_VERSION"));
        let fails = |bad: &[u8], what: &str| {
            let e = open(*b"TEST", &[3], bad, "a test blob").unwrap_err();
            assert!(e.contains(what), "{e}");
        };
        fails(&b[..10], "too short");
        fails(&[b"XXXX", &b[4..]].concat(), "not a test blob data");
        fails(&[&b[..4], &4u16.to_le_bytes()[..], &b[6..]].concat(), "format version 4");
        fails(&[&b[..b.len() - 5], &b[b.len() - 4..]].concat(), "announces 7 bytes of payload but 6 follow");
        let mut flipped = b.clone();
        flipped[b.len() - 6] ^= 1;
        fails(&flipped, "checksum mismatch");
        for i in 0..b.len() {
            for bit in 0..8 {
                let mut x = b.clone();
                x[i] ^= 1 << bit;
                assert!(open(*b"TEST", &[3], &x, "t").is_err(), "byte {i} bit {bit}");
            }
        }
    }
}
