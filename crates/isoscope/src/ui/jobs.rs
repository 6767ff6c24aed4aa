//! The jobs panel: progress bars with rate, ETA, current file and Cancel;
//! summaries with "Open folder"; verification results.

use super::Out;
use crate::actions::Action;
use crate::format;
use crate::model::Model;
use crate::state::{JobStatus, JobView, JobWhat};

pub fn panel(m: &Model, ui: &mut egui::Ui, out: &mut Out) {
    egui::ScrollArea::vertical()
        .auto_shrink([false, true])
        .show(ui, |ui| {
            // Newest first: the job just started is the one people look for.
            for job in m.jobs.jobs.iter().rev() {
                ui.group(|ui| one(ui, out, job));
            }
        });
}

fn fraction(done: u64, total: u64) -> f32 {
    if total == 0 {
        1.0
    } else {
        (done as f64 / total as f64).clamp(0.0, 1.0) as f32
    }
}

fn title(job: &JobView) -> String {
    match &job.what {
        JobWhat::Extract { dest } => format!("Extract to {}", dest.display()),
        JobWhat::Verify => "Verify image".into(),
        JobWhat::DragOut { dest } => format!("Drag out to {}", dest.display()),
        JobWhat::Open { name, .. } => format!("Open {name}"),
        JobWhat::Checksums { .. } => "Checksums".into(),
        JobWhat::Test => "Test image".into(),
    }
}

fn one(ui: &mut egui::Ui, out: &mut Out, job: &JobView) {
    ui.horizontal(|ui| {
        ui.strong(title(job));
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            if job.done() {
                if ui.button("Dismiss").clicked() {
                    out.push(Action::DismissJob(job.id));
                }
            } else if ui
                .add_enabled(!job.cancelling, egui::Button::new("Cancel"))
                .clicked()
            {
                out.push(Action::CancelJob(job.id));
            }
        });
    });
    let p = &job.progress;
    match &job.status {
        JobStatus::Queued => {
            ui.weak("Waiting for the jobs before it…");
        }
        JobStatus::Running => {
            ui.add(egui::ProgressBar::new(fraction(p.bytes_done, p.bytes_total)).show_percentage());
            let eta = job
                .eta()
                .map(format::duration)
                .unwrap_or_else(|| "–".into());
            ui.label(format!(
                "{} of {} · {} of {} files · {}/s · {} left",
                format::size(p.bytes_done),
                format::size(p.bytes_total),
                format::count(p.files_done),
                format::count(p.files_total),
                format::size(job.rate() as u64),
                eta
            ));
            if !p.current.is_empty() {
                ui.add(egui::Label::new(format!("Now: {}", p.current)).truncate());
            }
            if job.cancelling {
                ui.weak("Cancelling…");
            }
        }
        JobStatus::Opened(s) => {
            if let Some(e) = s.error.as_ref().or(s.failed.first().map(|f| &f.1)) {
                ui.colored_label(ui.visuals().error_fg_color, format!("Cannot open it: {e}"));
            } else if s.cancelled {
                ui.weak("Cancelled.");
            } else {
                ui.label("Opened.");
            }
        }
        JobStatus::Checksummed(r) => checksums(ui, out, job.id.0, r),
        JobStatus::Tested(r) => tested(ui, job.id.0, r),
        JobStatus::Extracted(s) => {
            if let Some(e) = &s.error {
                ui.colored_label(
                    ui.visuals().error_fg_color,
                    format!("Extraction failed: {e}"),
                );
            } else if s.cancelled {
                ui.colored_label(
                    ui.visuals().warn_fg_color,
                    "Cancelled: completed files were kept, no partial file left.",
                );
            } else {
                ui.label(format!(
                    "Done: {} files, {} in {}",
                    format::count(s.files),
                    format::size(s.bytes),
                    format::duration(job.elapsed.unwrap_or(0.0))
                ));
            }
            if s.error.is_some() || s.cancelled {
                ui.label(format!(
                    "{} files, {} written",
                    format::count(s.files),
                    format::size(s.bytes)
                ));
            }
            if !s.skipped.is_empty() {
                ui.collapsing(format!("{} skipped", s.skipped.len()), |ui| {
                    for (p, why) in &s.skipped {
                        ui.label(format!("{p}: {why}"));
                    }
                });
            }
            if !s.failed.is_empty() {
                ui.collapsing(format!("{} failed", s.failed.len()), |ui| {
                    for (p, why) in &s.failed {
                        ui.colored_label(ui.visuals().error_fg_color, format!("{p}: {why}"));
                    }
                });
            }
            if !s.dest.as_os_str().is_empty() && ui.button("Open folder").clicked() {
                out.push(Action::OpenFolder(s.dest.clone()));
            }
        }
        JobStatus::Verified(r) => {
            if let Some(e) = &r.error {
                ui.colored_label(
                    ui.visuals().error_fg_color,
                    format!("Verification failed: {e}"),
                );
            } else if r.cancelled {
                ui.weak("Cancelled.");
            }
            egui::Grid::new(("digests", job.id.0))
                .num_columns(2)
                .show(ui, |ui| {
                    for d in &r.digests {
                        ui.strong(d.algorithm);
                        ui.add(
                            egui::Label::new(egui::RichText::new(&d.hex).monospace()).truncate(),
                        );
                        ui.end_row();
                    }
                });
            if r.digests.is_empty() {
                return;
            }
            if r.listed.is_empty() {
                ui.weak("No checksum file beside the image names it.");
            }
            for l in &r.listed {
                let name = l
                    .file
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                if l.matches {
                    ui.colored_label(
                        egui::Color32::from_rgb(0x2e, 0x9e, 0x4f),
                        format!("✔ {} matches {name}", l.algorithm),
                    );
                } else {
                    ui.colored_label(
                        ui.visuals().error_fg_color,
                        format!("✖ {} does NOT match {name}", l.algorithm),
                    );
                }
            }
            inside_lists(ui, job.id.0, &r.inside);
        }
    }
}

/// The disc's own checksum lists: a line per list, the failing files below.
fn inside_lists(ui: &mut egui::Ui, id: u64, lists: &[crate::verify_job::InsideList]) {
    let good = egui::Color32::from_rgb(0x2e, 0x9e, 0x4f);
    let bad = ui.visuals().error_fg_color;
    for l in lists {
        if let Some(e) = &l.error {
            ui.colored_label(bad, format!("✖ {} cannot be read: {e}", l.list));
            continue;
        }
        if l.matched == l.total {
            ui.colored_label(
                good,
                format!("✔ all {} files listed in {} match", l.total, l.list),
            );
            continue;
        }
        ui.colored_label(
            bad,
            format!(
                "✖ {} of {} files listed in {} do NOT match",
                l.total - l.matched,
                l.total,
                l.list
            ),
        );
        egui::CollapsingHeader::new("Files that differ")
            .id_salt(("inside", id, &l.list))
            .default_open(true)
            .show(ui, |ui| {
                for (name, why) in &l.failures {
                    ui.label(format!("{name}: {why}"));
                }
                let more = (l.total - l.matched).saturating_sub(l.failures.len());
                if more > 0 {
                    ui.weak(format!("… and {more} more"));
                }
            });
    }
}

/// Checksums of files: one block per file, each digest with a copy button.
fn checksums(ui: &mut egui::Ui, out: &mut Out, id: u64, r: &crate::checksum_job::ChecksumReport) {
    if r.cancelled {
        ui.weak("Cancelled.");
    }
    if r.left_out > 0 {
        ui.weak(format!(
            "{} more files were left out.",
            format::count(r.left_out as u64)
        ));
    }
    ui.weak(format!(
        "{} file(s): select one to see its checksums in Properties, or open it here.",
        format::count(r.files.len() as u64)
    ));
    for (i, f) in r.files.iter().enumerate() {
        egui::CollapsingHeader::new(&f.path)
            .id_salt(("sums", id, i))
            .default_open(false)
            .show(ui, |ui| {
                super::side::digest_grid(ui, out, ("sumgrid", id, i), f)
            });
    }
}

/// Test image: the summary, then what failed and where.
fn tested(ui: &mut egui::Ui, id: u64, r: &crate::test_job::TestReport) {
    if r.cancelled {
        ui.colored_label(ui.visuals().warn_fg_color, "Cancelled.");
    }
    let summary = r.summary();
    if r.failed == 0 && r.warnings.is_empty() {
        ui.colored_label(
            egui::Color32::from_rgb(0x2e, 0x9e, 0x4f),
            format!("✔ {summary}"),
        );
        return;
    }
    ui.colored_label(ui.visuals().error_fg_color, format!("✖ {summary}"));
    for w in &r.warnings {
        ui.colored_label(ui.visuals().warn_fg_color, format!("⚠ {w}"));
    }
    if r.failed == 0 {
        return;
    }
    egui::CollapsingHeader::new("Files that cannot be read")
        .id_salt(("test", id))
        .default_open(true)
        .show(ui, |ui| {
            for f in &r.failures {
                ui.label(format!("{}: {}", f.path, f.what));
            }
            let more = r.failed.saturating_sub(r.failures.len() as u64);
            if more > 0 {
                ui.weak(format!("… and {more} more"));
            }
        });
}
