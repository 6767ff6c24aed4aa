//! Batch mode: `isoscope --extract-here IMAGE…` and `isoscope --extract-to
//! IMAGE…`, what the file managers' "Extract Here" / "Extract To…" entries
//! run (Explorer's static verbs, Finder's services, Dolphin, Nemo and
//! Nautilus; see wix/, dmg/ and assets/linux/).
//!
//! One small window shows the queue of images, the running image's bytes,
//! files, rate and ETA with Cancel, and at the end a summary with "Open
//! folder" for each image and every error; closing it ends the process.
//!
//! Where things go ([`plan`], the smart rule 7-Zip made familiar): an image
//! whose view root holds exactly one entry has that entry written straight
//! into the destination; an image with several (or none) gets a new folder
//! named after it ("debian-12.iso" → "debian-12", "debian-12 (2)" when that
//! exists). The destination is the image's own folder for Extract Here and
//! the folder chosen with the native dialog for Extract To (typed into the
//! window when no dialog exists, or given with `--dest DIR`). Nothing is
//! ever overwritten: a clash is written as "name (2).ext".
//!
//! Extraction is iso-core's engine ([`crate::extract_job::run`]) on one
//! worker thread ([`job`]), images one after another.

pub mod job;
pub mod plan;
pub mod window;

#[cfg(test)]
mod tests;

use std::path::PathBuf;
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::Arc;

pub use window::{BatchWindow, OpenFolder};

/// Which batch mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `--extract-here`: next to each image.
    Here,
    /// `--extract-to`: into a folder the person chooses.
    To,
}

/// What a batch run was asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchOptions {
    /// The mode.
    pub mode: Mode,
    /// The images, in order.
    pub images: Vec<PathBuf>,
    /// Extract To's folder when given on the command line (`--dest DIR`):
    /// no dialog is shown.
    pub dest: Option<PathBuf>,
    /// Close the window by itself when every image went well
    /// (`--close-when-done`; for scripts and tests). Errors keep it open.
    pub close_when_done: bool,
}

/// The "Open folder" button: the folder in the desktop's file manager.
fn open_in_file_manager() -> OpenFolder {
    Arc::new(|dir| opener::open(dir).map_err(|e| e.to_string()))
}

/// Runs the batch window until it is closed and returns the exit code:
/// 0 every image extracted completely, 1 something failed, 130 cancelled.
///
/// # Errors
/// When the window cannot be created (no display).
pub fn run(options: BatchOptions, native: eframe::NativeOptions) -> anyhow::Result<i32> {
    let code = Arc::new(AtomicI32::new(130));
    let out = Arc::clone(&code);
    eframe::run_native(
        "Isoscope",
        native,
        Box::new(move |_cc| {
            Ok(Box::new(Native {
                window: BatchWindow::new(options, open_in_file_manager()),
                code: out,
            }))
        }),
    )
    .map_err(|e| anyhow::anyhow!("cannot open the window: {e}"))?;
    Ok(code.load(Ordering::SeqCst))
}

/// The batch window inside eframe; keeps the exit code up to date.
struct Native {
    window: BatchWindow,
    code: Arc<AtomicI32>,
}

impl eframe::App for Native {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.window.ui(ui);
        if self.window.finished() {
            // A window closed before the end keeps 130 (cancelled).
            self.code.store(self.window.exit_code(), Ordering::SeqCst);
        }
    }
}
