//! `extract --writable` on genisoimage's `-r` image, whose files are
//! 0444 and directories 0555 in xorriso's listing.
use super::*;

#[test]
fn modes_are_kept_unless_writable_is_asked() {
    use std::os::unix::fs::PermissionsExt;
    let d = tempfile::tempdir().unwrap();
    let iso = core_fixture(d.path(), "genisoimage-rational-rr");
    let listing = core_listing("genisoimage-rational-rr.rockridge.tsv");
    let (path, _, _, mode) = listing
        .iter()
        .find(|(_, t, _, m)| t == "f" && m == "444")
        .unwrap();
    let want = u32::from_str_radix(mode, 8).unwrap();
    for (flag, expect) in [(None, want), (Some("--writable"), want | 0o200)] {
        let out = d.path().join(format!("out{}", flag.is_some()));
        let extra: Vec<&str> = flag.into_iter().collect();
        let o = extract_all(&iso, &out, &extra);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let m = std::fs::metadata(out.join(path.trim_start_matches('/')))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(m & 0o7777, expect, "{path} with {flag:?}");
        // Let the temporary directory be removed.
        for e in std::fs::read_dir(&out).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
            }
        }
    }
}
