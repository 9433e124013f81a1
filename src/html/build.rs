//! Building the index from html5gum's events: the open-element stack kept as a browser keeps it
//! (which end tag closes what, which start tag closes an open `<p>`), and every span recorded.

use std::ops::Range;

use super::emitter::Events;
use super::tags::{Scope, Tag, Traits, traits_of};
use super::{
    Attribute, Closed, Comment, Content, Element, ElementId, HEADINGS, HtmlIndex, MAX_REOPENABLE,
    Name, NameOf, Quoting, StrayEndTag, Text, is_blank, open, utf8,
};

/// Collects tokenizer events into the index, keeping the stack of open elements.
#[derive(Default)]
pub(super) struct Builder<'h> {
    /// The field's HTML, whose bytes most of html5gum's text and values are.
    html: &'h str,
    index: HtmlIndex,
    open: open::OpenElements,
    /// Formatting elements closed by some other end tag; browsers reopen them, so their own
    /// end tag arriving later is not stray.
    reopenable: Vec<ElementId>,
    /// Other elements ended by an ancestor's end tag, the latest last (bounded like
    /// `reopenable`): a later end tag of their name was written for them.
    cut_short: Vec<ElementId>,
    /// Open elements an unmatched end tag was already written for.
    claimed: std::collections::HashSet<ElementId>,
    pending: Option<PendingTag>,
    foreign_depth: usize,
    select_depth: usize,
}

/// Inside `<select>` browsers drop every tag but these (the "in select" insertion mode).
fn kept_in_select(name: &str) -> bool {
    matches!(
        name,
        "option" | "optgroup" | "hr" | "select" | "script" | "template"
    )
}

struct PendingTag {
    name: Name,
    tag: Option<Tag>,
    start: usize,
    attributes_from: usize,
    names: AttributeNames,
    /// Whether a duplicate attribute left a placeholder to drop when the tag closes.
    has_duplicates: bool,
}

/// Drops the placeholders (empty names) of duplicate attributes from a tag's attributes, those
/// from `from` on, in place: only a tag that has them pays for the pass.
fn drop_duplicates(attributes: &mut Vec<Attribute>, from: usize) {
    let mut kept = from;
    for at in from..attributes.len() {
        if !attributes[at].name.is_empty() {
            attributes.swap(kept, at);
            kept += 1;
        }
    }
    attributes.truncate(kept);
}

/// The attribute names of a start tag so far, to find duplicates. A usual tag's few are
/// scanned; past [`AttributeNames::SCANNED`] they go in a set, so that a tag of a million
/// attributes costs a million lookups rather than half a million million comparisons.
#[derive(Default)]
struct AttributeNames(Option<std::collections::HashSet<Name>>);

impl AttributeNames {
    const SCANNED: usize = 16;

    /// Notes `name`, whether it is new among `before` (the tag's attributes so far, a
    /// duplicate's name emptied).
    fn insert(&mut self, name: &Name, before: &[Attribute]) -> bool {
        if self.0.is_none() && before.len() < Self::SCANNED {
            return !before.iter().any(|a| a.name == *name);
        }
        let set = self
            .0
            .get_or_insert_with(|| before.iter().map(|a| a.name.clone()).collect());
        set.insert(name.clone())
    }
}

impl<'h> Builder<'h> {
    pub(super) fn new(html: &'h str) -> Self {
        Self {
            html,
            index: HtmlIndex::with_capacity_for(html.len()),
            open: open::OpenElements::reused(),
            ..Self::default()
        }
    }

    fn record_attribute_name(&mut self, name: &[u8], span: Range<usize>) {
        let Some(tag) = &mut self.pending else { return };
        let name = Name::of(name);
        let duplicate = !tag
            .names
            .insert(&name, &self.index.attributes[tag.attributes_from..]);
        tag.has_duplicates |= duplicate;
        // The standard keeps the first of duplicate attributes; later ones are dropped, and a
        // placeholder would make their values land on the first. Mark them by an empty name.
        self.index.attributes.push(Attribute {
            name: if duplicate { Name::from("") } else { name },
            name_span: span,
            value: 0..0,
            value_span: None,
            quoting: Quoting::Absent,
        });
    }

    fn current_attribute(&mut self) -> Option<&mut Attribute> {
        let from = self.pending.as_ref()?.attributes_from;
        self.index.attributes[from..].last_mut()
    }

    fn in_select(&self) -> bool {
        self.select_depth > 0
    }

    fn start_tag(&mut self, tag: PendingTag, end: usize, self_closing: bool) {
        let span = tag.start..end;
        let name = &*tag.name;
        if self.in_select() && !kept_in_select(name) {
            self.index.attributes.truncate(tag.attributes_from);
            return;
        }
        let traits = traits_of(tag.tag);
        self.close_implied_by_start_tag(name, traits, &span);
        if tag.has_duplicates {
            drop_duplicates(&mut self.index.attributes, tag.attributes_from);
        }
        let attributes = tag.attributes_from..self.index.attributes.len();

        let is_empty = traits.any(Traits::VOID) || (self_closing && self.foreign_depth > 0);
        let id = self.index.elements.len();
        let parent = self.open.last().copied();
        let link = if name == "a" {
            Some(id)
        } else {
            parent.and_then(|p| self.index.elements[p].link)
        };
        self.index.elements.push(Element {
            name: tag.name.clone(),
            tag: tag.tag,
            traits,
            start_tag: span,
            end_tag: None,
            closed: if is_empty {
                Closed::Empty
            } else {
                Closed::Unclosed
            },
            parent,
            attributes,
            link,
            content: end..end,
            has: Content::default(),
        });
        if traits.any(Traits::MEDIA) {
            self.mark(parent, |c| &mut c.media);
        } else if name == "br" {
            self.mark(parent, |c| &mut c.line_break);
        }
        if !is_empty {
            match name {
                "svg" | "math" => self.foreign_depth += 1,
                "select" => self.select_depth += 1,
                _ => {}
            }
            self.open.push(id, &tag.name, traits);
        }
    }

    /// The start tags that end an open element first: a block closes `<p>`, `<li>` closes the
    /// previous `<li>`, and so on (the optional end tags of the standard).
    fn close_implied_by_start_tag(&mut self, name: &str, traits: Traits, by: &Range<usize>) {
        if self.foreign_depth > 0 {
            return;
        }
        if traits.any(Traits::CLOSES_PARAGRAPH) {
            self.close_if_in_scope(&["p"], Scope::Button, by);
        }
        match name {
            "li" => self.close_if_in_scope(&["li"], Scope::ListItem, by),
            "dd" | "dt" => self.close_if_in_scope(&["dd", "dt"], Scope::Default, by),
            "tr" => self.close_if_in_scope(&["tr"], Scope::Table, by),
            "td" | "th" => self.close_if_in_scope(&["td", "th"], Scope::Table, by),
            "option" => self.close_if_on_top("option", by),
            "a" => self.close_if_in_scope(&["a"], Scope::Default, by),
            _ if traits.any(Traits::HEADING) => self.close_heading_on_top(by),
            _ => {}
        }
    }

    fn close_if_in_scope(&mut self, names: &[&str], scope: Scope, by: &Range<usize>) {
        if let Some(position) = self.open.in_scope(names, scope) {
            self.close_from(position, Closed::Implied { by: by.clone() });
        }
    }

    fn close_if_on_top(&mut self, name: &str, by: &Range<usize>) {
        if self.top_name() == Some(name) {
            self.close_from(self.open.len() - 1, Closed::Implied { by: by.clone() });
        }
    }

    /// `<h2>` directly inside an open `<h3>` closes it.
    fn close_heading_on_top(&mut self, by: &Range<usize>) {
        if self
            .top()
            .is_some_and(|top| top.traits.any(Traits::HEADING))
        {
            self.close_from(self.open.len() - 1, Closed::Implied { by: by.clone() });
        }
    }

    fn top(&self) -> Option<&Element> {
        self.open.last().map(|&id| &self.index.elements[id])
    }

    fn top_name(&self) -> Option<&str> {
        self.top().map(|top| &*top.name)
    }

    fn close_by_end_tag(&mut self, name: &str, traits: Traits, span: Range<usize>) {
        if self.in_select() && !kept_in_select(name) {
            return;
        }
        let found = if traits.any(Traits::HEADING) {
            self.open.in_scope(&HEADINGS, Scope::Default)
        } else if traits.any(Traits::SPECIAL.union(Traits::FORMATTING)) {
            self.open.in_scope(&[name], traits.end_tag_scope())
        } else {
            self.open.ordinary(name)
        };
        match found {
            Some(position) => {
                let id = self.open[position];
                self.index.elements[id].end_tag = Some(span.clone());
                // The element itself ends by its end tag, those above it by that same tag.
                self.close_from(position + 1, Closed::Implied { by: span });
                self.open.pop();
                self.close_element(id, Closed::EndTag);
            }
            None => self.unmatched_end_tag(name, span),
        }
    }

    fn unmatched_end_tag(&mut self, name: &str, span: Range<usize>) {
        let reopened = self
            .reopenable
            .iter()
            .rposition(|&id| &*self.index.elements[id].name == name);
        if let Some(at) = reopened {
            let id = self.reopenable.remove(at);
            self.index.elements[id].end_tag = Some(span);
            return;
        }
        let meant_for = self.out_of_reach(name);
        self.index.stray_end_tags.push(StrayEndTag {
            name: name.into(),
            span,
            parent: self.open.last().copied(),
            meant_for,
        });
    }

    /// The element an unmatched end tag was written for: an open one it cannot reach, else the
    /// latest one of its name an ancestor's end tag cut short (each is taken once).
    fn out_of_reach(&mut self, name: &str) -> Option<ElementId> {
        if let Some(position) = self.open.topmost(&[name]) {
            let id = self.open[position];
            return self.claimed.insert(id).then_some(id);
        }
        let at = self
            .cut_short
            .iter()
            .rposition(|&id| &*self.index.elements[id].name == name)?;
        Some(self.cut_short.remove(at))
    }

    /// Closes every open element from `position` up.
    fn close_from(&mut self, position: usize, how: Closed) {
        while self.open.len() > position {
            let Some(id) = self.open.pop() else { break };
            if self.index.elements[id].traits.any(Traits::FORMATTING) {
                // Browsers keep at most a few such elements too (the "Noah's Ark" clause);
                // the bound keeps lookups constant on pathological input.
                if self.reopenable.len() == MAX_REOPENABLE {
                    self.reopenable.remove(0);
                }
                self.reopenable.push(id);
            } else if matches!(&how, Closed::Implied { by } if self.html[by.clone()].starts_with("</"))
            {
                if self.cut_short.len() == MAX_REOPENABLE {
                    self.cut_short.remove(0);
                }
                self.cut_short.push(id);
            }
            self.close_element(id, how.clone());
        }
    }

    fn close_element(&mut self, id: ElementId, how: Closed) {
        let element = &mut self.index.elements[id];
        element.content.end = match (&how, &element.end_tag) {
            (Closed::EndTag, Some(end_tag)) => end_tag.start,
            (Closed::Implied { by }, _) => by.start,
            _ => element.content.end,
        };
        match &*element.name {
            "svg" | "math" => self.foreign_depth = self.foreign_depth.saturating_sub(1),
            "select" => self.select_depth = self.select_depth.saturating_sub(1),
            _ => {}
        }
        element.closed = how;
    }

    pub(super) fn finish(mut self) -> HtmlIndex {
        // Elements still open keep `Closed::Unclosed`, set when they were created.
        for &id in self.open.iter() {
            self.index.elements[id].content.end = self.html.len();
        }
        std::mem::take(&mut self.open).give_back();
        self.index
    }

    /// Marks `from` and its ancestors as holding what `flag` names, up to the first that
    /// already does: each element is marked once, so all the marks of a field are linear.
    /// Marked as each text and element is made, while its ancestors (the open elements) are
    /// in cache, not in a pass over the whole index after it; an element's parent never
    /// changes once it is made, so the marks are the same.
    fn mark(&mut self, from: Option<ElementId>, flag: fn(&mut Content) -> &mut bool) {
        let mut at = from;
        while let Some(id) = at {
            let element = &mut self.index.elements[id];
            let slot = flag(&mut element.has);
            if *slot {
                break;
            }
            *slot = true;
            at = element.parent;
        }
    }
}

/// html5gum's events, through the index's emitter: text and values arrive as text of the field
/// wherever html5gum did not change them, so each is copied once, into the index.
impl Events for Builder<'_> {
    fn open_start_tag(&mut self, name: &[u8], span: Range<usize>) {
        let tag = Tag::of(name);
        self.pending = Some(PendingTag {
            // An element's name is its tag's static text: no allocation for a `<section>`.
            name: tag.map_or_else(|| Name::of(name), |tag| Name::Borrowed(tag.name())),
            tag,
            start: span.start,
            attributes_from: self.index.attributes.len(),
            names: AttributeNames::default(),
            has_duplicates: false,
        });
    }

    fn attribute_name(&mut self, name: &[u8], span: Range<usize>) {
        self.record_attribute_name(name, span);
    }

    fn attribute_value(&mut self, value: &str, span: Range<usize>) {
        let start = self.index.values.len();
        self.index.values.push_str(value);
        let end = self.index.values.len();
        let quoting = Quoting::of_value(self.html, &span);
        if let Some(attribute) = self.current_attribute() {
            attribute.value = start..end;
            attribute.value_span = Some(span);
            attribute.quoting = quoting;
        }
    }

    fn close_start_tag(&mut self, self_closing: bool, span: Range<usize>) {
        if let Some(tag) = self.pending.take() {
            self.start_tag(tag, span.end, self_closing);
        }
    }

    fn end_tag(&mut self, name: &[u8], span: Range<usize>) {
        self.close_by_end_tag(&utf8(name), traits_of(Tag::of(name)), span);
    }

    fn text(&mut self, text: &str, span: Range<usize>) {
        let start = self.index.text_buffer.len();
        self.index.text_buffer.push_str(text);
        let parent = self.open.last().copied();
        self.index.texts.push(Text {
            decoded: start..self.index.text_buffer.len(),
            span,
            parent,
        });
        if !is_blank(text) {
            self.mark(parent, |c| &mut c.text);
        }
    }

    fn comment(&mut self, text: &str, span: Range<usize>) {
        self.index.comments.push(Comment {
            text: text.to_owned(),
            span,
        });
    }
}
