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

/// Disc containers (BIN/CUE, cdrdao TOC, NRG, CloneCD, raw sectors, Video
/// CD Form 2 files, audio tracks as WAV) on the fixtures of
/// tests/fixtures/containers/make.sh, against xorriso, cd-info, bchunk
/// and vcdxrip; damaged and hostile containers built in the tests.
#[path = "it/containers.rs"]
mod containers;

/// UDF: mkudffs, pycdlib, genisoimage and udfkit fixtures against udfinfo
/// and 7-Zip, damaged copies (reserve sequence, metadata mirror), hostile
/// images built by patching them.
#[path = "it/udf.rs"]
mod udf;

/// The fuzz targets' steps (crates/iso-core/fuzz/src/lib.rs) replayed on
/// every input the fuzzer once crashed on (tests/crashes/) and on every
/// fixture: no panic, nothing extracted outside its destination.
#[path = "it/crashes.rs"]
mod crashes;

/// Names (UTF-8 identifiers, bytes that are not UTF-8, case-only
/// differences) and the CD-ROM XA record, on genisoimage and pycdlib
/// images, against isoinfo and bsdtar listings.
#[path = "it/names.rs"]
mod names;

/// The image test engine (`verify::check`) on a zisofs image with one
/// file's compressed data destroyed.
#[path = "it/check.rs"]
mod check;
