//! Tabs: Ctrl+T, Ctrl+W, Ctrl+Tab, the tab bar, opening into a new tab
//! (File ▸ Open path, a dropped file), each tab keeping its own place, and
//! the tabs restored on the next start when their files still exist.

use super::*;

/// A copy of the sample image in `dir` named `name`.
fn copy_sample(dir: &Path, name: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::copy(sample(), &p).unwrap();
    p
}

fn tab_labels(h: &Harness<'static, App>) -> Vec<String> {
    h.state().model.tabs.iter().map(|t| t.label()).collect()
}

/// Ctrl+T adds an empty tab showing the welcome screen; Ctrl+Tab and
/// Ctrl+Shift+Tab go round; Ctrl+W closes the one shown; closing the last
/// leaves an empty tab.
#[test]
fn ctrl_t_ctrl_tab_and_ctrl_w() {
    let mut h = open(&sample());
    wait_label(&mut h, "README.txt");
    h.key_press_modifiers(Modifiers::COMMAND, Key::T);
    h.run_steps(2);
    assert_eq!(tab_labels(&h), ["sample.iso", "New tab"]);
    assert_eq!(h.state().model.active, 1);
    assert!(has_label(&h, "📂  Open a disc image…"), "welcome screen");
    assert_eq!(h.state().title(), "Isoscope");
    h.key_press_modifiers(Modifiers::COMMAND, Key::Tab);
    h.run_steps(2);
    assert_eq!(h.state().model.active, 0);
    wait_label(&mut h, "README.txt");
    assert!(h.state().title().starts_with("sample.iso — "));
    h.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::Tab);
    h.run_steps(2);
    assert_eq!(h.state().model.active, 1);
    h.key_press_modifiers(Modifiers::COMMAND, Key::W);
    h.run_steps(2);
    assert_eq!(tab_labels(&h), ["sample.iso"]);
    h.key_press_modifiers(Modifiers::COMMAND, Key::W);
    h.run_steps(2);
    assert_eq!(tab_labels(&h), ["New tab"]);
    assert!(has_label(&h, "📂  Open a disc image…"));
}

/// The tab bar: "+" adds a tab, clicking a tab shows it, "×" closes it.
#[test]
fn the_tab_bar_adds_shows_and_closes() {
    let mut h = open(&sample());
    wait_label(&mut h, "README.txt");
    h.get_by_label("+").click();
    h.run_steps(2);
    assert_eq!(h.state().model.tabs.len(), 2);
    h.get_by_label("sample.iso").click();
    h.run_steps(2);
    assert_eq!(h.state().model.active, 0);
    let close: Vec<_> = h.query_all_by_label("×").collect();
    assert_eq!(close.len(), 2);
    close[1].click();
    h.run_steps(2);
    assert_eq!(tab_labels(&h), ["sample.iso"]);
}

/// File ▸ Open path and a dropped image open in new tabs; each tab keeps
/// its own folder, selection and history.
#[test]
fn opening_adds_tabs_that_keep_their_own_place() {
    let dir = tempfile::tempdir().unwrap();
    let second = copy_sample(dir.path(), "second.iso");
    let third = copy_sample(dir.path(), "third.iso");
    let mut h = open(&sample());
    wait_label(&mut h, "README.txt");
    // In the first tab: into docs, NOTES.md selected.
    table_row(&h, "docs").click();
    h.step();
    h.key_press(Key::Enter);
    wait_label(&mut h, "NOTES.md");
    table_row(&h, "NOTES.md").click();
    h.run_steps(2);
    // File ▸ Open path…: a second tab.
    h.get_by_label("File").click();
    h.run_steps(2);
    h.get_by_label("Open path…").click();
    h.run_steps(3);
    h.query_all_by_role(Role::TextInput)
        .find(|n| egui_kittest::kittest::NodeT::accesskit_node(n).is_focused())
        .expect("the window's path field has the focus")
        .type_text(&second.display().to_string());
    h.run_steps(1);
    h.key_press(Key::Enter);
    wait_for(&mut h, "the second tab", |h| {
        h.state().title().starts_with("second.iso — ")
    });
    wait_label(&mut h, "README.txt");
    assert_eq!(h.state().model.active, 1);
    assert!(h.state().tab().selection.nodes.is_empty());
    // A dropped image: a third tab.
    h.input_mut()
        .dropped_files
        .push(Arc::new(Dropped(third.clone())));
    wait_for(&mut h, "the third tab", |h| {
        h.state().title().starts_with("third.iso — ")
    });
    assert_eq!(tab_labels(&h), ["sample.iso", "second.iso", "third.iso"]);
    // Back in the first tab: still in docs with NOTES.md selected, and
    // Back still leads to the root.
    h.get_by_label("sample.iso").click();
    wait_label(&mut h, "NOTES.md");
    let (_, tree) = h.state().current().unwrap();
    let notes = tree.lookup("/docs/NOTES.md").unwrap();
    assert_eq!(h.state().tab().selection.list(), vec![notes]);
    h.key_press_modifiers(Modifiers::ALT, Key::ArrowLeft);
    wait_label(&mut h, "README.txt");
}

/// The tabs open at the end of a run come back at the next start, the one
/// shown last shown again; a tab whose file is gone is left out.
#[test]
fn tabs_are_restored_when_their_files_still_exist() {
    let dir = tempfile::tempdir().unwrap();
    let settings_path = dir.path().join("settings.ron");
    let a = copy_sample(dir.path(), "a.iso");
    let b = copy_sample(dir.path(), "b.iso");
    let c = copy_sample(dir.path(), "c.iso");
    let mut h = harness(App::new(AppOptions {
        settings_path: Some(settings_path.clone()),
        open_paths: vec![a.clone(), b.clone(), c.clone()],
        ..options()
    }));
    wait_for(&mut h, "three tabs open", |h| {
        h.state().model.tabs.iter().all(|t| t.session.is_some())
    });
    assert_eq!(tab_labels(&h), ["a.iso", "b.iso", "c.iso"]);
    h.get_by_label("b.iso").click();
    h.run_steps(2);
    h.state_mut().save_now();
    drop(h);
    std::fs::remove_file(&a).unwrap();

    let (saved, problem) = isoscope::settings::Settings::load(&settings_path);
    assert_eq!(problem, None);
    let mut h = harness(App::new(AppOptions {
        settings: saved,
        settings_path: Some(settings_path),
        ..options()
    }));
    wait_for(&mut h, "the tabs restored", |h| {
        h.state().model.tabs.iter().all(|t| t.session.is_some())
    });
    assert_eq!(tab_labels(&h), ["b.iso", "c.iso"], "a.iso is gone");
    assert!(
        h.state().title().starts_with("b.iso — "),
        "b.iso shown last"
    );
}
