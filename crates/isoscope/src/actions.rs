//! What the UI can ask for. The UI pushes [`Action`]s while it paints;
//! they are applied after the frame, here, turning into state changes and
//! worker [`Command`]s.

use std::path::PathBuf;
use std::time::Instant;

use iso_core::{NodeId, NodeKind, View};

use crate::app::App;
use crate::extract_job::{Choice, OverwriteAnswer};
use crate::format::{self, FileClass};
use crate::protocol::{Command, Event, ExtractRequest, JobId, PreviewKind, SortKey};
use crate::settings::ThemeChoice;
use crate::state::{JobStatus, JobView, JobWhat, PreviewState};

/// Something the person asked for.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Open this file.
    OpenPath(PathBuf),
    /// Open the typed path.
    OpenTyped,
    /// Show the native open dialog.
    OpenDialog,
    /// Show folder `NodeId` (remembering the way back).
    Navigate(NodeId),
    /// Alt+Left.
    Back,
    /// Alt+Right.
    Forward,
    /// Alt+Up / Backspace.
    Up,
    /// Enter / double-click on a row.
    Activate(NodeId),
    /// Enter: activate the row with the cursor.
    ActivateCursor,
    /// A click on a row, with the modifiers held.
    Click {
        /// The row's node.
        node: NodeId,
        /// Ctrl/Cmd: toggle.
        toggle: bool,
        /// Shift: range from the anchor.
        range: bool,
    },
    /// Ctrl+A.
    SelectAll,
    /// Arrow keys: move the cursor by rows.
    MoveCursor(i64),
    /// Type-to-select.
    Typed(String),
    /// Sort by a column (again: reverse).
    Sort(SortKey),
    /// Switch views.
    SetView(View),
    /// Show/hide the folder tree.
    ToggleTree,
    /// Show/hide the properties panel.
    ToggleProperties,
    /// Show/hide the preview.
    TogglePreview,
    /// Expand a folder in the tree pane.
    Expand(NodeId),
    /// Collapse a folder in the tree pane.
    Collapse(NodeId),
    /// Show the preview in another form.
    Preview(PreviewKind),
    /// Extract the selection (or everything): ask where.
    Extract,
    /// Extract the selection into the image's folder.
    ExtractHere,
    /// Start extracting `nodes` into `dest`.
    ExtractTo {
        /// What (empty: everything).
        nodes: Vec<NodeId>,
        /// Where.
        dest: PathBuf,
    },
    /// The extract dialog's Browse… button.
    BrowseDest,
    /// Close the extract dialog.
    CloseExtractDialog,
    /// Cancel a job.
    CancelJob(JobId),
    /// Remove a finished job from the panel.
    DismissJob(JobId),
    /// Answer the oldest overwrite question.
    Answer(Choice),
    /// Tools ▸ Verify image.
    Verify,
    /// Open a folder in the file manager.
    OpenFolder(PathBuf),
    /// Theme override.
    SetTheme(ThemeChoice),
    /// Help ▸ About.
    ShowAbout(bool),
    /// Show or hide the "type the image's path" window.
    ShowOpenPath(bool),
    /// Help ▸ Keyboard shortcuts.
    ShowShortcuts(bool),
    /// Ctrl+F.
    FocusFilter,
    /// The table's column widths changed.
    ColumnWidths(Vec<f32>),
    /// Dismiss a message.
    DismissProblem(usize),
}

/// The extract dialog: what, and the destination being typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExtractDialog {
    /// What (empty: everything).
    pub nodes: Vec<NodeId>,
    /// The destination text field.
    pub dest: String,
}

impl App {
    /// Applies one action.
    pub fn apply(&mut self, action: Action) {
        match action {
            Action::OpenPath(p) => self.open_path(p),
            Action::OpenTyped => {
                let p = self.ui_state.path_text.trim().to_string();
                if !p.is_empty() {
                    self.ui_state.show_open_path = false;
                    self.open_path(PathBuf::from(p));
                }
            }
            Action::OpenDialog => self.open_dialog(),
            Action::Navigate(dir) => self.navigate(dir),
            Action::Back => {
                if let Some(d) = self.browser.back.pop() {
                    if let Some(cur) = self.browser.dir {
                        self.browser.forward.push(cur);
                    }
                    self.show_dir(d);
                }
            }
            Action::Forward => {
                if let Some(d) = self.browser.forward.pop() {
                    if let Some(cur) = self.browser.dir {
                        self.browser.back.push(cur);
                    }
                    self.show_dir(d);
                }
            }
            Action::Up => {
                let parent = self
                    .current()
                    .and_then(|(_, t)| self.browser.dir.and_then(|d| t.parent(d)));
                if let Some(p) = parent {
                    let from = self.browser.dir;
                    self.navigate(p);
                    if let Some(f) = from {
                        self.selection.only(f);
                    }
                }
            }
            Action::Activate(node) => self.activate(node),
            Action::ActivateCursor => {
                if let Some(c) = self.selection.cursor {
                    self.activate(c);
                }
            }
            Action::Click {
                node,
                toggle,
                range,
            } => self.click(node, toggle, range),
            Action::SelectAll => {
                if let Some(rows) = self.rows() {
                    self.selection.nodes = rows.iter().copied().collect();
                }
                self.update_preview();
            }
            Action::MoveCursor(by) => self.move_cursor(by),
            Action::Typed(t) => self.type_to_select(&t),
            Action::Sort(key) => {
                let s = &mut self.browser.sort;
                if s.key == key {
                    s.descending = !s.descending;
                } else {
                    s.key = key;
                    s.descending = false;
                }
                self.settings.sort = self.browser.sort;
            }
            Action::SetView(v) => self.set_view(v),
            Action::ToggleTree => self.settings.panels.tree = !self.settings.panels.tree,
            Action::ToggleProperties => {
                self.settings.panels.properties = !self.settings.panels.properties;
            }
            Action::TogglePreview => self.settings.panels.preview = !self.settings.panels.preview,
            Action::Expand(d) => {
                self.browser.expanded.insert(d);
            }
            Action::Collapse(d) => {
                self.browser.expanded.remove(&d);
            }
            Action::Preview(kind) => {
                if let Some(n) = self.preview.node {
                    self.request_preview(n, kind);
                }
            }
            Action::Extract => {
                let dest = self
                    .settings
                    .last_dest
                    .clone()
                    .or_else(|| self.beside_image())
                    .map(|p| p.display().to_string())
                    .unwrap_or_default();
                self.extract_dialog = Some(ExtractDialog {
                    nodes: self.selection.list(),
                    dest,
                });
            }
            Action::ExtractHere => {
                if let Some(dest) = self.beside_image() {
                    let nodes = self.selection.list();
                    self.start_extract(nodes, dest);
                }
            }
            Action::ExtractTo { nodes, dest } => {
                self.extract_dialog = None;
                self.start_extract(nodes, dest);
            }
            Action::BrowseDest => self.browse_dest(),
            Action::CloseExtractDialog => self.extract_dialog = None,
            Action::CancelJob(id) => {
                if let Some(j) = self.jobs.get_mut(id) {
                    j.cancelling = true;
                }
                self.worker.send(Command::Cancel(id));
            }
            Action::DismissJob(id) => self.jobs.jobs.retain(|j| j.id != id || !j.done()),
            Action::Answer(choice) => {
                if !self.jobs.asks.is_empty() {
                    let (job, _) = self.jobs.asks.remove(0);
                    let answer = OverwriteAnswer {
                        choice,
                        apply_to_all: self.jobs.apply_to_all,
                    };
                    self.jobs.apply_to_all = false;
                    self.worker.send(Command::Answer { job, answer });
                }
            }
            Action::Verify => self.start_verify(),
            Action::OpenFolder(p) => {
                if let Err(e) = opener::open(&p) {
                    self.ui_state
                        .problems
                        .push(format!("cannot open {}: {e}", p.display()));
                }
            }
            Action::SetTheme(t) => self.settings.theme = t,
            Action::ShowAbout(b) => self.ui_state.show_about = b,
            Action::ShowOpenPath(b) => self.ui_state.show_open_path = b,
            Action::ShowShortcuts(b) => self.ui_state.show_shortcuts = b,
            Action::FocusFilter => self.browser.focus_filter = true,
            Action::ColumnWidths(w) => self.settings.column_widths = w,
            Action::DismissProblem(i) => {
                if i < self.ui_state.problems.len() {
                    self.ui_state.problems.remove(i);
                }
            }
        }
    }

    /// The rows the table shows now.
    pub fn rows(&self) -> Option<std::sync::Arc<[NodeId]>> {
        let (view, _) = self.current()?;
        self.browser.rows(view)
    }

    fn navigate(&mut self, dir: NodeId) {
        if self.browser.dir == Some(dir) {
            return;
        }
        if let Some(cur) = self.browser.dir {
            self.browser.back.push(cur);
        }
        self.browser.forward.clear();
        self.show_dir(dir);
    }

    fn show_dir(&mut self, dir: NodeId) {
        self.browser.dir = Some(dir);
        self.browser.filter.clear();
        self.browser.scroll_to = Some(0);
        self.selection.clear();
        self.preview = PreviewState::default();
        // Open the way to it in the tree pane.
        if let Some((_, tree)) = self.current() {
            let mut chain = Vec::new();
            let mut at = Some(dir);
            let mut guard = 0;
            while let Some(d) = at {
                chain.push(d);
                at = tree.parent(d);
                guard += 1;
                if guard > 1024 {
                    break;
                }
            }
            self.browser.expanded.extend(chain);
        }
    }

    fn activate(&mut self, node: NodeId) {
        let Some((_, tree)) = self.current() else {
            return;
        };
        let tree = tree.clone();
        if tree.is_dir(node) {
            self.navigate(node);
        } else if !self.browser.filter.is_empty() {
            // A search result: show it in its folder.
            if let Some(p) = tree.parent(node) {
                self.navigate(p);
                self.selection.only(node);
                self.update_preview();
            }
        } else {
            self.selection.only(node);
            self.update_preview();
        }
    }

    fn click(&mut self, node: NodeId, toggle: bool, range: bool) {
        let rows = self.rows();
        if range {
            if let (Some(rows), Some(anchor)) = (rows, self.selection.anchor) {
                let a = rows.iter().position(|&r| r == anchor);
                let b = rows.iter().position(|&r| r == node);
                if let (Some(a), Some(b)) = (a, b) {
                    let (lo, hi) = (a.min(b), a.max(b));
                    if !toggle {
                        self.selection.nodes.clear();
                    }
                    self.selection
                        .nodes
                        .extend(rows.iter().skip(lo).take(hi - lo + 1).copied());
                    self.selection.cursor = Some(node);
                    self.update_preview();
                    return;
                }
            }
        }
        if toggle {
            if !self.selection.nodes.remove(&node) {
                self.selection.nodes.insert(node);
            }
            self.selection.anchor = Some(node);
            self.selection.cursor = Some(node);
        } else {
            self.selection.only(node);
        }
        self.update_preview();
    }

    fn move_cursor(&mut self, by: i64) {
        let Some(rows) = self.rows() else { return };
        if rows.is_empty() {
            return;
        }
        let at = self
            .selection
            .cursor
            .and_then(|c| rows.iter().position(|&r| r == c));
        let last = i64::try_from(rows.len()).unwrap_or(i64::MAX) - 1;
        let next = match at {
            Some(i) => (i64::try_from(i).unwrap_or(0) + by).clamp(0, last),
            None => 0,
        };
        let next = usize::try_from(next).unwrap_or(0);
        if let Some(&n) = rows.get(next) {
            self.selection.only(n);
            self.browser.scroll_to = Some(next);
            self.update_preview();
        }
    }

    fn type_to_select(&mut self, typed: &str) {
        let fresh = self
            .browser
            .typed_at
            .is_none_or(|t| t.elapsed().as_secs_f32() > 1.0);
        if fresh {
            self.browser.typed.clear();
            self.browser.typed_hit = None;
        }
        self.browser.typed.push_str(&typed.to_lowercase());
        self.browser.typed_at = Some(std::time::Instant::now());
        let (Some(rows), Some((_, tree))) = (self.rows(), self.current()) else {
            return;
        };
        let want = self.browser.typed.clone();
        let from = match self.browser.typed_hit {
            Some((i, n)) if rows.get(i) == Some(&n) => i,
            _ => 0,
        };
        let hit = rows
            .get(from..)
            .and_then(|rest| tree.first_with_prefix(rest, &want))
            .map(|i| i + from);
        if let Some(i) = hit {
            if let Some(&n) = rows.get(i) {
                self.browser.typed_hit = Some((i, n));
                self.selection.only(n);
                self.browser.scroll_to = Some(i);
                self.update_preview();
            }
        }
    }

    fn set_view(&mut self, view: View) {
        let Some(s) = self.session.as_mut() else {
            return;
        };
        if s.view == Some(view) {
            return;
        }
        s.view = Some(view);
        if let Some(p) = &s.path {
            self.settings
                .views
                .insert(p.to_string_lossy().into_owned(), view.as_str().to_string());
        }
        let id = s.id;
        let root = match s.trees.get(&view) {
            Some(crate::state::TreeState::Ready(t)) => Some(t.root()),
            Some(_) => None,
            None => {
                s.trees.insert(view, crate::state::TreeState::Loading);
                self.worker.send(Command::LoadView { image: id, view });
                None
            }
        };
        self.browser.dir = root;
        self.browser.back.clear();
        self.browser.forward.clear();
        self.browser.expanded.clear();
        self.browser.filter_sent = None;
        self.browser.found = None;
        if let Some(r) = root {
            self.browser.expanded.insert(r);
        }
        self.selection.clear();
        self.preview = PreviewState::default();
    }

    /// Shows a preview of the selection when it is one file.
    fn update_preview(&mut self) {
        let one = (self.selection.nodes.len() == 1)
            .then(|| self.selection.nodes.iter().next().copied())
            .flatten();
        let Some(node) = one else {
            self.preview = PreviewState::default();
            return;
        };
        let Some((_, tree)) = self.current() else {
            return;
        };
        if tree.kind(node) != NodeKind::File {
            self.preview = PreviewState::default();
            return;
        }
        let kind = match format::class(tree, node) {
            FileClass::Text => PreviewKind::Text,
            FileClass::Picture => PreviewKind::Picture,
            _ => PreviewKind::Hex { page: 0 },
        };
        if self.preview.node != Some(node) {
            self.request_preview(node, kind);
        }
    }

    fn request_preview(&mut self, node: NodeId, kind: PreviewKind) {
        let Some((view, _)) = self.current() else {
            return;
        };
        let Some(image) = self.session.as_ref().map(|s| s.id) else {
            return;
        };
        self.preview = PreviewState {
            node: Some(node),
            kind: Some(kind),
            content: None,
            texture: None,
        };
        self.worker.send(Command::Preview {
            image,
            view,
            node,
            kind,
        });
    }

    /// A folder named after the image, beside it.
    fn beside_image(&self) -> Option<PathBuf> {
        let p = self.session.as_ref()?.path.as_ref()?;
        let stem = p.file_stem()?.to_string_lossy().into_owned();
        let dir = std::path::absolute(p).ok()?.parent()?.join(stem);
        Some(dir)
    }

    /// Queues an extraction.
    pub fn start_extract(&mut self, nodes: Vec<NodeId>, dest: PathBuf) {
        let (Some((view, _)), Some(image)) = (self.current(), self.session.as_ref().map(|s| s.id))
        else {
            return;
        };
        self.jobs.next += 1;
        let job = JobId(self.jobs.next);
        self.settings.last_dest = Some(dest.clone());
        self.jobs.jobs.push(JobView {
            id: job,
            what: JobWhat::Extract { dest: dest.clone() },
            status: JobStatus::Queued,
            progress: Default::default(),
            started: None,
            elapsed: None,
            cancelling: false,
        });
        self.worker.send(Command::Extract {
            job,
            request: ExtractRequest {
                image,
                view,
                nodes,
                dest,
            },
        });
    }

    fn start_verify(&mut self) {
        let Some(image) = self.session.as_ref().map(|s| s.id) else {
            return;
        };
        self.jobs.next += 1;
        let job = JobId(self.jobs.next);
        self.jobs.jobs.push(JobView {
            id: job,
            what: JobWhat::Verify,
            status: JobStatus::Queued,
            progress: Default::default(),
            started: None,
            elapsed: None,
            cancelling: false,
        });
        self.worker.send(Command::Verify { job, image });
    }

    /// The native open dialog. Its answer arrives as an event.
    fn open_dialog(&mut self) {
        let start = self
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
            .extract_dialog
            .as_ref()
            .map(|d| d.nodes.clone())
            .unwrap_or_default();
        let mut d = rfd::AsyncFileDialog::new().set_title("Extract to");
        if let Some(s) = self.settings.last_dest.clone() {
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
        if self.ui_state.dialog_open {
            return;
        }
        self.ui_state.dialog_open = true;
        self.ui_state.dialog_started = Some(Instant::now());
        let out = self.worker.outbox();
        let pending = show(dialog);
        let spawned = std::thread::Builder::new()
            .name("isoscope-dialog".into())
            .spawn(move || out.send(answer(pollster::block_on(pending))));
        if spawned.is_err() {
            self.ui_state.dialog_open = false;
        }
    }
}
