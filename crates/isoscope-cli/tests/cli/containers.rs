//! Disc containers (issue 11) on iso-core's container fixtures
//! (crates/iso-core/tests/fixtures/containers/make.sh): `info` against
//! cd-info's track table, `verify --sectors` on a clean and a damaged BIN,
//! `convert` against the ISO the BIN was made from.

use super::*;

fn cdir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../iso-core/tests/fixtures/containers")
}

fn stage(names: &[&str]) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    for name in names {
        let gz = cdir().join(format!("{name}.gz"));
        let bytes = if gz.is_file() {
            let mut b = Vec::new();
            flate2::read::GzDecoder::new(std::fs::File::open(gz).unwrap())
                .read_to_end(&mut b)
                .unwrap();
            b
        } else {
            std::fs::read(cdir().join(name)).unwrap()
        };
        std::fs::write(tmp.path().join(name), bytes).unwrap();
    }
    tmp
}

fn sha256_file(p: &Path) -> String {
    use sha2::{Digest, Sha256};
    let d = Sha256::digest(std::fs::read(p).unwrap());
    d.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn info_lists_every_track_as_cd_info_reads_them() {
    let tmp = stage(&["mixed.bin", "mixed.cue"]);
    let cue = tmp.path().join("mixed.cue");
    let o = run(&["info", cue.to_str().unwrap(), "--json"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let tracks = v["container"]["tracks"].as_array().unwrap();
    let ours: Vec<(u64, u64, String)> = tracks
        .iter()
        .map(|t| {
            (
                t["number"].as_u64().unwrap(),
                t["start"].as_u64().unwrap(),
                t["mode"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    // mixed.cdinfo: "1: 00:02:00 000000 data", "2: 00:04:45 000195 audio"
    let text = std::fs::read_to_string(cdir().join("mixed.cdinfo")).unwrap();
    assert!(text.contains("000000 data") && text.contains("000195 audio"));
    assert_eq!(
        ours,
        [(1, 0, "mode1".to_string()), (2, 195, "audio".to_string())]
    );
    assert_eq!(tracks[1]["pregap"], 150);
    let o = run(&["info", cue.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("CUE sheet: 2 tracks (1 data, 1 audio)"));
}

#[test]
fn verify_sectors_names_a_damaged_sector() {
    let tmp = stage(&["mode1.bin", "mode1.cue"]);
    let cue = tmp.path().join("mode1.cue");
    let o = run(&[
        "verify",
        cue.to_str().unwrap(),
        "--sectors",
        "--algo",
        "md5",
    ]);
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert_eq!(code(&o), 0, "{out}{}", stderr(&o));
    assert!(out.contains("sectors: 45 checked, 45 good"), "{out}");
    let bin = tmp.path().join("mode1.bin");
    let mut b = std::fs::read(&bin).unwrap();
    b[30 * 2352 + 1000] ^= 0x80;
    b[31 * 2352 + 100..31 * 2352 + 900].fill(0x55);
    std::fs::write(&bin, b).unwrap();
    let o = run(&[
        "verify",
        cue.to_str().unwrap(),
        "--sectors",
        "--algo",
        "md5",
    ]);
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert_eq!(code(&o), 1, "{out}");
    assert!(
        out.contains(
            "track 1 sector 00:02:30 (LBA 30): EDC mismatch, corrected by the ECC (1 bytes)"
        ),
        "{out}"
    );
    assert!(
        out.contains("track 1 sector 00:02:31 (LBA 31): EDC mismatch the ECC cannot correct"),
        "{out}"
    );
}

#[test]
fn convert_writes_the_data_track_as_the_original_iso() {
    let tmp = stage(&["mode1.bin", "mode1.cue"]);
    let out = tmp.path().join("out.iso");
    let o = run(&[
        "convert",
        tmp.path().join("mode1.cue").to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let want = std::fs::read_to_string(cdir().join("data.iso.sha256")).unwrap();
    assert_eq!(sha256_file(&out), want.trim());
    // exists: refused without --overwrite
    let o = run(&[
        "convert",
        tmp.path().join("mode1.cue").to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 2);
    // a plain ISO has nothing to convert
    let o = run(&[
        "convert",
        out.to_str().unwrap(),
        "-o",
        tmp.path().join("again.iso").to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("nothing to convert"));
}

#[test]
fn convert_refuses_form2_files_unless_form1_only() {
    let tmp = stage(&["vcd.bin", "vcd.cue"]);
    let cue = tmp.path().join("vcd.cue");
    let out = tmp.path().join("vcd.iso");
    let o = run(&[
        "convert",
        cue.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("Mode 2 Form 2") && stderr(&o).contains("--form1-only"),
        "{}",
        stderr(&o)
    );
    assert!(!out.exists() && !tmp.path().join("vcd.iso.part").exists());
    let o = run(&[
        "convert",
        cue.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--form1-only",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(std::fs::metadata(&out).unwrap().len(), 300 * 2048);
}
