//! [`ImageInfo`]: what an image holds, read from its descriptors when it is
//! opened — one section per file system (ISO 9660, UDF), the boot catalog,
//! the partition tables — and [`ImageInfo::summary`], the one-line format
//! description that both the app and the command line print.

use crate::eltorito::{self, BootCatalog};
use crate::error::{Error, Result, Warning};
use crate::iso9660::raw::{DescriptorType, VolumeDescriptor};
use crate::iso9660::sessions::Session;
use crate::partitions::{self, PartitionTable};
use crate::rockridge::{self, SuspInfo};
use crate::source::{read_vec, ImageSource};
use crate::units::Sector;
use crate::view::View;

/// The El Torito boot record volume descriptor (El Torito §2.0).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct BootRecord {
    /// Where it is (2048-byte sectors).
    pub lba: u32,
    /// Boot System Identifier ("EL TORITO SPECIFICATION").
    pub boot_system_identifier: String,
}

/// The ISO 9660 (ECMA-119) side of an image: the volume descriptor set of
/// the session read.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Iso9660Info {
    /// Every volume descriptor of the set: its LBA (2048-byte sectors) and
    /// type.
    pub descriptors: Vec<(u32, DescriptorType)>,
    /// The primary volume descriptor.
    pub primary: Option<VolumeDescriptor>,
    /// The Joliet supplementary volume descriptor.
    pub joliet: Option<VolumeDescriptor>,
    /// The ISO 9660:1999 enhanced volume descriptor.
    pub enhanced: Option<VolumeDescriptor>,
    /// SUSP in use in the primary hierarchy (Rock Ridge).
    pub susp: Option<SuspInfo>,
}

/// El Torito: the boot record and the catalog it points at.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct BootInfo {
    /// The boot record volume descriptor.
    pub record: BootRecord,
    /// The boot catalog, when it could be read.
    pub catalog: Option<BootCatalog>,
}

/// What the image holds, read from its descriptors when it is opened.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ImageInfo {
    /// Image length in bytes.
    pub len: u64,
    /// ISO 9660, when the image has a volume descriptor set.
    pub iso9660: Option<Iso9660Info>,
    /// UDF, when the image has a volume recognition sequence and a
    /// volume that opens: revision, block size, anchors, partition maps,
    /// integrity.
    pub udf: Option<crate::udf::VolumeInfo>,
    /// El Torito, when the image has a boot record.
    pub boot: Option<BootInfo>,
    /// MBR/GPT partition tables in the system area (isohybrid images).
    pub partitions: Vec<PartitionTable>,
    /// The views this image offers, richest first.
    pub views: Vec<View>,
    /// The disc's sessions, oldest first (one for a single-session image,
    /// none when there is no primary volume descriptor at LBA 16).
    pub sessions: Vec<Session>,
    /// The number of the session whose descriptors are read here (`None`
    /// when the image has no sessions).
    pub session: Option<u32>,
    /// The disc container and its tracks, when the image came in one
    /// (BIN/CUE, TOC, NRG, MDS/MDF, CCD/IMG, raw sectors).
    pub disc: Option<crate::source::disc::DiscInfo>,
}

impl ImageInfo {
    /// An image in which nothing was found (a disc of audio tracks only).
    pub(crate) fn empty(len: u64) -> Self {
        ImageInfo {
            len,
            iso9660: None,
            udf: None,
            boot: None,
            partitions: Vec::new(),
            views: Vec::new(),
            sessions: Vec::new(),
            session: None,
            disc: None,
        }
    }

    /// The ISO 9660 primary volume descriptor.
    pub fn primary(&self) -> Option<&VolumeDescriptor> {
        self.iso9660.as_ref()?.primary.as_ref()
    }

    /// The Joliet supplementary volume descriptor.
    pub fn joliet(&self) -> Option<&VolumeDescriptor> {
        self.iso9660.as_ref()?.joliet.as_ref()
    }

    /// The El Torito boot catalog.
    pub fn boot_catalog(&self) -> Option<&BootCatalog> {
        self.boot.as_ref()?.catalog.as_ref()
    }

    /// What the image is, in a line: "ISO 9660 with Rock Ridge, Joliet;
    /// UDF bridge (NSR02); El Torito bootable; hybrid (MBR); 3 sessions".
    /// The app's "Format" line and `isoscope-cli info` print this.
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        if let Some(iso) = self.iso9660.as_ref().filter(|i| i.primary.is_some()) {
            let mut ext = Vec::new();
            if iso.susp.is_some() {
                ext.push("Rock Ridge");
            }
            if iso.joliet.is_some() {
                ext.push("Joliet");
            }
            if iso.enhanced.is_some() {
                ext.push("ISO 9660:1999");
            }
            parts.push(if ext.is_empty() {
                "ISO 9660".to_string()
            } else {
                format!("ISO 9660 with {}", ext.join(", "))
            });
        }
        if let Some(u) = &self.udf {
            parts.push(u.summary(!parts.is_empty()));
        }
        if parts.is_empty() {
            parts.push("no file system this version reads".to_string());
        }
        if self.boot_catalog().is_some() {
            parts.push("El Torito bootable".to_string());
        }
        if !self.partitions.is_empty() {
            let schemes: Vec<String> = self
                .partitions
                .iter()
                .map(|t| t.scheme.label().to_string())
                .collect();
            parts.push(format!("hybrid ({})", schemes.join(", ")));
        }
        if self.sessions.len() > 1 {
            parts.push(format!("{} sessions", self.sessions.len()));
        }
        if let Some(d) = &self.disc {
            parts.push(d.summary());
        }
        parts.join("; ")
    }
}

/// Most volume descriptors read before giving up on finding a terminator.
const MAX_DESCRIPTORS: u32 = 64;

/// Reads the volume descriptor set that starts at `vds_lba` (16, or a
/// session's start + 16) and what it points at.
pub(crate) fn read_info(
    source: &dyn ImageSource,
    vds_lba: u32,
    warnings: &mut Vec<Warning>,
) -> Result<ImageInfo> {
    let len = source.len();
    let mut iso = Iso9660Info::default();
    let mut boot_record: Option<BootRecord> = None;
    let mut terminated = false;
    let mut brvd: Option<Vec<u8>> = None;
    for lba in vds_lba..vds_lba.saturating_add(MAX_DESCRIPTORS) {
        let offset = Sector::from(lba).offset();
        if offset.saturating_add(Sector::LEN) > len {
            break;
        }
        let sector = read_vec(source, offset, Sector::LEN_USIZE)?;
        let id = sector.get(1..6).unwrap_or_default();
        match id {
            b"CD001" => {
                let ty = DescriptorType::from_byte(sector.first().copied().unwrap_or(0));
                iso.descriptors.push((lba, ty));
                if terminated {
                    continue;
                }
                match ty {
                    DescriptorType::Terminator => terminated = true,
                    DescriptorType::Primary if iso.primary.is_none() => {
                        match VolumeDescriptor::parse(&sector, lba) {
                            Ok(vd) => iso.primary = Some(vd),
                            Err(e) => warnings.push(e.into()),
                        }
                    }
                    DescriptorType::Supplementary => match VolumeDescriptor::parse(&sector, lba) {
                        Ok(vd) if vd.joliet_level.is_some() && iso.joliet.is_none() => {
                            iso.joliet = Some(vd)
                        }
                        Ok(vd) if vd.version == 2 && iso.enhanced.is_none() => {
                            iso.enhanced = Some(vd)
                        }
                        Ok(_) => {}
                        Err(e) => warnings.push(e.into()),
                    },
                    DescriptorType::BootRecord if boot_record.is_none() => {
                        let ident =
                            crate::bytes::trimmed_text(sector.get(7..39).unwrap_or_default());
                        boot_record = Some(BootRecord {
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
    // UDF has its own recognition sequence (stepping by its block size)
    // and anchors; it is looked for on every image.
    let udf = crate::udf::open(source, warnings);
    if iso.primary.is_none() && udf.is_none() {
        // A UDF volume that was recognised but cannot be read says why.
        if let Some(w) = warnings
            .iter()
            .rev()
            .find(|w| w.structure.starts_with("UDF"))
        {
            return Err(Error::NotAnImage(format!(
                "a UDF volume is recognised but cannot be read: {w}"
            )));
        }
        return Err(Error::NotAnImage(
            "no ISO 9660, UDF or raw-sector signature found".into(),
        ));
    }
    if !iso.descriptors.is_empty() && !terminated {
        warnings.push(Warning::new(
            "volume descriptor set",
            Some(u64::from(vds_lba)),
            "no set terminator found; used the descriptors that were readable",
        ));
    }
    let boot = boot_record.map(|record| {
        let catalog = match brvd
            .as_ref()
            .map(|b| eltorito::read_boot_catalog(source, b, warnings))
        {
            Some(Ok(cat)) => cat,
            Some(Err(e)) => {
                warnings.push(e.into());
                None
            }
            None => None,
        };
        BootInfo { record, catalog }
    });
    let partitions = partitions::read_partition_tables(source, warnings);
    if let Some(pvd) = &iso.primary {
        iso.susp = detect_susp(source, pvd);
    }
    let mut views = Vec::new();
    if iso.primary.is_some() && iso.susp.is_some() {
        views.push(View::RockRidge);
    }
    if iso.joliet.is_some() {
        views.push(View::Joliet);
    }
    if iso.enhanced.is_some() {
        views.push(View::Iso9660_1999);
    }
    if iso.primary.is_some() {
        views.push(View::Iso9660);
    }
    if let Some(vol) = &udf {
        if crate::udf::is_richer(source, vol, iso.primary.as_ref()) {
            views.insert(0, View::Udf);
        } else {
            views.push(View::Udf);
        }
    }
    Ok(ImageInfo {
        len,
        iso9660: (!iso.descriptors.is_empty()).then_some(iso),
        udf,
        boot,
        partitions,
        views,
        sessions: Vec::new(),
        session: None,
        disc: None,
    })
}

/// Reads the root directory's "." record and looks for SUSP's SP entry.
fn detect_susp(source: &dyn ImageSource, pvd: &VolumeDescriptor) -> Option<SuspInfo> {
    let offset = u64::from(pvd.root.location_of_extent).checked_mul(pvd.block_len())?;
    let sector = read_vec(source, offset, Sector::LEN_USIZE).ok()?;
    let rec = crate::iso9660::raw::DirectoryRecord::parse(&sector)?;
    rockridge::detect_susp(&rec.system_use)
}
