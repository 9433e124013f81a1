//! The typed view of one post: the fields rules read, each still pointing at its bytes in the file.
//! Unknown fields are kept in the tree but never looked at.

use std::borrow::Cow;

use crate::input::json::{JsonStr, Member, Node, Value};

/// Keys that mark an object as a WordPress post (or page, or other post type). A `_fields`-limited
/// response may carry only a few of them.
const POST_KEYS: [&str; 10] = [
    "id", "date", "slug", "status", "type", "link", "guid", "title", "content", "excerpt",
];

/// WP-CLI's keys (`wp post get ID --format=json`, `wp post list --format=json`) and the REST
/// keys they map to. `guid` is shared.
const WP_CLI_KEYS: [(&str, &str); 11] = [
    ("ID", "id"),
    ("post_title", "title"),
    ("post_content", "content"),
    ("post_excerpt", "excerpt"),
    ("post_date", "date"),
    ("post_date_gmt", "date_gmt"),
    ("post_modified", "modified"),
    ("post_modified_gmt", "modified_gmt"),
    ("post_status", "status"),
    ("post_type", "type"),
    ("post_name", "slug"),
];

pub use crate::input::reading::Dialect;

/// The HTML fields of a post, each tokenized once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum HtmlFieldKind {
    Title,
    Content,
    Excerpt,
}

impl HtmlFieldKind {
    pub const ALL: [HtmlFieldKind; 3] = [Self::Title, Self::Content, Self::Excerpt];

    fn key(self) -> &'static str {
        match self {
            Self::Title => "title",
            Self::Content => "content",
            Self::Excerpt => "excerpt",
        }
    }

    /// The field's name in reports for a post of this dialect: where the author finds it.
    pub fn path_in(self, dialect: Dialect, form: Form) -> &'static str {
        match (dialect, self) {
            (Dialect::Rest, _) if form == Form::Raw => self.raw_path(),
            (Dialect::Rest, _) => self.path(),
            (Dialect::WpCli, Self::Title) => "post_title",
            (Dialect::WpCli, Self::Content) => "post_content",
            (Dialect::WpCli, Self::Excerpt) => "post_excerpt",
            (Dialect::Wxr, Self::Title) => "title",
            (Dialect::Wxr, Self::Content) => "content:encoded",
            (Dialect::Wxr, Self::Excerpt) => "excerpt:encoded",
        }
    }

    /// The JSON path of the field's raw text, as REST gives it with `context=edit`.
    pub fn raw_path(self) -> &'static str {
        match self {
            Self::Title => "title.raw",
            Self::Content => "content.raw",
            Self::Excerpt => "excerpt.raw",
        }
    }

    /// The field's name in reports: the JSON path of the value.
    pub fn path(self) -> &'static str {
        match self {
            Self::Title => "title.rendered",
            Self::Content => "content.rendered",
            Self::Excerpt => "excerpt.rendered",
        }
    }
}

/// Which text of an HTML field: what the author wrote, or what the site rendered from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// What the author wrote: block comments, shortcodes, paragraphs as blank lines
    /// (REST's `content.raw` with `context=edit`, WXR's `content:encoded`, WP-CLI's
    /// `post_content`).
    Raw,
    /// What the site made of it: `content.rendered`.
    Rendered,
}

/// Why a JSON value is not a post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotAPost {
    pub message: String,
    pub help: String,
    /// An object with none of a post's fields and no sign of a failed request: a tool's
    /// settings, say, rather than a post that could not be fetched.
    pub foreign: bool,
}

#[derive(Debug)]
pub struct Post<'s> {
    /// Position in its file (0 for a single-post file).
    pub index: usize,
    pub node: Node<'s>,
    /// The JSON was damaged and this post was recovered from what was left.
    pub recovered: bool,
    pub dialect: Dialect,
}

impl<'s> Post<'s> {
    /// Accepts an object that looks like a post; explains anything else.
    pub fn classify(index: usize, node: Node<'s>, recovered: bool) -> Result<Self, NotAPost> {
        let Value::Object(members) = &node.value else {
            return Err(NotAPost {
                message: format!("expected a post object, found {}", node.kind()),
                help: "postlint reads a post object, an array of posts, or one post per line"
                    .to_owned(),
                foreign: false,
            });
        };
        if let Some(foreign) = schema_file(&node) {
            return Err(foreign);
        }
        // WP-CLI's keys and none of REST's (a REST post may carry extra fields of any name).
        let is_rest_key = |key: &str| key != "guid" && POST_KEYS.contains(&key);
        if members.iter().any(|m| is_wp_cli_key(m.key.as_str()))
            && !members.iter().any(|m| is_rest_key(m.key.as_str()))
        {
            return Ok(Self {
                index,
                node: from_wp_cli(node),
                recovered,
                dialect: Dialect::WpCli,
            });
        }
        if members.iter().any(|m| POST_KEYS.contains(&m.key.as_str())) {
            return Ok(Self {
                index,
                node,
                recovered,
                dialect: Dialect::Rest,
            });
        }
        Err(rest_error(&node).unwrap_or_else(|| NotAPost {
            message: "this object has none of a post's fields (id, title, content, …)".to_owned(),
            help: "postlint reads WordPress posts as /wp-json/wp/v2/posts returns them".to_owned(),
            foreign: !wraps_posts(&node),
        }))
    }

    /// A string at a dotted path such as `guid.rendered`.
    pub fn str_at(&self, path: &str) -> Option<&JsonStr<'s>> {
        path.split('.')
            .try_fold(&self.node, |node, key| node.get(key))
            .and_then(Node::as_str)
    }

    /// The post's `id`, when it is an integer.
    pub fn id(&self) -> Option<i64> {
        match &self.node.get("id")?.value {
            Value::Number(text) => text.parse().ok(),
            _ => None,
        }
    }

    pub fn link(&self) -> Option<&str> {
        self.str_at("link").map(JsonStr::as_str)
    }

    /// An HTML field's string: `title.rendered` as REST gives it, or a plain `title` string as
    /// some exports write it.
    pub fn html_field(&self, kind: HtmlFieldKind) -> Option<&JsonStr<'s>> {
        let node = self.node.get(kind.key())?;
        node.get("rendered")
            .and_then(Node::as_str)
            .or_else(|| node.as_str())
    }

    /// An HTML field in one form, when the post has it. WXR and WP-CLI hold only raw text;
    /// REST holds rendered text, and raw text too when read with `context=edit`.
    pub fn html_field_in(&self, kind: HtmlFieldKind, form: Form) -> Option<&JsonStr<'s>> {
        match (self.dialect, form) {
            (Dialect::Rest, Form::Raw) => self.node.get(kind.key())?.get("raw")?.as_str(),
            (Dialect::Rest, Form::Rendered) => self.html_field(kind),
            (_, Form::Raw) => self.html_field(kind),
            (_, Form::Rendered) => None,
        }
    }

    /// Whether the post holds the raw text of any HTML field.
    pub fn has_raw(&self) -> bool {
        HtmlFieldKind::ALL
            .into_iter()
            .any(|kind| self.html_field_in(kind, Form::Raw).is_some())
    }

    /// Whether the post holds the rendered text of any HTML field.
    pub fn has_rendered(&self) -> bool {
        HtmlFieldKind::ALL
            .into_iter()
            .any(|kind| self.html_field_in(kind, Form::Rendered).is_some())
    }
}

fn is_wp_cli_key(key: &str) -> bool {
    WP_CLI_KEYS.iter().any(|(cli, _)| *cli == key)
}

/// A WP-CLI object with REST's keys, so that every rule reads it alike: each value keeps its
/// span, `guid` is wrapped as REST's `{"rendered": …}`.
fn from_wp_cli(node: Node<'_>) -> Node<'_> {
    let Value::Object(members) = node.value else {
        return node;
    };
    let members = members
        .into_iter()
        .map(|Member { key, value }| {
            let rest = WP_CLI_KEYS.iter().find(|(cli, _)| *cli == key.as_str());
            match (rest, key.as_str()) {
                (Some((_, rest)), _) => Member {
                    key: JsonStr::mapped(key.raw.clone(), Cow::Borrowed(rest), Vec::new()),
                    value,
                },
                (None, "guid") if value.as_str().is_some() => Member {
                    value: Node {
                        span: value.span.clone(),
                        value: Value::Object(vec![Member {
                            key: JsonStr::mapped(
                                key.raw.clone(),
                                Cow::Borrowed("rendered"),
                                Vec::new(),
                            ),
                            value,
                        }]),
                    },
                    key,
                },
                _ => Member { key, value },
            }
        })
        .collect();
    Node {
        value: Value::Object(members),
        span: node.span,
    }
}

/// `{"$schema":"https://schemas.wp.org/trunk/theme.json",…}`: a file that names its JSON Schema
/// is a tool's settings (a theme's style variation has a `title`, a block's `block.json` too);
/// WordPress never writes one into a post.
fn schema_file(node: &Node<'_>) -> Option<NotAPost> {
    let schema = node.get("$schema")?.as_str()?.as_str();
    let shown: String = schema.chars().take(100).collect();
    Some(NotAPost {
        message: format!(
            "this object names its JSON schema ({shown}): it is a tool's settings, not a post"
        ),
        help: "postlint reads WordPress posts as /wp-json/wp/v2/posts returns them".to_owned(),
        foreign: true,
    })
}

/// Values a look for wrapped posts visits at most, breadth first: a tool's settings are far
/// smaller, and posts wrapped in an answer sit near its top.
const MAX_VALUES_SEARCHED: usize = 100_000;

/// Whether an object without a post's fields holds, below its top, an object with two of them
/// or one of WP-CLI's: posts wrapped in another answer (`{"posts":[…]}`, GraphQL's
/// `{"data":{"posts":{"nodes":[…]}}}`). Such a file is reported, not left out as a tool's; one
/// field alone is too common in settings (`"repository":{"type":"git"}`) to tell.
fn wraps_posts(node: &Node<'_>) -> bool {
    let mut queue = std::collections::VecDeque::from([node]);
    let mut searched = 0;
    while let Some(node) = queue.pop_front() {
        searched += 1;
        if searched > MAX_VALUES_SEARCHED {
            return false;
        }
        match &node.value {
            Value::Object(members) => {
                let keys = || members.iter().map(|m| m.key.as_str());
                let post_keys = keys().filter(|key| POST_KEYS.contains(key)).count();
                if searched > 1 && (post_keys >= 2 || keys().any(is_wp_cli_key)) {
                    return true;
                }
                queue.extend(members.iter().map(|m| &m.value));
            }
            Value::Array(items) => queue.extend(items),
            _ => {}
        }
    }
    false
}

/// `{"code":"rest_no_route","message":"…","data":{"status":404}}`: the API answered with an error.
fn rest_error(node: &Node<'_>) -> Option<NotAPost> {
    let code = node.get("code")?.as_str()?.as_str();
    let message = node
        .get("message")
        .and_then(Node::as_str)
        .map_or("", |m| m.as_str());
    Some(NotAPost {
        message: format!("this is a WordPress REST error response (`{code}`: {message}), not a post"),
        help: "the request that produced this file failed; fix the URL or credentials and fetch it again"
            .to_owned(),
        foreign: false,
    })
}
