//! Property tests of the channels: any sequence of sends (`send` futures,
//! which may wait and be polled again or dropped, and `try_send`),
//! receives (`recv` polled once, `try_recv`), closes and drops of senders
//! and of the receiver, played on a channel and on a model of it (a
//! `VecDeque` and a few counters), gives the same result at every step:
//! every value received, every error and every value handed back. Each
//! value carries an id and records its drop, so at the end every value
//! made was dropped exactly once: nothing lost, nothing duplicated.
//!
//! Everything runs on the test's thread, polling by hand with a no-op
//! waker (no runtime): a run is deterministic for a given sequence.

use crate::{mpsc, oneshot};
use proptest::prelude::*;
use std::collections::VecDeque;
use std::future::Future;
use std::pin::{pin, Pin};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};

/// Sender handles a sequence starts with.
const SENDERS: usize = 3;

/// A value that records its drop.
#[derive(Debug)]
struct Item {
    id: u32,
    dropped: Arc<Mutex<Vec<u32>>>,
}

impl Drop for Item {
    fn drop(&mut self) {
        self.dropped.lock().unwrap().push(self.id);
    }
}

/// Makes the items of one sequence and checks, at the end, that each was
/// dropped exactly once.
struct Items {
    next: u32,
    dropped: Arc<Mutex<Vec<u32>>>,
}

impl Items {
    fn new() -> Items {
        Items {
            next: 0,
            dropped: Arc::default(),
        }
    }

    fn make(&mut self) -> Item {
        self.next += 1;
        Item {
            id: self.next,
            dropped: self.dropped.clone(),
        }
    }

    /// Call once everything (channel, futures, values) is gone.
    fn check_each_dropped_once(&self) -> Result<(), TestCaseError> {
        let mut dropped = self.dropped.lock().unwrap().clone();
        dropped.sort_unstable();
        let made: Vec<u32> = (1..=self.next).collect();
        prop_assert_eq!(dropped, made, "values lost (never dropped) or duplicated");
        Ok(())
    }
}

fn poll_once<F: Future + ?Sized>(fut: Pin<&mut F>) -> Poll<F::Output> {
    fut.poll(&mut Context::from_waker(Waker::noop()))
}

/// One `Recv` (`recv`, polled once) or `TryRecv` step on either kind of
/// receiver: `Some(Some(v))` a message, `Some(None)` the end of the
/// channel, `None` nothing yet.
fn receive<R>(
    op: &Op,
    rx: &mut R,
    recv: impl FnOnce(&mut R) -> Poll<Option<Item>>,
    try_recv: impl FnOnce(&mut R) -> Result<Item, mpsc::error::TryRecvError>,
) -> Option<Option<Item>> {
    if matches!(op, Op::Recv) {
        match recv(rx) {
            Poll::Ready(v) => Some(v),
            Poll::Pending => None,
        }
    } else {
        match try_recv(rx) {
            Ok(v) => Some(Some(v)),
            Err(mpsc::error::TryRecvError::Disconnected) => Some(None),
            Err(mpsc::error::TryRecvError::Empty) => None,
        }
    }
}

/// What a sequence does; sender and pending-send indices wrap around (an
/// index naming nothing alive is a no-op).
#[derive(Clone, Debug)]
enum Op {
    /// `try_send` on sender `i`.
    TrySend(usize),
    /// `send` on sender `i`, polled once; kept (pending) if it waits.
    Send(usize),
    /// Polls pending send `k` again.
    PollPending(usize),
    /// Drops pending send `k`.
    CancelPending(usize),
    /// `recv`, polled once (dropped if it waits: it is cancel safe).
    Recv,
    TryRecv,
    Close,
    DropSender(usize),
    DropReceiver,
}

fn ops() -> impl Strategy<Value = Vec<Op>> {
    let op = prop_oneof![
        4 => (0..SENDERS).prop_map(Op::TrySend),
        4 => (0..SENDERS).prop_map(Op::Send),
        2 => (0..4usize).prop_map(Op::PollPending),
        1 => (0..4usize).prop_map(Op::CancelPending),
        4 => Just(Op::Recv),
        3 => Just(Op::TryRecv),
        1 => Just(Op::Close),
        1 => (0..SENDERS).prop_map(Op::DropSender),
        1 => Just(Op::DropReceiver),
    ];
    prop::collection::vec(op, 0..48)
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 256,
        // Failures are reported with their (shrunk) sequence; nothing is
        // written into the source tree.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

type SendFuture = Pin<Box<dyn Future<Output = Result<(), mpsc::error::SendError<Item>>>>>;

/// A waiting `send`, as the model sees it.
struct PendingSend {
    fut: SendFuture,
    id: u32,
    /// A slot was handed to it; its next poll delivers.
    granted: bool,
}

/// The bounded channel's model: the messages not yet received, and which
/// waiting sends hold a slot.
struct BoundedModel {
    capacity: usize,
    queue: VecDeque<u32>,
    /// `close()` was called or the receiver dropped.
    closed: bool,
    rx_dropped: bool,
    /// Sender handles alive (a pending send holds one more).
    handles: usize,
}

impl BoundedModel {
    fn granted(pending: &[PendingSend]) -> usize {
        pending.iter().filter(|p| p.granted).count()
    }

    fn free(&self, pending: &[PendingSend]) -> usize {
        self.capacity - self.queue.len() - Self::granted(pending)
    }

    /// A slot came back: to the first send still waiting for one
    /// (first come, first served), unless the channel is closed.
    fn slot_freed(&self, pending: &mut [PendingSend]) {
        if self.closed {
            return;
        }
        if let Some(p) = pending.iter_mut().find(|p| !p.granted) {
            p.granted = true;
        }
    }

    /// Nothing more can arrive: every sender is gone, or the channel is
    /// closed and no waiting send holds a slot.
    fn drained(&self, pending: &[PendingSend]) -> bool {
        self.handles + pending.len() == 0 || (self.closed && Self::granted(pending) == 0)
    }
}

fn run_bounded(capacity: usize, ops: &[Op]) -> Result<(), TestCaseError> {
    let mut items = Items::new();
    {
        let (tx, rx) = mpsc::channel::<Item>(capacity);
        let mut senders: Vec<Option<mpsc::Sender<Item>>> =
            (0..SENDERS).map(|_| Some(tx.clone())).collect();
        drop(tx);
        let mut rx = Some(rx);
        let mut pending: Vec<PendingSend> = Vec::new();
        let mut m = BoundedModel {
            capacity,
            queue: VecDeque::new(),
            closed: false,
            rx_dropped: false,
            handles: SENDERS,
        };
        for (step, op) in ops.iter().enumerate() {
            // No waiting send may miss a free slot (after a close they all
            // fail instead).
            prop_assert!(
                m.closed || m.free(&pending) == 0 || pending.iter().all(|p| p.granted),
                "step {step}: a slot is free while a send waits"
            );
            match *op {
                Op::TrySend(i) => {
                    let Some(tx) = &senders[i] else { continue };
                    let item = items.make();
                    let id = item.id;
                    match tx.try_send(item) {
                        Ok(()) => {
                            prop_assert!(
                                !m.closed && m.free(&pending) > 0,
                                "step {step}: try_send Ok"
                            );
                            m.queue.push_back(id);
                        }
                        Err(mpsc::error::TrySendError::Closed(back)) => {
                            prop_assert!(m.closed, "step {step}: try_send Closed while open");
                            prop_assert_eq!(back.id, id);
                        }
                        Err(mpsc::error::TrySendError::Full(back)) => {
                            prop_assert!(!m.closed, "step {step}: Full on a closed channel");
                            prop_assert_eq!(m.free(&pending), 0, "step {}: Full with room", step);
                            prop_assert_eq!(back.id, id);
                        }
                    }
                }
                Op::Send(i) => {
                    let Some(tx) = &senders[i] else { continue };
                    let tx = tx.clone();
                    let item = items.make();
                    let id = item.id;
                    let mut fut: SendFuture = Box::pin(async move { tx.send(item).await });
                    match poll_once(fut.as_mut()) {
                        Poll::Ready(Ok(())) => {
                            prop_assert!(!m.closed && m.free(&pending) > 0, "step {step}: send Ok");
                            m.queue.push_back(id);
                        }
                        Poll::Ready(Err(mpsc::error::SendError(back))) => {
                            prop_assert!(m.closed, "step {step}: send failed while open");
                            prop_assert_eq!(back.id, id);
                        }
                        Poll::Pending => {
                            prop_assert!(
                                !m.closed && m.free(&pending) == 0,
                                "step {step}: send waits"
                            );
                            pending.push(PendingSend {
                                fut,
                                id,
                                granted: false,
                            });
                        }
                    }
                }
                Op::PollPending(k) => {
                    if pending.is_empty() {
                        continue;
                    }
                    let k = k % pending.len();
                    let (id, granted) = (pending[k].id, pending[k].granted);
                    match poll_once(pending[k].fut.as_mut()) {
                        Poll::Ready(Ok(())) => {
                            prop_assert!(
                                granted && !m.closed,
                                "step {step}: a waiting send delivered"
                            );
                            pending.remove(k);
                            m.queue.push_back(id);
                        }
                        Poll::Ready(Err(mpsc::error::SendError(back))) => {
                            prop_assert!(m.closed, "step {step}: a waiting send failed while open");
                            prop_assert_eq!(back.id, id);
                            pending.remove(k);
                            // Its slot (if it had one) goes back.
                        }
                        Poll::Pending => {
                            prop_assert!(
                                !granted && !m.closed,
                                "step {step}: a served send still waits"
                            );
                        }
                    }
                }
                Op::CancelPending(k) => {
                    if pending.is_empty() {
                        continue;
                    }
                    let p = pending.remove(k % pending.len());
                    let granted = p.granted;
                    drop(p); // its value is dropped with it
                    if granted {
                        m.slot_freed(&mut pending);
                    }
                }
                Op::Recv | Op::TryRecv => {
                    let Some(rx) = &mut rx else { continue };
                    let got = receive(op, rx, |rx| poll_once(pin!(rx.recv())), |rx| rx.try_recv());
                    match got {
                        Some(Some(v)) => {
                            prop_assert_eq!(
                                Some(v.id),
                                m.queue.pop_front(),
                                "step {}: received",
                                step
                            );
                            m.slot_freed(&mut pending);
                        }
                        Some(None) => {
                            prop_assert!(
                                m.queue.is_empty(),
                                "step {step}: ended with messages left"
                            );
                            prop_assert!(m.drained(&pending), "step {step}: ended too early");
                        }
                        None => {
                            prop_assert!(
                                m.queue.is_empty(),
                                "step {step}: a message was not returned"
                            );
                            prop_assert!(!m.drained(&pending), "step {step}: waits for nothing");
                        }
                    }
                }
                Op::Close => {
                    let Some(rx) = &mut rx else { continue };
                    rx.close();
                    m.closed = true;
                }
                Op::DropSender(i) => {
                    if senders[i].take().is_some() {
                        m.handles -= 1;
                    }
                }
                Op::DropReceiver => {
                    if rx.take().is_some() {
                        // Its messages are dropped with it.
                        m.queue.clear();
                        m.closed = true;
                        m.rx_dropped = true;
                    }
                }
            }
            if m.rx_dropped {
                for tx in senders.iter().flatten() {
                    prop_assert!(tx.is_closed());
                }
            }
        }
    }
    items.check_each_dropped_once()
}

/// The unbounded channel's model: the messages not yet received.
fn run_unbounded(ops: &[Op]) -> Result<(), TestCaseError> {
    let mut items = Items::new();
    {
        let (tx, rx) = mpsc::unbounded_channel::<Item>();
        let mut senders: Vec<Option<mpsc::UnboundedSender<Item>>> =
            (0..SENDERS).map(|_| Some(tx.clone())).collect();
        drop(tx);
        let mut rx = Some(rx);
        let mut queue = VecDeque::new();
        let mut closed = false;
        let mut handles = SENDERS;
        for (step, op) in ops.iter().enumerate() {
            match *op {
                // Both forms are the same one call on an unbounded channel.
                Op::TrySend(i) | Op::Send(i) => {
                    let Some(tx) = &senders[i] else { continue };
                    let item = items.make();
                    let id = item.id;
                    match tx.send(item) {
                        Ok(()) => {
                            prop_assert!(!closed, "step {step}: sent to a closed channel");
                            queue.push_back(id);
                        }
                        Err(mpsc::error::SendError(back)) => {
                            prop_assert!(closed, "step {step}: send failed while open");
                            prop_assert_eq!(back.id, id);
                        }
                    }
                }
                Op::PollPending(_) | Op::CancelPending(_) => {}
                Op::Recv | Op::TryRecv => {
                    let Some(rx) = &mut rx else { continue };
                    let got = receive(op, rx, |rx| poll_once(pin!(rx.recv())), |rx| rx.try_recv());
                    let drained = handles == 0 || closed;
                    match got {
                        Some(Some(v)) => {
                            prop_assert_eq!(
                                Some(v.id),
                                queue.pop_front(),
                                "step {}: received",
                                step
                            );
                        }
                        Some(None) => {
                            prop_assert!(queue.is_empty() && drained, "step {step}: ended early");
                        }
                        None => {
                            prop_assert!(queue.is_empty() && !drained, "step {step}: waited");
                        }
                    }
                }
                Op::Close => {
                    let Some(rx) = &mut rx else { continue };
                    rx.close();
                    closed = true;
                }
                Op::DropSender(i) => {
                    if senders[i].take().is_some() {
                        handles -= 1;
                    }
                }
                Op::DropReceiver => {
                    if rx.take().is_some() {
                        queue.clear();
                        closed = true;
                    }
                }
            }
        }
    }
    items.check_each_dropped_once()
}

/// What a oneshot sequence does.
#[derive(Clone, Debug)]
enum OneshotOp {
    Send,
    DropSender,
    /// `poll_closed` on the sender, checked against the model.
    PollClosed,
    /// The receiver awaited (polled once, by `&mut`).
    PollRecv,
    TryRecv,
    Close,
    DropReceiver,
}

fn oneshot_ops() -> impl Strategy<Value = Vec<OneshotOp>> {
    let op = prop_oneof![
        Just(OneshotOp::Send),
        Just(OneshotOp::DropSender),
        Just(OneshotOp::PollClosed),
        Just(OneshotOp::PollRecv),
        Just(OneshotOp::TryRecv),
        Just(OneshotOp::Close),
        Just(OneshotOp::DropReceiver),
    ];
    prop::collection::vec(op, 0..12)
}

fn run_oneshot(ops: &[OneshotOp]) -> Result<(), TestCaseError> {
    let mut items = Items::new();
    {
        let (tx, rx) = oneshot::channel::<Item>();
        let (mut tx, mut rx) = (Some(tx), Some(rx));
        // The model: the value sent and not yet taken; whether the sender
        // finished (sent or dropped); the receiver closed (or dropped);
        // the receiver returned its outcome (its handle is spent).
        let mut sent: Option<u32> = None;
        let mut complete = false;
        let mut closed = false;
        let mut done = false;
        for (step, op) in ops.iter().enumerate() {
            match op {
                OneshotOp::Send => {
                    let Some(tx) = tx.take() else { continue };
                    let item = items.make();
                    let id = item.id;
                    complete = true;
                    match tx.send(item) {
                        Ok(()) => {
                            prop_assert!(!closed, "step {step}: a closed receiver took a value");
                            sent = Some(id);
                        }
                        Err(back) => {
                            prop_assert!(closed, "step {step}: refused while open");
                            prop_assert_eq!(back.id, id);
                        }
                    }
                }
                OneshotOp::DropSender => {
                    if tx.take().is_some() {
                        complete = true;
                    }
                }
                OneshotOp::PollClosed => {
                    let Some(tx) = &mut tx else { continue };
                    let ready = tx
                        .poll_closed(&mut Context::from_waker(Waker::noop()))
                        .is_ready();
                    prop_assert_eq!(ready, closed, "step {}: poll_closed", step);
                    prop_assert_eq!(tx.is_closed(), closed);
                }
                OneshotOp::PollRecv | OneshotOp::TryRecv => {
                    let Some(r) = &mut rx else { continue };
                    if done && matches!(op, OneshotOp::PollRecv) {
                        continue; // polling a finished receiver panics
                    }
                    let polled = matches!(op, OneshotOp::PollRecv);
                    // `Ok(value)`, `Err(true)`: ended without one,
                    // `Err(false)`: nothing yet.
                    let got = if polled {
                        match poll_once(Pin::new(&mut *r)) {
                            Poll::Ready(Ok(v)) => Ok(v),
                            Poll::Ready(Err(_)) => Err(true),
                            Poll::Pending => Err(false),
                        }
                    } else {
                        match r.try_recv() {
                            Ok(v) => Ok(v),
                            Err(oneshot::error::TryRecvError::Closed) => Err(true),
                            Err(oneshot::error::TryRecvError::Empty) => Err(false),
                        }
                    };
                    match got {
                        Ok(v) => {
                            prop_assert!(!done, "step {step}: a second outcome");
                            prop_assert_eq!(Some(v.id), sent.take(), "step {}: received", step);
                            done = true;
                        }
                        Err(true) => {
                            prop_assert!(
                                sent.is_none(),
                                "step {step}: a sent value was not returned"
                            );
                            prop_assert!(done || complete || closed, "step {step}: ended early");
                            // Awaiting ends the receiver; `try_recv` only
                            // once the sender's outcome is in.
                            if polled || complete {
                                done = true;
                            }
                        }
                        Err(false) => {
                            prop_assert!(!done && !complete && !closed, "step {step}: waited");
                        }
                    }
                }
                OneshotOp::Close => {
                    let Some(r) = &mut rx else { continue };
                    r.close();
                    // A spent receiver has no channel left to close.
                    if !done {
                        closed = true;
                    }
                }
                OneshotOp::DropReceiver => {
                    if rx.take().is_some() {
                        closed = true;
                        sent = None; // dropped with the receiver
                    }
                }
            }
        }
    }
    items.check_each_dropped_once()
}

#[test]
fn bounded_mpsc_matches_its_model() {
    proptest!(config(), |(capacity in 1..4usize, ops in ops())| {
        run_bounded(capacity, &ops)?;
    });
}

#[test]
fn unbounded_mpsc_matches_its_model() {
    proptest!(config(), |(ops in ops())| {
        run_unbounded(&ops)?;
    });
}

#[test]
fn oneshot_matches_its_model() {
    proptest!(config(), |(ops in oneshot_ops())| {
        run_oneshot(&ops)?;
    });
}
