//! macOS drag source: an AppKit dragging session of file promises (`NSFilePromiseProvider`).
//!
//! `start` runs on the main thread (AppKit's rule; eframe's UI thread is the main thread): it
//! builds one `NSFilePromiseProvider` per top-level name, wraps each in an `NSDraggingItem` and
//! calls `-[NSView beginDraggingSessionWithItems:event:source:]` on the window's content view.
//! It returns at once; AppKit tracks the drag from the main run loop. When the user drops onto
//! Finder (or any promise receiver), the delegate's
//! `filePromiseProvider:writePromiseToURL:completionHandler:` is called for each item with
//! `<folder Finder chose>/<name>` — on our own serial `NSOperationQueue`, so the extraction
//! (`DragPayload::extract_into(folder)`, once for all items) runs off the main thread. The
//! session's `draggingSession:endedAtPoint:operation:` tells a cancelled drag (no operation)
//! from a drop; `poll()` reports `Dropped { into: Some(folder) }` once the files are written.
//!
//! The provider's delegate is a weak reference in AppKit, so the delegate and the source object
//! are kept alive here until the next drag starts.
//!
//! Names that Finder changes (it may propose `name 2` when `name` exists) are still extracted
//! under their own names; the payload's overwrite policy applies. Every item is promised as
//! `public.data` (the payload does not say which names are folders).
//!
//! This file is only type-checked on Linux (`cargo clippy --target aarch64-apple-darwin`); it
//! follows Apple's documentation of `NSFilePromiseProvider`, `NSFilePromiseProviderDelegate`,
//! `NSDraggingSource` and `NSView` but has not been run.
#![allow(unsafe_code)] // Objective-C runtime: each unsafe block states why it is sound.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use objc2::rc::Retained;
use objc2::runtime::{AnyObject, ProtocolObject};
use objc2::{
    define_class, msg_send, AllocAnyThread, DefinedClass, MainThreadMarker, MainThreadOnly,
};
use objc2_app_kit::{
    NSApplication, NSDragOperation, NSDraggingContext, NSDraggingItem, NSDraggingSession,
    NSDraggingSource, NSEvent, NSEventModifierFlags, NSEventType, NSFilePromiseProvider,
    NSFilePromiseProviderDelegate, NSImage, NSImageNameMultipleDocuments, NSView, NSWindow,
};
use objc2_foundation::{
    ns_string, NSArray, NSError, NSObject, NSObjectProtocol, NSOperationQueue, NSPoint,
    NSProcessInfo, NSRect, NSSize, NSString, NSURL,
};

use super::{DragOutcome, DragPayload, DragSource};

/// After a drop, how long we wait for the target to start writing the promised files before
/// calling the drag cancelled (a receiver that took none of them).
const PROMISE_WAIT: Duration = Duration::from_secs(30);

/// How the AppKit session ended.
#[derive(Debug, Clone, Copy)]
enum Ended {
    /// Dropped with the copy operation, at this time.
    Dropped(Instant),
    /// Ended without an operation: released outside a target, Escape, or refused.
    NoOperation,
}

#[derive(Debug, Default)]
struct State {
    ended: Option<Ended>,
    write_started: bool,
    /// The folder written into and the extraction result (once for all items).
    written: Option<(PathBuf, Result<Vec<PathBuf>, String>)>,
}

/// State shared by the main thread (session source, `poll`) and the promise queue.
struct Shared {
    payload: Arc<dyn DragPayload>,
    state: Mutex<State>,
    /// Held while extracting, so concurrent promise writes extract only once.
    extracting: Mutex<()>,
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Writes the promised file `file` (`<folder>/<name>`): extracts everything into `folder`
    /// the first time, then reports that result to every later promise.
    fn write_promise(&self, file: &Path) -> Result<(), String> {
        let _one_at_a_time = self
            .extracting
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        {
            let mut st = self.state();
            st.write_started = true;
            if let Some((_, done)) = &st.written {
                return done.as_ref().map(|_| ()).map_err(Clone::clone);
            }
        }
        let dir = file
            .parent()
            .ok_or_else(|| format!("no folder for {}", file.display()))?
            .to_path_buf();
        let result = self.payload.extract_into(&dir);
        let answer = result.as_ref().map(|_| ()).map_err(Clone::clone);
        self.state().written = Some((dir, result));
        answer
    }

    /// The outcome, once it is known.
    fn outcome(&self) -> Option<DragOutcome> {
        let st = self.state();
        match (&st.written, st.ended) {
            (Some((dir, Ok(paths))), _) => Some(DragOutcome::Dropped {
                into: Some(dir.clone()),
                paths: paths.clone(),
            }),
            (Some((_, Err(e))), _) => Some(DragOutcome::Failed(e.clone())),
            (None, Some(Ended::NoOperation)) => Some(DragOutcome::Cancelled),
            (None, Some(Ended::Dropped(at)))
                if !st.write_started && at.elapsed() > PROMISE_WAIT =>
            {
                Some(DragOutcome::Cancelled)
            }
            _ => None,
        }
    }
}

define_class!(
    /// The file promise providers' delegate (called on our operation queue for writes).
    #[unsafe(super(NSObject))]
    #[name = "IsoscopeFilePromiseDelegate"]
    #[ivars = Arc<Shared>]
    struct PromiseDelegate;

    unsafe impl NSObjectProtocol for PromiseDelegate {}

    unsafe impl NSFilePromiseProviderDelegate for PromiseDelegate {
        /// The name each promised item gets: the one stored in the provider's userInfo.
        #[unsafe(method_id(filePromiseProvider:fileNameForType:))]
        fn file_name_for_type(
            &self,
            provider: &NSFilePromiseProvider,
            _file_type: &NSString,
        ) -> Retained<NSString> {
            provider
                .userInfo()
                .and_then(|info| info.downcast::<NSString>().ok())
                .unwrap_or_else(|| NSString::from_str("isoscope-drop"))
        }

        #[unsafe(method(filePromiseProvider:writePromiseToURL:completionHandler:))]
        fn write_promise_to_url(
            &self,
            _provider: &NSFilePromiseProvider,
            url: &NSURL,
            completion_handler: &block2::DynBlock<dyn Fn(*mut NSError)>,
        ) {
            let file = url.path().map(|p| PathBuf::from(p.to_string()));
            let result = match file {
                Some(file) => self.ivars().write_promise(&file),
                None => Err("the drop destination is not a file URL".to_string()),
            };
            match result {
                Ok(()) => completion_handler.call((std::ptr::null_mut(),)),
                Err(_) => {
                    let error = NSError::new(1, ns_string!("org.isoscope.drag-out"));
                    completion_handler.call((Retained::as_ptr(&error).cast_mut(),));
                }
            }
        }

        /// A serial background queue: extraction must not block the main thread.
        #[unsafe(method_id(operationQueueForFilePromiseProvider:))]
        fn operation_queue(&self, _provider: &NSFilePromiseProvider) -> Retained<NSOperationQueue> {
            let queue = NSOperationQueue::new();
            queue.setMaxConcurrentOperationCount(1);
            queue
        }
    }
);

impl PromiseDelegate {
    fn new(shared: Arc<Shared>) -> Retained<Self> {
        let this = Self::alloc().set_ivars(shared);
        // SAFETY: NSObject's designated initialiser on a freshly allocated instance.
        unsafe { msg_send![super(this), init] }
    }
}

define_class!(
    /// The dragging source: copy only; records how the session ended.
    #[unsafe(super(NSObject))]
    #[thread_kind = MainThreadOnly]
    #[name = "IsoscopeDraggingSource"]
    #[ivars = Arc<Shared>]
    struct SessionSource;

    unsafe impl NSObjectProtocol for SessionSource {}

    unsafe impl NSDraggingSource for SessionSource {
        #[unsafe(method(draggingSession:sourceOperationMaskForDraggingContext:))]
        fn operation_mask(
            &self,
            _session: &NSDraggingSession,
            _context: NSDraggingContext,
        ) -> NSDragOperation {
            NSDragOperation::Copy
        }

        #[unsafe(method(draggingSession:endedAtPoint:operation:))]
        fn ended(&self, _session: &NSDraggingSession, _point: NSPoint, operation: NSDragOperation) {
            let ended = if operation == NSDragOperation::None {
                Ended::NoOperation
            } else {
                Ended::Dropped(Instant::now())
            };
            self.ivars().state().ended = Some(ended);
        }
    }
);

impl SessionSource {
    fn new(mtm: MainThreadMarker, shared: Arc<Shared>) -> Retained<Self> {
        let this = Self::alloc(mtm).set_ivars(shared);
        // SAFETY: NSObject's designated initialiser on a freshly allocated instance.
        unsafe { msg_send![super(this), init] }
    }
}

/// The drag in progress (or last finished), with the objects AppKit only references weakly.
struct Current {
    shared: Arc<Shared>,
    _delegate: Retained<PromiseDelegate>,
    _source: Retained<SessionSource>,
}

/// The AppKit drag source (main thread only; see the module docs).
#[derive(Default)]
pub struct MacDragSource {
    current: Option<Current>,
    reported: bool,
}

impl std::fmt::Debug for MacDragSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MacDragSource")
            .field("reported", &self.reported)
            .finish()
    }
}

impl MacDragSource {
    /// A source with no drag yet.
    pub fn new() -> Self {
        Self::default()
    }
}

/// The mouse event the session starts from: the event being handled when it is a left-button
/// press or drag, else a synthesised left-drag at the pointer's place in `window`.
fn drag_event(mtm: MainThreadMarker, window: &NSWindow) -> Result<Retained<NSEvent>, String> {
    let app = NSApplication::sharedApplication(mtm);
    if let Some(event) = app.currentEvent() {
        let kind = event.r#type();
        if kind == NSEventType::LeftMouseDown || kind == NSEventType::LeftMouseDragged {
            return Ok(event);
        }
    }
    let location = window.mouseLocationOutsideOfEventStream();
    NSEvent::mouseEventWithType_location_modifierFlags_timestamp_windowNumber_context_eventNumber_clickCount_pressure(
        NSEventType::LeftMouseDragged,
        location,
        NSEventModifierFlags::empty(),
        NSProcessInfo::processInfo().systemUptime(),
        window.windowNumber(),
        None,
        0,
        1,
        1.0,
    )
    .ok_or_else(|| "cannot create the drag event".to_string())
}

impl DragSource for MacDragSource {
    /// Starts the AppKit session and returns at once (main thread only).
    fn start(
        &mut self,
        window: raw_window_handle::RawWindowHandle,
        payload: Arc<dyn DragPayload>,
    ) -> Result<(), String> {
        let mtm = MainThreadMarker::new().ok_or("drag-out must start on the main thread")?;
        let raw_window_handle::RawWindowHandle::AppKit(handle) = window else {
            return Err("drag-out needs an AppKit window".to_string());
        };
        if self.active() {
            return Err("a drag is already in progress".to_string());
        }
        let names = payload.names();
        if names.is_empty() {
            return Err("nothing to drag".to_string());
        }
        // SAFETY: the handle comes from the app's live winit window: `ns_view` points to its
        // NSView, which outlives this call; we are on the main thread as AppKit requires.
        let view: &NSView = unsafe { handle.ns_view.cast::<NSView>().as_ref() };
        let ns_window = view.window().ok_or("the view is not in a window")?;
        let event = drag_event(mtm, &ns_window)?;
        let shared = Arc::new(Shared {
            payload,
            state: Mutex::new(State::default()),
            extracting: Mutex::new(()),
        });
        let delegate = PromiseDelegate::new(Arc::clone(&shared));
        let at = view.convertPoint_fromView(ns_window.mouseLocationOutsideOfEventStream(), None);
        let icon = NSImage::imageNamed(
            // SAFETY: an AppKit constant, initialised by the framework.
            unsafe { NSImageNameMultipleDocuments },
        );
        let mut items = Vec::with_capacity(names.len());
        for (i, name) in (0u32..).zip(&names) {
            let provider = NSFilePromiseProvider::initWithFileType_delegate(
                NSFilePromiseProvider::alloc(),
                ns_string!("public.data"),
                ProtocolObject::from_ref(&*delegate),
            );
            let name = NSString::from_str(name);
            // SAFETY: userInfo is any object; we store an NSString and read it back as one.
            unsafe { provider.setUserInfo(Some(&name)) };
            let item = NSDraggingItem::initWithPasteboardWriter(
                NSDraggingItem::alloc(),
                ProtocolObject::from_ref(&*provider),
            );
            let offset = f64::from(i.min(8)) * 4.0;
            let frame = NSRect::new(
                NSPoint::new(at.x - 16.0 + offset, at.y - 16.0 - offset),
                NSSize::new(32.0, 32.0),
            );
            let contents: Option<&AnyObject> = icon.as_deref().map(|image| image.as_ref());
            // SAFETY: `contents` is an NSImage (or nil), the type this property takes.
            unsafe { item.setDraggingFrame_contents(frame, contents) };
            items.push(item);
        }
        let items = NSArray::from_retained_slice(&items);
        let source = SessionSource::new(mtm, Arc::clone(&shared));
        view.beginDraggingSessionWithItems_event_source(
            &items,
            &event,
            ProtocolObject::from_ref(&*source),
        );
        self.current = Some(Current {
            shared,
            _delegate: delegate,
            _source: source,
        });
        self.reported = false;
        Ok(())
    }

    fn active(&self) -> bool {
        !self.reported
            && self
                .current
                .as_ref()
                .is_some_and(|c| c.shared.outcome().is_none())
    }

    fn poll(&mut self) -> Option<DragOutcome> {
        if self.reported {
            return None;
        }
        let outcome = self.current.as_ref()?.shared.outcome()?;
        self.reported = true;
        Some(outcome)
    }
}

// ---------------------------------------------------------------------------
// Open documents: Finder's double-click and "Open With", also while running.
//
// AppKit turns the open-documents Apple Event ('odoc', sent by Finder for the
// document types Info.plist declares) into `-[NSApplicationDelegate
// application:openURLs:]` (macOS 10.13+; when the delegate implements it,
// AppKit calls neither `application:openFile:` nor `application:openFiles:`).
// winit 0.30 owns the application delegate (class `WinitApplicationDelegate`,
// set in `EventLoop::new`) and does not implement that method, and replacing
// the delegate breaks winit (it panics when its own delegate is gone). So:
// build the event loop ourselves, add `application:openURLs:` to winit's
// delegate class with the Objective-C runtime (`class_addMethod`, which only
// adds: winit defines no such method) before the loop runs, then hand the
// loop to `eframe::create_native` and `run_app`. Events that arrive at launch
// (the file that started the app) and later ones take the same path: the
// paths go over the channel and the window is woken.
//
// The NSServices entries of Info.plist ("Extract Here with Isoscope",
// "Browse with Isoscope") name the methods `extractHere:userData:error:` and
// `browse:userData:error:` of the services provider object registered here
// (`-[NSApplication setServicesProvider:]`); they read the file URLs from the
// service's pasteboard. Extract Here starts `isoscope --extract-here` as a
// new process (the batch window); Browse opens in the running window.
//
// Written against Apple's documentation of NSApplicationDelegate, NSServices
// (Services Implementation Guide) and NSPasteboard; type-checked on Linux with
// `cargo clippy --target aarch64-apple-darwin` / `x86_64-apple-darwin`; not
// run here (no Mac).

use std::ffi::CStr;
use std::sync::OnceLock;

use objc2::ffi::class_addMethod;
use objc2::runtime::{AnyClass, Imp, Sel};
use objc2::sel;
use objc2_app_kit::NSPasteboard;

use super::documents::DocumentSender;

/// winit 0.30's application delegate class (`declare_class!` in winit's
/// `platform_impl/macos/app_state.rs`).
const WINIT_DELEGATE: &CStr = c"WinitApplicationDelegate";

/// Where `application:openURLs:` sends paths (set once, before the loop runs).
static DOCUMENTS: OnceLock<DocumentSender> = OnceLock::new();

/// Runs `creator`'s app on an event loop built here, with the
/// open-documents handler and the services provider installed first.
///
/// # Errors
/// When the event loop or the window cannot be created.
pub(super) fn run_with_open_documents(
    app_name: &str,
    options: eframe::NativeOptions,
    creator: eframe::AppCreator<'static>,
    documents: DocumentSender,
) -> eframe::Result {
    let event_loop =
        winit::event_loop::EventLoop::<eframe::UserEvent>::with_user_event().build()?;
    let _ = DOCUMENTS.set(documents);
    if let Err(e) = add_open_urls_to_winit_delegate() {
        // The window still works; only Finder's later opens are lost.
        eprintln!("isoscope: {e}");
    }
    let _services = install_services_provider();
    let mut app = eframe::create_native(app_name, options, creator, &event_loop);
    event_loop.run_app(&mut app)?;
    Ok(())
}

/// Sends the file paths among `urls` to the window.
fn forward_file_urls(urls: &NSArray<NSURL>) {
    let Some(documents) = DOCUMENTS.get() else {
        return;
    };
    for url in urls.iter() {
        if url.isFileURL() {
            if let Some(path) = url.to_file_path() {
                documents.send(path);
            }
        }
    }
}

/// The type of [`application_open_urls`].
type OpenUrls = extern "C-unwind" fn(&AnyObject, Sel, &NSApplication, &NSArray<NSURL>);

/// `-[WinitApplicationDelegate application:openURLs:]`, added at run time.
extern "C-unwind" fn application_open_urls(
    _this: &AnyObject,
    _cmd: Sel,
    _application: &NSApplication,
    urls: &NSArray<NSURL>,
) {
    forward_file_urls(urls);
}

/// Adds `application:openURLs:` to winit's delegate class (already
/// registered: the event loop exists).
fn add_open_urls_to_winit_delegate() -> Result<(), String> {
    let class = AnyClass::get(WINIT_DELEGATE)
        .ok_or("winit's application delegate class is not registered")?;
    let method: OpenUrls = application_open_urls;
    // SAFETY: an `extern "C-unwind"` function taking (self, _cmd, id, id) and
    // returning void is called by the runtime exactly as an IMP of type
    // encoding "v@:@@"; `Imp` is the runtime's erased function pointer type.
    let imp = unsafe { std::mem::transmute::<OpenUrls, Imp>(method) };
    let types = c"v@:@@";
    // SAFETY: `class` is a registered class (class_addMethod takes a mutable
    // pointer but adding a method to a registered class is allowed by the
    // runtime); the selector, IMP and type encoding agree (see above).
    let added = unsafe {
        class_addMethod(
            std::ptr::from_ref(class).cast_mut(),
            sel!(application:openURLs:),
            imp,
            types.as_ptr(),
        )
    };
    if added.as_bool() {
        Ok(())
    } else {
        Err("winit's delegate already has application:openURLs: (not replaced)".into())
    }
}

/// The file paths a service's pasteboard holds (`public.file-url` items,
/// what NSSendFileTypes services receive).
fn pasteboard_paths(pboard: &NSPasteboard) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Some(items) = pboard.pasteboardItems() else {
        return out;
    };
    for item in items.iter() {
        let Some(text) = item.stringForType(ns_string!("public.file-url")) else {
            continue;
        };
        if let Some(path) = NSURL::URLWithString(&text).and_then(|u| u.to_file_path()) {
            out.push(path);
        }
    }
    out
}

define_class!(
    /// The services provider: the methods Info.plist's NSServices name.
    #[unsafe(super(NSObject))]
    #[thread_kind = MainThreadOnly]
    #[name = "IsoscopeServicesProvider"]
    struct ServicesProvider;

    unsafe impl NSObjectProtocol for ServicesProvider {}

    impl ServicesProvider {
        /// "Extract Here with Isoscope": a batch window of its own.
        #[unsafe(method(extractHere:userData:error:))]
        fn extract_here(
            &self,
            pboard: &NSPasteboard,
            _user_data: Option<&NSString>,
            _error: *mut *mut NSString,
        ) {
            let paths = pasteboard_paths(pboard);
            if paths.is_empty() {
                return;
            }
            let started = std::env::current_exe().and_then(|exe| {
                std::process::Command::new(exe)
                    .arg("--extract-here")
                    .args(&paths)
                    .spawn()
            });
            if let Err(e) = started {
                eprintln!("isoscope: cannot start the extraction: {e}");
            }
        }

        /// "Browse with Isoscope": open in the running window.
        #[unsafe(method(browse:userData:error:))]
        fn browse(
            &self,
            pboard: &NSPasteboard,
            _user_data: Option<&NSString>,
            _error: *mut *mut NSString,
        ) {
            if let Some(documents) = DOCUMENTS.get() {
                for path in pasteboard_paths(pboard) {
                    documents.send(path);
                }
            }
        }
    }
);

/// Registers the services provider (kept alive by the caller while the
/// loop runs). The services themselves are static (Info.plist), so no
/// `NSUpdateDynamicServices` call is needed.
fn install_services_provider() -> Option<Retained<ServicesProvider>> {
    let mtm = MainThreadMarker::new()?;
    let provider: Retained<ServicesProvider> = {
        let this = ServicesProvider::alloc(mtm).set_ivars(());
        // SAFETY: NSObject's designated initialiser on a freshly allocated instance.
        unsafe { msg_send![super(this), init] }
    };
    let app = NSApplication::sharedApplication(mtm);
    let object: &AnyObject = &provider;
    // SAFETY: the provider implements the methods Info.plist names, with the
    // (NSPasteboard, NSString, NSString **) signature services are called with.
    unsafe { app.setServicesProvider(Some(object)) };
    Some(provider)
}
