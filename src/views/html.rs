//! The one-file classroom page (`iocp-sim export --html`, `iocp-sim
//! course --html`): the player's code and style (`player.html`), the lesson
//! engine ([`ENGINE`], the WebAssembly build of [`super::web`]) as base64,
//! and the page's files (lessons, challenges, a course's orders) as JSON.
//! Offline: a Content-Security-Policy forbids every fetch; the module is
//! instantiated from the bytes in the page, so it opens from `file://`.
//!
//! Nothing is computed here but the page's title: the run, its frames and
//! every sentence are the engine's answers in the browser. What comes from
//! files reaches the page either HTML-escaped (the `<title>` and the
//! heading shown before the engine starts) or inside the JSON block with
//! `<`, `>` and `&` written as `\u003c`-style escapes, and the script only
//! ever puts text into the page with `textContent`.

use std::collections::BTreeMap;
use std::io::{self, Write};

use base64::engine::general_purpose::STANDARD;
use serde::Serialize;

use super::web::Index;
use crate::escape::{self, ScriptJson};
use crate::model::Flavor;
use crate::narrate::Lang;

const TEMPLATE: &str = include_str!("player.html");

/// The lesson engine: the WebAssembly module that `.ci/wasm-build.sh`
/// builds from `crates/iocp-wasm` (committed; CI rebuilds it and checks
/// the bytes).
#[cfg(not(target_arch = "wasm32"))]
pub const ENGINE: &[u8] = include_bytes!("web/engine.wasm");
#[cfg(target_arch = "wasm32")]
const ENGINE: &[u8] = &[];

/// The data block the script reads.
#[derive(Serialize)]
struct Data<'a> {
    lang: &'static str,
    start: &'a str,
    flavor: Option<&'static str>,
    course: Option<&'a Index>,
    files: &'a BTreeMap<String, String>,
}

/// A page: its files by name, where it starts, and (for a course) the
/// orders of its index.
#[derive(Clone, Debug)]
pub struct Page {
    /// Lessons and challenges by name (a path relative to the course
    /// folder, or a lesson's file name), each as its file's text.
    pub files: BTreeMap<String, String>,
    /// The file shown first.
    pub start: String,
    /// The flavour shown first (`None`: the file's own).
    pub flavor: Option<Flavor>,
    /// The language shown first (a button switches).
    pub lang: Lang,
    /// The page's title before the engine starts (the start file's title).
    pub title: String,
    /// A course's orders: the page then has an index.
    pub course: Option<Index>,
}

impl Page {
    /// The page of one lesson: `name` (its file name) and its text.
    pub fn lesson(name: &str, text: &str, title: &str, flavor: Option<Flavor>, lang: Lang) -> Page {
        Page {
            files: BTreeMap::from([(name.to_owned(), text.to_owned())]),
            start: name.to_owned(),
            flavor,
            lang,
            title: title.to_owned(),
            course: None,
        }
    }

    fn data(&self) -> Data<'_> {
        Data {
            lang: self.lang.code(),
            start: &self.start,
            flavor: self.flavor.map(Flavor::as_str),
            course: self.course.as_ref(),
            files: &self.files,
        }
    }

    /// The page's size in bytes, computed without building it.
    pub fn bytes(&self) -> u64 {
        let mut n = Count(0);
        self.write(&mut n).expect("counting takes every byte");
        n.0
    }

    /// Writes the page to `out`.
    pub fn write(&self, out: &mut dyn Write) -> io::Result<()> {
        let (head, rest) = TEMPLATE
            .split_once("{{DATA}}")
            .expect("the template has a data slot");
        let (middle, tail) = rest
            .split_once("{{ENGINE}}")
            .expect("the template has an engine slot");
        let title = escape::markup(&self.title);
        let head = head
            .replace("{{LANG}}", self.lang.code())
            .replace("{{TITLE}}", &title);
        out.write_all(head.as_bytes())?;
        let mut safe = ScriptJson::new(&mut *out);
        serde_json::to_writer(&mut safe, &self.data())?;
        safe.finish()?;
        out.write_all(middle.as_bytes())?;
        let mut b64 = base64::write::EncoderWriter::new(&mut *out, &STANDARD);
        b64.write_all(ENGINE)?;
        b64.finish()?;
        drop(b64);
        out.write_all(tail.as_bytes())
    }

    /// The whole page as a string.
    pub fn html(&self) -> String {
        let mut out = Vec::new();
        self.write(&mut out).expect("a Vec takes every byte");
        String::from_utf8(out).expect("the page is UTF-8")
    }
}

/// A writer that only counts.
struct Count(u64);

impl Write for Count {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The page of one lesson given as its file's text (`name` is its file
/// name), starting in `flavor` and `lang`; `None` if the text is not a
/// scenario (the page would show the reader's error).
pub fn page(name: &str, text: &str, flavor: Flavor, lang: Lang) -> Option<String> {
    let sc = crate::scenario::load_str(name, text).ok()?;
    let title = sc.world.title.get(lang);
    Some(Page::lesson(name, text, &title, Some(flavor), lang).html())
}
