//! Isoscope's desktop window, as a library so the kittest tests drive the
//! same app the binary runs.
//!
//! Layout: [`protocol`] (the one worker protocol), [`worker`] (browse and
//! jobs threads), [`app`] (state and event pump), [`actions`] (what the UI
//! can ask for), [`ui`] (painting), [`extract_job`] / [`verify_job`]
//! (adapters to iso-core's engines), [`platform`] (drag-out, open-documents
//! events), [`settings`], [`batch`] (`--extract-here` / `--extract-to`).

pub mod actions;
pub mod app;
pub mod batch;
pub mod drag;
pub mod extract_job;
pub mod format;
pub mod frame_stats;
pub mod platform;
pub mod probe;
pub mod protocol;
pub mod settings;
pub mod state;
mod ui;
pub mod verify_job;
pub mod worker;

mod native;

pub use app::{App, AppOptions};
pub use native::{parse_args, run, sample_image, Launch};
pub use ui::SHORTCUTS;
