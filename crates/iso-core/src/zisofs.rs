//! zisofs: transparently decompresses files compressed by mkzftree/xorriso
//! (Rock Ridge ZF entry), with flate2.
//!
//! A zisofs file (the "pz" algorithm of the ZF entry) is:
//! - a header of `header_size_div4 * 4` bytes (16 in practice): the magic
//!   `37 E4 53 96 C9 DB D6 07`, the uncompressed size (little-endian u32),
//!   the header size / 4 (one byte), log2 of the block size (one byte,
//!   15..=17) and two reserved bytes;
//! - a table of `nblocks + 1` little-endian u32 block pointers, byte offsets
//!   from the start of the file, where `nblocks` = uncompressed size /
//!   block size, rounded up;
//! - the blocks: block `i` is the zlib stream between pointers `i` and
//!   `i + 1`; where the two are equal, the block is all zeros.
//!
//! [`ZisofsReader`] decompresses only the blocks a read touches and keeps
//! the last one. Nothing it allocates is sized from the file beyond one
//! block (at most 128 KiB) and its compressed bytes (capped).

use std::io::{self, Read, Seek, SeekFrom};

use crate::bytes::{le_u32, slice, u8_at, usize_from};
use crate::error::{Error, Result};
use crate::extents::ExtentReader;

/// The zisofs magic number.
const MAGIC: [u8; 8] = [0x37, 0xE4, 0x53, 0x96, 0xC9, 0xDB, 0xD6, 0x07];
/// Length of the fixed part of the header.
const HEADER_LEN: usize = 16;
/// Block sizes zisofs allows: 32, 64 or 128 KiB.
const BLOCK_LOG2: std::ops::RangeInclusive<u8> = 15..=17;
const STRUCT: &str = "zisofs header";

/// Reads the uncompressed content of a zisofs file.
#[derive(Debug)]
pub struct ZisofsReader {
    inner: ExtentReader,
    len: u64,
    /// The uncompressed size the file's header gives (blocks decompress to
    /// this; `len` may be smaller).
    header_len: u64,
    pos: u64,
    block_log2: u8,
    /// Where the block pointer table starts in the compressed file.
    table_offset: u64,
    /// Where the first block may start: just past the pointer table.
    data_start: u64,
    /// The block decompressed last: (index, bytes).
    cache: Option<(u64, Vec<u8>)>,
    note: Option<String>,
}

impl ZisofsReader {
    /// `inner` reads the compressed file, `len` is the uncompressed length
    /// (from ZF), the other two come from ZF too.
    ///
    /// The file's own header is authoritative for the block size and the
    /// pointer table's place; where it and ZF disagree on the uncompressed
    /// size, the smaller is used and [`ZisofsReader::note`] says so.
    ///
    /// # Errors
    /// [`crate::Error::Corrupt`] when the zisofs header is damaged.
    pub fn new(
        inner: ExtentReader,
        len: u64,
        header_size_div4: u8,
        block_size_log2: u8,
    ) -> Result<Self> {
        let lba = inner.extents().first().map_or(0, |e| e.lba());
        let corrupt = |what: String| Error::corrupt(STRUCT, lba, what);
        let mut header = [0u8; HEADER_LEN];
        if inner.len() < crate::bytes::u64_from(HEADER_LEN) {
            return Err(corrupt(format!(
                "the compressed file has {} bytes, fewer than the 16-byte zisofs header",
                inner.len()
            )));
        }
        read_full(&inner, 0, &mut header).map_err(|e| corrupt(e.to_string()))?;
        if slice(&header, 0, 8) != Some(&MAGIC[..]) {
            return Err(corrupt("the zisofs magic number is missing".into()));
        }
        let header_len = le_u32(&header, 8).map_or(0, u64::from);
        let file_div4 = u8_at(&header, 12).unwrap_or(0);
        let file_log2 = u8_at(&header, 13).unwrap_or(0);
        if !BLOCK_LOG2.contains(&file_log2) {
            return Err(corrupt(format!(
                "block size 2^{file_log2} is not one zisofs allows (2^15 to 2^17)"
            )));
        }
        if file_div4 < 4 {
            return Err(corrupt(format!(
                "header size {} bytes is smaller than the 16-byte header",
                u32::from(file_div4) * 4
            )));
        }
        let mut notes = Vec::new();
        if file_div4 != header_size_div4 || file_log2 != block_size_log2 {
            notes.push(format!(
                "the ZF entry says header {}/block 2^{}, the file says {}/2^{}; used the file's",
                u32::from(header_size_div4) * 4,
                block_size_log2,
                u32::from(file_div4) * 4,
                file_log2
            ));
        }
        if header_len != len {
            notes.push(format!(
                "the ZF entry says {len} bytes uncompressed, the file header {header_len}; \
                 used the smaller"
            ));
        }
        let len = len.min(header_len);
        let table_offset = u64::from(file_div4) * 4;
        let nblocks = len.div_ceil(1u64 << file_log2);
        // nblocks <= 2^32 / 2^15, so this cannot overflow.
        let data_start = table_offset + (nblocks + 1) * 4;
        if data_start > inner.len() {
            return Err(corrupt(format!(
                "the block pointer table ({} blocks) runs past the compressed file ({} bytes)",
                nblocks,
                inner.len()
            )));
        }
        Ok(ZisofsReader {
            inner,
            len,
            header_len,
            pos: 0,
            block_log2: file_log2,
            table_offset,
            data_start,
            cache: None,
            note: (!notes.is_empty()).then(|| notes.join("; ")),
        })
    }

    /// Uncompressed length.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether the file is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// What was odd but survivable about the header (ZF and the file's
    /// header disagreeing), if anything.
    pub fn note(&self) -> Option<&str> {
        self.note.as_deref()
    }

    fn block_len(&self) -> u64 {
        1u64 << self.block_log2
    }

    /// Decompresses block `index` into the cache unless it is there.
    fn load(&mut self, index: u64) -> io::Result<()> {
        if self.cache.as_ref().is_some_and(|(i, _)| *i == index) {
            return Ok(());
        }
        let bad = |what: String| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("corrupt zisofs block {index}: {what}"),
            )
        };
        let block_len = self.block_len();
        let start_of_block = index.saturating_mul(block_len);
        let expected = block_len.min(self.header_len.saturating_sub(start_of_block));
        let mut ptrs = [0u8; 8];
        let at = self.table_offset.saturating_add(index.saturating_mul(4));
        read_full(&self.inner, at, &mut ptrs)?;
        let p0 = le_u32(&ptrs, 0).map_or(0, u64::from);
        let p1 = le_u32(&ptrs, 4).map_or(0, u64::from);
        if p0 < self.data_start || p1 < p0 || p1 > self.inner.len() {
            return Err(bad(format!(
                "its pointers {p0}..{p1} are not inside the compressed data ({}..{})",
                self.data_start,
                self.inner.len()
            )));
        }
        let out_len = usize_from(expected).ok_or_else(|| bad("too large".into()))?;
        let mut out = Vec::with_capacity(out_len);
        if p1 == p0 {
            out.resize(out_len, 0);
        } else {
            // zlib never grows data by more than a few bytes per 16 KiB;
            // anything much longer than the block is not a real block.
            let stored = p1 - p0;
            if stored > block_len.saturating_mul(2) {
                return Err(bad(format!(
                    "{stored} compressed bytes for a block of {block_len}"
                )));
            }
            let mut compressed = vec![0u8; usize_from(stored).unwrap_or(0)];
            read_full(&self.inner, p0, &mut compressed)?;
            let mut z = flate2::read::ZlibDecoder::new(compressed.as_slice())
                .take(block_len.saturating_add(1));
            z.read_to_end(&mut out)
                .map_err(|e| bad(format!("zlib data is damaged ({e})")))?;
            if out.len() != out_len {
                return Err(bad(format!(
                    "decompresses to {} bytes, expected {}",
                    out.len(),
                    expected
                )));
            }
        }
        let keep = block_len.min(self.len.saturating_sub(start_of_block));
        out.truncate(usize_from(keep).unwrap_or(0));
        self.cache = Some((index, out));
        Ok(())
    }
}

/// Fills `buf` from `offset` of the compressed file, or fails.
fn read_full(inner: &ExtentReader, offset: u64, buf: &mut [u8]) -> io::Result<()> {
    let mut done = 0usize;
    while let Some(rest) = buf.get_mut(done..).filter(|r| !r.is_empty()) {
        let at = offset.saturating_add(crate::bytes::u64_from(done));
        let n = inner.read_at(at, rest)?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!("the compressed zisofs file ends before byte {at}"),
            ));
        }
        done = done.saturating_add(n);
    }
    Ok(())
}

impl Read for ZisofsReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.pos >= self.len || buf.is_empty() {
            return Ok(0);
        }
        let index = self.pos >> self.block_log2;
        self.load(index)?;
        let within = usize_from(self.pos - (index << self.block_log2)).unwrap_or(0);
        let Some((_, block)) = self.cache.as_ref() else {
            return Ok(0);
        };
        let src = block.get(within..).unwrap_or_default();
        let n = src.len().min(buf.len());
        if let (Some(dst), Some(src)) = (buf.get_mut(..n), src.get(..n)) {
            dst.copy_from_slice(src);
        }
        self.pos = self.pos.saturating_add(crate::bytes::u64_from(n));
        Ok(n)
    }
}

impl Seek for ZisofsReader {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.pos = crate::extents::seek_target(self.pos, self.len, pos)?;
        Ok(self.pos)
    }
}

#[cfg(test)]
mod tests;
