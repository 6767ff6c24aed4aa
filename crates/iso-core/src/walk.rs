//! What every file system's walker shares, so that a second file system
//! (UDF) is a peer of ISO 9660 rather than a copy of it: the limits an
//! image cannot talk us past ([`Limits`], enforced by [`Guard`]: a visited
//! set, a depth limit, per-directory and total entry caps, and a read
//! budget that scales with the image's length), name cleaning
//! ([`clean_name`]) and the synthetic `/[BOOT]` folder ([`boot_nodes`]).

use std::collections::{HashMap, HashSet};

use crate::eltorito::{self, BootCatalog, Emulation, Platform};
use crate::error::Warning;
use crate::tree::{Encoding, Extent, NewNode, NodeFlags, NodeKind, NodeRef};

/// Bounds on the work one tree may cost, whatever the image claims.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Deepest directory level walked (the root is level 0).
    pub max_depth: u32,
    /// Most entries listed from one directory.
    pub max_dir_entries: usize,
    /// Most entries in one tree.
    pub max_entries: usize,
    /// Most bytes of directories and file-system metadata read for one
    /// tree; `None`: twice the image's length, at least 16 MiB. Every
    /// directory is read once (the visited set), so a real image never
    /// comes near it; a hostile one that points many directories at the
    /// same huge extent stops here.
    pub read_budget: Option<u64>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 256,
            max_dir_entries: 4_000_000,
            max_entries: 10_000_000,
            read_budget: None,
        }
    }
}

/// The smallest default read budget: a tiny image still gets its
/// directories read when they are larger than the image claims.
const MIN_READ_BUDGET: u64 = 16 << 20;

impl Limits {
    /// The read budget for an image of `image_len` bytes.
    pub fn read_budget_for(&self, image_len: u64) -> u64 {
        self.read_budget
            .unwrap_or_else(|| image_len.saturating_mul(2).max(MIN_READ_BUDGET))
    }
}

/// Why [`Guard`] refused a directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// It was read already: the image's directories form a loop.
    Loop,
    /// It is deeper than [`Limits::max_depth`].
    TooDeep(u32),
    /// The read budget is spent.
    Budget(u64),
}

impl Refusal {
    /// What happened to directory `path`, for a warning.
    pub fn describe(self, path: &str) -> String {
        match self {
            Refusal::Loop => {
                format!("{path} points back at a directory already read (a loop); left empty")
            }
            Refusal::TooDeep(max) => format!("{path} is deeper than {max} levels; not read"),
            Refusal::Budget(budget) => format!(
                "{path} not read: the directories read so far claim more than the read budget \
                 ({budget} bytes, twice the image's length); the image is damaged or hostile"
            ),
        }
    }
}

/// Enforces [`Limits`] while one tree is walked.
#[derive(Debug)]
pub struct Guard {
    limits: Limits,
    visited: HashSet<u64>,
    budget: u64,
    spent: u64,
    entries: usize,
}

impl Guard {
    /// A guard for one walk of an image of `image_len` bytes.
    pub fn new(limits: &Limits, image_len: u64) -> Self {
        Guard {
            limits: limits.clone(),
            visited: HashSet::new(),
            budget: limits.read_budget_for(image_len),
            spent: 0,
            entries: 0,
        }
    }

    /// The limits in force.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Whether a directory at `depth` may be read.
    ///
    /// # Errors
    /// [`Refusal::TooDeep`] past [`Limits::max_depth`].
    pub fn check_depth(&self, depth: u32) -> Result<(), Refusal> {
        if depth > self.limits.max_depth {
            Err(Refusal::TooDeep(self.limits.max_depth))
        } else {
            Ok(())
        }
    }

    /// Marks the directory `key` (a number unique to it in the image, such
    /// as the byte offset of its first record or of its ICB) as read.
    ///
    /// # Errors
    /// [`Refusal::Loop`] when it was read before.
    pub fn visit(&mut self, key: u64) -> Result<(), Refusal> {
        if self.visited.insert(key) {
            Ok(())
        } else {
            Err(Refusal::Loop)
        }
    }

    /// Takes `bytes` from the read budget.
    ///
    /// # Errors
    /// [`Refusal::Budget`] when they do not fit (nothing is taken).
    pub fn charge(&mut self, bytes: u64) -> Result<(), Refusal> {
        match self.spent.checked_add(bytes) {
            Some(total) if total <= self.budget => {
                self.spent = total;
                Ok(())
            }
            _ => Err(Refusal::Budget(self.budget)),
        }
    }

    /// How many of a directory's `count` entries may be listed, within the
    /// per-directory and total caps; with the warning text when some are
    /// cut (`path` names the directory).
    pub fn admit(&mut self, count: usize, path: &str) -> (usize, Option<String>) {
        let room = self.limits.max_entries.saturating_sub(self.entries);
        let take = count.min(self.limits.max_dir_entries).min(room);
        self.entries = self.entries.saturating_add(take);
        let why = if take == count {
            None
        } else if take < count.min(self.limits.max_dir_entries) {
            Some(format!(
                "{path}: listed {take} of its {count} entries; the tree reached its cap of {} entries",
                self.limits.max_entries
            ))
        } else {
            Some(format!(
                "{path}: listed {take} of its {count} entries (the cap for one directory)"
            ))
        };
        (take, why)
    }
}

/// Makes `name` safe to show as one path component: no '/', no NUL, not
/// empty, "." or "..". Hostile names stay recognisable. Returns the
/// original when it had to be changed (say so in a warning: see
/// [`renamed`]).
pub fn clean_name(name: &mut String) -> Option<String> {
    let bad =
        name.is_empty() || name == "." || name == ".." || name.bytes().any(|b| b == b'/' || b == 0);
    if !bad {
        return None;
    }
    let fixed = match name.as_str() {
        "" => "_".to_string(),
        "." => "_.".to_string(),
        ".." => "_..".to_string(),
        _ => name.replace(['/', '\0'], "_"),
    };
    Some(std::mem::replace(name, fixed))
}

/// The warning text for a name [`clean_name`] changed.
pub fn renamed(original: &str, parent_path: &str, shown: &str) -> String {
    format!("the name {original:?} in {parent_path} cannot be a file name; shown as {shown:?}")
}

/// The synthetic folder at the root of every view of a bootable image,
/// holding its El Torito boot images.
pub const BOOT_DIR: &str = "[BOOT]";

/// The `/[BOOT]` folder's own node.
pub(crate) fn boot_dir_node() -> NodeRef<'static> {
    NodeRef {
        name: BOOT_DIR,
        kind: NodeKind::Dir,
        size: 0,
        flags: NodeFlags::VIRTUAL,
        times: &[],
        unix: None,
        target: None,
        extents: &[],
        encoding: Encoding::Plain,
    }
}

/// Sizes of files of the tree that start where a boot image starts (by
/// byte offset): a no-emulation boot image's catalog entry gives only the
/// sectors the firmware loads, while the file in the tree has its real
/// size.
#[derive(Debug, Default)]
pub struct BootSizes {
    by_offset: HashMap<u64, u64>,
}

impl BootSizes {
    /// Watches the starts of `catalog`'s boot images.
    pub fn new(catalog: Option<&BootCatalog>) -> Self {
        BootSizes {
            by_offset: catalog
                .map(|c| {
                    c.entries
                        .iter()
                        .map(|e| (u64::from(e.load_rba) * crate::SECTOR_LEN, 0))
                        .collect()
                })
                .unwrap_or_default(),
        }
    }

    /// Notes a file of `stored` bytes whose first extent is `first`.
    pub fn note(&mut self, first: Option<&Extent>, stored: u64) {
        if let Some(slot) = first.and_then(|e| self.by_offset.get_mut(&e.offset)) {
            *slot = (*slot).max(stored);
        }
    }

    /// The `/[BOOT]` folder's files, one per boot entry, cut at the end of
    /// an image of `image_len` bytes (each cut is a warning).
    pub fn boot_nodes(
        &self,
        cat: &BootCatalog,
        image_len: u64,
        warn: &mut dyn FnMut(Warning),
    ) -> Vec<NewNode> {
        let mut out = Vec::new();
        for (i, e) in cat.entries.iter().enumerate() {
            let offset = u64::from(e.load_rba) * crate::SECTOR_LEN;
            let from_tree = self.by_offset.get(&offset).copied().unwrap_or(0);
            let len = match (e.emulation, e.platform) {
                (Emulation::NoEmulation, Platform::Efi) => e.image_len.max(from_tree),
                (Emulation::NoEmulation, _) if from_tree > 0 => from_tree,
                _ => e.image_len,
            };
            let avail = image_len.saturating_sub(offset);
            let len = if len > avail {
                warn(Warning::new(
                    "El Torito boot entry",
                    Some(u64::from(e.load_rba)),
                    format!(
                        "boot image {} runs past the end of the image; cut short",
                        i + 1
                    ),
                ));
                avail
            } else {
                len
            };
            out.push(NewNode {
                name: eltorito::image_name(i, e),
                kind: Some(NodeKind::File),
                size: len,
                flags: NodeFlags::VIRTUAL,
                extents: vec![Extent::recorded(offset, len)],
                ..Default::default()
            });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budget_scales_with_the_image() {
        let l = Limits::default();
        assert_eq!(l.read_budget_for(1 << 20), MIN_READ_BUDGET);
        assert_eq!(l.read_budget_for(1 << 30), 2 << 30);
        let mut g = Guard::new(&l, 1 << 20);
        assert!(g.charge(MIN_READ_BUDGET).is_ok());
        assert_eq!(g.charge(1), Err(Refusal::Budget(MIN_READ_BUDGET)));
    }

    #[test]
    fn visited_depth_and_caps() {
        let l = Limits {
            max_depth: 2,
            max_dir_entries: 10,
            max_entries: 15,
            read_budget: None,
        };
        let mut g = Guard::new(&l, 0);
        assert!(g.visit(7).is_ok());
        assert_eq!(g.visit(7), Err(Refusal::Loop));
        assert!(g.check_depth(2).is_ok());
        assert_eq!(g.check_depth(3), Err(Refusal::TooDeep(2)));
        let (n, why) = g.admit(12, "/a");
        assert_eq!(n, 10);
        assert!(why.unwrap().contains("cap for one directory"));
        let (n, why) = g.admit(8, "/b");
        assert_eq!(n, 5);
        assert!(why.unwrap().contains("cap of 15 entries"));
        assert_eq!(g.admit(0, "/c"), (0, None));
    }

    #[test]
    fn names_are_cleaned() {
        for (raw, shown) in [("", "_"), (".", "_."), ("..", "_.."), ("a/b\0c", "a_b_c")] {
            let mut n = raw.to_string();
            assert_eq!(clean_name(&mut n).as_deref(), Some(raw));
            assert_eq!(n, shown);
        }
        let mut ok = "readme.txt".to_string();
        assert_eq!(clean_name(&mut ok), None);
    }
}
