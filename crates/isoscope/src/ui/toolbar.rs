//! The toolbar: Back/Forward/Up, the breadcrumb, the view selector, the
//! filter box, Extract… and the properties toggle.

use iso_core::NodeId;

use crate::actions::Action;
use crate::app::App;

pub fn show(app: &mut App, ui: &mut egui::Ui) {
    ui.horizontal(|ui| {
        nav_buttons(app, ui);
        ui.separator();
        views(app, ui);
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            let props = app.settings.panels.properties;
            if ui
                .selectable_label(props, "ℹ Properties")
                .on_hover_text("Show or hide properties (Alt+Enter)")
                .clicked()
            {
                app.actions.push(Action::ToggleProperties);
            }
            if ui
                .button("⬇ Extract…")
                .on_hover_text("Extract the selection, or everything (Ctrl+E)")
                .clicked()
            {
                app.actions.push(Action::Extract);
            }
            filter(app, ui);
        });
    });
    ui.horizontal(|ui| breadcrumb(app, ui));
}

fn nav_buttons(app: &mut App, ui: &mut egui::Ui) {
    let back = !app.browser.back.is_empty();
    let fwd = !app.browser.forward.is_empty();
    let up = app
        .current()
        .and_then(|(_, t)| app.browser.dir.and_then(|d| t.parent(d)))
        .is_some();
    if ui
        .add_enabled(back, egui::Button::new("⬅"))
        .on_hover_text("Back (Alt+Left)")
        .clicked()
    {
        app.actions.push(Action::Back);
    }
    if ui
        .add_enabled(fwd, egui::Button::new("➡"))
        .on_hover_text("Forward (Alt+Right)")
        .clicked()
    {
        app.actions.push(Action::Forward);
    }
    if ui
        .add_enabled(up, egui::Button::new("⬆"))
        .on_hover_text("Up (Alt+Up, Backspace)")
        .clicked()
    {
        app.actions.push(Action::Up);
    }
}

fn views(app: &mut App, ui: &mut egui::Ui) {
    let Some(s) = &app.session else { return };
    let views = s.info.views.clone();
    let current = s.view;
    if views.is_empty() {
        ui.weak("no readable file system");
        return;
    }
    egui::ComboBox::new("view", "View")
        .selected_text(current.map(|v| v.label()).unwrap_or("—"))
        .show_ui(ui, |ui| {
            for v in views {
                if ui.selectable_label(current == Some(v), v.label()).clicked() {
                    app.actions.push(Action::SetView(v));
                }
            }
        });
}

fn filter(app: &mut App, ui: &mut egui::Ui) {
    let id = egui::Id::unique("filter");
    let r = ui.add(
        egui::TextEdit::singleline(&mut app.browser.filter)
            .id(id)
            .hint_text("🔍 Filter (Ctrl+F)")
            .desired_width(200.0),
    );
    if app.browser.focus_filter {
        app.browser.focus_filter = false;
        r.request_focus();
    }
    if r.has_focus() && ui.input(|i| i.key_pressed(egui::Key::Escape)) {
        app.browser.filter.clear();
    }
}

fn breadcrumb(app: &mut App, ui: &mut egui::Ui) {
    let Some((_, tree)) = app.current() else {
        return;
    };
    let Some(dir) = app.browser.dir else { return };
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
    let mut clicked = None;
    for (i, &d) in chain.iter().enumerate() {
        if i > 0 {
            ui.weak("›");
        }
        let name = if i == 0 {
            "💿 /".to_string()
        } else {
            tree.name(d).to_string()
        };
        if ui.selectable_label(d == dir, name).clicked() {
            clicked = Some(d);
        }
    }
    if !app.browser.filter.is_empty() {
        ui.weak("— showing matches in the whole image");
    }
    if let Some(d) = clicked {
        app.actions.push(Action::Navigate(d));
    }
}
