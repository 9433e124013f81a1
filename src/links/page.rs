//! What the checker reads of a page it already asks with `GET`: its title (soft 404s, domains
//! for sale) and whether it holds the fragments other pages link to. The page is tokenized as
//! it streams in, and reading stops as soon as nothing more is needed.

use std::collections::{BTreeMap, BTreeSet};

use html5gum::{DefaultEmitter, IoReader, Token, Tokenizer};
use percent_encoding::percent_decode_str;

/// Bytes read of an answer for its title only.
pub const TITLE_LIMIT: u64 = 64 * 1024;
/// Bytes read of a page searched for fragments.
pub const FRAGMENT_LIMIT: u64 = 4 * 1024 * 1024;

/// Titles of "not found" pages in the languages of the posts seen so far (lower case).
const NOT_FOUND_TITLES: &[&str] = &[
    "page not found",
    "not found",
    "404",
    "página no encontrada",
    "pagina no encontrada",
    "página não encontrada",
    "page introuvable",
    "page non trouvée",
    "seite nicht gefunden",
    "nicht gefunden",
    "pagina non trovata",
    "pagina niet gevonden",
    "strona nie została znaleziona",
    "страница не найдена",
    "ページが見つかりません",
    "ページが見つかりませんでした",
    "페이지를 찾을 수 없습니다",
    "找不到页面",
    "页面未找到",
    "找不到網頁",
    "sayfa bulunamadı",
];

/// Domain parking and domain-sale services: a link whose redirects end on one of them (or a
/// subdomain) leads to a parked or for-sale domain, not to the page it named. Kept short: the
/// services that hold most parked domains.
const PARKING_HOSTS: &[&str] = &[
    "sedoparking.com",
    "sedo.com",
    "parkingcrew.net",
    "bodis.com",
    "above.com",
    "dan.com",
    "afternic.com",
    "hugedomains.com",
    "buydomains.com",
    "undeveloped.com",
    "domainmarket.com",
    "parklogic.com",
];

/// The parking or domain-sale service `host` belongs to, if any.
pub fn parking_service(host: &str) -> Option<&'static str> {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    PARKING_HOSTS.iter().copied().find(|service| {
        host == *service
            || host
                .strip_suffix(service)
                .is_some_and(|rest| rest.ends_with('.'))
    })
}

/// A title that says the page was not found ("Page not found", "404 – Site", "Página no
/// encontrada").
pub fn says_not_found(title: &str) -> bool {
    let title = title.to_lowercase();
    NOT_FOUND_TITLES.iter().any(|phrase| {
        if phrase
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == ' ')
        {
            contains_words(&title, phrase)
        } else {
            title.contains(phrase)
        }
    })
}

/// A title that says the domain is for sale ("example.com is for sale", "Buy this domain").
pub fn says_for_sale(title: &str) -> bool {
    let title = title.to_lowercase();
    let names_domain = title.contains("domain") || title.split_whitespace().any(looks_like_domain);
    names_domain && (contains_words(&title, "for sale") || contains_words(&title, "buy this"))
}

fn looks_like_domain(word: &str) -> bool {
    let word = word.trim_matches(|c: char| !c.is_alphanumeric());
    word.contains('.') && !word.starts_with('.') && word.chars().any(char::is_alphabetic)
}

/// `phrase` in `text` as whole words, so "404" does not match "14042".
fn contains_words(text: &str, phrase: &str) -> bool {
    text.match_indices(phrase).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + phrase.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

/// A fragment that names an element: not a text fragment (`#:~:text=…`), a media fragment
/// (`#page=2`, `#t=30`), a script's route (`#!/x`), nor `#top`, which browsers scroll to
/// without any element.
pub fn names_an_id(fragment: &str) -> bool {
    !fragment.contains([':', '=', '/', '!']) && !fragment.eq_ignore_ascii_case("top")
}

/// The forms a fragment may take in the page: as written and percent-decoded, as browsers
/// try them.
pub fn fragment_forms(fragment: &str) -> Vec<String> {
    let mut forms = vec![fragment.to_owned()];
    if let Ok(decoded) = percent_decode_str(fragment).decode_utf8()
        && decoded != fragment
    {
        forms.push(decoded.into_owned());
    }
    forms
}

/// What was read of a page.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Scan {
    pub title: Option<String>,
    /// For each fragment looked for, whether the page holds it (`id`, or `name` of an `<a>`).
    pub fragments: BTreeMap<String, bool>,
}

/// Reads HTML from `input` until the title is known (when `want_title`) and every fragment is
/// found, or the input ends. `input` yields the page's bytes as they arrive.
pub fn scan(input: impl std::io::Read, want_title: bool, fragments: &BTreeSet<String>) -> Scan {
    let wanted: Vec<(String, Vec<String>)> = fragments
        .iter()
        .map(|f| (f.clone(), fragment_forms(f)))
        .collect();
    let mut found: BTreeSet<&str> = BTreeSet::new();
    let mut title: Option<String> = None;
    let mut in_title = false;
    let mut title_done = !want_title;
    let mut emitter = DefaultEmitter::default();
    emitter.naively_switch_states(true);
    let tokenizer = Tokenizer::new_with_emitter(IoReader::new(input), emitter);
    for token in tokenizer {
        let Ok(token) = token else { break };
        match token {
            Token::StartTag(tag) => {
                if &*tag.name == b"title" && title.is_none() {
                    in_title = true;
                    title = Some(String::new());
                }
                if &*tag.name == b"body" {
                    title_done = true;
                }
                for (name, value) in &tag.attributes {
                    let is_target = &**name == b"id" || (&**name == b"name" && &*tag.name == b"a");
                    if !is_target {
                        continue;
                    }
                    let value = String::from_utf8_lossy(value);
                    for (fragment, forms) in &wanted {
                        if forms.iter().any(|form| *form == value) {
                            found.insert(fragment);
                        }
                    }
                }
            }
            Token::EndTag(tag) if &*tag.name == b"title" => {
                in_title = false;
                title_done = true;
            }
            Token::String(text) if in_title => {
                if let Some(title) = title.as_mut() {
                    title.push_str(&String::from_utf8_lossy(&text));
                }
            }
            _ => {}
        }
        if title_done && found.len() == wanted.len() {
            break;
        }
    }
    Scan {
        title: title
            .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|t| !t.is_empty()),
        fragments: wanted
            .iter()
            .map(|(fragment, _)| (fragment.clone(), found.contains(fragment.as_str())))
            .collect(),
    }
}

/// Bytes that arrive through a channel, read as a blocking `Read`: the tokenizer runs on a
/// blocking thread while the answer streams in, and dropping it stops the download.
pub struct ChannelReader {
    receiver: tokio::sync::mpsc::Receiver<Vec<u8>>,
    current: Vec<u8>,
    position: usize,
}

impl ChannelReader {
    pub fn new(receiver: tokio::sync::mpsc::Receiver<Vec<u8>>) -> Self {
        Self {
            receiver,
            current: Vec::new(),
            position: 0,
        }
    }
}

impl std::io::Read for ChannelReader {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        while self.position == self.current.len() {
            match self.receiver.blocking_recv() {
                Some(chunk) => {
                    self.current = chunk;
                    self.position = 0;
                }
                None => return Ok(0),
            }
        }
        let n = buffer.len().min(self.current.len() - self.position);
        buffer[..n].copy_from_slice(&self.current[self.position..self.position + n]);
        self.position += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fragments(list: &[&str]) -> BTreeSet<String> {
        list.iter().map(|f| (*f).to_owned()).collect()
    }

    #[test]
    fn titles_that_say_not_found_in_several_languages() {
        for title in [
            "Page not found – Example",
            "404",
            "Error 404 | Site",
            "Página no encontrada - Diario",
            "Page introuvable",
            "Seite nicht gefunden",
            "ページが見つかりません | サイト",
            "페이지를 찾을 수 없습니다",
        ] {
            assert!(says_not_found(title), "{title}");
        }
        for title in [
            "Found: the lost city",
            "Room 14042",
            "Home",
            "Not Foundation",
        ] {
            assert!(!says_not_found(title), "{title}");
        }
    }

    #[test]
    fn domains_for_sale_and_parking_services() {
        assert!(says_for_sale("example.com is for sale!"));
        assert!(says_for_sale("Buy this domain"));
        assert!(says_for_sale("This domain may be for sale"));
        assert!(!says_for_sale("Houses for sale in Leeds"));
        assert_eq!(
            parking_service("ww38.sedoparking.com"),
            Some("sedoparking.com")
        );
        assert_eq!(parking_service("HugeDomains.com."), Some("hugedomains.com"));
        assert_eq!(parking_service("notsedo.com"), None);
        assert_eq!(parking_service("example.org"), None);
    }

    #[test]
    fn a_scan_finds_ids_and_anchor_names_and_the_title() {
        let html = b"<html><head><title> Hello\n world </title></head><body>\
            <h2 id=\"intro\">x</h2><a name=\"old\"></a><p name=\"p\"></p>\
            <script>document.write('<b id=\"fake\">')</script><h3 id=\"caf\xc3\xa9\">c</h3>";
        let found = scan(
            &html[..],
            true,
            &fragments(&["intro", "old", "p", "fake", "caf%C3%A9", "missing"]),
        );
        assert_eq!(found.title.as_deref(), Some("Hello world"));
        let present: Vec<&str> = found
            .fragments
            .iter()
            .filter(|(_, present)| **present)
            .map(|(f, _)| f.as_str())
            .collect();
        assert_eq!(present, ["caf%C3%A9", "intro", "old"]);
    }
}
