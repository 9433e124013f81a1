//! What `duplicate-slug` and `duplicate-title` share: published posts of one type grouped by a
//! value, each post once (a run may hold two versions of one post).

use std::collections::{HashMap, HashSet};

use crate::diagnostic::Diagnostic;
use crate::meta::RuleMeta;
use crate::site::{PostFacts, SiteFinding, Valued};

/// Reports every post but the oldest (lowest id) of each group of posts that share a key.
pub fn report(
    meta: &RuleMeta,
    posts: &[PostFacts],
    key: fn(&PostFacts) -> Option<(String, &Valued)>,
    what: &str,
    out: &mut Vec<SiteFinding>,
) {
    let mut groups: HashMap<String, Vec<(&PostFacts, &Valued)>> = HashMap::new();
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
    let mut keys: Vec<&String> = groups.keys().collect();
    keys.sort();
    for key in keys {
        // The oldest post (lowest id) is the original, whatever order the run read them in.
        let mut group = groups[key].clone();
        group.sort_by_key(|(post, _)| {
            (
                post.post.id.is_none(),
                post.post.id,
                post.file,
                post.post.index,
            )
        });
        let Some(((first, first_value), rest)) = group.split_first() else {
            continue;
        };
        for (post, valued) in rest {
            let first_name = describe(first);
            let mut diagnostic = Diagnostic::new(
                meta,
                valued.at.range.clone(),
                format!("{first_name} has the same {what}, \"{}\"", valued.value),
            )
            .with_label(format!("same {what}"))
            .with_help(format!("give this post a {what} of its own"));
            diagnostic.post = Some(post.post.clone());
            let same_file = first.file == post.file;
            if same_file {
                diagnostic = diagnostic.with_secondary(
                    first_value.at.range.clone(),
                    format!("{what} of {first_name}"),
                );
            }
            out.push(SiteFinding::new(post.file, diagnostic, &valued.value));
        }
    }
}

fn describe(post: &PostFacts) -> String {
    match post.post.id {
        Some(id) => format!("post {id}"),
        None => format!("post #{}", post.post.index),
    }
}
