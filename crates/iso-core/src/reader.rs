//! Reading a file's content: [`FileReader`] is the stream of a file as it
//! is stored ([`ExtentReader`]) or decoded (zisofs).

use std::io::{self, Read, Seek, SeekFrom};

pub use crate::extents::{seek_target, ExtentReader};
use crate::zisofs::ZisofsReader;

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
