//! Drag-out: dragging entries from the app's window onto a file manager or desktop;
//! and [`OpenDocuments`], the images the platform asks a running app to open
//! (macOS's open-documents event).
//!
//! winit 0.30 (under eframe) has no drag *source*, so each platform's is ours:
//!
//! - **Linux / X11 (also XWayland)** — [`linux`]: an XDND version 5 source on its own
//!   x11rb connection and thread, offering `XdndDirectSave0` (the target names the destination
//!   and the payload is extracted straight into it) and `text/uri-list` of files extracted into
//!   a staging folder (see [`create_staging_dir`]) for targets without XDS.
//! - **Windows** — `windows.rs`: OLE `DoDragDrop` with a data object offering `CF_HDROP` of
//!   files staged when the target asks for the data. `DoDragDrop` is modal: `start` returns
//!   when the drag is over.
//! - **macOS** — `macos.rs`: an AppKit dragging session with file promises
//!   (`NSFilePromiseProvider`), written into the folder Finder picks. The session runs on the
//!   main thread's event loop; `start` returns at once and the outcome arrives later.
//!
//! **Wayland-native windows:** winit 0.30 offers no way to start a drag on a Wayland surface
//! (a Wayland drag needs the serial of the button press that winit keeps to itself), so
//! [`drag_source`] returns `None` when the session is Wayland (`WAYLAND_DISPLAY` or
//! `WAYLAND_SOCKET` set — winit then creates a Wayland window), [`drag_source_for`] returns
//! `None` for a Wayland window handle, and `start` refuses Wayland window handles. An app that wants drag-out on a Wayland desktop runs its window through
//! XWayland: remove `WAYLAND_DISPLAY`/`WAYLAND_SOCKET` from the environment before the event
//! loop is created (winit then picks X11) — X11 drag and drop works between XWayland and
//! Wayland clients through the compositor.
//!
//! Use from the app: call [`cleanup_old_staging_dirs`] once at start; get a source with
//! [`drag_source_for`] (window handle known) or [`drag_source`]; call `start` when a drag of
//! selected rows leaves the window with the primary button held; while `active()`, call
//! `poll()` every frame (repaint after ~50 ms) and show the outcome it returns once.
//!
//! Staging folders (`isoscope-drag-XXXX` under the OS temp dir) are left in place after a drop,
//! because the target may still be copying from them; [`cleanup_old_staging_dirs`] removes
//! those older than a day and is meant to be called once at app start.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

mod documents;
#[cfg(target_os = "linux")]
pub mod linux;
#[cfg(target_os = "macos")]
mod macos;
#[cfg(windows)]
mod windows;

pub use documents::{DocumentReceiver, DocumentSender, OpenDocuments};

/// Lowers the calling thread's CPU priority (nice 10) so that jobs
/// (extraction, verification) yield to the window's thread on a busy
/// machine. On Linux the nice value is per thread and inherited by the
/// threads it starts (iso-core's extraction workers). Elsewhere it does
/// nothing (Windows and macOS have their own foreground boosts; not
/// measured here).
pub fn lower_thread_priority() {
    #[cfg(target_os = "linux")]
    {
        // `None` is "the caller": on Linux, the calling thread.
        let _ = rustix::process::setpriority_process(None, 10);
    }
}

/// What is being dragged; implemented by the app on top of iso-core's extraction.
pub trait DragPayload: Send + Sync + 'static {
    /// Top-level names being dragged (as they will appear in the destination).
    fn names(&self) -> Vec<String>;
    /// Total bytes of the dragged files (to decide whether to show progress).
    fn total_len(&self) -> u64;
    /// Extracts the dragged entries into `dir` (an existing folder) and returns the top-level paths created.
    /// Blocking; platform code calls it off the UI thread where the platform allows.
    fn extract_into(&self, dir: &Path) -> Result<Vec<PathBuf>, String>;
}

/// How a drag ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DragOutcome {
    /// Dropped; `into` is the folder the target chose (XDS / file promise) or None when files were staged and offered as URIs/HDROP.
    Dropped {
        /// The destination folder chosen by the target, when it told us (XDS, file promises).
        into: Option<PathBuf>,
        /// The top-level paths created by the extraction.
        paths: Vec<PathBuf>,
    },
    /// The user let go outside any drop target, pressed Escape, or the target refused.
    Cancelled,
    /// Something failed; the message is shown to the user.
    Failed(String),
}

/// A platform drag source.
pub trait DragSource {
    /// Starts dragging `payload` out of `window` now (the primary mouse button is held).
    /// Returns at once where the platform allows (X11: its own thread; Windows' DoDragDrop and macOS are modal/main-thread by nature: document).
    fn start(
        &mut self,
        window: raw_window_handle::RawWindowHandle,
        payload: Arc<dyn DragPayload>,
    ) -> Result<(), String>;
    /// Whether a drag is in progress.
    fn active(&self) -> bool;
    /// The outcome of the last drag, once, after it ended.
    fn poll(&mut self) -> Option<DragOutcome>;
}

/// The drag source for this session, or None when drag-out is unavailable (e.g. a Wayland-native window, or no X server).
///
/// Linux: an X11 source when `DISPLAY` is set and the session is not Wayland-native (see the
/// module docs); its `start` accepts Xlib and Xcb window handles only.
pub fn drag_source() -> Option<Box<dyn DragSource>> {
    #[cfg(target_os = "linux")]
    {
        let env = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
        if !env("DISPLAY") || env("WAYLAND_DISPLAY") || env("WAYLAND_SOCKET") {
            return None;
        }
        Some(Box::new(linux::X11DragSource::new(None)))
    }
    #[cfg(windows)]
    {
        Some(Box::new(windows::OleDragSource::new()))
    }
    #[cfg(target_os = "macos")]
    {
        Some(Box::new(macos::MacDragSource::new()))
    }
    #[cfg(not(any(target_os = "linux", windows, target_os = "macos")))]
    {
        None
    }
}

/// The drag source for a known window: like [`drag_source`], but decided by the window
/// handle's kind instead of the environment — on Linux an X11 source for Xlib/Xcb windows
/// (also when the app forced winit onto XWayland while `WAYLAND_DISPLAY` is set) and None for
/// Wayland windows.
pub fn drag_source_for(window: raw_window_handle::RawWindowHandle) -> Option<Box<dyn DragSource>> {
    #[cfg(target_os = "linux")]
    {
        use raw_window_handle::RawWindowHandle as H;
        match window {
            H::Xlib(_) | H::Xcb(_) => Some(Box::new(linux::X11DragSource::new(None))),
            _ => None,
        }
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = window;
        drag_source()
    }
}

/// Name prefix of staging folders under the OS temp dir.
pub const STAGING_PREFIX: &str = "isoscope-drag-";

/// Staging folders older than this are removed by [`cleanup_old_staging_dirs`].
pub const STAGING_MAX_AGE: Duration = Duration::from_secs(24 * 60 * 60);

/// Creates a fresh, private staging folder `isoscope-drag-XXXX` under the OS temp dir.
pub fn create_staging_dir() -> std::io::Result<PathBuf> {
    create_staging_dir_in(&std::env::temp_dir())
}

/// Creates a fresh, private staging folder `isoscope-drag-XXXX` under `base`.
///
/// The suffix mixes the process id, the clock and a counter; an existing name is never reused
/// (`create_dir` fails on it and the next suffix is tried), and on Unix the folder is `0700`.
pub fn create_staging_dir_in(base: &Path) -> std::io::Result<PathBuf> {
    use std::sync::atomic::{AtomicU32, Ordering};
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.subsec_nanos() ^ u32::try_from(d.as_secs() % (1 << 32)).unwrap_or(0))
        .unwrap_or(0);
    let mut last_err = None;
    for _ in 0..64 {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let mixed = nanos
            .wrapping_mul(0x9E37_79B9)
            .wrapping_add(std::process::id().rotate_left(16))
            .wrapping_add(n.wrapping_mul(0x85EB_CA6B));
        let dir = base.join(format!("{STAGING_PREFIX}{mixed:08x}"));
        #[cfg(unix)]
        let builder = {
            let mut b = std::fs::DirBuilder::new();
            std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
            b
        };
        #[cfg(not(unix))]
        let builder = std::fs::DirBuilder::new();
        match builder.create(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last_err = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last_err.unwrap_or_else(|| std::io::Error::other("no free staging folder name")))
}

/// Removes staging folders under the OS temp dir older than a day; returns how many were removed.
/// Call once at app start (a folder may be in use by a drop target for a while after the drop).
pub fn cleanup_old_staging_dirs() -> usize {
    cleanup_staging_dirs_in(&std::env::temp_dir(), STAGING_MAX_AGE, SystemTime::now())
}

/// Removes folders named `isoscope-drag-*` directly under `base` whose modification time is more
/// than `max_age` before `now`. Symbolic links and plain files with that name are left alone;
/// errors (e.g. another user's folder) are skipped. Returns how many folders were removed.
pub fn cleanup_staging_dirs_in(base: &Path, max_age: Duration, now: SystemTime) -> usize {
    let Ok(entries) = std::fs::read_dir(base) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        if !entry
            .file_name()
            .to_str()
            .is_some_and(|n| n.starts_with(STAGING_PREFIX))
        {
            continue;
        }
        // `DirEntry::metadata` does not follow symlinks.
        let Ok(meta) = entry.metadata() else { continue };
        if !meta.is_dir() {
            continue;
        }
        let old = meta
            .modified()
            .ok()
            .and_then(|m| now.duration_since(m).ok())
            .is_some_and(|age| age > max_age);
        if old && std::fs::remove_dir_all(entry.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}

/// Bytes left as they are in a `file://` URI path: RFC 3986 unreserved characters and `/`.
fn keep_in_uri(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/')
}

/// Appends `bytes` to `out`, percent-encoding every byte that is not unreserved or `/`.
fn percent_encode_into(out: &mut String, bytes: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in bytes {
        if keep_in_uri(b) {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0x0f)]));
        }
    }
}

/// The `file://` URI of an absolute local path (RFC 8089), every byte outside RFC 3986's
/// unreserved set and `/` percent-encoded (so spaces, `%`, `#`, `?` and non-ASCII bytes are safe).
/// On Unix the raw bytes of the path are encoded (non-UTF-8 names survive).
pub fn file_uri(path: &Path) -> String {
    let mut out = String::from("file://");
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        percent_encode_into(&mut out, path.as_os_str().as_bytes());
    }
    #[cfg(not(unix))]
    {
        // `C:\dir\x` → `file:///C:/dir/x`; the drive colon is kept.
        let text = path.to_string_lossy().replace('\\', "/");
        let (drive, rest) = match text.as_bytes() {
            [d, b':', ..] if d.is_ascii_alphabetic() => text.split_at(2),
            _ => ("", text.as_str()),
        };
        if !drive.is_empty() {
            out.push('/');
            out.push_str(drive);
        }
        percent_encode_into(&mut out, rest.as_bytes());
    }
    out
}

/// A `text/uri-list` (RFC 2483): one `file://` URI per path, each line ended by CR LF.
pub fn uri_list(paths: &[PathBuf]) -> String {
    let mut out = String::new();
    for p in paths {
        out.push_str(&file_uri(p));
        out.push_str("\r\n");
    }
    out
}

/// Decodes `%XX` escapes; None when an escape is malformed.
fn percent_decode(s: &str) -> Option<Vec<u8>> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let text = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(text, 16).ok()?);
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    Some(out)
}

/// Splits a `file:` URI into (host, decoded absolute path). Accepts `file:///p`,
/// `file://host/p` and the short `file:/p`; None for other schemes, relative or malformed URIs.
/// Trailing NULs and line ends (some targets write them) are ignored.
pub fn parse_file_uri(uri: &str) -> Option<(String, PathBuf)> {
    let uri = uri.trim_end_matches(['\0', '\r', '\n']);
    let scheme_len = "file:".len();
    if !uri.get(..scheme_len)?.eq_ignore_ascii_case("file:") {
        return None;
    }
    let rest = uri.get(scheme_len..)?;
    let (host, path) = match rest.strip_prefix("//") {
        Some(after) => {
            let slash = after.find('/')?;
            after.split_at(slash)
        }
        None => ("", rest),
    };
    if !path.starts_with('/') || path.contains(['?', '#']) {
        return None;
    }
    let bytes = percent_decode(path)?;
    if bytes.contains(&0) {
        return None;
    }
    #[cfg(unix)]
    let path = {
        use std::os::unix::ffi::OsStringExt;
        PathBuf::from(std::ffi::OsString::from_vec(bytes))
    };
    #[cfg(not(unix))]
    let path = PathBuf::from(String::from_utf8(bytes).ok()?);
    Some((host.to_string(), path))
}

/// Whether a `file:` URI host names this machine: empty, `localhost`, or `hostname`.
pub fn is_local_host(host: &str, hostname: &str) -> bool {
    host.is_empty() || host.eq_ignore_ascii_case("localhost") || host.eq_ignore_ascii_case(hostname)
}

/// The file name offered in the XDS `XdndDirectSave0` property: the single top-level name, or for
/// several names the first one (the target only uses it to compose `folder/name`; we extract
/// everything into that folder). Path separators and NULs are replaced so the name stays one
/// component; an empty, `.` or `..` name becomes `isoscope-drop`.
pub fn xds_file_name(names: &[String]) -> String {
    let first = names.first().map(String::as_str).unwrap_or("");
    let clean: String = first
        .chars()
        .map(|c| {
            if matches!(c, '/' | '\\' | '\0') {
                '_'
            } else {
                c
            }
        })
        .collect();
    if clean.is_empty() || clean == "." || clean == ".." {
        "isoscope-drop".to_string()
    } else {
        clean
    }
}

#[cfg(test)]
mod tests;
