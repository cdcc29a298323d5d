//! `FramedRead` (and `Framed`'s read side) polled by hand against scripted
//! readers: frames split across reads, many frames per read, the
//! end-of-file state machine, errors, buffers taken over from
//! `FramedParts`. The scenarios of tokio-util's `framed_read.rs`,
//! `framed_stream.rs` and `framed.rs`, rewritten for futures-io.

mod support;

use bytes::{Buf, BytesMut};
use futures::{Stream, StreamExt};
use runtime_codec::{BytesCodec, Decoder, Framed, FramedParts, FramedRead, LinesCodec};
use std::io;
use std::pin::Pin;
use std::task::Poll;
use support::{be, data, poll_once, DontRead, ScriptedReader, Step, U32Codec, U64Codec};

/// Polls the stream once.
fn next<S: Stream + Unpin>(stream: &mut S) -> Poll<Option<S::Item>> {
    poll_once(|cx| Pin::new(&mut *stream).poll_next(cx))
}

/// Polls the stream once and expects a frame.
fn frame<S, T, E>(stream: &mut S) -> T
where
    S: Stream<Item = Result<T, E>> + Unpin,
    E: std::fmt::Debug,
{
    match next(stream) {
        Poll::Ready(Some(Ok(frame))) => frame,
        Poll::Ready(Some(Err(err))) => panic!("expected a frame, got error {err:?}"),
        Poll::Ready(None) => panic!("expected a frame, got the end of the stream"),
        Poll::Pending => panic!("expected a frame, got Pending"),
    }
}

/// Polls the stream once and expects an error.
fn error<S, T: std::fmt::Debug, E>(stream: &mut S) -> E
where
    S: Stream<Item = Result<T, E>> + Unpin,
{
    match next(stream) {
        Poll::Ready(Some(Err(err))) => err,
        other => panic!(
            "expected an error, got {:?}",
            other.map(|o| o.map(|r| r.ok()))
        ),
    }
}

fn assert_end<S: Stream + Unpin>(stream: &mut S) {
    assert!(
        matches!(next(stream), Poll::Ready(None)),
        "expected the end of the stream"
    );
}

#[test]
fn many_frames_in_one_read() {
    let bytes = [be(0), be(1), be(2)].concat();
    let mut framed = FramedRead::new(
        ScriptedReader::new([Step::Data(bytes)]),
        U32Codec::default(),
    );
    assert_eq!(frame(&mut framed), 0);
    assert_eq!(frame(&mut framed), 1);
    assert_eq!(frame(&mut framed), 2);
    assert_end(&mut framed);
    // One read gave all three frames; the second read saw the end.
    assert_eq!(framed.get_ref().offered.len(), 2);
}

#[test]
fn frames_split_across_reads() {
    let bytes = [be(0x0102_0304), be(7)].concat();
    // Every byte in its own read, with Pending between the reads.
    let steps = bytes
        .iter()
        .flat_map(|&b| [Step::Pending, Step::Data(vec![b])]);
    let mut framed = FramedRead::new(ScriptedReader::new(steps), U32Codec::default());

    let mut frames = Vec::new();
    let mut pendings = 0;
    loop {
        match next(&mut framed) {
            Poll::Pending => pendings += 1,
            Poll::Ready(Some(frame)) => frames.push(frame.unwrap()),
            Poll::Ready(None) => break,
        }
    }
    assert_eq!(frames, [0x0102_0304, 7]);
    assert_eq!(pendings, 8);
    // A frame is yielded only once its fourth byte is in: decode ran once
    // per byte read, once more after each frame (finding nothing), and
    // once for `decode_eof` at the end.
    assert_eq!(framed.decoder().decodes, 8 + 2 + 1);
}

#[test]
fn multi_frame_across_reads_with_pending() {
    let mut framed = FramedRead::new(
        ScriptedReader::new([
            data(&[0, 0]),
            Step::Pending,
            data(&[0, 1, 0, 0, 0]),
            Step::Pending,
            data(&[2]),
        ]),
        U32Codec::default(),
    );
    assert!(next(&mut framed).is_pending());
    assert_eq!(frame(&mut framed), 1);
    assert!(next(&mut framed).is_pending());
    assert_eq!(frame(&mut framed), 2);
    assert_end(&mut framed);
}

#[test]
fn eof_with_a_partial_frame_is_an_error() {
    let mut framed = FramedRead::new(&[0u8, 0, 0, 9, 1][..], U32Codec::default());
    assert_eq!(frame(&mut framed), 9);
    let err = error(&mut framed);
    assert_eq!(err.kind(), io::ErrorKind::Other);
    assert_eq!(err.to_string(), "bytes remaining on stream");
    assert_end(&mut framed);
}

#[test]
fn read_error_is_yielded_then_the_stream_ends() {
    let mut framed = FramedRead::new(
        ScriptedReader::new([data(&[0, 0]), Step::Fail(io::ErrorKind::ConnectionReset)]),
        U32Codec::default(),
    );
    assert_eq!(error(&mut framed).kind(), io::ErrorKind::ConnectionReset);
    assert_end(&mut framed);
}

#[test]
fn pending_then_error() {
    let mut framed = FramedRead::new(
        ScriptedReader::new([
            data(&[0, 0]),
            Step::Pending,
            Step::Fail(io::ErrorKind::BrokenPipe),
        ]),
        U32Codec::default(),
    );
    assert!(next(&mut framed).is_pending());
    assert_eq!(error(&mut framed).kind(), io::ErrorKind::BrokenPipe);
}

#[test]
fn none_after_an_error_then_reading_resumes() {
    let mut framed = FramedRead::new(
        ScriptedReader::new([
            data(b"abcdef"),
            Step::Fail(io::ErrorKind::Other),
            data(b"more data"),
        ]),
        BytesCodec::new(),
    );
    assert_eq!(&frame(&mut framed)[..], b"abcdef");
    assert!(next(&mut framed).is_ready());
    assert_end(&mut framed);
    // Polled again, the stream reads on.
    assert_eq!(&frame(&mut framed)[..], b"more data");
    assert_end(&mut framed);
}

#[test]
fn decoder_error_ends_the_stream() {
    struct FailOnZero;
    impl Decoder for FailOnZero {
        type Item = u8;
        type Error = io::Error;
        fn decode(&mut self, buf: &mut BytesMut) -> io::Result<Option<u8>> {
            if buf.is_empty() {
                return Ok(None);
            }
            match buf.get_u8() {
                0 => Err(io::Error::new(io::ErrorKind::InvalidData, "zero")),
                b => Ok(Some(b)),
            }
        }
    }

    let mut framed = FramedRead::new(&[1u8, 0, 2][..], FailOnZero);
    assert_eq!(frame(&mut framed), 1);
    assert_eq!(error(&mut framed).kind(), io::ErrorKind::InvalidData);
    assert_end(&mut framed);
    // The byte after the bad one is still buffered and decodes next.
    assert_eq!(frame(&mut framed), 2);
    assert_end(&mut framed);
}

#[test]
fn decode_eof_may_yield_several_frames() {
    struct Closing(Vec<u32>);
    impl Decoder for Closing {
        type Item = u32;
        type Error = io::Error;
        fn decode(&mut self, _: &mut BytesMut) -> io::Result<Option<u32>> {
            panic!("decode called although no byte was read");
        }
        fn decode_eof(&mut self, _: &mut BytesMut) -> io::Result<Option<u32>> {
            Ok((!self.0.is_empty()).then(|| self.0.remove(0)))
        }
    }

    let mut framed = FramedRead::new(ScriptedReader::new([]), Closing(vec![0, 1, 2, 3]));
    for n in 0..4 {
        assert_eq!(frame(&mut framed), n);
    }
    assert_end(&mut framed);
    // Another end of file does not call decode_eof again.
    assert_end(&mut framed);
}

#[test]
fn eof_then_resume() {
    let mut framed = FramedRead::new(
        ScriptedReader::new([
            Step::Data(be(1)),
            Step::Eof,
            Step::Data(be(2)),
            Step::Eof,
            Step::Data(be(3)),
        ]),
        U32Codec::default(),
    );
    assert_eq!(frame(&mut framed), 1);
    assert_end(&mut framed);
    assert_eq!(frame(&mut framed), 2);
    assert_end(&mut framed);
    assert_eq!(frame(&mut framed), 3);
    assert_end(&mut framed);
    assert_end(&mut framed);
}

#[test]
fn frame_larger_than_the_buffer_grows_it_reading_at_most_64k_at_once() {
    struct Big;
    impl Decoder for Big {
        type Item = usize;
        type Error = io::Error;
        fn decode(&mut self, buf: &mut BytesMut) -> io::Result<Option<usize>> {
            const SIZE: usize = 32 * 1024;
            if buf.len() < SIZE {
                return Ok(None);
            }
            assert!(buf[..SIZE].iter().all(|&b| b == 0xAB));
            buf.advance(SIZE);
            Ok(Some(SIZE))
        }
    }

    let input = vec![0xABu8; 32 * 1024];
    let mut framed = FramedRead::new(&input[..], Big);
    assert_eq!(frame(&mut framed), 32 * 1024);
    assert_end(&mut framed);

    // The same through a reader that records the slices it is handed.
    let steps = input.chunks(1000).map(data);
    let mut framed = FramedRead::new(ScriptedReader::new(steps), Big);
    assert_eq!(frame(&mut framed), 32 * 1024);
    let offered = &framed.get_ref().offered;
    // Each read is offered the spare capacity, at most the 64 KiB of the
    // thread's buffer it lands in before it is copied over.
    assert!(
        offered.iter().all(|&n| (1..=64 * 1024).contains(&n)),
        "{offered:?}"
    );
    // The buffer grew past its initial 8 KiB, and reads used the room.
    assert!(
        offered.iter().filter(|&&n| n >= 1000).count() >= 32,
        "{offered:?}"
    );
}

#[test]
fn with_capacity_sets_the_first_read() {
    let mut framed =
        FramedRead::with_capacity(ScriptedReader::new([data(b"ab\n")]), LinesCodec::new(), 16);
    assert_eq!(frame(&mut framed), "ab");
    assert_eq!(framed.get_ref().offered[0], 16);
}

#[test]
fn map_decoder_keeps_buffered_bytes() {
    let mut framed = FramedRead::new(
        ScriptedReader::new([Step::Data([be(42), 84u64.to_be_bytes().to_vec()].concat())]),
        U32Codec::default(),
    );
    assert_eq!(frame(&mut framed), 42);
    let mut framed = framed.map_decoder(|_| U64Codec);
    assert_eq!(frame(&mut framed), 84);
    assert_end(&mut framed);
}

#[test]
fn into_parts_keeps_the_read_buffer() {
    let mut framed = FramedRead::new(&b"one\ntwo\nthr"[..], LinesCodec::new());
    assert_eq!(frame(&mut framed), "one");
    let parts = framed.into_parts();
    assert_eq!(&parts.read_buf[..], b"two\nthr");
    assert!(parts.write_buf.is_empty());
}

#[test]
fn framed_decodes_a_prefilled_read_buffer_before_reading() {
    let mut parts = FramedParts::new(DontRead, U32Codec::default());
    parts.read_buf = BytesMut::from(&[0, 0, 0, 42][..]);
    let mut framed = Framed::from_parts(parts);
    assert_eq!(frame(&mut framed), 42);
    assert_eq!(framed.codec().decodes, 1);
}

#[test]
fn framed_map_codec_decodes_leftovers_with_the_new_codec() {
    let mut parts = FramedParts::new(DontRead, U32Codec::default());
    parts.read_buf = BytesMut::from(&[0, 0, 0, 42, 0, 0, 0, 0, 0, 0, 0, 84][..]);
    let mut framed = Framed::from_parts(parts);
    assert_eq!(frame(&mut framed), 42);
    let mut framed = framed.map_codec(|_| U64Codec);
    assert_eq!(frame(&mut framed), 84);
}

#[test]
fn empty_parts_buffer_is_not_decoded_before_a_read() {
    let mut parts = FramedParts::new(&[0u8, 0, 0, 42][..], U32Codec::default());
    parts.read_buf = BytesMut::with_capacity(8 * 1024);
    let mut framed = Framed::from_parts(parts);
    assert_eq!(frame(&mut framed), 42);
    assert_eq!(framed.codec().decodes, 1);
}

#[test]
fn small_parts_buffers_grow_to_8k_and_large_ones_are_kept() {
    let mut parts = FramedParts::new(DontRead, U32Codec::default());
    parts.read_buf = BytesMut::from(&[0, 0, 0, 42][..]);
    let parts = Framed::from_parts(parts).into_parts();
    assert_eq!(parts.read_buf.capacity(), 8 * 1024);
    assert!(parts.write_buf.capacity() >= 8 * 1024);

    let mut parts = FramedParts::new(DontRead, U32Codec::default());
    parts.read_buf = BytesMut::from(&vec![0; 16 * 1024][..]);
    let parts = Framed::from_parts(parts).into_parts();
    assert_eq!(parts.read_buf.capacity(), 16 * 1024);
    assert_eq!(parts.read_buf.len(), 16 * 1024);
}

#[test]
fn stream_ext_collects_lines() {
    let input: &[u8] = b"alpha\r\nbeta\n\ngamma";
    let lines: Vec<String> = futures::executor::block_on(
        FramedRead::new(input, LinesCodec::new())
            .map(Result::unwrap)
            .collect(),
    );
    assert_eq!(lines, ["alpha", "beta", "", "gamma"]);
}
