//! What `duplicate-slug` and `duplicate-title` share: published posts of one type grouped by a
//! value, each post once (a run may hold two versions of one post). The first version of each
//! post is found once for both rules ([`FirstVersions`], a shared stage), then each groups by
//! its value.

use serde::{Deserialize, Serialize};

use crate::diagnostic::Diagnostic;
use crate::extsort::text_weight;
use crate::meta::RuleMeta;
use crate::site::stages::{
    Grouping, Keyed, PostPlace, SharedPost, SharedStage, SiteOut, SiteRule, SiteRun, StageReader,
};
use crate::site::{PlacedValue, PostFacts, SiteFinding, Text, Word};

/// What a post is grouped by, with the value it shares, or `None` when it has none.
pub type KeyOf = fn(&Published) -> Option<(String, &Placed)>;

/// A value of a post and where it is, as a record carries it.
#[derive(Serialize, Deserialize)]
pub struct Placed {
    pub value: Text,
    at: (usize, usize),
}

impl Placed {
    fn of(valued: &PlacedValue) -> Self {
        Self {
            value: valued.value.clone(),
            at: (valued.at.range.start, valued.at.range.end),
        }
    }
}

/// A published post, as the rules that find duplicates compare it.
#[derive(Serialize, Deserialize)]
pub struct Published {
    post: SharedPost,
    file: usize,
    pub post_type: Option<Word>,
    pub language: Option<String>,
    pub parent: Option<i64>,
    pub slug: Option<Placed>,
    pub title: Option<Placed>,
}

impl Published {
    fn of(post: &PostFacts) -> Self {
        Self {
            post: SharedPost::of(post),
            file: post.file,
            post_type: post.post_type.clone(),
            language: post.language.clone(),
            parent: post.parent,
            slug: post.slug.as_ref().map(Placed::of),
            title: post.title.as_ref().map(Placed::of),
        }
    }

    fn weight(&self) -> usize {
        let text = |t: Option<&str>| t.map_or(0, text_weight);
        let owned_type = match &self.post_type {
            Some(Word::Owned(kind)) => text_weight(kind),
            _ => 0,
        };
        self.post.weight()
            + owned_type
            + text(self.language.as_deref())
            + text(self.slug.as_ref().map(|s| &*s.value))
            + text(self.title.as_ref().map(|t| &*t.value))
    }
}

/// A published post of a group and the value it shares.
#[derive(Serialize, Deserialize)]
pub struct Member {
    post: SharedPost,
    file: usize,
    parent: Option<i64>,
    /// The post's slug when it has one.
    slug: Option<Text>,
    value: Text,
    at: (usize, usize),
}

impl Member {
    fn of(post: &Published, valued: &Placed) -> Self {
        Self {
            post: post.post.clone(),
            file: post.file,
            parent: post.parent,
            slug: (post.slug.as_ref())
                .filter(|slug| !slug.value.is_empty())
                .map(|slug| slug.value.clone()),
            value: valued.value.clone(),
            at: valued.at,
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

/// One version of a post: its site, type and id, which a later version repeats; a post without
/// an id is a version of no other.
type Version = Keyed<(usize, Option<String>, Option<i64>), PostPlace>;
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

/// Published posts, each once: the first version of each id in the run's order. A stage the
/// duplicate rules share.
pub struct FirstVersions {
    versions: Grouping<Version, Published>,
}

impl SharedStage for FirstVersions {
    type Item<'a> = &'a Published;

    fn start(run: &SiteRun) -> Self {
        Self {
            versions: run.grouping(|key, post| {
                key.group.1.as_deref().map_or(0, text_weight) + post.weight()
            }),
        }
    }

    fn post(&mut self, site: usize, post: &PostFacts) -> Result<(), String> {
        if post.status.as_deref() != Some("publish") {
            return Ok(());
        }
        let kind = post.post_type.as_deref().map(str::to_owned);
        let key = Keyed {
            group: (site, kind, post.post.id),
            order: PostPlace::of(post, 0),
        };
        self.versions.push(key, Published::of(post))
    }

    fn finish(self, each: &mut dyn for<'a> FnMut(usize, &'a Published)) -> Result<(), String> {
        let mut versions = self.versions.groups()?;
        while let Some(version) = versions.next_group() {
            let (site, id) = (version.key().0, version.key().2);
            // Posts without an id are never versions of one another.
            let firsts = if id.is_some() { 1 } else { usize::MAX };
            for (_, post) in version.take(firsts) {
                each(site, &post);
            }
        }
        versions.error()
    }
}

/// Groups of one site of this many or more are a series, left alone; `None`: every group is
/// reported. A series group is read whole, so it is short.
pub struct Series {
    pub from: usize,
    /// Whether a member that has the slug of an older member is left to `duplicate-slug`.
    pub slug_reported: bool,
}

/// The site rule of `duplicate-slug` and `duplicate-title`: reads each published post once
/// from [`FirstVersions`] and groups it by its value.
pub struct Duplicates {
    meta: &'static RuleMeta,
    key: KeyOf,
    what: &'static str,
    series: Option<Series>,
    groups: Grouping<ByValue, Member>,
}

impl Duplicates {
    pub fn start(
        run: &SiteRun,
        meta: &'static RuleMeta,
        (key, what): (KeyOf, &'static str),
        series: Option<Series>,
    ) -> Box<dyn SiteRule> {
        run.reading::<FirstVersions>(Self {
            meta,
            key,
            what,
            series,
            groups: run.grouping(|key, member| text_weight(&key.group.1) + member.weight()),
        })
    }
}

impl StageReader<FirstVersions> for Duplicates {
    fn read(&mut self, site: usize, post: &Published, _out: &mut SiteOut) -> Result<(), String> {
        match (self.key)(post) {
            Some((key, valued)) => group(&mut self.groups, site, key, Member::of(post, valued)),
            None => Ok(()),
        }
    }

    fn finish(self: Box<Self>, out: &mut SiteOut) -> Result<(), String> {
        let Self {
            meta,
            what,
            series,
            groups,
            ..
        } = *self;
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
