//! Applying actions: the dispatch, and moving about a tab (navigation,
//! selection, type-to-select, views, preview).

use std::path::PathBuf;

use iso_core::{NodeId, NodeKind, View};

use super::App;
use crate::actions::Action;
use crate::format::{self, FileClass};
use crate::open_job::OpenHow;
use crate::protocol::{Command, PreviewKind};
use crate::state::{PreviewState, TreeState};

impl App {
    /// Applies one action.
    pub fn apply(&mut self, action: Action) {
        match action {
            Action::OpenPath(p) => self.open_path(p),
            Action::OpenTyped => {
                let p = self.model.ui.path_text.trim().to_string();
                if !p.is_empty() {
                    self.model.ui.show_open_path = false;
                    self.open_path(PathBuf::from(p));
                }
            }
            Action::OpenDialog => self.open_dialog(),
            Action::NewTab => self.add_tab(),
            Action::CloseTab(i) => self.close_tab(i.unwrap_or(self.model.active)),
            Action::SelectTab(i) => {
                if i < self.model.tabs.len() {
                    self.model.active = i;
                }
            }
            Action::CycleTab(by) => self.cycle_tab(by),
            Action::Navigate(dir) => self.navigate(dir),
            Action::Back => self.back(),
            Action::Forward => self.forward(),
            Action::Up => self.up(),
            Action::Activate(node) => self.activate(node),
            Action::ActivateCursor => {
                if let Some(c) = self.model.tab().selection.cursor {
                    self.activate(c);
                }
            }
            Action::OpenFile { node, how } => self.open_file(node, how),
            Action::Click {
                node,
                toggle,
                range,
            } => self.click(node, toggle, range),
            Action::SecondaryClick(node) => {
                if !self.model.tab().selection.nodes.contains(&node) {
                    self.model.tab_mut().selection.only(node);
                    self.update_preview();
                }
            }
            Action::SelectAll => {
                if let Some(rows) = self.rows() {
                    self.model.tab_mut().selection.nodes = rows.iter().copied().collect();
                }
                self.update_preview();
            }
            Action::MoveCursor(by) => self.move_cursor(by),
            Action::Typed(t) => self.type_to_select(&t),
            Action::Sort(key) => {
                let tab = self.model.tab_mut();
                let s = &mut tab.browser.sort;
                if s.key == key {
                    s.descending = !s.descending;
                } else {
                    s.key = key;
                    s.descending = false;
                }
                let sort = *s;
                self.model.settings.sort = sort;
            }
            Action::SetView(v) => self.set_view(v),
            Action::RevealIn { view, path } => {
                self.set_view(view);
                self.model.tab_mut().reveal = Some((view, path));
            }
            Action::ToggleTree => {
                let p = &mut self.model.settings.panels;
                p.tree = !p.tree;
            }
            Action::ToggleProperties => {
                let p = &mut self.model.settings.panels;
                p.properties = !p.properties;
            }
            Action::TogglePreview => {
                let p = &mut self.model.settings.panels;
                p.preview = !p.preview;
            }
            Action::Properties(nodes) => {
                let sel = &mut self.model.tab_mut().selection;
                sel.nodes = nodes.iter().copied().collect();
                sel.cursor = nodes.first().copied();
                sel.anchor = sel.cursor;
                self.model.settings.panels.properties = true;
                self.update_preview();
            }
            Action::Expand(d) => {
                self.model.tab_mut().browser.expanded.insert(d);
            }
            Action::Collapse(d) => {
                self.model.tab_mut().browser.expanded.remove(&d);
            }
            Action::Preview(kind) => {
                if let Some(n) = self.model.tab().preview.node {
                    self.request_preview(n, kind);
                }
            }
            Action::SetFilter(f) => self.model.tab_mut().browser.filter = f,
            Action::FocusFilter => self.model.tab_mut().browser.focus_filter = true,
            Action::FilterFocused => self.model.tab_mut().browser.focus_filter = false,
            Action::Scrolled => self.model.tab_mut().browser.scroll_to = None,
            Action::ColumnWidths(w) => self.model.settings.column_widths = w,
            Action::DragRows(nodes) => self.drag.begin(nodes),
            other => self.apply_command(other),
        }
    }

    fn back(&mut self) {
        let b = &mut self.model.tab_mut().browser;
        if let Some(d) = b.back.pop() {
            if let Some(cur) = b.dir {
                b.forward.push(cur);
            }
            self.show_dir(d);
        }
    }

    fn forward(&mut self) {
        let b = &mut self.model.tab_mut().browser;
        if let Some(d) = b.forward.pop() {
            if let Some(cur) = b.dir {
                b.back.push(cur);
            }
            self.show_dir(d);
        }
    }

    fn up(&mut self) {
        let tab = self.model.tab();
        let from = tab.browser.dir;
        let parent = tab
            .current()
            .and_then(|(_, t)| from.and_then(|d| t.parent(d)));
        if let Some(p) = parent {
            self.navigate(p);
            if let Some(f) = from {
                self.model.tab_mut().selection.only(f);
            }
        }
    }

    pub(super) fn navigate(&mut self, dir: NodeId) {
        let b = &mut self.model.tab_mut().browser;
        if b.dir == Some(dir) {
            return;
        }
        if let Some(cur) = b.dir {
            b.back.push(cur);
        }
        b.forward.clear();
        self.show_dir(dir);
    }

    fn show_dir(&mut self, dir: NodeId) {
        let tab = self.model.tab_mut();
        tab.browser.dir = Some(dir);
        tab.browser.filter.clear();
        tab.browser.scroll_to = Some(0);
        tab.selection.clear();
        tab.preview = PreviewState::default();
        // Open the way to it in the tree pane.
        let mut chain = Vec::new();
        if let Some((_, tree)) = tab.current() {
            let mut at = Some(dir);
            while let Some(d) = at {
                chain.push(d);
                at = tree.parent(d);
                if chain.len() > 1024 {
                    break;
                }
            }
        }
        tab.browser.expanded.extend(chain);
    }

    /// Enter / double-click: a folder opens; a search result is shown in
    /// its folder; a file opens in its default application.
    fn activate(&mut self, node: NodeId) {
        let Some((_, tree)) = self.current() else {
            return;
        };
        let tree = tree.clone();
        if tree.is_dir(node) {
            self.navigate(node);
        } else if !self.model.tab().browser.filter.is_empty() {
            if let Some(p) = tree.parent(node) {
                self.navigate(p);
                self.model.tab_mut().selection.only(node);
                self.update_preview();
            }
        } else {
            self.model.tab_mut().selection.only(node);
            self.update_preview();
            self.open_file(node, OpenHow::Default);
        }
    }

    fn click(&mut self, node: NodeId, toggle: bool, range: bool) {
        let rows = self.rows();
        let sel = &mut self.model.tab_mut().selection;
        if range {
            if let (Some(rows), Some(anchor)) = (rows, sel.anchor) {
                let a = rows.iter().position(|&r| r == anchor);
                let b = rows.iter().position(|&r| r == node);
                if let (Some(a), Some(b)) = (a, b) {
                    let (lo, hi) = (a.min(b), a.max(b));
                    if !toggle {
                        sel.nodes.clear();
                    }
                    sel.nodes
                        .extend(rows.iter().skip(lo).take(hi - lo + 1).copied());
                    sel.cursor = Some(node);
                    self.update_preview();
                    return;
                }
            }
        }
        if toggle {
            if !sel.nodes.remove(&node) {
                sel.nodes.insert(node);
            }
            sel.anchor = Some(node);
            sel.cursor = Some(node);
        } else {
            sel.only(node);
        }
        self.update_preview();
    }

    fn move_cursor(&mut self, by: i64) {
        let Some(rows) = self.rows() else { return };
        if rows.is_empty() {
            return;
        }
        let tab = self.model.tab_mut();
        let at = tab
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
            tab.selection.only(n);
            tab.browser.scroll_to = Some(next);
            self.update_preview();
        }
    }

    fn type_to_select(&mut self, typed: &str) {
        let rows = self.rows();
        let tab = self.model.tab_mut();
        let b = &mut tab.browser;
        let fresh = b.typed_at.is_none_or(|t| t.elapsed().as_secs_f32() > 1.0);
        if fresh {
            b.typed.clear();
            b.typed_hit = None;
        }
        b.typed.push_str(&typed.to_lowercase());
        b.typed_at = Some(std::time::Instant::now());
        let (Some(rows), Some((_, tree))) = (rows, tab.current()) else {
            return;
        };
        let want = tab.browser.typed.clone();
        let from = match tab.browser.typed_hit {
            Some((i, n)) if rows.get(i) == Some(&n) => i,
            _ => 0,
        };
        let hit = rows
            .get(from..)
            .and_then(|rest| tree.first_with_prefix(rest, &want))
            .map(|i| i + from);
        if let Some(i) = hit {
            if let Some(&n) = rows.get(i) {
                tab.browser.typed_hit = Some((i, n));
                tab.selection.only(n);
                tab.browser.scroll_to = Some(i);
                self.update_preview();
            }
        }
    }

    pub(super) fn set_view(&mut self, view: View) {
        let tab = self.model.tab_mut();
        let Some(s) = tab.session.as_mut() else {
            return;
        };
        if s.view == Some(view) {
            return;
        }
        s.view = Some(view);
        let path = s.path.clone();
        let id = s.id;
        let root = match s.trees.get(&view) {
            Some(TreeState::Ready(t)) => Some(t.root()),
            Some(_) => None,
            None => {
                s.trees.insert(view, TreeState::Loading);
                self.worker.send(Command::LoadView { image: id, view });
                None
            }
        };
        let b = &mut tab.browser;
        b.dir = root;
        b.back.clear();
        b.forward.clear();
        b.expanded.clear();
        b.filter_sent = None;
        b.found = None;
        if let Some(r) = root {
            b.expanded.insert(r);
        }
        tab.selection.clear();
        tab.preview = PreviewState::default();
        if let Some(p) = path {
            self.model
                .settings
                .views
                .insert(p.to_string_lossy().into_owned(), view.as_str().to_string());
        }
    }

    /// Show in ▸ VIEW: once the view's whole tree is there, goes to the
    /// folder holding the entry and selects it.
    pub(super) fn reveal_pending(&mut self, view: View, tree: &iso_core::Tree) {
        let tab = self.model.tab_mut();
        let Some((want, path)) = tab.reveal.clone() else {
            return;
        };
        if want != view {
            return;
        }
        tab.reveal = None;
        let Some(node) = iso_core::verify::internal::lookup(tree, tree.root(), &path) else {
            self.model
                .ui
                .problems
                .push(format!("{path} is not in the {} view", view.label()));
            return;
        };
        let Some(parent) = tree.parent(node) else {
            return;
        };
        self.navigate(parent);
        self.model.tab_mut().selection.only(node);
        self.update_preview();
    }

    /// Shows a preview of the selection when it is one file.
    pub(super) fn update_preview(&mut self) {
        let tab = self.model.tab_mut();
        let Some(node) = tab.one_selected() else {
            tab.preview = PreviewState::default();
            return;
        };
        let Some((_, tree)) = tab.current() else {
            return;
        };
        if tree.kind(node) != NodeKind::File {
            tab.preview = PreviewState::default();
            return;
        }
        let kind = match format::class(tree, node) {
            FileClass::Text => PreviewKind::Text,
            FileClass::Picture => PreviewKind::Picture,
            _ => PreviewKind::Hex { page: 0 },
        };
        if tab.preview.node != Some(node) {
            self.request_preview(node, kind);
        }
    }

    fn request_preview(&mut self, node: NodeId, kind: PreviewKind) {
        let tab = self.model.tab_mut();
        let (Some((view, _)), Some(image)) = (tab.current(), tab.session.as_ref().map(|s| s.id))
        else {
            return;
        };
        tab.preview = PreviewState {
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
}
