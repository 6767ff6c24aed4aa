//! Drag-out, the app side: notices a drag of selected rows leaving the
//! window, builds a [`DragPayload`] on top of extraction, hands it to the
//! platform [`DragSource`], and reports progress and the outcome. All of
//! its state lives here, in [`DragOut`]; the panes only say that a drag of
//! rows began ([`crate::actions::Action::DragRows`]).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use iso_core::{Image, NodeId, Tree};

use crate::extract_job::{self, CancelFlag, Counters, JobProgress};
use crate::platform::{self, DragOutcome, DragPayload, DragSource};

/// Payloads larger than this show a progress line while extracting.
pub const SHOW_PROGRESS_FROM: u64 = 8 << 20;

/// Selected entries of a tree, extracted on demand.
#[derive(Debug)]
pub struct ExtractPayload {
    image: Arc<Image>,
    tree: Arc<Tree>,
    nodes: Vec<NodeId>,
    total: u64,
    counters: Arc<Counters>,
}

impl ExtractPayload {
    /// A payload for `nodes`; `counters` show its progress.
    pub fn new(
        image: Arc<Image>,
        tree: Arc<Tree>,
        nodes: Vec<NodeId>,
        counters: Arc<Counters>,
    ) -> Self {
        let total = extract_job::totals(&tree, &nodes).0;
        ExtractPayload {
            image,
            tree,
            nodes,
            total,
            counters,
        }
    }
}

impl DragPayload for ExtractPayload {
    fn names(&self) -> Vec<String> {
        extract_job::top_level_paths(&self.tree, &self.nodes, Path::new(""))
            .into_iter()
            .map(|p| p.to_string_lossy().into_owned())
            .collect()
    }

    fn total_len(&self) -> u64 {
        self.total
    }

    fn extract_into(&self, dir: &Path) -> Result<Vec<PathBuf>, String> {
        let req = extract_job::Request {
            image: &self.image,
            tree: &self.tree,
            nodes: &self.nodes,
            dest: dir,
            ask: None,
        };
        let summary = extract_job::run(&req, &self.counters, &CancelFlag::default());
        match summary.error {
            Some(e) => Err(e),
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
    /// Progress of the drag's extraction and its total.
    running: Option<(Arc<Counters>, u64)>,
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
            running: None,
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

    /// The running drag's extraction progress and total, when it is big
    /// enough to show.
    pub fn progress(&self) -> Option<(JobProgress, u64)> {
        self.running
            .as_ref()
            .filter(|(_, total)| *total >= SHOW_PROGRESS_FROM)
            .map(|(c, total)| (c.snapshot(), *total))
    }

    /// After each frame: starts a drag whose pointer left the window, polls
    /// a running one. `source` is the image and tree shown, `selection`
    /// the selected rows.
    pub fn after_frame(
        &mut self,
        ctx: &egui::Context,
        window: Option<raw_window_handle::RawWindowHandle>,
        source: Option<(Arc<Image>, Arc<Tree>)>,
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
        let (image, tree) = source?;
        let nodes = self.rows.take().flatten().unwrap_or(selection);
        if nodes.is_empty() {
            return note;
        }
        if tree.is_partial() {
            // Only the root is read yet: folders would come out empty.
            return Some(Note::Status(
                "Still reading the image; drag again in a moment.".into(),
            ));
        }
        let counters = Arc::new(Counters::default());
        let payload = ExtractPayload::new(image, tree, nodes, counters.clone());
        let total = payload.total_len();
        let src = self.source.as_mut()?;
        match src.start(window, Arc::new(payload)) {
            Ok(()) => {
                self.running = Some((counters, total));
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
        self.running = None;
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
