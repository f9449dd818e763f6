//! The report's charts, drawn with `plotters` on its SVG backend into strings: fans over quarters, the
//! dominance bars, the event timeline and the policy differences with their intervals.
//!
//! Every pole keeps one colour and one line pattern throughout, chosen so the three poles stay apart in
//! greyscale print (dark, middle and light grey; solid, dashed and dotted medians).

use plotters::coord::Shift;
use plotters::element::{DashedPathElement, DottedPathElement};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::ReportError;

/// Font for every label: the reader's sans-serif, nothing to load.
const FONT: &str = "sans-serif";

/// A pole's colour and line pattern.
#[derive(Debug, Clone, Copy)]
pub struct PoleStyle {
    /// Fill and line colour.
    pub color: RGBColor,
    /// 0 solid, 1 dashed, 2 dotted.
    pub pattern: u8,
}

impl PoleStyle {
    /// The colour as CSS `#rrggbb`.
    pub fn css(&self) -> String {
        let RGBColor(r, g, b) = self.color;
        format!("#{r:02x}{g:02x}{b:02x}")
    }

    /// Greyscale luminance 0..=255, to pick a readable text colour on it.
    fn luminance(&self) -> f64 {
        let RGBColor(r, g, b) = self.color;
        0.299 * f64::from(r) + 0.587 * f64::from(g) + 0.114 * f64::from(b)
    }
}

/// The style of pole number `index` named `name`: NATO navy, Russia red, China amber (luminance about
/// 44, 97 and 181 of 255, so apart in greyscale); other poles take a grey-spaced fallback by index.
pub fn pole_style(name: &str, index: usize) -> PoleStyle {
    let known = match name {
        "NATO" => Some((RGBColor(13, 48, 107), 0)),
        "Russia" => Some((RGBColor(222, 45, 38), 1)),
        "China" => Some((RGBColor(245, 180, 20), 2)),
        _ => None,
    };
    let (color, pattern) = known.unwrap_or_else(|| {
        const FALLBACK: [RGBColor; 4] = [
            RGBColor(27, 120, 55),
            RGBColor(118, 42, 131),
            RGBColor(90, 174, 97),
            RGBColor(153, 112, 171),
        ];
        (FALLBACK[index % FALLBACK.len()], (index % 3) as u8)
    });
    PoleStyle { color, pattern }
}

/// One pole's fan: the median and two bands, over x.
pub struct Fan<'a> {
    /// Pole name (the label at the right end).
    pub label: &'a str,
    /// Its style.
    pub style: PoleStyle,
    /// x (year fraction) of each point.
    pub x: Vec<f64>,
    /// Median (or the line), in percent.
    pub mid: Vec<f64>,
    /// Inner band (25th–75th percentile), in percent; empty for none.
    pub inner: Vec<(f64, f64)>,
    /// Outer band (5th–95th percentile, or a 95% interval), in percent.
    pub outer: Vec<(f64, f64)>,
}

/// The label style: `size` px, bold or not, anchored at (`h`, `v`).
fn text(size: u32, bold: bool, h: HPos, v: VPos) -> TextStyle<'static> {
    let font = (FONT, size).into_font();
    let font = if bold {
        font.style(FontStyle::Bold)
    } else {
        font
    };
    TextStyle::from(font).pos(Pos::new(h, v))
}

/// An axis value in percentage points, signed, with a true minus sign, and 0 unsigned.
fn signed(x: f64) -> String {
    if x.abs() < 1e-9 {
        "0".into()
    } else {
        format!("{x:+.1}").replace('-', "−")
    }
}

fn draw_err<E: std::fmt::Display>(e: E) -> ReportError {
    ReportError::Draw(e.to_string())
}

/// The x coordinate of a quarter label `YYYYQn`: the end of the quarter as a year fraction (2018Q1 is
/// 2018.25), or `fallback` for a label of another form.
pub fn quarter_x(label: &str, fallback: f64) -> f64 {
    let parsed = label.split_once('Q').and_then(|(y, q)| {
        let y: f64 = y.parse().ok()?;
        let q: f64 = q.parse().ok()?;
        Some(y + q / 4.0)
    });
    parsed.unwrap_or(fallback)
}

/// Draws `body` on a fresh SVG of `size` and returns the SVG text.
fn svg(
    size: (u32, u32),
    body: impl FnOnce(&DrawingArea<SVGBackend, Shift>) -> Result<(), ReportError>,
) -> Result<String, ReportError> {
    let mut text = String::new();
    {
        let root = SVGBackend::with_string(&mut text, size).into_drawing_area();
        root.fill(&WHITE).map_err(draw_err)?;
        body(&root)?;
        root.present().map_err(draw_err)?;
    }
    Ok(text)
}

/// Draws a path in the pole's pattern.
fn pattern_line<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    points: Vec<(i32, i32)>,
    style: PoleStyle,
) -> Result<(), ReportError> {
    let stroke = style.color.stroke_width(3);
    match style.pattern {
        0 => area.draw(&PathElement::new(points, stroke)),
        1 => area.draw(&DashedPathElement::new(points, 9, 5, stroke)),
        _ => {
            let color = style.color;
            area.draw(&DottedPathElement::new(points, 0, 7, move |c| {
                Circle::new(c, 2, color.filled())
            }))
        }
    }
    .map_err(draw_err)
}

/// Vertical distance between two line labels, in pixels.
const LABEL_GAP: i32 = 16;

/// A chart of fans over time, y in percent 0..=100, with each line labelled at its right end.
pub fn fans(title: &str, fans: &[Fan], size: (u32, u32)) -> Result<String, ReportError> {
    let x0 = fans
        .iter()
        .flat_map(|f| f.x.first())
        .fold(f64::INFINITY, |a, &b| a.min(b));
    let x1 = fans
        .iter()
        .flat_map(|f| f.x.last())
        .fold(f64::NEG_INFINITY, |a, &b| a.max(b));
    let (x0, x1) = if x0 < x1 { (x0, x1) } else { (0.0, 1.0) };
    svg(size, |root| {
        let (plot, labels) = root.split_horizontally(size.0 - 88);
        let mut chart = ChartBuilder::on(&plot)
            .caption(title, (FONT, 20).into_font().style(FontStyle::Bold))
            .margin(6)
            .x_label_area_size(26)
            .y_label_area_size(44)
            .build_cartesian_2d(x0.floor()..x1.ceil(), 0f64..100f64)
            .map_err(draw_err)?;
        chart
            .configure_mesh()
            .x_labels(((x1.ceil() - x0.floor()) as usize + 1).min(12))
            .y_labels(6)
            .x_label_formatter(&|x| format!("{x:.0}"))
            .y_label_formatter(&|y| format!("{y:.0}%"))
            .light_line_style(WHITE)
            .bold_line_style(BLACK.mix(0.12))
            .label_style((FONT, 13))
            .draw()
            .map_err(draw_err)?;
        for fan in fans {
            let color = fan.style.color;
            for (band, alpha) in [(&fan.outer, 0.16), (&fan.inner, 0.32)] {
                if band.is_empty() {
                    continue;
                }
                let points: Vec<(f64, f64)> = fan
                    .x
                    .iter()
                    .zip(band.iter())
                    .map(|(&x, &(_, hi))| (x, hi))
                    .chain(
                        fan.x
                            .iter()
                            .zip(band.iter())
                            .rev()
                            .map(|(&x, &(lo, _))| (x, lo)),
                    )
                    .collect();
                chart
                    .draw_series(std::iter::once(Polygon::new(
                        points,
                        color.mix(alpha).filled(),
                    )))
                    .map_err(draw_err)?;
            }
        }
        let mut ends = Vec::new();
        for fan in fans {
            let points: Vec<(i32, i32)> = fan
                .x
                .iter()
                .zip(&fan.mid)
                .map(|(&x, &y)| chart.backend_coord(&(x, y)))
                .collect();
            if let Some(&(_, y)) = points.last() {
                ends.push((y, fan.label, fan.style));
            }
            pattern_line(root, points, fan.style)?;
        }
        // Labels at the lines' right ends, pushed apart so they never overlap, and kept above the x axis.
        ends.sort_by_key(|e| e.0);
        let bottom = chart.backend_coord(&(x0, 0.0)).1 - 6;
        let mut ys: Vec<i32> = Vec::with_capacity(ends.len());
        for (y, _, _) in &ends {
            let prev = ys
                .last()
                .map_or(i32::MIN, |&p: &i32| p.saturating_add(LABEL_GAP));
            ys.push((*y).max(prev));
        }
        for i in (0..ys.len()).rev() {
            let limit = ys.get(i + 1).map_or(bottom, |&next| next - LABEL_GAP);
            ys[i] = ys[i].min(limit);
        }
        for ((_, label, style), y) in ends.into_iter().zip(ys) {
            pattern_line(&labels, vec![(2, y), (24, y)], style)?;
            labels
                .draw(&Text::new(
                    label.to_string(),
                    (28, y),
                    text(14, true, HPos::Left, VPos::Center),
                ))
                .map_err(draw_err)?;
        }
        Ok(())
    })
}

/// One row of a horizontal stacked bar: a label and its segments (pole style, value in percent, the
/// text to print inside).
pub struct StackRow<'a> {
    /// Row label (state code).
    pub label: &'a str,
    /// Segments left to right.
    pub segments: Vec<(PoleStyle, f64, String)>,
}

/// Horizontal 100% stacked bars, one per row, segment text inside where it fits.
pub fn stacked_bars(rows: &[StackRow], width: u32) -> Result<String, ReportError> {
    const ROW: i32 = 38;
    const LEFT: i32 = 70;
    const RIGHT: i32 = 16;
    let height = (rows.len() as i32 * ROW + 40) as u32;
    svg((width, height), |root| {
        let bar_width = f64::from(width as i32 - LEFT - RIGHT);
        for (i, row) in rows.iter().enumerate() {
            let top = 8 + i as i32 * ROW;
            root.draw(&Text::new(
                row.label.to_string(),
                (LEFT - 10, top + ROW / 2 - 3),
                text(16, true, HPos::Right, VPos::Center),
            ))
            .map_err(draw_err)?;
            let mut x = 0.0;
            for (style, value, words) in &row.segments {
                let (a, b) = (x, x + value / 100.0 * bar_width);
                x = b;
                let (xa, xb) = (LEFT + a.round() as i32, LEFT + b.round() as i32);
                if xb <= xa {
                    continue;
                }
                root.draw(&Rectangle::new(
                    [(xa, top), (xb, top + ROW - 6)],
                    style.color.filled(),
                ))
                .map_err(draw_err)?;
                let fits = (xb - xa) as usize >= words.len() * 8 + 6;
                if fits {
                    let ink = if style.luminance() < 140.0 {
                        WHITE
                    } else {
                        BLACK
                    };
                    root.draw(&Text::new(
                        words.clone(),
                        ((xa + xb) / 2, top + ROW / 2 - 3),
                        text(14, false, HPos::Center, VPos::Center).color(&ink),
                    ))
                    .map_err(draw_err)?;
                }
            }
        }
        let base = 8 + rows.len() as i32 * ROW;
        for pct in [0, 25, 50, 75, 100] {
            let x = LEFT + (f64::from(pct) / 100.0 * bar_width).round() as i32;
            root.draw(&PathElement::new(vec![(x, base - 4), (x, base + 2)], BLACK))
                .map_err(draw_err)?;
            root.draw(&Text::new(
                format!("{pct}%"),
                (x, base + 4),
                text(13, false, HPos::Center, VPos::Top),
            ))
            .map_err(draw_err)?;
        }
        Ok(())
    })
}

/// One row of an interval chart: a label, the style of its marker, the estimate and its interval.
pub struct IntervalRow {
    /// Row label.
    pub label: String,
    /// Marker style.
    pub style: PoleStyle,
    /// Estimate, in percentage points.
    pub value: f64,
    /// 95% interval, in percentage points.
    pub interval: (f64, f64),
}

/// A forest chart: one row per estimate, its 95% interval as a bar with end caps, a line at zero; the x
/// axis reads "percentage points (`what`)".
pub fn intervals(
    title: &str,
    what: &str,
    rows: &[IntervalRow],
    width: u32,
) -> Result<String, ReportError> {
    const ROW: i32 = 20;
    const LEFT: u32 = 110;
    let height = (rows.len() as i32 * ROW + 80) as u32;
    let lo = rows
        .iter()
        .map(|r| r.interval.0.min(r.value))
        .fold(0.0, f64::min);
    let hi = rows
        .iter()
        .map(|r| r.interval.1.max(r.value))
        .fold(0.0, f64::max);
    let span = (hi - lo).max(0.5);
    let (lo, hi) = (lo - span * 0.08, hi + span * 0.08);
    svg((width, height), |root| {
        let (labels, plot) = root.split_horizontally(LEFT);
        let n = rows.len() as f64;
        let mut chart = ChartBuilder::on(&plot)
            .caption(title, (FONT, 17).into_font().style(FontStyle::Bold))
            .margin_right(16)
            .margin_top(4)
            .x_label_area_size(34)
            .build_cartesian_2d(lo..hi, 0f64..n)
            .map_err(draw_err)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(0)
            .x_labels(7)
            .x_label_formatter(&|x| signed(*x))
            .x_desc(format!("percentage points ({what})"))
            .light_line_style(WHITE)
            .bold_line_style(BLACK.mix(0.12))
            .label_style((FONT, 13))
            .draw()
            .map_err(draw_err)?;
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(0.0, 0.0), (0.0, n)],
                BLACK.stroke_width(1),
            )))
            .map_err(draw_err)?;
        for (i, row) in rows.iter().enumerate() {
            let y = n - i as f64 - 0.5;
            let stroke = row.style.color.stroke_width(2);
            chart
                .draw_series(std::iter::once(ErrorBar::new_horizontal(
                    y,
                    row.interval.0,
                    row.value,
                    row.interval.1,
                    stroke,
                    10,
                )))
                .map_err(draw_err)?;
            chart
                .draw_series(std::iter::once(Circle::new(
                    (row.value, y),
                    4,
                    row.style.color.filled(),
                )))
                .map_err(draw_err)?;
            let (_, py) = chart.backend_coord(&(row.value, y));
            labels
                .draw(&Text::new(
                    row.label.clone(),
                    (LEFT as i32 - 8, py),
                    text(13, false, HPos::Right, VPos::Center),
                ))
                .map_err(draw_err)?;
        }
        Ok(())
    })
}

/// One row of the timeline: a label and the share of runs (0..=1) in each quarter.
pub struct TimelineRow {
    /// Row label (state, what happened).
    pub label: String,
    /// Share of runs per quarter.
    pub shares: Vec<f64>,
    /// Text at the right end (the total).
    pub note: String,
}

/// A heat strip per row over quarters: darker is a larger share of runs, on one scale for the chart.
pub fn timeline(
    rows: &[TimelineRow],
    x: &[f64],
    scale: f64,
    width: u32,
) -> Result<String, ReportError> {
    const ROW: i32 = 18;
    const LEFT: i32 = 250;
    const RIGHT: i32 = 150;
    const TOP: i32 = 8;
    let height = (rows.len() as i32 * ROW + TOP + 34) as u32;
    svg((width, height), |root| {
        let grid = f64::from(width as i32 - LEFT - RIGHT);
        let cell = grid / x.len().max(1) as f64;
        let ink = RGBColor(13, 48, 107);
        for (i, row) in rows.iter().enumerate() {
            let top = TOP + i as i32 * ROW;
            if i % 2 == 0 {
                root.draw(&Rectangle::new(
                    [(LEFT, top), (LEFT + grid as i32, top + ROW)],
                    BLACK.mix(0.04).filled(),
                ))
                .map_err(draw_err)?;
            }
            root.draw(&Text::new(
                row.label.clone(),
                (LEFT - 8, top + ROW / 2),
                text(13, false, HPos::Right, VPos::Center),
            ))
            .map_err(draw_err)?;
            for (t, &share) in row.shares.iter().enumerate() {
                if share <= 0.0 {
                    continue;
                }
                let xa = LEFT + (t as f64 * cell).round() as i32;
                let xb = LEFT + ((t + 1) as f64 * cell).round() as i32;
                // Square root: rare events stay visible beside the common ones.
                let alpha = (share / scale).sqrt().clamp(0.06, 1.0);
                root.draw(&Rectangle::new(
                    [(xa, top + 2), (xb.max(xa + 1), top + ROW - 2)],
                    ink.mix(alpha).filled(),
                ))
                .map_err(draw_err)?;
            }
            root.draw(&Text::new(
                row.note.clone(),
                (LEFT + grid as i32 + 8, top + ROW / 2),
                text(13, false, HPos::Left, VPos::Center),
            ))
            .map_err(draw_err)?;
        }
        let base = TOP + rows.len() as i32 * ROW;
        let mut last_year = None;
        for (t, &xt) in x.iter().enumerate() {
            let year = (xt - 0.01).floor() as i64;
            if last_year != Some(year) {
                last_year = Some(year);
                let px = LEFT + (t as f64 * cell).round() as i32;
                root.draw(&PathElement::new(
                    vec![(px, TOP), (px, base + 4)],
                    BLACK.mix(0.25),
                ))
                .map_err(draw_err)?;
                root.draw(&Text::new(
                    year.to_string(),
                    (px + 2, base + 6),
                    text(13, false, HPos::Left, VPos::Top),
                ))
                .map_err(draw_err)?;
            }
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quarters_sit_at_their_end_on_a_year_axis() {
        assert_eq!(quarter_x("2018Q1", 0.0), 2018.25);
        assert_eq!(quarter_x("2027Q4", 0.0), 2028.0);
        assert_eq!(quarter_x("week 3", 7.0), 7.0);
    }

    #[test]
    fn the_three_poles_differ_in_greyscale_and_pattern() {
        let styles: Vec<PoleStyle> = ["NATO", "Russia", "China"]
            .iter()
            .enumerate()
            .map(|(i, p)| pole_style(p, i))
            .collect();
        for (i, a) in styles.iter().enumerate() {
            for b in &styles[i + 1..] {
                assert!((a.luminance() - b.luminance()).abs() > 40.0);
                assert_ne!(a.pattern, b.pattern);
            }
        }
    }
}
