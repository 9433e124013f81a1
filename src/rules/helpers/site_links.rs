//! What the internal-link rules share: each link joined with the post of its site it names (by
//! id, permalink or slug), and which links point at archives rather than at posts.

use serde::{Deserialize, Serialize};

use crate::extsort::text_weight;
use crate::site::stages::{Grouping, Keyed, PostPlace, SharedPost, SharedStage, SiteRun};
use crate::site::{InternalLink, Located, PostFacts, Text, Word};

/// A name a link may give a post of its site.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
enum Name {
    Id(i64),
    Permalink(Text),
    Slug(Text),
}

/// A post under one of its names, or a link naming a post.
#[derive(Serialize, Deserialize)]
enum Entry {
    Post(Target),
    Link(LinkFrom),
}

/// The post a link names: its place, status and title.
#[derive(Clone, Serialize, Deserialize)]
pub struct Target {
    pub place: PostPlace,
    pub status: Option<Word>,
    pub title: Option<Text>,
}

/// A link of a post to its own site.
#[derive(Serialize, Deserialize)]
pub struct LinkFrom {
    pub post: SharedPost,
    pub place: PostPlace,
    pub published: bool,
    target: Text,
    path: Text,
    post_id: Option<i64>,
    at: (usize, usize),
}

impl LinkFrom {
    pub fn link(&self) -> InternalLink {
        InternalLink {
            target: self.target.clone(),
            path: self.path.clone(),
            post_id: self.post_id,
            at: Located::new(self.at.0..self.at.1.max(self.at.0)),
        }
    }
}

/// Site and name; posts before links, each in the run's order.
type NameKey = Keyed<(usize, Name), (bool, PostPlace)>;

/// The links of a site's posts joined with the posts they name: by `?p=`/`?page_id=` or by
/// permalink, then, for a permalink that names no post, by the slug in the last segment of its
/// path. A link meets the first post of the run under its name. A stage the internal-link rules
/// share: it joins every link once for all of them.
pub struct LinkJoin {
    names: Grouping<NameKey, Entry>,
    slugs: Grouping<NameKey, Entry>,
}

/// A link with the post it names, if any.
#[derive(Clone, Copy)]
pub struct Joined<'a> {
    pub from: &'a LinkFrom,
    pub target: Option<&'a Target>,
}

impl SharedStage for LinkJoin {
    type Item<'a> = Joined<'a>;

    fn start(run: &SiteRun) -> Self {
        Self {
            names: run.grouping(entry_weight),
            slugs: run.grouping(entry_weight),
        }
    }

    /// Sends a post under its names, and its links to what is not an archive.
    fn post(&mut self, site: usize, post: &PostFacts) -> Result<(), String> {
        let place = PostPlace::of(post, 0);
        // Shared by the post's names: one copy of its title.
        let title: Option<Text> = post.post.title.as_deref().map(Text::from);
        let target = || {
            Entry::Post(Target {
                place,
                status: post.status.clone(),
                title: title.clone(),
            })
        };
        let key = |name: Name, link: bool, place: PostPlace| Keyed {
            group: (site, name),
            order: (link, place),
        };
        if let Some(id) = post.post.id {
            self.names.push(key(Name::Id(id), false, place), target())?;
        }
        if let Some(permalink) = &post.permalink {
            let name = Name::Permalink(permalink.clone());
            self.names.push(key(name, false, place), target())?;
        }
        if let Some(slug) = &post.slug {
            let name = Name::Slug(slug.value.clone());
            self.slugs.push(key(name, false, place), target())?;
        }
        for (n, link) in post.internal_links.iter().enumerate() {
            if is_archive_or_asset(link) {
                continue;
            }
            let name =
                (link.post_id).map_or_else(|| Name::Permalink(link.target.clone()), Name::Id);
            let from = LinkFrom {
                post: SharedPost::of(post),
                place: PostPlace::of(post, n),
                published: post.status.as_deref() == Some("publish"),
                target: link.target.clone(),
                path: link.path.clone(),
                post_id: link.post_id,
                at: (link.at.range.start, link.at.range.end),
            };
            self.names
                .push(key(name, true, from.place), Entry::Link(from))?;
        }
        Ok(())
    }

    /// Gives each link with the post it names, if any, to `each`.
    fn finish(self, each: &mut dyn for<'a> FnMut(usize, Joined<'a>)) -> Result<(), String> {
        let Self { names, mut slugs } = self;
        let mut joined = |site, from: &LinkFrom, target: Option<&Target>| {
            each(site, Joined { from, target });
        };
        let mut groups = names.groups()?;
        while let Some(mut group) = groups.next_group() {
            let (site, name) = group.key().clone();
            let mut target = None;
            for (_, entry) in group.by_ref() {
                match entry {
                    Entry::Post(post) => {
                        target.get_or_insert(post);
                    }
                    Entry::Link(from) => {
                        if let Some(target) = &target {
                            joined(site, &from, Some(target));
                            continue;
                        }
                        let by_slug = !matches!(name, Name::Id(_));
                        match link_slug(&from.path).filter(|_| by_slug) {
                            Some(slug) => {
                                let key = Keyed {
                                    group: (site, Name::Slug(slug.into())),
                                    order: (true, from.place),
                                };
                                slugs.push(key, Entry::Link(from))?;
                            }
                            None => joined(site, &from, None),
                        }
                    }
                }
            }
        }
        groups.error()?;
        drop(groups);
        let mut groups = slugs.groups()?;
        while let Some(mut group) = groups.next_group() {
            let site = group.key().0;
            let mut target = None;
            for (_, entry) in group.by_ref() {
                match entry {
                    Entry::Post(post) => {
                        target.get_or_insert(post);
                    }
                    Entry::Link(from) => joined(site, &from, target.as_ref()),
                }
            }
        }
        groups.error()
    }
}

fn entry_weight(key: &NameKey, entry: &Entry) -> usize {
    let name = match &key.group.1 {
        Name::Id(_) => 0,
        Name::Permalink(text) | Name::Slug(text) => text_weight(text),
    };
    let text = |t: Option<&str>| t.map_or(0, text_weight);
    name + match entry {
        Entry::Post(target) => text(target.status.as_deref()) + text(target.title.as_deref()),
        Entry::Link(from) => {
            from.post.weight() + text_weight(&from.target) + text_weight(&from.path)
        }
    }
}

/// The slug a link names in the last segment of its path, as a post's `slug` is written.
fn link_slug(path: &str) -> Option<String> {
    let slug = path.trim_end_matches('/').rsplit('/').next()?;
    let slug = percent_encoding::percent_decode_str(slug)
        .decode_utf8()
        .ok()?;
    Some(slug.to_lowercase())
}

/// Links to what is not a post: uploads, feeds, archives, the API, the admin, the home page.
pub fn is_archive_or_asset(link: &InternalLink) -> bool {
    if link.post_id.is_some() {
        return false;
    }
    let path = link.path.trim_matches('/');
    if path.is_empty() {
        return true;
    }
    let first = path.split('/').next().unwrap_or_default();
    let archive = matches!(
        first,
        "wp-content"
            | "wp-includes"
            | "wp-json"
            | "wp-admin"
            | "wp-login.php"
            | "feed"
            | "category"
            | "tag"
            | "author"
            | "comments"
            | "search"
            | "page"
            | "xmlrpc.php"
    );
    let last = path.rsplit('/').next().unwrap_or_default();
    let file = last.contains('.') && !last.ends_with(".html") && !last.ends_with(".htm");
    let date_archive = path
        .split('/')
        .all(|part| part.bytes().all(|b| b.is_ascii_digit()));
    let feed_or_page = last == "feed" || path.contains("/page/") || last == "amp";
    archive
        || file
        || date_archive
        || feed_or_page
        || link.target.contains("?s=")
        || link.target.contains("attachment_id=")
}
