//! Fuzz target `extract`: see [`iso_core_fuzz::extract`]. Without the fuzzer it
//! reads one input from stdin.
#![cfg_attr(fuzzing, no_main)]

#[cfg(fuzzing)]
libfuzzer_sys::fuzz_target!(|data: &[u8]| iso_core_fuzz::extract(data));

#[cfg(not(fuzzing))]
fn main() {
    iso_core_fuzz::extract(&iso_core_fuzz::stdin_input());
}
