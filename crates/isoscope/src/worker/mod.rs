//! The worker: every byte the window shows is read here, off the UI thread.
//!
//! Two threads: the browse thread answers [`Command`]s in order (open,
//! trees, listings, search, previews, settings), and the jobs thread runs
//! extractions and verifications one after another so browsing stays
//! responsive while they run. Both send [`Event`]s through an [`Outbox`],
//! which wakes the UI after every send.

mod browse;
mod jobs;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use crossbeam_channel::{bounded, Receiver, Sender, TrySendError};

use crate::extract_job::{CancelFlag, OverwriteAnswer};
use crate::protocol::{Command, Event, JobId};

/// Commands waiting for the worker; the UI never blocks on a full queue.
const COMMAND_QUEUE: usize = 1024;
/// Events waiting for the UI; a full queue holds the worker back.
const EVENT_QUEUE: usize = 1024;

/// The sending side of the event channel; every send wakes the UI.
#[derive(Debug, Clone)]
pub struct Outbox {
    tx: Sender<Event>,
    ctx: Arc<OnceLock<egui::Context>>,
}

impl Outbox {
    /// Sends `ev` unless the UI's queue is full (progress samples: the
    /// next one will do), then asks for a repaint. Never blocks, so a job
    /// whose caller waits on the UI thread (a Windows drag) cannot wedge.
    pub fn send_lossy(&self, ev: Event) {
        let _ = self.tx.try_send(ev);
        if let Some(ctx) = self.ctx.get() {
            ctx.request_repaint();
        }
    }

    /// Sends `ev` to the UI and asks for a repaint.
    pub fn send(&self, ev: Event) {
        // Fails only when the UI is gone; then nobody is listening.
        let _ = self.tx.send(ev);
        if let Some(ctx) = self.ctx.get() {
            ctx.request_repaint();
        }
    }
}

/// Cancel flags and answer channels of queued and running jobs.
#[derive(Debug, Default)]
pub struct JobControls {
    cancels: Mutex<HashMap<JobId, Arc<CancelFlag>>>,
    answers: Mutex<HashMap<JobId, Sender<OverwriteAnswer>>>,
}

impl JobControls {
    fn register(&self, job: JobId) -> (Arc<CancelFlag>, Receiver<OverwriteAnswer>) {
        let cancel = Arc::new(CancelFlag::default());
        let (tx, rx) = bounded(1);
        if let Ok(mut m) = self.cancels.lock() {
            m.insert(job, cancel.clone());
        }
        if let Ok(mut m) = self.answers.lock() {
            m.insert(job, tx);
        }
        (cancel, rx)
    }

    fn cancel(&self, job: JobId) {
        if let Some(c) = self.cancels.lock().ok().and_then(|m| m.get(&job).cloned()) {
            c.cancel();
        }
    }

    fn answer(&self, job: JobId, answer: OverwriteAnswer) {
        if let Some(tx) = self.answers.lock().ok().and_then(|m| m.get(&job).cloned()) {
            let _ = tx.try_send(answer);
        }
    }

    fn forget(&self, job: JobId) {
        if let Ok(mut m) = self.cancels.lock() {
            m.remove(&job);
        }
        if let Ok(mut m) = self.answers.lock() {
            m.remove(&job);
        }
    }
}

/// The UI's end of the worker.
#[derive(Debug)]
pub struct Worker {
    tx: Sender<Command>,
    rx: Receiver<Event>,
    outbox: Outbox,
    ctx: Arc<OnceLock<egui::Context>>,
}

impl Worker {
    /// Starts the worker threads. `settings_path` is where
    /// [`Command::SaveSettings`] writes (None: nowhere, as in tests).
    pub fn start(settings_path: Option<PathBuf>) -> Worker {
        let (cmd_tx, cmd_rx) = bounded(COMMAND_QUEUE);
        let (ev_tx, ev_rx) = bounded(EVENT_QUEUE);
        let ctx = Arc::new(OnceLock::new());
        let outbox = Outbox {
            tx: ev_tx,
            ctx: ctx.clone(),
        };
        let controls = Arc::new(JobControls::default());
        let jobs_tx = jobs::spawn(outbox.clone(), controls.clone());
        let browse_out = outbox.clone();
        let spawned = std::thread::Builder::new()
            .name("isoscope-worker".into())
            .spawn(move || {
                browse::run(&cmd_rx, &browse_out, &jobs_tx, &controls, settings_path);
            });
        if let Err(e) = spawned {
            outbox.send(Event::Problem(format!(
                "cannot start the worker thread: {e}"
            )));
        }
        Worker {
            tx: cmd_tx,
            rx: ev_rx,
            outbox,
            ctx,
        }
    }

    /// Lets the worker wake this context (done on the first frame).
    pub fn attach(&self, ctx: &egui::Context) {
        let _ = self.ctx.set(ctx.clone());
    }

    /// Sends a command without blocking; a full queue is reported.
    pub fn send(&self, cmd: Command) {
        match self.tx.try_send(cmd) {
            Ok(()) => {}
            // The UI thread must never block on its own queue: try_send.
            Err(TrySendError::Full(_)) => {
                let _ = self.outbox.tx.try_send(Event::Problem(
                    "the worker is busy; the last request was dropped".into(),
                ));
            }
            Err(TrySendError::Disconnected(_)) => {
                let _ = self
                    .outbox
                    .tx
                    .try_send(Event::Problem("the worker thread has stopped".into()));
            }
        }
    }

    /// A handle that can post events as if from the worker (native dialogs
    /// run on their own threads and report through it).
    pub fn outbox(&self) -> Outbox {
        self.outbox.clone()
    }

    /// A handle that queues commands from any thread (drag-out payloads
    /// queue their extraction from the platform's drag thread).
    pub fn commands(&self) -> Sender<Command> {
        self.tx.clone()
    }

    /// The next pending event, if any.
    pub fn try_recv(&self) -> Option<Event> {
        self.rx.try_recv().ok()
    }
}
