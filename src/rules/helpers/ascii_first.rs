//! A rule's pattern built in two forms, for texts that are nearly always ASCII (addresses,
//! shortcode tags): with Unicode off for ASCII text, and as written only for a text that is
//! not. On ASCII text `\w`, `\s`, `\S` and case folding with Unicode off are the Unicode ones'
//! ASCII parts (its other matches for `k` and `s`, the Kelvin sign and `ſ`, are not ASCII), so
//! the two forms agree there; the ASCII one builds in a fraction of the instructions (a
//! Unicode `\w{1,15}` alone was most of a run's pattern building).

use std::sync::OnceLock;

use regex::Regex;

pub(crate) struct AsciiFirst {
    source: &'static str,
    ascii: OnceLock<regex::bytes::Regex>,
    unicode: OnceLock<Regex>,
}

impl AsciiFirst {
    pub(crate) const fn new(source: &'static str) -> Self {
        Self {
            source,
            ascii: OnceLock::new(),
            unicode: OnceLock::new(),
        }
    }

    /// Whether the pattern matches `text`, by the form its bytes call for.
    pub(crate) fn is_match(&self, text: &str) -> bool {
        if text.is_ascii() {
            self.ascii().is_match(text.as_bytes())
        } else {
            self.unicode().is_match(text)
        }
    }

    /// The pattern with Unicode off, built at first use.
    pub(crate) fn ascii(&self) -> &regex::bytes::Regex {
        self.ascii.get_or_init(|| {
            regex::bytes::RegexBuilder::new(self.source)
                .unicode(false)
                .build()
                .expect("a rule's pattern")
        })
    }

    /// The pattern as written, built at first use.
    pub(crate) fn unicode(&self) -> &Regex {
        (self.unicode).get_or_init(|| Regex::new(self.source).expect("a rule's pattern"))
    }
}
