//! X11 drag source (also under XWayland): XDND version 5 with the XDS direct-save extension.
//!
//! Each drag runs on its own thread with its own x11rb connection (pure Rust, no libX11):
//!
//! - an unmapped window of ours owns `XdndSelection` and carries the `XdndDirectSave0`
//!   property (the proposed file name) and `XdndTypeList`;
//! - the pointer is polled with `QueryPointer` (winit keeps the implicit pointer grab while the
//!   button is held, so we receive no pointer events) and Escape with `QueryKeymap`;
//! - the target is the deepest window under the pointer with `XdndAware` ≥ 3, found by walking
//!   down from the root with `TranslateCoordinates` (`XdndProxy` honoured); the app's own window
//!   (and anything inside it) is never a target, so dropping onto it does nothing;
//! - `XdndEnter` offers `XdndDirectSave0` then `text/uri-list`; `XdndPosition` (action
//!   `XdndActionCopy`) is only re-sent after the previous `XdndStatus` arrived;
//! - on button release over a target that accepted, `XdndDrop`; the target then asks for
//!   `XdndDirectSave0` (it wrote the destination file URI into our property: we extract into
//!   that folder and answer `S`, `E` or `F`) or for `text/uri-list` (we extract once into a
//!   fresh staging folder and answer with the URIs), then sends `XdndFinished`.
//!
//! Limits: no drag cursor feedback (the grab belongs to winit's connection); the `text/uri-list`
//! answer is sent in one piece (no INCR: it lists top-level paths only, far below the request
//! size limit); extraction runs inside the selection request, so a target that gives up on slow
//! answers (GTK waits about 30 s) may drop a very large payload.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::Arc;

use x11rb::connection::Connection;

use super::{DragOutcome, DragPayload, DragSource};

mod xdnd;

/// The X11 drag source: one drag at a time, each on its own thread.
#[derive(Debug)]
pub struct X11DragSource {
    display: Option<String>,
    active: Arc<AtomicBool>,
    outcome: Option<mpsc::Receiver<DragOutcome>>,
}

impl X11DragSource {
    /// A source connecting to `display` (e.g. `":0"`), or to `$DISPLAY` when None.
    pub fn new(display: Option<String>) -> Self {
        Self {
            display,
            active: Arc::new(AtomicBool::new(false)),
            outcome: None,
        }
    }
}

/// The X11 window id inside a raw window handle, or why there is none.
fn x11_window(window: raw_window_handle::RawWindowHandle) -> Result<u32, String> {
    use raw_window_handle::RawWindowHandle as H;
    match window {
        H::Xcb(h) => Ok(h.window.get()),
        H::Xlib(h) => u32::try_from(h.window).map_err(|_| "invalid X11 window id".to_string()),
        H::Wayland(_) => Err("drag-out is not available for Wayland windows \
             (run the app through XWayland to drag files out)"
            .to_string()),
        _ => Err("drag-out needs an X11 window".to_string()),
    }
}

impl DragSource for X11DragSource {
    /// Connects, prepares the selection window and returns at once; the drag itself runs on a
    /// thread of its own until the drop is finished, cancelled or timed out.
    fn start(
        &mut self,
        window: raw_window_handle::RawWindowHandle,
        payload: Arc<dyn DragPayload>,
    ) -> Result<(), String> {
        if self.active.load(Ordering::Acquire) {
            return Err("a drag is already in progress".to_string());
        }
        let app_window = x11_window(window)?;
        let (conn, screen) = x11rb::connect(self.display.as_deref())
            .map_err(|e| format!("cannot connect to the X server: {e}"))?;
        let root = conn
            .setup()
            .roots
            .get(screen)
            .map(|s| s.root)
            .ok_or("the X server has no such screen")?;
        let session = xdnd::Session::new(conn, root, app_window, payload)
            .map_err(|e| format!("cannot start the drag: {e}"))?;
        let (tx, rx) = mpsc::channel();
        self.outcome = Some(rx);
        self.active.store(true, Ordering::Release);
        let active = Arc::clone(&self.active);
        let spawned = std::thread::Builder::new()
            .name("isoscope-xdnd".into())
            .spawn(move || {
                let outcome = session.run();
                let _ = tx.send(outcome);
                active.store(false, Ordering::Release);
            });
        if let Err(e) = spawned {
            self.active.store(false, Ordering::Release);
            self.outcome = None;
            return Err(format!("cannot start the drag thread: {e}"));
        }
        Ok(())
    }

    fn active(&self) -> bool {
        self.active.load(Ordering::Acquire)
    }

    fn poll(&mut self) -> Option<DragOutcome> {
        let outcome = self.outcome.as_ref()?.try_recv();
        match outcome {
            Ok(o) => {
                self.outcome = None;
                Some(o)
            }
            Err(mpsc::TryRecvError::Empty) => None,
            Err(mpsc::TryRecvError::Disconnected) => {
                self.outcome = None;
                Some(DragOutcome::Failed(
                    "the drag ended unexpectedly".to_string(),
                ))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use raw_window_handle::{
        RawWindowHandle, WaylandWindowHandle, XcbWindowHandle, XlibWindowHandle,
    };
    use std::num::NonZeroU32;
    use std::ptr::NonNull;

    #[test]
    fn window_handles() {
        let xcb = XcbWindowHandle::new(NonZeroU32::new(0x40_0001).expect("non-zero"));
        assert_eq!(x11_window(RawWindowHandle::Xcb(xcb)), Ok(0x40_0001));
        let xlib = XlibWindowHandle::new(0x20_0003);
        assert_eq!(x11_window(RawWindowHandle::Xlib(xlib)), Ok(0x20_0003));
        let too_big = XlibWindowHandle::new(1 << 40);
        assert!(x11_window(RawWindowHandle::Xlib(too_big)).is_err());
        let mut surface = 0u8;
        let wl = WaylandWindowHandle::new(NonNull::from(&mut surface).cast());
        let err = x11_window(RawWindowHandle::Wayland(wl)).expect_err("wayland refused");
        assert!(err.contains("Wayland"), "{err}");
    }

    #[test]
    fn poll_without_drag_is_none() {
        let mut s = X11DragSource::new(Some(":nonexistent".into()));
        assert!(!s.active());
        assert_eq!(s.poll(), None);
    }
}
