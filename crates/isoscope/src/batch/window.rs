//! The batch window's state and drawing: the queue of images, the running
//! image's progress (bytes, files, rate, ETA, current entry, Cancel), the
//! folder question for Extract To, and the summary with "Open folder" for
//! each image. Frames only read the worker's channel and the progress
//! counters; the work happens on [`super::job`]'s thread.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender};

use super::job::{self, JobEvent, Work};
use super::plan::{self, ItemState, Queue};
use super::{BatchOptions, Mode};
use crate::extract_job::{CancelFlag, Counters};
use crate::format;

/// A native folder dialog answering faster than this was not shown to
/// anyone (no portal, no zenity): the window asks for a path instead.
const DIALOG_UNSEEN: Duration = Duration::from_millis(500);

/// Opens a folder in the file manager (tests record the calls instead).
pub type OpenFolder = Arc<dyn Fn(&Path) -> Result<(), String> + Send + Sync>;

/// Where the batch stands.
#[derive(Debug)]
enum Phase {
    /// Extract To without a folder: the dialog opens on the first frame.
    NeedFolder,
    /// Extract To: the native folder dialog is open.
    Asking {
        since: Instant,
        answer: Receiver<Option<PathBuf>>,
    },
    /// Extract To without a dialog: the person types the folder.
    Typing { text: String },
    /// Waiting for the first frame (which knows the context) to start.
    Ready { chosen: Option<PathBuf> },
    /// The worker is extracting.
    Running,
    /// Everything is done; the summary is shown.
    Finished,
}

/// The image being extracted now.
#[derive(Debug)]
struct Current {
    index: usize,
    counters: Arc<Counters>,
    since: Instant,
}

/// The batch window.
pub struct BatchWindow {
    mode: Mode,
    /// The images and how each went.
    pub queue: Queue,
    /// Where each image's entries went (by queue position).
    pub dests: Vec<Option<PathBuf>>,
    phase: Phase,
    current: Option<Current>,
    cancel: Arc<CancelFlag>,
    events: (Sender<JobEvent>, Receiver<JobEvent>),
    ctx: Arc<OnceLock<egui::Context>>,
    open_folder: OpenFolder,
    close_when_done: bool,
    reported: bool,
    /// Problems outside any one image (e.g. "Open folder" failed).
    pub problems: Vec<String>,
}

impl std::fmt::Debug for BatchWindow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BatchWindow")
            .field("queue", &self.queue)
            .field("phase", &self.phase)
            .finish_non_exhaustive()
    }
}

impl BatchWindow {
    /// A window for `options`; `open_folder` serves "Open folder".
    pub fn new(options: BatchOptions, open_folder: OpenFolder) -> BatchWindow {
        let queue = Queue::new(options.images);
        let phase = match (options.mode, options.dest) {
            (Mode::To, None) => Phase::NeedFolder,
            (Mode::To, Some(d)) => Phase::Ready { chosen: Some(d) },
            (Mode::Here, _) => Phase::Ready { chosen: None },
        };
        BatchWindow {
            mode: options.mode,
            dests: vec![None; queue.items.len()],
            queue,
            phase,
            current: None,
            cancel: Arc::new(CancelFlag::default()),
            events: crossbeam_channel::unbounded(),
            ctx: Arc::new(OnceLock::new()),
            open_folder,
            close_when_done: options.close_when_done,
            reported: false,
            problems: Vec::new(),
        }
    }

    /// Shows the native folder dialog (Extract To without a folder; called
    /// on the first frame). The
    /// dialog's future is made here, on the UI thread (AppKit takes panels
    /// only from the main thread), and awaited on a thread of its own.
    fn ask_for_folder(&mut self) {
        let (tx, rx) = crossbeam_channel::bounded(1);
        let pending = rfd::AsyncFileDialog::new()
            .set_title("Extract to")
            .pick_folder();
        let ctx = Arc::clone(&self.ctx);
        let spawned = std::thread::Builder::new()
            .name("isoscope-dialog".into())
            .spawn(move || {
                let picked = pollster::block_on(pending).map(|h| h.path().to_path_buf());
                let _ = tx.send(picked);
                if let Some(c) = ctx.get() {
                    c.request_repaint();
                }
            });
        self.phase = match spawned {
            Ok(_) => Phase::Asking {
                since: Instant::now(),
                answer: rx,
            },
            Err(_) => Phase::Typing {
                text: String::new(),
            },
        };
    }

    /// Whether every image is done (the summary is showing).
    pub fn finished(&self) -> bool {
        matches!(self.phase, Phase::Finished)
    }

    /// The exit code of the batch ([`Queue::exit_code`]).
    pub fn exit_code(&self) -> i32 {
        self.queue.exit_code()
    }

    /// Stops the running image and skips the rest.
    pub fn cancel(&mut self) {
        self.cancel.cancel();
        self.queue.cancel_pending();
        if matches!(
            self.phase,
            Phase::NeedFolder | Phase::Asking { .. } | Phase::Typing { .. }
        ) {
            self.phase = Phase::Finished;
        }
    }

    /// One frame: apply the worker's news, then draw.
    pub fn ui(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        let _ = self.ctx.set(ctx.clone());
        self.logic();
        let asking = matches!(self.phase, Phase::NeedFolder | Phase::Asking { .. });
        let typing = matches!(self.phase, Phase::Typing { .. });
        let finished = self.finished();
        egui::CentralPanel::default().show(ui, |ui| {
            if asking {
                ui.label("Choose the folder to extract into…");
            } else if typing {
                self.typing_ui(ui);
            } else if finished {
                self.summary_ui(ui);
            } else {
                self.running_ui(ui);
            }
        });
        if matches!(self.phase, Phase::Running) {
            // Rate, ETA and the bar move between events.
            ctx.request_repaint_after(Duration::from_millis(100));
        }
    }

    /// Starts the worker once the context is known, applies its events,
    /// and notices the end.
    fn logic(&mut self) {
        if matches!(self.phase, Phase::NeedFolder) {
            self.ask_for_folder();
        }
        if let Phase::Asking { since, answer } = &self.phase {
            if let Ok(picked) = answer.try_recv() {
                self.phase = match picked {
                    Some(d) => Phase::Ready { chosen: Some(d) },
                    None if since.elapsed() < DIALOG_UNSEEN => Phase::Typing {
                        text: String::new(),
                    },
                    None => {
                        self.queue.cancel_pending();
                        Phase::Finished
                    }
                };
            }
        }
        if let Phase::Ready { chosen } = &self.phase {
            self.start(chosen.clone());
        }
        while let Ok(ev) = self.events.1.try_recv() {
            self.on_event(ev);
        }
        if matches!(self.phase, Phase::Running) && self.queue.finished() {
            self.phase = Phase::Finished;
        }
        if self.finished() && !self.reported {
            self.reported = true;
            self.report();
            // Errors and cancels keep the window open: they must be seen.
            if self.close_when_done && self.queue.exit_code() == 0 {
                if let Some(c) = self.ctx.get() {
                    c.send_viewport_cmd(egui::ViewportCommand::Close);
                }
            }
        }
    }

    fn start(&mut self, chosen: Option<PathBuf>) {
        let work = Work {
            images: self.queue.items.iter().map(|i| i.image.clone()).collect(),
            chosen,
        };
        let ctx = Arc::clone(&self.ctx);
        let wake = move || {
            if let Some(c) = ctx.get() {
                c.request_repaint();
            }
        };
        match job::spawn(work, Arc::clone(&self.cancel), self.events.0.clone(), wake) {
            Ok(_) => self.phase = Phase::Running,
            Err(e) => {
                for item in &mut self.queue.items {
                    item.state = ItemState::Failed(format!("cannot start the extraction: {e}"));
                }
                self.phase = Phase::Finished;
            }
        }
    }

    fn on_event(&mut self, ev: JobEvent) {
        match ev {
            JobEvent::Started {
                index,
                dest,
                counters,
            } => {
                if let Some(item) = self.queue.items.get_mut(index) {
                    item.state = ItemState::Running;
                }
                if let Some(d) = self.dests.get_mut(index) {
                    *d = Some(dest);
                }
                self.current = Some(Current {
                    index,
                    counters,
                    since: Instant::now(),
                });
            }
            JobEvent::Finished { index, state } => {
                if let Some(item) = self.queue.items.get_mut(index) {
                    item.state = state;
                }
                if self.current.as_ref().is_some_and(|c| c.index == index) {
                    self.current = None;
                }
            }
        }
    }

    /// The summary on stderr too, so a terminal or a log keeps it.
    fn report(&self) {
        for (i, item) in self.queue.items.iter().enumerate() {
            let dest = self.dests.get(i).cloned().flatten();
            eprintln!("isoscope: {}", item_line(item, dest.as_deref()));
        }
    }

    fn typing_ui(&mut self, ui: &mut egui::Ui) {
        let Phase::Typing { text } = &mut self.phase else {
            return;
        };
        ui.heading("Extract to");
        ui.label("No folder chooser is available here: type the folder to extract into.");
        let field = ui.add(
            egui::TextEdit::singleline(text)
                .hint_text("/path/to/folder")
                .desired_width(f32::INFINITY),
        );
        let entered = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        let mut go = None;
        let mut stop = false;
        ui.horizontal(|ui| {
            if ui.button("Extract").clicked() || entered {
                go = Some(PathBuf::from(text.trim()));
            }
            if ui.button("Cancel").clicked() {
                stop = true;
            }
        });
        if let Some(dir) = go.filter(|d| !d.as_os_str().is_empty()) {
            if dir.is_dir() {
                self.phase = Phase::Ready { chosen: Some(dir) };
            } else {
                self.problems = vec![format!("{} is not a folder", dir.display())];
            }
        }
        if stop {
            self.cancel();
        }
        self.problems_ui(ui);
    }

    fn running_ui(&mut self, ui: &mut egui::Ui) {
        let n = self.queue.items.len();
        let verb = match self.mode {
            Mode::Here => "Extracting",
            Mode::To => "Extracting to the chosen folder",
        };
        ui.heading(format!(
            "{verb}: {n} image{}",
            if n == 1 { "" } else { "s" }
        ));
        if let Some(c) = &self.current {
            let p = c.counters.snapshot();
            let name = self
                .queue
                .items
                .get(c.index)
                .map(|i| display_name(&i.image))
                .unwrap_or_default();
            ui.label(format!("{name} ({} of {n})", c.index + 1));
            let fraction = if p.bytes_total == 0 {
                0.0
            } else {
                p.bytes_done as f32 / p.bytes_total as f32
            };
            ui.add(egui::ProgressBar::new(fraction).text(format!(
                "{} of {}",
                format::size(p.bytes_done),
                format::size(p.bytes_total)
            )));
            let rate = plan::rate(p.bytes_done, c.since.elapsed());
            let eta = plan::eta(p.bytes_done, p.bytes_total, rate)
                .map(|d| format!("{} left", format::duration(d.as_secs_f64())))
                .unwrap_or_else(|| "estimating…".into());
            ui.label(format!(
                "Files: {} of {} · {}/s · {eta}",
                format::count(p.files_done),
                format::count(p.files_total),
                format::size(rate.unwrap_or(0.0) as u64),
            ));
            ui.label(egui::RichText::new(p.current).weak());
        } else {
            ui.label("Reading the image…");
        }
        self.queue_ui(ui);
        if ui.button("Cancel").clicked() {
            self.cancel();
        }
    }

    fn queue_ui(&self, ui: &mut egui::Ui) {
        if self.queue.items.len() < 2 {
            return;
        }
        ui.separator();
        for item in &self.queue.items {
            let state = match &item.state {
                ItemState::Pending => "waiting",
                ItemState::Running => "extracting",
                ItemState::Done(_) => "done",
                ItemState::Failed(_) => "failed",
                ItemState::NotStarted => "not started",
            };
            ui.label(format!("{} — {state}", display_name(&item.image)));
        }
    }

    fn summary_ui(&mut self, ui: &mut egui::Ui) {
        ui.heading(summary_heading(&self.queue));
        let mut open = None;
        egui::ScrollArea::vertical()
            .max_height(ui.available_height() - 40.0)
            .show(ui, |ui| {
                for (i, item) in self.queue.items.iter().enumerate() {
                    let dest = self.dests.get(i).cloned().flatten();
                    ui.separator();
                    ui.label(item_line(item, dest.as_deref()));
                    if let ItemState::Done(s) = &item.state {
                        for (path, why) in s.failed.iter().take(20) {
                            ui.colored_label(ui.visuals().error_fg_color, format!("{path}: {why}"));
                        }
                        if s.failed.len() > 20 {
                            ui.label(format!("… and {} more", s.failed.len() - 20));
                        }
                        if let Some(e) = &s.error {
                            ui.colored_label(ui.visuals().error_fg_color, e);
                        }
                    }
                    if let Some(d) = dest.filter(|_| matches!(item.state, ItemState::Done(_))) {
                        if ui.button("Open folder").clicked() {
                            open = Some(d);
                        }
                    }
                }
            });
        if let Some(d) = open {
            if let Err(e) = (self.open_folder)(&d) {
                self.problems = vec![format!("cannot open {}: {e}", d.display())];
            }
        }
        self.problems_ui(ui);
        ui.separator();
        if ui.button("Close").clicked() {
            ui.ctx().send_viewport_cmd(egui::ViewportCommand::Close);
        }
    }

    fn problems_ui(&self, ui: &mut egui::Ui) {
        for p in &self.problems {
            ui.colored_label(ui.visuals().error_fg_color, p);
        }
    }
}

impl Drop for BatchWindow {
    /// Closing the window mid-way cancels the work (no partial file is left).
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

/// The image's file name for display.
fn display_name(image: &Path) -> String {
    image
        .file_name()
        .unwrap_or(image.as_os_str())
        .to_string_lossy()
        .into_owned()
}

/// "Extracted 2 images", "1 of 3 images failed", "Cancelled".
fn summary_heading(queue: &Queue) -> String {
    let n = queue.items.len();
    let ok = queue.items.iter().filter(|i| i.succeeded()).count();
    match queue.exit_code() {
        0 if n == 1 => "Extracted".to_string(),
        0 => format!("Extracted {n} images"),
        130 => "Cancelled".to_string(),
        _ => format!("{} of {n} not extracted completely", n - ok),
    }
}

/// One image's result in one line.
fn item_line(item: &plan::Item, dest: Option<&Path>) -> String {
    let name = display_name(&item.image);
    let into = dest
        .map(|d| format!(" into {}", d.display()))
        .unwrap_or_default();
    match &item.state {
        ItemState::Done(s) => {
            let mut line = format!(
                "{name}{into}: {} files, {}",
                format::count(s.files),
                format::size(s.bytes)
            );
            if s.cancelled {
                line.push_str(" (cancelled: the files written so far are kept)");
            }
            if !s.failed.is_empty() {
                line.push_str(&format!(", {} entries failed", s.failed.len()));
            }
            if !s.skipped.is_empty() {
                line.push_str(&format!(", {} skipped", s.skipped.len()));
            }
            line
        }
        ItemState::Failed(why) => format!("{name}: {why}"),
        ItemState::NotStarted => format!("{name}: not started (cancelled)"),
        ItemState::Pending | ItemState::Running => format!("{name}{into}: unfinished"),
    }
}
