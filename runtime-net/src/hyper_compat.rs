//! hyper 1.x on this runtime (feature `hyper`): the executor, the timer,
//! and hyper's `Read`/`Write` I/O traits for [`TcpStream`](crate::TcpStream)
//! and [`UnixStream`](crate::UnixStream) directly (no adapter type, and
//! reads go straight into hyper's uninitialised buffer: no zero-fill).
//!
//! ```no_run
//! use runtime_net::hyper_compat::{HyperExecutor, HyperTimer};
//! use runtime_net::TcpListener;
//! # use std::convert::Infallible;
//!
//! # async fn serve() -> std::io::Result<()> {
//! let listener = TcpListener::bind("127.0.0.1:3000").await?;
//! loop {
//!     let (stream, _) = listener.accept().await?;
//!     runtime_core::spawn(async move {
//!         let service = hyper::service::service_fn(|_req| async {
//!             Ok::<_, Infallible>(hyper::Response::new(String::from("Hello, world!")))
//!         });
//!         // `stream` is used as hyper's I/O as it is.
//!         let _ = hyper::server::conn::http1::Builder::new()
//!             .timer(HyperTimer)
//!             .serve_connection(stream, service)
//!             .await;
//!     });
//! }
//! # }
//! ```
//!
//! With hyper-util's `server::conn::auto::Builder::new(HyperExecutor)` the
//! same loop serves HTTP/1.1 and HTTP/2 (`examples/hyper_server.rs`).

use crate::split::SplitStream;
use runtime_core::time::{sleep, sleep_until, Instant, Sleep};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

/// hyper's executor: spawns the tasks hyper asks for (HTTP/2 streams and
/// connection drivers) on the current runtime with `runtime::spawn`.
///
/// # Panics
/// When hyper calls it outside a runtime (it only does so from inside the
/// connection future, which runs on the runtime).
///
/// ```
/// use hyper::rt::Executor;
/// use runtime_net::hyper_compat::HyperExecutor;
///
/// # let rt = runtime_core::Runtime::new().unwrap();
/// # rt.block_on(async {
/// let metrics = runtime_core::Handle::current().metrics();
/// // What hyper does with an HTTP/2 stream or a connection driver:
/// HyperExecutor.execute(async { /* ... */ });
/// assert_eq!(metrics.spawned_tasks_count(), 1); // a task of its own
/// # });
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct HyperExecutor;

impl<F> hyper::rt::Executor<F> for HyperExecutor
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    fn execute(&self, future: F) {
        drop(runtime_core::spawn(future));
    }
}

/// hyper's timer on the runtime's timer wheel (header-read timeouts,
/// keep-alive intervals). `reset` moves the existing timer in place
/// instead of allocating a new one.
///
/// One HTTP/1.1 exchange over a socket pair, with a header-read timeout
/// (which needs the timer):
///
/// ```
/// use hyper::server::conn::http1;
/// use hyper::service::service_fn;
/// use runtime_core::io::{AsyncReadExt, AsyncWriteExt};
/// use runtime_net::hyper_compat::HyperTimer;
/// use runtime_net::UnixStream;
/// use std::convert::Infallible;
/// use std::time::Duration;
///
/// # let rt = runtime_core::Runtime::new().unwrap();
/// # rt.block_on(async {
/// let (server_io, mut client) = UnixStream::pair().unwrap();
/// let server = runtime_core::spawn(async move {
///     let service = service_fn(|_req| async {
///         Ok::<_, Infallible>(hyper::Response::new(String::from("hello")))
///     });
///     http1::Builder::new()
///         .timer(HyperTimer)
///         .header_read_timeout(Duration::from_secs(5))
///         .serve_connection(server_io, service)
///         .await
/// });
/// client.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").await.unwrap();
/// let mut response = String::new();
/// client.read_to_string(&mut response).await.unwrap();
/// assert!(response.starts_with("HTTP/1.1 200 OK\r\n"));
/// assert!(response.ends_with("\r\n\r\nhello"));
/// server.await.unwrap().unwrap();
/// # });
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct HyperTimer;

pin_project_lite::pin_project! {
    /// A [`Sleep`] as hyper's `Sleep`.
    ///
    /// ```
    /// use hyper::rt::Timer;
    /// use runtime_core::time::{Duration, Instant};
    /// use runtime_net::hyper_compat::{HyperSleep, HyperTimer};
    ///
    /// let rt = runtime_core::Builder::new_current_thread()
    ///     .enable_all()
    ///     .start_paused(true)
    ///     .build()
    ///     .unwrap();
    /// rt.block_on(async {
    ///     let mut sleep = HyperTimer.sleep(Duration::from_secs(60));
    ///     assert!(sleep.as_mut().downcast_mut_pin::<HyperSleep>().is_some());
    ///     // hyper moves a deadline (keep-alive, header timeouts) with `reset`.
    ///     let sooner = Instant::now() + Duration::from_secs(1);
    ///     HyperTimer.reset(&mut sleep, sooner.into_std());
    ///     sleep.await;
    ///     assert!(Instant::now() < sooner + Duration::from_secs(1));
    /// });
    /// ```
    #[derive(Debug)]
    pub struct HyperSleep {
        #[pin]
        inner: Sleep,
    }
}

impl Future for HyperSleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.project().inner.poll(cx)
    }
}

impl hyper::rt::Sleep for HyperSleep {}

impl hyper::rt::Timer for HyperTimer {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn hyper::rt::Sleep>> {
        Box::pin(HyperSleep {
            inner: sleep(duration),
        })
    }

    fn sleep_until(&self, deadline: std::time::Instant) -> Pin<Box<dyn hyper::rt::Sleep>> {
        Box::pin(HyperSleep {
            inner: sleep_until(Instant::from_std(deadline)),
        })
    }

    fn reset(&self, sleep: &mut Pin<Box<dyn hyper::rt::Sleep>>, new_deadline: std::time::Instant) {
        match sleep.as_mut().downcast_mut_pin::<HyperSleep>() {
            Some(ours) => ours.project().inner.reset(Instant::from_std(new_deadline)),
            None => *sleep = self.sleep_until(new_deadline),
        }
    }
}

/// hyper's `Read`/`Write` for a stream type, through its
/// [`SplitStream`] methods. A macro, because a blanket
/// `impl<S: SplitStream> hyper::rt::Read for S` is an impl of a foreign
/// trait for any type, which Rust does not allow.
macro_rules! hyper_io {
    ($stream:ty) => {
        impl hyper::rt::Read for $stream {
            fn poll_read(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                mut buf: hyper::rt::ReadBufCursor<'_>,
            ) -> Poll<std::io::Result<()>> {
                // SAFETY: the slice is only written by `recv`, which never
                // de-initialises memory, and `advance` below covers exactly
                // the bytes the kernel reported as written.
                let unfilled = unsafe { buf.as_mut() };
                let n = std::task::ready!(self.poll_recv_uninit(cx, unfilled))?;
                // SAFETY: `recv` initialised the first `n` bytes.
                unsafe { buf.advance(n) };
                Poll::Ready(Ok(()))
            }
        }

        impl hyper::rt::Write for $stream {
            fn poll_write(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &[u8],
            ) -> Poll<std::io::Result<usize>> {
                self.poll_send(cx, buf)
            }

            fn poll_write_vectored(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                bufs: &[std::io::IoSlice<'_>],
            ) -> Poll<std::io::Result<usize>> {
                self.poll_send_vectored(cx, bufs)
            }

            fn is_write_vectored(&self) -> bool {
                true
            }

            fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
                // Writes go straight to the socket: nothing is buffered.
                Poll::Ready(Ok(()))
            }

            fn poll_shutdown(
                self: Pin<&mut Self>,
                _: &mut Context<'_>,
            ) -> Poll<std::io::Result<()>> {
                Poll::Ready(self.shutdown_write())
            }
        }
    };
}

hyper_io!(crate::TcpStream);
hyper_io!(crate::UnixStream);
