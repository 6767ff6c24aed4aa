//! What the window shows, read by the panes in [`crate::ui`] (which never
//! change it) and changed only by the app's event pump and action
//! handlers: the tabs, each one open image with its own place, selection,
//! preview and history ([`Tab`]), and what the whole window shares
//! ([`Model`]).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use iso_core::{NodeId, Tree, View};

use crate::checksum_job::FileSums;
use crate::protocol::ImageId;
use crate::settings::{Settings, ThemeChoice};
use crate::state::{
    BrowserState, JobsState, Loading, NamesState, PreviewState, SelectionState, Session,
};

/// One open image (or an empty tab showing the welcome screen).
#[derive(Debug, Default)]
pub struct Tab {
    /// The id of the newest open asked for in this tab.
    pub image: Option<ImageId>,
    /// The image shown.
    pub session: Option<Session>,
    /// Opening progress / failure.
    pub loading: Loading,
    /// Where the person is.
    pub browser: BrowserState,
    /// What is selected.
    pub selection: SelectionState,
    /// The preview.
    pub preview: PreviewState,
    /// The selected entry's names in the other views.
    pub names: NamesState,
    /// When the newest open was asked for.
    pub open_started: Option<Instant>,
    /// Checksums computed for files of this image, by view and node.
    pub checksums: HashMap<(View, NodeId), FileSums>,
    /// A path to show once its view's whole tree is there (Show in ▸).
    pub reveal: Option<(View, String)>,
}

impl Tab {
    /// The view shown and its tree.
    pub fn current(&self) -> Option<(View, &Arc<Tree>)> {
        let s = self.session.as_ref()?;
        Some((s.view?, s.tree()?))
    }

    /// The rows the table shows now.
    pub fn rows(&self) -> Option<Arc<[NodeId]>> {
        let (view, _) = self.current()?;
        self.browser.rows(view)
    }

    /// The one selected node, if exactly one is selected.
    pub fn one_selected(&self) -> Option<NodeId> {
        (self.selection.nodes.len() == 1)
            .then(|| self.selection.nodes.first().copied())
            .flatten()
    }

    /// The tab's label: the image's name, or what it is doing.
    pub fn label(&self) -> String {
        match (&self.session, &self.loading) {
            (_, Loading::Opening(p)) => format!(
                "Opening {}…",
                p.file_name()
                    .map(|n| n.to_string_lossy())
                    .unwrap_or_default()
            ),
            (Some(s), _) => s.name.clone(),
            (None, Loading::Failed { .. }) => "Cannot open".into(),
            (None, Loading::Idle) => "New tab".into(),
        }
    }

    /// Nothing open or opening here.
    pub fn is_empty(&self) -> bool {
        self.session.is_none() && !matches!(self.loading, Loading::Opening(_))
    }
}

/// The extract dialog: what, and the destination being typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExtractDialog {
    /// What (empty: everything).
    pub nodes: Vec<NodeId>,
    /// The destination text field.
    pub dest: String,
}

/// Small bits of window state that belong to no tab.
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
    /// A passing note in the status bar (how the last drag ended, what
    /// was copied).
    pub note: Option<String>,
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
    /// The native file chooser answered at once: there is none.
    pub no_chooser: bool,
    /// The context menu opened from the keyboard (Menu key, Shift+F10).
    pub key_menu: bool,
    /// The text last put on the clipboard.
    pub copied: Option<String>,
}

/// Everything the panes read.
#[derive(Debug)]
pub struct Model {
    /// Remembered between runs.
    pub settings: Settings,
    /// The tabs, never empty.
    pub tabs: Vec<Tab>,
    /// The tab shown.
    pub active: usize,
    /// Jobs (of every tab).
    pub jobs: JobsState,
    /// Window bits.
    pub ui: UiState,
    /// The extract dialog, when open.
    pub extract_dialog: Option<ExtractDialog>,
    /// The opener shows an "Open with" chooser on this platform.
    pub offers_chooser: bool,
    /// Row positions are recorded for tests driving the native window.
    pub probing: bool,
}

impl Model {
    /// A window with one empty tab.
    pub fn new(settings: Settings) -> Model {
        let tab = Tab {
            browser: BrowserState {
                sort: settings.sort,
                ..BrowserState::default()
            },
            ..Tab::default()
        };
        Model {
            settings,
            tabs: vec![tab],
            active: 0,
            jobs: JobsState::default(),
            ui: UiState::default(),
            extract_dialog: None,
            offers_chooser: false,
            probing: false,
        }
    }

    /// The tab shown.
    pub fn tab(&self) -> &Tab {
        // `tabs` is never empty: closing the last tab leaves an empty one.
        &self.tabs[self.active.min(self.tabs.len().saturating_sub(1))]
    }

    /// The tab shown, to change.
    pub fn tab_mut(&mut self) -> &mut Tab {
        if self.tabs.is_empty() {
            self.tabs.push(Tab::default());
        }
        let i = self.active.min(self.tabs.len() - 1);
        self.active = i;
        &mut self.tabs[i]
    }

    /// The tab showing (or opening) image `id`.
    pub fn tab_of(&mut self, id: ImageId) -> Option<&mut Tab> {
        self.tabs.iter_mut().find(|t| t.image == Some(id))
    }
}
