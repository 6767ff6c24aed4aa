//! Multi-session images made by xorriso and genisoimage
//! (tests/fixtures/sessions/make.sh; how each is laid out is described
//! there): the sessions found must be the ones
//! `xorriso -toc` lists, and each session's Rock Ridge and Joliet trees
//! must hold what `xorriso -load sbsector START -find / -exec lsdl` lists.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use iso_core::{Image, MemorySource, NodeKind, OpenOptions, Tree, View};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/sessions")
        .join(name)
}

fn text(name: &str) -> String {
    std::fs::read_to_string(fixture(name)).unwrap()
}

fn open(name: &str, session: Option<u32>) -> iso_core::Result<Image> {
    let gz = std::fs::read(fixture(name)).unwrap();
    let mut bytes = Vec::new();
    flate2::read::GzDecoder::new(gz.as_slice())
        .read_to_end(&mut bytes)
        .unwrap();
    let options = OpenOptions::with_session(session);
    Image::from_source(Arc::new(MemorySource::new(bytes)), &options)
}

/// `ISO session  :   1 ,        32 ,        31s , SESSION_ONE` ->
/// (1, 32, 31, "SESSION_ONE").
fn toc(name: &str) -> Vec<(u32, u32, u32, String)> {
    text(name)
        .lines()
        .filter_map(|l| l.strip_prefix("ISO session  :"))
        .map(|rest| {
            let f: Vec<&str> = rest.split(',').map(str::trim).collect();
            (
                f[0].parse().unwrap(),
                f[1].parse().unwrap(),
                f[2].trim_end_matches('s').parse().unwrap(),
                f[3].to_string(),
            )
        })
        .collect()
}

/// One lsdl line: (path, permissions as `ls -l` shows them, size). The
/// root itself is left out, as our listings leave it out.
fn lsdl(name: &str) -> Vec<(String, String, u64)> {
    text(name)
        .lines()
        .filter(|l| !l.is_empty())
        .map(|l| {
            let (head, path) = l.split_once(" '").unwrap();
            let f: Vec<&str> = head.split_whitespace().collect();
            (
                path.trim_end_matches('\'').to_string(),
                f[0].to_string(),
                f[4].parse().unwrap(),
            )
        })
        .filter(|(p, _, _)| p != "/")
        .collect()
}

/// Our tree in lsdl's terms; the permissions string from the Rock Ridge
/// mode, or only its type letter where the view has no modes.
fn listing(tree: &Tree, with_modes: bool) -> Vec<(String, String, u64)> {
    let mut out: Vec<_> = tree
        .walk(tree.root())
        .filter(|&id| id != tree.root())
        .map(|id| {
            let kind = match tree.kind(id) {
                NodeKind::Dir => 'd',
                NodeKind::Symlink => 'l',
                NodeKind::File => '-',
                _ => '?',
            };
            let size = if tree.is_dir(id) { 0 } else { tree.size(id) };
            let perms = match (with_modes, tree.unix(id)) {
                (true, Some(u)) => format!("{kind}{}", rwx(u.mode)),
                _ => kind.to_string(),
            };
            (tree.path(id), perms, size)
        })
        .collect();
    out.sort();
    out
}

fn rwx(mode: u32) -> String {
    (0..9)
        .map(|i| {
            let bit = 1 << (8 - i);
            if mode & bit == 0 {
                '-'
            } else {
                ['r', 'w', 'x'][i % 3]
            }
        })
        .collect()
}

fn type_only(v: Vec<(String, String, u64)>) -> Vec<(String, String, u64)> {
    let mut v: Vec<_> = v
        .into_iter()
        .map(|(p, m, s)| (p, m[..1].to_string(), s))
        .collect();
    v.sort();
    v
}

fn sorted(mut v: Vec<(String, String, u64)>) -> Vec<(String, String, u64)> {
    v.sort();
    v
}

fn read_all(image: &Image, tree: &Tree, path: &str) -> String {
    let id = tree.lookup(path).unwrap();
    let mut s = String::new();
    image
        .open_file(tree, id)
        .unwrap()
        .read_to_string(&mut s)
        .unwrap();
    s
}

fn check_sessions(image_name: &str, toc_name: &str) -> usize {
    let image = open(image_name, None).unwrap();
    let ours: Vec<_> = image
        .sessions()
        .iter()
        .map(|s| {
            (
                s.number,
                s.start_lba,
                s.volume_space_size,
                s.volume_identifier.clone(),
            )
        })
        .collect();
    let theirs = toc(toc_name);
    assert_eq!(ours, theirs);
    assert_eq!(image.info().sessions.len(), theirs.len());
    theirs.len()
}

#[test]
fn xorriso_sessions_match_toc() {
    let n = check_sessions("xorriso.iso.gz", "xorriso.toc");
    assert_eq!(n, 3);
}

#[test]
fn cd_style_sessions_match_toc() {
    let n = check_sessions("cd.iso.gz", "cd.toc");
    assert_eq!(n, 2);
}

/// `xorriso -as mkisofs` then `xorriso -dev ... -commit`: the first
/// session's descriptors were overwritten, so there is one session from
/// LBA 0 reaching the end of the appended data, as xorriso says.
#[test]
fn grown_in_place_is_one_session() {
    let n = check_sessions("grown.iso.gz", "grown.toc");
    assert_eq!(n, 1);
    for session in [None, Some(1)] {
        let image = open("grown.iso.gz", session).unwrap();
        let rr = image.tree(View::RockRidge).unwrap();
        assert_eq!(listing(&rr, true), sorted(lsdl("grown.session1.lsdl")));
    }
}

#[test]
fn xorriso_each_session_lists_like_xorriso() {
    for n in 1..=3u32 {
        let image = open("xorriso.iso.gz", Some(n)).unwrap();
        assert_eq!(image.info().session, Some(n));
        let rr = image.tree(View::RockRidge).unwrap();
        assert!(rr.warnings().is_empty(), "{:?}", rr.warnings());
        assert_eq!(
            listing(&rr, true),
            sorted(lsdl(&format!("xorriso.session{n}.lsdl"))),
            "session {n}, Rock Ridge"
        );
        let joliet = image.tree(View::Joliet).unwrap();
        assert_eq!(
            listing(&joliet, false),
            type_only(lsdl(&format!("xorriso.session{n}.joliet.lsdl"))),
            "session {n}, Joliet"
        );
        // The file the script replaced in session 2; older sessions' files
        // are read through their absolute LBAs.
        let readme = read_all(&image, &rr, "/readme.txt");
        let want = if n == 1 {
            "session 1\n"
        } else {
            "session 2 replaced this file\n"
        };
        assert_eq!(readme, want, "session {n}");
        if n >= 2 {
            assert_eq!(read_all(&image, &rr, "/b/two.txt"), "two two\n");
        }
    }
}

#[test]
fn xorriso_default_is_the_newest_session() {
    let image = open("xorriso.iso.gz", None).unwrap();
    assert_eq!(image.info().session, Some(3));
    let rr = image.tree(View::RockRidge).unwrap();
    assert_eq!(listing(&rr, true), sorted(lsdl("xorriso.session3.lsdl")));
    // LBA 16 describes the newest session; it is not a session itself.
    assert_eq!(image.info().primary().unwrap().lba, 16);
    assert_eq!(
        image.info().primary().unwrap().volume_identifier,
        "SESSION_THREE"
    );
}

#[test]
fn cd_style_each_session_lists_like_xorriso() {
    for n in 1..=2u32 {
        let image = open("cd.iso.gz", Some(n)).unwrap();
        let rr = image.tree(View::RockRidge).unwrap();
        assert_eq!(
            listing(&rr, true),
            sorted(lsdl(&format!("cd.session{n}.lsdl"))),
            "session {n}"
        );
    }
    // The newest is session 2, although LBA 16 holds session 1's set.
    let image = open("cd.iso.gz", None).unwrap();
    assert_eq!(image.info().session, Some(2));
    let rr = image.tree(View::RockRidge).unwrap();
    assert_eq!(listing(&rr, true), sorted(lsdl("cd.session2.lsdl")));
    assert_eq!(read_all(&image, &rr, "/one.txt"), "one\n");
    assert_eq!(
        read_all(&image, &rr, "/readme.txt"),
        "session 2 replaced this file\n"
    );
}

#[test]
fn missing_session_is_not_found() {
    let e = open("xorriso.iso.gz", Some(4)).unwrap_err();
    assert!(matches!(e, iso_core::Error::NotFound(_)), "{e}");
    assert_eq!(
        e.to_string(),
        "not found: session 4 (the image has sessions 1..3)"
    );
    assert!(open("cd.iso.gz", Some(0)).is_err());
}
