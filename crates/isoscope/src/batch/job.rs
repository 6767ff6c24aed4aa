//! The batch's one worker thread: the images one after another, each
//! opened, its richest view read, its destination chosen by the smart rule
//! ([`super::plan::target`]) and its entries written by iso-core's engine
//! through [`crate::extract_job::run`], clashes renamed ("name (2).ext").
//! It tells the window what happens through a channel and wakes it.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crossbeam_channel::Sender;
use iso_core::{Image, OpenOptions};

use super::plan::{self, ItemState, Target};
use crate::extract_job::{self, Ask, CancelFlag, Choice, Counters, OverwriteAnswer, Request};

/// What the worker tells the window.
#[derive(Debug)]
pub enum JobEvent {
    /// Image `index` is being extracted into `dest`; `counters` move as
    /// it goes.
    Started {
        /// Position in the queue.
        index: usize,
        /// Where its entries land.
        dest: PathBuf,
        /// Its progress.
        counters: Arc<Counters>,
    },
    /// Image `index` is finished (or could not be done).
    Finished {
        /// Position in the queue.
        index: usize,
        /// How it went.
        state: ItemState,
    },
}

/// One batch's work: the images and, for Extract To, the chosen folder.
#[derive(Debug, Clone)]
pub struct Work {
    /// The images, in queue order.
    pub images: Vec<PathBuf>,
    /// The folder chosen for Extract To (None: next to each image).
    pub chosen: Option<PathBuf>,
}

/// Starts the worker thread. `wake` is called after every event (the
/// window's `request_repaint`). Cancel stops the running image (no partial
/// file is left) and every later one is reported as not started.
///
/// # Errors
/// When the thread cannot be started.
pub fn spawn(
    work: Work,
    cancel: Arc<CancelFlag>,
    events: Sender<JobEvent>,
    wake: impl Fn() + Send + 'static,
) -> std::io::Result<std::thread::JoinHandle<()>> {
    std::thread::Builder::new()
        .name("isoscope-batch".into())
        .spawn(move || {
            crate::platform::lower_thread_priority();
            for (index, image) in work.images.iter().enumerate() {
                let state = if cancel.is_cancelled() {
                    ItemState::NotStarted
                } else {
                    extract_one(image, work.chosen.as_deref(), &cancel, |dest, counters| {
                        let _ = events.send(JobEvent::Started {
                            index,
                            dest: dest.to_path_buf(),
                            counters,
                        });
                        wake();
                    })
                };
                let _ = events.send(JobEvent::Finished { index, state });
                wake();
            }
        })
}

/// The answer to every clash in batch mode: never overwrite, rename.
fn rename_all() -> Ask {
    Arc::new(|_| OverwriteAnswer {
        choice: Choice::Rename,
        apply_to_all: true,
    })
}

/// Opens `image`, picks its destination and extracts everything;
/// `started` is told the destination once it exists.
fn extract_one(
    image_path: &Path,
    chosen: Option<&Path>,
    cancel: &CancelFlag,
    started: impl FnOnce(&Path, Arc<Counters>),
) -> ItemState {
    let shown = image_path.display();
    let image = match Image::open(image_path, &OpenOptions::default()) {
        Ok(i) => i,
        Err(e) => return ItemState::Failed(format!("cannot open {shown}: {e}")),
    };
    let Some(view) = image.default_view() else {
        return ItemState::Failed(format!("{shown} holds no file system Isoscope can read"));
    };
    let tree = match image.tree(view) {
        Ok(t) => t,
        Err(e) => return ItemState::Failed(format!("cannot read {shown}: {e}")),
    };
    let top_level = tree.children(tree.root()).count();
    let base = plan::base_dir(image_path, chosen);
    let dest = match plan::target(&base, image_path, top_level) {
        Target::Into(dir) => dir,
        Target::NewFolder { base, name } => match plan::create_fresh_dir(&base, &name) {
            Ok(d) => d,
            Err(e) => {
                return ItemState::Failed(format!(
                    "cannot create a folder for {shown} in {}: {e}",
                    base.display()
                ))
            }
        },
    };
    let counters = Arc::new(Counters::default());
    started(&dest, Arc::clone(&counters));
    let summary = extract_job::run(
        &Request {
            image: &image,
            tree: &tree,
            nodes: &[],
            dest: &dest,
            ask: Some(rename_all()),
            // As the app's default ("Make extracted files writable"): what
            // "Extract Here" leaves can be edited and deleted.
            writable: true,
        },
        &counters,
        cancel,
    );
    ItemState::Done(Box::new(summary))
}
