//! `verify` (interim): the checksum of the whole image file, optionally
//! compared with a checksum file. The full engine (per-file checksums,
//! checksum-file discovery) will come from iso-core's verify module; this
//! keeps the same entry point, [`run`].

use std::fs::File;
use std::io::{self, IsTerminal, Read, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use md5::Md5;
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha512};

use crate::args::{Algo, VerifyArgs};
use crate::{Failure, Outcome, DAMAGED, OK};

/// Runs `verify`.
pub fn run(args: &VerifyArgs) -> Outcome {
    let name = args
        .image
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| args.image.display().to_string());
    let expected = match &args.against {
        Some(file) => Some(expected_digest(file, &name, args.algo)?),
        None => None,
    };
    let algo = expected
        .as_ref()
        .map(|e| e.algo)
        .or(args.algo)
        .unwrap_or(Algo::Sha256);
    let digest = hash_file(&args.image, algo)?;
    let stdout = io::stdout();
    let mut out = stdout.lock();
    let shown = crate::term::escape(&name);
    match expected {
        None => {
            writeln!(out, "{digest}  {shown}").map_err(Failure::stdout)?;
            Ok(OK)
        }
        Some(e) if e.hex.eq_ignore_ascii_case(&digest) => {
            writeln!(out, "{shown}: OK ({})", algo_name(algo)).map_err(Failure::stdout)?;
            Ok(OK)
        }
        Some(e) => {
            writeln!(
                out,
                "{shown}: FAILED ({}: expected {}, got {digest})",
                algo_name(algo),
                e.hex.to_ascii_lowercase()
            )
            .map_err(Failure::stdout)?;
            Ok(DAMAGED)
        }
    }
}

fn algo_name(a: Algo) -> &'static str {
    match a {
        Algo::Md5 => "MD5",
        Algo::Sha1 => "SHA1",
        Algo::Sha256 => "SHA256",
        Algo::Sha512 => "SHA512",
    }
}

fn hex_len(a: Algo) -> usize {
    match a {
        Algo::Md5 => 32,
        Algo::Sha1 => 40,
        Algo::Sha256 => 64,
        Algo::Sha512 => 128,
    }
}

fn algo_for_hex(len: usize) -> Option<Algo> {
    [Algo::Md5, Algo::Sha1, Algo::Sha256, Algo::Sha512]
        .into_iter()
        .find(|&a| hex_len(a) == len)
}

/// One line of a checksum file.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Line {
    algo: Algo,
    hex: String,
    name: String,
}

/// Parses `HEX  NAME`, `HEX *NAME` (GNU) and `ALGO (NAME) = HEX` (BSD).
fn parse_line(line: &str) -> Option<Line> {
    let line = line.trim_end_matches(['\r', '\n']);
    if let Some((head, hex)) = line.rsplit_once(") = ") {
        let (tag, name) = head.split_once(" (")?;
        let algo = match tag.to_ascii_uppercase().replace('-', "").as_str() {
            "MD5" => Algo::Md5,
            "SHA1" => Algo::Sha1,
            "SHA256" => Algo::Sha256,
            "SHA512" => Algo::Sha512,
            _ => return None,
        };
        let hex = hex.trim();
        return (hex.len() == hex_len(algo) && is_hex(hex)).then(|| Line {
            algo,
            hex: hex.into(),
            name: name.into(),
        });
    }
    let (hex, rest) = line.split_once(' ')?;
    let name = rest.strip_prefix(' ').or_else(|| rest.strip_prefix('*'))?;
    let algo = algo_for_hex(hex.len())?;
    is_hex(hex).then(|| Line {
        algo,
        hex: hex.into(),
        name: name.into(),
    })
}

fn is_hex(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The expected digest for `name` in `file`: the line naming it (by file
/// name, ignoring directories), or the only line of the file.
fn expected_digest(file: &Path, name: &str, algo: Option<Algo>) -> Result<Line, Failure> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| Failure::usage(format!("cannot read {}: {e}", file.display())))?;
    let lines: Vec<Line> = text
        .lines()
        .take(1_000_000)
        .filter_map(parse_line)
        .filter(|l| algo.is_none_or(|a| a == l.algo))
        .collect();
    let base = |n: &str| n.rsplit(['/', '\\']).next().unwrap_or(n).to_string();
    if let Some(l) = lines.iter().find(|l| base(&l.name) == name) {
        return Ok(l.clone());
    }
    match lines.as_slice() {
        [only] => Ok(only.clone()),
        _ => Err(Failure::usage(format!(
            "{} has no {}checksum for {name}",
            file.display(),
            algo.map(|a| format!("{} ", algo_name(a)))
                .unwrap_or_default()
        ))),
    }
}

/// Streams the file through the digest; progress on a terminal.
fn hash_file(path: &Path, algo: Algo) -> Result<String, Failure> {
    let mut file = File::open(path)
        .map_err(|e| Failure::usage(format!("cannot read {}: {e}", path.display())))?;
    let total = file.metadata().map(|m| m.len()).unwrap_or(0);
    let mut hasher: Box<dyn DynDigest> = match algo {
        Algo::Md5 => Box::new(Md5::new()),
        Algo::Sha1 => Box::new(Sha1::new()),
        Algo::Sha256 => Box::new(Sha256::new()),
        Algo::Sha512 => Box::new(Sha512::new()),
    };
    let progress = io::stderr().is_terminal();
    let mut last = Instant::now();
    let mut done = 0u64;
    let mut buf = vec![0u8; 1 << 20];
    loop {
        if crate::cancelled() {
            return Err(Failure::interrupted());
        }
        let n = match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => {
                return Err(Failure::usage(format!(
                    "reading {} failed at byte {done}: {e}",
                    path.display()
                )))
            }
        };
        hasher.update(buf.get(..n).unwrap_or_default());
        done += n as u64;
        if progress && last.elapsed() > Duration::from_millis(200) {
            last = Instant::now();
            let pct = done.saturating_mul(100).checked_div(total).unwrap_or(100);
            eprint!("\rverifying: {pct:3}%");
        }
    }
    if progress {
        eprint!("\r               \r");
    }
    Ok(hasher.finish_hex())
}

/// Object-safe view of the four digests.
trait DynDigest {
    fn update(&mut self, data: &[u8]);
    fn finish_hex(self: Box<Self>) -> String;
}

impl<D: Digest> DynDigest for D {
    fn update(&mut self, data: &[u8]) {
        Digest::update(self, data);
    }
    fn finish_hex(self: Box<Self>) -> String {
        use std::fmt::Write as _;
        let mut s = String::new();
        for b in self.finalize() {
            let _ = write!(s, "{b:02x}");
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksum_lines() {
        let h = "a".repeat(64);
        let gnu = parse_line(&format!("{h}  dir/disc.iso")).unwrap();
        assert_eq!(
            (gnu.algo, gnu.name.as_str()),
            (Algo::Sha256, "dir/disc.iso")
        );
        let bin = parse_line(&format!("{}  *disc.iso", "b".repeat(32))).unwrap();
        assert_eq!((bin.algo, bin.name.as_str()), (Algo::Md5, "*disc.iso"));
        let bin = parse_line(&format!("{} *disc.iso", "b".repeat(32))).unwrap();
        assert_eq!(bin.name, "disc.iso");
        let bsd = parse_line(&format!("SHA256 (my disc.iso) = {h}")).unwrap();
        assert_eq!((bsd.algo, bsd.name.as_str()), (Algo::Sha256, "my disc.iso"));
        assert!(parse_line("SHA256 (x) = abc").is_none());
        assert!(parse_line("# comment").is_none());
        assert!(parse_line(&format!("{}  x", "z".repeat(64))).is_none());
    }

    #[test]
    fn digests_of_known_input() {
        // The FIPS 180 / RFC 1321 "abc" test vectors.
        let f = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(f.path(), b"abc").unwrap();
        assert_eq!(
            hash_file(f.path(), Algo::Md5).unwrap(),
            "900150983cd24fb0d6963f7d28e17f72"
        );
        assert_eq!(
            hash_file(f.path(), Algo::Sha1).unwrap(),
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        );
        assert_eq!(
            hash_file(f.path(), Algo::Sha256).unwrap(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
