//! What the section rules share: the headings of a post's body, and which of the sections the
//! site's packs require apply to the post and where they are.

use std::cell::OnceCell;

use regex::Regex;

use crate::config::{RequiredSection, When};
use crate::context::{HtmlField, PostContext};
use crate::html::{Around, Element, ElementId, HtmlIndex, is_blank};
use crate::input::json::{Node, Value};
use crate::post::HtmlFieldKind;

/// A heading as a reader sees it.
#[derive(Debug, Clone)]
pub struct Heading {
    /// Lower-cased, whitespace collapsed, trailing `:` removed.
    pub key: String,
    /// The heading's HTML, from its start tag to its end.
    pub range: std::ops::Range<usize>,
}

/// A required section and the heading that provides it, if any.
pub struct Requirement<'c> {
    pub section: &'c RequiredSection,
    pub found: Option<usize>,
}

pub struct Sections<'p, 'f, 's> {
    pub field: &'f HtmlField<'p, 's>,
    pub headings: Vec<Heading>,
    pub required: Vec<Requirement<'f>>,
}

/// How headings are compared: case, surrounding whitespace, entities and a trailing `:` do
/// not matter.
pub fn heading_key(text: &str) -> String {
    let collapsed: Vec<&str> = text
        .split(|c: char| c.is_whitespace())
        .filter(|w| !w.is_empty())
        .collect();
    collapsed
        .join(" ")
        .trim_end_matches(':')
        .trim_end()
        .to_lowercase()
}

/// The sections the packs require of this post, with where the body provides them.
pub fn analyse<'p, 'f, 's>(post: &'f PostContext<'p, 's>) -> Option<Sections<'p, 'f, 's>> {
    let site = &post.settings.site;
    if site.sections.is_empty() {
        return None;
    }
    let field = post.field(HtmlFieldKind::Content)?;
    let required: Vec<&RequiredSection> = site
        .sections
        .iter()
        .filter(|s| applies(&s.when, post))
        .collect();
    if required.is_empty() {
        return None;
    }
    let keys: Vec<String> = required.iter().map(|s| heading_key(&s.heading)).collect();
    let headings = headings(&field.index, &keys);
    let required = required
        .into_iter()
        .zip(keys)
        .map(|(section, key)| Requirement {
            found: headings.iter().position(|h| h.key == key),
            section,
        })
        .collect();
    Some(Sections {
        field,
        headings,
        required,
    })
}

/// Headings in document order: `h1`–`h6`, a paragraph whose only text is bold, and a line of
/// plain text that reads exactly like a required heading (its formatting lost on import).
fn headings(index: &HtmlIndex, required: &[String]) -> Vec<Heading> {
    let mut found = Vec::new();
    let bold = OnceCell::new();
    for (id, element) in index.elements.iter().enumerate() {
        let name = &*element.name;
        let is_heading = matches!(name, "h1" | "h2" | "h3" | "h4" | "h5" | "h6")
            || (name == "p" && only_bold(index, (id, element), &bold));
        if is_heading {
            found.push(Heading {
                key: heading_key(&index.text_of(element)),
                range: element.start_tag.start
                    ..element
                        .end_tag
                        .as_ref()
                        .map_or(element.content.end, |t| t.end),
            });
        }
    }
    for text in &index.texts {
        let key = heading_key(index.text(text));
        // The few required headings first: a scan of the headings for each run is quadratic.
        if required.contains(&key) && !found.iter().any(|h| h.range.contains(&text.span.start)) {
            found.push(Heading {
                key,
                range: text.span.clone(),
            });
        }
    }
    found.sort_by_key(|h| h.range.start);
    found
}

/// A paragraph whose visible text is all inside `<b>` or `<strong>`. `bold` holds the
/// nearest of them around each element, found in one pass the first time it is asked for:
/// a run's bold ancestor is one lookup, however deep the run.
fn only_bold(
    index: &HtmlIndex,
    (id, paragraph): (ElementId, &Element),
    bold: &OnceCell<Vec<Option<ElementId>>>,
) -> bool {
    let bold = bold.get_or_init(|| index.nearest_each(|e| matches!(&*e.name, "b" | "strong")));
    let mut any = false;
    for text in index.texts_in(paragraph.content.clone()) {
        if is_blank(index.text(text)) {
            continue;
        }
        let nearest = text.parent.and_then(|p| bold.get(p).copied().flatten());
        // Within the paragraph, only bold below it counts (elements come in document order,
        // so below it means after it); a run the paragraph does not hold counts any.
        let held = index.enclosing(text.parent, Around::Paragraph) == Some(id);
        let is_bold = nearest.is_some_and(|b| !held || b > id);
        if !is_bold {
            return false;
        }
        any = true;
    }
    any
}

fn applies(when: &When, post: &PostContext<'_, '_>) -> bool {
    let text = |key: &str| post.post.str_at(key).map(|s| s.as_str().to_owned());
    let one_of = |wanted: &Option<Vec<String>>, actual: Option<String>| match wanted {
        None => true,
        Some(list) => actual.is_some_and(|a| list.contains(&a)),
    };
    let ids = |key: &str| ids_at(post.post.node.get(key));
    let any_id = |wanted: &Option<Vec<i64>>, actual: Vec<i64>| match wanted {
        None => true,
        Some(list) => actual.iter().any(|a| list.contains(a)),
    };
    let matches = |regex: &Option<Regex>, actual: Option<&str>| match regex {
        None => true,
        Some(regex) => actual.is_some_and(|a| regex.is_match(a)),
    };
    one_of(&when.post_type, text("type"))
        && one_of(&when.status, text("status"))
        && any_id(&when.categories, ids("categories"))
        && any_id(&when.tags, ids("tags"))
        && matches(&when.title, post.post_ref.title.as_deref())
        && matches(&when.link, post.post.link())
}

fn ids_at(node: Option<&Node<'_>>) -> Vec<i64> {
    match node.map(|n| &n.value) {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|item| match &item.value {
                Value::Number(text) => text.parse().ok(),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_compare_loosely() {
        assert_eq!(heading_key("  Why it\u{a0}matters: "), "why it matters");
        assert_eq!(heading_key("WHY IT MATTERS"), "why it matters");
    }
}
