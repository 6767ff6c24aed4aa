//! Windows drag source: OLE `DoDragDrop` with a data object offering `CF_HDROP`.
//!
//! `start` must be called on the UI thread (an STA thread: winit's event-loop thread, where
//! winit has already initialised OLE for its own drop target; we call `OleInitialize` too,
//! which is then a no-op). **`DoDragDrop` is modal**: it runs its own message loop until the
//! drop or cancel, so `start` returns only when the drag is over, `active()` is then already
//! false and `poll()` gives the outcome. winit keeps receiving (queued) window messages meanwhile.
//!
//! The data object offers one format, `CF_HDROP` in an `HGLOBAL` (a `DROPFILES` header followed
//! by NUL-terminated UTF-16 paths and a final NUL). The files are extracted into a fresh staging
//! folder the first time the target asks for the data (Explorer does so at the drop, before
//! `DoDragDrop` returns), on the UI thread: the target needs the data synchronously. The
//! optional `FILEDESCRIPTORW`/`FILECONTENTS` streams (which would let Explorer pull large files
//! itself, off our thread) are not implemented.
//!
//! This file is only type-checked on Linux (`cargo clippy --target x86_64-pc-windows-msvc`); it
//! follows the Win32 documentation of `DoDragDrop`, `IDataObject`, `IDropSource`,
//! `DROPFILES` and `STGMEDIUM` but has not been run.
#![allow(unsafe_code)] // COM and HGLOBAL: each unsafe block states why it is sound.

use std::cell::RefCell;
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::Arc;

use windows::core::{implement, Ref, BOOL, HRESULT};
use windows::Win32::Foundation::{
    DATA_S_SAMEFORMATETC, DRAGDROP_S_CANCEL, DRAGDROP_S_DROP, DRAGDROP_S_USEDEFAULTCURSORS,
    DV_E_FORMATETC, E_INVALIDARG, E_NOTIMPL, E_OUTOFMEMORY, HGLOBAL, OLE_E_ADVISENOTSUPPORTED,
    POINT, S_OK,
};
use windows::Win32::System::Com::{
    IAdviseSink, IDataObject, IDataObject_Impl, IEnumFORMATETC, IEnumSTATDATA, DATADIR_GET,
    DVASPECT_CONTENT, FORMATETC, STGMEDIUM, STGMEDIUM_0, TYMED_HGLOBAL,
};
use windows::Win32::System::Memory::{GlobalAlloc, GlobalLock, GlobalUnlock, GHND};
use windows::Win32::System::Ole::{
    DoDragDrop, IDropSource, IDropSource_Impl, OleInitialize, CF_HDROP, DROPEFFECT,
    DROPEFFECT_COPY, DROPEFFECT_NONE,
};
use windows::Win32::System::SystemServices::{MK_LBUTTON, MODIFIERKEYS_FLAGS};
use windows::Win32::UI::Shell::{SHCreateStdEnumFmtEtc, DROPFILES};

use super::{create_staging_dir, DragOutcome, DragPayload, DragSource};

/// The result of extracting into the staging folder, shared between the data object and `start`.
type Staged = Rc<RefCell<Option<Result<Vec<PathBuf>, String>>>>;

/// The OLE drag source (modal; see the module docs).
#[derive(Debug, Default)]
pub struct OleDragSource {
    ole_ready: bool,
    last: Option<DragOutcome>,
}

impl OleDragSource {
    /// A source; OLE is initialised on the first `start`.
    pub fn new() -> Self {
        Self::default()
    }
}

impl DragSource for OleDragSource {
    /// Runs the whole drag (modal `DoDragDrop`) and returns when it is over.
    fn start(
        &mut self,
        window: raw_window_handle::RawWindowHandle,
        payload: Arc<dyn DragPayload>,
    ) -> Result<(), String> {
        if !matches!(window, raw_window_handle::RawWindowHandle::Win32(_)) {
            return Err("drag-out needs a Win32 window".to_string());
        }
        if !self.ole_ready {
            // SAFETY: called on the UI thread; the reserved argument must be None. S_FALSE
            // (already initialised, e.g. by winit) is success; RPC_E_CHANGED_MODE is an error.
            unsafe { OleInitialize(None) }.map_err(|e| format!("OLE is not available: {e}"))?;
            self.ole_ready = true;
        }
        let staged: Staged = Rc::new(RefCell::new(None));
        let data: IDataObject = DataObject {
            payload,
            staged: Rc::clone(&staged),
        }
        .into();
        let source: IDropSource = DropSource.into();
        let mut effect = DROPEFFECT_NONE;
        // SAFETY: both interfaces are live COM objects for the whole call and `effect` is a
        // valid out pointer; DoDragDrop runs its modal loop on this (STA) thread.
        let hr = unsafe { DoDragDrop(&data, &source, DROPEFFECT_COPY, &mut effect) };
        let result = staged.borrow_mut().take();
        self.last = Some(outcome(hr, effect, result));
        Ok(())
    }

    /// Always false: `start` returns only after the modal drag ended.
    fn active(&self) -> bool {
        false
    }

    fn poll(&mut self) -> Option<DragOutcome> {
        self.last.take()
    }
}

/// Maps DoDragDrop's result and the staging result to an outcome.
fn outcome(
    hr: HRESULT,
    effect: DROPEFFECT,
    staged: Option<Result<Vec<PathBuf>, String>>,
) -> DragOutcome {
    if hr == DRAGDROP_S_DROP && effect != DROPEFFECT_NONE {
        match staged {
            Some(Ok(paths)) => DragOutcome::Dropped { into: None, paths },
            Some(Err(e)) => DragOutcome::Failed(e),
            // Dropped but the target never asked for the files.
            None => DragOutcome::Cancelled,
        }
    } else if hr == DRAGDROP_S_DROP || hr == DRAGDROP_S_CANCEL {
        match staged {
            Some(Err(e)) => DragOutcome::Failed(e),
            _ => DragOutcome::Cancelled,
        }
    } else {
        DragOutcome::Failed(format!("drag and drop failed: {}", hr.message()))
    }
}

/// The one format offered: `CF_HDROP` in global memory.
fn hdrop_format() -> FORMATETC {
    FORMATETC {
        cfFormat: CF_HDROP.0,
        ptd: std::ptr::null_mut(),
        dwAspect: DVASPECT_CONTENT.0,
        lindex: -1,
        tymed: u32::try_from(TYMED_HGLOBAL.0).unwrap_or(1),
    }
}

/// Whether a requested format is ours (clipboard format, aspect and a medium we can give).
fn is_hdrop(f: &FORMATETC) -> bool {
    let hglobal = u32::try_from(TYMED_HGLOBAL.0).unwrap_or(1);
    f.cfFormat == CF_HDROP.0 && f.dwAspect == DVASPECT_CONTENT.0 && f.tymed & hglobal != 0
}

/// The bytes of a `DROPFILES` block: header, then each path as NUL-terminated UTF-16, then a
/// final NUL (the list ends with two NULs).
fn dropfiles_bytes(paths: &[PathBuf]) -> Vec<u8> {
    use std::os::windows::ffi::OsStrExt;
    let header_len = std::mem::size_of::<DROPFILES>();
    let header = DROPFILES {
        pFiles: u32::try_from(header_len).unwrap_or(20),
        pt: POINT { x: 0, y: 0 },
        fNC: BOOL(0),
        fWide: BOOL(1),
    };
    let mut bytes = Vec::with_capacity(header_len + 2);
    bytes.extend_from_slice(&header.pFiles.to_ne_bytes());
    bytes.extend_from_slice(&header.pt.x.to_ne_bytes());
    bytes.extend_from_slice(&header.pt.y.to_ne_bytes());
    bytes.extend_from_slice(&header.fNC.0.to_ne_bytes());
    bytes.extend_from_slice(&header.fWide.0.to_ne_bytes());
    for p in paths {
        for unit in p.as_os_str().encode_wide().chain([0]) {
            bytes.extend_from_slice(&unit.to_ne_bytes());
        }
    }
    bytes.extend_from_slice(&0u16.to_ne_bytes());
    bytes
}

/// Copies `bytes` into a new movable global memory block (owned by the receiver afterwards).
fn to_hglobal(bytes: &[u8]) -> windows::core::Result<HGLOBAL> {
    // SAFETY: plain allocation; GHND zero-fills and makes the block movable as CF_HDROP needs.
    let handle = unsafe { GlobalAlloc(GHND, bytes.len()) }?;
    // SAFETY: `handle` is the block just allocated; GlobalLock returns its address or null.
    let ptr = unsafe { GlobalLock(handle) }.cast::<u8>();
    if ptr.is_null() {
        return Err(E_OUTOFMEMORY.into());
    }
    // SAFETY: the block is at least `bytes.len()` long and does not overlap `bytes`.
    unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), ptr, bytes.len()) };
    // SAFETY: unlocks the lock taken above. GlobalUnlock reports "error" with code NO_ERROR when
    // the lock count reaches zero, which is the expected case: ignore its result.
    let _ = unsafe { GlobalUnlock(handle) };
    Ok(handle)
}

/// The data object handed to `DoDragDrop`.
#[implement(IDataObject)]
struct DataObject {
    payload: Arc<dyn DragPayload>,
    staged: Staged,
}

impl DataObject {
    /// Extracts into a staging folder at the first request and returns the paths.
    fn staged_paths(&self) -> Result<Vec<PathBuf>, String> {
        let mut slot = self.staged.borrow_mut();
        let result = slot.get_or_insert_with(|| {
            create_staging_dir()
                .map_err(|e| format!("cannot create a staging folder: {e}"))
                .and_then(|dir| self.payload.extract_into(&dir))
        });
        result.clone()
    }
}

/// Reads a FORMATETC the caller passed, if the pointer is not null.
fn read_format(p: *const FORMATETC) -> Option<FORMATETC> {
    // SAFETY: COM callers pass a valid FORMATETC or null; it is only read.
    unsafe { p.as_ref() }.cloned()
}

impl IDataObject_Impl for DataObject_Impl {
    fn GetData(&self, pformatetcin: *const FORMATETC) -> windows::core::Result<STGMEDIUM> {
        let format = read_format(pformatetcin).ok_or(windows::core::Error::from(E_INVALIDARG))?;
        if !is_hdrop(&format) {
            return Err(DV_E_FORMATETC.into());
        }
        let paths = self
            .staged_paths()
            .map_err(|e| windows::core::Error::new(E_OUTOFMEMORY, e))?;
        let hglobal = to_hglobal(&dropfiles_bytes(&paths))?;
        Ok(STGMEDIUM {
            tymed: u32::try_from(TYMED_HGLOBAL.0).unwrap_or(1),
            u: STGMEDIUM_0 { hGlobal: hglobal },
            // None: the receiver frees the HGLOBAL with ReleaseStgMedium.
            pUnkForRelease: std::mem::ManuallyDrop::new(None),
        })
    }

    fn GetDataHere(
        &self,
        _pformatetc: *const FORMATETC,
        _pmedium: *mut STGMEDIUM,
    ) -> windows::core::Result<()> {
        Err(E_NOTIMPL.into())
    }

    fn QueryGetData(&self, pformatetc: *const FORMATETC) -> HRESULT {
        match read_format(pformatetc) {
            Some(f) if is_hdrop(&f) => S_OK,
            Some(_) => DV_E_FORMATETC,
            None => E_INVALIDARG,
        }
    }

    /// Our data never depends on a target device: the documented minimal answer is the input
    /// format with a null `ptd` and DATA_S_SAMEFORMATETC.
    fn GetCanonicalFormatEtc(
        &self,
        pformatectin: *const FORMATETC,
        pformatetcout: *mut FORMATETC,
    ) -> HRESULT {
        let Some(mut out) = read_format(pformatectin) else {
            return E_INVALIDARG;
        };
        out.ptd = std::ptr::null_mut();
        // SAFETY: COM callers pass a writable FORMATETC or null.
        match unsafe { pformatetcout.as_mut() } {
            Some(slot) => {
                *slot = out;
                DATA_S_SAMEFORMATETC
            }
            None => E_INVALIDARG,
        }
    }

    /// Targets (Explorer) may try to store drop hints here; we keep none.
    fn SetData(
        &self,
        _pformatetc: *const FORMATETC,
        _pmedium: *const STGMEDIUM,
        _frelease: BOOL,
    ) -> windows::core::Result<()> {
        Err(E_NOTIMPL.into())
    }

    fn EnumFormatEtc(&self, dwdirection: u32) -> windows::core::Result<IEnumFORMATETC> {
        if i32::try_from(dwdirection).ok() == Some(DATADIR_GET.0) {
            // SAFETY: the slice is a valid array of FORMATETC for the duration of the call;
            // the shell copies it into the enumerator.
            unsafe { SHCreateStdEnumFmtEtc(&[hdrop_format()]) }
        } else {
            Err(E_NOTIMPL.into())
        }
    }

    fn DAdvise(
        &self,
        _pformatetc: *const FORMATETC,
        _advf: u32,
        _padvsink: Ref<IAdviseSink>,
    ) -> windows::core::Result<u32> {
        Err(OLE_E_ADVISENOTSUPPORTED.into())
    }

    fn DUnadvise(&self, _dwconnection: u32) -> windows::core::Result<()> {
        Err(OLE_E_ADVISENOTSUPPORTED.into())
    }

    fn EnumDAdvise(&self) -> windows::core::Result<IEnumSTATDATA> {
        Err(OLE_E_ADVISENOTSUPPORTED.into())
    }
}

/// The drop source: drop on left-button release, cancel on Escape, default cursors.
#[implement(IDropSource)]
struct DropSource;

impl IDropSource_Impl for DropSource_Impl {
    fn QueryContinueDrag(&self, fescapepressed: BOOL, grfkeystate: MODIFIERKEYS_FLAGS) -> HRESULT {
        if fescapepressed.as_bool() {
            DRAGDROP_S_CANCEL
        } else if grfkeystate.0 & MK_LBUTTON.0 == 0 {
            DRAGDROP_S_DROP
        } else {
            S_OK
        }
    }

    fn GiveFeedback(&self, _dweffect: DROPEFFECT) -> HRESULT {
        DRAGDROP_S_USEDEFAULTCURSORS
    }
}
