//! Small, dependency-free SVG bar charts for the results page.

use std::fmt::Write;

const PALETTE: [&str; 6] = [
    "#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#b07aa1", "#76b7b2",
];
const FONT: &str = "font-family=\"sans-serif\" font-size=\"12\"";

/// Formats nanoseconds with a unit that keeps three significant digits.
pub(crate) fn format_ns(ns: f64) -> String {
    let (value, unit) = if ns >= 1e6 {
        (ns / 1e6, "ms")
    } else if ns >= 1e3 {
        (ns / 1e3, "µs")
    } else {
        (ns, "ns")
    };
    let decimals = if value >= 100.0 {
        0
    } else if value >= 10.0 {
        1
    } else {
        2
    };
    format!("{value:.decimals$} {unit}")
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Clusters of vertical bars on a logarithmic time axis: one cluster per
/// parameter value, one bar (and colour) per alternative.
pub(crate) fn grouped_bars(
    title: &str,
    clusters: &[String],
    series: &[(String, Vec<Option<f64>>)],
) -> String {
    let values = series.iter().flat_map(|(_, v)| v.iter().flatten().copied());
    let (min, max) = values.fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let (lo, hi) = (
        min.log10().floor(),
        max.log10().ceil().max(min.log10().floor() + 1.0),
    );
    let (left, top, plot_w, plot_h) = (70.0, 40.0, 640.0, 240.0);
    let legend_h = 18.0 * series.len() as f64;
    let height = top + plot_h + 40.0 + legend_h + 10.0;
    let y = |ns: f64| top + plot_h * (1.0 - (ns.log10() - lo) / (hi - lo));

    let mut svg = open_svg(title, left, left + plot_w + 20.0, height);
    // Decade grid lines, labelled.
    time_grid(&mut svg, (lo, hi), left, plot_w, y);
    let cluster_w = plot_w / clusters.len().max(1) as f64;
    let bar_w = (cluster_w * 0.8) / series.len().max(1) as f64;
    for (c, cluster) in clusters.iter().enumerate() {
        let x0 = left + cluster_w * c as f64 + cluster_w * 0.1;
        for (s, (name, values)) in series.iter().enumerate() {
            let Some(ns) = values.get(c).copied().flatten() else {
                continue;
            };
            let (x, top_y) = (x0 + bar_w * s as f64, y(ns));
            let _ = writeln!(
                svg,
                "<rect x=\"{x:.1}\" y=\"{top_y:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{}\"><title>{} {}: {}</title></rect>",
                bar_w * 0.9,
                top + plot_h - top_y,
                PALETTE[s % PALETTE.len()],
                escape(name),
                escape(cluster),
                format_ns(ns),
            );
        }
        let _ = writeln!(
            svg,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            left + cluster_w * (c as f64 + 0.5),
            top + plot_h + 18.0,
            escape(cluster),
        );
    }
    for (s, (name, _)) in series.iter().enumerate() {
        let ly = top + plot_h + 40.0 + 18.0 * s as f64;
        let _ = writeln!(
            svg,
            "<rect x=\"{left}\" y=\"{:.1}\" width=\"12\" height=\"12\" fill=\"{}\"/><text x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            ly - 10.0,
            PALETTE[s % PALETTE.len()],
            left + 18.0,
            ly,
            escape(name),
        );
    }
    svg.push_str("</svg>\n");
    svg
}

/// Horizontal bars of speed-ups on a logarithmic axis centred on 1×: right of
/// the centre line (green) we are faster, left (red) slower.
pub(crate) fn ratio_bars(title: &str, rows: &[(String, f64)]) -> String {
    let (label_w, half, row_h, top) = (330.0, 220.0, 16.0, 40.0);
    let extent = rows
        .iter()
        .map(|(_, r)| r.log2().abs().ceil())
        .fold(1.0_f64, f64::max);
    let centre = label_w + half;
    let x = |ratio: f64| centre + half * (ratio.log2() / extent);
    let height = top + row_h * rows.len() as f64 + 30.0;

    let mut svg = open_svg(title, 10.0, label_w + 2.0 * half + 20.0, height);
    let bottom = top + row_h * rows.len() as f64;
    let mut power = -extent;
    while power <= extent {
        let gx = x(2f64.powf(power));
        let label = if power >= 0.0 {
            format!("{}×", 2f64.powf(power))
        } else {
            format!("1/{}", 2f64.powf(-power))
        };
        let _ = writeln!(
            svg,
            "<line x1=\"{gx:.1}\" y1=\"{top}\" x2=\"{gx:.1}\" y2=\"{bottom}\" stroke=\"{}\"/>\
             <text x=\"{gx:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{label}</text>",
            if power == 0.0 { "#333" } else { "#ddd" },
            bottom + 16.0,
        );
        power += 1.0;
    }
    for (i, (label, ratio)) in rows.iter().enumerate() {
        let ry = top + row_h * i as f64;
        let (x0, x1) = (centre.min(x(*ratio)), centre.max(x(*ratio)));
        let colour = if *ratio >= 1.0 { "#59a14f" } else { "#e15759" };
        let _ = writeln!(
            svg,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>\
             <rect x=\"{x0:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{colour}\"><title>{}: {ratio:.2}×</title></rect>",
            label_w - 6.0,
            ry + 12.0,
            escape(label),
            ry + 2.0,
            (x1 - x0).max(1.0),
            row_h - 4.0,
            escape(label),
        );
    }
    svg.push_str("</svg>\n");
    svg
}

/// Lines on logarithmic axes, one per series of `(x, ns)` points: how a
/// cost grows with a size. A flat line is a cost that does not grow.
pub(crate) fn growth_lines(
    title: &str,
    x_label: &str,
    series: &[(String, Vec<(f64, f64)>)],
) -> String {
    let points = || series.iter().flat_map(|(_, p)| p.iter().copied());
    let span = |values: &mut dyn Iterator<Item = f64>| {
        let (lo, hi) = values.fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)));
        let (lo, hi) = (lo.log10().floor(), hi.log10().ceil());
        (lo, hi.max(lo + 1.0))
    };
    let (x_lo, x_hi) = span(&mut points().map(|p| p.0));
    let (y_lo, y_hi) = span(&mut points().map(|p| p.1));
    let (left, top, plot_w, plot_h) = (70.0, 40.0, 560.0, 260.0);
    let legend_h = 18.0 * series.len() as f64;
    let height = top + plot_h + 50.0 + legend_h + 10.0;
    let x = |v: f64| left + plot_w * (v.log10() - x_lo) / (x_hi - x_lo);
    let y = |ns: f64| top + plot_h * (1.0 - (ns.log10() - y_lo) / (y_hi - y_lo));

    let mut svg = open_svg(title, left, left + plot_w + 30.0, height);
    time_grid(&mut svg, (y_lo, y_hi), left, plot_w, y);
    let mut decade = x_lo;
    while decade <= x_hi {
        let gx = x(10f64.powf(decade));
        let _ = writeln!(
            svg,
            "<line x1=\"{gx:.1}\" y1=\"{top}\" x2=\"{gx:.1}\" y2=\"{:.1}\" stroke=\"#eee\"/>\
             <text x=\"{gx:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            top + plot_h,
            top + plot_h + 16.0,
            format_count(10f64.powf(decade)),
        );
        decade += 1.0;
    }
    let _ = writeln!(
        svg,
        "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
        left + plot_w / 2.0,
        top + plot_h + 34.0,
        escape(x_label),
    );
    for (s, (name, points)) in series.iter().enumerate() {
        let colour = PALETTE[s % PALETTE.len()];
        let path: Vec<String> = points
            .iter()
            .map(|&(px, ns)| format!("{:.1},{:.1}", x(px), y(ns)))
            .collect();
        let _ = writeln!(
            svg,
            "<polyline points=\"{}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\"/>",
            path.join(" ")
        );
        for &(px, ns) in points {
            let _ = writeln!(
                svg,
                "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3.5\" fill=\"{colour}\"><title>{} at {}: {}</title></circle>",
                x(px),
                y(ns),
                escape(name),
                format_count(px),
                format_ns(ns),
            );
        }
        let ly = top + plot_h + 54.0 + 18.0 * s as f64;
        let _ = writeln!(
            svg,
            "<rect x=\"{left}\" y=\"{:.1}\" width=\"12\" height=\"12\" fill=\"{colour}\"/><text x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            ly - 10.0,
            left + 18.0,
            ly,
            escape(name),
        );
    }
    svg.push_str("</svg>\n");
    svg
}

/// A size as it reads on an axis: 1, 10, 1k, 100k, 1M.
pub(crate) fn format_count(n: f64) -> String {
    if n >= 1e6 {
        format!("{}M", n / 1e6)
    } else if n >= 1e3 {
        format!("{}k", n / 1e3)
    } else {
        format!("{n}")
    }
}

/// The start of a chart: the `<svg>` element, a white page and the title at
/// `left`.
fn open_svg(title: &str, left: f64, width: f64, height: f64) -> String {
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" {FONT}>\n\
         <rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n\
         <text x=\"{left}\" y=\"22\" font-size=\"14\" font-weight=\"bold\">{}</text>\n",
        escape(title),
    );
    svg
}

/// Horizontal grid lines at every decade of time from `10^lo` to `10^hi`
/// nanoseconds, labelled on the left; `y` maps a time to its height.
fn time_grid(
    svg: &mut String,
    (lo, hi): (f64, f64),
    left: f64,
    plot_w: f64,
    y: impl Fn(f64) -> f64,
) {
    let mut decade = lo;
    while decade <= hi {
        let gy = y(10f64.powf(decade));
        let _ = writeln!(
            svg,
            "<line x1=\"{left}\" y1=\"{gy:.1}\" x2=\"{:.1}\" y2=\"{gy:.1}\" stroke=\"#ddd\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            left + plot_w,
            left - 6.0,
            gy + 4.0,
            format_ns(10f64.powf(decade)),
        );
        decade += 1.0;
    }
}
