//! The framed adapters on the runtime's own transports: `duplex` pipes
//! with tiny buffers (so frames are cut across reads and writes stall)
//! and real TCP connections on loopback, driven by spawned tasks with
//! `futures::SinkExt` / `StreamExt` and `runtime_stream::StreamExt`.

use bytes::Bytes;
use futures::{SinkExt, StreamExt};
use runtime_codec::{
    BytesCodec, Decoder, Framed, FramedRead, FramedWrite, LengthDelimitedCodec, LinesCodec,
    LinesCodecError,
};
use runtime_core::io::{duplex, AsyncWriteExt};
use runtime_net::{TcpListener, TcpStream};
use std::io;

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    runtime_core::Runtime::new().unwrap().block_on(future)
}

/// Lines of assorted lengths, some longer than the pipe's buffer.
fn sample_lines() -> Vec<String> {
    (0..300)
        .map(|i| format!("{i}:{}", "x".repeat(i * 7 % 97)))
        .collect()
}

#[test]
fn lines_through_a_seven_byte_pipe() {
    block_on(async {
        let (a, b) = duplex(7);
        let lines = sample_lines();
        let sent = lines.clone();
        let writer = runtime_core::spawn(async move {
            let mut out = FramedWrite::new(a, LinesCodec::new());
            let mut items = futures::stream::iter(sent.into_iter().map(Ok));
            out.send_all(&mut items).await.unwrap();
            SinkExt::<String>::close(&mut out).await.unwrap();
        });

        let received: Vec<String> = FramedRead::new(b, LinesCodec::new())
            .map(Result::unwrap)
            .collect()
            .await;
        writer.await.unwrap();
        assert_eq!(received, lines);
    });
}

#[test]
fn over_long_line_is_reported_then_the_stream_resumes() {
    block_on(async {
        let (mut a, b) = duplex(16);
        let writer = runtime_core::spawn(async move {
            a.write_all(b"short\n").await.unwrap();
            a.write_all(&[b'y'; 100]).await.unwrap();
            a.write_all(b"\nafter\r\n").await.unwrap();
        });
        let mut lines = FramedRead::new(b, LinesCodec::new_with_max_length(10));
        assert_eq!(lines.next().await.unwrap().unwrap(), "short");
        assert!(matches!(
            lines.next().await,
            Some(Err(LinesCodecError::MaxLineLengthExceeded))
        ));
        // As in tokio-util: `None` right after an error...
        assert!(lines.next().await.is_none());
        // ...and polling again carries on past the over-long line.
        assert_eq!(lines.next().await.unwrap().unwrap(), "after");
        writer.await.unwrap();
        assert!(lines.next().await.is_none());
    });
}

#[test]
fn truncated_frame_at_eof_is_an_error() {
    block_on(async {
        let (mut a, b) = duplex(64);
        a.write_all(b"\x00\x00\x00\x02ok\x00\x00\x00\x05ab")
            .await
            .unwrap();
        drop(a);
        let mut frames = FramedRead::new(b, LengthDelimitedCodec::new());
        assert_eq!(&frames.next().await.unwrap().unwrap()[..], b"ok");
        let err = frames.next().await.unwrap().unwrap_err();
        assert_eq!(err.to_string(), "bytes remaining on stream");
        assert!(frames.next().await.is_none());
    });
}

#[test]
fn runtime_stream_ext_works_on_framed_read() {
    use runtime_stream::StreamExt as RtStreamExt;
    block_on(async {
        let input: &[u8] = b"1\n2\n3\n4\n5\n6\n";
        let lines = FramedRead::new(input, LinesCodec::new());
        let numbers = RtStreamExt::map(lines, |line| line.unwrap().parse::<u32>().unwrap());
        let mut evens = RtStreamExt::filter(numbers, |n| n % 2 == 0);
        let mut seen = Vec::new();
        while let Some(n) = RtStreamExt::next(&mut evens).await {
            seen.push(n);
        }
        assert_eq!(seen, [2, 4, 6]);
    });
}

async fn connected_pair() -> (TcpStream, TcpStream) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (client, accepted) = futures::join!(TcpStream::connect(addr), listener.accept());
    (client.unwrap(), accepted.unwrap().0)
}

#[test]
fn length_delimited_echo_over_tcp() {
    block_on(async {
        let (client, server) = connected_pair().await;

        // The server echoes every frame back until the client closes.
        let echo = runtime_core::spawn(async move {
            let mut framed = Framed::new(server, LengthDelimitedCodec::new());
            let mut count = 0usize;
            while let Some(frame) = framed.next().await {
                framed.send(frame.unwrap().freeze()).await.unwrap();
                count += 1;
            }
            count
        });

        // Frames up to 48 KiB, far more in total than the socket buffers
        // hold, sent from one task while this one reads the echoes.
        let payloads: Vec<Bytes> = (0..400)
            .map(|i: usize| Bytes::from(vec![(i % 251) as u8; i * 123 % (48 * 1024)]))
            .collect();
        let (mut sink, mut stream) = Framed::new(client, LengthDelimitedCodec::new()).split();
        let sent = payloads.clone();
        let sender = runtime_core::spawn(async move {
            for payload in sent {
                sink.feed(payload).await.unwrap();
            }
            SinkExt::<Bytes>::close(&mut sink).await.unwrap();
        });

        for (i, expected) in payloads.iter().enumerate() {
            let frame = stream.next().await.unwrap().unwrap();
            assert_eq!(frame.len(), expected.len(), "frame {i}");
            assert_eq!(&frame[..], &expected[..], "frame {i}");
        }
        sender.await.unwrap();
        assert!(stream.next().await.is_none());
        assert_eq!(echo.await.unwrap(), payloads.len());
    });
}

#[test]
fn line_protocol_over_tcp() {
    block_on(async {
        let (client, server) = connected_pair().await;
        let server = runtime_core::spawn(async move {
            let mut framed = LinesCodec::new().framed(server);
            while let Some(line) = framed.next().await {
                let line = line.unwrap();
                let reply = match line.split_once(' ') {
                    Some(("ADD", args)) => args
                        .split(' ')
                        .map(|n| n.parse::<i64>().unwrap())
                        .sum::<i64>()
                        .to_string(),
                    Some(("ECHO", text)) => text.to_owned(),
                    _ => format!("ERR unknown command {line:?}"),
                };
                framed.send(reply).await.unwrap();
            }
        });

        let mut client = Framed::new(client, LinesCodec::new());
        client.send("ADD 1 2 39").await.unwrap();
        assert_eq!(client.next().await.unwrap().unwrap(), "42");
        client.send("ECHO hello there").await.unwrap();
        assert_eq!(client.next().await.unwrap().unwrap(), "hello there");
        client.send("NOPE").await.unwrap();
        assert_eq!(
            client.next().await.unwrap().unwrap(),
            "ERR unknown command \"NOPE\""
        );
        // Closing shuts down the write side: the server's stream ends.
        SinkExt::<&str>::close(&mut client).await.unwrap();
        server.await.unwrap();
        assert!(client.next().await.is_none());
    });
}

#[test]
fn switching_codecs_mid_connection_over_tcp() {
    block_on(async {
        let (client, server) = connected_pair().await;
        let server = runtime_core::spawn(async move {
            let mut framed = Framed::new(server, LinesCodec::new());
            assert_eq!(framed.next().await.unwrap().unwrap(), "BINARY");
            framed.send("OK").await.unwrap();
            // The rest of the connection is length-delimited.
            let mut framed = framed.map_codec(|_| LengthDelimitedCodec::new());
            let frame = framed.next().await.unwrap().unwrap();
            framed.send(frame.freeze()).await.unwrap();
        });

        let mut client = Framed::new(client, LinesCodec::new());
        client.send("BINARY").await.unwrap();
        assert_eq!(client.next().await.unwrap().unwrap(), "OK");
        let mut client = client.map_codec(|_| LengthDelimitedCodec::new());
        client
            .send(Bytes::from_static(&[0, 1, 2, 255]))
            .await
            .unwrap();
        assert_eq!(&client.next().await.unwrap().unwrap()[..], [0, 1, 2, 255]);
        server.await.unwrap();
    });
}

#[test]
fn bytes_codec_copies_a_stream() {
    block_on(async {
        let (client, server) = connected_pair().await;
        let data: Vec<u8> = (0..200_000u32).map(|i| (i * 31 % 256) as u8).collect();
        let to_send = data.clone();
        let writer = runtime_core::spawn(async move {
            let mut out = FramedWrite::new(client, BytesCodec::new());
            for chunk in to_send.chunks(5000) {
                out.feed(Bytes::copy_from_slice(chunk)).await.unwrap();
            }
            SinkExt::<Bytes>::close(&mut out).await.unwrap();
        });
        let mut received = Vec::new();
        let mut chunks = FramedRead::new(server, BytesCodec::new());
        while let Some(chunk) = chunks.next().await {
            received.extend_from_slice(&chunk.unwrap());
        }
        writer.await.unwrap();
        assert_eq!(received.len(), data.len());
        assert!(received == data);
    });
}

#[test]
fn io_errors_convert_into_the_codec_error() {
    // A reader that fails: the error comes out as the decoder's error type.
    struct Broken;
    impl futures::io::AsyncRead for Broken {
        fn poll_read(
            self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
            _: &mut [u8],
        ) -> std::task::Poll<io::Result<usize>> {
            std::task::Poll::Ready(Err(io::ErrorKind::ConnectionAborted.into()))
        }
    }
    block_on(async {
        let mut lines = FramedRead::new(Broken, LinesCodec::new());
        match lines.next().await {
            Some(Err(LinesCodecError::Io(err))) => {
                assert_eq!(err.kind(), io::ErrorKind::ConnectionAborted)
            }
            other => panic!("expected an I/O error, got {other:?}"),
        }
        assert!(lines.next().await.is_none());
    });
}
