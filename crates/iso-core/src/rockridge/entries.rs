//! The Rock Ridge Interchange Protocol entries (RRIP 1.12, IEEE P1282 §4.1)
//! and the zisofs ZF entry, gathered into one [`RrEntry`].

use super::susp::Entry;
use super::{RrEntry, ZfInfo};
use crate::bytes::{both_u32, slice, u8_at};
use crate::error::Warning;
use crate::iso9660::raw::{DateCache, DecDateTime};
use crate::tree::{TimeKind, Timestamp, UnixMeta};

const STRUCT: &str = "Rock Ridge entry";

/// NM flags (RRIP §4.1.4): CONTINUE, CURRENT, PARENT, HOST.
const NM_CONTINUE: u8 = 0x01;
const NM_CURRENT: u8 = 0x02;
const NM_PARENT: u8 = 0x04;
const NM_HOST: u8 = 0x20;

/// SL flags (RRIP §4.1.3): the whole link continues in the next SL.
const SL_CONTINUE: u8 = 0x01;
/// SL Component Record flags (RRIP §4.1.3.1).
const COMP_CONTINUE: u8 = 0x01;
const COMP_CURRENT: u8 = 0x02;
const COMP_PARENT: u8 = 0x04;
const COMP_ROOT: u8 = 0x08;

/// TF flags (RRIP §4.1.6): which timestamps follow, in this order, and
/// LONG_FORM (bit 7) for 17-byte ECMA-119 §8.4.26.1 dates instead of 7-byte
/// §9.1.5 ones.
const TF_KINDS: [TimeKind; 7] = [
    TimeKind::Created,
    TimeKind::Modified,
    TimeKind::Accessed,
    TimeKind::AttributesChanged,
    TimeKind::Backup,
    TimeKind::Expiration,
    TimeKind::Effective,
];
const TF_LONG_FORM: u8 = 0x80;

/// Where a piece of text spread over several entries stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Pieces {
    /// No entry of this kind seen yet.
    #[default]
    None,
    /// The last entry had CONTINUE set: more pieces follow.
    Open,
    /// Complete.
    Done,
}

/// The kinds of SL component that matter for joining.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Component {
    /// A leading ROOT: the target starts with "/".
    Root,
    /// Anything else.
    Other,
}

/// Gathers the RRIP entries of one directory record. Reusable: [`reset`]
/// keeps the buffers, so a walk allocates nothing per record.
///
/// [`reset`]: Gather::reset
#[derive(Debug, Default)]
pub(crate) struct Gather {
    /// The scalar facts; `name`, `symlink` and `times` stay empty here
    /// (see [`Gather::name`], [`Gather::symlink`], [`Gather::times`]).
    out: RrEntry,
    times: Vec<(TimeKind, Timestamp)>,
    dates: DateCache,
    name: Vec<u8>,
    name_state: Pieces,
    name_is_dot: bool,
    link: Vec<u8>,
    link_state: Pieces,
    /// The last SL component had COMPONENT CONTINUE set.
    component_open: bool,
    /// What the last SL component was, `None` before the first.
    last_component: Option<Component>,
    rdev: Option<u64>,
}

impl Gather {
    /// Forgets the last record's facts, keeping the buffers.
    pub(crate) fn reset(&mut self) {
        self.out = RrEntry::default();
        self.times.clear();
        self.name.clear();
        self.name_state = Pieces::None;
        self.name_is_dot = false;
        self.link.clear();
        self.link_state = Pieces::None;
        self.component_open = false;
        self.last_component = None;
        self.rdev = None;
    }

    /// The scalar facts (PX, CL, PL, RE, ZF ...); names, link targets and
    /// times are read through the other accessors.
    pub(crate) fn facts(&self) -> &RrEntry {
        &self.out
    }

    /// The NM name bytes, when there is a usable name.
    pub(crate) fn name(&self) -> Option<&[u8]> {
        (self.name_state != Pieces::None && !self.name_is_dot && !self.name.is_empty())
            .then_some(self.name.as_slice())
    }

    /// The SL target bytes, when there was an SL entry.
    pub(crate) fn symlink(&self) -> Option<&[u8]> {
        (self.link_state != Pieces::None).then_some(self.link.as_slice())
    }

    /// The TF times, in the order first seen.
    pub(crate) fn times(&self) -> &[(TimeKind, Timestamp)] {
        &self.times
    }

    /// Takes one entry into account.
    pub(crate) fn entry(&mut self, e: &Entry<'_>, warnings: &mut Vec<Warning>) {
        let mut warn = |what: String| warnings.push(Warning::new(STRUCT, Some(e.lba), what));
        let rrip = match &e.signature {
            // RR (RRIP 1.09 §4.1.7): which entries are present; not needed.
            b"RR" => true,
            b"PX" => {
                self.px(e.data, &mut warn);
                true
            }
            b"PN" => {
                self.pn(e.data, &mut warn);
                true
            }
            b"SL" => {
                self.sl(e.data, &mut warn);
                true
            }
            b"NM" => {
                self.nm(e.data, &mut warn);
                true
            }
            b"CL" => {
                self.out.child_link = location(e.data, "CL", &mut warn);
                true
            }
            b"PL" => {
                self.out.parent_link = location(e.data, "PL", &mut warn);
                true
            }
            b"RE" => {
                self.out.relocated = true;
                true
            }
            b"TF" => {
                self.tf(e.data, &mut warn);
                true
            }
            // SF (RRIP 1.12 §4.1.7): a sparse file's virtual size. The data
            // is read as recorded; nothing else to do.
            b"SF" => true,
            b"ZF" => {
                self.zf(e.data, &mut warn);
                true
            }
            // Other extensions (Amiga AS, Apple AA/AB, ...): not ours.
            _ => false,
        };
        self.out.has_rr |= rrip;
    }

    /// The gathered facts as an [`RrEntry`].
    pub(crate) fn to_entry(&self) -> RrEntry {
        let mut out = self.out.clone();
        out.name = self.name().map(text);
        out.symlink = self.symlink().map(text);
        out.times = self.times.clone();
        out
    }

    /// Ends a record: unfinished continuations are warned about.
    pub(crate) fn finish(&mut self, lba: u64, warnings: &mut Vec<Warning>) {
        if self.name_state == Pieces::Open {
            warnings.push(Warning::new(
                STRUCT,
                Some(lba),
                "the last NM entry says the name continues, but no more NM follows; \
                 used the name as far as it goes",
            ));
        }
        if self.link_state == Pieces::Open || self.component_open {
            warnings.push(Warning::new(
                STRUCT,
                Some(lba),
                "the last SL entry says the link target continues, but no more SL follows; \
                 used the target as far as it goes",
            ));
        }
        if let (Some(u), Some(rdev)) = (self.out.unix.as_mut(), self.rdev) {
            u.rdev = Some(rdev);
        }
    }

    /// PX (RRIP §4.1.1): mode, links, uid, gid (36 bytes, RRIP 1.10) and
    /// the file serial number (44 bytes, RRIP 1.12).
    fn px(&mut self, d: &[u8], warn: &mut dyn FnMut(String)) {
        let field = |i: usize| both_u32(d, i * 8).map(|v| v.0);
        let (Some(mode), Some(nlink), Some(uid), Some(gid)) =
            (field(0), field(1), field(2), field(3))
        else {
            warn(format!(
                "PX entry of {} bytes is shorter than 36; ignored",
                d.len() + 4
            ));
            return;
        };
        self.out.unix = Some(UnixMeta {
            mode,
            nlink,
            uid,
            gid,
            ino: field(4).map(u64::from),
            rdev: None,
        });
    }

    /// PN (RRIP §4.1.2): device number. The two 32-bit halves are kept as
    /// one 64-bit number, `high << 32 | low`, the way RRIP defines a 64-bit
    /// dev_t; writers on systems with a 32-bit dev_t leave `high` zero, so
    /// `rdev` is then the dev_t they recorded.
    fn pn(&mut self, d: &[u8], warn: &mut dyn FnMut(String)) {
        match (both_u32(d, 0), both_u32(d, 8)) {
            (Some((high, _)), Some((low, _))) => {
                self.rdev = Some(u64::from(high) << 32 | u64::from(low));
            }
            _ => warn(format!(
                "PN entry of {} bytes is shorter than 20; ignored",
                d.len() + 4
            )),
        }
    }

    /// NM (RRIP §4.1.4): the POSIX name, possibly in several pieces.
    fn nm(&mut self, d: &[u8], warn: &mut dyn FnMut(String)) {
        let Some(flags) = u8_at(d, 0) else {
            warn("NM entry without its flags byte; ignored".into());
            return;
        };
        if self.name_state == Pieces::Done {
            warn("a second NM entry after a complete name; ignored".into());
            return;
        }
        if flags & (NM_CURRENT | NM_PARENT | NM_HOST) != 0 {
            self.name_is_dot = true;
        }
        self.name.extend_from_slice(d.get(1..).unwrap_or_default());
        self.name_state = if flags & NM_CONTINUE != 0 {
            Pieces::Open
        } else {
            Pieces::Done
        };
    }

    /// SL (RRIP §4.1.3): the symbolic link's target as Component Records,
    /// possibly continued in further SL entries.
    fn sl(&mut self, d: &[u8], warn: &mut dyn FnMut(String)) {
        let Some(flags) = u8_at(d, 0) else {
            warn("SL entry without its flags byte; ignored".into());
            return;
        };
        if self.link_state == Pieces::Done {
            warn("a second SL entry after a complete link target; ignored".into());
            return;
        }
        let mut pos = 1usize;
        while pos < d.len() {
            let (Some(cflags), Some(clen)) = (u8_at(d, pos), u8_at(d, pos + 1)) else {
                warn(format!(
                    "SL component record at byte {pos} is cut short; the rest of the entry was ignored"
                ));
                break;
            };
            let Some(content) = slice(d, pos + 2, usize::from(clen)) else {
                warn(format!(
                    "SL component record at byte {pos} ({clen} bytes) runs past its entry; \
                     the rest of the entry was ignored"
                ));
                break;
            };
            self.component(cflags, content);
            pos = pos + 2 + usize::from(clen);
        }
        self.link_state = if flags & SL_CONTINUE != 0 {
            Pieces::Open
        } else {
            Pieces::Done
        };
    }

    /// Adds one SL Component Record to the target: components are joined
    /// with '/', a continued component with nothing between. Empty
    /// components are kept ("a//b"), as the link was recorded. A leading
    /// ROOT is the "/" the target starts with; a ROOT after other
    /// components (how older mkisofs records "//") is an empty component.
    fn component(&mut self, flags: u8, content: &[u8]) {
        if self.component_open {
            self.link.extend_from_slice(content);
        } else {
            let leading_root = flags & COMP_ROOT != 0 && self.last_component.is_none();
            if self.last_component == Some(Component::Other) {
                self.link.push(b'/');
            }
            if leading_root {
                self.link.push(b'/');
            } else if flags & COMP_ROOT != 0 {
                // Empty component.
            } else if flags & COMP_PARENT != 0 {
                self.link.extend_from_slice(b"..");
            } else if flags & COMP_CURRENT != 0 {
                self.link.push(b'.');
            } else {
                self.link.extend_from_slice(content);
            }
            self.last_component = Some(if leading_root {
                Component::Root
            } else {
                Component::Other
            });
        }
        self.component_open = flags & COMP_CONTINUE != 0;
    }

    /// TF (RRIP §4.1.6): timestamps.
    fn tf(&mut self, d: &[u8], warn: &mut dyn FnMut(String)) {
        let Some(flags) = u8_at(d, 0) else {
            warn("TF entry without its flags byte; ignored".into());
            return;
        };
        let long = flags & TF_LONG_FORM != 0;
        let size = if long { 17 } else { 7 };
        let mut pos = 1usize;
        for (bit, kind) in TF_KINDS.iter().enumerate() {
            if flags & (1 << bit) == 0 {
                continue;
            }
            let Some(stamp) = slice(d, pos, size) else {
                warn(format!(
                    "TF entry of {} bytes is too short for the timestamps its flags announce",
                    d.len() + 4
                ));
                return;
            };
            let time = if long {
                DecDateTime::parse(stamp).time
            } else {
                self.dates.dir_datetime(stamp)
            };
            if let Some(t) = time {
                if self.times.iter().any(|(k, _)| k == kind) {
                    self.times.retain(|(k, _)| k != kind);
                }
                self.times.push((*kind, t));
            }
            pos += size;
        }
    }

    /// ZF (zisofs): algorithm, header size, block size, uncompressed size.
    fn zf(&mut self, d: &[u8], warn: &mut dyn FnMut(String)) {
        let parts = (slice(d, 0, 2), u8_at(d, 2), u8_at(d, 3), both_u32(d, 4));
        let (Some(alg), Some(header_size_div4), Some(block_size_log2), Some((size, _))) = parts
        else {
            warn(format!(
                "ZF entry of {} bytes is shorter than 16; the file is shown as stored",
                d.len() + 4
            ));
            return;
        };
        let mut algorithm = [0u8; 2];
        algorithm.copy_from_slice(alg);
        if &algorithm == b"pz" && !(15..=17).contains(&block_size_log2) {
            // zisofs blocks are 32, 64 or 128 KiB; anything else is not a
            // zisofs file (xorriso, isoinfo and bsdtar all show such files
            // as stored).
            warn(format!(
                "ZF entry gives block size 2^{block_size_log2}, which zisofs does not use; \
                 the file is shown as stored"
            ));
            return;
        }
        self.out.zf = Some(ZfInfo {
            algorithm,
            header_size_div4,
            block_size_log2,
            uncompressed_len: u64::from(size),
        });
    }
}

/// The location of a CL or PL entry (RRIP §4.1.5.1, §4.1.5.2).
fn location(d: &[u8], which: &str, warn: &mut dyn FnMut(String)) -> Option<u32> {
    let v = both_u32(d, 0).map(|v| v.0);
    if v.is_none() {
        warn(format!("{which} entry is shorter than 12 bytes; ignored"));
    }
    v
}

/// Names and link targets are bytes in the writer's character set: UTF-8
/// when they decode as such (what current writers use), else Latin-1, so
/// every byte stays visible.
pub(crate) fn text(b: &[u8]) -> String {
    match std::str::from_utf8(b) {
        Ok(s) => s.to_string(),
        Err(_) => b.iter().map(|&c| char::from(c)).collect(),
    }
}
