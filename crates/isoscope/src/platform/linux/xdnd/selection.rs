//! Answers to the drop target's selection requests: `XdndDirectSave0` (XDS) and `text/uri-list`.

use std::path::{Path, PathBuf};
use std::time::Instant;

use x11rb::connection::{Connection, RequestConnection as _};
use x11rb::errors::ReplyError;
use x11rb::protocol::xproto::{
    AtomEnum, ConnectionExt as _, EventMask, PropMode, SelectionNotifyEvent, SelectionRequestEvent,
    SELECTION_NOTIFY_EVENT,
};
use x11rb::wrapper::ConnectionExt as _;
use x11rb::NONE;

use super::Session;
use crate::platform::{create_staging_dir, is_local_host, parse_file_uri, uri_list};

/// XDS answers (one byte): success, error (we tell the user), failure (target may fall back).
const XDS_SUCCESS: &[u8] = b"S";
const XDS_ERROR: &[u8] = b"E";
const XDS_FAILURE: &[u8] = b"F";
/// Longest destination URI read back from our `XdndDirectSave0` property, in 32-bit units.
const MAX_URI_LONGS: u32 = 4096;

impl Session {
    /// Answers one `SelectionRequest` (ICCCM §2.2): writes the data into the requestor's
    /// property and sends `SelectionNotify`, with property None when refused.
    pub(super) fn selection_request(
        &mut self,
        req: &SelectionRequestEvent,
    ) -> Result<(), ReplyError> {
        // Obsolete requestors give no property: the target atom is used instead (ICCCM).
        let property = if req.property == NONE {
            req.target
        } else {
            req.property
        };
        let a = self.atoms;
        let answered = if req.selection != a.XdndSelection || req.owner != self.win {
            false
        } else if req.target == a.TARGETS {
            let targets = [a.TARGETS, a.XdndDirectSave0, a.TEXT_URI_LIST];
            self.conn.change_property32(
                PropMode::REPLACE,
                req.requestor,
                property,
                AtomEnum::ATOM,
                &targets,
            )?;
            true
        } else if !self.delivery.dropped {
            // The data is only produced for a drop, never while hovering.
            false
        } else if req.target == a.XdndDirectSave0 {
            let answer = self.direct_save();
            self.conn.change_property8(
                PropMode::REPLACE,
                req.requestor,
                property,
                AtomEnum::STRING,
                answer,
            )?;
            true
        } else if req.target == a.TEXT_URI_LIST {
            match self.staged_uri_list() {
                Some(list) => {
                    self.conn.change_property8(
                        PropMode::REPLACE,
                        req.requestor,
                        property,
                        a.TEXT_URI_LIST,
                        &list,
                    )?;
                    true
                }
                None => false,
            }
        } else {
            false
        };
        let notify = SelectionNotifyEvent {
            response_type: SELECTION_NOTIFY_EVENT,
            sequence: 0,
            time: req.time,
            requestor: req.requestor,
            selection: req.selection,
            target: req.target,
            property: if answered { property } else { NONE },
        };
        self.conn
            .send_event(false, req.requestor, EventMask::NO_EVENT, notify)?;
        self.conn.flush()?;
        self.delivery.last_activity = Some(Instant::now());
        Ok(())
    }

    /// XDS step 2: the target wrote `file://host/folder/name` into our `XdndDirectSave0`
    /// property; extract into `folder` (once) and say how it went.
    fn direct_save(&mut self) -> &'static [u8] {
        if let Some((_, done)) = &self.delivery.xds {
            return if done.is_ok() { XDS_SUCCESS } else { XDS_ERROR };
        }
        let Some(uri) = self.read_xds_uri() else {
            return XDS_FAILURE;
        };
        let Some((host, file)) = parse_file_uri(&uri) else {
            return XDS_FAILURE;
        };
        // A folder on another machine: we cannot write there, the target may fall back.
        if !is_local_host(&host, &self.hostname) {
            return XDS_FAILURE;
        }
        let Some(dir) = file.parent().map(Path::to_path_buf) else {
            return XDS_FAILURE;
        };
        let result = if dir.is_dir() {
            self.payload
                .extract_into(&dir)
                .map(|paths| self.apply_xds_name(paths, &file))
        } else {
            Err(format!("the drop folder {} does not exist", dir.display()))
        };
        let answer = if result.is_ok() {
            XDS_SUCCESS
        } else {
            XDS_ERROR
        };
        self.delivery.xds = Some((dir, result));
        answer
    }

    /// A single dragged item lands under the name the target asked for when it differs from ours
    /// (XDS lets the target rename) and that name is still free.
    fn apply_xds_name(&self, paths: Vec<PathBuf>, wanted: &Path) -> Vec<PathBuf> {
        match paths.as_slice() {
            [only] if self.payload.names().len() == 1 && only != wanted && !wanted.exists() => {
                match std::fs::rename(only, wanted) {
                    Ok(()) => vec![wanted.to_path_buf()],
                    Err(_) => paths,
                }
            }
            _ => paths,
        }
    }

    /// The destination URI the target wrote into our `XdndDirectSave0` property.
    fn read_xds_uri(&self) -> Option<String> {
        let reply = self
            .conn
            .get_property(
                false,
                self.win,
                self.atoms.XdndDirectSave0,
                AtomEnum::ANY,
                0,
                MAX_URI_LONGS,
            )
            .ok()?
            .reply()
            .ok()?;
        if reply.format != 8 {
            return None;
        }
        String::from_utf8(reply.value).ok()
    }

    /// `text/uri-list` of the files extracted (at the first request only) into a fresh staging
    /// folder; None when extraction failed or the list cannot be sent in one request.
    fn staged_uri_list(&mut self) -> Option<Vec<u8>> {
        if self.delivery.staged.is_none() {
            let staged = create_staging_dir()
                .map_err(|e| format!("cannot create a staging folder: {e}"))
                .and_then(|dir| self.payload.extract_into(&dir));
            self.delivery.staged = Some(staged);
        }
        let paths = self.delivery.staged.as_ref()?.as_ref().ok()?;
        let list = uri_list(paths).into_bytes();
        // Room for the ChangeProperty header; INCR transfers are not implemented.
        let limit = self.conn.maximum_request_bytes().saturating_sub(64);
        if list.len() > limit {
            self.delivery.staged = Some(Err("too many files for one drop".to_string()));
            return None;
        }
        Some(list)
    }
}
