//! MAME CHD files.

use std::path::Path;

use super::disc::Disc;
use crate::error::{Error, Result};

/// Opens a CHD.
///
/// # Errors
/// Always, for now.
pub fn open(path: &Path) -> Result<Disc> {
    Err(Error::Unsupported(format!(
        "{}: MAME CHD files are not read yet",
        path.display()
    )))
}
