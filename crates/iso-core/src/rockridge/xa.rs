//! The CD-ROM XA system-use record: 14 bytes that XA-aware writers
//! (genisoimage -XA, pycdlib with `xa=True`, mastering tools for Video CD
//! and PlayStation discs) put at the start of every directory record's
//! System Use field, *before* any SUSP entry (CD-ROM XA, the "Green Book"
//! extension of ISO 9660; its layout is summarised on
//! [`XaAttributes`]). SUSP then starts after it; the SP entry
//! says so with a LEN_SKP of 14.

use crate::bytes::slice;

/// The CD-ROM XA attributes of a directory record: the 14-byte record XA
/// writers put at the start of its System Use field — owner group ID (BP
/// 1–2) and user ID (3–4), big-endian; attributes (5–6, big-endian:
/// permission bits 0x0001 owner read, 0x0004 owner execute, 0x0010 group
/// read, 0x0040 group execute, 0x0100 world read, 0x0400 world execute;
/// 0x0800 Mode 2 Form 1 sectors, 0x1000 Mode 2 Form 2, 0x2000 interleaved,
/// 0x4000 CD-DA, 0x8000 directory); signature "XA" (7–8); file number
/// (9) for interleaved files; 5 reserved bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
#[non_exhaustive]
pub struct XaAttributes {
    /// Owner group ID.
    pub group_id: u16,
    /// Owner user ID.
    pub user_id: u16,
    /// The attribute bits, as recorded.
    pub attributes: u16,
    /// File number (interleaved files).
    pub file_number: u8,
}

impl XaAttributes {
    /// The file's sectors are Mode 2 Form 1 (2048 bytes of data, with ECC).
    pub fn form1(&self) -> bool {
        self.attributes & 0x0800 != 0
    }
    /// The file's sectors are Mode 2 Form 2 (2324 bytes, no ECC: video,
    /// audio).
    pub fn form2(&self) -> bool {
        self.attributes & 0x1000 != 0
    }
    /// The file is interleaved with others (see `file_number`).
    pub fn interleaved(&self) -> bool {
        self.attributes & 0x2000 != 0
    }
    /// The file is CD-DA audio.
    pub fn cdda(&self) -> bool {
        self.attributes & 0x4000 != 0
    }
    /// The record is a directory's.
    pub fn directory(&self) -> bool {
        self.attributes & 0x8000 != 0
    }
    /// Words for properties: "Mode 2 Form 1", "Form 2, interleaved" …
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if self.form1() {
            parts.push("Mode 2 Form 1");
        }
        if self.form2() {
            parts.push("Mode 2 Form 2");
        }
        if self.interleaved() {
            parts.push("interleaved");
        }
        if self.cdda() {
            parts.push("CD-DA");
        }
        if self.directory() {
            parts.push("directory");
        }
        if parts.is_empty() {
            "no attributes".into()
        } else {
            parts.join(", ")
        }
    }
}

/// Length of the record.
pub const XA_LEN: usize = 14;

/// The XA record at the start of `system_use`, if there is one:
/// bytes 6–7 are the signature "XA" and bytes 0–1 are not a SUSP
/// signature (two upper-case letters), so a SUSP entry whose data happens
/// to hold "XA" is not mistaken for one.
pub fn parse(system_use: &[u8]) -> Option<XaAttributes> {
    let r = slice(system_use, 0, XA_LEN)?;
    let [g0, g1, u0, u1, a0, a1, b'X', b'A', file_number, ..] = *r else {
        return None;
    };
    if g0.is_ascii_uppercase() && g1.is_ascii_uppercase() {
        return None;
    }
    Some(XaAttributes {
        group_id: u16::from_be_bytes([g0, g1]),
        user_id: u16::from_be_bytes([u0, u1]),
        attributes: u16::from_be_bytes([a0, a1]),
        file_number,
    })
}

/// How many bytes of `field` (LEN_SKP already skipped) an XA record takes
/// up: [`XA_LEN`] when the field starts with one (a writer that put XA
/// before SUSP without saying so in LEN_SKP), else 0.
pub fn skip_len(field: &[u8]) -> usize {
    if parse(field).is_some() {
        XA_LEN
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn genisoimage_and_pycdlib_records() {
        // genisoimage -XA: a file (Form 1, r-x for all) and a directory.
        let file = [0, 0, 0, 0, 0x0d, 0x55, b'X', b'A', 0, 0, 0, 0, 0, 0];
        let xa = parse(&file).unwrap();
        assert!(xa.form1() && !xa.form2() && !xa.interleaved() && !xa.directory());
        assert_eq!(xa.attributes, 0x0d55);
        let dir = [0, 0, 0, 0, 0x8d, 0x55, b'X', b'A', 0, 0, 0, 0, 0, 0];
        assert!(parse(&dir).unwrap().directory());
        // pycdlib: attributes all zero.
        let py = [0, 0, 0, 0, 0, 0, b'X', b'A', 0, 0, 0, 0, 0, 0];
        assert_eq!(parse(&py).unwrap().attributes, 0);
        assert_eq!(skip_len(&py), XA_LEN);
        // A SUSP entry is not an XA record, even with "XA" in its data.
        let px = *b"PX\x24\x01\0\0XA\0\0\0\0\0\0";
        assert_eq!(parse(&px), None);
        assert_eq!(skip_len(&px), 0);
        assert_eq!(parse(&file[..13]), None);
    }
}
