//! The classroom page in a real headless Chromium, driven as a person
//! would over the DevTools protocol (clicks at an element's place, key
//! presses, downloads): the page that `export --html` and `course --html`
//! write, opened from `file://` with the network off, runs its
//! WebAssembly engine, replays a lesson, switches flavour and language,
//! and at 1280x720 and 1920x1080 shows the five structures, the threads and
//! the narration of every step of every bundled lesson inside the window,
//! in both languages. Screenshots are written to `target/tmp/html_chromium/`.
//!
//! One browser per test, many checks each. Without a Chromium on PATH
//! (`chromium`, `chromium-browser`, `google-chrome`; or set
//! `IOCP_SIM_CHROMIUM`), these tests print a loud message and pass, unless
//! `IOCP_SIM_REQUIRE_CHROMIUM=1`, when they fail.

use std::io::{BufRead, BufReader, Write as _};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::{json, Value};
use tungstenite::stream::MaybeTlsStream;
use tungstenite::{Message, WebSocket};

/// The integration binary's helpers (this suite uses a few of them).
#[allow(dead_code)]
#[path = "integration/util.rs"]
mod util;

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
        .join(format!("{name}-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// Where screenshots go (kept after the run, to be looked at).
fn shots() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("html_chromium")
        .join("screenshots");
    std::fs::create_dir_all(&dir).expect("screenshot dir");
    dir
}

/// A headless Chromium with a fresh profile, killed when dropped.
struct Browser {
    child: Child,
    ws: String,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Browser {
    fn start(bin: &Path, dir: &Path) -> Browser {
        let mut child = Command::new(bin)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                "--remote-debugging-port=0",
            ])
            .arg(format!("--user-data-dir={}", dir.join("profile").display()))
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("chromium starts");
        // Chromium prints its DevTools address on stderr; the rest of
        // stderr is drained so that it never blocks on a full pipe.
        let (tx, rx) = std::sync::mpsc::channel();
        let stderr = child.stderr.take().expect("stderr");
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(at) = line.find("ws://") {
                    let _ = tx.send(line[at..].trim().to_owned());
                }
            }
        });
        let ws = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("chromium printed its DevTools address within 60 s");
        Browser { child, ws }
    }

    /// A new tab of `w`x`h` CSS pixels (at `scale` device pixels each),
    /// offline, whose downloads go to `downloads`.
    fn tab(&self, w: u32, h: u32, scale: f64, downloads: &Path) -> Tab {
        let (mut ws, _) = tungstenite::connect(&self.ws).expect("the DevTools websocket");
        if let MaybeTlsStream::Plain(s) = ws.get_mut() {
            s.set_read_timeout(Some(Duration::from_secs(60)))
                .expect("a read timeout");
        }
        let mut tab = Tab {
            ws,
            session: None,
            id: 0,
            requests: Vec::new(),
        };
        let target = tab.send("Target.createTarget", json!({ "url": "about:blank" }));
        let attached = tab.send(
            "Target.attachToTarget",
            json!({ "targetId": target["targetId"], "flatten": true }),
        );
        tab.send(
            "Browser.setDownloadBehavior",
            json!({ "behavior": "allow", "downloadPath": downloads, "eventsEnabled": true }),
        );
        tab.session = Some(
            attached["sessionId"]
                .as_str()
                .expect("a session")
                .to_owned(),
        );
        tab.send("Page.enable", json!({}));
        tab.send("Network.enable", json!({}));
        tab.send(
            "Network.emulateNetworkConditions",
            json!({ "offline": true, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1 }),
        );
        tab.size(w, h, scale);
        tab
    }
}

/// One tab, driven over its own DevTools connection.
struct Tab {
    ws: WebSocket<MaybeTlsStream<TcpStream>>,
    session: Option<String>,
    id: u64,
    /// Every URL the page asked the network for.
    requests: Vec<String>,
}

impl Tab {
    /// Sends a command and returns its result (events met on the way are
    /// looked at: requests are recorded).
    fn send(&mut self, method: &str, params: Value) -> Value {
        self.id += 1;
        let mut msg = json!({ "id": self.id, "method": method, "params": params });
        if let (Some(s), false) = (&self.session, method.starts_with("Browser.")) {
            msg["sessionId"] = json!(s);
        }
        self.ws
            .send(Message::text(msg.to_string()))
            .expect("a DevTools command is sent");
        loop {
            let m = self.ws.read().expect("a DevTools message");
            let Message::Text(text) = m else { continue };
            let v: Value = serde_json::from_str(&text).expect("DevTools speaks JSON");
            if v["method"] == "Network.requestWillBeSent" {
                self.requests.push(
                    v["params"]["request"]["url"]
                        .as_str()
                        .unwrap_or("")
                        .to_owned(),
                );
            }
            if v["id"] == json!(self.id) {
                if let Some(e) = v.get("error") {
                    panic!("{method}: {e}");
                }
                return v["result"].clone();
            }
        }
    }

    fn size(&mut self, w: u32, h: u32, scale: f64) {
        self.send(
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": w, "height": h, "deviceScaleFactor": scale, "mobile": false }),
        );
    }

    /// The value of `expr` (awaited if it is a promise); fails the test on
    /// an exception.
    fn eval(&mut self, expr: &str) -> Value {
        let r = self.send(
            "Runtime.evaluate",
            json!({ "expression": expr, "awaitPromise": true, "returnByValue": true }),
        );
        if let Some(e) = r.get("exceptionDetails") {
            panic!("{expr}\nthrew: {e}");
        }
        r["result"]["value"].clone()
    }

    /// Waits (up to 20 s) until `expr` is true.
    fn wait(&mut self, expr: &str) {
        let start = Instant::now();
        while self.eval(&format!("!!({expr})")) != json!(true) {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "waited 20 s for {expr}; errors: {}",
                self.errors()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn errors(&mut self) -> Value {
        self.eval("window.__iocpErrors || ['no error recorder']")
    }

    /// Opens `url` and waits for the engine to draw its first frame.
    fn open(&mut self, url: &str) {
        self.send("Page.navigate", json!({ "url": url }));
        self.wait("document.body && document.body.dataset.ready === '1'");
        self.no_errors();
    }

    fn no_errors(&mut self) {
        assert_eq!(self.errors(), json!([]), "the page recorded errors");
        let body = self.eval("document.body.dataset.refusal || ''");
        assert_eq!(body, json!(""), "the engine refused");
    }

    fn attr(&mut self, name: &str) -> String {
        let v = self.eval(&format!("document.body.getAttribute('data-{name}')"));
        v.as_str().unwrap_or("").to_owned()
    }

    fn text(&mut self, selector: &str) -> String {
        let v = self.eval(&format!(
            "(document.querySelector({}) || {{}}).textContent || ''",
            json!(selector)
        ));
        v.as_str().unwrap_or("").to_owned()
    }

    /// Clicks the middle of the element `selector` as a mouse would
    /// (scrolled into its list's view first), after checking that it is
    /// inside the window and on top there.
    fn click(&mut self, selector: &str) {
        let at = self.eval(&format!(
            r#"(function () {{
              var e = document.querySelector({s});
              if (!e) return 'no element ' + {s};
              // As a person scrolls a long list of moves to the one wanted.
              e.scrollIntoView({{ block: 'nearest' }});
              var r = e.getBoundingClientRect();
              var x = r.left + r.width / 2, y = r.top + r.height / 2;
              if (r.width === 0 || x < 0 || y < 0 || x > innerWidth || y > innerHeight) return {s} + ' is not in the window';
              var top = document.elementFromPoint(x, y);
              if (!top || (top !== e && !e.contains(top))) return {s} + ' is covered by ' + (top && top.outerHTML.slice(0, 80));
              return [x, y];
            }})()"#,
            s = json!(selector)
        ));
        let (Some(x), Some(y)) = (at[0].as_f64(), at[1].as_f64()) else {
            panic!("cannot click: {at}")
        };
        for kind in ["mousePressed", "mouseReleased"] {
            self.send(
                "Input.dispatchMouseEvent",
                json!({ "type": kind, "x": x, "y": y, "button": "left", "clickCount": 1 }),
            );
        }
    }

    /// Presses a key (`ArrowRight`, `End`, `f`...).
    fn key(&mut self, key: &str) {
        let code = match key {
            "ArrowRight" => 39,
            "ArrowLeft" => 37,
            "Home" => 36,
            "End" => 35,
            k if k.len() == 1 => k.to_ascii_uppercase().as_bytes()[0] as u32,
            _ => 0,
        };
        for kind in ["keyDown", "keyUp"] {
            let text = if key.len() == 1 && kind == "keyDown" {
                key
            } else {
                ""
            };
            self.send(
                "Input.dispatchKeyEvent",
                json!({ "type": kind, "key": key, "text": text, "windowsVirtualKeyCode": code }),
            );
        }
    }

    fn screenshot(&mut self, path: &Path) {
        // Past the chips' slide (0.7 s).
        std::thread::sleep(Duration::from_millis(800));
        let r = self.send("Page.captureScreenshot", json!({ "format": "png" }));
        let png = STANDARD
            .decode(r["data"].as_str().expect("image data"))
            .expect("base64");
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "a PNG");
        std::fs::write(path, png).expect("the screenshot is written");
        eprintln!("screenshot: {}", path.display());
    }

    /// Every request of the page went to a file of its own, or to data it
    /// holds: nothing reached for the network.
    fn stayed_offline(&self) {
        for url in &self.requests {
            assert!(
                url.starts_with("file:") || url.starts_with("data:") || url.starts_with("blob:"),
                "the page asked the network for {url}"
            );
        }
    }
}

const LESSON4: &str = "sim-scenarios/04-over-subscription.json";

/// Runs the `iocp-sim` binary; panics with its stderr on failure.
fn iocp(args: &[&str]) {
    let out = util::bin()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .output()
        .expect("iocp-sim runs");
    assert!(
        out.status.success(),
        "iocp-sim {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn url(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// The JavaScript that checks the projector layout at every step of the
/// lesson shown: the five structures of every port, the threads and the
/// narration inside the window, and no panel cut (its content inside its
/// box). Returns the failures, at most a few.
const LAYOUT_CHECK: &str = r#"(async function () {
  var bad = [];
  var W = innerWidth, H = innerHeight;
  function inside(what, e, box) {
    var r = e.getBoundingClientRect();
    var b = box ? box.getBoundingClientRect() : { left: 0, top: 0, right: W, bottom: H };
    if (r.width === 0 && r.height === 0) return;
    if (r.left < b.left - 1 || r.top < b.top - 1 || r.right > b.right + 1 || r.bottom > b.bottom + 1)
      bad.push(document.body.dataset.file + ' ' + document.body.dataset.lang + ' step ' + document.body.dataset.step +
        ': ' + what + ' [' + Math.round(r.left) + ',' + Math.round(r.top) + ',' + Math.round(r.right) + ',' + Math.round(r.bottom) +
        '] outside [' + Math.round(b.left) + ',' + Math.round(b.top) + ',' + Math.round(b.right) + ',' + Math.round(b.bottom) + ']');
  }
  var steps = document.querySelectorAll('#steplist button');
  for (var i = 0; i < steps.length && bad.length < 5; i++) {
    steps[i].click();
    await new Promise(function (r) { requestAnimationFrame(function () { requestAnimationFrame(r); }); });
    if (document.documentElement.scrollHeight > H + 1 || document.documentElement.scrollWidth > W + 1) bad.push('step ' + i + ': the page scrolls');
    var stage = document.getElementById('stage'), side = document.getElementById('side');
    document.querySelectorAll('#stage .box, #stage .port, #stage h2').forEach(function (e) {
      inside((e.id || e.className) + ' in the window', e, null);
      inside((e.id || e.className) + ' in the stage', e, stage);
    });
    document.querySelectorAll('[data-slot]').forEach(function (e) { inside('slot ' + e.dataset.slot, e, stage); });
    document.querySelectorAll('#narration > *').forEach(function (e) {
      inside('narration ' + e.tagName, e, null);
      inside('narration ' + e.tagName + ' in its panel', e, document.getElementById('narration'));
    });
    if (!document.getElementById('moves').hidden)
      document.querySelectorAll('#moves > *').forEach(function (e) { inside('moves ' + e.tagName, e, document.getElementById('moves')); });
    // Scheduling by hand, the threads' code stays readable: at least
    // 10.5 screen pixels (CSS pixels times the zoom), and the world's
    // moves show whole.
    document.querySelectorAll('body[data-mode="scheduler"] #moves .card ol').forEach(function (e) {
      var px = parseFloat(getComputedStyle(e).fontSize) * devicePixelRatio;
      if (px < 10.5) bad.push(document.body.dataset.file + ' ' + document.body.dataset.lang + ' step ' + i + ': code at ' + px.toFixed(1) + ' screen px');
    });
    // A name in a thread's card (its code, its run button) wraps between
    // its words, never inside one: no run of non-blank characters of a
    // text node spans two lines (GetQueued|Completion|Status breaks at the
    // page's <wbr>s, not as GetQueuedC|ompletionSt|atus).
    document.querySelectorAll('body[data-mode="scheduler"] #moves .card .run, body[data-mode="scheduler"] #moves .card li').forEach(function (e) {
      var walk = document.createTreeWalker(e, NodeFilter.SHOW_TEXT), n;
      while ((n = walk.nextNode())) {
        var word = /\S+/g, m;
        while ((m = word.exec(n.data))) {
          var r = document.createRange();
          r.setStart(n, m.index);
          r.setEnd(n, m.index + m[0].length);
          var tops = {};
          Array.prototype.forEach.call(r.getClientRects(), function (q) { tops[Math.round(q.top)] = true; });
          if (Object.keys(tops).length > 1) bad.push(document.body.dataset.file + ' ' + document.body.dataset.lang + ' step ' + i + ': "' + m[0] + '" breaks inside a word in a card');
        }
      }
    });
    document.querySelectorAll('body[data-mode="scheduler"] #moves > .list').forEach(function (e) {
      if (e.scrollHeight > e.clientHeight + 1) bad.push(document.body.dataset.file + ' step ' + i + ': the world\'s moves scroll');
    });
    if (!document.querySelectorAll('#stage [id^="rtl-"]').length) bad.push('step ' + i + ': no RTL');
  }
  return bad;
})()"#;

/// True when every thread's chip is drawn on its slot (within 2 px).
const CHIPS_ON_SLOTS: &str = r#"Array.prototype.every.call(document.querySelectorAll('#chips .chip'), function (c) {
  var s = document.querySelector('[data-slot="' + CSS.escape(c.dataset.thread) + '"]');
  if (!s) return true;
  var a = c.getBoundingClientRect(), b = s.getBoundingClientRect();
  return Math.abs(a.left - b.left) < 2 && Math.abs(a.top - b.top) < 2;
})"#;

#[test]
fn the_exported_lesson_runs_offline_replays_and_switches_flavour_and_language() {
    let Some(bin) = chromium() else { return };
    let dir = scratch("lesson");
    let page = dir.join("04.html");
    iocp(&["export", LESSON4, "--html", page.to_str().unwrap()]);
    let browser = Browser::start(&bin, &dir);
    let mut tab = browser.tab(1280, 720, 1.0, &dir);
    let opened = Instant::now();
    tab.open(&url(&page));
    let first = tab.eval(
        "[performance.getEntriesByName('first-contentful-paint')[0].startTime, performance.getEntriesByName('iocp-first-frame')[0].startTime]",
    );
    eprintln!(
        "lesson 04 page: first contentful paint {:.0} ms, first frame drawn {:.0} ms after navigation ({} ms measured by the test)",
        first[0].as_f64().unwrap_or(-1.0),
        first[1].as_f64().unwrap_or(-1.0),
        opened.elapsed().as_millis()
    );
    assert_eq!(tab.attr("step"), "0");
    assert_eq!(tab.attr("last"), "10");
    assert!(
        tab.text("#title").contains("the RTL can exceed"),
        "{}",
        tab.text("#title")
    );

    // Replay by keys and by clicks.
    for _ in 0..7 {
        tab.key("ArrowRight");
    }
    assert_eq!(tab.attr("step"), "7");
    let rtl = tab.text("#rtl-0");
    assert!(rtl.contains("2/1") && rtl.contains("OVER LIMIT"), "{rtl}");
    assert!(tab.text("#narration").contains("rule 4 (unblock)"));
    // Every thread's chip sits on its slot, and follows it when the
    // structures' boxes change size after the page settled (a late font,
    // text that wraps anew): here, room added above the ports.
    tab.wait(CHIPS_ON_SLOTS);
    tab.eval("document.getElementById('ports').style.paddingTop = '3em'");
    tab.wait(CHIPS_ON_SLOTS);
    tab.eval("document.getElementById('ports').style.paddingTop = ''");
    tab.wait(CHIPS_ON_SLOTS);
    tab.screenshot(&shots().join("lesson04-step7-1280x720-en.png"));
    tab.click("#prev");
    assert_eq!(tab.attr("step"), "6");
    tab.click("#steplist li:nth-child(4) button");
    assert_eq!(tab.attr("step"), "3");
    assert!(
        tab.text("#narration").contains("T2 ← [key 1"),
        "Windows: LIFO"
    );

    // The flavours: Wine wakes the oldest waiter.
    tab.click("#flavors [data-flavor=wine]");
    assert_eq!(
        (tab.attr("flavor"), tab.attr("step")),
        ("wine".into(), "3".into())
    );
    assert!(tab.text("#narration").contains("T1 ← [key 1"), "Wine: FIFO");
    assert!(tab.text("#wtq-0").contains("FIFO"));
    tab.key("f");
    assert_eq!(tab.attr("flavor"), "wine10");
    tab.click("#flavors [data-flavor=windows]");

    // Korean, and back.
    tab.key("End");
    tab.click("#steplist li:nth-child(8) button");
    tab.click("#lang-btn");
    assert_eq!(tab.attr("lang"), "ko");
    assert_eq!(tab.eval("document.documentElement.lang"), json!("ko"));
    assert!(
        tab.text("#rtl-0").contains("최대 초과"),
        "{}",
        tab.text("#rtl-0")
    );
    assert!(tab.text("#title").contains("4강"), "{}", tab.text("#title"));
    assert_eq!(tab.text("#lang-btn"), "English");
    tab.screenshot(&shots().join("lesson04-step7-1280x720-ko.png"));
    tab.size(1920, 1080, 1.0);
    tab.screenshot(&shots().join("lesson04-step7-1920x1080-ko.png"));
    tab.click("#lang-btn");
    assert_eq!(tab.attr("lang"), "en");
    tab.screenshot(&shots().join("lesson04-step7-1920x1080-en.png"));

    // A teacher's zoom of 150 % on a 1280x720 projector: bigger text, the
    // RTL still in sight.
    let font = |tab: &mut Tab| {
        tab.eval(
            "parseFloat(getComputedStyle(document.documentElement).fontSize) * devicePixelRatio",
        )
    };
    tab.size(1280, 720, 1.0);
    tab.wait("true");
    let plain = font(&mut tab).as_f64().unwrap();
    tab.size(853, 480, 1.5);
    std::thread::sleep(Duration::from_millis(200));
    let zoomed = font(&mut tab).as_f64().unwrap();
    assert!(
        zoomed > plain * 1.1,
        "zoom makes the text bigger: {plain} px, zoomed {zoomed} px"
    );
    let bad = tab.eval(LAYOUT_CHECK);
    assert_eq!(bad, json!([]), "at 150 % zoom");
    tab.click("#steplist li:nth-child(8) button");
    tab.screenshot(&shots().join("lesson04-step7-zoom150.png"));
    tab.no_errors();
    tab.stayed_offline();
}

#[test]
fn every_step_of_every_bundled_lesson_fits_a_projector_in_both_languages() {
    let Some(bin) = chromium() else { return };
    let dir = scratch("course");
    let page = dir.join("course.html");
    iocp(&["course", "--html", page.to_str().unwrap()]);
    let browser = Browser::start(&bin, &dir);
    let lessons: Vec<String> = util::lessons()
        .iter()
        .map(|p| p.file_name().unwrap().to_str().unwrap().to_owned())
        .collect();
    for (w, h) in [(1280, 720), (1920, 1080)] {
        let mut tab = browser.tab(w, h, 1.0, &dir);
        tab.open(&url(&page));
        assert_eq!(
            tab.eval("!document.getElementById('index').hidden"),
            json!(true),
            "the course opens on its index"
        );
        for lang in ["en", "ko"] {
            if tab.attr("lang") != lang {
                tab.click("#lang-btn");
            }
            for file in &lessons {
                if tab.eval("document.getElementById('index').hidden") == json!(true) {
                    tab.click("#index-btn");
                }
                tab.click(&format!("#index button[data-file={}]", json!(file)));
                assert_eq!(&tab.attr("file"), file);
                let bad = tab.eval(LAYOUT_CHECK);
                assert_eq!(bad, json!([]), "{w}x{h}");
                // Five threads' code in scheduler mode, over the limit.
                if file.starts_with("20-") {
                    tab.click("#steplist li:nth-child(20) button");
                    assert_eq!(tab.attr("step"), "19");
                    assert_eq!(tab.attr("mode"), "scheduler");
                    tab.screenshot(&shots().join(format!("lesson20-step19-{w}x{h}-{lang}.png")));
                }
            }
        }
        tab.no_errors();
        tab.stayed_offline();
    }
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
    let file = dir.join("xss.json");
    std::fs::write(&file, text).unwrap();
    let page = dir.join("xss.html");
    iocp(&[
        "export",
        file.to_str().unwrap(),
        "--html",
        page.to_str().unwrap(),
    ]);
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.contains("<title>&lt;img src=x onerror=alert(1)&gt; · iocp-sim</title>"));
    assert_eq!(
        html.matches("</script>").count(),
        4,
        "only the page's own four scripts close"
    );
    let browser = Browser::start(&bin, &dir);
    let mut tab = browser.tab(1280, 720, 1.0, &dir);
    tab.open(&url(&page));
    for _ in 0..3 {
        assert_eq!(
            tab.eval("document.body.hasAttribute('data-pwned')"),
            json!(false)
        );
        assert_eq!(
            tab.eval("document.querySelectorAll('img, i, b').length"),
            json!(0)
        );
        assert!(tab.text("#title").contains("<img src=x onerror=alert(1)>"));
        tab.key("ArrowRight");
    }
    assert!(
        tab.text("#narration").contains("<i>T1</i>") || tab.text("#stage").contains("<i>T1</i>")
    );
    tab.click("#steplist li:nth-child(2) button");
    assert!(
        tab.text("#narration").contains("<!-- <script>"),
        "the note shows as text"
    );
    tab.no_errors();
}

/// Lesson 4's port and threads, each thread given its loop: get a packet;
/// after packet 1, wait for the database. The student is the scheduler.
const SCHEDULED: &str = r#"{
  "format": "iocp-sim/1",
  "title": { "en": "Lesson 4, scheduled by hand", "ko": "4강, 직접 스케줄하기" },
  "ports": [{ "id": "P", "concurrency": 1 }],
  "threads": [
    { "id": "T1", "get": { "port": "P" }, "block": { "on": "WaitForSingleObject(db)", "keys": [1] } },
    { "id": "T2", "get": { "port": "P" }, "block": { "on": "WaitForSingleObject(db)", "keys": [1] } }
  ],
  "steps": []
}"#;

/// The explorer's shortest way (as the host's lesson API finds it) from
/// the page's step to `goal`, as the numbers of the moves the page offers
/// one after the other, played on `lesson` as the page will play them.
fn answer(
    lesson: &mut iocp_sim::lesson::Lesson,
    at: usize,
    goal: &str,
    mode: iocp_sim::lesson::Mode,
) -> Vec<usize> {
    use iocp_sim::explore::free::Shortest;
    let goal = iocp_sim::goal::Goal::parse(goal).unwrap();
    let Shortest::Found(path) = lesson.shortest(at, goal, mode) else {
        panic!("the explorer finds no way to {goal} from step {at}")
    };
    let mut at = at;
    path.iter()
        .map(|mv| {
            // A post's key is the step's own: the same move at another step
            // carries another key.
            let offered = lesson.moves(at, mode);
            let i = offered
                .iter()
                .position(|c| same_move(&c.mv, mv))
                .unwrap_or_else(|| panic!("the explorer's move {mv:?} is not offered at {at}"));
            at = lesson
                .play(at, offered[i].mv)
                .expect("the explorer's move plays")
                .at;
            i
        })
        .collect()
}

/// The same move, but for a post's key.
fn same_move(a: &iocp_sim::lesson::Move, b: &iocp_sim::lesson::Move) -> bool {
    use iocp_sim::lesson::Move;
    use iocp_sim::model::Action;
    let unkeyed = |m: &Move| match *m {
        Move::Post { port, .. } => Move::Post { port, key: 0 },
        Move::Call {
            action:
                Action::Post {
                    port,
                    bytes,
                    overlapped,
                    by,
                    ..
                },
        } => Move::Call {
            action: Action::Post {
                port,
                key: 0,
                bytes,
                overlapped,
                by,
            },
        },
        other => other,
    };
    unkeyed(a) == unkeyed(b)
}

/// Clicks move `i` of the panel and waits for the page to show its step.
fn click_move(tab: &mut Tab, i: usize) {
    let before = tab.attr("moves");
    tab.click(&format!("#moves [data-move=\"{i}\"]"));
    let after = tab.attr("moves");
    assert_ne!(before, after, "move {i} was played");
    tab.no_errors();
}

#[test]
fn a_student_schedules_the_threads_over_the_limit_solves_every_challenge_and_downloads_the_branch()
{
    use iocp_sim::lesson::{Lesson, Mode};
    let Some(bin) = chromium() else { return };
    let dir = scratch("moves");
    let file = dir.join("scheduled.json");
    std::fs::write(&file, SCHEDULED).unwrap();
    let page = dir.join("scheduled.html");
    iocp(&[
        "export",
        file.to_str().unwrap(),
        "--html",
        page.to_str().unwrap(),
    ]);
    let browser = Browser::start(&bin, &dir);
    let mut tab = browser.tab(1280, 720, 1.0, &dir);
    tab.open(&url(&page));
    assert_eq!(
        tab.attr("mode"),
        "scheduler",
        "programs: the scheduler mode first"
    );
    assert_eq!(
        tab.eval("document.querySelectorAll('#moves .card').length"),
        json!(2)
    );

    // The student runs the threads and lets the world move, as the
    // explorer's shortest way goes, by clicking.
    let sc = iocp_sim::scenario::load_str("scheduled.json", SCHEDULED).unwrap();
    let mut lesson = Lesson::new(sc);
    let path = answer(&mut lesson, 0, "over_limit", Mode::Scheduler);
    for &i in &path {
        click_move(&mut tab, i);
    }
    assert_eq!(tab.attr("step"), path.len().to_string());
    let rtl = tab.text("#rtl-0");
    assert!(rtl.contains("2/1") && rtl.contains("OVER LIMIT"), "{rtl}");
    tab.screenshot(&shots().join("scheduler-over-limit-1280x720-en.png"));
    let bad = tab.eval(LAYOUT_CHECK);
    assert_eq!(bad, json!([]), "the code and the moves fit too");

    // A refused move says why and changes nothing.
    let refused = tab.eval("(document.querySelector('#moves button.refused') || {}).getAttribute ? document.querySelector('#moves button.refused').getAttribute('data-move') : null");
    if let Some(i) = refused.as_str() {
        let step = tab.attr("step");
        tab.click(&format!("#moves [data-move=\"{i}\"]"));
        assert_eq!(tab.attr("step"), step);
        assert!(!tab.text("#moves .message.refused").is_empty());
    }

    // In Korean: the moves and the code are the engine's Korean words.
    tab.click("#lang-btn");
    assert!(tab.text("#rtl-0").contains("최대 초과"));
    let moves = tab.text("#moves");
    assert!(
        moves.contains("스레드") || moves.contains("포트"),
        "{moves}"
    );
    tab.screenshot(&shots().join("scheduler-over-limit-1920x1080-ko.png"));
    tab.size(1920, 1080, 1.0);
    tab.screenshot(&shots().join("scheduler-over-limit-1920x1080-ko.png"));

    // The branch downloads as a scenario that `check` accepts.
    tab.click("#moves .download");
    let saved = dir.join("scheduled-branch.json");
    let start = Instant::now();
    while !saved.is_file() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "no download in {}",
            dir.display()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(300));
    let check = util::bin().arg("check").arg(&saved).output().unwrap();
    assert!(
        check.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&check.stdout),
        std::fs::read_to_string(&saved).unwrap()
    );
    let branch = iocp_sim::scenario::load(&saved).unwrap();
    assert_eq!(branch.steps.len(), path.len());

    // Every bundled challenge, in the course file, in its first mode, in
    // as many moves as the explorer's shortest answer.
    let course = dir.join("course.html");
    iocp(&["course", "--html", course.to_str().unwrap()]);
    tab.size(1280, 720, 1.0);
    tab.open(&url(&course));
    let challenges = iocp_sim::course::load(&util::repo("sim-scenarios/course.json"))
        .unwrap()
        .challenges;
    assert!(!challenges.is_empty());
    for name in &challenges {
        let ch = iocp_sim::challenge::load(&util::repo("sim-scenarios").join(name)).unwrap();
        let shortest = ch.shortest;
        let goal = ch.goal.to_string();
        let mut lesson = Lesson::challenge(ch);
        let mode = lesson.default_mode();
        if tab.eval("document.getElementById('index').hidden") == json!(true) {
            tab.click("#index-btn");
        }
        tab.click(&format!("#index button[data-file={}]", json!(name)));
        assert_eq!(
            tab.attr("mode"),
            if mode == Mode::Scheduler {
                "scheduler"
            } else {
                "every_call"
            },
            "{name}"
        );
        let Some(n) = shortest else {
            // The explorer finds none within its bounds; the page says so.
            tab.click("#moves .explorer");
            assert!(!tab.text("#moves .message").is_empty(), "{name}");
            continue;
        };
        let start = lesson.start();
        let path = answer(&mut lesson, start, &goal, mode);
        assert_eq!(
            path.len(),
            n,
            "{name}: the explorer's answer has the file's length"
        );
        for &i in &path {
            click_move(&mut tab, i);
        }
        assert_eq!(tab.attr("reached"), "1", "{name}: solved");
        let msg = tab.text("#moves .message");
        assert!(msg.contains(&n.to_string()), "{name}: {msg}");
        tab.no_errors();
    }
    tab.stayed_offline();
}
