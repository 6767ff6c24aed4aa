//! Fuzz target `walk`: see [`iso_core_fuzz::walk`]. Without the fuzzer it
//! reads one input from stdin.
#![cfg_attr(fuzzing, no_main)]

#[cfg(fuzzing)]
libfuzzer_sys::fuzz_target!(|data: &[u8]| iso_core_fuzz::walk(data));

#[cfg(not(fuzzing))]
fn main() {
    iso_core_fuzz::walk(&iso_core_fuzz::stdin_input());
}
