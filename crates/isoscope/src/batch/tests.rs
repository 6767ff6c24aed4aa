//! The batch window driven headless with egui_kittest: real extraction of
//! the sample image (assets/sample.iso, made by xorriso) next to a copy of
//! it, checked against the disc's own md5sum.txt (written by GNU md5sum
//! when the image was made); the summary, "Open folder", errors, a second
//! run that must not overwrite, and cancel.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use egui_kittest::kittest::Queryable;
use egui_kittest::Harness;
use md5::{Digest, Md5};

use super::{BatchOptions, BatchWindow, Mode, OpenFolder};

fn sample() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../assets/sample.iso"
    ))
}

/// A copy of the sample in a fresh folder (the folder stays alive with it).
fn sample_copy() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let image = dir.path().join("sample.iso");
    std::fs::copy(sample(), &image).unwrap();
    (dir, image)
}

/// A window whose "Open folder" records the folder instead of opening it.
fn window(options: BatchOptions) -> (BatchWindow, Arc<Mutex<Vec<PathBuf>>>) {
    let opened = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&opened);
    let open: OpenFolder = Arc::new(move |d: &Path| {
        log.lock().unwrap().push(d.to_path_buf());
        Ok(())
    });
    (BatchWindow::new(options, open), opened)
}

fn harness(w: BatchWindow) -> Harness<'static, BatchWindow> {
    Harness::builder()
        .with_size([560.0, 420.0])
        .build_ui_state(|ui, w: &mut BatchWindow| w.ui(ui), w)
}

fn here(images: Vec<PathBuf>) -> BatchOptions {
    BatchOptions {
        mode: Mode::Here,
        images,
        dest: None,
        close_when_done: false,
    }
}

fn wait_finished(h: &mut Harness<'static, BatchWindow>) {
    let start = Instant::now();
    while !h.state().finished() {
        h.step();
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "batch did not finish: {:?}",
            h.state()
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    h.step();
}

/// Checks every file md5sum.txt (inside `dir`) names against its digest.
fn check_md5sums(dir: &Path) {
    let list = std::fs::read_to_string(dir.join("md5sum.txt")).unwrap();
    let expected: BTreeMap<&str, &str> = list
        .lines()
        .filter_map(|l| l.split_once("  "))
        .map(|(sum, path)| (path.trim_start_matches("./"), sum))
        .collect();
    assert!(expected.len() >= 8, "md5sum.txt lists {expected:?}");
    for (path, sum) in expected {
        let bytes = std::fs::read(dir.join(path)).unwrap();
        let got: String = Md5::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(got, sum, "{path}");
    }
}

/// Extract Here: the sample holds several top-level entries, so they land
/// in a new folder named after it, next to it; the summary offers "Open
/// folder", which opens that folder.
#[test]
fn extract_here_makes_a_folder_named_after_the_image() {
    let (dir, image) = sample_copy();
    let (w, opened) = window(here(vec![image]));
    let mut h = harness(w);
    wait_finished(&mut h);
    let out = dir.path().join("sample");
    check_md5sums(&out);
    assert!(out.join("empty").is_dir());
    assert_eq!(h.state().exit_code(), 0);
    assert!(h.query_by_label("Extracted").is_some());
    h.get_by_label("Open folder").click();
    h.run();
    assert_eq!(*opened.lock().unwrap(), vec![out]);
}

/// A second Extract Here of the same image never touches the first
/// folder: it makes "sample (2)".
#[test]
fn extract_here_twice_never_overwrites() {
    let (dir, image) = sample_copy();
    let first = dir.path().join("sample");
    std::fs::create_dir(&first).unwrap();
    std::fs::write(first.join("README.txt"), b"mine").unwrap();
    let (w, _) = window(here(vec![image]));
    let mut h = harness(w);
    wait_finished(&mut h);
    assert_eq!(std::fs::read(first.join("README.txt")).unwrap(), b"mine");
    check_md5sums(&dir.path().join("sample (2)"));
    assert_eq!(h.state().dests[0], Some(dir.path().join("sample (2)")));
}

/// Several images queue in the one window; one that is not an image is
/// reported in the summary (and the exit code), the others are extracted.
#[test]
fn queued_images_and_a_bad_one() {
    let (dir, image) = sample_copy();
    let other = dir.path().join("other.iso");
    std::fs::copy(&image, &other).unwrap();
    let bad = dir.path().join("notes.iso");
    std::fs::write(&bad, vec![b'x'; 40_000]).unwrap();
    let (w, _) = window(here(vec![image, bad, other]));
    let mut h = harness(w);
    wait_finished(&mut h);
    check_md5sums(&dir.path().join("sample"));
    check_md5sums(&dir.path().join("other"));
    assert!(!dir.path().join("notes").exists());
    assert_eq!(h.state().exit_code(), 1);
    assert!(h
        .query_by_label("1 of 3 not extracted completely")
        .is_some());
    assert!(h
        .query_by_label_contains("notes.iso: cannot open")
        .is_some());
    assert_eq!(h.query_all_by_label("Open folder").count(), 2);
}

/// Extract To with the folder given: the image's folder is made there.
#[test]
fn extract_to_a_given_folder() {
    let (_dir, image) = sample_copy();
    let dest = tempfile::tempdir().unwrap();
    let (w, _) = window(BatchOptions {
        mode: Mode::To,
        images: vec![image],
        dest: Some(dest.path().to_path_buf()),
        close_when_done: false,
    });
    let mut h = harness(w);
    wait_finished(&mut h);
    check_md5sums(&dest.path().join("sample"));
}

/// Cancel before the work begins: nothing is written, every image is
/// reported as not started, the exit code says cancelled.
#[test]
fn cancel_skips_the_queue() {
    let (dir, image) = sample_copy();
    let (mut w, _) = window(here(vec![image.clone(), image]));
    w.cancel();
    let mut h = harness(w);
    wait_finished(&mut h);
    assert_eq!(h.state().queue.items.len(), 1);
    assert!(!dir.path().join("sample").exists());
    assert_eq!(h.state().exit_code(), 130);
    assert!(h.query_by_label("Cancelled").is_some());
}
