//! A private Xvfb server per test, and XTest pointer/keyboard driving.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use x11rb::connection::Connection;
use x11rb::protocol::xproto::{
    AtomEnum, ConnectionExt as _, CreateWindowAux, PropMode, Window, WindowClass,
    BUTTON_PRESS_EVENT, BUTTON_RELEASE_EVENT, KEY_PRESS_EVENT, KEY_RELEASE_EVENT,
    MOTION_NOTIFY_EVENT,
};
use x11rb::protocol::xtest::ConnectionExt as _;
use x11rb::rust_connection::RustConnection;
use x11rb::wrapper::ConnectionExt as _;

/// An Xvfb process, killed on drop.
pub struct Xvfb {
    child: Child,
    pub display: String,
}

impl Drop for Xvfb {
    /// SIGTERM first, so Xvfb removes its socket and lock file; SIGKILL if it lingers, and
    /// then the files are removed here.
    fn drop(&mut self) {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let deadline = Instant::now() + Duration::from_secs(3);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        let n = self.display.trim_start_matches(':');
        let _ = std::fs::remove_file(format!("/tmp/.X11-unix/X{n}"));
        let _ = std::fs::remove_file(format!("/tmp/.X{n}-lock"));
    }
}

impl Xvfb {
    /// Starts a 1024×768 Xvfb on a free display, or None (with a message) when Xvfb is not
    /// installed.
    pub fn start() -> Option<Xvfb> {
        Xvfb::start_sized("1024x768x24")
    }

    /// Starts Xvfb with one screen of `geometry` (`WxHxDEPTH`).
    pub fn start_sized(geometry: &str) -> Option<Xvfb> {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let base = 140 + std::process::id() % 400;
        for _ in 0..40 {
            let n = base + NEXT.fetch_add(1, Ordering::Relaxed) % 400;
            let socket = format!("/tmp/.X11-unix/X{n}");
            if Path::new(&socket).exists() || Path::new(&format!("/tmp/.X{n}-lock")).exists() {
                continue;
            }
            let spawned = Command::new("Xvfb")
                .arg(format!(":{n}"))
                .args(["-screen", "0", geometry, "-nolisten", "tcp", "-noreset"])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn();
            let mut child = match spawned {
                Ok(c) => c,
                Err(e) => {
                    // CI installs Xvfb (.ci/run): there a missing one fails the test.
                    assert!(std::env::var_os("CI").is_none(), "cannot run Xvfb: {e}");
                    eprintln!(
                        "SKIP: cannot run Xvfb ({e}); install it with apt-get install -y xvfb"
                    );
                    return None;
                }
            };
            let display = format!(":{n}");
            let started = Instant::now();
            let deadline = started + Duration::from_secs(10);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = child.try_wait() {
                    break; // lost a race for this display: try the next one
                }
                if Path::new(&socket).exists() && x11rb::connect(Some(&display)).is_ok() {
                    let took = started.elapsed();
                    eprintln!("Xvfb {display} ready after {took:?}");
                    return Some(Xvfb { child, display });
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            eprintln!("Xvfb {display} did not come up in 10 s, trying another display");
            drop(Xvfb { child, display });
        }
        panic!("could not start Xvfb on any display");
    }
}

/// The test's own client: stands in for the app window and drives input through XTest.
pub struct Driver {
    pub conn: RustConnection,
    pub root: Window,
}

impl Driver {
    pub fn connect(display: &str) -> Driver {
        let (conn, screen) = x11rb::connect(Some(display)).expect("connect driver");
        let root = conn.setup().roots[screen].root;
        conn.xtest_get_version(2, 2)
            .expect("xtest")
            .reply()
            .expect("XTest extension");
        Driver { conn, root }
    }

    /// A mapped top-level window at (x, y) with `XdndAware` = 5 (winit sets it on its windows).
    pub fn app_window(&self, x: i16, y: i16, w: u16, h: u16) -> Window {
        let win = self.conn.generate_id().expect("id");
        let aux = CreateWindowAux::new()
            .background_pixel(0x00ff_ffff)
            .override_redirect(1);
        self.conn
            .create_window(
                0,
                win,
                self.root,
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
        let aware = self
            .conn
            .intern_atom(false, b"XdndAware")
            .expect("atom")
            .reply()
            .expect("atom")
            .atom;
        self.conn
            .change_property32(PropMode::REPLACE, win, aware, AtomEnum::ATOM, &[5])
            .expect("aware");
        self.conn.map_window(win).expect("map");
        self.sync();
        win
    }

    pub fn sync(&self) {
        self.conn
            .get_input_focus()
            .expect("sync")
            .reply()
            .expect("sync");
    }

    pub fn move_to(&self, x: i16, y: i16) {
        self.conn
            .xtest_fake_input(MOTION_NOTIFY_EVENT, 0, 0, self.root, x, y, 0)
            .expect("motion");
        self.sync();
    }

    pub fn button(&self, press: bool) {
        let kind = if press {
            BUTTON_PRESS_EVENT
        } else {
            BUTTON_RELEASE_EVENT
        };
        self.conn
            .xtest_fake_input(kind, 1, 0, self.root, 0, 0, 0)
            .expect("button");
        self.sync();
    }

    /// Presses Escape for a moment.
    pub fn tap_escape(&self) {
        let setup = self.conn.setup();
        let (min, max) = (setup.min_keycode, setup.max_keycode);
        let map = self
            .conn
            .get_keyboard_mapping(min, max - min + 1)
            .expect("map")
            .reply()
            .expect("map");
        let per = usize::from(map.keysyms_per_keycode);
        let index = map
            .keysyms
            .iter()
            .position(|&s| s == 0xff1b)
            .expect("Escape keysym");
        let keycode = min + u8::try_from(index / per).expect("keycode");
        for kind in [KEY_PRESS_EVENT, KEY_RELEASE_EVENT] {
            self.conn
                .xtest_fake_input(kind, keycode, 0, self.root, 0, 0, 0)
                .expect("key");
            self.sync();
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// Moves the pointer from `from` to `to` in 20 steps.
    pub fn glide(&self, from: (i16, i16), to: (i16, i16)) {
        for i in 1..=20i32 {
            let x = i32::from(from.0) + (i32::from(to.0) - i32::from(from.0)) * i / 20;
            let y = i32::from(from.1) + (i32::from(to.1) - i32::from(from.1)) * i / 20;
            self.move_to(i16::try_from(x).expect("x"), i16::try_from(y).expect("y"));
            std::thread::sleep(Duration::from_millis(25));
        }
    }
}

/// The root window of `display` as an RGBA picture (`size`: the screen's
/// width and height); 24-bit TrueColor screens as Xvfb makes them.
pub fn screenshot(display: &str, size: (u16, u16)) -> image::RgbaImage {
    use x11rb::protocol::xproto::ImageFormat;
    let (conn, screen) = x11rb::connect(Some(display)).expect("connect to Xvfb");
    let root = conn.setup().roots[screen].root;
    let reply = conn
        .get_image(ImageFormat::Z_PIXMAP, root, 0, 0, size.0, size.1, !0)
        .expect("GetImage")
        .reply()
        .expect("GetImage reply");
    // 32 bits per pixel, blue-green-red-unused in memory.
    let rgba: Vec<u8> = reply
        .data
        .chunks_exact(4)
        .flat_map(|p| [p[2], p[1], p[0], 255])
        .collect();
    image::RgbaImage::from_raw(u32::from(size.0), u32::from(size.1), rgba).expect("picture")
}
