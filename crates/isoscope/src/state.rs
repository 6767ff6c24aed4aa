//! The parts of a tab's and the window's state, split by concern: the open
//! image ([`Session`]), where the person is ([`BrowserState`]), what is
//! selected ([`SelectionState`]), running jobs ([`JobsState`]) and the
//! preview ([`PreviewState`]); [`crate::model`] puts them together. Only
//! `App::logic` and the action handlers change them.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use iso_core::{Image, ImageInfo, NodeId, Tree, View};

use crate::extract_job::{Conflict, JobProgress, JobSummary};
use crate::protocol::{ImageId, JobId, PreviewContent, PreviewKind, Sort};
use crate::verify_job::VerifyReport;

/// A view's tree, as far as it has loaded.
#[derive(Debug, Clone)]
pub enum TreeState {
    /// The worker is reading it.
    Loading,
    /// Ready.
    Ready(Arc<Tree>),
    /// Could not be read.
    Failed(String),
}

/// The open image.
#[derive(Debug, Clone)]
pub struct Session {
    /// Its id.
    pub id: ImageId,
    /// Its file.
    pub path: Option<PathBuf>,
    /// Name shown in the title.
    pub name: String,
    /// Descriptors.
    pub info: Arc<ImageInfo>,
    /// Warnings from opening and from reading views.
    pub warnings: Vec<String>,
    /// The view shown.
    pub view: Option<View>,
    /// Trees by view.
    pub trees: HashMap<View, TreeState>,
    /// For drag-out jobs.
    pub handle: Arc<Image>,
    /// When the open was asked for (time-to-root measurement).
    pub opened_at: Instant,
    /// Seconds from asking to open until the root listing was shown.
    pub root_shown_after: Option<f64>,
}

impl Session {
    /// The tree of the current view, when loaded.
    pub fn tree(&self) -> Option<&Arc<Tree>> {
        match self.trees.get(&self.view?)? {
            TreeState::Ready(t) => Some(t),
            _ => None,
        }
    }
}

/// What the image is doing while nothing is open.
#[derive(Debug, Clone, Default)]
pub enum Loading {
    /// Nothing asked.
    #[default]
    Idle,
    /// Opening this file.
    Opening(PathBuf),
    /// The last open failed.
    Failed {
        /// The file.
        path: Option<PathBuf>,
        /// Why.
        message: String,
    },
}

/// Where the person is in the image.
#[derive(Debug, Clone, Default)]
pub struct BrowserState {
    /// The folder shown.
    pub dir: Option<NodeId>,
    /// Folders to go back to.
    pub back: Vec<NodeId>,
    /// Folders to go forward to.
    pub forward: Vec<NodeId>,
    /// Listing order.
    pub sort: Sort,
    /// Sorted listings received, by folder and order.
    pub listings: HashMap<(View, NodeId, Sort), Arc<[NodeId]>>,
    /// Listings asked for and not yet received.
    pub pending: HashSet<(View, NodeId, Sort)>,
    /// The filter text (searches the whole image).
    pub filter: String,
    /// The filter last sent, with its sequence number.
    pub filter_sent: Option<(String, u64)>,
    /// Search results for the latest filter.
    pub found: Option<(u64, Arc<[NodeId]>, bool)>,
    /// Type-to-select: typed so far and when last typed.
    pub typed: String,
    /// When the last character was typed.
    pub typed_at: Option<Instant>,
    /// The row the typed prefix matched: a longer prefix can only match
    /// there or later, so the next key scans on from it (the node, to tell
    /// whether the rows changed meanwhile).
    pub typed_hit: Option<(usize, NodeId)>,
    /// Row to scroll to on the next frame (cleared by the table once
    /// scrolled).
    pub scroll_to: Option<usize>,
    /// Folders expanded in the tree pane.
    pub expanded: HashSet<NodeId>,
    /// Focus the filter box on the next frame.
    pub focus_filter: bool,
}

impl BrowserState {
    /// The rows the table shows now: search results when filtering,
    /// otherwise the current folder's listing.
    pub fn rows(&self, view: View) -> Option<Arc<[NodeId]>> {
        if !self.filter.is_empty() {
            let seq = self.filter_sent.as_ref().map(|f| f.1);
            return self
                .found
                .as_ref()
                .filter(|f| Some(f.0) == seq)
                .map(|f| f.1.clone());
        }
        self.listings.get(&(view, self.dir?, self.sort)).cloned()
    }

    /// The sorted-by-name listing of `dir`, if received.
    pub fn by_name(&self, view: View, dir: NodeId) -> Option<&Arc<[NodeId]>> {
        self.listings.get(&(view, dir, Sort::default()))
    }
}

/// Selected rows.
#[derive(Debug, Clone, Default)]
pub struct SelectionState {
    /// The selected nodes.
    pub nodes: BTreeSet<NodeId>,
    /// Where shift-click ranges start.
    pub anchor: Option<NodeId>,
    /// The row with keyboard focus.
    pub cursor: Option<NodeId>,
}

impl SelectionState {
    /// Selects only `id`.
    pub fn only(&mut self, id: NodeId) {
        self.nodes.clear();
        self.nodes.insert(id);
        self.anchor = Some(id);
        self.cursor = Some(id);
    }

    /// Clears everything.
    pub fn clear(&mut self) {
        *self = SelectionState::default();
    }

    /// The selection as a list (ordered by id).
    pub fn list(&self) -> Vec<NodeId> {
        self.nodes.iter().copied().collect()
    }
}

/// What kind of job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobWhat {
    /// Extracting into a folder.
    Extract {
        /// The folder.
        dest: PathBuf,
    },
    /// Verifying the image.
    Verify,
    /// Extracting for a drag-out.
    DragOut {
        /// The folder the drop target chose (or the staging folder).
        dest: PathBuf,
    },
    /// Extracting a file to open it.
    Open {
        /// The file's name.
        name: String,
        /// How it is opened once extracted.
        how: crate::open_job::OpenHow,
    },
    /// Checksums of files.
    Checksums {
        /// The view the files belong to.
        view: View,
    },
    /// Reading every file.
    Test,
}

/// How far a job is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobStatus {
    /// Waiting for earlier jobs.
    Queued,
    /// Running.
    Running,
    /// Extraction ended.
    Extracted(JobSummary),
    /// Verification ended.
    Verified(VerifyReport),
    /// A file to open was extracted (or not: see the summary).
    Opened(JobSummary),
    /// Checksums ended.
    Checksummed(crate::checksum_job::ChecksumReport),
    /// Test image ended.
    Tested(crate::test_job::TestReport),
}

/// One job as the window shows it.
#[derive(Debug, Clone)]
pub struct JobView {
    /// Its id.
    pub id: JobId,
    /// What it does.
    pub what: JobWhat,
    /// The image it works on.
    pub image: Option<ImageId>,
    /// Where it is.
    pub status: JobStatus,
    /// The last counters.
    pub progress: JobProgress,
    /// When it started running.
    pub started: Option<Instant>,
    /// Seconds it ran, when done.
    pub elapsed: Option<f64>,
    /// Cancel was pressed.
    pub cancelling: bool,
}

impl JobView {
    /// Bytes per second so far.
    pub fn rate(&self) -> f64 {
        let secs = self
            .elapsed
            .or_else(|| self.started.map(|s| s.elapsed().as_secs_f64()))
            .unwrap_or(0.0);
        if secs <= 0.0 {
            0.0
        } else {
            self.progress.bytes_done as f64 / secs
        }
    }

    /// Seconds left at the current rate.
    pub fn eta(&self) -> Option<f64> {
        let rate = self.rate();
        (rate > 0.0).then(|| {
            self.progress
                .bytes_total
                .saturating_sub(self.progress.bytes_done) as f64
                / rate
        })
    }

    /// Whether it has ended.
    pub fn done(&self) -> bool {
        !matches!(self.status, JobStatus::Queued | JobStatus::Running)
    }
}

/// Running and finished jobs.
#[derive(Debug, Clone, Default)]
pub struct JobsState {
    /// Next id to hand out.
    pub next: u64,
    /// Jobs, oldest first (finished ones stay until dismissed).
    pub jobs: Vec<JobView>,
    /// Overwrite questions waiting for an answer, oldest first.
    pub asks: Vec<(JobId, Conflict)>,
    /// The "apply to all" box of the overwrite dialog.
    pub apply_to_all: bool,
}

impl JobsState {
    /// The job with this id.
    pub fn get_mut(&mut self, id: JobId) -> Option<&mut JobView> {
        self.jobs.iter_mut().find(|j| j.id == id)
    }

    /// Adds a queued job for `image` and returns its id.
    pub fn add(&mut self, what: JobWhat, image: Option<ImageId>) -> JobId {
        self.next += 1;
        let id = JobId(self.next);
        self.add_with_id(id, what, image);
        id
    }

    /// Adds a queued job whose id was chosen elsewhere (drag-outs).
    pub fn add_with_id(&mut self, id: JobId, what: JobWhat, image: Option<ImageId>) {
        self.jobs.push(JobView {
            id,
            what,
            image,
            status: JobStatus::Queued,
            progress: JobProgress::default(),
            started: None,
            elapsed: None,
            cancelling: false,
        });
    }

    /// Ends job `id` with `status`.
    pub fn finish(&mut self, id: JobId, status: JobStatus) {
        self.asks.retain(|a| a.0 != id);
        if let Some(j) = self.get_mut(id) {
            j.elapsed = j.started.map(|s| s.elapsed().as_secs_f64());
            j.status = status;
        }
    }

    /// Whether any job is queued or running.
    pub fn busy(&self) -> bool {
        self.jobs.iter().any(|j| !j.done())
    }
}

/// Every view of an image, and the views holding an entry with its path
/// there.
pub type ViewNames = (Vec<View>, Vec<(View, String)>);

/// The names the selected entry has in the image's views (properties).
#[derive(Debug, Clone, Default)]
pub struct NamesState {
    /// The entry last asked about.
    pub asked: Option<(ImageId, View, NodeId)>,
    /// Every view of the image, and the views holding the entry with its
    /// path there (None while the worker reads the other views).
    pub answer: Option<ViewNames>,
}

/// The preview pane.
#[derive(Clone, Default)]
pub struct PreviewState {
    /// The file previewed.
    pub node: Option<NodeId>,
    /// What was asked.
    pub kind: Option<PreviewKind>,
    /// What came back (None while loading).
    pub content: Option<PreviewContent>,
    /// The picture, uploaded.
    pub texture: Option<egui::TextureHandle>,
}

impl std::fmt::Debug for PreviewState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PreviewState")
            .field("node", &self.node)
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}
