//! Runs of small files that lie close together in the image are claimed
//! by one worker and read with one positioned read, then written from that
//! buffer: one read instead of one per file, for images of many small
//! files.

use std::ops::Range;
use std::sync::atomic::Ordering;

use super::plan::Entry;
use super::write::Shared;
use crate::tree::{Encoding, ExtentKind};

/// Largest file read as part of a run.
const SMALL: u64 = 256 << 10;
/// Most bytes read for one run.
const SPAN: u64 = 1 << 20;
/// Most unused bytes between two files of a run.
const GAP: u64 = 64 << 10;
/// Most files in one run.
const MAX_RUN: usize = 64;

/// Where a small, plainly stored, one-extent file is: (offset, size).
fn small_extent(s: &Shared<'_>, e: &Entry) -> Option<(u64, u64)> {
    if s.tree.encoding(e.node) != Encoding::Plain {
        return None;
    }
    let size = s.tree.size(e.node);
    if size == 0 || size > SMALL {
        return None;
    }
    match s.tree.extents(e.node) {
        [x] if x.kind == ExtentKind::Recorded && x.len >= size => Some((x.offset, size)),
        _ => None,
    }
}

/// Extends the claim of file `k` (just taken from the shared counter) to
/// the files after it while they are small and close by, and no other
/// worker has taken them. Returns the claimed range of the file list.
pub(super) fn claim_run(s: &Shared<'_>, k: usize) -> Range<usize> {
    let Some((start, len)) = s.file(k).and_then(|(_, e)| small_extent(s, e)) else {
        return k..k + 1;
    };
    let mut span_end = start.saturating_add(len);
    let mut end = k + 1;
    while end - k < MAX_RUN {
        let Some((off, len)) = s.file(end).and_then(|(_, e)| small_extent(s, e)) else {
            break;
        };
        let new_end = span_end.max(off.saturating_add(len));
        if off < start || off.saturating_sub(span_end) > GAP || new_end - start > SPAN {
            break;
        }
        if s.next
            .compare_exchange(end, end + 1, Ordering::Relaxed, Ordering::Relaxed)
            .is_err()
        {
            break;
        }
        span_end = new_end;
        end += 1;
    }
    k..end
}

/// Reads the bytes under a run into `span`; returns the image offset of
/// its first byte, or `None` (the files are then read one by one, which
/// pins any error on the right file).
pub(super) fn read_run(s: &Shared<'_>, run: Range<usize>, span: &mut Vec<u8>) -> Option<u64> {
    let mut start = u64::MAX;
    let mut end = 0u64;
    for k in run {
        let (off, len) = s.file(k).and_then(|(_, e)| small_extent(s, e))?;
        start = start.min(off);
        end = end.max(off.saturating_add(len));
    }
    let len = usize::try_from(end.checked_sub(start)?).ok()?;
    span.resize(len, 0);
    s.image.source().read_exact_at(start, span).ok()?;
    Some(start)
}

/// The bytes of file `e` inside a run read at `start`.
pub(super) fn slice_of<'a>(
    s: &Shared<'_>,
    e: &Entry,
    start: u64,
    span: &'a [u8],
) -> Option<&'a [u8]> {
    let (off, len) = small_extent(s, e)?;
    let from = usize::try_from(off.checked_sub(start)?).ok()?;
    crate::bytes::slice(span, from, usize::try_from(len).ok()?)
}
