//! A tiny ECMA-119 image writer for tests: a primary volume descriptor
//! (§8.4), a Joliet supplementary one (§8.5, Joliet escape `%/E`), the
//! terminator (§8.3), path tables (§9.4), directory records (§9.1) with
//! Rock Ridge system-use entries (SUSP SP/ER/CE, RRIP NM/PX), and file data.
//! [`Spec`] changes single fields so that tests can make hostile images.
//!
//! Layout (2048-byte blocks): 16 PVD, 17 Joliet SVD, 18 terminator, 19/20
//! ISO L/M path tables, 21/22 Joliet L/M path tables, 23 ISO root, 24 ISO
//! `DIR`, 25 Joliet root, 26 Joliet `DIR`, 27 `FILE.TXT`, 28–29
//! `DIR/INNER.TXT`, 30–31 spare (zeros) for tests to fill.

pub const BLOCK: usize = 2048;
pub const ROOT: u32 = 23;
pub const DIR: u32 = 24;
pub const JROOT: u32 = 25;
pub const JDIR: u32 = 26;
pub const FILE: u32 = 27;
pub const INNER: u32 = 28;
pub const SPARE: u32 = 30;
pub const BLOCKS: u32 = 32;

/// Content of `/FILE.TXT`.
pub const FILE_DATA: &[u8] = b"hello, iso 9660\n";

/// Content of `/DIR/INNER.TXT`: 3000 bytes over two blocks.
pub fn inner_data() -> Vec<u8> {
    (0..3000u32).map(|i| b'a' + (i % 26) as u8).collect()
}

/// What to change from the valid image.
#[derive(Debug, Clone, Default)]
pub struct Spec {
    /// Appended to the system use of the root's "." record (after SP, ER).
    pub root_dot_extra_su: Vec<u8>,
    /// The Rock Ridge NM name of FILE.TXT (default "file.txt").
    pub file_nm: Option<Vec<u8>>,
    /// The Joliet name of FILE.TXT (default "file.txt;1").
    pub joliet_file_name: Option<String>,
    /// The extent LBA the ISO record of DIR points to (default 24).
    pub dir_extent: Option<u32>,
    /// FILE.TXT's data length (default its real length).
    pub file_len: Option<u32>,
    /// FILE.TXT's extent LBA (default 27).
    pub file_lba: Option<u32>,
}

/// Both-endian 32-bit (ECMA-119 §7.3.3).
pub fn both32(v: u32) -> [u8; 8] {
    let mut b = [0u8; 8];
    b[..4].copy_from_slice(&v.to_le_bytes());
    b[4..].copy_from_slice(&v.to_be_bytes());
    b
}

/// Both-endian 16-bit (ECMA-119 §7.2.3).
pub fn both16(v: u16) -> [u8; 4] {
    let mut b = [0u8; 4];
    b[..2].copy_from_slice(&v.to_le_bytes());
    b[2..].copy_from_slice(&v.to_be_bytes());
    b
}

/// A directory record (ECMA-119 §9.1): `flags` 2 for a directory. Dated
/// 2020-01-02 03:04:05 UTC.
pub fn dir_record(id: &[u8], lba: u32, len: u32, flags: u8, su: &[u8]) -> Vec<u8> {
    let mut r = vec![0u8; 33];
    r[1] = 0;
    r[2..10].copy_from_slice(&both32(lba));
    r[10..18].copy_from_slice(&both32(len));
    r[18..25].copy_from_slice(&[120, 1, 2, 3, 4, 5, 0]);
    r[25] = flags;
    r[28..32].copy_from_slice(&both16(1));
    r[32] = u8::try_from(id.len()).expect("identifier length");
    r.extend_from_slice(id);
    if id.len() % 2 == 0 {
        r.push(0);
    }
    r.extend_from_slice(su);
    if r.len() % 2 == 1 {
        r.push(0);
    }
    r[0] = u8::try_from(r.len()).expect("record length");
    r
}

/// SUSP SP (IEEE P1281 §5.3).
pub fn sp() -> Vec<u8> {
    vec![b'S', b'P', 7, 1, 0xBE, 0xEF, 0]
}

/// SUSP ER (§5.5) for RRIP 1991A.
pub fn er() -> Vec<u8> {
    let id = b"RRIP_1991A";
    let des = b"ROCK RIDGE";
    let src = b"TEST";
    let mut e = vec![
        b'E',
        b'R',
        0,
        1,
        id.len() as u8,
        des.len() as u8,
        src.len() as u8,
        1,
    ];
    e.extend_from_slice(id);
    e.extend_from_slice(des);
    e.extend_from_slice(src);
    e[2] = e.len() as u8;
    e
}

/// SUSP CE (§5.1): continuation area at `lba`, `offset`, `len`.
pub fn ce(lba: u32, offset: u32, len: u32) -> Vec<u8> {
    let mut e = vec![b'C', b'E', 28, 1];
    e.extend_from_slice(&both32(lba));
    e.extend_from_slice(&both32(offset));
    e.extend_from_slice(&both32(len));
    e
}

/// RRIP NM (IEEE P1282 §4.1.4).
pub fn nm(name: &[u8]) -> Vec<u8> {
    let mut e = vec![b'N', b'M', (5 + name.len()) as u8, 1, 0];
    e.extend_from_slice(name);
    e
}

/// RRIP PX (§4.1.1), 1.10 form (36 bytes).
pub fn px(mode: u32) -> Vec<u8> {
    let mut e = vec![b'P', b'X', 36, 1];
    for v in [mode, 1, 0, 0] {
        e.extend_from_slice(&both32(v));
    }
    e
}

fn ucs2(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_be_bytes).collect()
}

/// Writes `bytes` at block `lba`, byte `offset` of `img`.
pub fn put(img: &mut [u8], lba: u32, offset: usize, bytes: &[u8]) {
    let start = lba as usize * BLOCK + offset;
    img[start..start + bytes.len()].copy_from_slice(bytes);
}

fn directory(img: &mut [u8], lba: u32, records: &[Vec<u8>]) {
    let mut off = 0;
    for r in records {
        assert!(off + r.len() <= BLOCK, "directory does not fit one block");
        put(img, lba, off, r);
        off += r.len();
    }
}

fn padded(text: &[u8], len: usize) -> Vec<u8> {
    let mut v = text.to_vec();
    v.resize(len, b' ');
    v
}

fn volume_descriptor(img: &mut [u8], lba: u32, joliet: bool, root: &[u8], pt_l: u32, pt_m: u32) {
    let mut d = vec![0u8; BLOCK];
    d[0] = if joliet { 2 } else { 1 };
    d[1..6].copy_from_slice(b"CD001");
    d[6] = 1;
    let text = |s: &str, len: usize| {
        if joliet {
            let mut v = ucs2(s);
            while v.len() < len {
                v.extend_from_slice(&[0, b' ']);
            }
            v.truncate(len);
            v
        } else {
            padded(s.as_bytes(), len)
        }
    };
    d[8..40].copy_from_slice(&text("LINUX", 32));
    d[40..72].copy_from_slice(&text("HANDMADE", 32));
    d[80..88].copy_from_slice(&both32(BLOCKS));
    if joliet {
        d[88..91].copy_from_slice(b"%/E");
    }
    d[120..124].copy_from_slice(&both16(1));
    d[124..128].copy_from_slice(&both16(1));
    d[128..132].copy_from_slice(&both16(BLOCK as u16));
    // Two path table records (§9.4): the root's (8 + 1 + 1 padding bytes)
    // and DIR's (8 + 3 + 1 padding, or 8 + 6 for the Joliet "dir").
    let path_table_size = if joliet { 10 + 14 } else { 10 + 12 };
    d[132..140].copy_from_slice(&both32(path_table_size));
    d[140..144].copy_from_slice(&pt_l.to_le_bytes());
    d[148..152].copy_from_slice(&pt_m.to_be_bytes());
    d[156..156 + root.len()].copy_from_slice(root);
    for (start, len) in [
        (190, 128),
        (318, 128),
        (446, 128),
        (574, 128),
        (702, 37),
        (739, 37),
        (776, 37),
    ] {
        d[start..start + len].copy_from_slice(&text("", len));
    }
    for start in [813, 830, 847, 864] {
        d[start..start + 16].copy_from_slice(b"0000000000000000");
    }
    d[813..829].copy_from_slice(b"2020010203040500");
    d[881] = 1;
    put(img, lba, 0, &d);
}

fn path_tables(img: &mut [u8], l: u32, m: u32, root: u32, dir: u32, dir_name: &[u8]) {
    for (lba, little) in [(l, true), (m, false)] {
        let mut t = Vec::new();
        for (id, at, parent) in [(&[0u8][..], root, 1u16), (dir_name, dir, 1)] {
            t.push(id.len() as u8);
            t.push(0);
            t.extend_from_slice(&if little {
                at.to_le_bytes()
            } else {
                at.to_be_bytes()
            });
            t.extend_from_slice(&if little {
                parent.to_le_bytes()
            } else {
                parent.to_be_bytes()
            });
            t.extend_from_slice(id);
            if id.len() % 2 == 1 {
                t.push(0);
            }
        }
        put(img, lba, 0, &t);
    }
}

/// Builds the image `spec` describes.
pub fn build(spec: &Spec) -> Vec<u8> {
    let mut img = vec![0u8; BLOCKS as usize * BLOCK];
    let inner = inner_data();
    let file_len = spec.file_len.unwrap_or(FILE_DATA.len() as u32);
    let file_lba = spec.file_lba.unwrap_or(FILE);
    let dir_extent = spec.dir_extent.unwrap_or(DIR);
    let block = BLOCK as u32;

    // ISO 9660 tree with Rock Ridge.
    let mut root_su = sp();
    root_su.extend(px(0o40755));
    root_su.extend(er());
    root_su.extend_from_slice(&spec.root_dot_extra_su);
    let file_nm = spec.file_nm.clone().unwrap_or_else(|| b"file.txt".to_vec());
    let root_records = vec![
        dir_record(&[0], ROOT, block, 2, &root_su),
        dir_record(&[1], ROOT, block, 2, &px(0o40755)),
        dir_record(
            b"DIR",
            dir_extent,
            block,
            2,
            &[nm(b"dir"), px(0o40755)].concat(),
        ),
        dir_record(
            b"FILE.TXT;1",
            file_lba,
            file_len,
            0,
            &[nm(&file_nm), px(0o100644)].concat(),
        ),
    ];
    directory(&mut img, ROOT, &root_records);
    let dir_records = vec![
        dir_record(&[0], DIR, block, 2, &px(0o40755)),
        dir_record(&[1], ROOT, block, 2, &px(0o40755)),
        dir_record(
            b"INNER.TXT;1",
            INNER,
            inner.len() as u32,
            0,
            &[nm(b"inner.txt"), px(0o100600)].concat(),
        ),
    ];
    directory(&mut img, DIR, &dir_records);

    // Joliet tree.
    let jname = spec
        .joliet_file_name
        .clone()
        .unwrap_or_else(|| "file.txt;1".into());
    let jroot = vec![
        dir_record(&[0], JROOT, block, 2, &[]),
        dir_record(&[1], JROOT, block, 2, &[]),
        dir_record(&ucs2("dir"), JDIR, block, 2, &[]),
        dir_record(&ucs2(&jname), file_lba, file_len, 0, &[]),
    ];
    directory(&mut img, JROOT, &jroot);
    let jdir = vec![
        dir_record(&[0], JDIR, block, 2, &[]),
        dir_record(&[1], JROOT, block, 2, &[]),
        dir_record(&ucs2("inner.txt;1"), INNER, inner.len() as u32, 0, &[]),
    ];
    directory(&mut img, JDIR, &jdir);

    put(&mut img, FILE, 0, FILE_DATA);
    put(&mut img, INNER, 0, &inner);

    let root = dir_record(&[0], ROOT, block, 2, &[]);
    volume_descriptor(&mut img, 16, false, &root, 19, 20);
    let jroot_rec = dir_record(&[0], JROOT, block, 2, &[]);
    volume_descriptor(&mut img, 17, true, &jroot_rec, 21, 22);
    let mut term = vec![255u8];
    term.extend_from_slice(b"CD001");
    term.push(1);
    put(&mut img, 18, 0, &term);
    path_tables(&mut img, 19, 20, ROOT, DIR, b"DIR");
    path_tables(&mut img, 21, 22, JROOT, JDIR, &ucs2("dir"));
    img
}

/// The valid image.
pub fn basic() -> Vec<u8> {
    build(&Spec::default())
}
