//! Applying fixes to bytes: which fixes clash with one another, and the spliced text. Both
//! cost O(log n) per edit, so a file with hundreds of thousands of fixes is fixed in one pass.

use std::collections::{BTreeSet, HashSet};
use std::ops::Range;

use rangemap::RangeSet;

use crate::diagnostic::{Edit, Fix};

/// Byte ranges taken so far: the bytes replaced, and the points where text is inserted. Two
/// ranges clash when they share a byte, or when one inserts at a byte the other replaces; an
/// insertion at the end of a replaced range does not clash, nor do two at the same point.
#[derive(Default)]
pub(super) struct Taken {
    /// The union of the non-empty ranges: overlapping it is overlapping one of them.
    spans: RangeSet<usize>,
    points: BTreeSet<usize>,
}

impl Taken {
    pub(super) fn of<'r>(ranges: impl IntoIterator<Item = &'r Range<usize>>) -> Self {
        let mut taken = Self::default();
        for range in ranges {
            taken.take(range);
        }
        taken
    }

    pub(super) fn clashes(&self, range: &Range<usize>) -> bool {
        if range.is_empty() {
            return self.spans.contains(&range.start);
        }
        self.spans.overlaps(range) || self.points.range(range.clone()).next().is_some()
    }

    fn take(&mut self, range: &Range<usize>) {
        if range.is_empty() {
            self.points.insert(range.start);
        } else {
            self.spans.insert(range.clone());
        }
    }
}

/// Splits fixes, in order, into those that can be applied together and those that clash with
/// an earlier one (or whose own edits clash with each other).
pub(super) fn without_overlaps<'f>(fixes: &[&'f Fix]) -> (Vec<&'f Fix>, Vec<&'f Fix>) {
    let mut taken = Taken::default();
    let (mut kept, mut overlapping) = (Vec::new(), Vec::new());
    for &fix in fixes {
        let mut own = Taken::default();
        let clear = fix.edits.iter().all(|edit| {
            let clear = !taken.clashes(&edit.range) && !own.clashes(&edit.range);
            own.take(&edit.range);
            clear
        });
        if clear {
            fix.edits.iter().for_each(|edit| taken.take(&edit.range));
            kept.push(fix);
        } else {
            overlapping.push(fix);
        }
    }
    (kept, overlapping)
}

/// The text with the edits of `fixes` made; the fixes must not clash (`without_overlaps`).
pub(super) fn apply(bytes: &[u8], fixes: &[&Fix]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    for (range, content, _) in resolved(bytes.len(), fixes) {
        out.extend_from_slice(&bytes[at..range.start]);
        out.extend_from_slice(content.as_bytes());
        at = range.end;
    }
    out.extend_from_slice(&bytes[at..]);
    out
}

/// The edits `apply` makes, in order, as edits of the original text (for an editor).
pub(super) fn edits(len: usize, fixes: &[&Fix]) -> Vec<Edit> {
    resolved(len, fixes)
        .map(|(range, content, _)| Edit::replace(range, content))
        .collect()
}

/// Splits fixes that `apply` made a text with into those with an edit on or beside one of
/// `ranges` of that text, and the others, each in order.
pub(super) fn landing_on<'f>(
    len: usize,
    fixes: &[&'f Fix],
    ranges: &[Range<usize>],
) -> (Vec<&'f Fix>, Vec<&'f Fix>) {
    // A byte either side: an edit just before or after a finding may have made it.
    let widened: Vec<Range<usize>> = (ranges.iter())
        .map(|r| r.start.saturating_sub(1)..r.end.saturating_add(1))
        .collect();
    let near = Taken::of(&widened);
    let mut landed_on = HashSet::new();
    // Where the text before the next edit starts, in the original and in the new text.
    let (mut was, mut is) = (0, 0);
    for (range, content, fix) in resolved(len, fixes) {
        let start = is + (range.start - was);
        let landed = start..start + content.len();
        if near.clashes(&landed) {
            landed_on.insert(fix as *const Fix);
        }
        (was, is) = (range.end, landed.end);
    }
    fixes
        .iter()
        .partition(|fix| landed_on.contains(&(**fix as *const Fix)))
}

/// The edits of `fixes` in file order, each with its fix, its range kept inside the text and
/// after the edit before it, so that splicing them can never go out of bounds, whatever a
/// rule proposed.
fn resolved<'f>(
    len: usize,
    fixes: &[&'f Fix],
) -> impl Iterator<Item = (Range<usize>, &'f str, &'f Fix)> + use<'f> {
    let mut edits: Vec<(&Edit, &Fix)> = (fixes.iter())
        .flat_map(|&fix| fix.edits.iter().map(move |edit| (edit, fix)))
        .collect();
    // Stable: insertions at one point keep the order of their fixes.
    edits.sort_by_key(|(edit, _)| edit.range.start);
    let mut at = 0;
    edits.into_iter().map(move |(edit, fix)| {
        let start = edit.range.start.clamp(at, len);
        let end = edit.range.end.clamp(start, len);
        at = end;
        (start..end, edit.content.as_str(), fix)
    })
}

/// The fixes of `all` that are in `chosen`, in the order of `all`.
pub(super) fn keeping<'f>(all: Vec<&'f Fix>, chosen: &[&Fix]) -> Vec<&'f Fix> {
    let chosen: HashSet<*const Fix> = chosen.iter().map(|fix| *fix as *const Fix).collect();
    all.into_iter()
        .filter(|fix| chosen.contains(&(*fix as *const Fix)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Applicability;
    use proptest::prelude::*;

    fn fix(edits: Vec<Edit>) -> Fix {
        Fix {
            applicability: Applicability::Safe,
            message: "m".into(),
            edits,
        }
    }

    /// The definition `Taken` must agree with, pair by pair.
    fn overlaps(a: &Range<usize>, b: &Range<usize>) -> bool {
        a.start < b.end && b.start < a.end
            || (a.is_empty() && b.contains(&a.start))
            || (b.is_empty() && a.contains(&b.start))
    }

    #[test]
    fn edits_apply_in_order_and_overlaps_are_left_out() {
        let bytes = b"abcdefghij";
        let a = fix(vec![Edit::delete(1..3)]);
        let b = fix(vec![Edit::replace(5..6, "XY"), Edit::delete(8..9)]);
        let c = fix(vec![Edit::delete(2..4)]);
        let (kept, overlapping) = without_overlaps(&[&a, &b, &c]);
        assert_eq!(apply(bytes, &kept), b"adeXYghj");
        assert_eq!(overlapping.len(), 1);
        assert!(std::ptr::eq(overlapping[0], &c));
    }

    #[test]
    fn a_fix_whose_edits_overlap_each_other_is_left_out() {
        let twisted = fix(vec![Edit::delete(1..5), Edit::replace(3..4, "x")]);
        let (kept, overlapping) = without_overlaps(&[&twisted]);
        assert!(kept.is_empty());
        assert_eq!(overlapping.len(), 1);
    }

    #[test]
    fn edits_out_of_bounds_or_reversed_are_clamped() {
        #[allow(clippy::reversed_empty_ranges)]
        let reversed = Edit {
            range: 8..3,
            offset: 8,
            length: 0,
            content: "R".into(),
        };
        let odd = fix(vec![reversed, Edit::replace(40..50, "E")]);
        assert_eq!(apply(b"abcdefghij", &[&odd]), b"abcdefghRijE");
    }

    #[test]
    fn the_fixes_that_landed_on_a_range_of_the_new_text_are_told_apart() {
        let bytes = b"0123456789";
        let grows = fix(vec![Edit::replace(1..2, "ABCD")]);
        let shrinks = fix(vec![Edit::delete(4..6)]);
        let far = fix(vec![Edit::replace(8..9, "Z")]);
        let fixes = [&grows, &shrinks, &far];
        assert_eq!(apply(bytes, &fixes), b"0ABCD2367Z9");
        // `3` (new text 6..7) is beside the deletion, which landed at 7.
        let (on, off) = landing_on(bytes.len(), &fixes, std::slice::from_ref(&(6..7)));
        assert!(on.len() == 1 && std::ptr::eq(on[0], &shrinks));
        assert_eq!(off.len(), 2);
        let (on, _) = landing_on(bytes.len(), &fixes, std::slice::from_ref(&(9..10)));
        assert!(on.len() == 1 && std::ptr::eq(on[0], &far));
    }

    proptest! {
        /// `Taken` answers as the pairwise definition does, for empty ranges too.
        #[test]
        fn taken_clashes_as_ranges_overlap(
            taken in prop::collection::vec((0usize..40, 0usize..6), 0..20),
            probe in (0usize..40, 0usize..6),
        ) {
            let ranges: Vec<Range<usize>> = taken.iter().map(|&(s, l)| s..s + l).collect();
            let probe = probe.0..probe.0 + probe.1;
            let expected = ranges.iter().any(|r| overlaps(r, &probe));
            prop_assert_eq!(Taken::of(&ranges).clashes(&probe), expected);
        }
    }
}
