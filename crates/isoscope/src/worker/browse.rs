//! The browse thread: opens images, builds trees, sorts listings, searches
//! and reads previews, in the order the UI asked.

use std::collections::HashMap;
use std::io::{Read, Seek, SeekFrom};
use std::path::PathBuf;
use std::sync::Arc;

use crossbeam_channel::{Receiver, Sender};
use iso_core::{Image, NodeId, NodeKind, OpenOptions, Tree, View};

use super::jobs::{Job, JobKind};
use super::{JobControls, Outbox};
use crate::format;
use crate::protocol::{
    Command, Event, ImageId, Opened, PreviewContent, PreviewKind, Sort, SortKey,
};

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

struct Current {
    id: ImageId,
    image: Arc<Image>,
    path: Option<PathBuf>,
    trees: HashMap<View, Arc<Tree>>,
}

struct Browse<'a> {
    out: &'a Outbox,
    jobs: &'a Sender<Job>,
    controls: &'a JobControls,
    settings_path: Option<PathBuf>,
    current: Option<Current>,
}

/// Runs until the UI drops its end of the command channel.
pub fn run(
    rx: &Receiver<Command>,
    out: &Outbox,
    jobs: &Sender<Job>,
    controls: &JobControls,
    settings_path: Option<PathBuf>,
) {
    let mut b = Browse {
        out,
        jobs,
        controls,
        settings_path,
        current: None,
    };
    for cmd in rx {
        b.handle(cmd);
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
                if let Some(tree) = self.tree(image, view) {
                    let rows = listing(&tree, dir, sort);
                    self.out.send(Event::Listing {
                        image,
                        view,
                        dir,
                        sort,
                        rows: rows.into(),
                    });
                }
            }
            Command::Search {
                image,
                view,
                query,
                seq,
            } => {
                if let Some(tree) = self.tree(image, view) {
                    let (rows, truncated) = search(&tree, &query);
                    self.out.send(Event::Found {
                        image,
                        view,
                        seq,
                        rows: rows.into(),
                        truncated,
                    });
                }
            }
            Command::Preview {
                image,
                view,
                node,
                kind,
            } => {
                if let (Some(tree), Some(cur)) = (self.tree(image, view), self.current.as_ref()) {
                    let content = preview(&cur.image, &tree, node, kind);
                    self.out.send(Event::Preview {
                        image,
                        node,
                        kind,
                        content,
                    });
                }
            }
            Command::Extract { job, request } => {
                let (cancel, answers) = self.controls.register(job);
                let found = self
                    .current
                    .as_ref()
                    .filter(|c| c.id == request.image)
                    .and_then(|c| Some((c.image.clone(), c.trees.get(&request.view)?.clone())));
                let kind = match found {
                    Some((image, tree)) => JobKind::Extract {
                        image,
                        tree,
                        nodes: request.nodes,
                        dest: request.dest,
                    },
                    None => JobKind::Missing,
                };
                self.queue(Job {
                    id: job,
                    kind,
                    cancel,
                    answers,
                });
            }
            Command::Verify { job, image } => {
                let (cancel, answers) = self.controls.register(job);
                let kind = match self.current.as_ref().filter(|c| c.id == image) {
                    Some(c) => JobKind::Verify {
                        image: c.image.clone(),
                        path: c.path.clone().filter(|p| p.is_file()),
                    },
                    None => JobKind::Missing,
                };
                self.queue(Job {
                    id: job,
                    kind,
                    cancel,
                    answers,
                });
            }
            Command::Cancel(job) => self.controls.cancel(job),
            Command::Answer { job, answer } => self.controls.answer(job, answer),
            Command::SaveSettings(settings) => {
                if let Some(p) = &self.settings_path {
                    if let Err(e) = settings.save(p) {
                        self.out.send(Event::Problem(e));
                    }
                }
            }
        }
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
                self.current = None;
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
        self.current = Some(Current {
            id,
            image,
            path,
            trees: HashMap::new(),
        });
        if let Some(v) = view {
            self.load_view(id, v);
        }
    }

    fn load_view(&mut self, id: ImageId, view: View) {
        let Some(cur) = self.current.as_mut().filter(|c| c.id == id) else {
            return;
        };
        if let Some(tree) = cur.trees.get(&view) {
            let warnings = tree.warnings().iter().map(ToString::to_string).collect();
            self.out.send(Event::TreeReady {
                image: id,
                view,
                tree: tree.clone(),
                warnings,
            });
            return;
        }
        match cur.image.tree(view) {
            Ok(tree) => {
                let tree = Arc::new(tree);
                cur.trees.insert(view, tree.clone());
                let warnings = tree.warnings().iter().map(ToString::to_string).collect();
                self.out.send(Event::TreeReady {
                    image: id,
                    view,
                    tree,
                    warnings,
                });
            }
            Err(e) => self.out.send(Event::TreeFailed {
                image: id,
                view,
                message: e.to_string(),
            }),
        }
    }

    fn tree(&self, id: ImageId, view: View) -> Option<Arc<Tree>> {
        self.current
            .as_ref()
            .filter(|c| c.id == id)
            .and_then(|c| c.trees.get(&view).cloned())
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
