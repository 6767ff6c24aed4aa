//! The menu bar: File, Edit (the context menu's items for the selection),
//! View, Tools, Help.

use super::{context, Out};
use crate::actions::Action;
use crate::model::Model;
use crate::settings::ThemeChoice;

pub fn bar(m: &Model, ui: &mut egui::Ui, out: &mut Out) {
    egui::MenuBar::new().ui(ui, |ui| {
        ui.menu_button("File", |ui| file(m, ui, out));
        ui.menu_button("Edit", |ui| {
            let sel = m.tab().selection.list();
            context::items(m, ui, out, &sel, None);
        });
        ui.menu_button("View", |ui| view(m, ui, out));
        ui.menu_button("Tools", |ui| tools(m, ui, out));
        ui.menu_button("Help", |ui| {
            if ui
                .add(egui::Button::new("Keyboard shortcuts").shortcut_text("F1"))
                .clicked()
            {
                out.push(Action::ShowShortcuts(true));
            }
            if ui.button("About Isoscope").clicked() {
                out.push(Action::ShowAbout(true));
            }
        });
    });
}

fn tools(m: &Model, ui: &mut egui::Ui, out: &mut Out) {
    let open = m.tab().session.is_some();
    let readable = m.tab().current().is_some();
    if ui
        .add_enabled(open, egui::Button::new("Verify image"))
        .on_hover_text("Checksums of the whole image, compared with the checksum files beside it and on the disc")
        .clicked()
    {
        out.push(Action::Verify);
    }
    if ui
        .add_enabled(readable, egui::Button::new("Test image"))
        .on_hover_text("Read every file end to end and list what cannot be read")
        .clicked()
    {
        out.push(Action::TestImage);
    }
    let sel = m.tab().selection.list();
    if ui
        .add_enabled(
            !sel.is_empty(),
            egui::Button::new("Checksums of the selection"),
        )
        .clicked()
    {
        out.push(Action::Checksums(sel));
    }
}

fn file(m: &Model, ui: &mut egui::Ui, out: &mut Out) {
    if ui
        .add(egui::Button::new("Open…").shortcut_text("Ctrl+O"))
        .clicked()
    {
        out.push(Action::OpenDialog);
    }
    // A text field inside a menu closes it when clicked: the path is
    // typed in a window of its own.
    if ui.button("Open path…").clicked() {
        out.push(Action::ShowOpenPath(true));
    }
    ui.menu_button("Recent", |ui| {
        if m.settings.recent.is_empty() {
            ui.weak("No recent images");
        }
        for p in &m.settings.recent {
            if ui.button(p.display().to_string()).clicked() {
                out.push(Action::OpenPath(p.clone()));
            }
        }
    });
    ui.separator();
    if ui
        .add(egui::Button::new("New tab").shortcut_text("Ctrl+T"))
        .clicked()
    {
        out.push(Action::NewTab);
    }
    if ui
        .add(egui::Button::new("Close tab").shortcut_text("Ctrl+W"))
        .clicked()
    {
        out.push(Action::CloseTab(None));
    }
    ui.separator();
    let open = m.tab().session.is_some();
    let sel = m.tab().selection.list();
    if ui
        .add_enabled(open, egui::Button::new("Extract…").shortcut_text("Ctrl+E"))
        .clicked()
    {
        out.push(Action::Extract(sel.clone()));
    }
    if ui
        .add_enabled(open, egui::Button::new("Extract here"))
        .on_hover_text("Into a folder named after the image, beside it")
        .clicked()
    {
        out.push(Action::ExtractHere(sel));
    }
    ui.separator();
    if ui.button("Quit").clicked() {
        ui.ctx().send_viewport_cmd(egui::ViewportCommand::Close);
    }
}

fn view(m: &Model, ui: &mut egui::Ui, out: &mut Out) {
    let p = m.settings.panels;
    for (on, label, act) in [
        (p.tree, "Folder tree", Action::ToggleTree),
        (
            p.properties,
            "Properties (Alt+Enter)",
            Action::ToggleProperties,
        ),
        (p.preview, "Preview", Action::TogglePreview),
    ] {
        if ui.checkbox(&mut on.clone(), label).clicked() {
            out.push(act);
        }
    }
    ui.separator();
    let mut w = m.settings.writable;
    if ui
        .checkbox(&mut w, "Make extracted files writable")
        .on_hover_text(
            "Files on discs are read-only; extracted copies get the owner's write permission",
        )
        .clicked()
    {
        out.push(Action::SetWritable(w));
    }
    ui.separator();
    ui.label("Theme");
    for (t, label) in [
        (ThemeChoice::System, "Follow the system"),
        (ThemeChoice::Light, "Light"),
        (ThemeChoice::Dark, "Dark"),
    ] {
        if ui.radio(m.settings.theme == t, label).clicked() {
            out.push(Action::SetTheme(t));
        }
    }
}
