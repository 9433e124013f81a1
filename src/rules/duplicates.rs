//! What `duplicate-slug` and `duplicate-title` share: published posts of one type grouped by a
//! value, each post once (a run may hold two versions of one post).

use std::collections::{HashMap, HashSet};

use crate::diagnostic::Diagnostic;
use crate::meta::RuleMeta;
use crate::site::{PlacedValue, PostFacts, SiteFinding};

/// A post of a group and the value it shares.
pub type Member<'p> = (&'p PostFacts, &'p PlacedValue);

/// Reports every post but the oldest (lowest id) of each group of posts that share a key.
pub fn report(
    meta: &RuleMeta,
    posts: &[PostFacts],
    key: fn(&PostFacts) -> Option<(String, &PlacedValue)>,
    what: &str,
    out: &mut Vec<SiteFinding>,
) {
    for group in groups(posts, key) {
        report_group(meta, &group, what, |_| true, out);
    }
}

/// The published posts that share a key, each post once, groups in key order and each group
/// oldest (lowest id) first, whatever order the run read them in.
pub fn groups(
    posts: &[PostFacts],
    key: fn(&PostFacts) -> Option<(String, &PlacedValue)>,
) -> Vec<Vec<Member<'_>>> {
    let mut groups: HashMap<String, Vec<Member<'_>>> = HashMap::new();
    let mut seen_ids = HashSet::new();
    for post in posts
        .iter()
        .filter(|p| p.status.as_deref() == Some("publish"))
    {
        if let Some(id) = post.post.id
            && !seen_ids.insert((id, post.post_type.clone()))
        {
            continue;
        }
        if let Some((key, valued)) = key(post) {
            groups.entry(key).or_default().push((post, valued));
        }
    }
    let mut keyed: Vec<(String, Vec<Member<'_>>)> = groups.into_iter().collect();
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    keyed
        .into_iter()
        .filter(|(_, group)| group.len() > 1)
        .map(|(_, mut group)| {
            group.sort_by_key(|(post, _)| {
                (
                    post.post.id.is_none(),
                    post.post.id,
                    post.file,
                    post.post.index,
                )
            });
            group
        })
        .collect()
}

/// Reports each post of a group after the first that `keep` accepts, naming the first.
pub fn report_group(
    meta: &RuleMeta,
    group: &[Member<'_>],
    what: &str,
    keep: impl Fn(&Member<'_>) -> bool,
    out: &mut Vec<SiteFinding>,
) {
    let Some(((first, first_value), rest)) = group.split_first() else {
        return;
    };
    for member in rest.iter().filter(|m| keep(m)) {
        let (post, valued) = *member;
        let first_name = describe(first);
        let mut diagnostic = Diagnostic::new(
            meta,
            valued.at.range.clone(),
            format!("{first_name} has the same {what}, \"{}\"", valued.value),
        )
        .with_label(format!("same {what}"))
        .with_help(format!("give this post a {what} of its own"));
        diagnostic.post = Some(post.post.clone());
        if first.file == post.file {
            diagnostic = diagnostic.with_secondary(
                first_value.at.range.clone(),
                format!("{what} of {first_name}"),
            );
        }
        out.push(SiteFinding::new(post.file, diagnostic, &valued.value));
    }
}

fn describe(post: &PostFacts) -> String {
    match post.post.id {
        Some(id) => format!("post {id}"),
        None => format!("post #{}", post.post.index),
    }
}
