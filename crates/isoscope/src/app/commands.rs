//! Applying the actions that start work or touch the desktop: tabs,
//! extraction, Open, checksums, Test/Verify image, the clipboard and the
//! native dialogs.

use std::path::PathBuf;
use std::time::Instant;

use iso_core::NodeId;

use super::App;
use crate::actions::Action;
use crate::checksum_job::ChecksumReport;
use crate::extract_job::{JobSummary, OverwriteAnswer};
use crate::model::ExtractDialog;
use crate::open_job::OpenHow;
use crate::protocol::{Command, Event, ExtractRequest, JobId};
use crate::state::{JobStatus, JobWhat};

impl App {
    /// The actions [`App::apply`] does not handle itself.
    pub(super) fn apply_command(&mut self, action: Action) {
        match action {
            Action::Extract(nodes) => {
                let dest = self
                    .model
                    .settings
                    .last_dest
                    .clone()
                    .or_else(|| self.beside_image())
                    .map(|p| p.display().to_string())
                    .unwrap_or_default();
                self.model.extract_dialog = Some(ExtractDialog { nodes, dest });
            }
            Action::ExtractHere(nodes) => {
                if let Some(dest) = self.beside_image() {
                    self.start_extract(nodes, dest);
                }
            }
            Action::ExtractTo { nodes, dest } => {
                self.model.extract_dialog = None;
                self.start_extract(nodes, dest);
            }
            Action::SetExtractDest(d) => {
                if let Some(x) = self.model.extract_dialog.as_mut() {
                    x.dest = d;
                }
            }
            Action::BrowseDest => self.browse_dest(),
            Action::CloseExtractDialog => self.model.extract_dialog = None,
            Action::CopyPaths(nodes) => {
                let text = self.joined(&nodes, |t, n| t.path(n));
                self.copy(text);
            }
            Action::CopyNames(nodes) => {
                let text = self.joined(&nodes, |t, n| t.display_name(n).into_owned());
                self.copy(text);
            }
            Action::CopyText(t) => self.copy(t),
            Action::Checksums(nodes) => self.start_checksums(nodes),
            Action::TestImage => self.start_test(),
            Action::CancelJob(id) => {
                if let Some(j) = self.model.jobs.get_mut(id) {
                    j.cancelling = true;
                }
                self.worker.send(Command::Cancel(id));
            }
            Action::DismissJob(id) => self.model.jobs.jobs.retain(|j| j.id != id || !j.done()),
            Action::Answer(choice) => {
                let jobs = &mut self.model.jobs;
                if !jobs.asks.is_empty() {
                    let (job, _) = jobs.asks.remove(0);
                    let answer = OverwriteAnswer {
                        choice,
                        apply_to_all: jobs.apply_to_all,
                    };
                    jobs.apply_to_all = false;
                    self.worker.send(Command::Answer { job, answer });
                }
            }
            Action::SetApplyToAll(b) => self.model.jobs.apply_to_all = b,
            Action::Verify => self.start_verify(),
            Action::OpenFolder(p) => {
                if let Err(e) = opener::open(&p) {
                    self.model
                        .ui
                        .problems
                        .push(format!("cannot open {}: {e}", p.display()));
                }
            }
            Action::SetTheme(t) => self.model.settings.theme = t,
            Action::SetWritable(w) => self.model.settings.writable = w,
            Action::ShowAbout(b) => self.model.ui.show_about = b,
            Action::ShowOpenPath(b) => self.model.ui.show_open_path = b,
            Action::SetPathText(t) => self.model.ui.path_text = t,
            Action::ShowShortcuts(b) => self.model.ui.show_shortcuts = b,
            Action::KeyMenu(b) => self.model.ui.key_menu = b,
            Action::DismissProblem(i) if i < self.model.ui.problems.len() => {
                self.model.ui.problems.remove(i);
            }
            // Handled by `apply`.
            _ => {}
        }
    }

    /// Closes tab `i`; its image is forgotten by the worker. The last tab
    /// closed leaves an empty one.
    pub(super) fn close_tab(&mut self, i: usize) {
        if i >= self.model.tabs.len() {
            return;
        }
        let tab = self.model.tabs.remove(i);
        if let Some(id) = tab.session.as_ref().map(|s| s.id).or(tab.image) {
            self.worker.send(Command::Close(id));
        }
        if self.model.tabs.is_empty() {
            self.add_tab();
        }
        if self.model.active > i || self.model.active >= self.model.tabs.len() {
            self.model.active = self.model.active.saturating_sub(1);
        }
    }

    pub(super) fn cycle_tab(&mut self, by: i32) {
        let n = i64::try_from(self.model.tabs.len()).unwrap_or(1).max(1);
        let at = i64::try_from(self.model.active).unwrap_or(0);
        let next = (at + i64::from(by)).rem_euclid(n);
        self.model.active = usize::try_from(next).unwrap_or(0);
    }

    /// The paths (or names) of `nodes`, one a line.
    fn joined(&self, nodes: &[NodeId], f: impl Fn(&iso_core::Tree, NodeId) -> String) -> String {
        let Some((_, tree)) = self.current() else {
            return String::new();
        };
        nodes
            .iter()
            .filter(|&&n| tree.contains(n))
            .map(|&n| f(tree, n))
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn copy(&mut self, text: String) {
        if text.is_empty() {
            return;
        }
        if let Some(ctx) = &self.ctx {
            ctx.copy_text(text.clone());
        }
        let lines = text.lines().count();
        self.model.ui.note = Some(if lines > 1 {
            format!("Copied {lines} lines")
        } else {
            format!("Copied {text}")
        });
        self.model.ui.copied = Some(text);
    }

    /// A folder named after the image, beside it.
    fn beside_image(&self) -> Option<PathBuf> {
        let p = self.model.tab().session.as_ref()?.path.as_ref()?;
        let stem = p.file_stem()?.to_string_lossy().into_owned();
        let dir = std::path::absolute(p).ok()?.parent()?.join(stem);
        Some(dir)
    }

    /// The image and view of the tab shown.
    fn image_view(&self) -> Option<(crate::protocol::ImageId, iso_core::View)> {
        let tab = self.model.tab();
        Some((tab.session.as_ref()?.id, tab.current()?.0))
    }

    /// Queues an extraction.
    pub fn start_extract(&mut self, nodes: Vec<NodeId>, dest: PathBuf) {
        let Some((image, view)) = self.image_view() else {
            return;
        };
        let job = self
            .model
            .jobs
            .add(JobWhat::Extract { dest: dest.clone() }, Some(image));
        self.model.settings.last_dest = Some(dest.clone());
        let writable = self.model.settings.writable;
        self.worker.send(Command::Extract {
            job,
            request: ExtractRequest {
                image,
                view,
                nodes,
                dest,
                writable,
            },
        });
    }

    fn start_verify(&mut self) {
        let Some(image) = self.model.tab().session.as_ref().map(|s| s.id) else {
            return;
        };
        let job = self.model.jobs.add(JobWhat::Verify, Some(image));
        self.worker.send(Command::Verify { job, image });
    }

    fn start_test(&mut self) {
        let Some((image, view)) = self.image_view() else {
            return;
        };
        let job = self.model.jobs.add(JobWhat::Test, Some(image));
        self.worker.send(Command::Test { job, image, view });
    }

    fn start_checksums(&mut self, nodes: Vec<NodeId>) {
        let Some((image, view)) = self.image_view() else {
            return;
        };
        if nodes.is_empty() {
            return;
        }
        let job = self
            .model
            .jobs
            .add(JobWhat::Checksums { view }, Some(image));
        self.worker.send(Command::Checksums {
            job,
            image,
            view,
            nodes,
        });
    }

    pub(super) fn checksums_done(&mut self, job: JobId, report: ChecksumReport) {
        let Some(j) = self.model.jobs.jobs.iter().find(|j| j.id == job) else {
            return;
        };
        let (image, what) = (j.image, j.what.clone());
        if let (Some(image), JobWhat::Checksums { view }) = (image, what) {
            if let Some(tab) = self.model.tab_of(image) {
                for f in &report.files {
                    tab.checksums.insert((view, f.node), f.clone());
                }
            }
        }
        self.model.jobs.finish(job, JobStatus::Checksummed(report));
    }

    /// Open / Open with… / Show in folder on a file: extracted by the
    /// jobs worker into this session's temporary folder, then handed to
    /// the opener ([`App::file_ready`]). Folders open in the table.
    pub(super) fn open_file(&mut self, node: NodeId, how: OpenHow) {
        let Some((image, view)) = self.image_view() else {
            return;
        };
        let Some((_, tree)) = self.current() else {
            return;
        };
        if tree.is_dir(node) {
            self.navigate(node);
            return;
        }
        let how = if how == OpenHow::Default && crate::open_job::is_executable(tree, node) {
            // A program is not run from an image: its folder is shown.
            OpenHow::ShowFolder
        } else {
            how
        };
        let name = tree.display_name(node).into_owned();
        let job = self
            .model
            .jobs
            .add(JobWhat::Open { name, how }, Some(image));
        self.opening.insert(job, how);
        let dest = self.open_dir.join(format!("open-{}", job.0));
        self.worker.send(Command::OpenFile {
            job,
            request: ExtractRequest {
                image,
                view,
                nodes: vec![node],
                dest,
                writable: false,
            },
        });
    }

    pub(super) fn file_ready(&mut self, job: JobId, summary: JobSummary, file: Option<PathBuf>) {
        let how = self.opening.remove(&job).unwrap_or(OpenHow::Default);
        if let Some(f) = &file {
            if let Err(e) = self.opener.open(f, how) {
                self.model
                    .ui
                    .problems
                    .push(format!("cannot open {}: {e}", f.display()));
            }
        }
        self.model.jobs.finish(job, JobStatus::Opened(summary));
        // A quick open leaves nothing to look at in the jobs panel.
        let ok = self
            .model
            .jobs
            .jobs
            .iter()
            .find(|j| j.id == job)
            .is_some_and(|j| matches!(&j.status, JobStatus::Opened(s) if s.error.is_none() && !s.cancelled && s.failed.is_empty()));
        if ok && file.is_some() {
            self.model.jobs.jobs.retain(|j| j.id != job);
        }
    }

    /// After each frame: drag-out bookkeeping (see [`crate::drag`]).
    pub(super) fn drag_after_frame(
        &mut self,
        ctx: &egui::Context,
        window: Option<raw_window_handle::RawWindowHandle>,
    ) {
        let tab = self.model.tab();
        let source = tab.session.as_ref().and_then(|s| {
            Some(crate::drag::DragSourceData {
                image: s.id,
                view: s.view?,
                tree: s.tree()?.clone(),
                commands: self.worker.commands(),
                writable: self.model.settings.writable,
            })
        });
        let selection = tab.selection.list();
        let note = self.drag.after_frame(ctx, window, source, selection);
        if let Some(note) = note {
            match note {
                crate::drag::Note::Status(s) => self.model.ui.note = Some(s),
                crate::drag::Note::Problem(p) => self.model.ui.problems.push(p),
            }
        }
    }

    /// The native open dialog. Its answer arrives as an event.
    pub(super) fn open_dialog(&mut self) {
        let start = self
            .model
            .settings
            .recent
            .first()
            .and_then(|p| p.parent())
            .map(|p| p.to_path_buf());
        let mut d = rfd::AsyncFileDialog::new()
            .set_title("Open a disc image")
            .add_filter("Disc images", &["iso", "img", "udf", "bin", "cue", "nrg"])
            .add_filter("All files", &["*"]);
        if let Some(s) = start {
            d = d.set_directory(s);
        }
        self.await_dialog(
            d,
            |d| d.pick_file(),
            |f| Event::PickedImage(f.map(|h| h.path().to_path_buf())),
        );
    }

    /// The native folder dialog for the extract dialog.
    fn browse_dest(&mut self) {
        let nodes = self
            .model
            .extract_dialog
            .as_ref()
            .map(|d| d.nodes.clone())
            .unwrap_or_default();
        let mut d = rfd::AsyncFileDialog::new().set_title("Extract to");
        if let Some(s) = self.model.settings.last_dest.clone() {
            d = d.set_directory(s);
        }
        self.await_dialog(
            d,
            |d| d.pick_folder(),
            move |f| Event::PickedDest {
                dest: f.map(|h| h.path().to_path_buf()),
                nodes,
            },
        );
    }

    /// Shows a native dialog without blocking the frame: the dialog's
    /// future is made here, on the UI thread, and awaited on a thread of
    /// its own, whose answer comes back as an event. Made on the UI thread
    /// because on macOS AppKit takes panels only from the main thread: rfd
    /// then begins the panel there as a sheet and the waiting thread only
    /// waits. Elsewhere rfd runs the dialog on a thread of its own.
    fn await_dialog<F>(
        &mut self,
        dialog: rfd::AsyncFileDialog,
        show: impl FnOnce(rfd::AsyncFileDialog) -> F,
        answer: impl FnOnce(F::Output) -> Event + Send + 'static,
    ) where
        F: std::future::Future + Send + 'static,
    {
        if self.model.ui.dialog_open {
            return;
        }
        self.model.ui.dialog_open = true;
        self.model.ui.dialog_started = Some(Instant::now());
        let out = self.worker.outbox();
        let pending = show(dialog);
        let spawned = std::thread::Builder::new()
            .name("isoscope-dialog".into())
            .spawn(move || out.send(answer(pollster::block_on(pending))));
        if spawned.is_err() {
            self.model.ui.dialog_open = false;
        }
    }
}
