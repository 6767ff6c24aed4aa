//! # iso-core
//!
//! Reads optical-disc images — ISO 9660 with Joliet, Rock Ridge, zisofs and
//! El Torito boot entries — and presents each filesystem view as one
//! [`Tree`] that can be listed, inspected, read and extracted.
//!
//! ```no_run
//! use iso_core::{Image, OpenOptions};
//! # fn main() -> Result<(), iso_core::Error> {
//! let image = Image::open("disc.iso".as_ref(), &OpenOptions::default())?;
//! let Some(view) = image.default_view() else {
//!     return Ok(()); // e.g. a UDF-only image: nothing this version reads
//! };
//! let tree = image.tree(view)?;
//! for id in tree.walk(tree.root()) {
//!     println!("{} {}", tree.path(id), tree.size(id));
//! }
//! # Ok(()) }
//! ```
//!
//! # Errors
//! One error type, [`Error`]; every message names the structure and where
//! it is. Damage that still leaves the rest readable becomes a [`Warning`]
//! (see [`Image::warnings`] and [`Tree::warnings`]) instead of a failure.
//!
//! # Security
//! Every image is treated as hostile: no panics on any input, no allocation
//! sized from the image without a cap, directory walks keep a visited set
//! and a depth limit, continuation chains are bounded. Names from the image
//! are never used as host paths here; the extraction module sanitises them.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    warn(clippy::indexing_slicing, clippy::cast_possible_truncation)
)]

pub mod bytes;
pub mod crossview;
pub mod eltorito;
mod error;
pub mod extents;
pub mod extract;
mod image;
mod info;
pub mod iso9660;
pub mod partitions;
pub mod reader;
pub mod rockridge;
pub mod source;
pub mod tree;
pub mod udf;
pub mod units;
pub mod verify;
mod view;
pub mod walk;
pub mod zisofs;

pub use error::{Error, Location, Result, Warning};
pub use image::{Image, OpenOptions};
pub use info::{BootInfo, BootRecord, ImageInfo, Iso9660Info};
pub use iso9660::sessions::Session;
pub use reader::FileReader;
pub use source::{FileSource, ImageSource, MemorySource};
pub use tree::{NodeId, NodeKind, Stream, Timestamp, Tree};
pub use units::Sector;
pub use view::View;

/// Bytes in one logical sector of the image (a CD/DVD/BD data sector):
/// [`units::Sector::LEN`].
pub const SECTOR_LEN: u64 = units::Sector::LEN;
