//! The toolbar: Back/Forward/Up, the breadcrumb, the view selector, the
//! filter box, Extract… and the properties toggle.

use iso_core::NodeId;

use super::Out;
use crate::actions::Action;
use crate::model::Model;

pub fn show(m: &Model, ui: &mut egui::Ui, out: &mut Out) {
    ui.horizontal(|ui| {
        nav_buttons(m, ui, out);
        ui.separator();
        views(m, ui, out);
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            let props = m.settings.panels.properties;
            if ui
                .selectable_label(props, "ℹ Properties")
                .on_hover_text("Show or hide properties (Alt+Enter)")
                .clicked()
            {
                out.push(Action::ToggleProperties);
            }
            if ui
                .button("⬇ Extract…")
                .on_hover_text("Extract the selection, or everything (Ctrl+E)")
                .clicked()
            {
                out.push(Action::Extract(m.tab().selection.list()));
            }
            filter(m, ui, out);
        });
    });
    ui.horizontal(|ui| breadcrumb(m, ui, out));
}

fn nav_buttons(m: &Model, ui: &mut egui::Ui, out: &mut Out) {
    let b = &m.tab().browser;
    let up = m
        .tab()
        .current()
        .and_then(|(_, t)| b.dir.and_then(|d| t.parent(d)))
        .is_some();
    for (enabled, label, hint, act) in [
        (!b.back.is_empty(), "⬅", "Back (Alt+Left)", Action::Back),
        (
            !b.forward.is_empty(),
            "➡",
            "Forward (Alt+Right)",
            Action::Forward,
        ),
        (up, "⬆", "Up (Alt+Up, Backspace)", Action::Up),
    ] {
        if ui
            .add_enabled(enabled, egui::Button::new(label))
            .on_hover_text(hint)
            .clicked()
        {
            out.push(act);
        }
    }
}

fn views(m: &Model, ui: &mut egui::Ui, out: &mut Out) {
    let Some(s) = &m.tab().session else { return };
    let current = s.view;
    if s.info.views.is_empty() {
        ui.weak("no readable file system");
        return;
    }
    egui::ComboBox::new("view", "View")
        .selected_text(current.map(|v| v.label()).unwrap_or("—"))
        .show_ui(ui, |ui| {
            for &v in &s.info.views {
                if ui.selectable_label(current == Some(v), v.label()).clicked() {
                    out.push(Action::SetView(v));
                }
            }
        });
}

fn filter(m: &Model, ui: &mut egui::Ui, out: &mut Out) {
    let b = &m.tab().browser;
    let id = egui::Id::unique("filter").with(m.active);
    let mut text = b.filter.clone();
    let r = ui.add(
        egui::TextEdit::singleline(&mut text)
            .id(id)
            .hint_text("🔍 Filter (Ctrl+F)")
            .desired_width(200.0),
    );
    if b.focus_filter {
        r.request_focus();
        out.push(Action::FilterFocused);
    }
    if r.has_focus() && ui.input(|i| i.key_pressed(egui::Key::Escape)) {
        text.clear();
    }
    if text != b.filter {
        out.push(Action::SetFilter(text));
    }
}

fn breadcrumb(m: &Model, ui: &mut egui::Ui, out: &mut Out) {
    let tab = m.tab();
    let Some((_, tree)) = tab.current() else {
        return;
    };
    let Some(dir) = tab.browser.dir else { return };
    let mut chain: Vec<NodeId> = Vec::new();
    let mut at = Some(dir);
    while let Some(d) = at {
        chain.push(d);
        if chain.len() > 1024 {
            break;
        }
        at = tree.parent(d);
    }
    chain.reverse();
    for (i, &d) in chain.iter().enumerate() {
        if i > 0 {
            ui.weak("›");
        }
        let name = if i == 0 {
            "💿 /".to_string()
        } else {
            tree.display_name(d).into_owned()
        };
        if ui.selectable_label(d == dir, name).clicked() {
            out.push(Action::Navigate(d));
        }
    }
    if !tab.browser.filter.is_empty() {
        ui.weak("— showing matches in the whole image");
    }
}
