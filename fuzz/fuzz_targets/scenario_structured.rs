//! Fuzz target `scenario_structured`: the checks are `iocp_sim::fuzzing::scenario_structured`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| iocp_sim::fuzzing::scenario_structured(data));
