//! Inline SVG line charts for the HTML report: no script, no font file, no
//! asset to fetch; the browser lays the text out. Each chart has its own
//! axes (ticks at round values), one polyline per series, and a legend.

use seam_core::html::escape;

/// One line: its name, colour and points.
pub struct Series<'a> {
    pub name: &'a str,
    pub color: &'a str,
    pub points: Vec<(f64, f64)>,
}

/// How the x axis reads.
pub enum XAxis {
    /// Seconds of the run.
    Seconds,
    /// Percentiles on a log scale of the distance to 100% (50, 90, 99, 99.9 ...).
    Percentile,
}

const W: f64 = 720.0;
const H: f64 = 280.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 28.0;
const BOTTOM: f64 = 40.0;

/// 1, 2 or 5 times a power of ten, at least `raw`.
fn nice(raw: f64) -> f64 {
    if raw <= 0.0 || !raw.is_finite() {
        return 1.0;
    }
    let p = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * p)
        .find(|v| *v >= raw)
        .unwrap_or(10.0 * p)
}

fn label(v: f64) -> String {
    if v == v.trunc() && v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        let s = format!("{v:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// The nines of a percentile: 90% at 1, 99% at 2, 99.9% at 3 (50% at 0.3).
fn nines(p: f64) -> f64 {
    -(1.0 - p / 100.0).max(1e-6).log10()
}

/// An SVG chart titled `title`, the y axis in `y_unit`.
pub fn line_chart(title: &str, y_unit: &str, x: XAxis, series: &[Series<'_>]) -> String {
    let map_x = |v: f64| match x {
        XAxis::Seconds => v,
        XAxis::Percentile => nines(v),
    };
    let points = series.iter().flat_map(|s| s.points.iter());
    let (x_max, y_max) = points.fold((0f64, 0f64), |(xm, ym), &(px, py)| {
        (xm.max(map_x(px)), ym.max(py))
    });
    let x_max = match x {
        XAxis::Seconds => nice(x_max.max(1.0)),
        XAxis::Percentile => x_max.max(2.0).ceil(),
    };
    let y_step = nice(y_max.max(1e-3) / 5.0);
    let y_top = (y_max / y_step).ceil().max(1.0) * y_step;
    let px = |v: f64| LEFT + map_x(v) / x_max * (W - LEFT - RIGHT);
    let py = |v: f64| H - BOTTOM - v / y_top * (H - TOP - BOTTOM);
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 {W} {H}\" width=\"{W}\" height=\"{H}\" role=\"img\" aria-label=\"{t}\">\n<title>{t}</title>\n<text x=\"{LEFT}\" y=\"18\" font-size=\"13\" font-weight=\"bold\">{t}</text>\n",
        t = escape(title)
    );
    // y grid and labels
    let mut v = 0.0;
    while v <= y_top + y_step / 2.0 {
        let y = py(v);
        out.push_str(&format!(
            "<line x1=\"{LEFT}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" stroke=\"#e4e4e4\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"end\">{}</text>\n",
            W - RIGHT,
            LEFT - 6.0,
            y + 4.0,
            label(v)
        ));
        v += y_step;
    }
    // x ticks
    let ticks: Vec<(f64, String)> = match x {
        XAxis::Seconds => {
            let step = nice(x_max / 8.0);
            (0..=((x_max / step).round() as usize))
                .map(|i| (i as f64 * step, label(i as f64 * step)))
                .collect()
        }
        XAxis::Percentile => std::iter::once(50.0)
            .chain((1..=(x_max as i32)).map(|n| 100.0 - 100.0 / 10f64.powi(n)))
            .map(|p| (p, format!("{}%", label(p))))
            .collect(),
    };
    for (tv, text) in ticks {
        let x = px(tv);
        out.push_str(&format!(
            "<line x1=\"{x:.1}\" y1=\"{:.1}\" x2=\"{x:.1}\" y2=\"{:.1}\" stroke=\"#999\"/><text x=\"{x:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"middle\">{}</text>\n",
            H - BOTTOM,
            H - BOTTOM + 4.0,
            H - BOTTOM + 16.0,
            escape(&text)
        ));
    }
    let x_name = match x {
        XAxis::Seconds => "seconds",
        XAxis::Percentile => "percentile",
    };
    out.push_str(&format!(
        "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"middle\">{x_name}</text>\n<text x=\"14\" y=\"{:.1}\" font-size=\"11\" transform=\"rotate(-90 14 {:.1})\" text-anchor=\"middle\">{}</text>\n",
        (LEFT + W - RIGHT) / 2.0,
        H - 6.0,
        H / 2.0,
        H / 2.0,
        escape(y_unit)
    ));
    out.push_str(&format!(
        "<line x1=\"{LEFT}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"#555\"/>\n",
        H - BOTTOM,
        W - RIGHT,
        H - BOTTOM
    ));
    for (i, s) in series.iter().enumerate() {
        let pts: Vec<String> = s
            .points
            .iter()
            .map(|&(x, y)| format!("{:.1},{:.1}", px(x), py(y)))
            .collect();
        out.push_str(&format!(
            "<polyline class=\"series\" data-name=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"1.8\" points=\"{}\"/>\n",
            escape(s.name),
            escape(s.color),
            pts.join(" ")
        ));
        let lx = W - RIGHT - 110.0;
        let ly = TOP + 6.0 + 16.0 * i as f64;
        out.push_str(&format!(
            "<line x1=\"{lx:.1}\" y1=\"{ly:.1}\" x2=\"{:.1}\" y2=\"{ly:.1}\" stroke=\"{}\" stroke-width=\"3\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\">{}</text>\n",
            lx + 18.0,
            escape(s.color),
            lx + 24.0,
            ly + 4.0,
            escape(s.name)
        ));
    }
    out.push_str("</svg>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_steps_and_labels() {
        assert_eq!(
            (nice(0.7), nice(3.0), nice(7.0), nice(120.0)),
            (1.0, 5.0, 10.0, 200.0)
        );
        assert_eq!(
            (label(2.0), label(0.25), label(99.9)),
            ("2".to_string(), "0.25".to_string(), "99.9".to_string())
        );
        assert!((nines(99.0) - nines(90.0) - 1.0).abs() < 1e-9);
        assert!((nines(90.0) - 1.0).abs() < 1e-9 && (nines(99.9) - 3.0).abs() < 1e-9);
    }

    #[test]
    fn a_chart_is_svg_with_a_line_per_series_inside_its_box() {
        let svg = line_chart(
            "Latency <over> time",
            "ms",
            XAxis::Seconds,
            &[
                Series {
                    name: "p50",
                    color: "#1f77b4",
                    points: vec![(0.0, 1.0), (1.0, 2.0), (2.0, 1.5)],
                },
                Series {
                    name: "p99",
                    color: "#d62728",
                    points: vec![(0.0, 3.0), (1.0, 9.0), (2.0, 4.0)],
                },
            ],
        );
        assert!(svg.contains("Latency &lt;over&gt; time"));
        let doc = roxmltree::Document::parse(&svg).expect(&svg);
        let lines: Vec<_> = doc
            .descendants()
            .filter(|n| n.has_tag_name("polyline"))
            .collect();
        assert_eq!(lines.len(), 2);
        for line in lines {
            for point in line.attribute("points").unwrap().split(' ') {
                let (x, y) = point.split_once(',').unwrap();
                let (x, y): (f64, f64) = (x.parse().unwrap(), y.parse().unwrap());
                assert!(
                    (LEFT..=W - RIGHT).contains(&x) && (TOP..=H - BOTTOM).contains(&y),
                    "{point}"
                );
            }
        }
        let pct = line_chart(
            "d",
            "ms",
            XAxis::Percentile,
            &[Series {
                name: "all",
                color: "#000",
                points: vec![(50.0, 1.0), (99.99, 40.0)],
            }],
        );
        assert!(pct.contains(">99.9%<") && pct.contains(">50%<"), "{pct}");
    }
}
