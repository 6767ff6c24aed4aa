//! The main table: the current folder (or the filter's matches), one row
//! per entry, only the visible rows built each frame.

use egui_extras::{Column, TableBuilder};
use iso_core::NodeId;

use crate::actions::Action;
use crate::app::App;
use crate::format;
use crate::protocol::SortKey;
use crate::state::TreeState;

const ROW_HEIGHT: f32 = 22.0;
const DEFAULT_WIDTHS: [f32; 4] = [240.0, 80.0, 140.0, 100.0];

pub fn show(app: &mut App, ui: &mut egui::Ui) {
    let Some(s) = &app.session else { return };
    let Some(view) = s.view else {
        ui.heading("This image has no file system Isoscope can read.");
        ui.label("Its properties are on the right.");
        return;
    };
    match s.trees.get(&view) {
        Some(TreeState::Failed(e)) => {
            ui.colored_label(
                ui.visuals().error_fg_color,
                format!("The {} view cannot be read: {e}", view.label()),
            );
            return;
        }
        Some(TreeState::Ready(_)) => {}
        _ => {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Reading the folder tree…");
            });
            return;
        }
    }
    let (Some(rows), Some((_, tree))) = (app.rows(), app.current()) else {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label(if app.browser.filter.is_empty() {
                "Listing…"
            } else {
                "Searching…"
            });
        });
        return;
    };
    let tree = tree.clone();
    let searching = !app.browser.filter.is_empty();
    if rows.is_empty() {
        ui.weak(if searching {
            "No names match the filter."
        } else {
            "This folder is empty."
        });
        return;
    }
    if searching {
        if let Some((_, _, true)) = app.browser.found {
            ui.weak("Showing the first 50,000 matches.");
        }
    }
    let widths: Vec<f32> = (0..4)
        .map(|i| {
            app.settings
                .column_widths
                .get(i)
                .copied()
                .filter(|w| *w > 20.0)
                .unwrap_or(DEFAULT_WIDTHS[i])
        })
        .collect();
    let sort = app.browser.sort;
    let modifiers = ui.input(|i| i.modifiers);
    let mut builder = TableBuilder::new(ui)
        .id_salt("listing")
        .striped(true)
        .sense(egui::Sense::click_and_drag())
        .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
        .column(
            Column::initial(widths[0])
                .at_least(120.0)
                .resizable(true)
                .clip(true),
        )
        .column(Column::initial(widths[1]).at_least(50.0).resizable(true))
        .column(Column::initial(widths[2]).at_least(60.0).resizable(true))
        .column(
            Column::initial(widths[3])
                .at_least(50.0)
                .resizable(true)
                .clip(true),
        );
    if searching {
        builder = builder.column(Column::remainder().at_least(80.0).clip(true));
    } else {
        builder = builder.column(Column::remainder().at_most(0.0));
    }
    if let Some(r) = app.browser.scroll_to.take() {
        // A jump (type-to-select, arrows) lands at once: an animated scroll
        // across a million rows, retargeted by every key typed, ends up far
        // from the row.
        builder = builder.scroll_to_row(r, None).animate_scrolling(false);
    }
    let mut acts = Vec::new();
    let mut new_widths = None;
    let mut drag_candidate = false;
    let probing = app.probe.enabled();
    let mut probed = Vec::new();
    let selection = &app.selection;
    builder
        .header(24.0, |mut h| {
            for (key, label) in [
                (SortKey::Name, "Name"),
                (SortKey::Size, "Size"),
                (SortKey::Modified, "Modified"),
                (SortKey::Type, "Type"),
            ] {
                h.col(|ui| {
                    let arrow = match (sort.key == key, sort.descending) {
                        (true, false) => " ⏶",
                        (true, true) => " ⏷",
                        _ => "",
                    };
                    if ui
                        .add(egui::Button::new(format!("{label}{arrow}")).frame(false))
                        .on_hover_text(format!("Sort by {}", label.to_lowercase()))
                        .clicked()
                    {
                        acts.push(Action::Sort(key));
                    }
                });
            }
            h.col(|ui| {
                if searching {
                    ui.strong("Folder");
                }
            });
        })
        .body(|body| {
            let w = body.widths();
            if w.len() >= 4
                && w.iter()
                    .take(4)
                    .zip(&widths)
                    .any(|(a, b)| (a - b).abs() > 0.5)
            {
                new_widths = Some(w.iter().take(4).copied().collect::<Vec<f32>>());
            }
            body.rows(ROW_HEIGHT, rows.len(), |mut row| {
                let Some(&id) = rows.get(row.index()) else {
                    return;
                };
                row.set_selected(selection.nodes.contains(&id));
                row.col(|ui| {
                    let class = format::class(&tree, id);
                    ui.label(format::icon(class));
                    ui.add(egui::Label::new(tree.name(id)).selectable(false).truncate());
                });
                row.col(|ui| {
                    if !tree.is_dir(id) {
                        ui.add(egui::Label::new(format::size(tree.size(id))).selectable(false));
                    }
                });
                row.col(|ui| {
                    ui.add(egui::Label::new(format::opt_time(tree.mtime(id))).selectable(false));
                });
                row.col(|ui| {
                    ui.add(egui::Label::new(format::type_label(&tree, id)).selectable(false));
                });
                row.col(|ui| {
                    if searching {
                        let folder = tree.parent(id).map(|p| tree.path(p)).unwrap_or_default();
                        ui.add(egui::Label::new(folder).selectable(false).truncate());
                    }
                });
                if probing {
                    probed.push((row.response().rect, id));
                }
                row_input(
                    &row.response(),
                    id,
                    modifiers,
                    selection,
                    &mut acts,
                    &mut drag_candidate,
                );
            });
        });
    if let Some(w) = new_widths {
        acts.push(Action::ColumnWidths(w));
    }
    if drag_candidate {
        app.drag.candidate = true;
    }
    for (rect, id) in probed {
        app.probe.row("table", rect, tree.name(id));
    }
    app.actions.extend(acts);
}

fn row_input(
    r: &egui::Response,
    id: NodeId,
    modifiers: egui::Modifiers,
    selection: &crate::state::SelectionState,
    acts: &mut Vec<Action>,
    drag_candidate: &mut bool,
) {
    if r.double_clicked() {
        acts.push(Action::Activate(id));
    } else if r.clicked() {
        acts.push(Action::Click {
            node: id,
            toggle: modifiers.command,
            range: modifiers.shift,
        });
    }
    if r.drag_started() {
        if !selection.nodes.contains(&id) {
            acts.push(Action::Click {
                node: id,
                toggle: false,
                range: false,
            });
        }
        *drag_candidate = true;
    }
}
