//! Writes a plain ISO as raw Mode 1 sectors (2352 bytes: sync, header,
//! user data, EDC, P/Q ECC) for the container benchmark:
//! `cargo run --example raw_encode -- IN.iso OUT.bin`.

use std::io::{BufReader, BufWriter, Read, Write};

use iso_core::source::raw::{encode_mode1, write_sync_header, RAW_LEN, USER_LEN};

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(input), Some(output)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: raw_encode IN.iso OUT.bin");
        std::process::exit(2);
    };
    let mut r = BufReader::with_capacity(1 << 20, std::fs::File::open(input)?);
    let mut w = BufWriter::with_capacity(1 << 20, std::fs::File::create(output)?);
    let mut user = [0u8; USER_LEN];
    let mut lba = 0u32;
    loop {
        match r.read_exact(&mut user) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => break,
            Err(e) => return Err(e),
        }
        let mut s = [0u8; RAW_LEN];
        write_sync_header(&mut s, lba, 1);
        s[16..16 + USER_LEN].copy_from_slice(&user);
        encode_mode1(&mut s);
        w.write_all(&s)?;
        lba += 1;
    }
    w.flush()
}
