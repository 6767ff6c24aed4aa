//! Images the platform asks a running app to open: on macOS, files
//! double-clicked in Finder (also while Isoscope runs) and the "Browse with
//! Isoscope" service arrive as the open-documents Apple Event, which winit
//! 0.30 does not deliver (see `macos.rs`). Elsewhere each file opens in a
//! launch of its own (the command line), so nothing comes this way and
//! [`OpenDocuments::run`] is `eframe::run_native`.
//!
//! Paths go over a channel to the window; the sender wakes the window
//! (`request_repaint`) once the context exists; paths sent before that wait
//! in the channel for the first frame.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use crossbeam_channel::{Receiver, Sender};

/// The window's end: paths to open.
#[derive(Debug, Clone)]
pub struct DocumentReceiver(Receiver<PathBuf>);

impl DocumentReceiver {
    /// The next path, if one arrived.
    pub fn try_recv(&self) -> Option<PathBuf> {
        self.0.try_recv().ok()
    }
}

/// The platform's end: sends a path and wakes the window.
#[derive(Debug, Clone)]
pub struct DocumentSender {
    tx: Sender<PathBuf>,
    ctx: Arc<OnceLock<egui::Context>>,
}

impl DocumentSender {
    /// Queues `path` for the window and wakes it.
    pub fn send(&self, path: PathBuf) {
        let _ = self.tx.send(path);
        if let Some(c) = self.ctx.get() {
            c.request_repaint();
        }
    }
}

/// The channel between the platform's open-documents events and the window.
#[derive(Debug)]
pub struct OpenDocuments {
    tx: Sender<PathBuf>,
    rx: Receiver<PathBuf>,
    ctx: Arc<OnceLock<egui::Context>>,
}

impl Default for OpenDocuments {
    fn default() -> Self {
        Self::new()
    }
}

impl OpenDocuments {
    /// A new, empty channel.
    pub fn new() -> OpenDocuments {
        let (tx, rx) = crossbeam_channel::unbounded();
        OpenDocuments {
            tx,
            rx,
            ctx: Arc::new(OnceLock::new()),
        }
    }

    /// The window's end.
    pub fn receiver(&self) -> DocumentReceiver {
        DocumentReceiver(self.rx.clone())
    }

    /// The platform's end.
    pub fn sender(&self) -> DocumentSender {
        DocumentSender {
            tx: self.tx.clone(),
            ctx: Arc::clone(&self.ctx),
        }
    }

    /// Runs the window like `eframe::run_native`, with the platform's
    /// open-documents events sent to [`OpenDocuments::receiver`].
    ///
    /// # Errors
    /// When the event loop or the window cannot be created.
    pub fn run(
        self,
        app_name: &str,
        options: eframe::NativeOptions,
        creator: eframe::AppCreator<'static>,
    ) -> eframe::Result {
        let ctx = Arc::clone(&self.ctx);
        let creator: eframe::AppCreator<'static> = Box::new(move |cc| {
            let _ = ctx.set(cc.egui_ctx.clone());
            creator(cc)
        });
        #[cfg(target_os = "macos")]
        {
            super::macos::run_with_open_documents(app_name, options, creator, self.sender())
        }
        #[cfg(not(target_os = "macos"))]
        {
            eframe::run_native(app_name, options, creator)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_sent_before_the_window_exists_wait_for_it() {
        let docs = OpenDocuments::new();
        let rx = docs.receiver();
        docs.sender().send(PathBuf::from("/a.iso"));
        docs.sender().send(PathBuf::from("/b.iso"));
        assert_eq!(rx.try_recv(), Some(PathBuf::from("/a.iso")));
        assert_eq!(rx.try_recv(), Some(PathBuf::from("/b.iso")));
        assert_eq!(rx.try_recv(), None);
    }
}
