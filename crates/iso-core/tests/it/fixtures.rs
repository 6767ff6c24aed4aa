//! Fixture images made by third-party tools (`tests/fixtures/make.sh`),
//! compared entry for entry with what those tools listed: the set of paths,
//! and per entry the type, size, mtime, Rock Ridge mode, link target,
//! device numbers and the sha256 of the content read through
//! `Image::open_file`. Format of the listings: tests/fixtures/expected/README.md.

use std::collections::BTreeMap;

use iso_core::{Image, View};

use crate::util::{
    fixtures_dir, kind_letter, open_fixture, rdev_matches, recorded_nodes, sha256_of,
};

/// One line of an expected listing.
#[derive(Debug, Clone)]
pub struct Expected {
    pub kind: char,
    pub size: Option<u64>,
    pub mtime: Option<i64>,
    pub mode: Option<u32>,
    pub extra: Option<String>,
}

fn field(s: &str) -> Option<&str> {
    (s != "-").then_some(s)
}

/// Parses `expected/<image>.<view>.tsv`.
pub fn parse_listing(text: &str) -> BTreeMap<String, Expected> {
    let mut out = BTreeMap::new();
    for line in text.lines().filter(|l| !l.is_empty()) {
        let f: Vec<&str> = line.split('\t').collect();
        assert_eq!(f.len(), 6, "bad listing line {line:?}");
        let e = Expected {
            kind: f[1].chars().next().expect("type"),
            size: field(f[2]).map(|s| s.parse().expect("size")),
            mtime: field(f[3]).map(|s| s.parse().expect("mtime")),
            mode: field(f[4]).map(|s| u32::from_str_radix(s, 8).expect("mode")),
            extra: field(f[5]).map(str::to_string),
        };
        out.insert(f[0].to_string(), e);
    }
    out
}

fn read_expected(name: &str, what: &str) -> String {
    let path = fixtures_dir()
        .join("expected")
        .join(format!("{name}.{what}"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Compares one view of `image` with its expected listing; returns the
/// differences, one line each.
pub fn compare_view(
    image: &Image,
    view: View,
    expected: &BTreeMap<String, Expected>,
) -> Vec<String> {
    let mut diffs = Vec::new();
    let tree = match image.tree(view) {
        Ok(t) => t,
        Err(e) => return vec![format!("{view}: no tree: {e}")],
    };
    let mut ours = BTreeMap::new();
    for (path, id) in recorded_nodes(&tree) {
        if ours.insert(path.clone(), id).is_some() {
            diffs.push(format!("{view}: two entries at {path}"));
        }
    }
    for path in expected.keys().filter(|p| !ours.contains_key(*p)) {
        // Issue 2: the Rock Ridge view shows the logical tree with the
        // relocation folder hidden when it only holds relocated (RE)
        // directories. xorriso, which made these listings, shows it empty;
        // bsdtar and 7-Zip hide it. So an expected, empty rr_moved may be
        // missing.
        let empty_rr_moved = view == View::RockRidge
            && matches!(path.as_str(), "/rr_moved" | "/.rr_moved")
            && !expected.keys().any(|p| p.starts_with(&format!("{path}/")));
        if !empty_rr_moved {
            diffs.push(format!("{view}: missing {path}"));
        }
    }
    for path in ours.keys().filter(|p| !expected.contains_key(*p)) {
        diffs.push(format!("{view}: unexpected {path}"));
    }
    for (path, want) in expected {
        let Some(&id) = ours.get(path) else { continue };
        let mut bad = |what: String| diffs.push(format!("{view}: {path}: {what}"));
        let kind = kind_letter(tree.kind(id));
        if kind != want.kind {
            bad(format!("type {kind}, expected {}", want.kind));
            continue;
        }
        if let Some(size) = want.size {
            if tree.size(id) != size {
                bad(format!("size {}, expected {size}", tree.size(id)));
            }
        }
        if let Some(mtime) = want.mtime {
            let got = tree.mtime(id).map(|t| t.seconds);
            if got != Some(mtime) {
                bad(format!("mtime {got:?}, expected {mtime}"));
            }
        }
        if let Some(mode) = want.mode {
            let got = tree.unix(id).map(|u| u.mode & 0o7777);
            if got != Some(mode) {
                bad(format!(
                    "mode {}, expected {mode:o}",
                    got.map_or("none".into(), |m| format!("{m:o}"))
                ));
            }
        }
        match (want.kind, want.extra.as_deref()) {
            ('f', Some(sha)) => match sha256_of(image, &tree, id, 64 << 20) {
                Ok(got) if got == sha => {}
                Ok(got) => bad(format!("sha256 {got}, expected {sha}")),
                Err(e) => bad(format!("reading: {e}")),
            },
            ('l', Some(target)) if tree.link_target(id) != Some(target) => {
                bad(format!(
                    "target {:?}, expected {target:?}",
                    tree.link_target(id)
                ));
            }
            ('c' | 'b', Some(dev)) => {
                let (major, minor) = dev.split_once(',').expect("major,minor");
                let (major, minor) = (major.parse().expect("major"), minor.parse().expect("minor"));
                match tree.unix(id).and_then(|u| u.rdev) {
                    Some(rdev) if rdev_matches(rdev, major, minor) => {}
                    other => bad(format!("device {other:?}, expected {major},{minor}")),
                }
            }
            _ => {}
        }
    }
    diffs
}

/// `Image::root_tree` (the window's first, quick read) against the whole
/// tree, which `compare_view` checks against the tools: the same root
/// entries under the same ids, every id of the partial tree naming the same
/// entry in the whole one, and no children below the root's folders.
fn compare_root_tree(image: &Image, view: View) -> Vec<String> {
    let (part, full) = match (image.root_tree(view), image.tree(view)) {
        (Ok(p), Ok(f)) => (p, f),
        (p, f) => return vec![format!("{view}: root tree {p:?} / tree {f:?}")],
    };
    let mut diffs = Vec::new();
    if !part.is_partial() || full.is_partial() {
        diffs.push(format!(
            "{view}: partial flags {} / {}",
            part.is_partial(),
            full.is_partial()
        ));
    }
    let root_names = |t: &iso_core::Tree| -> Vec<String> {
        t.children(t.root())
            .map(|c| t.name(c).to_string())
            .collect()
    };
    if root_names(&part) != root_names(&full) {
        diffs.push(format!(
            "{view}: root entries {:?} vs {:?}",
            root_names(&part),
            root_names(&full)
        ));
    }
    for id in part.ids() {
        if !full.contains(id) {
            diffs.push(format!("{view}: id {id:?} missing from the whole tree"));
            continue;
        }
        let same = part.name(id) == full.name(id)
            && part.kind(id) == full.kind(id)
            && part.parent(id) == full.parent(id)
            && part.extents(id) == full.extents(id)
            && (part.is_dir(id) || part.size(id) == full.size(id));
        if !same {
            diffs.push(format!(
                "{view}: id {id:?} is {} in the partial tree, {} in the whole",
                part.path(id),
                full.path(id)
            ));
        }
        if id != part.root() && part.children(id).len() != 0 {
            diffs.push(format!(
                "{view}: {} has children in the partial tree",
                part.path(id)
            ));
        }
    }
    diffs
}

/// Checks every view listed for fixture `name`.
fn check_fixture(name: &str) {
    let (_file, image) = open_fixture(name);
    let views = read_expected(name, "views");
    let mut diffs = Vec::new();
    for v in views.lines().filter(|l| !l.is_empty()) {
        let view: View = v.parse().expect("view name");
        if !image.views().contains(&view) {
            diffs.push(format!(
                "{view}: view missing (image has {:?})",
                image.views()
            ));
            continue;
        }
        let expected = parse_listing(&read_expected(name, &format!("{v}.tsv")));
        assert!(!expected.is_empty(), "{name}.{v}.tsv is empty");
        diffs.extend(compare_view(&image, view, &expected));
        diffs.extend(compare_root_tree(&image, view));
    }
    if !diffs.is_empty() {
        let shown: Vec<&str> = diffs.iter().take(60).map(String::as_str).collect();
        panic!(
            "{name}: {} differences from the tools' listings:\n{}",
            diffs.len(),
            shown.join("\n")
        );
    }
}

macro_rules! fixture_tests {
    ($($test:ident => $name:literal,)*) => {
        $(
            #[test]
            fn $test() {
                check_fixture($name);
            }
        )*

        /// Every fixture in the folder has a test above.
        #[test]
        fn every_fixture_is_tested() {
            let tested = [$($name),*];
            let mut found = Vec::new();
            for entry in std::fs::read_dir(fixtures_dir()).expect("fixtures folder") {
                let name = entry.expect("entry").file_name().to_string_lossy().into_owned();
                if let Some(stem) = name.strip_suffix(".iso.gz") {
                    found.push(stem.to_string());
                }
            }
            found.sort();
            for stem in &found {
                assert!(tested.contains(&stem.as_str()), "fixture {stem} has no test");
            }
            assert_eq!(found.len(), tested.len(), "fixtures: {found:?}");
        }
    };
}

fixture_tests! {
    xorriso_rr_joliet => "xorriso-rr-joliet",
    xorriso_zisofs_32k => "xorriso-zisofs-32k",
    xorriso_zisofs_64k => "xorriso-zisofs-64k",
    xorriso_zisofs_128k => "xorriso-zisofs-128k",
    xorriso_eltorito => "xorriso-eltorito",
    xorriso_reloc => "xorriso-reloc",
    genisoimage_joliet => "genisoimage-joliet",
    genisoimage_joliet_long => "genisoimage-joliet-long",
    genisoimage_rr => "genisoimage-rr",
    genisoimage_rational_rr => "genisoimage-rational-rr",
    genisoimage_level1 => "genisoimage-level1",
    genisoimage_level2 => "genisoimage-level2",
    genisoimage_level3 => "genisoimage-level3",
    genisoimage_level4 => "genisoimage-level4",
    genisoimage_hide => "genisoimage-hide",
    genisoimage_udf => "genisoimage-udf",
    genisoimage_reloc => "genisoimage-reloc",
}

/// The zisofs fixtures: the plain ISO 9660 view shows the stored
/// (compressed) bytes, so its sizes are smaller than the Rock Ridge view's
/// for the compressible file — a check that the two views are not mixed up.
#[test]
fn zisofs_plain_view_is_compressed() {
    for name in [
        "xorriso-zisofs-32k",
        "xorriso-zisofs-64k",
        "xorriso-zisofs-128k",
    ] {
        let rr = parse_listing(&read_expected(name, "rockridge.tsv"));
        let iso = parse_listing(&read_expected(name, "iso9660.tsv"));
        let rr_size = rr["/z/numbers.txt"].size.expect("size");
        let iso_size = iso["/Z/NUMBERS.TXT"].size.expect("size");
        assert!(iso_size < rr_size / 2, "{name}: {iso_size} vs {rr_size}");
    }
}

/// The >4 GiB fixture, `xorriso-multiextent-4g`: a 4.5 GB image kept as a
/// sparse copy (its non-zero 2048-byte blocks; format in
/// tests/fixtures/expected/README.md), read through this source.
#[derive(Debug)]
pub(crate) struct SparseSource {
    len: u64,
    blocks: BTreeMap<u64, Vec<u8>>,
}

impl SparseSource {
    pub(crate) fn load(path: &std::path::Path) -> Self {
        let bytes = crate::util::gunzip(path);
        let mut lines = bytes.splitn(3, |&b| b == b'\n');
        assert_eq!(lines.next(), Some(&b"isoscope-sparse-image v1"[..]));
        let len = std::str::from_utf8(lines.next().expect("length"))
            .expect("length")
            .parse()
            .expect("length");
        let mut rest = lines.next().expect("blocks");
        let mut blocks = BTreeMap::new();
        while !rest.is_empty() {
            let (head, tail) = rest.split_at(8 + 2048);
            let n = u64::from_le_bytes(head[..8].try_into().expect("8 bytes"));
            blocks.insert(n, head[8..].to_vec());
            rest = tail;
        }
        SparseSource { len, blocks }
    }
}

impl iso_core::ImageSource for SparseSource {
    fn len(&self) -> u64 {
        self.len
    }

    fn read_exact_at(&self, offset: u64, buf: &mut [u8]) -> std::io::Result<()> {
        let end = offset.checked_add(buf.len() as u64);
        if end.is_none_or(|e| e > self.len) {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        let mut done = 0usize;
        while done < buf.len() {
            let pos = offset + done as u64;
            let (block, within) = (pos / 2048, (pos % 2048) as usize);
            let n = (2048 - within).min(buf.len() - done);
            match self.blocks.get(&block) {
                Some(data) => buf[done..done + n].copy_from_slice(&data[within..within + n]),
                None => buf[done..done + n].fill(0),
            }
            done += n;
        }
        Ok(())
    }
}

const BIG: &str = "xorriso-multiextent-4g";

fn open_big() -> Image {
    let source = SparseSource::load(&fixtures_dir().join(format!("{BIG}.sparse.gz")));
    Image::from_source(
        std::sync::Arc::new(source),
        &iso_core::OpenOptions::default(),
    )
    .expect("open the big image")
}

/// A 4.5 GiB file in two ISO 9660 extents (xorriso -as mkisofs
/// -iso-level 3): names, sizes and mtimes as xorriso lists them, the
/// extents as `xorriso -exec report_lba` reports them, and the bytes known
/// from the input at both ends (the end lies in the second extent).
#[test]
fn multi_extent_over_4_gib() {
    let image = open_big();
    let mut diffs = Vec::new();
    for v in read_expected(BIG, "views").lines() {
        let view: View = v.parse().expect("view");
        if !image.views().contains(&view) {
            diffs.push(format!(
                "{view}: view missing (image has {:?})",
                image.views()
            ));
            continue;
        }
        let expected = parse_listing(&read_expected(BIG, &format!("{v}.tsv")));
        diffs.extend(compare_view(&image, view, &expected));
        let tree = image.tree(view).expect("tree");
        // File data lba: xt , Startlba , Blocks , Filesize , 'path'
        let mut want: BTreeMap<String, Vec<(u64, u64)>> = BTreeMap::new();
        for line in read_expected(BIG, &format!("{v}.extents.txt")).lines() {
            let f: Vec<&str> = line["File data lba:".len()..]
                .split(',')
                .map(str::trim)
                .collect();
            let path = f[4].trim_matches('\'').to_string();
            want.entry(path)
                .or_default()
                .push((f[1].parse().expect("lba"), f[2].parse().expect("blocks")));
        }
        for (path, extents) in want {
            let id = tree.lookup(&path).expect("listed file");
            let got: Vec<(u64, u64)> = tree
                .extents(id)
                .iter()
                .map(|e| (e.lba(), e.len.div_ceil(2048)))
                .collect();
            if got != extents {
                diffs.push(format!(
                    "{view}: {path}: extents {got:?}, expected {extents:?}"
                ));
            }
        }
        let name = if view == View::Iso9660 {
            "/SPARSE.BIN"
        } else {
            "/sparse.bin"
        };
        let id = tree.lookup(name).expect("sparse.bin");
        let mut reader = image.open_file(&tree, id).expect("open");
        use std::io::{Read, Seek, SeekFrom};
        let mut head = [0u8; 21];
        reader.read_exact(&mut head).expect("read head");
        let mut tail = [0u8; 19];
        reader.seek(SeekFrom::End(-19)).expect("seek");
        reader.read_exact(&mut tail).expect("read tail");
        let mut boundary = vec![1u8; 8192];
        reader
            .seek(SeekFrom::Start(2_097_151 * 2048 - 4096))
            .expect("seek");
        reader
            .read_exact(&mut boundary)
            .expect("read across extents");
        if &head != b"START OF THE BIG FILE"
            || &tail != b"END OF THE BIG FILE"
            || boundary.iter().any(|&b| b != 0)
        {
            diffs.push(format!(
                "{view}: content of {name} wrong at its ends or at 4 GiB"
            ));
        }
    }
    assert!(diffs.is_empty(), "{BIG}:\n{}", diffs.join("\n"));
}

/// The whole 4.5 GiB file hashed in every view, against sha256sum of the
/// input file. About 25 s per view in a debug build.
#[test]
#[ignore = "hashes 4.5 GB per view; run with --ignored"]
fn multi_extent_over_4_gib_full_hash() {
    let image = open_big();
    let want = read_expected(BIG, "sparse-bin.sha256");
    for view in [View::Iso9660, View::Joliet, View::RockRidge] {
        let tree = image.tree(view).unwrap_or_else(|e| panic!("{view}: {e}"));
        let name = if view == View::Iso9660 {
            "/SPARSE.BIN"
        } else {
            "/sparse.bin"
        };
        let id = tree.lookup(name).expect("sparse.bin");
        let got = sha256_of(&image, &tree, id, u64::MAX - 1).expect("read");
        assert_eq!(got, want.trim(), "{view}");
    }
}

/// genisoimage `-hidden` sets the existence bit (ECMA-119 §9.1.6 bit 0):
/// the entries isoinfo shows with flag bit 0x01 are the ones marked
/// hidden in the plain ISO 9660 view, and no others.
#[test]
fn existence_bit_matches_isoinfo() {
    let name = "genisoimage-hide";
    let listing = read_expected(name, "isoinfo.txt");
    let mut want = std::collections::BTreeSet::new();
    let mut dir = String::from("/");
    for line in listing.lines() {
        if let Some(d) = line.strip_prefix("Directory listing of ") {
            dir = d.trim().to_string();
            continue;
        }
        let Some((_, rest)) = line.split_once('[') else {
            continue;
        };
        let Some((nums, ident)) = rest.split_once(']') else {
            continue;
        };
        let flags = nums.split_whitespace().nth(1).expect("flags");
        let ident = ident.trim();
        if ident == "." || ident == ".." {
            continue;
        }
        if u8::from_str_radix(flags, 16).expect("hex flags") & 1 == 1 {
            // Version and an empty extension's dot are not part of the name.
            let base = ident
                .split(';')
                .next()
                .unwrap_or(ident)
                .trim_end_matches('.');
            want.insert(format!("{dir}{base}"));
        }
    }
    assert!(!want.is_empty(), "isoinfo shows no hidden entry");
    let (_f, image) = open_fixture(name);
    let tree = image.tree(View::Iso9660).expect("tree");
    let got: std::collections::BTreeSet<String> = recorded_nodes(&tree)
        .into_iter()
        .filter(|&(_, id)| tree.flags(id).contains(iso_core::tree::NodeFlags::HIDDEN))
        .map(|(p, _)| p)
        .collect();
    assert_eq!(got, want);
}
