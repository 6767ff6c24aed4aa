//! Address units. An image's own address space is its 2048-byte sectors
//! ([`Sector`]): ISO 9660's logical blocks on every real disc, El Torito's
//! relative block addresses, and the user data a disc container's raw
//! sectors translate to. A file system with other blocks names its own
//! unit (ISO 9660 volumes with 512-byte blocks, UDF's partition-relative
//! logical blocks: `udf::LbAddr`); messages say which through
//! [`crate::Location`].

use crate::error::Location;

/// A 2048-byte sector of the image, counted from its start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Sector(pub u64);

impl Sector {
    /// Bytes in one sector.
    pub const LEN: u64 = 2048;
    /// [`Self::LEN`] as a buffer length.
    pub const LEN_USIZE: usize = 2048;

    /// The sector holding byte `offset`.
    pub fn containing(offset: u64) -> Self {
        Sector(offset / Self::LEN)
    }

    /// Its first byte's offset in the image (saturating: a hostile address
    /// past any image is just past the end).
    pub fn offset(self) -> u64 {
        self.0.saturating_mul(Self::LEN)
    }

    /// The sector `n` after this one.
    pub fn plus(self, n: u64) -> Self {
        Sector(self.0.saturating_add(n))
    }

    /// Where it is, for messages.
    pub fn location(self) -> Location {
        Location::Lba {
            lba: self.0,
            block_len: 2048,
        }
    }
}

impl From<u32> for Sector {
    fn from(lba: u32) -> Self {
        Sector(u64::from(lba))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_saturate_and_locations_name_the_unit() {
        assert_eq!(Sector(16).offset(), 32768);
        assert_eq!(Sector(u64::MAX).offset(), u64::MAX);
        assert_eq!(Sector::containing(32769), Sector(16));
        assert_eq!(
            Sector(16).location().to_string(),
            "LBA 16 (2048-byte sectors)"
        );
    }
}
