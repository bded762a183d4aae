//! The SVG timeline (`iocp-sim export --svg`).
