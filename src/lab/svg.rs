//! A small SVG line chart, written by hand so the plots need no dependency
//! and come out byte for byte the same for the same numbers.

use std::fmt::Write;

/// One line of a chart.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    /// Its legend.
    pub label: String,
    /// Its points, in x order.
    pub points: Vec<(f64, f64)>,
}

const PALETTE: [&str; 10] = [
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf",
];
const DASHES: [&str; 3] = ["", "6,3", "2,3"];

/// "Nice" tick values covering `[lo, hi]`.
fn ticks(lo: f64, hi: f64, want: usize) -> Vec<f64> {
    let span = (hi - lo).max(1e-12);
    let raw = span / want.max(1) as f64;
    let mag = 10f64.powi(raw.log10().floor() as i32);
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    let first = (lo / step).floor() * step;
    let mut t = vec![first];
    let mut i = 1.0;
    while t.last().is_some_and(|&x| x < hi - step * 1e-9) && t.len() < 50 {
        t.push(first + i * step);
        i += 1.0;
    }
    t
}

fn fmt_tick(v: f64) -> String {
    let a = v.abs();
    if a == 0.0 {
        "0".into()
    } else if a >= 1e6 {
        format!("{}M", trim(v / 1e6))
    } else if a >= 1e4 {
        format!("{}k", trim(v / 1e3))
    } else {
        trim(v)
    }
}

fn trim(v: f64) -> String {
    let s = format!("{v:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_owned()
}

/// Draws a line chart. Lines differ by colour; `dash_of` picks a dash
/// pattern (index 0-2) for a series, e.g. by policy. With `log_y` the y axis
/// is logarithmic (for latencies that span orders of magnitude).
pub fn line_chart(
    title: &str,
    x_label: &str,
    y_label: &str,
    series: &[Series],
    dash_of: &dyn Fn(&Series) -> usize,
    log_y: bool,
) -> String {
    let (w, h) = (900.0, 520.0);
    let (left, right, top, bottom) = (80.0, 250.0, 50.0, 60.0);
    let pw = w - left - right;
    let ph = h - top - bottom;
    let pts = series.iter().flat_map(|s| s.points.iter());
    let (mut x0, mut x1, mut y1) = (f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY);
    for &(x, y) in pts {
        x0 = x0.min(x);
        x1 = x1.max(x);
        y1 = y1.max(y);
    }
    if !x0.is_finite() {
        (x0, x1, y1) = (0.0, 1.0, 1.0);
    }
    if x1 <= x0 {
        x1 = x0 + 1.0;
    }
    let (yt, y_lo, y_hi) = if log_y {
        let pos = series
            .iter()
            .flat_map(|s| s.points.iter().map(|p| p.1))
            .filter(|y| *y > 0.0);
        let lo = pos.clone().fold(f64::INFINITY, f64::min);
        let hi = pos.fold(0.0, f64::max);
        let (lo, hi) = if lo.is_finite() {
            (lo, hi)
        } else {
            (1.0, 10.0)
        };
        let (a, mut b) = (lo.log10().floor() as i32, hi.log10().ceil() as i32);
        if b <= a {
            b = a + 1;
        }
        let t: Vec<f64> = (a..=b).map(|e| 10f64.powi(e)).collect();
        (t, a as f64, b as f64)
    } else {
        let t = ticks(0.0, if y1 > 0.0 { y1 } else { 1.0 }, 6);
        let hi = *t.last().unwrap_or(&1.0);
        (t, 0.0, hi)
    };
    let xt = ticks(x0, x1, 10);
    let sx = |x: f64| left + (x - x0) / (x1 - x0) * pw;
    let sy = |y: f64| {
        let v = if log_y {
            y.max(10f64.powf(y_lo)).log10()
        } else {
            y
        };
        top + ph - (v - y_lo) / (y_hi - y_lo) * ph
    };

    let mut o = String::new();
    let _ = writeln!(
        o,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(o, r#"<rect width="{w}" height="{h}" fill="white"/>"#);
    let _ = writeln!(
        o,
        r#"<text x="{}" y="28" text-anchor="middle" font-size="16">{}</text>"#,
        left + pw / 2.0,
        crate::escape::markup(title)
    );
    for &y in &yt {
        let py = sy(y);
        let _ = writeln!(
            o,
            r##"<line x1="{left}" y1="{py:.1}" x2="{:.1}" y2="{py:.1}" stroke="#e0e0e0"/><text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"##,
            left + pw,
            left - 6.0,
            py + 4.0,
            fmt_tick(y)
        );
    }
    for &x in xt.iter().filter(|&&x| x >= x0 - 1e-9 && x <= x1 + 1e-9) {
        let px = sx(x);
        let _ = writeln!(
            o,
            r##"<line x1="{px:.1}" y1="{top}" x2="{px:.1}" y2="{:.1}" stroke="#f0f0f0"/><text x="{px:.1}" y="{:.1}" text-anchor="middle">{}</text>"##,
            top + ph,
            top + ph + 18.0,
            fmt_tick(x)
        );
    }
    let _ = writeln!(
        o,
        r##"<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" stroke="#444"/>"##
    );
    let _ = writeln!(
        o,
        r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
        left + pw / 2.0,
        h - 18.0,
        crate::escape::markup(x_label)
    );
    let _ = writeln!(
        o,
        r#"<text x="20" y="{:.1}" text-anchor="middle" transform="rotate(-90 20 {:.1})">{}</text>"#,
        top + ph / 2.0,
        top + ph / 2.0,
        crate::escape::markup(y_label)
    );
    for (i, s) in series.iter().enumerate() {
        let colour = PALETTE[i % PALETTE.len()];
        let dash = DASHES[dash_of(s) % DASHES.len()];
        let dash_attr = if dash.is_empty() {
            String::new()
        } else {
            format!(r#" stroke-dasharray="{dash}""#)
        };
        let path: Vec<String> = s
            .points
            .iter()
            .map(|&(x, y)| format!("{:.1},{:.1}", sx(x), sy(y)))
            .collect();
        let _ = writeln!(
            o,
            r#"<polyline fill="none" stroke="{colour}" stroke-width="2"{dash_attr} points="{}"/>"#,
            path.join(" ")
        );
        for &(x, y) in &s.points {
            let _ = writeln!(
                o,
                r#"<circle cx="{:.1}" cy="{:.1}" r="2.5" fill="{colour}"/>"#,
                sx(x),
                sy(y)
            );
        }
        let ly = top + 10.0 + i as f64 * 18.0;
        let lx = left + pw + 15.0;
        let _ = writeln!(
            o,
            r#"<line x1="{lx}" y1="{ly}" x2="{}" y2="{ly}" stroke="{colour}" stroke-width="2"{dash_attr}/><text x="{}" y="{}">{}</text>"#,
            lx + 28.0,
            lx + 34.0,
            ly + 4.0,
            crate::escape::markup(&s.label)
        );
    }
    o.push_str("</svg>\n");
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chart_has_one_line_per_series_and_legends() {
        let s = vec![
            Series {
                label: "a <1>".into(),
                points: vec![(1.0, 2.0), (2.0, 3.0)],
            },
            Series {
                label: "b".into(),
                points: vec![(1.0, 1.0), (2.0, 5.0)],
            },
        ];
        let svg = line_chart("t", "x", "y", &s, &|_| 0, false);
        assert!(line_chart("t", "x", "y", &s, &|_| 0, true).contains(">1<"));
        assert_eq!(svg.matches("<polyline").count(), 2);
        assert!(svg.contains("a &lt;1&gt;"));
        assert!(svg.starts_with("<svg"));
    }

    #[test]
    fn ticks_cover_the_range() {
        let t = ticks(0.0, 97.0, 6);
        assert_eq!(t.first(), Some(&0.0));
        assert!(*t.last().unwrap() >= 97.0);
        let t = ticks(0.0, 0.863, 6);
        assert!(*t.last().unwrap() >= 0.863, "{t:?}");
        assert_eq!(ticks(0.0, 1.0, 5).last(), Some(&1.0));
    }
}
