//! Starting the native window: command line, settings, icon, X11 choice.
//!
//! The command line is the same on every platform (Explorer's verbs,
//! Finder, the Linux desktop file and file-manager actions all use it):
//! `isoscope [IMAGE…]` opens the images (the first at once; all are passed
//! on in [`AppOptions::open_paths`]), `--extract-here` / `--extract-to`
//! run [`crate::batch`]. Every launch is a process and window of its own.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use crate::app::{App, AppOptions};
use crate::settings::Settings;

/// The sample image shipped in `assets/`: `ISOSCOPE_SAMPLE` if set, else
/// the copy in this source tree (found through the path the crate was
/// built from), when it exists.
pub fn sample_image() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("ISOSCOPE_SAMPLE") {
        return Some(PathBuf::from(p));
    }
    let p = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../assets/sample.iso"
    ));
    p.is_file().then_some(p)
}

const USAGE: &str = "usage: isoscope [IMAGE…]
       isoscope --extract-here IMAGE…
       isoscope --extract-to [--dest DIR] IMAGE…

Opens each IMAGE (an .iso or other disc image) in the window. With no IMAGE
and nothing opened before, opens the sample image. Every launch is its own
window: a second launch while one runs opens a second window.

--extract-here   extracts each IMAGE next to it (into a folder named after the
                 image when it holds more than one top-level entry), in a
                 small progress window; nothing existing is overwritten.
--extract-to     the same into a folder chosen in a dialog (or --dest DIR).
--close-when-done  closes the progress window when everything went well.

Exit codes (batch modes): 0 done, 1 something failed, 130 cancelled.

Environment: ISOSCOPE_FRAME_STATS=1 prints frame times; ISOSCOPE_WAYLAND=1 uses a native Wayland window (no drag-out).";

/// What the command line asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Launch {
    /// `-h` / `--help`.
    Help,
    /// `-V` / `--version`.
    Version,
    /// The browsing window on these images (maybe none).
    Open(Vec<PathBuf>),
    /// A batch extraction window.
    Batch(crate::batch::BatchOptions),
}

/// Reads the command line (the arguments after the program name).
/// Paths are taken as they are (non-UTF-8 too); `--` ends the options.
///
/// # Errors
/// A usage message for unknown options, a batch mode without images, or
/// both batch modes at once.
pub fn parse_args(args: Vec<OsString>) -> Result<Launch, String> {
    use crate::batch::{BatchOptions, Mode};
    let mut mode = None;
    let mut dest = None;
    let mut close_when_done = false;
    let mut paths = Vec::new();
    let mut args = args.into_iter();
    let mut options_done = false;
    while let Some(a) = args.next() {
        if options_done {
            paths.push(PathBuf::from(a));
            continue;
        }
        let new_mode = match a.to_str() {
            Some("-h" | "--help") => return Ok(Launch::Help),
            Some("-V" | "--version") => return Ok(Launch::Version),
            Some("--") => {
                options_done = true;
                continue;
            }
            Some("--extract-here") => Mode::Here,
            Some("--extract-to") => Mode::To,
            Some("--dest") => {
                let d = args.next().ok_or("--dest needs a folder")?;
                dest = Some(PathBuf::from(d));
                continue;
            }
            Some("--close-when-done") => {
                close_when_done = true;
                continue;
            }
            Some(o) if o.starts_with('-') && o.len() > 1 => {
                return Err(format!("unknown option {o}"));
            }
            _ => {
                paths.push(PathBuf::from(a));
                continue;
            }
        };
        if mode.is_some_and(|m| m != new_mode) {
            return Err("--extract-here and --extract-to exclude each other".into());
        }
        mode = Some(new_mode);
    }
    match mode {
        None if dest.is_some() => Err("--dest goes with --extract-to".into()),
        None => Ok(Launch::Open(paths)),
        Some(_) if paths.is_empty() => Err("no image to extract".into()),
        Some(Mode::Here) if dest.is_some() => Err("--dest goes with --extract-to".into()),
        Some(mode) => Ok(Launch::Batch(BatchOptions {
            mode,
            images: paths,
            dest,
            close_when_done,
        })),
    }
}

/// The app inside eframe: frame-time sampling and the native window
/// handle around [`App::frame`].
struct Native {
    app: App,
    /// Images the platform asks to open while running (macOS Finder).
    later: crate::platform::DocumentReceiver,
}

impl eframe::App for Native {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        // The platform wakes the window after sending (see `platform`).
        while let Some(path) = self.later.try_recv() {
            self.app.open_path(path);
        }
        self.app.logic(ctx);
    }

    fn ui(&mut self, ui: &mut egui::Ui, frame: &mut eframe::Frame) {
        if let Some(cpu) = frame.info().cpu_usage {
            self.app.stats.frame(cpu);
        }
        use raw_window_handle::HasWindowHandle;
        let window = frame.window_handle().ok().map(|h| h.as_raw());
        // `logic` already ran for this frame: paint and apply.
        self.app.paint(ui, window);
    }

    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        self.app.save_now();
    }
}

fn icon() -> Option<egui::IconData> {
    let png = include_bytes!("../../../assets/isoscope.png");
    let img = image::load_from_memory(png).ok()?.to_rgba8();
    Some(egui::IconData {
        width: img.width(),
        height: img.height(),
        rgba: img.into_raw(),
    })
}

/// Runs what the command line asks for until its window is closed.
/// Returns the process's exit code (2 for a usage error).
///
/// # Errors
/// When the window cannot be created (no display).
pub fn run(args: Vec<OsString>) -> anyhow::Result<ExitCode> {
    let paths = match parse_args(args) {
        Ok(Launch::Help) => {
            println!("{USAGE}");
            return Ok(ExitCode::SUCCESS);
        }
        Ok(Launch::Version) => {
            println!("isoscope {}", env!("CARGO_PKG_VERSION"));
            return Ok(ExitCode::SUCCESS);
        }
        Ok(Launch::Batch(batch)) => {
            let code = crate::batch::run(batch, batch_native_options())?;
            return Ok(ExitCode::from(u8::try_from(code).unwrap_or(1)));
        }
        Ok(Launch::Open(paths)) => paths,
        Err(e) => {
            eprintln!("isoscope: {e}\n\n{USAGE}");
            return Ok(ExitCode::from(2));
        }
    };
    run_browser(paths)?;
    Ok(ExitCode::SUCCESS)
}

/// A window's options: title, size, smallest size; the app's icon, the
/// glow renderer, X11 where it matters (see `prefer_x11`).
fn native_options(title: &str, size: [f32; 2], min: [f32; 2]) -> eframe::NativeOptions {
    let mut viewport = egui::ViewportBuilder::default()
        .with_title(title)
        .with_app_id("isoscope")
        .with_inner_size(size)
        .with_min_inner_size(min)
        .with_drag_and_drop(true);
    if let Some(i) = icon() {
        viewport = viewport.with_icon(i);
    }
    let mut options = eframe::NativeOptions {
        viewport,
        renderer: eframe::Renderer::Glow,
        ..Default::default()
    };
    prefer_x11(&mut options);
    options
}

/// The small batch window's options.
fn batch_native_options() -> eframe::NativeOptions {
    native_options("Isoscope — extracting", [520.0, 340.0], [360.0, 220.0])
}

/// The browsing window. The first path opens at once; all of them go to
/// [`AppOptions::open_paths`] (one tab each once the app has tabs). On
/// macOS, files opened from Finder later arrive through the
/// open-documents event ([`crate::platform::OpenDocuments`]).
fn run_browser(paths: Vec<PathBuf>) -> anyhow::Result<()> {
    // Staging folders of earlier drags (older than a day).
    crate::platform::cleanup_old_staging_dirs();
    let settings_path = Settings::default_path();
    let (settings, notice) = match &settings_path {
        Some(p) => Settings::load(p),
        None => (Settings::default(), None),
    };
    // Every path opens as a tab (App::new); with none, the tabs of the
    // last run come back, and a first run opens the sample.
    let open = if paths.is_empty() && settings.recent.is_empty() && settings.open_tabs.is_empty() {
        sample_image()
    } else {
        None
    };
    let size = settings.window_size.unwrap_or([1100.0, 700.0]);
    let options = native_options("Isoscope", size, [480.0, 320.0]);
    let started = Instant::now();
    let documents = crate::platform::OpenDocuments::new();
    let later = documents.receiver();
    let creator: eframe::AppCreator<'static> = Box::new(move |cc| {
        let app = App::new(AppOptions {
            settings,
            settings_path,
            open,
            open_paths: paths,
            notice,
            ..AppOptions::default()
        });
        app.attach(&cc.egui_ctx);
        if app.stats.enabled() {
            eprintln!(
                "isoscope frame stats: window created {:.1} ms after start",
                started.elapsed().as_secs_f64() * 1000.0
            );
        }
        Ok(Box::new(Native { app, later }))
    });
    documents
        .run("Isoscope", options, creator)
        .map_err(|e| anyhow::anyhow!("cannot open the window: {e}"))
}

/// On Linux with an X server (DISPLAY set), use X11 even inside a Wayland
/// session (XWayland): drag-out is an XDND source, which a native Wayland
/// window cannot start through winit 0.30. `ISOSCOPE_WAYLAND=1` opts out.
#[cfg(target_os = "linux")]
fn prefer_x11(options: &mut eframe::NativeOptions) {
    use winit::platform::x11::EventLoopBuilderExtX11;
    let wayland_wanted = std::env::var_os("ISOSCOPE_WAYLAND").is_some_and(|v| v != "0");
    if std::env::var_os("DISPLAY").is_some() && !wayland_wanted {
        options.event_loop_builder = Some(Box::new(|b| {
            b.with_x11();
        }));
    }
}

#[cfg(not(target_os = "linux"))]
fn prefer_x11(_options: &mut eframe::NativeOptions) {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::{BatchOptions, Mode};

    fn parse(args: &[&str]) -> Result<Launch, String> {
        parse_args(args.iter().map(OsString::from).collect())
    }

    #[test]
    fn paths_open_in_order() {
        assert_eq!(parse(&[]), Ok(Launch::Open(vec![])));
        assert_eq!(
            parse(&["a.iso", "b dir/c.cue"]),
            Ok(Launch::Open(vec!["a.iso".into(), "b dir/c.cue".into()]))
        );
        assert_eq!(
            parse(&["--", "--extract-here"]),
            Ok(Launch::Open(vec!["--extract-here".into()]))
        );
    }

    #[test]
    fn batch_modes() {
        assert_eq!(
            parse(&["--extract-here", "a.iso", "b.iso"]),
            Ok(Launch::Batch(BatchOptions {
                mode: Mode::Here,
                images: vec!["a.iso".into(), "b.iso".into()],
                dest: None,
                close_when_done: false,
            }))
        );
        assert_eq!(
            parse(&[
                "a.iso",
                "--extract-to",
                "--dest",
                "/out",
                "--close-when-done"
            ]),
            Ok(Launch::Batch(BatchOptions {
                mode: Mode::To,
                images: vec!["a.iso".into()],
                dest: Some("/out".into()),
                close_when_done: true,
            }))
        );
    }

    #[test]
    fn usage_errors() {
        assert!(parse(&["--extract-here"]).is_err());
        assert!(parse(&["--extract-here", "--extract-to", "a.iso"]).is_err());
        assert!(parse(&["--extract-here", "--dest", "/o", "a.iso"]).is_err());
        assert!(parse(&["--dest", "/o", "a.iso"]).is_err());
        assert!(parse(&["--extract-to", "a.iso", "--dest"]).is_err());
        assert!(parse(&["--bogus"]).is_err());
        assert_eq!(parse(&["x.iso", "-h"]), Ok(Launch::Help));
        assert_eq!(parse(&["--version"]), Ok(Launch::Version));
    }
}
