//! One XDND drag, source side (freedesktop XDND version 5, XDS "XdndDirectSave0" version 0).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use x11rb::connection::Connection;
use x11rb::errors::{ReplyError, ReplyOrIdError};
use x11rb::protocol::xproto::{
    Atom, AtomEnum, ClientMessageEvent, ConnectionExt as _, CreateWindowAux, EventMask, KeyButMask,
    PropMode, Timestamp, Window, WindowClass,
};
use x11rb::protocol::Event;
use x11rb::rust_connection::RustConnection;
use x11rb::wrapper::ConnectionExt as _;
use x11rb::NONE;

use crate::platform::{xds_file_name, DragOutcome, DragPayload};

x11rb::atom_manager! {
    /// The atoms of the XDND and XDS protocols.
    pub Atoms: AtomsCookie {
        XdndAware,
        XdndProxy,
        XdndSelection,
        XdndEnter,
        XdndPosition,
        XdndStatus,
        XdndLeave,
        XdndDrop,
        XdndFinished,
        XdndTypeList,
        XdndActionCopy,
        XdndDirectSave0,
        TARGETS,
        TEXT_URI_LIST: b"text/uri-list",
        TEXT_PLAIN: b"text/plain",
    }
}

/// The XDND version we speak; targets below 3 are ignored (the spec's minimum).
const XDND_VERSION: u32 = 5;
const XDND_MIN_VERSION: u32 = 3;
/// Pointer and keyboard poll period.
const TICK: Duration = Duration::from_millis(10);
/// How long a release waits for the `XdndStatus` of the last position.
const STATUS_WAIT: Duration = Duration::from_secs(1);
/// How long we wait, after the drop or after our last answer, for the target's next step.
const FINISH_WAIT: Duration = Duration::from_secs(10);
/// A position whose status has not come after this long is considered lost.
const STATUS_LOST: Duration = Duration::from_secs(3);
/// Windows walked down from the root at most (real trees are a handful deep).
const MAX_DEPTH: usize = 64;
/// The X keysym of Escape.
const XK_ESCAPE: u32 = 0xff1b;

/// The drop target under the pointer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Target {
    /// The window the pointer is in that is XdndAware (goes in the messages' window field).
    window: Window,
    /// Where the messages are sent: `window`, or its `XdndProxy`.
    dest: Window,
    /// The protocol version used with it: min(ours, its).
    version: u32,
}

/// What the target made of the drop so far.
#[derive(Debug, Default)]
struct Delivery {
    /// XDS: the folder and the extraction result.
    xds: Option<(PathBuf, Result<Vec<PathBuf>, String>)>,
    /// text/uri-list: the staged paths (extracted once).
    staged: Option<Result<Vec<PathBuf>, String>>,
    /// Whether `XdndDrop` was sent (data is only produced after it).
    dropped: bool,
    /// When we last did something for the target (drop sent, request answered).
    last_activity: Option<Instant>,
}

/// One drag from press to finish, on its own connection and thread.
pub struct Session {
    // Fields are read by the `selection` submodule too.
    conn: RustConnection,
    root: Window,
    win: Window,
    app_window: Window,
    atoms: Atoms,
    payload: Arc<dyn DragPayload>,
    time: Timestamp,
    escape_keycodes: Vec<u8>,
    hostname: String,
    target: Option<Target>,
    /// When the unanswered `XdndPosition` was sent.
    status_pending: Option<Instant>,
    accepted: bool,
    /// Root coordinates last sent in a position (None: send one).
    sent_pos: Option<(i16, i16)>,
    delivery: Delivery,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("win", &self.win)
            .field("target", &self.target)
            .finish()
    }
}

/// A point as XDND packs it: x in the high 16 bits, y in the low ones.
fn pack_point(x: i16, y: i16) -> u32 {
    let hi = u32::from(u16::from_ne_bytes(x.to_ne_bytes()));
    let lo = u32::from(u16::from_ne_bytes(y.to_ne_bytes()));
    (hi << 16) | lo
}

/// The machine's host name, to recognise `file://host/…` URIs from XDS targets as local.
fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .map(|s| s.trim().to_string())
        .unwrap_or_default()
}

impl Session {
    /// Creates our selection window, publishes the offered types and the XDS file name, takes
    /// `XdndSelection` with a real server timestamp.
    pub fn new(
        conn: RustConnection,
        root: Window,
        app_window: Window,
        payload: Arc<dyn DragPayload>,
    ) -> Result<Self, String> {
        Self::setup_x(conn, root, app_window, payload)
            .map_err(|e| e.to_string())?
            .ok_or_else(|| "another client took the drag selection".to_string())
    }

    fn setup_x(
        conn: RustConnection,
        root: Window,
        app_window: Window,
        payload: Arc<dyn DragPayload>,
    ) -> Result<Option<Self>, ReplyOrIdError> {
        let atoms = Atoms::new(&conn)?.reply()?;
        let win = conn.generate_id()?;
        let aux = CreateWindowAux::new()
            .override_redirect(1)
            .event_mask(EventMask::PROPERTY_CHANGE);
        conn.create_window(
            0,
            win,
            root,
            -100,
            -100,
            1,
            1,
            0,
            WindowClass::INPUT_ONLY,
            0,
            &aux,
        )?;
        let types = [atoms.XdndDirectSave0, atoms.TEXT_URI_LIST];
        conn.change_property32(
            PropMode::REPLACE,
            win,
            atoms.XdndTypeList,
            AtomEnum::ATOM,
            &types,
        )?;
        let name = xds_file_name(&payload.names());
        conn.change_property8(
            PropMode::REPLACE,
            win,
            atoms.XdndDirectSave0,
            atoms.TEXT_PLAIN,
            name.as_bytes(),
        )?;
        conn.flush()?;
        // The property change above gives us the server time to own the selection with.
        let time = wait_property_time(&conn, win)?;
        conn.set_selection_owner(win, atoms.XdndSelection, time)?;
        let owner = conn
            .get_selection_owner(atoms.XdndSelection)?
            .reply()?
            .owner;
        if owner != win {
            return Ok(None);
        }
        let escape_keycodes = escape_keycodes(&conn)?;
        Ok(Some(Self {
            conn,
            root,
            win,
            app_window,
            atoms,
            payload,
            time,
            escape_keycodes,
            hostname: hostname(),
            target: None,
            status_pending: None,
            accepted: false,
            sent_pos: None,
            delivery: Delivery::default(),
        }))
    }

    /// Runs the drag to its end.
    pub fn run(mut self) -> DragOutcome {
        let outcome = match self.drive() {
            Ok(outcome) => outcome,
            Err(e) => {
                // Best effort: tell the target we are gone.
                let _ = self.leave();
                DragOutcome::Failed(format!("drag failed: X11 error: {e}"))
            }
        };
        // A round trip before the connection closes: the server may otherwise drop requests
        // still queued on a closing connection (the last XdndLeave or SelectionNotify).
        let _ = self.conn.get_input_focus().map(|c| c.reply());
        outcome
    }

    fn drive(&mut self) -> Result<DragOutcome, ReplyError> {
        loop {
            self.drain_events()?;
            let pointer = self.conn.query_pointer(self.root)?.reply()?;
            if self.escape_down()? {
                self.leave()?;
                return Ok(DragOutcome::Cancelled);
            }
            let (x, y) = (pointer.root_x, pointer.root_y);
            if !pointer.mask.contains(KeyButMask::BUTTON1) {
                return self.release(x, y);
            }
            self.track(x, y)?;
            std::thread::sleep(TICK);
        }
    }

    /// Follows the pointer: Enter/Leave on target changes, Position when it moved and the
    /// previous one was answered.
    fn track(&mut self, x: i16, y: i16) -> Result<(), ReplyError> {
        let found = self.find_target(x, y)?;
        if found != self.target {
            self.leave()?;
            if let Some(t) = found {
                self.enter(t)?;
            }
        }
        let lost = self
            .status_pending
            .is_some_and(|t| t.elapsed() > STATUS_LOST);
        if lost {
            self.status_pending = None;
        }
        if self.target.is_some() && self.status_pending.is_none() && self.sent_pos != Some((x, y)) {
            self.position(x, y)?;
        }
        Ok(())
    }

    /// Button released at (x, y): drop when the target accepted, else cancel.
    fn release(&mut self, x: i16, y: i16) -> Result<DragOutcome, ReplyError> {
        self.track(x, y)?;
        let waited = Instant::now();
        while self.status_pending.is_some() && waited.elapsed() < STATUS_WAIT {
            std::thread::sleep(TICK);
            self.drain_events()?;
        }
        let Some(target) = self.target else {
            return Ok(DragOutcome::Cancelled);
        };
        if !self.accepted || self.status_pending.is_some() {
            self.leave()?;
            return Ok(DragOutcome::Cancelled);
        }
        let time = self.time;
        self.send(target, self.atoms.XdndDrop, [self.win, 0, time, 0, 0])?;
        self.delivery.dropped = true;
        self.delivery.last_activity = Some(Instant::now());
        self.after_drop(target)
    }

    /// Serves the target's requests until `XdndFinished` or a timeout.
    fn after_drop(&mut self, target: Target) -> Result<DragOutcome, ReplyError> {
        loop {
            while let Some(event) = self.conn.poll_for_event()? {
                if let Some(accepted) = self.handle_event(event)? {
                    return Ok(self.outcome(Some(accepted), target));
                }
            }
            let idle = self
                .delivery
                .last_activity
                .map_or(Duration::ZERO, |t| t.elapsed());
            if idle > FINISH_WAIT {
                return Ok(self.outcome(None, target));
            }
            std::thread::sleep(TICK);
        }
    }

    /// The result once the target finished (`finished` = its "accepted" flag) or went silent.
    fn outcome(&self, finished: Option<bool>, target: Target) -> DragOutcome {
        let d = &self.delivery;
        if let Some((dir, Ok(paths))) = &d.xds {
            return DragOutcome::Dropped {
                into: Some(dir.clone()),
                paths: paths.clone(),
            };
        }
        if let Some(Ok(paths)) = &d.staged {
            return DragOutcome::Dropped {
                into: None,
                paths: paths.clone(),
            };
        }
        if let Some((_, Err(e))) = &d.xds {
            return DragOutcome::Failed(e.clone());
        }
        if let Some(Err(e)) = &d.staged {
            return DragOutcome::Failed(e.clone());
        }
        match finished {
            // Finished without asking for the data: the target refused after all.
            Some(_) => DragOutcome::Cancelled,
            None => DragOutcome::Failed(format!(
                "the drop target (window 0x{:x}) did not answer",
                target.window
            )),
        }
    }

    fn drain_events(&mut self) -> Result<(), ReplyError> {
        while let Some(event) = self.conn.poll_for_event()? {
            self.handle_event(event)?;
        }
        Ok(())
    }

    /// Handles one event; returns `Some(accepted)` when the current target sent `XdndFinished`.
    fn handle_event(&mut self, event: Event) -> Result<Option<bool>, ReplyError> {
        match event {
            Event::ClientMessage(ev) if ev.format == 32 => Ok(self.client_message(&ev)),
            Event::SelectionRequest(req) => {
                self.selection_request(&req)?;
                Ok(None)
            }
            // X errors of unchecked requests (e.g. a target window that vanished) are harmless.
            _ => Ok(None),
        }
    }

    fn client_message(&mut self, ev: &ClientMessageEvent) -> Option<bool> {
        let [from, flags, _, _, _] = ev.data.as_data32();
        let target = self.target?;
        if from != target.window {
            return None;
        }
        if ev.type_ == self.atoms.XdndStatus {
            self.status_pending = None;
            self.accepted = flags & 1 == 1;
        } else if ev.type_ == self.atoms.XdndFinished {
            // Version 5 says whether the drop was accepted; older targets do not.
            return Some(target.version < 5 || flags & 1 == 1);
        }
        None
    }

    /// The deepest XdndAware window under (x, y), or None over nothing, over our app's window,
    /// or over windows that do not take drops.
    fn find_target(&self, x: i16, y: i16) -> Result<Option<Target>, ReplyError> {
        let mut window = self.root;
        let mut found = None;
        for _ in 0..MAX_DEPTH {
            let child = self
                .conn
                .translate_coordinates(self.root, window, x, y)?
                .reply()?
                .child;
            if child == NONE {
                break;
            }
            if child == self.app_window {
                return Ok(None);
            }
            window = child;
            if let Some(t) = self.aware(window)? {
                found = Some(t);
            }
        }
        if window == self.root {
            // Over no window at all: the desktop may be the root itself.
            return self.aware(self.root);
        }
        Ok(found)
    }

    /// Whether `window` takes XDND drops (directly or through a valid `XdndProxy`).
    fn aware(&self, window: Window) -> Result<Option<Target>, ReplyError> {
        let proxy = self.window_property(window, self.atoms.XdndProxy)?;
        // A proxy counts only when it names itself in its own XdndProxy (the spec's check
        // against stale properties).
        let dest = match proxy {
            Some(p) if self.window_property(p, self.atoms.XdndProxy)? == Some(p) => p,
            _ => window,
        };
        let version = self.first_u32(dest, self.atoms.XdndAware, AtomEnum::ATOM.into())?;
        Ok(version.filter(|v| *v >= XDND_MIN_VERSION).map(|v| Target {
            window,
            dest,
            version: v.min(XDND_VERSION),
        }))
    }

    fn window_property(&self, window: Window, prop: Atom) -> Result<Option<Window>, ReplyError> {
        self.first_u32(window, prop, AtomEnum::WINDOW.into())
    }

    /// The first 32-bit value of a property, None when absent, of another type, or when the
    /// window is gone.
    fn first_u32(&self, window: Window, prop: Atom, ty: Atom) -> Result<Option<u32>, ReplyError> {
        match self
            .conn
            .get_property(false, window, prop, ty, 0, 1)?
            .reply()
        {
            Ok(reply) => Ok(reply.value32().and_then(|mut v| v.next())),
            Err(ReplyError::X11Error(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn enter(&mut self, target: Target) -> Result<(), ReplyError> {
        let types = [self.atoms.XdndDirectSave0, self.atoms.TEXT_URI_LIST, NONE];
        let [t0, t1, t2] = types;
        // Bit 0 ("more than three types, see XdndTypeList") stays clear: we offer two.
        self.send(
            target,
            self.atoms.XdndEnter,
            [self.win, target.version << 24, t0, t1, t2],
        )?;
        self.target = Some(target);
        self.accepted = false;
        self.status_pending = None;
        self.sent_pos = None;
        Ok(())
    }

    fn position(&mut self, x: i16, y: i16) -> Result<(), ReplyError> {
        let Some(target) = self.target else {
            return Ok(());
        };
        let data = [
            self.win,
            0,
            pack_point(x, y),
            self.time,
            self.atoms.XdndActionCopy,
        ];
        self.send(target, self.atoms.XdndPosition, data)?;
        self.status_pending = Some(Instant::now());
        self.sent_pos = Some((x, y));
        Ok(())
    }

    fn leave(&mut self) -> Result<(), ReplyError> {
        if let Some(target) = self.target.take() {
            self.send(target, self.atoms.XdndLeave, [self.win, 0, 0, 0, 0])?;
        }
        self.accepted = false;
        self.status_pending = None;
        Ok(())
    }

    /// Sends an XDND client message to the target (through its proxy, window field = target).
    fn send(&self, target: Target, kind: Atom, data: [u32; 5]) -> Result<(), ReplyError> {
        let ev = ClientMessageEvent::new(32, target.window, kind, data);
        self.conn
            .send_event(false, target.dest, EventMask::NO_EVENT, ev)?;
        self.conn.flush()?;
        Ok(())
    }

    fn escape_down(&self) -> Result<bool, ReplyError> {
        if self.escape_keycodes.is_empty() {
            return Ok(false);
        }
        let keys = self.conn.query_keymap()?.reply()?.keys;
        Ok(self.escape_keycodes.iter().any(|&kc| {
            keys.get(usize::from(kc / 8))
                .is_some_and(|byte| byte & (1 << (kc % 8)) != 0)
        }))
    }
}

/// Waits (bounded) for the PropertyNotify on `win` and returns its server timestamp.
fn wait_property_time(conn: &RustConnection, win: Window) -> Result<Timestamp, ReplyError> {
    let deadline = Instant::now() + Duration::from_secs(2);
    while Instant::now() < deadline {
        match conn.poll_for_event()? {
            Some(Event::PropertyNotify(ev)) if ev.window == win => return Ok(ev.time),
            Some(_) => {}
            None => std::thread::sleep(Duration::from_millis(2)),
        }
    }
    Ok(x11rb::CURRENT_TIME)
}

/// The keycodes that produce Escape.
fn escape_keycodes(conn: &RustConnection) -> Result<Vec<u8>, ReplyError> {
    let setup = conn.setup();
    let (min, max) = (setup.min_keycode, setup.max_keycode);
    let count = max.saturating_sub(min).saturating_add(1);
    let map = conn.get_keyboard_mapping(min, count)?.reply()?;
    let per = usize::from(map.keysyms_per_keycode.max(1));
    let codes = map
        .keysyms
        .chunks(per)
        .zip(min..=max)
        .filter(|(syms, _)| syms.contains(&XK_ESCAPE))
        .map(|(_, kc)| kc)
        .collect();
    Ok(codes)
}

/// Selection requests: the data transfer after the drop.
mod selection;

#[cfg(test)]
mod tests {
    use super::pack_point;

    #[test]
    fn points_pack_x_high_y_low() {
        // XDND: XdndPosition data.l[2] = (x << 16) | y, root coordinates as 16-bit fields.
        assert_eq!(pack_point(300, 400), (300 << 16) | 400);
        assert_eq!(pack_point(0, 0), 0);
        assert_eq!(pack_point(-1, 2), 0xFFFF_0002);
        assert_eq!(pack_point(5, -2), 0x0005_FFFE);
    }
}
