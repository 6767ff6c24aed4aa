//! Raw CD sectors (ECMA-130): the 2352-byte sector with its sync pattern,
//! header, user data, EDC and P/Q ECC; the 2336-byte form without sync and
//! header; and the 2448-byte form followed by 96 bytes of subchannel.
//!
//! Layouts (ECMA-130 §14, byte offsets in the 2352-byte sector):
//!
//! | mode | 0..12 | 12..16 | 16..24 | user data | EDC | then |
//! |---|---|---|---|---|---|---|
//! | Mode 1 | sync | header | — | 16..2064 | 2064..2068 | 8 zeros, P 2076..2248, Q 2248..2352 |
//! | Mode 2 Form 1 | sync | header | subheader | 24..2072 | 2072..2076 | P, Q |
//! | Mode 2 Form 2 | sync | header | subheader | 24..2348 | 2348..2352 | — |
//!
//! The EDC is a CRC-32 over the bytes before it (Mode 1: 0..2064; Mode 2:
//! from the subheader), polynomial (x¹⁶+x¹⁵+x²+1)(x¹⁶+x²+x+1), least
//! significant bit first, stored little-endian (ECMA-130 §14.3). The ECC is
//! a product code over GF(2⁸) (ECMA-130 Annex A): 86 P-vectors of 26 bytes
//! and 52 Q-vectors of 45 bytes over bytes 12..2352, each with two check
//! symbols, so each vector corrects one wrong byte. In Mode 2 the header
//! takes part in the ECC as zeros.

/// Bytes in a full raw sector.
pub const RAW_LEN: usize = 2352;
/// Bytes of user data in a Mode 1 or Mode 2 Form 1 sector.
pub const USER_LEN: usize = 2048;
/// Bytes of user data in a Mode 2 Form 2 sector.
pub const FORM2_LEN: usize = 2324;
/// Bytes of subchannel after a 2448-byte sector.
pub const SUBCHANNEL_LEN: usize = 96;
/// The 12-byte sync pattern that opens every data sector (ECMA-130 §14.1).
pub const SYNC: [u8; 12] = [
    0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0,
];
/// Sectors per second of CD audio / frames of the MSF address.
pub const FRAMES_PER_SECOND: u32 = 75;
/// Logical block address 0 is MSF 00:02:00 (ECMA-130 §14.2): 150 frames.
pub const MSF_OFFSET: u32 = 150;
/// The Form 2 bit of the subheader's submode byte (ECMA-130 / CD-ROM XA).
pub const SUBMODE_FORM2: u8 = 0x20;

/// How sectors are stored in a container's data file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SectorLayout {
    /// 2048 bytes of user data only (an ISO-style track).
    Cooked,
    /// 2352 bytes: the whole sector (or 2352 bytes of audio).
    Raw,
    /// 2336 bytes: the sector from its subheader on (no sync, no header).
    Mode2Raw,
    /// 2448 bytes: the whole sector, then 96 bytes of subchannel.
    RawSub,
}

impl SectorLayout {
    /// Bytes per stored sector.
    pub fn stored_len(self) -> u32 {
        match self {
            SectorLayout::Cooked => 2048,
            SectorLayout::Raw => 2352,
            SectorLayout::Mode2Raw => 2336,
            SectorLayout::RawSub => 2448,
        }
    }

    /// The layout for a stored sector length.
    pub fn from_len(len: u32) -> Option<Self> {
        match len {
            2048 => Some(SectorLayout::Cooked),
            2352 => Some(SectorLayout::Raw),
            2336 => Some(SectorLayout::Mode2Raw),
            2448 => Some(SectorLayout::RawSub),
            _ => None,
        }
    }

    /// Where byte 0 of the 2352-byte sector would be, relative to the
    /// stored sector (the 2336-byte form starts 16 bytes in).
    fn raw_skip(self) -> usize {
        match self {
            SectorLayout::Mode2Raw => 16,
            _ => 0,
        }
    }

    /// Offset of the 2048 bytes of user data in a stored sector of a track
    /// of `mode`.
    pub fn user_offset(self, mode: crate::source::disc::TrackMode) -> usize {
        use crate::source::disc::TrackMode;
        let raw = match (self, mode) {
            (SectorLayout::Cooked, _) => return 0,
            (_, TrackMode::Mode2) => 24,
            _ => 16,
        };
        raw - self.raw_skip()
    }

    /// Whether the stored sector carries EDC/ECC that can be checked.
    pub fn is_raw(self) -> bool {
        self != SectorLayout::Cooked
    }
}

/// Fills a full 2352-byte sector from a stored one (`stored` holds at
/// least [`SectorLayout::stored_len`] bytes); the 2336-byte form gets its
/// sync and header rebuilt from `lba` (mode 2).
pub fn to_raw(layout: SectorLayout, stored: &[u8], lba: u32, out: &mut [u8; RAW_LEN]) -> bool {
    match layout {
        SectorLayout::Cooked => false,
        SectorLayout::Raw | SectorLayout::RawSub => match stored.get(..RAW_LEN) {
            Some(s) => {
                out.copy_from_slice(s);
                true
            }
            None => false,
        },
        SectorLayout::Mode2Raw => match stored.get(..RAW_LEN - 16) {
            Some(s) => {
                write_sync_header(out, lba, 2);
                if let Some(rest) = out.get_mut(16..) {
                    rest.copy_from_slice(s);
                }
                true
            }
            None => false,
        },
    }
}

/// Writes the sync pattern and the header (MSF of `lba` in BCD, `mode`).
pub fn write_sync_header(out: &mut [u8; RAW_LEN], lba: u32, mode: u8) {
    let msf = Msf::from_lba(lba);
    if let Some(s) = out.get_mut(..12) {
        s.copy_from_slice(&SYNC);
    }
    if let Some(h) = out.get_mut(12..16) {
        h.copy_from_slice(&[bcd(msf.minute), bcd(msf.second), bcd(msf.frame), mode]);
    }
}

fn bcd(v: u8) -> u8 {
    ((v / 10) << 4) | (v % 10)
}

fn from_bcd(v: u8) -> Option<u8> {
    let (hi, lo) = (v >> 4, v & 0x0F);
    (hi <= 9 && lo <= 9).then_some(hi * 10 + lo)
}

/// A minute:second:frame address (75 frames a second).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Msf {
    /// Minutes.
    pub minute: u8,
    /// Seconds (0..60).
    pub second: u8,
    /// Frames (0..75).
    pub frame: u8,
}

impl Msf {
    /// The absolute address of logical block `lba` (LBA 0 is 00:02:00).
    pub fn from_lba(lba: u32) -> Msf {
        Msf::from_frames(lba.saturating_add(MSF_OFFSET))
    }

    /// A count of frames as mm:ss:ff (a length or a relative position).
    pub fn from_frames(frames: u32) -> Msf {
        let minute = u8::try_from(frames / (60 * FRAMES_PER_SECOND)).unwrap_or(u8::MAX);
        let rest = frames % (60 * FRAMES_PER_SECOND);
        Msf {
            minute,
            second: u8::try_from(rest / FRAMES_PER_SECOND).unwrap_or(0),
            frame: u8::try_from(rest % FRAMES_PER_SECOND).unwrap_or(0),
        }
    }

    /// The frame count mm*60*75 + ss*75 + ff.
    pub fn frames(self) -> u32 {
        (u32::from(self.minute) * 60 + u32::from(self.second)) * FRAMES_PER_SECOND
            + u32::from(self.frame)
    }

    /// Parses "mm:ss:ff" (as CUE and TOC sheets write it).
    pub fn parse(s: &str) -> Option<Msf> {
        let mut it = s.trim().split(':');
        let m: u8 = it.next()?.trim().parse().ok()?;
        let sec: u8 = it.next()?.trim().parse().ok()?;
        let f: u8 = it.next()?.trim().parse().ok()?;
        (it.next().is_none() && sec < 60 && f < 75).then_some(Msf {
            minute: m,
            second: sec,
            frame: f,
        })
    }
}

impl std::fmt::Display for Msf {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:02}:{:02}:{:02}", self.minute, self.second, self.frame)
    }
}

/// What the header of a raw sector says (ECMA-130 §14.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// The address, decoded from BCD (`None` when not valid BCD).
    pub msf: Option<Msf>,
    /// The mode byte.
    pub mode: u8,
}

/// Reads the header of a full sector.
pub fn header(sector: &[u8; RAW_LEN]) -> Header {
    let b = |i: usize| sector.get(i).copied().unwrap_or(0);
    let msf = match (from_bcd(b(12)), from_bcd(b(13)), from_bcd(b(14))) {
        (Some(minute), Some(second), Some(frame)) if second < 60 && frame < 75 => Some(Msf {
            minute,
            second,
            frame,
        }),
        _ => None,
    };
    Header { msf, mode: b(15) }
}

/// Whether `bytes` starts with the sync pattern.
pub fn has_sync(bytes: &[u8]) -> bool {
    bytes.get(..12) == Some(&SYNC[..])
}

// ---------------------------------------------------------------------
// EDC (ECMA-130 §14.3)

/// The EDC polynomial, reflected (bit i of this constant is the
/// coefficient of x^(31-i)): P(x) = (x¹⁶+x¹⁵+x²+1)(x¹⁶+x²+x+1) =
/// x³²+x³¹+x¹⁶+x¹⁵+x⁴+x³+x+1 (0x8001801B), least significant bit first.
const EDC_POLY_REFLECTED: u32 = 0xD801_8001;

const EDC_TABLE: [u32; 256] = edc_table();

// Compile-time tables: the indices are loop counters below 256, no byte
// from an image is involved.
#[allow(clippy::indexing_slicing, clippy::cast_possible_truncation)]
const fn edc_table() -> [u32; 256] {
    let mut t = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut r = i as u32;
        let mut k = 0;
        while k < 8 {
            r = if r & 1 != 0 {
                (r >> 1) ^ EDC_POLY_REFLECTED
            } else {
                r >> 1
            };
            k += 1;
        }
        t[i] = r;
        i += 1;
    }
    t
}

/// The EDC of `data` (initial value 0, no final inversion).
pub fn edc(data: &[u8]) -> u32 {
    data.iter().fold(0u32, |r, &b| {
        let idx = usize::from(u8::try_from((r ^ u32::from(b)) & 0xFF).unwrap_or(0));
        (r >> 8) ^ EDC_TABLE.get(idx).copied().unwrap_or(0)
    })
}

// ---------------------------------------------------------------------
// GF(2^8) and the P/Q codes (ECMA-130 Annex A)

/// The field's primitive polynomial x⁸+x⁴+x³+x²+1 (ECMA-130 Annex A).
const GF_POLY: u16 = 0x11D;

#[allow(clippy::indexing_slicing, clippy::cast_possible_truncation)]
const fn gf_tables() -> ([u8; 256], [u8; 256]) {
    let mut exp = [0u8; 256];
    let mut log = [0u8; 256];
    let mut x: u16 = 1;
    let mut i = 0;
    while i < 255 {
        exp[i] = x as u8;
        log[x as usize] = i as u8;
        x <<= 1;
        if x & 0x100 != 0 {
            x ^= GF_POLY;
        }
        i += 1;
    }
    exp[255] = exp[0];
    (exp, log)
}

const GF: ([u8; 256], [u8; 256]) = gf_tables();

fn gf_exp(i: usize) -> u8 {
    GF.0.get(i % 255).copied().unwrap_or(0)
}

fn gf_log(x: u8) -> usize {
    usize::from(GF.1.get(usize::from(x)).copied().unwrap_or(0))
}

fn gf_mul(a: u8, b: u8) -> u8 {
    if a == 0 || b == 0 {
        0
    } else {
        gf_exp(gf_log(a) + gf_log(b))
    }
}

fn gf_div(a: u8, b: u8) -> u8 {
    if a == 0 || b == 0 {
        0
    } else {
        gf_exp(gf_log(a) + 255 - gf_log(b))
    }
}

/// One family of codewords: `count` vectors per byte plane, each of `len`
/// symbols (the last two are check symbols).
#[derive(Clone, Copy)]
struct Code {
    /// Vectors per plane: 43 for P, 26 for Q.
    count: usize,
    /// Symbols per vector: 26 for P, 45 for Q.
    len: usize,
}

const P_CODE: Code = Code { count: 43, len: 26 };
const Q_CODE: Code = Code { count: 26, len: 45 };
/// 16-bit words covered by the Q code (header to P parity).
const Q_WORDS: usize = 1118;

impl Code {
    /// The word index (of the 1170 words from byte 12) of symbol `i` of
    /// vector `n` (Annex A: P vectors are columns of a 24 × 43 matrix of
    /// words, Q vectors its diagonals).
    fn word(self, n: usize, i: usize) -> usize {
        if self.len == P_CODE.len {
            43 * i + n
        } else if i < 43 {
            (44 * i + 43 * n) % Q_WORDS
        } else {
            Q_WORDS + 26 * (i - 43) + n
        }
    }

    /// Byte offset in the 2352-byte sector of symbol `i` of vector `n` in
    /// `plane` (0 = the word's first byte, 1 = its second).
    fn byte(self, n: usize, plane: usize, i: usize) -> usize {
        12 + 2 * self.word(n, i) + plane
    }

    /// The syndromes s0 = Σ vᵢ and s1 = Σ α^(len-1-i) vᵢ.
    fn syndromes(self, s: &[u8; RAW_LEN], n: usize, plane: usize) -> (u8, u8) {
        let mut s0 = 0u8;
        let mut s1 = 0u8;
        for i in 0..self.len {
            let v = s.get(self.byte(n, plane, i)).copied().unwrap_or(0);
            s0 ^= v;
            s1 ^= gf_mul(v, gf_exp(self.len - 1 - i));
        }
        (s0, s1)
    }

    /// Computes the two check symbols of every vector.
    fn encode(self, s: &mut [u8; RAW_LEN]) {
        let alpha_plus_1 = gf_exp(1) ^ 1;
        for plane in 0..2 {
            for n in 0..self.count {
                for i in self.len - 2..self.len {
                    if let Some(b) = s.get_mut(self.byte(n, plane, i)) {
                        *b = 0;
                    }
                }
                let (a, b) = self.syndromes(s, n, plane);
                // With check symbols p (weight α) and q (weight 1):
                // p + q = a and αp + q = b, so p = (a + b) / (α + 1).
                let p = gf_div(a ^ b, alpha_plus_1);
                let q = a ^ p;
                if let Some(x) = s.get_mut(self.byte(n, plane, self.len - 2)) {
                    *x = p;
                }
                if let Some(x) = s.get_mut(self.byte(n, plane, self.len - 1)) {
                    *x = q;
                }
            }
        }
    }

    /// Corrects one wrong symbol per vector where the syndromes allow.
    /// Returns (symbols corrected, vectors still failing).
    fn correct(self, s: &mut [u8; RAW_LEN]) -> (u32, u32) {
        let mut fixed = 0;
        let mut failing = 0;
        for plane in 0..2 {
            for n in 0..self.count {
                let (s0, s1) = self.syndromes(s, n, plane);
                if s0 == 0 && s1 == 0 {
                    continue;
                }
                // One error e at position i: s0 = e, s1 = α^(len-1-i) e.
                let located = (s0 != 0 && s1 != 0)
                    .then(|| gf_log(gf_div(s1, s0)))
                    .filter(|&k| k < self.len)
                    .map(|k| self.len - 1 - k);
                match located.and_then(|i| s.get_mut(self.byte(n, plane, i))) {
                    Some(b) => {
                        *b ^= s0;
                        fixed += 1;
                    }
                    None => failing += 1,
                }
            }
        }
        (fixed, failing)
    }
}

/// Computes and writes the EDC and P/Q ECC of a Mode 1 sector whose sync,
/// header and user data are filled in (the test helpers' encoder, and the
/// reference for the checks).
pub fn encode_mode1(s: &mut [u8; RAW_LEN]) {
    let e = edc(s.get(..2064).unwrap_or_default()).to_le_bytes();
    if let Some(x) = s.get_mut(2064..2076) {
        x.fill(0);
        x.get_mut(..4).unwrap_or_default().copy_from_slice(&e);
    }
    P_CODE.encode(s);
    Q_CODE.encode(s);
}

/// Computes and writes the EDC (and for Form 1 the ECC) of a Mode 2 XA
/// sector whose sync, header, subheader and user data are filled in.
pub fn encode_mode2(s: &mut [u8; RAW_LEN]) {
    let form2 = s.get(18).copied().unwrap_or(0) & SUBMODE_FORM2 != 0;
    if form2 {
        let e = edc(s.get(16..2348).unwrap_or_default()).to_le_bytes();
        s.get_mut(2348..).unwrap_or_default().copy_from_slice(&e);
        return;
    }
    let e = edc(s.get(16..2072).unwrap_or_default()).to_le_bytes();
    s.get_mut(2072..2076)
        .unwrap_or_default()
        .copy_from_slice(&e);
    with_zero_header(s, |s| {
        P_CODE.encode(s);
        Q_CODE.encode(s);
    });
}

/// Runs `f` with the header bytes zeroed (Mode 2 ECC leaves the header
/// out), then puts them back.
fn with_zero_header<T>(s: &mut [u8; RAW_LEN], f: impl FnOnce(&mut [u8; RAW_LEN]) -> T) -> T {
    let mut saved = [0u8; 4];
    if let Some(h) = s.get_mut(12..16) {
        saved.copy_from_slice(h);
        h.fill(0);
    }
    let out = f(s);
    if let Some(h) = s.get_mut(12..16) {
        h.copy_from_slice(&saved);
    }
    out
}

/// What checking one raw sector found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SectorCheck {
    /// The EDC matches.
    Good,
    /// A Mode 2 Form 2 sector recorded without an EDC (the field is 0), or
    /// a Mode 0 (empty) sector: nothing to check.
    Unchecked,
    /// The EDC did not match; the ECC repaired `bytes` bytes and then it
    /// did (the sector is given back corrected).
    Corrected {
        /// Bytes the ECC changed.
        bytes: u32,
    },
    /// The EDC does not match and the ECC cannot repair the sector.
    Uncorrectable,
    /// A Mode 2 Form 2 sector whose EDC does not match (Form 2 has no ECC).
    Form2EdcMismatch,
    /// The sync pattern is missing.
    NoSync,
    /// The header's mode byte is not 0, 1 or 2.
    BadMode(u8),
}

impl SectorCheck {
    /// Whether the sector's data can be trusted (as read or corrected).
    pub fn is_ok(self) -> bool {
        matches!(
            self,
            SectorCheck::Good | SectorCheck::Unchecked | SectorCheck::Corrected { .. }
        )
    }
}

/// Most rounds of alternating P and Q correction.
const MAX_ECC_ROUNDS: u32 = 4;

/// Checks a full sector's EDC and, when it fails, tries the ECC; a
/// correctable sector is corrected in place.
pub fn check(s: &mut [u8; RAW_LEN]) -> SectorCheck {
    if !has_sync(s) {
        return SectorCheck::NoSync;
    }
    match header(s).mode {
        0 => SectorCheck::Unchecked,
        1 => check_ecc_sector(s, 0..2064, 2064),
        2 => {
            let form2 = s.get(18).copied().unwrap_or(0) & SUBMODE_FORM2 != 0;
            if form2 {
                let stored = read_le32(s, 2348);
                if stored == 0 {
                    SectorCheck::Unchecked
                } else if stored == edc(s.get(16..2348).unwrap_or_default()) {
                    SectorCheck::Good
                } else {
                    SectorCheck::Form2EdcMismatch
                }
            } else {
                check_ecc_sector(s, 16..2072, 2072)
            }
        }
        m => SectorCheck::BadMode(m),
    }
}

fn read_le32(s: &[u8], at: usize) -> u32 {
    let mut b = [0u8; 4];
    if let Some(x) = s.get(at..at + 4) {
        b.copy_from_slice(x);
    }
    u32::from_le_bytes(b)
}

fn edc_ok(s: &[u8; RAW_LEN], range: std::ops::Range<usize>, at: usize) -> bool {
    edc(s.get(range).unwrap_or_default()) == read_le32(s, at)
}

fn check_ecc_sector(
    s: &mut [u8; RAW_LEN],
    range: std::ops::Range<usize>,
    at: usize,
) -> SectorCheck {
    if edc_ok(s, range.clone(), at) {
        return SectorCheck::Good;
    }
    let mode2 = range.start == 16;
    let original = *s;
    let mut fixed = 0;
    let mut run = |s: &mut [u8; RAW_LEN]| {
        for _ in 0..MAX_ECC_ROUNDS {
            let (fp, bad_p) = P_CODE.correct(s);
            let (fq, bad_q) = Q_CODE.correct(s);
            fixed += fp + fq;
            if bad_p + bad_q == 0 && fp + fq == 0 {
                break;
            }
        }
    };
    if mode2 {
        with_zero_header(s, run);
    } else {
        run(s);
    }
    if fixed > 0 && edc_ok(s, range, at) {
        let bytes = s
            .iter()
            .zip(original.iter())
            .filter(|(a, b)| a != b)
            .count();
        SectorCheck::Corrected {
            bytes: u32::try_from(bytes).unwrap_or(u32::MAX),
        }
    } else {
        *s = original;
        SectorCheck::Uncorrectable
    }
}

#[cfg(test)]
#[path = "raw_tests.rs"]
mod tests;
