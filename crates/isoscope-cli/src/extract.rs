//! `extract`: glue over iso-core's extraction engine (`iso_core::extract`).
//!
//! The engine plans, sanitises names for every OS, checks free space,
//! writes through temporary files on a few threads and reports everything
//! it renamed, skipped or could not do. Here: the arguments become
//! [`ExtractOptions`] (entries keep their path below the view's root), the
//! work runs on a scoped thread while this one draws the progress bar
//! (stderr, terminals only) and turns Ctrl-C into a cancel, and the
//! outcome becomes a summary and an exit code:
//! 0 done; 1 an entry failed, an unsafe link was skipped, the disk filled
//! up or the image is damaged (everything completed stays); 2 usage or
//! unreadable input; 130 interrupted (no partial file is left).

use std::io::{self, IsTerminal, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use iso_core::extract::{
    extract, ExtractError, ExtractOptions, Outcome as Done, Overwrite, Placement, Progress,
    SkipKind, Skipped,
};
use iso_core::{Image, NodeId, Tree};

use crate::args::{ExtractArgs, Overwrite as OverwriteArg};
use crate::{term, Failure, Outcome, DAMAGED, OK};

/// Most entries of each kind listed in the summary.
const LIST_MAX: usize = 100;

/// Runs `extract`.
pub fn run(args: &ExtractArgs) -> Outcome {
    crate::graceful_cancel();
    let image = crate::open_image(&args.image)?;
    let view = crate::pick_view(&image, args.view)?;
    let tree = crate::load_tree(&image, view)?;
    let mut selection = Vec::new();
    for p in &args.paths {
        selection.push(
            tree.lookup(p)
                .map_err(|e| Failure::from_core("extract", &e))?,
        );
    }
    if selection.is_empty() {
        selection.push(tree.root());
    }
    let options = ExtractOptions {
        overwrite: match args.overwrite {
            OverwriteArg::Never => Overwrite::Never,
            OverwriteArg::Always => Overwrite::Always,
            OverwriteArg::Rename => Overwrite::Rename,
        },
        keep_going: args.keep_going,
        times: !args.no_times,
        permissions: !args.no_perms,
        writable: args.writable,
        placement: Placement::KeepPaths,
        ..ExtractOptions::default()
    };
    let show = !args.quiet && io::stderr().is_terminal();
    let started = Instant::now();
    let result = run_with_progress(&image, &tree, &selection, &args.output, &options, show);
    let done = result.map_err(|e| failure(&e))?;
    if done.cancelled {
        return Err(Failure::interrupted());
    }
    if !args.quiet {
        summary(&done, started.elapsed());
    }
    let unsafe_skipped = done
        .skipped
        .iter()
        .any(|s| matches!(s.kind, SkipKind::UnsafeLink | SkipKind::Error));
    Ok(
        if !done.failed.is_empty() || unsafe_skipped || crate::damaged(&image, &tree) {
            DAMAGED
        } else {
            OK
        },
    )
}

/// Exit code and message for an engine error.
fn failure(e: &ExtractError) -> Failure {
    match e {
        ExtractError::Selection(_) | ExtractError::Refused { .. } => {
            Failure::usage(format!("extract: {e}"))
        }
        _ => Failure::damaged(format!("extract: {e}")),
    }
}

/// Runs the engine on a scoped thread; this thread samples the progress
/// counters ten times a second and passes Ctrl-C on as a cancel.
fn run_with_progress(
    image: &Image,
    tree: &Tree,
    selection: &[NodeId],
    dest: &Path,
    options: &ExtractOptions,
    show: bool,
) -> Result<Done, ExtractError> {
    let bar = show.then(new_bar);
    let result = crate::run_sampled(
        |progress, cancel| extract(image, tree, selection, dest, options, progress, cancel),
        |progress| {
            if let Some(bar) = &bar {
                draw(bar, progress);
            }
        },
    );
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    result.unwrap_or_else(|| {
        Err(ExtractError::Refused {
            path: dest.to_path_buf(),
            what: "the extraction thread panicked".into(),
        })
    })
}

/// The progress bar of long commands (extract, test): bytes, rate, ETA.
pub fn new_bar() -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr_with_hz(10));
    let style = ProgressStyle::with_template(
        "{bar:30} {bytes}/{total_bytes} {binary_bytes_per_sec} ETA {eta} {msg}",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    bar
}

fn draw(bar: &ProgressBar, progress: &Progress) {
    let s = progress.snapshot();
    bar.set_length(s.bytes_total);
    bar.set_position(s.bytes_done.min(s.bytes_total));
    let name = term::escape(&s.current_path);
    let short: String = if name.chars().count() > 40 {
        let tail: String = name
            .chars()
            .rev()
            .take(39)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        format!("…{tail}")
    } else {
        name.into_owned()
    };
    bar.set_message(format!("[{}/{}] {short}", s.files_done, s.files_total));
}

/// Prints what was done and every rename, skip and failure (up to
/// [`LIST_MAX`] of each) to stderr.
fn summary(done: &Done, elapsed: Duration) {
    let err = io::stderr();
    let mut err = err.lock();
    let secs = elapsed.as_secs_f64().max(0.001);
    let _ = writeln!(
        err,
        "isoscope-cli: extracted {} files, {} directories, {} links, {} bytes in {:.2} s ({:.1} MiB/s)",
        done.files_written,
        done.dirs_created,
        done.links_created,
        done.bytes_written,
        secs,
        done.bytes_written as f64 / secs / 1_048_576.0
    );
    for r in done.renamed.iter().take(LIST_MAX) {
        let _ = writeln!(
            err,
            "isoscope-cli: renamed: {} -> {}",
            term::escape(&r.from),
            term::escape(&r.to.to_string_lossy())
        );
    }
    more(&mut err, done.renamed.len(), "renamed");
    list(&mut err, &done.skipped, "skipped");
    list(&mut err, &done.failed, "failed");
}

fn list(err: &mut impl Write, entries: &[Skipped], what: &str) {
    for s in entries.iter().take(LIST_MAX) {
        let _ = writeln!(
            err,
            "isoscope-cli: {what}: {}: {}",
            term::escape(&s.path),
            term::escape(&s.reason)
        );
    }
    more(err, entries.len(), what);
}

fn more(err: &mut impl Write, n: usize, what: &str) {
    if n > LIST_MAX {
        let _ = writeln!(err, "isoscope-cli: … and {} more {what}", n - LIST_MAX);
    }
}
