//! A FIFO of waiters with O(1) push, pop and removal from the middle (a
//! cancelled future leaves the queue without a scan), stored in a slab
//! with index links and generation-checked keys, so no unsafe code is
//! needed. An entry can leave the queue (it was served) and stay in the
//! slab until its future has looked at it and removes it.

const NONE: u32 = u32::MAX;

/// Names one entry; stale keys (entry removed, slot reused) are detected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Key {
    index: u32,
    generation: u32,
}

struct Entry<T> {
    generation: u32,
    value: Option<T>,
    linked: bool,
    prev: u32,
    next: u32,
}

pub(crate) struct WaitList<T> {
    entries: Vec<Entry<T>>,
    free: Vec<u32>,
    head: u32,
    tail: u32,
    linked: usize,
}

impl<T> WaitList<T> {
    pub(crate) const fn new() -> WaitList<T> {
        WaitList {
            entries: Vec::new(),
            free: Vec::new(),
            head: NONE,
            tail: NONE,
            linked: 0,
        }
    }

    /// Waiters still queued.
    pub(crate) fn len(&self) -> usize {
        self.linked
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.linked == 0
    }

    /// Appends a waiter at the back of the queue.
    pub(crate) fn push_back(&mut self, value: T) -> Key {
        let index = match self.free.pop() {
            Some(i) => i,
            None => {
                let i = u32::try_from(self.entries.len()).expect("more than 4 billion waiters");
                assert!(i != NONE, "more than 4 billion waiters");
                self.entries.push(Entry {
                    generation: 0,
                    value: None,
                    linked: false,
                    prev: NONE,
                    next: NONE,
                });
                i
            }
        };
        let tail = self.tail;
        let e = &mut self.entries[index as usize];
        e.value = Some(value);
        e.linked = true;
        e.prev = tail;
        e.next = NONE;
        let key = Key {
            index,
            generation: e.generation,
        };
        if tail == NONE {
            self.head = index;
        } else {
            self.entries[tail as usize].next = index;
        }
        self.tail = index;
        self.linked += 1;
        key
    }

    fn live(&self, key: Key) -> Option<usize> {
        let e = self.entries.get(key.index as usize)?;
        (e.generation == key.generation && e.value.is_some()).then_some(key.index as usize)
    }

    pub(crate) fn get_mut(&mut self, key: Key) -> Option<&mut T> {
        let i = self.live(key)?;
        self.entries[i].value.as_mut()
    }

    /// Whether the entry is still queued (not yet served).
    #[cfg(all(test, not(loom)))]
    pub(crate) fn is_linked(&self, key: Key) -> bool {
        self.live(key).is_some_and(|i| self.entries[i].linked)
    }

    /// The first queued waiter.
    pub(crate) fn front_mut(&mut self) -> Option<(Key, &mut T)> {
        if self.head == NONE {
            return None;
        }
        let e = &mut self.entries[self.head as usize];
        let key = Key {
            index: self.head,
            generation: e.generation,
        };
        e.value.as_mut().map(|v| (key, v))
    }

    /// Takes the entry out of the queue, keeping it in the slab.
    pub(crate) fn unlink(&mut self, key: Key) {
        let Some(i) = self.live(key) else { return };
        if !self.entries[i].linked {
            return;
        }
        let (prev, next) = (self.entries[i].prev, self.entries[i].next);
        if prev == NONE {
            self.head = next;
        } else {
            self.entries[prev as usize].next = next;
        }
        if next == NONE {
            self.tail = prev;
        } else {
            self.entries[next as usize].prev = prev;
        }
        let e = &mut self.entries[i];
        e.linked = false;
        e.prev = NONE;
        e.next = NONE;
        self.linked -= 1;
    }

    /// Removes the entry (from the queue too) and returns its value.
    pub(crate) fn remove(&mut self, key: Key) -> Option<T> {
        let i = self.live(key)?;
        self.unlink(key);
        let e = &mut self.entries[i];
        e.generation = e.generation.wrapping_add(1);
        let value = e.value.take();
        self.free.push(i as u32);
        value
    }

    /// Removes every queued waiter, front to back, handing each value to
    /// `f`. The entries' keys go stale (generation bumped), so a future
    /// that still holds one cannot remove a later waiter by mistake.
    pub(crate) fn drain(&mut self, mut f: impl FnMut(T)) {
        while self.head != NONE {
            let index = self.head;
            let key = Key {
                index,
                generation: self.entries[index as usize].generation,
            };
            if let Some(v) = self.remove(key) {
                f(v);
            }
        }
    }

    /// Calls `f` on every queued waiter, front to back.
    pub(crate) fn for_each_linked(&mut self, mut f: impl FnMut(&mut T)) {
        let mut cursor = self.head;
        while cursor != NONE {
            let e = &mut self.entries[cursor as usize];
            cursor = e.next;
            if let Some(v) = e.value.as_mut() {
                f(v);
            }
        }
    }
}

impl WaitList<std::task::Waker> {
    /// Registers a pending future's waker under its `key`: updates the
    /// entry while it is still queued, or queues a new one (first poll, or
    /// the entry was drained since).
    pub(crate) fn register(&mut self, key: &mut Option<Key>, waker: &std::task::Waker) {
        match key.and_then(|k| self.get_mut(k)) {
            Some(w) => {
                if !w.will_wake(waker) {
                    *w = waker.clone();
                }
            }
            None => *key = Some(self.push_back(waker.clone())),
        }
    }

    /// Forgets a dropped future's waker (nothing if it was drained).
    pub(crate) fn forget(&mut self, key: &mut Option<Key>) -> Option<std::task::Waker> {
        key.take().and_then(|k| self.remove(k))
    }
}

/// Wakers collected under a lock, to be woken after it is released. The
/// first is kept inline: a hand-off (one released permit or slot, one
/// waiter) then allocates nothing.
#[derive(Default)]
pub(crate) struct WakeList {
    first: Option<std::task::Waker>,
    rest: Vec<std::task::Waker>,
}

impl WakeList {
    pub(crate) fn new() -> WakeList {
        WakeList::default()
    }

    pub(crate) fn push(&mut self, waker: std::task::Waker) {
        if self.first.is_none() {
            self.first = Some(waker);
        } else {
            self.rest.push(waker);
        }
    }

    /// Call after the lock is released.
    pub(crate) fn wake_all(self) {
        if let Some(w) = self.first {
            w.wake();
        }
        for w in self.rest {
            w.wake();
        }
    }
}

impl WaitList<std::task::Waker> {
    /// Takes every queued waker (their keys go stale), to be woken with
    /// `WakeList::wake_all` after the lock is released.
    pub(crate) fn take_all(&mut self) -> WakeList {
        let mut wakers = WakeList::new();
        self.drain(|w| wakers.push(w));
        wakers
    }
}

impl Extend<std::task::Waker> for WakeList {
    fn extend<I: IntoIterator<Item = std::task::Waker>>(&mut self, iter: I) {
        for w in iter {
            self.push(w);
        }
    }
}

/// A future's place in a waker list behind `lock` (`list` picks it out of
/// the locked state): `register` it on every pending poll; dropped while
/// still queued, it takes its waker back out, so a long-lived channel or
/// token does not keep the tasks of abandoned waits alive (a waker holds
/// its task). A key the other side drained meanwhile is stale: a no-op.
pub(crate) struct Registration<'a, S> {
    lock: &'a crate::loom::sync::Mutex<S>,
    list: fn(&mut S) -> &mut WaitList<std::task::Waker>,
    key: Option<Key>,
}

impl<'a, S> Registration<'a, S> {
    pub(crate) fn new(
        lock: &'a crate::loom::sync::Mutex<S>,
        list: fn(&mut S) -> &mut WaitList<std::task::Waker>,
    ) -> Registration<'a, S> {
        Registration {
            lock,
            list,
            key: None,
        }
    }

    /// Queues (or updates) this future's waker; `state` is the locked
    /// state behind `lock`.
    pub(crate) fn register(&mut self, state: &mut S, waker: &std::task::Waker) {
        (self.list)(state).register(&mut self.key, waker);
    }

    /// The other side drained the list (the entry is gone): dropping this
    /// need not take the lock.
    pub(crate) fn drained(&mut self) {
        self.key = None;
    }
}

impl<S> Drop for Registration<'_, S> {
    fn drop(&mut self) {
        if self.key.is_some() {
            let waker = (self.list)(&mut self.lock.lock()).forget(&mut self.key);
            // Dropped here, after the lock.
            drop(waker);
        }
    }
}

/// Waits until `done` holds for the state behind `lock`, keeping the
/// caller's waker in the list `waiters` picks out of that state meanwhile
/// (the side that makes `done` true drains and wakes it). A future dropped
/// while waiting takes its waker back out (see `Registration`).
pub(crate) async fn wait_until<S>(
    lock: &crate::loom::sync::Mutex<S>,
    waiters: fn(&mut S) -> &mut WaitList<std::task::Waker>,
    done: fn(&S) -> bool,
) {
    let mut registration = Registration::new(lock, waiters);
    std::future::poll_fn(|cx| {
        let mut st = lock.lock();
        if done(&st) {
            return std::task::Poll::Ready(());
        }
        registration.register(&mut st, cx.waker());
        std::task::Poll::Pending
    })
    .await
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn wait_until_forgets_its_waker_when_dropped() {
        use std::future::Future;
        struct St {
            done: bool,
            waiters: WaitList<std::task::Waker>,
        }
        let lock = crate::loom::sync::Mutex::new(St {
            done: false,
            waiters: WaitList::new(),
        });
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        for _ in 0..100 {
            let mut fut = Box::pin(wait_until(&lock, |s| &mut s.waiters, |s| s.done));
            assert!(fut.as_mut().poll(&mut cx).is_pending());
            assert_eq!(lock.lock().waiters.len(), 1);
        }
        assert_eq!(
            lock.lock().waiters.len(),
            0,
            "abandoned waits left wakers behind"
        );
        let mut fut = Box::pin(wait_until(&lock, |s| &mut s.waiters, |s| s.done));
        assert!(fut.as_mut().poll(&mut cx).is_pending());
        lock.lock().done = true;
        assert!(fut.as_mut().poll(&mut cx).is_ready());
    }

    #[test]
    fn drained_keys_go_stale() {
        let mut l = WaitList::new();
        let a = l.push_back(1);
        let _b = l.push_back(2);
        let mut got = Vec::new();
        l.drain(|v| got.push(v));
        assert_eq!(got, [1, 2]);
        assert!(l.is_empty());
        // A new waiter may reuse a's slot; a's old key must not name it.
        let c = l.push_back(3);
        assert_eq!(l.remove(a), None);
        assert_eq!(l.remove(c), Some(3));
    }

    #[test]
    fn fifo_with_removal_from_the_middle() {
        let mut l = WaitList::new();
        let a = l.push_back('a');
        let b = l.push_back('b');
        let c = l.push_back('c');
        assert_eq!(l.len(), 3);
        assert_eq!(l.remove(b), Some('b'));
        assert_eq!(l.remove(b), None, "a stale key finds nothing");
        assert_eq!(l.front_mut().map(|(k, v)| (k, *v)), Some((a, 'a')));
        l.unlink(a);
        assert!(!l.is_linked(a));
        assert_eq!(
            l.get_mut(a),
            Some(&mut 'a'),
            "unlinked entries stay readable"
        );
        assert_eq!(l.front_mut().map(|(k, v)| (k, *v)), Some((c, 'c')));
        let d = l.push_back('d');
        let mut order = Vec::new();
        l.for_each_linked(|v| order.push(*v));
        assert_eq!(order, ['c', 'd']);
        assert_eq!(l.remove(a), Some('a'));
        assert_eq!(l.remove(c), Some('c'));
        assert_eq!(l.remove(d), Some('d'));
        assert!(l.is_empty());
        // Slots are reused with new generations.
        let e = l.push_back('e');
        assert_ne!(e, a);
        assert_eq!(l.remove(e), Some('e'));
    }
}
