//! The simple sources [`once`], [`empty`] and [`pending`] (`futures-lite`'s
//! streams, under `tokio-stream`'s names).

pub use futures_lite::stream::{Empty, Once, Pending};

/// A stream that yields `value` once, then ends.
///
/// ```
/// use runtime_stream::{self as stream, StreamExt};
///
/// runtime_core::Runtime::new().unwrap().block_on(async {
///     let mut one = stream::once(1);
///     assert_eq!(one.next().await, Some(1));
///     assert_eq!(one.next().await, None);
/// });
/// ```
pub fn once<T>(value: T) -> Once<T> {
    futures_lite::stream::once(value)
}

/// A stream that ends at once, without yielding anything.
///
/// ```
/// use runtime_stream::{self as stream, StreamExt};
///
/// runtime_core::Runtime::new().unwrap().block_on(async {
///     let mut none = stream::empty::<i32>();
///     assert_eq!(none.next().await, None);
/// });
/// ```
pub fn empty<T>() -> Empty<T> {
    futures_lite::stream::empty()
}

/// A stream that never yields and never ends (always `Pending`).
///
/// ```
/// use runtime_stream::{self as stream, StreamExt};
/// use std::time::Duration;
///
/// let rt = runtime_core::Builder::new_current_thread()
///     .enable_all()
///     .start_paused(true)
///     .build()
///     .unwrap();
/// rt.block_on(async {
///     let mut never = stream::pending::<i32>();
///     let waited = runtime_core::time::timeout(Duration::from_secs(1), never.next()).await;
///     assert!(waited.is_err());
/// });
/// ```
pub fn pending<T>() -> Pending<T> {
    futures_lite::stream::pending()
}
