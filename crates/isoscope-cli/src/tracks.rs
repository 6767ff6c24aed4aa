//! The track table of a disc container, for `info`.

use iso_core::source::raw::Msf;
use iso_core::Image;
use serde_json::{json, Value};

/// `{"format": ..., "data_track": N, "files": [...], "tracks": [...]}`, or
/// null for a plain image file.
pub fn container_json(image: &Image) -> Value {
    let Some(info) = image.info().disc.as_ref() else {
        return Value::Null;
    };
    let kind = info.container;
    let files = image
        .disc()
        .map(|d| d.file_names.clone())
        .unwrap_or_default();
    json!({
        "format": kind.label(),
        "files": files,
        "data_track": info.data_track,
        "tracks": info.tracks.iter().map(|t| json!({
            "number": t.number,
            "session": t.session,
            "mode": t.mode.as_str(),
            "sector_size": t.sector_len,
            "start": t.start,
            "start_msf": Msf::from_lba(t.start).to_string(),
            "length": t.length,
            "duration": t.duration().to_string(),
            "pregap": t.pregap,
            "file": files.get(t.storage.file),
        })).collect::<Vec<_>>(),
    })
}
