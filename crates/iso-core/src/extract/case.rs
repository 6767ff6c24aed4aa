//! Whether the destination tells names apart by letter case.
//!
//! Rock Ridge, Joliet and UDF allow `Mixed.Case.TXT` and `mixed.case.txt`
//! side by side. On a case-sensitive folder (ext4, XFS, most Linux file
//! systems) both can be written as they are; on a case-insensitive one
//! (NTFS and APFS by default, FAT, exFAT, ext4 folders with casefolding)
//! the second would overwrite the first, so it gets a " (2)" suffix. The
//! file system type does not settle it (ext4 casefolds per folder, APFS
//! and NTFS can go either way), so the destination itself is asked: a
//! small file is created there and looked up under another case.

use std::fs;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use super::sanitize::CaseRule;

/// How [`super::extract`] learns whether the destination ignores case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CaseCheck {
    /// Probe the destination (the default).
    #[default]
    Probe,
    /// Take this rule without probing (tests; callers that know).
    Assume(CaseRule),
}

impl CaseCheck {
    /// The rule for `dir` (an existing directory).
    pub fn resolve(self, dir: &Path) -> CaseRule {
        match self {
            CaseCheck::Probe => probe(dir),
            CaseCheck::Assume(rule) => rule,
        }
    }
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// Probes `dir`: creates `.isoscope-case-probe-…-a` exclusively, looks it
/// up as `…-A`, removes it. When the probe cannot be made (a read-only
/// folder, say) names are treated as case-insensitive: renaming a clash
/// is harmless, overwriting is not.
pub fn probe(dir: &Path) -> CaseRule {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let stem = format!(".isoscope-case-probe-{:x}-{n:x}-", std::process::id());
    let lower = dir.join(format!("{stem}a"));
    let upper = dir.join(format!("{stem}A"));
    if fs::symlink_metadata(&upper).is_ok() {
        return CaseRule::Insensitive;
    }
    let made = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&lower);
    if made.is_err() {
        return CaseRule::Insensitive;
    }
    let rule = if fs::symlink_metadata(&upper).is_ok() {
        CaseRule::Insensitive
    } else {
        CaseRule::Sensitive
    };
    let _ = fs::remove_file(&lower);
    rule
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probes_and_cleans_up() {
        let tmp = tempfile::tempdir().unwrap();
        let rule = probe(tmp.path());
        // Linux test machines build on ext4, tmpfs or overlayfs: all
        // case-sensitive.
        if cfg!(target_os = "linux") {
            assert_eq!(rule, CaseRule::Sensitive);
        }
        assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 0);
        let gone = tmp.path().join("missing");
        assert_eq!(probe(&gone), CaseRule::Insensitive);
        let assumed = CaseCheck::Assume(CaseRule::Insensitive);
        assert_eq!(assumed.resolve(tmp.path()), CaseRule::Insensitive);
    }
}
