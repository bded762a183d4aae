//! Fuzz target `explore_spec`: the checks are `iocp_sim::fuzzing::explore_spec`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| iocp_sim::fuzzing::explore_spec(data));
