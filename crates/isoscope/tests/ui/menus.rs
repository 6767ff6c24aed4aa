//! The context menu and its keyboard and menu-bar twins: every item on a
//! row, a tree folder and the empty area; Open handing the extracted file
//! to a fake opener; Checksums… compared with the disc's md5sum.txt
//! (written by GNU md5sum when the sample was made); Tools ▸ Test image.

use super::*;
use egui_kittest::kittest::NodeT;
use isoscope::open_job::OpenHow;

/// A window on `path` whose opener records what it is asked.
fn open_recording(path: &Path) -> (Harness<'static, App>, Arc<RecordingOpener>) {
    let opener = Arc::new(RecordingOpener::new());
    let h = harness(App::new(AppOptions {
        open: Some(path.to_path_buf()),
        opener: Some(opener.clone()),
        ..options()
    }));
    (h, opener)
}

/// The line md5sum.txt (GNU md5sum, on the disc) has for `name`.
fn listed_md5(name: &str) -> String {
    let image = iso_core::Image::open(&sample(), &iso_core::OpenOptions::default()).unwrap();
    let view = image.default_view().unwrap();
    let tree = image.tree(view).unwrap();
    let node = tree.lookup("/md5sum.txt").unwrap();
    let mut text = String::new();
    std::io::Read::read_to_string(&mut image.open_file(&tree, node).unwrap(), &mut text).unwrap();
    text.lines()
        .find(|l| l.ends_with(&format!("  ./{name}")))
        .and_then(|l| l.split_whitespace().next())
        .unwrap()
        .to_string()
}

fn md5_of(path: &Path) -> String {
    use md5::Digest;
    md5::Md5::digest(std::fs::read(path).unwrap())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The menu item whose label starts with `text` (items with a shortcut
/// are labelled "Open Enter", "Copy path Ctrl+Shift+C"): the last such
/// button, as menus are drawn after the panes (properties has its own
/// Checksums… button).
fn item<'a>(h: &'a Harness<'static, App>, text: &'a str) -> egui_kittest::Node<'a> {
    h.query_all_by_role(Role::Button)
        .rfind(|n| {
            n.accesskit_node()
                .label()
                .is_some_and(|l| l == text || is_shortcut(l.strip_prefix(&format!("{text} "))))
        })
        .unwrap_or_else(|| panic!("no menu item {text}"))
}

/// "Enter", "Ctrl+Shift+C", "Alt+Enter": what follows an item's text.
fn is_shortcut(rest: Option<&str>) -> bool {
    rest.is_some_and(|r| {
        r.starts_with(|c: char| c.is_ascii_uppercase())
            && r.chars().all(|c| c.is_ascii_alphanumeric() || c == '+')
    })
}

fn right_click(h: &mut Harness<'static, App>, row: &str) {
    table_row(h, row).click_secondary();
    h.run_steps(3);
}

/// What the app last put on the clipboard.
fn copied(h: &Harness<'static, App>) -> Option<String> {
    h.state().model.ui.copied.clone()
}

/// Whether egui was told to copy `text` in the last frame (what reaches
/// the system clipboard).
fn sent_to_clipboard(h: &Harness<'static, App>, text: &str) -> bool {
    h.output()
        .platform_output
        .commands
        .iter()
        .any(|c| matches!(c, egui::OutputCommand::CopyText(t) if t == text))
}

/// Right-click on a row shows its menu; Open extracts the file into the
/// session's temporary folder, read-only, and hands that path to the
/// opener; the bytes are the ones md5sum listed.
#[test]
fn the_row_menu_opens_a_file_in_its_default_app() {
    let (mut h, opener) = open_recording(&sample());
    wait_label(&mut h, "README.txt");
    right_click(&mut h, "README.txt");
    for label in [
        "Open",
        "Open with…",
        "Extract to…",
        "Extract here",
        "Copy path",
        "Copy name",
        "Checksums…",
        "Properties",
        "Show in the other views",
        "Select all",
    ] {
        item(&h, label);
    }
    item(&h, "Open").click();
    wait_for(&mut h, "the opener", |_| !opener.seen().is_empty());
    let (how, path) = opener.seen()[0].clone();
    assert_eq!(how, OpenHow::Default);
    assert_eq!(path.file_name().unwrap(), "README.txt");
    let session = path.parent().and_then(Path::parent).unwrap();
    assert!(
        session.starts_with(std::env::temp_dir())
            && session
                .file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("isoscope-open-"),
        "{path:?}"
    );
    assert!(std::fs::metadata(&path).unwrap().permissions().readonly());
    assert_eq!(md5_of(&path), listed_md5("README.txt"));
    // The session folder goes when the app does.
    drop(h);
    assert!(!path.exists(), "{path:?} left behind");
}

/// Enter on the selected file opens it too; "Open with…" asks for the
/// chooser.
#[test]
fn enter_opens_and_open_with_asks_for_the_chooser() {
    let (mut h, opener) = open_recording(&sample());
    wait_label(&mut h, "README.txt");
    table_row(&h, "data.bin").click();
    h.run_steps(2);
    h.key_press(Key::Enter);
    wait_for(&mut h, "the opener", |_| opener.seen().len() == 1);
    assert_eq!(opener.seen()[0].0, OpenHow::Default);
    assert_eq!(opener.seen()[0].1.file_name().unwrap(), "data.bin");
    assert_eq!(
        std::fs::metadata(&opener.seen()[0].1).unwrap().len(),
        listed("/data.bin").size
    );
    right_click(&mut h, "README.txt");
    item(&h, "Open with…").click();
    wait_for(&mut h, "the chooser", |_| opener.seen().len() == 2);
    assert_eq!(opener.seen()[1].0, OpenHow::Choose);
    assert_eq!(opener.seen()[1].1.file_name().unwrap(), "README.txt");
}

/// Copy path and Copy name put the entry's path in the image and its name
/// on the clipboard; Ctrl+Shift+C copies the selection's paths.
#[test]
fn copy_path_and_copy_name() {
    let mut h = open(&sample());
    wait_label(&mut h, "README.txt");
    table_row(&h, "docs").click();
    h.step();
    h.key_press(Key::Enter);
    wait_label(&mut h, "NOTES.md");
    right_click(&mut h, "NOTES.md");
    item(&h, "Copy path").click();
    h.run_steps(1);
    assert!(sent_to_clipboard(&h, "/docs/NOTES.md"));
    assert_eq!(copied(&h).as_deref(), Some("/docs/NOTES.md"));
    right_click(&mut h, "NOTES.md");
    item(&h, "Copy name").click();
    h.run_steps(1);
    assert_eq!(copied(&h).as_deref(), Some("NOTES.md"));
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    h.run_steps(1);
    h.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::C);
    h.run_steps(1);
    let mut lines: Vec<String> = copied(&h).unwrap().lines().map(String::from).collect();
    lines.sort();
    let mut want: Vec<String> = lsdl()
        .into_iter()
        .map(|l| l.path)
        .filter(|p| p.starts_with("/docs/") && p.matches('/').count() == 2)
        .collect();
    want.sort();
    assert_eq!(lines, want, "xorriso's entries of /docs");
}

/// Checksums… computes all six digests on the worker and shows them in
/// properties: the MD5 is the one md5sum.txt lists, and said to match it;
/// each has a copy button.
#[test]
fn checksums_show_in_properties_and_match_md5sum_txt() {
    let mut h = open(&sample());
    wait_label(&mut h, "README.txt");
    right_click(&mut h, "README.txt");
    item(&h, "Checksums…").click();
    wait_label(&mut h, "✔ MD5 matches /md5sum.txt");
    let md5 = listed_md5("README.txt");
    assert!(has_label(&h, &md5), "MD5 {md5} shown");
    for algo in ["CRC32", "MD5", "SHA-1", "SHA-256", "SHA-512", "BLAKE3"] {
        assert!(has_label(&h, algo), "{algo} row");
    }
    let sums = h
        .state()
        .tab()
        .checksums
        .values()
        .next()
        .unwrap()
        .digests
        .clone();
    let lens: Vec<usize> = sums.iter().map(|(_, hex)| hex.len()).collect();
    assert_eq!(lens, [8, 32, 40, 64, 128, 64]);
    // The job's summary has them too; dismissed, properties' copy buttons
    // are left.
    h.get_by_label("Dismiss").click();
    h.run_steps(2);
    // The MD5 row's copy button.
    let copies: Vec<_> = h.query_all_by_label("Copy").collect();
    assert_eq!(copies.len(), 6);
    copies[1].click();
    h.run_steps(1);
    assert_eq!(copied(&h), Some(md5));
}

/// Extract to… opens the dialog for the row; Extract here writes beside
/// the image, in a folder named after it.
#[test]
fn extract_to_and_extract_here_from_the_menu() {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("disc.iso");
    std::fs::copy(sample(), &copy).unwrap();
    let mut h = open(&copy);
    wait_label(&mut h, "README.txt");
    right_click(&mut h, "README.txt");
    item(&h, "Extract to…").click();
    wait_label(&mut h, "Extract 1 selected item(s) to:");
    h.get_by_label("Cancel").click();
    h.run_steps(2);
    right_click(&mut h, "README.txt");
    item(&h, "Extract here").click();
    let out = dir.path().join("disc").join("README.txt");
    wait_for(&mut h, "the extracted file", |h| {
        h.state()
            .model
            .jobs
            .jobs
            .iter()
            .any(|j| matches!(j.status, JobStatus::Extracted(_)))
    });
    assert_eq!(md5_of(&out), listed_md5("README.txt"));
}

/// Right-click on the empty area below the rows: the image's menu, whose
/// Extract to… takes everything; Properties shows the image's.
#[test]
fn the_empty_area_menu_is_the_images() {
    let mut h = open(&sample());
    wait_label(&mut h, "README.txt");
    let below = table_row(&h, "README.txt").rect().center() + egui::vec2(0.0, 200.0);
    h.event(egui::Event::PointerMoved(below));
    h.event(egui::Event::PointerButton {
        pos: below,
        button: egui::PointerButton::Secondary,
        pressed: true,
        modifiers: Modifiers::NONE,
    });
    h.event(egui::Event::PointerButton {
        pos: below,
        button: egui::PointerButton::Secondary,
        pressed: false,
        modifiers: Modifiers::NONE,
    });
    h.run_steps(3);
    assert!(item(&h, "Copy path").accesskit_node().is_disabled());
    item(&h, "Extract to… (everything)").click();
    wait_label(&mut h, "Extract everything to:");
}

/// A tree folder's menu acts on that folder.
#[test]
fn a_tree_folders_menu_acts_on_it() {
    let mut h = open(&sample());
    wait_label(&mut h, "README.txt");
    let tree_docs = h
        .query_all_by_label("docs")
        .find(|n| n.rect().left() < 200.0)
        .unwrap();
    tree_docs.click_secondary();
    h.run_steps(3);
    item(&h, "Copy path").click();
    h.run_steps(1);
    assert_eq!(copied(&h).as_deref(), Some("/docs"));
}

/// The Menu key and Shift+F10 open the selection's menu; Escape closes
/// it; an item chosen closes it too.
#[test]
fn menu_key_and_shift_f10_open_the_keyboard_menu() {
    let mut h = open(&sample());
    wait_label(&mut h, "README.txt");
    table_row(&h, "README.txt").click();
    h.run_steps(2);
    h.key_press(Key::Menu);
    h.run_steps(2);
    assert!(h.state().model.ui.key_menu);
    item(&h, "Copy name");
    h.key_press(Key::Escape);
    h.run_steps(2);
    assert!(!h.state().model.ui.key_menu);
    assert!(h.query_all_by_label("Copy name").next().is_none());
    h.key_press_modifiers(Modifiers::SHIFT, Key::F10);
    h.run_steps(2);
    item(&h, "Copy name").click();
    h.run_steps(2);
    assert_eq!(copied(&h).as_deref(), Some("README.txt"));
    assert!(!h.state().model.ui.key_menu);
}

/// Edit in the menu bar holds the same items for the selection; Properties
/// there shows the panel again; Select all selects every row.
#[test]
fn the_edit_menu_has_the_same_items() {
    let mut h = open(&sample());
    wait_label(&mut h, "README.txt");
    table_row(&h, "README.txt").click();
    h.key_press_modifiers(Modifiers::ALT, Key::Enter);
    h.run_steps(2);
    assert!(!has_label(&h, "Properties"));
    h.get_by_label("Edit").click();
    h.run_steps(2);
    item(&h, "Properties").click();
    h.run_steps(2);
    assert!(has_label(&h, "Properties"));
    h.get_by_label("Edit").click();
    h.run_steps(2);
    item(&h, "Select all").click();
    h.run_steps(2);
    assert_eq!(h.state().tab().selection.nodes.len(), root_names().len());
}

/// Show in the other views ▸ ISO 9660 switches view and selects the same
/// file under its ISO 9660 name (as isoinfo lists it).
#[test]
fn show_in_another_view_selects_the_same_file() {
    let mut h = open(&sample());
    wait_label(&mut h, "README.txt");
    table_row(&h, "README.txt").click();
    // The properties panel asks the worker for the names in other views.
    wait_for(&mut h, "the names", |h| {
        h.state().tab().names.answer.is_some()
    });
    right_click(&mut h, "README.txt");
    item(&h, "Show in the other views").hover();
    h.run_steps(3);
    item(&h, "ISO 9660").click();
    wait_for(&mut h, "ISO 9660 view", |h| {
        h.state().title().contains("ISO 9660") && !h.state().tab().selection.nodes.is_empty()
    });
    let iso_name = isoinfo_paths("sample.iso9660.txt")
        .into_iter()
        .find(|p| p.to_ascii_lowercase().starts_with("/readme.txt"))
        .unwrap();
    let (_, tree) = h.state().current().unwrap();
    let sel = h.state().tab().selection.list();
    assert_eq!(sel.len(), 1);
    assert_eq!(tree.path(sel[0]), iso_name);
}

/// F1 lists the shortcuts; Ctrl+E opens the extract dialog for the
/// selection.
#[test]
fn f1_and_ctrl_e() {
    let mut h = open(&sample());
    wait_label(&mut h, "README.txt");
    table_row(&h, "README.txt").click();
    h.run_steps(1);
    h.key_press_modifiers(Modifiers::COMMAND, Key::E);
    wait_label(&mut h, "Extract 1 selected item(s) to:");
    h.key_press(Key::F1);
    wait_label(&mut h, "Menu key / Shift+F10");
}

/// Tools ▸ Test image reads every file: the count and bytes are those of
/// xorriso's listing.
#[test]
fn test_image_reads_every_file() {
    let mut h = open(&sample());
    wait_label(&mut h, "README.txt");
    h.get_by_label("Tools").click();
    h.run_steps(2);
    h.get_by_label("Test image").click();
    let files: Vec<Listed> = lsdl().into_iter().filter(|l| l.regular).collect();
    let bytes: u64 = files.iter().map(|l| l.size).sum();
    let want = format!(
        "✔ {} files ({}) read: no errors",
        files.len(),
        isoscope::format::size(bytes)
    );
    wait_label(&mut h, &want);
}

/// On an image cut short, Test image names the files that cannot be read
/// and says where.
#[test]
fn test_image_lists_what_cannot_be_read() {
    let dir = tempfile::tempdir().unwrap();
    let cut = dir.path().join("cut.iso");
    let bytes = std::fs::read(sample()).unwrap();
    // Keep the directories (they are at the start), lose the last file data.
    std::fs::write(&cut, &bytes[..bytes.len() - 40 * 1024]).unwrap();
    let mut h = open(&cut);
    wait_label(&mut h, "README.txt");
    h.get_by_label("Tools").click();
    h.run_steps(2);
    h.get_by_label("Test image").click();
    wait_for(&mut h, "the test's end", |h| {
        h.state()
            .model
            .jobs
            .jobs
            .iter()
            .any(|j| matches!(j.status, JobStatus::Tested(_)))
    });
    let report = h
        .state()
        .model
        .jobs
        .jobs
        .iter()
        .find_map(|j| match &j.status {
            JobStatus::Tested(r) => Some(r.clone()),
            _ => None,
        })
        .unwrap();
    assert!(report.failed > 0, "{report:?}");
    let paths: Vec<String> = lsdl().into_iter().map(|l| l.path).collect();
    for f in &report.failures {
        assert!(
            paths.contains(&f.path),
            "{} is a file xorriso lists",
            f.path
        );
        assert!(
            f.what.contains("offset") || f.what.contains("LBA") || f.what.contains("bytes"),
            "says where: {}",
            f.what
        );
    }
    assert!(h.query_all_by_label_contains("failed").next().is_some());
}

/// Opening a file that takes long to read shows its progress in the jobs
/// panel with Cancel; cancelled, nothing is handed to the opener.
#[test]
fn a_slow_open_can_be_cancelled() {
    let armed = Arc::new(AtomicBool::new(false));
    let source = Slow {
        inner: FileSource::open(&sample()).unwrap(),
        armed: armed.clone(),
    };
    let opener = Arc::new(RecordingOpener::new());
    let mut app = App::new(AppOptions {
        opener: Some(opener.clone()),
        ..options()
    });
    app.open_source("slow.iso", Arc::new(source));
    let mut h = harness(app);
    wait_label(&mut h, "README.txt");
    armed.store(true, Ordering::Relaxed);
    table_row(&h, "data.bin").click();
    h.run_steps(1);
    h.key_press(Key::Enter);
    wait_for(&mut h, "the open running", |h| {
        h.state().model.jobs.jobs.first().map(|j| &j.status) == Some(&JobStatus::Running)
    });
    assert!(has_label(&h, "Open data.bin"));
    h.get_by_label("Cancel").click();
    wait_for(&mut h, "cancelled", |h| {
        h.state()
            .model
            .jobs
            .jobs
            .first()
            .is_some_and(|j| matches!(&j.status, JobStatus::Opened(s) if s.cancelled))
    });
    h.run_steps(5);
    assert!(opener.seen().is_empty(), "{:?}", opener.seen());
}

/// A program is not run from an image: Enter on a file with an executable
/// mode (xorriso's fixture gives /dir/numbers.txt mode 4755, as its
/// expected listing from the writer's input says) shows it in its folder.
#[test]
fn an_executable_is_shown_in_its_folder_not_run() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../iso-core/tests/fixtures");
    let expected =
        std::fs::read_to_string(fixtures.join("expected/xorriso-rr-joliet.rockridge.tsv")).unwrap();
    let mode = expected
        .lines()
        .find(|l| l.starts_with("/dir/numbers.txt\t"))
        .and_then(|l| l.split('\t').nth(4))
        .unwrap();
    assert_eq!(mode, "4755");
    let gz = std::fs::read(fixtures.join("xorriso-rr-joliet.iso.gz")).unwrap();
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&gz[..]), &mut bytes).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let iso = dir.path().join("rr.iso");
    std::fs::write(&iso, bytes).unwrap();
    let opener = Arc::new(RecordingOpener::new());
    // The fixture has Japanese names the bundled fonts cannot draw: tofu,
    // as the real window draws them.
    let mut h = Harness::builder()
        .with_size([1200.0, 800.0])
        .allow_missing_glyphs()
        .build_ui_state(
            |ui, app: &mut App| app.frame(ui, None),
            App::new(AppOptions {
                open: Some(iso.clone()),
                opener: Some(opener.clone()),
                ..options()
            }),
        );
    wait_label(&mut h, "dir");
    table_row(&h, "dir").click();
    h.run_steps(1);
    h.key_press(Key::Enter);
    wait_label(&mut h, "numbers.txt");
    table_row(&h, "numbers.txt").click();
    h.run_steps(1);
    h.key_press(Key::Enter);
    wait_for(&mut h, "the opener", |_| !opener.seen().is_empty());
    let (how, path) = opener.seen()[0].clone();
    assert_eq!(how, OpenHow::ShowFolder);
    assert_eq!(path.file_name().unwrap(), "numbers.txt");
}
