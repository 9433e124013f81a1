//! `--statistics`: finding counts per rule, most frequent first.

use std::fmt::Write;

use crate::outcome::CheckOutcome;
use crate::rules;

use super::Summary;

pub fn render(outcome: &CheckOutcome) -> String {
    let summary = Summary::of(outcome);
    let mut rows: Vec<(&str, usize)> = summary.by_rule.iter().map(|(r, c)| (*r, *c)).collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let width = rows.iter().map(|(r, _)| r.len()).max().unwrap_or(0);
    let count_width = rows.first().map_or(1, |(_, c)| c.to_string().len());
    let mut out = String::new();
    for (rule, count) in rows {
        let summary_text = rules::find(rule).map_or("pattern rule", |r| r.meta().summary);
        let _ = writeln!(out, "{count:>count_width$}  {rule:width$}  {summary_text}");
    }
    let _ = writeln!(out, "{}", summary.line());
    out
}
