//! "Open" on a file: it is extracted through iso-core's engine into a
//! folder of this session's temporary folder (one folder per open, files
//! made read-only, everything removed when the app quits), then handed to
//! the platform opener. An executable is not run: its folder is shown.
//!
//! The opener is a trait so tests put in a fake that records what it was
//! asked to open ([`RecordingOpener`], chosen with `ISOSCOPE_FAKE_OPENER`
//! for runs of the real window).

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use iso_core::{Image, NodeId, Tree};

use crate::extract_job::{self, CancelFlag, Counters, JobSummary};

/// What the opener was asked to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenHow {
    /// In the default application.
    Default,
    /// Through the platform's "Open with" chooser.
    Choose,
    /// Show the folder holding it (executables are not run).
    ShowFolder,
}

impl OpenHow {
    /// "open", "open-with", "show-folder" (the fake opener's log).
    pub fn as_str(self) -> &'static str {
        match self {
            OpenHow::Default => "open",
            OpenHow::Choose => "open-with",
            OpenHow::ShowFolder => "show-folder",
        }
    }
}

/// Hands files to the desktop.
pub trait Opener: Send + Sync + std::fmt::Debug {
    /// Opens `path` as `how` says.
    ///
    /// # Errors
    /// A sentence saying why the desktop refused.
    fn open(&self, path: &Path, how: OpenHow) -> Result<(), String>;

    /// Whether [`OpenHow::Choose`] shows a chooser on this platform.
    fn offers_chooser(&self) -> bool;
}

/// The platform's opener (`xdg-open`/`gio` on Linux, `open` on macOS,
/// `ShellExecute` on Windows, through the `opener` crate).
#[derive(Debug, Default)]
pub struct SystemOpener;

impl Opener for SystemOpener {
    fn open(&self, path: &Path, how: OpenHow) -> Result<(), String> {
        match how {
            OpenHow::Default => opener::open(path).map_err(|e| e.to_string()),
            OpenHow::ShowFolder => {
                let dir = path.parent().unwrap_or(path);
                opener::open(dir).map_err(|e| e.to_string())
            }
            OpenHow::Choose => choose(path),
        }
    }

    fn offers_chooser(&self) -> bool {
        cfg!(windows)
    }
}

/// Windows' "Open with" dialog.
#[cfg(windows)]
fn choose(path: &Path) -> Result<(), String> {
    std::process::Command::new("rundll32.exe")
        .arg("shell32.dll,OpenAs_RunDLL")
        .arg(path)
        .spawn()
        .map(drop)
        .map_err(|e| format!("cannot show the Open with dialog: {e}"))
}

#[cfg(not(windows))]
fn choose(path: &Path) -> Result<(), String> {
    Err(format!(
        "this desktop offers no application chooser for {}",
        path.display()
    ))
}

/// A fake opener: records every request, and appends `HOW\tPATH` lines to
/// a log file when given one (the Xvfb tests read it).
#[derive(Debug, Default)]
pub struct RecordingOpener {
    log: Option<PathBuf>,
    seen: Mutex<Vec<(OpenHow, PathBuf)>>,
}

impl RecordingOpener {
    /// Records to memory only.
    pub fn new() -> RecordingOpener {
        RecordingOpener::default()
    }

    /// Records to memory and appends to `log`.
    pub fn with_log(log: PathBuf) -> RecordingOpener {
        RecordingOpener {
            log: Some(log),
            ..RecordingOpener::default()
        }
    }

    /// What it was asked so far.
    pub fn seen(&self) -> Vec<(OpenHow, PathBuf)> {
        self.seen.lock().map(|s| s.clone()).unwrap_or_default()
    }
}

impl Opener for RecordingOpener {
    fn open(&self, path: &Path, how: OpenHow) -> Result<(), String> {
        if let Ok(mut s) = self.seen.lock() {
            s.push((how, path.to_path_buf()));
        }
        if let Some(log) = &self.log {
            let mut f = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(log)
                .map_err(|e| e.to_string())?;
            writeln!(f, "{}\t{}", how.as_str(), path.display()).map_err(|e| e.to_string())?;
        }
        Ok(())
    }

    fn offers_chooser(&self) -> bool {
        true
    }
}

/// The opener for this run: the fake when `ISOSCOPE_FAKE_OPENER=LOG` is
/// set, else the system's.
pub fn from_env() -> std::sync::Arc<dyn Opener> {
    match std::env::var_os("ISOSCOPE_FAKE_OPENER").filter(|v| !v.is_empty()) {
        Some(log) => std::sync::Arc::new(RecordingOpener::with_log(PathBuf::from(log))),
        None => std::sync::Arc::new(SystemOpener),
    }
}

/// A new session's temporary folder for opened files (one per window:
/// named after the process and a counter).
pub fn session_dir() -> PathBuf {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    std::env::temp_dir().join(format!("isoscope-open-{}-{n}", std::process::id()))
}

/// Removes the session folders of processes that are gone (a crash skips
/// the clean-up on quit). Linux only: there `/proc` says which live.
pub fn remove_stale_session_dirs() {
    if !cfg!(target_os = "linux") {
        return;
    }
    let Ok(rd) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for e in rd.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(pid) = name
            .strip_prefix("isoscope-open-")
            .and_then(|r| r.split('-').next())
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        if pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists() {
            remove_session_dir(&e.path());
        }
    }
}

/// Removes a session folder, read-only files and all.
pub fn remove_session_dir(dir: &Path) {
    fn writable(p: &Path) {
        if let Ok(rd) = std::fs::read_dir(p) {
            for e in rd.flatten() {
                let path = e.path();
                if let Ok(meta) = std::fs::symlink_metadata(&path) {
                    if meta.is_dir() {
                        writable(&path);
                    }
                    let mut perm = meta.permissions();
                    #[allow(clippy::permissions_set_readonly_false)]
                    perm.set_readonly(false);
                    let _ = std::fs::set_permissions(&path, perm);
                }
            }
        }
    }
    writable(dir);
    let _ = std::fs::remove_dir_all(dir);
}

/// Whether a file looks like a program (run, not opened, by a double
/// click): an executable mode bit, or a Windows program extension.
pub fn is_executable(tree: &Tree, node: NodeId) -> bool {
    let mode_x = tree.unix(node).is_some_and(|u| u.mode & 0o111 != 0);
    let ext = crate::format::extension(tree.name(node)).map(str::to_ascii_lowercase);
    let win = matches!(
        ext.as_deref(),
        Some(
            "exe"
                | "com"
                | "bat"
                | "cmd"
                | "msi"
                | "scr"
                | "ps1"
                | "vbs"
                | "lnk"
                | "app"
                | "appimage"
                | "run"
                | "sh"
        )
    );
    mode_x || win
}

/// Extracts `node` into `dir` (created, expected empty) and makes what was
/// written read-only. Returns the summary and the file written.
pub fn run(
    image: &Image,
    tree: &Tree,
    node: NodeId,
    dir: &Path,
    counters: &Counters,
    cancel: &CancelFlag,
) -> (JobSummary, Option<PathBuf>) {
    if let Err(e) = std::fs::create_dir_all(dir) {
        let summary = JobSummary {
            error: Some(format!("cannot create {}: {e}", dir.display())),
            ..JobSummary::default()
        };
        return (summary, None);
    }
    let req = extract_job::Request {
        image,
        tree,
        nodes: &[node],
        dest: dir,
        ask: None,
        // Opened files stay read-only: they are a look at the image.
        writable: false,
    };
    let summary = extract_job::run(&req, counters, cancel);
    if summary.cancelled || summary.error.is_some() || !summary.failed.is_empty() {
        return (summary, None);
    }
    // The folder is this open's own: what is in it is what the engine
    // wrote, under the host name it chose.
    let file = std::fs::read_dir(dir)
        .ok()
        .and_then(|mut rd| rd.next())
        .and_then(Result::ok)
        .map(|e| e.path());
    if let Some(f) = &file {
        if let Ok(meta) = std::fs::metadata(f) {
            let mut perm = meta.permissions();
            perm.set_readonly(true);
            let _ = std::fs::set_permissions(f, perm);
        }
    }
    (summary, file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fake_opener_logs_each_request() {
        let dir = tempfile::tempdir().expect("tmp");
        let log = dir.path().join("log");
        let o = RecordingOpener::with_log(log.clone());
        o.open(Path::new("/tmp/a b.txt"), OpenHow::Default)
            .expect("open");
        o.open(Path::new("/tmp/x/setup.exe"), OpenHow::ShowFolder)
            .expect("open");
        assert_eq!(
            std::fs::read_to_string(&log).expect("log"),
            "open\t/tmp/a b.txt\nshow-folder\t/tmp/x/setup.exe\n"
        );
        assert_eq!(o.seen().len(), 2);
    }

    #[test]
    fn session_folders_are_removed_with_read_only_files() {
        let dir = tempfile::tempdir().expect("tmp");
        let s = dir.path().join("session");
        std::fs::create_dir_all(s.join("job-1")).expect("mkdir");
        let f = s.join("job-1").join("a.txt");
        std::fs::write(&f, "x").expect("write");
        let mut p = std::fs::metadata(&f).expect("meta").permissions();
        p.set_readonly(true);
        std::fs::set_permissions(&f, p).expect("chmod");
        remove_session_dir(&s);
        assert!(!s.exists());
    }
}
