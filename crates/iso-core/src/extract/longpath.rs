//! Windows paths past 260 characters (`MAX_PATH`): the destination is
//! turned into its verbatim form (`\\?\C:\…`, `\\?\UNC\server\share\…`)
//! before anything is joined to it, so that deep trees with long names
//! extract whole; the paths handed back to the caller in
//! [`super::Outcome::written`] lose the prefix again when they are short
//! enough for programs that do not take verbatim paths. Verbatim paths
//! skip Windows' own clean-up (`/` to `\`, `.` and `..`, trailing dots):
//! the parts joined to the destination are sanitised names only, and the
//! destination is made absolute and normalised first. Elsewhere paths are
//! used as given.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

/// Longest path Windows takes without the verbatim prefix.
const MAX_PATH: usize = 260;

/// The verbatim form of an absolute Windows path: `C:\a` → `\\?\C:\a`,
/// `\\server\share\a` → `\\?\UNC\server\share\a`; a path that is already
/// verbatim or a device path (`\\.\`) as it is; `None` for anything else
/// (a relative path, a bare drive `C:`).
pub fn verbatim_form(abs: &str) -> Option<Cow<'_, str>> {
    if abs.starts_with(r"\\?\") || abs.starts_with(r"\\.\") {
        return Some(Cow::Borrowed(abs));
    }
    if let Some(unc) = abs.strip_prefix(r"\\") {
        return Some(Cow::Owned(format!(r"\\?\UNC\{unc}")));
    }
    let b = abs.as_bytes();
    match (b.first(), b.get(1), b.get(2)) {
        (Some(d), Some(b':'), Some(b'\\')) if d.is_ascii_alphabetic() => {
            Some(Cow::Owned(format!(r"\\?\{abs}")))
        }
        _ => None,
    }
}

/// The plain form of a verbatim path, when it fits in `MAX_PATH`; the
/// path as it is otherwise.
pub fn plain_form(p: &str) -> Cow<'_, str> {
    let plain = if let Some(unc) = p.strip_prefix(r"\\?\UNC\") {
        Cow::Owned(format!(r"\\{unc}"))
    } else if let Some(rest) = p.strip_prefix(r"\\?\") {
        Cow::Borrowed(rest)
    } else {
        return Cow::Borrowed(p);
    };
    if plain.encode_utf16().count() < MAX_PATH {
        plain
    } else {
        Cow::Borrowed(p)
    }
}

/// The destination as extraction uses it for I/O.
#[cfg(windows)]
pub fn io_path(dest: &Path) -> PathBuf {
    let Ok(abs) = std::path::absolute(dest) else {
        return dest.to_path_buf();
    };
    match abs.to_str().and_then(verbatim_form) {
        Some(v) => PathBuf::from(v.into_owned()),
        None => abs,
    }
}

/// The destination as extraction uses it for I/O (as given off Windows).
#[cfg(not(windows))]
pub fn io_path(dest: &Path) -> PathBuf {
    dest.to_path_buf()
}

/// A written path as handed back to the caller.
#[cfg(windows)]
pub fn handed_back(p: PathBuf) -> PathBuf {
    match p.to_str().map(plain_form) {
        Some(Cow::Owned(s)) => PathBuf::from(s),
        Some(Cow::Borrowed(s)) if s.len() != p.as_os_str().len() => PathBuf::from(s),
        _ => p,
    }
}

/// A written path as handed back to the caller (as it is off Windows).
#[cfg(not(windows))]
pub fn handed_back(p: PathBuf) -> PathBuf {
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verbatim_and_back() {
        assert_eq!(verbatim_form(r"C:\out\a").unwrap(), r"\\?\C:\out\a");
        assert_eq!(
            verbatim_form(r"\\srv\share\x").unwrap(),
            r"\\?\UNC\srv\share\x"
        );
        assert_eq!(verbatim_form(r"\\?\D:\x").unwrap(), r"\\?\D:\x");
        assert_eq!(verbatim_form(r"out\a"), None);
        assert_eq!(verbatim_form("C:"), None);
        assert_eq!(plain_form(r"\\?\C:\out\a"), r"C:\out\a");
        assert_eq!(plain_form(r"\\?\UNC\srv\share\x"), r"\\srv\share\x");
        let long = format!(r"\\?\C:\{}", "d\\".repeat(200));
        assert_eq!(plain_form(&long), long.as_str());
        assert_eq!(plain_form("/tmp/x"), "/tmp/x");
        assert_eq!(io_path(Path::new("rel")), {
            #[cfg(windows)]
            {
                PathBuf::from(
                    verbatim_form(std::path::absolute("rel").unwrap().to_str().unwrap())
                        .unwrap()
                        .into_owned(),
                )
            }
            #[cfg(not(windows))]
            {
                PathBuf::from("rel")
            }
        });
    }
}
