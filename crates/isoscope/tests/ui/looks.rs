//! How the window reads: the tree's root named by the volume label, modes
//! as `ls -l` writes them, readable types, sizes aligned right, and the
//! theme following the system's preference.

use super::*;

/// The tree's root shows the volume label make-sample.sh gave xorriso
/// (`-V ISOSCOPE_SAMPLE`), not "(root)".
#[test]
fn the_tree_root_shows_the_volume_label() {
    let mut h = open(&sample());
    wait_label(&mut h, "README.txt");
    // Properties shows it too; the tree pane is on the left.
    assert!(
        h.query_all_by_label("ISOSCOPE_SAMPLE")
            .any(|n| n.rect().left() < 220.0),
        "the tree's root is labelled with the volume label"
    );
    assert!(!has_label(&h, "(root)"));
}

/// A file's mode reads as xorriso's `lsdl` prints it; the octal is in the
/// tooltip. Types are words; sizes line up on their right edge.
#[test]
fn modes_types_and_sizes_read_like_a_file_manager() {
    let mut h = open(&sample());
    wait_label(&mut h, "README.txt");
    table_row(&h, "README.txt").click();
    h.run_steps(2);
    let lsdl_line = std::fs::read_to_string(assets().join("sample.lsdl")).unwrap();
    let mode = lsdl_line
        .lines()
        .find(|l| l.ends_with("'/README.txt'"))
        .and_then(|l| l.split_whitespace().next())
        .unwrap()
        .to_string();
    assert_eq!(mode, "-rw-r--r--");
    assert!(has_label(&h, &mode), "mode {mode} shown");
    assert!(has_label(&h, "Text document"));
    // Right edges of two sizes of different widths.
    let right = |label: &str| h.get_by_label(label).rect().right();
    let (a, b) = (right("166 B"), right("48.0 KiB"));
    assert!((a - b).abs() < 1.0, "sizes end at {a} and {b}");
    assert!(listed("/README.txt").size == 166 && listed("/data.bin").size == 49152);
}

/// "Follow the system" (the default) takes the theme the windowing layer
/// reports, and follows it when it changes.
#[test]
fn the_theme_follows_the_system() {
    let mut h = open(&sample());
    wait_label(&mut h, "README.txt");
    assert_eq!(
        h.ctx.options(|o| o.theme_preference),
        egui::ThemePreference::System
    );
    for theme in [egui::Theme::Dark, egui::Theme::Light, egui::Theme::Dark] {
        h.input_mut().system_theme = Some(theme);
        h.run_steps(2);
        assert_eq!(h.ctx.theme(), theme);
    }
}

/// At 2.0 pixels per point the window lays out the same in points: the
/// rows are where they are at 1.0 (egui scales them to pixels).
#[test]
fn scale_two_keeps_the_layout_in_points() {
    let mut h = open(&sample());
    wait_label(&mut h, "README.txt");
    let at_one = table_row(&h, "README.txt").rect();
    h.set_pixels_per_point(2.0);
    h.run_steps(3);
    assert_eq!(h.ctx.pixels_per_point(), 2.0);
    let at_two = table_row(&h, "README.txt").rect();
    assert!(
        (at_one.top() - at_two.top()).abs() < 1.0,
        "{at_one:?} {at_two:?}"
    );
}
