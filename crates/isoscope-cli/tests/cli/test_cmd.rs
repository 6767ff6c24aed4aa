//! `test`: every file read end to end. File counts and byte totals
//! come from the tools' listings (xorriso `lsdl` of small.iso, the
//! xorriso extraction listing of the zisofs fixture); the cut image is
//! the `damaged` module's.
use super::*;

fn summary(o: &Output) -> String {
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    text.lines().last().unwrap_or("").to_string()
}

/// `test ARGS` passes, having read `n` files of `bytes` bytes in all.
fn passes(args: &[&str], n: usize, bytes: u64) {
    let o = run(args);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(
        summary(&o),
        format!("tested {n} files, {bytes} bytes: {n} ok, 0 failed, 0 warnings: OK")
    );
}

#[test]
fn an_intact_image_passes() {
    let (_d, iso) = fixture();
    let files: Vec<_> = lsdl("small.iso9660.lsdl")
        .into_iter()
        .filter(|(_, t, _)| t == "file")
        .collect();
    let bytes: u64 = files.iter().map(|(_, _, s)| s).sum();
    passes(&["test", iso.to_str().unwrap()], files.len(), bytes);
}

#[test]
fn zisofs_files_are_decompressed_whole() {
    let d = tempfile::tempdir().unwrap();
    let iso = core_fixture(d.path(), "xorriso-zisofs-32k");
    let files: Vec<_> = core_listing("xorriso-zisofs-32k.rockridge.tsv")
        .into_iter()
        .filter(|(_, t, _, _)| t == "f")
        .collect();
    let bytes: u64 = files
        .iter()
        .map(|(_, _, s, _)| s.parse::<u64>().unwrap())
        .sum();
    let args = ["test", iso.to_str().unwrap(), "--view", "rockridge"];
    passes(&args, files.len(), bytes);
}

#[test]
fn a_cut_image_lists_each_unreadable_file_and_where() {
    let (_d, iso) = fixture();
    let bytes = std::fs::read(&iso).unwrap();
    let cut = iso.with_file_name("cut.iso");
    std::fs::write(&cut, &bytes[..65 * 2048]).unwrap();
    let o = run(&["test", cut.to_str().unwrap(), "--view", "joliet"]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    // Everything at LBA 65 and above is gone: three files.
    for f in [
        "/hello.txt",
        "/docs/numbers.txt",
        "/docs/Long Name Document.txt",
    ] {
        let line = out
            .lines()
            .find(|l| l.starts_with(&format!("{f}: ")))
            .unwrap_or_else(|| panic!("{f} not reported: {out}"));
        assert!(
            line.contains("unreadable") && line.contains("LBA"),
            "{line}"
        );
    }
    assert!(summary(&o).contains(": 2 ok, 3 failed"), "{out}");
    assert!(summary(&o).ends_with("DAMAGED"), "{out}");
}
