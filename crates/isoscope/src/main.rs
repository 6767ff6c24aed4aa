//! `isoscope [IMAGE]`: the desktop window.

fn main() -> anyhow::Result<()> {
    isoscope::run(std::env::args_os().skip(1).collect())
}
