//! The public error type and the warning type of iso-core.

use std::fmt;

/// Everything that can go wrong while reading an image.
///
/// Every message says what went wrong and where: the structure, and the
/// logical block address (LBA, in 2048-byte sectors) or byte offset.
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
    #[error("corrupt {structure} at LBA {lba}: {what}")]
    Corrupt {
        /// Which structure, named as in its specification.
        structure: &'static str,
        /// Where it is, in 2048-byte logical blocks.
        lba: u64,
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
    /// Builds a [`Error::Corrupt`].
    pub fn corrupt(structure: &'static str, lba: u64, what: impl Into<String>) -> Self {
        Error::Corrupt {
            structure,
            lba,
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
    /// Where it is, in 2048-byte logical blocks, when known.
    pub lba: Option<u64>,
    /// What is wrong and what was done about it.
    pub what: String,
}

impl Warning {
    /// A warning about `structure` at `lba`.
    pub fn new(structure: &'static str, lba: Option<u64>, what: impl Into<String>) -> Self {
        Warning {
            structure,
            lba,
            what: what.into(),
        }
    }
}

impl From<Error> for Warning {
    fn from(e: Error) -> Self {
        match e {
            Error::Corrupt {
                structure,
                lba,
                what,
            } => Warning {
                structure,
                lba: Some(lba),
                what,
            },
            other => Warning {
                structure: "image",
                lba: None,
                what: other.to_string(),
            },
        }
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.lba {
            Some(lba) => write!(f, "{} at LBA {}: {}", self.structure, lba, self.what),
            None => write!(f, "{}: {}", self.structure, self.what),
        }
    }
}
