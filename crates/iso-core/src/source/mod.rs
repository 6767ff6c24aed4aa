//! Where an image's bytes come from.
//!
//! [`ImageSource`] is one positioned-read trait: reads go through `&self`, so
//! many threads may read one image at once without a seek lock. Sources that
//! translate offsets (raw 2352-byte sectors, CUE/BIN, NRG) slot in beside
//! [`FileSource`] and [`MemorySource`].

pub mod ccd;
pub mod chd;
pub mod container;
pub mod convert;
pub mod cue;
pub mod disc;
pub mod mds;
pub mod nrg;
pub mod raw;
pub mod scan;
pub mod toc;
pub mod tracks_dir;
pub mod virtual_files;

use std::fs::File;
use std::io;
use std::path::Path;
use std::sync::Arc;

use crate::error::{Error, Result};

/// Random access to an image's bytes (the 2048-byte user data of its
/// sectors, laid end to end).
pub trait ImageSource: Send + Sync + std::fmt::Debug {
    /// Length in bytes.
    fn len(&self) -> u64;

    /// Whether the source holds no bytes.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Fills `buf` from `offset`. Reading past the end is an
    /// [`io::ErrorKind::UnexpectedEof`] error.
    fn read_exact_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<()>;

    /// The host file holding these bytes unchanged (image offset N is file
    /// offset N), for zero-copy extraction. `None` for sources that
    /// translate offsets or live in memory.
    fn identity_file(&self) -> Option<&File> {
        None
    }
}

/// Reads `len` bytes at `offset` into a new buffer, mapping failures to
/// [`Error::Io`]. Callers cap `len` before calling.
pub fn read_vec(source: &dyn ImageSource, offset: u64, len: usize) -> Result<Vec<u8>> {
    let mut buf = vec![0u8; len];
    source
        .read_exact_at(offset, &mut buf)
        .map_err(|e| Error::io(offset, e))?;
    Ok(buf)
}

/// Copies `take` bytes of `src` from `within` into `buf` at `done` (the
/// step of the translating sources' read loops).
pub(crate) fn copy_part(
    src: &[u8],
    within: usize,
    take: usize,
    buf: &mut [u8],
    done: usize,
) -> io::Result<()> {
    let part = src
        .get(within..within.saturating_add(take))
        .ok_or(io::ErrorKind::InvalidInput)?;
    buf.get_mut(done..done.saturating_add(take))
        .ok_or(io::ErrorKind::InvalidInput)?
        .copy_from_slice(part);
    Ok(())
}

/// A plain image file on the host.
#[derive(Debug)]
pub struct FileSource {
    file: File,
    len: u64,
}

impl FileSource {
    /// Opens `path` read-only.
    ///
    /// # Errors
    /// [`Error::Io`] when the file cannot be opened or its length read.
    pub fn open(path: &Path) -> Result<Self> {
        let file = File::open(path).map_err(|e| Error::io(0, e))?;
        Self::from_file(file)
    }

    /// Wraps an open file.
    ///
    /// # Errors
    /// [`Error::Io`] when its length cannot be read.
    pub fn from_file(file: File) -> Result<Self> {
        let meta = file.metadata().map_err(|e| Error::io(0, e))?;
        if meta.is_dir() {
            return Err(Error::NotAnImage("this is a folder, not a file".into()));
        }
        Ok(FileSource {
            file,
            len: meta.len(),
        })
    }
}

impl ImageSource for FileSource {
    fn len(&self) -> u64 {
        self.len
    }

    fn read_exact_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<()> {
        check_range(self.len, offset, buf.len())?;
        read_at_impl(&self.file, offset, buf)
    }

    fn identity_file(&self) -> Option<&File> {
        Some(&self.file)
    }
}

#[cfg(unix)]
fn read_at_impl(file: &File, offset: u64, buf: &mut [u8]) -> io::Result<()> {
    use std::os::unix::fs::FileExt;
    file.read_exact_at(buf, offset)
}

#[cfg(windows)]
fn read_at_impl(file: &File, mut offset: u64, mut buf: &mut [u8]) -> io::Result<()> {
    // seek_read moves the file cursor, but every read here is positioned, so
    // nothing depends on the cursor.
    use std::os::windows::fs::FileExt;
    while !buf.is_empty() {
        match file.seek_read(buf, offset) {
            Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => {
                buf = buf.get_mut(n..).unwrap_or_default();
                offset += n as u64;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

fn check_range(len: u64, offset: u64, want: usize) -> io::Result<()> {
    let end = offset.checked_add(crate::bytes::u64_from(want));
    match end {
        Some(end) if end <= len => Ok(()),
        _ => Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            format!("{want} bytes at offset {offset} run past the end of the image ({len} bytes)"),
        )),
    }
}

/// An image held in memory (tests, images extracted from other containers).
#[derive(Debug, Clone)]
pub struct MemorySource {
    data: Arc<[u8]>,
}

impl MemorySource {
    /// Wraps bytes.
    pub fn new(data: impl Into<Arc<[u8]>>) -> Self {
        MemorySource { data: data.into() }
    }
}

impl ImageSource for MemorySource {
    fn len(&self) -> u64 {
        crate::bytes::u64_from(self.data.len())
    }

    fn read_exact_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<()> {
        check_range(self.len(), offset, buf.len())?;
        let start = usize::try_from(offset).map_err(|_| io::ErrorKind::UnexpectedEof)?;
        let src = crate::bytes::slice(&self.data, start, buf.len())
            .ok_or(io::ErrorKind::UnexpectedEof)?;
        buf.copy_from_slice(src);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_reads_and_bounds() {
        let m = MemorySource::new(vec![1u8, 2, 3, 4]);
        let mut b = [0u8; 2];
        m.read_exact_at(2, &mut b).unwrap();
        assert_eq!(b, [3, 4]);
        assert!(m.read_exact_at(3, &mut b).is_err());
        assert!(m.read_exact_at(u64::MAX, &mut b).is_err());
    }

    #[test]
    fn file_reads_and_bounds() {
        use std::io::Write;
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(b"hello world").unwrap();
        let s = FileSource::open(f.path()).unwrap();
        let mut b = [0u8; 5];
        s.read_exact_at(6, &mut b).unwrap();
        assert_eq!(&b, b"world");
        assert!(s.read_exact_at(7, &mut b).is_err());
        assert!(s.identity_file().is_some());
    }
}
