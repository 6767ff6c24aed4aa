//! [`Image`]: an opened disc image, its descriptors and its views.

use std::fmt;
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;

use crate::eltorito::{self, BootCatalog};
use crate::error::{Error, Result, Warning};
use crate::iso9660::raw::{DescriptorType, VolumeDescriptor};
use crate::iso9660::sessions::{self, Session};
use crate::iso9660::{self, NameMode, WalkOptions};
use crate::partitions::{self, PartitionTable};
use crate::reader::{ExtentReader, FileReader};
use crate::rockridge::{self, SuspInfo};
use crate::source::{read_vec, FileSource, ImageSource};
use crate::tree::{Encoding, NodeId, Tree};
use crate::zisofs::ZisofsReader;
use crate::SECTOR_LEN;

/// A filesystem view of an image: the same files as one of the image's
/// directory hierarchies shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum View {
    /// UDF (ECMA-167 / OSTA UDF).
    Udf,
    /// ISO 9660 with Rock Ridge POSIX extensions.
    RockRidge,
    /// Joliet (Unicode names in a supplementary descriptor).
    Joliet,
    /// ISO 9660:1999 enhanced volume descriptor (long names, no versions).
    Iso9660_1999,
    /// Plain ISO 9660 (ECMA-119) names.
    Iso9660,
}

impl View {
    /// Richest first: the order [`Image::default_view`] prefers.
    pub const PREFERENCE: [View; 5] = [
        View::Udf,
        View::RockRidge,
        View::Joliet,
        View::Iso9660_1999,
        View::Iso9660,
    ];

    /// The name used on the command line: "udf", "rockridge", "joliet",
    /// "iso9660-1999", "iso9660".
    pub fn as_str(self) -> &'static str {
        match self {
            View::Udf => "udf",
            View::RockRidge => "rockridge",
            View::Joliet => "joliet",
            View::Iso9660_1999 => "iso9660-1999",
            View::Iso9660 => "iso9660",
        }
    }

    /// The name shown to people: "UDF", "Rock Ridge", ...
    pub fn label(self) -> &'static str {
        match self {
            View::Udf => "UDF",
            View::RockRidge => "Rock Ridge",
            View::Joliet => "Joliet",
            View::Iso9660_1999 => "ISO 9660:1999",
            View::Iso9660 => "ISO 9660",
        }
    }
}

impl fmt::Display for View {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for View {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "udf" => Ok(View::Udf),
            "rockridge" | "rock-ridge" | "rr" => Ok(View::RockRidge),
            "joliet" => Ok(View::Joliet),
            "iso9660-1999" | "iso9660:1999" | "enhanced" => Ok(View::Iso9660_1999),
            "iso9660" | "iso" | "ecma119" => Ok(View::Iso9660),
            other => Err(Error::NotFound(format!("no view called {other:?}"))),
        }
    }
}

/// Options for [`Image::open`].
#[derive(Debug, Clone)]
pub struct OpenOptions {
    /// Deepest directory level walked (the root is level 0).
    pub max_depth: u32,
    /// Which session of a multi-session image to read (1 = the oldest, as
    /// in [`Image::sessions`]); `None` reads the newest.
    pub session: Option<u32>,
}

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions {
            max_depth: 256,
            session: None,
        }
    }
}

/// The El Torito boot record volume descriptor (El Torito §2.0).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BootRecord {
    /// Where it is.
    pub lba: u32,
    /// Boot System Identifier ("EL TORITO SPECIFICATION").
    pub boot_system_identifier: String,
}

/// What the image holds, read from its descriptors when it is opened.
#[derive(Debug, Clone)]
pub struct ImageInfo {
    /// Image length in bytes.
    pub len: u64,
    /// Every volume descriptor found: its LBA and type.
    pub descriptors: Vec<(u32, DescriptorType)>,
    /// The primary volume descriptor.
    pub primary: Option<VolumeDescriptor>,
    /// The Joliet supplementary volume descriptor.
    pub joliet: Option<VolumeDescriptor>,
    /// The ISO 9660:1999 enhanced volume descriptor.
    pub enhanced: Option<VolumeDescriptor>,
    /// The El Torito boot record.
    pub boot_record: Option<BootRecord>,
    /// The El Torito boot catalog.
    pub boot_catalog: Option<BootCatalog>,
    /// MBR/GPT partition tables in the system area (isohybrid images).
    pub partitions: Vec<PartitionTable>,
    /// The UDF volume (recognition sequence, anchors, partition maps,
    /// integrity), when one opens.
    pub udf: Option<crate::udf::VolumeInfo>,
    /// SUSP in use (Rock Ridge).
    pub susp: Option<SuspInfo>,
    /// The views this image offers, richest first.
    pub views: Vec<View>,
    /// The ISO 9660 sessions, oldest first (one for a single-session image,
    /// none when there is no primary volume descriptor at LBA 16).
    pub sessions: Vec<Session>,
    /// The number of the session whose descriptors are read here (`None`
    /// when the image has no sessions).
    pub session: Option<u32>,
}

/// An opened disc image.
#[derive(Debug, Clone)]
pub struct Image {
    source: Arc<dyn ImageSource>,
    info: ImageInfo,
    warnings: Vec<Warning>,
    options: OpenOptions,
}

/// Most volume descriptors read before giving up on finding a terminator.
const MAX_DESCRIPTORS: u32 = 64;

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
        self.info.boot_catalog.as_ref()
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
        let (vd, names, rr) = match view {
            View::RockRidge => (self.info.primary.as_ref(), NameMode::Iso, self.info.susp),
            View::Iso9660 => (self.info.primary.as_ref(), NameMode::Iso, None),
            View::Joliet => (self.info.joliet.as_ref(), NameMode::Joliet, None),
            View::Iso9660_1999 => (self.info.enhanced.as_ref(), NameMode::Enhanced, None),
            View::Udf => {
                let vol = self
                    .info
                    .udf
                    .as_ref()
                    .ok_or_else(|| Error::NotFound(view.label().to_string()))?;
                let opts = crate::udf::WalkOptions {
                    max_depth: self.options.max_depth,
                    root_only,
                };
                return crate::udf::build_tree(&self.source, vol, &opts);
            }
        };
        let vd = vd.ok_or_else(|| Error::NotFound(view.label().to_string()))?;
        let opts = WalkOptions {
            view,
            names,
            rr,
            max_depth: self.options.max_depth,
            root_only,
            boot: self.info.boot_catalog.as_ref(),
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

/// Reads the volume descriptor set that starts at `vds_lba` (16, or a
/// session's start + 16) and what it points at.
fn read_info(
    source: &dyn ImageSource,
    vds_lba: u32,
    warnings: &mut Vec<Warning>,
) -> Result<ImageInfo> {
    let len = source.len();
    let mut info = ImageInfo {
        len,
        descriptors: Vec::new(),
        primary: None,
        joliet: None,
        enhanced: None,
        boot_record: None,
        boot_catalog: None,
        partitions: Vec::new(),
        udf: None,
        susp: None,
        views: Vec::new(),
        sessions: Vec::new(),
        session: None,
    };
    let mut terminated = false;
    let mut brvd: Option<Vec<u8>> = None;
    for lba in vds_lba..vds_lba.saturating_add(MAX_DESCRIPTORS) {
        let offset = u64::from(lba) * SECTOR_LEN;
        if offset + SECTOR_LEN > len {
            break;
        }
        let sector = read_vec(source, offset, 2048)?;
        let id = sector.get(1..6).unwrap_or_default();
        match id {
            b"CD001" => {
                let ty = DescriptorType::from_byte(sector.first().copied().unwrap_or(0));
                info.descriptors.push((lba, ty));
                if terminated {
                    continue;
                }
                match ty {
                    DescriptorType::Terminator => terminated = true,
                    DescriptorType::Primary if info.primary.is_none() => {
                        match VolumeDescriptor::parse(&sector, lba) {
                            Ok(vd) => info.primary = Some(vd),
                            Err(e) => warnings.push(e.into()),
                        }
                    }
                    DescriptorType::Supplementary => match VolumeDescriptor::parse(&sector, lba) {
                        Ok(vd) if vd.joliet_level.is_some() && info.joliet.is_none() => {
                            info.joliet = Some(vd)
                        }
                        Ok(vd) if vd.version == 2 && info.enhanced.is_none() => {
                            info.enhanced = Some(vd)
                        }
                        Ok(_) => {}
                        Err(e) => warnings.push(e.into()),
                    },
                    DescriptorType::BootRecord if info.boot_record.is_none() => {
                        let ident =
                            crate::bytes::trimmed_text(sector.get(7..39).unwrap_or_default());
                        info.boot_record = Some(BootRecord {
                            lba,
                            boot_system_identifier: ident.clone(),
                        });
                        if ident.starts_with("EL TORITO") {
                            brvd = Some(sector);
                        }
                    }
                    _ => {}
                }
            }
            b"BEA01" | b"NSR02" | b"NSR03" | b"TEA01" | b"BOOT2" | b"CDW02" => {}
            _ => break,
        }
    }
    // UDF has its own recognition sequence stepping (by the block size)
    // and anchors; it is looked for on every image.
    info.udf = crate::udf::open(source, warnings);
    if info.primary.is_none() && info.udf.is_none() {
        return Err(Error::NotAnImage(
            "no ISO 9660, UDF or raw-sector signature found".into(),
        ));
    }
    if !info.descriptors.is_empty() && !terminated {
        warnings.push(Warning::new(
            "volume descriptor set",
            Some(u64::from(vds_lba)),
            "no set terminator found; used the descriptors that were readable",
        ));
    }
    if let Some(b) = &brvd {
        match eltorito::read_boot_catalog(source, b, warnings) {
            Ok(cat) => info.boot_catalog = cat,
            Err(e) => warnings.push(e.into()),
        }
    }
    info.partitions = partitions::read_partition_tables(source, warnings);
    if let Some(pvd) = &info.primary {
        info.susp = detect_susp(source, pvd);
    }
    if info.primary.is_some() && info.susp.is_some() {
        info.views.push(View::RockRidge);
    }
    if info.joliet.is_some() {
        info.views.push(View::Joliet);
    }
    if info.enhanced.is_some() {
        info.views.push(View::Iso9660_1999);
    }
    if info.primary.is_some() {
        info.views.push(View::Iso9660);
    }
    if let Some(vol) = &info.udf {
        if udf_is_richer(source, vol, &info) {
            info.views.insert(0, View::Udf);
        } else {
            info.views.push(View::Udf);
        }
    }
    Ok(info)
}

/// Whether the UDF view should be the default on a bridge disc: when its
/// root directory holds more entries than the ISO 9660 root (a Windows
/// install ISO whose ISO 9660 tree is a README stub). Counting reads one
/// directory of each, so opening stays cheap on any image; an unreadable
/// ISO 9660 root also makes UDF the default.
fn udf_is_richer(source: &dyn ImageSource, vol: &crate::udf::VolumeInfo, info: &ImageInfo) -> bool {
    let Some(pvd) = &info.primary else {
        return true;
    };
    let Ok(udf) = crate::udf::dir::root_entry_count(source, vol) else {
        return false;
    };
    match iso_root_entry_count(source, pvd) {
        Some(iso) => udf > iso,
        None => true,
    }
}

/// Directory records in the ISO 9660 root (without "." and ".."), from at
/// most its first 1 MiB.
fn iso_root_entry_count(source: &dyn ImageSource, pvd: &VolumeDescriptor) -> Option<usize> {
    let offset = u64::from(pvd.root.location_of_extent).checked_mul(pvd.block_len())?;
    let len = usize::try_from(pvd.root.data_length.min(1 << 20)).ok()?;
    let dir = read_vec(source, offset, len).ok()?;
    let mut off = 0usize;
    let mut count = 0usize;
    while off < dir.len() {
        let rest = dir.get(off..)?;
        match iso9660::raw::DirectoryRecord::parse(rest) {
            Some(rec) if rec.length > 0 => {
                if !matches!(rec.file_identifier.as_slice(), [0] | [1]) {
                    count += 1;
                }
                off += usize::from(rec.length);
            }
            // Zero padding: the next record starts in the next sector.
            _ => off = (off / 2048 + 1) * 2048,
        }
    }
    Some(count)
}

/// Reads the root directory's "." record and looks for SUSP's SP entry.
fn detect_susp(source: &dyn ImageSource, pvd: &VolumeDescriptor) -> Option<SuspInfo> {
    let offset = u64::from(pvd.root.location_of_extent).checked_mul(pvd.block_len())?;
    let sector = read_vec(source, offset, 2048).ok()?;
    let rec = iso9660::raw::DirectoryRecord::parse(&sector)?;
    rockridge::detect_susp(&rec.system_use)
}
