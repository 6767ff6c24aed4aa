//! Reading a file's content: [`ExtentReader`] joins a file's extents into
//! one byte stream, [`FileReader`] adds zisofs decompression.

use std::io::{self, Read, Seek, SeekFrom};
use std::sync::Arc;

use crate::source::ImageSource;
use crate::tree::{Extent, ExtentKind};
use crate::zisofs::ZisofsReader;

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
#[derive(Debug, Clone)]
pub struct ExtentReader {
    source: Arc<dyn ImageSource>,
    extents: Vec<Extent>,
    len: u64,
    pos: u64,
}

impl ExtentReader {
    /// A reader of `len` bytes over `extents`.
    pub fn new(source: Arc<dyn ImageSource>, extents: Vec<Extent>, len: u64) -> Self {
        ExtentReader {
            source,
            extents,
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
        let mut ext_start = 0u64;
        for e in &self.extents {
            let ext_end = ext_start.saturating_add(e.len);
            let cur = offset + crate::bytes::u64_from(done);
            if cur < ext_end && cur >= ext_start {
                let within = cur - ext_start;
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
            }
            ext_start = ext_end;
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
        self.pos += crate::bytes::u64_from(n);
        Ok(n)
    }
}

impl Seek for ExtentReader {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.pos = seek_target(self.pos, self.len, pos)?;
        Ok(self.pos)
    }
}

/// A file's content, from [`crate::Image::open_file`].
#[derive(Debug)]
pub enum FileReader {
    /// Stored as is.
    Plain(ExtentReader),
    /// zisofs-compressed, decompressed while reading.
    Zisofs(Box<ZisofsReader>),
}

impl FileReader {
    /// Content length in bytes.
    pub fn len(&self) -> u64 {
        match self {
            FileReader::Plain(r) => r.len(),
            FileReader::Zisofs(r) => r.len(),
        }
    }

    /// Whether the content is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The plain extent reader, when the content is stored as is (for
    /// zero-copy extraction).
    pub fn as_plain(&self) -> Option<&ExtentReader> {
        match self {
            FileReader::Plain(r) => Some(r),
            FileReader::Zisofs(_) => None,
        }
    }
}

impl Read for FileReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            FileReader::Plain(r) => r.read(buf),
            FileReader::Zisofs(r) => r.read(buf),
        }
    }
}

impl Seek for FileReader {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        match self {
            FileReader::Plain(r) => r.seek(pos),
            FileReader::Zisofs(r) => r.seek(pos),
        }
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
}
