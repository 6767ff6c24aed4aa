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

mod bridge;
pub mod dir;
pub mod icb;
pub mod partition;
pub mod raw;
mod readahead;
pub mod volume;
mod volume_read;

pub use bridge::is_richer;
pub use dir::{build_tree, WalkOptions};
pub use raw::LbAddr;
pub use volume::{open, IntegrityInfo, MapInfo, VolumeInfo};

use crate::error::{Error, Location, Warning};

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

impl From<Loc> for Location {
    fn from(l: Loc) -> Location {
        match l {
            Loc::Block { block, block_len } => Location::Lba {
                lba: block,
                block_len: u32::try_from(block_len).unwrap_or(u32::MAX),
            },
            Loc::Part(a) => Location::Partition {
                partition: a.partition_reference_number,
                block: a.logical_block_number,
            },
        }
    }
}

/// A corrupt-structure error at `loc`.
pub(crate) fn corrupt(structure: &'static str, loc: Loc, what: impl Into<String>) -> Error {
    Error::corrupt_at(structure, loc.into(), what)
}

/// A warning about `structure` at `loc`.
pub(crate) fn warning(structure: &'static str, loc: Loc, what: impl Into<String>) -> Warning {
    Warning::at(structure, loc.into(), what)
}
