//! What `duplicate-slug` and `duplicate-title` share: published posts of one type grouped by a
//! value, each post once (a run may hold two versions of one post), in two groupings: by id,
//! for the first version of each post, then by the value.

use serde::{Deserialize, Serialize};

use crate::diagnostic::Diagnostic;
use crate::extsort::text_weight;
use crate::meta::RuleMeta;
use crate::site::stages::{Grouping, Keyed, PostPlace, SharedPost, SiteOut, SiteRule, SiteRun};
use crate::site::{PlacedValue, PostFacts, SiteFinding};

/// What a post is grouped by, with the value it shares, or `None` when it has none.
pub type KeyOf = fn(&PostFacts) -> Option<(String, &PlacedValue)>;

/// A published post of a group and the value it shares.
#[derive(Serialize, Deserialize)]
pub struct Member {
    post: SharedPost,
    file: usize,
    parent: Option<i64>,
    /// The post's slug when it has one.
    slug: Option<String>,
    value: String,
    at: (usize, usize),
}

impl Member {
    fn of(post: &PostFacts, valued: &PlacedValue) -> Self {
        Self {
            post: SharedPost::of(post),
            file: post.file,
            parent: post.parent,
            slug: (post.slug.as_ref())
                .filter(|slug| !slug.value.is_empty())
                .map(|slug| slug.value.clone()),
            value: valued.value.clone(),
            at: (valued.at.range.start, valued.at.range.end),
        }
    }

    fn weight(&self) -> usize {
        self.post.weight() + text_weight(&self.value) + self.slug.as_deref().map_or(0, text_weight)
    }

    /// Whether an older post of the group (`older`) has this post's slug under the same parent.
    pub fn shares_older_slug(&self, older: &[Member]) -> bool {
        let Some(own) = &self.slug else { return false };
        (older.iter()).any(|other| other.parent == self.parent && other.slug.as_ref() == Some(own))
    }
}

/// One version of a post: its type and id, which a later version repeats.
type Version = (usize, Option<String>, i64);
/// A version's value and member; `None` when it has no value, which still claims its id.
type Grouped = Option<(String, Member)>;
/// Site and value, then the member's seniority in its group.
type ByValue = Keyed<(usize, String), Seniority>;

/// The order of a group: lowest id first (posts without one last), then the run's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
struct Seniority {
    no_id: bool,
    id: Option<i64>,
    file: usize,
    post: usize,
}

/// Groups of one site of this many or more are a series, left alone; `None`: every group is
/// reported. A series group is read whole, so it is short.
pub struct Series {
    pub from: usize,
    /// Whether a member that has the slug of an older member is left to `duplicate-slug`.
    pub slug_reported: bool,
}

/// The site rule of `duplicate-slug` and `duplicate-title`.
pub struct Duplicates {
    meta: &'static RuleMeta,
    key: KeyOf,
    what: &'static str,
    series: Option<Series>,
    /// Published posts with an id, by version: the first of each goes on to `groups`.
    versions: Grouping<Keyed<Version, PostPlace>, Grouped>,
    groups: Grouping<ByValue, Member>,
}

impl Duplicates {
    pub fn start(
        run: &SiteRun,
        meta: &'static RuleMeta,
        (key, what): (KeyOf, &'static str),
        series: Option<Series>,
    ) -> Box<dyn SiteRule> {
        Box::new(Self {
            meta,
            key,
            what,
            series,
            versions: run.grouping(|key, member| {
                key.group.1.as_deref().map_or(0, text_weight)
                    + member
                        .as_ref()
                        .map_or(0, |(k, m)| text_weight(k) + m.weight())
            }),
            groups: run.grouping(|key, member| text_weight(&key.group.1) + member.weight()),
        })
    }
}

impl SiteRule for Duplicates {
    fn post(&mut self, site: usize, post: &PostFacts, _out: &mut SiteOut) -> Result<(), String> {
        if post.status.as_deref() != Some("publish") {
            return Ok(());
        }
        let keyed = (self.key)(post).map(|(key, valued)| (key, Member::of(post, valued)));
        let Some(id) = post.post.id else {
            // Posts without an id are never versions of one another.
            return match keyed {
                Some((key, member)) => group(&mut self.groups, site, key, member),
                None => Ok(()),
            };
        };
        let version = (site, post.post_type.as_deref().map(str::to_owned), id);
        let place = PostPlace::of(post, 0);
        let key = Keyed {
            group: version,
            order: place,
        };
        self.versions.push(key, keyed)
    }

    fn finish(self: Box<Self>, out: &mut SiteOut) -> Result<(), String> {
        let Self {
            meta,
            what,
            series,
            versions,
            mut groups,
            ..
        } = *self;
        let mut versions = versions.groups()?;
        while let Some(mut version) = versions.next_group() {
            let site = version.key().0;
            if let Some((_, Some((key, member)))) = version.next() {
                group(&mut groups, site, key, member)?;
            }
        }
        versions.error()?;
        drop(versions);
        report_groups((meta, what), series.as_ref(), groups, out)
    }
}

/// Sends the first version of a published post to the groups of its value.
fn group(
    groups: &mut Grouping<ByValue, Member>,
    site: usize,
    key: String,
    member: Member,
) -> Result<(), String> {
    let id = member.post.0.id;
    let order = Seniority {
        no_id: id.is_none(),
        id,
        file: member.file,
        post: member.post.0.index,
    };
    let key = Keyed {
        group: (site, key),
        order,
    };
    groups.push(key, member)
}

/// Reports each member after the first of a group, naming the first.
fn report_groups(
    (meta, what): (&RuleMeta, &str),
    series: Option<&Series>,
    groups: Grouping<ByValue, Member>,
    out: &mut SiteOut,
) -> Result<(), String> {
    let mut groups = groups.groups()?;
    while let Some(mut group) = groups.next_group() {
        let site = group.key().0;
        let Some((_, first)) = group.next() else {
            continue;
        };
        let Some(series) = series else {
            for (_, member) in group {
                out.found(site, finding(meta, &first, &member, what));
            }
            continue;
        };
        let mut members = vec![first];
        members.extend(group.take(series.from).map(|(_, member)| member));
        if members.len() >= series.from {
            continue;
        }
        for (at, member) in members.iter().enumerate().skip(1) {
            if series.slug_reported && member.shares_older_slug(&members[..at]) {
                continue;
            }
            out.found(site, finding(meta, &members[0], member, what));
        }
    }
    groups.error()
}

/// The finding on `member`, which has the value of `first`, the oldest of its group.
fn finding(meta: &RuleMeta, first: &Member, member: &Member, what: &str) -> SiteFinding {
    let first_name = describe(first);
    let mut diagnostic = Diagnostic::new(
        meta,
        member.at.0..member.at.1.max(member.at.0),
        format!("{first_name} has the same {what}, \"{}\"", member.value),
    )
    .with_label(format!("same {what}"))
    .with_help(format!("give this post a {what} of its own"));
    diagnostic.post = Some(member.post.0.clone());
    if first.file == member.file {
        diagnostic = diagnostic.with_secondary(
            first.at.0..first.at.1.max(first.at.0),
            format!("{what} of {first_name}"),
        );
    }
    SiteFinding::new(member.file, diagnostic, &member.value)
}

fn describe(member: &Member) -> String {
    match member.post.0.id {
        Some(id) => format!("post {id}"),
        None => format!("post #{}", member.post.0.index),
    }
}
