//! The jobs thread: runs queued extractions and verifications one at a
//! time, sampling their counters at most ten times a second.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crossbeam_channel::{unbounded, Receiver, RecvTimeoutError, Sender};
use iso_core::{Image, NodeId, Tree};

use super::{JobControls, Outbox};
use crate::extract_job::{
    self, Ask, CancelFlag, Choice, Conflict, Counters, JobSummary, OverwriteAnswer,
};
use crate::protocol::{Event, JobId};
use crate::verify_job;

/// How often progress is sent to the UI.
const SAMPLE: Duration = Duration::from_millis(100);

/// What a job does.
pub enum JobKind {
    /// Extract nodes of a tree.
    Extract {
        /// The image.
        image: Arc<Image>,
        /// The view's tree.
        tree: Arc<Tree>,
        /// What (empty: everything).
        nodes: Vec<NodeId>,
        /// Where.
        dest: PathBuf,
        /// Owner write permission on what is written.
        writable: bool,
        /// Who else waits for the summary (a drag-out).
        reply: Option<crossbeam_channel::Sender<JobSummary>>,
    },
    /// Hash the image.
    Verify {
        /// The image.
        image: Arc<Image>,
        /// Its file, to find checksum files beside it.
        path: Option<PathBuf>,
        /// The default view's whole tree, to find the disc's own checksum
        /// lists (none when the image has no readable view).
        tree: Option<Arc<Tree>>,
    },
    /// Extract one file into a temporary folder to open it.
    OpenFile {
        /// The image.
        image: Arc<Image>,
        /// The view's tree.
        tree: Arc<Tree>,
        /// The file.
        node: NodeId,
        /// The folder it goes to (created; one per job).
        dir: PathBuf,
    },
    /// Checksums of files.
    Checksums {
        /// The image.
        image: Arc<Image>,
        /// The view's whole tree.
        tree: Arc<Tree>,
        /// The selection.
        nodes: Vec<NodeId>,
    },
    /// Read every file.
    Test {
        /// The image.
        image: Arc<Image>,
        /// The view's whole tree.
        tree: Arc<Tree>,
    },
    /// The image or view was gone when the job was queued.
    Missing,
}

/// A queued job.
pub struct Job {
    /// Its id.
    pub id: JobId,
    /// What it does.
    pub kind: JobKind,
    /// Set by the UI's Cancel.
    pub cancel: Arc<CancelFlag>,
    /// Overwrite answers from the UI.
    pub answers: Receiver<OverwriteAnswer>,
}

/// Starts the jobs thread; the returned sender queues jobs (unbounded: a
/// job is small, and queueing must never block the browse thread).
pub fn spawn(out: Outbox, controls: Arc<JobControls>) -> Sender<Job> {
    let (tx, rx) = unbounded::<Job>();
    let spawned = std::thread::Builder::new()
        .name("isoscope-jobs".into())
        .spawn(move || {
            crate::platform::lower_thread_priority();
            for job in rx {
                let id = job.id;
                run_job(job, &out);
                controls.forget(id);
            }
        });
    if let Err(e) = spawned {
        // The browse thread reports a stopped jobs thread when it queues.
        eprintln!("isoscope: cannot start the jobs thread: {e}");
    }
    tx
}

fn run_job(job: Job, out: &Outbox) {
    let Job {
        id,
        kind,
        cancel,
        answers,
    } = job;
    if cancel.is_cancelled() {
        out.send(Event::JobDone {
            job: id,
            summary: JobSummary {
                cancelled: true,
                ..JobSummary::default()
            },
        });
        return;
    }
    out.send(Event::JobStarted(id));
    match kind {
        JobKind::Extract {
            image,
            tree,
            nodes,
            dest,
            writable,
            reply,
        } => {
            let ask = asker(id, out.clone(), answers, cancel.clone());
            let counters = Counters::default();
            let summary = sampled(id, out, &counters, || {
                let req = extract_job::Request {
                    image: &image,
                    tree: &tree,
                    nodes: &nodes,
                    dest: &dest,
                    ask: Some(ask),
                    writable,
                };
                extract_job::run(&req, &counters, &cancel)
            });
            if let Some(r) = reply {
                let _ = r.send(summary.clone());
            }
            out.send(Event::JobDone { job: id, summary });
        }
        JobKind::Verify { image, path, tree } => {
            let counters = Counters::default();
            let report = sampled(id, out, &counters, || {
                let req = verify_job::Request {
                    image: &image,
                    path: path.as_deref(),
                    tree: tree.as_deref(),
                };
                verify_job::run(&req, &counters, &cancel)
            });
            out.send(Event::VerifyDone { job: id, report });
        }
        JobKind::OpenFile {
            image,
            tree,
            node,
            dir,
        } => {
            let counters = Counters::default();
            let (summary, file) = sampled(id, out, &counters, || {
                crate::open_job::run(&image, &tree, node, &dir, &counters, &cancel)
            });
            out.send(Event::FileReady {
                job: id,
                summary,
                file,
            });
        }
        JobKind::Checksums { image, tree, nodes } => {
            let counters = Counters::default();
            let report = sampled(id, out, &counters, || {
                let req = crate::checksum_job::Request {
                    image: &image,
                    tree: &tree,
                    nodes: &nodes,
                };
                crate::checksum_job::run(&req, &counters, &cancel)
            });
            out.send(Event::ChecksumsDone { job: id, report });
        }
        JobKind::Test { image, tree } => {
            let counters = Counters::default();
            let report = sampled(id, out, &counters, || {
                crate::test_job::run(&image, &tree, &counters, &cancel)
            });
            out.send(Event::TestDone { job: id, report });
        }
        JobKind::Missing => out.send(Event::JobDone {
            job: id,
            summary: JobSummary {
                error: Some("the image or view is no longer open".into()),
                ..JobSummary::default()
            },
        }),
    }
}

/// Runs `work` on a scoped thread while this one sends the counters every
/// [`SAMPLE`].
fn sampled<T: Send>(
    id: JobId,
    out: &Outbox,
    counters: &Counters,
    work: impl FnOnce() -> T + Send,
) -> T {
    std::thread::scope(|s| {
        let handle = s.spawn(work);
        while !handle.is_finished() {
            std::thread::sleep(SAMPLE);
            out.send_lossy(Event::JobProgress {
                job: id,
                progress: counters.snapshot(),
            });
        }
        out.send_lossy(Event::JobProgress {
            job: id,
            progress: counters.snapshot(),
        });
        match handle.join() {
            Ok(v) => v,
            Err(p) => std::panic::resume_unwind(p),
        }
    })
}

/// The overwrite question: sent to the UI, answered through `answers`;
/// a cancelled job stops waiting and skips.
fn asker(
    id: JobId,
    out: Outbox,
    answers: Receiver<OverwriteAnswer>,
    cancel: Arc<CancelFlag>,
) -> Ask {
    Arc::new(move |conflict: Conflict| {
        out.send(Event::JobAsk { job: id, conflict });
        loop {
            match answers.recv_timeout(Duration::from_millis(100)) {
                Ok(a) => return a,
                Err(RecvTimeoutError::Timeout) if !cancel.is_cancelled() => {}
                Err(_) => {
                    return OverwriteAnswer {
                        choice: Choice::Skip,
                        apply_to_all: true,
                    }
                }
            }
        }
    })
}
