//! Prints every entry of an image's views: `cargo run --example dump IMAGE [VIEW]`.
use iso_core::{Image, OpenOptions, View};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().ok_or("usage: dump IMAGE [VIEW]")?;
    let image = Image::open(path.as_ref(), &OpenOptions::default())?;
    println!("views: {:?}", image.views());
    for w in image.warnings() {
        println!("warning: {w}");
    }
    let view: View = match args.next() {
        Some(v) => v.parse()?,
        None => image.default_view().ok_or("no view")?,
    };
    let tree = image.tree(view)?;
    for id in tree.walk(tree.root()) {
        println!(
            "{}\t{}\t{}\t{:?}",
            tree.path(id),
            tree.kind(id).as_str(),
            tree.size(id),
            tree.link_target(id)
        );
    }
    for w in tree.warnings() {
        println!("warning: {w}");
    }
    Ok(())
}
