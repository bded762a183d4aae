//! `iocp-sim run FILE`: every step as text, or as one JSON object per line.

use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::{FlavorArg, LangArg, EXIT_BAD_INPUT, EXIT_FAILED};
use crate::model::{Flavor, Names};
use crate::narrate::Lang;
use crate::render::{json, text};
use crate::runner::Runner;
use crate::scenario::{self, ScenarioError, Sink, Step, World};

/// Arguments of `iocp-sim run`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The scenario file (format iocp-sim/1).
    file: PathBuf,
    /// Simulate this flavour instead of the one the file names.
    #[arg(long, value_enum)]
    flavor: Option<FlavorArg>,
    /// Write one JSON object per step (streamed) instead of text.
    #[arg(long)]
    json: bool,
    /// With --json: add each rule's narration sentence as "text".
    #[arg(long, requires = "json")]
    narration: bool,
    /// Language of the narration.
    #[arg(long, value_enum, default_value_t = LangArg::En)]
    lang: LangArg,
}

struct Printer<W: Write> {
    out: W,
    json: bool,
    narration: bool,
    lang: Lang,
    flavor: Option<Flavor>,
    runner: Option<Runner>,
    buf: Vec<u8>,
    failed: usize,
    path: String,
    /// Standard output was closed by the reader (EPIPE): stop quietly.
    closed: bool,
}

fn io_err(path: &str, e: io::Error) -> ScenarioError {
    ScenarioError::write(path, e)
}

impl<W: Write> Printer<W> {
    /// The error for a failed write; notes a closed pipe.
    fn failed_write(&mut self, e: io::Error) -> ScenarioError {
        if e.kind() == io::ErrorKind::BrokenPipe {
            self.closed = true;
        }
        io_err(&self.path, e)
    }
}

impl<W: Write> Sink for Printer<W> {
    fn world(&mut self, world: &World, _: &Names) -> Result<(), ScenarioError> {
        let flavor = self.flavor.unwrap_or(world.flavor);
        self.runner = Some(Runner::new(world, flavor));
        if !self.json {
            let h = text::header(world, flavor.as_str(), self.lang);
            if let Err(e) = self.out.write_all(h.as_bytes()) {
                return Err(self.failed_write(e));
            }
        }
        Ok(())
    }

    fn step(&mut self, step: Step, names: &Names) -> Result<(), ScenarioError> {
        let runner = self.runner.as_mut().expect("world comes first");
        let report = runner.step(&step, names);
        self.failed += report.mismatches.len();
        if self.json {
            json::step(
                &mut self.buf,
                &step,
                &report,
                runner.outcome(),
                runner.kernel(),
                names,
                self.narration.then_some(self.lang),
            );
            if self.buf.len() > 1 << 16 {
                if let Err(e) = json::flush(&mut self.buf, &mut self.out) {
                    return Err(self.failed_write(e));
                }
            }
        } else {
            let s = text::step(
                &step,
                &report,
                runner.outcome(),
                runner.kernel(),
                names,
                self.lang,
            );
            if let Err(e) = self.out.write_all(s.as_bytes()) {
                return Err(self.failed_write(e));
            }
        }
        match report.stop(&step, &self.path) {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

/// Streams `file` through the model and writes one JSON object per step to
/// `out`. Returns the number of expectations that failed.
pub fn write_json(
    file: &Path,
    flavor: Option<Flavor>,
    narration: Option<Lang>,
    out: impl Write,
) -> Result<usize, ScenarioError> {
    let path = file.display().to_string();
    let mut p = Printer {
        out,
        json: true,
        narration: narration.is_some(),
        lang: narration.unwrap_or_default(),
        flavor,
        runner: None,
        buf: Vec::with_capacity(1 << 17),
        failed: 0,
        path: path.clone(),
        closed: false,
    };
    let res = scenario::stream(file, &mut p);
    json::flush(&mut p.buf, &mut p.out).map_err(|e| io_err(&path, e))?;
    p.out.flush().map_err(|e| io_err(&path, e))?;
    res.map(|_| p.failed)
}

/// Runs `iocp-sim run`.
pub fn main(args: Args) -> ExitCode {
    let stdout = io::stdout();
    let path = args.file.display().to_string();
    let mut p = Printer {
        out: BufWriter::with_capacity(1 << 16, stdout.lock()),
        json: args.json,
        narration: args.narration,
        lang: args.lang.into(),
        flavor: args.flavor.map(Flavor::from),
        runner: None,
        buf: Vec::with_capacity(1 << 17),
        failed: 0,
        path: path.clone(),
        closed: false,
    };
    let res = scenario::stream(&args.file, &mut p);
    let mut end = json::flush(&mut p.buf, &mut p.out);
    if let (Ok(names), false, Ok(())) = (&res, p.json, &end) {
        if let Some(r) = &p.runner {
            end = p
                .out
                .write_all(text::summary(r.summary(), names, p.lang).as_bytes());
        }
    }
    let end = end.and_then(|()| p.out.flush());
    let closed = p.closed || end.is_err_and(|e| e.kind() == io::ErrorKind::BrokenPipe);
    drop(p.out);
    if closed {
        // The reader stopped reading (`| head`): end quietly, as Unix tools do.
        return ExitCode::SUCCESS;
    }
    match res {
        Err(e) => {
            super::print_scenario_error(&e);
            ExitCode::from(EXIT_BAD_INPUT)
        }
        Ok(_) if p.failed > 0 => {
            errln!("{path}: {} expectation(s) failed", p.failed);
            ExitCode::from(EXIT_FAILED)
        }
        Ok(_) => ExitCode::SUCCESS,
    }
}
