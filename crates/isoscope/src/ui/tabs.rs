//! The tab bar: one tab per open image, with its close button, and "+"
//! for a new tab.

use super::Out;
use crate::actions::Action;
use crate::model::Model;

pub fn bar(m: &Model, ui: &mut egui::Ui, out: &mut Out) {
    ui.horizontal(|ui| {
        egui::ScrollArea::horizontal()
            .id_salt("tabs")
            .auto_shrink([false, true])
            .show(ui, |ui| {
                ui.horizontal(|ui| {
                    for (i, tab) in m.tabs.iter().enumerate() {
                        one(ui, out, i, i == m.active, &tab.label());
                    }
                    if ui
                        .add(egui::Button::new("+").frame(false))
                        .on_hover_text("New tab (Ctrl+T)")
                        .clicked()
                    {
                        out.push(Action::NewTab);
                    }
                });
            });
    });
}

fn one(ui: &mut egui::Ui, out: &mut Out, i: usize, active: bool, label: &str) {
    let frame = egui::Frame::new()
        .inner_margin(egui::Margin::symmetric(6, 2))
        .corner_radius(4.0)
        .fill(if active {
            ui.visuals().selection.bg_fill.gamma_multiply(0.5)
        } else {
            ui.visuals().faint_bg_color
        });
    frame.show(ui, |ui| {
        ui.horizontal(|ui| {
            let short: String = label.chars().take(40).collect();
            let r = ui
                .add(egui::Button::selectable(active, short).frame(false))
                .on_hover_text(label);
            if r.clicked() {
                out.push(Action::SelectTab(i));
            }
            if r.middle_clicked() {
                out.push(Action::CloseTab(Some(i)));
            }
            if ui
                .add(egui::Button::new("×").frame(false).small())
                .on_hover_text("Close the tab (Ctrl+W)")
                .clicked()
            {
                out.push(Action::CloseTab(Some(i)));
            }
        });
    });
}
