//! Drag-out, the app side: notices a drag of selected rows leaving the
//! window, builds a [`DragPayload`] on top of extraction, hands it to the
//! platform [`DragSource`], and reports progress and the outcome. All of
//! its state lives here, in [`DragOut`]; the panes only say that a drag of
//! rows began ([`crate::actions::Action::DragRows`]).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crossbeam_channel::{bounded, Sender};
use iso_core::extract::sanitize::sanitize_name;
use iso_core::{NodeId, Tree, View};

use crate::extract_job;
use crate::platform::{self, DragOutcome, DragPayload, DragSource};
use crate::protocol::{Command, ExtractRequest, ImageId, JobId};

/// Drag jobs get ids from here, apart from the window's own (which count
/// up from 1).
const DRAG_JOB_BASE: u64 = 1 << 62;

/// A fresh id for a drag-out's extraction job.
pub fn next_job_id() -> JobId {
    static NEXT: AtomicU64 = AtomicU64::new(DRAG_JOB_BASE);
    JobId(NEXT.fetch_add(1, Ordering::Relaxed))
}

/// What a drag extracts and where to ask for it.
#[derive(Debug, Clone)]
pub struct DragSourceData {
    /// The image.
    pub image: ImageId,
    /// The view the nodes belong to.
    pub view: View,
    /// The view's tree (names and sizes before extracting).
    pub tree: Arc<Tree>,
    /// The worker's command queue.
    pub commands: Sender<Command>,
    /// Give extracted files the owner's write permission.
    pub writable: bool,
}

/// Selected entries of a tree, extracted on demand by the jobs worker
/// through iso-core's engine; the file manager gets the paths the engine
/// wrote.
#[derive(Debug)]
pub struct ExtractPayload {
    source: DragSourceData,
    nodes: Vec<NodeId>,
    total: u64,
}

impl ExtractPayload {
    /// A payload for `nodes` of `source`.
    pub fn new(source: DragSourceData, nodes: Vec<NodeId>) -> Self {
        let total = extract_job::totals(&source.tree, &nodes).0;
        ExtractPayload {
            source,
            nodes,
            total,
        }
    }
}

impl DragPayload for ExtractPayload {
    /// The names proposed before extracting (XDS), as the engine's
    /// sanitiser makes them; the paths handed over after the drop are the
    /// ones it really wrote.
    fn names(&self) -> Vec<String> {
        let tree = &self.source.tree;
        let mut out = Vec::new();
        for &n in &self.nodes {
            if n == tree.root() {
                out.extend(
                    tree.children(n)
                        .map(|c| sanitize_name(tree.name(c)).into_owned()),
                );
            } else {
                out.push(sanitize_name(tree.name(n)).into_owned());
            }
        }
        out
    }

    fn total_len(&self) -> u64 {
        self.total
    }

    /// Queues the extraction on the jobs worker and waits for its summary.
    fn extract_into(&self, dir: &Path) -> Result<Vec<PathBuf>, String> {
        let (tx, rx) = bounded(1);
        let cmd = Command::DragExtract {
            job: next_job_id(),
            request: ExtractRequest {
                image: self.source.image,
                view: self.source.view,
                nodes: self.nodes.clone(),
                dest: dir.to_path_buf(),
                writable: self.source.writable,
            },
            reply: tx,
        };
        self.source
            .commands
            .send(cmd)
            .map_err(|_| "the worker has stopped".to_string())?;
        let summary = rx
            .recv()
            .map_err(|_| "the extraction was cancelled".to_string())?;
        match summary.error {
            Some(e) => Err(e),
            None if summary.cancelled => Err("the extraction was cancelled".into()),
            None => Ok(summary.top_level),
        }
    }
}

/// What a drag has to tell the window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Note {
    /// A sentence for the status bar (how the drag ended).
    Status(String),
    /// A problem to show until dismissed.
    Problem(String),
}

/// Drag-out state of the window.
pub struct DragOut {
    /// Chosen at the first drag, from the window handle's kind.
    source: Option<Box<dyn DragSource>>,
    asked: bool,
    /// Rows are being dragged this gesture (None inside: the selection).
    rows: Option<Option<Vec<NodeId>>>,
    started: bool,
    told_unavailable: bool,
}

impl DragOut {
    /// No drag source yet: it is picked at the first drag, when the
    /// window handle tells X11 from Wayland.
    pub fn new() -> Self {
        DragOut {
            source: None,
            asked: false,
            rows: None,
            started: false,
            told_unavailable: false,
        }
    }

    /// Whether a platform drag is running.
    pub fn active(&self) -> bool {
        self.source.as_ref().is_some_and(|s| s.active())
    }

    /// A drag of rows began in the window (`nodes`, or the selection when
    /// None); it goes out if the pointer leaves the window.
    pub fn begin(&mut self, nodes: Option<Vec<NodeId>>) {
        self.rows = Some(nodes);
    }

    /// After each frame: starts a drag whose pointer left the window, polls
    /// a running one. `source` is the image shown, `selection` the
    /// selected rows.
    pub fn after_frame(
        &mut self,
        ctx: &egui::Context,
        window: Option<raw_window_handle::RawWindowHandle>,
        source: Option<DragSourceData>,
        selection: Vec<NodeId>,
    ) -> Option<Note> {
        let mut note = self.poll(ctx);
        let (down, outside) = ctx.input(|i| {
            let rect = i.viewport_rect();
            let outside = match i.pointer.latest_pos() {
                Some(p) => !rect.contains(p) || i.pointer.hover_pos().is_none(),
                None => false,
            };
            (i.pointer.primary_down(), outside)
        });
        if !down {
            self.rows = None;
            self.started = false;
            return note;
        }
        if self.rows.is_none() || !outside || self.started {
            return note;
        }
        self.started = true;
        let window = window?;
        if !self.asked {
            self.asked = true;
            self.source = platform::drag_source_for(window);
        }
        if self.source.is_none() {
            if !self.told_unavailable {
                self.told_unavailable = true;
                note = Some(Note::Problem(
                    "Dragging files out of the window is not available in this session; use Extract… (Ctrl+E)".into(),
                ));
            }
            return note;
        }
        let source = source?;
        let nodes = self.rows.take().flatten().unwrap_or(selection);
        if nodes.is_empty() {
            return note;
        }
        if source.tree.is_partial() {
            // Only the root is read yet: folders would come out empty.
            return Some(Note::Status(
                "Still reading the image; drag again in a moment.".into(),
            ));
        }
        let payload = ExtractPayload::new(source, nodes);
        let src = self.source.as_mut()?;
        match src.start(window, Arc::new(payload)) {
            Ok(()) => {
                ctx.request_repaint_after(Duration::from_millis(50));
                note
            }
            Err(e) => Some(Note::Status(format!("Drag-out failed: {e}"))),
        }
    }

    /// Polls a running drag; its end becomes a note.
    fn poll(&mut self, ctx: &egui::Context) -> Option<Note> {
        let src = self.source.as_mut()?;
        if src.active() {
            ctx.request_repaint_after(Duration::from_millis(50));
        }
        let outcome = src.poll()?;
        Some(Note::Status(match outcome {
            DragOutcome::Dropped { into, paths } => match into {
                Some(d) => format!("Dropped {} item(s) into {}", paths.len(), d.display()),
                None => format!("Dropped {} item(s)", paths.len()),
            },
            DragOutcome::Cancelled => "Drag cancelled".into(),
            DragOutcome::Failed(e) => format!("Drag-out failed: {e}"),
        }))
    }
}

impl std::fmt::Debug for DragOut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DragOut")
            .field("available", &self.source.is_some())
            .field("rows", &self.rows.is_some())
            .finish_non_exhaustive()
    }
}

impl Default for DragOut {
    fn default() -> Self {
        Self::new()
    }
}
