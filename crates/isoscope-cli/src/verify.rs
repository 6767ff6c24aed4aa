//! `verify`: glue over iso-core's verify module.
//!
//! 1. Hashes the image file in one pass: all four digests (printed as
//!    `ALGO (NAME) = HEX` lines, the `sha256sum --tag` form), or only
//!    `--algo` (printed as `HEX  NAME`, the `sha256sum` form) plus any that
//!    a checksum file lists.
//! 2. Checks the digests against `--against FILE`, or else every checksum
//!    file found beside the image: `NAME: OK` / `NAME: FAILED` per listed
//!    digest; a file that does not list the image says so.
//! 3. When the image opens as a disc, checks the per-file lists it carries
//!    at its root (md5sum.txt, sha256sum.txt, SHA256SUMS …): every listed
//!    file is read from the image and compared.
//!
//! Exit 1 on any mismatch or missing listed file; 2 when the image or the
//! `--against` file cannot be read; 130 on Ctrl-C. Progress goes to stderr
//! on a terminal.

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use iso_core::extract::{Cancel, Progress};
use iso_core::verify::internal::{self, FileVerdict};
use iso_core::verify::sums::{self, Check, Verdict};
use iso_core::verify::{hash_path, Algorithm, Digest};
use iso_core::{Error, Image, OpenOptions};

use crate::args::{Algo, VerifyArgs};
use crate::{term, Failure, Outcome, DAMAGED, OK};

fn algorithm(a: Algo) -> Algorithm {
    match a {
        Algo::Md5 => Algorithm::Md5,
        Algo::Sha1 => Algorithm::Sha1,
        Algo::Sha256 => Algorithm::Sha256,
        Algo::Sha512 => Algorithm::Sha512,
    }
}

fn tag(a: Algorithm) -> &'static str {
    match a {
        Algorithm::Md5 => "MD5",
        Algorithm::Sha1 => "SHA1",
        Algorithm::Sha256 => "SHA256",
        Algorithm::Sha512 => "SHA512",
    }
}

/// Runs `verify`.
pub fn run(args: &VerifyArgs) -> Outcome {
    crate::graceful_cancel();
    let image = &args.image;
    if !image.is_file() {
        return Err(Failure::usage(format!(
            "{}: not a readable file",
            image.display()
        )));
    }
    let name = image
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| image.display().to_string());
    let files: Vec<PathBuf> = match &args.against {
        Some(f) => {
            sums::read_file(f)
                .map_err(|e| Failure::usage(format!("cannot read {}: {e}", f.display())))?;
            vec![f.clone()]
        }
        None => sums::find_beside(image),
    };
    let mut algos: Vec<Algorithm> = match args.algo {
        Some(a) => vec![algorithm(a)],
        None => Algorithm::ALL.to_vec(),
    };
    algos.extend(sums::algorithms_needed(image, &files));
    if let Some(f) = &args.against {
        // A file with one digest for another name is still meant for it.
        if let Some(e) = single_entry(f) {
            algos.push(e.algorithm);
        }
    }
    algos.sort_unstable();
    algos.dedup();
    let show = io::stderr().is_terminal();
    let digests = with_progress(show, "hashing", |p, c| hash_path(image, &algos, p, c))
        .map_err(|e| Failure::from_core(&image.display().to_string(), &e))?;
    let stdout = io::stdout();
    let mut out = stdout.lock();
    let shown = term::escape(&name);
    for d in &digests {
        if args.algo.is_some_and(|a| algorithm(a) == d.algorithm) {
            writeln!(out, "{}  {shown}", d.hex()).map_err(Failure::stdout)?;
        } else if args.algo.is_none() {
            writeln!(out, "{} ({shown}) = {}", tag(d.algorithm), d.hex())
                .map_err(Failure::stdout)?;
        }
    }
    let mut bad = false;
    for f in &files {
        let checks = checks_for(image, f, &digests, args.against.is_some())
            .map_err(|e| Failure::usage(format!("cannot read {}: {e}", f.display())))?;
        for c in checks {
            bad |= print_check(&mut out, &shown, &c)?;
        }
    }
    bad |= check_internal_lists(&mut out, image, show)?;
    if args.sectors {
        bad |= check_sectors(&mut out, image, show)?;
    }
    Ok(if bad { DAMAGED } else { OK })
}

/// The only entry of a checksum file, if it has exactly one.
fn single_entry(f: &Path) -> Option<sums::Entry> {
    match sums::read_file(f).ok()?.as_slice() {
        [only] => Some(only.clone()),
        _ => None,
    }
}

/// What `f` says about the image; with `--against`, a file holding one
/// digest for another name is taken as meant for this image.
fn checks_for(image: &Path, f: &Path, digests: &[Digest], named: bool) -> io::Result<Vec<Check>> {
    let checks = sums::check(image, f, digests)?;
    let unlisted = matches!(checks.as_slice(), [c] if c.verdict == Verdict::NotListed);
    match single_entry(f).filter(|_| named && unlisted) {
        Some(e) => {
            let verdict = match digests.iter().find(|d| d.algorithm == e.algorithm) {
                Some(d) if d.hex() == e.hex => Verdict::Match,
                Some(d) => Verdict::Mismatch {
                    expected: e.hex.clone(),
                    actual: d.hex(),
                },
                None => Verdict::NotComputed(e.algorithm),
            };
            Ok(vec![Check {
                file: f.to_path_buf(),
                algorithm: Some(e.algorithm),
                line: e.line,
                verdict,
            }])
        }
        None => Ok(checks),
    }
}

/// Prints one check; returns whether it is a mismatch.
fn print_check(out: &mut impl Write, shown: &str, c: &Check) -> Result<bool, Failure> {
    let file = term::escape(&c.file.display().to_string()).into_owned();
    let algo = c.algorithm.map(tag).unwrap_or("");
    let (line, bad) = match &c.verdict {
        Verdict::Match => (
            format!("{shown}: OK ({algo}, {file} line {})", c.line),
            false,
        ),
        Verdict::Mismatch { expected, .. } => (
            format!(
                "{shown}: FAILED ({algo}, {file} line {}: expected {expected})",
                c.line
            ),
            true,
        ),
        Verdict::NotListed => (format!("{file}: does not list {shown}"), false),
        Verdict::NotComputed(a) => (
            format!("{file}: lists a {} digest, not computed", tag(*a)),
            false,
        ),
    };
    writeln!(out, "{line}").map_err(Failure::stdout)?;
    Ok(bad)
}

/// Checks the disc's own per-file lists; returns whether anything failed.
fn check_internal_lists(out: &mut impl Write, path: &Path, show: bool) -> Result<bool, Failure> {
    let Ok(image) = Image::open(path, &OpenOptions::default()) else {
        return Ok(false);
    };
    let Some(view) = image.default_view() else {
        return Ok(false);
    };
    let Ok(tree) = image.tree(view) else {
        return Ok(false);
    };
    let mut bad = false;
    for list in internal::find_lists(&tree) {
        let report = with_progress(show, tree.name(list), |p, c| {
            internal::verify_list(&image, &tree, list, p, c)
        });
        let report = match report {
            Ok(r) => r,
            Err(Error::Cancelled) => return Err(Failure::interrupted()),
            Err(e) => {
                writeln!(
                    out,
                    "{}: cannot be read: {}",
                    report_name(&tree.path(list)),
                    term::escape(&e.to_string())
                )
                .map_err(Failure::stdout)?;
                bad = true;
                continue;
            }
        };
        let list_name = report_name(&report.list);
        for f in &report.files {
            let what = match &f.verdict {
                FileVerdict::Match => continue,
                FileVerdict::Mismatch { expected, actual } => {
                    format!(
                        "FAILED ({}: expected {expected}, got {actual})",
                        tag(f.algorithm)
                    )
                }
                FileVerdict::Missing => "MISSING from the image".to_string(),
                FileVerdict::Unreadable(e) => format!("UNREADABLE: {e}"),
            };
            bad = true;
            writeln!(
                out,
                "{list_name}: {}: {}",
                term::escape(&f.listed),
                term::escape(&what)
            )
            .map_err(Failure::stdout)?;
        }
        writeln!(
            out,
            "{list_name}: {} of {} listed files OK",
            report.matched(),
            report.files.len()
        )
        .map_err(Failure::stdout)?;
    }
    Ok(bad)
}

/// Checks every raw data sector (`--sectors`); returns whether any is
/// damaged or needed the ECC.
fn check_sectors(out: &mut impl Write, path: &Path, show: bool) -> Result<bool, Failure> {
    let image = crate::open_image(path)?;
    let Some(disc) = image.disc() else {
        writeln!(
            out,
            "sectors: {} is a plain image of 2048-byte sectors: no EDC/ECC to check",
            term::escape(&path.display().to_string())
        )
        .map_err(Failure::stdout)?;
        return Ok(false);
    };
    let r = with_progress(show, "sectors", |p, c| check_sectors_of(disc, p, c))
        .map_err(|e| Failure::from_core("checking sectors", &e))?;
    if r.cancelled {
        return Err(Failure::interrupted());
    }
    for p in &r.problems {
        writeln!(out, "sector: {p}").map_err(Failure::stdout)?;
    }
    if usize::try_from(r.corrected + r.damaged).unwrap_or(usize::MAX) > r.problems.len() {
        writeln!(
            out,
            "sectors: only the first {} problems are listed",
            r.problems.len()
        )
        .map_err(Failure::stdout)?;
    }
    writeln!(
        out,
        "sectors: {} checked, {} good, {} without EDC, {} corrected by ECC, {} damaged{}",
        r.checked,
        r.good,
        r.unchecked,
        r.corrected,
        r.damaged,
        if r.cooked > 0 {
            format!(" ({} stored without EDC/ECC, not checkable)", r.cooked)
        } else {
            String::new()
        }
    )
    .map_err(Failure::stdout)?;
    Ok(!r.problems.is_empty() || r.damaged > 0 || r.corrected > 0)
}

fn check_sectors_of(
    disc: &iso_core::source::disc::Disc,
    p: &Progress,
    c: &Cancel,
) -> Result<iso_core::source::scan::ScanReport, Error> {
    iso_core::source::scan::check_sectors(disc, p, c)
}

fn report_name(p: &str) -> String {
    term::escape(p).into_owned()
}

/// Runs `work` on a scoped thread while this one draws a byte progress
/// bar (when `show`) and passes Ctrl-C on as a cancel.
pub(crate) fn with_progress<T: Send>(
    show: bool,
    label: &str,
    work: impl FnOnce(&Progress, &Cancel) -> Result<T, Error> + Send,
) -> Result<T, Error> {
    let bar = show.then(|| {
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr_with_hz(10));
        if let Ok(style) = ProgressStyle::with_template(
            "{prefix} {bar:30} {bytes}/{total_bytes} {binary_bytes_per_sec} ETA {eta}",
        ) {
            bar.set_style(style);
        }
        bar.set_prefix(term::escape(label).into_owned());
        bar
    });
    let result = crate::run_sampled(work, |progress| {
        if let Some(bar) = &bar {
            bar.set_length(progress.bytes_total());
            bar.set_position(progress.bytes_done());
        }
    });
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    result.unwrap_or_else(|| Err(Error::Unsupported("the worker thread panicked".into())))
}
