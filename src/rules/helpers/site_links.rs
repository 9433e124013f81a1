//! What the internal-link rules share: the posts of a site by permalink, id and slug, and which
//! links point at archives rather than at posts.

use std::collections::HashMap;

use crate::site::{InternalLink, PostFacts};

/// A site's posts, found by what a link may name them by.
pub struct SitePosts<'a> {
    by_permalink: HashMap<&'a str, &'a PostFacts>,
    by_id: HashMap<i64, &'a PostFacts>,
    by_slug: HashMap<&'a str, &'a PostFacts>,
}

impl<'a> SitePosts<'a> {
    pub fn new(posts: &'a [PostFacts]) -> Self {
        let mut site = Self {
            by_permalink: HashMap::new(),
            by_id: HashMap::new(),
            by_slug: HashMap::new(),
        };
        for post in posts {
            if let Some(permalink) = &post.permalink {
                site.by_permalink.entry(permalink).or_insert(post);
            }
            if let Some(id) = post.post.id {
                site.by_id.entry(id).or_insert(post);
            }
            if let Some(slug) = &post.slug {
                site.by_slug.entry(slug.value.as_str()).or_insert(post);
            }
        }
        site
    }

    /// The post a link points at: by `?p=`/`?page_id=`, by permalink, or by the slug in the
    /// last segment of its path.
    pub fn target(&self, link: &InternalLink) -> Option<&'a PostFacts> {
        if let Some(id) = link.post_id {
            return self.by_id.get(&id).copied();
        }
        if let Some(post) = self.by_permalink.get(link.target.as_str()) {
            return Some(post);
        }
        self.by_slug.get(link_slug(link)?.as_str()).copied()
    }
}

/// The slug a link names in the last segment of its path, as a post's `slug` is written.
pub fn link_slug(link: &InternalLink) -> Option<String> {
    let slug = link.path.trim_end_matches('/').rsplit('/').next()?;
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
