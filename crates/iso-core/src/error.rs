//! The public error type and the warning type of iso-core.

use std::fmt;

/// Where on the image a structure is, in the unit of its address space.
///
/// Addresses carry their unit: an image sector is not a UDF logical block
/// in a partition, and an image whose file system uses 512-byte blocks
/// says so.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Location {
    /// A block address on the image, counted in blocks of `block_len`
    /// bytes from its start (2048-byte sectors for ISO 9660 and the user
    /// data of disc containers).
    Lba {
        /// The block number.
        lba: u64,
        /// Bytes per block.
        block_len: u32,
    },
    /// A logical block of a UDF partition, by partition reference number.
    Partition {
        /// The partition reference number (UDF: index in the logical
        /// volume's partition maps).
        partition: u16,
        /// The logical block number within the partition.
        block: u32,
    },
    /// A byte offset from the start of the image.
    Byte(u64),
}

impl Location {
    /// A 2048-byte sector of the image.
    pub fn sector(lba: u64) -> Self {
        crate::units::Sector(lba).location()
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Lba { lba, block_len } => write!(f, "LBA {lba} ({block_len}-byte sectors)"),
            Location::Partition { partition, block } => {
                write!(f, "partition {partition} block {block}")
            }
            Location::Byte(n) => write!(f, "byte {n}"),
        }
    }
}

/// Everything that can go wrong while reading an image.
///
/// Every message says what went wrong and where: the structure, and its
/// [`Location`] or byte offset.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Reading the image itself failed.
    #[error("cannot read the image at byte offset {offset}: {source}")]
    Io {
        /// Byte offset in the image where the read started.
        offset: u64,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A structure on the image is damaged or inconsistent.
    #[error("corrupt {structure} at {at}: {what}")]
    Corrupt {
        /// Which structure, named as in its specification.
        structure: &'static str,
        /// Where it is.
        at: Location,
        /// What is wrong with it.
        what: String,
    },
    /// The bytes are not a disc image this library knows.
    #[error("not a disc image: {0}")]
    NotAnImage(String),
    /// A valid feature this library does not handle (yet).
    #[error("unsupported: {0}")]
    Unsupported(String),
    /// A path or view that does not exist in this image.
    #[error("not found: {0}")]
    NotFound(String),
    /// A path names something that is not a directory where one is needed.
    #[error("not a directory: {0}")]
    NotADirectory(String),
    /// The operation was cancelled by the caller.
    #[error("cancelled")]
    Cancelled,
}

impl Error {
    /// Builds a [`Error::Corrupt`] for a structure at `lba`, in 2048-byte
    /// sectors of the image.
    pub fn corrupt(structure: &'static str, lba: u64, what: impl Into<String>) -> Self {
        Self::corrupt_at(structure, Location::sector(lba), what)
    }

    /// Builds a [`Error::Corrupt`] for a structure at `at`.
    pub fn corrupt_at(structure: &'static str, at: Location, what: impl Into<String>) -> Self {
        Error::Corrupt {
            structure,
            at,
            what: what.into(),
        }
    }

    /// Builds an [`Error::Io`].
    pub fn io(offset: u64, source: std::io::Error) -> Self {
        Error::Io { offset, source }
    }
}

/// Shorthand for results in this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A recoverable oddity found while reading: the image still opens, but
/// something was skipped, guessed or repaired. Shown to the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// Which structure, named as in its specification.
    pub structure: &'static str,
    /// Where it is, when known.
    pub at: Option<Location>,
    /// What is wrong and what was done about it.
    pub what: String,
}

impl Warning {
    /// A warning about `structure` at `lba` (2048-byte sectors), when
    /// known.
    pub fn new(structure: &'static str, lba: Option<u64>, what: impl Into<String>) -> Self {
        Warning {
            structure,
            at: lba.map(Location::sector),
            what: what.into(),
        }
    }

    /// A warning about `structure` at `at`.
    pub fn at(structure: &'static str, at: Location, what: impl Into<String>) -> Self {
        Warning {
            structure,
            at: Some(at),
            what: what.into(),
        }
    }
}

impl From<Error> for Warning {
    fn from(e: Error) -> Self {
        match e {
            Error::Corrupt {
                structure,
                at,
                what,
            } => Warning {
                structure,
                at: Some(at),
                what,
            },
            other => Warning {
                structure: "image",
                at: None,
                what: other.to_string(),
            },
        }
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.at {
            Some(at) => write!(f, "{} at {}: {}", self.structure, at, self.what),
            None => write!(f, "{}: {}", self.structure, self.what),
        }
    }
}
