//! UDF (ECMA-167 3rd edition, OSTA UDF 1.02–2.60): recognition, anchors,
//! volume descriptor sequences, partition maps (type 1, virtual with its
//! VAT, sparable, metadata with its mirror), file entries and
//! directories, turned into a [`Tree`](crate::Tree).
//!
//! Addresses carry their space: [`LbAddr`] is a logical block in one
//! partition of the logical volume; [`partition::Layout`] resolves every
//! one through the partition maps to a byte offset on the image (sparing
//! tables, the VAT and the metadata file are applied there). Messages name
//! places as "partition N block M" or, for volume-space structures,
//! "block M" in the volume's logical block size.

pub mod dir;
pub mod icb;
pub mod partition;
pub mod raw;
pub mod volume;
mod volume_read;

pub use dir::{build_tree, WalkOptions};
pub use raw::LbAddr;
pub use volume::{open, IntegrityInfo, MapInfo, VolumeInfo};

use crate::error::{Error, Warning};

/// Where a UDF structure is, for messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Loc {
    /// A block of the volume space (in the logical block size), with that
    /// size in bytes.
    Block {
        /// Block number from the start of the image.
        block: u64,
        /// Block size in bytes.
        block_len: u64,
    },
    /// A logical block of a partition (partition reference number).
    Part(LbAddr),
}

impl Loc {
    /// 2048-byte sector of the image that the location starts in, when it
    /// is known without the partition maps.
    fn sector(self) -> u64 {
        match self {
            Loc::Block { block, block_len } => block.saturating_mul(block_len) / crate::SECTOR_LEN,
            Loc::Part(a) => u64::from(a.logical_block_number),
        }
    }

    fn prefix(self) -> String {
        match self {
            Loc::Block { block, block_len } => format!("block {block} ({block_len}-byte blocks)"),
            Loc::Part(a) => format!(
                "partition {} block {}",
                a.partition_reference_number, a.logical_block_number
            ),
        }
    }
}

/// A corrupt-structure error at `loc`.
pub(crate) fn corrupt(structure: &'static str, loc: Loc, what: impl Into<String>) -> Error {
    Error::corrupt(
        structure,
        loc.sector(),
        format!("{}: {}", loc.prefix(), what.into()),
    )
}

/// A warning about `structure` at `loc`.
pub(crate) fn warning(structure: &'static str, loc: Loc, what: impl Into<String>) -> Warning {
    Warning::new(
        structure,
        None,
        format!("at {}: {}", loc.prefix(), what.into()),
    )
}
