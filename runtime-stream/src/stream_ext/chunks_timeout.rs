//! [`ChunksTimeout`]: items batched by count or by time, whichever fills
//! first.

use super::fuse::Fuse;
use futures_core::Stream;
use pin_project_lite::pin_project;
use runtime_core::time::{sleep, Duration, Sleep};
use std::fmt;
use std::future::Future;
use std::mem;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

pin_project! {
    /// The stream returned by
    /// [`StreamExt::chunks_timeout`](crate::StreamExt::chunks_timeout).
    ///
    /// ```
    /// use runtime_core::time::Duration;
    /// use runtime_stream::{self as stream, StreamExt};
    ///
    /// let rt = runtime_core::Builder::new_current_thread().enable_all().start_paused(true).build().unwrap();
    /// rt.block_on(async {
    ///     let batches: Vec<Vec<i32>> = stream::iter(1..=5)
    ///         .chunks_timeout(2, Duration::from_secs(1))
    ///         .collect()
    ///         .await;
    ///     assert_eq!(batches, [vec![1, 2], vec![3, 4], vec![5]]);
    /// });
    /// ```
    #[must_use = "streams do nothing unless polled"]
    pub struct ChunksTimeout<S: Stream> {
        #[pin]
        stream: Fuse<S>,
        // When the batch being filled is due (set at its first item).
        #[pin]
        deadline: Sleep,
        duration: Duration,
        items: Vec<S::Item>,
        cap: usize,
    }
}

impl<S: Stream> ChunksTimeout<S> {
    #[track_caller]
    pub(crate) fn new(stream: S, max_size: usize, duration: Duration) -> Self {
        ChunksTimeout {
            stream: Fuse::new(stream),
            deadline: sleep(duration),
            duration,
            items: Vec::with_capacity(max_size),
            cap: max_size,
        }
    }
}

impl<S> fmt::Debug for ChunksTimeout<S>
where
    S: Stream + fmt::Debug,
    S::Item: fmt::Debug,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChunksTimeout")
            .field("stream", &self.stream)
            .field("deadline", &self.deadline)
            .field("duration", &self.duration)
            .field("items", &self.items)
            .field("cap", &self.cap)
            .finish()
    }
}

impl<S: Stream> Stream for ChunksTimeout<S> {
    type Item = Vec<S::Item>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let mut me = self.project();
        loop {
            match me.stream.as_mut().poll_next(cx) {
                Poll::Pending => break,
                Poll::Ready(Some(item)) => {
                    if me.items.is_empty() {
                        // A new batch: its clock starts now.
                        me.deadline
                            .as_mut()
                            .reset(super::timeout::deadline_after(*me.duration));
                        me.items.reserve_exact(*me.cap);
                    }
                    me.items.push(item);
                    if me.items.len() >= *me.cap {
                        return Poll::Ready(Some(mem::take(me.items)));
                    }
                }
                // The stream is fused, so a last partial batch can come
                // before the `None`.
                Poll::Ready(None) if me.items.is_empty() => return Poll::Ready(None),
                Poll::Ready(None) => return Poll::Ready(Some(mem::take(me.items))),
            }
        }
        if me.items.is_empty() {
            return Poll::Pending;
        }
        ready!(me.deadline.poll(cx));
        Poll::Ready(Some(mem::take(me.items)))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let partial = usize::from(!self.items.is_empty());
        let (lower, upper) = self.stream.size_hint();
        (
            (lower / self.cap).saturating_add(partial),
            upper.and_then(|u| u.checked_add(partial)),
        )
    }
}
