//! Extracts a whole image with the engine alone (for benchmarks until the
//! CLI is used): `extract IMAGE DEST [THREADS]`, or `extract --hash IMAGE
//! [ALGO…]` to hash it.
use std::path::Path;

use iso_core::extract::{extract, Cancel, ExtractOptions, Progress};
use iso_core::verify::{hash_path, Algorithm};
use iso_core::{Image, OpenOptions};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--hash") {
        let path = args.get(1).ok_or("usage: extract --hash IMAGE [ALGO…]")?;
        let algos: Vec<Algorithm> = if args.len() > 2 {
            args[2..]
                .iter()
                .map(|a| a.parse())
                .collect::<Result<_, _>>()?
        } else {
            Algorithm::ALL.to_vec()
        };
        for d in hash_path(Path::new(path), &algos, &Progress::new(), &Cancel::new())? {
            println!("{} {}", d.algorithm, d.hex());
        }
        return Ok(());
    }
    let (Some(img), Some(dest)) = (args.first(), args.get(1)) else {
        return Err("usage: extract IMAGE DEST [THREADS]".into());
    };
    let threads = args.get(2).map_or(Ok(0), |t| t.parse())?;
    let image = Image::open(Path::new(img), &OpenOptions::default())?;
    let view = image.default_view().ok_or("no readable view")?;
    let tree = image.tree(view)?;
    let opts = ExtractOptions {
        threads,
        ..Default::default()
    };
    let out = extract(
        &image,
        &tree,
        &[tree.root()],
        Path::new(dest),
        &opts,
        &Progress::new(),
        &Cancel::new(),
    )?;
    eprintln!(
        "{} files, {} dirs, {} links, {} bytes; {} skipped, {} renamed, {} failed",
        out.files_written,
        out.dirs_created,
        out.links_created,
        out.bytes_written,
        out.skipped.len(),
        out.renamed.len(),
        out.failed.len()
    );
    Ok(())
}
