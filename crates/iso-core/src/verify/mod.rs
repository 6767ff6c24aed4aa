//! Verification: is this image intact?
//!
//! * [`hash_source`] / [`hash_path`] hash a whole image with any of MD5,
//!   SHA-1, SHA-256 and SHA-512 in one read pass: one thread reads large
//!   blocks into a small ring of buffers, one thread per algorithm hashes
//!   them, so the read and every digest run side by side.
//! * [`sums`] finds checksum files beside the image (SHA256SUMS, *.sha256,
//!   CHECKSUM, *.DIGESTS …), parses GNU, BSD and PGP-signed formats and says
//!   match / mismatch / not listed.
//! * [`check`] tests an image as an archiver does: every file read end to
//!   end, every unreadable or inconsistent file listed with where.
//! * [`internal`] checks the per-file lists a disc carries (md5sum.txt,
//!   sha256sum.txt, SHA256SUMS at its root) against the files themselves.

pub mod check;
pub mod digests;
pub mod internal;
pub mod sums;

use std::fmt;
use std::path::Path;
use std::str::FromStr;
use std::sync::{mpsc, Arc};

use md5::Md5;
use sha1::Sha1;
use sha2::{Digest as _, Sha256, Sha512};

use crate::error::{Error, Result};
use crate::extract::{Cancel, Progress};
use crate::source::{FileSource, ImageSource};

/// A digest algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Algorithm {
    /// MD5 (RFC 1321).
    Md5,
    /// SHA-1 (FIPS 180-4).
    Sha1,
    /// SHA-256 (FIPS 180-4).
    Sha256,
    /// SHA-512 (FIPS 180-4).
    Sha512,
}

impl Algorithm {
    /// All four, weakest first.
    pub const ALL: [Algorithm; 4] = [
        Algorithm::Md5,
        Algorithm::Sha1,
        Algorithm::Sha256,
        Algorithm::Sha512,
    ];

    /// Lower-case name: "md5", "sha1", "sha256", "sha512".
    pub fn as_str(self) -> &'static str {
        match self {
            Algorithm::Md5 => "md5",
            Algorithm::Sha1 => "sha1",
            Algorithm::Sha256 => "sha256",
            Algorithm::Sha512 => "sha512",
        }
    }

    /// Digest length in hex digits.
    pub fn hex_len(self) -> usize {
        match self {
            Algorithm::Md5 => 32,
            Algorithm::Sha1 => 40,
            Algorithm::Sha256 => 64,
            Algorithm::Sha512 => 128,
        }
    }

    /// The algorithm whose hex digests have `len` digits.
    pub fn from_hex_len(len: usize) -> Option<Algorithm> {
        Algorithm::ALL.into_iter().find(|a| a.hex_len() == len)
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Algorithm {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().replace(['-', '_'], "").as_str() {
            "md5" => Ok(Algorithm::Md5),
            "sha1" => Ok(Algorithm::Sha1),
            "sha256" | "sha2256" => Ok(Algorithm::Sha256),
            "sha512" | "sha2512" => Ok(Algorithm::Sha512),
            other => Err(Error::NotFound(format!(
                "no digest algorithm called {other:?}"
            ))),
        }
    }
}

/// One computed digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Digest {
    /// Which algorithm.
    pub algorithm: Algorithm,
    /// The digest bytes.
    pub bytes: Vec<u8>,
}

impl Digest {
    /// Lower-case hex.
    pub fn hex(&self) -> String {
        to_hex(&self.bytes)
    }
}

/// Lower-case hex of `bytes`.
pub fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        for nibble in [b >> 4, b & 15] {
            s.push(char::from(
                DIGITS.get(usize::from(nibble)).copied().unwrap_or(b'0'),
            ));
        }
    }
    s
}

/// A running hash of one algorithm.
#[derive(Debug, Clone)]
pub enum Hasher {
    /// MD5.
    Md5(Md5),
    /// SHA-1.
    Sha1(Sha1),
    /// SHA-256.
    Sha256(Sha256),
    /// SHA-512.
    Sha512(Sha512),
}

impl Hasher {
    /// A fresh hasher.
    pub fn new(algorithm: Algorithm) -> Self {
        match algorithm {
            Algorithm::Md5 => Hasher::Md5(Md5::new()),
            Algorithm::Sha1 => Hasher::Sha1(Sha1::new()),
            Algorithm::Sha256 => Hasher::Sha256(Sha256::new()),
            Algorithm::Sha512 => Hasher::Sha512(Sha512::new()),
        }
    }

    /// Feeds bytes.
    pub fn update(&mut self, data: &[u8]) {
        match self {
            Hasher::Md5(h) => h.update(data),
            Hasher::Sha1(h) => h.update(data),
            Hasher::Sha256(h) => h.update(data),
            Hasher::Sha512(h) => h.update(data),
        }
    }

    /// The digest.
    pub fn finish(self) -> Digest {
        let (algorithm, bytes) = match self {
            Hasher::Md5(h) => (Algorithm::Md5, h.finalize().to_vec()),
            Hasher::Sha1(h) => (Algorithm::Sha1, h.finalize().to_vec()),
            Hasher::Sha256(h) => (Algorithm::Sha256, h.finalize().to_vec()),
            Hasher::Sha512(h) => (Algorithm::Sha512, h.finalize().to_vec()),
        };
        Digest { algorithm, bytes }
    }
}

/// Bytes read per block.
const BLOCK: usize = 2 << 20;
/// Blocks in flight between the reader and the hashers.
const RING: usize = 4;

/// Hashes the whole host file at `path` (the image as downloaded).
///
/// # Errors
/// As [`hash_source`], and [`Error::Io`] when the file cannot be opened.
pub fn hash_path(
    path: &Path,
    algorithms: &[Algorithm],
    progress: &Progress,
    cancel: &Cancel,
) -> Result<Vec<Digest>> {
    let source = FileSource::open(path)?;
    hash_source(&source, algorithms, progress, cancel)
}

/// Hashes every byte of `source` with each of `algorithms` in one pass.
/// Progress totals are set to the source's length; cancel is checked
/// between blocks.
///
/// # Errors
/// [`Error::Io`] when a read fails; [`Error::Cancelled`].
pub fn hash_source(
    source: &dyn ImageSource,
    algorithms: &[Algorithm],
    progress: &Progress,
    cancel: &Cancel,
) -> Result<Vec<Digest>> {
    let len = source.len();
    progress.set_totals(len, 1);
    let mut algos = algorithms.to_vec();
    algos.sort_unstable();
    algos.dedup();
    std::thread::scope(|scope| {
        let (done_tx, done_rx) = mpsc::channel::<()>();
        let mut senders = Vec::new();
        let mut workers = Vec::new();
        for &algo in &algos {
            let (tx, rx) = mpsc::sync_channel::<Arc<Vec<u8>>>(RING);
            let done = done_tx.clone();
            workers.push(scope.spawn(move || {
                let mut h = Hasher::new(algo);
                for block in rx {
                    h.update(&block);
                    drop(block);
                    let _ = done.send(());
                }
                h.finish()
            }));
            senders.push(tx);
        }
        drop(done_tx);
        let read = read_blocks(source, &senders, &done_rx, progress, cancel);
        drop(senders);
        let digests: Vec<Digest> = workers.into_iter().filter_map(|w| w.join().ok()).collect();
        read?;
        if digests.len() != algos.len() {
            return Err(Error::Unsupported("a hashing thread failed".into()));
        }
        progress.add_file();
        Ok(digests)
    })
}

/// The reader side of [`hash_source`]: fills the ring's buffers in turn,
/// waiting until every hasher has let go of a buffer before reusing it.
fn read_blocks(
    source: &dyn ImageSource,
    senders: &[mpsc::SyncSender<Arc<Vec<u8>>>],
    done: &mpsc::Receiver<()>,
    progress: &Progress,
    cancel: &Cancel,
) -> Result<()> {
    let len = source.len();
    let mut ring: Vec<Arc<Vec<u8>>> = (0..RING).map(|_| Arc::new(vec![0u8; BLOCK])).collect();
    let mut offset = 0u64;
    let mut i = 0usize;
    while offset < len {
        if cancel.is_cancelled() {
            return Err(Error::Cancelled);
        }
        let Some(slot) = ring.get_mut(i % RING) else {
            break;
        };
        let n = usize::try_from(len - offset).unwrap_or(BLOCK).min(BLOCK);
        loop {
            while done.try_recv().is_ok() {}
            if let Some(buf) = Arc::get_mut(slot) {
                buf.truncate(n);
                source
                    .read_exact_at(offset, buf)
                    .map_err(|e| Error::io(offset, e))?;
                break;
            }
            if done.recv().is_err() {
                return Err(Error::Unsupported("a hashing thread stopped".into()));
            }
        }
        for tx in senders {
            if tx.send(slot.clone()).is_err() {
                return Err(Error::Unsupported("a hashing thread stopped".into()));
            }
        }
        let n = crate::bytes::u64_from(n);
        progress.add_bytes(n);
        offset += n;
        i = i.wrapping_add(1);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::MemorySource;

    #[test]
    fn known_digests() {
        // FIPS 180-2 appendix and RFC 1321 test vectors for "abc".
        let src = MemorySource::new(b"abc".to_vec());
        let d = hash_source(&src, &Algorithm::ALL, &Progress::new(), &Cancel::new()).unwrap();
        let hex: Vec<String> = d.iter().map(Digest::hex).collect();
        assert_eq!(hex[0], "900150983cd24fb0d6963f7d28e17f72");
        assert_eq!(hex[1], "a9993e364706816aba3e25717850c26c9cd0d89d");
        assert_eq!(
            hex[2],
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(hex[3].starts_with("ddaf35a193617aba"));
    }

    #[test]
    fn multi_block_matches_one_shot_and_cancel_works() {
        let data: Vec<u8> = (0..(BLOCK * 5 + 123)).map(|i| (i % 251) as u8).collect();
        let src = MemorySource::new(data.clone());
        let p = Progress::new();
        let d = hash_source(
            &src,
            &[Algorithm::Sha256, Algorithm::Md5],
            &p,
            &Cancel::new(),
        )
        .unwrap();
        assert_eq!(d[0].algorithm, Algorithm::Md5);
        assert_eq!(d[1].bytes, Sha256::digest(&data).to_vec());
        assert_eq!(p.bytes_done(), data.len() as u64);
        let c = Cancel::new();
        c.cancel();
        assert!(matches!(
            hash_source(&src, &[Algorithm::Sha1], &Progress::new(), &c),
            Err(Error::Cancelled)
        ));
        let empty = MemorySource::new(Vec::new());
        let d = hash_source(&empty, &[Algorithm::Md5], &Progress::new(), &Cancel::new()).unwrap();
        assert_eq!(d[0].hex(), "d41d8cd98f00b204e9800998ecf8427e");
    }

    #[test]
    fn names() {
        assert_eq!("SHA-256".parse::<Algorithm>().unwrap(), Algorithm::Sha256);
        assert_eq!(Algorithm::from_hex_len(40), Some(Algorithm::Sha1));
        assert!("crc".parse::<Algorithm>().is_err());
    }
}
