//! The folder tree on the left: folders only, expanded lazily (a folder's
//! subfolders come from its sorted listing, asked for when it is opened).

use iso_core::{NodeId, Tree, View};

use crate::actions::Action;
use crate::app::App;
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

pub fn pane(app: &mut App, ui: &mut egui::Ui) {
    // Fill the panel so its remembered width does not follow the content.
    ui.set_min_width(ui.available_width());
    let Some((view, tree)) = app.current() else {
        ui.weak("Loading…");
        return;
    };
    let tree = tree.clone();
    let mut rows = Vec::new();
    flatten(&app.browser, view, &tree, tree.root(), 0, &mut rows);
    let current = app.browser.dir;
    let mut acts = Vec::new();
    let mut probed = Vec::new();
    let mut dragged = None;
    egui::ScrollArea::both()
        .auto_shrink([false, false])
        .show_rows(ui, 20.0, rows.len(), |ui, range| {
            for row in rows.iter().skip(range.start).take(range.len()) {
                match *row {
                    Row::Dir { id, depth } => ui.horizontal(|ui| {
                        ui.add_space(depth as f32 * 14.0);
                        let open = app.browser.expanded.contains(&id);
                        let arrow = if open { "⏷" } else { "⏵" };
                        if ui
                            .add(egui::Button::new(arrow).frame(false).small())
                            .clicked()
                        {
                            acts.push(if open {
                                Action::Collapse(id)
                            } else {
                                Action::Expand(id)
                            });
                        }
                        let name = if id == tree.root() {
                            "💿 (root)".to_string()
                        } else {
                            format!("📁 {}", tree.name(id))
                        };
                        let r = ui
                            .selectable_label(current == Some(id), name)
                            .interact(egui::Sense::drag());
                        probed.push((r.rect, id));
                        if r.drag_started() {
                            dragged = Some(id);
                        }
                        if r.clicked() {
                            acts.push(Action::Navigate(id));
                        }
                        if r.double_clicked() {
                            acts.push(if open {
                                Action::Collapse(id)
                            } else {
                                Action::Expand(id)
                            });
                        }
                    }),
                    Row::More { depth, hidden } => ui.horizontal(|ui| {
                        ui.add_space(depth as f32 * 14.0 + 18.0);
                        ui.weak(format!("… {hidden} more (open the parent to see them)"));
                    }),
                    Row::Loading { depth } => ui.horizontal(|ui| {
                        ui.add_space(depth as f32 * 14.0 + 18.0);
                        ui.weak("…");
                    }),
                };
            }
        });
    if app.probe.enabled() {
        for (rect, id) in probed {
            let name = if id == tree.root() {
                "/"
            } else {
                tree.name(id)
            };
            app.probe.row("tree", rect, name);
        }
    }
    if let Some(id) = dragged {
        // A folder dragged from the tree goes out whole, whatever the
        // table's selection; the root stands for everything in it.
        let nodes = if id == tree.root() {
            tree.children(id).collect()
        } else {
            vec![id]
        };
        app.drag.candidate = true;
        app.drag.nodes = Some(nodes);
    }
    app.actions.extend(acts);
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
