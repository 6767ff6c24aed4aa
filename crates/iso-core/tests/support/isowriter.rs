//! A tiny ISO 9660 writer for tests, written from ECMA-119 (§8.4 primary
//! volume descriptor, §8.5 supplementary descriptor used for Joliet,
//! §9.1 directory records): one sector per directory, files laid out
//! after the directories, optional Joliet tree over the same file data.
#![allow(dead_code)]

/// One entry to write: a path with `/` separators, and its content (None
/// for a directory).
pub struct Item {
    pub path: String,
    pub data: Option<Vec<u8>>,
}

pub fn file(path: &str, data: &[u8]) -> Item {
    Item {
        path: path.into(),
        data: Some(data.to_vec()),
    }
}

pub fn dir(path: &str) -> Item {
    Item {
        path: path.into(),
        data: None,
    }
}

/// The recording date of every record: 2020-01-02 03:04:05 UTC.
pub const DATE: [u8; 7] = [120, 1, 2, 3, 4, 5, 0];
/// The same instant as seconds since 1970 (date -u -d '2020-01-02 03:04:05' +%s).
pub const DATE_UNIX: i64 = 1_577_934_245;

const SECTOR: usize = 2048;

fn both32(v: u32) -> [u8; 8] {
    let mut b = [0u8; 8];
    b[..4].copy_from_slice(&v.to_le_bytes());
    b[4..].copy_from_slice(&v.to_be_bytes());
    b
}

fn both16(v: u16) -> [u8; 4] {
    let mut b = [0u8; 4];
    b[..2].copy_from_slice(&v.to_le_bytes());
    b[2..].copy_from_slice(&v.to_be_bytes());
    b
}

/// ECMA-119 §9.1 directory record.
fn record(id: &[u8], lba: u32, len: u32, is_dir: bool) -> Vec<u8> {
    let mut r = vec![0u8; 33];
    r[2..10].copy_from_slice(&both32(lba));
    r[10..18].copy_from_slice(&both32(len));
    r[18..25].copy_from_slice(&DATE);
    r[25] = if is_dir { 2 } else { 0 };
    r[28..32].copy_from_slice(&both16(1));
    r[32] = id.len() as u8;
    r.extend_from_slice(id);
    if r.len() % 2 == 1 {
        r.push(0);
    }
    r[0] = r.len() as u8;
    r
}

fn iso_id(name: &str, is_dir: bool) -> Vec<u8> {
    if is_dir {
        name.as_bytes().to_vec()
    } else if name.contains('.') {
        format!("{name};1").into_bytes()
    } else {
        format!("{name}.;1").into_bytes()
    }
}

fn joliet_id(name: &str, is_dir: bool) -> Vec<u8> {
    let s = if is_dir {
        name.to_string()
    } else {
        format!("{name};1")
    };
    s.encode_utf16().flat_map(|u| u.to_be_bytes()).collect()
}

struct Dir {
    path: String,
    children: Vec<usize>,
}

/// Builds an image holding `items` (parents must come before children).
/// `iso_names` are written as given (callers pass upper-case names for
/// the plain tree); Joliet, when asked for, gets the same names.
pub fn build(items: &[Item], joliet: bool) -> Vec<u8> {
    // Directories: root plus every item without data.
    let mut dirs = vec![Dir {
        path: String::new(),
        children: Vec::new(),
    }];
    for (i, it) in items.iter().enumerate() {
        let parent = it.path.rsplit_once('/').map_or("", |(p, _)| p);
        let p = dirs
            .iter()
            .position(|d| d.path == parent)
            .expect("parent first");
        dirs[p].children.push(i);
        if it.data.is_none() {
            dirs.push(Dir {
                path: it.path.clone(),
                children: Vec::new(),
            });
        }
    }
    let ndirs = dirs.len();
    let trees = if joliet { 2 } else { 1 };
    let first_dir = 20usize;
    let mut next = first_dir + ndirs * trees;
    // File data locations.
    let mut file_lba = vec![0u32; items.len()];
    for (i, it) in items.iter().enumerate() {
        if let Some(d) = &it.data {
            file_lba[i] = next as u32;
            next += d.len().div_ceil(SECTOR).max(1);
        }
    }
    let total = next;
    let mut img = vec![0u8; total * SECTOR];
    let dir_lba = |t: usize, d: usize| (first_dir + t * ndirs + d) as u32;
    for t in 0..trees {
        for (di, d) in dirs.iter().enumerate() {
            let parent_di = match d.path.rsplit_once('/') {
                Some((p, _)) => dirs.iter().position(|x| x.path == p).unwrap(),
                None => 0,
            };
            let mut recs = record(&[0], dir_lba(t, di), SECTOR as u32, true);
            recs.extend(record(&[1], dir_lba(t, parent_di), SECTOR as u32, true));
            for &ci in &d.children {
                let it = &items[ci];
                let name = it.path.rsplit('/').next().unwrap();
                let is_dir = it.data.is_none();
                let id = if t == 0 {
                    iso_id(name, is_dir)
                } else {
                    joliet_id(name, is_dir)
                };
                let (lba, len) = match &it.data {
                    Some(data) => (file_lba[ci], data.len() as u32),
                    None => {
                        let sub = dirs.iter().position(|x| x.path == it.path).unwrap();
                        (dir_lba(t, sub), SECTOR as u32)
                    }
                };
                recs.extend(record(&id, lba, len, is_dir));
            }
            assert!(recs.len() <= SECTOR, "test directory too big");
            let at = dir_lba(t, di) as usize * SECTOR;
            img[at..at + recs.len()].copy_from_slice(&recs);
        }
    }
    for (i, it) in items.iter().enumerate() {
        if let Some(d) = &it.data {
            let at = file_lba[i] as usize * SECTOR;
            img[at..at + d.len()].copy_from_slice(d);
        }
    }
    let descriptor = |ty: u8, t: usize| {
        let mut s = vec![0u8; SECTOR];
        s[0] = ty;
        s[1..6].copy_from_slice(b"CD001");
        s[6] = 1;
        s[40..72].copy_from_slice(&[b' '; 32]);
        s[80..88].copy_from_slice(&both32(total as u32));
        if t == 1 {
            s[88..91].copy_from_slice(b"%/E");
        }
        s[120..124].copy_from_slice(&both16(1));
        s[124..128].copy_from_slice(&both16(1));
        s[128..132].copy_from_slice(&both16(SECTOR as u16));
        let root = record(&[0], dir_lba(t, 0), SECTOR as u32, true);
        s[156..156 + 34].copy_from_slice(&root[..34]);
        s[881] = 1;
        s
    };
    img[16 * SECTOR..17 * SECTOR].copy_from_slice(&descriptor(1, 0));
    let mut lba = 17;
    if joliet {
        img[17 * SECTOR..18 * SECTOR].copy_from_slice(&descriptor(2, 1));
        lba = 18;
    }
    let term = lba * SECTOR;
    img[term] = 255;
    img[term + 1..term + 6].copy_from_slice(b"CD001");
    img[term + 6] = 1;
    img
}
