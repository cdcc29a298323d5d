//! `FramedWrite` (and `Framed`'s write side) polled by hand against
//! scripted writers: batching, the 8 KiB backpressure boundary with a
//! writer that takes one byte at a time, write-zero, flush and close. The
//! scenarios of tokio-util's `framed_write.rs`, rewritten for futures-io.

mod support;

use bytes::{Bytes, BytesMut};
use futures::{Sink, SinkExt};
use runtime_codec::{BytesCodec, Framed, FramedParts, FramedWrite, LinesCodec};
use std::io;
use std::pin::Pin;
use std::task::Poll;
use support::{be, poll_once, DontRead, TrickleWriter, U32Codec};

fn ready<S: Sink<I> + Unpin, I>(sink: &mut S) -> Poll<Result<(), S::Error>> {
    poll_once(|cx| Pin::new(&mut *sink).poll_ready(cx))
}

fn flush<S: Sink<I> + Unpin, I>(sink: &mut S) -> Poll<Result<(), S::Error>> {
    poll_once(|cx| Pin::new(&mut *sink).poll_flush(cx))
}

fn close<S: Sink<I> + Unpin, I>(sink: &mut S) -> Poll<Result<(), S::Error>> {
    poll_once(|cx| Pin::new(&mut *sink).poll_close(cx))
}

fn send<S: Sink<I> + Unpin, I>(sink: &mut S, item: I)
where
    S::Error: std::fmt::Debug,
{
    assert!(matches!(ready(sink), Poll::Ready(Ok(()))));
    Pin::new(sink).start_send(item).unwrap();
}

#[test]
fn frames_are_batched_into_one_write() {
    let mut framed = FramedWrite::new(TrickleWriter::new(usize::MAX, false), U32Codec::default());
    for n in 0..3 {
        send(&mut framed, n);
    }
    assert!(
        framed.get_ref().written.is_empty(),
        "nothing is written before a flush"
    );
    assert_eq!(framed.write_buffer().len(), 12);

    assert!(matches!(flush(&mut framed), Poll::Ready(Ok(()))));
    let writer = framed.get_ref();
    assert_eq!(writer.written, [be(0), be(1), be(2)].concat());
    assert_eq!(writer.writes, 1);
    assert_eq!(writer.flushes, 1);
    assert!(framed.write_buffer().is_empty());
}

#[test]
fn backpressure_flushes_at_8k_through_a_one_byte_writer() {
    let mut framed = FramedWrite::new(TrickleWriter::new(1, true), U32Codec::default());
    assert_eq!(framed.backpressure_boundary(), 8 * 1024);

    // 2048 frames of 4 bytes reach the boundary exactly; until then
    // poll_ready accepts without writing.
    for n in 0..2048 {
        send(&mut framed, n);
    }
    assert_eq!(framed.write_buffer().len(), 8 * 1024);
    assert_eq!(framed.get_ref().writes, 0);

    // Now poll_ready has to write before accepting more; the writer
    // stalls first.
    assert!(ready(&mut framed).is_pending());
    assert_eq!(framed.get_ref().writes, 0);

    // Keep sending: poll_ready lets a frame in only once the buffer is
    // below the boundary, so it never holds more than the boundary plus
    // one frame, and the writer sees every byte in order.
    let mut max_buffered = 0;
    let mut pendings = 0;
    for n in 2048..4096 {
        loop {
            match ready(&mut framed) {
                Poll::Pending => pendings += 1,
                Poll::Ready(result) => break result.unwrap(),
            }
        }
        Pin::new(&mut framed).start_send(n).unwrap();
        max_buffered = max_buffered.max(framed.write_buffer().len());
    }
    assert!(max_buffered <= 8 * 1024 + 3, "{max_buffered}");
    assert!(max_buffered > 8 * 1024, "{max_buffered}");
    // Each frame sent made room for itself and no more: one byte out for
    // the first (8192 -> 8191), four for each after it.
    assert_eq!(framed.get_ref().writes, 1 + 2047 * 4);
    assert!(pendings >= 2047 * 4, "{pendings}");

    while flush(&mut framed).is_pending() {}
    let expected: Vec<u8> = (0..4096).flat_map(|n: u32| n.to_be_bytes()).collect();
    assert_eq!(framed.get_ref().written, expected);
    assert!(framed.write_buffer().is_empty());
}

#[test]
fn custom_backpressure_boundary() {
    let mut framed = FramedWrite::new(TrickleWriter::new(usize::MAX, false), U32Codec::default());
    framed.set_backpressure_boundary(8);
    send(&mut framed, 1);
    send(&mut framed, 2);
    assert!(framed.get_ref().written.is_empty());
    // 8 bytes buffered: the next poll_ready writes them out.
    send(&mut framed, 3);
    assert_eq!(framed.get_ref().written, [be(1), be(2)].concat());
    assert_eq!(&framed.write_buffer()[..], &be(3)[..]);
}

#[test]
fn with_capacity_sets_the_boundary() {
    let mut framed = FramedWrite::with_capacity(
        TrickleWriter::new(usize::MAX, false),
        U32Codec::default(),
        4,
    );
    assert_eq!(framed.backpressure_boundary(), 4);
    send(&mut framed, 1);
    send(&mut framed, 2);
    assert_eq!(framed.get_ref().written, be(1));
}

#[test]
fn a_writer_that_writes_zero_bytes_is_an_error() {
    let mut writer = TrickleWriter::new(usize::MAX, false);
    writer.zero = true;
    let mut framed = FramedWrite::new(writer, BytesCodec::new());
    send(&mut framed, Bytes::from_static(b"abc"));
    match flush::<_, Bytes>(&mut framed) {
        Poll::Ready(Err(err)) => assert_eq!(err.kind(), io::ErrorKind::WriteZero),
        other => panic!("expected WriteZero, got {other:?}"),
    }
}

#[test]
fn flushing_nothing_still_flushes_the_writer() {
    let mut framed = FramedWrite::new(TrickleWriter::new(usize::MAX, false), LinesCodec::new());
    assert!(matches!(flush::<_, &str>(&mut framed), Poll::Ready(Ok(()))));
    assert_eq!(framed.get_ref().writes, 0);
    assert_eq!(framed.get_ref().flushes, 1);
}

#[test]
fn close_writes_the_buffer_then_closes() {
    let mut framed = FramedWrite::new(TrickleWriter::new(3, true), LinesCodec::new());
    send(&mut framed, "goodbye");
    let mut polls = 0;
    while close::<_, &str>(&mut framed).is_pending() {
        polls += 1;
        assert!(
            !framed.get_ref().closed,
            "closed before the buffer was written"
        );
    }
    assert!(polls > 0);
    assert_eq!(framed.get_ref().written, b"goodbye\n");
    assert!(framed.get_ref().closed);
}

#[test]
fn encoder_errors_come_from_start_send() {
    let mut framed = FramedWrite::new(
        TrickleWriter::new(usize::MAX, false),
        runtime_codec::LengthDelimitedCodec::builder()
            .max_frame_length(2)
            .new_codec(),
    );
    assert!(matches!(
        ready::<_, Bytes>(&mut framed),
        Poll::Ready(Ok(()))
    ));
    let err = Pin::new(&mut framed)
        .start_send(Bytes::from_static(b"abc"))
        .unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    assert!(framed.write_buffer().is_empty());
}

#[test]
fn map_encoder_keeps_the_buffer() {
    let mut framed = FramedWrite::new(TrickleWriter::new(usize::MAX, false), LinesCodec::new());
    send(&mut framed, "HEAD");
    let mut framed = framed.map_encoder(|_| BytesCodec::new());
    send(&mut framed, BytesMut::from("body"));
    assert!(matches!(
        flush::<_, Bytes>(&mut framed),
        Poll::Ready(Ok(()))
    ));
    assert_eq!(framed.get_ref().written, b"HEAD\nbody");
}

#[test]
fn into_parts_and_from_parts_keep_unwritten_bytes() {
    let mut framed = Framed::new(DontRead, LinesCodec::new());
    send(&mut framed, "pending");
    let parts = framed.into_parts();
    assert_eq!(&parts.write_buf[..], b"pending\n");

    let FramedParts {
        codec, write_buf, ..
    } = parts;
    let mut moved = FramedParts::new::<&str>(TrickleWriter::new(usize::MAX, false), codec);
    moved.write_buf = write_buf;
    let mut framed = Framed::from_parts(moved);
    assert!(matches!(flush::<_, &str>(&mut framed), Poll::Ready(Ok(()))));
    assert_eq!(framed.get_ref().written, b"pending\n");
}

#[test]
fn send_all_through_a_one_byte_writer_keeps_order() {
    let mut framed = FramedWrite::new(TrickleWriter::new(1, true), U32Codec::default());
    let mut items = futures::stream::iter((0..5000u32).map(Ok));
    futures::executor::block_on(framed.send_all(&mut items)).unwrap();
    let expected: Vec<u8> = (0..5000u32).flat_map(u32::to_be_bytes).collect();
    assert_eq!(framed.get_ref().written, expected);
}
