//! Integration tests of the `isoscope-cli` binary (DESIGN.md §4) on
//! `data/small.iso.gz`, a plain ISO 9660 + Joliet image made by xorriso
//! (`data/make.sh`). Expected values come from that script's inputs and
//! from the tools' own listings committed beside it (xorriso `lsdl`,
//! `isoinfo -d`, `sha256sum`), never from our own output.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

/// A small ECMA-119 writer shared with iso-core's tests, for images
/// built at test time.
#[path = "../../iso-core/tests/support/isowriter.rs"]
mod isowriter;

const BIN: &str = env!("CARGO_BIN_EXE_isoscope-cli");
/// 2020-01-02 03:04:05 UTC, the date make.sh gives every file.
const FIXED_MTIME: i64 = 1_577_934_245;

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// Unpacks the fixture as `small.iso` in a fresh temporary directory.
fn fixture() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let gz = std::fs::File::open(data("small.iso.gz")).unwrap();
    let mut bytes = Vec::new();
    flate2::read::GzDecoder::new(gz)
        .read_to_end(&mut bytes)
        .unwrap();
    let iso = dir.path().join("small.iso");
    std::fs::write(&iso, bytes).unwrap();
    (dir, iso)
}

fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().unwrap()
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// (path, type, size) of every entry below the root in an xorriso
/// `-find / -exec lsdl` listing.
fn lsdl(file: &str) -> Vec<(String, String, u64)> {
    let text = std::fs::read_to_string(data(file)).unwrap();
    let mut out: Vec<_> = text
        .lines()
        .filter(|l| !l.is_empty())
        .map(|l| {
            let quote = l.find('\'').unwrap();
            let path = l[quote + 1..l.len() - 1].to_string();
            let fields: Vec<&str> = l[..quote].split_whitespace().collect();
            let ty = match l.as_bytes()[0] {
                b'd' => "dir",
                b'-' => "file",
                b'l' => "symlink",
                _ => "other",
            };
            (path, ty.to_string(), fields[4].parse().unwrap())
        })
        .filter(|(p, _, _)| p != "/")
        .collect();
    out.sort();
    out
}

mod ls {
    //! `ls --json -r` against xorriso's listing of each view; views and
    //! sessions that are not there.
    use super::*;

    fn json_listing(iso: &Path, view: &str) -> Vec<(String, String, u64)> {
        let o = run(&["ls", "--json", "-r", "--view", view, iso.to_str().unwrap()]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let mut out = Vec::new();
        for line in String::from_utf8(o.stdout).unwrap().lines() {
            let v: Value = serde_json::from_str(line).unwrap();
            let keys: Vec<&str> = v.as_object().unwrap().keys().map(|k| k.as_str()).collect();
            assert_eq!(keys.len(), 6, "{line}");
            assert_eq!(v["mtime"], FIXED_MTIME, "{line}");
            assert!(v["mode"].is_null(), "no Rock Ridge, no mode: {line}");
            assert!(v["target"].is_null(), "{line}");
            let size = v["size"].as_u64().unwrap();
            let ty = v["type"].as_str().unwrap().to_string();
            out.push((v["path"].as_str().unwrap().to_string(), ty, size));
        }
        out.sort();
        out
    }

    #[test]
    fn joliet_matches_xorriso() {
        let (_d, iso) = fixture();
        assert_eq!(json_listing(&iso, "joliet"), lsdl("small.joliet.lsdl"));
    }

    #[test]
    fn iso9660_matches_xorriso() {
        let (_d, iso) = fixture();
        assert_eq!(json_listing(&iso, "iso9660"), lsdl("small.iso9660.lsdl"));
    }

    #[test]
    fn default_view_and_subdirectory() {
        let (_d, iso) = fixture();
        let o = run(&["ls", iso.to_str().unwrap(), "/docs"]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let text = String::from_utf8(o.stdout).unwrap();
        let names: Vec<String> = text
            .lines()
            .map(|l| l.split_whitespace().skip(4).collect::<Vec<_>>().join(" "))
            .collect();
        assert_eq!(names, ["Long Name Document.txt", "deep", "numbers.txt"]);
        assert!(text.contains("2020-01-02 03:04"), "{text}");
        assert!(text.lines().any(|l| l.starts_with('d')), "{text}");
    }

    #[test]
    fn missing_view_is_a_usage_error_listing_views() {
        let (_d, iso) = fixture();
        let o = run(&["ls", "--view", "rockridge", iso.to_str().unwrap()]);
        assert_eq!(code(&o), 2);
        let e = stderr(&o);
        assert!(e.contains("joliet") && e.contains("iso9660"), "{e}");
        assert!(o.stdout.is_empty());
    }

    #[test]
    fn other_sessions_are_a_usage_error() {
        let (_d, iso) = fixture();
        let o = run(&["ls", "--session", "2", iso.to_str().unwrap()]);
        assert_eq!(code(&o), 2);
        assert!(stderr(&o).contains("session"));
        let o = run(&["ls", "--session", "1", iso.to_str().unwrap()]);
        assert_eq!(code(&o), 0);
    }

    #[test]
    fn missing_path_is_exit_2() {
        let (_d, iso) = fixture();
        let o = run(&["ls", iso.to_str().unwrap(), "/nope"]);
        assert_eq!(code(&o), 2);
    }
}

mod info {
    //! `info --json` against `isoinfo -d`.
    use super::*;

    fn isoinfo(key: &str) -> String {
        let text = std::fs::read_to_string(data("small.isoinfo-d.txt")).unwrap();
        text.lines()
            .find_map(|l| l.strip_prefix(key))
            .unwrap()
            .trim()
            .to_string()
    }

    #[test]
    fn primary_descriptor_as_isoinfo_reads_it() {
        let (_d, iso) = fixture();
        let o = run(&["info", "--json", iso.to_str().unwrap()]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let v: Value = serde_json::from_slice(&o.stdout).unwrap();
        let pvd = &v["iso9660"]["primary"];
        assert_eq!(pvd["volume_identifier"], isoinfo("Volume id:"));
        assert_eq!(pvd["publisher_identifier"], isoinfo("Publisher id:"));
        assert_eq!(pvd["application_identifier"], isoinfo("Application id:"));
        assert_eq!(
            pvd["volume_space_size"].to_string(),
            isoinfo("Volume size is:")
        );
        assert_eq!(
            pvd["logical_block_size"].to_string(),
            isoinfo("Logical block size is:")
        );
        // SOURCE_DATE_EPOCH=1577934245 in make.sh.
        assert_eq!(pvd["volume_creation"]["digits"], "2020010203040500");
        assert_eq!(pvd["volume_creation"]["unix"], FIXED_MTIME);
        assert_eq!(
            pvd["volume_creation"]["iso8601"],
            "2020-01-02T03:04:05.00+00:00"
        );
        // "Joliet with UCS level 3 found".
        assert_eq!(v["iso9660"]["joliet"]["joliet_level"], 3);
        assert_eq!(v["views"], serde_json::json!(["joliet", "iso9660"]));
        assert_eq!(v["default_view"], "joliet");
        assert!(v["boot"].is_null());
    }

    #[test]
    fn text_report_is_key_value() {
        let (_d, iso) = fixture();
        let o = run(&["info", iso.to_str().unwrap()]);
        assert_eq!(code(&o), 0);
        let text = String::from_utf8(o.stdout).unwrap();
        assert!(text.contains("volume identifier:"), "{text}");
        assert!(text.contains("SMALL_FIXTURE"), "{text}");
        assert!(text.contains("default view: joliet"), "{text}");
    }

    #[test]
    fn not_an_image_is_exit_2() {
        let dir = tempfile::tempdir().unwrap();
        let junk = dir.path().join("junk.iso");
        std::fs::write(&junk, vec![0x5au8; 64 * 1024]).unwrap();
        for cmd in ["info", "ls"] {
            let o = run(&[cmd, junk.to_str().unwrap()]);
            assert_eq!(code(&o), 2, "{cmd}");
            assert!(stderr(&o).contains("not a disc image"), "{}", stderr(&o));
        }
        let o = run(&["info", dir.path().join("missing.iso").to_str().unwrap()]);
        assert_eq!(code(&o), 2);
    }
}

mod cat {
    //! `cat` prints the bytes make.sh wrote.
    use super::*;

    #[test]
    fn prints_file_content() {
        let (_d, iso) = fixture();
        let o = run(&["cat", iso.to_str().unwrap(), "/hello.txt"]);
        assert_eq!(code(&o), 0);
        assert_eq!(o.stdout, b"hello, world\n");
        let o = run(&["cat", iso.to_str().unwrap(), "/docs/numbers.txt"]);
        assert_eq!(code(&o), 0);
        let expected: String = (0..7000).map(|i| format!("{i:09}\n")).collect();
        assert_eq!(o.stdout, expected.as_bytes());
        let o = run(&[
            "cat",
            "--view",
            "iso9660",
            iso.to_str().unwrap(),
            "/DOCS/DEEP/LEAF.DAT",
        ]);
        assert_eq!(o.stdout, b"deep\n");
        let o = run(&["cat", iso.to_str().unwrap(), "/zero.bin"]);
        assert_eq!((code(&o), o.stdout.len()), (0, 0));
    }

    #[test]
    fn directory_or_missing_is_exit_2() {
        let (_d, iso) = fixture();
        let o = run(&["cat", iso.to_str().unwrap(), "/docs"]);
        assert_eq!(code(&o), 2);
        assert!(stderr(&o).contains("directory"));
        let o = run(&["cat", iso.to_str().unwrap(), "/missing"]);
        assert_eq!(code(&o), 2);
    }
}

mod extract {
    //! `extract` writes the files, keeps their dates, and follows the
    //! overwrite policies.
    use super::*;

    #[test]
    fn writes_everything() {
        let (d, iso) = fixture();
        let out = d.path().join("out");
        let o = run(&[
            "extract",
            iso.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        assert_eq!(
            std::fs::read(out.join("hello.txt")).unwrap(),
            b"hello, world\n"
        );
        assert_eq!(
            std::fs::read(out.join("docs/deep/leaf.dat")).unwrap(),
            b"deep\n"
        );
        assert_eq!(
            std::fs::read(out.join("docs/Long Name Document.txt")).unwrap(),
            b"Joliet keeps long mixed-case names.\n"
        );
        assert_eq!(
            std::fs::metadata(out.join("docs/numbers.txt"))
                .unwrap()
                .len(),
            70000
        );
        assert!(out.join("empty").is_dir());
        assert_eq!(std::fs::metadata(out.join("zero.bin")).unwrap().len(), 0);
        let mtime = std::fs::metadata(out.join("hello.txt"))
            .unwrap()
            .modified()
            .unwrap()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        assert_eq!(mtime, FIXED_MTIME as u64);
        // No temporary files left behind.
        let leftovers: Vec<_> = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n.starts_with('.'))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }

    #[test]
    fn selected_paths_and_overwrite_policies() {
        let (d, iso) = fixture();
        let out = d.path().join("out");
        let img = iso.to_str().unwrap();
        let dest = out.to_str().unwrap();
        let o = run(&["extract", img, "/docs/deep", "-o", dest]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        assert!(out.join("docs/deep/leaf.dat").is_file());
        assert!(!out.join("hello.txt").exists());

        std::fs::write(out.join("docs/deep/leaf.dat"), b"mine").unwrap();
        // never (the default): kept, reported, not a failure.
        let o = run(&["extract", img, "/docs/deep", "-o", dest]);
        assert_eq!(code(&o), 0);
        assert!(stderr(&o).contains("exists"));
        assert_eq!(
            std::fs::read(out.join("docs/deep/leaf.dat")).unwrap(),
            b"mine"
        );
        // rename: a new name beside it.
        let o = run(&[
            "extract",
            img,
            "/docs/deep/leaf.dat",
            "-o",
            dest,
            "--overwrite",
            "rename",
        ]);
        assert_eq!(code(&o), 0);
        assert_eq!(
            std::fs::read(out.join("docs/deep/leaf (2).dat")).unwrap(),
            b"deep\n"
        );
        assert_eq!(
            std::fs::read(out.join("docs/deep/leaf.dat")).unwrap(),
            b"mine"
        );
        // always: replaced.
        let o = run(&[
            "extract",
            img,
            "/docs/deep/leaf.dat",
            "-o",
            dest,
            "--overwrite",
            "always",
        ]);
        assert_eq!(code(&o), 0);
        assert_eq!(
            std::fs::read(out.join("docs/deep/leaf.dat")).unwrap(),
            b"deep\n"
        );
    }

    #[test]
    fn missing_path_or_bad_option_is_exit_2() {
        let (d, iso) = fixture();
        let dest = d.path().join("out");
        let o = run(&[
            "extract",
            iso.to_str().unwrap(),
            "/nope",
            "-o",
            dest.to_str().unwrap(),
        ]);
        assert_eq!(code(&o), 2);
        let o = run(&[
            "extract",
            iso.to_str().unwrap(),
            "-o",
            dest.to_str().unwrap(),
            "--overwrite",
            "sometimes",
        ]);
        assert_eq!(code(&o), 2);
    }

    #[cfg(unix)]
    #[test]
    fn does_not_write_through_a_symlink_in_the_destination() {
        let (d, iso) = fixture();
        let out = d.path().join("out");
        let elsewhere = d.path().join("elsewhere");
        std::fs::create_dir_all(&out).unwrap();
        std::fs::create_dir_all(&elsewhere).unwrap();
        std::os::unix::fs::symlink(&elsewhere, out.join("docs")).unwrap();
        let o = run(&[
            "extract",
            iso.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
            "--keep-going",
        ]);
        assert_eq!(code(&o), 1, "{}", stderr(&o));
        assert!(std::fs::read_dir(&elsewhere).unwrap().next().is_none());
        // The rest was still done.
        assert!(out.join("hello.txt").is_file());
    }
}

mod damaged {
    //! A cut image (make.sh's file data at LBA 65 and above is gone; the
    //! directories at LBA 51–62 are intact): listing still works with exit
    //! 1; extraction stops at the first failure, or with --keep-going does
    //! the rest, and leaves no partial files.
    use super::*;

    fn cut(iso: &Path) -> PathBuf {
        let bytes = std::fs::read(iso).unwrap();
        let cut = iso.with_file_name("cut.iso");
        std::fs::write(&cut, &bytes[..65 * 2048]).unwrap();
        cut
    }

    fn files_below(dir: &Path) -> Vec<String> {
        let mut out = Vec::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else {
                    out.push(p.strip_prefix(dir).unwrap().to_string_lossy().into_owned());
                }
            }
        }
        out.sort();
        out
    }

    #[test]
    fn listing_a_cut_image_is_exit_1() {
        let (_d, iso) = fixture();
        let cut = cut(&iso);
        let o = run(&["ls", "-r", "--json", cut.to_str().unwrap()]);
        assert_eq!(code(&o), 1);
        assert_eq!(String::from_utf8_lossy(&o.stdout).lines().count(), 8);
        assert!(stderr(&o).contains("outside the image"), "{}", stderr(&o));
    }

    #[test]
    fn extraction_stops_or_keeps_going() {
        let (d, iso) = fixture();
        let cut = cut(&iso);
        let stop = d.path().join("stop");
        let o = run(&[
            "extract",
            cut.to_str().unwrap(),
            "-o",
            stop.to_str().unwrap(),
        ]);
        assert_eq!(code(&o), 1);
        // Files are written in image order on a few threads: those before
        // the first unreadable one ("/docs/Long Name Document.txt", LBA 65)
        // may be complete; nothing else, and nothing partial or temporary.
        let written = files_below(&stop);
        assert!(
            written
                .iter()
                .all(|f| f == "docs/deep/leaf.dat" || f == "zero.bin"),
            "{written:?}"
        );
        assert!(
            stderr(&o).contains("Long Name Document.txt"),
            "{}",
            stderr(&o)
        );

        let going = d.path().join("going");
        let o = run(&[
            "extract",
            cut.to_str().unwrap(),
            "-o",
            going.to_str().unwrap(),
            "--keep-going",
        ]);
        assert_eq!(code(&o), 1);
        assert_eq!(files_below(&going), ["docs/deep/leaf.dat", "zero.bin"]);
        assert_eq!(
            std::fs::read(going.join("docs/deep/leaf.dat")).unwrap(),
            b"deep\n"
        );
        let e = stderr(&o);
        assert!(
            e.contains("/hello.txt") && e.contains("/docs/numbers.txt"),
            "{e}"
        );
    }
}

mod verify {
    //! `verify`: digests against sha256sum's line and the RustCrypto
    //! crates; checksum files found beside the image; the disc's own
    //! md5sum.txt (an image written by iso-core's test writer).
    use super::*;
    use md5::Md5;
    use sha2::{Digest, Sha256};

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    #[test]
    fn matches_sha256sum() {
        let (d, iso) = fixture();
        let sums = data("small.iso.sha256");
        let o = run(&[
            "verify",
            iso.to_str().unwrap(),
            "--against",
            sums.to_str().unwrap(),
        ]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        assert!(String::from_utf8_lossy(&o.stdout).contains("small.iso: OK (SHA256"));
        // --algo sha256 prints sha256sum's own line.
        let o = run(&["verify", iso.to_str().unwrap(), "--algo", "sha256"]);
        let line = std::fs::read_to_string(&sums).unwrap();
        assert_eq!(String::from_utf8(o.stdout).unwrap(), line);
        // All four by default, in the `--tag` form.
        let bytes = std::fs::read(&iso).unwrap();
        let o = run(&["verify", iso.to_str().unwrap()]);
        let out = String::from_utf8(o.stdout).unwrap();
        assert!(
            out.contains(&format!("MD5 (small.iso) = {}", hex(&Md5::digest(&bytes)))),
            "{out}"
        );
        assert!(out.contains(&format!(
            "SHA256 (small.iso) = {}",
            line.split_whitespace().next().unwrap()
        )));
        assert!(out.contains("SHA1 (small.iso) = ") && out.contains("SHA512 (small.iso) = "));
        // A wrong digest in BSD form: exit 1.
        let bad = d.path().join("bad.sha256");
        std::fs::write(&bad, format!("SHA256 (small.iso) = {}\n", "0".repeat(64))).unwrap();
        let o = run(&[
            "verify",
            iso.to_str().unwrap(),
            "--against",
            bad.to_str().unwrap(),
        ]);
        assert_eq!(code(&o), 1);
        assert!(String::from_utf8_lossy(&o.stdout).contains("FAILED"));
        let o = run(&[
            "verify",
            iso.to_str().unwrap(),
            "--against",
            "/nonexistent/SUMS",
        ]);
        assert_eq!(code(&o), 2);
    }

    #[test]
    fn finds_checksum_files_beside_the_image() {
        let (d, iso) = fixture();
        let bytes = std::fs::read(&iso).unwrap();
        let good = hex(&Sha256::digest(&bytes));
        std::fs::write(
            d.path().join("SHA256SUMS"),
            format!("{good}  small.iso\n{}  other.iso\n", "1".repeat(64)),
        )
        .unwrap();
        std::fs::write(
            d.path().join("MD5SUMS"),
            format!("{}  other.iso\n", "2".repeat(32)),
        )
        .unwrap();
        let o = run(&["verify", iso.to_str().unwrap(), "--algo", "sha256"]);
        let out = String::from_utf8_lossy(&o.stdout);
        assert_eq!(code(&o), 0, "{out}");
        assert!(out.contains("small.iso: OK (SHA256"), "{out}");
        assert!(out.contains("MD5SUMS: does not list small.iso"), "{out}");
        std::fs::write(
            d.path().join("small.iso.md5"),
            format!("{}\n", "3".repeat(32)),
        )
        .unwrap();
        let o = run(&["verify", iso.to_str().unwrap(), "--algo", "sha256"]);
        assert_eq!(code(&o), 1);
        assert!(String::from_utf8_lossy(&o.stdout).contains("small.iso: FAILED (MD5"));
    }

    #[test]
    fn checks_the_discs_own_list() {
        use isowriter::{dir, file};
        let a = b"alpha\n".to_vec();
        let list = format!(
            "{}  ./a.txt\n{}  ./sub/b.txt\n{}  ./gone.txt\n",
            hex(&Md5::digest(&a)),
            hex(&Md5::digest(b"not b")),
            hex(&Md5::digest(b"x")),
        );
        let img = isowriter::build(
            &[
                file("a.txt", &a),
                file("md5sum.txt", list.as_bytes()),
                dir("sub"),
                file("sub/b.txt", b"b"),
            ],
            true,
        );
        let d = tempfile::tempdir().unwrap();
        let iso = d.path().join("disc.iso");
        std::fs::write(&iso, img).unwrap();
        let o = run(&["verify", iso.to_str().unwrap(), "--algo", "md5"]);
        let out = String::from_utf8_lossy(&o.stdout);
        assert_eq!(code(&o), 1, "{out}");
        assert!(out.contains("/md5sum.txt: ./sub/b.txt: FAILED"), "{out}");
        assert!(out.contains("/md5sum.txt: ./gone.txt: MISSING"), "{out}");
        assert!(out.contains("/md5sum.txt: 1 of 3 listed files OK"), "{out}");
    }
}

mod extract_engine {
    //! The engine behind `extract`: host-safe names, Ctrl-C.
    use super::*;

    /// An image whose last file, BIG.BIN, is `len` bytes of zeros held in
    /// a sparse image file (its directory record patched after writing).
    #[cfg(unix)]
    fn big_image(dir: &Path, len: u32) -> PathBuf {
        let mut img = isowriter::build(
            &[
                isowriter::file("SMALL.TXT", b"small\n"),
                isowriter::file("BIG.BIN", b"z"),
            ],
            false,
        );
        let id = b"BIG.BIN;1";
        let pos = img.windows(id.len()).position(|w| w == id).unwrap();
        let rec = pos - 33;
        img[rec + 10..rec + 14].copy_from_slice(&len.to_le_bytes());
        img[rec + 14..rec + 18].copy_from_slice(&len.to_be_bytes());
        let lba = u32::from_le_bytes(img[rec + 2..rec + 6].try_into().unwrap()) as u64;
        let path = dir.join("big.iso");
        std::fs::write(&path, &img).unwrap();
        let f = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
        f.set_len(lba * 2048 + u64::from(len)).unwrap();
        path
    }

    #[cfg(unix)]
    #[test]
    fn ctrl_c_leaves_no_partial_file() {
        let d = tempfile::tempdir().unwrap();
        let iso = big_image(d.path(), 1 << 30);
        let out = d.path().join("out");
        let mut child = Command::new(BIN)
            .args([
                "extract",
                iso.to_str().unwrap(),
                "-o",
                out.to_str().unwrap(),
            ])
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // Wait until the big file is being written, then interrupt.
        let started = std::time::Instant::now();
        let part = loop {
            let found = std::fs::read_dir(&out).ok().and_then(|rd| {
                rd.filter_map(|e| e.ok())
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .find(|n| n.ends_with(".part"))
            });
            if let Some(p) = found {
                break p;
            }
            assert!(
                started.elapsed().as_secs() < 20,
                "no temporary file appeared"
            );
            std::thread::sleep(std::time::Duration::from_millis(2));
        };
        assert!(part.starts_with(".BIG.BIN"), "{part}");
        let status = Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(130));
        let left: Vec<String> = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(left.iter().all(|n| n == "SMALL.TXT"), "{left:?}");
    }

    #[test]
    fn no_times_leaves_the_extraction_time() {
        let (d, iso) = fixture();
        let out = d.path().join("out");
        let o = run(&[
            "extract",
            iso.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
            "--no-times",
            "--no-perms",
            "--quiet",
        ]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        assert!(o.stderr.is_empty(), "--quiet printed {}", stderr(&o));
        let mtime = std::fs::metadata(out.join("hello.txt"))
            .unwrap()
            .modified()
            .unwrap()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        assert_ne!(mtime, FIXED_MTIME as u64);
        assert_eq!(
            std::fs::read(out.join("hello.txt")).unwrap(),
            b"hello, world\n"
        );
    }

    #[test]
    fn hostile_names_are_renamed_and_reported() {
        let img = isowriter::build(
            &[
                isowriter::file("CON", b"1"),
                isowriter::file("a:b", b"2"),
                isowriter::file("Aux.txt", b"3"),
            ],
            true,
        );
        let d = tempfile::tempdir().unwrap();
        let iso = d.path().join("h.iso");
        std::fs::write(&iso, img).unwrap();
        let out = d.path().join("out");
        let o = run(&[
            "extract",
            iso.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
            "--view",
            "joliet",
        ]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        assert_eq!(std::fs::read(out.join("_CON")).unwrap(), b"1");
        assert_eq!(std::fs::read(out.join("a_b")).unwrap(), b"2");
        assert_eq!(std::fs::read(out.join("_Aux.txt")).unwrap(), b"3");
        let e = stderr(&o);
        assert!(
            e.contains("renamed: /CON -> _CON") && e.contains("renamed: /a:b -> a_b"),
            "{e}"
        );
        assert!(e.contains("extracted 3 files"), "{e}");
    }
}

mod sessions {
    //! `ls --session N` and `info` on iso-core's multi-session fixture
    //! (three sessions appended by xorriso, crates/iso-core/tests/fixtures/
    //! sessions/make.sh), against `xorriso -toc` and xorriso's listing of
    //! each session (`-load sbsector START -find / -exec lsdl`).
    use super::*;

    fn session_data(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../iso-core/tests/fixtures/sessions")
            .join(name)
    }

    fn multi() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let gz = std::fs::File::open(session_data("xorriso.iso.gz")).unwrap();
        let mut bytes = Vec::new();
        flate2::read::GzDecoder::new(gz)
            .read_to_end(&mut bytes)
            .unwrap();
        let iso = dir.path().join("multi.iso");
        std::fs::write(&iso, bytes).unwrap();
        (dir, iso)
    }

    /// (path, type, size) below the root in xorriso's lsdl listing.
    fn xorriso_listing(n: u32) -> Vec<(String, String, u64)> {
        let text =
            std::fs::read_to_string(session_data(&format!("xorriso.session{n}.lsdl"))).unwrap();
        let mut out: Vec<_> = text
            .lines()
            .filter(|l| !l.is_empty())
            .map(|l| {
                let (head, path) = l.split_once(" '").unwrap();
                let f: Vec<&str> = head.split_whitespace().collect();
                let ty = if f[0].starts_with('d') { "dir" } else { "file" };
                let path = path.trim_end_matches('\'').to_string();
                (path, ty.to_string(), f[4].parse().unwrap())
            })
            .filter(|(p, _, _)| p != "/")
            .collect();
        out.sort();
        out
    }

    fn ls_json(iso: &Path, extra: &[&str]) -> Vec<(String, String, u64)> {
        let mut args = vec!["ls", "--json", "-r", iso.to_str().unwrap()];
        args.extend_from_slice(extra);
        let o = run(&args);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let mut out: Vec<_> = String::from_utf8(o.stdout)
            .unwrap()
            .lines()
            .map(|line| {
                let v: Value = serde_json::from_str(line).unwrap();
                (
                    v["path"].as_str().unwrap().to_string(),
                    v["type"].as_str().unwrap().to_string(),
                    v["size"].as_u64().unwrap(),
                )
            })
            .collect();
        out.sort();
        out
    }

    #[test]
    fn each_session_lists_like_xorriso() {
        let (_d, iso) = multi();
        for n in 1..=3u32 {
            let s = n.to_string();
            assert_eq!(
                ls_json(&iso, &["--session", &s]),
                xorriso_listing(n),
                "session {n}"
            );
        }
        // Without --session: the newest.
        assert_eq!(ls_json(&iso, &[]), xorriso_listing(3));
    }

    #[test]
    fn missing_session_is_a_usage_error_naming_the_sessions() {
        let (_d, iso) = multi();
        for n in ["0", "4"] {
            let o = run(&["ls", "--session", n, iso.to_str().unwrap()]);
            assert_eq!(code(&o), 2);
            assert!(stderr(&o).contains("sessions 1..3"), "{}", stderr(&o));
            assert!(o.stdout.is_empty());
        }
    }

    #[test]
    fn info_lists_the_sessions_xorriso_lists() {
        let (_d, iso) = multi();
        let toc = std::fs::read_to_string(session_data("xorriso.toc")).unwrap();
        // "ISO session  :   1 ,        32 ,        31s , SESSION_ONE"
        let want: Vec<Value> = toc
            .lines()
            .filter_map(|l| l.strip_prefix("ISO session  :"))
            .map(|rest| {
                let f: Vec<&str> = rest.split(',').map(str::trim).collect();
                serde_json::json!({
                    "number": f[0].parse::<u32>().unwrap(),
                    "start_lba": f[1].parse::<u32>().unwrap(),
                    "volume_space_size": f[2].trim_end_matches('s').parse::<u32>().unwrap(),
                    "volume_identifier": f[3],
                })
            })
            .collect();
        assert_eq!(want.len(), 3);
        let o = run(&["info", "--json", iso.to_str().unwrap()]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let v: Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(v["sessions"], Value::Array(want));
        assert_eq!(v["session"], 3);
        assert_eq!(
            v["iso9660"]["primary"]["volume_identifier"],
            "SESSION_THREE"
        );
        // --session picks whose descriptors are described (at start + 16).
        let o = run(&["info", "--json", "--session", "1", iso.to_str().unwrap()]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let v: Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(v["session"], 1);
        assert_eq!(v["iso9660"]["primary"]["lba"], 48);
        assert_eq!(v["iso9660"]["primary"]["volume_identifier"], "SESSION_ONE");
        // Text form: one line for the sessions.
        let o = run(&["info", iso.to_str().unwrap()]);
        let text = String::from_utf8(o.stdout).unwrap();
        assert!(
            text.contains("1 at LBA 32 (31 blocks, SESSION_ONE), 2 at LBA 64"),
            "{text}"
        );
    }
}

/// `extract ISO -o OUT EXTRA…`.
#[cfg(unix)]
fn extract_all(iso: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "extract",
        iso.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    run(&args)
}

mod udf {
    //! `ls --view udf`, `cat`, `extract` and `info` on iso-core's UDF
    //! fixtures (crates/iso-core/tests/fixtures/udf/make.sh), against 7-Zip's
    //! extraction of them (`expected/*.7z-udf.tsv`: path, type, size,
    //! sha256) and udfinfo's report.
    use super::*;
    use sha2::{Digest, Sha256};

    fn udf_data(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../iso-core/tests/fixtures/udf")
            .join(name)
    }

    fn image(name: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let gz = std::fs::File::open(udf_data(&format!("{name}.udf.gz"))).unwrap();
        let mut bytes = Vec::new();
        flate2::read::GzDecoder::new(gz)
            .read_to_end(&mut bytes)
            .unwrap();
        let path = dir.path().join(format!("{name}.iso"));
        std::fs::write(&path, bytes).unwrap();
        (dir, path)
    }

    /// (path, type letter, size or "-", sha256 or "-") from 7-Zip.
    fn seven_zip(name: &str) -> Vec<Vec<String>> {
        std::fs::read_to_string(udf_data(&format!("expected/{name}.7z-udf.tsv")))
            .unwrap()
            .lines()
            .map(|l| l.split('\t').map(str::to_string).collect())
            .collect()
    }

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    #[test]
    fn ls_view_udf_matches_7zip() {
        for name in ["udfkit-bdmv", "pycdlib-udf260"] {
            let (_d, img) = image(name);
            let o = run(&["ls", "--json", "-r", "--view", "udf", img.to_str().unwrap()]);
            assert_eq!(code(&o), 0, "{}", stderr(&o));
            let mut ours: Vec<(String, String, String)> = String::from_utf8(o.stdout)
                .unwrap()
                .lines()
                .map(|line| {
                    let v: Value = serde_json::from_str(line).unwrap();
                    let ty = if v["type"] == "dir" { "d" } else { "f" };
                    let size = if ty == "d" {
                        "-".to_string()
                    } else {
                        v["size"].to_string()
                    };
                    (
                        v["path"].as_str().unwrap().to_string(),
                        ty.to_string(),
                        size,
                    )
                })
                .collect();
            ours.sort();
            let want: Vec<(String, String, String)> = seven_zip(name)
                .into_iter()
                .map(|f| (f[0].clone(), f[1].clone(), f[2].clone()))
                .collect();
            assert_eq!(ours, want, "{name}");
        }
    }

    #[test]
    fn cat_and_extract_match_7zip() {
        let name = "pycdlib-udf260";
        let (d, img) = image(name);
        let want = seven_zip(name);
        for f in want.iter().filter(|f| f[1] == "f") {
            let o = run(&["cat", "--view", "udf", img.to_str().unwrap(), &f[0]]);
            assert_eq!(code(&o), 0, "{}: {}", f[0], stderr(&o));
            assert_eq!(hex(&Sha256::digest(&o.stdout)), f[3], "{}", f[0]);
        }
        let out = d.path().join("out");
        let o = run(&[
            "extract",
            "--view",
            "udf",
            "--quiet",
            img.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        for f in &want {
            let p = out.join(f[0].trim_start_matches('/'));
            if f[1] == "d" {
                assert!(p.is_dir(), "{}", p.display());
            } else {
                let bytes = std::fs::read(&p).unwrap();
                assert_eq!(hex(&Sha256::digest(&bytes)), f[3], "{}", p.display());
            }
        }
    }

    /// A UDF-only image (mkudffs) opens: `info --json` carries the UDF
    /// section as udfinfo reports it, and the default view is UDF.
    #[test]
    fn info_udf_section() {
        let (_d, img) = image("mkudffs-dvdrw");
        let o = run(&["info", "--json", img.to_str().unwrap()]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let v: Value = serde_json::from_slice(&o.stdout).unwrap();
        let expected =
            std::fs::read_to_string(udf_data("expected/mkudffs-dvdrw.udfinfo.txt")).unwrap();
        let kv = |k: &str| {
            expected
                .lines()
                .find_map(|l| l.strip_prefix(&format!("{k}=")))
                .unwrap()
                .to_string()
        };
        let u = &v["udf"];
        assert_eq!(v["default_view"], "udf");
        assert_eq!(u["block_size"].to_string(), kv("blocksize"));
        assert_eq!(u["logical_volume_identifier"], kv("lvid").as_str());
        assert_eq!(u["integrity"]["state"], kv("integrity").as_str());
        assert_eq!(
            u["integrity"]["number_of_directories"].to_string(),
            kv("numdirs")
        );
        assert_eq!(u["partition_maps"][0]["type"], "sparable");
        let o = run(&["ls", "--view", "rockridge", img.to_str().unwrap()]);
        assert_eq!(
            code(&o),
            2,
            "a view the image does not have is a usage error"
        );
        assert!(stderr(&o).contains("udf"), "{}", stderr(&o));
    }
}

/// Unpacks one of iso-core's fixtures (made by genisoimage or xorriso,
/// crates/iso-core/tests/fixtures/make.sh) into `dir`.
fn core_fixture(dir: &Path, name: &str) -> PathBuf {
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../iso-core/tests/fixtures")
        .join(format!("{name}.iso.gz"));
    let name = name.rsplit('/').next().unwrap_or(name);
    let mut bytes = Vec::new();
    flate2::read::GzDecoder::new(std::fs::File::open(src).unwrap())
        .read_to_end(&mut bytes)
        .unwrap();
    let iso = dir.join(format!("{name}.iso"));
    std::fs::write(&iso, bytes).unwrap();
    iso
}

/// (path, type, size, mode) of each entry of an iso-core expected listing
/// (`<image>.<view>.tsv`, written from what xorriso extracted).
fn core_listing(file: &str) -> Vec<(String, String, String, String)> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../iso-core/tests/fixtures/expected")
        .join(file);
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (f[0].into(), f[1].into(), f[2].into(), f[4].into())
        })
        .collect()
}

#[path = "cli/test_cmd.rs"]
mod test_cmd;

#[path = "cli/too_large.rs"]
mod too_large;

#[cfg(unix)]
#[path = "cli/writable.rs"]
mod writable;

#[path = "cli/names.rs"]
mod names;

/// Disc containers (issue 11): info tracks, verify --sectors, convert.
#[path = "cli/containers.rs"]
mod containers;
