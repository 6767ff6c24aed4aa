//! Printing for a terminal: names from an image are escaped so that they
//! cannot move the cursor, change colours or reorder the text (control
//! characters, DEL, C1 controls and the bidirectional-text controls), bytes
//! of names that are not UTF-8 show as `\x83` (lone UTF-16 surrogates as
//! `\u{d800}`), and dates are formatted in UTC.
//!
//! JSON output never goes through here: it escapes by the JSON rules.

use std::borrow::Cow;
use std::fmt::Write as _;

use iso_core::tree::names;

/// Whether `c` must not reach a terminal as is (or stands for a byte of a
/// name that is not UTF-8: iso_core::tree::names).
fn needs_escape(c: char) -> bool {
    names::escaped(c).is_some()
        || matches!(c,
            '\u{0}'..='\u{1f}'          // C0 controls (ESC, CR, BEL, …)
            | '\u{7f}'                  // DEL
            | '\u{80}'..='\u{9f}'       // C1 controls (CSI, OSC, …)
            | '\u{200e}' | '\u{200f}'   // LRM, RLM
            | '\u{202a}'..='\u{202e}'   // LRE, RLE, PDF, LRO, RLO
            | '\u{2066}'..='\u{2069}' // LRI, RLI, FSI, PDI
        )
}

/// `s` with every dangerous character shown as an escape: ASCII controls
/// and DEL as `\x1b`, the others as `\u{202e}`. Borrowed when nothing
/// needed escaping (the usual case).
pub fn escape(s: &str) -> Cow<'_, str> {
    // Fast path: printable ASCII only (most names).
    if s.bytes().all(|b| (0x20..0x7f).contains(&b)) || !s.chars().any(needs_escape) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if !needs_escape(c) {
            out.push(c);
        } else if names::escaped(c).is_some() {
            // The byte or lone surrogate, as `\x83` or `\u{d800}`.
            out.push_str(&names::display(c.encode_utf8(&mut [0u8; 4])));
        } else if c.is_ascii() {
            let _ = write!(out, "\\x{:02x}", u32::from(c));
        } else {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        }
    }
    Cow::Owned(out)
}

/// Days since 1970-01-01 to (year, month, day) in the proleptic Gregorian
/// calendar (the well-known era-based conversion).
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // 0..=146096
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // 0..=399
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // 0..=365
    let mp = (5 * doy + 2) / 153; // 0..=11
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (
        year,
        u32::try_from(month).unwrap_or(1),
        u32::try_from(day).unwrap_or(1),
    )
}

/// Broken-down UTC time of a Unix timestamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Utc {
    /// Year.
    pub year: i64,
    /// 1..=12.
    pub month: u32,
    /// 1..=31.
    pub day: u32,
    /// 0..=23.
    pub hour: u32,
    /// 0..=59.
    pub minute: u32,
    /// 0..=59.
    pub second: u32,
}

/// Splits Unix seconds into a UTC date and time.
pub fn utc(seconds: i64) -> Utc {
    let days = seconds.div_euclid(86_400);
    let secs = u32::try_from(seconds.rem_euclid(86_400)).unwrap_or(0);
    let (year, month, day) = civil_from_days(days);
    Utc {
        year,
        month,
        day,
        hour: secs / 3600,
        minute: secs / 60 % 60,
        second: secs % 60,
    }
}

/// "2020-01-02T03:04:05Z".
pub fn iso8601(seconds: i64) -> String {
    let t = utc(seconds);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year, t.month, t.day, t.hour, t.minute, t.second
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_terminal_controls() {
        assert_eq!(escape("plain name.txt"), "plain name.txt");
        assert!(matches!(escape("plain"), Cow::Borrowed(_)));
        assert_eq!(escape("a\u{1b}[31mred"), "a\\x1b[31mred");
        assert_eq!(escape("evil\u{202e}txt.exe"), "evil\\u{202e}txt.exe");
        assert_eq!(escape("x\u{7f}\u{9b}y"), "x\\x7f\\u{9b}y");
        assert_eq!(
            escape("\u{2066}\u{2069}\u{200e}\u{200f}"),
            "\\u{2066}\\u{2069}\\u{200e}\\u{200f}"
        );
        assert_eq!(escape("line\nbreak\ttab\r"), "line\\x0abreak\\x09tab\\x0d");
        // A name's bytes that are not UTF-8 (Shift-JIS here).
        let mut sjis = String::new();
        names::push_bytes(b"\x83e\x83X\x83g", &mut sjis);
        assert_eq!(escape(&sjis), "\\x83e\\x83X\\x83g");
        // Ordinary non-ASCII text passes through.
        assert_eq!(escape("Grüße 日本 \u{a0}"), "Grüße 日本 \u{a0}");
    }

    #[test]
    fn dates() {
        // Values from `date -u -d @N`.
        assert_eq!(iso8601(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso8601(1_577_934_245), "2020-01-02T03:04:05Z");
        assert_eq!(iso8601(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(iso8601(-1), "1969-12-31T23:59:59Z");
        assert_eq!(iso8601(4_102_444_800), "2100-01-01T00:00:00Z");
    }
}
