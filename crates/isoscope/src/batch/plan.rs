//! The platform-neutral decisions of batch extraction: where each image
//! goes, what the new folder is called, the queue of images and the numbers
//! the window shows (rate, ETA). No window and no image reading here, so
//! all of it is unit-tested.

use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Most "name (N)" candidates tried before giving up on a free name.
const MAX_SUFFIX: u32 = 9999;

/// Name of the folder an image is extracted into when it needs one: the
/// image's file name without its last extension ("debian-12.iso" →
/// "debian-12"; ".iso" stays ".iso"), or "extracted" for a path without a
/// file name.
pub fn folder_name(image: &Path) -> String {
    image
        .file_stem()
        .map(|s| s.to_string_lossy().trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "extracted".to_string())
}

/// The folder an image's contents land in, before the smart rule: next to
/// the image for Extract Here (its parent folder; `.` for a bare file
/// name), or the chosen folder for Extract To.
pub fn base_dir(image: &Path, chosen: Option<&Path>) -> PathBuf {
    if let Some(c) = chosen {
        return c.to_path_buf();
    }
    match image.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Where one image's entries are written (7-Zip's "smart" extraction).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Straight into this existing folder: the image holds one top-level
    /// entry, which lands there under its own name (or "name (2)" when that
    /// exists — see [`OVERWRITE_POLICY`]).
    Into(PathBuf),
    /// Into a new folder named after the image, made in `base` under a
    /// name no existing entry has ([`create_fresh_dir`]).
    NewFolder {
        /// Where the folder is made.
        base: PathBuf,
        /// Its preferred name ([`folder_name`]).
        name: String,
    },
}

/// How clashes with existing files are resolved in batch mode: never
/// overwrite, write "name (2).ext" instead (the engine's rename policy).
pub const OVERWRITE_POLICY: &str = "rename";

/// The smart rule: one top-level entry goes straight into `base`; several
/// (or none, which then makes an empty folder that shows the image was
/// empty) go into a folder named after the image.
pub fn target(base: &Path, image: &Path, top_level_entries: usize) -> Target {
    if top_level_entries == 1 {
        Target::Into(base.to_path_buf())
    } else {
        Target::NewFolder {
            base: base.to_path_buf(),
            name: folder_name(image),
        }
    }
}

/// `name`, else "name (2)", "name (3)" … : the first candidate for which
/// `taken` says no. None when every candidate up to "name (9999)" is taken.
pub fn free_name(name: &str, mut taken: impl FnMut(&str) -> bool) -> Option<String> {
    if !taken(name) {
        return Some(name.to_string());
    }
    (2..=MAX_SUFFIX)
        .map(|n| format!("{name} ({n})"))
        .find(|candidate| !taken(candidate))
}

/// Creates a new, empty folder `base/name` (or "name (2)" … when that
/// exists) and returns it. `create_dir` itself decides (it fails on any
/// existing entry), so two batches racing for a name never share a folder.
///
/// # Errors
/// When `base` is not writable, or no free name is left.
pub fn create_fresh_dir(base: &Path, name: &str) -> io::Result<PathBuf> {
    let mut last = None;
    let mut try_one = |candidate: &str| -> bool {
        let dir = base.join(candidate);
        match std::fs::create_dir(&dir) {
            Ok(()) => {
                last = Some(Ok(dir));
                false
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => true,
            Err(e) => {
                last = Some(Err(e));
                false
            }
        }
    };
    let _ = free_name(name, &mut try_one);
    last.unwrap_or_else(|| {
        Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!("no free folder name for {name} in {}", base.display()),
        ))
    })
}

/// Bytes per second over `elapsed`; None before anything measurable.
pub fn rate(bytes: u64, elapsed: Duration) -> Option<f64> {
    let secs = elapsed.as_secs_f64();
    (secs >= 0.2 && bytes > 0).then(|| bytes as f64 / secs)
}

/// Time left at `rate` bytes per second; None without a rate.
pub fn eta(done: u64, total: u64, rate: Option<f64>) -> Option<Duration> {
    let r = rate.filter(|r| *r > 0.0)?;
    let left = total.saturating_sub(done) as f64 / r;
    left.is_finite()
        .then(|| Duration::from_secs_f64(left.min(1e7)))
}

/// Where one queued image stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemState {
    /// Waiting for its turn.
    Pending,
    /// Being read and extracted.
    Running,
    /// Finished; the summary says how it went.
    Done(Box<crate::extract_job::JobSummary>),
    /// Could not be extracted at all (unreadable, not an image…).
    Failed(String),
    /// Not started: the batch was cancelled first.
    NotStarted,
}

/// One image in the queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// The image.
    pub image: PathBuf,
    /// Its state.
    pub state: ItemState,
}

impl Item {
    /// Whether it went entirely well.
    pub fn succeeded(&self) -> bool {
        match &self.state {
            ItemState::Done(s) => s.error.is_none() && s.failed.is_empty() && !s.cancelled,
            _ => false,
        }
    }
}

/// The images of one batch, in the order given (duplicates kept once).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Queue {
    /// The images.
    pub items: Vec<Item>,
}

impl Queue {
    /// A queue of `images`; a path given twice is queued once.
    pub fn new(images: impl IntoIterator<Item = PathBuf>) -> Queue {
        let mut q = Queue::default();
        q.add(images);
        q
    }

    /// Appends `images` not queued yet.
    pub fn add(&mut self, images: impl IntoIterator<Item = PathBuf>) {
        for image in images {
            if !self.items.iter().any(|i| i.image == image) {
                self.items.push(Item {
                    image,
                    state: ItemState::Pending,
                });
            }
        }
    }

    /// The first image still waiting.
    pub fn next_pending(&self) -> Option<usize> {
        self.items
            .iter()
            .position(|i| i.state == ItemState::Pending)
    }

    /// Marks every waiting image as not started (after Cancel).
    pub fn cancel_pending(&mut self) {
        for i in &mut self.items {
            if i.state == ItemState::Pending {
                i.state = ItemState::NotStarted;
            }
        }
    }

    /// Whether nothing is waiting or running.
    pub fn finished(&self) -> bool {
        !self
            .items
            .iter()
            .any(|i| matches!(i.state, ItemState::Pending | ItemState::Running))
    }

    /// The process exit code once finished: 0 every image extracted
    /// completely, 130 the batch was cancelled, else 1.
    pub fn exit_code(&self) -> i32 {
        let cancelled = self.items.iter().any(|i| match &i.state {
            ItemState::NotStarted => true,
            ItemState::Done(s) => s.cancelled,
            _ => false,
        });
        if cancelled {
            130
        } else if self.items.iter().all(Item::succeeded) {
            0
        } else {
            1
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract_job::JobSummary;

    #[test]
    fn folder_is_named_after_the_image() {
        assert_eq!(
            folder_name(Path::new("/d/debian-12.5.0.iso")),
            "debian-12.5.0"
        );
        assert_eq!(folder_name(Path::new("disc.cue")), "disc");
        assert_eq!(folder_name(Path::new("noext")), "noext");
        assert_eq!(folder_name(Path::new("/d/.iso")), ".iso");
        assert_eq!(folder_name(Path::new("/")), "extracted");
    }

    #[test]
    fn extract_here_goes_next_to_the_image_and_extract_to_where_chosen() {
        assert_eq!(base_dir(Path::new("/a/b/x.iso"), None), Path::new("/a/b"));
        assert_eq!(base_dir(Path::new("x.iso"), None), Path::new("."));
        assert_eq!(
            base_dir(Path::new("/a/b/x.iso"), Some(Path::new("/out"))),
            Path::new("/out")
        );
    }

    #[test]
    fn one_top_level_entry_goes_straight_in_several_get_a_folder() {
        let base = Path::new("/out");
        let image = Path::new("/img/win11.iso");
        assert_eq!(target(base, image, 1), Target::Into(base.into()));
        for n in [0, 2, 17] {
            assert_eq!(
                target(base, image, n),
                Target::NewFolder {
                    base: base.into(),
                    name: "win11".into()
                }
            );
        }
    }

    #[test]
    fn free_name_counts_up_past_taken_names() {
        assert_eq!(free_name("x", |_| false).as_deref(), Some("x"));
        let taken = ["x", "x (2)", "x (3)"];
        assert_eq!(
            free_name("x", |n| taken.contains(&n)).as_deref(),
            Some("x (4)")
        );
        assert_eq!(free_name("x", |_| true), None);
    }

    #[test]
    fn fresh_dir_never_reuses_an_existing_entry() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sample")).unwrap();
        std::fs::write(dir.path().join("sample (2)"), b"a file").unwrap();
        let made = create_fresh_dir(dir.path(), "sample").unwrap();
        assert_eq!(made, dir.path().join("sample (3)"));
        assert!(made.is_dir());
        assert_eq!(
            std::fs::read(dir.path().join("sample (2)")).unwrap(),
            b"a file"
        );
        let again = create_fresh_dir(dir.path(), "sample").unwrap();
        assert_eq!(again, dir.path().join("sample (4)"));
    }

    #[test]
    fn fresh_dir_reports_an_unwritable_base() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing");
        let err = create_fresh_dir(&missing, "x").unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::NotFound);
    }

    #[test]
    fn rate_and_eta() {
        assert_eq!(rate(0, Duration::from_secs(5)), None);
        assert_eq!(rate(100, Duration::from_millis(10)), None);
        let r = rate(1000, Duration::from_secs(2));
        assert_eq!(r, Some(500.0));
        assert_eq!(eta(1000, 2000, r), Some(Duration::from_secs(2)));
        assert_eq!(eta(2000, 2000, r), Some(Duration::ZERO));
        assert_eq!(eta(0, 10, None), None);
    }

    #[test]
    fn queue_keeps_order_drops_duplicates_and_sums_up() {
        let mut q = Queue::new(["a.iso", "b.iso", "a.iso"].map(PathBuf::from));
        assert_eq!(q.items.len(), 2);
        q.add([PathBuf::from("c.iso"), PathBuf::from("b.iso")]);
        assert_eq!(q.items.len(), 3);
        assert_eq!(q.next_pending(), Some(0));
        q.items[0].state = ItemState::Done(Box::default());
        assert_eq!(q.next_pending(), Some(1));
        assert!(!q.finished());
        q.items[1].state = ItemState::Failed("not a disc image".into());
        q.items[2].state = ItemState::Done(Box::default());
        assert!(q.finished());
        assert_eq!(q.exit_code(), 1);
        q.items[1].state = ItemState::Done(Box::default());
        assert_eq!(q.exit_code(), 0);
        q.items[2].state = ItemState::Done(Box::new(JobSummary {
            cancelled: true,
            ..JobSummary::default()
        }));
        assert_eq!(q.exit_code(), 130);
    }

    #[test]
    fn cancel_marks_the_waiting_images() {
        let mut q = Queue::new(["a.iso", "b.iso"].map(PathBuf::from));
        q.items[0].state = ItemState::Running;
        q.cancel_pending();
        assert_eq!(q.items[1].state, ItemState::NotStarted);
        assert!(!q.finished());
    }
}
