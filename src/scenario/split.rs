//! A fast path for reading scenario files: a small scanner that cuts the
//! top-level object into its members and the `steps` array into its
//! elements, reading the file in blocks, so that each element can be parsed
//! by serde_json from a byte slice (much faster than from a reader) while
//! memory stays flat: only one step's bytes are held at a time.
//!
//! The scanner only tracks strings and nesting; it validates nothing else.
//! Whenever it or serde_json finds anything wrong, the caller re-reads the
//! file with the plain serde_json reader, which reports the mistake with
//! its exact line and column.

use std::io::{self, BufRead};

/// The scanner found the text is not a well-formed top-level object.
#[derive(Debug)]
pub struct Malformed;

impl From<io::Error> for Malformed {
    fn from(_: io::Error) -> Malformed {
        Malformed
    }
}

/// Reads a JSON document from a buffered reader, byte by byte, counting lines.
pub struct Scanner<R: BufRead> {
    reader: R,
    /// 1-based line and column of the next byte.
    pub line: usize,
    /// 1-based column of the next byte.
    pub column: usize,
}

impl<R: BufRead> Scanner<R> {
    /// A scanner at the start of `reader`.
    pub fn new(reader: R) -> Self {
        Scanner {
            reader,
            line: 1,
            column: 1,
        }
    }

    fn peek(&mut self) -> Result<Option<u8>, Malformed> {
        Ok(self.reader.fill_buf()?.first().copied())
    }

    fn bump(&mut self, b: u8) {
        self.reader.consume(1);
        if b == b'\n' {
            self.line += 1;
            self.column = 1;
        } else {
            self.column += 1;
        }
    }

    /// Skips white space; returns the next byte without consuming it.
    pub fn skip_ws(&mut self) -> Result<Option<u8>, Malformed> {
        loop {
            match self.peek()? {
                Some(b @ (b' ' | b'\t' | b'\n' | b'\r')) => self.bump(b),
                other => return Ok(other),
            }
        }
    }

    /// Consumes `want` after optional white space.
    pub fn expect(&mut self, want: u8) -> Result<(), Malformed> {
        match self.skip_ws()? {
            Some(b) if b == want => {
                self.bump(b);
                Ok(())
            }
            _ => Err(Malformed),
        }
    }

    /// Reads a key string (no escapes allowed: keys of this format are plain words).
    pub fn key(&mut self) -> Result<String, Malformed> {
        self.expect(b'"')?;
        let mut k = Vec::new();
        loop {
            match self.peek()? {
                Some(b'"') => {
                    self.bump(b'"');
                    return String::from_utf8(k).map_err(|_| Malformed);
                }
                Some(b'\\') | None => return Err(Malformed),
                Some(b) if b < 0x20 => return Err(Malformed),
                Some(b) => {
                    self.bump(b);
                    k.push(b);
                }
            }
        }
    }

    /// Reads one value (after white space) into `out` (if given), tracking
    /// strings and nesting only. Returns the line and column where it starts.
    pub fn value(&mut self, mut out: Option<&mut Vec<u8>>) -> Result<(usize, usize), Malformed> {
        self.skip_ws()?;
        let start = (self.line, self.column);
        let mut depth = 0usize;
        let mut in_string = false;
        let mut escape = false;
        let mut seen = false;
        loop {
            let buf = self.reader.fill_buf()?;
            if buf.is_empty() {
                return Err(Malformed);
            }
            let mut done = false;
            let mut i = 0;
            let n = buf.len();
            while i < n {
                if in_string {
                    // To the string's end, byte by byte: the strings of a
                    // step are mostly short names, for which a search call
                    // costs more than it saves.
                    while i < n {
                        let b = buf[i];
                        i += 1;
                        if escape {
                            escape = false;
                        } else if b == b'\\' {
                            escape = true;
                        } else if b == b'"' {
                            in_string = false;
                            break;
                        }
                    }
                    if !in_string && depth == 0 {
                        done = true;
                        break;
                    }
                    continue;
                }
                let b = buf[i];
                if depth == 0 && seen && matches!(b, b',' | b'}' | b']') {
                    // The end of a scalar value.
                    done = true;
                    break;
                }
                seen = true;
                i += 1;
                match b {
                    b'"' => in_string = true,
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        if depth == 0 {
                            return Err(Malformed);
                        }
                        depth -= 1;
                        if depth == 0 {
                            done = true;
                            break;
                        }
                    }
                    _ => {}
                }
            }
            let used = i;
            let consumed = &buf[..used];
            match memchr::memrchr(b'\n', consumed) {
                Some(last) => {
                    self.line += memchr::memchr_iter(b'\n', consumed).count();
                    self.column = used - last;
                }
                None => self.column += used,
            }
            if let Some(o) = out.as_deref_mut() {
                o.extend_from_slice(&buf[..used]);
            }
            self.reader.consume(used);
            if done {
                return Ok(start);
            }
        }
    }
}

/// Maps a serde_json error position inside a value that starts at
/// `(line, column)` of the file to a position in the file.
pub fn file_position(start: (usize, usize), e: &serde_json::Error) -> (usize, usize) {
    if e.line() <= 1 {
        (start.0, start.1 + e.column().saturating_sub(1))
    } else {
        (start.0 + e.line() - 1, e.column())
    }
}
