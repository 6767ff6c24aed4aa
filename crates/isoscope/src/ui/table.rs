//! The main table: the current folder (or the filter's matches), one row
//! per entry, only the visible rows built each frame. Name takes the free
//! width; sizes align right; a right-click opens the row's menu (or the
//! image's, on the empty area below the rows).

use egui_extras::{Column, TableBuilder};
use iso_core::{NodeId, Tree};

use super::{context, icons, Out};
use crate::actions::Action;
use crate::format;
use crate::model::{Model, Tab};
use crate::protocol::SortKey;
use crate::state::TreeState;

const ROW_HEIGHT: f32 = 22.0;
/// Size, Modified, Type.
const DEFAULT_WIDTHS: [f32; 3] = [90.0, 150.0, 130.0];

pub fn show(m: &Model, ui: &mut egui::Ui, out: &mut Out) {
    let tab = m.tab();
    let Some(s) = &tab.session else { return };
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
    let (Some(rows), Some((_, tree))) = (tab.rows(), tab.current()) else {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label(if tab.browser.filter.is_empty() {
                "Listing…"
            } else {
                "Searching…"
            });
        });
        return;
    };
    let searching = !tab.browser.filter.is_empty();
    if rows.is_empty() {
        ui.weak(if searching {
            "No names match the filter."
        } else {
            "This folder is empty."
        });
        empty_area(m, ui, out);
        return;
    }
    if searching {
        if let Some((_, _, true)) = tab.browser.found {
            ui.weak("Showing the first 50,000 matches.");
        }
    }
    table(m, tab, tree, &rows, ui, out);
    empty_area(m, ui, out);
}

/// Right-click below the rows: the image's menu.
fn empty_area(m: &Model, ui: &mut egui::Ui, out: &mut Out) {
    let rect = ui.available_rect_before_wrap();
    if rect.height() < 4.0 {
        return;
    }
    let r = ui.interact(rect, ui.scope_id().with("empty_area"), egui::Sense::click());
    if r.clicked() {
        out.push(Action::Properties(Vec::new()));
    }
    r.context_menu(|ui| context::items(m, ui, out, &[], None));
}

fn widths(m: &Model) -> [f32; 3] {
    let mut w = DEFAULT_WIDTHS;
    for (i, slot) in w.iter_mut().enumerate() {
        if let Some(&x) = m.settings.column_widths.get(i).filter(|x| **x > 20.0) {
            *slot = x;
        }
    }
    w
}

fn table(m: &Model, tab: &Tab, tree: &Tree, rows: &[NodeId], ui: &mut egui::Ui, out: &mut Out) {
    let searching = !tab.browser.filter.is_empty();
    let widths = widths(m);
    let sort = tab.browser.sort;
    let modifiers = ui.input(|i| i.modifiers);
    // Room for the rows, less a strip below for the empty area's menu.
    let height = (ui.available_height() - 8.0).max(ROW_HEIGHT * 2.0);
    // Name takes the width the other columns leave. It is resizable (its
    // width is not remembered): egui_extras cannot resize the columns
    // after a `remainder` one, so the table starts afresh, Name filling
    // the free width, whenever the width available changes.
    let avail = ui.available_width();
    let folder_w = if searching { 200.0 } else { 0.0 };
    let spacing = ui.spacing().item_spacing.x * if searching { 5.0 } else { 4.0 };
    let name_w = (avail - widths.iter().sum::<f32>() - folder_w - spacing).max(140.0);
    let mut builder = TableBuilder::new(ui)
        .id_salt(("listing", avail.round() as i64, searching))
        .striped(true)
        .max_scroll_height(height)
        .sense(egui::Sense::click_and_drag())
        .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
        .column(
            Column::initial(name_w)
                .at_least(120.0)
                .resizable(true)
                .clip(true),
        );
    if searching {
        builder = builder.column(
            Column::initial(folder_w)
                .at_least(80.0)
                .resizable(true)
                .clip(true),
        );
    }
    builder = builder
        .column(Column::initial(widths[0]).at_least(60.0).resizable(true))
        .column(Column::initial(widths[1]).at_least(60.0).resizable(true))
        .column(
            Column::initial(widths[2])
                .at_least(60.0)
                .resizable(true)
                .clip(true),
        );
    if let Some(r) = tab.browser.scroll_to {
        // A jump (type-to-select, arrows) lands at once: an animated scroll
        // across a million rows, retargeted by every key typed, ends up far
        // from the row.
        builder = builder.scroll_to_row(r, None).animate_scrolling(false);
        out.push(Action::Scrolled);
    }
    let selection = &tab.selection;
    let mut new_widths = None;
    builder
        .header(24.0, |mut h| {
            let mut head = |h: &mut egui_extras::TableRow<'_, '_>, key: SortKey, label: &str| {
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
                        out.push(Action::Sort(key));
                    }
                });
            };
            head(&mut h, SortKey::Name, "Name");
            if searching {
                h.col(|ui| {
                    ui.strong("Folder");
                });
            }
            head(&mut h, SortKey::Size, "Size");
            head(&mut h, SortKey::Modified, "Modified");
            head(&mut h, SortKey::Type, "Type");
        })
        .body(|body| {
            let w = body.widths();
            let skip = if searching { 2 } else { 1 };
            let now: Vec<f32> = w.iter().skip(skip).take(3).copied().collect();
            if now.len() == 3 && now.iter().zip(&widths).any(|(a, b)| (a - b).abs() > 0.5) {
                new_widths = Some(now);
            }
            body.rows(ROW_HEIGHT, rows.len(), |mut row| {
                let Some(&id) = rows.get(row.index()) else {
                    return;
                };
                row.set_selected(selection.nodes.contains(&id));
                row.col(|ui| {
                    icons::show(ui, format::class(tree, id));
                    ui.add(
                        egui::Label::new(tree.display_name(id))
                            .selectable(false)
                            .truncate(),
                    );
                });
                if searching {
                    row.col(|ui| {
                        let folder = tree.parent(id).map(|p| tree.path(p)).unwrap_or_default();
                        ui.add(egui::Label::new(folder).selectable(false).truncate());
                    });
                }
                row.col(|ui| {
                    if !tree.is_dir(id) {
                        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                            ui.add_space(6.0);
                            ui.add(egui::Label::new(format::size(tree.size(id))).selectable(false));
                        });
                    }
                });
                row.col(|ui| {
                    ui.add(egui::Label::new(format::opt_time(tree.mtime(id))).selectable(false));
                });
                row.col(|ui| {
                    ui.add(
                        egui::Label::new(format::type_label(tree, id))
                            .selectable(false)
                            .truncate(),
                    );
                });
                let r = row.response();
                if m.probing {
                    out.rows
                        .push(("table", r.rect, tree.display_name(id).into_owned()));
                }
                if selection.cursor == Some(id) {
                    out.cursor_rect = Some(r.rect);
                }
                row_input(m, &r, id, modifiers, selection, out);
            });
        });
    if let Some(w) = new_widths {
        out.push(Action::ColumnWidths(w));
    }
}

fn row_input(
    m: &Model,
    r: &egui::Response,
    id: NodeId,
    modifiers: egui::Modifiers,
    selection: &crate::state::SelectionState,
    out: &mut Out,
) {
    if r.double_clicked() {
        out.push(Action::Activate(id));
    } else if r.clicked() {
        out.push(Action::Click {
            node: id,
            toggle: modifiers.command,
            range: modifiers.shift,
        });
    }
    if r.secondary_clicked() {
        out.push(Action::SecondaryClick(id));
    }
    // The menu acts on the selection when the row is in it, else on the
    // row (which becomes the selection).
    let nodes = if selection.nodes.contains(&id) {
        selection.list()
    } else {
        vec![id]
    };
    r.context_menu(|ui| context::items(m, ui, out, &nodes, None));
    if r.drag_started() {
        if !selection.nodes.contains(&id) {
            out.push(Action::Click {
                node: id,
                toggle: false,
                range: false,
            });
        }
        out.push(Action::DragRows(None));
    }
}
