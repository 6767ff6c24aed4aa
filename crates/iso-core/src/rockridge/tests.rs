//! System Use fields built byte by byte from SUSP 1.12 / RRIP 1.12, read
//! back through [`parse`].

use super::*;
use crate::source::MemorySource;

/// A both-byte-order 32-bit number (ECMA-119 §7.3.3).
fn both32(v: u32) -> Vec<u8> {
    let mut b = v.to_le_bytes().to_vec();
    b.extend_from_slice(&v.to_be_bytes());
    b
}

/// A System Use Entry: signature, length, version 1, data (SUSP §4.1).
fn entry(sig: &[u8; 2], data: &[u8]) -> Vec<u8> {
    let mut e = sig.to_vec();
    e.push(u8::try_from(data.len() + 4).unwrap());
    e.push(1);
    e.extend_from_slice(data);
    e
}

fn nm(flags: u8, name: &[u8]) -> Vec<u8> {
    let mut d = vec![flags];
    d.extend_from_slice(name);
    entry(b"NM", &d)
}

fn ce(block: u32, offset: u32, len: u32) -> Vec<u8> {
    let mut d = both32(block);
    d.extend(both32(offset));
    d.extend(both32(len));
    entry(b"CE", &d)
}

/// An SL entry from (component flags, content) pairs.
fn sl(flags: u8, components: &[(u8, &[u8])]) -> Vec<u8> {
    let mut d = vec![flags];
    for (f, c) in components {
        d.push(*f);
        d.push(u8::try_from(c.len()).unwrap());
        d.extend_from_slice(c);
    }
    entry(b"SL", &d)
}

fn px(mode: u32, nlink: u32, uid: u32, gid: u32, ino: Option<u32>) -> Vec<u8> {
    let mut d = both32(mode);
    d.extend(both32(nlink));
    d.extend(both32(uid));
    d.extend(both32(gid));
    if let Some(i) = ino {
        d.extend(both32(i));
    }
    entry(b"PX", &d)
}

const NO_SKIP: SuspInfo = SuspInfo { len_skp: 0 };

fn run_with(image: Vec<u8>, field: &[u8], susp: SuspInfo) -> (RrEntry, Vec<Warning>) {
    let src = MemorySource::new(image);
    let mut w = Vec::new();
    let e = parse(&src, field, susp, 20, &mut w);
    (e, w)
}

fn run(field: &[u8]) -> (RrEntry, Vec<Warning>) {
    run_with(vec![0u8; 4 * 2048], field, NO_SKIP)
}

fn cat(parts: &[Vec<u8>]) -> Vec<u8> {
    parts.concat()
}

#[test]
fn sp_entry_is_detected() {
    let sp = [b'S', b'P', 7, 1, 0xBE, 0xEF, 5];
    assert_eq!(detect_susp(&sp), Some(SuspInfo { len_skp: 5 }));
    assert_eq!(detect_susp(&[b'S', b'P', 7, 1, 0xBE, 0xEE, 0]), None);
    assert_eq!(detect_susp(&[b'S', b'P', 8, 1, 0xBE, 0xEF, 0, 0]), None);
    assert_eq!(detect_susp(&[b'S', b'P', 7, 1, 0xBE, 0xEF]), None);
    assert_eq!(detect_susp(&[]), None);
}

#[test]
fn nm_split_over_two_entries_is_joined() {
    let (e, w) = run(&cat(&[nm(1, b"a long "), nm(0, b"name.txt")]));
    assert_eq!(e.name.as_deref(), Some("a long name.txt"));
    assert!(e.has_rr);
    assert!(w.is_empty(), "{w:?}");
}

#[test]
fn nm_current_and_parent_give_no_name() {
    assert_eq!(run(&nm(2, b"")).0.name, None);
    assert_eq!(run(&nm(4, b"")).0.name, None);
}

#[test]
fn nm_bytes_that_are_not_utf8_are_latin1() {
    assert_eq!(run(&nm(0, b"caf\xE9")).0.name.as_deref(), Some("caf\u{e9}"));
    assert_eq!(
        run(&nm(0, "caf\u{e9}".as_bytes())).0.name.as_deref(),
        Some("caf\u{e9}")
    );
}

#[test]
fn nm_continue_without_follower_warns_and_keeps_the_piece() {
    let (e, w) = run(&nm(1, b"part"));
    assert_eq!(e.name.as_deref(), Some("part"));
    assert_eq!(w.len(), 1);
}

#[test]
fn sl_component_kinds() {
    const ROOT: u8 = 8;
    const PARENT: u8 = 4;
    const CURRENT: u8 = 2;
    let target = |f: Vec<u8>| run(&f).0.symlink;
    assert_eq!(
        target(sl(0, &[(ROOT, b""), (0, b"tmp")])).as_deref(),
        Some("/tmp")
    );
    assert_eq!(target(sl(0, &[(ROOT, b"")])).as_deref(), Some("/"));
    assert_eq!(
        target(sl(0, &[(PARENT, b""), (0, b"a"), (0, b"b")])).as_deref(),
        Some("../a/b")
    );
    assert_eq!(
        target(sl(0, &[(CURRENT, b""), (0, b"x")])).as_deref(),
        Some("./x")
    );
    // Empty components stay (as isoinfo, bsdtar and xorriso show them).
    assert_eq!(
        target(sl(0, &[(ROOT, b""), (0, b"tmp"), (0, b""), (PARENT, b"")])).as_deref(),
        Some("/tmp//..")
    );
    assert_eq!(
        target(sl(0, &[(CURRENT, b""), (0, b""), (0, b""), (0, b"file")])).as_deref(),
        Some(".///file")
    );
    // ROOT after the first component: older mkisofs's "//" (isoinfo,
    // bsdtar and xorriso all show these targets so).
    assert_eq!(
        target(sl(
            0,
            &[(ROOT, b""), (0, b"tmp"), (ROOT, b""), (PARENT, b"")]
        ))
        .as_deref(),
        Some("/tmp//..")
    );
    assert_eq!(
        target(sl(
            0,
            &[(CURRENT, b""), (ROOT, b""), (ROOT, b""), (0, b"file")]
        ))
        .as_deref(),
        Some(".///file")
    );
    // COMPONENT CONTINUE: "ab" + "cd" is one component.
    assert_eq!(
        target(sl(0, &[(0, b"d"), (1, b"ab"), (0, b"cd")])).as_deref(),
        Some("d/abcd")
    );
}

#[test]
fn sl_continues_over_entries_and_continuation_areas() {
    // First SL (CONTINUE) in the record, its component continued into the
    // second SL, which sits in a continuation area at block 2, offset 100.
    let second = sl(0, &[(0, b"o"), (0, b"bar")]);
    let mut image = vec![0u8; 4 * 2048];
    image[2 * 2048 + 100..][..second.len()].copy_from_slice(&second);
    let field = cat(&[
        sl(1, &[(4, b""), (1, b"fo")]),
        ce(2, 100, u32::try_from(second.len()).unwrap()),
    ]);
    let (e, w) = run_with(image, &field, NO_SKIP);
    assert_eq!(e.symlink.as_deref(), Some("../foo/bar"));
    assert!(w.is_empty(), "{w:?}");
}

#[test]
fn ce_pointing_at_itself_stops_with_a_warning() {
    // The area at block 1 holds an NM and a CE pointing at the area itself.
    // NM: 4 + 1 + 6 bytes, CE: 28 bytes.
    let area = cat(&[nm(0, b"looped"), ce(1, 0, 39)]);
    assert_eq!(area.len(), 39);
    let mut image = vec![0u8; 4 * 2048];
    image[2048..][..area.len()].copy_from_slice(&area);
    let (e, w) = run_with(image, &ce(1, 0, 39), NO_SKIP);
    assert_eq!(e.name.as_deref(), Some("looped"));
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(w[0].what.contains("loop"), "{}", w[0]);
}

#[test]
fn ce_chain_is_bounded() {
    // 20 areas, each pointing at the next: only 16 are followed.
    let mut image = vec![0u8; 4 * 2048];
    for i in 0..20u32 {
        let a = ce(0, (i + 1) * 28, 28);
        let at = usize::try_from(i * 28).unwrap();
        image[at..][..28].copy_from_slice(&a);
    }
    let (_, w) = run_with(image, &ce(0, 0, 28), NO_SKIP);
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(w[0].what.contains("more than 16"), "{}", w[0]);
}

#[test]
fn ce_past_the_end_of_the_image_warns() {
    let (e, w) = run(&cat(&[nm(0, b"n"), ce(1000, 0, 100)]));
    assert_eq!(e.name.as_deref(), Some("n"));
    assert_eq!(w.len(), 1);
    assert!(w[0].what.contains("past the end"), "{}", w[0]);
    // Offset + length past the end, block inside.
    let (_, w) = run(&ce(3, 2000, 100));
    assert!(w[0].what.contains("past the end"), "{}", w[0]);
    // A location that overflows u64 arithmetic is no panic either.
    let (_, w) = run(&ce(u32::MAX, u32::MAX, u32::MAX));
    assert_eq!(w.len(), 1);
}

#[test]
fn entry_length_zero_stops_with_a_warning() {
    let field = cat(&[nm(0, b"kept"), vec![b'P', b'X', 0, 1, 9, 9, 9, 9]]);
    let (e, w) = run(&field);
    assert_eq!(e.name.as_deref(), Some("kept"));
    assert_eq!(w.len(), 1);
    assert!(w[0].what.contains("length 0"), "{}", w[0]);
}

#[test]
fn entry_running_past_its_area_warns() {
    let mut field = nm(0, b"abc");
    field[2] = 200;
    let (e, w) = run(&field);
    assert_eq!(e.name, None);
    assert_eq!(w.len(), 1);
    assert!(w[0].what.contains("runs past"), "{}", w[0]);
}

#[test]
fn st_ends_the_field_and_padding_is_quiet() {
    let field = cat(&[
        nm(0, b"a"),
        entry(b"ST", &[]),
        nm(0, b"b"),
        vec![0, 0, 0, 0, 0],
    ]);
    let (e, w) = run(&field);
    assert_eq!(e.name.as_deref(), Some("a"));
    assert!(w.is_empty());
    let (e, w) = run(&cat(&[nm(0, b"a"), vec![0]]));
    assert_eq!(e.name.as_deref(), Some("a"));
    assert!(w.is_empty());
}

#[test]
fn tf_short_form() {
    // MODIFY and ACCESS, 7-byte ECMA-119 §9.1.5 dates.
    let mut d = vec![0x06];
    d.extend([120, 1, 2, 3, 4, 5, 0]); // 2020-01-02 03:04:05 GMT
    d.extend([120, 1, 2, 3, 4, 5, 4]); // the same wall clock at GMT+1
    let (e, w) = run(&entry(b"TF", &d));
    assert!(w.is_empty());
    assert_eq!(
        e.times,
        vec![
            (
                TimeKind::Modified,
                Timestamp {
                    seconds: 1_577_934_245,
                    nanos: 0
                }
            ),
            (
                TimeKind::Accessed,
                Timestamp {
                    seconds: 1_577_934_245 - 3600,
                    nanos: 0
                }
            ),
        ]
    );
}

#[test]
fn tf_long_form() {
    // CREATION and ATTRIBUTES, 17-byte ECMA-119 §8.4.26.1 dates.
    let mut d = vec![0x80 | 0x01 | 0x08];
    d.extend(b"2001090901464025");
    d.push(0);
    d.extend(b"0000000000000000"); // not specified
    d.push(0);
    let (e, w) = run(&entry(b"TF", &d));
    assert!(w.is_empty());
    assert_eq!(
        e.times,
        vec![(
            TimeKind::Created,
            Timestamp {
                seconds: 1_000_000_000,
                nanos: 250_000_000
            }
        )]
    );
}

#[test]
fn tf_shorter_than_its_flags_warns() {
    let (e, w) = run(&entry(b"TF", &[0x06, 120, 1, 2, 3, 4, 5, 0]));
    assert_eq!(e.times.len(), 1);
    assert_eq!(w.len(), 1);
}

#[test]
fn px_36_and_44_bytes() {
    let (e, _) = run(&px(0o100644, 1, 1000, 100, None));
    let u = e.unix.unwrap();
    assert_eq!(
        (u.mode, u.nlink, u.uid, u.gid, u.ino),
        (0o100644, 1, 1000, 100, None)
    );
    let (e, _) = run(&px(0o040755, 2, 0, 0, Some(4711)));
    let u = e.unix.unwrap();
    assert_eq!((u.mode, u.nlink, u.ino), (0o040755, 2, Some(4711)));
    let (e, w) = run(&entry(b"PX", &both32(0o644)));
    assert_eq!(e.unix, None);
    assert_eq!(w.len(), 1);
}

#[test]
fn pn_gives_the_device_number() {
    let mut d = both32(1);
    d.extend(both32(0x0803));
    let (e, _) = run(&cat(&[px(0o060660, 1, 0, 6, None), entry(b"PN", &d)]));
    assert_eq!(e.unix.unwrap().rdev, Some(1 << 32 | 0x0803));
}

#[test]
fn cl_pl_re() {
    let (e, _) = run(&entry(b"CL", &both32(77)));
    assert_eq!(e.child_link, Some(77));
    let (e, _) = run(&cat(&[entry(b"PL", &both32(5)), entry(b"RE", &[])]));
    assert_eq!(e.parent_link, Some(5));
    assert!(e.relocated);
    assert!(e.has_rr);
}

#[test]
fn zf_entry() {
    let mut d = b"pz".to_vec();
    d.extend([4, 15]);
    d.extend(both32(123_456));
    let (e, w) = run(&entry(b"ZF", &d));
    assert!(w.is_empty());
    assert_eq!(
        e.zf,
        Some(ZfInfo {
            algorithm: *b"pz",
            header_size_div4: 4,
            block_size_log2: 15,
            uncompressed_len: 123_456
        })
    );
}

#[test]
fn zf_with_an_impossible_block_size_is_ignored() {
    let mut d = b"pz".to_vec();
    d.extend([4, 2]);
    d.extend(both32(0xFFFF_FBF9));
    let (e, w) = run(&entry(b"ZF", &d));
    assert_eq!(e.zf, None);
    assert_eq!(w.len(), 1);
}

#[test]
fn len_skp_is_skipped_except_before_sp() {
    let susp = SuspInfo { len_skp: 3 };
    let field = cat(&[vec![b'N', b'M', 0], nm(0, b"x")]);
    let (e, w) = run_with(vec![0; 2048], &field, susp);
    assert_eq!(e.name.as_deref(), Some("x"));
    assert!(w.is_empty());
    let field = cat(&[vec![b'S', b'P', 7, 1, 0xBE, 0xEF, 3], nm(0, b"root")]);
    let (e, _) = run_with(vec![0; 2048], &field, susp);
    assert_eq!(e.name.as_deref(), Some("root"));
}

#[test]
fn no_rrip_entries_means_no_rr() {
    let (e, w) = run(&cat(&[entry(b"PD", &[0, 0]), entry(b"AS", &[1, 2, 3])]));
    assert!(!e.has_rr);
    assert_eq!(e, RrEntry::default());
    assert!(w.is_empty());
}

/// A small deterministic generator for the hostile-input test.
fn lcg(state: &mut u64) -> u8 {
    *state = state
        .wrapping_mul(6_364_136_223_846_793_005)
        .wrapping_add(1_442_695_040_888_963_407);
    (*state >> 56) as u8
}

#[test]
fn random_and_mutated_fields_never_panic() {
    // Valid entries of every kind, then byte flips, truncations and random
    // bytes: parse must stay bounded and never panic.
    let mut tf = vec![0xFF];
    tf.extend([0u8; 7 * 17]);
    let base = cat(&[
        px(0o100644, 1, 2, 3, Some(4)),
        nm(1, b"name"),
        nm(0, b"tail"),
        sl(1, &[(8, b""), (1, b"ab")]),
        sl(0, &[(0, b"c"), (4, b"")]),
        entry(b"TF", &tf),
        entry(b"CL", &both32(3)),
        ce(1, 0, 200),
    ]);
    let mut image = vec![0u8; 4 * 2048];
    image[2048..][..base.len()].copy_from_slice(&base);
    let src = MemorySource::new(image);
    let mut state = 7u64;
    for round in 0..3000 {
        let mut field = base.clone();
        match round % 3 {
            0 => {
                for _ in 0..4 {
                    let i = usize::from(lcg(&mut state)) % field.len();
                    field[i] = lcg(&mut state);
                }
            }
            1 => field.truncate(usize::from(lcg(&mut state)) % field.len()),
            _ => {
                field = (0..usize::from(lcg(&mut state)))
                    .map(|_| lcg(&mut state))
                    .collect()
            }
        }
        let mut w = Vec::new();
        let susp = SuspInfo {
            len_skp: lcg(&mut state) % 4,
        };
        let _ = parse(&src, &field, susp, 0, &mut w);
        assert!(w.len() < 100);
    }
}
