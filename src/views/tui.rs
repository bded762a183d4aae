//! The terminal player's picture: a pure function from a [`Show`], the
//! player's [`Ui`] state and a screen area to a ratatui [`Buffer`]. No
//! terminal is touched here; [`super::player`] owns the event loop.
//!
//! Layout (80x24 and up): a title bar, the step's action, the Device List
//! and the IOCQ side by side, the WTQ, RTL and PTL side by side, the
//! narration pane, the thread line and the help line.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Direction, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget, Wrap};

use super::frame::{Frame, PortView, Run, Show, ThreadView};
use crate::escape;
use crate::model::ThreadStatus;
use crate::narrate::Lang;
use crate::narrate::{words, Words};

/// What the player adds to the recorded run: where the student is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Ui {
    /// The frame shown (0: before step 1).
    pub index: usize,
    /// A port chosen with Tab; `None` follows the step's port.
    pub port: Option<usize>,
    /// Lines scrolled in the narration pane.
    pub scroll: u16,
    /// Digits typed for "go to step", if typing.
    pub input: Option<String>,
    /// A one-off message for the help line (e.g. "no step 99").
    pub message: Option<String>,
    /// An open what-if menu, drawn over the picture.
    pub menu: Option<MenuView>,
    /// The scheduler mode's code pane (each thread's program, its next
    /// call marked), when the lesson's threads have programs.
    pub code: Option<CodePane>,
    /// A box of text over the picture (a challenge's task, a hint, why the
    /// goal is not reached yet), wrapped in full; any key closes it.
    pub overlay: Option<Overlay>,
    /// The keys for the help line, when the player has others than the
    /// views' (`None`: the words table's).
    pub help: Option<String>,
}

/// The code pane: a title and one column per thread.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CodePane {
    /// The pane's title.
    pub title: String,
    /// Each thread's program.
    pub threads: Vec<CodeView>,
}

/// One thread's program as the code pane draws it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeView {
    /// The column's head: the thread's name and state (`T1 waiting@P`).
    pub head: String,
    /// Its state, for the head's colour.
    pub status: ThreadStatus,
    /// The program's lines, as code.
    pub lines: Vec<String>,
    /// The line of its next call (marked), if it has not exited.
    pub current: Option<usize>,
    /// It is inside that call (waiting in its get, or blocked).
    pub inside: bool,
}

/// A box of text drawn over the lower part of the picture.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Overlay {
    /// The title.
    pub title: String,
    /// Paragraphs, each wrapped to the box's width (a `\n` starts a new
    /// line within one).
    pub paragraphs: Vec<String>,
    /// At the bottom border (the key that closes it).
    pub footer: String,
}

/// A menu as drawn: a title, lines (each with the reason it is refused,
/// if it is) and the line selected.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MenuView {
    /// The title.
    pub title: String,
    /// The keys, shown at the bottom.
    pub keys: String,
    /// The lines: text, and why it is refused (drawn grey).
    pub lines: Vec<(String, Option<String>)>,
    /// The line selected.
    pub selected: usize,
}

const OVER: Color = Color::LightRed;
const ACCENT: Color = Color::Cyan;

/// The language of a show.
fn lang_of(show: &Show) -> Lang {
    Lang::parse(show.lang).unwrap_or_default()
}

/// Draws frame `ui.index` of `show` into `area` of `buf`, and the open
/// menu over it.
///
/// The one way text reaches the player's screen: every text of the
/// header, the frame and the player's state (titles, notes, ids, hints,
/// menus) is escaped first ([`escape::terminal_line`]), before the layout
/// counts its width. ratatui passes control characters through to the
/// terminal (`tests/integration/terminal_text.rs`).
pub fn render(run: &(impl Run + ?Sized), ui: &Ui, area: Rect, buf: &mut Buffer) {
    let esc = |s: &str| escape::terminal_line(s).into_owned();
    let show = run.show().header_map_text(esc);
    let frame = run.frame(ui.index.min(show.last())).map_text(esc);
    let ui = ui.map_text(esc);
    render_frame(&show, &frame, &ui, area, buf);
    if let Some(m) = &ui.menu {
        menu_box(m, area, buf);
    }
    if let Some(o) = &ui.overlay {
        overlay_box(o, area, buf);
    }
}

/// Draws an overlay over the lower part of `area`, above the help line,
/// as tall as its wrapped text needs (up to the screen under the title).
fn overlay_box(o: &Overlay, area: Rect, buf: &mut Buffer) {
    let inner_w = area.width.saturating_sub(2) as usize;
    let mut lines: Vec<Line<'static>> = Vec::new();
    for (i, p) in o.paragraphs.iter().enumerate() {
        if i > 0 {
            lines.push(Line::raw(""));
        }
        for l in p.split('\n') {
            lines.extend(wrap_line(Line::raw(l.to_owned()), inner_w));
        }
    }
    let max_h = area.height.saturating_sub(2);
    let h = (lines.len() as u16 + 2).min(max_h);
    let rect = Rect::new(
        area.x,
        (area.y + area.height).saturating_sub(1 + h),
        area.width,
        h,
    );
    ratatui::widgets::Clear.render(rect, buf);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(Style::default().fg(Color::Yellow))
        .title(Line::styled(
            format!(" {} ", o.title),
            Style::default()
                .fg(Color::Yellow)
                .add_modifier(Modifier::BOLD),
        ))
        .title_bottom(Line::raw(o.footer.clone()));
    Paragraph::new(lines).block(block).render(rect, buf);
}

/// The rows the code pane needs at `width` (borders included), and each
/// column's width.
fn code_height(c: &CodePane, width: u16) -> (u16, usize) {
    let n = c.threads.len().max(1);
    let col = (width.saturating_sub(2) as usize / n).max(8);
    let rows = c
        .threads
        .iter()
        .map(|t| {
            1 + t
                .lines
                .iter()
                .map(|l| {
                    let text = l.trim_start();
                    let lead = l.len() - text.len();
                    wrap_line(Line::raw(text.to_owned()), col.saturating_sub(3 + lead)).len()
                })
                .sum::<usize>()
        })
        .max()
        .unwrap_or(1);
    (2 + rows.min(10) as u16, col)
}

/// Draws the code pane: one column per thread, its head coloured by its
/// state, the line of its next call marked with `▶` (yellow while the
/// thread is inside it: waiting in its get, or blocked).
fn code_box(c: &CodePane, area: Rect, buf: &mut Buffer) {
    let block = boxed(
        Line::from(c.title.clone()),
        Style::default().fg(Color::Gray),
    );
    let inner = block.inner(area);
    block.render(area, buf);
    let (_, col) = code_height(c, area.width);
    for (i, t) in c.threads.iter().enumerate() {
        let x = inner.x + (i * col) as u16;
        if x >= inner.x + inner.width {
            break;
        }
        let w = (col as u16).min(inner.x + inner.width - x);
        let mut lines = vec![Line::styled(
            t.head.clone(),
            Style::default()
                .fg(status_colour(t.status))
                .add_modifier(Modifier::BOLD),
        )];
        for (j, l) in t.lines.iter().enumerate() {
            let here = t.current == Some(j);
            let (mark, st) = match (here, t.inside) {
                (true, false) => (
                    "▶ ",
                    Style::default().fg(ACCENT).add_modifier(Modifier::BOLD),
                ),
                (true, true) => (
                    "▶ ",
                    Style::default()
                        .fg(Color::Yellow)
                        .add_modifier(Modifier::BOLD),
                ),
                _ => ("  ", Style::default()),
            };
            // Wrapped rows stay under the line's own indentation.
            let text = l.trim_start();
            let lead = " ".repeat(l.len() - text.len());
            let body = wrap_line(
                Line::styled(text.to_owned(), st),
                (w as usize).saturating_sub(3 + lead.len()),
            );
            for (k, b) in body.into_iter().enumerate() {
                let mut spans = vec![
                    Span::styled(if k == 0 { mark } else { "  " }, st),
                    Span::raw(lead.clone()),
                ];
                spans.extend(b.spans);
                lines.push(Line::from(spans));
            }
        }
        Paragraph::new(lines).render(Rect::new(x, inner.y, w, inner.height), buf);
    }
}

/// The colour of a thread state in the views.
fn status_colour(s: ThreadStatus) -> Color {
    match s {
        ThreadStatus::Running => Color::Green,
        ThreadStatus::Waiting => ACCENT,
        ThreadStatus::Paused => Color::Yellow,
        ThreadStatus::Exited => Color::DarkGray,
        ThreadStatus::Free => Color::Reset,
    }
}

impl Ui {
    /// The state with every text put through `f` (see [`render`]).
    fn map_text(&self, f: impl Fn(&str) -> String) -> Ui {
        let Ui {
            index,
            port,
            scroll,
            input,
            message,
            menu,
            code,
            overlay,
            help,
        } = self;
        // A paragraph's own line breaks are kept; each line is escaped.
        let lines = |t: &str| t.split('\n').map(&f).collect::<Vec<_>>().join("\n");
        Ui {
            index: *index,
            port: *port,
            scroll: *scroll,
            input: input.as_deref().map(&f),
            message: message.as_deref().map(&f),
            help: help.as_deref().map(&f),
            code: code.as_ref().map(|c| {
                let CodePane { title, threads } = c;
                CodePane {
                    title: f(title),
                    threads: threads
                        .iter()
                        .map(|t| {
                            let CodeView {
                                head,
                                status,
                                lines,
                                current,
                                inside,
                            } = t;
                            CodeView {
                                head: f(head),
                                status: *status,
                                lines: lines.iter().map(|l| f(l)).collect(),
                                current: *current,
                                inside: *inside,
                            }
                        })
                        .collect(),
                }
            }),
            overlay: overlay.as_ref().map(|o| {
                let Overlay {
                    title,
                    paragraphs,
                    footer,
                } = o;
                Overlay {
                    title: f(title),
                    paragraphs: paragraphs.iter().map(|p| lines(p)).collect(),
                    footer: f(footer),
                }
            }),
            menu: menu.as_ref().map(|m| {
                let MenuView {
                    title,
                    keys,
                    lines,
                    selected,
                } = m;
                MenuView {
                    title: f(title),
                    keys: f(keys),
                    lines: lines
                        .iter()
                        .map(|(l, why)| (f(l), why.as_deref().map(&f)))
                        .collect(),
                    selected: *selected,
                }
            }),
        }
    }
}

/// Draws a menu at the bottom of `area`, above the help line: the selected
/// line highlighted, refused lines grey, and the selected line's reason at
/// the bottom. It is as tall as its lines (and three for the reason), so a
/// short menu leaves the structures above it in sight.
fn menu_box(m: &MenuView, area: Rect, buf: &mut Buffer) {
    // The whole width (a box edge inside the picture could cut a wide
    // character in two), at most from under the title bar to the help line.
    let room = area.height.saturating_sub(2);
    let wanted = u16::try_from(m.lines.len())
        .unwrap_or(u16::MAX)
        .saturating_add(3 + 2);
    let height = wanted.min(room);
    let rect = Rect::new(
        area.x,
        (area.y + area.height).saturating_sub(1 + height),
        area.width,
        height,
    );
    ratatui::widgets::Clear.render(rect, buf);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Line::styled(m.title.clone(), Style::default().fg(ACCENT)))
        .title_bottom(Line::raw(m.keys.clone()));
    let inner = block.inner(rect);
    block.render(rect, buf);
    let reason_h = 3u16.min(inner.height.saturating_sub(1));
    let list_h = inner.height.saturating_sub(reason_h) as usize;
    let first = m.selected.saturating_sub(list_h.saturating_sub(1));
    let lines: Vec<Line> = m
        .lines
        .iter()
        .enumerate()
        .skip(first)
        .take(list_h)
        .map(|(i, (text, refused))| {
            let mut st = Style::default();
            if refused.is_some() {
                st = st.fg(Color::DarkGray);
            }
            if i == m.selected {
                st = st.add_modifier(Modifier::REVERSED);
            }
            let mark = if i == m.selected { "> " } else { "  " };
            Line::styled(format!("{mark}{}. {text}", i + 1), st)
        })
        .collect();
    Paragraph::new(lines).render(Rect::new(inner.x, inner.y, inner.width, list_h as u16), buf);
    if let Some((_, Some(why))) = m.lines.get(m.selected) {
        Paragraph::new(Line::styled(
            why.clone(),
            Style::default().fg(Color::Yellow),
        ))
        .wrap(Wrap { trim: true })
        .render(
            Rect::new(inner.x, inner.y + list_h as u16, inner.width, reason_h),
            buf,
        );
    }
}

/// Draws `frame` (number `ui.index`) of `show` into `area` of `buf`.
fn render_frame(show: &Show, frame: &Frame, ui: &Ui, area: Rect, buf: &mut Buffer) {
    let w = words(lang_of(show));
    let index = ui.index.min(show.last());
    let port_ix = ui
        .port
        .unwrap_or(frame.focus)
        .min(frame.ports.len().saturating_sub(1));
    let port = frame.ports.get(port_ix);

    // Larger screens with several ports show every port, one row each:
    // IOCQ, WTQ, RTL and PTL side by side, under the Device List.
    let port_h = |p: &PortView| {
        3 + p
            .wtq
            .len()
            .max(p.rtl.len() + 1)
            .max(p.ptl.len())
            .max(p.iocq.len())
            .clamp(2, 6) as u16
    };
    let dev_h = 2 + frame.devices.len().clamp(1, 4) as u16;
    let stacked_h: u16 = frame.ports.iter().map(port_h).sum();
    // The code pane replaces the thread line (its heads give the states).
    let code_h = ui.code.as_ref().map_or(0, |c| code_height(c, area.width).0);
    let line_h = u16::from(ui.code.is_none());
    let stacked = frame.ports.len() > 1
        && area.width >= 120
        && area.height >= 2 + dev_h + stacked_h + code_h + 8 + 2;
    if stacked {
        let mut cons = vec![
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Length(dev_h),
        ];
        cons.extend(frame.ports.iter().map(|p| Constraint::Length(port_h(p))));
        cons.extend([
            Constraint::Length(code_h),
            Constraint::Min(4),
            Constraint::Length(line_h),
            Constraint::Length(1),
        ]);
        let rows = Layout::default()
            .direction(Direction::Vertical)
            .constraints(cons)
            .split(area);
        let np = frame.ports.len();
        title_bar(show, frame, index, port_ix, w, rows[0], buf);
        action_line(frame, index, w, rows[1], buf);
        device_box(frame, w, rows[2], buf);
        for (i, p) in frame.ports.iter().enumerate() {
            let cols = Layout::default()
                .direction(Direction::Horizontal)
                .constraints([
                    Constraint::Percentage(37),
                    Constraint::Percentage(21),
                    Constraint::Percentage(21),
                    Constraint::Percentage(21),
                ])
                .split(rows[3 + i]);
            iocq_box(p, true, w, cols[0], buf);
            wtq_box(p, show.flavor, w, cols[1], buf);
            rtl_box(p, w, cols[2], buf);
            ptl_box(p, w, cols[3], buf);
        }
        if let Some(c) = &ui.code {
            code_box(c, rows[3 + np], buf);
        }
        narration(show, frame, index, ui.scroll, w, rows[4 + np], buf);
        if ui.code.is_none() {
            thread_line(frame, w, rows[5 + np], buf);
        }
        help_line(ui, w, rows[6 + np], buf);
        return;
    }

    let top_h = 2
        + (frame.devices.len())
            .max(port.map_or(0, |p| p.iocq.len()))
            .clamp(1, 6) as u16;
    let mid_h = 2
        + 1
        + port
            .map_or(0, |p| p.wtq.len().max(p.rtl.len()).max(p.ptl.len()))
            .clamp(2, 8) as u16;
    let rows = Layout::default()
        .direction(Direction::Vertical)
        .constraints([
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Length(top_h.max(4)),
            Constraint::Length(mid_h.max(5)),
            Constraint::Length(code_h),
            Constraint::Min(4),
            Constraint::Length(line_h),
            Constraint::Length(1),
        ])
        .split(area);

    title_bar(show, frame, index, port_ix, w, rows[0], buf);
    action_line(frame, index, w, rows[1], buf);

    let top = Layout::default()
        .direction(Direction::Horizontal)
        .constraints([Constraint::Percentage(34), Constraint::Percentage(66)])
        .split(rows[2]);
    device_box(frame, w, top[0], buf);
    let mid = Layout::default()
        .direction(Direction::Horizontal)
        .constraints([
            Constraint::Percentage(33),
            Constraint::Percentage(34),
            Constraint::Percentage(33),
        ])
        .split(rows[3]);
    match port {
        Some(p) => {
            iocq_box(p, frame.ports.len() > 1, w, top[1], buf);
            wtq_box(p, show.flavor, w, mid[0], buf);
            rtl_box(p, w, mid[1], buf);
            ptl_box(p, w, mid[2], buf);
        }
        None => {
            Paragraph::new(w.empty)
                .block(Block::default().borders(Borders::ALL).title(w.iocq.0))
                .render(top[1], buf);
        }
    }
    if let Some(c) = &ui.code {
        code_box(c, rows[4], buf);
    }
    narration(show, frame, index, ui.scroll, w, rows[5], buf);
    if ui.code.is_none() {
        thread_line(frame, w, rows[6], buf);
    }
    help_line(ui, w, rows[7], buf);
}

/// Renders into a fresh buffer of `width` x `height` (for tests and snapshots).
pub fn to_buffer(run: &(impl Run + ?Sized), ui: &Ui, width: u16, height: u16) -> Buffer {
    let area = Rect::new(0, 0, width, height);
    let mut buf = Buffer::empty(area);
    render(run, ui, area, &mut buf);
    buf
}

/// The buffer's text, one line per row, trailing spaces trimmed. Wide
/// characters (Hangul) occupy two cells; the second, blank one is skipped.
pub fn buffer_text(buf: &Buffer) -> String {
    let area = buf.area;
    let mut out = String::new();
    for y in area.top()..area.bottom() {
        let mut line = String::new();
        let mut skip = 0usize;
        for x in area.left()..area.right() {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let sym = buf[(x, y)].symbol();
            line.push_str(sym);
            let wdt = unicode_width(sym);
            if wdt > 1 {
                skip = wdt - 1;
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn unicode_width(s: &str) -> usize {
    use ratatui::text::Span;
    Span::raw(s).width()
}

fn title_bar(
    show: &Show,
    frame: &Frame,
    index: usize,
    port_ix: usize,
    w: &Words,
    area: Rect,
    buf: &mut Buffer,
) {
    let bar = Style::default().fg(Color::Black).bg(ACCENT);
    buf.set_style(area, bar);
    let mut right = vec![Span::styled(
        format!(
            " {} {}/{} · {} {} ",
            w.step,
            index,
            show.last(),
            w.flavor,
            show.flavor
        ),
        bar.add_modifier(Modifier::BOLD),
    )];
    if frame.ports.len() > 1 {
        for (i, p) in frame.ports.iter().enumerate() {
            let mut st = bar;
            if p.over {
                st = st.bg(OVER).add_modifier(Modifier::BOLD);
            }
            if i == port_ix {
                st = st.add_modifier(Modifier::REVERSED);
            }
            right.push(Span::styled(
                format!(
                    " {} {}/{}{} ",
                    p.name,
                    p.current,
                    p.max,
                    if p.over { "▲" } else { "" }
                ),
                st,
            ));
        }
    }
    let right = Line::from(right);
    let rw = right.width() as u16;
    let left_w = area.width.saturating_sub(rw);
    Paragraph::new(Line::from(Span::styled(
        ellipsis(&format!(" iocp-sim · {}", show.title), left_w as usize),
        bar.add_modifier(Modifier::BOLD),
    )))
    .render(Rect::new(area.x, area.y, left_w, 1), buf);
    right.render(
        Rect::new(area.x + left_w, area.y, rw.min(area.width), 1),
        buf,
    );
}

fn action_line(frame: &Frame, index: usize, w: &Words, area: Rect, buf: &mut Buffer) {
    let head = if index == 0 {
        format!("▶ {}", frame.action)
    } else {
        format!("▶ {} {}: {}", w.step, index, frame.action)
    };
    let mut spans = vec![Span::styled(
        head,
        Style::default().add_modifier(Modifier::BOLD),
    )];
    if let Some(r) = frame.result {
        spans.push(Span::raw(format!("  → {r}")));
    }
    if frame.rejected.is_some() {
        spans.push(Span::styled(
            format!("  {}", w.rejected),
            Style::default().fg(OVER).add_modifier(Modifier::BOLD),
        ));
    }
    Paragraph::new(Line::from(spans)).render(area, buf);
}

/// `s` if it fits in `width` cells, else as much of it as fits with `…`
/// (and a space) after it, so that a cut title reads as cut.
fn ellipsis(s: &str, width: usize) -> String {
    if unicode_width(s) <= width {
        return s.to_owned();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = unicode_width(c.encode_utf8(&mut [0; 4]));
        if used + w + 2 > width {
            break;
        }
        out.push(c);
        used += w;
    }
    // No space or opening bracket just before the `…`.
    let kept = out
        .trim_end_matches(|c: char| c.is_whitespace() || "([{".contains(c))
        .len();
    out.truncate(kept);
    out.push_str("… ");
    out
}

/// The long title if it fits in a box of `width` cells, else the short one.
fn fit(width: u16, long: String, short: String) -> String {
    if Span::raw(long.as_str()).width() + 2 <= width as usize {
        long
    } else {
        short
    }
}

fn boxed<'a>(title: Line<'a>, style: Style) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(style)
        .title(title)
}

fn device_box(frame: &Frame, w: &Words, area: Rect, buf: &mut Buffer) {
    let mut lines: Vec<Line> = frame
        .devices
        .iter()
        .map(|d| {
            let mut s = match (&d.port, d.closed) {
                (_, true) => format!("{} ({})", d.name, w.closed),
                (Some(p), false) => format!("{} → {} {} {}", d.name, p, w.key, d.key.unwrap_or(0)),
                (None, false) => format!("{} ({})", d.name, w.not_associated),
            };
            if !d.pending.is_empty() {
                s.push_str(&format!(" · {}: {}", w.pending, d.pending.join(",")));
            }
            Line::raw(s)
        })
        .collect();
    if lines.is_empty() {
        lines.push(Line::styled(w.empty, Style::default().fg(Color::DarkGray)));
    }
    Paragraph::new(lines)
        .block(boxed(Line::from(w.device_list), Style::default()))
        .render(area, buf);
}

fn iocq_box(p: &PortView, many: bool, w: &Words, area: Rect, buf: &mut Buffer) {
    let mut title = fit(
        area.width.saturating_sub(if many { 12 } else { 0 }),
        format!("{} {} ({})", w.iocq.0, w.iocq.1, p.iocq.len()),
        format!("{} ({})", w.iocq.0, p.iocq.len()),
    );
    if many || p.closed {
        title = format!("{} {} · {title}", w.port, p.name);
    }
    if p.closed {
        title.push_str(&format!(" · {}", w.closed));
    }
    let inner_h = area.height.saturating_sub(2) as usize;
    let mut lines: Vec<Line> = Vec::new();
    for (i, pk) in p.iocq.iter().enumerate() {
        if lines.len() + 1 == inner_h && p.iocq.len() > inner_h {
            lines.push(Line::raw(format!("  … +{}", p.iocq.len() - i)));
            break;
        }
        let mark = if i == 0 {
            format!("{}▶ ", w.head)
        } else {
            " ".repeat(Span::raw(w.head).width() + 2)
        };
        lines.push(Line::from(vec![
            Span::styled(mark, Style::default().fg(ACCENT)),
            Span::raw(format!("[{}]", pk.cell(w.key))),
        ]));
    }
    if lines.is_empty() {
        lines.push(Line::styled(w.empty, Style::default().fg(Color::DarkGray)));
    }
    Paragraph::new(lines)
        .block(boxed(Line::from(title), Style::default()))
        .render(area, buf);
}

fn wtq_box(p: &PortView, flavor: &str, w: &Words, area: Rect, buf: &mut Buffer) {
    let order = if flavor == "wine" { "FIFO" } else { "LIFO" };
    let title = fit(
        area.width,
        format!("{} {} ({}) {order}", w.wtq.0, w.wtq.1, p.wtq.len()),
        format!("{} ({}) {order}", w.wtq.0, p.wtq.len()),
    );
    let mut lines: Vec<Line> = p
        .wtq
        .iter()
        .enumerate()
        .map(|(i, t)| {
            if i == 0 {
                Line::from(vec![
                    Span::styled(
                        format!("▶ {t}"),
                        Style::default().fg(ACCENT).add_modifier(Modifier::BOLD),
                    ),
                    Span::styled(format!("  ← {}", w.next), Style::default().fg(ACCENT)),
                ])
            } else {
                Line::raw(format!("  {t}"))
            }
        })
        .collect();
    if lines.is_empty() {
        lines.push(Line::styled(w.empty, Style::default().fg(Color::DarkGray)));
    }
    Paragraph::new(lines)
        .block(boxed(Line::from(title), Style::default()))
        .render(area, buf);
}

/// The RTL gauge: one cell per slot up to `max` (filled or not), a bar at
/// the limit, then one warning cell per thread over it.
pub fn gauge(current: u32, max: u32) -> Vec<Span<'static>> {
    let ok = Style::default().fg(Color::Green);
    let over = Style::default().fg(OVER).add_modifier(Modifier::BOLD);
    let filled = current.min(max) as usize;
    let mut spans = vec![
        Span::styled("█".repeat(filled), ok),
        Span::styled("·".repeat((max as usize).saturating_sub(filled)), ok),
        Span::raw("|"),
    ];
    if current > max {
        spans.push(Span::styled("▲".repeat((current - max) as usize), over));
    }
    spans.push(Span::styled(
        format!(" {current}/{max}"),
        if current > max {
            over
        } else {
            Style::default()
        },
    ));
    spans
}

fn rtl_box(p: &PortView, w: &Words, area: Rect, buf: &mut Buffer) {
    let over = Style::default().fg(OVER).add_modifier(Modifier::BOLD);
    let marker = if p.over {
        format!(" ▲ {}", w.over_limit)
    } else {
        String::new()
    };
    let name = fit(
        area.width
            .saturating_sub(Span::raw(marker.as_str()).width() as u16),
        format!("{} {} {}/{}", w.rtl.0, w.rtl.1, p.current, p.max),
        format!("{} {}/{}", w.rtl.0, p.current, p.max),
    );
    let title = vec![Span::raw(name), Span::styled(marker, over)];
    let mut lines = vec![Line::from(gauge(p.current, p.max))];
    if p.over {
        lines.push(Line::styled(format!("▲ {} ▲", w.over_limit), over));
    }
    if p.rtl.is_empty() {
        lines.push(Line::styled(w.empty, Style::default().fg(Color::DarkGray)));
    } else {
        lines.push(Line::raw(p.rtl.join(" ")));
    }
    let border = if p.over { over } else { Style::default() };
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .block(boxed(Line::from(title), border))
        .render(area, buf);
}

fn ptl_box(p: &PortView, w: &Words, area: Rect, buf: &mut Buffer) {
    let title = fit(
        area.width,
        format!("{} {} ({})", w.ptl.0, w.ptl.1, p.ptl.len()),
        format!("{} ({})", w.ptl.0, p.ptl.len()),
    );
    let lines = if p.ptl.is_empty() {
        vec![Line::styled(w.empty, Style::default().fg(Color::DarkGray))]
    } else {
        p.ptl.iter().map(|t| Line::raw(format!("⏸ {t}"))).collect()
    };
    Paragraph::new(lines)
        .block(boxed(Line::from(title), Style::default()))
        .render(area, buf);
}

fn narration(
    show: &Show,
    frame: &Frame,
    index: usize,
    scroll: u16,
    w: &Words,
    area: Rect,
    buf: &mut Buffer,
) {
    let mut text: Vec<Line<'static>> = Vec::new();
    if index == 0 {
        text.push(Line::styled(
            show.title.clone(),
            Style::default().add_modifier(Modifier::BOLD),
        ));
        if let Some(d) = &show.description {
            text.push(Line::raw(d.clone()));
        }
    }
    if let Some(n) = &frame.note {
        text.push(Line::from(vec![
            Span::styled(
                format!("{}: ", w.note),
                Style::default()
                    .fg(Color::Yellow)
                    .add_modifier(Modifier::BOLD),
            ),
            Span::styled(n.clone(), Style::default().add_modifier(Modifier::ITALIC)),
        ]));
    }
    for r in &frame.rules {
        text.push(Line::from(vec![
            Span::styled(
                format!("{} ", r.label),
                Style::default().fg(ACCENT).add_modifier(Modifier::BOLD),
            ),
            Span::raw(r.text.clone()),
        ]));
    }
    if let Some(r) = &frame.rejected {
        text.push(Line::styled(
            format!("{}: {r}", w.rejected),
            Style::default().fg(OVER),
        ));
    }
    if frame.result.is_some() || !frame.deliveries.is_empty() {
        let mut s = format!("{}: {}", w.result, frame.result.unwrap_or("-"));
        for d in &frame.deliveries {
            s.push_str(&format!("   {} ← [{}]", d.thread, d.packet.cell(w.key)));
        }
        for (t, e) in &frame.failures {
            s.push_str(&format!("   {t} {}: {e}", w.failed));
        }
        text.push(Line::styled(s, Style::default().fg(Color::Green)));
    }
    let mismatch_style = if show.foreign {
        Style::default().fg(Color::Yellow)
    } else {
        Style::default().fg(OVER).add_modifier(Modifier::BOLD)
    };
    for m in &frame.mismatches {
        text.push(Line::styled(m.clone(), mismatch_style));
    }
    if index == show.last() {
        if let Some(s) = &show.stopped {
            text.push(Line::styled(
                format!("{}: {s}", w.stopped),
                Style::default().fg(OVER),
            ));
        }
    }
    let inner = area.width.saturating_sub(2) as usize;
    let lines: Vec<Line> = text.into_iter().flat_map(|l| wrap_line(l, inner)).collect();
    let shown = area.height.saturating_sub(2) as usize;
    // Scrolled at most to the last full page.
    let scroll = scroll.min(lines.len().saturating_sub(shown) as u16);
    let mut block = boxed(Line::from(w.narration), Style::default().fg(Color::Gray));
    if lines.len() > scroll as usize + shown {
        block = block.title_bottom(Line::styled(
            format!("▼ {}", w.more),
            Style::default()
                .fg(Color::Yellow)
                .add_modifier(Modifier::BOLD),
        ));
    }
    if scroll > 0 {
        block =
            block.title_top(Line::styled("▲", Style::default().fg(Color::Yellow)).right_aligned());
    }
    Paragraph::new(lines)
        .scroll((scroll, 0))
        .block(block)
        .render(area, buf);
}

/// Wraps a line at spaces to `width` cells, counting wide characters
/// (Hangul) as two cells; a word longer than the width is cut.
pub fn wrap_line(line: Line<'static>, width: usize) -> Vec<Line<'static>> {
    if width == 0 {
        return vec![line];
    }
    // Split every span into words, each keeping its trailing spaces.
    let mut words: Vec<(String, Style)> = Vec::new();
    for span in line.spans {
        let mut cur = String::new();
        let mut in_space = false;
        for c in span.content.chars() {
            if c != ' ' && in_space {
                words.push((std::mem::take(&mut cur), span.style));
                in_space = false;
            }
            if c == ' ' {
                in_space = true;
            }
            cur.push(c);
        }
        if !cur.is_empty() {
            words.push((cur, span.style));
        }
    }
    let cw = |s: &str| Span::raw(s).width();
    let mut out: Vec<Line<'static>> = Vec::new();
    let mut cur: Vec<Span<'static>> = Vec::new();
    let mut used = 0usize;
    for (word, style) in words {
        let bare = word.trim_end_matches(' ');
        if used > 0 && used + cw(bare) > width {
            out.push(Line::from(std::mem::take(&mut cur)));
            used = 0;
        }
        let mut word = word;
        if used == 0 {
            // Cut words that cannot fit on a line of their own.
            while cw(word.trim_end_matches(' ')) > width {
                let mut head = String::new();
                let mut rest = String::new();
                let mut w = 0;
                for c in word.chars() {
                    let c_w = cw(c.encode_utf8(&mut [0; 4]));
                    if rest.is_empty() && w + c_w <= width {
                        head.push(c);
                        w += c_w;
                    } else {
                        rest.push(c);
                    }
                }
                out.push(Line::from(Span::styled(head, style)));
                word = rest;
            }
        }
        let ww = cw(&word);
        used += ww;
        cur.push(Span::styled(word, style));
        if used >= width {
            out.push(Line::from(std::mem::take(&mut cur)));
            used = 0;
        }
    }
    if !cur.is_empty() || out.is_empty() {
        out.push(Line::from(cur));
    }
    out
}

fn thread_line(frame: &Frame, w: &Words, area: Rect, buf: &mut Buffer) {
    let mut spans = vec![Span::styled(
        format!("{}: ", w.threads),
        Style::default().add_modifier(Modifier::BOLD),
    )];
    for t in &frame.threads {
        spans.push(Span::styled(
            format!("{}  ", thread_head(t, w)),
            Style::default().fg(status_colour(t.status)),
        ));
    }
    Paragraph::new(Line::from(spans)).render(area, buf);
}

/// A thread as the threads line and the code pane's column heads show it:
/// its name, its state, its port while it runs, waits or is paused, and
/// the queue-wait mark (`W1 running@P +mark`).
pub(crate) fn thread_head(t: &ThreadView, w: &Words) -> String {
    let at = match (&t.port, t.status) {
        (Some(p), ThreadStatus::Running | ThreadStatus::Waiting | ThreadStatus::Paused) => {
            format!("@{p}")
        }
        _ => String::new(),
    };
    let mark = if t.mark {
        format!(" +{}", w.mark.0)
    } else {
        String::new()
    };
    format!("{} {}{at}{mark}", t.name, t.state_text)
}

fn help_line(ui: &Ui, w: &Words, area: Rect, buf: &mut Buffer) {
    let st = Style::default().fg(Color::Black).bg(Color::Gray);
    buf.set_style(area, st);
    let text = match (&ui.input, &ui.message) {
        (Some(digits), _) => format!(" {}: {digits}_   (Enter / Esc)", w.goto),
        (None, Some(m)) => format!(" {m}"),
        (None, None) => format!(" {}", ui.help.as_deref().unwrap_or(w.help)),
    };
    Paragraph::new(Line::styled(text, st)).render(area, buf);
}

#[cfg(test)]
mod tests {
    use super::{ellipsis, unicode_width};

    /// A title that does not fit is cut where a whole character still
    /// fits, and ends with `…` so that it reads as cut; one that fits is
    /// kept whole.
    #[test]
    fn a_cut_title_ends_with_an_ellipsis_within_its_width() {
        assert_eq!(ellipsis("abcdef", 6), "abcdef");
        assert_eq!(ellipsis("abcdef", 5), "abc… ");
        assert_eq!(
            ellipsis("ab (cdef", 6),
            "ab… ",
            "no space or bracket before the cut"
        );
        // Korean: two cells a character, never half of one.
        assert_eq!(ellipsis("가나다라", 7), "가나… ");
        for w in 0..12 {
            assert!(unicode_width(&ellipsis("4강: RTL은 최대", w)) <= w.max(2));
        }
    }
}
