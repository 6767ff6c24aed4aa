//! Unit tests of the shared drag-out helpers (URI encoding, XDS names, staging folders).

use super::*;
use std::time::{Duration, SystemTime};

#[test]
fn file_uri_percent_encodes_per_rfc3986() {
    // Unreserved characters (ALPHA DIGIT - . _ ~) and '/' stay; everything else is %XX of the
    // UTF-8 bytes, upper-case hex (RFC 3986 §2.1, §2.3; RFC 8089 for the file scheme).
    assert_eq!(
        file_uri(Path::new("/tmp/a-b_c.d~e")),
        "file:///tmp/a-b_c.d~e"
    );
    assert_eq!(
        file_uri(Path::new("/tmp/my file #1%?.txt")),
        "file:///tmp/my%20file%20%231%25%3F.txt"
    );
    // U+00FC 'ü' is C3 BC in UTF-8; U+65E5 '日' is E6 97 A5.
    assert_eq!(file_uri(Path::new("/ü/日")), "file:///%C3%BC/%E6%97%A5");
}

#[cfg(unix)]
#[test]
fn file_uri_keeps_non_utf8_bytes() {
    use std::os::unix::ffi::OsStrExt;
    let p = Path::new(std::ffi::OsStr::from_bytes(b"/x/\xff\x01"));
    assert_eq!(file_uri(p), "file:///x/%FF%01");
    let (host, back) = parse_file_uri(&file_uri(p)).expect("parses");
    assert_eq!(host, "");
    assert_eq!(back, p);
}

#[test]
fn uri_list_uses_crlf_lines() {
    let list = uri_list(&[PathBuf::from("/a/b c"), PathBuf::from("/d")]);
    assert_eq!(list, "file:///a/b%20c\r\nfile:///d\r\n");
    assert_eq!(uri_list(&[]), "");
}

#[test]
fn parse_file_uri_forms() {
    let p = |s: &str| parse_file_uri(s);
    assert_eq!(
        p("file:///tmp/x%20y"),
        Some((String::new(), PathBuf::from("/tmp/x y")))
    );
    assert_eq!(
        p("file://host.example/tmp/x"),
        Some(("host.example".into(), PathBuf::from("/tmp/x")))
    );
    assert_eq!(
        p("file://localhost/a"),
        Some(("localhost".into(), PathBuf::from("/a")))
    );
    assert_eq!(
        p("file:/short"),
        Some((String::new(), PathBuf::from("/short")))
    );
    assert_eq!(
        p("FILE:///upper\r\n\0"),
        Some((String::new(), PathBuf::from("/upper")))
    );
    assert_eq!(p("http://x/y"), None);
    assert_eq!(p("file:relative"), None);
    assert_eq!(p("file://hostonly"), None);
    assert_eq!(p("file:///bad%2"), None);
    assert_eq!(p("file:///bad%zz"), None);
    assert_eq!(p("file:///nul%00"), None);
    assert_eq!(p("file:///q?x=1"), None);
    assert_eq!(p(""), None);
}

#[test]
fn local_hosts() {
    assert!(is_local_host("", "box"));
    assert!(is_local_host("localhost", "box"));
    assert!(is_local_host("BOX", "box"));
    assert!(!is_local_host("other", "box"));
}

#[test]
fn xds_names() {
    assert_eq!(xds_file_name(&["a.txt".into()]), "a.txt");
    assert_eq!(xds_file_name(&["first".into(), "second".into()]), "first");
    assert_eq!(xds_file_name(&["a/b\\c".into()]), "a_b_c");
    assert_eq!(xds_file_name(&[]), "isoscope-drop");
    assert_eq!(xds_file_name(&["..".into()]), "isoscope-drop");
}

fn scratch(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("isoscope-test-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

#[test]
fn staging_dirs_are_fresh_and_private() {
    let base = scratch("staging");
    let a = create_staging_dir_in(&base).expect("a");
    let b = create_staging_dir_in(&base).expect("b");
    assert_ne!(a, b);
    for d in [&a, &b] {
        assert!(d.is_dir());
        let name = d.file_name().and_then(|n| n.to_str()).expect("utf-8 name");
        assert!(name.starts_with("isoscope-drag-"), "{name}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(d).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o700);
        }
    }
    let _ = std::fs::remove_dir_all(&base);
}

#[test]
fn cleanup_removes_only_old_staging_dirs() {
    let base = scratch("cleanup");
    let old = create_staging_dir_in(&base).expect("old");
    std::fs::write(old.join("f"), b"x").expect("file in old");
    let fresh = create_staging_dir_in(&base).expect("fresh");
    let other = base.join("not-ours");
    std::fs::create_dir(&other).expect("other");
    let plain = base.join("isoscope-drag-plainfile");
    std::fs::write(&plain, b"x").expect("plain");
    let two_days_ago = SystemTime::now() - Duration::from_secs(2 * 24 * 3600);
    for d in [&old, &other] {
        let f = std::fs::File::open(d).expect("open dir");
        f.set_modified(two_days_ago).expect("set mtime");
    }
    let removed = cleanup_staging_dirs_in(&base, STAGING_MAX_AGE, SystemTime::now());
    assert_eq!(removed, 1);
    assert!(!old.exists());
    assert!(fresh.is_dir());
    assert!(other.is_dir(), "folders with other names are never touched");
    assert!(plain.is_file());
    let _ = std::fs::remove_dir_all(&base);
}
