//! [`Image`]: an opened disc image, its descriptors and its views.

use std::path::Path;
use std::sync::Arc;

use crate::eltorito::BootCatalog;
use crate::error::{Error, Result, Warning};
use crate::info::{read_info, ImageInfo};
use crate::iso9660::sessions::{self, Session};
use crate::iso9660::{self, NameMode, WalkOptions};
use crate::reader::{ExtentReader, FileReader};
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
        let source = FileSource::open(path)?;
        Self::from_source(Arc::new(source), options)
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
                return Err(Error::Unsupported(
                    "reading UDF file systems is not implemented yet".into(),
                ))
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
        iso9660::build_tree(&self.source, vd, &opts)
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
        }
    }
}
