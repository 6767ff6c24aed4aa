//! Every common digest of one stream in one read: CRC32, MD5, SHA-1,
//! SHA-256, SHA-512 and BLAKE3 of a file in an image (what 7-Zip's
//! CRC/SHA menu shows), for the app's Checksums… and any CLI that wants
//! per-file sums.
//!
//! [`hash_reader`] feeds each block read to every requested hasher in turn;
//! [`hash_node`] does it for one file of a tree through
//! [`Image::open_file`] (zisofs decompressed, every extent read).

use std::io::Read;

use md5::Md5;
use sha1::Sha1;
use sha2::{Digest as _, Sha256, Sha512};

use super::{to_hex, Algorithm};
use crate::error::{Error, Result};
use crate::extract::{Cancel, Progress};
use crate::tree::{NodeId, Tree};
use crate::Image;

/// Bytes read per block.
const BLOCK: usize = 1 << 20;

/// A per-file digest algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FileAlgorithm {
    /// CRC-32 (ISO-HDLC, as zip and 7-Zip print it).
    Crc32,
    /// MD5 (RFC 1321).
    Md5,
    /// SHA-1 (FIPS 180-4).
    Sha1,
    /// SHA-256 (FIPS 180-4).
    Sha256,
    /// SHA-512 (FIPS 180-4).
    Sha512,
    /// BLAKE3 (256-bit output).
    Blake3,
}

impl FileAlgorithm {
    /// All six, in the order they are shown.
    pub const ALL: [FileAlgorithm; 6] = [
        FileAlgorithm::Crc32,
        FileAlgorithm::Md5,
        FileAlgorithm::Sha1,
        FileAlgorithm::Sha256,
        FileAlgorithm::Sha512,
        FileAlgorithm::Blake3,
    ];

    /// The name shown: "CRC32", "MD5", "SHA-1", "SHA-256", "SHA-512", "BLAKE3".
    pub fn label(self) -> &'static str {
        match self {
            FileAlgorithm::Crc32 => "CRC32",
            FileAlgorithm::Md5 => "MD5",
            FileAlgorithm::Sha1 => "SHA-1",
            FileAlgorithm::Sha256 => "SHA-256",
            FileAlgorithm::Sha512 => "SHA-512",
            FileAlgorithm::Blake3 => "BLAKE3",
        }
    }

    /// The same algorithm as a checksum list's [`Algorithm`], when lists
    /// use it.
    pub fn from_list(a: Algorithm) -> FileAlgorithm {
        match a {
            Algorithm::Md5 => FileAlgorithm::Md5,
            Algorithm::Sha1 => FileAlgorithm::Sha1,
            Algorithm::Sha256 => FileAlgorithm::Sha256,
            Algorithm::Sha512 => FileAlgorithm::Sha512,
        }
    }
}

/// One computed digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileDigest {
    /// The algorithm.
    pub algorithm: FileAlgorithm,
    /// The digest bytes (CRC32 big-endian, as it is printed).
    pub bytes: Vec<u8>,
}

impl FileDigest {
    /// Lower-case hex.
    pub fn hex(&self) -> String {
        to_hex(&self.bytes)
    }
}

/// A running hash of one [`FileAlgorithm`].
enum Running {
    Crc32(crc32fast::Hasher),
    Md5(Md5),
    Sha1(Sha1),
    Sha256(Sha256),
    Sha512(Sha512),
    Blake3(Box<blake3::Hasher>),
}

impl Running {
    fn new(a: FileAlgorithm) -> Running {
        match a {
            FileAlgorithm::Crc32 => Running::Crc32(crc32fast::Hasher::new()),
            FileAlgorithm::Md5 => Running::Md5(Md5::new()),
            FileAlgorithm::Sha1 => Running::Sha1(Sha1::new()),
            FileAlgorithm::Sha256 => Running::Sha256(Sha256::new()),
            FileAlgorithm::Sha512 => Running::Sha512(Sha512::new()),
            FileAlgorithm::Blake3 => Running::Blake3(Box::new(blake3::Hasher::new())),
        }
    }

    fn update(&mut self, data: &[u8]) {
        match self {
            Running::Crc32(h) => h.update(data),
            Running::Md5(h) => h.update(data),
            Running::Sha1(h) => h.update(data),
            Running::Sha256(h) => h.update(data),
            Running::Sha512(h) => h.update(data),
            Running::Blake3(h) => {
                h.update(data);
            }
        }
    }

    fn finish(self) -> FileDigest {
        let (algorithm, bytes) = match self {
            Running::Crc32(h) => (FileAlgorithm::Crc32, h.finalize().to_be_bytes().to_vec()),
            Running::Md5(h) => (FileAlgorithm::Md5, h.finalize().to_vec()),
            Running::Sha1(h) => (FileAlgorithm::Sha1, h.finalize().to_vec()),
            Running::Sha256(h) => (FileAlgorithm::Sha256, h.finalize().to_vec()),
            Running::Sha512(h) => (FileAlgorithm::Sha512, h.finalize().to_vec()),
            Running::Blake3(h) => (FileAlgorithm::Blake3, h.finalize().as_bytes().to_vec()),
        };
        FileDigest { algorithm, bytes }
    }
}

/// Reads `reader` to its end, hashing every block with each of
/// `algorithms` (duplicates hashed once), counting bytes on `progress`.
/// Cancel is checked between blocks.
///
/// # Errors
/// [`Error::Io`] when a read fails (offset: bytes read before it);
/// [`Error::Cancelled`].
pub fn hash_reader(
    reader: &mut dyn Read,
    algorithms: &[FileAlgorithm],
    progress: &Progress,
    cancel: &Cancel,
) -> Result<Vec<FileDigest>> {
    let mut algos = algorithms.to_vec();
    algos.sort_unstable();
    algos.dedup();
    let mut running: Vec<Running> = algos.iter().map(|&a| Running::new(a)).collect();
    let mut buf = vec![0u8; BLOCK];
    let mut done = 0u64;
    loop {
        if cancel.is_cancelled() {
            return Err(Error::Cancelled);
        }
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Error::io(done, e)),
        };
        let block = buf.get(..n).unwrap_or_default();
        for h in &mut running {
            h.update(block);
        }
        let n = crate::bytes::u64_from(n);
        done = done.saturating_add(n);
        progress.add_bytes(n);
    }
    Ok(running.into_iter().map(Running::finish).collect())
}

/// Every digest in `algorithms` of the file `node` of `tree`.
///
/// # Errors
/// As [`Image::open_file`] (not a file, not in the tree) and
/// [`hash_reader`].
pub fn hash_node(
    image: &Image,
    tree: &Tree,
    node: NodeId,
    algorithms: &[FileAlgorithm],
    progress: &Progress,
    cancel: &Cancel,
) -> Result<Vec<FileDigest>> {
    let mut r = image.open_file(tree, node)?;
    hash_reader(&mut r, algorithms, progress, cancel)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The published "abc" vectors: RFC 1321 (MD5), the FIPS 180-4
    /// examples (SHA-1, SHA-256, SHA-512), BLAKE3's reference vectors, and
    /// CRC-32 as zlib computes it (`python3 -c 'zlib.crc32(b"abc")'`).
    #[test]
    fn abc_matches_the_published_vectors() {
        let d = hash_reader(
            &mut &b"abc"[..],
            &FileAlgorithm::ALL,
            &Progress::default(),
            &Cancel::default(),
        )
        .expect("hash");
        let hex: Vec<(&str, String)> = d.iter().map(|d| (d.algorithm.label(), d.hex())).collect();
        assert_eq!(
            hex,
            vec![
                ("CRC32", "352441c2".to_string()),
                ("MD5", "900150983cd24fb0d6963f7d28e17f72".into()),
                ("SHA-1", "a9993e364706816aba3e25717850c26c9cd0d89d".into()),
                (
                    "SHA-256",
                    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad".into()
                ),
                (
                    "SHA-512",
                    "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a\
                     2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"
                        .into()
                ),
                (
                    "BLAKE3",
                    "6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85".into()
                ),
            ]
        );
    }

    #[test]
    fn bytes_are_counted_and_cancel_stops() {
        let data = vec![7u8; BLOCK + 10];
        let p = Progress::default();
        let d = hash_reader(
            &mut &data[..],
            &[FileAlgorithm::Crc32, FileAlgorithm::Crc32],
            &p,
            &Cancel::default(),
        )
        .expect("hash");
        assert_eq!(d.len(), 1, "duplicates hashed once");
        assert_eq!(
            p.snapshot().bytes_done,
            u64::try_from(data.len()).unwrap_or(0)
        );
        let c = Cancel::default();
        c.cancel();
        assert!(matches!(
            hash_reader(
                &mut &data[..],
                &FileAlgorithm::ALL,
                &Progress::default(),
                &c
            ),
            Err(Error::Cancelled)
        ));
    }

    /// A read error says how far the read got.
    #[test]
    fn read_errors_name_the_offset() {
        struct Broken(u8);
        impl Read for Broken {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                if self.0 == 0 {
                    return Err(std::io::Error::other("bad sector"));
                }
                self.0 -= 1;
                let n = buf.len().min(100);
                Ok(n)
            }
        }
        let e = hash_reader(
            &mut Broken(2),
            &[FileAlgorithm::Md5],
            &Progress::default(),
            &Cancel::default(),
        )
        .expect_err("fails");
        assert!(e.to_string().contains("200"), "{e}");
    }
}
