//! Replays every input kept in `fuzz/regressions/<target>/` through the
//! target's checks (`iocp_sim::fuzzing`), on the stable toolchain: an input
//! that once failed must keep passing. See docs/fuzzing.md.

use std::path::Path;

#[test]
fn every_kept_input_passes_its_target() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions");
    let mut replayed = 0;
    for (target, check) in iocp_sim::fuzzing::TARGETS {
        let dir = root.join(target);
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.expect("entry").path())
            .collect();
        files.sort();
        assert!(!files.is_empty(), "{} holds no input", dir.display());
        for f in files {
            let bytes = std::fs::read(&f).expect("read a kept input");
            let run = std::panic::catch_unwind(|| check(&bytes));
            assert!(run.is_ok(), "{target}: {} fails again", f.display());
            replayed += 1;
        }
    }
    assert!(replayed >= iocp_sim::fuzzing::TARGETS.len());
}
