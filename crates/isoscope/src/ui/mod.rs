//! The window, painted from the [`Model`]. The panes only read it and push
//! [`Action`]s into [`Out`] (text being typed too: the edited copy goes back
//! as an action); the app applies them after the frame.

mod context;
mod dialogs;
pub mod icons;
mod jobs;
mod menu;
mod side;
mod table;
mod tabs;
mod toolbar;
mod tree;

use egui::{Key, Modifiers, RichText};

use crate::actions::Action;
use crate::model::Model;
use crate::state::Loading;

/// What one frame of the panes asks for.
#[derive(Debug, Default)]
pub struct Out {
    /// Actions, applied after the frame in order.
    pub actions: Vec<Action>,
    /// Rows drawn, for the probe (`ISOSCOPE_PROBE`): pane, rect, name.
    pub rows: Vec<(&'static str, egui::Rect, String)>,
    /// Where the row with the keyboard cursor was drawn (the keyboard's
    /// context menu opens there).
    pub cursor_rect: Option<egui::Rect>,
}

impl Out {
    /// Asks for `a`.
    pub fn push(&mut self, a: Action) {
        self.actions.push(a);
    }
}

/// Paints one frame.
pub fn show(m: &Model, ui: &mut egui::Ui, out: &mut Out) {
    shortcuts(m, ui.ctx(), out);
    let tab = m.tab();
    egui::Panel::top("menu").show(ui, |ui| menu::bar(m, ui, out));
    egui::Panel::top("tabs").show(ui, |ui| tabs::bar(m, ui, out));
    if tab.session.is_some() {
        egui::Panel::top("toolbar").show(ui, |ui| toolbar::show(m, ui, out));
        banners(m, ui);
    }
    egui::Panel::bottom("status").show(ui, |ui| status(m, ui, out));
    if !m.jobs.jobs.is_empty() {
        egui::Panel::bottom("jobs")
            .resizable(true)
            .default_size(150.0)
            .show(ui, |ui| jobs::panel(m, ui, out));
    }
    if tab.session.is_some() {
        if m.settings.panels.tree {
            egui::Panel::left("tree")
                .resizable(true)
                .default_size(220.0)
                .show(ui, |ui| tree::pane(m, ui, out));
        }
        if m.settings.panels.properties || m.settings.panels.preview {
            egui::Panel::right("side")
                .resizable(true)
                .default_size(320.0)
                .max_size(520.0)
                .show(ui, |ui| side::pane(m, ui, out));
        }
    }
    egui::CentralPanel::default().show(ui, |ui| {
        if tab.session.is_some() {
            table::show(m, ui, out);
        } else {
            dialogs::welcome(m, ui, out);
        }
    });
    dialogs::windows(m, ui.ctx(), out);
    context::key_menu(m, ui.ctx(), out);
    drop_overlay(ui.ctx());
}

/// Keyboard shortcuts (listed in Help ▸ Keyboard shortcuts).
pub const SHORTCUTS: [(&str, &str); 24] = [
    ("Ctrl+O", "Open a disc image (in a new tab)"),
    ("Ctrl+T", "New tab"),
    ("Ctrl+W", "Close the tab"),
    ("Ctrl+Tab / Ctrl+Shift+Tab", "Next / previous tab"),
    ("Ctrl+E", "Extract the selection (or everything)"),
    ("Ctrl+F", "Filter: search names in the whole image"),
    ("Ctrl+A", "Select all rows"),
    ("Ctrl+Shift+C", "Copy the selection's paths"),
    ("Alt+Enter", "Show or hide properties"),
    ("Alt+Left", "Back"),
    ("Alt+Right", "Forward"),
    ("Alt+Up / Backspace", "Up to the parent folder"),
    (
        "Enter / double-click",
        "Open a folder; open a file in its default application",
    ),
    ("Menu key / Shift+F10", "The selection's menu"),
    (
        "Right-click",
        "Menu of a row, a tree folder or the empty area",
    ),
    ("Up / Down", "Move the selection"),
    ("Shift+click", "Select a range"),
    ("Ctrl+click", "Add or remove one row"),
    ("Type letters", "Jump to the first name starting with them"),
    ("Escape", "Clear the filter, close a menu"),
    ("F1", "This list"),
    (
        "Drag rows or tree folders out",
        "Extract onto the desktop or a file manager",
    ),
    ("Drop an image on the window", "Open it in a new tab"),
    ("Tools › Test image", "Read every file end to end"),
];

fn shortcuts(m: &Model, ctx: &egui::Context, out: &mut Out) {
    let typing = ctx.text_edit_focused();
    let selection = m.tab().selection.list();
    let mut acts = Vec::new();
    ctx.input_mut(|i| {
        let ctrl_shift = Modifiers::COMMAND | Modifiers::SHIFT;
        let keys = [
            (Modifiers::COMMAND, Key::O, Action::OpenDialog),
            (Modifiers::COMMAND, Key::T, Action::NewTab),
            (Modifiers::COMMAND, Key::W, Action::CloseTab(None)),
            (ctrl_shift, Key::Tab, Action::CycleTab(-1)),
            (Modifiers::COMMAND, Key::Tab, Action::CycleTab(1)),
            (
                Modifiers::COMMAND,
                Key::E,
                Action::Extract(selection.clone()),
            ),
            (Modifiers::COMMAND, Key::F, Action::FocusFilter),
            (Modifiers::ALT, Key::Enter, Action::ToggleProperties),
            (Modifiers::ALT, Key::ArrowLeft, Action::Back),
            (Modifiers::ALT, Key::ArrowRight, Action::Forward),
            (Modifiers::ALT, Key::ArrowUp, Action::Up),
            (Modifiers::NONE, Key::F1, Action::ShowShortcuts(true)),
            (Modifiers::SHIFT, Key::F10, Action::KeyMenu(true)),
            (Modifiers::NONE, Key::Menu, Action::KeyMenu(true)),
        ];
        for (mods, key, act) in keys {
            if i.consume_key(mods, key) {
                acts.push(act);
            }
        }
        if m.ui.key_menu && i.consume_key(Modifiers::NONE, Key::Escape) {
            acts.push(Action::KeyMenu(false));
        }
        if typing || m.ui.key_menu {
            return;
        }
        let keys = [
            (Modifiers::COMMAND, Key::A, Action::SelectAll),
            (ctrl_shift, Key::C, Action::CopyPaths(selection.clone())),
            (Modifiers::NONE, Key::Backspace, Action::Up),
            (Modifiers::NONE, Key::ArrowDown, Action::MoveCursor(1)),
            (Modifiers::NONE, Key::ArrowUp, Action::MoveCursor(-1)),
            (Modifiers::NONE, Key::Enter, Action::ActivateCursor),
        ];
        for (mods, key, act) in keys {
            if i.consume_key(mods, key) {
                acts.push(act);
            }
        }
        for ev in &i.events {
            if let egui::Event::Text(t) = ev {
                if !i.modifiers.command && !i.modifiers.alt && !t.trim().is_empty() {
                    acts.push(Action::Typed(t.clone()));
                }
            }
        }
    });
    out.actions.extend(acts);
}

fn banners(m: &Model, ui: &mut egui::Ui) {
    let Some(s) = &m.tab().session else { return };
    if s.warnings.is_empty() {
        return;
    }
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
                    s.warnings.len()
                ))
                .strong()
                .color(ui.visuals().warn_fg_color),
            );
            egui::ScrollArea::vertical()
                .max_height(80.0)
                .show(ui, |ui| {
                    for w in &s.warnings {
                        ui.label(format!("• {w}"));
                    }
                });
        });
}

/// "UDF, Rock Ridge, Joliet, ISO 9660".
fn views_of(s: &crate::state::Session) -> String {
    s.info
        .views
        .iter()
        .map(|v| v.label())
        .collect::<Vec<_>>()
        .join(", ")
}

fn status(m: &Model, ui: &mut egui::Ui, out: &mut Out) {
    let tab = m.tab();
    ui.horizontal(|ui| {
        match (&tab.session, &tab.loading) {
            (_, Loading::Opening(p)) => {
                ui.spinner();
                ui.label(format!("Opening {}…", p.display()));
            }
            (Some(s), _) => {
                if let (Some(rows), Some((_, tree))) = (tab.rows(), tab.current()) {
                    let sel = tab.selection.nodes.len();
                    let sel_bytes: u64 = tab
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
                if let Some(v) = s.view {
                    // Which of the image's file systems the listing shows
                    // (a bridge disc has several; View ▸ switches).
                    ui.separator();
                    ui.label(format!("{} view", v.label()))
                        .on_hover_text(format!("This image's views: {}", views_of(s)));
                }
                if let Some(t) = s.root_shown_after {
                    ui.separator();
                    ui.weak(format!("opened in {:.0} ms", t * 1000.0));
                }
            }
            _ => {}
        }
        if let Some(note) = &m.ui.note {
            ui.separator();
            ui.add(egui::Label::new(note.as_str()).truncate());
        }
    });
    for (i, p) in m.ui.problems.iter().enumerate() {
        ui.horizontal(|ui| {
            ui.colored_label(ui.visuals().error_fg_color, format!("⚠ {p}"));
            if ui.small_button("Dismiss").clicked() {
                out.push(Action::DismissProblem(i));
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
        "Drop a disc image to open it in a new tab",
        egui::FontId::proportional(28.0),
        egui::Color32::WHITE,
    );
}
