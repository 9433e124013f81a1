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
    matches!(
        name,
        "a" | "abbr"
            | "acronym"
            | "address"
            | "applet"
            | "area"
            | "article"
            | "aside"
            | "audio"
            | "b"
            | "base"
            | "basefont"
            | "bdi"
            | "bdo"
            | "bgsound"
            | "big"
            | "blink"
            | "blockquote"
            | "body"
            | "br"
            | "button"
            | "canvas"
            | "caption"
            | "center"
            | "cite"
            | "code"
            | "col"
            | "colgroup"
            | "data"
            | "datalist"
            | "dd"
            | "del"
            | "details"
            | "dfn"
            | "dialog"
            | "dir"
            | "div"
            | "dl"
            | "dt"
            | "em"
            | "embed"
            | "fieldset"
            | "figcaption"
            | "figure"
            | "font"
            | "footer"
            | "form"
            | "frame"
            | "frameset"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "head"
            | "header"
            | "hgroup"
            | "hr"
            | "html"
            | "i"
            | "iframe"
            | "image"
            | "img"
            | "input"
            | "ins"
            | "isindex"
            | "kbd"
            | "keygen"
            | "label"
            | "legend"
            | "li"
            | "link"
            | "listing"
            | "main"
            | "map"
            | "mark"
            | "marquee"
            | "math"
            | "menu"
            | "menuitem"
            | "meta"
            | "meter"
            | "multicol"
            | "nav"
            | "nextid"
            | "nobr"
            | "noembed"
            | "noframes"
            | "noscript"
            | "object"
            | "ol"
            | "optgroup"
            | "option"
            | "output"
            | "p"
            | "param"
            | "picture"
            | "plaintext"
            | "pre"
            | "progress"
            | "q"
            | "rb"
            | "rp"
            | "rt"
            | "rtc"
            | "ruby"
            | "s"
            | "samp"
            | "script"
            | "search"
            | "section"
            | "select"
            | "slot"
            | "small"
            | "source"
            | "spacer"
            | "span"
            | "strike"
            | "strong"
            | "style"
            | "sub"
            | "summary"
            | "sup"
            | "svg"
            | "table"
            | "tbody"
            | "td"
            | "template"
            | "textarea"
            | "tfoot"
            | "th"
            | "thead"
            | "time"
            | "title"
            | "tr"
            | "track"
            | "tt"
            | "u"
            | "ul"
            | "var"
            | "video"
            | "wbr"
            | "xmp"
    )
}
