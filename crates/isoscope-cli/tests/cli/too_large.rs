//! The file-size check before writing (FAT's 4 GiB, here a limit of
//! 1000 bytes assumed with the hidden `--assume-max-file-len`): the
//! 70,000-byte numbers.txt of small.iso (xorriso's listing) does not
//! fit.
use super::*;

#[test]
fn stops_before_writing_or_extracts_the_rest() {
    let (d, iso) = fixture();
    let big: Vec<String> = lsdl("small.joliet.lsdl")
        .into_iter()
        .filter(|(_, t, s)| t == "file" && *s > 1000)
        .map(|(p, _, _)| p)
        .collect();
    assert_eq!(big, ["/docs/numbers.txt"]);
    let out = d.path().join("out");
    let dest = out.to_str().unwrap();
    let limit = ["--assume-max-file-len", "1000", "--view", "joliet"];
    let mut args = vec!["extract", iso.to_str().unwrap(), "-o", dest];
    args.extend(limit);
    let o = run(&args);
    assert_eq!(code(&o), 1);
    let e = stderr(&o);
    assert!(
        e.contains("/docs/numbers.txt (70000 bytes) is too large"),
        "{e}"
    );
    assert!(e.contains("--skip-too-large"), "{e}");
    assert!(!out.exists(), "nothing may be written");
    args.push("--skip-too-large");
    let o = run(&args);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(out.join("hello.txt").is_file());
    assert!(out.join("docs/Long Name Document.txt").is_file());
    assert!(!out.join("docs/numbers.txt").exists());
    assert!(
        stderr(&o).contains("skipped: /docs/numbers.txt"),
        "{}",
        stderr(&o)
    );
}
