mod client;
pub use client::{Client, Message, Subscriber};

mod blocking_client;
pub use blocking_client::BlockingClient;

mod buffered_client;
pub use buffered_client::BufferedClient;
