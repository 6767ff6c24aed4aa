//! Worker events, applied to the tab whose image they name (or to the
//! jobs list).

use std::collections::HashMap;
use std::time::Instant;

use super::App;
use crate::model::ExtractDialog;
use crate::protocol::{Event, PreviewContent};
use crate::state::{BrowserState, JobStatus, Loading, PreviewState, Session, TreeState};

impl App {
    pub(super) fn on_event(&mut self, ctx: &egui::Context, ev: Event) {
        match ev {
            Event::Opened(o) => {
                if let Some(p) = o.path.as_ref().filter(|p| p.is_file()) {
                    self.model.settings.add_recent(p);
                }
                let sort = self.model.settings.sort;
                let Some(tab) = self.model.tab_of(o.image) else {
                    return;
                };
                let mut trees = HashMap::new();
                if let Some(v) = o.view {
                    trees.insert(v, TreeState::Loading);
                }
                let opened_at = tab.open_started.unwrap_or_else(Instant::now);
                tab.session = Some(Session {
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
                tab.loading = Loading::Idle;
                tab.browser = BrowserState {
                    sort,
                    ..BrowserState::default()
                };
                tab.selection.clear();
                tab.preview = PreviewState::default();
            }
            Event::OpenFailed {
                image,
                path,
                message,
            } => {
                if let Some(tab) = self.model.tab_of(image) {
                    tab.session = None;
                    tab.loading = Loading::Failed { path, message };
                }
            }
            Event::TreeReady {
                image,
                view,
                tree,
                warnings,
            } => {
                let Some(tab) = self.model.tab_of(image) else {
                    return;
                };
                let Some(s) = tab.session.as_mut().filter(|s| s.id == image) else {
                    return;
                };
                for w in warnings {
                    if !s.warnings.contains(&w) {
                        s.warnings.push(w);
                    }
                }
                let root = tree.root();
                s.trees.insert(view, TreeState::Ready(tree));
                if s.view == Some(view) && tab.browser.dir.is_none() {
                    tab.browser.dir = Some(root);
                    tab.browser.expanded.insert(root);
                }
            }
            Event::TreeFailed {
                image,
                view,
                message,
            } => {
                if let Some(s) = self
                    .model
                    .tab_of(image)
                    .and_then(|t| t.session.as_mut())
                    .filter(|s| s.id == image)
                {
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
                let Some(tab) = self.model.tab_of(image) else {
                    return;
                };
                let Some(s) = tab.session.as_mut().filter(|s| s.id == image) else {
                    return;
                };
                let key = (view, dir, sort);
                tab.browser.pending.remove(&key);
                tab.browser.listings.insert(key, rows);
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
                if let Some(tab) = self.model.tab_of(image) {
                    if tab.browser.filter_sent.as_ref().map(|f| f.1) == Some(seq) {
                        tab.browser.found = Some((seq, rows, truncated));
                    }
                }
            }
            Event::Preview {
                image,
                node,
                kind,
                content,
            } => {
                let Some(tab) = self.model.tab_of(image) else {
                    return;
                };
                if tab.preview.node != Some(node) || tab.preview.kind != Some(kind) {
                    return;
                }
                tab.preview.texture = match &content {
                    PreviewContent::Picture { size, rgba, .. } => Some(ctx.load_texture(
                        "preview",
                        egui::ColorImage::from_rgba_unmultiplied(*size, rgba),
                        egui::TextureOptions::LINEAR,
                    )),
                    _ => None,
                };
                tab.preview.content = Some(content);
            }
            Event::Names {
                image,
                view,
                node,
                views,
                names,
            } => {
                if let Some(tab) = self.model.tab_of(image) {
                    if tab.names.asked == Some((image, view, node)) {
                        tab.names.answer = Some((views, names));
                    }
                }
            }
            Event::DragQueued { job, image, dest } => {
                self.model.jobs.add_with_id(
                    job,
                    crate::state::JobWhat::DragOut { dest },
                    Some(image),
                );
            }
            Event::JobStarted(id) => {
                if let Some(j) = self.model.jobs.get_mut(id) {
                    j.status = JobStatus::Running;
                    j.started = Some(Instant::now());
                }
            }
            Event::JobProgress { job, progress } => {
                if let Some(j) = self.model.jobs.get_mut(job) {
                    j.progress = progress;
                }
            }
            Event::JobAsk { job, conflict } => self.model.jobs.asks.push((job, conflict)),
            Event::JobDone { job, summary } => {
                self.opening.remove(&job);
                self.model.jobs.finish(job, JobStatus::Extracted(summary));
            }
            Event::VerifyDone { job, report } => {
                self.model.jobs.finish(job, JobStatus::Verified(report));
            }
            Event::FileReady { job, summary, file } => self.file_ready(job, summary, file),
            Event::ChecksumsDone { job, report } => self.checksums_done(job, report),
            Event::TestDone { job, report } => {
                self.model.jobs.finish(job, JobStatus::Tested(report));
            }
            Event::PickedImage(path) => {
                self.model.ui.dialog_open = false;
                match path {
                    Some(p) => self.open_path(p),
                    // rfd answers None at once when it has no portal and
                    // no zenity to show: offer the path field instead.
                    None if self.dialog_was_instant() => {
                        self.model.ui.no_chooser = true;
                        self.model.ui.show_open_path = true;
                    }
                    None => {}
                }
            }
            Event::PickedDest { dest, nodes } => {
                self.model.ui.dialog_open = false;
                if let Some(d) = dest {
                    self.model.extract_dialog = Some(ExtractDialog {
                        nodes,
                        dest: d.display().to_string(),
                    });
                }
            }
            Event::Problem(p) => self.model.ui.problems.push(p),
        }
    }

    /// Whether the native dialog answered too quickly for anyone to have
    /// seen it (no file chooser on this desktop).
    fn dialog_was_instant(&self) -> bool {
        self.model
            .ui
            .dialog_started
            .is_some_and(|t| t.elapsed() < std::time::Duration::from_millis(700))
    }
}
