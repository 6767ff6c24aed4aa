//! Names that are not valid text, kept exactly.
//!
//! ISO 9660 and ISO 9660:1999 identifiers and Rock Ridge names are bytes
//! in whatever character set the writer used: UTF-8 from genisoimage
//! `-iso-level 4`, pycdlib and xorriso on a UTF-8 system, but sometimes
//! Shift-JIS, Latin-1 or a DOS code page. Joliet names are UCS-2/UTF-16,
//! where a writer may leave a surrogate unpaired. A name is decoded as
//! UTF-8 (or UTF-16) where it is valid; whatever is not is *kept*, not
//! replaced, so it can be shown escaped and written back to a Linux host
//! as the very same bytes (as isoinfo, bsdtar and 7-Zip do).
//!
//! # Representation
//! Tree names stay `&str` (one string buffer, no per-node flag): each byte
//! that is not part of valid UTF-8 is stored as the code point
//! U+10FF00 + byte (so U+10FF80..=U+10FFFF), and each unpaired UTF-16
//! surrogate U+D800 + k as U+10F000 + k (U+10F000..=U+10F7FF) — the last
//! code points of Supplementary Private Use Area-B, which no font draws
//! and no writer uses. These *escape code points* mirror Python's
//! `surrogateescape` (bytes as U+DC80..U+DCFF), which Rust's `str` cannot
//! hold. A genuine character in those two ranges is itself escaped (its
//! UTF-8 bytes, or its UTF-16 surrogates), so the mapping is one-to-one
//! and every name round-trips to the bytes on the disc.
//!
//! Readers: [`host_bytes`] gives the original bytes (a host name on
//! Unix), [`display`] the name with `\x83` / `\u{d800}` escapes for
//! people and terminals, [`json_escape_char`] the `\udcXX` / `\udXXX`
//! escapes of `--json` (Python's convention).

use std::borrow::Cow;
use std::fmt::Write as _;

/// First escape code point of a lone surrogate (U+D800 maps here).
const SURROGATE_BASE: u32 = 0x10_F000;
/// First escape code point of a raw byte (byte 0 would map here; only
/// 0x80..=0xFF are ever used).
const BYTE_BASE: u32 = 0x10_FF00;

/// What one escape code point stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Escaped {
    /// A byte that was not part of valid UTF-8.
    Byte(u8),
    /// An unpaired UTF-16 surrogate (Joliet).
    Surrogate(u16),
}

/// What `c` stands for, if it is an escape code point.
pub fn escaped(c: char) -> Option<Escaped> {
    let v = u32::from(c);
    if let Some(b) = v.checked_sub(BYTE_BASE).filter(|&b| b <= 0xFF) {
        return u8::try_from(b).ok().map(Escaped::Byte);
    }
    let k = v.checked_sub(SURROGATE_BASE).filter(|&k| k < 0x800)?;
    u16::try_from(0xD800 + k).ok().map(Escaped::Surrogate)
}

/// Whether `s` holds any escape code point (all of them start with the
/// UTF-8 byte 0xF4 followed by 0x8F, a quick test).
pub fn has_escapes(s: &str) -> bool {
    s.as_bytes().windows(2).any(|w| w == [0xF4, 0x8F]) && s.chars().any(|c| escaped(c).is_some())
}

fn byte_char(b: u8) -> char {
    char::from_u32(BYTE_BASE + u32::from(b)).unwrap_or(char::REPLACEMENT_CHARACTER)
}

fn surrogate_char(unit: u16) -> char {
    let k = u32::from(unit).saturating_sub(0xD800);
    char::from_u32(SURROGATE_BASE + k).unwrap_or(char::REPLACEMENT_CHARACTER)
}

/// Appends `bytes` decoded as UTF-8, each byte that is not part of valid
/// UTF-8 (and each byte of a genuine escape-range character) escaped.
pub fn push_bytes(bytes: &[u8], out: &mut String) {
    let mut rest = bytes;
    loop {
        match std::str::from_utf8(rest) {
            Ok(valid) => {
                push_valid(valid, out);
                return;
            }
            Err(e) => {
                let (good, bad) = rest.split_at(e.valid_up_to());
                push_valid(std::str::from_utf8(good).unwrap_or_default(), out);
                let n = e.error_len().unwrap_or(bad.len()).max(1);
                let (invalid, after) = bad.split_at(n.min(bad.len()));
                out.extend(invalid.iter().map(|&b| byte_char(b)));
                rest = after;
            }
        }
    }
}

fn push_valid(s: &str, out: &mut String) {
    if !has_escapes(s) {
        out.push_str(s);
        return;
    }
    for c in s.chars() {
        if escaped(c).is_some() {
            let mut buf = [0u8; 4];
            out.extend(c.encode_utf8(&mut buf).bytes().map(byte_char));
        } else {
            out.push(c);
        }
    }
}

/// Appends UTF-16 code units decoded, unpaired surrogates (and the
/// surrogates of a genuine escape-range character) escaped.
pub fn push_utf16(units: impl IntoIterator<Item = u16>, out: &mut String) {
    let mut units = units.into_iter().peekable();
    while let Some(u) = units.next() {
        if !(0xD800..=0xDFFF).contains(&u) {
            out.push(char::from_u32(u32::from(u)).unwrap_or(char::REPLACEMENT_CHARACTER));
            continue;
        }
        let low = units
            .peek()
            .copied()
            .filter(|l| (0xDC00..=0xDFFF).contains(l));
        match (u, low) {
            (0xD800..=0xDBFF, Some(l)) => {
                units.next();
                let v = 0x10000 + ((u32::from(u) - 0xD800) << 10) + (u32::from(l) - 0xDC00);
                match char::from_u32(v) {
                    Some(c) if escaped(c).is_none() => out.push(c),
                    _ => {
                        out.push(surrogate_char(u));
                        out.push(surrogate_char(l));
                    }
                }
            }
            _ => out.push(surrogate_char(u)),
        }
    }
}

/// The bytes a tree name stands for: escaped bytes as themselves, lone
/// surrogates in the generalised UTF-8 form (WTF-8: three bytes, ED A0 80
/// for U+D800), everything else as UTF-8. Borrowed when there are no
/// escapes.
pub fn host_bytes(s: &str) -> Cow<'_, [u8]> {
    if !has_escapes(s) {
        return Cow::Borrowed(s.as_bytes());
    }
    let mut out = Vec::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match escaped(c) {
            Some(Escaped::Byte(b)) => out.push(b),
            Some(Escaped::Surrogate(hi @ 0xD800..=0xDBFF))
                if matches!(
                    chars.peek().and_then(|&n| escaped(n)),
                    Some(Escaped::Surrogate(0xDC00..=0xDFFF))
                ) =>
            {
                // A pair kept apart because its character is in the
                // escape range: written as that character.
                if let Some(Escaped::Surrogate(lo)) = chars.next().and_then(escaped) {
                    let v = 0x10000 + ((u32::from(hi) - 0xD800) << 10) + (u32::from(lo) - 0xDC00);
                    let c = char::from_u32(v).unwrap_or(char::REPLACEMENT_CHARACTER);
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                }
            }
            Some(Escaped::Surrogate(u)) => {
                let u = u32::from(u);
                out.extend(
                    [
                        0xE0 | (u >> 12),
                        0x80 | ((u >> 6) & 0x3F),
                        0x80 | (u & 0x3F),
                    ]
                    .map(|b| u8::try_from(b).unwrap_or(0xFF)),
                );
            }
            None => {
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
    Cow::Owned(out)
}

/// The name for people: escaped bytes as `\x83`, lone surrogates as
/// `\u{d800}`. Borrowed when there are no escapes.
pub fn display(s: &str) -> Cow<'_, str> {
    if !has_escapes(s) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match escaped(c) {
            Some(Escaped::Byte(b)) => {
                let _ = write!(out, "\\x{b:02x}");
            }
            Some(Escaped::Surrogate(u)) => {
                let _ = write!(out, "\\u{{{u:x}}}");
            }
            None => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// The JSON escape of an escape code point: `\udc83` for byte 0x83 (as
/// Python's `surrogateescape` would give it), `\ud800` for a lone
/// surrogate; `None` for any other character.
pub fn json_escape_char(c: char) -> Option<String> {
    match escaped(c)? {
        Escaped::Byte(b) => Some(format!("\\udc{b:02x}")),
        Escaped::Surrogate(u) => Some(format!("\\u{u:04x}")),
    }
}

/// A host file name for a (sanitised) tree name: on Unix the original
/// bytes; elsewhere lone surrogates as themselves (Windows names are
/// UTF-16) and raw bytes as `_xNN` (they cannot be written as bytes).
pub fn host_name(s: &str) -> std::ffi::OsString {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStringExt;
        std::ffi::OsString::from_vec(host_bytes(s).into_owned())
    }
    #[cfg(windows)]
    {
        use std::os::windows::ffi::OsStringExt;
        let mut wide = Vec::with_capacity(s.len());
        for c in s.chars() {
            match escaped(c) {
                Some(Escaped::Surrogate(u)) => wide.push(u),
                Some(Escaped::Byte(b)) => wide.extend(format!("_x{b:02x}").encode_utf16()),
                None => {
                    let mut buf = [0u16; 2];
                    wide.extend_from_slice(c.encode_utf16(&mut buf));
                }
            }
        }
        std::ffi::OsString::from_wide(&wide)
    }
    #[cfg(not(any(unix, windows)))]
    {
        std::ffi::OsString::from(display(s).replace('\\', "_"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(b: &[u8]) -> String {
        let mut s = String::new();
        push_bytes(b, &mut s);
        s
    }

    #[test]
    fn utf8_stays_text_and_other_bytes_round_trip() {
        assert_eq!(decode("Ünïcödé.txt".as_bytes()), "Ünïcödé.txt");
        // "テスト" in Shift-JIS.
        let sjis = b"\x83e\x83X\x83g.txt";
        let s = decode(sjis);
        assert!(has_escapes(&s));
        assert_eq!(&*host_bytes(&s), sjis);
        assert_eq!(display(&s), "\\x83e\\x83X\\x83g.txt");
        let json: String = s
            .chars()
            .map(|c| json_escape_char(c).unwrap_or_else(|| c.to_string()))
            .collect();
        assert_eq!(json, "\\udc83e\\udc83X\\udc83g.txt");
        // Valid UTF-8 next to invalid bytes: each part as it is.
        let mixed = b"caf\xc3\xa9-\xe9";
        assert_eq!(display(&decode(mixed)), "café-\\xe9");
        assert_eq!(&*host_bytes(&decode(mixed)), mixed);
        // A genuine escape-range character is escaped, and round-trips.
        let pua = "\u{10FF83}".as_bytes();
        assert_eq!(&*host_bytes(&decode(pua)), pua);
        assert_eq!(display(&decode(pua)), "\\xf4\\x8f\\xbe\\x83");
        assert!(matches!(display("plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn utf16_lone_surrogates_are_kept() {
        let mut s = String::new();
        push_utf16([0x61, 0xD800, 0x62, 0xD83D, 0xDE00, 0xDC00], &mut s);
        assert_eq!(display(&s), "a\\u{d800}b😀\\u{dc00}");
        let json: String = s
            .chars()
            .map(|c| json_escape_char(c).unwrap_or_else(|| c.to_string()))
            .collect();
        assert_eq!(json, "a\\ud800b😀\\udc00");
        assert_eq!(
            &*host_bytes(&s),
            b"a\xed\xa0\x80b\xf0\x9f\x98\x80\xed\xb0\x80"
        );
        // A genuine escape-range character in UTF-16: kept as its pair.
        let mut t = String::new();
        push_utf16([0xDBFF, 0xDF83], &mut t);
        assert_eq!(display(&t), "\\u{dbff}\\u{df83}");
        assert_eq!(&*host_bytes(&t), "\u{10FF83}".as_bytes());
    }
}
