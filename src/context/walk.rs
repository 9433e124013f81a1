//! The one walk of a post's HTML fields: each field's elements, text runs and comments in
//! document order, handed to the rules that asked for them, with the elements open around each.

use crate::context::{HtmlField, PostContext};
use crate::diagnostic::Diagnostic;
use crate::html::visibility::Hidden;
use crate::html::{Comment, Element, ElementId, HtmlIndex, Text, is_heading, is_literal};
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
    /// Every attribute name some rule asked for, each a bit of the masks below.
    attribute_names: Vec<&'static str>,
    /// The rules that asked for attributes: each with its attributes' bits and the kinds it
    /// asked for (one bit a kind), so that an element it is handed by kind is not handed again.
    by_attribute: Vec<(usize, u64, u32)>,
    texts: Vec<usize>,
    comments: Vec<usize>,
    hidden: Vec<usize>,
    walks: Vec<bool>,
}

impl Dispatch {
    pub fn new(visits: impl IntoIterator<Item = Visits>) -> Dispatch {
        let mut dispatch = Dispatch {
            by_kind: Default::default(),
            attribute_names: Vec::new(),
            by_attribute: Vec::new(),
            texts: Vec::new(),
            comments: Vec::new(),
            hidden: Vec::new(),
            walks: Vec::new(),
        };
        for (rule, visits) in visits.into_iter().enumerate() {
            dispatch.walks.push(!visits.is_nothing());
            let mut kinds = 0u32;
            for &kind in visits.elements {
                dispatch.by_kind[kind as usize].push(rule);
                kinds |= 1 << kind as u32;
            }
            if !visits.attributes.is_empty() {
                let attributes = (visits.attributes.iter())
                    .fold(0, |mask, name| mask | dispatch.attribute_bit(name));
                dispatch.by_attribute.push((rule, attributes, kinds));
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
        let kind = Kind::of(&element.name);
        if let Some(kind) = kind {
            self.visit(&dispatch.by_kind[kind as usize], |v, at| {
                v.element(at, id, element)
            });
        }
        self.visit(&dispatch.by_kind[Kind::Any as usize], |v, at| {
            v.element(at, id, element)
        });
        if self.attributes {
            self.visit_by_attribute(kind, id, element);
        }
        self.stack.push(id, element, self.at.open, self.at.hidden);
    }

    /// Hands the element to the rules that asked for an attribute it carries, but not for its
    /// kind (those had it already).
    fn visit_by_attribute(&mut self, kind: Option<Kind>, id: ElementId, element: &'v Element) {
        let dispatch = self.dispatch;
        let carried = dispatch.attributes_on(self.at.index(), element);
        if carried == 0 {
            return;
        }
        let kinds = kind.map_or(0, |k| 1 << k as u32) | 1 << Kind::Any as u32;
        for &(rule, attributes, by_kind) in &dispatch.by_attribute {
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
mod tests {
    use std::cell::RefCell;
    use std::rc::Rc;
    use std::time::{Duration, Instant};

    use super::*;
    use crate::config::Config;
    use crate::html::Around;
    use crate::input::posts::PostReader;
    use crate::meta::Markup;
    use crate::post::Post;
    use crate::rule_costs::{RuleCosts, lap_cost};

    /// What is open around an element, found by walking up its parents.
    fn walked_up(index: &HtmlIndex, parent: Option<ElementId>) -> Open {
        let mut chain = Vec::new();
        let mut next = parent;
        while let Some(id) = next {
            chain.push(id);
            next = index.elements[id].parent;
        }
        (chain.into_iter().rev()).fold(Open::default(), |open, id| {
            open.within(id, &index.elements[id], Hidden::No)
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
                let open = stack.around(&index, run.parent);
                assert_eq!(
                    open,
                    walked_up(&index, run.parent),
                    "text at {:?}",
                    run.span
                );
            }
            let open = stack.around(&index, element.parent);
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
            stack.push(id, element, open, Hidden::No);
        }
        assert!(seen_open > 10, "the markup nests");
    }

    #[test]
    fn a_parent_off_the_stack_is_found_again() {
        let index = HtmlIndex::parse("<p><a href=x><span>a</span></a></p>");
        let mut stack = OpenStack::default();
        // The stack is empty, as if the walk had lost its place: the span's parent, the link,
        // is found from the parents.
        let open = stack.around(&index, Some(1));
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

    /// What a test visitor saw: each element with how far the walk found it hidden, each text
    /// run (by its start) likewise.
    #[derive(Default)]
    struct Seen {
        elements: Vec<(ElementId, Hidden)>,
        texts: Vec<(usize, Hidden)>,
    }

    /// What a test's rule does with each node: records it, spins on the clock for a time, or
    /// nothing.
    enum TestRule {
        Record(Rc<RefCell<Seen>>),
        Spin(Duration),
        Idle,
    }

    impl<'v> Visitor<'v> for TestRule {
        fn element(&mut self, at: &At<'v>, id: ElementId, _element: &'v Element) {
            match self {
                TestRule::Record(seen) => seen.borrow_mut().elements.push((id, at.hidden)),
                TestRule::Spin(time) => {
                    let start = Instant::now();
                    while start.elapsed() < *time {
                        std::hint::spin_loop();
                    }
                }
                TestRule::Idle => {}
            }
        }
        fn text(&mut self, at: &At<'v>, run: &'v Text) {
            if let TestRule::Record(seen) = self {
                seen.borrow_mut().texts.push((run.span.start, at.hidden));
            }
        }
        fn finish(self: Box<Self>, _out: &mut Vec<Diagnostic>) {}
    }

    /// Walks a post whose content is `html` with the rules `make` gives, one per `Visits`,
    /// its laps counted into `costs` when given: the walk's time.
    fn walk_with(
        html: &str,
        visits: &[Visits],
        make: impl Fn(usize) -> TestRule,
        costs: Option<&RuleCosts>,
    ) -> Duration {
        let json = serde_json::json!({"id": 1, "content": {"rendered": html}}).to_string();
        let mut reader = PostReader::new(json.as_bytes(), 64);
        let entry = reader.next().expect("the test's JSON holds a post");
        let post = Post::classify(entry.index, entry.node, entry.recovered).expect("a post");
        let settings = Config::builtin(&[]).effective(None, None);
        let now = chrono::NaiveDateTime::default();
        let context = PostContext::new(
            &post,
            (0, json.as_bytes()),
            (settings, Markup::Written),
            now,
        );
        let dispatch = Dispatch::new(visits.iter().copied());
        let mut visitors = Visitors::new(visits.len());
        for rule in 0..visits.len() {
            visitors.add(rule, Box::new(make(rule)));
        }
        let start = Instant::now();
        visitors.walk(&dispatch, &context, &mut Laps::of(costs));
        start.elapsed()
    }

    /// Walks a post whose content is `html` with one visitor per `Visits`, and returns what
    /// each saw, with the content's index.
    fn walk(html: &str, visits: &[Visits]) -> (Vec<Seen>, HtmlIndex) {
        let seen: Vec<Rc<RefCell<Seen>>> = visits.iter().map(|_| Rc::default()).collect();
        let make = |rule: usize| TestRule::Record(Rc::clone(&seen[rule]));
        walk_with(html, visits, make, None);
        let seen = seen.into_iter().map(|s| s.take()).collect();
        (seen, HtmlIndex::parse(html))
    }

    /// One walk of 20 elements by a rule spinning 50 µs at each, one that does nothing and
    /// one spinning 100 µs: each rule's own time (ms), the walk's, the whole walk's, and
    /// whether the scheduler took the core away meanwhile.
    fn timed_walk() -> ([f64; 3], f64, f64, bool) {
        let html = "<p>x</p>".repeat(20);
        let visits = [Visits::elements(&[Kind::Any]); 3];
        let make = |rule: usize| match rule {
            0 => TestRule::Spin(Duration::from_micros(50)),
            1 => TestRule::Idle,
            _ => TestRule::Spin(Duration::from_micros(100)),
        };
        let lap = lap_cost(100_000);
        let costs = RuleCosts::new(3);
        let switches = involuntary_switches();
        let whole = walk_with(&html, &visits, make, Some(&costs)).as_secs_f64() * 1e3;
        let interrupted = involuntary_switches() != switches;
        let own = |slot| costs.own(slot, lap) / 1e6;
        let rules = [0, 1, 2].map(|rule| own(Slot::Rule(rule)));
        (rules, own(Slot::Shared(Shared::Walk)), whole, interrupted)
    }

    /// How often the scheduler took this thread off its core.
    fn involuntary_switches() -> i64 {
        // SAFETY: the kernel fills a plain C struct we own.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: as above; RUSAGE_THREAD reads the calling thread.
        let ok = unsafe { libc::getrusage(libc::RUSAGE_THREAD, &mut usage) } == 0;
        assert!(ok, "getrusage reads the calling thread on Linux");
        usage.ru_nivcsw
    }

    #[test]
    fn each_rule_is_charged_the_time_of_its_own_hooks() {
        // A spin the scheduler interrupts takes less CPU time than it was told to spin: what a
        // rule must be charged is judged on a walk the scheduler left alone (a busy machine
        // may take a few tries).
        let mut tries = Vec::new();
        for _ in 0..50 {
            let (rules, walk, whole, interrupted) = timed_walk();
            tries.push((rules, walk, whole, interrupted));
            assert!(rules.iter().sum::<f64>() + walk <= whole, "{tries:?}");
            if interrupted {
                continue;
            }
            let near = |ms: f64, spun: f64| (spun * 0.99..spun * 1.02).contains(&ms);
            assert!(near(rules[0], 1.0) && near(rules[2], 2.0), "{tries:?}");
            assert!(rules[1].abs() < 0.005, "the idle rule: {tries:?}");
            assert!(walk < 0.05, "the walk between hooks: {tries:?}");
            return;
        }
        eprintln!("every walk was interrupted: only the lower bounds were checked");
    }

    /// The walk's hidden state of every element and text run equals `HtmlIndex::hidden`'s
    /// answer (of the run's parent for a text run).
    fn assert_hidden_as_visibility_says(html: &str) -> usize {
        let all = Visits {
            texts: true,
            ..Visits::elements(&[Kind::Any]).reading_hidden()
        };
        let (seen, index) = walk(html, &[all]);
        let seen = &seen[0];
        assert_eq!(seen.elements.len(), index.elements.len());
        for &(id, hidden) in &seen.elements {
            let element = &index.elements[id];
            assert_eq!(
                hidden,
                index.hidden(element),
                "<{}> in {html}",
                element.name
            );
        }
        for (&(start, hidden), run) in seen.texts.iter().zip(&index.texts) {
            assert_eq!(start, run.span.start);
            let by_parent = run.parent.map(|p| index.hidden(&index.elements[p]));
            assert_eq!(
                hidden,
                by_parent.unwrap_or_default(),
                "text at {start} in {html}"
            );
        }
        let hidden = seen.elements.iter().filter(|(_, h)| *h != Hidden::No);
        hidden.count()
    }

    #[test]
    fn the_walk_hides_what_visibility_hides() {
        let cases = [
            // Nested: hidden from everyone beats hidden from screen readers, wherever each is.
            r#"<div hidden><p aria-hidden="true"><a>x</a></p></div><p>y<span hidden>z</span>w</p>"#,
            r#"<div aria-hidden="true"><p><a>x<b hidden>y</b></a></p></div><p aria-hidden="false">v</p>"#,
            // `display:none` and `visibility:hidden` in a style, in any case and spacing.
            r#"<div style="DISPLAY: none"><p><a>x</a></p></div><p style="color:red">s</p><i style="visibility : Hidden">t</i>"#,
            // Elementor: hidden on every device the field's markup uses, or not.
            r#"<div class="elementor-hidden-desktop elementor-hidden-tablet elementor-hidden-phone"><a>x</a></div><div class="elementor-hidden-desktop elementor-hidden-mobile"><a>y</a></div>"#,
            r#"<div class="elementor-hidden-desktop elementor-hidden-tablet elementor-hidden-mobile"><a>x</a></div><div class="elementor-hidden-laptop">y</div>"#,
            // Misnested markup, whose elements the walk finds again from their parents.
            r#"<b hidden><i>m</b>n</i><table><tr><td style="display:none"><p>cell<a href=y>z</table>"#,
        ];
        let hidden: Vec<usize> = (cases.iter())
            .map(|html| assert_hidden_as_visibility_says(html))
            .collect();
        // Without a laptop widget the first widget and its link are hidden everywhere; with
        // one, the site has laptops and shows it there.
        assert_eq!(hidden[3], 2);
        assert_eq!(hidden[4], 0);
        let others = [0, 1, 2, 5].map(|case| hidden[case]);
        assert!(others.iter().all(|&n| n > 1), "each case hides: {hidden:?}");
    }

    #[test]
    fn hidden_is_worked_out_only_for_a_rule_that_asks() {
        let (seen, _) = walk(
            r#"<div hidden><p>x</p></div>"#,
            &[Visits::elements(&[Kind::Any])],
        );
        assert!(seen[0].elements.iter().all(|(_, h)| *h == Hidden::No));
    }

    #[test]
    fn a_rule_asking_for_an_attribute_sees_exactly_the_elements_carrying_it() {
        let html = r#"<p style="a">x<a href="h" style="b">l</a><img src=i><span hidden>s</span></p><div STYLE="c"><a>n</a></div><style>p{}</style>"#;
        let by_style = Visits::attributes(&["style"]);
        let by_src_or_hidden = Visits::attributes(&["src", "hidden"]);
        // Asks for links by kind and for `style`: a styled link is handed over once.
        let links_and_style = Visits {
            attributes: &["style"],
            ..Visits::elements(&[Kind::Link])
        };
        let (seen, index) = walk(html, &[by_style, by_src_or_hidden, links_and_style]);
        let carrying = |names: &[&str]| -> Vec<ElementId> {
            (index.elements.iter().enumerate())
                .filter(|(_, e)| names.iter().any(|n| index.attribute(e, n).is_some()))
                .map(|(id, _)| id)
                .collect()
        };
        let ids = |seen: &Seen| seen.elements.iter().map(|(id, _)| *id).collect::<Vec<_>>();
        assert_eq!(ids(&seen[0]), carrying(&["style"]));
        assert_eq!(
            ids(&seen[0]).len(),
            3,
            "the `<style>` element carries no `style`"
        );
        assert_eq!(ids(&seen[1]), carrying(&["src", "hidden"]));
        assert_eq!(ids(&seen[1]).len(), 2);
        let links_or_styled: Vec<ElementId> = (index.elements.iter().enumerate())
            .filter(|(_, e)| &*e.name == "a" || index.attribute(e, "style").is_some())
            .map(|(id, _)| id)
            .collect();
        assert_eq!(ids(&seen[2]), links_or_styled);
        assert_eq!(ids(&seen[2]).len(), 4);
    }
}
