//! [`Image`]: an opened disc image, its descriptors and its views.

use std::path::Path;
use std::sync::Arc;

use crate::eltorito::BootCatalog;
use crate::error::{Error, Result, Warning};
use crate::info::{read_info, ImageInfo};
use crate::iso9660::sessions::{self, Session};
use crate::iso9660::{self, NameMode, WalkOptions};
use crate::reader::{ExtentReader, FileReader};
use crate::source::disc::{Disc, DiscInfo};
use crate::source::{FileSource, ImageSource};
use crate::tree::{Encoding, NodeId, Tree};
use crate::view::View;
use crate::walk::Limits;
use crate::zisofs::ZisofsReader;

/// Options for [`Image::open`].
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct OpenOptions {
    /// Bounds on the work a tree may cost (depth, entries, bytes read).
    pub limits: Limits,
    /// Which session of a multi-session image to read (1 = the oldest, as
    /// in [`Image::sessions`]); `None` reads the newest.
    pub session: Option<u32>,
    /// For a disc container (BIN/CUE, NRG ...): the number of the data
    /// track whose file system is read; `None` takes the first data track
    /// (of the chosen session).
    pub track: Option<u8>,
}

impl OpenOptions {
    /// The defaults, reading session `session` (`None`: the newest).
    pub fn with_session(session: Option<u32>) -> Self {
        OpenOptions {
            session,
            ..OpenOptions::default()
        }
    }
}

/// An opened disc image.
#[derive(Debug, Clone)]
pub struct Image {
    source: Arc<dyn ImageSource>,
    info: ImageInfo,
    warnings: Vec<Warning>,
    options: OpenOptions,
    disc: Option<Arc<Disc>>,
}

impl Image {
    /// Opens the image file at `path`. Reads descriptors only: cheap for any
    /// image size.
    ///
    /// # Errors
    /// [`Error::Io`] when the file cannot be read, [`Error::NotAnImage`]
    /// when it holds no ISO 9660 or UDF signature, [`Error::NotFound`] when
    /// [`OpenOptions::session`] names a session the image does not have.
    pub fn open(path: &Path, options: &OpenOptions) -> Result<Self> {
        if let Some(disc) = crate::source::container::open(path)? {
            return Self::from_disc(Arc::new(disc), options);
        }
        let source = FileSource::open(path)?;
        Self::from_source(Arc::new(source), options)
    }

    /// Opens the file system of a disc container's data track (see
    /// [`OpenOptions::track`] and [`OpenOptions::session`]); a disc with
    /// no data track opens with no views.
    ///
    /// # Errors
    /// As [`Image::open`]; [`Error::NotFound`] for a track or session the
    /// disc does not have.
    pub fn from_disc(disc: Arc<Disc>, options: &OpenOptions) -> Result<Self> {
        let source: Arc<dyn ImageSource> = disc.clone();
        let pick = crate::source::container::pick_track(&disc, options.track, options.session)?;
        let mut image = match pick {
            // One session starting at LBA 0: the file system finds its
            // own sessions, as in a plain image.
            Some(t) if t.start == 0 && disc.sessions().len() <= 1 => {
                Self::from_source(source, options)?
            }
            Some(t) => {
                let mut warnings = Vec::new();
                let vds = t.start.saturating_add(16);
                let mut info = read_info(source.as_ref(), vds, &mut warnings)?;
                info.sessions = crate::source::container::disc_sessions(&disc, source.as_ref());
                info.session = Some(u32::from(t.session));
                Image {
                    source,
                    info,
                    warnings,
                    options: options.clone(),
                    disc: None,
                }
            }
            None => Image {
                info: ImageInfo::empty(source.len()),
                source,
                warnings: Vec::new(),
                options: options.clone(),
                disc: None,
            },
        };
        image.info.disc = Some(DiscInfo {
            container: disc.kind,
            tracks: disc.tracks.clone(),
            data_track: pick.map(|t| t.number),
        });
        let mut warnings = disc.warnings.clone();
        warnings.append(&mut image.warnings);
        image.warnings = warnings;
        image.disc = Some(disc);
        Ok(image)
    }

    /// The disc container the image was read from, when it came in one:
    /// its tracks, raw sectors and audio.
    pub fn disc(&self) -> Option<&Arc<Disc>> {
        self.disc.as_ref()
    }

    /// Opens an image from any source.
    ///
    /// # Errors
    /// As [`Image::open`].
    pub fn from_source(source: Arc<dyn ImageSource>, options: &OpenOptions) -> Result<Self> {
        let mut warnings = Vec::new();
        let found = sessions::discover(source.as_ref(), &mut warnings);
        let vds_lba = found.vds_lba(options.session)?;
        let mut info = read_info(source.as_ref(), vds_lba, &mut warnings)?;
        info.session = match options.session {
            Some(n) => Some(n),
            None => found.sessions.last().map(|s| s.number),
        };
        info.sessions = found.sessions;
        Ok(Image {
            source,
            info,
            warnings,
            options: options.clone(),
            disc: None,
        })
    }

    /// What the descriptors say.
    pub fn info(&self) -> &ImageInfo {
        &self.info
    }

    /// Problems found while opening (the views' own problems are in
    /// [`Tree::warnings`]).
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }

    /// The views this image offers, richest first.
    pub fn views(&self) -> &[View] {
        &self.info.views
    }

    /// The richest view: Rock Ridge, then Joliet, then ISO 9660:1999, then
    /// plain ISO 9660. `None` when the image has no view this library reads.
    pub fn default_view(&self) -> Option<View> {
        self.info.views.first().copied()
    }

    /// The ISO 9660 sessions, oldest first. The views show the newest
    /// unless [`OpenOptions::session`] chose another.
    pub fn sessions(&self) -> &[Session] {
        &self.info.sessions
    }

    /// The El Torito boot catalog.
    pub fn boot_catalog(&self) -> Option<&BootCatalog> {
        self.info.boot_catalog()
    }

    /// The image's bytes.
    pub fn source(&self) -> &Arc<dyn ImageSource> {
        &self.source
    }

    /// Reads the whole tree of `view`.
    ///
    /// # Errors
    /// [`Error::NotFound`] when the image has no such view; errors reading
    /// the root directory. Damage below the root becomes warnings.
    pub fn tree(&self, view: View) -> Result<Tree> {
        self.build(view, false)
    }

    /// Reads the root directory of `view` alone: quick on any image, so a
    /// window can show the root while [`Image::tree`] reads the rest. The
    /// tree is [`Tree::is_partial`]; its subdirectories have no children
    /// and the `/[BOOT]` folder is empty. Its node ids are a prefix of the
    /// whole tree's: every id it has names the same entry in [`Image::tree`].
    ///
    /// # Errors
    /// As [`Image::tree`].
    pub fn root_tree(&self, view: View) -> Result<Tree> {
        self.build(view, true)
    }

    fn build(&self, view: View, root_only: bool) -> Result<Tree> {
        if !self.info.views.contains(&view) {
            return Err(Error::NotFound(format!(
                "this image has no {} view (it has: {})",
                view.label(),
                self.views_list()
            )));
        }
        let iso = self.info.iso9660.as_ref();
        let susp = iso.and_then(|i| i.susp);
        let (vd, names, rr) = match view {
            View::RockRidge => (iso.and_then(|i| i.primary.as_ref()), NameMode::Iso, susp),
            View::Iso9660 => (iso.and_then(|i| i.primary.as_ref()), NameMode::Iso, None),
            View::Joliet => (iso.and_then(|i| i.joliet.as_ref()), NameMode::Joliet, None),
            View::Iso9660_1999 => (
                iso.and_then(|i| i.enhanced.as_ref()),
                NameMode::Enhanced,
                None,
            ),
            View::Udf => {
                let vol = self
                    .info
                    .udf
                    .as_ref()
                    .ok_or_else(|| Error::NotFound(view.label().to_string()))?;
                let opts = crate::udf::WalkOptions {
                    limits: &self.options.limits,
                    root_only,
                    boot: self.info.boot_catalog(),
                };
                return crate::udf::build_tree(&self.source, vol, &opts);
            }
        };
        let vd = vd.ok_or_else(|| Error::NotFound(view.label().to_string()))?;
        let opts = WalkOptions {
            view,
            names,
            rr,
            limits: &self.options.limits,
            root_only,
            boot: self.info.boot_catalog(),
        };
        let tree = iso9660::build_tree(&self.source, vd, &opts)?;
        match &self.disc {
            Some(disc) => {
                let mut tree = crate::source::tracks_dir::add_tracks_dir(tree, disc)?;
                crate::source::tracks_dir::mark_form2(&mut tree, disc);
                Ok(tree)
            }
            None => Ok(tree),
        }
    }

    fn views_list(&self) -> String {
        if self.info.views.is_empty() {
            return "none".into();
        }
        self.info
            .views
            .iter()
            .map(|v| v.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Opens a file of `tree` for reading (zisofs decompressed).
    ///
    /// # Errors
    /// [`Error::NotFound`] for an id not in the tree, [`Error::Unsupported`]
    /// for something that is not a file, [`Error::Corrupt`] for a damaged
    /// zisofs header.
    pub fn open_file(&self, tree: &Tree, node: NodeId) -> Result<FileReader> {
        if !tree.contains(node) {
            return Err(Error::NotFound(format!("node {}", node.0)));
        }
        if tree.kind(node) != crate::NodeKind::File {
            return Err(Error::Unsupported(format!(
                "{} is a {}, not a file",
                tree.path(node),
                tree.kind(node).as_str()
            )));
        }
        let extents = tree.extents(node).to_vec();
        match tree.encoding(node) {
            Encoding::Plain => Ok(FileReader::Plain(ExtentReader::new(
                self.source.clone(),
                extents,
                tree.size(node),
            ))),
            Encoding::Zisofs {
                header_size_div4,
                block_size_log2,
            } => {
                let stored: u64 = extents.iter().map(|e| e.len).fold(0, u64::saturating_add);
                let inner = ExtentReader::new(self.source.clone(), extents, stored);
                Ok(FileReader::Zisofs(Box::new(ZisofsReader::new(
                    inner,
                    tree.size(node),
                    header_size_div4,
                    block_size_log2,
                )?)))
            }
            Encoding::Form2 | Encoding::AudioTrack { .. } => self.open_disc_file(tree, node),
        }
    }

    /// Opens the named stream `index` of entry `node` (see
    /// [`Tree::streams`]) for reading.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an id not in the tree or a stream it does
    /// not have.
    pub fn open_stream(&self, tree: &Tree, node: NodeId, index: usize) -> Result<FileReader> {
        if !tree.contains(node) {
            return Err(Error::NotFound(format!("node {}", node.0)));
        }
        let s = tree
            .streams(node)
            .get(index)
            .ok_or_else(|| Error::NotFound(format!("stream {index} of {}", tree.path(node))))?;
        Ok(FileReader::Plain(ExtentReader::new(
            self.source.clone(),
            s.extents.clone(),
            s.size,
        )))
    }

    /// Opens a file that reads through a disc container's other byte
    /// views: Form 2 sectors, or an audio track as WAV.
    fn open_disc_file(&self, tree: &Tree, node: NodeId) -> Result<FileReader> {
        use crate::source::virtual_files::{form2_extents, Form2View, WavView};
        let disc = self.disc.clone().ok_or_else(|| {
            Error::Unsupported(format!("{} needs a disc container", tree.path(node)))
        })?;
        let size = tree.size(node);
        match tree.encoding(node) {
            Encoding::AudioTrack { track } => {
                let t = disc
                    .track(track)
                    .cloned()
                    .ok_or_else(|| Error::NotFound(format!("track {track}")))?;
                let wav = WavView::new(disc, t);
                let len = wav.len();
                let extents = vec![crate::tree::Extent::recorded(0, len)];
                Ok(FileReader::Plain(ExtentReader::new(
                    Arc::new(wav),
                    extents,
                    len,
                )))
            }
            _ => {
                let (extents, _) = form2_extents(tree.extents(node));
                Ok(FileReader::Plain(ExtentReader::new(
                    Arc::new(Form2View(disc)),
                    extents,
                    size,
                )))
            }
        }
    }
}
