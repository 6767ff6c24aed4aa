//! Names that are not UTF-8, on genisoimage's `-iso-level 4` image with
//! a Shift-JIS name (iso-core's tests/fixtures/names/make.sh): shown as
//! `\x83` in text, as Python's `\udc83` in JSON, and written as the
//! same bytes. Expected names are the bytes `isoinfo -l` printed.
use super::*;

/// The root's names in `isoinfo -l`, as bytes.
fn root_names() -> Vec<Vec<u8>> {
    let text = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../iso-core/tests/fixtures/names/expected")
            .join("genisoimage-level4-names.isoinfo.txt"),
    )
    .unwrap();
    let mut out = Vec::new();
    let mut in_root = false;
    for line in text.split(|&b| b == b'\n') {
        if line.starts_with(b"Directory listing of ") {
            in_root = line == b"Directory listing of /";
            continue;
        }
        let Some(at) = line.windows(3).position(|w| w == b"]  ") else {
            continue;
        };
        let name = line[at + 3..].strip_suffix(b" ").unwrap_or(&line[at + 3..]);
        if in_root && name != b"." && name != b".." {
            out.push(name.to_vec());
        }
    }
    out.sort();
    out
}

/// Python's `surrogateescape` decoding, then each escape as `\udcXX`
/// (or `\xXX`): what `--json` (or the text listing) must print.
fn escaped(b: &[u8], json: bool) -> String {
    let mut out = String::new();
    let mut rest = b;
    while !rest.is_empty() {
        match std::str::from_utf8(rest) {
            Ok(s) => {
                out.push_str(s);
                break;
            }
            Err(e) => {
                let (ok, bad) = rest.split_at(e.valid_up_to());
                out.push_str(std::str::from_utf8(ok).unwrap());
                let n = e.error_len().unwrap_or(bad.len());
                for &x in &bad[..n] {
                    out.push_str(&if json {
                        format!("\\udc{x:02x}")
                    } else {
                        format!("\\x{x:02x}")
                    });
                }
                rest = &bad[n..];
            }
        }
    }
    out
}

#[test]
fn listed_escaped_and_extracted_as_the_same_bytes() {
    let d = tempfile::tempdir().unwrap();
    let iso = core_fixture(d.path(), "names/genisoimage-level4-names");
    let want = root_names();
    assert!(want.iter().any(|n| std::str::from_utf8(n).is_err()));
    let o = run(&["ls", "--json", iso.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let mut got: Vec<String> = String::from_utf8(o.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let start = l.find("\"path\":\"/").unwrap() + 9;
            let end = l[start..].find('"').unwrap();
            l[start..start + end].to_string()
        })
        .collect();
    got.sort();
    let mut json: Vec<String> = want.iter().map(|n| escaped(n, true)).collect();
    json.sort();
    assert_eq!(got, json);
    let o = run(&["ls", iso.to_str().unwrap()]);
    let text = String::from_utf8(o.stdout).unwrap();
    for n in &want {
        let e = escaped(n, false);
        assert!(
            text.lines().any(|l| l.ends_with(&format!(" {e}"))),
            "{e}: {text}"
        );
    }
    // The escaped form names the file, as a person copies it.
    let sjis = want
        .iter()
        .find(|n| std::str::from_utf8(n).is_err())
        .unwrap();
    let o = run(&[
        "cat",
        iso.to_str().unwrap(),
        &format!("/{}", escaped(sjis, false)),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(o.stdout, b"s\n", "make.sh's content");
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let out = d.path().join("out");
        let o = extract_all(&iso, &out, &[]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let mut names: Vec<Vec<u8>> = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().file_name().as_bytes().to_vec())
            .collect();
        names.sort();
        assert_eq!(names, want);
    }
}
