//! The codecs on their own, fed `BytesMut` buffers by hand: `BytesCodec`,
//! `LinesCodec` (endings, UTF-8, the length limit and how it recovers),
//! `AnyDelimiterCodec`. The scenarios of tokio-util's `codecs.rs`,
//! rewritten.

use bytes::{BufMut, Bytes, BytesMut};
use runtime_codec::{
    AnyDelimiterCodec, AnyDelimiterCodecError, BytesCodec, Decoder, Encoder, LinesCodec,
    LinesCodecError,
};
use std::io;

fn too_long(result: Result<Option<String>, LinesCodecError>) -> bool {
    matches!(result, Err(LinesCodecError::MaxLineLengthExceeded))
}

#[test]
fn bytes_codec_takes_everything() {
    let mut codec = BytesCodec::new();
    let mut buf = BytesMut::from("abc");
    assert_eq!(&codec.decode(&mut buf).unwrap().unwrap()[..], b"abc");
    assert_eq!(codec.decode(&mut buf).unwrap(), None);
    buf.put_slice(b"de");
    assert_eq!(&codec.decode(&mut buf).unwrap().unwrap()[..], b"de");
    assert_eq!(codec.decode_eof(&mut buf).unwrap(), None);
}

#[test]
fn bytes_codec_encodes_both_buffer_types() {
    let mut codec = BytesCodec::new();
    let mut buf = BytesMut::with_capacity(1);
    codec.encode(Bytes::from_static(b"one"), &mut buf).unwrap();
    codec.encode(BytesMut::from("two"), &mut buf).unwrap();
    assert_eq!(&buf[..], b"onetwo");
}

#[test]
fn lines_strip_lf_and_crlf() {
    let mut codec = LinesCodec::new();
    let mut buf = BytesMut::from("first\nsecond\r\nthird\n\r\n\r");
    assert_eq!(codec.decode(&mut buf).unwrap().unwrap(), "first");
    assert_eq!(codec.decode(&mut buf).unwrap().unwrap(), "second");
    assert_eq!(codec.decode(&mut buf).unwrap().unwrap(), "third");
    assert_eq!(codec.decode(&mut buf).unwrap().unwrap(), "");
    assert_eq!(codec.decode(&mut buf).unwrap(), None);
    // A lone `\r` at the end is not a line.
    assert_eq!(codec.decode_eof(&mut buf).unwrap(), None);
    // With more after it, it is part of the last line.
    buf.put_slice(b"x");
    assert_eq!(codec.decode(&mut buf).unwrap(), None);
    assert_eq!(codec.decode_eof(&mut buf).unwrap().unwrap(), "\rx");
    assert_eq!(codec.decode_eof(&mut buf).unwrap(), None);
}

#[test]
fn lines_only_the_last_cr_is_stripped() {
    let mut codec = LinesCodec::new();
    let mut buf = BytesMut::from("a\r\r\n");
    assert_eq!(codec.decode(&mut buf).unwrap().unwrap(), "a\r");
}

#[test]
fn lines_invalid_utf8_is_invalid_data_and_decoding_goes_on() {
    let mut codec = LinesCodec::new();
    let mut buf = BytesMut::from(&b"caf\xc3\x28\nok\n"[..]);
    match codec.decode(&mut buf) {
        Err(LinesCodecError::Io(err)) => assert_eq!(err.kind(), io::ErrorKind::InvalidData),
        other => panic!("expected InvalidData, got {other:?}"),
    }
    assert_eq!(codec.decode(&mut buf).unwrap().unwrap(), "ok");

    // The same at end of file, for a last line without a newline.
    let mut buf = BytesMut::from(&b"\xff"[..]);
    assert_eq!(codec.decode(&mut buf).unwrap(), None);
    assert!(codec.decode_eof(&mut buf).is_err());
    assert_eq!(codec.decode_eof(&mut buf).unwrap(), None);
    buf.put_slice(b"fine\n");
    assert_eq!(codec.decode(&mut buf).unwrap().unwrap(), "fine");
}

#[test]
fn lines_max_length_skips_long_lines() {
    let mut codec = LinesCodec::new_with_max_length(6);
    let mut buf = BytesMut::from("this one is long\nshort\nsix-ch\nseven!!\r\nend\n\n");
    assert!(too_long(codec.decode(&mut buf)));
    assert_eq!(codec.decode(&mut buf).unwrap().unwrap(), "short");
    // Exactly the limit is fine.
    assert_eq!(codec.decode(&mut buf).unwrap().unwrap(), "six-ch");
    assert!(too_long(codec.decode(&mut buf)));
    assert_eq!(codec.decode(&mut buf).unwrap().unwrap(), "end");
    assert_eq!(codec.decode(&mut buf).unwrap().unwrap(), "");
    assert_eq!(codec.decode(&mut buf).unwrap(), None);

    // One byte over the limit, with no newline in sight.
    buf.put_slice(b"1234567");
    assert!(too_long(codec.decode(&mut buf)));
}

#[test]
fn lines_max_length_error_as_soon_as_the_limit_is_passed() {
    let mut codec = LinesCodec::new_with_max_length(6);
    let mut buf = BytesMut::from("abcde");
    assert_eq!(codec.decode(&mut buf).unwrap(), None);
    buf.put_slice(b"fghij");
    assert!(too_long(codec.decode(&mut buf)));
    // The rest of the long line arrives and is dropped.
    buf.put_slice(b"klm\n");
    assert_eq!(codec.decode(&mut buf).unwrap(), None);
    assert!(buf.is_empty());
    buf.put_slice(b"next");
    assert_eq!(codec.decode(&mut buf).unwrap(), None);
    buf.put_slice(b"\n");
    assert_eq!(codec.decode(&mut buf).unwrap().unwrap(), "next");
}

#[test]
fn lines_max_length_counts_across_partial_reads() {
    // 14 bytes before the newline, in bursts that each fit the limit.
    let mut codec = LinesCodec::new_with_max_length(10);
    let mut buf = BytesMut::from("line ");
    assert_eq!(codec.decode(&mut buf).unwrap(), None);
    buf.put_slice(b"too l");
    assert_eq!(codec.decode(&mut buf).unwrap(), None);
    buf.put_slice(b"ong\n");
    assert!(too_long(codec.decode(&mut buf)));

    // One big burst with the newline past the limit.
    let mut codec = LinesCodec::new_with_max_length(10);
    let mut buf = BytesMut::from("line ");
    assert_eq!(codec.decode(&mut buf).unwrap(), None);
    buf.put_slice(b"too long!\n");
    assert!(too_long(codec.decode(&mut buf)));
}

#[test]
fn lines_newline_arriving_at_the_limit() {
    let mut codec = LinesCodec::new_with_max_length(5);
    let mut buf = BytesMut::from("hello");
    assert_eq!(codec.decode(&mut buf).unwrap(), None);
    buf.put_slice(b"\nworld");
    assert_eq!(codec.decode(&mut buf).unwrap().unwrap(), "hello");
    assert_eq!(&buf[..], b"world");
}

#[test]
fn lines_discarding_does_not_loop_or_error_twice() {
    let mut codec = LinesCodec::new_with_max_length(1);
    let mut buf = BytesMut::from("xx");
    assert!(too_long(codec.decode(&mut buf)));
    buf.put_slice(b"x");
    assert_eq!(codec.decode(&mut buf).unwrap(), None);
    buf.put_slice(b"xxxxxxxx");
    assert_eq!(codec.decode(&mut buf).unwrap(), None);
    buf.put_slice(b"x\ny\n");
    assert_eq!(codec.decode(&mut buf).unwrap().unwrap(), "y");
}

#[test]
fn lines_discarding_across_several_bursts() {
    let mut codec = LinesCodec::new_with_max_length(11);
    let mut buf = BytesMut::from("line ");
    assert_eq!(codec.decode(&mut buf).unwrap(), None);
    buf.put_slice(b"too very l");
    assert!(too_long(codec.decode(&mut buf)));
    buf.put_slice(b"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    assert_eq!(codec.decode(&mut buf).unwrap(), None);
    buf.put_slice(b"ong\nshort\n");
    assert_eq!(codec.decode(&mut buf).unwrap().unwrap(), "short");
}

#[test]
fn lines_encoder_appends_a_newline() {
    let mut codec = LinesCodec::new();
    let mut buf = BytesMut::new();
    codec.encode("one", &mut buf).unwrap();
    codec.encode(String::from("two"), &mut buf).unwrap();
    assert_eq!(&buf[..], b"one\ntwo\n");
}

#[test]
fn lines_error_display_and_conversion() {
    assert_eq!(
        LinesCodecError::MaxLineLengthExceeded.to_string(),
        "max line length exceeded"
    );
    let err: LinesCodecError = io::Error::new(io::ErrorKind::TimedOut, "slow").into();
    assert!(matches!(&err, LinesCodecError::Io(e) if e.kind() == io::ErrorKind::TimedOut));
    assert_eq!(err.to_string(), "slow");
}

#[test]
fn any_delimiter_default_splits_on_each_delimiter() {
    let mut codec = AnyDelimiterCodec::default();
    let mut buf = BytesMut::from("a,b;c\nd\re,,");
    for expected in ["a", "b", "c", "d", "e", ""] {
        assert_eq!(codec.decode(&mut buf).unwrap().unwrap(), expected);
    }
    assert_eq!(codec.decode(&mut buf).unwrap(), None);
    buf.put_slice(b"tail");
    assert_eq!(codec.decode(&mut buf).unwrap(), None);
    assert_eq!(codec.decode_eof(&mut buf).unwrap().unwrap(), "tail");
    assert_eq!(codec.decode_eof(&mut buf).unwrap(), None);
}

#[test]
fn any_delimiter_custom_delimiters() {
    let mut codec = AnyDelimiterCodec::new(b"|#".to_vec(), b"#".to_vec());
    let mut buf = BytesMut::from("x|y#z,w#");
    assert_eq!(codec.decode(&mut buf).unwrap().unwrap(), "x");
    assert_eq!(codec.decode(&mut buf).unwrap().unwrap(), "y");
    assert_eq!(codec.decode(&mut buf).unwrap().unwrap(), "z,w");

    let mut out = BytesMut::new();
    codec.encode("p", &mut out).unwrap();
    codec.encode("q", &mut out).unwrap();
    assert_eq!(&out[..], b"p#q#");
}

#[test]
fn any_delimiter_max_length_skips_long_chunks() {
    let mut codec = AnyDelimiterCodec::new_with_max_length(b",;".to_vec(), b",".to_vec(), 4);
    let mut buf = BytesMut::from("toolong,ok;abcd,");
    assert!(matches!(
        codec.decode(&mut buf),
        Err(AnyDelimiterCodecError::MaxChunkLengthExceeded)
    ));
    assert_eq!(codec.decode(&mut buf).unwrap().unwrap(), "ok");
    assert_eq!(codec.decode(&mut buf).unwrap().unwrap(), "abcd");

    // Discarding spans bursts.
    buf.put_slice(b"12345");
    assert!(codec.decode(&mut buf).is_err());
    buf.put_slice(b"6789");
    assert_eq!(codec.decode(&mut buf).unwrap(), None);
    buf.put_slice(b"0;next,");
    assert_eq!(codec.decode(&mut buf).unwrap().unwrap(), "next");
    assert_eq!(
        AnyDelimiterCodecError::MaxChunkLengthExceeded.to_string(),
        "max chunk length exceeded"
    );
}
