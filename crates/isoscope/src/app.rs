//! The app: state, the event pump ([`App::logic`]) and the frame
//! ([`App::frame`]). `logic` drains worker events for at most ~10 ms and
//! applies them; `ui` (in [`crate::ui`]) only reads state and pushes
//! [`Action`]s, applied after the frame by [`crate::actions`].

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use iso_core::{ImageSource, NodeId, View};

use crate::actions::Action;
use crate::drag::DragState;
use crate::frame_stats::FrameStats;
use crate::protocol::{Command, Event, ImageId, PreviewContent, Sort};
use crate::settings::{Settings, ThemeChoice};
use crate::state::{
    BrowserState, JobStatus, JobsState, Loading, PreviewState, SelectionState, Session, TreeState,
};
use crate::worker::Worker;

/// How long one frame may spend applying worker events.
const EVENT_BUDGET: Duration = Duration::from_millis(10);
/// Settings are written at most this often.
const SAVE_EVERY: Duration = Duration::from_secs(2);

/// How the app starts.
#[derive(Debug, Clone, Default)]
pub struct AppOptions {
    /// Remembered state.
    pub settings: Settings,
    /// Where settings are saved (None: not saved).
    pub settings_path: Option<PathBuf>,
    /// The image to open first.
    pub open: Option<PathBuf>,
    /// Every image named on the command line, in order (`open` is the
    /// first). For the tabs: each should open as a tab; until the app has
    /// tabs only `open` is opened (set by `native::run_browser`).
    pub open_paths: Vec<PathBuf>,
    /// A message to show (e.g. the settings file was unreadable).
    pub notice: Option<String>,
}

/// Small bits of window state that belong to no other part.
#[derive(Debug, Clone, Default)]
pub struct UiState {
    /// The "type a path" field.
    pub path_text: String,
    /// Help ▸ About is open.
    pub show_about: bool,
    /// Help ▸ Keyboard shortcuts is open.
    pub show_shortcuts: bool,
    /// Messages shown in the status area (dismissable).
    pub problems: Vec<String>,
    /// Sequence numbers for searches.
    pub search_seq: u64,
    /// The title last sent to the window.
    pub title: String,
    /// The theme last applied.
    pub theme: Option<ThemeChoice>,
    /// A native dialog is open.
    pub dialog_open: bool,
    /// When the native dialog was asked for.
    pub dialog_started: Option<Instant>,
    /// The "type the image's path" window, shown when no file chooser
    /// could be opened.
    pub show_open_path: bool,
    /// When the newest open was asked for.
    pub open_started: Option<Instant>,
}

/// The desktop app.
pub struct App {
    pub(crate) worker: Worker,
    /// Remembered between runs.
    pub settings: Settings,
    saved: Settings,
    saved_at: Option<Instant>,
    next_image: u64,
    /// The open image.
    pub session: Option<Session>,
    /// Opening progress / failure while no image is shown.
    pub loading: Loading,
    /// Where the person is.
    pub browser: BrowserState,
    /// What is selected.
    pub selection: SelectionState,
    /// Jobs.
    pub jobs: JobsState,
    /// The preview.
    pub preview: PreviewState,
    /// The selected entry's names in the other views.
    pub names: crate::state::NamesState,
    /// Everything else the window remembers.
    pub ui_state: UiState,
    pub(crate) drag: DragState,
    /// The extract dialog, when open.
    pub extract_dialog: Option<crate::actions::ExtractDialog>,
    /// Frame times.
    pub stats: FrameStats,
    /// Row positions for tests that drive the native window.
    pub probe: crate::probe::Probe,
    pub(crate) actions: Vec<Action>,
    pub(crate) ctx: Option<egui::Context>,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("session", &self.session.as_ref().map(|s| &s.name))
            .finish_non_exhaustive()
    }
}

impl App {
    /// Starts the worker and, when asked, opens the first image.
    pub fn new(options: AppOptions) -> App {
        let worker = Worker::start(options.settings_path.clone());
        let mut app = App {
            worker,
            saved: options.settings.clone(),
            browser: BrowserState {
                sort: options.settings.sort,
                ..BrowserState::default()
            },
            settings: options.settings,
            saved_at: None,
            next_image: 1,
            session: None,
            loading: Loading::Idle,
            selection: SelectionState::default(),
            jobs: JobsState::default(),
            preview: PreviewState::default(),
            names: crate::state::NamesState::default(),
            ui_state: UiState::default(),
            drag: DragState::new(),
            extract_dialog: None,
            stats: FrameStats::from_env(),
            probe: crate::probe::Probe::from_env(),
            actions: Vec::new(),
            ctx: None,
        };
        if let Some(n) = options.notice {
            app.ui_state.problems.push(n);
        }
        if let Some(p) = options.open {
            app.open_path(p);
        }
        app
    }

    /// One whole frame: events, then the UI, then the actions it asked for.
    /// `window` is the native window (None headless, as in tests).
    pub fn frame(&mut self, ui: &mut egui::Ui, window: Option<raw_window_handle::RawWindowHandle>) {
        let ctx = ui.ctx().clone();
        self.logic(&ctx);
        self.paint(ui, window);
    }

    /// The UI half of a frame (after [`App::logic`]): paint, then apply
    /// the actions it asked for, then drag-out bookkeeping.
    pub fn paint(&mut self, ui: &mut egui::Ui, window: Option<raw_window_handle::RawWindowHandle>) {
        let ctx = ui.ctx().clone();
        crate::ui::show(self, ui);
        self.probe.flush(ctx.pixels_per_point());
        self.apply_actions();
        self.drag_after_frame(&ctx, window);
    }

    /// Lets the worker wake `ctx` (called once the context exists).
    pub fn attach(&self, ctx: &egui::Context) {
        self.worker.attach(ctx);
    }

    /// Applies pending worker events (at most ~10 ms of them) and the
    /// window-level inputs (dropped files, window size, theme, title).
    pub fn logic(&mut self, ctx: &egui::Context) {
        if self.ctx.is_none() {
            self.worker.attach(ctx);
            self.ctx = Some(ctx.clone());
        }
        let start = Instant::now();
        while start.elapsed() < EVENT_BUDGET {
            let Some(ev) = self.worker.try_recv() else {
                break;
            };
            let (t, what) = (self.stats.timer(), ev.name());
            self.on_event(ctx, ev);
            self.stats.slow(t, || format!("event {what}"));
        }
        if start.elapsed() >= EVENT_BUDGET {
            ctx.request_repaint();
        }
        self.window_inputs(ctx);
        self.request_needed();
        self.maybe_save();
        if self.jobs.busy() {
            // Rate and ETA move even between progress events.
            ctx.request_repaint_after(Duration::from_millis(250));
        }
    }

    /// Whether the native dialog answered too quickly for anyone to have
    /// seen it (no file chooser on this desktop).
    fn dialog_was_instant(&self) -> bool {
        self.ui_state
            .dialog_started
            .is_some_and(|t| t.elapsed() < Duration::from_millis(700))
    }

    /// Opens an image file.
    pub fn open_path(&mut self, path: PathBuf) {
        let image = self.new_image_id();
        let view = self
            .settings
            .views
            .get(&path.to_string_lossy().into_owned())
            .and_then(|v| v.parse::<View>().ok());
        self.loading = Loading::Opening(path.clone());
        self.ui_state.open_started = Some(Instant::now());
        self.worker.send(Command::Open { image, path, view });
    }

    /// Opens an image from any source (used by tests with slow sources).
    pub fn open_source(&mut self, name: &str, source: Arc<dyn ImageSource>) {
        let image = self.new_image_id();
        self.loading = Loading::Opening(PathBuf::from(name));
        self.ui_state.open_started = Some(Instant::now());
        self.worker.send(Command::OpenSource {
            image,
            name: name.to_string(),
            source,
        });
    }

    fn new_image_id(&mut self) -> ImageId {
        self.next_image += 1;
        ImageId(self.next_image)
    }

    /// The id the newest open request got.
    fn pending_image(&self) -> ImageId {
        ImageId(self.next_image)
    }

    /// The view shown and its tree.
    pub fn current(&self) -> Option<(View, &Arc<iso_core::Tree>)> {
        let s = self.session.as_ref()?;
        Some((s.view?, s.tree()?))
    }

    /// Queues an action as if the UI had asked for it.
    pub fn push(&mut self, action: Action) {
        self.actions.push(action);
    }

    /// Applies the queued actions.
    pub fn apply_actions(&mut self) {
        let actions = std::mem::take(&mut self.actions);
        for a in actions {
            // With frame stats on, name what made a frame slow.
            let t = self.stats.timer();
            let what = t.map(|_| format!("action {a:?}"));
            self.apply(a);
            self.stats.slow(t, || what.unwrap_or_default());
        }
    }

    /// Applies one worker event now, as [`App::logic`] does for each event
    /// it drains: lets a test stand in for the worker.
    pub fn handle_event(&mut self, ctx: &egui::Context, ev: Event) {
        self.on_event(ctx, ev);
    }

    fn on_event(&mut self, ctx: &egui::Context, ev: Event) {
        match ev {
            Event::Opened(o) => {
                if o.image != self.pending_image() {
                    return;
                }
                if let Some(p) = &o.path {
                    if p.is_file() {
                        self.settings.add_recent(p);
                    }
                }
                let mut trees = std::collections::HashMap::new();
                if let Some(v) = o.view {
                    trees.insert(v, TreeState::Loading);
                }
                let opened_at = self.ui_state.open_started.unwrap_or_else(Instant::now);
                self.session = Some(Session {
                    id: o.image,
                    path: o.path,
                    name: o.name,
                    info: o.info,
                    warnings: o.warnings,
                    view: o.view,
                    trees,
                    handle: o.handle,
                    opened_at,
                    root_shown_after: None,
                });
                self.loading = Loading::Idle;
                self.browser = BrowserState {
                    sort: self.browser.sort,
                    ..BrowserState::default()
                };
                self.selection.clear();
                self.preview = PreviewState::default();
            }
            Event::OpenFailed {
                image,
                path,
                message,
            } => {
                if image == self.pending_image() {
                    self.session = None;
                    self.loading = Loading::Failed { path, message };
                }
            }
            Event::TreeReady {
                image,
                view,
                tree,
                warnings,
            } => {
                let Some(s) = self.session.as_mut().filter(|s| s.id == image) else {
                    return;
                };
                for w in warnings {
                    if !s.warnings.contains(&w) {
                        s.warnings.push(w);
                    }
                }
                let root = tree.root();
                s.trees.insert(view, TreeState::Ready(tree));
                if s.view == Some(view) && self.browser.dir.is_none() {
                    self.browser.dir = Some(root);
                    self.browser.expanded.insert(root);
                }
            }
            Event::TreeFailed {
                image,
                view,
                message,
            } => {
                if let Some(s) = self.session.as_mut().filter(|s| s.id == image) {
                    s.trees.insert(view, TreeState::Failed(message));
                }
            }
            Event::Listing {
                image,
                view,
                dir,
                sort,
                rows,
            } => {
                let Some(s) = self.session.as_mut().filter(|s| s.id == image) else {
                    return;
                };
                let key = (view, dir, sort);
                self.browser.pending.remove(&key);
                self.browser.listings.insert(key, rows);
                if s.root_shown_after.is_none() && s.tree().map(|t| t.root()) == Some(dir) {
                    let secs = s.opened_at.elapsed().as_secs_f64();
                    s.root_shown_after = Some(secs);
                    self.stats.root_visible(secs);
                }
            }
            Event::Found {
                image,
                seq,
                rows,
                truncated,
                ..
            } => {
                let current = self.session.as_ref().map(|s| s.id) == Some(image);
                if current && self.browser.filter_sent.as_ref().map(|f| f.1) == Some(seq) {
                    self.browser.found = Some((seq, rows, truncated));
                }
            }
            Event::Preview {
                image,
                node,
                kind,
                content,
            } => {
                let current = self.session.as_ref().map(|s| s.id) == Some(image);
                if !current || self.preview.node != Some(node) || self.preview.kind != Some(kind) {
                    return;
                }
                self.preview.texture = match &content {
                    PreviewContent::Picture { size, rgba, .. } => Some(ctx.load_texture(
                        "preview",
                        egui::ColorImage::from_rgba_unmultiplied(*size, rgba),
                        egui::TextureOptions::LINEAR,
                    )),
                    _ => None,
                };
                self.preview.content = Some(content);
            }
            Event::Names {
                image,
                view,
                node,
                views,
                names,
            } => {
                if self.names.asked == Some((image, view, node)) {
                    self.names.answer = Some((views, names));
                }
            }
            Event::JobStarted(id) => {
                if let Some(j) = self.jobs.get_mut(id) {
                    j.status = JobStatus::Running;
                    j.started = Some(Instant::now());
                }
            }
            Event::JobProgress { job, progress } => {
                if let Some(j) = self.jobs.get_mut(job) {
                    j.progress = progress;
                }
            }
            Event::JobAsk { job, conflict } => self.jobs.asks.push((job, conflict)),
            Event::JobDone { job, summary } => {
                self.jobs.asks.retain(|a| a.0 != job);
                if let Some(j) = self.jobs.get_mut(job) {
                    j.elapsed = j.started.map(|s| s.elapsed().as_secs_f64());
                    j.status = JobStatus::Extracted(summary);
                }
            }
            Event::VerifyDone { job, report } => {
                if let Some(j) = self.jobs.get_mut(job) {
                    j.elapsed = j.started.map(|s| s.elapsed().as_secs_f64());
                    j.status = JobStatus::Verified(report);
                }
            }
            Event::PickedImage(path) => {
                self.ui_state.dialog_open = false;
                match path {
                    Some(p) => self.open_path(p),
                    // rfd answers None at once when it has no portal and
                    // no zenity to show: offer the path field instead.
                    None if self.dialog_was_instant() => self.ui_state.show_open_path = true,
                    None => {}
                }
            }
            Event::PickedDest { dest, nodes } => {
                self.ui_state.dialog_open = false;
                if let Some(d) = dest {
                    self.extract_dialog = Some(crate::actions::ExtractDialog {
                        nodes,
                        dest: d.display().to_string(),
                    });
                }
            }
            Event::Problem(p) => self.ui_state.problems.push(p),
        }
    }

    fn window_inputs(&mut self, ctx: &egui::Context) {
        let dropped: Vec<PathBuf> = ctx.input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_path_buf())
                .filter(|p| !p.as_os_str().is_empty())
                .collect()
        });
        if let Some(p) = dropped.into_iter().next() {
            self.open_path(p);
        }
        if let Some(r) = ctx.input(|i| i.viewport().inner_rect) {
            let size = [r.width().round(), r.height().round()];
            if size[0] > 100.0 && size[1] > 100.0 {
                self.settings.window_size = Some(size);
            }
        }
        if self.ui_state.theme != Some(self.settings.theme) {
            self.ui_state.theme = Some(self.settings.theme);
            ctx.set_theme(match self.settings.theme {
                ThemeChoice::System => egui::ThemePreference::System,
                ThemeChoice::Light => egui::ThemePreference::Light,
                ThemeChoice::Dark => egui::ThemePreference::Dark,
            });
        }
        let title = self.title();
        if title != self.ui_state.title {
            ctx.send_viewport_cmd(egui::ViewportCommand::Title(title.clone()));
            self.ui_state.title = title;
        }
    }

    /// "name.iso — Rock Ridge — Isoscope".
    pub fn title(&self) -> String {
        match &self.session {
            Some(s) => match s.view {
                Some(v) => format!("{} — {} — Isoscope", s.name, v.label()),
                None => format!("{} — Isoscope", s.name),
            },
            None => "Isoscope".into(),
        }
    }

    /// Asks the worker for listings the window needs and does not have.
    fn request_needed(&mut self) {
        let Some((view, tree)) = self.current() else {
            return;
        };
        let tree = tree.clone();
        let mut wanted: Vec<(NodeId, Sort)> = Vec::new();
        if let Some(d) = self.browser.dir {
            wanted.push((d, self.browser.sort));
        }
        for &d in &self.browser.expanded {
            wanted.push((d, Sort::default()));
        }
        for (dir, sort) in wanted {
            self.ensure_listing(view, dir, sort);
        }
        let filter = self.browser.filter.trim().to_string();
        let sent = self.browser.filter_sent.as_ref().map(|f| f.0.as_str());
        if !filter.is_empty() && sent != Some(filter.as_str()) {
            self.ui_state.search_seq += 1;
            let seq = self.ui_state.search_seq;
            self.browser.filter_sent = Some((filter.clone(), seq));
            if let Some(s) = &self.session {
                self.worker.send(Command::Search {
                    image: s.id,
                    view,
                    query: filter,
                    seq,
                });
            }
        } else if filter.is_empty() {
            self.browser.filter_sent = None;
            self.browser.found = None;
        }
        self.request_names(view, &tree);
    }

    /// Asks for the names of the one selected entry in the other views,
    /// while the properties panel shows it.
    fn request_names(&mut self, view: View, tree: &iso_core::Tree) {
        let Some(image) = self.session.as_ref().map(|s| s.id) else {
            return;
        };
        let one = (self.selection.nodes.len() == 1)
            .then(|| self.selection.nodes.first().copied())
            .flatten();
        let wanted = one
            .filter(|&n| self.settings.panels.properties && tree.contains(n))
            .map(|n| (image, view, n));
        if wanted == self.names.asked {
            return;
        }
        self.names = crate::state::NamesState {
            asked: wanted,
            answer: None,
        };
        if let Some((image, view, node)) = wanted {
            self.worker.send(Command::Names { image, view, node });
        }
    }

    pub(crate) fn ensure_listing(&mut self, view: View, dir: NodeId, sort: Sort) {
        let key = (view, dir, sort);
        if self.browser.listings.contains_key(&key) || self.browser.pending.contains(&key) {
            return;
        }
        let Some(s) = &self.session else { return };
        self.browser.pending.insert(key);
        self.worker.send(Command::List {
            image: s.id,
            view,
            dir,
            sort,
        });
    }

    fn maybe_save(&mut self) {
        if self.settings == self.saved {
            return;
        }
        if self.saved_at.is_some_and(|t| t.elapsed() < SAVE_EVERY) {
            if let Some(ctx) = &self.ctx {
                ctx.request_repaint_after(SAVE_EVERY);
            }
            return;
        }
        self.saved = self.settings.clone();
        self.saved_at = Some(Instant::now());
        self.worker
            .send(Command::SaveSettings(Box::new(self.settings.clone())));
    }

    /// Saves the settings now (on exit).
    pub fn save_now(&mut self) {
        if self.settings != self.saved {
            self.saved = self.settings.clone();
            self.worker
                .send(Command::SaveSettings(Box::new(self.settings.clone())));
            // Give the worker a moment to write before the process ends.
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}
