//! Networking on the runtime's I/O driver: TCP ([`TcpListener`],
//! [`TcpStream`], [`TcpSocket`]), UDP ([`UdpSocket`]), Unix domain sockets
//! ([`UnixListener`], [`UnixStream`], [`UnixDatagram`]) and name
//! resolution ([`lookup_host`], on the blocking pool).
//!
//! Streams implement `futures-io`'s `AsyncRead` and `AsyncWrite`, so the
//! extension traits in `runtime::io` (and every `futures-io` library) work
//! on them. Writes never raise `SIGPIPE`: a closed or reset peer is an
//! `io::Error` (`BrokenPipe` or `ConnectionReset`).
//!
//! ```
//! use runtime_core::io::{AsyncReadExt, AsyncWriteExt};
//! use runtime_net::{TcpListener, TcpStream};
//!
//! let rt = runtime_core::Runtime::new().unwrap();
//! rt.block_on(async {
//!     let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
//!     let addr = listener.local_addr().unwrap();
//!     let server = runtime_core::spawn(async move {
//!         let (mut socket, _) = listener.accept().await.unwrap();
//!         let mut buf = [0; 5];
//!         socket.read_exact(&mut buf).await.unwrap();
//!         socket.write_all(&buf).await.unwrap();
//!     });
//!     let mut client = TcpStream::connect(addr).await.unwrap();
//!     client.write_all(b"hello").await.unwrap();
//!     let mut reply = [0; 5];
//!     client.read_exact(&mut reply).await.unwrap();
//!     assert_eq!(&reply, b"hello");
//!     server.await.unwrap();
//! });
//! ```

#![warn(missing_docs)]
#![warn(clippy::undocumented_unsafe_blocks)]
#![deny(unsafe_op_in_unsafe_fn)]

mod addr;
#[cfg(feature = "hyper")]
pub mod hyper_compat;
mod split;
mod sys;
pub mod tcp;
mod ucred;
mod udp;
pub mod unix;

pub use addr::{lookup_host, ToSocketAddrs};
pub use tcp::{TcpListener, TcpSocket, TcpStream};
pub use udp::UdpSocket;
pub use unix::{UnixDatagram, UnixListener, UnixStream};

/// Compile-time checks that the public types can cross threads.
#[allow(dead_code)]
fn assert_thread_safety() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<TcpListener>();
    send_sync::<TcpStream>();
    send_sync::<TcpSocket>();
    send_sync::<UdpSocket>();
    send_sync::<UnixListener>();
    send_sync::<UnixStream>();
    send_sync::<UnixDatagram>();
    send_sync::<tcp::OwnedReadHalf>();
    send_sync::<tcp::OwnedWriteHalf>();
}
