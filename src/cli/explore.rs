//! `iocp-sim explore SPEC [--flavor F] [--find CONDITION] [--out FILE] [--max-states N]`:
//! every interleaving of an explore spec, breadth first; properties 1-7
//! checked on every transition; the shortest trace to a condition printed
//! and, with `--out`, written as an `iocp-sim/1` scenario.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::{bad, FlavorArg, EXIT_FAILED};
use crate::explore::symmetry::Symmetry;
use crate::explore::{self, trace, Condition, ModelRules, NotExact, Options, Search, Stop, World};
use crate::model::Flavor;

/// Arguments of `iocp-sim explore`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The explore spec (JSON, format iocp-sim-explore/1; see docs/explore.md).
    #[arg(required_unless_present = "schema")]
    spec: Option<PathBuf>,
    /// Explore this flavour instead of the spec's.
    #[arg(long, value_enum)]
    flavor: Option<FlavorArg>,
    /// Stop at the first (closest) state where this holds and print the
    /// shortest trace: over_limit, idle_with_work, held, lost > N,
    /// current > N (also iocq, wtq, rtl, ptl; ops > >= < <= ==).
    #[arg(long)]
    find: Option<String>,
    /// Write the trace found as an iocp-sim/1 scenario to this file.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Stop after this many distinct states.
    #[arg(long, default_value_t = 50_000_000)]
    max_states: usize,
    /// Stop when the world built from the spec and the state store together
    /// would need more than this many MiB.
    #[arg(long, default_value_t = 4096)]
    max_memory: usize,
    /// Do not probe forbidden calls in every state (property 7).
    #[arg(long)]
    no_probes: bool,
    /// Symmetry reduction (the default where sound): threads declared with
    /// `count: n` are interchangeable, so states that differ only by a
    /// permutation of them are searched once, as one orbit. The answer, the
    /// verdict and the trace (concrete and shortest) are the same, and an
    /// exhaustive search still tells the exact number of distinct states.
    /// Used by default whenever the spec declares such threads (no `--find`
    /// condition tells threads apart); this flag only says so explicitly,
    /// and cannot turn it on where it would not be sound.
    #[arg(long, overrides_with = "no_symmetry")]
    symmetry: bool,
    /// Search every concrete state, with no symmetry reduction (the counts
    /// are then the state graph's own, as SPIN or any other checker counts
    /// them).
    #[arg(long, overrides_with = "symmetry")]
    no_symmetry: bool,
    /// Threads expanding states (default: one per core). The counts, the
    /// trace and the verdict are the same whatever the number.
    #[arg(long)]
    threads: Option<usize>,
    /// Print the JSON Schema of explore specs and exit.
    #[arg(long)]
    schema: bool,
}

/// Runs `iocp-sim explore`.
pub fn main(args: Args) -> ExitCode {
    if args.schema {
        out!("{}", explore::SCHEMA);
        return ExitCode::SUCCESS;
    }
    let Some(path) = args.spec.as_ref() else {
        return bad("explore", "no spec file given".to_owned());
    };
    let shown = path.display().to_string();
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => return bad("explore", format!("{shown}: cannot read: {e}")),
    };
    let spec = match explore::parse(&text) {
        Ok(s) => s,
        Err(e) if super::long_errors() => {
            errln!("{}", crate::diagnostic::explore_spec(&e, &shown, &text));
            return ExitCode::from(super::EXIT_BAD_INPUT);
        }
        Err(e) => return bad("explore", format!("{shown}: {e}")),
    };
    let flavor: Option<Flavor> = args.flavor.map(Flavor::from);
    let find = match args.find.as_deref().map(Condition::parse) {
        None => None,
        Some(Ok(c)) => Some(c),
        Some(Err(e)) => return bad("explore", e),
    };
    let world = match World::new(&spec, flavor) {
        Ok(w) => w,
        Err(e) => return bad("explore", format!("{shown}: {e}")),
    };
    let opts = Options {
        find,
        max_states: args.max_states.max(1),
        max_bytes: args.max_memory.saturating_mul(1 << 20),
        probe_invalid: !args.no_probes,
        // `--symmetry` and `--no-symmetry` override each other (the last
        // wins); neither can turn the reduction on where it is not sound.
        symmetry: (args.symmetry || !args.no_symmetry)
            && Symmetry::sound_for(&world, find.as_ref()),
        threads: args
            .threads
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())),
        ..Options::default()
    };
    let layout = explore::pack::Layout::new(&world);
    outln!(
        "explore {shown}: {} ({} flavour, {} thread{})",
        world.title,
        world.flavor.as_str(),
        world.programs.len(),
        if world.programs.len() == 1 { "" } else { "s" }
    );
    if let Some(c) = &find {
        outln!("looking for: {c}");
    }

    let start = Instant::now();
    let mut bar: Option<ProgressBar> = None;
    let counted = if opts.symmetry && !world.interchangeable.is_empty() {
        "orbits"
    } else {
        "states"
    };
    let mut on_progress = |p: &explore::Progress| {
        let secs = start.elapsed().as_secs_f64();
        if bar.is_none() && secs > 0.5 {
            let b = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            b.set_style(
                ProgressStyle::with_template("{spinner} {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            b.enable_steady_tick(Duration::from_millis(200));
            bar = Some(b);
        }
        if let Some(b) = &bar {
            b.set_message(format!(
                "{} {counted} ({} expanded), depth {}, {:.0} {counted}/s, {} MiB",
                p.states,
                p.expanded,
                p.depth,
                p.states as f64 / secs.max(1e-9),
                p.bytes >> 20
            ));
        }
    };
    let result = explore::search(&world, &ModelRules, &opts, &mut on_progress);
    let elapsed = start.elapsed();
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let search = match result {
        Ok(s) => s,
        Err(e) => return bad("explore", format!("{shown}: {e}")),
    };
    let code = report(&world, &search, &args, &shown, find.as_ref());
    let states = search.store.len();
    let secs = elapsed.as_secs_f64();
    let unit = if search.symmetry.is_some() {
        outln!("{}", symmetry_line(&world, &search));
        "orbit"
    } else {
        "state"
    };
    outln!(
        "{} {}, {} transitions checked against properties {} (those that hold in {}), {} forbidden calls probed, depth {}, {:.3} s, {} {unit}s/s, {:.1} bytes/{unit} ({} bits = {} word(s) per key)",
        grouped(states as u128),
        match (&search.symmetry, args.no_symmetry) {
            (Some(_), _) => "orbits",
            (None, true) => "distinct states (no symmetry reduction: --no-symmetry)",
            (None, false) if world.interchangeable.is_empty() => "distinct states (no symmetry reduction: no two threads are interchangeable)",
            (None, false) => "distinct states (no symmetry reduction: the --find condition tells threads apart)",
        },
        grouped(u128::from(search.transitions)),
        match world.flavor {
            Flavor::Windows => "1-7",
            Flavor::Wine => "1, 2, 5 and 7",
            Flavor::Wine10 => "1, 2, 4, 5 and 7",
        },
        world.flavor.as_str(),
        grouped(u128::from(search.probes)),
        search.depth,
        secs,
        grouped((states as f64 / secs.max(1e-9)) as u128),
        search.store.bytes_per_state(),
        layout.bits,
        layout.words,
    );
    code
}

/// `n` with its digits in groups of three: 8,024,256.
fn grouped(n: u128) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() * 4 / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The line a reduced search prints before its counts: which threads were
/// interchangeable and, when the search explored everything, the exact
/// size of the concrete state graph the orbits stand for.
fn symmetry_line(world: &World, search: &Search) -> String {
    let Some(sym) = &search.symmetry else {
        return String::new();
    };
    let name = |t: usize| world.names.thread(crate::model::ThreadId::from_index(t));
    let groups: Vec<String> = sym
        .groups()
        .iter()
        .map(|g| format!("{}-{}", name(g.start), name(g.end - 1)))
        .collect();
    let orbits = grouped(search.store.len() as u128);
    let size = match search.concrete() {
        Ok(c) if c.probes == 0 => format!(
            "{orbits} orbits stand for exactly {} distinct states and {} transitions",
            grouped(c.states),
            grouped(c.transitions),
        ),
        Ok(c) => format!(
            "{orbits} orbits stand for exactly {} distinct states, {} transitions and {} forbidden calls probed",
            grouped(c.states),
            grouped(c.transitions),
            grouped(c.probes)
        ),
        Err(NotExact::Incomplete) => format!(
            "{orbits} orbits searched, not every reachable one, so the distinct states they stand for are not counted"
        ),
        Err(NotExact::TooLarge) => format!(
            "{orbits} orbits stand for more than 2^128 distinct states or transitions"
        ),
    };
    format!(
        "symmetry: {} interchangeable (--no-symmetry searches every state): {size}",
        groups.join(", ")
    )
}

fn write_out(args: &Args, json: &str) -> Result<(), ExitCode> {
    if let Some(out) = &args.out {
        if let Err(e) = std::fs::write(out, json) {
            return Err(bad(
                "explore",
                format!("{}: cannot write: {e}", out.display()),
            ));
        }
        outln!("wrote the trace as a scenario to {}", out.display());
    }
    Ok(())
}

fn report(
    world: &World,
    search: &Search,
    args: &Args,
    shown: &str,
    find: Option<&Condition>,
) -> ExitCode {
    let fl = world.flavor.as_str();
    match &search.stop {
        Stop::Found { state, port } => {
            let cond = find.expect("found only with --find");
            let title = format!("Shortest path to {cond}: {}", world.title);
            let description = format!(
                "Found by `iocp-sim explore {shown} --find \"{cond}\" --flavor {fl}`: a breadth-first search over every interleaving, so no shorter one reaches {cond}. {}",
                world.description.clone().unwrap_or_default()
            );
            let (steps, json) = match trace::found_scenario(
                world,
                search,
                *state,
                cond,
                *port,
                &title,
                description.trim_end(),
            ) {
                Ok(x) => x,
                Err(e) => return bad("explore", e.to_string()),
            };
            let on = port.map_or(String::new(), |p| {
                format!(" on port {}", world.names.port(p))
            });
            outln!(
                "FOUND {cond}{on} after {} steps (a shortest trace: no interleaving reaches it in fewer):",
                steps.len()
            );
            out!("{}", trace::text(world, &steps));
            if let Err(code) = write_out(args, &json) {
                return code;
            }
            ExitCode::SUCCESS
        }
        Stop::Exhausted => {
            match find {
                Some(c) => outln!(
                    "NOT REACHABLE: {c} holds in none of the {} ({fl}).",
                    match (&search.symmetry, search.concrete()) {
                        (None, _) =>
                            format!("{} reachable states", grouped(search.store.len() as u128)),
                        (Some(_), Ok(n)) => format!(
                            "{} reachable states, searched as {} orbits",
                            grouped(n.states),
                            grouped(search.store.len() as u128)
                        ),
                        (Some(_), Err(_)) => format!(
                            "{} orbits of reachable states",
                            grouped(search.store.len() as u128)
                        ),
                    }
                ),
                None => outln!(
                    "OK: every reachable state explored; no transition broke a property ({fl})."
                ),
            }
            if args.out.is_some() {
                outln!("no trace to write");
            }
            if find.is_some() {
                ExitCode::from(EXIT_FAILED)
            } else {
                ExitCode::SUCCESS
            }
        }
        Stop::Violation {
            state,
            mv,
            probe,
            violation,
        } => {
            let last = if probe.is_none() { Some(*mv) } else { None };
            let violation_text = crate::narrate::violation(violation);
            outln!("VIOLATION: {violation_text}. Shortest trace to it:");
            if let Ok(steps) = search
                .concrete_path(world, &ModelRules, *state, last, *probe)
                .and_then(|(moves, probe)| trace::replay(world, &ModelRules, &moves, probe))
            {
                out!("{}", trace::text(world, &steps));
                let json = trace::scenario_json(
                    world,
                    &format!("Property {} broken: {}", violation.property, world.title),
                    &format!(
                        "Found by `iocp-sim explore {shown} --flavor {fl}`: {violation_text}."
                    ),
                    &steps,
                    None,
                );
                if let Err(code) = write_out(args, &json) {
                    return code;
                }
            }
            ExitCode::from(EXIT_FAILED)
        }
        Stop::Broken { state, mv, message } => {
            outln!("BROKEN: {message}. Trace:");
            if let Ok(steps) = search
                .concrete_path(world, &ModelRules, *state, *mv, None)
                .and_then(|(moves, _)| trace::replay(world, &ModelRules, &moves, None))
            {
                out!("{}", trace::text(world, &steps));
            }
            ExitCode::from(EXIT_FAILED)
        }
        Stop::Unpackable { state, error } => {
            outln!(
                "BROKEN: state {state} does not unpack into a kernel the model accepts ({error}): a bug in the explorer's packing or in a rule."
            );
            ExitCode::from(EXIT_FAILED)
        }
        Stop::MaxStates => {
            outln!(
                "STOPPED: --max-states {} reached at depth {}; the search is incomplete{}. Raise --max-states or shrink the spec (fewer threads, posts or packets).",
                args.max_states,
                search.depth,
                find.map_or(String::new(), |c| format!(", and {c} was not seen so far"))
            );
            ExitCode::from(EXIT_FAILED)
        }
        Stop::OutOfMemory => {
            outln!(
                "STOPPED: out of memory ({} MiB held, --max-memory {} MiB) at depth {}; the search is incomplete{}. Raise --max-memory or shrink the spec.",
                search.store.bytes() >> 20,
                args.max_memory,
                search.depth,
                find.map_or(String::new(), |c| format!(", and {c} was not seen so far"))
            );
            ExitCode::from(EXIT_FAILED)
        }
    }
}
