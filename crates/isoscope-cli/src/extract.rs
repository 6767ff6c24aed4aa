//! `extract` (interim): a simple, safe extraction. The full engine (iso-core
//! `extract`: host-name sanitising for every OS, parallel writes, progress
//! counters) replaces this later behind the same entry point, [`run`].
//!
//! Safety rules kept here:
//! - every name component is checked: "", ".", "..", and names with `/`,
//!   `\` or NUL are reported and skipped with everything below them;
//! - nothing is written through a symbolic link (an existing one in the
//!   destination, or one we made): each parent directory is checked with
//!   `symlink_metadata`;
//! - symbolic links are created only when their target, resolved from the
//!   link's own directory, stays inside the destination; others are
//!   reported and skipped;
//! - files are written to a temporary name in their directory and renamed
//!   into place, so an interrupted or failed file never leaves a partial
//!   file under the real name; completed files stay.
//!
//! Paths keep their place below the view's root: `/docs/a.txt` is written
//! to `DIR/docs/a.txt`.

use std::fs::{self, File, OpenOptions};
use std::io::{self, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use iso_core::{Image, NodeId, NodeKind, Timestamp, Tree};

use crate::args::{ExtractArgs, Overwrite};
use crate::{term, Failure, Outcome, DAMAGED, OK};

/// Runs `extract`.
pub fn run(args: &ExtractArgs) -> Outcome {
    crate::graceful_cancel();
    let image = crate::open_image(&args.image)?;
    let view = crate::pick_view(&image, args.view)?;
    let tree = crate::load_tree(&image, view)?;
    let mut roots = Vec::new();
    for p in &args.paths {
        roots.push(
            tree.lookup(p)
                .map_err(|e| Failure::from_core("extract", &e))?,
        );
    }
    if roots.is_empty() {
        roots.push(tree.root());
    }
    fs::create_dir_all(&args.output)
        .map_err(|e| Failure::usage(format!("cannot create {}: {e}", args.output.display())))?;
    let mut ex = Extractor {
        image: &image,
        tree: &tree,
        args,
        dest: args.output.clone(),
        counts: Counts::default(),
        dirs: Vec::new(),
        tmp_serial: 0,
        progress: (io::stderr().is_terminal() && !args.quiet).then(Instant::now),
    };
    let mut stopped = false;
    for root in roots {
        if let Err(stop) = ex.subtree(root) {
            stopped = true;
            if stop == Stop::Interrupted {
                return Err(Failure::interrupted());
            }
            break;
        }
    }
    ex.finish_dirs();
    ex.summary();
    let c = &ex.counts;
    Ok(
        if stopped || c.failed > 0 || crate::damaged(&image, &tree) {
            DAMAGED
        } else {
            OK
        },
    )
}

#[derive(Debug, Default)]
struct Counts {
    files: u64,
    dirs: u64,
    links: u64,
    bytes: u64,
    skipped: u64,
    failed: u64,
}

/// Why extraction stops early.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    /// An entry failed and --keep-going was not given.
    Failed,
    /// Ctrl-C.
    Interrupted,
}

struct Extractor<'a> {
    image: &'a Image,
    tree: &'a Tree,
    args: &'a ExtractArgs,
    dest: PathBuf,
    counts: Counts,
    /// Directories made, to get their times and permissions at the end
    /// (setting them earlier would be undone by writing inside, or would
    /// lock us out).
    dirs: Vec<(PathBuf, NodeId)>,
    tmp_serial: u64,
    /// When progress was last drawn; None when not drawing.
    progress: Option<Instant>,
}

/// What happened to one entry.
enum Entry {
    Done,
    /// Not extracted, by policy or because it is unsafe; not an I/O failure.
    Skipped,
    /// Failed (counts toward --keep-going).
    Failed,
}

impl Extractor<'_> {
    /// Extracts `root` and everything below it, parents first.
    fn subtree(&mut self, root: NodeId) -> Result<(), Stop> {
        let tree = self.tree;
        let mut stack = vec![root];
        while let Some(id) = stack.pop() {
            if crate::cancelled() {
                return Err(Stop::Interrupted);
            }
            let descend = match self.entry(id) {
                Entry::Done => true,
                Entry::Skipped => false,
                Entry::Failed => {
                    self.counts.failed += 1;
                    if !self.args.keep_going {
                        return Err(Stop::Failed);
                    }
                    false
                }
            };
            if descend && tree.is_dir(id) {
                stack.extend(tree.children(id).rev());
            }
            self.draw_progress();
        }
        Ok(())
    }

    fn report(&self, id: NodeId, what: &str) {
        let _ = writeln!(
            io::stderr().lock(),
            "isoscope-cli: {}: {what}",
            term::escape(&self.tree.path(id))
        );
    }

    fn entry(&mut self, id: NodeId) -> Entry {
        let tree = self.tree;
        if id == tree.root() {
            return Entry::Done;
        }
        let comps = tree.components(id);
        if let Some(bad) = comps.iter().find(|c| !safe_component(c)) {
            self.report(
                id,
                &format!("skipped: unsafe name {:?}", term::escape(bad).as_ref()),
            );
            self.counts.failed += 1;
            return Entry::Skipped;
        }
        let Some((_, parents)) = comps.split_last() else {
            return Entry::Done;
        };
        if let Err(e) = self.make_parents(parents) {
            self.report(id, &e);
            return Entry::Failed;
        }
        let target = comps.iter().fold(self.dest.clone(), |p, c| p.join(c));
        let result = match tree.kind(id) {
            NodeKind::Dir => self.dir(id, &target),
            NodeKind::File => self.file(id, &target),
            NodeKind::Symlink => self.symlink(id, parents, &target),
            other => {
                self.report(
                    id,
                    &format!("skipped: a {} is not extracted", other.as_str()),
                );
                self.counts.skipped += 1;
                return Entry::Skipped;
            }
        };
        match result {
            Ok(e) => e,
            Err(e) => {
                self.report(id, &e);
                Entry::Failed
            }
        }
    }

    /// Makes sure each parent is a real directory (not a link), creating
    /// missing ones.
    fn make_parents(&self, parents: &[&str]) -> Result<(), String> {
        let mut p = self.dest.clone();
        for c in parents {
            p.push(c);
            match fs::symlink_metadata(&p) {
                Ok(m) if m.file_type().is_symlink() => {
                    return Err(format!("not written: {} is a symbolic link", p.display()))
                }
                Ok(m) if m.is_dir() => {}
                Ok(_) => return Err(format!("not written: {} is not a directory", p.display())),
                Err(e) if e.kind() == io::ErrorKind::NotFound => {
                    fs::create_dir(&p).map_err(|e| format!("cannot create {}: {e}", p.display()))?
                }
                Err(e) => return Err(format!("cannot check {}: {e}", p.display())),
            }
        }
        Ok(())
    }

    fn dir(&mut self, id: NodeId, target: &Path) -> Result<Entry, String> {
        match fs::symlink_metadata(target) {
            Ok(m) if m.is_dir() && !m.file_type().is_symlink() => {}
            Ok(_) => {
                return Err(format!(
                    "not extracted: {} exists and is not a directory",
                    target.display()
                ))
            }
            Err(_) => fs::create_dir(target)
                .map_err(|e| format!("cannot create {}: {e}", target.display()))?,
        }
        self.counts.dirs += 1;
        self.dirs.push((target.to_path_buf(), id));
        Ok(Entry::Done)
    }

    /// Where to write, by the overwrite policy; None to skip.
    fn destination(&mut self, id: NodeId, target: &Path) -> Result<Option<PathBuf>, String> {
        let Ok(m) = fs::symlink_metadata(target) else {
            return Ok(Some(target.to_path_buf()));
        };
        match self.args.overwrite {
            Overwrite::Never => {
                self.report(id, "skipped: exists (see --overwrite)");
                self.counts.skipped += 1;
                Ok(None)
            }
            Overwrite::Always if m.is_dir() => Err(format!(
                "not extracted: {} is a directory",
                target.display()
            )),
            Overwrite::Always => Ok(Some(target.to_path_buf())),
            Overwrite::Rename => free_name(target).map(Some),
        }
    }

    fn file(&mut self, id: NodeId, target: &Path) -> Result<Entry, String> {
        let Some(dest) = self.destination(id, target)? else {
            return Ok(Entry::Skipped);
        };
        let dir = dest.parent().unwrap_or(&self.dest).to_path_buf();
        self.tmp_serial += 1;
        let tmp = dir.join(format!(
            ".isoscope-{}-{}.part",
            std::process::id(),
            self.tmp_serial
        ));
        let written = self.write_tmp(id, &tmp);
        let result = written.and_then(|()| {
            fs::rename(&tmp, &dest)
                .map_err(|e| format!("cannot rename into {}: {e}", dest.display()))
        });
        if result.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        result?;
        self.counts.files += 1;
        Ok(Entry::Done)
    }

    fn write_tmp(&mut self, id: NodeId, tmp: &Path) -> Result<(), String> {
        let mut reader = self
            .image
            .open_file(self.tree, id)
            .map_err(|e| format!("cannot read: {e}"))?;
        let mut out = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(tmp)
            .map_err(|e| format!("cannot create {}: {e}", tmp.display()))?;
        let mut buf = vec![0u8; 1 << 20];
        loop {
            if crate::cancelled() {
                return Err("interrupted".into());
            }
            let n = match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(format!("cannot read: {e}")),
            };
            out.write_all(buf.get(..n).unwrap_or_default())
                .map_err(|e| format!("cannot write {}: {e}", tmp.display()))?;
            self.counts.bytes += n as u64;
            self.draw_progress();
        }
        self.set_meta(&out, id);
        Ok(())
    }

    /// Times and permissions, best effort (a failure is not worth an error:
    /// the content is what matters).
    fn set_meta(&self, file: &File, id: NodeId) {
        if !self.args.no_times {
            if let Some(t) = self.tree.mtime(id).and_then(system_time) {
                let _ = file.set_modified(t);
            }
        }
        #[cfg(unix)]
        if !self.args.no_perms {
            use std::os::unix::fs::PermissionsExt;
            if let Some(u) = self.tree.unix(id) {
                // No setuid/setgid/sticky from an untrusted image; keep the
                // owner able to read and write what it extracted.
                let mode = (u.mode & 0o777) | 0o600;
                let _ = file.set_permissions(fs::Permissions::from_mode(mode));
            }
        }
    }

    fn symlink(&mut self, id: NodeId, parents: &[&str], target: &Path) -> Result<Entry, String> {
        let link_to = self.tree.link_target(id).unwrap_or("");
        if !link_stays_inside(parents, link_to) {
            self.report(
                id,
                &format!(
                    "skipped: symbolic link to {} points outside the destination",
                    term::escape(link_to)
                ),
            );
            self.counts.failed += 1;
            return Ok(Entry::Skipped);
        }
        let Some(dest) = self.destination(id, target)? else {
            return Ok(Entry::Skipped);
        };
        #[cfg(unix)]
        {
            if dest == target && fs::symlink_metadata(&dest).is_ok() {
                // --overwrite always: replace the file or link (not a dir).
                fs::remove_file(&dest)
                    .map_err(|e| format!("cannot replace {}: {e}", dest.display()))?;
            }
            std::os::unix::fs::symlink(link_to, &dest)
                .map_err(|e| format!("cannot create link {}: {e}", dest.display()))?;
            self.counts.links += 1;
            Ok(Entry::Done)
        }
        #[cfg(not(unix))]
        {
            let _ = dest;
            self.report(id, "skipped: symbolic links are only created on Unix");
            self.counts.skipped += 1;
            Ok(Entry::Skipped)
        }
    }

    /// Directory times and permissions, deepest first.
    fn finish_dirs(&mut self) {
        for (path, id) in self.dirs.iter().rev() {
            if !self.args.no_perms {
                #[cfg(unix)]
                if let Some(u) = self.tree.unix(*id) {
                    use std::os::unix::fs::PermissionsExt;
                    let mode = (u.mode & 0o777) | 0o700;
                    let _ = fs::set_permissions(path, fs::Permissions::from_mode(mode));
                }
            }
            if !self.args.no_times {
                if let Some(t) = self.tree.mtime(*id).and_then(system_time) {
                    if let Ok(f) = File::open(path) {
                        let _ = f.set_modified(t);
                    }
                }
            }
        }
    }

    fn draw_progress(&mut self) {
        let Some(last) = self.progress else {
            return;
        };
        if last.elapsed() < Duration::from_millis(100) {
            return;
        }
        self.progress = Some(Instant::now());
        let c = &self.counts;
        eprint!(
            "\rextracting: {} files, {} dirs, {:.1} MiB",
            c.files,
            c.dirs,
            c.bytes as f64 / 1048576.0
        );
    }

    fn summary(&self) {
        if self.progress.is_none() {
            return;
        }
        let c = &self.counts;
        eprintln!(
            "\rextracted {} files, {} directories, {} links ({:.1} MiB); {} skipped, {} failed",
            c.files,
            c.dirs,
            c.links,
            c.bytes as f64 / 1048576.0,
            c.skipped,
            c.failed
        );
    }
}

/// Whether a name from the image may become one host path component.
pub fn safe_component(c: &str) -> bool {
    !(c.is_empty() || c == "." || c == ".." || c.contains(['/', '\\', '\0']))
}

/// Whether link text `to`, resolved from the directory `parents` (below
/// the destination), stays inside the destination. Absolute targets never
/// do.
pub fn link_stays_inside(parents: &[&str], to: &str) -> bool {
    if to.is_empty() || to.starts_with('/') || to.contains('\\') || to.contains('\0') {
        return false;
    }
    let mut depth = parents.len();
    for c in to.split('/') {
        match c {
            "" | "." => {}
            ".." => match depth.checked_sub(1) {
                Some(d) => depth = d,
                None => return false,
            },
            _ => depth += 1,
        }
    }
    true
}

/// "name (1).ext", "name (2).ext", … the first that does not exist.
fn free_name(target: &Path) -> Result<PathBuf, String> {
    let stem = target
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let ext = target
        .extension()
        .map(|e| format!(".{}", e.to_string_lossy()))
        .unwrap_or_default();
    for n in 1..10_000 {
        let candidate = target.with_file_name(format!("{stem} ({n}){ext}"));
        if fs::symlink_metadata(&candidate).is_err() {
            return Ok(candidate);
        }
    }
    Err(format!("no free name next to {}", target.display()))
}

fn system_time(t: Timestamp) -> Option<SystemTime> {
    let nanos = Duration::from_nanos(u64::from(t.nanos.min(999_999_999)));
    if t.seconds >= 0 {
        SystemTime::UNIX_EPOCH
            .checked_add(Duration::from_secs(t.seconds.unsigned_abs()))?
            .checked_add(nanos)
    } else {
        SystemTime::UNIX_EPOCH
            .checked_sub(Duration::from_secs(t.seconds.unsigned_abs()))?
            .checked_add(nanos)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn components() {
        for bad in ["", ".", "..", "a/b", "a\\b", "nul\0"] {
            assert!(!safe_component(bad), "{bad:?}");
        }
        for good in ["a", "...", "a..b", ".hidden", "日本"] {
            assert!(safe_component(good), "{good:?}");
        }
    }

    #[test]
    fn links() {
        assert!(link_stays_inside(&[], "a/b"));
        assert!(link_stays_inside(&["d"], "../x"));
        assert!(link_stays_inside(&["d", "e"], "../../x"));
        assert!(link_stays_inside(&["d"], "./x/../y"));
        assert!(!link_stays_inside(&["d"], "../../x"));
        assert!(!link_stays_inside(&[], ".."));
        assert!(!link_stays_inside(&[], "/etc/passwd"));
        assert!(!link_stays_inside(&[], ""));
        assert!(!link_stays_inside(&["d"], "x/../../../y"));
    }
}
