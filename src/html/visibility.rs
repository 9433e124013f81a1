//! Whether readers see an element: hidden by its own attributes or by an element around it
//! (`hidden`, `display:none`, `aria-hidden="true"`, Elementor's classes that hide a widget on
//! every device). The one answer every rule that asks "does a reader see this?" reads.

use super::{Attribute, Element, HtmlIndex};

/// How far an element is hidden. Ordered: hidden from everyone is hidden from screen readers
/// too.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum Hidden {
    #[default]
    No,
    /// `aria-hidden="true"`: shown on the page, left out by screen readers.
    FromScreenReaders,
    /// `hidden`, `display:none`, `visibility:hidden`, or hidden by Elementor on every device:
    /// nobody sees it or can click it.
    FromEveryone,
}

/// Elementor's devices, each a bit: `elementor-hidden-<device>` hides a widget on it.
/// `phone` is the name older Elementor gave `mobile`.
const DEVICES: [(&str, u8); 8] = [
    ("desktop", 1),
    ("tablet", 1 << 1),
    ("mobile", 1 << 2),
    ("phone", 1 << 2),
    ("laptop", 1 << 3),
    ("widescreen", 1 << 4),
    ("tablet_extra", 1 << 5),
    ("mobile_extra", 1 << 6),
];

/// The devices every Elementor site has; the others only where the site defines their
/// breakpoints.
const EVERY_SITE: u8 = 0b111;

/// The devices an element's Elementor classes hide it on.
fn elementor_hidden_on(index: &HtmlIndex, element: &Element) -> u8 {
    index
        .attribute(element, "class")
        .map_or(0, |class| devices_in(index.value(class)))
}

/// The devices a `class` value's Elementor classes hide an element on.
fn devices_in(class: &str) -> u8 {
    (class.split_ascii_whitespace())
        .filter_map(|class| class.strip_prefix("elementor-hidden-"))
        .filter_map(|device| DEVICES.iter().find(|(name, _)| *name == device))
        .fold(0, |devices, (_, bit)| devices | bit)
}

/// `display:none` or `visibility:hidden`, in any case and spacing. Matched in place, from
/// each `d` or `v`: every element's `style` comes here, and a copy without spaces, lower-cased,
/// was most of the visibility pass.
fn hides_by_style(style: &str) -> bool {
    style
        .char_indices()
        .any(|(at, c)| match c.to_ascii_lowercase() {
            'd' => spelt_at(&style[at..], "display:none"),
            'v' => spelt_at(&style[at..], "visibility:hidden"),
            _ => false,
        })
}

/// Whether `text` starts with `word` once whitespace is left out and ASCII letters lower-cased.
fn spelt_at(text: &str, word: &str) -> bool {
    let mut letters = (text.chars())
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_lowercase());
    word.chars().all(|w| letters.next() == Some(w))
}

/// How far an element's own attributes hide it, read in one pass over them (the index keeps
/// the first of duplicate attributes only). The devices the field's markup shows its site
/// uses are asked for only of an element Elementor hides somewhere: most fields have none, and
/// finding them reads every element's class.
fn hidden_by_itself(index: &HtmlIndex, element: &Element) -> Hidden {
    let by_attribute = |attribute: &Attribute| {
        let value = || index.value(attribute);
        let everywhere = |class| {
            let devices = devices_in(class);
            devices != 0 && devices == index.site_devices()
        };
        match &*attribute.name {
            "hidden" => Hidden::FromEveryone,
            "style" if hides_by_style(value()) => Hidden::FromEveryone,
            "class" if everywhere(value()) => Hidden::FromEveryone,
            "aria-hidden" if value().trim() == "true" => Hidden::FromScreenReaders,
            _ => Hidden::No,
        }
    };
    (index.attributes_of(element).iter())
        .map(by_attribute)
        .max()
        .unwrap_or_default()
}

impl HtmlIndex {
    /// How far readers are kept from an element, by its attributes or an ancestor's. The
    /// ancestors' answer is found for every element in one pass, the first time it is asked
    /// for, so that asking of each of many nested elements stays linear.
    pub fn hidden(&self, element: &Element) -> Hidden {
        let table = self.visibility.get_or_init(|| self.hidden_each());
        let by_ancestors = (element.parent)
            .and_then(|p| table.get(p).copied())
            .unwrap_or_default();
        by_ancestors.max(hidden_by_itself(self, element))
    }

    /// How far an element's own attributes hide it, whatever is around it: what a walk that
    /// keeps its ancestors' answer adds for each element.
    pub fn hidden_by_itself(&self, element: &Element) -> Hidden {
        hidden_by_itself(self, element)
    }

    /// Whether readers miss an element: nobody sees it, or screen readers leave it out.
    pub fn is_hidden(&self, element: &Element) -> bool {
        self.hidden(element) > Hidden::No
    }

    /// The Elementor devices the field's markup shows its site uses: every site's three, and
    /// any other a class of the field hides a widget on (a site with a laptop breakpoint
    /// writes `elementor-hidden-laptop`).
    fn site_devices(&self) -> u8 {
        *self.elementor_devices.get_or_init(|| {
            (self.elements.iter()).fold(EVERY_SITE, |devices, e| {
                devices | elementor_hidden_on(self, e)
            })
        })
    }

    /// For every element, how far it or an ancestor hides it: one pass, parents first.
    fn hidden_each(&self) -> Vec<Hidden> {
        let mut table: Vec<Hidden> = Vec::with_capacity(self.elements.len());
        for element in &self.elements {
            let inherited = element.parent.and_then(|p| table.get(p).copied());
            let own = hidden_by_itself(self, element);
            table.push(inherited.unwrap_or_default().max(own));
        }
        table
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// How far the first `<a>` of the HTML is hidden.
    fn link_in(html: &str) -> Hidden {
        let index = HtmlIndex::parse(html);
        let link = (index.elements.iter())
            .find(|e| &*e.name == "a")
            .expect("a link");
        index.hidden(link)
    }

    #[test]
    fn hidden_by_an_ancestor_or_by_itself() {
        assert_eq!(
            link_in(r#"<div style="DISPLAY: none"><p><a>x</a></p></div>"#),
            Hidden::FromEveryone
        );
        assert_eq!(link_in(r#"<p><a hidden>x</a></p>"#), Hidden::FromEveryone);
        assert_eq!(
            link_in(r#"<div aria-hidden="true"><a>x</a></div>"#),
            Hidden::FromScreenReaders
        );
        assert_eq!(
            link_in(r#"<div aria-hidden="false"><a>x</a></div>"#),
            Hidden::No
        );
        // Hidden from everyone beats hidden from screen readers, wherever each is.
        assert_eq!(
            link_in(r#"<div hidden><p aria-hidden="true"><a>x</a></p></div>"#),
            Hidden::FromEveryone
        );
    }

    #[test]
    fn elementor_hides_on_every_device_the_field_uses() {
        let everywhere = r#"<div class="elementor-hidden-desktop elementor-hidden-tablet elementor-hidden-phone"><a>x</a></div>"#;
        assert_eq!(link_in(everywhere), Hidden::FromEveryone);
        assert_eq!(
            link_in(
                r#"<div class="elementor-hidden-desktop elementor-hidden-mobile"><a>x</a></div>"#
            ),
            Hidden::No
        );
        // Another widget hidden on laptops: the site has that breakpoint, so the first widget
        // shows there.
        let laptop = format!(r#"{everywhere}<div class="elementor-hidden-laptop">y</div>"#);
        assert_eq!(link_in(&laptop), Hidden::No);
        // Unknown devices are no device.
        assert_eq!(
            link_in(
                r#"<div class="elementor-hidden-desktop elementor-hidden-tablet elementor-hidden-mobile elementor-hidden-watch"><a>x</a></div>"#
            ),
            Hidden::FromEveryone
        );
    }

    /// The style test as it was: a copy without whitespace, lower-cased, searched.
    fn hides_by_copy(style: &str) -> bool {
        let style: String = (style.chars())
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_lowercase();
        style.contains("display:none") || style.contains("visibility:hidden")
    }

    #[test]
    fn styles_hide_in_any_case_and_spacing() {
        for (style, hides) in [
            ("display:none", true),
            ("color: red; DISPLAY : None ;", true),
            ("d i s p l a y\u{a0}:\tnone", true),
            ("visibility: hidden", true),
            ("ddisplay:none", true),
            ("display: block; visibility:visible", false),
            ("display:non", false),
            ("display:\u{130}none", false),
            ("", false),
        ] {
            assert_eq!(hides_by_style(style), hides, "{style:?}");
            assert_eq!(hides_by_copy(style), hides, "{style:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn the_style_test_in_place_is_the_copys(
            pieces in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::strategy::Just("display"), proptest::strategy::Just("DiSpLaY"),
                    proptest::strategy::Just("d"), proptest::strategy::Just("isplay"),
                    proptest::strategy::Just(":"), proptest::strategy::Just("none"),
                    proptest::strategy::Just("NONE"), proptest::strategy::Just("visibility"),
                    proptest::strategy::Just("v"), proptest::strategy::Just("hidden"),
                    proptest::strategy::Just(" "), proptest::strategy::Just("\u{a0}"),
                    proptest::strategy::Just("\u{2003}"), proptest::strategy::Just(";"),
                    proptest::strategy::Just("\u{130}"), proptest::strategy::Just("x"),
                ],
                0..12,
            )
        ) {
            let style = pieces.concat();
            proptest::prop_assert_eq!(hides_by_style(&style), hides_by_copy(&style), "{:?}", style);
        }
    }
}
