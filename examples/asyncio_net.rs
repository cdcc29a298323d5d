//! asyncio's streams (`asyncio.start_server`, `open_connection`,
//! `StreamReader.readline`, `StreamWriter.write` / `drain` / `close`): a
//! line-based TCP server and client on 127.0.0.1.
//!
//! ```python
//! import asyncio
//!
//! async def handle(reader, writer):
//!     while line := await reader.readline():
//!         writer.write(line.upper())
//!         await writer.drain()
//!     writer.close()
//!
//! async def main():
//!     server = await asyncio.start_server(handle, "127.0.0.1", 0)
//!     port = server.sockets[0].getsockname()[1]
//!     reader, writer = await asyncio.open_connection("127.0.0.1", port)
//!     for word in ("hello", "asyncio"):
//!         writer.write(f"{word}\n".encode())
//!         print(await reader.readline())
//!     writer.close()
//!     await writer.wait_closed()
//!
//! asyncio.run(main())
//! ```
//!
//! For HTTP (aiohttp's ground), see `examples/fetch_many.rs` (a client
//! fetching many URLs with timeouts) and `examples/http_hello.rs` (a
//! server).
//!
//! ```text
//! cargo run --example asyncio_net
//! ```

use runtime::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use runtime::net::{TcpListener, TcpStream};
use std::io;

/// handle(reader, writer): one task per connection.
async fn handle(stream: TcpStream) -> io::Result<()> {
    let (reader, mut writer) = stream.into_split();
    let mut reader = BufReader::new(reader);
    let mut line = String::new();
    while reader.read_line(&mut line).await? != 0 {
        writer.write_all(line.to_uppercase().as_bytes()).await?;
        line.clear();
    }
    writer.close().await // the write side only, as writer.close()
}

#[runtime::main]
async fn main() -> io::Result<()> {
    // asyncio.start_server(handle, "127.0.0.1", 0)
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let server = runtime::spawn(async move {
        while let Ok((stream, _peer)) = listener.accept().await {
            runtime::spawn(handle(stream));
        }
    });

    // asyncio.open_connection(host, port)
    let stream = TcpStream::connect(addr).await?;
    let (reader, mut writer) = stream.into_split();
    let mut reader = BufReader::new(reader);
    let mut replies = Vec::new();
    for word in ["hello", "asyncio"] {
        writer.write_all(format!("{word}\n").as_bytes()).await?;
        let mut reply = String::new();
        reader.read_line(&mut reply).await?;
        replies.push(reply.trim_end().to_string());
    }
    assert_eq!(replies, ["HELLO", "ASYNCIO"]);
    println!("replies: {replies:?}");

    // writer.close(): the server sees EOF, closes its side, and we see EOF.
    writer.close().await?;
    let mut rest = String::new();
    assert_eq!(reader.read_line(&mut rest).await?, 0);
    println!("closed: the server saw EOF and closed its side");

    server.abort(); // server.close()
    Ok(())
}
