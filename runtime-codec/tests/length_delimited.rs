//! `LengthDelimitedCodec` and its `Builder`: every option decoded from
//! scripted reads (whole, split, incomplete) and round-tripped through a
//! `FramedWrite`, the maximum frame length on both sides, and the caps the
//! length field puts on it. The scenarios of tokio-util's
//! `length_delimited.rs`, rewritten.

mod support;

use bytes::{Bytes, BytesMut};
use futures::{Sink, SinkExt, Stream, StreamExt};
use runtime_codec::length_delimited::{self, Builder};
use runtime_codec::{Decoder, Encoder, FramedRead, FramedWrite, LengthDelimitedCodec};
use std::io;
use std::pin::Pin;
use std::task::Poll;
use support::{data, poll_once, ScriptedReader, Step, TrickleWriter};

fn next<S: Stream + Unpin>(stream: &mut S) -> Poll<Option<S::Item>> {
    poll_once(|cx| Pin::new(&mut *stream).poll_next(cx))
}

fn frame<S: Stream<Item = io::Result<BytesMut>> + Unpin>(stream: &mut S) -> Vec<u8> {
    match next(stream) {
        Poll::Ready(Some(Ok(frame))) => frame.to_vec(),
        other => panic!("expected a frame, got {other:?}"),
    }
}

fn error<S: Stream<Item = io::Result<BytesMut>> + Unpin>(stream: &mut S) -> io::Error {
    match next(stream) {
        Poll::Ready(Some(Err(err))) => err,
        other => panic!("expected an error, got {other:?}"),
    }
}

fn end<S: Stream<Item = io::Result<BytesMut>> + Unpin>(stream: &mut S) {
    match next(stream) {
        Poll::Ready(None) => {}
        other => panic!("expected the end, got {other:?}"),
    }
}

fn reader(steps: impl IntoIterator<Item = Step>) -> ScriptedReader {
    ScriptedReader::new(steps)
}

/// Encodes `payloads` with `builder`'s codec through a `FramedWrite`
/// (over a writer taking 3 bytes per call), and decodes the bytes with a
/// `FramedRead` over a reader returning 2 bytes per read.
fn round_trip(builder: &Builder, payloads: &[&[u8]]) -> Vec<u8> {
    let mut out = builder.new_write(TrickleWriter::new(3, true));
    futures::executor::block_on(async {
        for payload in payloads {
            out.feed(Bytes::copy_from_slice(payload)).await.unwrap();
        }
        SinkExt::<Bytes>::flush(&mut out).await.unwrap();
    });
    let wire = out.into_inner().written;

    let steps = wire.chunks(2).map(data);
    let frames: Vec<BytesMut> = futures::executor::block_on(
        builder
            .new_read(reader(steps))
            .map(Result::unwrap)
            .collect(),
    );
    assert_eq!(frames.len(), payloads.len());
    for (frame, payload) in frames.iter().zip(payloads) {
        assert_eq!(&frame[..], *payload);
    }
    wire
}

#[test]
fn empty_reader_yields_nothing() {
    let mut framed = FramedRead::new(reader([]), LengthDelimitedCodec::new());
    end(&mut framed);
}

#[test]
fn one_frame_in_one_read() {
    let mut framed = FramedRead::new(
        reader([data(b"\x00\x00\x00\x05hello")]),
        LengthDelimitedCodec::new(),
    );
    assert_eq!(frame(&mut framed), b"hello");
    end(&mut framed);
}

#[test]
fn many_frames_in_one_read() {
    let wire = b"\x00\x00\x00\x03one\x00\x00\x00\x00\x00\x00\x00\x05three";
    let mut framed = FramedRead::new(reader([data(wire)]), LengthDelimitedCodec::new());
    assert_eq!(frame(&mut framed), b"one");
    assert_eq!(frame(&mut framed), b"");
    assert_eq!(frame(&mut framed), b"three");
    end(&mut framed);
}

#[test]
fn frame_split_across_reads_with_pending() {
    let mut framed = FramedRead::new(
        reader([
            data(b"\x00\x00"),
            Step::Pending,
            data(b"\x00\x09ab"),
            Step::Pending,
            data(b"cdefghi\x00\x00\x00\x01"),
            Step::Pending,
            data(b"z"),
        ]),
        LengthDelimitedCodec::new(),
    );
    assert!(next(&mut framed).is_pending());
    assert!(next(&mut framed).is_pending());
    assert_eq!(frame(&mut framed), b"abcdefghi");
    assert!(next(&mut framed).is_pending());
    assert_eq!(frame(&mut framed), b"z");
    end(&mut framed);
}

#[test]
fn incomplete_head_or_payload_at_eof_is_an_error() {
    let mut framed = FramedRead::new(reader([data(b"\x00\x00")]), LengthDelimitedCodec::new());
    assert_eq!(error(&mut framed).to_string(), "bytes remaining on stream");

    let mut framed = FramedRead::new(
        reader([data(b"\x00\x00\x00\x09abc"), Step::Pending, data(b"def")]),
        LengthDelimitedCodec::new(),
    );
    assert!(next(&mut framed).is_pending());
    assert_eq!(error(&mut framed).to_string(), "bytes remaining on stream");
    end(&mut framed);
}

#[test]
fn decoding_reserves_room_for_the_announced_frame() {
    let mut codec = LengthDelimitedCodec::new();
    let mut buf = BytesMut::from(&b"\x00\x01\x00\x00ab"[..]);
    assert_eq!(codec.decode(&mut buf).unwrap(), None);
    // The header is consumed and room is made for 64 KiB of payload.
    assert_eq!(&buf[..], b"ab");
    assert!(buf.capacity() >= 64 * 1024);
}

#[test]
fn frame_over_the_maximum_is_invalid_data() {
    let mut framed = length_delimited::Builder::new()
        .max_frame_length(5)
        .new_read(reader([data(b"\x00\x00\x00\x09abcdefghi")]));
    let err = error(&mut framed);
    assert_eq!(err.kind(), io::ErrorKind::InvalidData);
    assert!(err
        .get_ref()
        .unwrap()
        .is::<runtime_codec::LengthDelimitedCodecError>());
}

#[test]
fn maximum_changed_between_frames() {
    let mut framed = Builder::new().new_read(reader([
        data(b"\x00\x00\x00\x06abcdef"),
        data(b"\x00\x00\x00\x06abcdef"),
    ]));
    assert_eq!(frame(&mut framed), b"abcdef");
    framed.decoder_mut().set_max_frame_length(5);
    assert_eq!(error(&mut framed).kind(), io::ErrorKind::InvalidData);
}

#[test]
fn maximum_changed_mid_frame_applies_to_the_next_header() {
    let mut framed = Builder::new().new_read(reader([
        data(b"\x00\x00\x00\x06abc"),
        Step::Pending,
        data(b"def"),
        data(b"\x00\x00\x00\x06abcdef"),
    ]));
    assert!(next(&mut framed).is_pending());
    framed.decoder_mut().set_max_frame_length(5);
    assert_eq!(frame(&mut framed), b"abcdef");
    assert_eq!(error(&mut framed).kind(), io::ErrorKind::InvalidData);
}

#[test]
fn field_lengths_and_byte_orders() {
    let payloads: &[&[u8]] = &[b"first", b"", b"a somewhat longer third frame"];
    for len in 1..=8 {
        let wire = round_trip(Builder::new().length_field_length(len), payloads);
        assert_eq!(&wire[..len - 1], &vec![0; len - 1][..]);
        assert_eq!(wire[len - 1], 5, "big endian, {len}-byte field");

        let wire = round_trip(
            Builder::new().length_field_length(len).little_endian(),
            payloads,
        );
        assert_eq!(wire[0], 5, "little endian, {len}-byte field");
        assert_eq!(&wire[1..len], &vec![0; len - 1][..]);
    }

    let wire = round_trip(
        Builder::new().length_field_type::<u16>().native_endian(),
        payloads,
    );
    assert_eq!(&wire[..2], 5u16.to_ne_bytes());
    let wire = round_trip(
        Builder::new().length_field_type::<u64>().big_endian(),
        payloads,
    );
    assert_eq!(&wire[..8], 5u64.to_be_bytes());
    let wire = round_trip(Builder::new().length_field_type::<u8>(), payloads);
    assert_eq!(&wire[..6], b"\x05first");
    let wire = round_trip(Builder::new().length_field_type::<usize>(), payloads);
    assert_eq!(&wire[..8], 5usize.to_be_bytes());
}

#[test]
#[should_panic(expected = "invalid length field length")]
fn length_field_of_nine_bytes_panics() {
    Builder::new().length_field_length(9);
}

#[test]
fn length_adjustment_round_trips() {
    let payloads: &[&[u8]] = &[b"abcdefghi", b"x"];
    // The length counts its own two bytes.
    let wire = round_trip(
        Builder::new().length_field_length(2).length_adjustment(-2),
        payloads,
    );
    assert_eq!(&wire[..11], b"\x00\x0babcdefghi");
    // The length leaves out the last two bytes of each payload.
    let payloads: &[&[u8]] = &[b"abcdefghi", b"xy"];
    let wire = round_trip(
        Builder::new().length_field_length(2).length_adjustment(2),
        payloads,
    );
    assert_eq!(&wire[..2], b"\x00\x07");
    assert_eq!(&wire[11..13], b"\x00\x00");
}

#[test]
fn length_adjustment_cannot_make_a_negative_length() {
    let mut codec = Builder::new()
        .length_field_length(1)
        .length_adjustment(-2)
        .new_codec();
    let mut buf = BytesMut::from(&b"\x01a"[..]);
    assert_eq!(
        codec.decode(&mut buf).unwrap_err().kind(),
        io::ErrorKind::InvalidInput
    );

    let mut codec = Builder::new().length_adjustment(2).new_codec();
    let err = codec.encode(&b"a"[..], &mut BytesMut::new()).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
}

#[test]
fn header_offset_is_skipped() {
    let mut framed = Builder::new()
        .length_field_length(2)
        .length_field_offset(4)
        .new_read(reader([data(b"zzzz\x00\x09abcdefghi")]));
    assert_eq!(frame(&mut framed), b"abcdefghi");
    end(&mut framed);
}

#[test]
fn num_skip_zero_keeps_the_header() {
    let wire = b"xx\x00\x09abcdefghiyy\x00\x03123zz\x00\x0bhello world";
    let mut framed = Builder::new()
        .length_field_length(2)
        .length_field_offset(2)
        .num_skip(0)
        .length_adjustment(4)
        .new_read(reader(wire.chunks(5).map(data)));
    assert_eq!(frame(&mut framed), b"xx\x00\x09abcdefghi");
    assert_eq!(frame(&mut framed), b"yy\x00\x03123");
    assert_eq!(frame(&mut framed), b"zz\x00\x0bhello world");
    end(&mut framed);
}

#[test]
fn num_skip_past_the_length_field() {
    // A 3-byte length, then a flag byte that is skipped too.
    let mut framed = Builder::new()
        .length_field_length(3)
        .num_skip(4)
        .new_read(reader([data(b"\x00\x00\x0b\x0cHello world")]));
    assert_eq!(frame(&mut framed), b"Hello world");
    end(&mut framed);
}

#[test]
fn length_counting_the_header() {
    let wire = b"\x00\x0babcdefghi\x00\x05123\x00\x0dhello world";
    let mut framed = Builder::new()
        .length_field_length(2)
        .length_adjustment(-2)
        .new_read(reader([data(wire)]));
    assert_eq!(frame(&mut framed), b"abcdefghi");
    assert_eq!(frame(&mut framed), b"123");
    assert_eq!(frame(&mut framed), b"hello world");
    end(&mut framed);
}

#[test]
fn encodes_bytes_and_slices() {
    let mut out = FramedWrite::new(
        TrickleWriter::new(usize::MAX, false),
        LengthDelimitedCodec::new(),
    );
    futures::executor::block_on(async {
        out.send(Bytes::from_static(b"abc")).await.unwrap();
        out.send(&b"de"[..]).await.unwrap();
    });
    assert_eq!(
        out.get_ref().written,
        b"\x00\x00\x00\x03abc\x00\x00\x00\x02de"
    );
}

#[test]
fn encode_over_the_maximum_is_invalid_input_and_writes_nothing() {
    let mut out = Builder::new()
        .max_frame_length(5)
        .new_write(TrickleWriter::new(usize::MAX, false));
    let ready = poll_once(|cx| Sink::<Bytes>::poll_ready(Pin::new(&mut out), cx));
    assert!(matches!(ready, Poll::Ready(Ok(()))));
    let err = Pin::new(&mut out)
        .start_send(Bytes::from_static(b"abcdef"))
        .unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    assert!(out.write_buffer().is_empty());

    // Raised later, the maximum lets it through.
    out.encoder_mut().set_max_frame_length(6);
    Pin::new(&mut out)
        .start_send(Bytes::from_static(b"abcdef"))
        .unwrap();
    assert_eq!(&out.write_buffer()[..], b"\x00\x00\x00\x06abcdef");
}

#[test]
fn encoding_grows_a_full_buffer() {
    let mut codec = Builder::new().new_codec();
    let mut buf = BytesMut::with_capacity(16);
    buf.extend_from_slice(&[b'a'; 16]);
    codec
        .encode(Bytes::from_static(b"hello"), &mut buf)
        .unwrap();
    assert_eq!(&buf[16..], b"\x00\x00\x00\x05hello");
}

#[test]
fn maximum_is_capped_by_the_length_field() {
    let codec = Builder::new()
        .length_field_length(1)
        .max_frame_length(256)
        .new_codec();
    assert_eq!(codec.max_frame_length(), 255);

    for (adjustment, cap) in [(-1isize, 254usize), (0, 255), (1, 256)] {
        let mut codec = Builder::new()
            .length_field_length(1)
            .length_adjustment(adjustment)
            .new_codec();
        assert_eq!(codec.max_frame_length(), cap);
        codec.set_max_frame_length(1000);
        assert_eq!(codec.max_frame_length(), cap);

        let mut buf = BytesMut::new();
        codec.encode(Bytes::from(vec![7; cap]), &mut buf).unwrap();
        assert_eq!(buf[0], u8::MAX);

        let mut buf = BytesMut::from("prefix");
        let err = codec
            .encode(Bytes::from(vec![7; cap + 1]), &mut buf)
            .unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        assert_eq!(&buf[..], b"prefix");
    }

    // Wide fields do not lower a large maximum, nor raise a small one.
    let codec = Builder::new()
        .length_field_length(8)
        .max_frame_length(usize::MAX)
        .new_codec();
    assert_eq!(codec.max_frame_length(), usize::MAX);
    let codec = Builder::new()
        .length_field_type::<usize>()
        .max_frame_length(10)
        .new_codec();
    assert_eq!(codec.max_frame_length(), 10);
}

#[test]
fn decoding_checks_the_field_before_the_adjustment() {
    // As in tokio-util: the maximum applies to the length field's value.
    let mut codec = Builder::new()
        .length_field_length(1)
        .length_adjustment(-1)
        .max_frame_length(4)
        .new_codec();
    let mut buf = BytesMut::from(&b"\x05abcd"[..]);
    assert_eq!(
        codec.decode(&mut buf).unwrap_err().kind(),
        io::ErrorKind::InvalidData
    );

    let mut codec = Builder::new()
        .length_field_length(1)
        .length_adjustment(1)
        .max_frame_length(4)
        .new_codec();
    let mut buf = BytesMut::from(&b"\x04abcde"[..]);
    assert_eq!(&codec.decode(&mut buf).unwrap().unwrap()[..], b"abcde");
}

#[test]
fn write_zero_is_an_error() {
    let mut writer = TrickleWriter::new(usize::MAX, false);
    writer.zero = true;
    let mut out = Builder::new().new_write(writer);
    let err = futures::executor::block_on(out.send(Bytes::from_static(b"abc"))).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::WriteZero);
}
