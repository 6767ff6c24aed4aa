//! The app: the [`Model`] the panes read, the worker, and the event pump
//! ([`App::logic`]) and the frame ([`App::frame`]). `logic` drains worker
//! events for at most ~10 ms and applies them ([`events`]); the panes in
//! [`crate::ui`] read the model and push [`Action`]s, applied after the
//! frame ([`apply`], [`commands`]).

mod apply;
mod commands;
mod events;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use iso_core::{ImageSource, NodeId, View};

use crate::actions::Action;
use crate::drag::DragOut;
use crate::frame_stats::FrameStats;
use crate::model::{Model, Tab};
use crate::open_job::{OpenHow, Opener};
use crate::protocol::{Command, Event, ImageId, JobId, Sort};
use crate::settings::{Settings, ThemeChoice};
use crate::state::{BrowserState, Loading};
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
    /// An image to open first (kept for callers that pass one; it opens
    /// before `open_paths`).
    pub open: Option<PathBuf>,
    /// Images to open, one tab each (the command line). When this and
    /// `open` are empty, the tabs of the last run are restored.
    pub open_paths: Vec<PathBuf>,
    /// A message to show (e.g. the settings file was unreadable).
    pub notice: Option<String>,
    /// Who opens extracted files (None: `ISOSCOPE_FAKE_OPENER` or the
    /// system's).
    pub opener: Option<Arc<dyn Opener>>,
}

/// The desktop app.
pub struct App {
    /// What the panes read.
    pub model: Model,
    pub(crate) worker: Worker,
    saved: Settings,
    saved_at: Option<Instant>,
    next_image: u64,
    drag: DragOut,
    opener: Arc<dyn Opener>,
    /// This session's folder for opened files (removed on drop).
    open_dir: PathBuf,
    /// How each running Open job's file is handed over.
    opening: HashMap<JobId, OpenHow>,
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
            .field("tabs", &self.model.tabs.len())
            .field("active", &self.model.active)
            .finish_non_exhaustive()
    }
}

impl Drop for App {
    fn drop(&mut self) {
        crate::open_job::remove_session_dir(&self.open_dir);
    }
}

impl App {
    /// Starts the worker and opens the first images (or restores the
    /// last run's tabs).
    pub fn new(options: AppOptions) -> App {
        let worker = Worker::start(options.settings_path.clone());
        let opener = options
            .opener
            .clone()
            .unwrap_or_else(crate::open_job::from_env);
        let probe = crate::probe::Probe::from_env();
        crate::open_job::remove_stale_session_dirs();
        let mut model = Model::new(options.settings.clone());
        model.offers_chooser = opener.offers_chooser();
        model.probing = probe.enabled();
        let mut app = App {
            model,
            worker,
            saved: options.settings,
            saved_at: None,
            next_image: 1,
            drag: DragOut::new(),
            opener,
            open_dir: crate::open_job::session_dir(),
            opening: HashMap::new(),
            stats: FrameStats::from_env(),
            probe,
            actions: Vec::new(),
            ctx: None,
        };
        if let Some(n) = options.notice {
            app.model.ui.problems.push(n);
        }
        let mut paths: Vec<PathBuf> = options.open.into_iter().collect();
        paths.extend(options.open_paths);
        let mut active = None;
        if paths.is_empty() {
            let s = &app.model.settings;
            let shown = s.open_tabs.get(s.active_tab).cloned();
            paths = s
                .open_tabs
                .iter()
                .filter(|p| p.is_file())
                .cloned()
                .collect();
            active = shown.and_then(|a| paths.iter().position(|p| *p == a));
        }
        for p in paths {
            app.open_path(p);
        }
        if let Some(i) = active {
            app.model.active = i;
        }
        app
    }

    /// The tab shown.
    pub fn tab(&self) -> &Tab {
        self.model.tab()
    }

    /// The opener this app hands files to.
    pub fn opener(&self) -> &Arc<dyn Opener> {
        &self.opener
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
        let mut out = crate::ui::Out::default();
        crate::ui::show(&self.model, ui, &mut out);
        for (pane, rect, name) in out.rows {
            self.probe.row(pane, rect, &name);
        }
        self.probe.flush(ctx.pixels_per_point());
        self.actions.extend(out.actions);
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
        self.remember_tabs();
        self.maybe_save();
        if self.model.jobs.busy() {
            // Rate and ETA move even between progress events.
            ctx.request_repaint_after(Duration::from_millis(250));
        }
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

    /// Opens an image file: in the tab shown when it is empty, else in a
    /// new tab.
    pub fn open_path(&mut self, path: PathBuf) {
        let image = self.new_image_id();
        let view = self
            .model
            .settings
            .views
            .get(&path.to_string_lossy().into_owned())
            .and_then(|v| v.parse::<View>().ok());
        let tab = self.tab_for_open();
        tab.image = Some(image);
        tab.loading = Loading::Opening(path.clone());
        tab.open_started = Some(Instant::now());
        self.worker.send(Command::Open { image, path, view });
    }

    /// Opens an image from any source (used by tests with slow sources).
    pub fn open_source(&mut self, name: &str, source: Arc<dyn ImageSource>) {
        let image = self.new_image_id();
        let tab = self.tab_for_open();
        tab.image = Some(image);
        tab.loading = Loading::Opening(PathBuf::from(name));
        tab.open_started = Some(Instant::now());
        self.worker.send(Command::OpenSource {
            image,
            name: name.to_string(),
            source,
        });
    }

    /// The shown tab when nothing is open in it, else a new tab (shown).
    fn tab_for_open(&mut self) -> &mut Tab {
        if !self.model.tab().is_empty() {
            self.add_tab();
        }
        self.model.tab_mut()
    }

    /// Adds an empty tab and shows it.
    pub(crate) fn add_tab(&mut self) {
        self.model.tabs.push(Tab {
            browser: BrowserState {
                sort: self.model.settings.sort,
                ..BrowserState::default()
            },
            ..Tab::default()
        });
        self.model.active = self.model.tabs.len() - 1;
    }

    fn new_image_id(&mut self) -> ImageId {
        self.next_image += 1;
        ImageId(self.next_image)
    }

    /// The view shown and its tree, in the tab shown.
    pub fn current(&self) -> Option<(View, &Arc<iso_core::Tree>)> {
        self.model.tab().current()
    }

    /// The rows the table shows now.
    pub fn rows(&self) -> Option<Arc<[NodeId]>> {
        self.model.tab().rows()
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
        for p in dropped {
            self.open_path(p);
        }
        if let Some(r) = ctx.input(|i| i.viewport().inner_rect) {
            let size = [r.width().round(), r.height().round()];
            if size[0] > 100.0 && size[1] > 100.0 {
                self.model.settings.window_size = Some(size);
            }
        }
        if self.model.ui.theme != Some(self.model.settings.theme) {
            self.model.ui.theme = Some(self.model.settings.theme);
            ctx.set_theme(match self.model.settings.theme {
                ThemeChoice::System => egui::ThemePreference::System,
                ThemeChoice::Light => egui::ThemePreference::Light,
                ThemeChoice::Dark => egui::ThemePreference::Dark,
            });
        }
        let title = self.title();
        if title != self.model.ui.title {
            ctx.send_viewport_cmd(egui::ViewportCommand::Title(title.clone()));
            self.model.ui.title = title;
        }
    }

    /// "name.iso — Rock Ridge — Isoscope" (the tab shown).
    pub fn title(&self) -> String {
        match &self.model.tab().session {
            Some(s) => match s.view {
                Some(v) => format!("{} — {} — Isoscope", s.name, v.label()),
                None => format!("{} — Isoscope", s.name),
            },
            None => "Isoscope".into(),
        }
    }

    /// Asks the worker for listings the tab shown needs and does not have.
    fn request_needed(&mut self) {
        let Some((view, tree)) = self.current() else {
            return;
        };
        let tree = tree.clone();
        let tab = self.model.tab();
        let mut wanted: Vec<(NodeId, Sort)> = Vec::new();
        if let Some(d) = tab.browser.dir {
            wanted.push((d, tab.browser.sort));
        }
        for &d in &tab.browser.expanded {
            wanted.push((d, Sort::default()));
        }
        for (dir, sort) in wanted {
            self.ensure_listing(view, dir, sort);
        }
        self.request_search(view);
        self.request_names(view, &tree);
        if !tree.is_partial() {
            self.reveal_pending(view, &tree);
        }
    }

    fn request_search(&mut self, view: View) {
        let seq = self.model.ui.search_seq + 1;
        let tab = self.model.tab_mut();
        let filter = tab.browser.filter.trim().to_string();
        let sent = tab.browser.filter_sent.as_ref().map(|f| f.0.as_str());
        if !filter.is_empty() && sent != Some(filter.as_str()) {
            tab.browser.filter_sent = Some((filter.clone(), seq));
            if let Some(image) = tab.session.as_ref().map(|s| s.id) {
                self.model.ui.search_seq = seq;
                self.worker.send(Command::Search {
                    image,
                    view,
                    query: filter,
                    seq,
                });
            }
        } else if filter.is_empty() {
            tab.browser.filter_sent = None;
            tab.browser.found = None;
        }
    }

    /// Asks for the names of the one selected entry in the other views,
    /// while the properties panel shows it.
    fn request_names(&mut self, view: View, tree: &iso_core::Tree) {
        let properties = self.model.settings.panels.properties;
        let tab = self.model.tab_mut();
        let Some(image) = tab.session.as_ref().map(|s| s.id) else {
            return;
        };
        let wanted = tab
            .one_selected()
            .filter(|&n| properties && tree.contains(n))
            .map(|n| (image, view, n));
        if wanted == tab.names.asked {
            return;
        }
        tab.names = crate::state::NamesState {
            asked: wanted,
            answer: None,
        };
        if let Some((image, view, node)) = wanted {
            self.worker.send(Command::Names { image, view, node });
        }
    }

    pub(crate) fn ensure_listing(&mut self, view: View, dir: NodeId, sort: Sort) {
        let key = (view, dir, sort);
        let tab = self.model.tab_mut();
        if tab.browser.listings.contains_key(&key) || tab.browser.pending.contains(&key) {
            return;
        }
        let Some(image) = tab.session.as_ref().map(|s| s.id) else {
            return;
        };
        tab.browser.pending.insert(key);
        self.worker.send(Command::List {
            image,
            view,
            dir,
            sort,
        });
    }

    /// Keeps the open tabs' files in the settings, to restore them.
    fn remember_tabs(&mut self) {
        let open: Vec<PathBuf> = self
            .model
            .tabs
            .iter()
            .filter_map(|t| match (&t.session, &t.loading) {
                (_, Loading::Opening(p)) => Some(p.clone()),
                (Some(s), _) => s.path.clone(),
                _ => None,
            })
            .filter(|p| p.is_absolute())
            .collect();
        if open != self.model.settings.open_tabs {
            self.model.settings.open_tabs = open;
        }
        let active = self.model.active;
        if self.model.settings.active_tab != active {
            self.model.settings.active_tab = active;
        }
    }

    fn maybe_save(&mut self) {
        if self.model.settings == self.saved {
            return;
        }
        if self.saved_at.is_some_and(|t| t.elapsed() < SAVE_EVERY) {
            if let Some(ctx) = &self.ctx {
                ctx.request_repaint_after(SAVE_EVERY);
            }
            return;
        }
        self.saved = self.model.settings.clone();
        self.saved_at = Some(Instant::now());
        self.worker
            .send(Command::SaveSettings(Box::new(self.model.settings.clone())));
    }

    /// Saves the settings now (on exit).
    pub fn save_now(&mut self) {
        self.remember_tabs();
        if self.model.settings != self.saved {
            self.saved = self.model.settings.clone();
            self.worker
                .send(Command::SaveSettings(Box::new(self.model.settings.clone())));
            // Give the worker a moment to write before the process ends.
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}
