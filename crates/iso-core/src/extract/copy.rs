//! Copying one file's bytes from the image: in-kernel `copy_file_range`
//! where the image is a plain host file and the file systems allow it,
//! else positioned reads into a buffer; zero extents become holes; zisofs
//! files are decoded through their reader.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};

use super::write::{FileError, Shared, CHUNK};
use crate::error::Error;
use crate::source::ImageSource;
use crate::tree::{Extent, ExtentKind, NodeId};

/// Copies a plainly stored file: recorded extents are copied, zero
/// extents left as holes.
pub(super) fn copy_plain(
    s: &Shared<'_>,
    extents: &[Extent],
    size: u64,
    out: &mut File,
    buf: &mut Vec<u8>,
) -> Result<(), FileError> {
    let mut remaining = size;
    let mut ends_in_hole = false;
    for ext in extents {
        if remaining == 0 {
            break;
        }
        let n = ext.len.min(remaining);
        match ext.kind {
            ExtentKind::Zeros => {
                let skip = i64::try_from(n).map_err(|_| FileError::Read(too_big()))?;
                out.seek(SeekFrom::Current(skip))
                    .map_err(FileError::Write)?;
                s.progress.add_bytes(n);
                ends_in_hole = true;
            }
            ExtentKind::Recorded => {
                copy_range(s, ext.offset, n, out, buf)?;
                ends_in_hole = false;
            }
        }
        remaining -= n;
    }
    if remaining > 0 {
        return Err(FileError::Read(Error::corrupt(
            "file extents",
            extents.first().map_or(0, Extent::lba),
            format!("the file's size runs {remaining} bytes past its extents"),
        )));
    }
    if ends_in_hole {
        out.set_len(size).map_err(FileError::Write)?;
    }
    Ok(())
}

fn too_big() -> Error {
    Error::Unsupported("a hole larger than the host can seek".into())
}

/// Copies `len` image bytes at `offset` to the current position of `out`.
fn copy_range(
    s: &Shared<'_>,
    offset: u64,
    len: u64,
    out: &mut File,
    buf: &mut Vec<u8>,
) -> Result<(), FileError> {
    let source = s.image.source().as_ref();
    let copied = zero_copy(s, source, offset, len, out)?;
    copy_rw(
        s,
        source,
        offset.saturating_add(copied),
        len - copied,
        out,
        buf,
    )
}

/// Copies inside the kernel (`copy_file_range`) when the image is a plain
/// host file; returns how many bytes were copied (0 when the host or the
/// file systems do not allow it — the caller copies the rest).
#[cfg(target_os = "linux")]
fn zero_copy(
    s: &Shared<'_>,
    source: &dyn ImageSource,
    offset: u64,
    len: u64,
    out: &File,
) -> Result<u64, FileError> {
    use rustix::io::Errno;
    use std::sync::atomic::Ordering;
    let Some(input) = source.identity_file() else {
        return Ok(0);
    };
    if s.no_copy_range.load(Ordering::Relaxed)
        || offset.checked_add(len).is_none_or(|end| end > source.len())
    {
        return Ok(0);
    }
    let mut done = 0u64;
    let mut off_in = offset;
    while done < len {
        if s.stopped() {
            return Err(FileError::Stopped);
        }
        let want = usize::try_from(len - done).unwrap_or(CHUNK).min(CHUNK);
        match rustix::fs::copy_file_range(input, Some(&mut off_in), out, None, want) {
            Ok(0) => break,
            Ok(n) => {
                let n = crate::bytes::u64_from(n);
                done += n;
                s.progress.add_bytes(n);
            }
            Err(Errno::INTR) => {}
            Err(Errno::NOSPC) | Err(Errno::DQUOT) => {
                return Err(FileError::Write(io::Error::from(
                    io::ErrorKind::StorageFull,
                )))
            }
            Err(Errno::XDEV | Errno::NOSYS | Errno::INVAL | Errno::OPNOTSUPP | Errno::PERM) => {
                s.no_copy_range.store(true, Ordering::Relaxed);
                break;
            }
            // Anything else: let the plain copy find out which side failed.
            Err(_) => break,
        }
    }
    Ok(done)
}

#[cfg(not(target_os = "linux"))]
fn zero_copy(
    _s: &Shared<'_>,
    _source: &dyn ImageSource,
    _offset: u64,
    _len: u64,
    _out: &File,
) -> Result<u64, FileError> {
    Ok(0)
}

/// Copies through a buffer of at most [`CHUNK`] bytes.
fn copy_rw(
    s: &Shared<'_>,
    source: &dyn ImageSource,
    mut offset: u64,
    mut len: u64,
    out: &mut File,
    buf: &mut Vec<u8>,
) -> Result<(), FileError> {
    while len > 0 {
        if s.stopped() {
            return Err(FileError::Stopped);
        }
        let n = usize::try_from(len).unwrap_or(CHUNK).min(CHUNK);
        if buf.len() < n {
            buf.resize(n, 0);
        }
        let chunk = buf.get_mut(..n).ok_or(FileError::Stopped)?;
        source
            .read_exact_at(offset, chunk)
            .map_err(|e| FileError::Read(Error::io(offset, e)))?;
        out.write_all(chunk).map_err(FileError::Write)?;
        let n = crate::bytes::u64_from(n);
        s.progress.add_bytes(n);
        offset = offset.saturating_add(n);
        len -= n;
    }
    Ok(())
}

/// Copies a file that needs decoding (zisofs) through its reader.
pub(super) fn copy_stream(
    s: &Shared<'_>,
    node: NodeId,
    out: &mut File,
    buf: &mut Vec<u8>,
) -> Result<(), FileError> {
    let at = s.tree.extents(node).first().map_or(0, |e| e.offset);
    let mut reader = s.image.open_file(s.tree, node).map_err(FileError::Read)?;
    if buf.len() < CHUNK {
        buf.resize(CHUNK, 0);
    }
    loop {
        if s.stopped() {
            return Err(FileError::Stopped);
        }
        let chunk = buf.get_mut(..CHUNK).ok_or(FileError::Stopped)?;
        let n = match reader.read(chunk) {
            Ok(0) => return Ok(()),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(FileError::Read(Error::io(at, e))),
        };
        out.write_all(chunk.get(..n).unwrap_or_default())
            .map_err(FileError::Write)?;
        s.progress.add_bytes(crate::bytes::u64_from(n));
    }
}
