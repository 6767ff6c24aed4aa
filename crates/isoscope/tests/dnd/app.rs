//! The real app: the `isoscope` binary started on the sample image under
//! Xvfb, rows dragged out of its window with xdotool (press, ~20 small
//! moves, release) onto the test's XDND target, and the files that arrive
//! compared with what `make-sample.sh` put on the disc. The app reports
//! where its rows are through `ISOSCOPE_PROBE` (see `isoscope::probe`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use md5::{Digest as _, Md5};

use super::target::{Mode, Target};
use super::xserver::Xvfb;
use super::SERIAL;

/// The screen: the app's default 1100×700 window at the left, room for
/// the target on the right.
const SCREEN: &str = "1600x900x24";
const TARGET: (i16, i16, u16, u16) = (1250, 200, 300, 300);

fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/sample.iso")
}

/// `xdotool ARGS` on `display`; its standard output.
fn xdo(display: &str, args: &[&str]) -> String {
    let out = Command::new("xdotool")
        .args(args)
        .env("DISPLAY", display)
        .output()
        .expect("xdotool runs (apt-get install -y xdotool)");
    assert!(
        out.status.success(),
        "xdotool {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn have_xdotool() -> bool {
    let found = Command::new("xdotool")
        .arg("version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok();
    if !found {
        // CI installs it (.ci/run, test.sh): there a missing xdotool is a failure.
        assert!(std::env::var_os("CI").is_none(), "xdotool is not installed");
        eprintln!("SKIP: xdotool is not installed (apt-get install -y xdotool)");
    }
    found
}

/// The app process on one X server, with its own config and temp folders;
/// killed on drop.
struct RunningApp {
    child: Child,
    probe: PathBuf,
    display: String,
    home: tempfile::TempDir,
    /// The window's top-left corner on the screen.
    origin: (i32, i32),
}

impl Drop for RunningApp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl RunningApp {
    fn start(display: &str, image: &Path) -> RunningApp {
        RunningApp::start_with(display, image, &[])
    }

    /// As `start`, with more environment variables.
    fn start_with(display: &str, image: &Path, env: &[(&str, &std::ffi::OsStr)]) -> RunningApp {
        let home = tempfile::tempdir().expect("home");
        let probe = home.path().join("rows.txt");
        for d in ["config", "tmp"] {
            std::fs::create_dir(home.path().join(d)).expect("dir");
        }
        let child = Command::new(env!("CARGO_BIN_EXE_isoscope"))
            .arg(image)
            .env("DISPLAY", display)
            .env_remove("WAYLAND_DISPLAY")
            .env_remove("WAYLAND_SOCKET")
            .env("HOME", home.path())
            .env("XDG_CONFIG_HOME", home.path().join("config"))
            .env("TMPDIR", home.path().join("tmp"))
            .env("ISOSCOPE_PROBE", &probe)
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .spawn()
            .expect("start isoscope");
        let mut app = RunningApp {
            child,
            probe,
            display: display.to_string(),
            home,
            origin: (0, 0),
        };
        app.origin = app.window_origin();
        app
    }

    /// Finds the app's window (its WM_CLASS class is `isoscope`) and its position.
    fn window_origin(&mut self) -> (i32, i32) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("isoscope exited early: {status}");
            }
            let found = Command::new("xdotool")
                .args(["search", "--onlyvisible", "--class", "isoscope"])
                .env("DISPLAY", &self.display)
                .output()
                .expect("xdotool");
            let ids = String::from_utf8_lossy(&found.stdout).into_owned();
            if let Some(id) = ids.split_whitespace().next() {
                let geo = xdo(&self.display, &["getwindowgeometry", "--shell", id]);
                let field = |k: &str| {
                    geo.lines()
                        .find_map(|l| l.strip_prefix(k))
                        .and_then(|v| v.trim().parse::<i32>().ok())
                        .expect("geometry field")
                };
                return (field("X="), field("Y="));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("the isoscope window did not appear within 60 s");
    }

    /// Waits until the probe lists a row `name` in `pane`; its centre on the screen.
    fn row(&mut self, pane: &str, name: &str) -> (i32, i32) {
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut last = String::new();
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("isoscope exited: {status}");
            }
            last = std::fs::read_to_string(&self.probe).unwrap_or_default();
            for line in last.lines() {
                let f: Vec<&str> = line.splitn(4, '\t').collect();
                if let [p, x, y, n] = f[..] {
                    if let (true, Ok(x), Ok(y)) =
                        (p == pane && n == name, x.parse::<i32>(), y.parse::<i32>())
                    {
                        return (self.origin.0 + x, self.origin.1 + y);
                    }
                }
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("no {pane} row {name:?} within 60 s; the probe said:\n{last}");
    }

    /// Presses on `from`, moves to `to` in 20 steps and releases there.
    fn drag(&self, from: (i32, i32), to: (i32, i32)) {
        let d = &self.display;
        let at = |p: (i32, i32)| vec![p.0.to_string(), p.1.to_string()];
        let mv = |p: (i32, i32)| {
            let a = at(p);
            xdo(d, &["mousemove", &a[0], &a[1]]);
        };
        mv(from);
        std::thread::sleep(Duration::from_millis(300));
        xdo(d, &["mousedown", "1"]);
        std::thread::sleep(Duration::from_millis(200));
        for i in 1..=20 {
            mv((
                from.0 + (to.0 - from.0) * i / 20,
                from.1 + (to.1 - from.1) * i / 20,
            ));
            std::thread::sleep(Duration::from_millis(60));
        }
        // Let the target answer the positions before the drop.
        std::thread::sleep(Duration::from_millis(400));
        xdo(d, &["mouseup", "1"]);
    }

    /// Clicks `button` (1 left, 3 right) at `at`, `n` times.
    fn click(&self, at: (i32, i32), button: &str, n: u32) {
        let (x, y) = (at.0.to_string(), at.1.to_string());
        xdo(&self.display, &["mousemove", &x, &y]);
        std::thread::sleep(Duration::from_millis(300));
        let n = n.to_string();
        xdo(
            &self.display,
            &["click", "--repeat", &n, "--delay", "80", button],
        );
    }

    /// The staging folders the app made under its TMPDIR.
    fn staging_dirs(&self) -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = std::fs::read_dir(self.home.path().join("tmp"))
            .expect("tmp")
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("isoscope-drag-"))
            })
            .collect();
        v.sort();
        v
    }
}

fn target_centre() -> (i32, i32) {
    (
        i32::from(TARGET.0) + i32::from(TARGET.2) / 2,
        i32::from(TARGET.1) + i32::from(TARGET.3) / 2,
    )
}

/// `data.bin` as make-sample.sh writes it: bytes 0..=255, 192 times.
fn data_bin() -> Vec<u8> {
    (0..192).flat_map(|_| 0..=255u8).collect()
}

/// The disc's own md5sum.txt (made by GNU md5sum when the sample was
/// built): path below the root → MD5 in hex.
fn md5sum_txt() -> BTreeMap<String, String> {
    let image =
        iso_core::Image::open(&sample(), &iso_core::OpenOptions::default()).expect("sample opens");
    let view = image.default_view().expect("a view");
    let tree = image.tree(view).expect("tree");
    let node = tree.lookup("/md5sum.txt").expect("md5sum.txt on the disc");
    let mut text = String::new();
    std::io::Read::read_to_string(&mut image.open_file(&tree, node).expect("open"), &mut text)
        .expect("read");
    text.lines()
        .filter_map(|l| l.split_once("  "))
        .map(|(sum, path)| (path.trim_start_matches("./").to_string(), sum.to_string()))
        .collect()
}

fn md5_hex(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Md5::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        if c == b'%' {
            let hex = std::str::from_utf8(&b[i + 1..i + 3]).expect("hex");
            out.push(u8::from_str_radix(hex, 16).expect("hex"));
            i += 3;
        } else {
            out.push(c);
            i += 1;
        }
    }
    String::from_utf8(out).expect("utf-8")
}

/// This test's turn on the machine and its X server; None (skipped) where
/// Xvfb or xdotool is missing outside CI.
fn screen() -> Option<(std::sync::MutexGuard<'static, ()>, Xvfb)> {
    let serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    if !have_xdotool() {
        return None;
    }
    Some((serial, Xvfb::start_sized(SCREEN)?))
}

#[test]
fn app_drags_a_table_row_into_an_xds_folder() {
    let Some((_serial, x)) = screen() else {
        return;
    };
    let dest = tempfile::tempdir().expect("dest");
    let mut app = RunningApp::start(&x.display, &sample());
    let row = app.row("table", "data.bin");
    let target = Target::spawn(&x.display, TARGET, Mode::Xds(dest.path().to_path_buf()));
    app.drag(row, target_centre());
    let report = target.wait(Duration::from_secs(60));
    assert!(report.dropped, "the target saw no drop: {report:?}");
    assert_eq!(report.types, ["XdndDirectSave0", "text/uri-list"]);
    assert_eq!(report.xds_name.as_deref(), Some("data.bin"));
    assert_eq!(report.xds_answer.as_deref(), Some(&b"S"[..]), "XDS success");
    let got = std::fs::read(dest.path().join("data.bin")).expect("data.bin arrived");
    assert!(got == data_bin(), "data.bin differs ({} bytes)", got.len());
    // Extracted straight into the target's folder: nothing staged, no temp files left.
    assert!(app.staging_dirs().is_empty());
    let names: Vec<_> = std::fs::read_dir(dest.path())
        .expect("dest")
        .filter_map(Result::ok)
        .map(|e| e.file_name())
        .collect();
    assert_eq!(names, ["data.bin"]);
}

#[test]
fn app_drags_a_folder_from_the_tree_as_a_uri_list() {
    let Some((_serial, x)) = screen() else {
        return;
    };
    let sums = md5sum_txt();
    let mut app = RunningApp::start(&x.display, &sample());
    let row = app.row("tree", "docs");
    let target = Target::spawn(&x.display, TARGET, Mode::UriList);
    app.drag(row, target_centre());
    let report = target.wait(Duration::from_secs(60));
    assert!(report.dropped, "the target saw no drop: {report:?}");
    let list = report.uri_list.expect("a uri-list");
    let uris: Vec<&str> = list.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(uris.len(), 1, "one folder dragged: {list:?}");
    let docs = PathBuf::from(percent_decode(
        uris[0].strip_prefix("file://").expect("a file URI"),
    ));
    assert_eq!(docs.file_name().and_then(|n| n.to_str()), Some("docs"));
    assert_eq!(
        app.staging_dirs(),
        [docs.parent().expect("staging").to_path_buf()]
    );
    // Every file md5sum.txt lists below docs/ arrived with its checksum.
    let under: Vec<(&String, &String)> = sums
        .iter()
        .filter(|(p, _)| p.starts_with("docs/"))
        .collect();
    assert_eq!(
        under.len(),
        2,
        "NOTES.md and guides/user-guide.txt: {sums:?}"
    );
    for (path, sum) in under {
        let rel = path.strip_prefix("docs/").expect("prefix");
        assert_eq!(&md5_hex(&docs.join(rel)), sum, "{path}");
    }
}

/// Waits for the fake opener's log to hold a line; the line's path.
fn opened(log: &Path) -> (String, PathBuf) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        if let Some((how, path)) = text.lines().next().and_then(|l| l.split_once('\t')) {
            return (how.to_string(), PathBuf::from(path));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("the opener was asked nothing within 60 s");
}

/// What the opener got: a read-only copy in the session's temporary
/// folder (under the app's TMPDIR) with the bytes md5sum listed.
fn assert_opened_copy(app: &RunningApp, path: &Path, name: &str) {
    assert_eq!(path.file_name().and_then(|n| n.to_str()), Some(name));
    let session = path
        .parent()
        .and_then(Path::parent)
        .expect("session folder");
    assert_eq!(
        session.parent(),
        Some(app.home.path().join("tmp").as_path())
    );
    assert!(session
        .file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with("isoscope-open-")));
    assert!(std::fs::metadata(path)
        .expect("opened file")
        .permissions()
        .readonly());
    assert_eq!(Some(&md5_hex(path)), md5sum_txt().get(name));
}

/// A double-click on a file in the real window hands a read-only copy of
/// it to the opener (the fake one, which logs instead of starting an
/// application).
#[test]
fn app_opens_a_file_in_the_default_app_on_double_click() {
    let Some((_serial, x)) = screen() else {
        return;
    };
    let logs = tempfile::tempdir().expect("logs");
    let log = logs.path().join("opened.txt");
    let mut app = RunningApp::start_with(
        &x.display,
        &sample(),
        &[("ISOSCOPE_FAKE_OPENER", log.as_os_str())],
    );
    let row = app.row("table", "README.txt");
    app.click(row, "1", 2);
    let (how, path) = opened(&log);
    assert_eq!(how, "open");
    assert_opened_copy(&app, &path, "README.txt");
}

/// A right-click on a row opens its menu in the real window; its Open
/// item opens the file.
#[test]
fn app_right_click_menu_opens_a_file() {
    let Some((_serial, x)) = screen() else {
        return;
    };
    let logs = tempfile::tempdir().expect("logs");
    let log = logs.path().join("opened.txt");
    let mut app = RunningApp::start_with(
        &x.display,
        &sample(),
        &[("ISOSCOPE_FAKE_OPENER", log.as_os_str())],
    );
    let row = app.row("table", "data.bin");
    app.click(row, "3", 1);
    let open = app.row("menu", "Open");
    for item in ["Extract to…", "Copy path", "Checksums…", "Select all"] {
        app.row("menu", item);
    }
    app.click(open, "1", 1);
    let (how, path) = opened(&log);
    assert_eq!(how, "open");
    assert_opened_copy(&app, &path, "data.bin");
}

/// The real window at scale factor 2.0: rows are twice as far apart in
/// physical pixels as at 1.0, and a screenshot of it is kept in the
/// test's target folder (scale-2.png) for people to look at.
#[test]
fn app_at_scale_2() {
    let serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    if !have_xdotool() {
        return;
    }
    let Some(x) = Xvfb::start_sized("2600x1700x24") else {
        return;
    };
    let pitch = |scale: &str| {
        let s = std::ffi::OsStr::new(scale);
        let mut app =
            RunningApp::start_with(&x.display, &sample(), &[("WINIT_X11_SCALE_FACTOR", s)]);
        let a = app.row("table", "data.bin");
        let b = app.row("table", "md5sum.txt");
        (b.1 - a.1, app)
    };
    let (one, app) = pitch("1");
    drop(app);
    let (two, app) = pitch("2");
    assert!(one > 10, "rows {one} px apart at 1.0");
    assert_eq!(two, 2 * one, "rows {one} px apart at 1.0, {two} at 2.0");
    // Let the window settle, then keep a screenshot.
    std::thread::sleep(Duration::from_millis(800));
    let shot = super::xserver::screenshot(&x.display, (2600, 1700));
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("scale-2.png");
    shot.save(&out).expect("save the screenshot");
    // The window is painted (not a black screen): many distinct colours.
    let colours: std::collections::HashSet<[u8; 4]> = shot.pixels().map(|p| p.0).collect();
    assert!(
        colours.len() > 50,
        "{} colours in {}",
        colours.len(),
        out.display()
    );
    drop(app);
    drop(serial);
}
