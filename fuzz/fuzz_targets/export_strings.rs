//! Fuzz target `export_strings`: the checks are `iocp_sim::fuzzing::export_strings`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| iocp_sim::fuzzing::export_strings(data));
