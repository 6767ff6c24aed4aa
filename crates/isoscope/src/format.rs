//! Turning sizes, times and kinds into the words the window shows.

use iso_core::{NodeId, NodeKind, Timestamp, Tree};

/// "0 B", "512 B", "1.5 KiB", "3.20 GiB".
pub fn size(len: u64) -> String {
    const UNITS: [&str; 6] = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    if len < 1024 {
        return format!("{len} B");
    }
    let mut v = len as f64 / 1024.0;
    let mut unit = UNITS[0];
    for u in UNITS.iter().skip(1) {
        if v < 1024.0 {
            break;
        }
        v /= 1024.0;
        unit = u;
    }
    if v < 10.0 {
        format!("{v:.2} {unit}")
    } else if v < 100.0 {
        format!("{v:.1} {unit}")
    } else {
        format!("{v:.0} {unit}")
    }
}

/// "1,234,567" (thousands separated).
pub fn count(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Days since 1970-01-01 to (year, month, day) in the proleptic Gregorian
/// calendar (the "civil from days" algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    (
        y,
        u32::try_from(m).unwrap_or(1),
        u32::try_from(d).unwrap_or(1),
    )
}

/// "2024-03-15 12:34:56" (UTC).
pub fn time(t: Timestamp) -> String {
    let days = t.seconds.div_euclid(86_400);
    let secs = t.seconds.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

/// An optional time, or an empty string.
pub fn opt_time(t: Option<Timestamp>) -> String {
    t.map(time).unwrap_or_default()
}

/// "Folder", "TXT file", "Symbolic link", ...
pub fn type_label(tree: &Tree, id: NodeId) -> String {
    match tree.kind(id) {
        NodeKind::Dir => "Folder".into(),
        NodeKind::File => match extension(tree.name(id)) {
            Some(ext) => format!("{} file", ext.to_ascii_uppercase()),
            None => "File".into(),
        },
        NodeKind::Symlink => "Symbolic link".into(),
        NodeKind::CharDevice => "Character device".into(),
        NodeKind::BlockDevice => "Block device".into(),
        NodeKind::Fifo => "FIFO".into(),
        NodeKind::Socket => "Socket".into(),
    }
}

/// The extension of a name (without the dot and any ";1" version).
pub fn extension(name: &str) -> Option<&str> {
    let name = name.split(';').next().unwrap_or(name);
    let (stem, ext) = name.rsplit_once('.')?;
    (!stem.is_empty() && !ext.is_empty() && ext.len() <= 8).then_some(ext)
}

/// What a file looks like it holds, from its extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileClass {
    /// A folder.
    Folder,
    /// Text.
    Text,
    /// A picture the preview decodes.
    Picture,
    /// An archive or disc image.
    Archive,
    /// A link.
    Link,
    /// Anything else.
    Other,
}

/// Classifies a node for its icon and preview.
pub fn class(tree: &Tree, id: NodeId) -> FileClass {
    match tree.kind(id) {
        NodeKind::Dir => return FileClass::Folder,
        NodeKind::Symlink => return FileClass::Link,
        NodeKind::File => {}
        _ => return FileClass::Other,
    }
    let ext = extension(tree.name(id)).map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some(
            "txt" | "md" | "rs" | "c" | "h" | "cpp" | "py" | "sh" | "cfg" | "conf" | "ini" | "json"
            | "xml" | "html" | "htm" | "css" | "js" | "toml" | "yaml" | "yml" | "log" | "csv"
            | "inf" | "bat" | "cmd" | "nfo" | "diz" | "1st" | "me" | "lst",
        ) => FileClass::Text,
        Some("png" | "jpg" | "jpeg" | "bmp" | "gif") => FileClass::Picture,
        Some(
            "zip" | "gz" | "xz" | "bz2" | "zst" | "tar" | "7z" | "iso" | "img" | "cab" | "rar",
        ) => FileClass::Archive,
        _ => {
            let upper = tree.name(id).to_ascii_uppercase();
            if upper.starts_with("README") || upper.starts_with("LICENSE") {
                FileClass::Text
            } else {
                FileClass::Other
            }
        }
    }
}

/// The icon shown before a name.
pub fn icon(class: FileClass) -> &'static str {
    match class {
        FileClass::Folder => "📁",
        FileClass::Text => "📄",
        FileClass::Picture => "🖼",
        FileClass::Archive => "📦",
        FileClass::Link => "🔗",
        FileClass::Other => "🗋",
    }
}

/// "1m 05s", "12s", "2h 03m".
pub fn duration(secs: f64) -> String {
    if !secs.is_finite() || secs < 0.0 {
        return "–".into();
    }
    let s = secs.round() as u64;
    if s >= 3600 {
        format!("{}h {:02}m", s / 3600, s % 3600 / 60)
    } else if s >= 60 {
        format!("{}m {:02}s", s / 60, s % 60)
    } else {
        format!("{s}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(size(0), "0 B");
        assert_eq!(size(1023), "1023 B");
        assert_eq!(size(1536), "1.50 KiB");
        assert_eq!(size(49152), "48.0 KiB");
        assert_eq!(size(5 << 30), "5.00 GiB");
    }

    #[test]
    fn times_match_unix_date() {
        // `date -u -d @1710506096` prints Fri Mar 15 12:34:56 UTC 2024.
        let t = Timestamp {
            seconds: 1_710_506_096,
            nanos: 0,
        };
        assert_eq!(time(t), "2024-03-15 12:34:56");
        let t = Timestamp {
            seconds: -1,
            nanos: 0,
        };
        assert_eq!(time(t), "1969-12-31 23:59:59");
    }

    #[test]
    fn counts_and_extensions() {
        assert_eq!(count(1_234_567), "1,234,567");
        assert_eq!(count(12), "12");
        assert_eq!(extension("README.TXT;1"), Some("TXT"));
        assert_eq!(extension(".hidden"), None);
        assert_eq!(duration(65.0), "1m 05s");
    }
}
