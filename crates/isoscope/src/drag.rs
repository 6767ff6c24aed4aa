//! Drag-out, the app side: notices a drag of selected rows leaving the
//! window, builds a [`DragPayload`] on top of extraction, hands it to the
//! platform [`DragSource`], and shows progress and the outcome.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use iso_core::{Image, NodeId, Tree};

use crate::app::App;
use crate::extract_job::{self, CancelFlag, Counters};
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

/// Drag-out state of the window.
pub struct DragState {
    /// Chosen at the first drag, from the window handle's kind.
    source: Option<Box<dyn DragSource>>,
    asked: bool,
    /// A selected row is being dragged (set by the table this gesture).
    pub candidate: bool,
    /// What is dragged when it is not the selection (a folder of the tree pane).
    pub nodes: Option<Vec<NodeId>>,
    started: bool,
    told_unavailable: bool,
    /// Progress of the drag's extraction and its total.
    pub running: Option<(Arc<Counters>, u64)>,
    /// How the last drag ended, as a sentence.
    pub last: Option<String>,
}

impl DragState {
    /// No drag source yet: it is picked at the first drag, when the
    /// window handle tells X11 from Wayland.
    pub fn new() -> Self {
        DragState {
            source: None,
            asked: false,
            candidate: false,
            nodes: None,
            started: false,
            told_unavailable: false,
            running: None,
            last: None,
        }
    }

    /// Whether a platform drag is running.
    pub fn active(&self) -> bool {
        self.source.as_ref().is_some_and(|s| s.active())
    }
}

impl std::fmt::Debug for DragState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DragState")
            .field("available", &self.source.is_some())
            .field("candidate", &self.candidate)
            .finish_non_exhaustive()
    }
}

impl Default for DragState {
    fn default() -> Self {
        Self::new()
    }
}

impl App {
    /// After each frame: start a drag whose pointer left the window, poll
    /// a running one.
    pub(crate) fn drag_after_frame(
        &mut self,
        ctx: &egui::Context,
        window: Option<raw_window_handle::RawWindowHandle>,
    ) {
        if let Some(src) = self.drag.source.as_mut() {
            if src.active() {
                ctx.request_repaint_after(Duration::from_millis(50));
            }
            if let Some(outcome) = src.poll() {
                self.drag.running = None;
                self.drag.last = Some(match outcome {
                    DragOutcome::Dropped { into, paths } => match into {
                        Some(d) => format!("Dropped {} item(s) into {}", paths.len(), d.display()),
                        None => format!("Dropped {} item(s)", paths.len()),
                    },
                    DragOutcome::Cancelled => "Drag cancelled".into(),
                    DragOutcome::Failed(e) => format!("Drag-out failed: {e}"),
                });
            }
        }
        let (down, outside) = ctx.input(|i| {
            let rect = i.viewport_rect();
            let outside = match i.pointer.latest_pos() {
                Some(p) => !rect.contains(p) || i.pointer.hover_pos().is_none(),
                None => false,
            };
            (i.pointer.primary_down(), outside)
        });
        if !down {
            self.drag.candidate = false;
            self.drag.nodes = None;
            self.drag.started = false;
            return;
        }
        if !(self.drag.candidate && outside) || self.drag.started {
            return;
        }
        self.drag.started = true;
        let Some(window) = window else { return };
        if !self.drag.asked {
            self.drag.asked = true;
            self.drag.source = platform::drag_source_for(window);
        }
        let Some(source) = self.drag.source.as_mut() else {
            if !self.drag.told_unavailable {
                self.drag.told_unavailable = true;
                self.ui_state.problems.push(
                    "Dragging files out of the window is not available in this session; use Extract… (Ctrl+E)".into(),
                );
            }
            return;
        };
        let (Some(session), Some(tree)) = (
            self.session.as_ref(),
            self.session.as_ref().and_then(|s| s.tree()),
        ) else {
            return;
        };
        let nodes = match self.drag.nodes.take() {
            Some(n) => n,
            None => self.selection.list(),
        };
        if nodes.is_empty() {
            return;
        }
        if tree.is_partial() {
            // Only the root is read yet: folders would come out empty.
            self.drag.last = Some("Still reading the image; drag again in a moment.".into());
            return;
        }
        let counters = Arc::new(Counters::default());
        let payload = ExtractPayload::new(
            session.handle.clone(),
            tree.clone(),
            nodes,
            counters.clone(),
        );
        let total = payload.total_len();
        match source.start(window, Arc::new(payload)) {
            Ok(()) => {
                self.drag.running = Some((counters, total));
                ctx.request_repaint_after(Duration::from_millis(50));
            }
            Err(e) => self.drag.last = Some(format!("Drag-out failed: {e}")),
        }
    }
}
