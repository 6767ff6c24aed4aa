//! `cat`: one file's content to stdout (zisofs decompressed by iso-core).

use std::io::{self, Read, Write};

use iso_core::NodeKind;

use crate::args::CatArgs;
use crate::{Failure, Outcome, DAMAGED, OK};

/// Runs `cat`.
pub fn run(args: &CatArgs) -> Outcome {
    let image = crate::open_image(&args.image)?;
    let view = crate::pick_view(&image, args.view)?;
    let tree = crate::load_tree(&image, view)?;
    let node = tree
        .lookup(&args.path)
        .map_err(|e| Failure::from_core("cat", &e))?;
    match tree.kind(node) {
        NodeKind::File => {}
        NodeKind::Dir => {
            return Err(Failure::usage(format!(
                "cat: {} is a directory (use `ls` to list it)",
                args.path
            )))
        }
        NodeKind::Symlink => {
            return Err(Failure::usage(format!(
                "cat: {} is a symbolic link to {}",
                args.path,
                tree.link_target(node).unwrap_or("?")
            )))
        }
        other => {
            return Err(Failure::usage(format!(
                "cat: {} is a {}, not a file",
                args.path,
                other.as_str()
            )))
        }
    }
    let mut reader = image
        .open_file(&tree, node)
        .map_err(|e| Failure::from_core(&format!("cat: {}", args.path), &e))?;
    let stdout = io::stdout();
    let mut out = stdout.lock();
    let mut buf = vec![0u8; 1 << 17];
    loop {
        if crate::cancelled() {
            return Err(Failure::interrupted());
        }
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => {
                let _ = out.flush();
                return Err(Failure::damaged(format!(
                    "cat: reading {} failed: {e}",
                    args.path
                )));
            }
        };
        out.write_all(buf.get(..n).unwrap_or_default())
            .map_err(Failure::stdout)?;
    }
    out.flush().map_err(Failure::stdout)?;
    Ok(if crate::damaged(&image, &tree) {
        DAMAGED
    } else {
        OK
    })
}
