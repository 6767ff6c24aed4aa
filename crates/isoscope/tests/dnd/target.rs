//! A minimal XDND drop target (the receiving side of the freedesktop XDND spec, with the XDS
//! variant), written independently of the source under test.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use x11rb::connection::Connection;
use x11rb::protocol::xproto::{
    Atom, AtomEnum, ClientMessageEvent, ConnectionExt as _, CreateWindowAux, EventMask, PropMode,
    Window, WindowClass,
};
use x11rb::protocol::Event;
use x11rb::rust_connection::RustConnection;
use x11rb::wrapper::ConnectionExt as _;

/// How the target takes the drop.
#[derive(Debug, Clone)]
pub enum Mode {
    /// Asks for `text/uri-list`.
    UriList,
    /// XDS: names `folder/<proposed name>` as the destination and asks for `XdndDirectSave0`.
    Xds(PathBuf),
    /// Answers every position with "not accepted".
    Refuse,
    /// Like `UriList`, but the visible window only has `XdndProxy` pointing to a hidden window
    /// that carries `XdndAware` and receives the messages.
    UriListViaProxy,
}

/// What the target saw.
#[derive(Debug, Default)]
pub struct Report {
    pub types: Vec<String>,
    pub positions: u32,
    pub left: bool,
    pub dropped: bool,
    /// The raw `text/uri-list` received.
    pub uri_list: Option<String>,
    /// The XDS file name the source proposed and the one-byte answer it gave.
    pub xds_name: Option<String>,
    pub xds_answer: Option<Vec<u8>>,
    /// The window field of every XDND message received.
    pub message_windows: Vec<u32>,
}

pub struct Target {
    /// The visible target window.
    pub window: Window,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<Report>>,
}

impl Target {
    /// Creates and maps the target window at (x, y, w, h); returns once it is mapped.
    pub fn spawn(display: &str, rect: (i16, i16, u16, u16), mode: Mode) -> Target {
        let (conn, screen) = x11rb::connect(Some(display)).expect("target connect");
        let root = conn.setup().roots[screen].root;
        let window = conn.generate_id().expect("id");
        let aux = CreateWindowAux::new()
            .background_pixel(0x0080_8080)
            .override_redirect(1);
        let (x, y, w, h) = rect;
        conn.create_window(
            0,
            window,
            root,
            x,
            y,
            w,
            h,
            0,
            WindowClass::INPUT_OUTPUT,
            0,
            &aux,
        )
        .expect("create");
        let aware = atom(&conn, "XdndAware");
        let aware_window = if matches!(mode, Mode::UriListViaProxy) {
            let proxy = conn.generate_id().expect("id");
            let aux = CreateWindowAux::new();
            conn.create_window(
                0,
                proxy,
                root,
                -10,
                -10,
                1,
                1,
                0,
                WindowClass::INPUT_ONLY,
                0,
                &aux,
            )
            .expect("create proxy");
            let xdnd_proxy = atom(&conn, "XdndProxy");
            for w in [window, proxy] {
                conn.change_property32(
                    PropMode::REPLACE,
                    w,
                    xdnd_proxy,
                    AtomEnum::WINDOW,
                    &[proxy],
                )
                .expect("proxy");
            }
            proxy
        } else {
            window
        };
        conn.change_property32(PropMode::REPLACE, aware_window, aware, AtomEnum::ATOM, &[5])
            .expect("aware");
        conn.map_window(window).expect("map");
        conn.get_input_focus().expect("sync").reply().expect("sync");
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let thread = std::thread::spawn(move || run(conn, window, mode, &flag));
        Target {
            window,
            stop,
            thread: Some(thread),
        }
    }

    /// Waits up to `limit` for a drop to end the target, then stops it and returns what it saw.
    pub fn wait(self, limit: Duration) -> Report {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline && self.thread.as_ref().is_some_and(|t| !t.is_finished()) {
            std::thread::sleep(Duration::from_millis(20));
        }
        self.finish()
    }

    /// Stops the target (if the drop did not already end it) and returns what it saw.
    pub fn finish(mut self) -> Report {
        self.stop.store(true, Ordering::Release);
        self.thread
            .take()
            .expect("thread")
            .join()
            .expect("target thread")
    }
}

fn atom(conn: &RustConnection, name: &str) -> Atom {
    conn.intern_atom(false, name.as_bytes())
        .expect("atom")
        .reply()
        .expect("atom")
        .atom
}

fn atom_name(conn: &RustConnection, a: Atom) -> String {
    conn.get_atom_name(a)
        .ok()
        .and_then(|c| c.reply().ok())
        .map(|r| String::from_utf8_lossy(&r.name).into_owned())
        .unwrap_or_default()
}

fn send(conn: &RustConnection, to: Window, kind: Atom, data: [u32; 5]) {
    let ev = ClientMessageEvent::new(32, to, kind, data);
    conn.send_event(false, to, EventMask::NO_EVENT, ev)
        .expect("send");
    conn.flush().expect("flush");
}

/// Percent-encodes a path for a `file://` URI (independent of the crate's encoder).
fn encode_path(path: &str) -> String {
    path.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02x}"),
        })
        .collect()
}

fn run(conn: RustConnection, window: Window, mode: Mode, stop: &AtomicBool) -> Report {
    let mut report = Report::default();
    let enter = atom(&conn, "XdndEnter");
    let position = atom(&conn, "XdndPosition");
    let status = atom(&conn, "XdndStatus");
    let leave = atom(&conn, "XdndLeave");
    let drop_ = atom(&conn, "XdndDrop");
    let finished = atom(&conn, "XdndFinished");
    let copy = atom(&conn, "XdndActionCopy");
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut source = 0;
    // After `stop`, keep reading a little: messages already sent may still be on their way.
    let mut grace: Option<Instant> = None;
    while Instant::now() < deadline
        && grace.is_none_or(|g| g.elapsed() < Duration::from_millis(300))
    {
        if grace.is_none() && stop.load(Ordering::Acquire) {
            grace = Some(Instant::now());
        }
        let Some(event) = conn.poll_for_event().expect("event") else {
            std::thread::sleep(Duration::from_millis(5));
            continue;
        };
        let Event::ClientMessage(ev) = event else {
            continue;
        };
        let data = ev.data.as_data32();
        report.message_windows.push(ev.window);
        if ev.type_ == enter {
            source = data[0];
            assert_eq!(data[1] >> 24, 5, "source speaks XDND 5");
            assert_eq!(data[1] & 1, 0, "two types fit in the message");
            report.types = data[2..5]
                .iter()
                .filter(|&&t| t != 0)
                .map(|&t| atom_name(&conn, t))
                .collect();
        } else if ev.type_ == position {
            assert_eq!(data[0], source);
            assert_eq!(data[4], copy, "action XdndActionCopy");
            report.positions += 1;
            let accept = u32::from(!matches!(mode, Mode::Refuse));
            send(&conn, source, status, [window, accept, 0, 0, copy]);
        } else if ev.type_ == leave {
            report.left = true;
        } else if ev.type_ == drop_ {
            report.dropped = true;
            let time = data[2];
            match &mode {
                Mode::UriList | Mode::UriListViaProxy => {
                    let bytes = request(&conn, window, "text/uri-list", time);
                    report.uri_list = bytes.map(|b| String::from_utf8(b).expect("utf-8 uri-list"));
                }
                Mode::Xds(dir) => xds(&conn, window, source, dir, time, &mut report),
                Mode::Refuse => panic!("XdndDrop sent to a target that refused"),
            }
            send(&conn, source, finished, [window, 1, copy, 0, 0]);
            break;
        }
    }
    // Make sure the server handled our last requests before the connection closes.
    conn.get_input_focus().expect("sync").reply().expect("sync");
    report
}

/// XDS step 2 as a file manager does it: read the proposed name, write the destination URI,
/// ask for `XdndDirectSave0`, then delete the property.
fn xds(
    conn: &RustConnection,
    window: Window,
    source: Window,
    dir: &std::path::Path,
    time: u32,
    report: &mut Report,
) {
    let prop = atom(conn, "XdndDirectSave0");
    let text_plain = atom(conn, "text/plain");
    let name = conn
        .get_property(false, source, prop, AtomEnum::ANY, 0, 1024)
        .expect("get")
        .reply()
        .expect("name property");
    let name = String::from_utf8(name.value).expect("utf-8 name");
    let uri = format!(
        "file://{}",
        encode_path(&format!("{}/{name}", dir.display()))
    );
    report.xds_name = Some(name);
    conn.change_property8(PropMode::REPLACE, source, prop, text_plain, uri.as_bytes())
        .expect("set uri");
    report.xds_answer = request(conn, window, "XdndDirectSave0", time);
    conn.delete_property(source, prop).expect("delete");
    conn.flush().expect("flush");
}

/// ConvertSelection(XdndSelection → `target`) and the data, None when refused.
fn request(conn: &RustConnection, window: Window, target: &str, time: u32) -> Option<Vec<u8>> {
    let selection = atom(conn, "XdndSelection");
    let target = atom(conn, target);
    let prop = atom(conn, "ISOSCOPE_TEST_DATA");
    conn.convert_selection(window, selection, target, prop, time)
        .expect("convert");
    conn.flush().expect("flush");
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        match conn.poll_for_event().expect("event") {
            Some(Event::SelectionNotify(ev)) => {
                if ev.property == 0 {
                    return None;
                }
                let reply = conn
                    .get_property(true, window, prop, AtomEnum::ANY, 0, 1 << 20)
                    .expect("get")
                    .reply()
                    .expect("data");
                return Some(reply.value);
            }
            Some(_) => {}
            None => std::thread::sleep(Duration::from_millis(5)),
        }
    }
    panic!("no SelectionNotify within 30 s");
}
