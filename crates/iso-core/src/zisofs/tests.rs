//! zisofs files built here per the format (header, pointer table, zlib
//! blocks from flate2's encoder) and read back.

use std::io::Write;
use std::sync::Arc;

use flate2::write::ZlibEncoder;
use flate2::Compression;

use super::*;
use crate::source::{ImageSource, MemorySource};
use crate::tree::Extent;

/// A zisofs file of `data` with blocks of 2^`log2` bytes; all-zero blocks
/// are stored as empty (equal pointers), as mkzftree does.
fn build(data: &[u8], log2: u8) -> Vec<u8> {
    let bs = 1usize << log2;
    let n = data.len().div_ceil(bs);
    let mut out = MAGIC.to_vec();
    out.extend(u32::try_from(data.len()).unwrap().to_le_bytes());
    out.extend([4, log2, 0, 0]);
    let table_at = out.len();
    out.resize(table_at + (n + 1) * 4, 0);
    let mut ptrs = vec![u32::try_from(out.len()).unwrap()];
    for block in data.chunks(bs) {
        if block.iter().any(|&b| b != 0) {
            let mut z = ZlibEncoder::new(Vec::new(), Compression::default());
            z.write_all(block).unwrap();
            out.extend(z.finish().unwrap());
        }
        ptrs.push(u32::try_from(out.len()).unwrap());
    }
    for (i, p) in ptrs.iter().enumerate() {
        out[table_at + i * 4..][..4].copy_from_slice(&p.to_le_bytes());
    }
    out
}

fn reader(file: Vec<u8>, len: u64, log2: u8) -> Result<ZisofsReader> {
    let n = u64::try_from(file.len()).unwrap();
    let src: Arc<dyn ImageSource> = Arc::new(MemorySource::new(file));
    ZisofsReader::new(
        ExtentReader::new(src, vec![Extent::recorded(0, n)], n),
        len,
        4,
        log2,
    )
}

/// 100 000 bytes: three blocks of 32 KiB and a short one, the second all
/// zeros.
fn sample() -> Vec<u8> {
    let mut x = 12345u32;
    let mut v: Vec<u8> = (0..100_000)
        .map(|_| {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            // Few distinct values, so zlib has something to do.
            b"abcdefgh"[usize::try_from(x >> 29).unwrap()]
        })
        .collect();
    v[32768..65536].fill(0);
    v
}

#[test]
fn reads_back_what_was_compressed() {
    let data = sample();
    let file = build(&data, 15);
    assert!(file.len() < data.len());
    let mut r = reader(file, 100_000, 15).unwrap();
    assert_eq!(r.len(), 100_000);
    assert_eq!(r.note(), None);
    let mut out = Vec::new();
    r.read_to_end(&mut out).unwrap();
    assert!(out == data);
}

#[test]
fn seeks_across_blocks() {
    let data = sample();
    let mut r = reader(build(&data, 16), 100_000, 16).unwrap();
    let mut b = [0u8; 100];
    r.seek(SeekFrom::Start(65_500)).unwrap();
    r.read_exact(&mut b).unwrap();
    assert_eq!(&b[..], &data[65_500..65_600]);
    r.seek(SeekFrom::End(-10)).unwrap();
    let mut tail = Vec::new();
    r.read_to_end(&mut tail).unwrap();
    assert_eq!(&tail[..], &data[99_990..]);
    r.seek(SeekFrom::Start(40_000)).unwrap();
    r.read_exact(&mut b).unwrap();
    assert_eq!(b, [0u8; 100]);
    r.seek(SeekFrom::Start(1_000_000)).unwrap();
    assert_eq!(r.read(&mut b).unwrap(), 0);
}

#[test]
fn empty_file() {
    let mut r = reader(build(&[], 15), 0, 15).unwrap();
    let mut out = Vec::new();
    r.read_to_end(&mut out).unwrap();
    assert!(out.is_empty() && r.is_empty());
}

#[test]
fn header_damage_is_corrupt() {
    let file = build(&sample(), 15);
    let mut bad = file.clone();
    bad[0] ^= 1;
    assert!(matches!(
        reader(bad, 100_000, 15),
        Err(Error::Corrupt { .. })
    ));
    let mut bad = file.clone();
    bad[13] = 14;
    assert!(matches!(
        reader(bad, 100_000, 15),
        Err(Error::Corrupt { .. })
    ));
    let mut bad = file.clone();
    bad[12] = 1;
    assert!(matches!(
        reader(bad, 100_000, 15),
        Err(Error::Corrupt { .. })
    ));
    // A huge size: the pointer table would run past the file.
    let mut bad = file.clone();
    bad[8..12].copy_from_slice(&u32::MAX.to_le_bytes());
    assert!(matches!(
        reader(bad, u64::from(u32::MAX), 15),
        Err(Error::Corrupt { .. })
    ));
    assert!(matches!(
        reader(file[..10].to_vec(), 100_000, 15),
        Err(Error::Corrupt { .. })
    ));
}

#[test]
fn size_disagreement_uses_the_smaller_and_says_so() {
    let data = sample();
    let mut r = reader(build(&data, 15), 50_000, 15).unwrap();
    assert_eq!(r.len(), 50_000);
    assert!(r.note().is_some());
    let mut out = Vec::new();
    r.read_to_end(&mut out).unwrap();
    assert!(out == data[..50_000]);
    let r = reader(build(&data, 15), 200_000, 15).unwrap();
    assert_eq!(r.len(), 100_000);
}

fn read_all(r: &mut ZisofsReader) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    r.read_to_end(&mut out).map(|_| out)
}

#[test]
fn corrupt_pointers_are_invalid_data() {
    let file = build(&sample(), 15);
    // Pointer 2 before pointer 1 (not monotonic).
    let mut bad = file.clone();
    bad[16 + 8..16 + 12].copy_from_slice(&0u32.to_le_bytes());
    let e = read_all(&mut reader(bad, 100_000, 15).unwrap()).unwrap_err();
    assert_eq!(e.kind(), io::ErrorKind::InvalidData);
    // The last pointer past the end of the file.
    let mut bad = file.clone();
    bad[16 + 16..16 + 20].copy_from_slice(&u32::MAX.to_le_bytes());
    let e = read_all(&mut reader(bad, 100_000, 15).unwrap()).unwrap_err();
    assert_eq!(e.kind(), io::ErrorKind::InvalidData);
    // The first block inside the pointer table.
    let mut bad = file;
    bad[16..20].copy_from_slice(&0u32.to_le_bytes());
    let e = read_all(&mut reader(bad, 100_000, 15).unwrap()).unwrap_err();
    assert_eq!(e.kind(), io::ErrorKind::InvalidData);
}

#[test]
fn damaged_or_oversized_blocks_are_invalid_data() {
    // One block of 32 KiB + 1 bytes where 32 KiB is the block size.
    let mut z = ZlibEncoder::new(Vec::new(), Compression::default());
    z.write_all(&[7u8; 32769]).unwrap();
    let block = z.finish().unwrap();
    let mut file = MAGIC.to_vec();
    file.extend(32768u32.to_le_bytes());
    file.extend([4, 15, 0, 0]);
    file.extend(24u32.to_le_bytes());
    file.extend(u32::try_from(24 + block.len()).unwrap().to_le_bytes());
    file.extend(&block);
    let e = read_all(&mut reader(file.clone(), 32768, 15).unwrap()).unwrap_err();
    assert_eq!(e.kind(), io::ErrorKind::InvalidData);
    // Garbage instead of zlib.
    let mut bad = file;
    for b in bad[24..].iter_mut() {
        *b ^= 0x5A;
    }
    let e = read_all(&mut reader(bad, 32768, 15).unwrap()).unwrap_err();
    assert_eq!(e.kind(), io::ErrorKind::InvalidData);
}

#[test]
fn mutated_files_never_panic() {
    let good = build(&sample(), 15);
    let mut state = 99u64;
    let mut next = || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        usize::try_from(state >> 40).unwrap()
    };
    for _ in 0..300 {
        let mut file = good.clone();
        for _ in 0..3 {
            // Mostly the header and pointer table, sometimes the data.
            let i = if next() % 4 == 0 {
                next() % file.len()
            } else {
                next() % 40
            };
            file[i] = u8::try_from(next() % 256).unwrap();
        }
        if let Ok(mut r) = reader(file, 100_000, 15) {
            let mut out = Vec::new();
            let _ = r.read_to_end(&mut out);
            assert!(out.len() <= 100_000);
            let _ = r.seek(SeekFrom::Start(u64::try_from(next() % 120_000).unwrap()));
            let _ = r.read(&mut [0u8; 10]);
        }
    }
}
