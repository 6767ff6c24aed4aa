//! Metadata on written entries: times, Unix modes, links.

use std::fs::{self, File};
use std::io;
use std::path::Path;

use filetime::FileTime;

use super::ExtractOptions;
use crate::tree::{NodeId, TimeKind, Timestamp, Tree};

fn file_time(t: Timestamp) -> FileTime {
    FileTime::from_unix_time(t.seconds, t.nanos)
}

/// The access and modification times to apply, if the node has any.
fn times(tree: &Tree, id: NodeId) -> Option<(FileTime, FileTime)> {
    let m = tree.mtime(id)?;
    let a = tree.time(id, TimeKind::Accessed).unwrap_or(m);
    Some((file_time(a), file_time(m)))
}

/// The permission bits to apply (Unix only), if the node has a mode.
pub fn mode(tree: &Tree, id: NodeId, options: &ExtractOptions) -> Option<u32> {
    if !options.permissions {
        return None;
    }
    let m = tree.unix(id)?.mode & 0o7777;
    let m = if options.keep_setuid { m } else { m & !0o6000 };
    Some(if options.writable { m | 0o200 } else { m })
}

/// The process's file-creation mask, read once without changing it
/// (Linux reports it in /proc/self/status); `None` where unknown.
pub fn umask() -> Option<u32> {
    if !cfg!(target_os = "linux") {
        return None;
    }
    let status = fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find_map(|l| l.strip_prefix("Umask:"))?;
    u32::from_str_radix(line.trim(), 8).ok()
}

/// How a new file gets its mode: the permission bits to create it with
/// (`open` applies the umask to them), and the mode still to set
/// afterwards when creating cannot give it exactly (special bits, bits
/// the umask would clear, or an unknown umask). Setting it at creation
/// saves one system call per file.
pub fn creation_mode(wanted: Option<u32>, umask: Option<u32>) -> (Option<u32>, Option<u32>) {
    match (wanted, umask) {
        (None, _) => (None, None),
        (Some(m), Some(u)) if m & 0o7000 == 0 && m & u == 0 => (Some(m & 0o777), None),
        (Some(m), _) => (Some(m & 0o777), Some(m)),
    }
}

/// Applies times and, when given, a mode to an open file before it is
/// renamed into place.
///
/// # Errors
/// The host's error.
pub fn apply_to_file(
    file: &File,
    tree: &Tree,
    id: NodeId,
    options: &ExtractOptions,
    mode: Option<u32>,
) -> io::Result<()> {
    if let Some(m) = mode {
        set_mode_file(file, m)?;
    }
    if options.times {
        if let Some((a, m)) = times(tree, id) {
            filetime::set_file_handle_times(file, Some(a), Some(m))?;
        }
    }
    Ok(())
}

/// Applies times and mode to a directory (after its contents are written).
///
/// # Errors
/// The host's error.
pub fn apply_to_dir(
    path: &Path,
    tree: &Tree,
    id: NodeId,
    options: &ExtractOptions,
) -> io::Result<()> {
    if options.times {
        if let Some((a, m)) = times(tree, id) {
            filetime::set_file_times(path, a, m)?;
        }
    }
    if let Some(m) = mode(tree, id, options) {
        set_mode_path(path, m)?;
    }
    Ok(())
}

/// Applies times to a symbolic link itself.
pub fn apply_to_symlink(path: &Path, tree: &Tree, id: NodeId, options: &ExtractOptions) {
    if options.times {
        if let Some((a, m)) = times(tree, id) {
            // Some hosts cannot set a link's own times; not worth failing.
            let _ = filetime::set_symlink_file_times(path, a, m);
        }
    }
}

#[cfg(unix)]
fn set_mode_file(file: &File, mode: u32) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(fs::Permissions::from_mode(mode))
}

#[cfg(unix)]
fn set_mode_path(path: &Path, mode: u32) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode_file(file: &File, mode: u32) -> io::Result<()> {
    // Only the read-only bit carries over: no owner write bit.
    if mode & 0o200 == 0 {
        let mut p = file.metadata()?.permissions();
        p.set_readonly(true);
        file.set_permissions(p)?;
    }
    Ok(())
}

#[cfg(not(unix))]
fn set_mode_path(_path: &Path, _mode: u32) -> io::Result<()> {
    Ok(())
}

/// Creates a symbolic link at `at` pointing to `target`.
///
/// # Errors
/// The host's error.
#[cfg(unix)]
pub fn symlink(target: &str, at: &Path) -> io::Result<()> {
    std::os::unix::fs::symlink(target, at)
}

/// Writes a small note naming the target where the link would be.
///
/// # Errors
/// The host's error.
#[cfg(not(unix))]
pub fn symlink(target: &str, at: &Path) -> io::Result<()> {
    use std::io::Write;
    let mut f = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(at)?;
    writeln!(f, "symbolic link to: {target}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creation_mode_avoids_a_chmod_only_when_exact() {
        assert_eq!(creation_mode(Some(0o644), Some(0o022)), (Some(0o644), None));
        assert_eq!(
            creation_mode(Some(0o664), Some(0o022)),
            (Some(0o664), Some(0o664))
        );
        assert_eq!(
            creation_mode(Some(0o4755), Some(0o022)),
            (Some(0o755), Some(0o4755))
        );
        assert_eq!(creation_mode(Some(0o644), None), (Some(0o644), Some(0o644)));
        assert_eq!(creation_mode(None, Some(0o022)), (None, None));
        if cfg!(target_os = "linux") {
            assert!(umask().is_some());
        }
    }
}
