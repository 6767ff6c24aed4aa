//! The folder tree on the left: folders only, expanded lazily (a folder's
//! subfolders come from its sorted listing, asked for when it is opened).
//! Its root shows the volume label; a right-click opens a folder's menu.

use iso_core::{NodeId, Tree, View};

use super::{context, icons, Out};
use crate::actions::Action;
use crate::format::FileClass;
use crate::model::Model;
use crate::state::BrowserState;

/// Subfolders shown per folder before "… more".
const MAX_CHILDREN: usize = 2000;
/// Rows flattened per frame at most.
const MAX_ROWS: usize = 20_000;

enum Row {
    Dir { id: NodeId, depth: usize },
    More { depth: usize, hidden: usize },
    Loading { depth: usize },
}

/// The name the tree shows for its root: the volume label, else "/".
pub fn root_label(m: &Model) -> String {
    let info = m.tab().session.as_ref().map(|s| &s.info);
    let label = info.and_then(|i| {
        [
            i.joliet().map(|j| j.volume_identifier.clone()),
            i.primary().map(|p| p.volume_identifier.clone()),
        ]
        .into_iter()
        .flatten()
        .map(|l| l.trim().to_string())
        .find(|l| !l.is_empty())
    });
    label.unwrap_or_else(|| "/".into())
}

pub fn pane(m: &Model, ui: &mut egui::Ui, out: &mut Out) {
    // Fill the panel so its remembered width does not follow the content.
    ui.set_min_width(ui.available_width());
    let tab = m.tab();
    let Some((view, tree)) = tab.current() else {
        ui.weak("Loading…");
        return;
    };
    let mut rows = Vec::new();
    flatten(&tab.browser, view, tree, tree.root(), 0, &mut rows);
    let current = tab.browser.dir;
    let root_name = root_label(m);
    egui::ScrollArea::both()
        .auto_shrink([false, false])
        .show_rows(ui, 20.0, rows.len(), |ui, range| {
            for row in rows.iter().skip(range.start).take(range.len()) {
                match *row {
                    Row::Dir { id, depth } => {
                        ui.horizontal(|ui| {
                            folder_row(m, ui, out, tree, id, depth, current, &root_name);
                        });
                    }
                    Row::More { depth, hidden } => {
                        ui.horizontal(|ui| {
                            ui.add_space(depth as f32 * 14.0 + 18.0);
                            ui.weak(format!("… {hidden} more (open the parent to see them)"));
                        });
                    }
                    Row::Loading { depth } => {
                        ui.horizontal(|ui| {
                            ui.add_space(depth as f32 * 14.0 + 18.0);
                            ui.weak("…");
                        });
                    }
                }
            }
        });
}

#[allow(clippy::too_many_arguments)]
fn folder_row(
    m: &Model,
    ui: &mut egui::Ui,
    out: &mut Out,
    tree: &Tree,
    id: NodeId,
    depth: usize,
    current: Option<NodeId>,
    root_name: &str,
) {
    let tab = m.tab();
    ui.add_space(depth as f32 * 14.0);
    let open = tab.browser.expanded.contains(&id);
    let arrow = if open { "⏷" } else { "⏵" };
    if ui
        .add(egui::Button::new(arrow).frame(false).small())
        .clicked()
    {
        out.push(if open {
            Action::Collapse(id)
        } else {
            Action::Expand(id)
        });
    }
    let is_root = id == tree.root();
    let class = match (is_root, current == Some(id)) {
        (true, _) => FileClass::DiscImage,
        (false, true) => FileClass::OpenFolder,
        (false, false) => FileClass::Folder,
    };
    icons::show(ui, class);
    let shown = tree.display_name(id);
    let name = if is_root { root_name } else { &shown };
    let r = ui
        .selectable_label(current == Some(id), name)
        .interact(egui::Sense::drag());
    if m.probing {
        out.rows.push((
            "tree",
            r.rect,
            if is_root { "/" } else { tree.name(id) }.into(),
        ));
    }
    if r.drag_started() {
        // A folder dragged from the tree goes out whole, whatever the
        // table's selection; the root stands for everything in it.
        let nodes = if is_root {
            tree.children(id).collect()
        } else {
            vec![id]
        };
        out.push(Action::DragRows(Some(nodes)));
    }
    if r.clicked() {
        out.push(Action::Navigate(id));
    }
    if r.double_clicked() {
        out.push(if open {
            Action::Collapse(id)
        } else {
            Action::Expand(id)
        });
    }
    let nodes = if is_root { Vec::new() } else { vec![id] };
    r.context_menu(|ui| context::items(m, ui, out, &nodes, None));
}

fn flatten(
    b: &BrowserState,
    view: View,
    tree: &Tree,
    dir: NodeId,
    depth: usize,
    out: &mut Vec<Row>,
) {
    if out.len() >= MAX_ROWS || depth > 256 {
        return;
    }
    out.push(Row::Dir { id: dir, depth });
    if !b.expanded.contains(&dir) {
        return;
    }
    let Some(list) = b.by_name(view, dir) else {
        out.push(Row::Loading { depth: depth + 1 });
        return;
    };
    let dirs = list.iter().take_while(|&&c| tree.is_dir(c)).count();
    for &c in list.iter().take(dirs.min(MAX_CHILDREN)) {
        flatten(b, view, tree, c, depth + 1, out);
    }
    if dirs > MAX_CHILDREN {
        out.push(Row::More {
            depth: depth + 1,
            hidden: dirs - MAX_CHILDREN,
        });
    }
}
