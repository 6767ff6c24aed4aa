//! What the UI can ask for. The panes push [`Action`]s while they paint
//! (they never change state themselves); the app applies them after the
//! frame, turning them into state changes and worker commands.

use std::path::PathBuf;

use iso_core::{NodeId, View};

use crate::extract_job::Choice;
use crate::open_job::OpenHow;
use crate::protocol::{JobId, PreviewKind, SortKey};
use crate::settings::ThemeChoice;

/// Something the person asked for.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Open this image file (in a new tab unless this one is empty).
    OpenPath(PathBuf),
    /// Open the typed path.
    OpenTyped,
    /// Show the native open dialog.
    OpenDialog,
    /// Ctrl+T: a new, empty tab.
    NewTab,
    /// Ctrl+W: close a tab (None: the one shown).
    CloseTab(Option<usize>),
    /// Show tab `n`.
    SelectTab(usize),
    /// Ctrl+Tab (+1) / Ctrl+Shift+Tab (-1).
    CycleTab(i32),
    /// Show folder `NodeId` (remembering the way back).
    Navigate(NodeId),
    /// Alt+Left.
    Back,
    /// Alt+Right.
    Forward,
    /// Alt+Up / Backspace.
    Up,
    /// Enter / double-click on a row: a folder opens, a file opens in its
    /// default application.
    Activate(NodeId),
    /// Enter: activate the row with the cursor.
    ActivateCursor,
    /// Open a file outside the app (extracted to the session's temporary
    /// folder first).
    OpenFile {
        /// The file.
        node: NodeId,
        /// Default app, chooser, or its folder.
        how: OpenHow,
    },
    /// A click on a row, with the modifiers held.
    Click {
        /// The row's node.
        node: NodeId,
        /// Ctrl/Cmd: toggle.
        toggle: bool,
        /// Shift: range from the anchor.
        range: bool,
    },
    /// A right-click on a row: it becomes the selection unless it is in it.
    SecondaryClick(NodeId),
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
    /// Switch to `view` and show the entry at `path` there.
    RevealIn {
        /// The view.
        view: View,
        /// The entry's path in it.
        path: String,
    },
    /// Show/hide the folder tree.
    ToggleTree,
    /// Show/hide the properties panel.
    ToggleProperties,
    /// Show/hide the preview.
    TogglePreview,
    /// Select these and show the properties panel.
    Properties(Vec<NodeId>),
    /// Expand a folder in the tree pane.
    Expand(NodeId),
    /// Collapse a folder in the tree pane.
    Collapse(NodeId),
    /// Show the preview in another form.
    Preview(PreviewKind),
    /// Extract these (empty: everything): ask where.
    Extract(Vec<NodeId>),
    /// Extract these (empty: everything) into a folder beside the image.
    ExtractHere(Vec<NodeId>),
    /// Start extracting `nodes` into `dest`.
    ExtractTo {
        /// What (empty: everything).
        nodes: Vec<NodeId>,
        /// Where.
        dest: PathBuf,
    },
    /// The extract dialog's destination field changed.
    SetExtractDest(String),
    /// The extract dialog's Browse… button.
    BrowseDest,
    /// Close the extract dialog.
    CloseExtractDialog,
    /// Put the paths in the image of these on the clipboard.
    CopyPaths(Vec<NodeId>),
    /// Put the names of these on the clipboard.
    CopyNames(Vec<NodeId>),
    /// Put this text on the clipboard (a checksum's copy button).
    CopyText(String),
    /// Checksums of these (folders: the files below them).
    Checksums(Vec<NodeId>),
    /// Tools ▸ Test image.
    TestImage,
    /// Cancel a job.
    CancelJob(JobId),
    /// Remove a finished job from the panel.
    DismissJob(JobId),
    /// Answer the oldest overwrite question.
    Answer(Choice),
    /// The overwrite dialog's "apply to all" box.
    SetApplyToAll(bool),
    /// Tools ▸ Verify image.
    Verify,
    /// Open a folder in the file manager.
    OpenFolder(PathBuf),
    /// Theme override.
    SetTheme(ThemeChoice),
    /// View › Make extracted files writable.
    SetWritable(bool),
    /// Help ▸ About.
    ShowAbout(bool),
    /// Show or hide the "type the image's path" window.
    ShowOpenPath(bool),
    /// The path field changed.
    SetPathText(String),
    /// Help ▸ Keyboard shortcuts.
    ShowShortcuts(bool),
    /// Menu key / Shift+F10: open (or close) the context menu of the
    /// selection.
    KeyMenu(bool),
    /// Ctrl+F.
    FocusFilter,
    /// The filter box took the focus it was asked to.
    FilterFocused,
    /// The filter text changed.
    SetFilter(String),
    /// The table scrolled to the row it was asked to.
    Scrolled,
    /// The table's column widths changed.
    ColumnWidths(Vec<f32>),
    /// Dismiss a message.
    DismissProblem(usize),
    /// A drag of these rows began inside the window (None: the selection);
    /// it goes out when the pointer leaves the window.
    DragRows(Option<Vec<NodeId>>),
}
