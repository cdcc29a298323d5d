//! Attribute macros that run an `async fn` on the `runtime` crate's scheduler:
//! `#[runtime::main]` for a program's entry point and `#[runtime::test]` for
//! tests.
//!
//! Use them through the `runtime` crate, which re-exports them as
//! `runtime::main` and `runtime::test`; the code they generate names
//! `::runtime::Builder`, so this crate is not meant to be used on its own
//! (the `crate = "path"` argument covers a renamed `runtime` dependency).
//! The examples below are doctests run against `runtime` (a
//! dev-dependency of this crate).

#![warn(missing_docs)]

mod args;
mod expand;

use proc_macro::TokenStream;

mod select;

use crate::args::Kind;

/// Runs an `async fn main` on a `runtime` scheduler.
///
/// The function keeps its name, visibility, attributes and return type but
/// loses `async`; its body becomes a future that a freshly built runtime
/// blocks on:
///
/// ```
/// #[runtime::main]
/// async fn main() {
///     let answer = runtime::spawn(async { 6 * 7 }).await.unwrap();
///     println!("{answer}");
/// }
/// ```
///
/// expands to roughly
///
/// ```text
/// fn main() {
///     let body = async move {
///         let answer = runtime::spawn(async { 6 * 7 }).await.unwrap();
///         println!("{answer}");
///     };
///     ::runtime::Builder::new_multi_thread()
///         .enable_all()
///         .build()
///         .expect("Failed building the Runtime")
///         .block_on(body)
/// }
/// ```
///
/// The function may return any type, for instance a `Result` so that `?`
/// works in the body:
///
/// ```
/// #[runtime::main(flavor = "current_thread")]
/// async fn main() -> Result<(), Box<dyn std::error::Error>> {
///     let n: u32 = "42".parse()?;
///     assert_eq!(n, 42);
///     Ok(())
/// }
/// ```
///
/// # Arguments
///
/// All are optional and written `name = value`, separated by commas:
///
/// - `flavor = "multi_thread"` (the default) or `flavor = "current_thread"`:
///   which builder to start from, `Builder::new_multi_thread()` or
///   `Builder::new_current_thread()`.
/// - `worker_threads = N`: a positive integer literal passed to
///   `Builder::worker_threads`; only with the `multi_thread` flavor. Without
///   it the builder's default applies.
/// - `start_paused = true | false`: passed to `Builder::start_paused`; only
///   with the `current_thread` flavor.
/// - `crate = "path"`: where the `runtime` crate is, for a renamed
///   dependency; `::runtime` by default.
///
/// ```
/// #[runtime::main(flavor = "multi_thread", worker_threads = 4)]
/// async fn main() {
///     println!("running on four workers");
/// }
/// ```
///
/// # Errors
///
/// Misuse is a compile error pointing at the offending tokens: a function
/// that is not `async`, takes arguments or is generic; an unknown, duplicated
/// or ill-typed argument; `worker_threads = 0`; `worker_threads` with
/// `current_thread` or `start_paused` with `multi_thread`.
#[proc_macro_attribute]
pub fn main(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::expand(Kind::Main, args.into(), item.into()).into()
}

/// Runs an `async fn` test on a `runtime` scheduler.
///
/// The function becomes a plain `#[test]` function with the same name,
/// attributes (such as `#[should_panic]`) and return type,
/// whose body builds a runtime and blocks on the original body. Each test
/// gets its own runtime.
///
/// ```
/// #[runtime::test]
/// async fn adds() {
///     let sum = runtime::spawn(async { 1 + 2 }).await.unwrap();
///     assert_eq!(sum, 3);
/// }
///
/// #[runtime::test(flavor = "multi_thread", worker_threads = 2)]
/// async fn on_two_workers() -> Result<(), String> {
///     let handle = runtime::spawn(async { "done".to_string() });
///     let text = handle.await.map_err(|e| e.to_string())?;
///     assert_eq!(text, "done");
///     Ok(())
/// }
///
/// #[runtime::test]
/// #[should_panic(expected = "boom")]
/// async fn panics() {
///     panic!("boom");
/// }
/// # fn main() {}
/// ```
///
/// # Arguments
///
/// The same as [`macro@main`], except that the default flavor is
/// `"current_thread"`:
///
/// - `flavor = "current_thread"` (the default) or `flavor = "multi_thread"`.
/// - `worker_threads = N` (positive integer literal, `multi_thread` only).
/// - `start_paused = true | false` (`current_thread` only): passed to
///   `Builder::start_paused`, for tests that control time.
/// - `crate = "path"`: where the `runtime` crate is; `::runtime` by default.
///
/// # Errors
///
/// The same misuse as for [`macro@main`] is a compile error, and so is a
/// second test attribute (`#[test]`, `#[tokio::test]`, ...) on the same
/// function, which would otherwise make it run twice or not compile.
#[proc_macro_attribute]
pub fn test(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::expand(Kind::Test, args.into(), item.into()).into()
}

/// The engine behind `runtime::select!` (use that: it passes the facade's
/// path in front of the branches).
#[doc(hidden)]
#[proc_macro]
pub fn select_internal(input: TokenStream) -> TokenStream {
    select::expand(input.into()).into()
}
