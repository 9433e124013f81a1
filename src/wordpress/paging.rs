//! Which pages of a collection to ask for, and when the reading ends. `X-WP-TotalPages` is a
//! claim, taken as an upper bound only: the pages are asked for a few at a time, in order, and
//! the first page past the end, a page that repeats an earlier one or a run of pages that
//! cannot be read ends the reading, so a site claiming a billion pages costs what it holds.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::{BuildHasher, RandomState};

use super::Page;

/// Pages in a row that could not be read, each after its retries, before the reading gives
/// up: a site answering every page past its end with an error page (a 404 of a proxy, a 503)
/// would otherwise be asked for all it claims.
const FAILED_PAGES_LIMIT: usize = 5;

pub(super) enum PageResult {
    /// The page, and the number of pages the site announced.
    Page(Page, Option<usize>),
    /// A page known to be the last: the site announced no number of pages, and it holds fewer
    /// posts than were asked for.
    Last(Page),
    /// Past the last page: a 400 `rest_post_invalid_page_number`, or `[]`.
    End,
    /// The page could not be read; its body, when there was one, is still linted.
    Failed(String, Option<Page>),
}

/// What paging one post type gave.
#[derive(Default)]
pub struct Paged {
    /// By page number: a page read again replaces what it gave, so no post counts twice.
    pub pages: BTreeMap<usize, Page>,
    pub errors: Vec<String>,
}

impl Paged {
    fn add(&mut self, result: PageResult) {
        match result {
            PageResult::Page(page, _) | PageResult::Last(page) => self.keep(page),
            PageResult::End => {}
            PageResult::Failed(reason, page) => {
                self.errors.push(reason);
                if let Some(page) = page {
                    self.keep(page);
                }
            }
        }
    }

    fn keep(&mut self, page: Page) {
        self.pages.insert(page.number, page);
    }
}

/// The pages asked for so far and what they gave.
pub(super) struct Window {
    /// Pages asked for at once.
    width: usize,
    next: usize,
    /// The last page that may hold posts: the count page 1 claims (no bound without one),
    /// lowered when the end is seen.
    last: usize,
    answered: usize,
    results: BTreeMap<usize, PageResult>,
    /// Each page's bytes by their hash, to notice a page that repeats another; the hash keys
    /// are random, so a site cannot choose pages whose hashes collide.
    hashes: HashMap<u64, usize>,
    keys: RandomState,
    /// Pages that could not be read, after the last page that gave posts.
    failing: BTreeSet<usize>,
    /// The first page found to repeat another, and the page it repeats.
    repeated: Option<(usize, usize)>,
}

impl Window {
    /// The window after page 1, asking for `width` pages at once.
    pub(super) fn after_first(first: PageResult, width: usize) -> Self {
        let last = match &first {
            PageResult::Page(_, Some(claimed)) => (*claimed).max(1),
            PageResult::Page(_, None) => usize::MAX,
            PageResult::Last(_) => 1,
            PageResult::End => 0,
            // A site that cannot give its first page will not give the others.
            PageResult::Failed(..) => 1,
        };
        let mut window = Self {
            width: width.max(1),
            next: 2,
            last,
            answered: 0,
            results: BTreeMap::new(),
            hashes: HashMap::new(),
            keys: RandomState::new(),
            failing: BTreeSet::new(),
            repeated: None,
        };
        window.take(1, first);
        window
    }

    /// The next page to ask for, when fewer than the window's width are in flight and one may
    /// still hold posts.
    pub(super) fn next_to_ask(&mut self, in_flight: usize) -> Option<usize> {
        let gave_up = self.failing.len() >= FAILED_PAGES_LIMIT;
        if in_flight >= self.width || self.next > self.last || gave_up {
            return None;
        }
        self.next += 1;
        Some(self.next - 1)
    }

    /// The last page that may hold posts: pages past it need not be waited for.
    pub(super) fn last(&self) -> usize {
        self.last
    }

    /// Pages answered, and the pages there are as far as is known.
    pub(super) fn progress(&self) -> (usize, usize) {
        let known = if self.last == usize::MAX {
            self.next - 1
        } else {
            self.last
        };
        (self.answered, known.max(self.answered))
    }

    /// What page `number` gave.
    pub(super) fn take(&mut self, number: usize, result: PageResult) {
        self.answered += 1;
        if number > self.last {
            return;
        }
        match &result {
            PageResult::End => return self.end_before(number),
            PageResult::Page(page, _) | PageResult::Last(page) => {
                if !self.is_new(number, page) {
                    return;
                }
                self.failing = self.failing.split_off(&number);
                if matches!(result, PageResult::Last(_)) {
                    self.end_before(number + 1);
                }
            }
            PageResult::Failed(..) => {
                self.failing.insert(number);
            }
        }
        self.results.insert(number, result);
    }

    /// Whether `page` differs from every page kept; when it repeats one, the reading ends
    /// before the later of the two.
    fn is_new(&mut self, number: usize, page: &Page) -> bool {
        let hash = self.keys.hash_one(&*page.bytes);
        let earlier = (self.hashes.get(&hash).copied()).filter(|&n| self.holds(n, &page.bytes));
        let Some(earlier) = earlier else {
            self.hashes.insert(hash, number);
            return true;
        };
        let (original, copy) = (earlier.min(number), earlier.max(number));
        if self
            .repeated
            .is_none_or(|(first_copy, _)| copy < first_copy)
        {
            self.repeated = Some((copy, original));
        }
        self.end_before(copy);
        self.hashes.insert(hash, original);
        copy != number
    }

    /// Whether page `number` was kept and holds `bytes`.
    fn holds(&self, number: usize, bytes: &[u8]) -> bool {
        match self.results.get(&number) {
            Some(PageResult::Page(kept, _) | PageResult::Last(kept)) => *kept.bytes == *bytes,
            _ => false,
        }
    }

    /// Page `number` is past the end: what came from it and later pages is dropped.
    fn end_before(&mut self, number: usize) {
        self.last = self.last.min(number.saturating_sub(1));
        self.results.split_off(&number);
    }

    /// The pages kept, and what went wrong in words (`route` names the collection).
    pub(super) fn finish(self, route: &str) -> Paged {
        let mut paged = Paged::default();
        for result in self.results.into_values() {
            paged.add(result);
        }
        if let Some((copy, original)) = self.repeated {
            paged.errors.push(format!(
                "{route}: page {copy} repeats page {original}, as if the site (or a cache in \
                 front of it) ignored `page=`; the reading stopped there, so posts may be missing"
            ));
        }
        if self.failing.len() >= FAILED_PAGES_LIMIT && self.next <= self.last {
            let rest = if self.last == usize::MAX {
                format!("from {} on", self.next)
            } else {
                format!("{} to {} (as the site claims)", self.next, self.last)
            };
            paged.errors.push(format!(
                "{route}: {} pages in a row could not be read, so pages {rest} were not asked for",
                self.failing.len()
            ));
        }
        paged
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wordpress::PostType;

    fn page(number: usize, bytes: &[u8]) -> Page {
        Page {
            kind: PostType::Posts,
            number,
            file_stem: format!("posts-page-{number}"),
            name: format!("page={number}"),
            bytes: bytes.into(),
        }
    }

    fn posts(number: usize, claimed: Option<usize>) -> PageResult {
        let body = format!("[{{\"id\":{number}}}]");
        PageResult::Page(page(number, body.as_bytes()), claimed)
    }

    fn failed(number: usize) -> PageResult {
        PageResult::Failed(format!("page={number}: 503"), None)
    }

    /// Asks for every page the window offers, in order.
    fn ask_all(window: &mut Window) -> Vec<usize> {
        std::iter::from_fn(|| window.next_to_ask(0)).collect()
    }

    fn kept(paged: &Paged) -> Vec<usize> {
        paged.pages.keys().copied().collect()
    }

    #[test]
    fn a_page_read_again_replaces_what_it_gave() {
        let mut paged = Paged::default();
        paged.add(PageResult::Page(page(2, b"[{\"id\":3}]"), Some(2)));
        paged.add(PageResult::Failed(
            "page=1: 503".into(),
            Some(page(1, b"<p>")),
        ));
        paged.add(PageResult::Page(page(1, b"[{\"id\":1}]"), Some(2)));
        let kept: Vec<(usize, &[u8])> = paged
            .pages
            .values()
            .map(|p| (p.number, &*p.bytes))
            .collect();
        assert_eq!(
            kept,
            vec![(1, &b"[{\"id\":1}]"[..]), (2, &b"[{\"id\":3}]"[..])]
        );
    }

    #[test]
    fn no_more_than_the_width_is_asked_for_at_once() {
        let mut window = Window::after_first(posts(1, Some(1_000_000_000)), 4);
        let asked: Vec<usize> = (0..10).map_while(|n| window.next_to_ask(n)).collect();
        assert_eq!(asked, [2, 3, 4, 5]);
        assert_eq!(window.next_to_ask(4), None);
    }

    #[test]
    fn the_first_page_past_the_end_ends_the_reading_whatever_the_claim() {
        let mut window = Window::after_first(posts(1, Some(1_000_000_000)), 4);
        assert_eq!(ask_all_of(&mut window, 4), [2, 3, 4, 5]);
        window.take(4, PageResult::End);
        window.take(5, posts(5, None)); // past the end: not kept
        window.take(2, posts(2, None));
        window.take(3, posts(3, None));
        assert_eq!(window.next_to_ask(0), None);
        assert_eq!(window.last(), 3);
        let paged = window.finish("wp/v2/posts");
        assert_eq!(kept(&paged), [1, 2, 3]);
        assert!(paged.errors.is_empty(), "{:?}", paged.errors);
    }

    /// Up to `width` pages, as the fetch asks for them before any answer.
    fn ask_all_of(window: &mut Window, width: usize) -> Vec<usize> {
        (0..width).map_while(|n| window.next_to_ask(n)).collect()
    }

    #[test]
    fn an_empty_page_ends_the_reading_and_the_claim_is_an_upper_bound() {
        let mut window = Window::after_first(posts(1, Some(3)), 8);
        assert_eq!(ask_all(&mut window), [2, 3]);
        let mut window = Window::after_first(posts(1, None), 2);
        assert_eq!(ask_all_of(&mut window, 2), [2, 3]);
        window.take(2, PageResult::End);
        assert_eq!(window.next_to_ask(0), None);
        let mut window = Window::after_first(PageResult::End, 4);
        assert_eq!(ask_all(&mut window), Vec::<usize>::new());
        let mut window = Window::after_first(failed(1), 4);
        assert_eq!(ask_all(&mut window), Vec::<usize>::new());
    }

    #[test]
    fn without_a_claimed_count_a_short_page_is_the_last() {
        let mut window = Window::after_first(posts(1, None), 4);
        assert_eq!(ask_all_of(&mut window, 4), [2, 3, 4, 5]);
        window.take(4, posts(4, None));
        window.take(3, PageResult::Last(page(3, b"[{\"id\":3}]")));
        window.take(2, posts(2, None));
        assert_eq!(window.next_to_ask(0), None);
        assert_eq!(kept(&window.finish("wp/v2/posts")), [1, 2, 3]);
        let window = Window::after_first(PageResult::Last(page(1, b"[{\"id\":1}]")), 4);
        assert_eq!(window.last(), 1);
    }

    #[test]
    fn a_page_that_repeats_another_ends_the_reading_and_says_so() {
        let mut window = Window::after_first(posts(1, Some(1_000_000_000)), 4);
        assert_eq!(ask_all_of(&mut window, 4), [2, 3, 4, 5]);
        // A cache that ignores `page=`: every page is page 1, in any order.
        window.take(3, posts(1, None));
        window.take(2, posts(1, None));
        assert_eq!(window.last(), 1);
        let paged = window.finish("wp/v2/posts");
        assert_eq!(kept(&paged), [1]);
        assert_eq!(paged.errors.len(), 1);
        assert!(
            paged.errors[0].contains("page 2 repeats page 1"),
            "{:?}",
            paged.errors
        );
    }

    #[test]
    fn of_two_equal_pages_the_later_one_is_the_repeat() {
        let mut window = Window::after_first(posts(1, None), 4);
        ask_all_of(&mut window, 4);
        let same = |number| PageResult::Page(page(number, b"[{\"id\":7}]"), None);
        window.take(3, same(3));
        window.take(2, same(2));
        let paged = window.finish("wp/v2/posts");
        assert_eq!(kept(&paged), [1, 2]);
        assert!(
            paged.errors[0].contains("page 3 repeats page 2"),
            "{:?}",
            paged.errors
        );
    }

    #[test]
    fn a_page_read_between_failures_keeps_the_reading_going() {
        let mut window = Window::after_first(posts(1, Some(20)), 1);
        for number in 2..=20 {
            assert_eq!(window.next_to_ask(0), Some(number));
            let result = if number % 4 == 0 {
                posts(number, None)
            } else {
                failed(number)
            };
            window.take(number, result);
        }
        assert_eq!(window.next_to_ask(0), None);
        let paged = window.finish("wp/v2/posts");
        assert_eq!(kept(&paged), [1, 4, 8, 12, 16, 20]);
        assert!(paged.errors.iter().all(|e| !e.contains("in a row")));
    }

    #[test]
    fn pages_that_cannot_be_read_end_the_reading_after_a_few() {
        let mut window = Window::after_first(posts(1, Some(1_000_000_000)), 2);
        let mut number = 1;
        while let Some(asked) = window.next_to_ask(0) {
            window.take(asked, failed(asked));
            number = asked;
        }
        assert_eq!(number, 1 + FAILED_PAGES_LIMIT);
        let paged = window.finish("wp/v2/posts");
        assert_eq!(paged.errors.len(), FAILED_PAGES_LIMIT + 1);
        let last = paged.errors.last().map(String::as_str).unwrap_or_default();
        assert!(
            last.contains("pages 7 to 1000000000 (as the site claims) were not asked for"),
            "{last}"
        );
    }
}
