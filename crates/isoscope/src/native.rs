//! Starting the native window: command line, settings, icon, X11 choice.

use std::path::PathBuf;
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

const USAGE: &str = "usage: isoscope [IMAGE]\n\nOpens IMAGE (an .iso or other disc image) in a window.\nWith no IMAGE and nothing opened before, opens the sample image.\n\nEnvironment: ISOSCOPE_FRAME_STATS=1 prints frame times; ISOSCOPE_WAYLAND=1 uses a native Wayland window (no drag-out).";

/// The app inside eframe: frame-time sampling and the native window
/// handle around [`App::frame`].
struct Native {
    app: App,
}

impl eframe::App for Native {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
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

/// Runs the window until it is closed.
///
/// # Errors
/// When the window cannot be created (no display).
pub fn run(args: Vec<std::ffi::OsString>) -> anyhow::Result<()> {
    let mut open = None;
    for a in args {
        match a.to_str() {
            Some("-h" | "--help") => {
                println!("{USAGE}");
                return Ok(());
            }
            Some("-V" | "--version") => {
                println!("isoscope {}", env!("CARGO_PKG_VERSION"));
                return Ok(());
            }
            _ => open = Some(PathBuf::from(a)),
        }
    }
    // Staging folders of earlier drags (older than a day).
    crate::platform::cleanup_old_staging_dirs();
    let settings_path = Settings::default_path();
    let (settings, notice) = match &settings_path {
        Some(p) => Settings::load(p),
        None => (Settings::default(), None),
    };
    if open.is_none() && settings.recent.is_empty() {
        open = sample_image();
    }
    let size = settings.window_size.unwrap_or([1100.0, 700.0]);
    let mut viewport = egui::ViewportBuilder::default()
        .with_title("Isoscope")
        .with_app_id("isoscope")
        .with_inner_size(size)
        .with_min_inner_size([480.0, 320.0])
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
    let started = Instant::now();
    eframe::run_native(
        "Isoscope",
        options,
        Box::new(move |cc| {
            let app = App::new(AppOptions {
                settings,
                settings_path,
                open,
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
            Ok(Box::new(Native { app }))
        }),
    )
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
