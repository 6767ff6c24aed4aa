//! Host-safe names. Every name from an image becomes a host path component
//! only through [`sanitize_name`], on every OS alike, so an image extracts to
//! the same names on Linux, Windows and macOS and can never climb out of the
//! destination.
//!
//! Rules: `.`, `..` and the empty name are replaced; path separators (`/`,
//! `\`), NUL, control characters and the characters Windows forbids
//! (`<>:"|?*`, which also covers drive prefixes like `C:`) become `_`;
//! trailing dots and spaces become `_`; Windows reserved device names (CON,
//! PRN, AUX, NUL, COM0–9, LPT0–9, also with an extension) get a `_` prefix;
//! names longer than 255 bytes are shortened. Names that collide get a
//! " (2)" suffix through [`NameSet`] — compared without regard to case
//! when the destination folder ignores case ([`CaseRule`], found by
//! probing it: see [`super::case`]).

use std::borrow::Cow;
use std::collections::HashSet;
use std::path::{Component, Path};

/// Longest name (in bytes) written: the common NAME_MAX.
pub const MAX_NAME_LEN: usize = 255;

/// Makes `name` safe as one path component on every host. Returns the name
/// unchanged (borrowed) when it already is.
pub fn sanitize_name(name: &str) -> Cow<'_, str> {
    if is_safe(name) {
        return Cow::Borrowed(name);
    }
    if name.is_empty() {
        return Cow::Owned("_".into());
    }
    if name == "." || name == ".." {
        return Cow::Owned(name.replace('.', "_"));
    }
    let mut s: String = name
        .chars()
        .map(|c| if forbidden_char(c) { '_' } else { c })
        .collect();
    // Trailing dots and spaces are dropped by Windows; keep their count.
    let keep = s.trim_end_matches(['.', ' ']).len();
    let trailing = s.len() - keep;
    s.truncate(keep);
    s.extend(std::iter::repeat_n('_', trailing));
    if is_reserved(&s) {
        s.insert(0, '_');
    }
    if s.len() > MAX_NAME_LEN {
        s = shorten(&s, MAX_NAME_LEN);
    }
    Cow::Owned(s)
}

fn is_safe(name: &str) -> bool {
    !name.is_empty()
        && name != "."
        && name != ".."
        && name.len() <= MAX_NAME_LEN
        && !name.chars().any(forbidden_char)
        && !name.ends_with(['.', ' '])
        && !is_reserved(name)
}

fn forbidden_char(c: char) -> bool {
    matches!(c, '/' | '\\' | '<' | '>' | ':' | '"' | '|' | '?' | '*') || c.is_control()
}

/// Whether `name` is a Windows reserved device name, with or without an
/// extension ("CON", "nul.txt", "COM1.tar.gz", "LPT¹").
pub fn is_reserved(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or(name).trim_end_matches(' ');
    let upper = stem.to_ascii_uppercase();
    match upper.as_str() {
        "CON" | "PRN" | "AUX" | "NUL" | "CONIN$" | "CONOUT$" => true,
        _ => {
            let (head, tail) = (upper.get(..3), upper.get(3..));
            matches!(head, Some("COM" | "LPT"))
                && matches!(
                    tail,
                    Some(
                        "0" | "1" | "2" | "3" | "4" | "5" | "6" | "7" | "8" | "9" | "¹" | "²" | "³"
                    )
                )
        }
    }
}

/// Cuts `name` to at most `max` bytes on a character boundary, keeping a
/// short extension.
fn shorten(name: &str, max: usize) -> String {
    let ext = name
        .rfind('.')
        .and_then(|i| name.get(i..))
        .filter(|e| e.len() <= 16)
        .unwrap_or("");
    let mut budget = max.saturating_sub(ext.len());
    while !name.is_char_boundary(budget) {
        budget -= 1;
    }
    let mut s = name.get(..budget).unwrap_or("").to_string();
    s.push_str(ext);
    s
}

/// `name` with " (n)" before its extension: "a.txt" → "a (2).txt".
pub fn numbered(name: &str, n: u32) -> String {
    let (stem, ext) = match name.rfind('.') {
        Some(i) if i > 0 => (name.get(..i).unwrap_or(name), name.get(i..).unwrap_or("")),
        _ => (name, ""),
    };
    let suffix = format!(" ({n})");
    let mut s = format!("{stem}{suffix}{ext}");
    if s.len() > MAX_NAME_LEN {
        let base = shorten(stem, MAX_NAME_LEN.saturating_sub(suffix.len() + ext.len()));
        s = format!("{base}{suffix}{ext}");
    }
    s
}

/// Whether a folder tells names apart by letter case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CaseRule {
    /// "README" and "readme" are the same file (NTFS, APFS, FAT by
    /// default): a clash gets a " (2)" suffix. The default when unknown.
    #[default]
    Insensitive,
    /// They are two files (ext4, XFS …): both are written as they are.
    Sensitive,
}

/// The names used in one directory, compared as the destination compares
/// them: without regard to case on a case-insensitive folder, so that
/// "README" and "readme" do not overwrite each other there.
#[derive(Debug, Default)]
pub struct NameSet {
    used: HashSet<String>,
    rule: CaseRule,
}

impl NameSet {
    /// An empty set comparing without regard to case.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty set comparing names by `rule`.
    pub fn with_rule(rule: CaseRule) -> Self {
        NameSet {
            used: HashSet::new(),
            rule,
        }
    }

    fn key(&self, name: &str) -> String {
        match self.rule {
            CaseRule::Insensitive => fold(name),
            CaseRule::Sensitive => name.to_string(),
        }
    }

    /// Whether `name` is taken.
    pub fn contains(&self, name: &str) -> bool {
        self.used.contains(&self.key(name))
    }

    /// Takes `name`, or the first free "name (n).ext" when it is taken.
    pub fn claim(&mut self, name: &str) -> String {
        self.claim_with(name, |_| false)
    }

    /// Like [`NameSet::claim`], also treating names for which `taken`
    /// says yes (e.g. files already on disk) as used.
    pub fn claim_with(&mut self, name: &str, taken: impl Fn(&str) -> bool) -> String {
        if !self.contains(name) && !taken(name) {
            self.used.insert(self.key(name));
            return name.to_string();
        }
        for n in 2..=u32::MAX {
            let candidate = numbered(name, n);
            if !self.contains(&candidate) && !taken(&candidate) {
                self.used.insert(self.key(&candidate));
                return candidate;
            }
        }
        name.to_string()
    }
}

/// Case folding used for collision checks: Unicode lower case.
fn fold(name: &str) -> String {
    name.to_lowercase()
}

/// Whether `rel` is a plain relative path of normal components only (no
/// root, prefix, `.` or `..`): joined to a destination it stays under it.
pub fn is_contained(rel: &Path) -> bool {
    rel.components().all(|c| matches!(c, Component::Normal(_)))
}

/// Whether a symbolic link at `link_dir` (its directory, as components
/// below the destination) with target `target` points inside the
/// destination. Only relative targets whose `..` components all come first
/// are accepted: once a name has been followed it may itself be a link, so
/// a later `..` could not be judged from the text alone.
pub fn link_stays_inside(link_dir_depth: usize, target: &str) -> bool {
    if target.is_empty() || target.starts_with(['/', '\\']) || target.contains(['\0', '\\', ':']) {
        return false;
    }
    let mut ups = 0usize;
    let mut seen_name = false;
    for comp in target.split('/') {
        match comp {
            "" | "." => {}
            ".." if seen_name => return false,
            ".." => ups += 1,
            _ => seen_name = true,
        }
    }
    ups <= link_dir_depth
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_names_pass_through() {
        for n in ["a", "README.txt", "é", ".hidden", "a b", "x..y"] {
            assert!(matches!(sanitize_name(n), Cow::Borrowed(_)), "{n}");
        }
    }

    #[test]
    fn hostile_names_are_replaced() {
        let cases = [
            ("", "_"),
            (".", "_"),
            ("..", "__"),
            ("a/b", "a_b"),
            ("a\\b", "a_b"),
            ("c:", "c_"),
            ("C:\\x", "C__x"),
            ("nul\0x", "nul_x"),
            ("tab\there", "tab_here"),
            ("q?*<>|\"", "q______"),
            ("dot.", "dot_"),
            ("sp ", "sp_"),
            ("x. .", "x___"),
            ("CON", "_CON"),
            ("con.txt", "_con.txt"),
            ("Com1.tar.gz", "_Com1.tar.gz"),
            ("LPT9", "_LPT9"),
            ("aux .c", "_aux .c"),
            ("COM10", "COM10"),
            ("CONSOLE", "CONSOLE"),
        ];
        for (from, to) in cases {
            assert_eq!(sanitize_name(from), to, "{from:?}");
        }
        let long = "é".repeat(200);
        let s = sanitize_name(&long);
        assert!(s.len() <= MAX_NAME_LEN);
    }

    #[test]
    fn collisions_get_numbers() {
        let mut set = NameSet::new();
        assert_eq!(set.claim("Readme.TXT"), "Readme.TXT");
        assert_eq!(set.claim("README.txt"), "README (2).txt");
        assert_eq!(set.claim("readme.txt"), "readme (3).txt");
        assert_eq!(set.claim("x"), "x");
        assert_eq!(set.claim("X"), "X (2)");
        assert_eq!(set.claim_with("y", |n| n == "y"), "y (2)");
        assert_eq!(numbered(".bashrc", 2), ".bashrc (2)");
        let mut exact = NameSet::with_rule(CaseRule::Sensitive);
        assert_eq!(exact.claim("Mixed.Case.TXT"), "Mixed.Case.TXT");
        assert_eq!(exact.claim("mixed.case.txt"), "mixed.case.txt");
        assert_eq!(exact.claim("mixed.case.txt"), "mixed.case (2).txt");
    }

    #[test]
    fn links_inside_and_out() {
        assert!(link_stays_inside(0, "a/b"));
        assert!(link_stays_inside(1, "../b"));
        assert!(link_stays_inside(2, "./../../c/d"));
        assert!(!link_stays_inside(0, "../x"));
        assert!(!link_stays_inside(1, "../../x"));
        assert!(!link_stays_inside(3, "/etc/passwd"));
        assert!(!link_stays_inside(3, "a/../../b"));
        assert!(!link_stays_inside(3, "C:\\Windows"));
        assert!(!link_stays_inside(3, ""));
        assert!(is_contained(Path::new("a/b")));
        assert!(!is_contained(Path::new("../b")));
        assert!(!is_contained(Path::new("/b")));
    }
}
