//! The overview's counts table and completions chart as HTML text, every value escaped.
//!
//! Both are drawn once per count and never edited in place, so they are built as text and
//! set as an element's inner HTML: written as typed Leptos views, the two tables and the
//! SVG cost the first visit about 20 KB gzip of rendering code (each element and attribute
//! set is its own generic instantiation), more than the budget had left. Links are plain
//! `<a href>`: the router takes their clicks like any other.
//!
//! ```
//! use access_desk::overview::Tally;
//! use access_desk::overview::markup::counts;
//! let tally = Tally::new(1, chrono::Utc::now(), 0);
//! let html = counts(&tally, &[None], &[0]);
//! assert!(html.contains(r#"<a href="requests?view=attention" data-value="0">0</a>"#));
//! ```

use std::fmt::Write;

use chrono::{Datelike, Duration};

use super::{COUNTED, DAYS, OUTCOMES, Tally, view_of};
use crate::graph::models::PackageRef;
use crate::i18n::{Msg, t, tf};
use crate::intl::{day, number};
use crate::labels;
use crate::query::Preset;

/// `s` as HTML text or attribute value.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The counted views (rows) by scope (columns: None is every access package, else one),
/// each count a link to its view; `under_a_day[scope]`: requests of the scope whose
/// callback times out within a day, shown under the deadline count.
pub fn counts(tally: &Tally, scopes: &[Option<PackageRef>], under_a_day: &[usize]) -> String {
    // A region that may scroll sideways on a narrow screen: focusable and named, so a
    // keyboard can scroll it.
    let mut h = String::new();
    let _ = write!(
        h,
        r#"<div class="table-viewport overview-viewport" tabindex="0" role="region" aria-label="{}"><table class="overview-counts" data-testid="overview-counts"><thead><tr>"#,
        escape(t(Msg::OverviewTitle))
    );
    let _ = write!(
        h,
        r#"<th scope="col">{}</th>"#,
        escape(t(Msg::OverviewView))
    );
    for s in scopes {
        let name = s
            .as_ref()
            .map_or(t(Msg::OverviewAllPackages), |p| &p.display_name);
        let _ = write!(h, r#"<th scope="col">{}</th>"#, escape(name));
    }
    h.push_str("</tr></thead><tbody>");
    for preset in COUNTED {
        let _ = write!(
            h,
            r#"<tr data-view="{}"><th scope="row">{}</th>"#,
            preset.name(),
            escape(labels::preset(preset))
        );
        for (scope, s) in scopes.iter().enumerate() {
            let package = s.as_ref().and_then(|p| p.id.guid().cloned());
            let href = view_of(preset, package.as_ref()).address();
            let n = tally.count(scope, preset);
            let _ = write!(
                h,
                r#"<td><a href="{}" data-value="{n}">{}</a>"#,
                escape(href.trim_start_matches('/')),
                number(n as usize)
            );
            if preset == Preset::Deadline {
                let soon = under_a_day.get(scope).copied().unwrap_or(0);
                let _ = write!(
                    h,
                    r#"<span class="soon" data-testid="overview-under-a-day">{}</span>"#,
                    escape(&tf(Msg::OverviewUnderADay, &[("count", &number(soon))]))
                );
            }
            h.push_str("</td>");
        }
        h.push_str("</tr>");
    }
    h.push_str("</tbody></table></div>");
    h
}

/// Completions per day by outcome: a stacked bar chart (an image named by its total, the
/// day's total above each bar, the day of the month under it), its legend, and the same
/// numbers as a table, the chart's text equivalent.
pub fn completions(tally: &Tally) -> String {
    // In the SVG's own units, integers: a day's bar is BAR wide in a STEP-wide slot, bars
    // at most HEIGHT high under a TOP margin for their totals.
    const BAR: u32 = 16;
    const STEP: u32 = 24;
    const TOP: u32 = 14;
    const HEIGHT: u32 = 100;
    let totals: Vec<u32> = tally.days.iter().map(|d| d.iter().sum()).collect();
    let all: u32 = totals.iter().sum();
    let max = totals.iter().copied().max().unwrap_or(0).max(1);
    let date = |d: usize| tally.first_day + Duration::days(d as i64);
    let summary = escape(&tf(
        Msg::OverviewChartSummary,
        &[
            ("count", &number(all as usize)),
            ("days", &DAYS.to_string()),
        ],
    ));
    let mut h = String::new();
    let _ = write!(
        h,
        r#"<figure class="completions" data-testid="completions"><figcaption>{}</figcaption><svg viewBox="0 0 {} {}" role="img" aria-label="{summary}">"#,
        escape(&tf(
            Msg::OverviewCompletions,
            &[("days", &DAYS.to_string())]
        )),
        STEP * DAYS as u32,
        TOP + HEIGHT + 18,
    );
    for (d, day_counts) in tally.days.iter().enumerate() {
        let x = d as u32 * STEP + (STEP - BAR) / 2;
        let mid = x + BAR / 2;
        // Each segment ends where the running total ends, rounded once, so the stack's
        // height is its total's whatever the rounding of its parts.
        let top_of = |sum: u32| TOP + HEIGHT - (sum * HEIGHT + max / 2) / max;
        let mut sum = 0;
        for (o, n) in day_counts.iter().enumerate().filter(|(_, n)| **n > 0) {
            let bottom = top_of(sum);
            sum += n;
            let y = top_of(sum);
            let _ = write!(
                h,
                r#"<rect class="o{o}" x="{x}" y="{y}" width="{BAR}" height="{}"></rect>"#,
                bottom - y
            );
        }
        let _ = write!(
            h,
            r#"<text x="{mid}" y="{}" text-anchor="middle">{}</text><text x="{mid}" y="{}" text-anchor="middle">{}</text>"#,
            top_of(sum) - 3,
            totals[d],
            TOP + HEIGHT + 13,
            date(d).day()
        );
    }
    h.push_str(r#"</svg><ul class="legend">"#);
    for (o, s) in OUTCOMES.iter().enumerate() {
        let _ = write!(
            h,
            r#"<li><span class="swatch o{o}" aria-hidden="true"></span>{}</li>"#,
            escape(&labels::state(s))
        );
    }
    let table = escape(t(Msg::OverviewChartTable));
    let _ = write!(
        h,
        r#"</ul><details><summary>{table}</summary><div class="table-viewport" tabindex="0" role="region" aria-label="{table}"><table data-testid="completions-table"><caption>{summary}</caption><thead><tr><th scope="col">{}</th>"#,
        escape(t(Msg::OverviewDay))
    );
    for s in OUTCOMES {
        let _ = write!(h, r#"<th scope="col">{}</th>"#, escape(&labels::state(s)));
    }
    let _ = write!(
        h,
        r#"<th scope="col">{}</th></tr></thead><tbody>"#,
        escape(t(Msg::OverviewTotal))
    );
    for d in (0..DAYS).rev() {
        let _ = write!(
            h,
            r#"<tr data-day="{}"><th scope="row">{}</th>"#,
            crate::query::format_date(date(d)),
            escape(&day(date(d)))
        );
        for n in tally.days[d].iter().chain([&totals[d]]) {
            let _ = write!(h, "<td>{n}</td>");
        }
        h.push_str("</tr>");
    }
    h.push_str("</tbody></table></div></details></figure>");
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::models::Request;
    use chrono::TimeZone;

    fn now() -> chrono::DateTime<chrono::Utc> {
        chrono::Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap()
    }

    #[test]
    fn a_package_name_is_text_and_each_count_links_to_its_view_in_that_package() {
        let tally = Tally::new(1, now(), 0);
        let package = PackageRef {
            id: "d82eb508-acc4-43cc-bcf1-7c1c4a2c073b".into(),
            display_name: r#"<img src=x onerror="alert(1)">"#.into(),
            catalog: None,
        };
        let html = counts(&tally, &[Some(package)], &[3]);
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;"));
        assert!(html.contains(
            r#"href="requests?view=stuck&amp;package=d82eb508-acc4-43cc-bcf1-7c1c4a2c073b""#
        ));
        assert!(html.contains(r#"data-testid="overview-under-a-day">under 24 hours: 3</span>"#));
        assert_eq!(html.matches("<a ").count(), COUNTED.len());
    }

    #[test]
    fn the_chart_stacks_each_day_to_its_total_and_the_table_says_the_same() {
        let mut tally = Tally::new(1, now(), 0);
        for (i, (state, hours_ago)) in [
            ("delivered", 1),
            ("delivered", 2),
            ("denied", 3),
            ("delivered", 30),
        ]
        .into_iter()
        .enumerate()
        {
            let r = Request {
                id: i.to_string().as_str().into(),
                state: state.into(),
                completed: Some(now() - Duration::hours(hours_ago)),
                ..Request::default()
            };
            tally.add(0, &r, None);
        }
        let html = completions(&tally);
        assert!(html.contains(r#"aria-label="Requests completed in the last 14 days: 4""#));
        // Today (the last bar): two delivered and one denied, the tallest bar, 100 high.
        assert!(html.contains(r#"<rect class="o0" x="316" y="47" width="16" height="67"></rect><rect class="o3" x="316" y="14" width="16" height="33"></rect>"#), "{html}");
        assert!(html.contains(r#"<tr data-day="2026-12-01"><th scope="row">2026-12-01</th><td>2</td><td>0</td><td>0</td><td>1</td><td>0</td><td>3</td></tr>"#));
        assert!(
            html.contains(r#"<tr data-day="2026-11-30"><th scope="row">2026-11-30</th><td>1</td>"#)
        );
        assert_eq!(html.matches("<tr data-day=").count(), DAYS);
    }
}
