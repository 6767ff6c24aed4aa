//! `convert IMAGE -o OUT.iso`: a disc container's data track as a plain
//! ISO, glue over `iso_core::source::convert`.
//!
//! The ISO is written under a temporary name beside OUT.iso and renamed
//! when complete: a failure or Ctrl-C (exit 130) leaves no partial file.
//! A plain image is refused (exit 2: nothing to convert); so is a track
//! whose files are stored in Mode 2 Form 2, unless `--form1-only`.

use std::fs;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};

use iso_core::source::convert::{self, ConvertOptions, Form2Policy};
use iso_core::{Image, OpenOptions};

use crate::args::ConvertArgs;
use crate::{term, Failure, Outcome, OK};

/// Most Form 2 file paths looked for before refusing.
const FORM2_SAMPLE: usize = 8;

/// Runs `convert`.
pub fn run(args: &ConvertArgs) -> Outcome {
    crate::graceful_cancel();
    let mut options = OpenOptions::default();
    options.track = args.track;
    let shown = args.image.display().to_string();
    let image = Image::open(&args.image, &options).map_err(|e| Failure::from_core(&shown, &e))?;
    let Some(disc) = image.disc() else {
        return Err(Failure::usage(format!(
            "{}: a plain image of 2048-byte sectors already; nothing to convert",
            term::escape(&shown)
        )));
    };
    let number = args
        .track
        .or(image.info().disc.as_ref().and_then(|d| d.data_track))
        .ok_or_else(|| {
            Failure::usage(format!(
                "{}: the disc has no data track",
                term::escape(&shown)
            ))
        })?;
    let track = disc
        .track(number)
        .ok_or_else(|| Failure::usage(format!("the disc has no track {number}")))?;
    if args.output.exists() && !args.overwrite {
        return Err(Failure::usage(format!(
            "{} exists (use --overwrite to replace it)",
            term::escape(&args.output.display().to_string())
        )));
    }
    let form2 = match image.default_view().map(|v| image.tree(v)) {
        Some(Ok(tree)) => convert::form2_files(disc, &tree, FORM2_SAMPLE),
        _ => Vec::new(),
    };
    let opts = ConvertOptions {
        form2: if args.form1_only {
            Form2Policy::Form1Only
        } else {
            Form2Policy::Refuse
        },
    };
    let part = part_path(&args.output);
    let file = fs::File::create(&part).map_err(|e| {
        Failure::usage(format!(
            "cannot create {}: {e}",
            term::escape(&part.display().to_string())
        ))
    })?;
    let mut out = BufWriter::with_capacity(1 << 20, file);
    let show = io::stderr().is_terminal();
    let result = crate::verify::with_progress(show, "converting", |p, c| {
        convert::write_iso(disc, track, &form2, &mut out, &opts, p, c)
    });
    let outcome = match result.and_then(|o| {
        out.flush().map_err(|e| iso_core::Error::io(0, e))?;
        Ok(o)
    }) {
        Ok(o) if !o.cancelled => o,
        Ok(_) => {
            let _ = fs::remove_file(&part);
            return Err(Failure::interrupted());
        }
        Err(e) => {
            let _ = fs::remove_file(&part);
            let mut f = Failure::from_core(&shown, &e);
            if !form2.is_empty() && !args.form1_only {
                f.message.push_str(" (--form1-only)");
            }
            return Err(f);
        }
    };
    drop(out);
    fs::rename(&part, &args.output).map_err(|e| {
        let _ = fs::remove_file(&part);
        Failure::usage(format!("cannot write {}: {e}", args.output.display()))
    })?;
    let mut err = io::stderr().lock();
    let _ = writeln!(
        err,
        "isoscope-cli: wrote track {number}: {} sectors ({} bytes) to {}",
        outcome.sectors,
        outcome.sectors * 2048,
        term::escape(&args.output.display().to_string())
    );
    if outcome.form2_zeroed > 0 {
        let _ = writeln!(
            err,
            "isoscope-cli: {} Mode 2 Form 2 sectors written as zeros (--form1-only)",
            outcome.form2_zeroed
        );
    }
    Ok(OK)
}

/// `OUT.iso.part` beside `OUT.iso`.
fn part_path(out: &Path) -> PathBuf {
    let mut name = out.file_name().unwrap_or_default().to_os_string();
    name.push(".part");
    out.with_file_name(name)
}
