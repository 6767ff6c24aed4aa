//! The context menu: the same items on a table row, a tree folder, the
//! table's empty area, from the keyboard (Menu key, Shift+F10) and in the
//! menu bar's Edit menu.

use iso_core::{NodeId, View};

use super::Out;
use crate::actions::Action;
use crate::model::Model;
use crate::open_job::OpenHow;

/// The menu's items for `nodes` (empty: the image as a whole, from the
/// empty area). Every item closes the menu; `also` is pushed with any
/// item chosen (closing the keyboard's menu).
pub fn items(m: &Model, ui: &mut egui::Ui, out: &mut Out, nodes: &[NodeId], also: Option<Action>) {
    let tab = m.tab();
    let tree = tab.current().map(|(_, t)| t.clone());
    let one = match nodes {
        [n] => Some(*n),
        _ => None,
    };
    let one_file = one.filter(|&n| tree.as_ref().is_some_and(|t| !t.is_dir(n)));
    let some = !nodes.is_empty();
    let mut chosen = None;
    let probing = m.probing;
    let rows = &mut out.rows;
    let mut pick = |ui: &mut egui::Ui, enabled: bool, label: &str, key: &str, act: Action| {
        if item(ui, enabled, label, key, probing.then_some(&mut *rows)) {
            chosen = Some(act);
        }
    };
    let open_act = one.map(|n| Action::OpenFile {
        node: n,
        how: OpenHow::Default,
    });
    pick(
        ui,
        one.is_some(),
        "Open",
        "Enter",
        open_act.unwrap_or(Action::SelectAll),
    );
    if m.offers_chooser {
        let act = one_file.map(|n| Action::OpenFile {
            node: n,
            how: OpenHow::Choose,
        });
        pick(
            ui,
            act.is_some(),
            "Open with…",
            "",
            act.unwrap_or(Action::SelectAll),
        );
    }
    ui.separator();
    let what = if some { "" } else { " (everything)" };
    let open = tab.session.is_some();
    let beside = tab.session.as_ref().is_some_and(|s| s.path.is_some());
    pick(
        ui,
        open,
        &format!("Extract to…{what}"),
        "Ctrl+E",
        Action::Extract(nodes.to_vec()),
    );
    pick(
        ui,
        beside,
        &format!("Extract here{what}"),
        "",
        Action::ExtractHere(nodes.to_vec()),
    );
    ui.separator();
    pick(
        ui,
        some,
        "Copy path",
        "Ctrl+Shift+C",
        Action::CopyPaths(nodes.to_vec()),
    );
    pick(ui, some, "Copy name", "", Action::CopyNames(nodes.to_vec()));
    ui.separator();
    pick(
        ui,
        some,
        "Checksums…",
        "",
        Action::Checksums(nodes.to_vec()),
    );
    pick(
        ui,
        open,
        "Properties",
        "Alt+Enter",
        Action::Properties(nodes.to_vec()),
    );
    if let Some(a) = show_in(m, ui, one) {
        chosen = Some(a);
    }
    ui.separator();
    if item(
        ui,
        open,
        "Select all",
        "Ctrl+A",
        probing.then_some(&mut out.rows),
    ) {
        chosen = Some(Action::SelectAll);
    }
    if let Some(a) = chosen {
        out.push(a);
        if let Some(x) = also {
            out.push(x);
        }
    }
}

/// Probed rows: pane, rect, name (see `Out::rows`).
type Rows = Vec<(&'static str, egui::Rect, String)>;

/// One item; whether it was chosen (the menu then closes). With `probe`,
/// its place is recorded as a `menu` row (tests driving the real window).
fn item(
    ui: &mut egui::Ui,
    enabled: bool,
    label: &str,
    key: &str,
    probe: Option<&mut Rows>,
) -> bool {
    let mut b = egui::Button::new(label);
    if !key.is_empty() {
        b = b.shortcut_text(key);
    }
    let r = ui.add_enabled(enabled, b);
    if let Some(rows) = probe {
        rows.push(("menu", r.rect, label.to_string()));
    }
    let clicked = r.clicked();
    if clicked {
        ui.close();
    }
    clicked
}

/// "Show in ▸ Joliet / ISO 9660 / …": the other views holding the entry.
fn show_in(m: &Model, ui: &mut egui::Ui, one: Option<NodeId>) -> Option<Action> {
    let tab = m.tab();
    let (Some(node), Some(s), Some((view, tree))) = (one, &tab.session, tab.current()) else {
        ui.add_enabled(false, egui::Button::new("Show in the other views"));
        return None;
    };
    let others: Vec<View> = s
        .info
        .views
        .iter()
        .copied()
        .filter(|&v| v != view)
        .collect();
    if others.is_empty() {
        ui.add_enabled(false, egui::Button::new("Show in the other views"));
        return None;
    }
    // The names the worker found for the entry (properties asks for
    // them); until then, the same path.
    let known = tab
        .names
        .answer
        .as_ref()
        .filter(|_| tab.names.asked.map(|a| a.2) == Some(node));
    let mut chosen = None;
    ui.menu_button("Show in the other views", |ui| {
        for v in others {
            let path = match known {
                Some((_, names)) => names.iter().find(|(n, _)| *n == v).map(|(_, p)| p.clone()),
                None => Some(tree.path(node)),
            };
            let label = match &path {
                Some(_) => v.label().to_string(),
                None => format!("{} (not there)", v.label()),
            };
            if ui
                .add_enabled(path.is_some(), egui::Button::new(label))
                .clicked()
            {
                chosen = path.map(|path| Action::RevealIn { view: v, path });
                ui.close();
            }
        }
    });
    chosen
}

/// The keyboard's context menu (Menu key, Shift+F10): the selection's
/// items, at the cursor's row.
pub fn key_menu(m: &Model, ctx: &egui::Context, out: &mut Out) {
    if !m.ui.key_menu {
        return;
    }
    let at = out
        .cursor_rect
        .map(|r| r.left_bottom() + egui::vec2(24.0, 0.0))
        .unwrap_or_else(|| ctx.content_rect().center());
    let nodes = m.tab().selection.list();
    let r = egui::Area::new(egui::Id::unique("key_menu"))
        .order(egui::Order::Foreground)
        .fixed_pos(at)
        .show(ctx, |ui| {
            egui::Frame::menu(ui.style()).show(ui, |ui| {
                ui.set_min_width(200.0);
                items(m, ui, out, &nodes, Some(Action::KeyMenu(false)));
            });
        });
    if r.response.clicked_elsewhere() {
        out.push(Action::KeyMenu(false));
    }
}
