//! Fuzz target `lab_toml`: the checks are `iocp_sim::fuzzing::lab_toml`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| iocp_sim::fuzzing::lab_toml(data));
