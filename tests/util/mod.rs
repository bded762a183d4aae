//! Helpers shared by the integration tests that drive the `iocp-sim`
//! binary on files they write (one copy, included with `mod util;`).

#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// The built binary.
pub const BIN: &str = env!("CARGO_BIN_EXE_iocp-sim");

/// A fresh, empty directory for one test, under cargo's scratch directory
/// (`CARGO_TARGET_TMPDIR/SUITE/TEST`).
pub fn scratch(suite: &str, test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(suite)
        .join(test);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create scratch dir");
    dir
}

/// Writes `text` to `dir/name` and returns its path.
pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write test input");
    p
}
