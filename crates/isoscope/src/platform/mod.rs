//! Platform code behind one small trait: dragging entries out of the window
//! onto a file manager. The platform modules (X11 XDND, Windows OLE, macOS
//! file promises) plug in here; until they do, [`drag_source`] returns None
//! and the app tells the person that drag-out is not available.

use std::path::{Path, PathBuf};
use std::sync::Arc;

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
        /// The folder the target chose, if it chose one.
        into: Option<PathBuf>,
        /// The top-level paths written.
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
pub fn drag_source() -> Option<Box<dyn DragSource>> {
    None
}
