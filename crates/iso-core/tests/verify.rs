//! Verification end to end: checksum files of each format beside an image
//! file, and a disc's own md5sum.txt / sha256sum.txt. Expected digests come
//! from the RustCrypto crates called directly, not from the code under test.

#[path = "support/isowriter.rs"]
mod isowriter;

use std::fs;
use std::sync::Arc;

use iso_core::extract::{Cancel, Progress};
use iso_core::verify::internal::{find_lists, verify_list, FileVerdict};
use iso_core::verify::sums::{self, Verdict};
use iso_core::verify::{hash_path, Algorithm};
use iso_core::{Image, MemorySource, OpenOptions, View};
use md5::Md5;
use sha2::{Digest, Sha256, Sha512};

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[test]
fn checksum_files_of_every_format() {
    let tmp = tempfile::tempdir().unwrap();
    let img = tmp.path().join("disc.iso");
    let data: Vec<u8> = (0..5_000_000u32).map(|i| (i % 253) as u8).collect();
    fs::write(&img, &data).unwrap();
    let s256 = hex(&Sha256::digest(&data));
    let s512 = hex(&Sha512::digest(&data));
    let m5 = hex(&Md5::digest(&data));
    let bad = "0".repeat(64);
    let files = [
        ("SHA256SUMS", format!("{bad}  other.iso\n{s256} *disc.iso\n")),
        ("SHA512SUMS", format!("{s512}  ./disc.iso\n")),
        ("MD5SUMS", format!("{m5}  disc.iso\n")),
        ("disc.iso.sha256", format!("{}\n", s256.to_uppercase())),
        ("disc.sha256", format!("{bad}\n")),
        (
            "Fedora-Disc-CHECKSUM",
            format!("-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\n# disc.iso: 5000000 bytes\nSHA256 (disc.iso) = {s256}\n-----BEGIN PGP SIGNATURE-----\n\nwsFzBAEBCAAdFiEE\n-----END PGP SIGNATURE-----\n"),
        ),
        ("disc.iso.DIGESTS", format!("# BLAKE2B HASH\n{}  disc.iso\n# SHA512 HASH\n{s512}  disc.iso\n", "ab".repeat(64))),
        ("unrelated.md5", format!("{m5}  nothing.iso\n")),
    ];
    for (n, t) in &files {
        fs::write(tmp.path().join(n), t).unwrap();
    }
    fs::write(tmp.path().join("README"), "not a checksum file").unwrap();
    let found = sums::find_beside(&img);
    let names: Vec<String> = found
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), files.len(), "{names:?}");
    assert_eq!(
        sums::algorithms_needed(&img, &found),
        [Algorithm::Md5, Algorithm::Sha256, Algorithm::Sha512]
    );
    let progress = Progress::new();
    let digests = hash_path(&img, &Algorithm::ALL, &progress, &Cancel::new()).unwrap();
    assert_eq!(progress.bytes_done(), data.len() as u64);
    let verdict = |name: &str| {
        let checks = sums::check(&img, &tmp.path().join(name), &digests).unwrap();
        checks.into_iter().map(|c| c.verdict).collect::<Vec<_>>()
    };
    assert_eq!(verdict("SHA256SUMS"), [Verdict::Match]);
    assert_eq!(verdict("SHA512SUMS"), [Verdict::Match]);
    assert_eq!(verdict("MD5SUMS"), [Verdict::Match]);
    assert_eq!(verdict("disc.iso.sha256"), [Verdict::Match]);
    assert!(matches!(
        verdict("disc.sha256")[..],
        [Verdict::Mismatch { .. }]
    ));
    assert_eq!(verdict("Fedora-Disc-CHECKSUM"), [Verdict::Match]);
    assert_eq!(verdict("disc.iso.DIGESTS"), [Verdict::Match]);
    assert_eq!(verdict("unrelated.md5"), [Verdict::NotListed]);
    // Only SHA-256 computed: an MD5 listing is reported as not computed.
    let only = hash_path(&img, &[Algorithm::Sha256], &Progress::new(), &Cancel::new()).unwrap();
    let c = sums::check(&img, &tmp.path().join("MD5SUMS"), &only).unwrap();
    assert_eq!(c[0].verdict, Verdict::NotComputed(Algorithm::Md5));
}

#[test]
fn the_discs_own_lists_are_checked() {
    use isowriter::{dir, file};
    let a = b"first file\n".to_vec();
    let b = vec![7u8; 10_000];
    let list = format!(
        "{}  ./a.txt\n{}  ./sub/b.bin\n{}  ./sub/gone.txt\n{}  ./c.txt\n",
        hex(&Md5::digest(&a)),
        hex(&Md5::digest(&b)),
        hex(&Md5::digest(b"x")),
        hex(&Md5::digest(b"not c")),
    );
    let list256 = format!("{}  ./a.txt\n", hex(&Sha256::digest(&a)));
    let items = vec![
        file("a.txt", &a),
        file("c.txt", b"c"),
        file("md5sum.txt", list.as_bytes()),
        file("sha256sum.txt", list256.as_bytes()),
        dir("sub"),
        file("sub/b.bin", &b),
    ];
    let image = Image::from_source(
        Arc::new(MemorySource::new(isowriter::build(&items, true))),
        &OpenOptions::default(),
    )
    .unwrap();
    // Plain ISO 9660 names are as written here; Joliet keeps case.
    for view in [View::Joliet, View::Iso9660] {
        let tree = image.tree(view).unwrap();
        let lists = find_lists(&tree);
        assert_eq!(lists.len(), 2, "{view}");
        let md5 = lists
            .iter()
            .find(|&&l| tree.name(l) == "md5sum.txt")
            .unwrap();
        let r = verify_list(&image, &tree, *md5, &Progress::new(), &Cancel::new()).unwrap();
        let v: Vec<&FileVerdict> = r.files.iter().map(|f| &f.verdict).collect();
        assert_eq!(v[0], &FileVerdict::Match);
        assert_eq!(v[1], &FileVerdict::Match);
        assert_eq!(v[2], &FileVerdict::Missing);
        assert!(matches!(v[3], FileVerdict::Mismatch { .. }));
        assert_eq!(r.matched(), 2);
        assert!(!r.all_ok());
        let s = lists
            .iter()
            .find(|&&l| tree.name(l) == "sha256sum.txt")
            .unwrap();
        let r = verify_list(&image, &tree, *s, &Progress::new(), &Cancel::new()).unwrap();
        assert!(r.all_ok());
        assert_eq!(r.files[0].algorithm, Algorithm::Sha256);
    }
}
