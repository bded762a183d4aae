//! `iocp-sim serve FILE`: the browser sandbox on localhost. A tiny HTTP
//! server on 127.0.0.1 (one request at a time): `/` is the player page,
//! `/api?moves=..&flavor=..&lang=..` replays the student's moves with the
//! model (`views::sandbox::answer`) and answers in JSON.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use super::{FlavorArg, LangArg, EXIT_BAD_INPUT};
use crate::model::Flavor;
use crate::narrate::Lang;
use crate::scenario::Scenario;
use crate::views::sandbox;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The scenario file (format iocp-sim/1).
    file: PathBuf,
    /// Start in this flavour instead of the one the file names.
    #[arg(long, value_enum)]
    flavor: Option<FlavorArg>,
    /// Language of the page (a button switches).
    #[arg(long, value_enum, default_value_t = LangArg::En)]
    lang: LangArg,
    /// The port on 127.0.0.1 (0: any free port; the address is printed).
    #[arg(long, default_value_t = 8613)]
    port: u16,
}

/// The longest request line and headers read.
const MAX_REQUEST: usize = 16 * 1024;

/// Runs `iocp-sim serve`.
pub fn main(args: Args) -> ExitCode {
    let (scenario, flavor) = match super::load_scenario(&args.file, args.flavor) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let lang: Lang = args.lang.into();
    let listener = match TcpListener::bind(("127.0.0.1", args.port)) {
        Ok(l) => l,
        Err(e) => {
            errln!("error: cannot listen on 127.0.0.1:{}: {e}", args.port);
            return ExitCode::from(EXIT_BAD_INPUT);
        }
    };
    let addr = listener
        .local_addr()
        .map(|a| a.to_string())
        .unwrap_or_default();
    outln!(
        "serving {} on http://{addr}/ (Ctrl-C stops)",
        args.file.display()
    );
    let _ = std::io::stdout().flush();
    let page = sandbox::page(&scenario, flavor, lang);
    for stream in listener.incoming().flatten() {
        if let Err(e) = serve_one(stream, &scenario, flavor, &page) {
            errln!("warning: {e}");
        }
    }
    ExitCode::SUCCESS
}

fn serve_one(
    stream: TcpStream,
    scenario: &Scenario,
    flavor: Flavor,
    page: &str,
) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut reader = BufReader::new((&stream).take(MAX_REQUEST as u64));
    let mut line = String::new();
    reader.read_line(&mut line)?;
    // Skip the headers (a GET has no body).
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h)? == 0 || h == "\r\n" || h == "\n" {
            break;
        }
    }
    let mut parts = line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let (status, kind, body) = match (method, path) {
        ("GET", "/") => ("200 OK", "text/html; charset=utf-8", page.to_owned()),
        ("GET", "/api") => match sandbox::answer(scenario, flavor, query) {
            Ok(a) => (
                "200 OK",
                "application/json",
                serde_json::to_string(&a).expect("answers serialise"),
            ),
            Err(e) => (
                "400 Bad Request",
                "text/plain; charset=utf-8",
                e.to_string(),
            ),
        },
        ("GET", _) => (
            "404 Not Found",
            "text/plain; charset=utf-8",
            "not found".into(),
        ),
        _ => (
            "405 Method Not Allowed",
            "text/plain; charset=utf-8",
            "only GET".into(),
        ),
    };
    let mut out = &stream;
    write!(
        out,
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
        body.len()
    )?;
    out.write_all(body.as_bytes())?;
    out.flush()
}
