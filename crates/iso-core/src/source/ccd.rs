//! CloneCD sheets (.ccd): an INI-style copy of the disc's full TOC
//! (`[Entry N]` sections with `Session`, `Point`, `Control`, `PLBA`), with
//! `[TRACK N]` sections giving each track's `MODE` and `INDEX` values. The
//! .img beside it holds every sector, 2352 bytes each, from LBA 0 on; the
//! optional .sub holds 96 bytes of subchannel per sector.

use std::collections::BTreeMap;

use super::container::Companions;
use super::disc::{ContainerKind, Disc, Storage, Track, TrackMode};
use super::raw::SectorLayout;
use crate::error::{Error, Result, Warning};

/// Most sections read.
const MAX_SECTIONS: usize = 1000;

/// `[Section]` → key → value, keys lower-cased.
type Ini = BTreeMap<String, BTreeMap<String, String>>;

fn parse_ini(text: &str) -> Result<Ini> {
    let mut ini = Ini::new();
    let mut current = String::new();
    for line in text.lines() {
        let line = line.trim();
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            if ini.len() >= MAX_SECTIONS {
                return Err(Error::Unsupported(format!(
                    "CloneCD sheet has more than {MAX_SECTIONS} sections"
                )));
            }
            current = name.trim().to_ascii_lowercase();
            ini.entry(current.clone()).or_default();
        } else if let Some((k, v)) = line.split_once('=') {
            ini.entry(current.clone())
                .or_default()
                .insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
        }
    }
    Ok(ini)
}

/// A number as CloneCD writes it: decimal, or hexadecimal with `0x`.
fn num(v: Option<&String>) -> Option<i64> {
    let v = v?.trim();
    match v.strip_prefix("0x").or_else(|| v.strip_prefix("0X")) {
        Some(h) => i64::from_str_radix(h, 16).ok(),
        None => v.parse().ok(),
    }
}

/// One TOC entry of interest: a track start or a session's lead-out.
#[derive(Debug, Clone, Copy)]
struct Entry {
    session: u8,
    point: u8,
    control: u8,
    plba: i64,
}

/// Reads a CloneCD sheet and its .img (and .sub, when present).
///
/// # Errors
/// A sheet without track entries, or a missing .img.
pub fn open(text: &str, companions: &Companions) -> Result<Disc> {
    let sheet_stem = companions.sheet_stem();
    let ini = parse_ini(text)?;
    let mut entries = Vec::new();
    for (name, kv) in &ini {
        if !name.starts_with("entry ") {
            continue;
        }
        let get = |k: &str| num(kv.get(k));
        let (Some(session), Some(point), Some(plba)) = (get("session"), get("point"), get("plba"))
        else {
            continue;
        };
        entries.push(Entry {
            session: u8::try_from(session).unwrap_or(0),
            point: u8::try_from(point).unwrap_or(0),
            control: u8::try_from(get("control").unwrap_or(0)).unwrap_or(0),
            plba,
        });
    }
    let img_name = format!("{sheet_stem}.img");
    let img = companions.open(&img_name)?;
    let sub = companions.optional(&format!("{sheet_stem}.sub"));
    let mut warnings = Vec::new();
    let mut starts: Vec<Entry> = entries
        .iter()
        .filter(|e| (1..=99).contains(&e.point))
        .copied()
        .collect();
    starts.sort_by_key(|e| e.plba);
    if starts.is_empty() {
        return Err(Error::corrupt(
            "CloneCD sheet",
            0,
            "no track entries ([Entry N] with Point 1..99)",
        ));
    }
    let img_sectors = img.len() / 2352;
    let leadout = |session: u8| {
        entries
            .iter()
            .find(|e| e.point == 0xA2 && e.session == session)
            .map(|e| e.plba)
    };
    let mut tracks = Vec::new();
    for (i, e) in starts.iter().enumerate() {
        let Ok(start) = u32::try_from(e.plba) else {
            warnings.push(Warning::new(
                "CloneCD sheet",
                None,
                format!("track {} starts at LBA {}; skipped", e.point, e.plba),
            ));
            continue;
        };
        let next = starts
            .get(i + 1)
            .filter(|n| n.session == e.session)
            .map(|n| n.plba)
            .or_else(|| leadout(e.session))
            .unwrap_or(i64::try_from(img_sectors).unwrap_or(i64::MAX));
        let section = ini.get(&format!("track {}", e.point));
        let mode = match section.and_then(|s| num(s.get("mode"))) {
            Some(0) => TrackMode::Audio,
            Some(2) => TrackMode::Mode2,
            Some(1) => TrackMode::Mode1,
            _ if e.control & 0x04 == 0 => TrackMode::Audio,
            _ => TrackMode::Mode1,
        };
        let pregap = section
            .and_then(|s| Some(num(s.get("index 1"))? - num(s.get("index 0"))?))
            .unwrap_or(0);
        tracks.push(Track {
            number: e.point,
            session: e.session,
            mode,
            sector_len: 2352,
            start,
            length: u32::try_from(next.saturating_sub(e.plba)).unwrap_or(0),
            pregap: u32::try_from(pregap).unwrap_or(0),
            storage: Storage {
                file: 0,
                offset: u64::from(start) * 2352,
                layout: SectorLayout::Raw,
                byte_order: Default::default(),
            },
        });
    }
    let mut files = vec![img];
    let mut names = vec![img_name];
    if let Some(sub) = sub {
        files.push(sub);
        names.push(format!("{sheet_stem}.sub"));
    }
    Ok(Disc::new(
        ContainerKind::Ccd,
        tracks,
        files,
        names,
        warnings,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_in_both_bases() {
        assert_eq!(num(Some(&"0xa2".to_string())), Some(0xA2));
        assert_eq!(num(Some(&"-150".to_string())), Some(-150));
    }
}
