//! The right pane: properties of the selection (or of the image) and the
//! preview of a selected file.

use iso_core::{NodeId, NodeKind, Tree};

use super::Out;
use crate::actions::Action;
use crate::checksum_job::FileSums;
use crate::format;
use crate::model::Model;
use crate::protocol::{PreviewContent, PreviewKind};
use crate::state::Session;

pub fn pane(m: &Model, ui: &mut egui::Ui, out: &mut Out) {
    ui.set_min_width(ui.available_width());
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            if m.settings.panels.properties {
                ui.heading("Properties");
                properties(m, ui, out);
                ui.separator();
            }
            if m.settings.panels.preview {
                preview(m, ui, out);
            }
        });
}

fn grid(ui: &mut egui::Ui, id: &str, rows: &[(String, String)]) {
    egui::Grid::new(id)
        .num_columns(2)
        .striped(true)
        .spacing([12.0, 4.0])
        .show(ui, |ui| {
            for (k, v) in rows {
                ui.strong(k);
                ui.add(egui::Label::new(v).wrap());
                ui.end_row();
            }
        });
}

fn properties(m: &Model, ui: &mut egui::Ui, out: &mut Out) {
    let tab = m.tab();
    let Some(s) = &tab.session else { return };
    let sel = tab.selection.list();
    match (sel.as_slice(), tab.current()) {
        ([], _) | (_, None) => image_properties(s, ui),
        ([one], Some((view, tree))) => {
            let mut rows = node_rows(tree, *one);
            rows.extend(view_rows(m));
            grid(ui, "node_props", &rows);
            if let Some(u) = tree.unix(*one) {
                ui.horizontal(|ui| {
                    ui.strong("Mode");
                    ui.add(egui::Label::new(
                        egui::RichText::new(format::mode_string(u.mode)).monospace(),
                    ))
                    .on_hover_text(format!("{:o} (octal)", u.mode));
                });
            }
            node_checksums(m, ui, out, view, *one, tree);
        }
        (many, Some((_, tree))) if tree.is_partial() => grid(
            ui,
            "multi_props",
            &[
                ("Selected".into(), format!("{} items", many.len())),
                ("Total size".into(), "counting…".into()),
            ],
        ),
        (many, Some((_, tree))) => {
            let total = many
                .iter()
                .map(|&n| tree.size(n))
                .fold(0, u64::saturating_add);
            let (bytes, files) = crate::extract_job::totals(tree, many);
            grid(
                ui,
                "multi_props",
                &[
                    ("Selected".into(), format!("{} items", many.len())),
                    (
                        "Total size".into(),
                        format!("{} ({} bytes)", format::size(total), format::count(total)),
                    ),
                    (
                        "Files inside".into(),
                        format!("{} files, {}", format::count(files), format::size(bytes)),
                    ),
                ],
            );
        }
    }
}

fn node_rows(tree: &Tree, id: NodeId) -> Vec<(String, String)> {
    let mut rows = vec![
        ("Name".to_string(), tree.display_name(id).into_owned()),
        ("Path".into(), tree.path(id)),
        ("Type".into(), format::type_label(tree, id)),
    ];
    if tree.kind(id) != NodeKind::Dir {
        let size = tree.size(id);
        rows.push((
            "Size".into(),
            format!("{} ({} bytes)", format::size(size), format::count(size)),
        ));
        let alloc = tree.allocated_len(id);
        rows.push((
            "Allocated".into(),
            format!("{} ({} bytes)", format::size(alloc), format::count(alloc)),
        ));
    } else if tree.is_partial() && id != tree.root() {
        rows.push(("Items".into(), "counting…".into()));
    } else {
        rows.push((
            "Items".into(),
            format::count(tree.children(id).count() as u64),
        ));
    }
    for (kind, t) in tree.times(id) {
        rows.push((capitalise(kind.as_str()), format::time(t)));
    }
    if let Some(u) = tree.unix(id) {
        rows.push(("Owner".into(), format!("uid {} gid {}", u.uid, u.gid)));
        rows.push(("Links".into(), u.nlink.to_string()));
    }
    // UDF named streams (and the file set's system streams on the root):
    // listed here, never as files of the tree.
    for st in tree.streams(id) {
        let kind = if st.system { "System stream" } else { "Stream" };
        rows.push((
            format!("{kind} {:?}", st.name),
            format!(
                "{} ({} bytes)",
                format::size(st.size),
                format::count(st.size)
            ),
        ));
    }
    if let Some(xa) = tree.xa(id) {
        rows.push(("CD-XA".into(), xa.describe()));
    }
    if let Some(t) = tree.link_target(id) {
        rows.push(("Link target".into(), t.to_string()));
    }
    let extents = tree.extents(id);
    if let Some(first) = extents.first() {
        rows.push(("Location".into(), format!("LBA {}", first.lba())));
        if extents.len() > 1 {
            rows.push(("Extents".into(), extents.len().to_string()));
        }
    }
    rows.push(("View".into(), tree.view().label().to_string()));
    rows
}

/// Which views hold the selected entry, and its path in each.
fn view_rows(m: &Model) -> Vec<(String, String)> {
    let Some((views, names)) = &m.tab().names.answer else {
        return vec![("In other views".into(), "looking…".into())];
    };
    views
        .iter()
        .map(|v| {
            let path = names
                .iter()
                .find(|(n, _)| n == v)
                .map_or_else(|| "— not in this view".to_string(), |(_, p)| p.clone());
            (format!("In {}", v.label()), path)
        })
        .collect()
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// The checksums of the one selected file, or the button computing them.
fn node_checksums(
    m: &Model,
    ui: &mut egui::Ui,
    out: &mut Out,
    view: iso_core::View,
    node: NodeId,
    tree: &Tree,
) {
    if tree.kind(node) != NodeKind::File {
        return;
    }
    ui.add_space(6.0);
    match m.tab().checksums.get(&(view, node)) {
        Some(f) => {
            ui.strong("Checksums");
            digest_grid(ui, out, "node_sums", f);
        }
        None => {
            let running =
                m.jobs.jobs.iter().any(|j| {
                    matches!(j.what, crate::state::JobWhat::Checksums { .. }) && !j.done()
                });
            if running {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label("Computing checksums…");
                });
            } else if ui
                .button("Checksums…")
                .on_hover_text("CRC32, MD5, SHA-1, SHA-256, SHA-512 and BLAKE3 of this file")
                .clicked()
            {
                out.push(Action::Checksums(vec![node]));
            }
        }
    }
}

/// A file's digests, each with a copy button, and what the disc's own
/// checksum lists say about it.
pub fn digest_grid(
    ui: &mut egui::Ui,
    out: &mut Out,
    id: impl std::hash::Hash + std::fmt::Debug,
    f: &FileSums,
) {
    if let Some(e) = &f.error {
        ui.colored_label(ui.visuals().error_fg_color, format!("Cannot be read: {e}"));
        return;
    }
    ui.push_id(id, |ui| {
        for (algo, hex) in &f.digests {
            ui.horizontal(|ui| {
                ui.strong(*algo);
                if ui
                    .small_button("Copy")
                    .on_hover_text(format!("Copy the {algo}"))
                    .clicked()
                {
                    out.push(Action::CopyText(hex.clone()));
                }
            });
            // Long digests wrap rather than hide behind an ellipsis.
            ui.add(egui::Label::new(egui::RichText::new(hex).monospace()).wrap());
        }
    });
    let good = egui::Color32::from_rgb(0x2e, 0x9e, 0x4f);
    for l in &f.listed {
        if l.matches {
            ui.colored_label(good, format!("✔ {} matches {}", l.algorithm, l.list));
        } else {
            ui.colored_label(
                ui.visuals().error_fg_color,
                format!("✖ {} does NOT match {}", l.algorithm, l.list),
            );
        }
    }
}

fn image_properties(s: &Session, ui: &mut egui::Ui) {
    let info = &s.info;
    let mut rows = vec![
        (
            "File".to_string(),
            s.path
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_else(|| s.name.clone()),
        ),
        (
            "Size".into(),
            format!(
                "{} ({} bytes)",
                format::size(info.len),
                format::count(info.len)
            ),
        ),
        ("Format".into(), info.summary()),
        (
            "Views".into(),
            info.views
                .iter()
                .map(|v| v.label())
                .collect::<Vec<_>>()
                .join(", "),
        ),
    ];
    if let Some(p) = info.primary() {
        rows.push(("Volume label".into(), p.volume_identifier.clone()));
        rows.push(("System".into(), p.system_identifier.clone()));
        rows.push(("Publisher".into(), p.publisher_identifier.clone()));
        rows.push(("Preparer".into(), p.data_preparer_identifier.clone()));
        rows.push(("Application".into(), p.application_identifier.clone()));
        rows.push(("Volume set".into(), p.volume_set_identifier.clone()));
        if let Some(t) = p.volume_creation.time {
            rows.push(("Created".into(), format::time(t)));
        }
        if let Some(t) = p.volume_modification.time {
            rows.push(("Modified".into(), format::time(t)));
        }
        rows.push(("Block size".into(), p.logical_block_size.to_string()));
        rows.push((
            "Blocks".into(),
            format::count(u64::from(p.volume_space_size)),
        ));
    }
    if let Some(j) = info.joliet() {
        rows.push(("Joliet label".into(), j.volume_identifier.clone()));
    }
    if let Some(u) = &info.udf {
        udf_rows(u, &mut rows);
    }
    if let Some(b) = info.boot_catalog() {
        for (i, e) in b.entries.iter().enumerate() {
            rows.push((
                format!("Boot entry {}", i + 1),
                format!(
                    "{:?}, {:?}, {}{}",
                    e.platform,
                    e.emulation,
                    format::size(e.image_len),
                    if e.bootable { ", bootable" } else { "" }
                ),
            ));
        }
    }
    for t in &info.partitions {
        for p in &t.partitions {
            rows.push((
                format!("{:?} partition {}", t.scheme, p.number),
                format!(
                    "{} at sector {}, {}",
                    p.type_name,
                    p.start_sector,
                    format::size(p.sector_count.saturating_mul(512))
                ),
            ));
        }
    }
    if info.sessions.len() > 1 {
        for x in &info.sessions {
            let shown = if info.session == Some(x.number) {
                " (shown)"
            } else {
                ""
            };
            rows.push((
                format!("Session {}", x.number),
                format!(
                    "{}: from block {}, {} blocks{shown}",
                    x.volume_identifier,
                    format::count(u64::from(x.start_lba)),
                    format::count(u64::from(x.volume_space_size))
                ),
            ));
        }
    }
    rows.push((
        "Warnings".into(),
        if s.warnings.is_empty() {
            "none".into()
        } else {
            s.warnings.len().to_string()
        },
    ));
    grid(ui, "image_props", &rows);
    if !s.warnings.is_empty() {
        for w in &s.warnings {
            ui.colored_label(ui.visuals().warn_fg_color, format!("⚠ {w}"));
        }
    }
}

fn preview(m: &Model, ui: &mut egui::Ui, out: &mut Out) {
    let p = &m.tab().preview;
    let Some(node) = p.node else {
        ui.weak("Select a file to preview it.");
        return;
    };
    let kind = p.kind;
    ui.horizontal(|ui| {
        ui.heading("Preview");
        for (k, label) in [
            (PreviewKind::Text, "Text"),
            (PreviewKind::Picture, "Picture"),
            (PreviewKind::Hex { page: 0 }, "Hex"),
        ] {
            let on = match (kind, k) {
                (Some(PreviewKind::Hex { .. }), PreviewKind::Hex { .. }) => true,
                (a, b) => a == Some(b),
            };
            if ui.selectable_label(on, label).clicked() && !on {
                out.push(Action::Preview(k));
            }
        }
    });
    let _ = node;
    match &p.content {
        None => {
            ui.spinner();
        }
        Some(PreviewContent::Unavailable(why)) => {
            ui.weak(why.clone());
        }
        Some(PreviewContent::Text(t)) => {
            ui.add(egui::Label::new(egui::RichText::new(t.clone()).monospace()).wrap());
        }
        Some(PreviewContent::Picture { original, .. }) => {
            if let Some(tex) = &p.texture {
                let size = tex.size_vec2();
                let avail = ui.available_width().max(64.0);
                let scale = (avail / size.x).min(1.0);
                ui.image((tex.id(), size * scale));
            }
            ui.weak(format!("{} × {} pixels", original[0], original[1]));
        }
        Some(PreviewContent::Hex {
            page,
            offset,
            bytes,
            pages,
        }) => {
            let (page, pages) = (*page, *pages);
            ui.horizontal(|ui| {
                if ui.add_enabled(page > 0, egui::Button::new("◀")).clicked() {
                    out.push(Action::Preview(PreviewKind::Hex { page: page - 1 }));
                }
                ui.label(format!("page {} of {pages}", page + 1));
                if ui
                    .add_enabled(page + 1 < pages, egui::Button::new("▶"))
                    .clicked()
                {
                    out.push(Action::Preview(PreviewKind::Hex { page: page + 1 }));
                }
            });
            // Its own horizontal scroller, so the dump never widens the panel.
            let dump = hex_dump(*offset, bytes);
            egui::ScrollArea::horizontal()
                .id_salt("hex")
                .show(ui, |ui| {
                    ui.add(egui::Label::new(egui::RichText::new(dump).monospace()).extend());
                });
        }
    }
}

/// Classic hex dump: offset, 16 bytes, ASCII.
pub fn hex_dump(offset: u64, bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 4 + 64);
    for (i, chunk) in bytes.chunks(16).enumerate() {
        let at = offset + (i as u64) * 16;
        out.push_str(&format!("{at:08x}  "));
        for j in 0..16 {
            match chunk.get(j) {
                Some(b) => out.push_str(&format!("{b:02x} ")),
                None => out.push_str("   "),
            }
        }
        out.push(' ');
        out.extend(chunk.iter().map(|&b| {
            if b.is_ascii_graphic() || b == b' ' {
                b as char
            } else {
                '.'
            }
        }));
        out.push('\n');
    }
    out
}

/// The UDF volume's rows: revision, identifiers, block size, partition
/// maps, anchors and the integrity descriptor's numbers.
fn udf_rows(u: &iso_core::udf::VolumeInfo, rows: &mut Vec<(String, String)>) {
    let rev = |r: u16| format!("{}.{:02x}", r >> 8, r & 0xff);
    rows.push((
        "UDF".into(),
        format!(
            "{} ({}), {}-byte blocks",
            u.revision_text(),
            u.nsr,
            u.block_len
        ),
    ));
    if !u.logical_volume_identifier.is_empty() {
        rows.push(("UDF volume".into(), u.logical_volume_identifier.clone()));
    }
    for (i, m) in u.maps.iter().enumerate() {
        let detail = if m.detail.is_empty() {
            String::new()
        } else {
            format!(", {}", m.detail)
        };
        rows.push((
            format!("UDF partition map {i}"),
            format!("{} (partition {}{detail})", m.kind, m.partition_number),
        ));
    }
    rows.push((
        "UDF anchors".into(),
        u.anchors
            .iter()
            .map(|a| a.to_string())
            .collect::<Vec<_>>()
            .join(", "),
    ));
    if let Some(i) = &u.integrity {
        let n = |x: Option<u32>| x.map_or("?".to_string(), |v| format::count(u64::from(v)));
        rows.push((
            "UDF integrity".into(),
            format!(
                "{}; {} files, {} folders",
                if i.closed { "closed" } else { "open" },
                n(i.number_of_files),
                n(i.number_of_directories)
            ),
        ));
        if let (Some(lo), Some(hi)) = (i.minimum_udf_read_revision, i.maximum_udf_write_revision) {
            rows.push((
                "UDF revisions".into(),
                format!("read ≥ {}, written ≤ {}", rev(lo), rev(hi)),
            ));
        }
    }
    if !u.from_reserve.is_empty() {
        rows.push((
            "UDF reserve copy used for".into(),
            u.from_reserve.join(", "),
        ));
    }
}
