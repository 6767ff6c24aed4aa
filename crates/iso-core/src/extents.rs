//! [`ExtentReader`]: a file's extents read as one byte stream.
//!
//! Kept apart from [`crate::reader`] so that the decoders that sit on top
//! of it (zisofs) and the reader that chooses between them do not import
//! each other.

use std::io::{self, Read, Seek, SeekFrom};
use std::sync::Arc;

use crate::bytes::u64_from;
use crate::source::ImageSource;
use crate::tree::{Extent, ExtentKind};

/// Computes the new position of a `Seek` over `len` bytes.
///
/// # Errors
/// `InvalidInput` when the target is before the start or overflows.
pub fn seek_target(pos: u64, len: u64, to: SeekFrom) -> io::Result<u64> {
    let target = match to {
        SeekFrom::Start(n) => Some(n),
        SeekFrom::End(d) => len.checked_add_signed(d),
        SeekFrom::Current(d) => pos.checked_add_signed(d),
    };
    target.ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            "seek before the start of the file",
        )
    })
}

/// The extents of one file read as one stream of `len` bytes. Bytes past
/// the last extent (a damaged size) read as an error, not as zeros.
///
/// A UDF file can have thousands of extents: the extent holding an offset
/// is found by binary search over the extents' starts in the stream.
#[derive(Debug, Clone)]
pub struct ExtentReader {
    source: Arc<dyn ImageSource>,
    extents: Vec<Extent>,
    /// `starts[i]`: where extent `i` begins in the stream (prefix sums of
    /// the extents' lengths, saturating).
    starts: Vec<u64>,
    len: u64,
    pos: u64,
}

impl ExtentReader {
    /// A reader of `len` bytes over `extents`.
    pub fn new(source: Arc<dyn ImageSource>, extents: Vec<Extent>, len: u64) -> Self {
        let mut starts = Vec::with_capacity(extents.len());
        let mut at = 0u64;
        for e in &extents {
            starts.push(at);
            at = at.saturating_add(e.len);
        }
        ExtentReader {
            source,
            extents,
            starts,
            len,
            pos: 0,
        }
    }

    /// Length of the stream.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether the stream is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The extents.
    pub fn extents(&self) -> &[Extent] {
        &self.extents
    }

    /// The image source.
    pub fn source(&self) -> &Arc<dyn ImageSource> {
        &self.source
    }

    /// The index of the non-empty extent holding stream offset `at`.
    fn extent_at(&self, at: u64) -> Option<usize> {
        // The last extent starting at or before `at`; empty extents share
        // their start with the next one, so step past them.
        let mut i = self.starts.partition_point(|&s| s <= at).checked_sub(1)?;
        loop {
            let start = *self.starts.get(i)?;
            let e = self.extents.get(i)?;
            if at < start.saturating_add(e.len) {
                return Some(i);
            }
            i += 1;
            if self.starts.get(i).is_none_or(|&s| s > at) {
                return None;
            }
        }
    }

    /// Reads at `offset` of the stream into `buf`, returning how many bytes
    /// were read (0 at the end). Does not move the stream position.
    ///
    /// # Errors
    /// I/O errors of the source, or `UnexpectedEof` when the file's size
    /// runs past its extents.
    pub fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        if offset >= self.len || buf.is_empty() {
            return Ok(0);
        }
        let want = buf
            .len()
            .min(usize::try_from(self.len - offset).unwrap_or(usize::MAX));
        let mut done = 0usize;
        let mut next = self.extent_at(offset);
        while let Some(i) = next {
            let (Some(e), Some(&start)) = (self.extents.get(i), self.starts.get(i)) else {
                break;
            };
            let cur = offset + u64_from(done);
            let within = cur - start;
            let n = (want - done).min(usize::try_from(e.len - within).unwrap_or(usize::MAX));
            let dst = buf
                .get_mut(done..done + n)
                .ok_or(io::ErrorKind::InvalidInput)?;
            match e.kind {
                ExtentKind::Recorded => {
                    let at = e
                        .offset
                        .checked_add(within)
                        .ok_or(io::ErrorKind::InvalidData)?;
                    self.source.read_exact_at(at, dst)?;
                }
                ExtentKind::Zeros => dst.fill(0),
            }
            done += n;
            if done == want {
                return Ok(done);
            }
            // The next extent with bytes, if it continues the stream.
            next = (i + 1..self.extents.len())
                .find(|&j| self.extents.get(j).is_some_and(|e| e.len > 0));
        }
        if done == 0 {
            Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!("the file's size runs past its extents at byte {offset}"),
            ))
        } else {
            Ok(done)
        }
    }
}

impl Read for ExtentReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.read_at(self.pos, buf)?;
        self.pos += u64_from(n);
        Ok(n)
    }
}

impl Seek for ExtentReader {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.pos = seek_target(self.pos, self.len, pos)?;
        Ok(self.pos)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::MemorySource;

    #[test]
    fn joins_extents_and_seeks() {
        let data: Vec<u8> = (0..=255u8).collect();
        let src: Arc<dyn ImageSource> = Arc::new(MemorySource::new(data));
        let ext = vec![
            Extent::recorded(10, 3),
            Extent {
                offset: 0,
                len: 2,
                kind: ExtentKind::Zeros,
            },
            Extent::recorded(100, 4),
        ];
        let mut r = ExtentReader::new(src, ext, 9);
        let mut out = Vec::new();
        r.read_to_end(&mut out).unwrap();
        assert_eq!(out, [10, 11, 12, 0, 0, 100, 101, 102, 103]);
        r.seek(SeekFrom::Start(4)).unwrap();
        let mut b = [0u8; 3];
        r.read_exact(&mut b).unwrap();
        assert_eq!(b, [0, 100, 101]);
        assert!(r.seek(SeekFrom::Current(-100)).is_err());
    }

    #[test]
    fn size_past_extents_is_an_error() {
        let src: Arc<dyn ImageSource> = Arc::new(MemorySource::new(vec![1u8; 16]));
        let mut r = ExtentReader::new(src, vec![Extent::recorded(0, 4)], 8);
        let mut out = Vec::new();
        assert!(r.read_to_end(&mut out).is_err());
        assert_eq!(out, [1, 1, 1, 1]);
    }

    /// Thousands of one-byte extents (in reverse image order) with empty
    /// ones between them: every offset reads the byte of its own extent.
    #[test]
    fn finds_the_extent_of_every_offset() {
        let data: Vec<u8> = (0..4096u32).map(|i| (i % 251) as u8).collect();
        let src: Arc<dyn ImageSource> = Arc::new(MemorySource::new(data.clone()));
        let mut ext = Vec::new();
        for i in (0..4096u64).rev() {
            ext.push(Extent::recorded(i, 1));
            if i % 7 == 0 {
                ext.push(Extent::recorded(0, 0));
            }
        }
        let r = ExtentReader::new(src, ext, 4096);
        for at in [0u64, 1, 6, 7, 8, 1000, 4094, 4095] {
            let mut b = [0u8; 1];
            assert_eq!(r.read_at(at, &mut b).unwrap(), 1);
            assert_eq!(
                b[0],
                data[usize::try_from(4095 - at).unwrap()],
                "offset {at}"
            );
        }
        let mut all = vec![0u8; 4096];
        assert_eq!(r.read_at(0, &mut all).unwrap(), 4096);
        let reversed: Vec<u8> = data.iter().rev().copied().collect();
        assert_eq!(all, reversed);
    }
}
