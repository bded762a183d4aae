//! The exported HTML player in a real headless Chromium: the page loads
//! with no errors (the page records `error` events and `console.error` into
//! its own DOM, which `--dump-dom` shows), stepping (from the URL hash and
//! by dispatched key presses) shows what the trace says, scenario text is
//! escaped, and a screenshot is produced.
//!
//! Without a Chromium on PATH (`chromium`, `chromium-browser`,
//! `google-chrome`; or set `IOCP_SIM_CHROMIUM`), these tests print a loud
//! message and pass, unless `IOCP_SIM_REQUIRE_CHROMIUM=1`, when they fail.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use iocp_sim::model::Flavor;
use iocp_sim::narrate::Lang;
use iocp_sim::scenario::{self, Scenario};
use iocp_sim::views::html;

/// The integration binary's helpers (this suite uses a few of them).
#[allow(dead_code)]
#[path = "integration/util.rs"]
mod util;
use util::oversub;

fn find_chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("IOCP_SIM_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in [
            "chromium",
            "chromium-browser",
            "google-chrome",
            "google-chrome-stable",
        ] {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

/// The browser, or `None` (after a loud message) when the test should skip.
fn chromium() -> Option<PathBuf> {
    match find_chromium() {
        Some(p) => Some(p),
        None if std::env::var("IOCP_SIM_REQUIRE_CHROMIUM").as_deref() == Ok("1") => {
            panic!("IOCP_SIM_REQUIRE_CHROMIUM=1 but no chromium was found on PATH (install Debian's `chromium` package or set IOCP_SIM_CHROMIUM)")
        }
        None => {
            // Written to the stderr handle, not with eprintln!, so that the
            // test harness does not capture (and hide) it.
            static ONCE: std::sync::Once = std::sync::Once::new();
            ONCE.call_once(|| {
                let _ = std::io::stderr().write_all(
                    b"\n***************************************************************\n\
                      * SKIPPED: no chromium on PATH; the HTML player was NOT tested *\n\
                      * in a browser. apt-get install -y chromium, or set            *\n\
                      * IOCP_SIM_REQUIRE_CHROMIUM=1 to make this a failure.          *\n\
                      ***************************************************************\n\n",
                );
            });
            None
        }
    }
}

static SEQ: AtomicUsize = AtomicUsize::new(0);

fn scratch(name: &str) -> PathBuf {
    let n = SEQ.fetch_add(1, Ordering::SeqCst);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("html_chromium")
        .join(format!("{}-{name}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// Runs headless Chromium with a fresh profile; returns stdout.
fn chrome(bin: &Path, dir: &Path, extra: &[&str], url: &str) -> String {
    let profile = dir.join(format!("profile-{}", SEQ.fetch_add(1, Ordering::SeqCst)));
    let mut cmd = Command::new(bin);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
    ])
    .arg(format!("--user-data-dir={}", profile.display()))
    .args(extra)
    .arg(url)
    .stdin(Stdio::null())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("chromium starts");
    // Drain both pipes while waiting: a dumped DOM is larger than a pipe's
    // buffer, and a browser blocked on a full pipe never exits.
    let drain = |mut r: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = r.read_to_end(&mut buf);
            buf
        })
    };
    let stdout = drain(Box::new(child.stdout.take().unwrap()));
    let stderr = drain(Box::new(child.stderr.take().unwrap()));
    let start = Instant::now();
    let status = loop {
        if let Some(st) = child.try_wait().expect("wait") {
            break st;
        }
        if start.elapsed() > Duration::from_secs(90) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish within 90 s: {url}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let out = stdout.join().unwrap();
    let err = stderr.join().unwrap();
    assert!(
        status.success(),
        "chromium failed: {status}\n{}",
        String::from_utf8_lossy(&err)
    );
    String::from_utf8_lossy(&out).into_owned()
}

fn export(dir: &Path, scenario: &Scenario, flavor: Flavor, lang: Lang) -> String {
    let page = dir.join("player.html");
    std::fs::write(&page, html::page(scenario, flavor, lang)).expect("write page");
    format!("file://{}", page.display())
}

/// The dumped DOM at `#hash`, after checking the page ran and logged no error.
fn dom(bin: &Path, dir: &Path, url: &str, hash: &str) -> String {
    dom_after(bin, dir, url, hash, 5000)
}

/// The same, after `ms` milliseconds of (virtual) page time.
fn dom_after(bin: &Path, dir: &Path, url: &str, hash: &str, ms: u32) -> String {
    let budget = format!("--virtual-time-budget={ms}");
    let d = chrome(bin, dir, &["--dump-dom", &budget], &format!("{url}#{hash}"));
    let body = d
        .split("<body")
        .nth(1)
        .and_then(|b| b.split('>').next())
        .unwrap_or_else(|| panic!("no <body> in the dumped DOM:\n{d}"));
    assert!(
        body.contains(r#"data-ready="1""#),
        "the player script did not finish (#{hash}): {body}\n{d}"
    );
    assert!(
        body.contains(r#"data-errors="0""#),
        "the page logged errors (#{hash}): {body}\n{}",
        errors(&d)
    );
    assert!(
        !d.contains("<li>error") && !d.contains("<li>console.error"),
        "{}",
        errors(&d)
    );
    d
}

fn errors(d: &str) -> String {
    d.split(r#"id="errors""#)
        .nth(1)
        .unwrap_or("")
        .chars()
        .take(2000)
        .collect()
}

/// The HTML of the element with `id`, up to the element with id `until`.
fn section<'a>(d: &'a str, id: &str, until: &str) -> &'a str {
    let at = d
        .find(&format!(r#"id="{id}""#))
        .unwrap_or_else(|| panic!("no #{id}"));
    let start = d[..at].rfind('<').unwrap_or(at);
    let rest = &d[start..];
    let end = rest.find(&format!(r#"id="{until}""#)).unwrap_or(rest.len());
    &rest[..end]
}

fn attr(d: &str, name: &str) -> String {
    let body = d.split("<body").nth(1).unwrap().split('>').next().unwrap();
    let key = format!(r#"{name}=""#);
    let i = body
        .find(&key)
        .unwrap_or_else(|| panic!("no {name} on body: {body}"))
        + key.len();
    body[i..].split('"').next().unwrap().to_owned()
}

#[test]
fn page_loads_without_errors_and_shows_the_over_limit_step() {
    let Some(bin) = chromium() else { return };
    let dir = scratch("oversub");
    let url = export(&dir, &oversub(), Flavor::Windows, Lang::En);

    let d0 = dom(&bin, &dir, &url, "step=0");
    assert_eq!(attr(&d0, "data-step"), "0");
    assert_eq!(attr(&d0, "data-last"), "10");
    assert!(d0.contains("The RTL goes over the limit when a paused thread returns"));

    let d5 = dom(&bin, &dir, &url, "step=5");
    let rtl5 = section(&d5, "rtl-0", "ptl-0");
    assert!(!rtl5.contains("OVER LIMIT"), "{rtl5}");
    assert!(
        rtl5.contains(r#"data-slot="T1""#) && !rtl5.contains(r#"data-slot="T2""#),
        "{rtl5}"
    );
    assert!(section(&d5, "ptl-0", "outside").contains(r#"data-slot="T2""#));

    let d6 = dom(&bin, &dir, &url, "step=6");
    let rtl6 = section(&d6, "rtl-0", "ptl-0");
    assert!(rtl6.contains(r#"class="box rtl over""#), "{rtl6}");
    assert!(
        rtl6.contains("OVER LIMIT") && rtl6.contains("2/1"),
        "{rtl6}"
    );
    assert!(
        rtl6.contains(r#"data-slot="T1""#) && rtl6.contains(r#"data-slot="T2""#),
        "{rtl6}"
    );
    assert!(
        d6.contains("rule 4 (unblock)"),
        "the narration names the rule"
    );
}

#[test]
fn keys_step_through_the_trace_and_toggle_the_flavour() {
    let Some(bin) = chromium() else { return };
    let dir = scratch("keys");
    let url = export(&dir, &oversub(), Flavor::Windows, Lang::En);

    let d = dom(&bin, &dir, &url, "step=0&keys=ArrowRight,ArrowRight");
    assert_eq!(attr(&d, "data-step"), "2");
    let wtq = section(&d, "wtq-0", "rtl-0");
    let (t2, t1) = (wtq.find(r#"data-slot="T2""#), wtq.find(r#"data-slot="T1""#));
    assert!(
        t2.is_some() && t1.is_some() && t2 < t1,
        "WTQ wake order is T2 then T1: {wtq}"
    );
    assert!(wtq.contains("next"), "{wtq}");

    let d = dom(
        &bin,
        &dir,
        &url,
        "step=4&keys=End,ArrowLeft,Home,ArrowRight,ArrowRight,ArrowRight",
    );
    assert_eq!(attr(&d, "data-step"), "3");
    assert!(d.contains("T2 ← [key 1"), "Windows: the packet goes to T2");
    // The packet reached T2's chip (it carries the packet's key this step).
    assert!(
        d.contains(r#"class="chip running got""#),
        "{}",
        section(&d, "chips", "narration")
    );

    // Stepping forward sends the delivered packet flying from the IOCQ to
    // its thread (step 10: T2 takes the queued packet); it is gone later.
    let d = dom_after(&bin, &dir, &url, "step=9&keys=ArrowRight", 300);
    let chips = section(&d, "chips", "narration");
    assert!(
        chips.contains("packet fly"),
        "a packet is in flight: {chips}"
    );
    let d = dom_after(&bin, &dir, &url, "step=9&keys=ArrowRight", 4000);
    assert!(!section(&d, "chips", "narration").contains("packet fly"));
    // Jumping (not one step forward) moves nothing.
    let d = dom_after(&bin, &dir, &url, "step=10", 300);
    assert!(!section(&d, "chips", "narration").contains("packet fly"));

    let d = dom(&bin, &dir, &url, "step=3&keys=f");
    assert_eq!(attr(&d, "data-flavor"), "wine");
    assert_eq!(attr(&d, "data-step"), "3");
    assert!(
        d.contains("T1 ← [key 1"),
        "Wine: the packet goes to the oldest waiter, T1"
    );
    assert!(section(&d, "wtq-0", "rtl-0").contains("FIFO"));
    // A second `f` goes on to Wine 10 (most recent waiter first), a third
    // back to Windows; the address can also pick Wine 10.
    let d = dom(&bin, &dir, &url, "step=3&keys=f,f");
    assert_eq!(attr(&d, "data-flavor"), "wine10");
    assert!(d.contains("T2 ← [key 1"), "Wine 10: the packet goes to T2");
    assert!(section(&d, "wtq-0", "rtl-0").contains("LIFO"));
    let d = dom(&bin, &dir, &url, "step=3&keys=f,f,f");
    assert_eq!(attr(&d, "data-flavor"), "windows");
    let d = dom(&bin, &dir, &url, "step=3&flavor=wine10");
    assert_eq!(attr(&d, "data-flavor"), "wine10");

    // The step list is clickable and marks the current step.
    let d = dom(&bin, &dir, &url, "step=7");
    assert!(d.contains(r#"aria-current="step""#));
    assert!(d.matches("<li").count() >= 11, "one list item per step");
}

#[test]
fn scenario_text_is_escaped_not_executed() {
    let Some(bin) = chromium() else { return };
    let dir = scratch("xss");
    let text = r#"{
      "format": "iocp-sim/1",
      "title": "<img src=x onerror=alert(1)>",
      "description": "</script><script>document.body.setAttribute('data-pwned','1')</script>",
      "ports": [{ "id": "P\"><b>", "concurrency": 1 }],
      "threads": ["<i>T1</i>", "T2"],
      "steps": [
        { "op": "get", "thread": "<i>T1</i>", "port": "P\"><b>",
          "note": "<!-- <script>document.body.setAttribute('data-pwned','2')</script> & more" },
        { "op": "post", "port": "P\"><b>", "key": 1 }
      ]
    }"#;
    let sc = scenario::load_str("xss.json", text).expect("xss scenario loads");
    let url = export(&dir, &sc, Flavor::Windows, Lang::En);
    let page = std::fs::read_to_string(dir.join("player.html")).unwrap();
    assert!(page.contains("<title>&lt;img src=x onerror=alert(1)&gt; · iocp-sim</title>"));
    assert_eq!(
        page.matches("</script>").count(),
        3,
        "only the page's own three scripts close"
    );

    for hash in ["step=0", "step=1", "step=2"] {
        let d = dom(&bin, &dir, &url, hash);
        let body = d.split("<body").nth(1).unwrap().split('>').next().unwrap();
        assert!(
            !body.contains("data-pwned"),
            "scenario text ran as script: {body}"
        );
        assert!(!d.contains("<img"), "scenario text became an element:\n{d}");
        assert!(!d.contains("<i>T1</i>") && !d.contains("<b>"), "{d}");
        assert!(
            d.contains("&lt;img src=x onerror=alert(1)&gt;"),
            "the title shows as text"
        );
        assert!(
            d.contains("&lt;i&gt;T1&lt;/i&gt;"),
            "thread names show as text"
        );
    }
    let d1 = dom(&bin, &dir, &url, "step=1");
    assert!(
        d1.contains("&lt;!-- &lt;script&gt;"),
        "the note shows as text"
    );
}

#[test]
fn korean_page_loads_and_a_screenshot_is_produced() {
    let Some(bin) = chromium() else { return };
    let dir = scratch("shot");
    let url = export(&dir, &oversub(), Flavor::Windows, Lang::Ko);
    let d = dom(&bin, &dir, &url, "step=6");
    assert!(d.contains("최대 초과"), "Korean over-limit marker");
    assert!(d.contains(r#"<html lang="ko">"#));
    let png = dir.join("step6.png");
    chrome(
        &bin,
        &dir,
        &[
            "--window-size=1280,800",
            &format!("--screenshot={}", png.display()),
        ],
        &format!("{url}#step=6"),
    );
    let bytes = std::fs::read(&png).expect("a screenshot was written");
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "it is a PNG");
    assert!(
        bytes.len() > 20_000,
        "the screenshot has content ({} bytes)",
        bytes.len()
    );
    eprintln!("screenshot: {}", png.display());
}

#[test]
fn every_lesson_loads_without_errors_in_both_flavours() {
    let Some(bin) = chromium() else { return };
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("sim-scenarios");
    let files: Vec<PathBuf> = iocp_sim::course::lesson_files(&dir).unwrap();
    for path in files {
        let sc = scenario::load(&path).unwrap();
        let work = scratch("lesson");
        let url = export(&work, &sc, Flavor::Windows, Lang::En);
        let show = iocp_sim::views::Show::new(&sc, Flavor::Windows, Lang::En);
        // Walk the whole run with keys (each step renders), then flip to Wine.
        let d = dom(
            &bin,
            &work,
            &url,
            "step=0&keys=End,Home,ArrowRight,ArrowRight,End,f",
        );
        assert_eq!(attr(&d, "data-flavor"), "wine", "{}", path.display());
        // The first over-limit step shows the marker, as the trace says.
        if let Some(i) = show
            .frames
            .iter()
            .position(|f| f.ports.iter().any(|p| p.over))
        {
            let d = dom(&bin, &work, &url, &format!("step={i}"));
            assert!(d.contains("OVER LIMIT"), "{} step {i}", path.display());
        }
        let _ = std::fs::remove_dir_all(&work);
    }
}

/// `iocp-sim serve` on a free port, killed when dropped.
struct Server {
    child: std::process::Child,
    url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(lesson: &str, lang: &str) -> Server {
    use std::io::BufRead as _;
    let mut child = util::bin()
        .args(["serve", lesson, "--port", "0", "--lang", lang])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("iocp-sim serve starts");
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .expect("serve prints its address");
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://127.0.0.1:"))
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_owned();
    Server { child, url }
}

const LESSON4: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/sim-scenarios/04-over-subscription.json"
);

/// Decodes a `data:` URL written with encodeURIComponent.
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = std::str::from_utf8(&b[i + 1..i + 3]).unwrap();
            out.push(u8::from_str_radix(hex, 16).unwrap());
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

#[test]
fn sandbox_choosing_actions_moves_the_view_and_the_branch_downloads() {
    let Some(bin) = chromium() else { return };
    let dir = scratch("sandbox");
    let server = serve(LESSON4, "en");
    // Choices 2 and 9 at the start of lesson 4: T1 polls, then T2 polls.
    let d = dom_after(&bin, &dir, &server.url, "clicks=2,9", 10_000);
    assert_eq!(attr(&d, "data-sandbox-ready"), "1");
    assert_eq!(attr(&d, "data-moves"), "2");
    assert_eq!(attr(&d, "data-step"), "2");
    assert_eq!(
        attr(&d, "data-last"),
        "2",
        "the lesson's later steps are replaced"
    );
    let rtl = section(&d, "rtl-0", "ptl-0");
    assert!(
        rtl.contains(r#"class="box rtl over""#) && rtl.contains("2/1"),
        "{rtl}"
    );
    let choices = section(&d, "choices", "errors");
    assert!(
        choices.contains("T1 calls get on P (timeout infinite)"),
        "{choices}"
    );

    let href = d
        .split(r#"id="download""#)
        .nth(1)
        .and_then(|s| {
            s.split("href=\"data:application/json;charset=utf-8,")
                .nth(1)
        })
        .and_then(|s| s.split('"').next())
        .expect("the download link carries the branch");
    let branch = percent_decode(&href.replace("&amp;", "&"));
    let file = dir.join("branch.json");
    std::fs::write(&file, &branch).unwrap();
    let check = util::bin().arg("check").arg(&file).output().unwrap();
    assert!(
        check.status.success(),
        "{}\n{branch}",
        String::from_utf8_lossy(&check.stdout)
    );
    let sc = scenario::load(&file).unwrap();
    assert_eq!(sc.steps.len(), 2);
}

#[test]
fn sandbox_refuses_an_invalid_action_with_the_reason_in_korean() {
    let Some(bin) = chromium() else { return };
    let dir = scratch("sandbox-ko");
    let server = serve(LESSON4, "ko");
    // Choice 4 at the start is "T1 unblocks": T1 is not paused.
    let d = dom_after(&bin, &dir, &server.url, "clicks=4", 10_000);
    assert_eq!(attr(&d, "data-refused"), "4");
    assert_eq!(attr(&d, "data-moves"), "0");
    assert_eq!(attr(&d, "data-step"), "0");
    let msg = section(&d, "sandbox-msg", "choices");
    assert!(msg.contains("class=\"refused\""), "{msg}");
    assert!(
        msg.contains("거부됨") && msg.contains("T1 스레드는 일시 정지해 있지 않으므로"),
        "{msg}"
    );
    // The Korean page narrates the lesson's own text in Korean.
    assert!(
        d.contains("4강: RTL은 최대 스레드 수를 넘을 수 있다"),
        "no Korean title"
    );
    let d = dom_after(&bin, &dir, &server.url, "clicks=2,9", 10_000);
    assert!(
        section(&d, "narration", "sandbox").contains("만약에"),
        "Korean note of a chosen move"
    );
}
