//! The stack of open elements, with what the tree builder asks of it answered without a walk:
//! the topmost open element of a name, and the topmost boundary of each scope. A walk down the
//! stack for each tag makes a hundred thousand nested elements quadratic.

use std::ops::Deref;

use std::collections::HashMap;

use foldhash::fast::RandomState;

use super::tags::{Scope, Traits};
use super::{ElementId, Name};

/// Scopes, then the special elements that stop "any other end tag".
const STOPS: usize = 5;
const SPECIAL: usize = 4;

#[derive(Default)]
pub(super) struct OpenElements {
    ids: Vec<ElementId>,
    /// The slot in `positions` of each open element's name, so that a pop hashes nothing.
    slots: Vec<usize>,
    /// The slot of each name the field used. A name's slot stays when its last element closes,
    /// so that the next `<p>` reuses it rather than allocating (at most one per name the field
    /// uses). Seeded per map: the names are the post's, and with an unkeyed hash (FNV) crafted
    /// names collide, making each lookup a walk.
    by_name: HashMap<Name, usize, RandomState>,
    /// The positions of the open elements of each name's slot, bottom to top.
    positions: Vec<Vec<usize>>,
    /// The name of each slot.
    slot_names: Vec<Name>,
    /// The positions of the open boundaries of each scope (and of special elements).
    stops: [Vec<usize>; STOPS],
}

impl Deref for OpenElements {
    type Target = [ElementId];

    fn deref(&self) -> &[ElementId] {
        &self.ids
    }
}

fn scope_index(scope: Scope) -> usize {
    match scope {
        Scope::Default => 0,
        Scope::ListItem => 1,
        Scope::Button => 2,
        Scope::Table => 3,
    }
}

const SCOPES: [Scope; 4] = [Scope::Default, Scope::ListItem, Scope::Button, Scope::Table];

thread_local! {
    /// The stack the last field built on this thread left, its tables' room kept: a field of a
    /// few hundred tags would otherwise grow them from nothing again (a few percent of a lint).
    static SPARE: std::cell::Cell<Option<OpenElements>> = const { std::cell::Cell::new(None) };
}

/// A stack whose field used more names than this, or had more elements open at once, is not
/// kept for the next: a pathological field must not hold its memory for the rest of the run
/// (100,000 nested elements leave about 4 MB of room in the tables).
const KEPT_NAMES: usize = 256;
const KEPT_DEPTH: usize = 1024;

impl OpenElements {
    /// An empty stack, with the room the last field built on this thread left.
    pub(super) fn reused() -> Self {
        SPARE.with(std::cell::Cell::take).unwrap_or_default()
    }

    /// Empties the stack and keeps it for the next field built on this thread.
    pub(super) fn give_back(mut self) {
        // A name's positions and the scopes' boundaries are never more than the open elements.
        if self.by_name.len() > KEPT_NAMES || self.ids.capacity() > KEPT_DEPTH {
            return;
        }
        self.ids.clear();
        self.slots.clear();
        self.positions.iter_mut().for_each(Vec::clear);
        self.stops.iter_mut().for_each(Vec::clear);
        SPARE.with(|spare| spare.set(Some(self)));
    }

    /// Pushes an element of this name and traits (`Traits::of` the name).
    pub(super) fn push(&mut self, id: ElementId, name: &Name, traits: Traits) {
        let position = self.ids.len();
        for scope in SCOPES {
            if traits.any(Traits::boundary(scope)) {
                self.stops[scope_index(scope)].push(position);
            }
        }
        if traits.any(Traits::SPECIAL) {
            self.stops[SPECIAL].push(position);
        }
        let slot = match self.by_name.get(&**name) {
            Some(&slot) => slot,
            None => {
                self.by_name.insert(name.clone(), self.positions.len());
                self.positions.push(Vec::new());
                self.slot_names.push(name.clone());
                self.positions.len() - 1
            }
        };
        self.positions[slot].push(position);
        self.ids.push(id);
        self.slots.push(slot);
    }

    pub(super) fn pop(&mut self) -> Option<ElementId> {
        let id = self.ids.pop()?;
        let position = self.ids.len();
        if let Some(slot) = self.slots.pop() {
            self.positions[slot].pop();
        }
        for stops in &mut self.stops {
            if stops.last() == Some(&position) {
                stops.pop();
            }
        }
        Some(id)
    }

    /// The position of the topmost open element named one of `names`.
    pub(super) fn topmost(&self, names: &[&str]) -> Option<usize> {
        // Most end tags close the element on top, and most `<p>`s asked for are on top: then
        // it is the answer, without hashing a name.
        let &top = self.slots.last()?;
        if names.contains(&&*self.slot_names[top]) {
            return Some(self.slots.len() - 1);
        }
        names
            .iter()
            .filter_map(|name| self.positions[*self.by_name.get(*name)?].last().copied())
            .max()
    }

    /// "Has an element in scope": the topmost open element named one of `names`, unless a
    /// boundary of the scope is above it (an element that is both counts as the target).
    pub(super) fn in_scope(&self, names: &[&str], scope: Scope) -> Option<usize> {
        let target = self.topmost(names)?;
        self.unblocked(target, &self.stops[scope_index(scope)])
    }

    /// "Any other end tag": the topmost open element of that name, unless a special element is
    /// above it.
    pub(super) fn ordinary(&self, name: &str) -> Option<usize> {
        let target = self.topmost(&[name])?;
        self.unblocked(target, &self.stops[SPECIAL])
    }

    fn unblocked(&self, target: usize, stops: &[usize]) -> Option<usize> {
        match stops.last() {
            Some(&stop) if stop > target => None,
            _ => Some(target),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::html::tags::{Tag, traits_of};

    fn traits(name: &str) -> Traits {
        traits_of(Tag::of(name.as_bytes()))
    }

    #[test]
    fn a_name_whose_elements_all_closed_is_not_open() {
        let mut open = OpenElements::default();
        let p = Name::Borrowed("p");
        open.push(0, &p, traits("p"));
        assert_eq!(open.topmost(&["p"]), Some(0));
        assert_eq!(open.pop(), Some(0));
        // The name's entry stays, empty: it must not answer as open.
        assert_eq!(open.topmost(&["p"]), None);
        assert_eq!(open.in_scope(&["p"], Scope::Button), None);
        open.push(1, &Name::Borrowed("div"), traits("div"));
        open.push(2, &p, traits("p"));
        assert_eq!(open.topmost(&["p"]), Some(1));
        assert_eq!(open.ordinary("p"), Some(1));
        assert_eq!(open.pop(), Some(2));
        assert_eq!(open.pop(), Some(1));
        assert_eq!(open.topmost(&["p", "div"]), None);
    }

    #[test]
    fn a_stack_given_back_is_reused_empty() {
        let mut open = OpenElements::reused();
        open.push(0, &Name::Borrowed("div"), traits("div"));
        open.push(1, &Name::Borrowed("p"), traits("p"));
        open.give_back();
        let again = OpenElements::reused();
        assert!(again.is_empty());
        assert_eq!(again.topmost(&["p", "div"]), None);
        assert_eq!(again.in_scope(&["p"], Scope::Button), None);
        assert!(again.by_name.capacity() > 0, "the room is kept");
    }

    #[test]
    fn a_deep_stack_is_not_kept() {
        let mut open = OpenElements::reused();
        let span = Name::Borrowed("span");
        for id in 0..100_000 {
            open.push(id, &span, traits("span"));
        }
        open.give_back();
        let again = OpenElements::reused();
        let room = again.ids.capacity() + again.slots.capacity();
        let positions: usize = again.positions.iter().map(Vec::capacity).sum();
        let stops: usize = again.stops.iter().map(Vec::capacity).sum();
        assert!(
            room + positions + stops <= 4 * KEPT_DEPTH,
            "{room} {positions} {stops}"
        );
    }
}
