//! A futures-io WebSocket library on the runtime with no adapter:
//! async-tungstenite's server and client over `TcpStream`, echoing text
//! and binary messages, on every flavour.

#[macro_use]
mod common;

use async_tungstenite::tungstenite::Message;
use futures::StreamExt;
use runtime::net::{TcpListener, TcpStream};

rt_test! {
    fn websocket_echo(rt) {
        rt.block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let server = runtime::spawn(async move {
                let (tcp, _) = listener.accept().await.unwrap();
                let mut ws = async_tungstenite::accept_async(tcp).await.unwrap();
                let mut count = 0;
                while let Some(msg) = ws.next().await {
                    let msg = msg.unwrap();
                    if msg.is_close() {
                        break;
                    }
                    if msg.is_text() || msg.is_binary() {
                        count += 1;
                        ws.send(msg).await.unwrap();
                    }
                }
                count
            });
            let tcp = TcpStream::connect(addr).await.unwrap();
            let url = format!("ws://{addr}/echo");
            let (mut ws, response) = async_tungstenite::client_async(url, tcp).await.unwrap();
            assert_eq!(response.status(), 101);
            for i in 0..50 {
                ws.send(Message::text(format!("hello {i}"))).await.unwrap();
                let reply = ws.next().await.unwrap().unwrap();
                assert_eq!(reply.into_text().unwrap(), format!("hello {i}"));
            }
            let blob: Vec<u8> = (0..100_000u32).map(|i| (i % 253) as u8).collect();
            ws.send(Message::binary(blob.clone())).await.unwrap();
            let reply = ws.next().await.unwrap().unwrap();
            assert_eq!(reply.into_data(), blob);
            ws.close(None).await.unwrap();
            assert_eq!(server.await.unwrap(), 51);
        });
    }
}
