//! Fuzz target `terminal_text`: the checks are `iocp_sim::fuzzing::terminal_text`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| iocp_sim::fuzzing::terminal_text(data));
