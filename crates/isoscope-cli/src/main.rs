//! isoscope-cli: placeholder until the CLI lands.
fn main() {}
