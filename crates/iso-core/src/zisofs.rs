//! zisofs: transparently decompresses files compressed by mkzftree/xorriso
//! (Rock Ridge ZF entry), with flate2.
//!
//! CONTRACT (filled in by the zisofs work): `ZisofsReader` reads the
//! uncompressed bytes of a zisofs file whose compressed form is readable at
//! random through an [`ExtentReader`].

use std::io::{self, Read, Seek, SeekFrom};

use crate::error::Result;
use crate::reader::ExtentReader;

/// Reads the uncompressed content of a zisofs file.
#[derive(Debug)]
pub struct ZisofsReader {
    inner: ExtentReader,
    len: u64,
    pos: u64,
}

impl ZisofsReader {
    /// `inner` reads the compressed file, `len` is the uncompressed length
    /// (from ZF), the other two come from ZF too.
    ///
    /// # Errors
    /// [`crate::Error::Corrupt`] when the zisofs header is damaged.
    pub fn new(
        inner: ExtentReader,
        len: u64,
        header_size_div4: u8,
        block_size_log2: u8,
    ) -> Result<Self> {
        let _ = (header_size_div4, block_size_log2);
        Ok(ZisofsReader { inner, len, pos: 0 })
    }

    /// Uncompressed length.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether the file is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl Read for ZisofsReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let _ = (&self.inner, buf);
        Err(io::Error::other("zisofs not implemented yet"))
    }
}

impl Seek for ZisofsReader {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.pos = crate::reader::seek_target(self.pos, self.len, pos)?;
        Ok(self.pos)
    }
}
