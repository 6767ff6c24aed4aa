//! `test`: glue over iso-core's image test (`iso_core::verify::check`).
//!
//! Every file of the view is read end to end on a worker thread while this
//! one draws a progress bar (stderr, terminals only) and turns Ctrl-C into
//! a cancel. Each file that failed is printed on stdout as
//! `PATH: what is wrong (where)`, then one summary line. Exit 0 when every
//! file read whole and the image reported no damage, 1 otherwise, 2 when
//! the image cannot be opened, 130 on Ctrl-C.

use std::io::{self, IsTerminal, Write};

use iso_core::verify::check::{check_tree, Report};
use iso_core::{Image, Tree};

use crate::args::TestArgs;
use crate::{term, Failure, Outcome, DAMAGED, OK};

/// Runs `test`.
pub fn run(args: &TestArgs) -> Outcome {
    crate::graceful_cancel();
    let image = crate::open_image(&args.image)?;
    let view = crate::pick_view(&image, args.view)?;
    let tree = crate::load_tree(&image, view)?;
    let report = run_with_progress(&image, &tree, io::stderr().is_terminal());
    if report.cancelled {
        return Err(Failure::interrupted());
    }
    print(&report).map_err(Failure::stdout)?;
    Ok(if report.is_clean() { OK } else { DAMAGED })
}

fn run_with_progress(image: &Image, tree: &Tree, show: bool) -> Report {
    let bar = show.then(crate::extract::new_bar);
    let report = crate::run_sampled(
        |progress, cancel| check_tree(image, tree, progress, cancel),
        |progress| {
            if let Some(bar) = &bar {
                let s = progress.snapshot();
                bar.set_length(s.bytes_total);
                bar.set_position(s.bytes_done.min(s.bytes_total));
                bar.set_message(format!("[{}/{}]", s.files_done, s.files_total));
            }
        },
    );
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    report.unwrap_or_else(|| Report {
        cancelled: true,
        ..Report::default()
    })
}

fn print(report: &Report) -> io::Result<()> {
    let out = io::stdout();
    let mut out = out.lock();
    for p in &report.problems {
        let at = p.location();
        let at = if at.is_empty() {
            String::new()
        } else {
            format!(" ({at})")
        };
        writeln!(
            out,
            "{}: {}{at}",
            term::escape(&p.path),
            term::escape(&p.what)
        )?;
    }
    let failed = report.problems.len();
    writeln!(
        out,
        "tested {} files, {} bytes: {} ok, {failed} failed, {} warnings: {}",
        report.files_checked,
        report.bytes_read,
        report.files_ok,
        report.warnings.len(),
        if report.is_clean() { "OK" } else { "DAMAGED" }
    )?;
    out.flush()
}
