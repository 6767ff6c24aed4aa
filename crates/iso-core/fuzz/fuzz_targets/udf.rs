//! Fuzz target `udf`: see [`iso_core_fuzz::udf`]. Without the fuzzer it
//! reads one input from stdin.
#![cfg_attr(fuzzing, no_main)]

#[cfg(fuzzing)]
libfuzzer_sys::fuzz_target!(|data: &[u8]| iso_core_fuzz::udf(data));

#[cfg(not(fuzzing))]
fn main() {
    iso_core_fuzz::udf(&iso_core_fuzz::stdin_input());
}
