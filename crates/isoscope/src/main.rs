//! `isoscope [IMAGE…]`: the desktop window; `isoscope --extract-here
//! IMAGE…` / `--extract-to IMAGE…`: the batch extraction window.

// A GUI program on Windows (PE subsystem "Windows GUI"): no console window
// opens behind it when Explorer starts it. Only for this binary on Windows;
// Linux and macOS builds and the tests are unaffected, and the CLI,
// isoscope-cli, stays a console program.
#![cfg_attr(windows, windows_subsystem = "windows")]

fn main() -> anyhow::Result<std::process::ExitCode> {
    isoscope::run(std::env::args_os().skip(1).collect())
}
