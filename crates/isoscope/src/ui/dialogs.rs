//! The welcome screen, the open error, and the windows: extract dialog,
//! overwrite question, About, Keyboard shortcuts.

use super::Out;
use crate::actions::Action;
use crate::extract_job::Choice;
use crate::format;
use crate::model::Model;
use crate::state::Loading;

pub fn welcome(m: &Model, ui: &mut egui::Ui, out: &mut Out) {
    ui.vertical_centered(|ui| {
        ui.add_space(40.0);
        ui.heading(egui::RichText::new("Isoscope").size(32.0));
        ui.label("Open a disc image to browse it like a folder.");
        ui.add_space(16.0);
        if let Loading::Failed { path, message } = &m.tab().loading {
            let what = path
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_default();
            ui.colored_label(ui.visuals().error_fg_color, format!("Cannot open {what}"));
            ui.colored_label(ui.visuals().error_fg_color, message.clone());
            ui.add_space(12.0);
        }
        if let Loading::Opening(p) = &m.tab().loading {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label(format!("Opening {}…", p.display()));
            });
        }
        let big = egui::Button::new(egui::RichText::new("📂  Open a disc image…").size(20.0))
            .min_size(egui::vec2(280.0, 48.0));
        if ui.add(big).clicked() {
            out.push(Action::OpenDialog);
        }
        ui.add_space(8.0);
        ui.horizontal(|ui| {
            let w = 420.0;
            ui.add_space(((ui.available_width() - w - 90.0) / 2.0).max(0.0));
            let r = path_field(m, ui, out, "…or type a path to an image", w);
            let enter = r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            if ui.button("Open path").clicked() || enter {
                out.push(Action::OpenTyped);
            }
        });
        ui.add_space(16.0);
        let (rect, _) = ui.allocate_exact_size(egui::vec2(420.0, 90.0), egui::Sense::hover());
        ui.painter().rect_stroke(
            rect,
            8.0,
            egui::Stroke::new(1.5, ui.visuals().weak_text_color()),
            egui::StrokeKind::Inside,
        );
        ui.painter().text(
            rect.center(),
            egui::Align2::CENTER_CENTER,
            "Drop an .iso file here",
            egui::FontId::proportional(16.0),
            ui.visuals().weak_text_color(),
        );
        if !m.settings.recent.is_empty() {
            ui.add_space(16.0);
            ui.strong("Recent");
            for p in &m.settings.recent {
                if ui.link(p.display().to_string()).clicked() {
                    out.push(Action::OpenPath(p.clone()));
                }
            }
        }
    });
}

/// The path field (welcome screen, "type the image's path" window): the
/// edited text goes back as an action.
fn path_field(m: &Model, ui: &mut egui::Ui, out: &mut Out, hint: &str, w: f32) -> egui::Response {
    let mut text = m.ui.path_text.clone();
    let r = ui.add(
        egui::TextEdit::singleline(&mut text)
            .hint_text(hint)
            .desired_width(w),
    );
    if text != m.ui.path_text {
        out.push(Action::SetPathText(text));
    }
    r
}

pub fn windows(m: &Model, ctx: &egui::Context, out: &mut Out) {
    extract_dialog(m, ctx, out);
    overwrite(m, ctx, out);
    open_path(m, ctx, out);
    if m.ui.show_about {
        let mut open = true;
        egui::Window::new("About Isoscope")
            .open(&mut open)
            .collapsible(false)
            .resizable(false)
            .show(ctx, |ui| {
                ui.heading(format!("Isoscope {}", env!("CARGO_PKG_VERSION")));
                ui.label("Opens optical-disc images and shows them like folders.");
                ui.label("File systems: ISO 9660 (levels 1–3, ISO 9660:1999), Joliet, Rock Ridge, zisofs, El Torito boot catalogs, MBR/GPT partition tables, and UDF 1.02–2.60 (Windows install ISOs, DVD-Video, Blu-ray: type 1, virtual/VAT, sparable and metadata partitions, block sizes 512–4096). A bridge disc shows every view; the status bar names the one shown and View switches it.");
                ui.label("Containers: BIN/CUE, cdrdao TOC, Nero NRG, Alcohol MDS/MDF, CloneCD CCD/IMG/SUB, MAME CHD.");
                ui.label("License: MIT OR Apache-2.0");
            });
        if !open {
            out.push(Action::ShowAbout(false));
        }
    }
    if m.ui.show_shortcuts {
        let mut open = true;
        egui::Window::new("Keyboard shortcuts")
            .open(&mut open)
            .collapsible(false)
            .show(ctx, |ui| {
                egui::Grid::new("shortcuts").striped(true).show(ui, |ui| {
                    for (k, what) in super::SHORTCUTS {
                        ui.strong(k);
                        ui.label(what);
                        ui.end_row();
                    }
                });
            });
        if !open {
            out.push(Action::ShowShortcuts(false));
        }
    }
}

/// Shown when the native file chooser could not be opened (rfd found no
/// desktop portal and no zenity): the same path field as File ▸ Open.
fn open_path(m: &Model, ctx: &egui::Context, out: &mut Out) {
    if !m.ui.show_open_path {
        return;
    }
    let mut open = true;
    egui::Window::new("Open a disc image")
        .open(&mut open)
        .collapsible(false)
        .resizable(false)
        .anchor(egui::Align2::CENTER_CENTER, egui::Vec2::ZERO)
        .show(ctx, |ui| {
            if m.ui.no_chooser {
                ui.label(
                    "No file chooser is available on this desktop (no XDG desktop portal, no zenity).",
                );
            }
            ui.label("Type the image's path, or drop the file onto the window:");
            let r = path_field(m, ui, out, "/path/to/image.iso", 420.0);
            let enter = r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            // Ready to type into when it appears (and after Escape).
            if !enter && !r.lost_focus() && ui.memory(|m| m.focused().is_none()) {
                r.request_focus();
            }
            ui.horizontal(|ui| {
                if ui.button("Open").clicked() || enter {
                    out.push(Action::OpenTyped);
                }
                if ui.button("Cancel").clicked() {
                    out.push(Action::ShowOpenPath(false));
                }
            });
        });
    if !open {
        out.push(Action::ShowOpenPath(false));
    }
}

fn extract_dialog(m: &Model, ctx: &egui::Context, out: &mut Out) {
    let Some(d) = m.extract_dialog.as_ref() else {
        return;
    };
    let what = if d.nodes.is_empty() {
        "everything".to_string()
    } else {
        format!("{} selected item(s)", d.nodes.len())
    };
    let mut open = true;
    egui::Window::new("Extract to a folder")
        .open(&mut open)
        .collapsible(false)
        .default_width(460.0)
        .anchor(egui::Align2::CENTER_CENTER, [0.0, -60.0])
        .show(ctx, |ui| {
            ui.label(format!("Extract {what} to:"));
            ui.horizontal(|ui| {
                let mut dest = d.dest.clone();
                ui.add(
                    egui::TextEdit::singleline(&mut dest)
                        .hint_text("destination folder")
                        .desired_width(320.0),
                );
                if dest != d.dest {
                    out.push(Action::SetExtractDest(dest));
                }
                if ui.button("Browse…").clicked() {
                    out.push(Action::BrowseDest);
                }
            });
            ui.horizontal(|ui| {
                let ok = !d.dest.trim().is_empty();
                if ui.add_enabled(ok, egui::Button::new("Extract")).clicked() {
                    out.push(Action::ExtractTo {
                        nodes: d.nodes.clone(),
                        dest: d.dest.trim().into(),
                    });
                }
                if ui.button("Cancel").clicked() {
                    out.push(Action::CloseExtractDialog);
                }
            });
        });
    if !open {
        out.push(Action::CloseExtractDialog);
    }
}

fn overwrite(m: &Model, ctx: &egui::Context, out: &mut Out) {
    let Some((_, c)) = m.jobs.asks.first() else {
        return;
    };
    egui::Modal::new(egui::Id::unique("overwrite")).show(ctx, |ui| {
        ui.heading("Replace the existing file?");
        ui.label(format!("{} already exists.", c.host_path.display()));
        ui.label(format!(
            "Existing: {} · From the image ({}): {}",
            format::size(c.existing_len),
            c.image_path,
            format::size(c.new_len)
        ));
        let mut all = m.jobs.apply_to_all;
        if ui.checkbox(&mut all, "Do this for all conflicts").changed() {
            out.push(Action::SetApplyToAll(all));
        }
        ui.horizontal(|ui| {
            for (label, choice) in [
                ("Overwrite", Choice::Overwrite),
                ("Skip", Choice::Skip),
                ("Keep both (rename)", Choice::Rename),
            ] {
                if ui.button(label).clicked() {
                    out.push(Action::Answer(choice));
                }
            }
        });
    });
}
