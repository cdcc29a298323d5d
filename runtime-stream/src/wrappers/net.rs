//! [`TcpListenerStream`] and [`UnixListenerStream`]: listeners as streams
//! of accepted connections.

use futures_core::Stream;
use runtime_net::{TcpListener, TcpStream, UnixListener, UnixStream};
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

/// A [`runtime_net::TcpListener`] as a [`Stream`] of accepted connections
/// (`io::Result<TcpStream>`; it never ends, and an accept error does not
/// end it).
///
/// ```
/// use runtime_net::{TcpListener, TcpStream};
/// use runtime_stream::{wrappers::TcpListenerStream, StreamExt};
///
/// runtime_core::Runtime::new().unwrap().block_on(async {
///     let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
///     let addr = listener.local_addr().unwrap();
///     let mut incoming = TcpListenerStream::new(listener);
///     let client = TcpStream::connect(addr).await.unwrap();
///     let server_side = incoming.next().await.unwrap().unwrap();
///     assert_eq!(server_side.peer_addr().unwrap(), client.local_addr().unwrap());
/// });
/// ```
#[derive(Debug)]
pub struct TcpListenerStream {
    inner: TcpListener,
}

impl TcpListenerStream {
    /// Wraps `listener`.
    ///
    /// ```
    /// use runtime_net::TcpListener;
    /// use runtime_stream::wrappers::TcpListenerStream;
    ///
    /// runtime_core::Runtime::new().unwrap().block_on(async {
    ///     let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    ///     let incoming = TcpListenerStream::new(listener);
    ///     assert!(incoming.as_ref().local_addr().is_ok());
    /// });
    /// ```
    pub fn new(listener: TcpListener) -> Self {
        TcpListenerStream { inner: listener }
    }

    /// The listener back.
    ///
    /// ```
    /// use runtime_net::TcpListener;
    /// use runtime_stream::wrappers::TcpListenerStream;
    ///
    /// runtime_core::Runtime::new().unwrap().block_on(async {
    ///     let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    ///     let addr = listener.local_addr().unwrap();
    ///     let listener = TcpListenerStream::new(listener).into_inner();
    ///     assert_eq!(listener.local_addr().unwrap(), addr);
    /// });
    /// ```
    pub fn into_inner(self) -> TcpListener {
        self.inner
    }
}

impl Stream for TcpListenerStream {
    type Item = io::Result<TcpStream>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner
            .poll_accept(cx)
            .map(|accepted| Some(accepted.map(|(stream, _)| stream)))
    }
}

impl AsRef<TcpListener> for TcpListenerStream {
    fn as_ref(&self) -> &TcpListener {
        &self.inner
    }
}

impl AsMut<TcpListener> for TcpListenerStream {
    fn as_mut(&mut self) -> &mut TcpListener {
        &mut self.inner
    }
}

/// A [`runtime_net::UnixListener`] as a [`Stream`] of accepted connections
/// (`io::Result<UnixStream>`; it never ends, and an accept error does not
/// end it).
///
/// ```
/// use runtime_net::{UnixListener, UnixStream};
/// use runtime_stream::{wrappers::UnixListenerStream, StreamExt};
///
/// runtime_core::Runtime::new().unwrap().block_on(async {
///     let path = std::env::temp_dir().join(format!("uls-doc-{}.sock", std::process::id()));
///     let _ = std::fs::remove_file(&path);
///     let mut incoming = UnixListenerStream::new(UnixListener::bind(&path).unwrap());
///     let _client = UnixStream::connect(&path).await.unwrap();
///     assert!(incoming.next().await.unwrap().is_ok());
///     std::fs::remove_file(&path).unwrap();
/// });
/// ```
#[derive(Debug)]
pub struct UnixListenerStream {
    inner: UnixListener,
}

impl UnixListenerStream {
    /// Wraps `listener`.
    ///
    /// ```
    /// use runtime_net::UnixListener;
    /// use runtime_stream::wrappers::UnixListenerStream;
    ///
    /// runtime_core::Runtime::new().unwrap().block_on(async {
    ///     let path = std::env::temp_dir().join(format!("uls-new-doc-{}.sock", std::process::id()));
    ///     let _ = std::fs::remove_file(&path);
    ///     let incoming = UnixListenerStream::new(UnixListener::bind(&path).unwrap());
    ///     assert!(incoming.as_ref().local_addr().is_ok());
    ///     std::fs::remove_file(&path).unwrap();
    /// });
    /// ```
    pub fn new(listener: UnixListener) -> Self {
        UnixListenerStream { inner: listener }
    }

    /// The listener back.
    ///
    /// ```
    /// use runtime_net::UnixListener;
    /// use runtime_stream::wrappers::UnixListenerStream;
    ///
    /// runtime_core::Runtime::new().unwrap().block_on(async {
    ///     let path = std::env::temp_dir().join(format!("uls-inner-doc-{}.sock", std::process::id()));
    ///     let _ = std::fs::remove_file(&path);
    ///     let incoming = UnixListenerStream::new(UnixListener::bind(&path).unwrap());
    ///     let listener: UnixListener = incoming.into_inner();
    ///     assert!(listener.local_addr().is_ok());
    ///     std::fs::remove_file(&path).unwrap();
    /// });
    /// ```
    pub fn into_inner(self) -> UnixListener {
        self.inner
    }
}

impl Stream for UnixListenerStream {
    type Item = io::Result<UnixStream>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner
            .poll_accept(cx)
            .map(|accepted| Some(accepted.map(|(stream, _)| stream)))
    }
}

impl AsRef<UnixListener> for UnixListenerStream {
    fn as_ref(&self) -> &UnixListener {
        &self.inner
    }
}

impl AsMut<UnixListener> for UnixListenerStream {
    fn as_mut(&mut self) -> &mut UnixListener {
        &mut self.inner
    }
}
