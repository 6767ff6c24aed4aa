//! `info`: everything the image's descriptors say.
//!
//! The report is built once as a JSON value (fields in a fixed order) and
//! printed either as JSON or as aligned "key: value" text, so the two
//! never disagree.

use std::io::{self, Write};

use iso_core::eltorito::{BootEntry, Emulation, Platform};
use iso_core::iso9660::raw::{DecDateTime, DescriptorType, VolumeDescriptor};
use iso_core::partitions::{PartitionTable, Scheme};
use iso_core::{Image, Timestamp};
use serde_json::{json, Map, Value};

use crate::args::InfoArgs;
use crate::{term, Failure, Outcome, DAMAGED, OK};

/// Runs `info`.
pub fn run(args: &InfoArgs) -> Outcome {
    let image = crate::open_session(&args.image, args.session)?;
    let report = report(&image);
    let stdout = io::stdout();
    let mut out = stdout.lock();
    if args.json {
        serde_json::to_writer(&mut out, &report)
            .map_err(|e| Failure::stdout(io::Error::other(e)))?;
        writeln!(out).map_err(Failure::stdout)?;
    } else {
        let mut text = String::new();
        render(&report, 0, &mut text);
        out.write_all(text.as_bytes()).map_err(Failure::stdout)?;
    }
    out.flush().map_err(Failure::stdout)?;
    for w in image.warnings() {
        crate::warn(&w.to_string());
    }
    Ok(if image.warnings().is_empty() {
        OK
    } else {
        DAMAGED
    })
}

fn report(image: &Image) -> Value {
    let info = image.info();
    let mut m = Map::new();
    m.insert("format".into(), json!(info.summary()));
    m.insert("image_size".into(), json!(info.len));
    m.insert(
        "views".into(),
        json!(image.views().iter().map(|v| v.as_str()).collect::<Vec<_>>()),
    );
    m.insert(
        "default_view".into(),
        json!(image.default_view().map(|v| v.as_str())),
    );
    m.insert(
        "sessions".into(),
        Value::Array(
            image
                .sessions()
                .iter()
                .map(|s| {
                    json!({
                        "number": s.number,
                        "start_lba": s.start_lba,
                        "volume_space_size": s.volume_space_size,
                        "volume_identifier": s.volume_identifier,
                    })
                })
                .collect(),
        ),
    );
    m.insert("session".into(), json!(info.session));
    m.insert("container".into(), crate::tracks::container_json(image));
    m.insert(
        "iso9660".into(),
        opt(info.iso9660.as_ref().map(|iso| {
            json!({
                "descriptors": iso
                    .descriptors
                    .iter()
                    .map(|(lba, t)| json!({"lba": lba, "type": descriptor_type(*t)}))
                    .collect::<Vec<_>>(),
                "primary": opt(iso.primary.as_ref().map(volume)),
                "joliet": opt(iso.joliet.as_ref().map(volume)),
                "enhanced": opt(iso.enhanced.as_ref().map(volume)),
                "rock_ridge": opt(iso.susp.map(|s| json!({"susp_len_skp": s.len_skp}))),
            })
        })),
    );
    m.insert("udf".into(), opt(info.udf.as_ref().map(udf)));
    m.insert(
        "boot".into(),
        opt(info.boot.as_ref().map(|b| {
            json!({
                "record": {"lba": b.record.lba, "boot_system_identifier": b.record.boot_system_identifier},
                "catalog": opt(b.catalog.as_ref().map(|c| json!({
                    "catalog_lba": c.catalog_lba,
                    "id_string": c.id_string,
                    "entries": c.entries.iter().map(boot_entry).collect::<Vec<_>>(),
                }))),
            })
        })),
    );
    m.insert(
        "partitions".into(),
        Value::Array(info.partitions.iter().map(partition_table).collect()),
    );
    m.insert(
        "warnings".into(),
        json!(image
            .warnings()
            .iter()
            .map(|w| w.to_string())
            .collect::<Vec<_>>()),
    );
    Value::Object(m)
}

/// The UDF section: revision, block size, anchors, maps, identifiers and
/// the integrity descriptor's numbers.
fn udf(u: &iso_core::udf::VolumeInfo) -> Value {
    let rev = |r: Option<u16>| r.map(iso_core::udf::raw::revision_text);
    json!({
        "nsr": u.nsr,
        "revision": u.revision_text(),
        "block_size": u.block_len,
        "anchors": u.anchors,
        "volume_identifier": u.volume_identifier,
        "volume_set_identifier": u.volume_set_identifier,
        "logical_volume_identifier": u.logical_volume_identifier,
        "file_set_identifier": u.file_set_identifier,
        "recorded": u.recorded.map(timestamp),
        "partition_maps": u.maps.iter().map(|m| json!({
            "type": m.kind,
            "partition_number": m.partition_number,
            "detail": m.detail,
        })).collect::<Vec<_>>(),
        "integrity": u.integrity.map(|i| json!({
            "state": if i.closed { "closed" } else { "open" },
            "number_of_files": i.number_of_files,
            "number_of_directories": i.number_of_directories,
            "minimum_udf_read_revision": rev(i.minimum_udf_read_revision),
            "minimum_udf_write_revision": rev(i.minimum_udf_write_revision),
            "maximum_udf_write_revision": rev(i.maximum_udf_write_revision),
            "recorded": i.recorded.map(timestamp),
        })),
        "from_reserve_sequence": u.from_reserve,
    })
}

fn opt(v: Option<Value>) -> Value {
    v.unwrap_or(Value::Null)
}

fn descriptor_type(t: DescriptorType) -> String {
    match t {
        DescriptorType::BootRecord => "boot record".into(),
        DescriptorType::Primary => "primary".into(),
        DescriptorType::Supplementary => "supplementary".into(),
        DescriptorType::Partition => "partition".into(),
        DescriptorType::Terminator => "terminator".into(),
        DescriptorType::Other(n) => format!("type {n}"),
    }
}

fn volume(vd: &VolumeDescriptor) -> Value {
    let hex: String = vd
        .escape_sequences
        .iter()
        .take_while(|&&b| b != 0)
        .map(|b| format!("{b:02x}"))
        .collect();
    json!({
        "lba": vd.lba,
        "descriptor_type": descriptor_type(vd.descriptor_type),
        "version": vd.version,
        "volume_flags": vd.volume_flags,
        "system_identifier": vd.system_identifier,
        "volume_identifier": vd.volume_identifier,
        "volume_space_size": vd.volume_space_size,
        "escape_sequences": hex,
        "joliet_level": vd.joliet_level,
        "volume_set_size": vd.volume_set_size,
        "volume_sequence_number": vd.volume_sequence_number,
        "logical_block_size": vd.logical_block_size,
        "path_table_size": vd.path_table_size,
        "type_l_path_table": vd.type_l_path_table,
        "optional_type_l_path_table": vd.optional_type_l_path_table,
        "type_m_path_table": vd.type_m_path_table,
        "optional_type_m_path_table": vd.optional_type_m_path_table,
        "root_directory": {
            "location_of_extent": vd.root.location_of_extent,
            "data_length": vd.root.data_length,
            "recording_date": vd.root.recording_date.map(timestamp),
        },
        "volume_set_identifier": vd.volume_set_identifier,
        "publisher_identifier": vd.publisher_identifier,
        "data_preparer_identifier": vd.data_preparer_identifier,
        "application_identifier": vd.application_identifier,
        "copyright_file_identifier": vd.copyright_file_identifier,
        "abstract_file_identifier": vd.abstract_file_identifier,
        "bibliographic_file_identifier": vd.bibliographic_file_identifier,
        "volume_creation": dec_date(&vd.volume_creation),
        "volume_modification": dec_date(&vd.volume_modification),
        "volume_expiration": dec_date(&vd.volume_expiration),
        "volume_effective": dec_date(&vd.volume_effective),
        "file_structure_version": vd.file_structure_version,
    })
}

fn timestamp(t: Timestamp) -> Value {
    json!({"unix": t.seconds, "utc": term::iso8601(t.seconds)})
}

/// The digits as written, the same in ISO 8601 with the recorded offset
/// (null when the digits say "not specified" or are not a date), and the
/// offset in 15-minute steps.
fn dec_date(d: &DecDateTime) -> Value {
    json!({
        "digits": d.digits,
        "iso8601": d.time.map(|_| dec_iso8601(d)),
        "gmt_offset": d.gmt_offset,
        "unix": d.time.map(|t| t.seconds),
    })
}

fn dec_iso8601(d: &DecDateTime) -> String {
    let g = |a: usize, b: usize| d.digits.get(a..b).unwrap_or("00");
    let quarters = i32::from(d.gmt_offset);
    let sign = if quarters < 0 { '-' } else { '+' };
    let minutes = quarters.abs() * 15;
    format!(
        "{}-{}-{}T{}:{}:{}.{}{sign}{:02}:{:02}",
        g(0, 4),
        g(4, 6),
        g(6, 8),
        g(8, 10),
        g(10, 12),
        g(12, 14),
        g(14, 16),
        minutes / 60,
        minutes % 60
    )
}

fn boot_entry(e: &BootEntry) -> Value {
    json!({
        "bootable": e.bootable,
        "platform": platform(e.platform),
        "emulation": emulation(e.emulation),
        "load_segment": format!("0x{:04x}", e.load_segment),
        "system_type": e.system_type,
        "sector_count": e.sector_count,
        "load_rba": e.load_rba,
        "section_id": e.section_id,
        "image_size": e.image_len,
    })
}

#[allow(unreachable_patterns)] // the enums may grow
fn platform(p: Platform) -> String {
    match p {
        Platform::X86Bios => "x86 BIOS".into(),
        Platform::PowerPc => "PowerPC".into(),
        Platform::Mac => "Mac".into(),
        Platform::Efi => "UEFI".into(),
        Platform::Other(n) => format!("0x{n:02x}"),
        other => format!("{other:?}"),
    }
}

#[allow(unreachable_patterns)] // the enums may grow
fn emulation(e: Emulation) -> String {
    match e {
        Emulation::NoEmulation => "no emulation".into(),
        Emulation::Floppy1200 => "1.2 MB floppy".into(),
        Emulation::Floppy1440 => "1.44 MB floppy".into(),
        Emulation::Floppy2880 => "2.88 MB floppy".into(),
        Emulation::HardDisk => "hard disk".into(),
        Emulation::Other(n) => format!("0x{n:02x}"),
        other => format!("{other:?}"),
    }
}

#[allow(unreachable_patterns)] // the enums may grow
fn partition_table(t: &PartitionTable) -> Value {
    let scheme = match t.scheme {
        Scheme::Mbr => "MBR".to_string(),
        Scheme::Gpt => "GPT".to_string(),
        other => format!("{other:?}"),
    };
    json!({
        "scheme": scheme,
        "disk_id": t.disk_id,
        "partitions": t.partitions.iter().map(|p| json!({
            "number": p.number,
            "type_id": p.type_id,
            "type_name": p.type_name,
            "start_sector": p.start_sector,
            "sector_count": p.sector_count,
            "bootable": p.bootable,
            "name": p.name,
        })).collect::<Vec<_>>(),
    })
}

/// Aligned "key: value" lines; nested objects indented under their key,
/// arrays of objects numbered. Strings are escaped for the terminal.
fn render(v: &Value, indent: usize, out: &mut String) {
    let Value::Object(map) = v else {
        return;
    };
    let width = map
        .iter()
        .filter(|(_, v)| is_scalar(v))
        .map(|(k, _)| k.len())
        .max()
        .unwrap_or(0);
    let pad = " ".repeat(indent);
    for (k, v) in map {
        let label = k.replace('_', " ");
        match v {
            Value::Object(_) if inline(v).is_none() => {
                out.push_str(&format!("{pad}{label}:\n"));
                render(v, indent + 2, out);
            }
            Value::Array(items) if !is_scalar(v) => {
                for (i, item) in items.iter().enumerate() {
                    out.push_str(&format!("{pad}{label} #{}:\n", i + 1));
                    render(item, indent + 2, out);
                }
            }
            _ => {
                out.push_str(&format!(
                    "{pad}{label}:{} {}\n",
                    " ".repeat(width.saturating_sub(k.len())),
                    scalar(v)
                ));
            }
        }
    }
}

/// Dates and timestamps print on one line.
fn inline(v: &Value) -> Option<String> {
    let digits = v.get("digits").and_then(Value::as_str);
    if let Some(digits) = digits {
        let offset = v
            .get("gmt_offset")
            .map(Value::to_string)
            .unwrap_or_default();
        return Some(match v.get("iso8601").and_then(Value::as_str) {
            Some(iso) => format!("{iso}  (digits {digits}, gmt offset {offset})"),
            None => format!("not specified  (digits {})", term::escape(digits)),
        });
    }
    if let (Some(lba), Some(ty), Some(2)) = (
        v.get("lba"),
        v.get("type").and_then(Value::as_str),
        v.as_object().map(Map::len),
    ) {
        return Some(format!("{ty} (LBA {lba})"));
    }
    if let (Some(n), Some(start), Some(size), Some(id)) = (
        v.get("number"),
        v.get("start_lba"),
        v.get("volume_space_size"),
        v.get("volume_identifier").and_then(Value::as_str),
    ) {
        return Some(format!(
            "{n} at LBA {start} ({size} blocks, {})",
            scalar(&Value::String(id.to_string()))
        ));
    }
    let utc = v.get("utc").and_then(Value::as_str)?;
    Some(format!("{utc}  (unix {})", v.get("unix")?))
}

fn is_scalar(v: &Value) -> bool {
    match v {
        Value::Object(_) => inline(v).is_some(),
        Value::Array(items) => items.iter().all(|i| !i.is_object() || inline(i).is_some()),
        _ => true,
    }
}

fn scalar(v: &Value) -> String {
    if let Some(s) = inline(v) {
        return s;
    }
    match v {
        Value::Null => "-".into(),
        Value::String(s) if s.is_empty() => "\"\"".into(),
        Value::String(s) => term::escape(s).into_owned(),
        Value::Array(items) if items.is_empty() => "none".into(),
        Value::Array(items) => items.iter().map(scalar).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}
