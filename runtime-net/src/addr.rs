//! Socket address arguments (whatever Tokio's accept: `SocketAddr`,
//! `(IpAddr, u16)`, `"host:port"`, `(&str, u16)`, `String`, slices) and
//! `lookup_host`, which resolves host names on the blocking pool so a
//! worker never waits for DNS.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};

/// Something that resolves to socket addresses. Sealed: implemented for
/// the address types Tokio accepts.
///
/// ```
/// use runtime_net::{lookup_host, ToSocketAddrs};
/// use std::net::{Ipv4Addr, SocketAddr};
///
/// async fn first_addr(addr: impl ToSocketAddrs) -> SocketAddr {
///     lookup_host(addr).await.unwrap().next().unwrap()
/// }
///
/// # let rt = runtime_core::Runtime::new().unwrap();
/// # rt.block_on(async {
/// let expected: SocketAddr = "127.0.0.1:8080".parse().unwrap();
/// assert_eq!(first_addr("127.0.0.1:8080").await, expected);
/// assert_eq!(first_addr(("127.0.0.1", 8080)).await, expected);
/// assert_eq!(first_addr((Ipv4Addr::LOCALHOST, 8080)).await, expected);
/// assert_eq!(first_addr(expected).await, expected);
/// assert_eq!(first_addr(String::from("127.0.0.1:8080")).await, expected);
/// // Host names are resolved (on the blocking pool).
/// assert!(first_addr("localhost:8080").await.ip().is_loopback());
/// # });
/// ```
pub trait ToSocketAddrs: sealed::Sealed {}

pub(crate) mod sealed {
    use std::io;
    use std::net::SocketAddr;

    /// How an address argument becomes addresses.
    pub enum Resolve {
        /// Known without a lookup.
        Done(io::Result<Vec<SocketAddr>>),
        /// A host name to resolve on the blocking pool.
        Lookup(String),
    }

    pub trait Sealed {
        fn resolve(&self) -> Resolve;
    }
}

use sealed::{Resolve, Sealed};

/// Resolves `host` (`"name:port"`, `("name", port)`, or any address) to
/// socket addresses; host names are looked up on the blocking pool.
///
/// ```
/// # let rt = runtime_core::Runtime::new().unwrap();
/// # rt.block_on(async {
/// let addrs: Vec<_> = runtime_net::lookup_host("127.0.0.1:80").await.unwrap().collect();
/// assert_eq!(addrs, ["127.0.0.1:80".parse().unwrap()]);
/// # });
/// ```
pub async fn lookup_host<T: ToSocketAddrs>(
    host: T,
) -> io::Result<impl Iterator<Item = SocketAddr>> {
    Ok(resolve(&host).await?.into_iter())
}

/// Resolves an address argument; an empty result is an error.
pub(crate) async fn resolve<T: ToSocketAddrs + ?Sized>(addr: &T) -> io::Result<Vec<SocketAddr>> {
    let addrs = match addr.resolve() {
        Resolve::Done(r) => r?,
        Resolve::Lookup(host) => runtime_core::spawn_blocking(move || {
            std::net::ToSocketAddrs::to_socket_addrs(&host).map(|it| it.collect::<Vec<_>>())
        })
        .await
        .map_err(|e| io::Error::other(format!("address lookup task failed: {e}")))??,
    };
    if addrs.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "could not resolve to any addresses",
        ));
    }
    Ok(addrs)
}

/// Runs `f` on each address in turn; the first success wins, otherwise
/// the last error is returned.
pub(crate) async fn each_addr<T, F, Fut, R>(addr: &T, mut f: F) -> io::Result<R>
where
    T: ToSocketAddrs + ?Sized,
    F: FnMut(SocketAddr) -> Fut,
    Fut: std::future::Future<Output = io::Result<R>>,
{
    let mut last = None;
    for a in resolve(addr).await? {
        match f(a).await {
            Ok(r) => return Ok(r),
            Err(e) => last = Some(e),
        }
    }
    Err(last.expect("resolve returns at least one address"))
}

macro_rules! done {
    ($($t:ty => |$s:ident| $e:expr;)*) => {$(
        impl ToSocketAddrs for $t {}
        impl Sealed for $t {
            fn resolve(&self) -> Resolve {
                let $s = self;
                Resolve::Done(Ok($e))
            }
        }
    )*};
}

done! {
    SocketAddr => |s| vec![*s];
    SocketAddrV4 => |s| vec![SocketAddr::V4(*s)];
    SocketAddrV6 => |s| vec![SocketAddr::V6(*s)];
    (IpAddr, u16) => |s| vec![SocketAddr::new(s.0, s.1)];
    (Ipv4Addr, u16) => |s| vec![SocketAddr::new(IpAddr::V4(s.0), s.1)];
    (Ipv6Addr, u16) => |s| vec![SocketAddr::new(IpAddr::V6(s.0), s.1)];
    [SocketAddr] => |s| s.to_vec();
    Vec<SocketAddr> => |s| s.clone();
}

impl<const N: usize> ToSocketAddrs for [SocketAddr; N] {}
impl<const N: usize> Sealed for [SocketAddr; N] {
    fn resolve(&self) -> Resolve {
        Resolve::Done(Ok(self.to_vec()))
    }
}

impl ToSocketAddrs for str {}
impl Sealed for str {
    fn resolve(&self) -> Resolve {
        match self.parse::<SocketAddr>() {
            Ok(a) => Resolve::Done(Ok(vec![a])),
            Err(_) => Resolve::Lookup(self.to_owned()),
        }
    }
}

impl ToSocketAddrs for String {}
impl Sealed for String {
    fn resolve(&self) -> Resolve {
        self.as_str().resolve()
    }
}

impl ToSocketAddrs for (&str, u16) {}
impl Sealed for (&str, u16) {
    fn resolve(&self) -> Resolve {
        match self.0.parse::<IpAddr>() {
            Ok(ip) => Resolve::Done(Ok(vec![SocketAddr::new(ip, self.1)])),
            Err(_) => Resolve::Lookup(format!("{}:{}", self.0, self.1)),
        }
    }
}

impl ToSocketAddrs for (String, u16) {}
impl Sealed for (String, u16) {
    fn resolve(&self) -> Resolve {
        (self.0.as_str(), self.1).resolve()
    }
}

impl<T: ToSocketAddrs + ?Sized> ToSocketAddrs for &T {}
impl<T: ToSocketAddrs + ?Sized> Sealed for &T {
    fn resolve(&self) -> Resolve {
        (**self).resolve()
    }
}
