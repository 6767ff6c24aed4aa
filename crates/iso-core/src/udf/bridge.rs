//! Bridge discs (ISO 9660 and UDF over the same files): which view is
//! the default, decided from one directory of each so that opening stays
//! cheap on any image.

use super::volume::VolumeInfo;
use crate::iso9660::raw::{DirectoryRecord, VolumeDescriptor};
use crate::source::{read_vec, ImageSource};

/// Whether the UDF view should be the default: when its root directory
/// holds more entries than the ISO 9660 root (a Windows install ISO whose
/// ISO 9660 tree is a README stub), when there is no ISO 9660 tree, or
/// when its root cannot be read. On a tie the richest ISO 9660 view stays
/// the default.
pub fn is_richer(
    source: &dyn ImageSource,
    vol: &VolumeInfo,
    primary: Option<&VolumeDescriptor>,
) -> bool {
    let Some(pvd) = primary else {
        return true;
    };
    let Ok(udf) = super::dir::root_entry_count(source, vol) else {
        return false;
    };
    match iso_root_entry_count(source, pvd) {
        Some(iso) => udf > iso,
        None => true,
    }
}

/// Directory records in the ISO 9660 root ("." and ".." not counted), from
/// at most its first 1 MiB.
fn iso_root_entry_count(source: &dyn ImageSource, pvd: &VolumeDescriptor) -> Option<usize> {
    let offset = u64::from(pvd.root.location_of_extent).checked_mul(pvd.block_len())?;
    let len = usize::try_from(pvd.root.data_length.min(1 << 20)).ok()?;
    let dir = read_vec(source, offset, len).ok()?;
    let mut off = 0usize;
    let mut count = 0usize;
    while off < dir.len() {
        match dir.get(off..).and_then(DirectoryRecord::parse) {
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
