//! A read-ahead window for the walk: file entries are small (one block)
//! and writers lay a directory's entries out side by side, so reading
//! them one `pread` at a time costs a system call per file. Small reads
//! are served from a few 64 KiB windows (one follows the entries, another
//! the directory being read).

use std::io;
use std::sync::Mutex;

use crate::source::ImageSource;

/// Bytes read at once for a small read that misses the windows.
const WINDOW: u64 = 64 << 10;
/// Windows kept.
const WINDOWS: usize = 4;
/// Reads up to this size go through the window; larger ones go straight
/// to the image.
const SMALL: usize = 16 << 10;

/// A window: its image offset and its bytes.
type Window = (u64, Vec<u8>);

/// The windows, the most recently used first.
type Windows = Vec<Window>;

/// An [`ImageSource`] over another with a read-ahead window.
#[derive(Debug)]
pub(crate) struct ReadAhead<'a> {
    inner: &'a dyn ImageSource,
    windows: Mutex<Windows>,
}

impl<'a> ReadAhead<'a> {
    /// A window over `inner`.
    pub(crate) fn new(inner: &'a dyn ImageSource) -> Self {
        ReadAhead {
            inner,
            windows: Mutex::new(Vec::new()),
        }
    }
}

impl ImageSource for ReadAhead<'_> {
    fn len(&self) -> u64 {
        self.inner.len()
    }

    fn read_exact_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<()> {
        if buf.len() > SMALL {
            return self.inner.read_exact_at(offset, buf);
        }
        let mut guard = self
            .windows
            .lock()
            .map_err(|_| io::Error::other("read-ahead window poisoned"))?;
        let windows = &mut *guard;
        let end = offset.saturating_add(crate::bytes::u64_from(buf.len()));
        let hit = windows.iter().position(|(at, data)| {
            offset >= *at && end <= at.saturating_add(crate::bytes::u64_from(data.len()))
        });
        match hit {
            // Most recently used first.
            Some(i) => {
                let w = windows.remove(i);
                windows.insert(0, w);
            }
            None => {
                let start = offset - offset % WINDOW;
                let len = WINDOW.min(self.inner.len().saturating_sub(start));
                if end > start.saturating_add(len) {
                    // Past the end of the image or across a window's end:
                    // read directly (which reports any error).
                    return self.inner.read_exact_at(offset, buf);
                }
                // Reuse the least recently used window's buffer: zeroing a
                // fresh 64 KiB on every miss was a third of a listing's
                // instructions. Its old bytes are all overwritten (or the
                // read fails and the buffer is dropped).
                windows.truncate(WINDOWS);
                let mut data = if windows.len() == WINDOWS {
                    windows.pop().map(|(_, d)| d).unwrap_or_default()
                } else {
                    Vec::new()
                };
                data.resize(usize::try_from(len).unwrap_or(0), 0);
                self.inner.read_exact_at(start, &mut data)?;
                windows.insert(0, (start, data));
            }
        }
        let (at, data) = windows
            .first()
            .ok_or_else(|| io::Error::from(io::ErrorKind::UnexpectedEof))?;
        let from = usize::try_from(offset - at).unwrap_or(usize::MAX);
        let src = data
            .get(from..from.saturating_add(buf.len()))
            .ok_or_else(|| io::Error::from(io::ErrorKind::UnexpectedEof))?;
        buf.copy_from_slice(src);
        Ok(())
    }
}
