//! Isoscope's desktop window, as a library so the kittest tests drive the
//! same app the binary runs.
//!
//! Layout: [`protocol`] (the one worker protocol), [`worker`] (browse and
//! jobs threads), [`model`] / [`state`] (what the window shows: tabs and
//! their parts), [`app`] (event pump and action handlers), [`actions`]
//! (what the UI can ask for), `ui` (painting from the model, read-only),
//! [`extract_job`] / [`verify_job`] / [`checksum_job`] / [`test_job`] /
//! [`open_job`] (adapters to iso-core's engines), [`drag`] and
//! [`platform`] (drag-out, open-documents events), [`settings`],
//! [`batch`] (`--extract-here` / `--extract-to`).
//!
//! Dependencies run one way: `ui` reads `model` and pushes `actions`; `app`
//! owns the model and applies them; `drag` knows neither.

pub mod actions;
pub mod app;
pub mod batch;
pub mod checksum_job;
pub mod drag;
pub mod extract_job;
pub mod format;
pub mod frame_stats;
pub mod model;
pub mod open_job;
pub mod platform;
pub mod probe;
pub mod protocol;
pub mod settings;
pub mod state;
pub mod test_job;
mod ui;
pub mod verify_job;
pub mod worker;

mod native;

pub use app::{App, AppOptions};
pub use native::{parse_args, run, sample_image, Launch};
pub use ui::SHORTCUTS;
