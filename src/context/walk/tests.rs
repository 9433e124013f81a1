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
    // `Any` covers the link: the rule is handed each element once.
    assert!(dispatch.by_kind[Kind::Link as usize].is_empty());
    assert_eq!(dispatch.by_kind[Kind::Any as usize], [1]);
}

#[test]
fn an_elements_kind_by_its_tag_is_the_kind_of_its_name() {
    // Every element name of HTML, each a field of its own (`<script>` makes the rest text),
    // and names HTML does not have.
    let names: Vec<&str> = crate::html::Tag::all().map(|tag| tag.name()).collect();
    let dispatch = Dispatch::new([Visits::NOTHING]);
    let mut kinds = 0;
    for name in names.iter().chain(&["h7", "my-card", "o:p", "spanx"]) {
        let index = HtmlIndex::parse(&format!("<{name} x>"));
        let [element] = &index.elements[..] else {
            panic!("<{name}> is one element")
        };
        // A name HTML does not have is of the kind `Unknown`, whatever `Kind::of` says.
        let by_name = match element.tag {
            Some(_) => Kind::of(&element.name),
            None => Some(Kind::Unknown),
        };
        assert_eq!(dispatch.kind(element), by_name, "{}", element.name);
        kinds += usize::from(dispatch.kind(element).is_some());
    }
    assert!(
        kinds >= Kind::COUNT - 1,
        "every kind was asked for ({kinds})"
    );
}

/// What is open inside an element by its traits is what its name says.
#[test]
fn what_an_element_opens_is_what_its_name_says() {
    let index = HtmlIndex::parse("<h3><pre><ul><a><p><textarea></textarea><ol><h7>");
    let mut open = Open::default();
    for (id, element) in index.elements.iter().enumerate() {
        open = open.within(id, element, Hidden::No);
        let name = &*element.name;
        assert_eq!(open.heading == Some(id), is_heading(name), "{name}");
        assert_eq!(
            open.literal == Some(id),
            crate::html::is_literal(name),
            "{name}"
        );
    }
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
        // Above the spin by what a busy machine adds to each hook (caches, page faults), not
        // by anything near another rule's charge: 1 and 2 ms are told apart either way.
        let near = |ms: f64, spun: f64| (spun * 0.98..spun * 1.15).contains(&ms);
        assert!(near(rules[0], 1.0) && near(rules[2], 2.0), "{tries:?}");
        assert!(rules[1].abs() < 0.005, "the idle rule: {tries:?}");
        // Under other tests' load the walk's few steps took 0.07 ms; a hook's spin charged to
        // the walk would be 1 ms or more.
        assert!(walk < 0.2, "the walk between hooks: {tries:?}");
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

/// Markup with elements of every sort the walk tells apart by more than their name: names
/// HTML does not have (hidden text, custom elements, Word's, SVG's), elements closed by
/// another's end tag before their own, by an implied end (`<p>`, `<li>`), or never.
const MIXED: &[&str] = &[
    "<p>Dear <name>,<b><i>x</b></i> and <my-card>c</my-card><o:p></o:p></p>",
    "<ul><li>a<li>b</ul><p>q<div>r</div><svg><foo/><g><path/></g></svg><u><s>t</u></s>",
    "<pre><code><T extends U></code></pre><table><tr><td><b>cell</table><em><strong>x</em>",
    "<h2>t<a href=x>u</h2><your email><span>s</ul></span><a><b>n</a></b><p>unclosed",
];

/// The elements of `html` a rule asking for `kinds` is handed, against the elements a walk
/// over every element finds that `keep` says are of them.
fn handed_and_kept(html: &str, kinds: &'static [Kind], keep: impl Fn(&Element) -> bool) {
    let (seen, index) = walk(
        html,
        &[Visits::elements(kinds), Visits::elements(&[Kind::Any])],
    );
    let handed: Vec<ElementId> = seen[0].elements.iter().map(|(id, _)| *id).collect();
    let every: Vec<ElementId> = seen[1].elements.iter().map(|(id, _)| *id).collect();
    assert_eq!(every.len(), index.elements.len(), "{html}");
    let kept: Vec<ElementId> = (every.into_iter())
        .filter(|&id| keep(&index.elements[id]))
        .collect();
    assert_eq!(handed, kept, "{kinds:?} in {html}");
}

#[test]
fn a_rule_asking_for_unknown_elements_sees_every_element_html_has_no_name_for() {
    let mut found = 0;
    for html in MIXED {
        handed_and_kept(html, &[Kind::Unknown], |e| e.tag.is_none());
        let index = HtmlIndex::parse(html);
        found += index.elements.iter().filter(|e| e.tag.is_none()).count();
    }
    assert!(found >= 6, "the markup has unknown names ({found})");
}

#[test]
fn a_rule_asking_for_elements_closed_early_sees_every_one_of_them() {
    let early = |e: &Element| matches!(e.closed, Closed::Implied { .. }) && e.end_tag.is_some();
    let mut found = 0;
    for html in MIXED {
        handed_and_kept(html, &[Kind::ClosedEarly], early);
        // Asked with a kind by name, an element of both is handed over once.
        handed_and_kept(html, &[Kind::ClosedEarly, Kind::Heading], |e| {
            early(e) || is_heading(&e.name)
        });
        found += HtmlIndex::parse(html)
            .elements
            .iter()
            .filter(|e| early(e))
            .count();
    }
    assert!(found >= 3, "the markup closes elements early ({found})");
}

/// A link closed early (`<b><a href=x>y</b></a>`'s `<a>`, reopened and then ended by its own
/// end tag) is of two kinds a rule may ask for together: it is handed over once, as an element
/// of the kind `Any` and of another is.
#[test]
fn an_element_closed_early_of_a_kind_asked_for_is_handed_over_once() {
    let early = |e: &Element| matches!(e.closed, Closed::Implied { .. }) && e.end_tag.is_some();
    let links = [
        "<p><a href=x>y</p></a>",
        "<b><a href=x>y</b></a><i><a>z</i>w</a>",
    ];
    for html in links {
        let index = HtmlIndex::parse(html);
        let closed_early = |e: &Element| early(e) && &*e.name == "a";
        assert!(index.elements.iter().any(closed_early), "{html}");
        handed_and_kept(html, &[Kind::ClosedEarly, Kind::Link], |e| {
            early(e) || &*e.name == "a"
        });
        handed_and_kept(html, &[Kind::Link, Kind::ClosedEarly], |e| {
            early(e) || &*e.name == "a"
        });
        handed_and_kept(html, &[Kind::ClosedEarly, Kind::Any], |_| true);
    }
}
