//! Alcohol 120% descriptors (.mds) and their .mdf data files.

use std::path::Path;

use super::disc::Disc;
use crate::error::{Error, Result};

/// Opens an MDS descriptor.
///
/// # Errors
/// Always, for now.
pub fn open(path: &Path) -> Result<Disc> {
    Err(Error::Unsupported(format!(
        "{}: Alcohol MDS descriptors are not read yet",
        path.display()
    )))
}
