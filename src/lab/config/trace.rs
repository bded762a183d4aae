//! Reading the files a configuration names: the configuration itself and
//! an arrivals trace, each up to a size checked while reading (a larger or
//! endless file is refused after that many bytes).

use std::path::Path;

use super::error::ConfigError;
use super::limits::MAX_TRACE_BYTES;
use crate::lab::dist::to_ns;

/// Reads a UTF-8 text file of at most `limit` bytes; `Ok(None)` when it holds more.
pub fn read_limited(path: &Path, limit: u64) -> std::io::Result<Option<String>> {
    use std::io::Read;
    let mut text = String::new();
    std::fs::File::open(path)?
        .take(limit + 1)
        .read_to_string(&mut text)?;
    Ok((text.len() as u64 <= limit).then_some(text))
}

/// Reads a trace: one arrival time per line, in microseconds from the start,
/// non-decreasing; blank lines and `#` comments are skipped.
/// The file may hold at most [`MAX_TRACE_BYTES`]; a larger one (or an
/// endless one such as `/dev/zero`) is refused after reading that much.
pub fn read_trace(path: &Path) -> Result<Vec<u64>, ConfigError> {
    let file = path.display().to_string();
    let text = read_limited(path, MAX_TRACE_BYTES)
        .map_err(|e| ConfigError::io(&file, "cannot read the trace", e))?
        .ok_or_else(|| {
            ConfigError::new(
                &file,
                format!(
                    "the trace is larger than the limit of {} MiB",
                    MAX_TRACE_BYTES >> 20
                ),
            )
        })?;
    let mut times = Vec::new();
    let mut last = 0u64;
    for (i, line) in text.lines().enumerate() {
        let body = line.split('#').next().unwrap_or("").trim();
        if body.is_empty() {
            continue;
        }
        let bad = |message: String| ConfigError {
            line: Some(i + 1),
            ..ConfigError::new(&file, message)
        };
        let us: f64 = body
            .parse()
            .map_err(|_| bad(format!("`{body}` is not a time in microseconds")))?;
        if !us.is_finite() || us < 0.0 {
            return Err(bad(format!(
                "`{body}` is not a time (0 or more microseconds)"
            )));
        }
        let t = to_ns(us * 1000.0);
        if t < last {
            return Err(bad(format!(
                "times must not go back: {body}us comes after {}us",
                last as f64 / 1000.0
            )));
        }
        last = t;
        times.push(t);
    }
    if times.is_empty() {
        return Err(ConfigError::new(&file, "the trace holds no arrival time"));
    }
    Ok(times)
}
