//! One stable sort for the whole app.
//!
//! Every `sort_by` on its own element type or with its own comparator is another copy of
//! the standard library's merge sort in the wasm, a few KB each. Here positions (`u32`)
//! are sorted through a `dyn` comparator, so the app carries a single copy whatever it
//! sorts; the indirect call costs nothing next to the comparisons themselves.
//!
//! ```
//! let mut names = vec!["b", "a", "B", "c"];
//! access_desk::sort::sort_by(&mut names, |x, y| x.to_lowercase().cmp(&y.to_lowercase()));
//! assert_eq!(names, ["a", "b", "B", "c"]); // stable: "b" stays before "B"
//! ```

use std::cmp::Ordering;

/// The positions `0..len` ordered by `compare` (given two positions); stable: positions
/// that compare equal keep their order.
pub fn order(len: usize, compare: &dyn Fn(usize, usize) -> Ordering) -> Vec<u32> {
    let mut order: Vec<u32> = (0..len as u32).collect();
    order.sort_by(|&a, &b| compare(a as usize, b as usize));
    order
}

/// Sorts `items` by `compare`, stably.
pub fn sort_by<T>(items: &mut Vec<T>, compare: impl Fn(&T, &T) -> Ordering) {
    let order = order(items.len(), &|a, b| compare(&items[a], &items[b]));
    let mut slots: Vec<Option<T>> = std::mem::take(items).into_iter().map(Some).collect();
    items.extend(
        order
            .iter()
            .map(|&i| slots[i as usize].take().expect("each position once")),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_positions_and_keeps_equal_ones_in_place() {
        let keys = [3, 1, 3, 0, 1];
        assert_eq!(
            order(keys.len(), &|a, b| keys[a].cmp(&keys[b])),
            [3, 1, 4, 0, 2]
        );
        assert_eq!(order(0, &|_, _| Ordering::Equal), Vec::<u32>::new());
    }

    #[test]
    fn sorts_owned_items_whole() {
        let mut v: Vec<String> = ["pear", "fig", "apple"].map(String::from).to_vec();
        sort_by(&mut v, |a, b| a.len().cmp(&b.len()));
        assert_eq!(v, ["fig", "pear", "apple"]);
    }
}
