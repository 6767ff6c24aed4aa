//! Disc containers (issue 11), on the fixtures of
//! `tests/fixtures/containers/make.sh`: each container must show the file
//! system xorriso lists in the ISO it was made from (`data.listing`,
//! `vcd.listing`), the track table libcdio's cd-info reads from the sheet
//! (`*.cdinfo`), audio as bchunk -w writes it, and Video CD MPEG as
//! vcdxrip extracts it. Damaged and hostile containers are built here.

use std::collections::BTreeSet;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use iso_core::extract::{Cancel, Progress};
use iso_core::source::convert::{self, ConvertOptions, Form2Policy};
use iso_core::source::disc::{ContainerKind, Track, TrackMode};
use iso_core::source::raw::SectorCheck;
use iso_core::source::scan;
use iso_core::{Image, NodeKind, OpenOptions, View};

use crate::util::{fixtures_dir, gunzip, recorded_nodes, sha256_of};

fn dir() -> PathBuf {
    fixtures_dir().join("containers")
}

/// A temporary folder holding fixture files: `name.gz` decompressed to
/// `name`, other names copied.
fn stage(names: &[&str]) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    for name in names {
        let gz = dir().join(format!("{name}.gz"));
        let bytes = if gz.is_file() {
            gunzip(&gz)
        } else {
            fs::read(dir().join(name)).unwrap()
        };
        fs::write(tmp.path().join(name), bytes).unwrap();
    }
    tmp
}

fn open(path: &Path) -> Image {
    Image::open(path, &OpenOptions::default()).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `path\ttype\tsize\tsha256` lines of our tree (virtual entries left out,
/// `skip` paths too).
fn listing(image: &Image, view: View, skip: &[&str]) -> BTreeSet<String> {
    let tree = image.tree(view).unwrap();
    recorded_nodes(&tree)
        .into_iter()
        .filter(|(p, _)| !skip.contains(&p.as_str()))
        .map(|(path, id)| match tree.kind(id) {
            NodeKind::File => format!(
                "{path}\tf\t{}\t{}",
                tree.size(id),
                sha256_of(image, &tree, id, 1 << 26).unwrap()
            ),
            _ => format!("{path}\td\t\t"),
        })
        .collect()
}

fn expected(name: &str, skip: &[&str]) -> BTreeSet<String> {
    fs::read_to_string(dir().join(name))
        .unwrap()
        .lines()
        .filter(|l| !skip.iter().any(|s| l.starts_with(&format!("{s}\t"))))
        .map(str::to_string)
        .collect()
}

/// cd-info's track list: (number, LSN, is audio), and the lead-out LSN.
fn cdinfo(name: &str) -> (Vec<(u8, u32, bool)>, u32) {
    let text = fs::read_to_string(dir().join(name)).unwrap();
    let mut tracks = Vec::new();
    let mut leadout = 0;
    for line in text.lines() {
        let w: Vec<&str> = line.split_whitespace().collect();
        let (Some(n), Some(lsn)) = (w.first(), w.get(2)) else {
            continue;
        };
        let (Ok(n), Ok(lsn)) = (n.trim_end_matches(':').parse::<u32>(), lsn.parse::<u32>()) else {
            continue;
        };
        if n == 170 {
            leadout = lsn;
        } else {
            tracks.push((n as u8, lsn, w.get(3) == Some(&"audio")));
        }
    }
    assert!(!tracks.is_empty(), "{name}: no tracks");
    (tracks, leadout)
}

fn tracks(image: &Image) -> Vec<Track> {
    image
        .info()
        .disc
        .as_ref()
        .expect("a container")
        .tracks
        .clone()
}

/// Our track starts, audio flags and end against cd-info's.
fn assert_tracks(image: &Image, cdinfo_name: &str, check_leadout: bool) {
    let (want, leadout) = cdinfo(cdinfo_name);
    let ours: Vec<(u8, u32, bool)> = tracks(image)
        .iter()
        .map(|t| (t.number, t.start, t.mode == TrackMode::Audio))
        .collect();
    assert_eq!(ours, want, "{cdinfo_name}");
    if check_leadout {
        let end = tracks(image).iter().map(Track::end).max().unwrap();
        assert_eq!(end, leadout, "{cdinfo_name}: lead-out");
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    crate::util::hex(&Sha256::digest(bytes))
}

fn data_listing() -> BTreeSet<String> {
    expected("data.listing", &[])
}

#[test]
fn mode1_cue_names_its_bin_in_another_case() {
    let tmp = stage(&["mode1.bin", "mode1.cue"]);
    assert!(fs::read_to_string(tmp.path().join("mode1.cue"))
        .unwrap()
        .contains("MODE1.BIN"));
    for member in ["mode1.cue", "mode1.bin"] {
        let image = open(&tmp.path().join(member));
        assert_eq!(
            image.info().disc.as_ref().unwrap().container,
            ContainerKind::Cue
        );
        assert_eq!(
            listing(&image, View::RockRidge, &[]),
            data_listing(),
            "{member}"
        );
        assert_tracks(&image, "mode1.cdinfo", true);
        assert_eq!(tracks(&image)[0].sector_len, 2352);
    }
}

#[test]
fn convert_writes_the_iso_it_came_from() {
    let tmp = stage(&["mode1.bin", "mode1.cue"]);
    let image = open(&tmp.path().join("mode1.cue"));
    let disc = image.disc().unwrap();
    let mut out = Vec::new();
    let r = convert::write_iso(
        disc,
        &disc.tracks[0],
        &[],
        &mut out,
        &ConvertOptions::default(),
        &Progress::new(),
        &Cancel::new(),
    )
    .unwrap();
    assert_eq!(r.sectors, 45);
    let want = fs::read_to_string(dir().join("data.iso.sha256")).unwrap();
    assert_eq!(sha256_hex(&out), want.trim());
}

#[test]
fn bare_raw_bin_opens_by_its_sync_pattern() {
    let tmp = stage(&["mode1.bin"]);
    let image = open(&tmp.path().join("mode1.bin"));
    assert_eq!(
        image.info().disc.as_ref().unwrap().container,
        ContainerKind::RawSectors
    );
    assert_eq!(listing(&image, View::RockRidge, &[]), data_listing());
}

#[test]
fn mixed_mode_one_bin_with_pregap() {
    let tmp = stage(&["mixed.bin", "mixed.cue"]);
    let image = open(&tmp.path().join("mixed.cue"));
    assert_tracks(&image, "mixed.cdinfo", true);
    let t = tracks(&image);
    assert_eq!(t[1].pregap, 150);
    assert_eq!(t[1].duration().to_string(), "00:03:00");
    assert_eq!(listing(&image, View::RockRidge, &[]), data_listing());
    assert_wav(&image);
}

/// `/[TRACKS]/02-audio.wav` is bchunk -w's WAV of track 2, byte for byte.
fn assert_wav(image: &Image) {
    let tree = image.tree(View::RockRidge).unwrap();
    let id = tree.lookup("/[TRACKS]/02-audio.wav").unwrap();
    let want = fs::read_to_string(dir().join("mixed.track02.wav.sha256")).unwrap();
    assert_eq!(sha256_of(image, &tree, id, 1 << 26).unwrap(), want.trim());
    let mut head = [0u8; 12];
    image
        .open_file(&tree, id)
        .unwrap()
        .read_exact(&mut head)
        .unwrap();
    assert_eq!(&head[..4], b"RIFF");
}

#[test]
fn mixed_mode_one_bin_per_track() {
    let tmp = stage(&["mixed (Track 1).bin", "mixed (Track 2).bin", "pertrack.cue"]);
    // cd-info cannot read a sheet with several FILEs (it crashes); the
    // same disc in one BIN is its reference.
    for member in ["pertrack.cue", "mixed (Track 1).bin", "mixed (Track 2).bin"] {
        let image = open(&tmp.path().join(member));
        assert_tracks(&image, "mixed.cdinfo", true);
        assert_eq!(
            listing(&image, View::RockRidge, &[]),
            data_listing(),
            "{member}"
        );
        assert_wav(&image);
    }
}

#[test]
fn raw_2448_with_subchannel_in_a_toc() {
    let tmp = stage(&["sub.img", "sub.toc"]);
    let image = open(&tmp.path().join("sub.toc"));
    // cd-info counts these sectors as 2352 bytes: only its start is used.
    assert_tracks(&image, "sub.cdinfo", false);
    let t = tracks(&image);
    assert_eq!((t[0].sector_len, t[0].length), (2448, 45));
    assert_eq!(listing(&image, View::RockRidge, &[]), data_listing());
}

#[test]
fn nero_dao_version_1_and_2() {
    let tmp = stage(&["dao1.nrg", "dao2.nrg"]);
    for (name, leadout) in [("dao1", false), ("dao2", true)] {
        let image = open(&tmp.path().join(format!("{name}.nrg")));
        assert_eq!(
            image.info().disc.as_ref().unwrap().container,
            ContainerKind::Nrg
        );
        assert_tracks(&image, &format!("{name}.cdinfo"), leadout);
        assert_eq!(tracks(&image)[0].length, 45);
        assert_eq!(
            listing(&image, View::RockRidge, &[]),
            data_listing(),
            "{name}"
        );
    }
}

#[test]
fn clonecd_set_opens_from_any_member() {
    let tmp = stage(&["clone.ccd", "clone.img", "clone.sub"]);
    for member in ["clone.ccd", "clone.img", "clone.sub"] {
        let image = open(&tmp.path().join(member));
        assert_eq!(
            image.info().disc.as_ref().unwrap().container,
            ContainerKind::Ccd
        );
        assert_eq!(tracks(&image)[0].length, 45);
        assert_eq!(
            listing(&image, View::RockRidge, &[]),
            data_listing(),
            "{member}"
        );
    }
}

const AVSEQ: &str = "/MPEGAV/AVSEQ01.DAT";

/// A Video CD in every form vcdimager and vcdxbuild write.
#[test]
fn video_cd_in_four_containers() {
    let tmp = stage(&[
        "vcd.bin",
        "vcd.cue",
        "vcd36.bin",
        "vcd36.cue",
        "vcd.nrg",
        "vcdt.toc",
        "vcdt_01.img",
        "vcdt_02.img",
        "vcdt_02_pregap.img",
    ]);
    let mpeg = gunzip(&dir().join("vcd.avseq01.mpg.gz"));
    for (sheet, info) in [
        ("vcd.cue", "vcd.cdinfo"),
        ("vcd36.cue", "vcd.cdinfo"),
        ("vcd.nrg", "vcdnrg.cdinfo"),
        ("vcdt.toc", "vcd.cdinfo"),
    ] {
        let image = open(&tmp.path().join(sheet));
        // (cd-info reads the 2336-byte sheet's lead-out 5 sectors short
        // and cannot read this TOC; vcd.cdinfo is the same disc.)
        assert_tracks(&image, info, true);
        // xorriso reads track 1 as converted by bchunk; the MPEG file lies
        // in track 2, which it does not have.
        assert_eq!(
            listing(&image, View::Iso9660, &[AVSEQ]),
            expected("vcd.listing", &[AVSEQ]),
            "{sheet}"
        );
        let tree = image.tree(View::Iso9660).unwrap();
        let id = tree.lookup(AVSEQ).unwrap();
        assert_eq!(tree.size(id), 105 * 2324, "{sheet}");
        let mut content = Vec::new();
        image
            .open_file(&tree, id)
            .unwrap()
            .read_to_end(&mut content)
            .unwrap();
        assert!(
            content.windows(mpeg.len()).any(|w| w == mpeg.as_slice()),
            "{sheet}: vcdxrip's MPEG stream is not in the extracted file"
        );
    }
}

#[test]
fn video_cd_sectors_check_good_and_convert_refuses_form2() {
    let tmp = stage(&["vcd.bin", "vcd.cue"]);
    let image = open(&tmp.path().join("vcd.cue"));
    let disc = image.disc().unwrap();
    let r = scan::check_sectors(disc, &Progress::new(), &Cancel::new()).unwrap();
    assert_eq!(r.checked, 555);
    assert_eq!(r.damaged + r.corrected, 0, "{:?}", r.problems);
    let tree = image.tree(View::Iso9660).unwrap();
    let form2 = convert::form2_files(disc, &tree, 8);
    assert_eq!(form2, [AVSEQ]);
    let t = &disc.tracks[0];
    let mut out = Vec::new();
    let err = convert::write_iso(
        disc,
        t,
        &form2,
        &mut out,
        &ConvertOptions::default(),
        &Progress::new(),
        &Cancel::new(),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("Form 2") && err.contains(AVSEQ), "{err}");
    assert!(out.is_empty());
    let opts = ConvertOptions {
        form2: Form2Policy::Form1Only,
    };
    let r = convert::write_iso(
        disc,
        t,
        &form2,
        &mut out,
        &opts,
        &Progress::new(),
        &Cancel::new(),
    )
    .unwrap();
    assert_eq!(r.sectors, 300);
}

#[test]
fn flipped_bit_is_caught_by_edc_and_corrected_by_ecc() {
    let tmp = stage(&["mode1.bin", "mode1.cue"]);
    let bin = tmp.path().join("mode1.bin");
    let mut bytes = fs::read(&bin).unwrap();
    bytes[20 * 2352 + 500] ^= 0x04;
    fs::write(&bin, bytes).unwrap();
    let image = open(&tmp.path().join("mode1.cue"));
    let r = scan::check_sectors(image.disc().unwrap(), &Progress::new(), &Cancel::new()).unwrap();
    assert_eq!((r.checked, r.good, r.corrected, r.damaged), (45, 44, 1, 0));
    let p = &r.problems[0];
    assert_eq!(
        (p.lba, p.track, p.msf.to_string()),
        (20, 1, "00:02:20".to_string())
    );
    assert_eq!(p.check, SectorCheck::Corrected { bytes: 1 });
    assert!(p.to_string().contains("track 1 sector 00:02:20"), "{p}");
}

#[test]
fn chd_of_a_mixed_mode_cd() {
    let tmp = stage(&["mixed.chd"]);
    let image = open(&tmp.path().join("mixed.chd"));
    assert_eq!(
        image.info().disc.as_ref().unwrap().container,
        ContainerKind::Chd
    );
    assert_tracks(&image, "mixed.cdinfo", true);
    assert_eq!(listing(&image, View::RockRidge, &[]), data_listing());
    // chdman stores audio big-endian; the WAV is still bchunk's.
    assert_wav(&image);
    let r = scan::check_sectors(image.disc().unwrap(), &Progress::new(), &Cancel::new()).unwrap();
    assert_eq!((r.checked, r.good), (45, 45));
}

#[test]
fn chd_of_a_data_cd() {
    let tmp = stage(&["vcd.chd"]);
    let image = open(&tmp.path().join("vcd.chd"));
    assert_tracks(&image, "vcd.cdinfo", true);
    assert_eq!(
        listing(&image, View::Iso9660, &[AVSEQ]),
        expected("vcd.listing", &[AVSEQ])
    );
    let tree = image.tree(View::Iso9660).unwrap();
    let id = tree.lookup(AVSEQ).unwrap();
    let mut content = Vec::new();
    image
        .open_file(&tree, id)
        .unwrap()
        .read_to_end(&mut content)
        .unwrap();
    let mpeg = gunzip(&dir().join("vcd.avseq01.mpg.gz"));
    assert!(content.windows(mpeg.len()).any(|w| w == mpeg.as_slice()));
}

#[test]
fn missing_data_file_is_named() {
    let tmp = stage(&[]);
    let cue = tmp.path().join("gone.cue");
    fs::write(
        &cue,
        "FILE \"nothere.bin\" BINARY\n  TRACK 01 MODE1/2352\n    INDEX 01 00:00:00\n",
    )
    .unwrap();
    let err = Image::open(&cue, &OpenOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("nothere.bin") && err.contains("missing"),
        "{err}"
    );
}

#[test]
fn track_past_the_end_of_its_file_is_a_warning() {
    let tmp = stage(&["mode1.bin"]);
    let cue = tmp.path().join("long.cue");
    fs::write(
        &cue,
        "FILE \"mode1.bin\" BINARY\n  TRACK 01 MODE1/2352\n    INDEX 01 00:00:00\n  TRACK 02 AUDIO\n    INDEX 01 10:00:00\n",
    )
    .unwrap();
    let image = open(&cue);
    assert!(
        image
            .warnings()
            .iter()
            .any(|w| w.to_string().contains("track 2")),
        "{:?}",
        image.warnings()
    );
    assert_eq!(listing(&image, View::RockRidge, &[]), data_listing());
}

// ---- hostile containers: clear errors or warnings, never a panic, a hang
// or an unbounded allocation.

fn open_err(path: &Path) -> String {
    match Image::open(path, &OpenOptions::default()) {
        Ok(_) => String::new(),
        Err(e) => e.to_string(),
    }
}

#[test]
fn cue_with_ten_thousand_tracks_is_refused() {
    let tmp = stage(&["mode1.bin"]);
    let mut text = String::from("FILE \"mode1.bin\" BINARY\n");
    for n in 0..10_000 {
        text.push_str(&format!(
            "  TRACK {:02} MODE1/2352\n    INDEX 01 00:00:{:02}\n",
            n % 100,
            n % 75
        ));
    }
    let cue = tmp.path().join("many.cue");
    fs::write(&cue, text).unwrap();
    let err = open_err(&cue);
    assert!(err.contains("more than 99 tracks"), "{err}");
}

#[test]
fn cue_naming_itself_is_refused() {
    let tmp = stage(&[]);
    let cue = tmp.path().join("self.cue");
    fs::write(
        &cue,
        "FILE \"self.cue\" BINARY\n  TRACK 01 MODE1/2352\n    INDEX 01 00:00:00\n",
    )
    .unwrap();
    let err = open_err(&cue);
    assert!(err.contains("names itself"), "{err}");
    // ... also in another letter case.
    fs::write(
        &cue,
        "FILE \"SELF.CUE\" BINARY\n  TRACK 01 MODE1/2352\n    INDEX 01 00:00:00\n",
    )
    .unwrap();
    let err = open_err(&cue);
    assert!(err.contains("names itself"), "{err}");
}

/// An NRG footer pointing at a chain whose sizes run outside the file,
/// or at itself, or at a chain of empty chunks that never ends.
#[test]
fn nrg_with_chunks_outside_the_file_or_endless() {
    let tmp = stage(&["dao2.nrg"]);
    let good = fs::read(tmp.path().join("dao2.nrg")).unwrap();
    let len = good.len();
    let first = u64::from_be_bytes(good[len - 8..].try_into().unwrap()) as usize;
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("size past the end", {
            let mut b = good.clone();
            b[first + 4..first + 8].copy_from_slice(&u32::MAX.to_be_bytes());
            b
        }),
        ("footer past the end", {
            let mut b = good.clone();
            b[len - 8..].copy_from_slice(&(u64::MAX - 3).to_be_bytes());
            b
        }),
        ("footer at the footer", {
            let mut b = good.clone();
            b[len - 8..].copy_from_slice(&((len - 12) as u64).to_be_bytes());
            b
        }),
        ("endless empty chunks", {
            let mut b = good[..first].to_vec();
            for _ in 0..10_000 {
                b.extend_from_slice(b"MTYP\0\0\0\0");
            }
            b.extend_from_slice(b"NER5");
            b.extend_from_slice(&(first as u64).to_be_bytes());
            b
        }),
    ];
    for (what, bytes) in cases {
        let p = tmp.path().join("bad.nrg");
        fs::write(&p, bytes).unwrap();
        let err = open_err(&p);
        assert!(err.contains("NRG"), "{what}: {err:?}");
    }
}

#[test]
fn mds_with_offsets_past_the_end_is_an_error() {
    let tmp = stage(&[]);
    let mut mds = b"MEDIA DESCRIPTOR".to_vec();
    mds.extend_from_slice(&[1, 5, 0, 0, 1, 0, 0, 0]);
    mds.resize(0x58, 0);
    mds[0x50..0x54].copy_from_slice(&0x7fff_fff0u32.to_le_bytes());
    let p = tmp.path().join("bad.mds");
    fs::write(&p, &mds).unwrap();
    fs::write(tmp.path().join("bad.mdf"), vec![0u8; 4096]).unwrap();
    let err = open_err(&p);
    assert!(!err.is_empty() && err.contains("MDS"), "{err}");
}

#[test]
fn chd_with_a_bad_hunk_map_is_an_error() {
    let tmp = stage(&["mixed.chd"]);
    let p = tmp.path().join("mixed.chd");
    let mut b = fs::read(&p).unwrap();
    for x in b.iter_mut().skip(124).take(64) {
        *x = 0xFF;
    }
    fs::write(&p, b).unwrap();
    let err = open_err(&p);
    assert!(err.contains("CHD"), "{err}");
}

#[test]
fn raw_sectors_claiming_mode_seven() {
    let tmp = stage(&["mode1.bin"]);
    let bin = tmp.path().join("mode1.bin");
    let mut bytes = fs::read(&bin).unwrap();
    for s in bytes.chunks_exact_mut(2352) {
        s[15] = 7;
    }
    fs::write(&bin, bytes).unwrap();
    let image = open(&bin);
    assert!(
        image
            .warnings()
            .iter()
            .any(|w| w.to_string().contains("mode 7")),
        "{:?}",
        image.warnings()
    );
    let r = scan::check_sectors(image.disc().unwrap(), &Progress::new(), &Cancel::new()).unwrap();
    assert_eq!(r.damaged, 45);
    assert!(r
        .problems
        .iter()
        .all(|p| p.check == SectorCheck::BadMode(7)));
    assert!(r.problems[0].to_string().contains("mode 7"));
}

#[test]
fn alcohol_mds_and_mdf_open_from_either() {
    let tmp = stage(&["alcohol.mds", "alcohol.mdf"]);
    for member in ["alcohol.mds", "alcohol.mdf"] {
        let image = open(&tmp.path().join(member));
        assert_eq!(
            image.info().disc.as_ref().unwrap().container,
            ContainerKind::Mds
        );
        let t = tracks(&image);
        assert_eq!(
            (t.len(), t[0].start, t[0].length, t[0].sector_len),
            (1, 0, 45, 2352)
        );
        assert_eq!(
            listing(&image, View::RockRidge, &[]),
            data_listing(),
            "{member}"
        );
    }
}
