//! The path table (ECMA-119 §9.4): used only as a fallback route to a
//! directory whose record is damaged.

use std::collections::HashMap;

use crate::bytes::{le_u16, le_u32, slice, u8_at};
use crate::error::{Error, Result};
use crate::source::{read_vec, ImageSource};

use super::raw::{display_name_iso, display_name_joliet, VolumeDescriptor};

/// Largest path table read (hostile sizes are cut here).
const MAX_PATH_TABLE: u32 = 16 << 20;

/// Directory locations by path.
#[derive(Debug)]
pub struct PathTable {
    /// (parent index (1-based), display name, location)
    records: Vec<(u16, String, u32)>,
    by_path: HashMap<String, u32>,
}

impl PathTable {
    /// Reads the type L path table of `vd`.
    ///
    /// # Errors
    /// When it cannot be read.
    pub fn read(source: &dyn ImageSource, vd: &VolumeDescriptor, joliet: bool) -> Result<Self> {
        let size = vd.path_table_size.min(MAX_PATH_TABLE);
        let offset = u64::from(vd.type_l_path_table) * vd.block_len();
        let avail = source.len().saturating_sub(offset);
        let size = u64::from(size).min(avail);
        if size == 0 {
            return Err(Error::corrupt(
                "path table",
                u64::from(vd.type_l_path_table),
                "empty or outside the image",
            ));
        }
        let buf = read_vec(source, offset, crate::bytes::usize_from(size).unwrap_or(0))?;
        let mut records = Vec::new();
        let mut pos = 0usize;
        while let Some(len_di) = u8_at(&buf, pos) {
            if len_di == 0 {
                break;
            }
            let (Some(loc), Some(parent), Some(id)) = (
                le_u32(&buf, pos + 2),
                le_u16(&buf, pos + 6),
                slice(&buf, pos + 8, usize::from(len_di)),
            ) else {
                break;
            };
            let name = if id == [0] {
                String::new()
            } else if joliet {
                display_name_joliet(id)
            } else {
                display_name_iso(id)
            };
            records.push((parent, name, loc));
            pos += 8 + usize::from(len_di) + usize::from(len_di % 2);
        }
        let mut paths: Vec<String> = Vec::with_capacity(records.len());
        let mut by_path = HashMap::new();
        for (i, (parent, name, loc)) in records.iter().enumerate() {
            let path = if i == 0 {
                String::new()
            } else {
                let p = paths
                    .get(usize::from(*parent).saturating_sub(1))
                    .filter(|_| usize::from(*parent) <= i)
                    .cloned()
                    .unwrap_or_default();
                format!("{p}/{name}")
            };
            by_path.insert(path.to_ascii_uppercase(), *loc);
            paths.push(path);
        }
        Ok(PathTable { records, by_path })
    }

    /// Location of the root directory (the first record).
    pub fn root_location(&self) -> Option<u32> {
        self.records.first().map(|r| r.2)
    }

    /// Location of directory `name` inside the directory whose path
    /// components are `parent`.
    pub fn find(&self, parent: &[&str], name: &str) -> Option<u32> {
        let mut p = String::new();
        for c in parent {
            p.push('/');
            p.push_str(c);
        }
        p.push('/');
        p.push_str(name);
        self.by_path.get(&p.to_ascii_uppercase()).copied()
    }
}
