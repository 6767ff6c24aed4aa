//! The integration tests of iso-core, in one test binary.
//!
//! Each module under `tests/it/` covers one concern; see the comment at the
//! top of each.

/// Helpers shared by the modules: decompressing fixtures, listing a tree in
/// the expected-listing format, hashing file content.
#[path = "it/util.rs"]
mod util;

/// A tiny ECMA-119 writer for hand-made images (valid ones, and hostile ones
/// made by patching them).
#[path = "it/isobuild.rs"]
mod isobuild;

/// Fixture images made by xorriso and genisoimage (tests/fixtures/make.sh),
/// compared entry for entry with the listings those tools gave.
#[path = "it/fixtures.rs"]
mod fixtures;

/// El Torito boot catalog, the `/[BOOT]` entries and hybrid partition tables
/// of the xorriso El Torito fixture, compared with xorriso's and 7-Zip's
/// reports.
#[path = "it/eltorito.rs"]
mod eltorito;

/// The shared corpus of real images with ground truth from other tools
/// (runs when ISOSCOPE_CORPUS names its folder).
#[path = "it/corpus.rs"]
mod corpus;

/// Hostile images: loops, lengths past the end, truncation, bad names and
/// deterministic byte flips must give errors or warnings, never a panic or
/// a hang.
#[path = "it/hostile.rs"]
mod hostile;

/// ECMA-119 features no fixture tool writes, on images built by
/// `isobuild`: extended attribute records, interleaved files, the path
/// table as a fallback route to a directory.
#[path = "it/iso9660.rs"]
mod iso9660;

/// The fuzz targets' steps (crates/iso-core/fuzz/src/lib.rs) replayed on
/// every input the fuzzer once crashed on (tests/crashes/) and on every
/// fixture: no panic, nothing extracted outside its destination.
#[path = "it/crashes.rs"]
mod crashes;
