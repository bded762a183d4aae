//! The offline HTML player (`iocp-sim export --html`).
