//! The browse thread: opens images, builds trees, sorts listings, searches
//! and reads previews, in the order the UI asked.
//!
//! Opening shows the root at once: the root directory is read alone
//! ([`Image::root_tree`]) and sent as a partial tree, while a loader thread
//! reads the whole view. Commands that need the whole tree (search,
//! listings below the root, extraction, verification, the names an entry
//! has in other views) wait in `deferred` until it arrives.

use std::collections::{HashMap, HashSet};
use std::io::{Read, Seek, SeekFrom};
use std::path::PathBuf;
use std::sync::Arc;

use crossbeam_channel::{select, unbounded, Receiver, Sender};
use iso_core::crossview::{self, ExtentIndex};
use iso_core::{Image, NodeId, NodeKind, OpenOptions, Tree, View};

use super::jobs::{Job, JobKind};
use super::{JobControls, Outbox};
use crate::extract_job::JobSummary;
use crate::format;
use crate::protocol::{
    Command, Event, ImageId, JobId, Opened, PreviewContent, PreviewKind, Sort, SortKey,
};
use crate::verify_job::VerifyReport;

/// Most search results sent back.
const MAX_FOUND: usize = 50_000;
/// Text preview: bytes read and lines kept.
const TEXT_BYTES: usize = 256 * 1024;
const TEXT_LINES: usize = 400;
/// Pictures larger than this are not decoded.
const PICTURE_BYTES: u64 = 32 << 20;
/// Longest side of a preview thumbnail.
const THUMB: u32 = 512;
/// Hex view: page size and how much of the file it covers.
pub const HEX_PAGE: u64 = 4096;
const HEX_SPAN: u64 = 64 * 1024;

/// A whole view read by a loader thread.
struct Loaded {
    image: ImageId,
    view: View,
    result: iso_core::Result<Tree>,
}

struct Current {
    id: ImageId,
    image: Arc<Image>,
    path: Option<PathBuf>,
    /// Trees by view: partial (root only) until the loader is done.
    trees: HashMap<View, Arc<Tree>>,
    /// Views a loader thread is reading.
    loading: HashSet<View>,
    /// Views that could not be read, with why.
    failed: HashMap<View, String>,
    /// Extent indexes of whole trees, for the names in other views.
    indexes: HashMap<View, Arc<ExtentIndex>>,
}

/// Whether a command's tree is there.
enum Whole {
    /// The whole tree.
    Ready(Arc<Tree>),
    /// Still loading: the command waits.
    Pending,
    /// The image is no longer open or the view failed.
    Gone,
}

struct Browse<'a> {
    out: &'a Outbox,
    jobs: &'a Sender<Job>,
    controls: &'a JobControls,
    settings_path: Option<PathBuf>,
    /// Open images by id (one per tab).
    images: HashMap<ImageId, Current>,
    loaded_tx: Sender<Loaded>,
    /// Commands waiting for a whole tree.
    deferred: Vec<Command>,
}

/// Runs until the UI drops its end of the command channel.
pub fn run(
    rx: &Receiver<Command>,
    out: &Outbox,
    jobs: &Sender<Job>,
    controls: &JobControls,
    settings_path: Option<PathBuf>,
) {
    let (loaded_tx, loaded_rx) = unbounded::<Loaded>();
    let mut b = Browse {
        out,
        jobs,
        controls,
        settings_path,
        images: HashMap::new(),
        loaded_tx,
        deferred: Vec::new(),
    };
    loop {
        select! {
            recv(rx) -> cmd => match cmd {
                Ok(cmd) => b.handle(cmd),
                Err(_) => break,
            },
            recv(loaded_rx) -> l => {
                if let Ok(l) = l {
                    b.loaded(l);
                }
            }
        }
    }
}

impl Browse<'_> {
    fn handle(&mut self, cmd: Command) {
        match cmd {
            Command::Open { image, path, view } => {
                let opened = Image::open(&path, &OpenOptions::default());
                self.opened(image, Some(path), opened, view);
            }
            Command::OpenSource {
                image,
                name,
                source,
            } => {
                let opened = Image::from_source(source, &OpenOptions::default());
                self.opened(image, Some(PathBuf::from(name)), opened, None);
            }
            Command::LoadView { image, view } => self.load_view(image, view),
            Command::List {
                image,
                view,
                dir,
                sort,
            } => {
                // A partial tree lists its root; anything deeper waits.
                let tree = match self.tree(image, view) {
                    Some(t) if !t.is_partial() || dir == t.root() => t,
                    _ => match self.whole(image, view) {
                        Whole::Ready(t) => t,
                        Whole::Pending => {
                            return self.defer(Command::List {
                                image,
                                view,
                                dir,
                                sort,
                            })
                        }
                        Whole::Gone => return,
                    },
                };
                let rows = listing(&tree, dir, sort);
                self.out.send(Event::Listing {
                    image,
                    view,
                    dir,
                    sort,
                    rows: rows.into(),
                });
            }
            Command::Search {
                image,
                view,
                query,
                seq,
            } => match self.whole(image, view) {
                Whole::Ready(tree) => {
                    let (rows, truncated) = search(&tree, &query);
                    self.out.send(Event::Found {
                        image,
                        view,
                        seq,
                        rows: rows.into(),
                        truncated,
                    });
                }
                Whole::Pending => self.defer(Command::Search {
                    image,
                    view,
                    query,
                    seq,
                }),
                Whole::Gone => {}
            },
            Command::Preview {
                image,
                view,
                node,
                kind,
            } => {
                // A partial tree's ids name the same entries as the whole
                // tree's, so it is good enough for a preview.
                if let (Some(tree), Some(cur)) = (self.tree(image, view), self.images.get(&image)) {
                    let content = preview(&cur.image, &tree, node, kind);
                    self.out.send(Event::Preview {
                        image,
                        node,
                        kind,
                        content,
                    });
                }
            }
            Command::Names { image, view, node } => self.names(image, view, node),
            Command::Extract { job, request } => {
                let kind = match (
                    self.whole(request.image, request.view),
                    self.images.get(&request.image),
                ) {
                    (Whole::Pending, _) => return self.defer(Command::Extract { job, request }),
                    (Whole::Ready(tree), Some(c)) => JobKind::Extract {
                        image: c.image.clone(),
                        tree,
                        nodes: request.nodes,
                        dest: request.dest,
                        writable: request.writable,
                        reply: None,
                    },
                    _ => JobKind::Missing,
                };
                let (cancel, answers) = self.controls.register(job);
                self.queue(Job {
                    id: job,
                    kind,
                    cancel,
                    answers,
                });
            }
            Command::DragExtract {
                job,
                request,
                reply,
            } => {
                let kind = match (
                    self.whole(request.image, request.view),
                    self.images.get(&request.image),
                ) {
                    (Whole::Pending, _) => {
                        return self.defer(Command::DragExtract {
                            job,
                            request,
                            reply,
                        })
                    }
                    (Whole::Ready(tree), Some(c)) => {
                        self.out.send(Event::DragQueued {
                            job,
                            image: request.image,
                            dest: request.dest.clone(),
                        });
                        JobKind::Extract {
                            image: c.image.clone(),
                            tree,
                            nodes: request.nodes,
                            dest: request.dest,
                            writable: request.writable,
                            reply: Some(reply),
                        }
                    }
                    _ => {
                        let _ = reply.send(JobSummary {
                            error: Some("the image is no longer open".into()),
                            ..JobSummary::default()
                        });
                        return;
                    }
                };
                self.queue_job(job, kind);
            }
            Command::OpenFile { job, request } => {
                let kind = match self.whole(request.image, request.view) {
                    Whole::Pending => return self.defer(Command::OpenFile { job, request }),
                    Whole::Ready(tree) => {
                        match (request.nodes.first(), self.images.get(&request.image)) {
                            (Some(&node), Some(c)) => JobKind::OpenFile {
                                image: c.image.clone(),
                                tree,
                                node,
                                dir: request.dest,
                            },
                            _ => JobKind::Missing,
                        }
                    }
                    Whole::Gone => JobKind::Missing,
                };
                self.queue_job(job, kind);
            }
            Command::Checksums {
                job,
                image,
                view,
                nodes,
            } => {
                let kind = match (self.whole(image, view), self.images.get(&image)) {
                    (Whole::Pending, _) => {
                        return self.defer(Command::Checksums {
                            job,
                            image,
                            view,
                            nodes,
                        })
                    }
                    (Whole::Ready(tree), Some(c)) => JobKind::Checksums {
                        image: c.image.clone(),
                        tree,
                        nodes,
                    },
                    _ => JobKind::Missing,
                };
                self.queue_job(job, kind);
            }
            Command::Test { job, image, view } => {
                let kind = match (self.whole(image, view), self.images.get(&image)) {
                    (Whole::Pending, _) => return self.defer(Command::Test { job, image, view }),
                    (Whole::Ready(tree), Some(c)) => JobKind::Test {
                        image: c.image.clone(),
                        tree,
                    },
                    _ => JobKind::Missing,
                };
                self.queue_job(job, kind);
            }
            Command::Verify { job, image } => {
                // The default view's tree finds the disc's own checksum
                // lists (md5sum.txt, ...); an image without one is hashed
                // all the same.
                let view = self.images.get(&image).and_then(|c| c.image.default_view());
                let tree = match view.map(|v| self.whole(image, v)) {
                    Some(Whole::Pending) => return self.defer(Command::Verify { job, image }),
                    Some(Whole::Ready(t)) => Some(t),
                    _ => None,
                };
                let kind = match self.images.get(&image) {
                    Some(c) => JobKind::Verify {
                        image: c.image.clone(),
                        path: c.path.clone().filter(|p| p.is_file()),
                        tree,
                    },
                    None => JobKind::Missing,
                };
                let (cancel, answers) = self.controls.register(job);
                self.queue(Job {
                    id: job,
                    kind,
                    cancel,
                    answers,
                });
            }
            Command::Cancel(job) => {
                // A job still waiting for its tree ends here.
                if let Some(i) = self.deferred.iter().position(|c| job_of(c) == Some(job)) {
                    let cmd = self.deferred.remove(i);
                    self.out.send(cancelled(&cmd, job));
                }
                self.controls.cancel(job);
            }
            Command::Answer { job, answer } => self.controls.answer(job, answer),
            Command::Close(image) => {
                // Its tab closed: forget it; commands still waiting for
                // its trees are answered (jobs as missing).
                self.images.remove(&image);
                self.retry_deferred();
            }
            Command::SaveSettings(settings) => {
                if let Some(p) = &self.settings_path {
                    if let Err(e) = settings.save(p) {
                        self.out.send(Event::Problem(e));
                    }
                }
            }
        }
    }

    /// Registers a job's controls and queues it.
    fn queue_job(&self, id: JobId, kind: JobKind) {
        let (cancel, answers) = self.controls.register(id);
        self.queue(Job {
            id,
            kind,
            cancel,
            answers,
        });
    }

    fn defer(&mut self, cmd: Command) {
        self.deferred.push(cmd);
    }

    fn queue(&self, job: Job) {
        if self.jobs.send(job).is_err() {
            self.out
                .send(Event::Problem("the jobs thread has stopped".into()));
        }
    }

    fn opened(
        &mut self,
        id: ImageId,
        path: Option<PathBuf>,
        opened: iso_core::Result<Image>,
        wanted: Option<View>,
    ) {
        let image = match opened {
            Ok(i) => Arc::new(i),
            Err(e) => {
                self.out.send(Event::OpenFailed {
                    image: id,
                    path,
                    message: open_error(&e),
                });
                return;
            }
        };
        let view = wanted
            .filter(|v| image.views().contains(v))
            .or_else(|| image.default_view());
        let name = path
            .as_ref()
            .and_then(|p| p.file_name())
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "image".into());
        self.out.send(Event::Opened(Box::new(Opened {
            image: id,
            path: path.clone(),
            name,
            info: Arc::new(image.info().clone()),
            warnings: image.warnings().iter().map(ToString::to_string).collect(),
            view,
            handle: image.clone(),
        })));
        self.images.insert(
            id,
            Current {
                id,
                image,
                path,
                trees: HashMap::new(),
                loading: HashSet::new(),
                failed: HashMap::new(),
                indexes: HashMap::new(),
            },
        );
        if let Some(v) = view {
            self.load_view(id, v);
        }
    }

    /// Sends `view`'s tree: at once when read before, else its root now
    /// and the whole tree when the loader is done.
    fn load_view(&mut self, id: ImageId, view: View) {
        let Some(cur) = self.images.get_mut(&id) else {
            return;
        };
        if let Some(message) = cur.failed.get(&view) {
            self.out.send(Event::TreeFailed {
                image: id,
                view,
                message: message.clone(),
            });
            return;
        }
        if let Some(tree) = cur.trees.get(&view) {
            self.out.send(tree_ready(id, view, tree));
            return;
        }
        match cur.image.root_tree(view) {
            Ok(tree) => {
                let tree = Arc::new(tree);
                cur.trees.insert(view, tree.clone());
                self.out.send(tree_ready(id, view, &tree));
                self.start_load(id, view);
            }
            Err(e) => {
                cur.failed.insert(view, e.to_string());
                self.out.send(Event::TreeFailed {
                    image: id,
                    view,
                    message: e.to_string(),
                });
            }
        }
    }

    /// Starts a loader thread reading the whole of `view` (once).
    fn start_load(&mut self, id: ImageId, view: View) {
        let Some(cur) = self.images.get_mut(&id) else {
            return;
        };
        let whole = cur.trees.get(&view).is_some_and(|t| !t.is_partial());
        if whole || cur.failed.contains_key(&view) || !cur.loading.insert(view) {
            return;
        }
        let (image, id, tx) = (cur.image.clone(), cur.id, self.loaded_tx.clone());
        let spawned = std::thread::Builder::new()
            .name("isoscope-load".into())
            .spawn(move || {
                let result = image.tree(view);
                let _ = tx.send(Loaded {
                    image: id,
                    view,
                    result,
                });
            });
        if let Err(e) = spawned {
            cur.loading.remove(&view);
            cur.failed
                .insert(view, format!("cannot start a thread to read it: {e}"));
        }
    }

    /// A loader is done: keep and send its tree, then run the commands
    /// that waited for it.
    fn loaded(&mut self, l: Loaded) {
        let Some(cur) = self.images.get_mut(&l.image) else {
            return;
        };
        cur.loading.remove(&l.view);
        match l.result {
            Ok(tree) => {
                let tree = Arc::new(tree);
                cur.trees.insert(l.view, tree.clone());
                self.out.send(tree_ready(l.image, l.view, &tree));
            }
            Err(e) => {
                cur.trees.remove(&l.view);
                cur.failed.insert(l.view, e.to_string());
                self.out.send(Event::TreeFailed {
                    image: l.image,
                    view: l.view,
                    message: e.to_string(),
                });
            }
        }
        self.retry_deferred();
    }

    fn retry_deferred(&mut self) {
        for cmd in std::mem::take(&mut self.deferred) {
            self.handle(cmd);
        }
    }

    /// The whole tree of `view`, starting its loader when needed.
    fn whole(&mut self, id: ImageId, view: View) -> Whole {
        let Some(cur) = self.images.get(&id) else {
            return Whole::Gone;
        };
        if cur.failed.contains_key(&view) || !cur.image.views().contains(&view) {
            return Whole::Gone;
        }
        match cur.trees.get(&view) {
            Some(t) if !t.is_partial() => Whole::Ready(t.clone()),
            _ => {
                self.start_load(id, view);
                Whole::Pending
            }
        }
    }

    /// The names `node` of `view` has in every view of the image (every
    /// view's whole tree is read for it, once).
    fn names(&mut self, id: ImageId, view: View, node: NodeId) {
        let views: Vec<View> = match self.images.get(&id) {
            Some(c) => c.image.views().to_vec(),
            None => return,
        };
        let mut trees = Vec::new();
        let mut pending = false;
        for &v in &views {
            match self.whole(id, v) {
                Whole::Ready(t) => trees.push(t),
                Whole::Pending => pending = true,
                Whole::Gone => {}
            }
        }
        if pending {
            return self.defer(Command::Names {
                image: id,
                view,
                node,
            });
        }
        let Some(cur) = self.images.get_mut(&id) else {
            return;
        };
        let Some(from) = trees.iter().find(|t| t.view() == view).cloned() else {
            return;
        };
        if !from.contains(node) {
            return;
        }
        let mut indexed = Vec::new();
        for t in &trees {
            let index = cur
                .indexes
                .entry(t.view())
                .or_insert_with(|| Arc::new(ExtentIndex::new(t)))
                .clone();
            indexed.push((t.clone(), index));
        }
        let others: Vec<(&Tree, &ExtentIndex)> = indexed
            .iter()
            .map(|(t, i)| (t.as_ref(), i.as_ref()))
            .collect();
        let names = crossview::names_in(&from, node, &others);
        self.out.send(Event::Names {
            image: id,
            view,
            node,
            views,
            names,
        });
    }

    fn tree(&self, id: ImageId, view: View) -> Option<Arc<Tree>> {
        self.images
            .get(&id)
            .and_then(|c| c.trees.get(&view).cloned())
    }
}

/// The job a waiting command starts.
fn job_of(cmd: &Command) -> Option<JobId> {
    match cmd {
        Command::Extract { job, .. }
        | Command::DragExtract { job, .. }
        | Command::Verify { job, .. }
        | Command::OpenFile { job, .. }
        | Command::Checksums { job, .. }
        | Command::Test { job, .. } => Some(*job),
        _ => None,
    }
}

/// The end of a job cancelled before it was queued.
fn cancelled(cmd: &Command, job: JobId) -> Event {
    match cmd {
        Command::Verify { .. } => Event::VerifyDone {
            job,
            report: VerifyReport {
                cancelled: true,
                ..VerifyReport::default()
            },
        },
        Command::Checksums { .. } => Event::ChecksumsDone {
            job,
            report: crate::checksum_job::ChecksumReport {
                cancelled: true,
                ..Default::default()
            },
        },
        Command::Test { .. } => Event::TestDone {
            job,
            report: crate::test_job::TestReport {
                cancelled: true,
                ..Default::default()
            },
        },
        _ => Event::JobDone {
            job,
            summary: JobSummary {
                cancelled: true,
                ..JobSummary::default()
            },
        },
    }
}

fn tree_ready(image: ImageId, view: View, tree: &Arc<Tree>) -> Event {
    Event::TreeReady {
        image,
        view,
        tree: tree.clone(),
        warnings: tree.warnings().iter().map(ToString::to_string).collect(),
    }
}

/// The sentence shown when an image cannot be opened.
fn open_error(e: &iso_core::Error) -> String {
    match e {
        iso_core::Error::NotAnImage(_) => format!("not a disc image: {e}"),
        _ => e.to_string(),
    }
}

/// The children of `dir`, folders first, in `sort` order.
pub fn listing(tree: &Tree, dir: NodeId, sort: Sort) -> Vec<NodeId> {
    if !tree.contains(dir) || !tree.is_dir(dir) {
        return Vec::new();
    }
    let mut rows: Vec<NodeId> = tree.children(dir).collect();
    match sort.key {
        SortKey::Name => {
            let mut keyed: Vec<(bool, String, NodeId)> = rows
                .iter()
                .map(|&id| (!tree.is_dir(id), tree.name(id).to_lowercase(), id))
                .collect();
            keyed.sort_unstable_by(|a, b| {
                a.0.cmp(&b.0).then_with(|| {
                    let o = a.1.cmp(&b.1);
                    if sort.descending {
                        o.reverse()
                    } else {
                        o
                    }
                })
            });
            return keyed.into_iter().map(|k| k.2).collect();
        }
        SortKey::Size => rows.sort_by_key(|&id| tree.size(id)),
        SortKey::Modified => rows.sort_by_key(|&id| tree.mtime(id)),
        SortKey::Type => rows.sort_by_cached_key(|&id| format::type_label(tree, id)),
    }
    if sort.descending {
        rows.reverse();
    }
    // Stable: keeps the order above within folders and within files.
    rows.sort_by_key(|&id| !tree.is_dir(id));
    rows
}

/// Nodes whose name contains `query` (case-insensitive), in walk order.
pub fn search(tree: &Tree, query: &str) -> (Vec<NodeId>, bool) {
    let q = query.to_lowercase();
    let mut out = Vec::new();
    if q.is_empty() {
        return (out, false);
    }
    for id in tree.walk(tree.root()) {
        if id == tree.root() {
            continue;
        }
        if tree.name(id).to_lowercase().contains(&q) {
            if out.len() >= MAX_FOUND {
                return (out, true);
            }
            out.push(id);
        }
    }
    (out, false)
}

fn preview(image: &Image, tree: &Tree, node: NodeId, kind: PreviewKind) -> PreviewContent {
    if !tree.contains(node) || tree.kind(node) != NodeKind::File {
        return PreviewContent::Unavailable("only files have a preview".into());
    }
    let mut reader = match image.open_file(tree, node) {
        Ok(r) => r,
        Err(e) => return PreviewContent::Unavailable(format!("cannot read the file: {e}")),
    };
    let size = tree.size(node);
    match kind {
        PreviewKind::Text => {
            let mut buf = Vec::new();
            let cap = u64::try_from(TEXT_BYTES).unwrap_or(u64::MAX);
            if let Err(e) = reader.by_ref().take(cap).read_to_end(&mut buf) {
                return PreviewContent::Unavailable(format!("cannot read the file: {e}"));
            }
            if buf.iter().take(8192).any(|&b| b == 0) {
                return PreviewContent::Unavailable("this looks like a binary file".into());
            }
            let text = String::from_utf8_lossy(&buf);
            let lines: Vec<&str> = text.lines().take(TEXT_LINES).collect();
            PreviewContent::Text(lines.join("\n"))
        }
        PreviewKind::Picture => {
            if size > PICTURE_BYTES {
                return PreviewContent::Unavailable("too large to preview".into());
            }
            let mut buf = Vec::new();
            if let Err(e) = reader.read_to_end(&mut buf) {
                return PreviewContent::Unavailable(format!("cannot read the file: {e}"));
            }
            match image::load_from_memory(&buf) {
                Ok(img) => {
                    let original = [img.width(), img.height()];
                    let thumb = if img.width() > THUMB || img.height() > THUMB {
                        img.thumbnail(THUMB, THUMB)
                    } else {
                        img
                    };
                    let rgba = thumb.to_rgba8();
                    let size = [
                        usize::try_from(rgba.width()).unwrap_or(0),
                        usize::try_from(rgba.height()).unwrap_or(0),
                    ];
                    PreviewContent::Picture {
                        size,
                        rgba: rgba.into_raw(),
                        original,
                    }
                }
                Err(e) => PreviewContent::Unavailable(format!("cannot decode the picture: {e}")),
            }
        }
        PreviewKind::Hex { page } => {
            let span = size.min(HEX_SPAN);
            let pages = u32::try_from(span.div_ceil(HEX_PAGE)).unwrap_or(1).max(1);
            let page = page.min(pages - 1);
            let offset = u64::from(page) * HEX_PAGE;
            let mut bytes = Vec::new();
            let read = reader
                .seek(SeekFrom::Start(offset))
                .and_then(|_| reader.take(HEX_PAGE).read_to_end(&mut bytes));
            match read {
                Ok(_) => PreviewContent::Hex {
                    page,
                    offset,
                    bytes,
                    pages,
                },
                Err(e) => PreviewContent::Unavailable(format!("cannot read the file: {e}")),
            }
        }
    }
}
