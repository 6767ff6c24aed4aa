//! The command line: one clap struct per subcommand (DESIGN.md §4).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// List, read, extract and verify optical-disc images.
///
/// Exit codes: 0 ok, 1 the image is damaged or a requested entry failed
/// (the rest was still done), 2 usage error or unreadable input,
/// 130 interrupted.
#[derive(Debug, Parser)]
#[command(name = "isoscope-cli", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show the image's volume descriptors, views, boot catalog and partitions.
    Info(InfoArgs),
    /// List a directory (or, with -r, everything below it).
    ///
    /// El Torito boot images appear under /[BOOT] as files (type "file" in
    /// JSON). JSON "mode" is the full st_mode from Rock Ridge, or null.
    Ls(LsArgs),
    /// Write a file's content to standard output.
    Cat(CatArgs),
    /// Extract files and directories into a destination directory.
    ///
    /// Names that are unsafe or invalid on some OS ("..", separators, NUL,
    /// "CON", "a:b", trailing dots) and names that differ only in case are
    /// written under safe names and reported. Symbolic links pointing
    /// outside the destination are reported and skipped (exit 1); existing
    /// files kept by --overwrite never are reported (exit 0). Files are
    /// written under temporary names and renamed when complete: Ctrl-C
    /// (exit 130), a failure or a full disk leaves no partial file.
    Extract(ExtractArgs),
    /// Hash the image (MD5, SHA-1, SHA-256, SHA-512 in one pass), check it
    /// against checksum files beside it (or --against FILE), and check the
    /// disc's own per-file lists (md5sum.txt, sha256sum.txt, SHA256SUMS).
    /// Exit 1 on any mismatch.
    Verify(VerifyArgs),
    /// Write a disc container's data track as a plain ISO (2048-byte
    /// sectors), as bchunk, nrg2iso, mdf2iso and ccd2iso do. A track whose
    /// files are stored in Mode 2 Form 2 (Video CD MPEG) is refused unless
    /// --form1-only.
    Convert(ConvertArgs),
    /// Read every file of a view end to end (every extent, zisofs
    /// decompressed) and list each file that cannot be read or whose
    /// content does not match its entry, with what is wrong and where.
    /// Exit 1 when any file failed or the image reported damage.
    Test(TestArgs),
}

/// Which filesystem view of the image to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum ViewArg {
    /// The richest view the image has (UDF, Rock Ridge, Joliet, ISO 9660:1999, ISO 9660).
    #[default]
    Auto,
    /// UDF.
    Udf,
    /// ISO 9660 with Rock Ridge.
    Rockridge,
    /// Joliet.
    Joliet,
    /// Plain ISO 9660 names.
    Iso9660,
    /// ISO 9660:1999 (enhanced volume descriptor).
    #[value(name = "iso9660-1999")]
    Iso9660_1999,
}

/// `info IMAGE [--json]`.
#[derive(Debug, Args)]
pub struct InfoArgs {
    /// The disc image.
    pub image: PathBuf,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
    /// Describe this session's descriptors (1 = the oldest); the newest by
    /// default. Every session is listed either way.
    #[arg(long, value_name = "N")]
    pub session: Option<u32>,
}

/// `ls IMAGE [PATH] [--view …] [--session N] [--json] [-r]`.
#[derive(Debug, Args)]
pub struct LsArgs {
    /// The disc image.
    pub image: PathBuf,
    /// Directory (or file) inside the image, `/`-separated from the view's root.
    #[arg(default_value = "/")]
    pub path: String,
    /// Filesystem view.
    #[arg(long, value_enum, default_value_t = ViewArg::Auto)]
    pub view: ViewArg,
    /// Session to read in a multi-session image (1 = the oldest; `info`
    /// lists them); the newest by default.
    #[arg(long, value_name = "N")]
    pub session: Option<u32>,
    /// One JSON object per line: path, type, size, mtime, mode (st_mode), target.
    #[arg(long)]
    pub json: bool,
    /// Recurse into subdirectories.
    #[arg(short = 'r', long)]
    pub recursive: bool,
    /// Print tree size and memory per entry to stderr (for benchmarks).
    #[arg(long, hide = true)]
    pub stats: bool,
}

/// `cat IMAGE PATH [--view …]`.
#[derive(Debug, Args)]
pub struct CatArgs {
    /// The disc image.
    pub image: PathBuf,
    /// File inside the image.
    pub path: String,
    /// Filesystem view.
    #[arg(long, value_enum, default_value_t = ViewArg::Auto)]
    pub view: ViewArg,
}

/// What to do when a destination file exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Overwrite {
    /// Keep the existing file and skip the entry.
    #[default]
    Never,
    /// Replace the existing file.
    Always,
    /// Write under a new name: "name (2).ext", "name (3).ext", …
    Rename,
}

/// `extract IMAGE [PATH…] -o DIR …`.
#[derive(Debug, Args)]
pub struct ExtractArgs {
    /// The disc image.
    pub image: PathBuf,
    /// What to extract (default: everything). Paths keep their place below
    /// the view's root: `/docs/a.txt` is written to `DIR/docs/a.txt`.
    pub paths: Vec<String>,
    /// Destination directory (created when missing).
    #[arg(short = 'o', long = "output", value_name = "DIR")]
    pub output: PathBuf,
    /// Filesystem view.
    #[arg(long, value_enum, default_value_t = ViewArg::Auto)]
    pub view: ViewArg,
    /// What to do when a destination file exists.
    #[arg(long, value_enum, default_value_t = Overwrite::Never)]
    pub overwrite: Overwrite,
    /// Record an unreadable entry and go on (exit 1 at the end).
    #[arg(long)]
    pub keep_going: bool,
    /// Do not set modification times.
    #[arg(long)]
    pub no_times: bool,
    /// Do not set permissions from the image.
    #[arg(long)]
    pub no_perms: bool,
    /// No progress and no summary.
    #[arg(short = 'q', long)]
    pub quiet: bool,
    /// Give every extracted file and directory the owner write bit (the
    /// image's modes are kept otherwise, often read-only); setuid and
    /// setgid bits are dropped either way.
    #[arg(long)]
    pub writable: bool,
    /// When files are larger than the destination's file system holds
    /// (FAT: 4 GiB − 1 byte), extract everything else and report them as
    /// skipped (exit 1), instead of stopping before anything is written.
    #[arg(long)]
    pub skip_too_large: bool,
    /// Treat the destination as holding files of at most N bytes (tests
    /// of the FAT check on hosts without FAT).
    #[arg(long, hide = true, value_name = "N")]
    pub assume_max_file_len: Option<u64>,
}

/// `test IMAGE [--view …]`.
#[derive(Debug, Args)]
pub struct TestArgs {
    /// The disc image.
    pub image: PathBuf,
    /// Filesystem view.
    #[arg(long, value_enum, default_value_t = ViewArg::Auto)]
    pub view: ViewArg,
}

/// Checksum algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Algo {
    /// MD5.
    Md5,
    /// SHA-1.
    Sha1,
    /// SHA-256.
    Sha256,
    /// SHA-512.
    Sha512,
}

/// `verify IMAGE [--algo …] [--against FILE]`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The disc image.
    pub image: PathBuf,
    /// Compute only this digest, printed as `HEX  NAME` like sha256sum
    /// (default: MD5, SHA-1, SHA-256 and SHA-512 in one pass). Digests that
    /// a checksum file lists are computed too.
    #[arg(long, value_enum)]
    pub algo: Option<Algo>,
    /// Checksum file to check against (GNU `HEX  NAME` / `HEX *NAME`, BSD
    /// `SHA256 (NAME) = HEX`, a bare `HEX`, PGP-signed CHECKSUM files).
    /// Without it, checksum files beside the image are found by name
    /// (SHA256SUMS, *.sha256, CHECKSUM, *.DIGESTS …).
    #[arg(long, value_name = "FILE")]
    pub against: Option<PathBuf>,
    /// Also check every raw data sector of a disc container (BIN/CUE, NRG,
    /// CCD …): its EDC, and the ECC where the EDC fails. Each damaged
    /// sector is named by track and MSF address; exit 1 when any is.
    #[arg(long)]
    pub sectors: bool,
}

/// `convert IMAGE -o OUT.iso [--track N] [--form1-only]`.
#[derive(Debug, Args)]
pub struct ConvertArgs {
    /// The disc container (CUE, TOC, BIN, NRG, MDS/MDF, CCD/IMG …).
    pub image: PathBuf,
    /// The plain ISO to write (must not exist unless --overwrite).
    #[arg(short = 'o', long = "output", value_name = "OUT.iso")]
    pub output: PathBuf,
    /// The data track to write (default: the one whose file system the
    /// views show).
    #[arg(long, value_name = "N")]
    pub track: Option<u8>,
    /// Write a track whose files are stored in Mode 2 Form 2 anyway: Form 1
    /// sectors as they are, Form 2 sectors as zeros.
    #[arg(long)]
    pub form1_only: bool,
    /// Replace OUT.iso when it exists.
    #[arg(long)]
    pub overwrite: bool,
}
