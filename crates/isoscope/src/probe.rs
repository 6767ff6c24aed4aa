//! `ISOSCOPE_PROBE=FILE`: where the visible rows are on screen, for tests
//! that drive the real window from outside (xdotool under Xvfb) and so see
//! only pixels. The kittest tests read egui's state directly and do not
//! need it.
//!
//! Off unless the variable is set. Then, after every frame whose rows
//! moved, FILE is replaced (written beside it, then renamed, so a reader
//! never sees half a file) with one line per visible row:
//! `PANE\tX\tY\tNAME`, where PANE is `table`, `tree` or `menu` (an open
//! context menu's items) and X, Y the row's
//! centre in physical pixels from the window's top-left corner. Writing
//! the file is the one piece of I/O done in a frame; it only happens in
//! this test mode.

use std::fmt::Write as _;
use std::path::PathBuf;

/// Rows seen this frame and the file they go to.
#[derive(Debug, Default)]
pub struct Probe {
    path: Option<PathBuf>,
    rows: Vec<(&'static str, egui::Pos2, String)>,
    written: String,
}

impl Probe {
    /// Reads `ISOSCOPE_PROBE`.
    pub fn from_env() -> Probe {
        Probe {
            path: std::env::var_os("ISOSCOPE_PROBE")
                .filter(|p| !p.is_empty())
                .map(PathBuf::from),
            ..Probe::default()
        }
    }

    /// Whether rows are being recorded.
    pub fn enabled(&self) -> bool {
        self.path.is_some()
    }

    /// Records a row of `pane` drawn in `rect` (egui points).
    pub fn row(&mut self, pane: &'static str, rect: egui::Rect, name: &str) {
        // The first frames lay out before sizes are known: skip those.
        if self.enabled() && rect.is_finite() {
            self.rows.push((pane, rect.center(), name.to_string()));
        }
    }

    /// Writes this frame's rows when they differ from the last written.
    pub fn flush(&mut self, pixels_per_point: f32) {
        let Some(path) = &self.path else { return };
        let mut text = String::new();
        for (pane, c, name) in self.rows.drain(..) {
            let _ = writeln!(
                text,
                "{pane}\t{:.0}\t{:.0}\t{name}",
                c.x * pixels_per_point,
                c.y * pixels_per_point
            );
        }
        if text == self.written {
            return;
        }
        let tmp = path.with_extension("tmp");
        if std::fs::write(&tmp, &text).is_ok() && std::fs::rename(&tmp, path).is_ok() {
            self.written = text;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_written_once_in_physical_pixels() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("rows.txt");
        let mut p = Probe {
            path: Some(path.clone()),
            ..Probe::default()
        };
        let rect = egui::Rect::from_min_size(egui::pos2(10.0, 20.0), egui::vec2(100.0, 22.0));
        p.row("table", rect, "README.txt");
        p.flush(2.0);
        assert_eq!(
            std::fs::read_to_string(&path).expect("written"),
            "table\t120\t62\tREADME.txt\n"
        );
        // The same rows again: the file is left alone (removed here to see it).
        std::fs::remove_file(&path).expect("rm");
        p.row("table", rect, "README.txt");
        p.flush(2.0);
        assert!(!path.exists());
        // Nothing recorded when off.
        let mut off = Probe::default();
        off.row("tree", rect, "x");
        assert!(off.rows.is_empty());
    }
}
