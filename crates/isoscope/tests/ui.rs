//! The window, driven through egui_kittest with the real app state and the
//! real worker threads on assets/sample.iso (made by assets/make-sample.sh
//! with xorriso). Expected names, sizes and dates come from xorriso's own
//! listing of that image, assets/sample.lsdl, never from our output.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use egui::accesskit::Role;
use egui::{Key, Modifiers};
use egui_kittest::kittest::Queryable;
use egui_kittest::Harness;
use iso_core::{FileSource, ImageSource, View};
use isoscope::actions::Action;
use isoscope::open_job::RecordingOpener;
use isoscope::state::JobStatus;
use isoscope::{App, AppOptions};

#[path = "ui/looks.rs"]
mod looks;
#[path = "ui/menus.rs"]
mod menus;
#[path = "ui/tabs.rs"]
mod tabs;

fn assets() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets")
}

fn sample() -> PathBuf {
    assets().join("sample.iso")
}

/// One line of `xorriso -find / -exec lsdl`: mode, size, date, path.
#[derive(Debug, Clone)]
struct Listed {
    dir: bool,
    /// A regular file ("-" mode).
    regular: bool,
    size: u64,
    date: String,
    path: String,
}

fn lsdl() -> Vec<Listed> {
    let text = std::fs::read_to_string(assets().join("sample.lsdl")).unwrap();
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let (head, quoted) = l.split_once('\'').unwrap();
            let path = quoted.split('\'').next().unwrap().to_string();
            let f: Vec<&str> = head.split_whitespace().collect();
            Listed {
                dir: f[0].starts_with('d'),
                regular: f[0].starts_with('-'),
                size: f[4].parse().unwrap(),
                date: format!("{} {} {}", f[5], f[6], f[7]),
                path,
            }
        })
        .collect()
}

fn listed(path: &str) -> Listed {
    lsdl().into_iter().find(|l| l.path == path).unwrap()
}

/// Options every test starts from: a fake opener, so nothing is ever
/// handed to the desktop.
fn options() -> AppOptions {
    AppOptions {
        opener: Some(Arc::new(RecordingOpener::new())),
        ..AppOptions::default()
    }
}

fn harness(app: App) -> Harness<'static, App> {
    Harness::builder()
        .with_size([1200.0, 800.0])
        .build_ui_state(|ui, app: &mut App| app.frame(ui, None), app)
}

fn open(path: &Path) -> Harness<'static, App> {
    harness(App::new(AppOptions {
        open: Some(path.to_path_buf()),
        ..options()
    }))
}

/// Steps the harness until `cond` holds (the worker answers on its own
/// threads, so frames alone do not make progress).
fn wait_for(
    h: &mut Harness<'static, App>,
    what: &str,
    cond: impl Fn(&Harness<'static, App>) -> bool,
) {
    let start = Instant::now();
    loop {
        h.step();
        if cond(h) {
            h.step();
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "timed out waiting for {what}: {:?}",
            h.state().model.jobs
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Whether any node has this label (a folder shows in the table and the
/// tree, a file's name in the table and in properties).
fn has_label(h: &Harness<'static, App>, label: &str) -> bool {
    h.query_all_by_label(label).next().is_some()
}

/// The table's row labelled `label` (the tree pane is left of the table,
/// properties right of it).
fn table_row<'a>(h: &'a Harness<'static, App>, label: &'a str) -> egui_kittest::Node<'a> {
    h.query_all_by_label(label)
        .find(|n| (200.0..700.0).contains(&n.rect().left()))
        .unwrap_or_else(|| panic!("no table row {label}"))
}

fn wait_label(h: &mut Harness<'static, App>, label: &str) {
    wait_for(h, label, |h| has_label(h, label));
}

fn root_names() -> Vec<String> {
    lsdl()
        .into_iter()
        .filter(|l| l.path.matches('/').count() == 1 && l.path != "/")
        .map(|l| l.path.trim_start_matches('/').to_string())
        .collect()
}

/// Opening shows the root entries xorriso lists, and the title names the
/// image and view.
#[test]
fn open_shows_root_entries() {
    let mut h = open(&sample());
    wait_label(&mut h, "README.txt");
    for name in root_names() {
        assert!(has_label(&h, &name), "{name} not in the table");
    }
    let title = h.state().title();
    assert!(title.starts_with("sample.iso — "), "{title}");
    // The status bar counts the root's entries.
    let n = root_names().len();
    assert!(has_label(&h, &format!("{n} items")));
}

/// Enter opens a folder, Alt+Left goes back, Backspace goes up.
#[test]
fn navigate_into_a_folder_and_back() {
    let mut h = open(&sample());
    wait_label(&mut h, "README.txt");
    table_row(&h, "docs").click();
    h.step();
    h.key_press(Key::Enter);
    wait_label(&mut h, "NOTES.md");
    assert!(has_label(&h, "guides"));
    assert!(!has_label(&h, "README.txt"));
    h.key_press_modifiers(Modifiers::ALT, Key::ArrowLeft);
    wait_label(&mut h, "README.txt");
    h.key_press_modifiers(Modifiers::ALT, Key::ArrowRight);
    wait_label(&mut h, "NOTES.md");
    h.key_press(Key::Backspace);
    wait_label(&mut h, "README.txt");
}

/// Clicking the Size header sorts files by size (folders stay first);
/// clicking again reverses.
#[test]
fn sort_by_size() {
    let mut h = open(&sample());
    wait_label(&mut h, "README.txt");
    let y = |h: &Harness<'static, App>, l: &str| {
        h.query_all_by_label(l)
            .find(|n| (200.0..700.0).contains(&n.rect().left()))
            .map(|n| n.rect().min.y)
            .unwrap_or(f32::NAN)
    };
    // By name: data.bin before README.txt (case-insensitive).
    assert!(y(&h, "data.bin") < y(&h, "README.txt"));
    h.get_by_role_and_label(Role::Button, "Size").click();
    h.run_steps(3);
    wait_for(&mut h, "size order", |h| {
        y(h, "README.txt") < y(h, "data.bin")
    });
    let (readme, data) = (listed("/README.txt"), listed("/data.bin"));
    assert!(
        readme.size < data.size,
        "xorriso sizes: {readme:?} {data:?}"
    );
    assert!(y(&h, "src") < y(&h, "README.txt"), "folders first");
    h.get_by_role_and_label(Role::Button, "Size ⏶").click();
    wait_for(&mut h, "reversed", |h| {
        y(h, "data.bin") < y(h, "README.txt")
    });
    assert!(y(&h, "src") < y(&h, "data.bin"), "folders still first");
}

/// Ctrl+F and a few letters find a file anywhere, shown with its folder.
#[test]
fn filter_searches_the_whole_image() {
    let mut h = open(&sample());
    wait_label(&mut h, "README.txt");
    h.key_press_modifiers(Modifiers::COMMAND, Key::F);
    h.run_steps(2);
    h.event(egui::Event::Text("guide".into()));
    wait_label(&mut h, "user-guide.txt");
    assert!(has_label(&h, "/docs/guides"), "folder column");
    assert!(!has_label(&h, "README.txt"));
    assert!(listed("/docs/guides/user-guide.txt").size > 0);
}

/// The view selector switches to plain ISO 9660 names; the title follows.
#[test]
fn switch_view() {
    let mut h = open(&sample());
    wait_label(&mut h, "README.txt");
    let views = h.state().tab().session.as_ref().unwrap().info.views.clone();
    assert!(views.contains(&View::Iso9660), "{views:?}");
    h.get_by_role_and_label(Role::ComboBox, "View").click();
    h.run_steps(2);
    h.get_by_label("ISO 9660").click();
    wait_for(&mut h, "ISO 9660 names", |h| {
        h.query_by_label_contains("README.TXT").is_some()
    });
    assert!(h.state().title().contains("ISO 9660"));
}

/// Properties of a file show its size and date as xorriso lists them.
#[test]
fn properties_show_size_and_date() {
    let mut h = open(&sample());
    wait_label(&mut h, "README.txt");
    table_row(&h, "docs").click();
    h.step();
    h.key_press(Key::Enter);
    wait_label(&mut h, "NOTES.md");
    table_row(&h, "NOTES.md").click();
    h.run_steps(2);
    let l = listed("/docs/NOTES.md");
    assert_eq!((l.size, l.date.as_str()), (40, "Jan 2 2023"));
    assert!(h
        .query_by_label(&format!("{} B ({} bytes)", l.size, l.size))
        .is_some());
    // lsdl prints "Jan  2  2023"; the panel shows ISO dates.
    assert!(h.query_all_by_label_contains("2023-01-02").next().is_some());
    assert!(has_label(&h, "/docs/NOTES.md"));
    // The text preview shows the file's first line.
    wait_label(&mut h, "# Release notes\n\n- 0.1.0: first release");
}

fn extract_all_to(h: &mut Harness<'static, App>, dest: &Path) {
    h.key_press_modifiers(Modifiers::COMMAND, Key::E);
    h.run_steps(2);
    h.state_mut().model.extract_dialog.as_mut().unwrap().dest = dest.display().to_string();
    h.step();
    h.get_by_label("Extract").click();
    h.run_steps(2);
}

/// Ctrl+E with nothing selected extracts everything; the files match
/// xorriso's listing and the summary says so.
#[test]
fn extraction_writes_the_files_and_a_summary() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = open(&sample());
    wait_label(&mut h, "README.txt");
    extract_all_to(&mut h, dir.path());
    wait_for(&mut h, "summary", |h| {
        h.query_by_label_contains("Done: ").is_some()
    });
    let files: Vec<Listed> = lsdl()
        .into_iter()
        .filter(|l| !l.dir && !l.path.contains("readme-link"))
        .collect();
    for f in &files {
        let p = dir.path().join(f.path.trim_start_matches('/'));
        let meta = std::fs::metadata(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        assert_eq!(meta.len(), f.size, "{}", f.path);
    }
    let text = std::fs::read_to_string(dir.path().join("README.txt")).unwrap();
    assert!(text.starts_with("Isoscope sample image"));
    assert!(has_label(&h, "Open folder"));
    let done = format!("Done: {} files", files.len());
    assert!(h.query_by_label_contains(&done).is_some(), "{done}");
}

/// A source that reads slowly once armed, so a job can be cancelled midway.
#[derive(Debug)]
struct Slow {
    inner: FileSource,
    armed: Arc<AtomicBool>,
}

impl ImageSource for Slow {
    fn len(&self) -> u64 {
        self.inner.len()
    }
    fn read_exact_at(&self, offset: u64, buf: &mut [u8]) -> std::io::Result<()> {
        if self.armed.load(Ordering::Relaxed) {
            std::thread::sleep(Duration::from_millis(400));
        }
        self.inner.read_exact_at(offset, buf)
    }
}

/// Cancel during an extraction stops it and leaves no partial file: every
/// file present has its full size and no temporary file remains.
#[test]
fn cancel_leaves_no_partial_file() {
    let dir = tempfile::tempdir().unwrap();
    let armed = Arc::new(AtomicBool::new(false));
    let source = Slow {
        inner: FileSource::open(&sample()).unwrap(),
        armed: armed.clone(),
    };
    let mut app = App::new(options());
    app.open_source("slow.iso", Arc::new(source));
    let mut h = harness(app);
    wait_label(&mut h, "README.txt");
    armed.store(true, Ordering::Relaxed);
    extract_all_to(&mut h, dir.path());
    wait_for(&mut h, "running", |h| {
        h.state().model.jobs.jobs.first().map(|j| &j.status) == Some(&JobStatus::Running)
    });
    h.get_by_label("Cancel").click();
    wait_for(&mut h, "cancelled", |h| {
        h.query_by_label_contains("Cancelled").is_some()
    });
    let job = &h.state().model.jobs.jobs[0];
    let JobStatus::Extracted(s) = &job.status else {
        panic!("{:?}", job.status)
    };
    assert!(s.cancelled);
    let all = lsdl();
    assert!(
        s.files < all.iter().filter(|l| !l.dir).count() as u64,
        "stopped early"
    );
    for entry in walk(dir.path()) {
        let name = entry.file_name().unwrap().to_string_lossy().into_owned();
        assert!(!name.contains("isoscope-part"), "partial file left: {name}");
        if entry.is_file() {
            let rel = entry.strip_prefix(dir.path()).unwrap();
            let l = listed(&format!("/{}", rel.display()));
            assert_eq!(
                std::fs::metadata(&entry).unwrap().len(),
                l.size,
                "{}",
                l.path
            );
        }
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        }
        out.push(p);
    }
    out
}

/// A cut image opens with a banner that lists what is damaged.
#[test]
fn damaged_image_shows_the_warning() {
    let dir = tempfile::tempdir().unwrap();
    let cut = dir.path().join("cut.iso");
    let bytes = std::fs::read(sample()).unwrap();
    std::fs::write(&cut, &bytes[..60 * 1024]).unwrap();
    let mut h = open(&cut);
    wait_for(&mut h, "banner", |h| {
        h.query_by_label_contains("This image is damaged").is_some()
    });
    // iso-core words it "... lies partly outside the image" or "... starts
    // past the end of the image", depending on what the cut hits.
    let listed_damage = ["outside the image", "past the end of the image"]
        .iter()
        .any(|w| h.query_all_by_label_contains(w).next().is_some());
    assert!(listed_damage);
    // What could be read is still listed.
    wait_label(&mut h, "README.txt");
}

/// A file that is not a disc image says so, in the window.
#[test]
fn non_image_shows_the_error() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("notes.txt");
    std::fs::write(&p, "just some text, not a disc image\n".repeat(2000)).unwrap();
    let mut h = open(&p);
    wait_for(&mut h, "error", |h| {
        h.query_by_label_contains("not a disc image").is_some()
    });
    assert!(has_label(&h, "📂  Open a disc image…"));
    assert!(h.state().tab().session.is_none());
}

/// Ctrl+A selects every row; the status bar counts them.
#[test]
fn select_all_and_type_to_select() {
    let mut h = open(&sample());
    wait_label(&mut h, "README.txt");
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    h.run_steps(2);
    let n = root_names().len();
    assert_eq!(h.state().tab().selection.nodes.len(), n);
    h.event(egui::Event::Text("p".into()));
    h.run_steps(2);
    let sel = h.state().tab().selection.list();
    assert_eq!(sel.len(), 1);
    let (_, tree) = h.state().current().unwrap();
    assert_eq!(tree.name(sel[0]), "pictures");
    // Shift+click extends from the anchor.
    table_row(&h, "README.txt").click_modifiers(Modifiers::SHIFT);
    h.run_steps(2);
    assert_eq!(
        h.state().tab().selection.nodes.len(),
        5,
        "pictures, src, data.bin, md5sum.txt, README.txt"
    );
    h.state_mut().push(Action::SelectAll);
    h.run_steps(1);
    assert_eq!(h.state().tab().selection.nodes.len(), n);
}

/// Extracting twice into the same folder asks before replacing; "Keep
/// both" with "apply to all" renames every clashing file.
#[test]
fn overwrite_question_renames_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = open(&sample());
    wait_label(&mut h, "README.txt");
    extract_all_to(&mut h, dir.path());
    wait_for(&mut h, "first", |h| {
        h.query_by_label_contains("Done: ").is_some()
    });
    extract_all_to(&mut h, dir.path());
    wait_label(&mut h, "Replace the existing file?");
    h.get_by_label("Do this for all conflicts").click();
    h.run_steps(2);
    h.get_by_label("Keep both (rename)").click();
    wait_for(&mut h, "second", |h| {
        h.query_all_by_label_contains("Done: ").count() == 2
    });
    assert!(!has_label(&h, "Replace the existing file?"), "asked once");
    let readme = listed("/README.txt");
    let renamed = dir.path().join("README (2).txt");
    assert_eq!(std::fs::metadata(&renamed).unwrap().len(), readme.size);
    let data = dir.path().join("data (2).bin");
    assert_eq!(
        std::fs::metadata(&data).unwrap().len(),
        listed("/data.bin").size
    );
}

/// Tools ▸ Verify image shows the digests and checks a checksum file
/// beside the image (expected SHA-256 from the sha2 crate, not from us).
#[test]
fn verify_compares_with_a_checksum_file() {
    use sha2::Digest;
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("sample.iso");
    std::fs::copy(sample(), &copy).unwrap();
    let bytes = std::fs::read(&copy).unwrap();
    let hex: String = sha2::Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    std::fs::write(
        dir.path().join("SHA256SUMS"),
        format!("{hex}  sample.iso\n"),
    )
    .unwrap();
    let mut h = open(&copy);
    wait_label(&mut h, "README.txt");
    h.get_by_label("Tools").click();
    h.run_steps(2);
    h.get_by_label("Verify image").click();
    wait_label(&mut h, &hex);
    assert!(has_label(&h, "✔ SHA-256 matches SHA256SUMS"));
}

/// isoinfo's listing of one view (assets/sample.iso9660.txt or
/// sample.joliet.txt), version suffixes removed.
fn isoinfo_paths(file: &str) -> Vec<String> {
    std::fs::read_to_string(assets().join(file))
        .unwrap()
        .lines()
        .map(|l| l.trim_end_matches(";1").to_string())
        .collect()
}

/// Opens a folder of the current one by its name in the table.
fn enter(h: &mut Harness<'static, App>, folder: &str, then_see: &str) {
    table_row(h, folder).click();
    h.step();
    h.key_press(Key::Enter);
    wait_label(h, then_see);
}

/// The properties panel lists the entry's path in every view, as isoinfo
/// names it there; a symbolic link, which Joliet cannot hold, is "not in
/// this view" there.
#[test]
fn properties_list_the_names_in_other_views() {
    let mut h = open(&sample());
    wait_label(&mut h, "README.txt");
    enter(&mut h, "docs", "guides");
    enter(&mut h, "guides", "user-guide.txt");
    table_row(&h, "user-guide.txt").click();
    let iso = isoinfo_paths("sample.iso9660.txt");
    let joliet = isoinfo_paths("sample.joliet.txt");
    let want_iso = iso
        .iter()
        .find(|p| p.starts_with("/DOCS/GUIDES/USER"))
        .unwrap();
    let want_joliet = joliet
        .iter()
        .find(|p| p.ends_with("/user-guide.txt"))
        .unwrap();
    wait_label(&mut h, want_iso);
    assert!(has_label(&h, "In Joliet"));
    // The Joliet path equals the Rock Ridge one here, so it is shown
    // three times (path, Rock Ridge row, Joliet row): check the answer.
    let (_, names) = h.state().tab().names.answer.clone().unwrap();
    let joliet_name = names.iter().find(|(v, _)| *v == View::Joliet).unwrap();
    assert_eq!(&joliet_name.1, want_joliet);
    assert_eq!(h.query_all_by_label(want_joliet).count(), 3);

    // The link: in the Rock Ridge view only, per isoinfo's Joliet listing.
    assert!(!joliet.iter().any(|p| p.contains("readme-link")));
    h.key_press(Key::Backspace);
    wait_label(&mut h, "readme-link");
    table_row(&h, "readme-link").click();
    let link = h
        .state()
        .current()
        .unwrap()
        .1
        .lookup("/docs/readme-link")
        .unwrap();
    wait_for(&mut h, "the link's names", |h| {
        let n = &h.state().tab().names;
        n.asked.is_some_and(|a| a.2 == link) && n.answer.is_some()
    });
    let (views, names) = h.state().tab().names.answer.clone().unwrap();
    assert_eq!(views.len(), 3, "{views:?}");
    assert!(!names.iter().any(|(v, _)| *v == View::Joliet), "{names:?}");
    assert!(has_label(&h, "— not in this view"));
    // Plain ISO 9660 holds it as an empty file with a cut name (isoinfo's
    // "README_L." without the version; a dot before an empty extension is
    // not shown).
    let want = iso
        .iter()
        .find(|p| p.starts_with("/DOCS/README"))
        .unwrap()
        .trim_end_matches('.');
    let got = names.iter().find(|(v, _)| *v == View::Iso9660).unwrap();
    assert_eq!(got.1, want);
}

/// The regular files xorriso lists in the sample image, but the checksum
/// list itself: what make-sample.sh had GNU md5sum list in /md5sum.txt.
fn files_in_md5sum_txt() -> usize {
    lsdl()
        .iter()
        .filter(|l| l.regular && l.path != "/md5sum.txt")
        .count()
}

/// Verify also checks every file the disc's own md5sum.txt names.
#[test]
fn verify_checks_the_discs_own_md5sum_txt() {
    let n = files_in_md5sum_txt();
    let mut h = open(&sample());
    wait_label(&mut h, "README.txt");
    h.get_by_label("Tools").click();
    h.run_steps(2);
    h.get_by_label("Verify image").click();
    wait_label(
        &mut h,
        &format!("✔ all {n} files listed in /md5sum.txt match"),
    );
}

/// A copy of the sample with one byte of README.txt's text changed (found
/// by searching the image's bytes for the text): Verify names that file.
#[test]
fn verify_names_a_file_that_differs_from_md5sum_txt() {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("damaged.iso");
    let mut bytes = std::fs::read(sample()).unwrap();
    let needle = b"This disc holds a few folders";
    let at = bytes
        .windows(needle.len())
        .position(|w| w == needle)
        .unwrap();
    bytes[at] = b't';
    std::fs::write(&copy, &bytes).unwrap();
    let n = files_in_md5sum_txt();
    let mut h = open(&copy);
    wait_label(&mut h, "README.txt");
    h.get_by_label("Tools").click();
    h.run_steps(2);
    h.get_by_label("Verify image").click();
    wait_label(
        &mut h,
        &format!("✖ 1 of {n} files listed in /md5sum.txt do NOT match"),
    );
    assert!(has_label(&h, "./README.txt: MD5 differs"));
}

/// A source whose reads from the thread that reads whole trees
/// ("isoscope-load") wait until the test opens the gate.
#[derive(Debug)]
struct Gated {
    inner: FileSource,
    open: Arc<AtomicBool>,
}

impl ImageSource for Gated {
    fn len(&self) -> u64 {
        self.inner.len()
    }
    fn read_exact_at(&self, offset: u64, buf: &mut [u8]) -> std::io::Result<()> {
        let loader = std::thread::current().name() == Some("isoscope-load");
        while loader && !self.open.load(Ordering::Relaxed) {
            std::thread::sleep(Duration::from_millis(5));
        }
        self.inner.read_exact_at(offset, buf)
    }
}

/// The root shows before the rest of the image is read: with the whole
/// tree held back, the root entries are listed; a folder and the filter
/// wait ("Listing…", "Searching…") and fill in once the rest is read.
#[test]
fn root_shows_before_the_whole_tree_is_read() {
    let gate = Arc::new(AtomicBool::new(false));
    let source = Gated {
        inner: FileSource::open(&sample()).unwrap(),
        open: gate.clone(),
    };
    let mut app = App::new(options());
    app.open_source("gated.iso", Arc::new(source));
    let mut h = harness(app);
    wait_label(&mut h, "README.txt");
    for name in root_names() {
        assert!(has_label(&h, &name), "{name} not in the table");
    }
    assert!(h.state().current().unwrap().1.is_partial());
    enter(&mut h, "docs", "Listing…");
    h.run_steps(3);
    assert!(!has_label(&h, "NOTES.md"));
    gate.store(true, Ordering::Relaxed);
    wait_label(&mut h, "NOTES.md");
    assert!(!h.state().current().unwrap().1.is_partial());
    for l in lsdl().iter().filter(|l| l.path.starts_with("/docs/")) {
        let depth = l.path.matches('/').count();
        if depth == 2 {
            let name = l.path.rsplit('/').next().unwrap();
            assert!(has_label(&h, name), "{name} not in the table");
        }
    }
}

/// A file dropped onto the window, as the windowing layer hands it over.
#[derive(Debug)]
struct Dropped(PathBuf);

impl egui::DroppedFile for Dropped {
    fn path(&self) -> &Path {
        &self.0
    }
    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

/// Dropping an image file onto the window (the welcome screen here) opens
/// it.
#[test]
fn dropping_an_image_on_the_window_opens_it() {
    let mut h = harness(App::new(options()));
    h.run_steps(2);
    assert!(h
        .query_all_by_label_contains("Open a disc image")
        .next()
        .is_some());
    h.input_mut()
        .dropped_files
        .push(Arc::new(Dropped(sample())));
    wait_label(&mut h, "README.txt");
    assert!(h.state().title().starts_with("sample.iso — "));
}

/// Dropping a file that is not a disc image says so, and the window keeps
/// working.
#[test]
fn dropping_a_non_image_shows_the_error() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("notes.txt");
    std::fs::write(
        &text,
        "just some text, no volume descriptors\n".repeat(2000),
    )
    .unwrap();
    let mut h = harness(App::new(options()));
    h.run_steps(2);
    h.input_mut().dropped_files.push(Arc::new(Dropped(text)));
    wait_for(&mut h, "the error", |h| {
        h.query_by_label_contains("not a disc image").is_some()
    });
}

/// The x of a table header's left edge (`label` is "Size", or "Size ⏶"
/// when sorted by it).
fn size_header_x(h: &Harness<'static, App>, label: &str) -> f32 {
    h.get_by_role_and_label(Role::Button, label).rect().left()
}

/// The Size column's width: from its header to the Modified header.
fn size_width(h: &Harness<'static, App>, label: &str) -> f32 {
    size_header_x(h, "Modified") - size_header_x(h, label)
}

/// What the window remembers survives a restart: the settings are written
/// as RON, and a new window built from them shows the same column widths,
/// panels, order, theme and recent images.
#[test]
fn settings_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("settings.ron");
    let mut h = harness(App::new(AppOptions {
        settings_path: Some(path.clone()),
        open: Some(sample()),
        ..options()
    }));
    wait_label(&mut h, "README.txt");
    // Widen the Size column by dragging its right edge (where the Modified
    // header starts); Name, which fills the rest, gets narrower.
    let x = size_header_x(&h, "Modified");
    let before = size_width(&h, "Size");
    let y = h
        .get_by_role_and_label(Role::Button, "Modified")
        .rect()
        .center()
        .y;
    let edge = egui::pos2(x - 4.0, y);
    h.hover_at(edge);
    h.step();
    h.drag_at(edge);
    h.step();
    for dx in 1..=8 {
        h.hover_at(egui::pos2(edge.x + dx as f32 * 10.0, y));
        h.step();
    }
    h.drop_at(egui::pos2(edge.x + 80.0, y));
    h.run_steps(3);
    let widened = size_header_x(&h, "Modified");
    let wide = size_width(&h, "Size");
    assert!(
        widened > x + 60.0 && wide > before + 60.0,
        "Size column not widened: {x} → {widened}, {before} → {wide}"
    );
    // Sort by size, hide the properties panel, choose the dark theme.
    h.get_by_role_and_label(Role::Button, "Size").click();
    wait_for(&mut h, "the listing by size", |h| {
        h.query_by_role_and_label(Role::Button, "Size ⏶").is_some()
    });
    assert_eq!(size_header_x(&h, "Modified"), widened);
    h.key_press_modifiers(Modifiers::ALT, Key::Enter);
    h.run_steps(2);
    h.state_mut()
        .push(Action::SetTheme(isoscope::settings::ThemeChoice::Dark));
    h.run_steps(2);
    assert!(!has_label(&h, "Properties"));
    // The window as the windowing layer reports it after a resize.
    h.input_mut()
        .viewports
        .entry(egui::ViewportId::ROOT)
        .or_default()
        .inner_rect = Some(egui::Rect::from_min_size(
        egui::Pos2::ZERO,
        egui::vec2(900.0, 650.0),
    ));
    h.run_steps(2);
    h.state_mut().save_now();
    drop(h);

    let (saved, problem) = isoscope::settings::Settings::load(&path);
    assert_eq!(problem, None);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("column_widths"), "{text}");
    assert_eq!(saved.recent.first(), Some(&sample()));
    assert!(!saved.panels.properties);
    assert_eq!(saved.sort.key, isoscope::protocol::SortKey::Size);
    assert_eq!(saved.theme, isoscope::settings::ThemeChoice::Dark);
    assert_eq!(saved.window_size, Some([900.0, 650.0]));

    let mut h = harness(App::new(AppOptions {
        settings: saved,
        settings_path: Some(path.clone()),
        open: Some(sample()),
        ..options()
    }));
    wait_for(&mut h, "the listing by size", |h| {
        h.query_by_role_and_label(Role::Button, "Size ⏶").is_some()
    });
    // Name fills what the others leave, so the wider Size column shows
    // as its header further left.
    let restored = size_width(&h, "Size ⏶");
    assert!(
        (restored - wide).abs() < 1.0,
        "column width not restored: {wide} then {restored}"
    );
    assert!(!has_label(&h, "Properties"));
    assert_eq!(
        h.ctx.options(|o| o.theme_preference),
        egui::ThemePreference::Dark
    );
}

/// The xorriso multi-session fixture of iso-core, unpacked into `dir`.
fn multisession_image(dir: &Path) -> PathBuf {
    let fixtures =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../iso-core/tests/fixtures/sessions");
    let gz = std::fs::read(fixtures.join("xorriso.iso.gz")).unwrap();
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&gz[..]), &mut bytes).unwrap();
    let path = dir.join("multi.iso");
    std::fs::write(&path, bytes).unwrap();
    path
}

/// With nothing selected the panel shows the image: its format and every
/// session as `xorriso -toc` lists it (start block, size, volume id).
#[test]
fn image_properties_list_the_format_and_sessions() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = open(&multisession_image(dir.path()));
    wait_label(&mut h, "Session 1");
    let toc = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../iso-core/tests/fixtures/sessions/xorriso.toc"),
    )
    .unwrap();
    let sessions: Vec<Vec<String>> = toc
        .lines()
        .filter_map(|l| l.strip_prefix("ISO session  :"))
        .map(|r| r.split(',').map(|f| f.trim().to_string()).collect())
        .collect();
    assert_eq!(sessions.len(), 3);
    for (i, f) in sessions.iter().enumerate() {
        let blocks = f[2].trim_end_matches('s');
        // The newest session is the one shown, as every reader does.
        let shown = if i + 1 == sessions.len() {
            " (shown)"
        } else {
            ""
        };
        let want = format!("{}: from block {}, {blocks} blocks{shown}", f[3], f[1]);
        assert!(has_label(&h, &want), "no {want:?} for session {}", f[0]);
    }
    assert!(h
        .query_by_label("ISO 9660 with Rock Ridge, Joliet; 3 sessions")
        .is_some());
    // A single-session image lists no sessions.
    let mut one = open(&sample());
    wait_label(&mut one, "README.txt");
    assert!(one.query_by_label("Session 1").is_none());
    assert!(one
        .query_by_label("ISO 9660 with Rock Ridge, Joliet")
        .is_some());
}

/// When the native file chooser answers at once with nothing (rfd found
/// no desktop portal and no zenity), the window offers a path field, and
/// a path typed there opens the image. An answer that took a while is a
/// person cancelling: nothing is shown then.
#[test]
fn no_file_chooser_offers_the_path_field() {
    let mut h = harness(App::new(options()));
    h.run_steps(2);
    let ctx = h.ctx.clone();
    // A person who took five seconds and cancelled.
    h.state_mut().model.ui.dialog_started = Some(Instant::now() - Duration::from_secs(5));
    h.state_mut()
        .handle_event(&ctx, isoscope::protocol::Event::PickedImage(None));
    h.run_steps(2);
    assert!(h
        .query_by_label_contains("No file chooser is available")
        .is_none());
    // No chooser at all: the answer came straight back.
    h.state_mut().model.ui.dialog_started = Some(Instant::now());
    h.state_mut()
        .handle_event(&ctx, isoscope::protocol::Event::PickedImage(None));
    h.run_steps(2);
    assert!(h
        .query_by_label_contains("No file chooser is available")
        .is_some());
    // The welcome screen has a path field too: the window's has the focus.
    h.query_all_by_role(Role::TextInput)
        .find(|n| egui_kittest::kittest::NodeT::accesskit_node(n).is_focused())
        .expect("the window's path field has the focus")
        .type_text(&sample().display().to_string());
    h.run_steps(1);
    // Enter in the field opens it, as the Open button does.
    h.key_press(Key::Enter);
    wait_label(&mut h, "README.txt");
    assert!(h
        .query_by_label_contains("No file chooser is available")
        .is_none());
}

/// A Windows-install-like bridge disc (pycdlib; iso-core's UDF fixtures):
/// the UDF tree is shown by default and the status bar says so; its root
/// holds what 7-Zip lists in it (`expected/pycdlib-winlike.7z-udf.tsv`);
/// switching to ISO 9660 shows the stub tree, README.TXT alone (as
/// `isoinfo -l` lists it).
#[test]
fn bridge_disc_opens_in_its_udf_tree() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../iso-core/tests/fixtures/udf");
    let dir = tempfile::tempdir().unwrap();
    let iso = dir.path().join("winlike.iso");
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(
        &mut flate2::read::GzDecoder::new(
            std::fs::File::open(fixtures.join("pycdlib-winlike.udf.gz")).unwrap(),
        ),
        &mut bytes,
    )
    .unwrap();
    std::fs::write(&iso, bytes).unwrap();
    let seven_zip =
        std::fs::read_to_string(fixtures.join("expected/pycdlib-winlike.7z-udf.tsv")).unwrap();
    let top: Vec<String> = seven_zip
        .lines()
        .filter_map(|l| l.split('\t').next())
        .filter(|p| p.matches('/').count() == 1)
        .map(|p| p.trim_start_matches('/').to_string())
        .collect();
    assert!(
        top.len() >= 5 && top.contains(&"sources".to_string()),
        "{top:?}"
    );
    let mut h = open(&iso);
    wait_label(&mut h, "setup.exe");
    assert_eq!(
        h.state().tab().session.as_ref().unwrap().view,
        Some(View::Udf)
    );
    assert!(has_label(&h, "UDF view"), "the status bar names the view");
    for name in &top {
        assert!(has_label(&h, name), "{name} missing from the UDF root");
    }
    // The image's properties give the integrity descriptor's numbers as
    // udfinfo reads them (expected/pycdlib-winlike.udfinfo.txt:
    // integrity=closed, numfiles=6, numdirs=6, udfrev=1.02).
    let udfinfo =
        std::fs::read_to_string(fixtures.join("expected/pycdlib-winlike.udfinfo.txt")).unwrap();
    let field = |k: &str| {
        udfinfo
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{k}=")))
            .unwrap()
            .to_string()
    };
    let integrity = format!(
        "{}; {} files, {} folders",
        field("integrity"),
        field("numfiles"),
        field("numdirs")
    );
    assert!(has_label(&h, &integrity), "no {integrity:?} row");
    assert!(
        h.query_by_label_contains(&format!("{} (NSR02)", field("udfrev")))
            .is_some(),
        "no UDF revision row"
    );
    h.get_by_role_and_label(Role::ComboBox, "View").click();
    h.run_steps(2);
    h.get_by_label("ISO 9660").click();
    wait_label(&mut h, "README.TXT");
    assert!(has_label(&h, "ISO 9660 view"));
    assert!(
        !has_label(&h, "setup.exe"),
        "the stub tree holds README.TXT only"
    );
}
