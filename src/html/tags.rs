//! What the HTML standard says about element names, as far as the index needs it to decide
//! which element an end tag closes (WHATWG HTML §13.2.6, "tree construction").

/// Elements that never have content or an end tag.
pub fn is_void(name: &str) -> bool {
    matches!(
        name,
        "area"
            | "base"
            | "br"
            | "col"
            | "embed"
            | "hr"
            | "img"
            | "input"
            | "link"
            | "meta"
            | "param"
            | "source"
            | "track"
            | "wbr"
            | "keygen"
    )
}

/// Formatting elements: their end tags go through the adoption agency algorithm, which finds
/// them even past other open elements.
pub fn is_formatting(name: &str) -> bool {
    matches!(
        name,
        "a" | "b"
            | "big"
            | "code"
            | "em"
            | "font"
            | "i"
            | "nobr"
            | "s"
            | "small"
            | "strike"
            | "strong"
            | "tt"
            | "u"
    )
}

/// Elements whose text is code, a script or a style, shown as written or not at all.
pub fn is_literal(name: &str) -> bool {
    matches!(
        name,
        "pre" | "code" | "kbd" | "samp" | "script" | "style" | "textarea" | "template" | "xmp"
    )
}

pub fn is_heading(name: &str) -> bool {
    matches!(name, "h1" | "h2" | "h3" | "h4" | "h5" | "h6")
}

/// Start tags that close an open `<p>` first (the "close a p element" steps).
pub fn closes_paragraph(name: &str) -> bool {
    is_heading(name)
        || matches!(
            name,
            "address"
                | "article"
                | "aside"
                | "blockquote"
                | "center"
                | "details"
                | "dialog"
                | "dir"
                | "div"
                | "dl"
                | "dd"
                | "dt"
                | "fieldset"
                | "figcaption"
                | "figure"
                | "footer"
                | "form"
                | "header"
                | "hgroup"
                | "hr"
                | "li"
                | "listing"
                | "main"
                | "menu"
                | "nav"
                | "ol"
                | "p"
                | "plaintext"
                | "pre"
                | "search"
                | "section"
                | "summary"
                | "table"
                | "ul"
                | "xmp"
        )
}

/// The "special" category: an end tag for an ordinary element does not look past these.
pub fn is_special(name: &str) -> bool {
    closes_paragraph(name)
        || matches!(
            name,
            "applet"
                | "area"
                | "base"
                | "basefont"
                | "bgsound"
                | "body"
                | "br"
                | "button"
                | "caption"
                | "col"
                | "colgroup"
                | "embed"
                | "frame"
                | "frameset"
                | "head"
                | "html"
                | "iframe"
                | "img"
                | "input"
                | "keygen"
                | "link"
                | "marquee"
                | "meta"
                | "noembed"
                | "noframes"
                | "noscript"
                | "object"
                | "param"
                | "script"
                | "select"
                | "source"
                | "style"
                | "tbody"
                | "td"
                | "template"
                | "textarea"
                | "tfoot"
                | "th"
                | "thead"
                | "title"
                | "tr"
                | "track"
                | "wbr"
        )
}

/// Which boundary elements stop a search for an open element ("has an element in scope").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Default,
    ListItem,
    Button,
    Table,
}

impl Scope {
    pub fn is_boundary(self, name: &str) -> bool {
        let default = matches!(
            name,
            "applet"
                | "caption"
                | "html"
                | "table"
                | "td"
                | "th"
                | "marquee"
                | "object"
                | "template"
                | "svg"
                | "math"
        );
        match self {
            Scope::Default => default,
            Scope::ListItem => default || matches!(name, "ol" | "ul"),
            Scope::Button => default || name == "button",
            Scope::Table => matches!(name, "html" | "table" | "template"),
        }
    }
}

/// The scope in which an end tag looks for its element.
pub fn end_tag_scope(name: &str) -> Scope {
    match name {
        "p" => Scope::Button,
        "li" => Scope::ListItem,
        "table" | "tr" | "td" | "th" | "tbody" | "thead" | "tfoot" | "caption" => Scope::Table,
        _ => Scope::Default,
    }
}

/// Elements whose content a reader sees as a block of its own: a stray end tag of one of these
/// changes nothing on the page.
pub fn is_block(name: &str) -> bool {
    closes_paragraph(name)
        || matches!(
            name,
            "body"
                | "html"
                | "tbody"
                | "thead"
                | "tfoot"
                | "tr"
                | "td"
                | "th"
                | "caption"
                | "colgroup"
                | "figure"
                | "picture"
                | "video"
                | "audio"
                | "iframe"
        )
}

/// The names of elements and attributes common in posts, as static text (see `Name`).
pub fn common_name(name: &[u8]) -> Option<&'static str> {
    Some(match name {
        b"a" => "a",
        b"p" => "p",
        b"br" => "br",
        b"span" => "span",
        b"div" => "div",
        b"em" => "em",
        b"strong" => "strong",
        b"b" => "b",
        b"i" => "i",
        b"u" => "u",
        b"img" => "img",
        b"li" => "li",
        b"ul" => "ul",
        b"ol" => "ol",
        b"h1" => "h1",
        b"h2" => "h2",
        b"h3" => "h3",
        b"h4" => "h4",
        b"h5" => "h5",
        b"h6" => "h6",
        b"figure" => "figure",
        b"figcaption" => "figcaption",
        b"blockquote" => "blockquote",
        b"iframe" => "iframe",
        b"table" => "table",
        b"tr" => "tr",
        b"td" => "td",
        b"th" => "th",
        b"tbody" => "tbody",
        b"hr" => "hr",
        b"sup" => "sup",
        b"code" => "code",
        b"pre" => "pre",
        b"href" => "href",
        b"src" => "src",
        b"alt" => "alt",
        b"class" => "class",
        b"id" => "id",
        b"style" => "style",
        b"title" => "title",
        b"rel" => "rel",
        b"target" => "target",
        b"width" => "width",
        b"height" => "height",
        b"srcset" => "srcset",
        b"sizes" => "sizes",
        b"loading" => "loading",
        b"decoding" => "decoding",
        b"name" => "name",
        b"aria-hidden" => "aria-hidden",
        b"aria-label" => "aria-label",
        b"data-id" => "data-id",
        _ => return None,
    })
}

/// Every element name of HTML, including the obsolete ones browsers still know (WHATWG HTML,
/// "Elements" index and §16 "Obsolete features").
pub fn is_html_element(name: &str) -> bool {
    Tag::of(name.as_bytes()).is_some()
}

/// The element names of HTML (`is_html_element`). Every name the functions above list is one
/// of them (a test reads this file), so a name outside has no trait of theirs.
const ELEMENTS: [&str; 144] = [
    "a",
    "abbr",
    "acronym",
    "address",
    "applet",
    "area",
    "article",
    "aside",
    "audio",
    "b",
    "base",
    "basefont",
    "bdi",
    "bdo",
    "bgsound",
    "big",
    "blink",
    "blockquote",
    "body",
    "br",
    "button",
    "canvas",
    "caption",
    "center",
    "cite",
    "code",
    "col",
    "colgroup",
    "data",
    "datalist",
    "dd",
    "del",
    "details",
    "dfn",
    "dialog",
    "dir",
    "div",
    "dl",
    "dt",
    "em",
    "embed",
    "fieldset",
    "figcaption",
    "figure",
    "font",
    "footer",
    "form",
    "frame",
    "frameset",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "head",
    "header",
    "hgroup",
    "hr",
    "html",
    "i",
    "iframe",
    "image",
    "img",
    "input",
    "ins",
    "isindex",
    "kbd",
    "keygen",
    "label",
    "legend",
    "li",
    "link",
    "listing",
    "main",
    "map",
    "mark",
    "marquee",
    "math",
    "menu",
    "menuitem",
    "meta",
    "meter",
    "multicol",
    "nav",
    "nextid",
    "nobr",
    "noembed",
    "noframes",
    "noscript",
    "object",
    "ol",
    "optgroup",
    "option",
    "output",
    "p",
    "param",
    "picture",
    "plaintext",
    "pre",
    "progress",
    "q",
    "rb",
    "rp",
    "rt",
    "rtc",
    "ruby",
    "s",
    "samp",
    "script",
    "search",
    "section",
    "select",
    "slot",
    "small",
    "source",
    "spacer",
    "span",
    "strike",
    "strong",
    "style",
    "sub",
    "summary",
    "sup",
    "svg",
    "table",
    "tbody",
    "td",
    "template",
    "textarea",
    "tfoot",
    "th",
    "thead",
    "time",
    "title",
    "tr",
    "track",
    "tt",
    "u",
    "ul",
    "var",
    "video",
    "wbr",
    "xmp",
];

/// An element name of HTML, one of [`ELEMENTS`]: found once per tag, so that the tree
/// builder, the structure rules and the walk test its [`Traits`] rather than match the name
/// again at each question (each string `match` jumps on the name's length, a branch that
/// misses as the names vary from tag to tag).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tag(u8);

/// What the functions above say of one element name, as bits (`Traits::of`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Traits(u32);

impl Traits {
    pub const NONE: Traits = Traits(0);
    pub const VOID: Traits = Traits(1);
    pub const FORMATTING: Traits = Traits(1 << 1);
    pub const LITERAL: Traits = Traits(1 << 2);
    pub const HEADING: Traits = Traits(1 << 3);
    pub const CLOSES_PARAGRAPH: Traits = Traits(1 << 4);
    pub const SPECIAL: Traits = Traits(1 << 5);
    pub const BLOCK: Traits = Traits(1 << 6);
    pub const MEDIA: Traits = Traits(1 << 7);
    /// A boundary of each scope (`Scope::is_boundary`), in `SCOPES`' order.
    const BOUNDARY: [Traits; 4] = [
        Traits(1 << 8),
        Traits(1 << 9),
        Traits(1 << 10),
        Traits(1 << 11),
    ];
    /// The scope its end tag looks in (`end_tag_scope`), unless `Scope::Default`.
    const ENDS_IN: [Traits; 3] = [Traits(1 << 12), Traits(1 << 13), Traits(1 << 14)];

    /// The traits of a name, from the functions above: what the table of `Tag` holds.
    fn of(name: &str) -> Traits {
        let bits = [
            (is_void(name), Traits::VOID),
            (is_formatting(name), Traits::FORMATTING),
            (is_literal(name), Traits::LITERAL),
            (is_heading(name), Traits::HEADING),
            (closes_paragraph(name), Traits::CLOSES_PARAGRAPH),
            (is_special(name), Traits::SPECIAL),
            (is_block(name), Traits::BLOCK),
            (super::is_media(name), Traits::MEDIA),
        ];
        let boundaries = SCOPES.map(|scope| (scope.is_boundary(name), Traits::boundary(scope)));
        let ends_in =
            END_SCOPES.map(|scope| (end_tag_scope(name) == scope, Traits::ends_in(scope)));
        (bits.into_iter().chain(boundaries).chain(ends_in))
            .filter(|(has, _)| *has)
            .fold(Traits::NONE, |all, (_, bit)| Traits(all.0 | bit.0))
    }

    /// Whether it has any of `bits`.
    pub const fn any(self, bits: Traits) -> bool {
        self.0 & bits.0 != 0
    }

    pub const fn union(self, other: Traits) -> Traits {
        Traits(self.0 | other.0)
    }

    /// The bit of a boundary of `scope`.
    pub const fn boundary(scope: Scope) -> Traits {
        Traits::BOUNDARY[match scope {
            Scope::Default => 0,
            Scope::ListItem => 1,
            Scope::Button => 2,
            Scope::Table => 3,
        }]
    }

    fn ends_in(scope: Scope) -> Traits {
        match END_SCOPES.iter().position(|s| *s == scope) {
            Some(at) => Traits::ENDS_IN[at],
            None => Traits::NONE,
        }
    }

    /// The scope in which its end tag looks for its element (`end_tag_scope`).
    pub fn end_tag_scope(self) -> Scope {
        (END_SCOPES.iter().zip(Traits::ENDS_IN))
            .find_map(|(scope, bit)| self.any(bit).then_some(*scope))
            .unwrap_or(Scope::Default)
    }
}

const SCOPES: [Scope; 4] = [Scope::Default, Scope::ListItem, Scope::Button, Scope::Table];
const END_SCOPES: [Scope; 3] = [Scope::Button, Scope::ListItem, Scope::Table];

/// Each element name's `Tag` and each tag's traits, built once.
struct Table {
    /// An open-addressed table of the tags by name (`slot_of`, then the next slots up to an
    /// empty one): hashed on a name's first and last bytes and its length, a few instructions
    /// where a general hash of the whole name (a `HashMap`) cost about a hundred per tag.
    /// The names are fixed, so no post's names can make it slower than its longest run.
    slots: [Option<Tag>; SLOTS],
    traits: [Traits; ELEMENTS.len()],
}

/// A power of two over three times the names: most lookups read one slot (1.14 on average).
const SLOTS: usize = 512;

fn slot_of(name: &[u8]) -> usize {
    let (Some(&first), Some(&last)) = (name.first(), name.last()) else {
        return 0;
    };
    let key = u32::from(first) << 16 | u32::from(last) << 8 | (name.len() & 0xff) as u32;
    // Fibonacci hashing: the top 9 bits of the key times 2^32 over the golden ratio.
    (key.wrapping_mul(0x9E37_79B1) >> (32 - SLOTS.trailing_zeros())) as usize
}

static TABLE: std::sync::LazyLock<Table> = std::sync::LazyLock::new(|| {
    let mut slots = [None; SLOTS];
    for (name, at) in ELEMENTS.iter().zip(0..) {
        let mut slot = slot_of(name.as_bytes());
        while slots[slot].is_some() {
            slot = (slot + 1) % SLOTS;
        }
        slots[slot] = Some(Tag(at));
    }
    Table {
        slots,
        traits: ELEMENTS.map(Traits::of),
    }
});

impl Tag {
    /// The element a lower-case tag name names; `None` for a name HTML does not have.
    pub fn of(name: &[u8]) -> Option<Tag> {
        let slots = &TABLE.slots;
        let mut slot = slot_of(name);
        // Ends at an empty slot: the table holds fewer names than slots.
        loop {
            let tag = slots[slot]?;
            if tag.name().as_bytes() == name {
                return Some(tag);
            }
            slot = (slot + 1) % SLOTS;
        }
    }

    pub fn name(self) -> &'static str {
        ELEMENTS[usize::from(self.0)]
    }

    pub fn traits(self) -> Traits {
        TABLE.traits[usize::from(self.0)]
    }

    /// Its place among the names of HTML, below `Tag::COUNT`: for tables by element.
    pub fn index(self) -> usize {
        usize::from(self.0)
    }

    pub const COUNT: usize = ELEMENTS.len();

    /// Every element name of HTML.
    pub fn all() -> impl Iterator<Item = Tag> {
        (0..ELEMENTS.len()).filter_map(|at| u8::try_from(at).ok().map(Tag))
    }
}

/// The traits of a tag, none for a name HTML does not have.
pub fn traits_of(tag: Option<Tag>) -> Traits {
    tag.map_or(Traits::NONE, Tag::traits)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Names around the table's: other tags, custom elements, SVG's, cases and near misses.
    const OTHERS: [&str; 12] = [
        "",
        "h7",
        "P",
        "Div",
        "my-card",
        "o:p",
        "foreignobject",
        "circle",
        "spanx",
        "ap",
        "tables",
        "ruby-text",
    ];

    fn names() -> impl Iterator<Item = &'static str> {
        ELEMENTS.iter().copied().chain(OTHERS)
    }

    /// The code of the functions above, and of `is_media` in `mod.rs`, without comments.
    fn functions() -> String {
        let tags = include_str!("tags.rs");
        let tags = &tags[..tags.find("pub fn is_html_element").unwrap_or(tags.len())];
        let module = include_str!("mod.rs");
        let media = module.find("pub fn is_media").unwrap_or(0);
        let media = &module[media..];
        let media = &media[..media.find("\n}\n").unwrap_or(media.len())];
        (tags.lines().chain(media.lines()))
            .filter(|line| !line.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn every_name_the_functions_list_is_in_the_table() {
        // Attribute names (`common_name`'s byte strings) aside: a name missing from
        // `ELEMENTS` would have no traits where its function says it has one.
        let code = functions();
        let listed: Vec<&str> = (code.lines())
            .filter(|line| !line.contains("=> \""))
            .flat_map(|line| line.split('"').skip(1).step_by(2))
            .collect();
        for name in &listed {
            assert!(ELEMENTS.contains(name), "`{name}` is not in ELEMENTS");
        }
        assert!(listed.len() > 150, "the names were read ({})", listed.len());
    }

    #[test]
    fn a_tags_traits_are_what_the_functions_say_of_its_name() {
        for name in names() {
            let traits = traits_of(Tag::of(name.as_bytes()));
            let says = [
                (Traits::VOID, is_void(name)),
                (Traits::FORMATTING, is_formatting(name)),
                (Traits::LITERAL, is_literal(name)),
                (Traits::HEADING, is_heading(name)),
                (Traits::CLOSES_PARAGRAPH, closes_paragraph(name)),
                (Traits::SPECIAL, is_special(name)),
                (Traits::BLOCK, is_block(name)),
                (Traits::MEDIA, crate::html::is_media(name)),
            ];
            for (bit, said) in says {
                assert_eq!(traits.any(bit), said, "{name}: {bit:?}");
            }
            for scope in SCOPES {
                let bit = Traits::boundary(scope);
                assert_eq!(
                    traits.any(bit),
                    scope.is_boundary(name),
                    "{name}: {scope:?}"
                );
            }
            assert_eq!(traits.end_tag_scope(), end_tag_scope(name), "{name}");
        }
    }

    #[test]
    fn a_tag_is_found_by_its_name_alone() {
        for name in ELEMENTS {
            assert_eq!(Tag::of(name.as_bytes()).map(Tag::name), Some(name));
        }
        for name in OTHERS {
            assert_eq!(Tag::of(name.as_bytes()), None, "{name}");
        }
        assert_eq!(Tag::all().count(), Tag::COUNT);
        // Every name of one to three letters and digits, and names of the length, first and
        // last letter of an element's (its slot): found exactly when they are elements.
        let alphabet = b"abcdefghijklmnopqrstuvwxyz0123456789";
        let mut near: Vec<Vec<u8>> = alphabet.iter().map(|&a| vec![a]).collect();
        for &a in alphabet {
            for &b in alphabet {
                near.push(vec![a, b]);
                near.extend(alphabet.iter().map(|&c| vec![a, b, c]));
            }
        }
        for name in ELEMENTS.iter().filter(|name| name.len() > 2) {
            let bytes = name.as_bytes();
            for &c in alphabet {
                let mut changed = bytes.to_vec();
                changed[1] = c;
                near.push(changed);
            }
        }
        for name in near {
            let element = ELEMENTS.iter().any(|e| e.as_bytes() == name);
            assert_eq!(Tag::of(&name).is_some(), element, "{name:?}");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(1024))]

        /// Any name, of any bytes and length (past 255, where the slot's length wraps), and
        /// element names cut short, lengthened or with letters in upper case: found exactly
        /// when it is an element name, as that name.
        #[test]
        fn any_name_is_found_exactly_when_it_is_an_element(
            name in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::sample::select(b"abcdehilmnoprstuvx1-:".to_vec()),
                    proptest::num::u8::ANY,
                ],
                0..300,
            ),
            known in proptest::sample::select(ELEMENTS.to_vec()),
            cut in 0..4usize,
            added in proptest::sample::select(vec!["", "", "x", "-x", ":x", "é"]),
            upper in proptest::prelude::any::<u16>(),
        ) {
            let mut near = known.as_bytes().to_vec();
            near.truncate(near.len().saturating_sub(cut));
            near.extend_from_slice(added.as_bytes());
            for (at, byte) in near.iter_mut().enumerate().take(16) {
                if upper & 1 << at != 0 && upper & 1 << 15 != 0 {
                    byte.make_ascii_uppercase();
                }
            }
            for name in [name, near] {
                let element = ELEMENTS.iter().find(|e| e.as_bytes() == name);
                proptest::prop_assert_eq!(Tag::of(&name).map(Tag::name), element.copied());
            }
        }
    }
}
