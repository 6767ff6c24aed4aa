//! Checked readers for the little-, big- and both-endian numbers of the
//! on-disc formats. Every function returns `None` instead of panicking when
//! the buffer is too short, so parsers of untrusted bytes never index out of
//! bounds.

/// `len` bytes at `offset`, or `None` if they are not all there.
pub fn slice(buf: &[u8], offset: usize, len: usize) -> Option<&[u8]> {
    buf.get(offset..offset.checked_add(len)?)
}

/// A fixed-size array copied from `offset`.
pub fn array<const N: usize>(buf: &[u8], offset: usize) -> Option<[u8; N]> {
    slice(buf, offset, N)?.try_into().ok()
}

/// One byte.
pub fn u8_at(buf: &[u8], offset: usize) -> Option<u8> {
    buf.get(offset).copied()
}

/// Little-endian `u16` (ECMA-119 §7.2.1).
pub fn le_u16(buf: &[u8], offset: usize) -> Option<u16> {
    array(buf, offset).map(u16::from_le_bytes)
}

/// Big-endian `u16` (ECMA-119 §7.2.2).
pub fn be_u16(buf: &[u8], offset: usize) -> Option<u16> {
    array(buf, offset).map(u16::from_be_bytes)
}

/// Little-endian `u32` (ECMA-119 §7.3.1).
pub fn le_u32(buf: &[u8], offset: usize) -> Option<u32> {
    array(buf, offset).map(u32::from_le_bytes)
}

/// Big-endian `u32` (ECMA-119 §7.3.2).
pub fn be_u32(buf: &[u8], offset: usize) -> Option<u32> {
    array(buf, offset).map(u32::from_be_bytes)
}

/// Little-endian `u64`.
pub fn le_u64(buf: &[u8], offset: usize) -> Option<u64> {
    array(buf, offset).map(u64::from_le_bytes)
}

/// Big-endian `u64`.
pub fn be_u64(buf: &[u8], offset: usize) -> Option<u64> {
    array(buf, offset).map(u64::from_be_bytes)
}

/// Both-byte-order `u16` (ECMA-119 §7.2.3): 2 bytes little-endian then 2
/// bytes big-endian. The little-endian half is authoritative (many writers
/// get the other half wrong); `Mismatch` reports whether they differ.
pub fn both_u16(buf: &[u8], offset: usize) -> Option<(u16, Mismatch)> {
    let le = le_u16(buf, offset)?;
    let be = be_u16(buf, offset.checked_add(2)?)?;
    Some((le, Mismatch(le != be)))
}

/// Both-byte-order `u32` (ECMA-119 §7.3.3), little-endian half first.
pub fn both_u32(buf: &[u8], offset: usize) -> Option<(u32, Mismatch)> {
    let le = le_u32(buf, offset)?;
    let be = be_u32(buf, offset.checked_add(4)?)?;
    Some((le, Mismatch(le != be)))
}

/// Whether the two halves of a both-byte-order number disagreed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mismatch(pub bool);

/// Converts a `u64` to `usize`, `None` if it does not fit.
pub fn usize_from(v: u64) -> Option<usize> {
    usize::try_from(v).ok()
}

/// A `usize` as `u64` (always fits on supported targets).
pub fn u64_from(v: usize) -> u64 {
    u64::try_from(v).unwrap_or(u64::MAX)
}

/// Text of a fixed-width "a-characters"/"d-characters" field with trailing
/// spaces (and NULs) removed. Bytes outside ASCII are mapped as Latin-1 so
/// nothing is lost.
pub fn trimmed_text(field: &[u8]) -> String {
    let end = field
        .iter()
        .rposition(|&b| b != b' ' && b != 0)
        .map_or(0, |p| p + 1);
    field
        .get(..end)
        .unwrap_or_default()
        .iter()
        .map(|&b| char::from(b))
        .collect()
}

/// Decodes UCS-2/UTF-16 big-endian text (Joliet). Unpaired surrogates and an
/// odd trailing byte become U+FFFD. Trailing spaces and NULs are removed
/// when `trim` is set.
pub fn utf16be_text(field: &[u8], trim: bool) -> String {
    let units = field.chunks(2).map(|c| match c {
        [a, b] => u16::from_be_bytes([*a, *b]),
        _ => 0xFFFD,
    });
    let mut s: String = char::decode_utf16(units)
        .map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect();
    if trim {
        let t = s.trim_end_matches([' ', '\0']).len();
        s.truncate(t);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_buffers_give_none() {
        assert_eq!(le_u32(&[1, 2, 3], 0), None);
        assert_eq!(le_u32(&[1, 0, 0, 0], 0), Some(1));
        assert_eq!(le_u16(&[1, 0], usize::MAX), None);
        assert_eq!(slice(&[1, 2], 1, usize::MAX), None);
    }

    #[test]
    fn both_endian_reports_mismatch() {
        assert_eq!(
            both_u32(&[1, 0, 0, 0, 0, 0, 0, 1], 0),
            Some((1, Mismatch(false)))
        );
        assert_eq!(
            both_u32(&[1, 0, 0, 0, 0, 0, 0, 2], 0),
            Some((1, Mismatch(true)))
        );
        assert_eq!(both_u16(&[5, 0, 0, 5], 0), Some((5, Mismatch(false))));
    }

    #[test]
    fn text_fields() {
        assert_eq!(trimmed_text(b"CDROM   \0"), "CDROM");
        assert_eq!(trimmed_text(b"    "), "");
        assert_eq!(utf16be_text(&[0, b'a', 0, b' '], true), "a");
        assert_eq!(utf16be_text(&[0xD8, 0x00, 0, b'x'], false), "\u{FFFD}x");
        assert_eq!(utf16be_text(&[0, b'a', 7], false), "a\u{FFFD}");
    }
}
