//! The one worker protocol: [`Command`]s go from the UI to the worker,
//! [`Event`]s come back. Variants carry ids ([`ImageId`], [`NodeId`],
//! [`JobId`]) and owned data, never references into UI state.
//!
//! Two kinds of shared, immutable data do travel: the opened [`Image`] and a
//! view's [`Tree`] (both behind `Arc`). The tree is an in-memory arena the UI
//! reads row by row while it paints (no parsing, no I/O); the image handle
//! is only passed back into jobs (drag-out extraction), never read by the UI.

use std::path::PathBuf;
use std::sync::Arc;

use iso_core::{Image, ImageInfo, ImageSource, NodeId, Tree, View};

use crate::checksum_job::ChecksumReport;
use crate::extract_job::{Conflict, JobProgress, JobSummary, OverwriteAnswer};
use crate::settings::Settings;
use crate::test_job::TestReport;
use crate::verify_job::VerifyReport;

/// One opened image (a new id for every open, so late events of a previous
/// image are recognised and dropped).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ImageId(pub u64);

/// One extraction or verification job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct JobId(pub u64);

/// A column the folder listing is sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum SortKey {
    /// Name, case-insensitive.
    Name,
    /// Size in bytes.
    Size,
    /// Modification time.
    Modified,
    /// Type (folder, extension).
    Type,
}

/// A listing order; folders always come first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Sort {
    /// The column.
    pub key: SortKey,
    /// Largest/last first.
    pub descending: bool,
}

impl Default for Sort {
    fn default() -> Self {
        Sort {
            key: SortKey::Name,
            descending: false,
        }
    }
}

/// What the preview pane asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PreviewKind {
    /// The first lines of a text file.
    Text,
    /// A picture decoded to RGBA.
    Picture,
    /// One 4 KiB page of the first 64 KiB as hex.
    Hex {
        /// Page number, from 0.
        page: u32,
    },
}

/// Where a job writes.
#[derive(Debug, Clone)]
pub struct ExtractRequest {
    /// The image.
    pub image: ImageId,
    /// The view the nodes belong to.
    pub view: View,
    /// What to extract (empty: everything).
    pub nodes: Vec<NodeId>,
    /// Destination folder.
    pub dest: PathBuf,
    /// Give the owner write permission on what is written.
    pub writable: bool,
}

/// UI → worker.
#[derive(Debug)]
pub enum Command {
    /// Open the image file at `path`, then load `view` (or the default view).
    Open {
        /// Id given to this image.
        image: ImageId,
        /// The file.
        path: PathBuf,
        /// The view to load first, when the image has it.
        view: Option<View>,
    },
    /// Open an image from any source (tests: slow or in-memory sources).
    OpenSource {
        /// Id given to this image.
        image: ImageId,
        /// Name shown for it.
        name: String,
        /// The bytes.
        source: Arc<dyn ImageSource>,
    },
    /// Load (once) the tree of another view of the open image.
    LoadView {
        /// The image.
        image: ImageId,
        /// The view.
        view: View,
    },
    /// Sort the children of `dir`.
    List {
        /// The image.
        image: ImageId,
        /// The view.
        view: View,
        /// The folder.
        dir: NodeId,
        /// The order.
        sort: Sort,
    },
    /// Find names containing `query` (case-insensitive) anywhere in the view.
    Search {
        /// The image.
        image: ImageId,
        /// The view.
        view: View,
        /// What to look for.
        query: String,
        /// Answers carry it back; only the latest is shown.
        seq: u64,
    },
    /// Read a preview of a file.
    Preview {
        /// The image.
        image: ImageId,
        /// The view.
        view: View,
        /// The file.
        node: NodeId,
        /// What kind.
        kind: PreviewKind,
    },
    /// The names an entry has in every view of the image (for the
    /// properties panel); answered with [`Event::Names`].
    Names {
        /// The image.
        image: ImageId,
        /// The view `node` belongs to.
        view: View,
        /// The entry.
        node: NodeId,
    },
    /// Queue an extraction.
    Extract {
        /// Its id.
        job: JobId,
        /// What and where.
        request: ExtractRequest,
    },
    /// Extract for a drag-out: as [`Command::Extract`], and the summary
    /// (with the paths the engine wrote) also goes to `reply`, which the
    /// platform's drag code waits on.
    DragExtract {
        /// Its id (from [`crate::drag::next_job_id`]).
        job: JobId,
        /// What and where (the folder the drop target chose, or staging).
        request: ExtractRequest,
        /// Where the summary goes.
        reply: crossbeam_channel::Sender<JobSummary>,
    },
    /// Queue a verification of the open image.
    Verify {
        /// Its id.
        job: JobId,
        /// The image.
        image: ImageId,
    },
    /// Extract one file into `dir` (the session's temporary folder) for
    /// opening it in its default application.
    OpenFile {
        /// Its id.
        job: JobId,
        /// What and where (`nodes` holds the one file).
        request: ExtractRequest,
    },
    /// Hash the files among `nodes` (folders: the files below them).
    Checksums {
        /// Its id.
        job: JobId,
        /// The image.
        image: ImageId,
        /// The view.
        view: View,
        /// What.
        nodes: Vec<NodeId>,
    },
    /// Read every file of a view end to end.
    Test {
        /// Its id.
        job: JobId,
        /// The image.
        image: ImageId,
        /// The view.
        view: View,
    },
    /// The image's tab closed: forget it.
    Close(ImageId),
    /// Stop a running or queued job.
    Cancel(JobId),
    /// Answer an overwrite question of a job.
    Answer {
        /// The job asking.
        job: JobId,
        /// The answer.
        answer: OverwriteAnswer,
    },
    /// Write the settings file.
    SaveSettings(Box<Settings>),
}

/// An image was opened.
#[derive(Debug, Clone)]
pub struct Opened {
    /// Its id.
    pub image: ImageId,
    /// The file, when opened from a file.
    pub path: Option<PathBuf>,
    /// Name shown in the title.
    pub name: String,
    /// What the descriptors say.
    pub info: Arc<ImageInfo>,
    /// Warnings from opening, as sentences.
    pub warnings: Vec<String>,
    /// The view the worker loads first.
    pub view: Option<View>,
    /// Handle for jobs started from the UI thread (drag-out).
    pub handle: Arc<Image>,
}

/// What a preview turned out to be.
#[derive(Debug, Clone)]
pub enum PreviewContent {
    /// Text lines (already cut to a few hundred lines).
    Text(String),
    /// A decoded picture.
    Picture {
        /// Width and height in pixels.
        size: [usize; 2],
        /// RGBA pixels.
        rgba: Vec<u8>,
        /// Original width and height.
        original: [u32; 2],
    },
    /// A page of bytes.
    Hex {
        /// Page number.
        page: u32,
        /// Offset of the first byte.
        offset: u64,
        /// The bytes.
        bytes: Vec<u8>,
        /// Pages available (of the first 64 KiB).
        pages: u32,
    },
    /// Could not be shown.
    Unavailable(String),
}

/// Worker → UI.
#[derive(Debug)]
pub enum Event {
    /// Descriptors read.
    Opened(Box<Opened>),
    /// Opening failed.
    OpenFailed {
        /// The image id.
        image: ImageId,
        /// The file.
        path: Option<PathBuf>,
        /// Why, as a sentence.
        message: String,
    },
    /// A view's tree: first its root alone ([`Tree::is_partial`]), then
    /// the whole tree with the same ids.
    TreeReady {
        /// The image.
        image: ImageId,
        /// The view.
        view: View,
        /// The tree.
        tree: Arc<Tree>,
        /// Warnings found while reading it.
        warnings: Vec<String>,
    },
    /// A view could not be read.
    TreeFailed {
        /// The image.
        image: ImageId,
        /// The view.
        view: View,
        /// Why.
        message: String,
    },
    /// A sorted folder listing.
    Listing {
        /// The image.
        image: ImageId,
        /// The view.
        view: View,
        /// The folder.
        dir: NodeId,
        /// The order.
        sort: Sort,
        /// The children, folders first.
        rows: Arc<[NodeId]>,
    },
    /// Search results.
    Found {
        /// The image.
        image: ImageId,
        /// The view.
        view: View,
        /// The request's sequence number.
        seq: u64,
        /// Matching nodes, in walk order.
        rows: Arc<[NodeId]>,
        /// More matched than were returned.
        truncated: bool,
    },
    /// A preview.
    Preview {
        /// The image.
        image: ImageId,
        /// The file.
        node: NodeId,
        /// What was asked.
        kind: PreviewKind,
        /// What it is.
        content: PreviewContent,
    },
    /// The names an entry has in the image's views.
    Names {
        /// The image.
        image: ImageId,
        /// The view asked about.
        view: View,
        /// The entry.
        node: NodeId,
        /// Every view of the image.
        views: Vec<View>,
        /// The views that hold the entry, with its path there.
        names: Vec<(View, String)>,
    },
    /// A drag-out's extraction was queued (the window shows it as a job).
    DragQueued {
        /// The job.
        job: JobId,
        /// The image.
        image: ImageId,
        /// Where it extracts.
        dest: PathBuf,
    },
    /// A job started running.
    JobStarted(JobId),
    /// A job's counters (at most ~10 a second).
    JobProgress {
        /// The job.
        job: JobId,
        /// The counters.
        progress: JobProgress,
    },
    /// A job asks whether to overwrite a file.
    JobAsk {
        /// The job.
        job: JobId,
        /// The clash.
        conflict: Conflict,
    },
    /// An extraction ended.
    JobDone {
        /// The job.
        job: JobId,
        /// What happened.
        summary: JobSummary,
    },
    /// A verification ended.
    VerifyDone {
        /// The job.
        job: JobId,
        /// What was found.
        report: VerifyReport,
    },
    /// A file to open was extracted (or failed: see the summary).
    FileReady {
        /// The job.
        job: JobId,
        /// What happened.
        summary: JobSummary,
        /// The extracted file, when it was written.
        file: Option<PathBuf>,
    },
    /// Checksums of files ended.
    ChecksumsDone {
        /// The job.
        job: JobId,
        /// What was computed.
        report: ChecksumReport,
    },
    /// Test image ended.
    TestDone {
        /// The job.
        job: JobId,
        /// What was found.
        report: TestReport,
    },
    /// A file chosen in the native dialog (None: cancelled or no dialog).
    PickedImage(Option<PathBuf>),
    /// A folder chosen in the native dialog for an extraction.
    PickedDest {
        /// The folder (None: cancelled or no dialog).
        dest: Option<PathBuf>,
        /// What to extract.
        nodes: Vec<NodeId>,
    },
    /// Something failed outside any job (settings file, ...).
    Problem(String),
}

impl Event {
    /// The variant's name (frame stats name slow events by it).
    pub fn name(&self) -> &'static str {
        match self {
            Event::Opened { .. } => "Opened",
            Event::OpenFailed { .. } => "OpenFailed",
            Event::TreeReady { .. } => "TreeReady",
            Event::TreeFailed { .. } => "TreeFailed",
            Event::Listing { .. } => "Listing",
            Event::Found { .. } => "Found",
            Event::Preview { .. } => "Preview",
            Event::Names { .. } => "Names",
            Event::DragQueued { .. } => "DragQueued",
            Event::JobStarted { .. } => "JobStarted",
            Event::JobProgress { .. } => "JobProgress",
            Event::JobAsk { .. } => "JobAsk",
            Event::JobDone { .. } => "JobDone",
            Event::VerifyDone { .. } => "VerifyDone",
            Event::FileReady { .. } => "FileReady",
            Event::ChecksumsDone { .. } => "ChecksumsDone",
            Event::TestDone { .. } => "TestDone",
            Event::PickedImage { .. } => "PickedImage",
            Event::PickedDest { .. } => "PickedDest",
            Event::Problem { .. } => "Problem",
        }
    }
}
