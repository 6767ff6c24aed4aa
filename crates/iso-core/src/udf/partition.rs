//! Partition maps (ECMA-167 3/10.7, OSTA UDF 2.60 §2.2.8–2.2.10): how a
//! logical block of one partition of the logical volume becomes a byte
//! offset on the image.
//!
//! - type 1: the partition descriptor's start plus the block;
//! - virtual (UDF 1.50+, write-once media): through the virtual allocation
//!   table (VAT, §2.2.11), found at the last recorded block;
//! - sparable (§2.2.9, rewritable media): packets remapped by the sparing
//!   table (§2.2.12);
//! - metadata (UDF 2.50+, §2.2.10): blocks of the metadata file, whose
//!   extents are in a physical partition (the mirror file when the main
//!   one is unreadable).

use std::collections::BTreeMap;

use super::raw::LbAddr;
use super::{corrupt, Loc};
use crate::error::Result;

/// A physical partition (ECMA-167 3/10.5 Partition Descriptor) as the maps
/// use it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Physical {
    /// Partition Number.
    pub partition_number: u16,
    /// Partition Starting Location (volume-space block).
    pub partition_starting_location: u32,
    /// Partition Length in blocks.
    pub partition_length: u32,
}

/// One extent of the metadata file: metadata-partition blocks
/// `start..start + len` are on the image from byte `offset`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MetaExtent {
    /// First metadata-partition block.
    pub start: u64,
    /// Length in blocks.
    pub len: u64,
    /// Image byte offset of the first block; `None` when unrecorded.
    pub offset: Option<u64>,
}

/// How one partition reference number is translated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Map {
    /// Type 1 (3/10.7.2).
    Physical(Physical),
    /// Virtual partition: VAT entry n is the physical block of virtual
    /// block n.
    Virtual {
        /// The physical partition it lives on.
        physical: Physical,
        /// The VAT entries (0xFFFFFFFF: unused).
        vat: Vec<u32>,
    },
    /// Sparable partition.
    Sparable {
        /// The physical partition.
        physical: Physical,
        /// Packet Length in blocks (a power of two).
        packet_length: u32,
        /// Original packet (partition-relative block) → mapped location
        /// (volume-space block).
        remap: BTreeMap<u32, u32>,
    },
    /// Metadata partition: blocks of the metadata file.
    Metadata {
        /// The metadata file's extents, sorted by `start`.
        extents: Vec<MetaExtent>,
    },
    /// A map we cannot use (its reason is in the warnings).
    Unusable(String),
}

/// A run of image bytes an extent resolves to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Run {
    /// Byte offset on the image; meaningless when `zeros`.
    pub offset: u64,
    /// Length in bytes.
    pub len: u64,
    /// Unrecorded: reads as zeros.
    pub zeros: bool,
}

/// Most runs one extent may split into (a VAT or a fragmented metadata
/// file could split a long extent block by block).
pub const MAX_RUNS: usize = 1 << 20;

/// The logical volume's partition maps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    /// Logical block size in bytes.
    pub block_len: u64,
    /// Image length in bytes.
    pub image_len: u64,
    /// Map per partition reference number.
    pub maps: Vec<Map>,
}

const STRUCT: &str = "UDF partition map";

impl Layout {
    /// The map for a partition reference number.
    fn map(&self, addr: LbAddr) -> Result<&Map> {
        match self.maps.get(usize::from(addr.partition_reference_number)) {
            Some(Map::Unusable(why)) => Err(corrupt(STRUCT, Loc::Part(addr), why.clone())),
            Some(m) => Ok(m),
            None => Err(corrupt(
                STRUCT,
                Loc::Part(addr),
                format!(
                    "no partition map {} (the volume has {})",
                    addr.partition_reference_number,
                    self.maps.len()
                ),
            )),
        }
    }

    /// The image byte offset of one logical block.
    ///
    /// # Errors
    /// When the block is outside its partition or the image, or its map is
    /// unusable.
    pub fn block_offset(&self, addr: LbAddr) -> Result<u64> {
        let runs = self.resolve(addr, self.block_len)?;
        match runs.first() {
            Some(r) if !r.zeros => Ok(r.offset),
            _ => Err(corrupt(STRUCT, Loc::Part(addr), "block is not recorded")),
        }
    }

    /// Resolves `len` bytes from `addr` into image runs, split wherever
    /// the maps make them discontiguous.
    ///
    /// # Errors
    /// When any block is outside its partition or the image.
    pub fn resolve(&self, addr: LbAddr, len: u64) -> Result<Vec<Run>> {
        let mut out = Vec::new();
        self.resolve_into(addr, len, &mut out)?;
        Ok(out)
    }

    fn resolve_into(&self, addr: LbAddr, len: u64, out: &mut Vec<Run>) -> Result<()> {
        let bl = self.block_len;
        let blocks = len.div_ceil(bl);
        let lbn = u64::from(addr.logical_block_number);
        let here = Loc::Part(addr);
        match self.map(addr)? {
            Map::Physical(p) => {
                check_inside(p, lbn, blocks, here)?;
                let start = u64::from(p.partition_starting_location) + lbn;
                self.push(out, start * bl, len, here)
            }
            Map::Sparable {
                physical,
                packet_length,
                remap,
            } => {
                check_inside(physical, lbn, blocks, here)?;
                let pl = u64::from(*packet_length).max(1);
                let mut b = lbn;
                let end = lbn + blocks;
                let mut left = len;
                while b < end {
                    let packet = b - b % pl;
                    // Next remapped packet at or after this one.
                    let next_remap = u32::try_from(packet)
                        .ok()
                        .and_then(|p| remap.range(p..).next());
                    let (run_blocks, phys) = match next_remap {
                        Some((&orig, &mapped)) if u64::from(orig) == packet => {
                            let n = (packet + pl).min(end) - b;
                            (n, u64::from(mapped) + (b - packet))
                        }
                        Some((&orig, _)) => (
                            u64::from(orig).max(b + 1).min(end) - b,
                            u64::from(physical.partition_starting_location) + b,
                        ),
                        None => (end - b, u64::from(physical.partition_starting_location) + b),
                    };
                    let n = (run_blocks * bl).min(left);
                    self.push(out, phys * bl, n, here)?;
                    left -= n;
                    b += run_blocks;
                }
                Ok(())
            }
            Map::Virtual { physical, vat } => {
                let mut left = len;
                for i in 0..blocks {
                    let v = lbn + i;
                    let entry = usize::try_from(v)
                        .ok()
                        .and_then(|v| vat.get(v))
                        .copied()
                        .filter(|&e| e != u32::MAX)
                        .ok_or_else(|| {
                            corrupt(
                                "UDF virtual allocation table",
                                here,
                                format!("virtual block {v} has no VAT entry"),
                            )
                        })?;
                    check_inside(physical, u64::from(entry), 1, here)?;
                    let start = u64::from(physical.partition_starting_location) + u64::from(entry);
                    let n = bl.min(left);
                    self.push(out, start * bl, n, here)?;
                    left -= n;
                }
                Ok(())
            }
            Map::Metadata { extents } => {
                let mut b = lbn;
                let end = lbn + blocks;
                let mut left = len;
                while b < end {
                    let i = extents.partition_point(|e| e.start + e.len <= b);
                    let e = extents.get(i).filter(|e| e.start <= b).ok_or_else(|| {
                        corrupt(
                            "UDF metadata file",
                            here,
                            "block is past the end of the metadata file",
                        )
                    })?;
                    let n_blocks = (e.start + e.len).min(end) - b;
                    let n = (n_blocks * bl).min(left);
                    match e.offset {
                        Some(off) => self.push(out, off + (b - e.start) * bl, n, here)?,
                        None => self.push_zeros(out, n),
                    }
                    left -= n;
                    b += n_blocks;
                }
                Ok(())
            }
            Map::Unusable(why) => Err(corrupt(STRUCT, here, why.clone())),
        }
    }

    fn push(&self, out: &mut Vec<Run>, offset: u64, len: u64, at: Loc) -> Result<()> {
        if len == 0 {
            return Ok(());
        }
        if offset.saturating_add(len) > self.image_len {
            return Err(corrupt(STRUCT, at, "extent runs past the end of the image"));
        }
        if out.len() >= MAX_RUNS {
            return Err(corrupt(STRUCT, at, "extent splits into too many pieces"));
        }
        match out.last_mut() {
            Some(last) if !last.zeros && last.offset + last.len == offset => last.len += len,
            _ => out.push(Run {
                offset,
                len,
                zeros: false,
            }),
        }
        Ok(())
    }

    fn push_zeros(&self, out: &mut Vec<Run>, len: u64) {
        match out.last_mut() {
            Some(last) if last.zeros => last.len += len,
            _ => out.push(Run {
                offset: 0,
                len,
                zeros: true,
            }),
        }
    }
}

fn check_inside(p: &Physical, lbn: u64, blocks: u64, at: Loc) -> Result<()> {
    if lbn.saturating_add(blocks) > u64::from(p.partition_length) {
        return Err(corrupt(
            STRUCT,
            at,
            format!(
                "extent of {blocks} blocks runs past the end of partition {} ({} blocks)",
                p.partition_number, p.partition_length
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phys() -> Physical {
        Physical {
            partition_number: 0,
            partition_starting_location: 100,
            partition_length: 1000,
        }
    }

    fn addr(lbn: u32, part: u16) -> LbAddr {
        LbAddr {
            logical_block_number: lbn,
            partition_reference_number: part,
        }
    }

    #[test]
    fn physical_and_bounds() {
        let l = Layout {
            block_len: 2048,
            image_len: 1200 * 2048,
            maps: vec![Map::Physical(phys())],
        };
        assert_eq!(l.block_offset(addr(5, 0)).unwrap(), 105 * 2048);
        let e = l.resolve(addr(999, 0), 4096).unwrap_err().to_string();
        assert!(e.contains("runs past the end of partition 0"), "{e}");
        let e = l.resolve(addr(0, 3), 1).unwrap_err().to_string();
        assert!(e.contains("no partition map 3"), "{e}");
    }

    #[test]
    fn sparing_remaps_whole_packets() {
        let mut remap = BTreeMap::new();
        remap.insert(32, 5000);
        let l = Layout {
            block_len: 2048,
            image_len: 6000 * 2048,
            maps: vec![Map::Sparable {
                physical: phys(),
                packet_length: 32,
                remap,
            }],
        };
        // Blocks 30..70: 30,31 plain; 32..64 remapped; 64..70 plain.
        let runs = l.resolve(addr(30, 0), 40 * 2048).unwrap();
        assert_eq!(
            runs.iter()
                .map(|r| (r.offset / 2048, r.len / 2048))
                .collect::<Vec<_>>(),
            vec![(130, 2), (5000, 32), (164, 6)]
        );
        assert_eq!(l.block_offset(addr(40, 0)).unwrap(), 5008 * 2048);
    }

    #[test]
    fn virtual_blocks_follow_the_vat() {
        let l = Layout {
            block_len: 2048,
            image_len: 1200 * 2048,
            maps: vec![
                Map::Physical(phys()),
                Map::Virtual {
                    physical: phys(),
                    vat: vec![7, 8, u32::MAX, 3],
                },
            ],
        };
        let runs = l.resolve(addr(0, 1), 4096).unwrap();
        assert_eq!(
            runs,
            vec![Run {
                offset: 107 * 2048,
                len: 4096,
                zeros: false
            }]
        );
        assert!(l.block_offset(addr(2, 1)).is_err());
        assert!(l.block_offset(addr(4, 1)).is_err());
        assert_eq!(l.block_offset(addr(3, 1)).unwrap(), 103 * 2048);
    }

    #[test]
    fn metadata_blocks_through_the_file() {
        let l = Layout {
            block_len: 2048,
            image_len: 1200 * 2048,
            maps: vec![
                Map::Physical(phys()),
                Map::Metadata {
                    extents: vec![
                        MetaExtent {
                            start: 0,
                            len: 2,
                            offset: Some(150 * 2048),
                        },
                        MetaExtent {
                            start: 2,
                            len: 2,
                            offset: Some(110 * 2048),
                        },
                    ],
                },
            ],
        };
        let runs = l.resolve(addr(1, 1), 2 * 2048).unwrap();
        assert_eq!(
            runs.iter().map(|r| r.offset / 2048).collect::<Vec<_>>(),
            vec![151, 110]
        );
        let e = l.block_offset(addr(4, 1)).unwrap_err().to_string();
        assert!(e.contains("past the end of the metadata file"), "{e}");
    }
}
