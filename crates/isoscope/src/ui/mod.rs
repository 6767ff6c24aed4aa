//! The window, painted from state. These functions read the app's state and
//! push [`Action`]s; the only things they change directly are the text
//! fields and check boxes the person is editing.

mod dialogs;
mod jobs;
mod menu;
mod side;
mod table;
mod toolbar;
mod tree;

use egui::{Key, Modifiers, RichText};

use crate::actions::Action;
use crate::app::App;
use crate::state::Loading;

/// Paints one frame.
pub fn show(app: &mut App, ui: &mut egui::Ui) {
    shortcuts(app, ui.ctx());
    egui::Panel::top("menu").show(ui, |ui| menu::bar(app, ui));
    if app.session.is_some() {
        egui::Panel::top("toolbar").show(ui, |ui| toolbar::show(app, ui));
        banners(app, ui);
    }
    egui::Panel::bottom("status").show(ui, |ui| status(app, ui));
    if !app.jobs.jobs.is_empty() || app.drag.running.is_some() {
        egui::Panel::bottom("jobs")
            .resizable(true)
            .default_size(150.0)
            .show(ui, |ui| jobs::panel(app, ui));
    }
    if app.session.is_some() {
        if app.settings.panels.tree {
            egui::Panel::left("tree")
                .resizable(true)
                .default_size(220.0)
                .show(ui, |ui| tree::pane(app, ui));
        }
        if app.settings.panels.properties || app.settings.panels.preview {
            egui::Panel::right("side")
                .resizable(true)
                .default_size(320.0)
                .max_size(520.0)
                .show(ui, |ui| side::pane(app, ui));
        }
    }
    egui::CentralPanel::default().show(ui, |ui| {
        if app.session.is_some() {
            table::show(app, ui);
        } else {
            dialogs::welcome(app, ui);
        }
    });
    dialogs::windows(app, ui.ctx());
    drop_overlay(ui.ctx());
}

/// Keyboard shortcuts (listed in Help ▸ Keyboard shortcuts).
pub const SHORTCUTS: [(&str, &str); 16] = [
    ("Ctrl+O", "Open a disc image"),
    ("Ctrl+E", "Extract the selection (or everything)"),
    ("Ctrl+F", "Filter: search names in the whole image"),
    ("Ctrl+A", "Select all rows"),
    ("Alt+Enter", "Show or hide properties"),
    ("Alt+Left", "Back"),
    ("Alt+Right", "Forward"),
    ("Alt+Up / Backspace", "Up to the parent folder"),
    ("Enter / double-click", "Open a folder, show a file"),
    ("Up / Down", "Move the selection"),
    ("Shift+click", "Select a range"),
    ("Ctrl+click", "Add or remove one row"),
    ("Type letters", "Jump to the first name starting with them"),
    ("Escape", "Clear the filter"),
    ("F1", "This list"),
    (
        "Drag rows or tree folders out",
        "Extract onto the desktop or a file manager",
    ),
];

fn shortcuts(app: &mut App, ctx: &egui::Context) {
    let typing = ctx.egui_wants_keyboard_input();
    let mut acts = Vec::new();
    ctx.input_mut(|i| {
        if i.consume_key(Modifiers::COMMAND, Key::O) {
            acts.push(Action::OpenDialog);
        }
        if i.consume_key(Modifiers::COMMAND, Key::E) {
            acts.push(Action::Extract);
        }
        if i.consume_key(Modifiers::COMMAND, Key::F) {
            acts.push(Action::FocusFilter);
        }
        if i.consume_key(Modifiers::ALT, Key::Enter) {
            acts.push(Action::ToggleProperties);
        }
        if i.consume_key(Modifiers::ALT, Key::ArrowLeft) {
            acts.push(Action::Back);
        }
        if i.consume_key(Modifiers::ALT, Key::ArrowRight) {
            acts.push(Action::Forward);
        }
        if i.consume_key(Modifiers::ALT, Key::ArrowUp) {
            acts.push(Action::Up);
        }
        if i.consume_key(Modifiers::NONE, Key::F1) {
            acts.push(Action::ShowShortcuts(true));
        }
        if typing {
            return;
        }
        if i.consume_key(Modifiers::COMMAND, Key::A) {
            acts.push(Action::SelectAll);
        }
        if i.consume_key(Modifiers::NONE, Key::Backspace) {
            acts.push(Action::Up);
        }
        if i.consume_key(Modifiers::NONE, Key::ArrowDown) {
            acts.push(Action::MoveCursor(1));
        }
        if i.consume_key(Modifiers::NONE, Key::ArrowUp) {
            acts.push(Action::MoveCursor(-1));
        }
        if i.consume_key(Modifiers::NONE, Key::Enter) {
            acts.push(Action::ActivateCursor);
        }
        for ev in &i.events {
            if let egui::Event::Text(t) = ev {
                if !i.modifiers.command && !i.modifiers.alt && !t.trim().is_empty() {
                    acts.push(Action::Typed(t.clone()));
                }
            }
        }
    });
    app.actions.extend(acts);
}

fn banners(app: &mut App, ui: &mut egui::Ui) {
    let Some(s) = &app.session else { return };
    if s.warnings.is_empty() {
        return;
    }
    let warnings = s.warnings.clone();
    egui::Panel::top("warnings")
        .frame(
            egui::Frame::default()
                .fill(ui.visuals().warn_fg_color.gamma_multiply(0.18))
                .inner_margin(6.0),
        )
        .show(ui, |ui| {
            ui.label(
                RichText::new(format!(
                    "⚠ This image is damaged: {} problem(s) found. What could be read is shown.",
                    warnings.len()
                ))
                .strong()
                .color(ui.visuals().warn_fg_color),
            );
            egui::ScrollArea::vertical()
                .max_height(80.0)
                .show(ui, |ui| {
                    for w in &warnings {
                        ui.label(format!("• {w}"));
                    }
                });
        });
}

fn status(app: &mut App, ui: &mut egui::Ui) {
    ui.horizontal(|ui| {
        match (&app.session, &app.loading) {
            (_, Loading::Opening(p)) => {
                ui.spinner();
                ui.label(format!("Opening {}…", p.display()));
            }
            (Some(s), _) => {
                if let (Some(rows), Some((_, tree))) = (app.rows(), app.current()) {
                    let sel = app.selection.nodes.len();
                    let sel_bytes: u64 = app
                        .selection
                        .nodes
                        .iter()
                        .map(|&n| tree.size(n))
                        .fold(0, u64::saturating_add);
                    ui.label(format!("{} items", crate::format::count(rows.len() as u64)));
                    if sel > 0 {
                        ui.separator();
                        ui.label(format!(
                            "{} selected ({})",
                            crate::format::count(sel as u64),
                            crate::format::size(sel_bytes)
                        ));
                    }
                } else if s.tree().is_none() {
                    ui.spinner();
                    ui.label("Reading the folder tree…");
                }
                if let Some(t) = s.root_shown_after {
                    ui.separator();
                    ui.weak(format!("opened in {:.0} ms", t * 1000.0));
                }
            }
            _ => {}
        }
        if let Some(last) = &app.drag.last {
            ui.separator();
            ui.label(last.clone());
        }
    });
    let problems = app.ui_state.problems.clone();
    for (i, p) in problems.iter().enumerate() {
        ui.horizontal(|ui| {
            ui.colored_label(ui.visuals().error_fg_color, format!("⚠ {p}"));
            if ui.small_button("Dismiss").clicked() {
                app.actions.push(Action::DismissProblem(i));
            }
        });
    }
}

fn drop_overlay(ctx: &egui::Context) {
    let hovering = ctx.input(|i| !i.raw.hovered_files.is_empty());
    if !hovering {
        return;
    }
    let rect = ctx.content_rect();
    let painter = ctx.layer_painter(egui::LayerId::new(
        egui::Order::Foreground,
        egui::Id::unique("drop_overlay"),
    ));
    painter.rect_filled(rect, 0.0, egui::Color32::from_black_alpha(160));
    painter.text(
        rect.center(),
        egui::Align2::CENTER_CENTER,
        "Drop a disc image to open it",
        egui::FontId::proportional(28.0),
        egui::Color32::WHITE,
    );
}
