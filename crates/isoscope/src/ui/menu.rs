//! The menu bar: File, View, Tools, Help.

use crate::actions::Action;
use crate::app::App;
use crate::settings::ThemeChoice;

pub fn bar(app: &mut App, ui: &mut egui::Ui) {
    egui::MenuBar::new().ui(ui, |ui| {
        ui.menu_button("File", |ui| file(app, ui));
        ui.menu_button("View", |ui| view(app, ui));
        ui.menu_button("Tools", |ui| {
            let open = app.session.is_some();
            if ui
                .add_enabled(open, egui::Button::new("Verify image"))
                .clicked()
            {
                app.actions.push(Action::Verify);
            }
        });
        ui.menu_button("Help", |ui| {
            if ui
                .add(egui::Button::new("Keyboard shortcuts").shortcut_text("F1"))
                .clicked()
            {
                app.actions.push(Action::ShowShortcuts(true));
            }
            if ui.button("About Isoscope").clicked() {
                app.actions.push(Action::ShowAbout(true));
            }
        });
    });
}

fn file(app: &mut App, ui: &mut egui::Ui) {
    if ui
        .add(egui::Button::new("Open…").shortcut_text("Ctrl+O"))
        .clicked()
    {
        app.actions.push(Action::OpenDialog);
    }
    ui.horizontal(|ui| {
        let r = ui.add(
            egui::TextEdit::singleline(&mut app.ui_state.path_text)
                .hint_text("or type a path")
                .desired_width(220.0),
        );
        let enter = r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if ui.button("Open path").clicked() || enter {
            app.actions.push(Action::OpenTyped);
            ui.close();
        }
    });
    ui.menu_button("Recent", |ui| {
        if app.settings.recent.is_empty() {
            ui.weak("No recent images");
        }
        for p in app.settings.recent.clone() {
            if ui.button(p.display().to_string()).clicked() {
                app.actions.push(Action::OpenPath(p));
            }
        }
    });
    ui.separator();
    let open = app.session.is_some();
    if ui
        .add_enabled(open, egui::Button::new("Extract…").shortcut_text("Ctrl+E"))
        .clicked()
    {
        app.actions.push(Action::Extract);
    }
    if ui
        .add_enabled(open, egui::Button::new("Extract here"))
        .on_hover_text("Into a folder named after the image, beside it")
        .clicked()
    {
        app.actions.push(Action::ExtractHere);
    }
    ui.separator();
    if ui.button("Quit").clicked() {
        ui.ctx().send_viewport_cmd(egui::ViewportCommand::Close);
    }
}

fn view(app: &mut App, ui: &mut egui::Ui) {
    let p = app.settings.panels;
    if ui.checkbox(&mut p.tree.clone(), "Folder tree").clicked() {
        app.actions.push(Action::ToggleTree);
    }
    if ui
        .checkbox(&mut p.properties.clone(), "Properties (Alt+Enter)")
        .clicked()
    {
        app.actions.push(Action::ToggleProperties);
    }
    if ui.checkbox(&mut p.preview.clone(), "Preview").clicked() {
        app.actions.push(Action::TogglePreview);
    }
    ui.separator();
    ui.label("Theme");
    for (t, label) in [
        (ThemeChoice::System, "Follow the system"),
        (ThemeChoice::Light, "Light"),
        (ThemeChoice::Dark, "Dark"),
    ] {
        if ui.radio(app.settings.theme == t, label).clicked() {
            app.actions.push(Action::SetTheme(t));
        }
    }
}
