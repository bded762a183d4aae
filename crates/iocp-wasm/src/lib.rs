//! The browser's lesson engine as a WebAssembly module: `iocp_sim::views::web`
//! behind three C-ABI functions, so a page needs no generated glue:
//!
//! ```js
//! const { instance } = await WebAssembly.instantiate(bytes, {});
//! const x = instance.exports;
//! const req = new TextEncoder().encode(JSON.stringify({ op: "words", lang: "ko" }));
//! const p = x.iocp_alloc(req.length);
//! new Uint8Array(x.memory.buffer, p, req.length).set(req);
//! const n = x.iocp_call(p, req.length);            // takes the buffer back
//! const answer = new TextDecoder().decode(new Uint8Array(x.memory.buffer, x.iocp_answer(), n));
//! ```
//!
//! `iocp_alloc(len)` gives the page a buffer of `len` bytes in the module's
//! memory; `iocp_call(ptr, len)` takes that buffer back (the request, UTF-8
//! JSON), answers it with [`Engine::handle`] and returns the answer's
//! length; `iocp_answer()` points at the answer, valid until the next call.
//! The module imports nothing. Built by `.ci/wasm-build.sh` (see
//! `docs/classroom-views.md`); the logic is tested on the host in
//! `iocp_sim::views::web`.

use std::cell::RefCell;

use iocp_sim::views::web::Engine;

thread_local! {
    static ENGINE: RefCell<Engine> = RefCell::new(Engine::new());
    static ANSWER: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// A buffer of `len` bytes for a request; [`iocp_call`] takes it back.
#[no_mangle]
pub extern "C" fn iocp_alloc(len: usize) -> *mut u8 {
    Box::into_raw(vec![0u8; len].into_boxed_slice()).cast()
}

/// Answers the request in the buffer `ptr..ptr+len` (from [`iocp_alloc`],
/// which this frees) and returns the answer's length in bytes.
///
/// # Safety
/// `ptr` and `len` are those of one [`iocp_alloc`] not yet taken back.
#[no_mangle]
pub unsafe extern "C" fn iocp_call(ptr: *mut u8, len: usize) -> usize {
    // SAFETY: the caller passes a buffer iocp_alloc made, of this length.
    let request = unsafe { Box::from_raw(std::ptr::slice_from_raw_parts_mut(ptr, len)) };
    let answer = match std::str::from_utf8(&request) {
        Ok(text) => ENGINE.with(|e| e.borrow_mut().handle(text)),
        Err(e) => format!(r#"{{"error":"the request is not UTF-8: {e}"}}"#),
    };
    ANSWER.with(|a| {
        let mut a = a.borrow_mut();
        *a = answer.into_bytes();
        a.len()
    })
}

/// The last answer's first byte (its length is what [`iocp_call`] returned).
#[no_mangle]
pub extern "C" fn iocp_answer() -> *const u8 {
    ANSWER.with(|a| a.borrow().as_ptr())
}
