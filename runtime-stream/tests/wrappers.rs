//! The `wrappers`: channel receivers, listeners, line and segment readers,
//! and `ReadDirStream`.

use futures_core::FusedStream;
use futures_io::AsyncRead;
use futures_lite::future::poll_once;
use runtime_core::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use runtime_net::{TcpListener, TcpStream, UnixListener, UnixStream};
use runtime_stream::wrappers::errors::BroadcastStreamRecvError;
use runtime_stream::wrappers::{
    BroadcastStream, LinesStream, ReadDirStream, ReceiverStream, SplitStream, TcpListenerStream,
    UnboundedReceiverStream, UnixListenerStream, WatchStream,
};
use runtime_stream::{Stream, StreamExt};
use runtime_sync::{broadcast, mpsc, watch};
use std::collections::VecDeque;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    runtime_core::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

#[test]
fn receiver_stream_drains_then_ends() {
    block_on(async {
        let (tx, rx) = mpsc::channel(4);
        let mut s = ReceiverStream::new(rx);
        assert_eq!(poll_once(s.next()).await, None, "empty and open: pending");
        tx.send(1).await.unwrap();
        tx.send(2).await.unwrap();
        assert_eq!(s.size_hint(), (2, None));
        assert_eq!(s.as_ref().len(), 2);
        assert_eq!(s.next().await, Some(1));
        s.close();
        assert!(tx.send(3).await.is_err(), "closed: no more sends");
        assert_eq!(s.next().await, Some(2), "queued before the close");
        assert_eq!(s.next().await, None);
        assert!(s.is_terminated());
        assert_eq!(s.size_hint(), (0, Some(0)));
        assert_eq!(s.next().await, None);
        assert!(s.into_inner().is_closed());
    });
}

#[test]
fn unbounded_receiver_stream_and_from() {
    block_on(async {
        let (tx, rx) = mpsc::unbounded_channel();
        let mut s: UnboundedReceiverStream<u8> = rx.into();
        tx.send(7).unwrap();
        tx.send(8).unwrap();
        drop(tx);
        assert_eq!(s.size_hint(), (2, Some(2)), "closed: exact");
        assert!(!s.is_terminated());
        let all: Vec<u8> = (&mut s).collect().await;
        assert_eq!(all, [7, 8]);
        assert!(s.is_terminated());
        assert!(s.as_mut().is_closed());

        let (tx, rx) = mpsc::channel(1);
        let s = ReceiverStream::from(rx);
        tx.try_send('q').unwrap();
        assert_eq!(s.into_inner().try_recv(), Ok('q'));
    });
}

#[test]
fn broadcast_stream_reports_lag_and_goes_on() {
    block_on(async {
        let (tx, rx) = broadcast::channel(2);
        let mut s = BroadcastStream::new(rx);
        tx.send(0).unwrap();
        assert_eq!(s.next().await, Some(Ok(0)));
        for i in 1..=5 {
            tx.send(i).unwrap();
        }
        // Capacity 2: 1, 2 and 3 were lost for this receiver.
        assert_eq!(
            s.next().await,
            Some(Err(BroadcastStreamRecvError::Lagged(3)))
        );
        assert_eq!(s.next().await, Some(Ok(4)));
        assert_eq!(s.next().await, Some(Ok(5)));
        assert_eq!(poll_once(s.next()).await, None, "caught up: pending");
        tx.send(6).unwrap();
        drop(tx);
        assert_eq!(s.next().await, Some(Ok(6)));
        assert_eq!(s.next().await, None);
        assert_eq!(s.next().await, None);
    });
}

#[test]
fn broadcast_stream_wakes_when_a_message_arrives_from_another_task() {
    block_on(async {
        let (tx, rx) = broadcast::channel(4);
        let s = BroadcastStream::from(rx);
        let reader = runtime_core::spawn(async move { s.collect::<Vec<_>>().await });
        runtime_core::task::yield_now().await;
        tx.send(1).unwrap();
        runtime_core::task::yield_now().await;
        tx.send(2).unwrap();
        drop(tx);
        assert_eq!(reader.await.unwrap(), [Ok(1), Ok(2)]);
    });
}

#[test]
fn watch_stream_new_yields_the_current_value_first() {
    block_on(async {
        let (tx, rx) = watch::channel(0);
        let mut s = WatchStream::new(rx);
        assert_eq!(s.next().await, Some(0));
        assert_eq!(poll_once(s.next()).await, None, "no change yet");
        // Values set between two polls are coalesced: only the latest.
        tx.send(1).unwrap();
        tx.send(2).unwrap();
        assert_eq!(s.next().await, Some(2));
        tx.send(3).unwrap();
        drop(tx);
        // The last value is still delivered, then the end.
        assert_eq!(s.next().await, Some(3));
        assert_eq!(s.next().await, None);
        assert_eq!(s.next().await, None);
    });
}

#[test]
fn watch_stream_from_changes_skips_the_current_value() {
    block_on(async {
        let (tx, rx) = watch::channel("initial");
        let mut s = WatchStream::from_changes(rx);
        assert_eq!(poll_once(s.next()).await, None);
        tx.send("changed").unwrap();
        assert_eq!(s.next().await, Some("changed"));
        drop(tx);
        assert_eq!(s.next().await, None);
    });
}

#[test]
fn tcp_listener_stream_accepts_connections() {
    block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mut incoming = TcpListenerStream::new(listener);
        assert_eq!(incoming.as_ref().local_addr().unwrap(), addr);
        let mut clients = Vec::new();
        for _ in 0..2 {
            clients.push(TcpStream::connect(addr).await.unwrap());
        }
        let mut peers = Vec::new();
        for _ in 0..2 {
            let conn = incoming.next().await.unwrap().unwrap();
            peers.push(conn.peer_addr().unwrap());
        }
        let mut expected: Vec<_> = clients.iter().map(|c| c.local_addr().unwrap()).collect();
        expected.sort();
        peers.sort();
        assert_eq!(peers, expected);
        assert_eq!(poll_once(incoming.next()).await.map(|_| ()), None);
        assert_eq!(incoming.into_inner().local_addr().unwrap(), addr);
    });
}

#[test]
fn unix_listener_stream_accepts_connections() {
    block_on(async {
        let path = std::env::temp_dir().join(format!("rs-uls-{}.sock", std::process::id()));
        let _ = std::fs::remove_file(&path);
        let mut incoming = UnixListenerStream::new(UnixListener::bind(&path).unwrap());
        let mut client = UnixStream::connect(&path).await.unwrap();
        let mut conn = incoming.next().await.unwrap().unwrap();
        client.write_all(b"ping").await.unwrap();
        let mut buf = [0; 4];
        runtime_core::io::AsyncReadExt::read_exact(&mut conn, &mut buf)
            .await
            .unwrap();
        assert_eq!(&buf, b"ping");
        assert!(incoming.as_mut().local_addr().is_ok());
        drop(incoming.into_inner());
        std::fs::remove_file(&path).unwrap();
    });
}

/// A reader that hands out its chunks one per read, returning `Pending`
/// (after waking) before each: lines arrive split across reads and polls.
struct Trickle {
    chunks: VecDeque<&'static [u8]>,
    pending_next: bool,
}

fn trickle(chunks: &[&'static [u8]]) -> BufReader<Trickle> {
    BufReader::new(Trickle {
        chunks: chunks.iter().copied().collect(),
        pending_next: true,
    })
}

impl AsyncRead for Trickle {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        if self.pending_next {
            self.pending_next = false;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        self.pending_next = true;
        match self.chunks.pop_front() {
            None => Poll::Ready(Ok(0)),
            Some(chunk) => {
                assert!(chunk.len() <= buf.len());
                buf[..chunk.len()].copy_from_slice(chunk);
                Poll::Ready(Ok(chunk.len()))
            }
        }
    }
}

#[test]
fn lines_stream_joins_lines_split_across_reads() {
    block_on(async {
        let reader = trickle(&[b"hel", b"lo\nwor", b"ld\r", b"\n\n!"]);
        let lines: Vec<String> = LinesStream::new(reader.lines())
            .map(|l| l.unwrap())
            .collect()
            .await;
        assert_eq!(lines, ["hello", "world", "", "!"]);
    });
}

#[test]
fn lines_stream_keeps_a_partial_line_when_next_is_dropped() {
    block_on(async {
        let mut lines = LinesStream::new(trickle(&[b"ab", b"cd\n"]).lines());
        // Poll a few times, dropping each `next()` while it is pending.
        let mut pendings = 0;
        let first = loop {
            match poll_once(lines.next()).await {
                Some(line) => break line,
                None => pendings += 1,
            }
        };
        assert!(pendings >= 2, "the reader made it wait");
        assert_eq!(first.unwrap().unwrap(), "abcd", "nothing was lost");
        assert!(lines.next().await.is_none());
    });
}

#[test]
fn lines_stream_rejects_invalid_utf8_and_goes_on() {
    block_on(async {
        let input: &[u8] = b"ok\n\xff\xfe\nafter\n";
        let mut lines = LinesStream::new(input.lines());
        assert_eq!(lines.next().await.unwrap().unwrap(), "ok");
        let err = lines.next().await.unwrap().unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
        assert_eq!(lines.next().await.unwrap().unwrap(), "after");
        assert!(lines.next().await.is_none());
        assert!(lines.as_ref().get_ref().is_empty());
        assert!(lines.into_inner().into_inner().is_empty());
    });
}

#[test]
fn lines_stream_over_a_tcp_connection() {
    block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let writer = runtime_core::spawn(async move {
            let mut client = TcpStream::connect(addr).await.unwrap();
            for line in ["one\n", "two\n", "three"] {
                client.write_all(line.as_bytes()).await.unwrap();
                client.flush().await.unwrap();
                runtime_core::task::yield_now().await;
            }
        });
        let (conn, _) = listener.accept().await.unwrap();
        let lines: Vec<String> = LinesStream::new(BufReader::new(conn).lines())
            .map(|l| l.unwrap())
            .collect()
            .await;
        assert_eq!(lines, ["one", "two", "three"]);
        writer.await.unwrap();
    });
}

#[test]
fn split_stream_splits_on_the_delimiter() {
    block_on(async {
        let parts: Vec<Vec<u8>> = SplitStream::new(trickle(&[b"a,b", b"c,", b",d"]).split(b','))
            .map(|p| p.unwrap())
            .collect()
            .await;
        assert_eq!(parts, [&b"a"[..], b"bc", b"", b"d"]);

        let mut trailing = SplitStream::new(BufReader::new(&b"x;"[..]).split(b';'));
        assert_eq!(trailing.next().await.unwrap().unwrap(), b"x");
        assert!(
            trailing.next().await.is_none(),
            "no empty segment after the last delimiter"
        );
        assert!(trailing.as_mut().get_mut().get_ref().is_empty());
    });
}

#[test]
fn read_dir_stream_lists_more_than_one_batch() {
    block_on(async {
        let dir = std::env::temp_dir().join(format!("rs-readdir-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        // More than the 32 entries read per trip to the blocking pool.
        for i in 0..70 {
            std::fs::write(dir.join(format!("f{i:02}")), "").unwrap();
        }
        let mut stream = ReadDirStream::new(runtime_core::fs::read_dir(&dir).await.unwrap());
        let mut names = Vec::new();
        for _ in 0..40 {
            names.push(stream.next().await.unwrap().unwrap().file_name());
        }
        // The rest through the ReadDir itself: nothing lost or repeated.
        let mut read_dir = stream.into_inner();
        while let Some(entry) = read_dir.next_entry().await.unwrap() {
            names.push(entry.file_name());
        }
        names.sort();
        let expected: Vec<std::ffi::OsString> =
            (0..70).map(|i| format!("f{i:02}").into()).collect();
        assert_eq!(names, expected);

        let mut stream = ReadDirStream::new(runtime_core::fs::read_dir(&dir).await.unwrap());
        let _ = stream.as_mut();
        assert_eq!((&mut stream).count_items().await, 70);
        assert!(stream.next().await.is_none());
        std::fs::remove_dir_all(&dir).unwrap();
    });
}

/// Counts a stream's remaining items with `fold`.
trait CountItems: Stream + Sized {
    async fn count_items(self) -> usize {
        self.fold(0, |n, _| n + 1).await
    }
}

impl<S: Stream> CountItems for S {}
