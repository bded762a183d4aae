//! The platform layer: finding a toolchain, building the probe
//! (`probe/probe.rs`, embedded in this crate) and running it, natively on
//! Windows or under Wine on Linux. Nothing here knows about the model.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// The probe's source, compiled into iocp-sim so `diff` works from anywhere.
pub const PROBE_SOURCE: &str = include_str!("../../probe/probe.rs");

/// The Debian/Ubuntu command that installs everything the Wine run needs.
pub const INSTALL_COMMAND: &str =
    "sudo apt-get install -y wine64 gcc-mingw-w64-x86-64 rustc libstd-rust-dev-windows";

/// The Windows target the probe is cross-compiled for on Linux.
pub const CROSS_TARGET: &str = "x86_64-pc-windows-gnu";

/// What the probe runs against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Against {
    /// Wine's implementation, on a Linux host.
    Wine,
    /// The real NT kernel, on a Windows host.
    Windows,
}

impl Against {
    /// `"wine"` or `"windows"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Against::Wine => "wine",
            Against::Windows => "windows",
        }
    }
}

/// The environment cannot run the probe; the message says what to install.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvMissing(pub String);

impl std::fmt::Display for EnvMissing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for EnvMissing {}

/// The probe could not be built or did not run to the end.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunError(pub String);

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for RunError {}

/// How [`Launcher::run`] ends the message of a probe that exited with an
/// error status and wrote nothing on stderr.
const SILENT: &str = "and wrote nothing on stderr";

/// How the Wine loader starts a line when the probe lost its wineserver
/// connection (`wine client error:0: recvmsg: Connection reset by peer`).
const WINE_CLIENT: &str = "wine client error:";

/// How [`Launcher::run`] ends the message of such a failure.
const LOST_SERVER: &str = "(Wine lost its wineserver connection)";

/// How [`RunError::clock_behind`] ends its message.
const BEHIND: &str = "(the probe's step clock fell behind)";

impl RunError {
    /// A run in which the probe's step clock fell behind (a step outlasted
    /// its budget) and a finite wait expired before its step: `what` says
    /// where. The run observed nothing trustworthy about timeouts.
    pub fn clock_behind(what: &str) -> RunError {
        RunError(format!("{what} {BEHIND}"))
    }

    /// True if the probe failed without reporting anything itself: it
    /// exited with an error status and wrote nothing on stderr (seen once
    /// under Wine 8 on a loaded machine), or Wine lost its wineserver
    /// connection; or if its step clock fell behind on a loaded machine
    /// ([`clock_behind`](RunError::clock_behind)). The probe reports every
    /// failure it detects on stderr, so each of these is the machine
    /// failing the real side, not the real side answering: worth one retry.
    pub fn is_transient(&self) -> bool {
        self.0.ends_with(SILENT) || self.0.ends_with(LOST_SERVER) || self.0.ends_with(BEHIND)
    }
}

/// How patient the probe is (see `probe/probe.rs`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timing {
    /// A step has settled when nothing observable changed for this long.
    pub quiet_ms: u64,
    /// The per-step budget: a step gives up settling after half of it, and
    /// the probe's step clock ticks once per budget while a finite wait is
    /// outstanding (a wait due at step K expires at K's tick).
    pub step_ms: u64,
}

impl Default for Timing {
    fn default() -> Timing {
        Timing {
            quiet_ms: 60,
            step_ms: 800,
        }
    }
}

/// A built probe and how to start it.
#[derive(Clone, Debug)]
pub struct Launcher {
    // pub(super): the retry tests of `diff` start a fake Wine.
    pub(super) exe: PathBuf,
    pub(super) wine: Option<PathBuf>,
    pub(super) env: Vec<(String, String)>,
    /// What the probe runs against.
    pub against: Against,
    /// A one-line description of the real side (`"Wine wine-8.0 ..."`).
    pub description: String,
    /// What `wine --version` printed (`None` on Windows, or if it printed
    /// nothing): see [`super::flavor_for_wine`].
    pub wine_version: Option<String>,
}

fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for ext in ["", ".exe"] {
            let p = dir.join(format!("{name}{ext}"));
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

fn fnv(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x100_0000_01b3);
    }
    h
}

/// The directory where the probe is built and its Wine prefix kept:
/// `$IOCP_SIM_PROBE_DIR`, else `$CARGO_TARGET_DIR/probe`, else `target/probe`.
pub fn cache_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("IOCP_SIM_PROBE_DIR") {
        return PathBuf::from(d);
    }
    if let Some(d) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(d).join("probe");
    }
    PathBuf::from("target").join("probe")
}

fn output_of(cmd: &mut Command) -> Option<String> {
    let out = cmd.stderr(Stdio::null()).output().ok()?;
    if !out.status.success() {
        return None;
    }
    Some(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// The rustc that builds the probe: `$IOCP_SIM_PROBE_RUSTC`, else on Linux
/// Debian's `/usr/bin/rustc` (it has the Windows standard library from
/// libstd-rust-dev-windows), else `rustc` on PATH.
fn probe_rustc() -> Option<PathBuf> {
    if let Some(r) = std::env::var_os("IOCP_SIM_PROBE_RUSTC") {
        return Some(PathBuf::from(r));
    }
    if cfg!(not(windows)) && Path::new("/usr/bin/rustc").is_file() {
        return Some(PathBuf::from("/usr/bin/rustc"));
    }
    find_on_path("rustc")
}

impl Launcher {
    /// Checks the environment, builds the probe into `cache` if it is not
    /// there yet, and returns a launcher, or says what is missing.
    pub fn prepare(against: Against, cache: &Path) -> Result<Launcher, EnvMissing> {
        match against {
            Against::Windows if !cfg!(windows) => {
                return Err(EnvMissing(
                    "--against windows needs a Windows host (the probe runs natively there); \
                     on Linux use --against wine"
                        .to_owned(),
                ))
            }
            Against::Wine if cfg!(windows) => {
                return Err(EnvMissing(
                    "--against wine needs a Linux host with Wine; on Windows use --against windows"
                        .to_owned(),
                ))
            }
            _ => {}
        }
        let cross = against == Against::Wine;
        let missing = |what: &str| {
            EnvMissing(if cross {
                format!("{what}.\nInstall the Wine toolchain with:\n    {INSTALL_COMMAND}")
            } else {
                format!("{what}.\nInstall Rust (https://rustup.rs) so that `rustc` is on PATH.")
            })
        };
        let rustc = probe_rustc().ok_or_else(|| missing("no rustc found to build the probe"))?;
        let wine = if cross {
            let w = match std::env::var_os("IOCP_SIM_WINE") {
                Some(w) if Path::new(&w).is_file() => PathBuf::from(w),
                Some(w) => {
                    return Err(missing(&format!(
                        "IOCP_SIM_WINE names {}, which is not a file",
                        Path::new(&w).display()
                    )))
                }
                None => find_on_path("wine").ok_or_else(|| missing("`wine` is not on PATH"))?,
            };
            if find_on_path("x86_64-w64-mingw32-gcc").is_none() {
                return Err(missing(
                    "the MinGW linker x86_64-w64-mingw32-gcc (package gcc-mingw-w64-x86-64) is missing",
                ));
            }
            let libdir = output_of(Command::new(&rustc).args([
                "--print",
                "target-libdir",
                "--target",
                CROSS_TARGET,
            ]))
            .ok_or_else(|| missing(&format!("{} cannot target {CROSS_TARGET}", rustc.display())))?;
            let has_std = std::fs::read_dir(&libdir)
                .map(|rd| {
                    rd.flatten()
                        .any(|e| e.file_name().to_string_lossy().starts_with("libstd-"))
                })
                .unwrap_or(false);
            if !has_std {
                return Err(missing(&format!(
                    "{} has no standard library for {CROSS_TARGET} (package libstd-rust-dev-windows)",
                    rustc.display()
                )));
            }
            Some(w)
        } else {
            None
        };

        std::fs::create_dir_all(cache)
            .map_err(|e| EnvMissing(format!("cannot create {}: {e}", cache.display())))?;
        let cache = cache
            .canonicalize()
            .map_err(|e| EnvMissing(format!("{}: {e}", cache.display())))?;
        let tag = format!("{:016x}", fnv(PROBE_SOURCE));
        let exe = cache.join(format!("probe-{tag}.exe"));
        if !exe.is_file() {
            build(&rustc, cross, &cache, &tag, &exe).map_err(|e| EnvMissing(e.0))?;
        }
        let mut env = Vec::new();
        let mut description = "Windows".to_owned();
        let mut wine_version = None;
        if let Some(w) = &wine {
            if std::env::var_os("WINEDEBUG").is_none() {
                env.push(("WINEDEBUG".to_owned(), "-all".to_owned()));
            }
            if std::env::var_os("WINEPREFIX").is_none() {
                let prefix = cache.join("wine-prefix");
                env.push(("WINEPREFIX".to_owned(), prefix.display().to_string()));
            }
            let version = output_of(Command::new(w).arg("--version")).unwrap_or_default();
            description = format!("Wine {version}").trim().to_owned();
            wine_version = Some(version).filter(|v| !v.is_empty());
        }
        Ok(Launcher {
            exe,
            wine,
            env,
            against,
            description,
            wine_version,
        })
    }

    /// Runs the probe on `script` (of `steps` steps) and returns its
    /// standard output: [`run_batch`](Launcher::run_batch) with one script.
    pub fn run(&self, script: &str, timing: Timing, steps: usize) -> Result<String, RunError> {
        match self.run_batch(&[(script, steps)], timing) {
            (mut done, None) if done.len() == 1 => Ok(done.remove(0)),
            (_, failure) => {
                Err(failure.unwrap_or_else(|| RunError("the probe wrote nothing".to_owned())))
            }
        }
    }

    /// Runs `scripts` (each with its number of steps) one after the other
    /// in one probe process (under Wine, starting a process costs more
    /// than most scripts). Gives the output (`probe 1` ... `done`) of each
    /// script it finished, in order, and the failure that stopped it
    /// before the end, if any: that failure belongs to the next script
    /// (the one that was running), and the ones after it did not run.
    ///
    /// The scripts and the output go through files, not pipes: the first
    /// Wine process of a session starts daemons (wineserver, services.exe)
    /// that inherit the child's handles and outlive it, so reading a pipe
    /// to its end would wait for them.
    pub fn run_batch(
        &self,
        scripts: &[(&str, usize)],
        timing: Timing,
    ) -> (Vec<String>, Option<RunError>) {
        static RUNS: AtomicU64 = AtomicU64::new(0);
        let n = RUNS.fetch_add(1, Ordering::Relaxed);
        let dir = self.exe.parent().unwrap_or(Path::new("."));
        let base = dir.join(format!("run-{}-{n}", std::process::id()));
        let mut files = vec![base.with_extension("out"), base.with_extension("err")];
        for i in 0..scripts.len() {
            files.push(base.with_extension(format!("{i}.script")));
        }
        let mut result = (Vec::new(), None);
        for (f, (script, _)) in files[2..].iter().zip(scripts) {
            if let Err(e) = std::fs::write(f, script) {
                result.1 = Some(RunError(format!("{}: {e}", f.display())));
                break;
            }
        }
        if result.1.is_none() {
            let steps: usize = scripts.iter().map(|s| s.1).sum();
            result = self.run_files(&files, timing, steps);
        }
        for f in &files {
            let _ = std::fs::remove_file(f);
        }
        result
    }

    /// Runs the probe on `files[2..]` with its output in `files[0]` and
    /// its errors in `files[1]`.
    fn run_files(
        &self,
        files: &[PathBuf],
        timing: Timing,
        steps: usize,
    ) -> (Vec<String>, Option<RunError>) {
        let io = |e: std::io::Error| RunError(format!("probe output file: {e}"));
        let (out, err) = match (
            std::fs::File::create(&files[0]),
            std::fs::File::create(&files[1]),
        ) {
            (Ok(o), Ok(e)) => (o, e),
            (Err(e), _) | (_, Err(e)) => return (Vec::new(), Some(io(e))),
        };
        let mut cmd = match &self.wine {
            Some(w) => {
                let mut c = Command::new(w);
                c.arg(&self.exe);
                c
            }
            None => Command::new(&self.exe),
        };
        cmd.arg("--quiet-ms")
            .arg(timing.quiet_ms.to_string())
            .arg("--step-ms")
            .arg(timing.step_ms.to_string())
            .args(&files[2..])
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(Stdio::from(out))
            .stderr(Stdio::from(err));
        let mut child = match cmd.spawn() {
            Ok(c) => c,
            Err(e) => {
                return (
                    Vec::new(),
                    Some(RunError(format!("cannot start the probe: {e}"))),
                )
            }
        };
        // A first Wine start creates the prefix (several seconds).
        let limit = Duration::from_secs(120)
            + Duration::from_millis(timing.step_ms * 3).saturating_mul(steps as u32);
        let start = Instant::now();
        let status = loop {
            match child.try_wait() {
                Ok(Some(st)) => break Ok(st),
                Ok(None) if start.elapsed() > limit => {
                    let _ = child.kill();
                    let _ = child.wait();
                    break Err(RunError(format!(
                        "the probe did not finish within {} s and was stopped",
                        limit.as_secs()
                    )));
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(5)),
                Err(e) => break Err(RunError(format!("waiting for the probe: {e}"))),
            }
        };
        let out = match std::fs::read_to_string(&files[0]) {
            Ok(o) => o,
            Err(e) => return (Vec::new(), Some(io(e))),
        };
        let (done, rest) = finished_blocks(&out);
        let failure = match status {
            Err(e) => Some(e),
            Ok(st) if !st.success() => {
                let err = std::fs::read_to_string(&files[1]).unwrap_or_default();
                Some(RunError(
                    match err.lines().rfind(|l| !l.trim().is_empty()) {
                        None => format!("the probe failed ({st}) {SILENT}"),
                        Some(last) if last.starts_with(WINE_CLIENT) => {
                            format!("the probe failed ({st}): {last} {LOST_SERVER}")
                        }
                        Some(last) => format!("the probe failed ({st}): {last}"),
                    },
                ))
            }
            // Every script ended with `done`, or the last one's output is
            // cut short: the parser says where.
            Ok(_) if done.len() < files.len() - 2 => {
                let mut done = done;
                done.push(rest.to_owned());
                return (done, None);
            }
            Ok(_) => None,
        };
        (done, failure)
    }
}

/// Splits the probe's output into the blocks of the scripts it finished
/// (each ends with a line `done`) and what follows the last of them.
fn finished_blocks(out: &str) -> (Vec<String>, &str) {
    let mut blocks = Vec::new();
    let mut from = 0;
    let mut at = 0;
    for line in out.split_inclusive('\n') {
        at += line.len();
        if line.trim_end() == "done" {
            blocks.push(out[from..at].to_owned());
            from = at;
        }
    }
    (blocks, &out[from..])
}

fn build(rustc: &Path, cross: bool, cache: &Path, tag: &str, exe: &Path) -> Result<(), RunError> {
    let src = cache.join(format!("probe-{tag}.rs"));
    std::fs::write(&src, PROBE_SOURCE)
        .map_err(|e| RunError(format!("cannot write {}: {e}", src.display())))?;
    // Build under a private name, then rename: concurrent builds never see
    // a half-written executable.
    let tmp = cache.join(format!("probe-{tag}-{}.exe", std::process::id()));
    let mut cmd = Command::new(rustc);
    cmd.args(["--edition", "2021", "-O", "--crate-name", "probe"]);
    if cross {
        cmd.args(["--target", CROSS_TARGET]);
    }
    cmd.arg(&src).arg("-o").arg(&tmp);
    let out = cmd
        .output()
        .map_err(|e| RunError(format!("cannot run {}: {e}", rustc.display())))?;
    if !out.status.success() {
        return Err(RunError(format!(
            "building the probe with {} failed:\n{}",
            rustc.display(),
            String::from_utf8_lossy(&out.stderr)
        )));
    }
    if let Err(e) = std::fs::rename(&tmp, exe) {
        // Another process built the same probe first (and may be running it).
        let _ = std::fs::remove_file(&tmp);
        if !exe.is_file() {
            return Err(RunError(format!(
                "cannot move the probe to {}: {e}",
                exe.display()
            )));
        }
    }
    // rustc on Windows also leaves a .pdb next to the executable.
    let _ = std::fs::remove_file(tmp.with_extension("pdb"));
    Ok(())
}
