//! `isoscope-cli`: list, read, extract and verify optical-disc images.
//!
//! Glue over iso-core; the command-line contract is DESIGN.md §4. Every
//! subcommand returns `Result<Code, Failure>`: a [`Failure`] carries the
//! message and its exit code (2 usage or unreadable input, 1 damaged image
//! or failed entry, 130 interrupted).

mod args;
mod cat;
mod convert;
mod extract;
mod info;
mod ls;
mod term;
mod test;
mod tracks;
mod verify;

/// A faster allocator for the many small allocations of a tree walk.
#[cfg(target_os = "linux")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::io::{self, Write};
use std::path::Path;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

use clap::Parser;
use iso_core::extract::{Cancel, Progress};
use iso_core::{Error, Image, OpenOptions, Tree, View};

use args::{Cli, Command, ViewArg};

/// Exit code: success.
pub const OK: u8 = 0;
/// Exit code: the image is damaged or a requested entry failed.
pub const DAMAGED: u8 = 1;
/// Exit code: usage error or unreadable input.
pub const USAGE: u8 = 2;
/// Exit code: interrupted (Ctrl-C).
pub const INTERRUPTED: u8 = 130;

/// Set by the Ctrl-C handler; long loops poll it.
static CANCEL: AtomicBool = AtomicBool::new(false);

/// Set by subcommands that clean up before they stop (extract): Ctrl-C
/// then only sets [`CANCEL`]; otherwise it ends the process at once.
static GRACEFUL: AtomicBool = AtomicBool::new(false);

/// Asks for a graceful Ctrl-C: the flag is set and polled.
pub fn graceful_cancel() {
    GRACEFUL.store(true, Ordering::Relaxed);
}

/// Whether Ctrl-C was pressed.
pub fn cancelled() -> bool {
    CANCEL.load(Ordering::Relaxed)
}

/// A failure: what to tell the user and which exit code to end with.
#[derive(Debug)]
pub struct Failure {
    /// Exit code.
    pub code: u8,
    /// Message for stderr (empty: print nothing).
    pub message: String,
}

impl Failure {
    /// Usage error or unreadable input (exit 2).
    pub fn usage(message: impl Into<String>) -> Self {
        Failure {
            code: USAGE,
            message: message.into(),
        }
    }

    /// Damaged image or failed entry (exit 1).
    pub fn damaged(message: impl Into<String>) -> Self {
        Failure {
            code: DAMAGED,
            message: message.into(),
        }
    }

    /// Interrupted by Ctrl-C (exit 130).
    pub fn interrupted() -> Self {
        Failure {
            code: INTERRUPTED,
            message: "interrupted".into(),
        }
    }

    /// An error writing to stdout: a closed pipe (`| head`) ends quietly
    /// with success, anything else is exit 2.
    pub fn stdout(e: io::Error) -> Self {
        if e.kind() == io::ErrorKind::BrokenPipe {
            Failure {
                code: OK,
                message: String::new(),
            }
        } else {
            Failure::usage(format!("cannot write to standard output: {e}"))
        }
    }

    /// Maps a library error: damage is exit 1, everything else (not an
    /// image, unreadable, not found, unsupported) exit 2.
    pub fn from_core(context: &str, e: &Error) -> Self {
        let message = format!("{context}: {e}");
        match e {
            Error::Corrupt { .. } => Failure::damaged(message),
            Error::Cancelled => Failure::interrupted(),
            _ => Failure::usage(message),
        }
    }
}

/// What a subcommand returns.
pub type Outcome = Result<u8, Failure>;

/// Opens an image; failures are exit 2 ("not a disc image", unreadable).
pub fn open_image(path: &Path) -> Result<Image, Failure> {
    open_session(path, None)
}

/// Opens an image showing session `session` (1 = the oldest; `None` the
/// newest). A session the image does not have is a usage error (exit 2)
/// that names the sessions it has.
pub fn open_session(path: &Path, session: Option<u32>) -> Result<Image, Failure> {
    let options = OpenOptions::with_session(session);
    Image::open(path, &options).map_err(|e| Failure::from_core(&path.display().to_string(), &e))
}

/// The view asked for, or a usage error listing the views the image has.
pub fn pick_view(image: &Image, arg: ViewArg) -> Result<View, Failure> {
    let wanted = match arg {
        ViewArg::Auto => {
            return image.default_view().ok_or_else(|| {
                Failure::usage("this image has no file system view that can be read".to_string())
            })
        }
        ViewArg::Udf => View::Udf,
        ViewArg::Rockridge => View::RockRidge,
        ViewArg::Joliet => View::Joliet,
        ViewArg::Iso9660 => View::Iso9660,
        ViewArg::Iso9660_1999 => View::Iso9660_1999,
    };
    if image.views().contains(&wanted) {
        Ok(wanted)
    } else {
        Err(Failure::usage(format!(
            "this image has no {} view; it has: {}",
            wanted.as_str(),
            views_list(image)
        )))
    }
}

/// "rockridge, joliet, iso9660".
pub fn views_list(image: &Image) -> String {
    if image.views().is_empty() {
        return "none".into();
    }
    image
        .views()
        .iter()
        .map(|v| v.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Reads the tree of `view` and prints the image's and the view's warnings.
pub fn load_tree(image: &Image, view: View) -> Result<Tree, Failure> {
    let tree = image
        .tree(view)
        .map_err(|e| Failure::from_core("reading the directory tree", &e))?;
    for w in image.warnings().iter().chain(tree.warnings()) {
        warn(&w.to_string());
    }
    Ok(tree)
}

/// Whether the image or the tree reported damage (exit 1 at the end).
pub fn damaged(image: &Image, tree: &Tree) -> bool {
    !image.warnings().is_empty() || !tree.warnings().is_empty()
}

/// Runs `work` on a scoped thread. This thread wakes every 100 ms (and at
/// once when the work is done) to call `tick` with the counters — a
/// progress bar draws there — and to pass Ctrl-C on as a cancel. `None`
/// when the worker panicked.
pub fn run_sampled<T: Send>(
    work: impl FnOnce(&Progress, &Cancel) -> T + Send,
    mut tick: impl FnMut(&Progress),
) -> Option<T> {
    let progress = Progress::new();
    let cancel = Cancel::new();
    let (done_tx, done_rx) = mpsc::channel::<()>();
    std::thread::scope(|scope| {
        let handle = scope.spawn(|| {
            let result = work(&progress, &cancel);
            let _ = done_tx.send(());
            result
        });
        while let Err(RecvTimeoutError::Timeout) = done_rx.recv_timeout(Duration::from_millis(100))
        {
            if cancelled() {
                cancel.cancel();
            }
            tick(&progress);
        }
        handle.join().ok()
    })
}

/// Prints a warning to stderr, escaped for the terminal.
pub fn warn(message: &str) {
    let _ = writeln!(
        io::stderr().lock(),
        "isoscope-cli: warning: {}",
        term::escape(message)
    );
}

fn run(cli: &Cli) -> Outcome {
    match &cli.command {
        Command::Info(a) => info::run(a),
        Command::Ls(a) => ls::run(a),
        Command::Cat(a) => cat::run(a),
        Command::Extract(a) => extract::run(a),
        Command::Verify(a) => verify::run(a),
        Command::Convert(a) => convert::run(a),
        Command::Test(a) => test::run(a),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Listing or reading stops at once with 130; extraction sets a flag so
    // it can remove its temporary file first (a second Ctrl-C stops now).
    let _ = ctrlc::set_handler(|| {
        if !GRACEFUL.load(Ordering::Relaxed) || CANCEL.swap(true, Ordering::Relaxed) {
            std::process::exit(i32::from(INTERRUPTED));
        }
    });
    let code = match run(&cli) {
        Ok(code) => code,
        Err(f) => {
            if !f.message.is_empty() {
                let _ = writeln!(
                    io::stderr().lock(),
                    "isoscope-cli: {}",
                    term::escape(&f.message)
                );
            }
            f.code
        }
    };
    let code = if cancelled() { INTERRUPTED } else { code };
    ExitCode::from(code)
}
