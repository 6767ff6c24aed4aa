//! Everything remembered between runs: one serde struct, saved as RON in
//! the `directories` config folder (`~/.config/isoscope/settings.ron` on
//! Linux). It holds no handles. Loaded once before the window opens; saved
//! by the worker (never inside a frame).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::protocol::Sort;

/// Most recent images remembered.
pub const MAX_RECENT: usize = 10;

/// Light, dark or whatever the system says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum ThemeChoice {
    /// Follow the system.
    #[default]
    System,
    /// Always light.
    Light,
    /// Always dark.
    Dark,
}

/// Which side panels are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Panels {
    /// The folder tree on the left.
    pub tree: bool,
    /// Properties on the right.
    pub properties: bool,
    /// Preview below the properties.
    pub preview: bool,
}

impl Default for Panels {
    fn default() -> Self {
        Panels {
            tree: true,
            properties: true,
            preview: true,
        }
    }
}

/// The remembered state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Recently opened images, newest first.
    pub recent: Vec<PathBuf>,
    /// The view chosen per image (by path), as `View::as_str`.
    pub views: BTreeMap<String, String>,
    /// The last extraction destination.
    pub last_dest: Option<PathBuf>,
    /// Widths of the table columns (name, size, modified, type).
    pub column_widths: Vec<f32>,
    /// Panel visibility.
    pub panels: Panels,
    /// Theme.
    pub theme: ThemeChoice,
    /// Inner window size in points.
    pub window_size: Option<[f32; 2]>,
    /// Listing order.
    pub sort: Sort,
    /// The images open in tabs at the end of the last run, in tab order
    /// (restored when their files still exist).
    pub open_tabs: Vec<PathBuf>,
    /// The tab shown at the end of the last run.
    pub active_tab: usize,
    /// Extracted files get the owner's write permission (the image's
    /// modes are usually read-only).
    pub writable: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            recent: Vec::new(),
            views: BTreeMap::new(),
            last_dest: None,
            column_widths: Vec::new(),
            panels: Panels::default(),
            theme: ThemeChoice::System,
            window_size: None,
            sort: Sort::default(),
            open_tabs: Vec::new(),
            active_tab: 0,
            writable: true,
        }
    }
}

impl Settings {
    /// Puts `path` first in the recent list (at most [`MAX_RECENT`]).
    pub fn add_recent(&mut self, path: &Path) {
        self.recent.retain(|p| p != path);
        self.recent.insert(0, path.to_path_buf());
        self.recent.truncate(MAX_RECENT);
    }

    /// The settings file: `<config dir>/settings.ron`.
    pub fn default_path() -> Option<PathBuf> {
        directories::ProjectDirs::from("org", "Isoscope", "isoscope")
            .map(|d| d.config_dir().join("settings.ron"))
    }

    /// Reads `path`; a missing or unreadable file gives the defaults and a
    /// message saying why (None when the file simply does not exist yet).
    pub fn load(path: &Path) -> (Settings, Option<String>) {
        match std::fs::read_to_string(path) {
            Ok(text) => match ron::from_str(&text) {
                Ok(s) => (s, None),
                Err(e) => (
                    Settings::default(),
                    Some(format!("settings in {} ignored: {e}", path.display())),
                ),
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => (Settings::default(), None),
            Err(e) => (
                Settings::default(),
                Some(format!("cannot read {}: {e}", path.display())),
            ),
        }
    }

    /// Writes the settings to `path` (through a temporary file).
    ///
    /// # Errors
    /// A sentence naming the file when it cannot be written.
    pub fn save(&self, path: &Path) -> Result<(), String> {
        let text = ron::ser::to_string_pretty(self, ron::ser::PrettyConfig::default())
            .map_err(|e| format!("cannot encode settings: {e}"))?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        let tmp = path.with_extension("ron.tmp");
        std::fs::write(&tmp, text).map_err(|e| format!("cannot write {}: {e}", tmp.display()))?;
        std::fs::rename(&tmp, path).map_err(|e| format!("cannot write {}: {e}", path.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_ron() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("s.ron");
        let mut s = Settings::default();
        for i in 0..12 {
            s.add_recent(Path::new(&format!("/img/{i}.iso")));
        }
        s.views.insert("/img/1.iso".into(), "joliet".into());
        s.theme = ThemeChoice::Dark;
        s.save(&p).unwrap();
        let (back, msg) = Settings::load(&p);
        assert_eq!(msg, None);
        assert_eq!(back, s);
        assert_eq!(back.recent.len(), MAX_RECENT);
        assert_eq!(back.recent[0], Path::new("/img/11.iso"));
    }

    #[test]
    fn garbage_gives_defaults_and_a_message() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("s.ron");
        std::fs::write(&p, "not ron {").unwrap();
        let (s, msg) = Settings::load(&p);
        assert_eq!(s, Settings::default());
        assert!(msg.unwrap().contains("ignored"));
    }
}
