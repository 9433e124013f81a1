//! One settle step for every finding, whichever phase made it (file, post, site, links):
//! severity from the settings of its own file and post (overrides included), then the post's
//! in-content suppressions (counting their uses), then the baseline; report order comes from
//! `Findings`, which keeps every file's findings sorted as they are added.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use crate::baseline::Baseline;
use crate::config::{Config, Effective, PostKey};
use crate::context::PostContext;
use crate::diagnostic::{Diagnostic, Finding, PostRef, fingerprint};
use crate::outcome::FileReport;
use crate::rules;
use crate::site::{PostFacts, SiteFinding};
use crate::source::{LineCols, Origin, ResolvedSpan};
use crate::suppress::{self, Directive, Pending, Suppressions, Use};

/// Drops the diagnostics of rules that are off and applies the severities the config sets.
pub fn severities(settings: &Effective, diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    diagnostics
        .into_iter()
        .filter(|d| settings.is_enabled(d.rule))
        .map(|mut d| {
            if let Some(severity) = settings.configured_severity(d.rule) {
                d.severity = severity;
            }
            d
        })
        .collect()
}

/// The codes of every rule, and of the config's patterns: what a suppression may name.
fn known_codes(settings: &Effective) -> Vec<&'static str> {
    (rules::ALL.iter().map(|r| r.meta().code))
        .chain(settings.patterns.iter().map(|p| p.code))
        .collect()
}

/// The rules whose findings come after every post was linted: those that run in this run, and
/// those whose phase does not (the link check without `--links`).
#[derive(Debug, Default, Clone)]
pub struct LateRules {
    pub running: Vec<&'static str>,
    pub dormant: Vec<&'static str>,
}

/// Settles the diagnostics of one post: severities, then its suppressions. A suppression that
/// names a rule of a later phase that runs is returned in `Pending`, to silence those findings
/// too; it is reported unused only once they are all known. One that names only rules whose
/// phase does not run is not reported unused: nobody knows. `seen_later`: whether the later
/// phases see this post at all (it has site facts). `segment` is the file offset and bytes the
/// post was read from.
pub fn post(
    context: &PostContext<'_, '_>,
    diagnostics: Vec<Diagnostic>,
    (late, seen_later): (&LateRules, bool),
    (base, segment): (usize, &[u8]),
) -> (Vec<Diagnostic>, Option<Pending>) {
    let settings = &context.settings;
    let mut kept = severities(settings, diagnostics);
    let (mut directives, problems) = suppress::read(context, || known_codes(settings));
    if directives.is_empty() && problems.is_empty() {
        return (kept, None);
    }
    Directive::silence_all(&mut directives, &mut kept);
    let judged: Vec<(Directive, Use)> = (directives.into_iter())
        .filter(|d| !d.is_enable())
        .map(|directive| {
            let used = use_of(&directive, late, seen_later);
            (directive, used)
        })
        .collect();
    let mut about = Vec::new();
    let suppressions = Suppressions {
        problems: &problems,
        directives: &judged,
    };
    for rule in rules::ALL {
        rule.check_suppressions(context, &suppressions, &mut about);
    }
    kept.extend(severities(settings, about));
    let pending: Vec<(Directive, u64)> = (judged.into_iter())
        .filter(|(_, used)| *used == Use::Waiting)
        .map(|(directive, _)| {
            let local = directive.comment.start - base..directive.comment.end - base;
            let comment = segment.get(local).unwrap_or_default();
            let print = waited_fingerprint(&context.post_ref, &directive, comment);
            (directive, print)
        })
        .collect();
    let pending = (!pending.is_empty()).then(|| Pending {
        post: context.post_ref.clone(),
        directives: pending,
    });
    (kept, pending)
}

/// What is known of a directive's use once the post's own findings are settled. One that names
/// a rule of a later phase that runs waits for it (when the later phases see this post); one
/// that names only rules whose phase does not run is unknowable.
fn use_of(directive: &Directive, late: &LateRules, seen_later: bool) -> Use {
    let only_dormant = !directive.codes.is_empty()
        && (directive.codes.iter()).all(|c| late.dormant.contains(&c.as_str()));
    if seen_later && directive.names_any(&late.running) {
        Use::Waiting
    } else if directive.used > 0 {
        Use::Used
    } else if only_dormant {
        Use::Unknowable
    } else {
        Use::Unused
    }
}

/// The findings the rules make of a directive that waited for the later phases.
fn about_waited(post: &Arc<PostRef>, directive: &Directive) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    for rule in rules::ALL {
        rule.check_waited_suppression(post, directive, &mut found);
    }
    found
}

/// The fingerprint of the finding a rule would make of a waiting directive that silences
/// nothing, taken now, while the comment's bytes are at hand (a shard report carries it to
/// `postlint merge`).
fn waited_fingerprint(post: &Arc<PostRef>, directive: &Directive, comment: &[u8]) -> u64 {
    let mut unused = directive.clone();
    unused.used = 0;
    (about_waited(post, &unused).first()).map_or(0, |found| fingerprint(found.rule, comment))
}

/// Settles the findings of the phases that ran after linting (links, site) the way `post`
/// settles a post's own: each with the settings of its file and post, then the suppressions
/// its post kept for them; then reports the kept suppressions that silenced nothing at all.
/// Adds what is left to the reports; returns notices.
pub fn late(
    config: &Config,
    reports: &mut [FileReport],
    found: Vec<SiteFinding>,
    facts: &[PostFacts],
) -> Vec<String> {
    late_with_lines(config, reports, found, facts, None)
}

/// `late`, with the lines and columns of each report's late findings known already (those a
/// shard report carried to `postlint merge`) rather than read back from its file.
pub fn late_with_lines(
    config: &Config,
    reports: &mut [FileReport],
    found: Vec<SiteFinding>,
    facts: &[PostFacts],
    known: Option<Vec<LineCols>>,
) -> Vec<String> {
    let slugs = post_slugs(config, facts);
    let mut by_file: Vec<Vec<SiteFinding>> = (0..reports.len()).map(|_| Vec::new()).collect();
    for finding in found {
        if let Some(list) = by_file.get_mut(finding.file) {
            list.push(finding);
        }
    }
    for (file, (report, found)) in reports.iter_mut().zip(&mut by_file).enumerate() {
        let path = match &report.file.origin {
            Origin::Path(path) => Some(path.as_path()),
            Origin::Memory(_) => None,
        };
        let settings_of = |post: Option<&PostRef>| {
            let key = post.map(|post| PostKey {
                id: post.id,
                slug: slugs.get(&(file, post.index)).copied(),
            });
            config.effective(path, key)
        };
        let mut kept = Vec::with_capacity(found.len());
        for mut finding in std::mem::take(found) {
            let settings = settings_of(finding.diagnostic.post.as_deref());
            let Some(diagnostic) = severities(&settings, vec![finding.diagnostic]).pop() else {
                continue;
            };
            finding.diagnostic = diagnostic;
            let post = finding.diagnostic.post.as_ref().map(|p| p.index);
            let pending = report
                .pending
                .iter_mut()
                .find(|p| Some(p.post.index) == post);
            if let Some(pending) = pending
                && let Some((directive, _)) =
                    (pending.directives.iter_mut()).find(|(d, _)| d.silences(&finding.diagnostic))
            {
                directive.used += 1;
                continue;
            }
            kept.push(finding);
        }
        for pending in std::mem::take(&mut report.pending) {
            let settings = settings_of(Some(&pending.post));
            for (directive, print) in pending.directives {
                let found = about_waited(&pending.post, &directive);
                kept.extend(severities(&settings, found).into_iter().map(|diagnostic| {
                    SiteFinding {
                        file,
                        diagnostic,
                        fingerprint: print,
                    }
                }));
            }
        }
        *found = kept;
    }
    add_findings(reports, by_file, known)
}

/// Each post's slug by file and position, when an override may name posts by slug.
fn post_slugs<'f>(config: &Config, facts: &'f [PostFacts]) -> HashMap<(usize, usize), &'f str> {
    if !config.has_post_overrides() {
        return HashMap::new();
    }
    facts
        .iter()
        .filter_map(|f| Some(((f.file, f.post.index), f.slug.as_ref()?.value.as_ref())))
        .collect()
}

/// Drops the findings the baseline holds from every report; returns how many.
pub fn baseline(baseline: &Baseline, reports: &mut [FileReport]) -> usize {
    baseline.filter(reports)
}

/// Adds findings of a later phase to their files' reports, with the lines and columns of their
/// ranges read back from each file, from the nearest place the lint marked before them.
/// Returns a notice for each file that could not be read again.
fn add_findings(
    reports: &mut [FileReport],
    by_file: Vec<Vec<SiteFinding>>,
    mut known: Option<Vec<LineCols>>,
) -> Vec<String> {
    let mut notices = Vec::new();
    for (file, (report, found)) in reports.iter_mut().zip(by_file).enumerate() {
        if found.is_empty() {
            continue;
        }
        let known_lines = (known.as_mut()).map(|k| k.get_mut(file).map(std::mem::take));
        let ranges = found.iter().flat_map(|f| {
            std::iter::once(&f.diagnostic.range)
                .chain(f.diagnostic.secondary.iter().map(|l| &l.range))
        });
        let offsets: Vec<usize> = ranges.flat_map(|r| [r.start, r.end]).collect();
        let lines = match known_lines {
            Some(lines) => Ok(lines.unwrap_or_default()),
            None => LineCols::read_back(&report.file, &report.line_marks, offsets),
        };
        let lines = match lines {
            Ok(lines) => lines,
            Err(error) => {
                notices.push(format!(
                    "{}: {} findings of the site and link checks are left out: the file cannot be read again: {error}",
                    report.file.name,
                    found.len()
                ));
                continue;
            }
        };
        let span = |range: &Range<usize>| {
            ResolvedSpan::new(range.clone(), lines.get(range.start), lines.get(range.end))
        };
        for late in found {
            let secondary = late
                .diagnostic
                .secondary
                .iter()
                .map(|l| span(&l.range))
                .collect();
            report.findings.push(Finding {
                span: span(&late.diagnostic.range),
                secondary,
                fingerprint: late.fingerprint,
                diagnostic: late.diagnostic,
            });
        }
    }
    notices
}
