//! `ls`: list a directory of one view, like `ls -l`, or as JSON lines.
//!
//! Built for speed on images with 100,000s of entries: one locked,
//! buffered stdout; paths built incrementally on one stack-shaped buffer
//! (never `Tree::path` per node); numbers and JSON strings written by hand
//! without per-entry allocation.
//!
//! Virtual nodes (the boot images under `/[BOOT]` that iso-core adds for
//! El Torito) are listed like files: in text and in JSON with type "file".

use std::io::{self, BufWriter, Write};
use std::time::Instant;

use iso_core::{NodeId, NodeKind, Tree};

use crate::args::LsArgs;
use crate::{term, Failure, Outcome, DAMAGED, OK};

/// Runs `ls`.
pub fn run(args: &LsArgs) -> Outcome {
    let image = crate::open_session(&args.image, args.session)?;
    let view = crate::pick_view(&image, args.view)?;
    let started = Instant::now();
    let tree = crate::load_tree(&image, view)?;
    if args.stats {
        print_stats(&tree, started);
    }
    let start = tree
        .lookup(&args.path)
        .map_err(|e| Failure::from_core("ls", &e))?;
    let style = if args.json {
        Style::Json
    } else if args.recursive {
        Style::LongPath
    } else {
        Style::LongName
    };
    let stdout = io::stdout();
    let mut out = Lister {
        tree: &tree,
        out: BufWriter::with_capacity(1 << 16, stdout.lock()),
        style,
        path: String::with_capacity(256),
        path_plain: false,
        path_json_plain: false,
        mtime_cache: (i64::MIN, String::new()),
        date_cache: (i64::MIN, [b' '; 16]),
    };
    out.list(start, args.recursive).map_err(Failure::stdout)?;
    out.out.flush().map_err(Failure::stdout)?;
    if crate::cancelled() {
        return Err(Failure::interrupted());
    }
    Ok(if crate::damaged(&image, &tree) {
        DAMAGED
    } else {
        OK
    })
}

fn print_stats(tree: &Tree, started: Instant) {
    let len = tree.len().max(1);
    let heap = tree.heap_len();
    eprintln!(
        "entries: {}  tree heap: {} bytes  ({:.1} bytes/entry)  read in {:.3} s",
        tree.len(),
        heap,
        heap as f64 / len as f64,
        started.elapsed().as_secs_f64()
    );
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    /// `ls -l` with the entry's name.
    LongName,
    /// `ls -l` with the entry's path (recursive listing).
    LongPath,
    /// One JSON object per line.
    Json,
}

struct Lister<'t, W: Write> {
    tree: &'t Tree,
    out: W,
    style: Style,
    /// The path of the directory being listed, then "/name" of the entry.
    path: String,
    /// `path` is printable ASCII only: it needs no terminal escaping.
    path_plain: bool,
    /// `path` has nothing JSON escapes.
    path_json_plain: bool,
    /// The last JSON mtime written, reused when the next is the same.
    mtime_cache: (i64, String),
    /// The last formatted date, reused when the next entry has the same.
    date_cache: (i64, [u8; 16]),
}

impl<W: Write> Lister<'_, W> {
    /// Lists `start`: a directory's entries (all below it with
    /// `recursive`), or a file itself.
    fn list(&mut self, start: NodeId, recursive: bool) -> io::Result<()> {
        let tree = self.tree;
        if !tree.is_dir(start) {
            self.path = tree.path(start);
            return self.entry(start, tree.name(start));
        }
        self.path = if start == tree.root() {
            String::new()
        } else {
            tree.path(start)
        };
        // Depth-first with an explicit stack of child iterators, each with
        // the length of its directory's path; the tree's depth is bounded
        // by iso-core, the stack by it.
        // Escaping works character by character, so a path whose parts
        // are all printable ASCII needs none; that is tracked per level.
        let plain = (printable_ascii(&self.path), json_plain(&self.path));
        let mut stack = vec![(tree.children(start), self.path.len(), plain)];
        let mut polled = 0u32;
        while let Some((children, base, dir_plain)) = stack.last_mut() {
            let base = *base;
            let (dir_plain, dir_json_plain) = *dir_plain;
            let Some(child) = children.next() else {
                stack.pop();
                continue;
            };
            polled = polled.wrapping_add(1);
            if polled % 4096 == 0 && crate::cancelled() {
                return Ok(());
            }
            let name = tree.name(child);
            self.path.truncate(base);
            self.path.push('/');
            self.path.push_str(name);
            // Only the check the style needs (both short-circuit).
            let json = self.style == Style::Json;
            self.path_plain = !json && dir_plain && printable_ascii(name);
            self.path_json_plain = json && dir_json_plain && json_plain(name);
            self.entry(child, name)?;
            if recursive && tree.is_dir(child) {
                let plain = (self.path_plain, self.path_json_plain);
                stack.push((tree.children(child), self.path.len(), plain));
            }
        }
        Ok(())
    }

    fn entry(&mut self, id: NodeId, name: &str) -> io::Result<()> {
        match self.style {
            Style::Json => self.json(id),
            Style::LongName => self.long(id, name, false),
            Style::LongPath => {
                let path = std::mem::take(&mut self.path);
                let r = self.long(id, &path, self.path_plain);
                self.path = path;
                r
            }
        }
    }

    fn json(&mut self, id: NodeId) -> io::Result<()> {
        let t = self.tree;
        let o = &mut self.out;
        o.write_all(b"{\"path\":")?;
        if self.path_json_plain {
            o.write_all(b"\"")?;
            o.write_all(self.path.as_bytes())?;
            o.write_all(b"\"")?;
        } else {
            json_str(o, &self.path)?;
        }
        o.write_all(b",\"type\":\"")?;
        o.write_all(json_type(t.kind(id)).as_bytes())?;
        o.write_all(b"\",\"size\":")?;
        write_u64(o, t.size(id))?;
        o.write_all(b",\"mtime\":")?;
        match t.mtime(id) {
            Some(ts) => {
                let cache = &mut self.mtime_cache;
                if cache.0 != ts.seconds || cache.1.is_empty() {
                    let mut v = Vec::with_capacity(20);
                    write_i64(&mut v, ts.seconds)?;
                    cache.1 = String::from_utf8(v).unwrap_or_default();
                    cache.0 = ts.seconds;
                }
                o.write_all(cache.1.as_bytes())?
            }
            None => o.write_all(b"null")?,
        }
        o.write_all(b",\"mode\":")?;
        match t.unix(id) {
            Some(u) => write_u64(o, u64::from(u.mode))?,
            None => o.write_all(b"null")?,
        }
        o.write_all(b",\"target\":")?;
        match t.link_target(id) {
            Some(target) => json_str(o, target)?,
            None => o.write_all(b"null")?,
        }
        o.write_all(b"}\n")
    }

    /// One `ls -l` line; `plain` says `name` needs no escaping.
    fn long(&mut self, id: NodeId, name: &str, plain: bool) -> io::Result<()> {
        let t = self.tree;
        let kind = t.kind(id);
        let mut mode = [b'-'; 10];
        mode_string(kind, t.unix(id).map(|u| u.mode), &mut mode);
        self.out.write_all(&mode)?;
        self.out.write_all(b" ")?;
        write_padded(&mut self.out, t.size(id), 12)?;
        self.out.write_all(b" ")?;
        let date = match t.mtime(id) {
            Some(ts) => self.date(ts.seconds),
            None => *b"                ",
        };
        self.out.write_all(&date)?;
        self.out.write_all(b" ")?;
        if plain {
            self.out.write_all(name.as_bytes())?;
        } else {
            self.out.write_all(term::escape(name).as_bytes())?;
        }
        if let Some(target) = t.link_target(id) {
            self.out.write_all(b" -> ")?;
            self.out.write_all(term::escape(target).as_bytes())?;
        }
        self.out.write_all(b"\n")
    }

    /// "2020-01-02 03:04" (UTC).
    fn date(&mut self, seconds: i64) -> [u8; 16] {
        if self.date_cache.0 == seconds {
            return self.date_cache.1;
        }
        let u = term::utc(seconds);
        let s = format!(
            "{:04}-{:02}-{:02} {:02}:{:02}",
            u.year, u.month, u.day, u.hour, u.minute
        );
        let mut b = [b' '; 16];
        for (d, s) in b.iter_mut().zip(s.bytes()) {
            *d = s;
        }
        self.date_cache = (seconds, b);
        b
    }
}

/// Nothing [`json_str`] would escape (0xF4 starts the escape code points
/// of names that are not UTF-8, and a few other characters).
fn json_plain(s: &str) -> bool {
    !s.bytes()
        .any(|b| b < 0x20 || b == b'"' || b == b'\\' || b == 0xF4)
}

/// Printable ASCII only: what [`term::escape`] leaves as it is.
fn printable_ascii(s: &str) -> bool {
    s.bytes().all(|b| (0x20..0x7f).contains(&b))
}

/// The contract's four types.
fn json_type(kind: NodeKind) -> &'static str {
    match kind {
        NodeKind::File => "file",
        NodeKind::Dir => "dir",
        NodeKind::Symlink => "symlink",
        _ => "other",
    }
}

/// `drwxr-xr-x` from st_mode, or read-only permissions when the view has
/// no Unix metadata.
fn mode_string(kind: NodeKind, mode: Option<u32>, out: &mut [u8; 10]) {
    let type_char = match kind {
        NodeKind::File => b'-',
        NodeKind::Dir => b'd',
        NodeKind::Symlink => b'l',
        NodeKind::CharDevice => b'c',
        NodeKind::BlockDevice => b'b',
        NodeKind::Fifo => b'p',
        NodeKind::Socket => b's',
    };
    let perm = mode.unwrap_or(match kind {
        NodeKind::Dir => 0o555,
        NodeKind::Symlink => 0o777,
        _ => 0o444,
    });
    let mut chars = [
        type_char, b'r', b'w', b'x', b'r', b'w', b'x', b'r', b'w', b'x',
    ];
    for (i, c) in chars.iter_mut().enumerate().skip(1) {
        let bit = 1u32 << (9 - i);
        if perm & bit == 0 {
            *c = b'-';
        }
    }
    // setuid, setgid, sticky.
    let special = [
        (0o4000, 3, b's', b'S'),
        (0o2000, 6, b's', b'S'),
        (0o1000, 9, b't', b'T'),
    ];
    for (bit, at, with_x, without_x) in special {
        if perm & bit != 0 {
            if let Some(c) = chars.get_mut(at) {
                *c = if *c == b'x' { with_x } else { without_x };
            }
        }
    }
    *out = chars;
}

/// Writes `s` as a JSON string: `"` and `\` escaped, control characters
/// as `\n`, `\t`, … or `\u00XX`; a name's bytes that are not UTF-8 as
/// `\udcXX` and lone UTF-16 surrogates as `\udXXX` (Python's
/// `surrogateescape` convention; iso_core::tree::names); everything else
/// (valid UTF-8) as is.
pub fn json_str<W: Write>(o: &mut W, s: &str) -> io::Result<()> {
    o.write_all(b"\"")?;
    let bytes = s.as_bytes();
    // Fast path: nothing to escape (most names), one write.
    if json_plain(s) {
        o.write_all(bytes)?;
        return o.write_all(b"\"");
    }
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if b == 0xF4 {
            let c = s.get(i..).and_then(|t| t.chars().next());
            if let Some(esc) = c.and_then(iso_core::tree::names::json_escape_char) {
                o.write_all(bytes.get(start..i).unwrap_or_default())?;
                o.write_all(esc.as_bytes())?;
                start = i + 4;
            }
            continue;
        }
        if i < start {
            continue;
        }
        let esc: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x08 => b"\\b",
            0x0c => b"\\f",
            0..=0x1f => b"",
            _ => continue,
        };
        o.write_all(bytes.get(start..i).unwrap_or_default())?;
        if esc.is_empty() {
            write!(o, "\\u{:04x}", b)?;
        } else {
            o.write_all(esc)?;
        }
        start = i + 1;
    }
    o.write_all(bytes.get(start..).unwrap_or_default())?;
    o.write_all(b"\"")
}

/// Decimal digits of `n` into the end of `buf`; returns where they start.
fn digits(mut n: u64, buf: &mut [u8; 20]) -> usize {
    let mut at = buf.len();
    loop {
        at -= 1;
        if let Some(d) = buf.get_mut(at) {
            *d = b'0' + (n % 10) as u8;
        }
        n /= 10;
        if n == 0 {
            return at;
        }
    }
}

fn write_u64<W: Write>(o: &mut W, n: u64) -> io::Result<()> {
    let mut buf = [0u8; 20];
    let at = digits(n, &mut buf);
    o.write_all(buf.get(at..).unwrap_or_default())
}

fn write_i64<W: Write>(o: &mut W, n: i64) -> io::Result<()> {
    if n < 0 {
        o.write_all(b"-")?;
    }
    write_u64(o, n.unsigned_abs())
}

/// `n` right-aligned in `width` columns.
fn write_padded<W: Write>(o: &mut W, n: u64, width: usize) -> io::Result<()> {
    let mut buf = [0u8; 20];
    let at = digits(n, &mut buf);
    let len = buf.len() - at;
    const SPACES: &[u8; 32] = b"                                ";
    o.write_all(SPACES.get(..width.saturating_sub(len)).unwrap_or(SPACES))?;
    o.write_all(buf.get(at..).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn js(s: &str) -> String {
        let mut v = Vec::new();
        json_str(&mut v, s).unwrap();
        String::from_utf8(v).unwrap()
    }

    #[test]
    fn json_strings_round_trip() {
        let samples = [
            "",
            "plain",
            "quote\" back\\slash",
            "ctl\u{0}\u{1}\u{1f}\n\r\t\u{8}\u{c}\u{7f}",
            "Grüße 日本 \u{2028} \u{202e} 🎉",
        ];
        for s in samples {
            let j = js(s);
            let back: String = serde_json::from_str(&j).unwrap();
            assert_eq!(back, s, "{j}");
        }
        assert_eq!(js("a\u{1b}"), "\"a\\u001b\"");
        // Bytes that are not UTF-8 (Shift-JIS) as Python writes them.
        let mut sjis = String::new();
        iso_core::tree::names::push_bytes(b"\x83e\"\x83X", &mut sjis);
        assert_eq!(js(&sjis), r#""\udc83e\"\udc83X""#);
        // Other supplementary characters stay as they are.
        assert_eq!(js("\u{10EFFD}x\n"), "\"\u{10EFFD}x\\n\"");
    }

    #[test]
    fn numbers_and_modes() {
        let mut v = Vec::new();
        write_u64(&mut v, 0).unwrap();
        v.push(b' ');
        write_u64(&mut v, u64::MAX).unwrap();
        v.push(b' ');
        write_i64(&mut v, i64::MIN).unwrap();
        v.push(b' ');
        write_padded(&mut v, 42, 5).unwrap();
        assert_eq!(
            String::from_utf8(v).unwrap(),
            "0 18446744073709551615 -9223372036854775808    42"
        );
        let mut m = [0u8; 10];
        mode_string(NodeKind::Dir, Some(0o40755), &mut m);
        assert_eq!(&m, b"drwxr-xr-x");
        mode_string(NodeKind::File, Some(0o104755), &mut m);
        assert_eq!(&m, b"-rwsr-xr-x");
        mode_string(NodeKind::Dir, Some(0o1777), &mut m);
        assert_eq!(&m, b"drwxrwxrwt");
        mode_string(NodeKind::File, None, &mut m);
        assert_eq!(&m, b"-r--r--r--");
    }
}

#[cfg(test)]
mod escape_tests {
    use super::*;
    use iso_core::tree::{NewNode, TreeBuilder};
    use iso_core::View;

    fn node(name: &str, kind: NodeKind) -> NewNode {
        NewNode {
            name: name.into(),
            kind: Some(kind),
            ..Default::default()
        }
    }

    /// A directory whose name needs escaping (in both styles) holding a
    /// plain name, and a plain directory holding names that need it.
    fn tree() -> Tree {
        let mut b = TreeBuilder::new(View::RockRidge, NewNode::default());
        b.add_children(
            NodeId(0),
            vec![
                node("bad\"\u{1b}dir", NodeKind::Dir),
                node("good", NodeKind::Dir),
            ],
        )
        .unwrap();
        b.add_children(NodeId(1), vec![node("plain", NodeKind::File)])
            .unwrap();
        b.add_children(
            NodeId(2),
            vec![
                node("q\"uote\\", NodeKind::File),
                node("e\u{1b}[31m\u{202e}", NodeKind::File),
                node("ok", NodeKind::File),
            ],
        )
        .unwrap();
        b.finish()
    }

    fn list(tree: &Tree, style: Style) -> String {
        let mut out = Lister {
            tree,
            out: Vec::new(),
            style,
            path: String::new(),
            path_plain: false,
            path_json_plain: false,
            mtime_cache: (i64::MIN, String::new()),
            date_cache: (i64::MIN, [b' '; 16]),
        };
        out.list(tree.root(), true).unwrap();
        String::from_utf8(out.out).unwrap()
    }

    /// The fast paths (no escaping for paths whose parts need none) give
    /// what escaping every whole path gives.
    #[test]
    fn recursive_paths_escaped_like_whole_paths() {
        let t = tree();
        let paths: Vec<String> = t.walk(t.root()).skip(1).map(|n| t.path(n)).collect();
        assert_eq!(paths.len(), 6);
        let text = list(&t, Style::LongPath);
        // mode (10), size (12), date (16), three spaces: the path at 41.
        let shown: Vec<&str> = text.lines().map(|l| l.get(41..).unwrap()).collect();
        let want: Vec<String> = paths.iter().map(|p| term::escape(p).into_owned()).collect();
        assert_eq!(shown, want);
        assert!(!text.contains('\u{1b}') && !text.contains('\u{202e}'));
        let json = list(&t, Style::Json);
        for (line, p) in json.lines().zip(&paths) {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            assert_eq!(v["path"], p.as_str());
        }
        assert_eq!(json.lines().count(), 6);
    }
}
