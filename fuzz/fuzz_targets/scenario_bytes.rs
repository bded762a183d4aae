//! Fuzz target `scenario_bytes`: the checks are `iocp_sim::fuzzing::scenario_bytes`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| iocp_sim::fuzzing::scenario_bytes(data));
