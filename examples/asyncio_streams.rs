//! asyncio's async iterators and async generators: `__aiter__` /
//! `__anext__`, `async def ... yield`, `async for`, and async
//! comprehensions.
//!
//! ```python
//! import asyncio
//!
//! class Countdown:                         # an async iterator
//!     def __init__(self, n): self.n = n
//!     def __aiter__(self): return self
//!     async def __anext__(self):
//!         if self.n == 0:
//!             raise StopAsyncIteration
//!         self.n -= 1
//!         return self.n + 1
//!
//! async def squares(n):                    # an async generator
//!     for i in range(n):
//!         await asyncio.sleep(0)
//!         yield i * i
//!
//! async def main():
//!     print([x async for x in Countdown(3)])                     # [3, 2, 1]
//!     print([x + 1 async for x in squares(6) if x % 2 == 0])     # [1, 5, 17]
//!     async for x in squares(1000):
//!         if x > 50:
//!             break                        # the generator is closed
//!
//! asyncio.run(main())
//! ```
//!
//! ```text
//! cargo run --example asyncio_streams
//! ```

use runtime::stream::{Stream, StreamExt};
use runtime::sync::mpsc;
use std::pin::Pin;
use std::task::{Context, Poll};

/// `__aiter__`/`__anext__`: implement `Stream`. `Ready(None)` is
/// `StopAsyncIteration`.
struct Countdown(u32);

impl Stream for Countdown {
    type Item = u32;

    fn poll_next(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Option<u32>> {
        if self.0 == 0 {
            return Poll::Ready(None);
        }
        self.0 -= 1;
        Poll::Ready(Some(self.0 + 1))
    }
}

/// An async generator: a task that `yield`s into a bounded channel. The
/// receiver is a `Stream`. With capacity 1 the generator runs at most one
/// item ahead; when the consumer drops the stream, `send` fails and the
/// generator stops (asyncio's `aclose()`).
fn squares(n: u64) -> mpsc::Receiver<u64> {
    let (tx, rx) = mpsc::channel(1);
    runtime::spawn(async move {
        for i in 0..n {
            runtime::task::yield_now().await;
            if tx.send(i * i).await.is_err() {
                break; // the consumer went away
            }
        }
    });
    rx
}

#[runtime::main]
async fn main() {
    // [x async for x in Countdown(3)]
    let all: Vec<u32> = Countdown(3).collect().await;
    assert_eq!(all, [3, 2, 1]);
    println!("Countdown(3): {all:?}");

    // [x + 1 async for x in squares(6) if x % 2 == 0]
    let even: Vec<u64> = squares(6)
        .filter(|x| x % 2 == 0)
        .map(|x| x + 1)
        .collect()
        .await;
    assert_eq!(even, [1, 5, 17]);
    println!("async comprehension: {even:?}");

    // async for ... break: `while let Some(x) = stream.next().await`.
    let mut stream = squares(1000);
    let mut last = 0;
    while let Some(x) = stream.next().await {
        if x > 50 {
            break;
        }
        last = x;
    }
    drop(stream); // closes the generator: its next send fails, it returns
    assert_eq!(last, 49);
    println!("async for with break: last square below 50 is {last}");

    // Combinators (runtime::stream's StreamExt, tokio-stream's): take, fold, ...
    let total = squares(10).take(4).fold(0, |acc, x| acc + x).await;
    assert_eq!(total, 1 + 4 + 9);
    println!("take(4).fold: {total}");
}
