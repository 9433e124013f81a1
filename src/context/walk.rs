//! The one walk of a post's HTML fields: each field's elements, text runs and comments in
//! document order, handed to the rules that asked for them, with the elements open around each.

use crate::context::{HtmlField, PostContext};
use crate::diagnostic::Diagnostic;
use crate::html::{Comment, Element, ElementId, HtmlIndex, Text, is_heading, is_literal};

/// The kinds of element a rule may ask to visit; `Any` is every element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `<a>`
    Link,
    /// `<span>`
    Span,
    /// `<p>`
    Paragraph,
    /// `<div>`
    Division,
    /// `<h1>` … `<h6>`
    Heading,
    /// `<img>`
    Image,
    /// `<iframe>`
    Frame,
    /// `<source>`, `<video>`, `<audio>`, `<track>`, `<script>`, `<embed>`, `<object>`,
    /// `<input>`: the other elements that load an address.
    Source,
    Video,
    Audio,
    Track,
    Script,
    Embed,
    Object,
    Input,
    /// Every element, whatever its name.
    Any,
}

impl Kind {
    const COUNT: usize = 16;

    /// The kind of an element by its name; `None` for a name no rule asks for by kind.
    fn of(name: &str) -> Option<Kind> {
        Some(match name {
            "a" => Kind::Link,
            "span" => Kind::Span,
            "p" => Kind::Paragraph,
            "div" => Kind::Division,
            "img" => Kind::Image,
            "iframe" => Kind::Frame,
            "source" => Kind::Source,
            "video" => Kind::Video,
            "audio" => Kind::Audio,
            "track" => Kind::Track,
            "script" => Kind::Script,
            "embed" => Kind::Embed,
            "object" => Kind::Object,
            "input" => Kind::Input,
            _ if is_heading(name) => Kind::Heading,
            _ => return None,
        })
    }
}

/// What a rule asks of the walk.
#[derive(Debug, Clone, Copy, Default)]
pub struct Visits {
    pub elements: &'static [Kind],
    pub texts: bool,
    pub comments: bool,
}

impl Visits {
    pub const NOTHING: Visits = Visits {
        elements: &[],
        texts: false,
        comments: false,
    };

    /// The elements of these kinds.
    pub const fn elements(kinds: &'static [Kind]) -> Visits {
        Visits {
            elements: kinds,
            texts: false,
            comments: false,
        }
    }

    fn is_nothing(&self) -> bool {
        self.elements.is_empty() && !self.texts && !self.comments
    }
}

/// The nearest element of each kind the walk keeps open around a node: its ancestors, not the
/// node itself.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Open {
    pub paragraph: Option<ElementId>,
    pub heading: Option<ElementId>,
    /// `<a>`
    pub link: Option<ElementId>,
    /// `<ul>` or `<ol>`
    pub list: Option<ElementId>,
    /// Text shown as written or not at all: code samples, scripts, styles, `<textarea>`.
    pub literal: Option<ElementId>,
}

impl Open {
    /// What is open inside `element`, given what is open around it.
    fn within(mut self, id: ElementId, element: &Element) -> Open {
        let name = &*element.name;
        match name {
            "p" => self.paragraph = Some(id),
            "a" => self.link = Some(id),
            "ul" | "ol" => self.list = Some(id),
            _ if is_heading(name) => self.heading = Some(id),
            _ => {}
        }
        if is_literal(name) {
            self.literal = Some(id);
        }
        self
    }
}

/// Where a node is: its post, its field, and the elements open around it.
pub struct At<'v> {
    pub post: &'v PostContext<'v, 'v>,
    pub field: &'v HtmlField<'v, 'v>,
    /// The field's position in `post.html`.
    pub field_at: usize,
    pub open: Open,
}

impl<'v> At<'v> {
    pub fn index(&self) -> &'v HtmlIndex {
        &self.field.index
    }
}

/// A rule's state over one post's walk: made by `Rule::start`, handed what the rule asked for
/// in document order, field after field, and finished when the walk ends.
pub trait Visitor<'v> {
    fn element(&mut self, _at: &At<'v>, _id: ElementId, _element: &'v Element) {}
    fn text(&mut self, _at: &At<'v>, _run: &'v Text) {}
    fn comment(&mut self, _at: &At<'v>, _comment: &'v Comment) {}
    fn finish(self: Box<Self>, out: &mut Vec<Diagnostic>);
}

/// From each kind to the rules (positions in the registry) that asked for it: built once,
/// from every rule's `Visits`, so that the walk looks nothing up per node.
pub struct Dispatch {
    by_kind: [Vec<usize>; Kind::COUNT],
    texts: Vec<usize>,
    comments: Vec<usize>,
    walks: Vec<bool>,
}

impl Dispatch {
    pub fn new(visits: impl IntoIterator<Item = Visits>) -> Dispatch {
        let mut dispatch = Dispatch {
            by_kind: Default::default(),
            texts: Vec::new(),
            comments: Vec::new(),
            walks: Vec::new(),
        };
        for (rule, visits) in visits.into_iter().enumerate() {
            dispatch.walks.push(!visits.is_nothing());
            for &kind in visits.elements {
                dispatch.by_kind[kind as usize].push(rule);
            }
            if visits.texts {
                dispatch.texts.push(rule);
            }
            if visits.comments {
                dispatch.comments.push(rule);
            }
        }
        dispatch
    }

    /// Whether the rule at this position of the registry visits anything.
    pub fn walks(&self, rule: usize) -> bool {
        self.walks.get(rule).copied().unwrap_or(false)
    }
}

/// The visitors of one post's rules that read one view, by position in the registry.
pub struct Visitors<'v> {
    slots: Vec<Option<Box<dyn Visitor<'v> + 'v>>>,
    any: bool,
}

impl<'v> Visitors<'v> {
    pub fn new(rules: usize) -> Self {
        Self {
            slots: (0..rules).map(|_| None).collect(),
            any: false,
        }
    }

    pub fn add(&mut self, rule: usize, visitor: Box<dyn Visitor<'v> + 'v>) {
        if let Some(slot) = self.slots.get_mut(rule) {
            *slot = Some(visitor);
            self.any = true;
        }
    }

    /// Walks every field of the post once, then finishes each visitor in registry order.
    pub fn walk(mut self, dispatch: &Dispatch, post: &'v PostContext<'v, 'v>) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        if !self.any {
            return out;
        }
        let wants = |rules: &[usize]| rules.iter().any(|&r| self.slots[r].is_some());
        let texts = wants(&dispatch.texts);
        let comments = wants(&dispatch.comments);
        for (field_at, field) in post.html.iter().enumerate() {
            let mut walk = FieldWalk {
                dispatch,
                visitors: &mut self.slots,
                at: At {
                    post,
                    field,
                    field_at,
                    open: Open::default(),
                },
                stack: OpenStack::default(),
            };
            walk.run(texts, comments);
        }
        for visitor in self.slots.into_iter().flatten() {
            visitor.finish(&mut out);
        }
        out
    }
}

/// The walk of one field: its nodes merged in document order, handed to the visitors that
/// asked for them.
struct FieldWalk<'w, 'v> {
    dispatch: &'w Dispatch,
    visitors: &'w mut [Option<Box<dyn Visitor<'v> + 'v>>],
    at: At<'v>,
    stack: OpenStack,
}

impl<'v> FieldWalk<'_, 'v> {
    fn run(&mut self, texts: bool, comments: bool) {
        let index = self.at.index();
        let no_texts: &[Text] = &[];
        let no_comments: &[Comment] = &[];
        let mut runs = (if texts { &index.texts[..] } else { no_texts }).iter();
        let mut notes = (if comments {
            &index.comments[..]
        } else {
            no_comments
        })
        .iter();
        let (mut run, mut note) = (runs.next(), notes.next());
        for (id, element) in index.elements.iter().enumerate() {
            let at = element.start_tag.start;
            while let Some(text) = run.filter(|t| t.span.start < at) {
                self.text(text);
                run = runs.next();
            }
            while let Some(comment) = note.filter(|c| c.span.start < at) {
                self.comment(comment);
                note = notes.next();
            }
            self.element(id, element);
        }
        for text in run.into_iter().chain(runs) {
            self.text(text);
        }
        for comment in note.into_iter().chain(notes) {
            self.comment(comment);
        }
    }

    fn element(&mut self, id: ElementId, element: &'v Element) {
        let elements = &self.at.field.index.elements;
        self.at.open = self.stack.around(elements, element.parent);
        let dispatch = self.dispatch;
        if let Some(kind) = Kind::of(&element.name) {
            self.visit(&dispatch.by_kind[kind as usize], |v, at| {
                v.element(at, id, element)
            });
        }
        self.visit(&dispatch.by_kind[Kind::Any as usize], |v, at| {
            v.element(at, id, element)
        });
        self.stack.push(id, element, self.at.open);
    }

    fn text(&mut self, run: &'v Text) {
        let elements = &self.at.field.index.elements;
        self.at.open = self.stack.around(elements, run.parent);
        let dispatch = self.dispatch;
        self.visit(&dispatch.texts, |v, at| v.text(at, run));
    }

    /// Comments carry no parent in the index: they are visited with nothing open around.
    fn comment(&mut self, comment: &'v Comment) {
        self.at.open = Open::default();
        let dispatch = self.dispatch;
        self.visit(&dispatch.comments, |v, at| v.comment(at, comment));
    }

    fn visit(&mut self, rules: &[usize], mut call: impl FnMut(&mut dyn Visitor<'v>, &At<'v>)) {
        for &rule in rules {
            if let Some(Some(visitor)) = self.visitors.get_mut(rule) {
                call(visitor.as_mut(), &self.at);
            }
        }
    }
}

/// The elements open around the node being walked, innermost last, each with what is open
/// inside it: one step per element, where asking each node's ancestors would walk up for each.
#[derive(Default)]
struct OpenStack(Vec<(ElementId, Open)>);

impl OpenStack {
    /// What is open around a child of `parent`, closing the elements above it. Elements come
    /// in the order of their start tags, each after its parent, so the parent is on the
    /// stack; should it not be, the stack is built again from the parents.
    fn around(&mut self, elements: &[Element], parent: Option<ElementId>) -> Open {
        let Some(parent) = parent else {
            self.0.clear();
            return Open::default();
        };
        while self.0.last().is_some_and(|(id, _)| *id != parent) {
            self.0.pop();
        }
        if self.0.is_empty() {
            self.rebuild(elements, parent);
        }
        self.0.last().map(|(_, open)| *open).unwrap_or_default()
    }

    fn push(&mut self, id: ElementId, element: &Element, around: Open) {
        self.0.push((id, around.within(id, element)));
    }

    fn rebuild(&mut self, elements: &[Element], parent: ElementId) {
        let mut chain = Vec::new();
        let mut next = Some(parent);
        while let Some(id) = next {
            chain.push(id);
            next = elements.get(id).and_then(|e| e.parent);
        }
        let mut open = Open::default();
        for id in chain.into_iter().rev() {
            if let Some(element) = elements.get(id) {
                open = open.within(id, element);
                self.0.push((id, open));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::html::Around;

    /// What is open around an element, found by walking up its parents.
    fn walked_up(index: &HtmlIndex, parent: Option<ElementId>) -> Open {
        let mut chain = Vec::new();
        let mut next = parent;
        while let Some(id) = next {
            chain.push(id);
            next = index.elements[id].parent;
        }
        (chain.into_iter().rev()).fold(Open::default(), |open, id| {
            open.within(id, &index.elements[id])
        })
    }

    #[test]
    fn the_stack_keeps_what_walking_up_each_node_finds() {
        let html = "<p>a <a href=x>b <span>c</span></a></p><ul><li><h2>t<a>u</h2>\
                    <li><pre><code><b>x</code></pre></ul><b><i>m</b>n</i><p>q<div>r</div>\
                    <table><tr><td><p>cell<a href=y>z</table><h3><p>w</p></h3>";
        let index = HtmlIndex::parse(html);
        let mut stack = OpenStack::default();
        let mut text = index.texts.iter().peekable();
        let mut seen_open = 0;
        for (id, element) in index.elements.iter().enumerate() {
            while let Some(run) = text.next_if(|t| t.span.start < element.start_tag.start) {
                let open = stack.around(&index.elements, run.parent);
                assert_eq!(
                    open,
                    walked_up(&index, run.parent),
                    "text at {:?}",
                    run.span
                );
            }
            let open = stack.around(&index.elements, element.parent);
            assert_eq!(
                open,
                walked_up(&index, element.parent),
                "<{}>",
                element.name
            );
            let enclosing = |kind| index.enclosing(element.parent, kind);
            assert_eq!(open.paragraph, enclosing(Around::Paragraph));
            assert_eq!(open.heading, enclosing(Around::Heading));
            assert_eq!(open.literal, enclosing(Around::Literal));
            seen_open += usize::from(open != Open::default());
            stack.push(id, element, open);
        }
        assert!(seen_open > 10, "the markup nests");
    }

    #[test]
    fn a_parent_off_the_stack_is_found_again() {
        let index = HtmlIndex::parse("<p><a href=x><span>a</span></a></p>");
        let mut stack = OpenStack::default();
        // The stack is empty, as if the walk had lost its place: the span's parent, the link,
        // is found from the parents.
        let open = stack.around(&index.elements, Some(1));
        assert_eq!(open.paragraph, Some(0));
        assert_eq!(open.link, Some(1));
    }

    #[test]
    fn each_kind_names_its_elements() {
        assert_eq!(Kind::of("a"), Some(Kind::Link));
        assert_eq!(Kind::of("h4"), Some(Kind::Heading));
        assert_eq!(Kind::of("img"), Some(Kind::Image));
        assert_eq!(Kind::of("section"), None);
        let dispatch = Dispatch::new([Visits::NOTHING, Visits::elements(&[Kind::Link, Kind::Any])]);
        assert!(!dispatch.walks(0) && dispatch.walks(1));
        assert_eq!(dispatch.by_kind[Kind::Link as usize], [1]);
        assert_eq!(dispatch.by_kind[Kind::Any as usize], [1]);
    }
}
