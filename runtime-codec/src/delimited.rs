//! The search for the next delimiter that [`LinesCodec`](crate::LinesCodec)
//! and [`AnyDelimiterCodec`](crate::AnyDelimiterCodec) share: where the
//! next search starts, the length limit, and the skipping of an over-long
//! chunk up to its delimiter.

use bytes::{Buf, BytesMut};

/// A delimiter codec's decoding state (the codecs compare and hash by it,
/// so it derives what they derive).
#[derive(Clone, Debug, Eq, PartialEq, Ord, PartialOrd, Hash)]
pub(crate) struct DelimiterSearch {
    /// Where the next search starts: the bytes before it were searched by
    /// an earlier call and held no delimiter.
    next_index: usize,
    max_length: usize,
    /// An over-long chunk was reported; its remaining bytes are dropped up
    /// to and including the next delimiter.
    is_discarding: bool,
}

/// A chunk passed the length limit; the search now skips the rest of it.
pub(crate) struct ChunkTooLong;

impl DelimiterSearch {
    pub(crate) fn new(max_length: usize) -> DelimiterSearch {
        DelimiterSearch {
            next_index: 0,
            max_length,
            is_discarding: false,
        }
    }

    pub(crate) fn max_length(&self) -> usize {
        self.max_length
    }

    /// Takes the next complete chunk out of `buf`, with its delimiter (the
    /// last byte), or `None` when `buf` holds no delimiter yet.
    pub(crate) fn next_chunk(
        &mut self,
        buf: &mut BytesMut,
        is_delimiter: impl Fn(u8) -> bool,
    ) -> Result<Option<BytesMut>, ChunkTooLong> {
        loop {
            // Search no further than one byte past the limit: a delimiter
            // there still ends a chunk of exactly `max_length` bytes.
            let search_end = self.max_length.saturating_add(1).min(buf.len());
            let delimiter = buf[self.next_index..search_end]
                .iter()
                .position(|&b| is_delimiter(b))
                .map(|offset| self.next_index + offset);

            match (delimiter, self.is_discarding) {
                (Some(end), true) => {
                    // The end of the over-long chunk: drop it, then search
                    // normally.
                    buf.advance(end + 1);
                    self.is_discarding = false;
                    self.next_index = 0;
                }
                (None, true) => {
                    // Still inside the over-long chunk: drop what was
                    // searched.
                    buf.advance(search_end);
                    self.next_index = 0;
                    if buf.is_empty() {
                        return Ok(None);
                    }
                }
                (Some(end), false) => {
                    self.next_index = 0;
                    return Ok(Some(buf.split_to(end + 1)));
                }
                (None, false) if buf.len() > self.max_length => {
                    self.is_discarding = true;
                    return Err(ChunkTooLong);
                }
                (None, false) => {
                    self.next_index = search_end;
                    return Ok(None);
                }
            }
        }
    }

    /// Starts the next search at the front of the buffer (at end of file,
    /// when the codec takes what is left).
    pub(crate) fn restart(&mut self) {
        self.next_index = 0;
    }
}
