//! The one walk of a post's HTML fields: each field's elements, text runs and comments in
//! document order, handed to the rules that asked for them, with the elements open around each.

use crate::context::{HtmlField, PostContext};
use crate::diagnostic::Diagnostic;
use crate::html::visibility::Hidden;
use crate::html::{Closed, Comment, Element, ElementId, HtmlIndex, Tag, Text, Traits, is_heading};
use crate::rule_costs::{Laps, Shared, Slot};

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
    /// An element whose name HTML does not have (`<your name>`, `<my-card>`, `<o:p>`): its
    /// `Element::tag` is `None`.
    Unknown,
    /// An element closed by another element's tag before its own end tag came
    /// (`<b><i>x</b></i>`'s `<i>`), whatever its name: handed over besides its kind by name.
    ClosedEarly,
    /// Every element, whatever its name.
    Any,
}

impl Kind {
    const COUNT: usize = 18;

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

/// What a rule asks of the walk. An element of a kind asked for or carrying an attribute asked
/// for is handed to the rule once.
#[derive(Debug, Clone, Copy, Default)]
pub struct Visits {
    pub elements: &'static [Kind],
    /// The elements carrying any of these attributes (lower-case names), whatever their kind.
    pub attributes: &'static [&'static str],
    pub texts: bool,
    pub comments: bool,
    /// Whether the rule reads `At::hidden`: the walk works it out only when a rule does.
    pub hidden: bool,
}

impl Visits {
    pub const NOTHING: Visits = Visits {
        elements: &[],
        attributes: &[],
        texts: false,
        comments: false,
        hidden: false,
    };

    /// The elements of these kinds.
    pub const fn elements(kinds: &'static [Kind]) -> Visits {
        Visits {
            elements: kinds,
            ..Visits::NOTHING
        }
    }

    /// The elements carrying any of these attributes.
    pub const fn attributes(names: &'static [&'static str]) -> Visits {
        Visits {
            attributes: names,
            ..Visits::NOTHING
        }
    }

    /// The same, and `At::hidden` kept for the rule.
    pub const fn reading_hidden(self) -> Visits {
        Visits {
            hidden: true,
            ..self
        }
    }

    fn is_nothing(&self) -> bool {
        self.elements.is_empty() && self.attributes.is_empty() && !self.texts && !self.comments
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
    /// How far the elements around hide the node (as `HtmlIndex::hidden` tells of its
    /// parent); `Hidden::No` unless a rule of the walk asked for it (`Visits::hidden`).
    pub hidden: Hidden,
}

impl Open {
    /// What is open inside `element`, given what is open around it and how far the element
    /// and those around it hide what it holds.
    fn within(mut self, id: ElementId, element: &Element, hidden: Hidden) -> Open {
        self.hidden = hidden;
        let name = &*element.name;
        match name {
            "p" => self.paragraph = Some(id),
            "a" => self.link = Some(id),
            "ul" | "ol" => self.list = Some(id),
            _ if element.traits.any(Traits::HEADING) => self.heading = Some(id),
            _ => {}
        }
        if element.traits.any(Traits::LITERAL) {
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
    /// How far readers are kept from the node: an element by its own attributes or those
    /// around it (`HtmlIndex::hidden`'s answer), a text run or a comment by those around it.
    /// `Hidden::No` unless a rule of the walk asked for it (`Visits::hidden`).
    pub hidden: Hidden,
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
    /// The kind of each element name of HTML (`Kind::of`), by `Tag::index`: one load per
    /// element where matching its name jumped on the name's length (a branch that misses).
    kinds: Vec<Option<Kind>>,
    /// Every attribute name some rule asked for, each a bit of the masks below.
    attribute_names: Vec<&'static str>,
    /// The rules that asked for attributes, each with its attributes' bits: an element it is
    /// handed by kind (`asked`) is not handed again.
    by_attribute: Vec<(usize, u64)>,
    /// The kinds each rule asked for (one bit a kind), by position in the registry: an
    /// element a rule had by its kind is not handed to it again for an attribute it carries
    /// or for being closed early.
    asked: Vec<u32>,
    texts: Vec<usize>,
    comments: Vec<usize>,
    hidden: Vec<usize>,
    walks: Vec<bool>,
}

impl Dispatch {
    pub fn new(visits: impl IntoIterator<Item = Visits>) -> Dispatch {
        let mut dispatch = Dispatch {
            by_kind: Default::default(),
            kinds: Tag::all().map(|tag| Kind::of(tag.name())).collect(),
            attribute_names: Vec::new(),
            by_attribute: Vec::new(),
            asked: Vec::new(),
            texts: Vec::new(),
            comments: Vec::new(),
            hidden: Vec::new(),
            walks: Vec::new(),
        };
        for (rule, visits) in visits.into_iter().enumerate() {
            dispatch.walks.push(!visits.is_nothing());
            // `Any` is every element: a rule asking for it and for other kinds too is
            // handed each element once, as one of `Any`.
            let elements = if visits.elements.contains(&Kind::Any) {
                &[Kind::Any][..]
            } else {
                visits.elements
            };
            let mut kinds = 0u32;
            for &kind in elements {
                dispatch.by_kind[kind as usize].push(rule);
                kinds |= 1 << kind as u32;
            }
            dispatch.asked.push(kinds);
            if !visits.attributes.is_empty() {
                let attributes = (visits.attributes.iter())
                    .fold(0, |mask, name| mask | dispatch.attribute_bit(name));
                dispatch.by_attribute.push((rule, attributes));
            }
            if visits.texts {
                dispatch.texts.push(rule);
            }
            if visits.comments {
                dispatch.comments.push(rule);
            }
            if visits.hidden {
                dispatch.hidden.push(rule);
            }
        }
        dispatch
    }

    /// The bit of an attribute name, given one the first time it is asked for. The rules ask
    /// for a handful of names; past 64 the walk could not tell them apart.
    fn attribute_bit(&mut self, name: &'static str) -> u64 {
        let at = match self.attribute_names.iter().position(|n| *n == name) {
            Some(at) => at,
            None => {
                self.attribute_names.push(name);
                self.attribute_names.len() - 1
            }
        };
        assert!(at < 64, "the rules ask for at most 64 attribute names");
        1 << at
    }

    /// The bits of the attributes asked for that an element carries.
    fn attributes_on(&self, index: &HtmlIndex, element: &Element) -> u64 {
        let names = &self.attribute_names;
        (index.attributes_of(element).iter())
            .filter_map(|a| names.iter().position(|n| *n == &*a.name))
            .fold(0, |mask, at| mask | 1 << at)
    }

    /// The kind of an element by its name: every name of a kind but `Unknown` is an element
    /// name of HTML.
    fn kind(&self, element: &Element) -> Option<Kind> {
        match element.tag {
            Some(tag) => self.kinds.get(tag.index()).copied().flatten(),
            None => Some(Kind::Unknown),
        }
    }

    /// Whether the rule at this position of the registry visits anything.
    pub fn walks(&self, rule: usize) -> bool {
        self.walks.get(rule).copied().unwrap_or(false)
    }
}

/// The visitors of one post's rules that read one view, by position in the registry.
pub struct Visitors<'v> {
    /// A slot for each rule of the registry, made when the first visitor comes: most posts
    /// have no second view, whose visitors are then never made.
    slots: Vec<Option<Box<dyn Visitor<'v> + 'v>>>,
    rules: usize,
    any: bool,
}

impl<'v> Visitors<'v> {
    pub fn new(rules: usize) -> Self {
        Self {
            slots: Vec::new(),
            rules,
            any: false,
        }
    }

    pub fn add(&mut self, rule: usize, visitor: Box<dyn Visitor<'v> + 'v>) {
        if self.slots.is_empty() {
            self.slots.resize_with(self.rules, || None);
        }
        if let Some(slot) = self.slots.get_mut(rule) {
            *slot = Some(visitor);
            self.any = true;
        }
    }

    /// Walks every field of the post once, then finishes each visitor in registry order. Each
    /// rule's hooks are `laps` of its own, the walk between them laps of `Shared::Walk`.
    pub fn walk(
        mut self,
        dispatch: &Dispatch,
        post: &'v PostContext<'v, 'v>,
        laps: &mut Laps<'_>,
    ) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        if !self.any {
            return out;
        }
        let wants = |rules: &[usize]| rules.iter().any(|&r| self.slots[r].is_some());
        let texts = wants(&dispatch.texts);
        let comments = wants(&dispatch.comments);
        let hidden = wants(&dispatch.hidden);
        let attributes = (dispatch.by_attribute.iter()).any(|(r, ..)| self.slots[*r].is_some());
        for (field_at, field) in post.html.iter().enumerate() {
            let mut walk = FieldWalk {
                dispatch,
                visitors: &mut self.slots,
                at: At {
                    post,
                    field,
                    field_at,
                    open: Open::default(),
                    hidden: Hidden::No,
                },
                stack: OpenStack::new(hidden),
                attributes,
                laps: &mut *laps,
            };
            walk.run(texts, comments);
        }
        for (rule, visitor) in self.slots.into_iter().enumerate() {
            if let Some(visitor) = visitor {
                laps.lap(Slot::Shared(Shared::Walk));
                visitor.finish(&mut out);
                laps.lap(Slot::Rule(rule));
            }
        }
        laps.lap(Slot::Shared(Shared::Walk));
        out
    }
}

/// The walk of one field: its nodes merged in document order, handed to the visitors that
/// asked for them.
struct FieldWalk<'w, 'v, 'c> {
    dispatch: &'w Dispatch,
    visitors: &'w mut [Option<Box<dyn Visitor<'v> + 'v>>],
    at: At<'v>,
    stack: OpenStack,
    /// Whether a rule of this walk asked for elements by attribute.
    attributes: bool,
    laps: &'w mut Laps<'c>,
}

impl<'v> FieldWalk<'_, 'v, '_> {
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
        let index = self.at.index();
        self.at.open = self.stack.around(index, element.parent);
        self.at.hidden = self.stack.hidden_of(index, element, self.at.open);
        let dispatch = self.dispatch;
        let kind = dispatch.kind(element);
        if let Some(kind) = kind {
            self.visit(&dispatch.by_kind[kind as usize], |v, at| {
                v.element(at, id, element)
            });
        }
        let early = is_closed_early(element);
        if early {
            self.visit_closed_early(kind, id, element);
        }
        self.visit(&dispatch.by_kind[Kind::Any as usize], |v, at| {
            v.element(at, id, element)
        });
        if self.attributes {
            let mut kinds = kind.map_or(0, |k| 1 << k as u32) | 1 << Kind::Any as u32;
            if early {
                kinds |= 1 << Kind::ClosedEarly as u32;
            }
            self.visit_by_attribute(kinds, id, element);
        }
        self.stack.push(id, element, self.at.open, self.at.hidden);
    }

    /// Hands an element closed early to the rules that asked for such elements, but not for
    /// its `kind` by name (those had it already).
    fn visit_closed_early(&mut self, kind: Option<Kind>, id: ElementId, element: &'v Element) {
        let dispatch = self.dispatch;
        let by_name = kind.map_or(0, |k| 1 << k as u32);
        for &rule in &dispatch.by_kind[Kind::ClosedEarly as usize] {
            let asked = dispatch.asked.get(rule).copied().unwrap_or(0);
            if asked & by_name != 0 {
                continue;
            }
            self.visit(&[rule], |v, at| v.element(at, id, element));
        }
    }

    /// Hands the element to the rules that asked for an attribute it carries, but for none of
    /// its `kinds` (one bit a kind: those had it already).
    fn visit_by_attribute(&mut self, kinds: u32, id: ElementId, element: &'v Element) {
        let dispatch = self.dispatch;
        let carried = dispatch.attributes_on(self.at.index(), element);
        if carried == 0 {
            return;
        }
        for &(rule, attributes) in &dispatch.by_attribute {
            let by_kind = dispatch.asked.get(rule).copied().unwrap_or(0);
            if attributes & carried == 0 || by_kind & kinds != 0 {
                continue;
            }
            if let Some(Some(visitor)) = self.visitors.get_mut(rule) {
                self.laps.lap(Slot::Shared(Shared::Walk));
                visitor.element(&self.at, id, element);
                self.laps.lap(Slot::Rule(rule));
            }
        }
    }

    fn text(&mut self, run: &'v Text) {
        self.at.open = self.stack.around(self.at.index(), run.parent);
        self.at.hidden = self.at.open.hidden;
        let dispatch = self.dispatch;
        self.visit(&dispatch.texts, |v, at| v.text(at, run));
    }

    /// Comments carry no parent in the index: they are visited with nothing open around.
    fn comment(&mut self, comment: &'v Comment) {
        self.at.open = Open::default();
        self.at.hidden = Hidden::No;
        let dispatch = self.dispatch;
        self.visit(&dispatch.comments, |v, at| v.comment(at, comment));
    }

    fn visit(&mut self, rules: &[usize], mut call: impl FnMut(&mut dyn Visitor<'v>, &At<'v>)) {
        for &rule in rules {
            if let Some(Some(visitor)) = self.visitors.get_mut(rule) {
                self.laps.lap(Slot::Shared(Shared::Walk));
                call(visitor.as_mut(), &self.at);
                self.laps.lap(Slot::Rule(rule));
            }
        }
    }
}

/// Whether an element was closed by another element's tag while its own end tag came later
/// (`Kind::ClosedEarly`).
fn is_closed_early(element: &Element) -> bool {
    matches!(element.closed, Closed::Implied { .. }) && element.end_tag.is_some()
}

/// The elements open around the node being walked, innermost last, each with what is open
/// inside it: one step per element, where asking each node's ancestors would walk up for each.
#[derive(Default)]
struct OpenStack {
    open: Vec<(ElementId, Open)>,
    /// Whether to work out how far each element is hidden (`Open::hidden`).
    hidden: bool,
}

impl OpenStack {
    fn new(hidden: bool) -> Self {
        Self {
            open: Vec::new(),
            hidden,
        }
    }

    /// What is open around a child of `parent`, closing the elements above it. Elements come
    /// in the order of their start tags, each after its parent, so the parent is on the
    /// stack; should it not be, the stack is built again from the parents.
    fn around(&mut self, index: &HtmlIndex, parent: Option<ElementId>) -> Open {
        let Some(parent) = parent else {
            self.open.clear();
            return Open::default();
        };
        while self.open.last().is_some_and(|(id, _)| *id != parent) {
            self.open.pop();
        }
        if self.open.is_empty() {
            self.rebuild(index, parent);
        }
        self.open.last().map(|(_, open)| *open).unwrap_or_default()
    }

    /// How far an element is hidden, by itself or by what is open around it (`Hidden::No`
    /// when no rule asked).
    fn hidden_of(&self, index: &HtmlIndex, element: &Element, around: Open) -> Hidden {
        if !self.hidden {
            return Hidden::No;
        }
        around.hidden.max(index.hidden_by_itself(element))
    }

    fn push(&mut self, id: ElementId, element: &Element, around: Open, hidden: Hidden) {
        self.open.push((id, around.within(id, element, hidden)));
    }

    fn rebuild(&mut self, index: &HtmlIndex, parent: ElementId) {
        let elements = &index.elements;
        let mut chain = Vec::new();
        let mut next = Some(parent);
        while let Some(id) = next {
            chain.push(id);
            next = elements.get(id).and_then(|e| e.parent);
        }
        let mut open = Open::default();
        for id in chain.into_iter().rev() {
            if let Some(element) = elements.get(id) {
                let hidden = self.hidden_of(index, element, open);
                open = open.within(id, element, hidden);
                self.open.push((id, open));
            }
        }
    }
}

#[cfg(test)]
mod tests;
