//! A per-key table of multiples that verification builds at the key's second use: the first
//! verification (all a one-shot `verify` makes) goes without, so that a key used once never
//! pays for a table it would drop; a key used again is likely used many times.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, OnceLock};

/// The table (built once, shared by clones) and the count of uses before it.
pub(crate) struct Warm<T> {
    table: OnceLock<Arc<T>>,
    uses: AtomicU32,
}

impl<T> Warm<T> {
    pub(crate) fn new() -> Warm<T> {
        Warm { table: OnceLock::new(), uses: AtomicU32::new(0) }
    }

    /// The table, built by `build` at the second call; `None` at the first.
    pub(crate) fn get(&self, build: impl FnOnce() -> T) -> Option<&T> {
        if let Some(table) = self.table.get() {
            return Some(table);
        }
        if self.uses.fetch_add(1, Ordering::Relaxed) == 0 {
            return None;
        }
        Some(self.table.get_or_init(|| Arc::new(build())))
    }

    /// Whether the table is built.
    #[cfg(test)]
    pub(crate) fn is_built(&self) -> bool {
        self.table.get().is_some()
    }
}

impl<T> Clone for Warm<T> {
    fn clone(&self) -> Warm<T> {
        Warm { table: self.table.clone(), uses: AtomicU32::new(self.uses.load(Ordering::Relaxed)) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_at_the_second_use_once_and_clones_share_it() {
        let warm = Warm::new();
        let mut builds = 0;
        assert_eq!(warm.get(|| unreachable!("not at the first use")), None::<&u32>);
        assert_eq!(
            warm.get(|| {
                builds += 1;
                7
            }),
            Some(&7)
        );
        assert_eq!(
            warm.get(|| {
                builds += 1;
                8
            }),
            Some(&7)
        );
        assert_eq!(builds, 1);
        let clone = warm.clone();
        assert!(clone.is_built());
        assert_eq!(clone.get(|| 9), Some(&7));
        // A clone taken after one use builds at its own next use.
        let once = Warm::<u32>::new();
        assert_eq!(once.get(|| 1), None);
        assert_eq!(once.clone().get(|| 2), Some(&2));
    }
}
