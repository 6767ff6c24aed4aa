//! Names and the CD-ROM XA record, on images made by genisoimage and
//! pycdlib (tests/fixtures/names/make.sh), against `isoinfo -l` and
//! `bsdtar -tf` listings of the same images: Rock Ridge found after the XA
//! record, UTF-8 identifiers read as UTF-8, a Shift-JIS identifier kept as
//! its bytes (listed and extracted as those bytes), Joliet's unpaired
//! surrogates kept.

use iso_core::{NodeId, NodeKind, Tree, View};

use crate::util::{fixtures_dir, open_fixture};

/// One entry of an `isoinfo -l` listing: path bytes from the root, the
/// mode string (`-rw-r--r--`), size, link target.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Listed {
    path: Vec<u8>,
    mode: String,
    size: u64,
    target: Option<Vec<u8>>,
}

fn expected(file: &str) -> Vec<u8> {
    std::fs::read(fixtures_dir().join("names/expected").join(file)).unwrap()
}

/// Parses `isoinfo -l`: "Directory listing of /dir/" headers, then lines
/// `MODE N UID GID SIZE DATE [ LBA FLAGS]  NAME ` (`NAME -> TARGET` for
/// links). Bytes, because names need not be UTF-8.
fn isoinfo(file: &str) -> Vec<Listed> {
    let text = expected(file);
    let mut dir: Vec<u8> = Vec::new();
    let mut out = Vec::new();
    for line in text.split(|&b| b == b'\n') {
        if let Some(d) = line.strip_prefix(b"Directory listing of ") {
            dir = d.to_vec();
            continue;
        }
        let Some(close) = line.windows(3).position(|w| w == b"]  ") else {
            continue;
        };
        let head = String::from_utf8_lossy(&line[..close]).into_owned();
        let fields: Vec<&str> = head.split_whitespace().collect();
        let mut name = line[close + 3..].to_vec();
        let mut target = None;
        if let Some(arrow) = name.windows(4).position(|w| w == b" -> ") {
            target = Some(name[arrow + 4..].to_vec());
            name.truncate(arrow);
        } else if name.last() == Some(&b' ') {
            name.pop();
        }
        if name == b"." || name == b".." {
            continue;
        }
        let mut path = dir.clone();
        path.extend_from_slice(&name);
        out.push(Listed {
            path,
            mode: fields[0].to_string(),
            size: fields[4].parse().unwrap(),
            target,
        });
    }
    out.sort();
    out
}

/// `-rw-r--r--` for a node, from its Rock Ridge mode.
fn mode_string(tree: &Tree, id: NodeId) -> String {
    let mode = tree.unix(id).map_or(0, |u| u.mode);
    let t = match tree.kind(id) {
        NodeKind::Dir => 'd',
        NodeKind::Symlink => 'l',
        _ => '-',
    };
    let mut s = String::from(t);
    for (i, c) in "rwxrwxrwx".chars().enumerate() {
        s.push(if mode & (0o400 >> i) != 0 { c } else { '-' });
    }
    s
}

/// The path bytes of every node below the root, as on the disc.
fn path_bytes(tree: &Tree, id: NodeId) -> Vec<u8> {
    let mut out = Vec::new();
    let mut parts = vec![id];
    let mut cur = id;
    while let Some(p) = tree.parent(cur).filter(|&p| p != tree.root()) {
        parts.push(p);
        cur = p;
    }
    for part in parts.iter().rev() {
        out.push(b'/');
        out.extend_from_slice(&tree.name_bytes(*part));
    }
    out
}

fn listing(tree: &Tree, with_modes: bool) -> Vec<Listed> {
    let mut out: Vec<Listed> = tree
        .walk(tree.root())
        .skip(1)
        .map(|id| Listed {
            path: path_bytes(tree, id),
            mode: if with_modes {
                mode_string(tree, id)
            } else {
                String::new()
            },
            size: if tree.is_dir(id) { 2048 } else { tree.size(id) },
            target: tree.link_target(id).map(|t| t.as_bytes().to_vec()),
        })
        .collect();
    out.sort();
    out
}

#[test]
fn rock_ridge_is_found_after_the_xa_record() {
    for name in ["genisoimage-xa-rr", "pycdlib-xa-rr"] {
        let (_f, image) = open_fixture(&format!("names/{name}"));
        assert!(
            image.views().contains(&View::RockRidge),
            "{name}: {:?}",
            image.views()
        );
        let tree = image.tree(View::RockRidge).unwrap();
        let mut want = isoinfo(&format!("{name}.isoinfo-R.txt"));
        // isoinfo gives a symlink's size as 0 and a directory's as its
        // extent; the tree says the same for both.
        for w in &mut want {
            if w.mode.starts_with('l') {
                w.size = 0;
            }
        }
        assert_eq!(listing(&tree, true), want, "{name}");
        assert!(tree.warnings().is_empty(), "{name}: {:?}", tree.warnings());
    }
}

#[test]
fn xa_attributes_are_on_the_nodes() {
    // genisoimage derives the XA permission bits from the file's mode
    // (read → 0x01/0x10/0x100, execute → 0x04/0x40/0x400 for owner, group,
    // world), marks every record Mode 2 Form 1 and directories 0x8000:
    // checked against the modes isoinfo lists.
    let (_f, image) = open_fixture("names/genisoimage-xa-rr");
    let tree = image.tree(View::RockRidge).unwrap();
    let modes = isoinfo("genisoimage-xa-rr.isoinfo-R.txt");
    let mut seen = 0;
    for id in tree.walk(tree.root()).skip(1) {
        let xa = tree.xa(id).unwrap_or_else(|| panic!("{}", tree.path(id)));
        let listed = modes
            .iter()
            .find(|m| m.path == path_bytes(&tree, id))
            .unwrap();
        let m = listed.mode.as_bytes();
        let mut bits = 0u16;
        for (who, shift) in [(1, 0), (4, 4), (7, 8)] {
            if m[who] == b'r' {
                bits |= 1 << shift;
            }
            if m[who + 2] == b'x' {
                bits |= 4 << shift;
            }
        }
        assert_eq!(xa.attributes & 0x0555, bits, "{}", tree.path(id));
        assert!(xa.form1() && !xa.form2() && !xa.interleaved());
        assert_eq!(xa.directory(), tree.is_dir(id), "{}", tree.path(id));
        assert_eq!((xa.group_id, xa.user_id), (0, 0));
        seen += 1;
    }
    assert_eq!(seen, modes.len());
    // pycdlib writes the record with no attribute bits at all.
    let (_f, image) = open_fixture("names/pycdlib-xa-rr");
    let tree = image.tree(View::RockRidge).unwrap();
    let file = tree.lookup("/Mixed.Case.TXT").unwrap();
    assert_eq!(tree.xa(file).map(|x| x.attributes), Some(0));
    assert_eq!(tree.xa(file).unwrap().describe(), "no attributes");
}

#[test]
fn level4_identifiers_are_utf8_and_other_bytes_stay_bytes() {
    let (_f, image) = open_fixture("names/genisoimage-level4-names");
    let want: Vec<Vec<u8>> = isoinfo("genisoimage-level4-names.isoinfo.txt")
        .into_iter()
        .map(|l| l.path)
        .collect();
    for view in [View::Iso9660, View::Iso9660_1999] {
        let tree = image.tree(view).unwrap();
        let got: Vec<Vec<u8>> = listing(&tree, false).into_iter().map(|l| l.path).collect();
        assert_eq!(got, want, "{view}");
        assert!(
            tree.lookup("/Ünïcödé.txt").is_ok(),
            "{view}: UTF-8 read as UTF-8"
        );
        let sjis = tree
            .children(tree.root())
            .find(|&c| tree.name_bytes(c).as_ref() == b"\x83e\x83X\x83g.txt")
            .unwrap();
        assert_eq!(tree.display_name(sjis), "\\x83e\\x83X\\x83g.txt");
    }
    // pycdlib's level 4: bsdtar's listing (C locale: octal escapes).
    let (_f, image) = open_fixture("names/pycdlib-level4-utf8");
    let tree = image.tree(View::Iso9660).unwrap();
    let text = String::from_utf8(expected("pycdlib-level4-utf8.bsdtar.txt")).unwrap();
    let mut want: Vec<Vec<u8>> = text
        .lines()
        .filter(|l| *l != ".")
        .map(|l| {
            let mut p = b"/".to_vec();
            p.extend(unescape_octal(l));
            p
        })
        .collect();
    want.sort();
    let got: Vec<Vec<u8>> = listing(&tree, false).into_iter().map(|l| l.path).collect();
    assert_eq!(got, want);
}

fn unescape_octal(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' && i + 3 < b.len() + 1 && b[i + 1].is_ascii_digit() {
            out.push(u8::from_str_radix(&s[i + 1..i + 4], 8).unwrap());
            i += 4;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    out
}

#[cfg(unix)]
#[test]
fn extraction_writes_the_same_bytes_and_keeps_case_only_names() {
    use iso_core::extract::{extract, Cancel, CaseCheck, CaseRule, ExtractOptions, Progress};
    use std::os::unix::ffi::OsStrExt;
    use std::path::PathBuf;
    let (_f, image) = open_fixture("names/genisoimage-level4-names");
    let tree = image.tree(View::Iso9660).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let out = extract(
        &image,
        &tree,
        &[tree.root()],
        tmp.path(),
        &ExtractOptions::default(),
        &Progress::new(),
        &Cancel::new(),
    )
    .unwrap();
    assert!(out.renamed.is_empty(), "{:?}", out.renamed);
    let mut names: Vec<Vec<u8>> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().as_bytes().to_vec())
        .collect();
    names.sort();
    let mut want: Vec<Vec<u8>> = isoinfo("genisoimage-level4-names.isoinfo.txt")
        .into_iter()
        .filter(|l| !l.path[1..].contains(&b'/'))
        .map(|l| l.path[1..].to_vec())
        .collect();
    want.sort();
    assert_eq!(names, want);
    let sjis: PathBuf = std::ffi::OsStr::from_bytes(b"\x83e\x83X\x83g.txt").into();
    assert_eq!(std::fs::read(tmp.path().join(sjis)).unwrap(), b"s\n");

    // Case-only names: both kept on a case-sensitive destination, the
    // second renamed on a case-insensitive one (the probe's answer given).
    let (_f, image) = open_fixture("names/genisoimage-xa-rr");
    let tree = image.tree(View::RockRidge).unwrap();
    // The contents make.sh wrote; which of the two comes second (and is
    // renamed) is the directory's order.
    let second = tree
        .children(tree.root())
        .map(|c| tree.name(c))
        .filter(|n| n.eq_ignore_ascii_case("mixed.case.txt"))
        .nth(1)
        .unwrap();
    let content = |n: &str| -> &[u8] {
        if n == "Mixed.Case.TXT" {
            b"upper\n"
        } else {
            b"lower!\n"
        }
    };
    let renamed = iso_core::extract::sanitize::numbered(second, 2);
    for rule in [CaseRule::Sensitive, CaseRule::Insensitive] {
        let tmp = tempfile::tempdir().unwrap();
        let opts = ExtractOptions {
            case: CaseCheck::Assume(rule),
            ..Default::default()
        };
        let out = extract(
            &image,
            &tree,
            &[tree.root()],
            tmp.path(),
            &opts,
            &Progress::new(),
            &Cancel::new(),
        )
        .unwrap();
        for n in ["Mixed.Case.TXT", "mixed.case.txt"] {
            let written = if n == second && rule == CaseRule::Insensitive {
                renamed.as_str()
            } else {
                n
            };
            let got = std::fs::read(tmp.path().join(written));
            assert_eq!(got.unwrap(), content(n), "{rule:?}: {written}");
        }
        assert_eq!(
            out.renamed.len(),
            usize::from(rule == CaseRule::Insensitive)
        );
        // The tree lists the link first: "link" → Mixed.Case.TXT.
        assert_eq!(
            std::fs::read_link(tmp.path().join("link")).unwrap(),
            std::path::Path::new("Mixed.Case.TXT")
        );
    }
}

#[test]
fn joliet_unpaired_surrogates_are_kept_not_dropped() {
    // genisoimage's Joliet fixture with the "N" of "NOEXT" (UTF-16BE
    // 00 4E in its Joliet directory record) patched to a lone high
    // surrogate D8 00.
    let mut bytes = crate::util::gunzip(&fixtures_dir().join("genisoimage-joliet.iso.gz"));
    let utf16: Vec<u8> = "NOEXT".encode_utf16().flat_map(u16::to_be_bytes).collect();
    let at = bytes
        .windows(utf16.len())
        .position(|w| w == utf16.as_slice())
        .expect("the Joliet record of NOEXT");
    bytes[at..at + 2].copy_from_slice(&[0xD8, 0x00]);
    let file = crate::util::temp_file(&bytes);
    let image = iso_core::Image::open(file.path(), &iso_core::OpenOptions::default()).unwrap();
    let tree = image.tree(View::Joliet).unwrap();
    let node = tree
        .children(tree.root())
        .find(|&c| tree.display_name(c) == "\\u{d800}OEXT")
        .unwrap_or_else(|| {
            let names: Vec<_> = tree
                .children(tree.root())
                .map(|c| tree.display_name(c))
                .collect();
            panic!("not kept: {names:?}")
        });
    assert_eq!(tree.size(node), 6, "still the file NOEXT was");
    // On a Unix host it is written in the generalised UTF-8 form.
    assert_eq!(tree.name_bytes(node).as_ref(), b"\xed\xa0\x80OEXT");
}
