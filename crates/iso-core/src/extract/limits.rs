//! The largest file a destination can hold: FAT file systems (FAT12/16/32,
//! "vfat" and "msdos" on Linux, "msdos" on macOS, "FAT"/"FAT32" on
//! Windows) record a file's size in 32 bits, so nothing of 4 GiB or more
//! fits — a Windows installer's `install.wim` onto a FAT32 USB stick.
//! exFAT, NTFS, ext4, APFS … have no such limit worth checking.
//!
//! The file system is asked for by the platform's own means: `statfs`'s
//! `f_type` on Linux and `f_fstypename` on macOS (through rustix), the
//! volume list (`GetVolumeInformationW`, through sysinfo) on Windows.
//! Tests and callers that know better choose the limit themselves with
//! [`SizeLimit::Assume`].

use std::path::Path;

/// A limit on the size of one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileSizeLimit {
    /// The largest file length that fits, in bytes.
    pub max_len: u64,
    /// The file system that sets it ("FAT").
    pub file_system: &'static str,
}

/// FAT's limit: sizes are 32-bit, so 4 GiB − 1 byte.
pub const FAT: FileSizeLimit = FileSizeLimit {
    max_len: u32::MAX as u64,
    file_system: "FAT",
};

/// How [`super::extract`] finds the destination's file-size limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SizeLimit {
    /// Ask the destination's file system (the default).
    #[default]
    Detect,
    /// Use this limit, whatever the file system.
    Assume(FileSizeLimit),
    /// Do not check.
    Off,
}

/// What to do with files larger than the destination can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TooLarge {
    /// Stop before anything is written, with
    /// [`super::ExtractError::TooLarge`] naming the files (the default).
    #[default]
    Refuse,
    /// Extract everything else; each file that does not fit is reported
    /// as skipped ([`super::SkipKind::TooLarge`]).
    SkipThem,
}

impl SizeLimit {
    /// The limit that applies at `dir` (an existing directory).
    pub fn resolve(self, dir: &Path) -> Option<FileSizeLimit> {
        match self {
            SizeLimit::Detect => detect(dir),
            SizeLimit::Assume(l) => Some(l),
            SizeLimit::Off => None,
        }
    }
}

/// The limit of the file system holding `dir`, when it has one.
#[cfg(target_os = "linux")]
pub fn detect(dir: &Path) -> Option<FileSizeLimit> {
    /// `MSDOS_SUPER_MAGIC` of linux/magic.h: vfat and msdos mounts.
    const MSDOS_SUPER_MAGIC: i128 = 0x4d44;
    let st = rustix::fs::statfs(dir).ok()?;
    #[allow(clippy::useless_conversion)]
    let f_type = i128::from(st.f_type);
    (f_type == MSDOS_SUPER_MAGIC).then_some(FAT)
}

/// The limit of the file system holding `dir`, when it has one.
#[cfg(target_os = "macos")]
pub fn detect(dir: &Path) -> Option<FileSizeLimit> {
    let st = rustix::fs::statfs(dir).ok()?;
    let name: Vec<u8> = st
        .f_fstypename
        .iter()
        .take_while(|&&c| c != 0)
        .map(|&c| c.to_ne_bytes()[0])
        .collect();
    (name == b"msdos").then_some(FAT)
}

/// The limit of the file system holding `dir`, when it has one: the
/// volume whose mount point is the longest prefix of `dir`.
#[cfg(windows)]
pub fn detect(dir: &Path) -> Option<FileSizeLimit> {
    let full = std::fs::canonicalize(dir).ok()?;
    let full = strip_verbatim(&full);
    let disks = sysinfo::Disks::new_with_refreshed_list();
    let disk = disks
        .list()
        .iter()
        .filter(|d| starts_with_ignoring_case(&full, d.mount_point()))
        .max_by_key(|d| d.mount_point().as_os_str().len())?;
    let fs = disk.file_system().to_string_lossy().to_ascii_uppercase();
    matches!(fs.as_str(), "FAT" | "FAT12" | "FAT16" | "FAT32").then_some(FAT)
}

/// `\\?\C:\x` → `C:\x` (canonical paths are verbatim on Windows; mount
/// points are not).
#[cfg(windows)]
fn strip_verbatim(p: &Path) -> std::path::PathBuf {
    let s = p.to_string_lossy();
    match s.strip_prefix(r"\\?\") {
        Some(rest) if !rest.starts_with("UNC\\") => std::path::PathBuf::from(rest),
        _ => p.to_path_buf(),
    }
}

#[cfg(windows)]
fn starts_with_ignoring_case(path: &Path, prefix: &Path) -> bool {
    let p = path.to_string_lossy().to_lowercase();
    let q = prefix.to_string_lossy().to_lowercase();
    !q.is_empty() && p.starts_with(&q)
}

/// Other hosts: no limit known.
#[cfg(not(any(target_os = "linux", target_os = "macos", windows)))]
pub fn detect(_dir: &Path) -> Option<FileSizeLimit> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolve_and_detect() {
        let dir = std::env::temp_dir();
        assert_eq!(SizeLimit::Off.resolve(&dir), None);
        assert_eq!(SizeLimit::Assume(FAT).resolve(&dir), Some(FAT));
        assert_eq!(FAT.max_len, 4_294_967_295);
        // The build's own directory is not on FAT here (ext4, tmpfs, overlay).
        if cfg!(target_os = "linux") {
            assert_eq!(detect(Path::new(env!("CARGO_MANIFEST_DIR"))), None);
        }
    }
}
