//! The room a container starts with: as many members or items as the last container read in
//! the same place held, so that a post's object and its `_links` are allocated once at their
//! size rather than grown by doubling from four (a `Member` is 144 bytes: each doubling copied
//! them all, 4,500 times on 765 posts).
//!
//! A place is the key a container is the value of, hashed into a few slots; an array's items
//! take the slot after the array's. Posts of one export share their shape, so the last one's
//! sizes are a good guess for the next, on each thread. A wrong guess costs room, never
//! correctness: a container still grows past it, and one given more than it needed gives
//! the next container of its place no more than its own length. The room is taken by the
//! first container that starts there: containers nested at one place (`{"a":{"a":…}}`) get
//! none, so one wide container's room is given once (each level of such a chain took the
//! room of a wide one read before: 36 KB a level).

use std::cell::Cell;

const SLOTS: usize = 64;

/// Containers nested deeper than this start empty. A post's object, its `_links` and their
/// arrays and objects are at most five deep (in a REST array of posts); a hostile file nested
/// 512 deep, each level given the 255 members' room of its place, would hold 18 MB for a few
/// kilobytes of input.
const DEEPEST: usize = 5;

/// The place of a value with no key: a file's top-level value (an NDJSON line's post).
pub(super) const TOP: usize = 0;

thread_local! {
    static ROOM: [Cell<u8>; SLOTS] = const { [const { Cell::new(0) }; SLOTS] };
}

/// The place of the value of the member whose raw key is `key`.
#[inline]
pub(super) fn of_key(key: &[u8]) -> usize {
    let (first, last) = (key.first().copied(), key.last().copied());
    let mix = key.len() * 31 + usize::from(first.unwrap_or(0)) * 7 + usize::from(last.unwrap_or(0));
    mix % SLOTS
}

/// The place of an array's items.
#[inline]
pub(super) fn of_items(array: usize) -> usize {
    (array + 1) % SLOTS
}

/// A container for `place` at `depth` (1 for a top-level value), with the room the last one
/// there needed, taken (one that starts there before this one closes gets none), or none
/// deeper than [`DEEPEST`].
#[inline]
pub(super) fn starting<T>(place: usize, depth: usize) -> Vec<T> {
    if depth > DEEPEST {
        return Vec::new();
    }
    Vec::with_capacity(ROOM.with(|room| room[place].take()).into())
}

/// Remembers how many members or items the container of `place` held (at most 255).
#[inline]
pub(super) fn closing(place: usize, len: usize) {
    let len = u8::try_from(len).unwrap_or(u8::MAX);
    ROOM.with(|room| room[place].set(len));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_place_starts_with_the_room_its_last_container_needed() {
        let place = of_key(b"_links");
        closing(place, 11);
        assert_eq!(starting::<u64>(place, 1).capacity(), 11);
        closing(place, 0);
        assert_eq!(starting::<u64>(place, 1).capacity(), 0);
        closing(place, 1000);
        assert_eq!(starting::<u64>(place, 1).capacity(), 255);
        assert!(of_key(b"") < SLOTS && of_items(SLOTS - 1) < SLOTS);
    }

    #[test]
    fn a_container_nested_deeper_than_a_post_starts_empty() {
        let place = of_key(b"a");
        closing(place, 255);
        assert_eq!(starting::<u64>(place, DEEPEST).capacity(), 255);
        // The room is put back before each look: only the depth keeps these empty.
        closing(place, 255);
        assert_eq!(starting::<u64>(place, DEEPEST + 1).capacity(), 0);
        assert_eq!(starting::<u64>(place, 512).capacity(), 0);
        assert_eq!(starting::<u64>(place, 1).capacity(), 255);
    }

    #[test]
    fn containers_nested_at_one_place_do_not_each_take_its_room() {
        let place = of_key(b"a");
        closing(place, 255);
        let outer = starting::<u64>(place, 1);
        let nested: Vec<Vec<u64>> = (2..=DEEPEST).map(|depth| starting(place, depth)).collect();
        assert_eq!(outer.capacity(), 255);
        assert!(nested.iter().all(|inner| inner.capacity() == 0));
    }
}
