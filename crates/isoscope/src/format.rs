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

/// What a node is, in words: "Folder", "Text document", "PNG image",
/// "Program (EXE)", "Disc image (ISO)", "Symbolic link", ...
pub fn type_label(tree: &Tree, id: NodeId) -> String {
    let ext = extension(tree.name(id)).map(str::to_ascii_uppercase);
    let with_ext = |what: &str| match &ext {
        Some(e) => format!("{e} {what}"),
        None => what.to_string(),
    };
    match tree.kind(id) {
        NodeKind::Dir => return "Folder".into(),
        NodeKind::Symlink => return "Symbolic link".into(),
        NodeKind::CharDevice => return "Character device".into(),
        NodeKind::BlockDevice => return "Block device".into(),
        NodeKind::Fifo => return "Named pipe (FIFO)".into(),
        NodeKind::Socket => return "Socket".into(),
        NodeKind::File => {}
    }
    match class(tree, id) {
        FileClass::Text => match ext.as_deref() {
            None | Some("TXT") => "Text document".into(),
            Some(e) => format!("{e} text"),
        },
        FileClass::Picture => with_ext("image"),
        FileClass::Audio => with_ext("audio"),
        FileClass::Video => with_ext("video"),
        FileClass::Archive => with_ext("archive"),
        FileClass::Executable => match &ext {
            Some(e) => format!("Program ({e})"),
            None => "Program".into(),
        },
        FileClass::DiscImage => match &ext {
            Some(e) => format!("Disc image ({e})"),
            None => "Disc image".into(),
        },
        FileClass::BootImage => "Boot image".into(),
        _ => match &ext {
            Some(e) => format!("{e} file"),
            None => "File".into(),
        },
    }
}

/// The extension of a name (without the dot and any ";1" version).
pub fn extension(name: &str) -> Option<&str> {
    let name = name.split(';').next().unwrap_or(name);
    let (stem, ext) = name.rsplit_once('.')?;
    (!stem.is_empty() && !ext.is_empty() && ext.len() <= 8).then_some(ext)
}

/// What a node looks like it holds (its icon, its preview, its Type).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileClass {
    /// A folder.
    Folder,
    /// A folder shown open (the tree's current folder).
    OpenFolder,
    /// Text.
    Text,
    /// A picture (the preview decodes png, jpeg, bmp, gif).
    Picture,
    /// Sound.
    Audio,
    /// Film.
    Video,
    /// An archive.
    Archive,
    /// A program (an executable mode bit, or a program's extension).
    Executable,
    /// A disc image.
    DiscImage,
    /// A boot image (El Torito, EFI boot images, boot loaders).
    BootImage,
    /// A symbolic link.
    Link,
    /// A device node, FIFO or socket.
    Device,
    /// Anything else.
    Other,
}

/// Classifies a node for its icon, preview and Type.
pub fn class(tree: &Tree, id: NodeId) -> FileClass {
    match tree.kind(id) {
        NodeKind::Dir => return FileClass::Folder,
        NodeKind::Symlink => return FileClass::Link,
        NodeKind::File => {}
        _ => return FileClass::Device,
    }
    let name = tree.name(id).to_ascii_lowercase();
    let name = name.split(';').next().unwrap_or_default();
    let ext = extension(name).unwrap_or_default();
    if is_boot_name(name, ext) {
        return FileClass::BootImage;
    }
    match ext {
        "txt" | "md" | "rs" | "c" | "h" | "cpp" | "py" | "cfg" | "conf" | "ini" | "json"
        | "xml" | "html" | "htm" | "css" | "js" | "toml" | "yaml" | "yml" | "log" | "csv"
        | "inf" | "nfo" | "diz" | "1st" | "me" | "lst" | "rtf" | "tex" | "sig" | "asc" => {
            FileClass::Text
        }
        "png" | "jpg" | "jpeg" | "bmp" | "gif" => FileClass::Picture,
        "mp3" | "wav" | "flac" | "ogg" | "oga" | "opus" | "m4a" | "aac" | "wma" | "aif"
        | "aiff" | "mid" | "midi" | "cda" => FileClass::Audio,
        "mp4" | "mkv" | "avi" | "mov" | "webm" | "mpg" | "mpeg" | "m2ts" | "vob" | "wmv"
        | "ogv" | "flv" | "m4v" | "ifo" | "bup" => FileClass::Video,
        "zip" | "gz" | "xz" | "bz2" | "zst" | "tar" | "tgz" | "7z" | "cab" | "rar" | "deb"
        | "rpm" | "squashfs" | "sfs" | "wim" | "esd" | "lz" | "lzma" | "cpio" | "jar" => {
            FileClass::Archive
        }
        "iso" | "img" | "udf" | "nrg" | "cue" | "mdf" | "mds" | "chd" | "ccd" | "toc" | "dmg" => {
            FileClass::DiscImage
        }
        "exe" | "com" | "msi" | "bat" | "cmd" | "sh" | "app" | "appimage" | "run" | "efi"
        | "ps1" | "scr" => FileClass::Executable,
        _ if tree.unix(id).is_some_and(|u| u.mode & 0o111 != 0) => FileClass::Executable,
        _ if name.starts_with("readme") || name.starts_with("license") => FileClass::Text,
        _ => FileClass::Other,
    }
}

/// Boot catalogs, El Torito / EFI boot images and boot loaders, by name.
fn is_boot_name(name: &str, ext: &str) -> bool {
    matches!(
        name,
        "boot.catalog" | "boot.cat" | "isolinux.bin" | "eltorito.img" | "efiboot.img" | "efi.img"
    ) || (matches!(ext, "img" | "bin") && (name.contains("boot") || name.contains("eltorito")))
}

/// `ls -l` style mode: "-r--r--r--", "drwxr-xr-x", "lrwxrwxrwx", with
/// setuid/setgid/sticky as s/S and t/T.
pub fn mode_string(mode: u32) -> String {
    let kind = match mode & 0o170_000 {
        0o040_000 => 'd',
        0o120_000 => 'l',
        0o020_000 => 'c',
        0o060_000 => 'b',
        0o010_000 => 'p',
        0o140_000 => 's',
        _ => '-',
    };
    let mut out = String::with_capacity(10);
    out.push(kind);
    let special = [(0o4000, 's', 'S'), (0o2000, 's', 'S'), (0o1000, 't', 'T')];
    for (i, (bit, on_x, off_x)) in special.iter().enumerate() {
        let shift = 6 - 3 * i as u32;
        let rwx = (mode >> shift) & 0o7;
        out.push(if rwx & 4 != 0 { 'r' } else { '-' });
        out.push(if rwx & 2 != 0 { 'w' } else { '-' });
        out.push(match (mode & bit != 0, rwx & 1 != 0) {
            (true, true) => *on_x,
            (true, false) => *off_x,
            (false, true) => 'x',
            (false, false) => '-',
        });
    }
    out
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

    /// Modes as `ls -l` and Python's `stat.filemode` print them.
    #[test]
    fn modes_read_like_ls() {
        assert_eq!(mode_string(0o100_444), "-r--r--r--");
        assert_eq!(mode_string(0o040_755), "drwxr-xr-x");
        assert_eq!(mode_string(0o120_777), "lrwxrwxrwx");
        assert_eq!(mode_string(0o104_755), "-rwsr-xr-x");
        assert_eq!(mode_string(0o041_777), "drwxrwxrwt");
        assert_eq!(mode_string(0o102_644), "-rw-r-Sr--");
        assert_eq!(mode_string(0o020_620), "crw--w----");
    }
}
