//! `Stream` implementations for the runtime's types that produce values
//! one after another (`tokio_stream::wrappers`): channel receivers,
//! `Interval`, listeners, line and segment readers, and directory
//! listings.
//!
//! ```
//! use runtime_stream::{wrappers::ReceiverStream, StreamExt};
//! use runtime_sync::mpsc;
//!
//! runtime_core::Runtime::new().unwrap().block_on(async {
//!     let (tx, rx) = mpsc::channel(4);
//!     tx.send(1).await.unwrap();
//!     tx.send(2).await.unwrap();
//!     drop(tx);
//!     let doubled: Vec<i32> = ReceiverStream::new(rx).map(|x| x * 2).collect().await;
//!     assert_eq!(doubled, [2, 4]);
//! });
//! ```

mod broadcast;
mod interval;
mod lines;
mod mpsc;
mod net;
mod read_dir;
mod watch;

pub use broadcast::BroadcastStream;
pub use interval::IntervalStream;
pub use lines::{LinesStream, SplitStream};
pub use mpsc::{ReceiverStream, UnboundedReceiverStream};
pub use net::{TcpListenerStream, UnixListenerStream};
pub use read_dir::ReadDirStream;
pub use watch::WatchStream;

pub mod errors {
    //! The errors the wrapper streams yield
    //! (`tokio_stream::wrappers::errors`).
    //!
    //! ```
    //! use runtime_stream::wrappers::errors::BroadcastStreamRecvError;
    //!
    //! let err = BroadcastStreamRecvError::Lagged(3);
    //! assert_eq!(err.to_string(), "channel lagged by 3");
    //! ```

    pub use super::broadcast::BroadcastStreamRecvError;
}
