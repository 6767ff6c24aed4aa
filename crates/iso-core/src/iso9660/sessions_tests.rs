//! Session discovery on images built here block by block: the layouts of
//! ECMA-119 §8.4 descriptors written by libisoburn (emulated TOC) and by
//! mkisofs -C (CD style), and hostile variations of both.

use super::*;
use crate::source::MemorySource;

const B: usize = 2048;

/// A primary volume descriptor (ECMA-119 §8.4): type 1, "CD001", version 1,
/// Volume Identifier at BP 41, Volume Space Size at BP 81 (both-endian),
/// Logical Block Size at BP 129, root directory record at BP 157.
fn pvd(volid: &str, vss: u32, root_lba: u32) -> Vec<u8> {
    let mut s = vec![0u8; B];
    s[0] = 1;
    s[1..6].copy_from_slice(b"CD001");
    s[6] = 1;
    s[40..72].fill(b' ');
    s[40..40 + volid.len()].copy_from_slice(volid.as_bytes());
    s[80..84].copy_from_slice(&vss.to_le_bytes());
    s[84..88].copy_from_slice(&vss.to_be_bytes());
    s[128..130].copy_from_slice(&2048u16.to_le_bytes());
    s[130..132].copy_from_slice(&2048u16.to_be_bytes());
    let r = &mut s[156..190];
    r[0] = 34;
    r[2..6].copy_from_slice(&root_lba.to_le_bytes());
    r[6..10].copy_from_slice(&root_lba.to_be_bytes());
    r[10..14].copy_from_slice(&2048u32.to_le_bytes());
    r[14..18].copy_from_slice(&2048u32.to_be_bytes());
    r[25] = 2;
    r[28] = 1;
    r[32] = 1;
    s
}

fn terminator() -> Vec<u8> {
    let mut s = vec![0u8; B];
    s[0] = 255;
    s[1..6].copy_from_slice(b"CD001");
    s[6] = 1;
    s
}

/// An image of `blocks` zero blocks.
fn blank(blocks: usize) -> Vec<u8> {
    vec![0u8; blocks * B]
}

fn put(img: &mut [u8], lba: u32, sector: &[u8]) {
    let at = lba as usize * B;
    img[at..at + B].copy_from_slice(sector);
}

/// A session's descriptor set (PVD + terminator) at `start + 16`, its root
/// at `start + 18`.
fn session(img: &mut [u8], start: u32, volid: &str, vss: u32) {
    put(img, start + 16, &pvd(volid, vss, start + 18));
    put(img, start + 17, &terminator());
}

fn run(img: Vec<u8>) -> (Discovery, Vec<Warning>) {
    let src = MemorySource::new(img);
    let mut w = Vec::new();
    let d = discover(&src, &mut w);
    (d, w)
}

fn starts(d: &Discovery) -> Vec<(u32, u32, u32, &str)> {
    d.sessions
        .iter()
        .map(|s| {
            (
                s.number,
                s.start_lba,
                s.volume_space_size,
                s.volume_identifier.as_str(),
            )
        })
        .collect()
}

#[test]
fn single_session_is_session_one_at_zero() {
    let mut img = blank(20);
    session(&mut img, 0, "ONE", 20);
    let (d, w) = run(img);
    assert_eq!(starts(&d), [(1, 0, 20, "ONE")]);
    assert_eq!(d.newest_vds_lba, 16);
    assert!(w.is_empty(), "{w:?}");
}

#[test]
fn no_descriptors_no_sessions() {
    let (d, w) = run(blank(40));
    assert!(d.sessions.is_empty());
    assert_eq!(d.newest_vds_lba, 16);
    assert!(w.is_empty());
    let (d, _) = run(Vec::new());
    assert!(d.sessions.is_empty());
}

/// libisoburn on overwriteable media: sessions at 32, 64 and 128 (each
/// start the next multiple of 32 after the previous end), LBA 16 a copy
/// of the newest whose Volume Space Size counts from LBA 0.
#[test]
fn emulated_toc_chain_from_32() {
    let mut img = blank(162);
    session(&mut img, 32, "S1", 31);
    session(&mut img, 64, "S2", 33);
    session(&mut img, 128, "S3", 34);
    put(&mut img, 16, &pvd("S3", 162, 128 + 18));
    put(&mut img, 17, &terminator());
    let (d, w) = run(img);
    assert_eq!(
        starts(&d),
        [(1, 32, 31, "S1"), (2, 64, 33, "S2"), (3, 128, 34, "S3")]
    );
    assert_eq!(d.newest_vds_lba, 16);
    assert!(w.is_empty(), "{w:?}");
    assert_eq!(d.vds_lba(None).unwrap(), 16);
    assert_eq!(d.vds_lba(Some(1)).unwrap(), 48);
    assert_eq!(d.vds_lba(Some(3)).unwrap(), 144);
}

/// growisofs aligns sessions to 16 blocks; the chain follows that too.
#[test]
fn emulated_toc_with_16_block_alignment() {
    let mut img = blank(100);
    session(&mut img, 32, "S1", 20); // ends at 52 -> next at 64
    session(&mut img, 64, "S2", 20); // ends at 84 -> next at 96? none
    put(&mut img, 16, &pvd("S2", 84, 64 + 18));
    let (d, _) = run(img);
    assert_eq!(starts(&d), [(1, 32, 20, "S1"), (2, 64, 20, "S2")]);
}

/// mkisofs -C: session 1 at 0 keeps LBA 16, the next session starts after
/// it and is the newest.
#[test]
fn cd_style_chain_from_zero() {
    let mut img = blank(110);
    session(&mut img, 0, "CD1", 67);
    session(&mut img, 80, "CD2", 27);
    let (d, w) = run(img);
    assert_eq!(starts(&d), [(1, 0, 67, "CD1"), (2, 80, 27, "CD2")]);
    assert_eq!(d.newest_vds_lba, 96);
    assert!(w.is_empty(), "{w:?}");
}

/// A small first CD session followed by one at 32 looks like an emulated
/// TOC's first session, but LBA 16 does not describe it: CD style.
#[test]
fn small_cd_session_then_one_at_32() {
    let mut img = blank(64);
    session(&mut img, 0, "CD1", 26);
    session(&mut img, 32, "CD2", 30);
    let (d, w) = run(img);
    assert_eq!(starts(&d), [(1, 0, 26, "CD1"), (2, 32, 30, "CD2")]);
    assert_eq!(d.newest_vds_lba, 48);
    assert!(w.is_empty(), "{w:?}");
}

/// An ISO image stored as a file inside session 1 (its root addressed from
/// its own start) is not a session, wherever it lies.
#[test]
fn stored_iso_file_is_not_a_session() {
    let mut img = blank(200);
    session(&mut img, 0, "OUTER", 200);
    // a stored image at LBA 32: its PVD at 48, root at 18 (relative).
    put(&mut img, 48, &pvd("INNER", 40, 18));
    let (d, w) = run(img.clone());
    assert_eq!(starts(&d), [(1, 0, 200, "OUTER")]);
    assert_eq!(w.len(), 0, "{w:?}");
    // ... and stored right after the volume's end.
    let mut img = blank(300);
    session(&mut img, 0, "OUTER", 200);
    put(&mut img, 208 + 16, &pvd("INNER", 40, 18));
    let (d, _) = run(img);
    assert_eq!(starts(&d), [(1, 0, 200, "OUTER")]);
}

/// A chain from 32 that never reaches LBA 16's session is reported, and the
/// image read from LBA 0.
#[test]
fn chain_from_32_not_matching_lba_16_warns() {
    let mut img = blank(200);
    session(&mut img, 0, "TOP", 200);
    session(&mut img, 32, "STRAY", 30);
    let (d, w) = run(img);
    assert_eq!(starts(&d), [(1, 0, 200, "TOP")]);
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(w[0].what.contains("LBA 32"), "{w:?}");
}

/// A session more than MAX_GAP blocks past the previous end is not looked
/// for (the probes stay bounded).
#[test]
fn far_session_is_not_found() {
    let mut img = blank(20 + MAX_GAP as usize + 64);
    session(&mut img, 0, "ONE", 20);
    let far = (20 + MAX_GAP + 16) / 16 * 16;
    session(&mut img, far, "FAR", 20);
    let (d, _) = run(img);
    assert_eq!(d.sessions.len(), 1);
}

#[test]
fn session_numbers_outside_the_list_are_not_found() {
    let mut img = blank(110);
    session(&mut img, 0, "CD1", 67);
    session(&mut img, 80, "CD2", 27);
    let (d, _) = run(img);
    for n in [0, 3, u32::MAX] {
        let e = d.vds_lba(Some(n)).unwrap_err();
        assert!(matches!(e, crate::Error::NotFound(_)), "{e}");
        assert_eq!(
            e.to_string(),
            format!("not found: session {n} (the image has sessions 1..2)")
        );
    }
    let (none, _) = run(blank(20));
    let e = none.vds_lba(Some(1)).unwrap_err();
    assert!(e.to_string().contains("no ISO 9660 sessions"), "{e}");
}

/// Hostile sizes: zero, past 2^32 blocks, past the image.
#[test]
fn hostile_volume_space_sizes() {
    for vss in [0, 1, 18, u32::MAX, u32::MAX - 15, 1 << 31] {
        let mut img = blank(64);
        put(&mut img, 16, &pvd("X", vss, 0));
        put(&mut img, 48, &pvd("Y", vss, 32));
        let (d, _) = run(img);
        assert!(d.sessions.len() <= 2, "{vss}: {:?}", d.sessions);
    }
}

/// More sessions than MAX_SESSIONS: the list stops there, with a warning.
#[test]
fn session_count_is_capped() {
    let n = MAX_SESSIONS as u32 + 10;
    let mut img = blank((n as usize + 1) * 32);
    for i in 0..n {
        session(&mut img, i * 32, "S", 19);
    }
    let (d, w) = run(img);
    assert_eq!(d.sessions.len(), MAX_SESSIONS);
    assert_eq!(d.sessions.last().map(|s| s.number), Some(256));
    assert!(w.iter().any(|w| w.what.contains("more than 256")), "{w:?}");
}

/// Bytes from a simple generator in every sector position the discovery
/// reads must never panic.
#[test]
fn noise_does_not_panic() {
    let mut x: u32 = 0x1234_5678;
    for round in 0..200 {
        let mut img = blank(96);
        session(&mut img, 0, "A", 40);
        session(&mut img, 48, "B", 40);
        for _ in 0..64 {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            let lba = [16, 17, 64, 65][(x % 4) as usize];
            let at = lba * B + (x as usize >> 3) % B;
            img[at] = (x >> 8) as u8;
        }
        // Flip key fields on purpose in some rounds.
        if round % 3 == 0 {
            img[16 * B + 80..16 * B + 84].copy_from_slice(&x.to_le_bytes());
        }
        let _ = run(img.clone());
        let src: std::sync::Arc<dyn ImageSource> = std::sync::Arc::new(MemorySource::new(img));
        for session in [None, Some(1), Some(2), Some(3)] {
            let options = crate::OpenOptions {
                session,
                ..crate::OpenOptions::default()
            };
            if let Ok(image) = crate::Image::from_source(src.clone(), &options) {
                for view in image.views().to_vec() {
                    let _ = image.tree(view);
                }
            }
        }
    }
}
