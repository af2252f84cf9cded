//! Where the brackets and commas of a JSON text are, outside its strings:
//! one bit a byte, found 64 bytes at a time without a branch per string.
//!
//! The JSON array reader must find where each element ends before a worker
//! parses it. Going string by string, it mispredicted a branch at every
//! quote (about forty an event); marking a whole chunk first, by 16-byte
//! vector compares (`wide`, SSE2 on x86-64) and a prefix XOR of the quotes,
//! leaves it a few steps an element (its opening and closing brace, then
//! the comma after it).

use wide::u8x16;

/// The lexical state carried from one block (and chunk) to the next.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Carry {
    /// The last byte was inside a string (or its opening quote).
    in_string: bool,
    /// The last byte was a backslash that escapes the next one.
    escaped: bool,
}

/// The marks of one chunk, bit `i % 64` of word `i / 64` for byte `i`.
#[derive(Debug, Default)]
pub(super) struct Marks {
    /// `{ [ } ]` outside strings.
    nest: Vec<u64>,
    /// The same and `,` outside strings: where an element may end.
    stop: Vec<u64>,
}

impl Marks {
    /// Mark `chunk`, which follows the bytes `carry` was left by.
    pub(super) fn fill(&mut self, chunk: &[u8], carry: &mut Carry) {
        self.nest.clear();
        self.stop.clear();
        let mut blocks = chunk.chunks_exact(64);
        for block in blocks.by_ref() {
            if let Some(block) = block.first_chunk::<64>() {
                self.push(block, 64, carry);
            }
        }
        let tail = blocks.remainder();
        if !tail.is_empty() {
            // Zero bytes are none of the marked bytes.
            let mut block = [0u8; 64];
            if let Some(head) = block.get_mut(..tail.len()) {
                head.copy_from_slice(tail);
            }
            self.push(&block, tail.len() as u32, carry);
        }
    }

    /// Mark a block whose first `len` bytes are the text's.
    fn push(&mut self, block: &[u8; 64], len: u32, carry: &mut Carry) {
        let (mut quote, mut backslash, mut nest, mut comma) = (0u64, 0u64, 0u64, 0u64);
        let at = |c: u8| u8x16::splat(c);
        for (k, lane) in block.chunks_exact(16).enumerate() {
            let v = u8x16::new(lane.first_chunk::<16>().copied().unwrap_or_default());
            // `{` and `[` differ only in bit 0x20, as do `}` and `]`.
            let folded = v | at(0x20);
            let mask = |m: u8x16| u64::from(m.to_bitmask()) << (16 * k);
            quote |= mask(v.simd_eq(at(b'"')));
            backslash |= mask(v.simd_eq(at(b'\\')));
            nest |= mask(folded.simd_eq(at(b'{')) | folded.simd_eq(at(b'}')));
            comma |= mask(v.simd_eq(at(b',')));
        }
        let escaped = escaped(backslash, len - 1, &mut carry.escaped);
        let strings = strings(quote & !escaped, &mut carry.in_string);
        // An escaped byte is never a mark (outside a string, where JSON
        // has no escapes, as the byte-by-byte reader took it).
        let plain = !(strings | escaped);
        self.nest.push(nest & plain);
        self.stop.push((nest | comma) & plain);
    }

    /// The first byte at or after `from` marked as nesting (`{ [ } ]`), or
    /// also as a comma when `commas`.
    #[inline]
    pub(super) fn next(&self, commas: bool, from: usize) -> Option<usize> {
        let map = if commas { &self.stop } else { &self.nest };
        let mut word = from / 64;
        let mut bits = map.get(word)? & (u64::MAX << (from % 64));
        while bits == 0 {
            word += 1;
            bits = *map.get(word)?;
        }
        Some(word * 64 + bits.trailing_zeros() as usize)
    }
}

/// The bytes escaped by a backslash, in a block whose last byte is bit
/// `last`. Backslashes are rare in events, so the usual block has none and
/// takes no loop.
#[inline]
fn escaped(backslash: u64, last: u32, carry: &mut bool) -> u64 {
    let mut escaped = u64::from(*carry);
    *carry = false;
    if backslash == 0 {
        return escaped;
    }
    let mut rest = backslash;
    while rest != 0 {
        let at = rest.trailing_zeros();
        rest &= rest - 1;
        // A backslash that is itself escaped escapes nothing.
        if escaped >> at & 1 == 0 {
            if at >= last {
                *carry = true;
            } else {
                escaped |= 1 << (at + 1);
            }
        }
    }
    escaped
}

/// The bytes inside strings, opening quotes included and closing ones not:
/// bit `i` is the parity of the quotes up to byte `i`, by a prefix XOR.
#[inline]
fn strings(quotes: u64, carry: &mut bool) -> u64 {
    let mut s = quotes;
    s ^= s << 1;
    s ^= s << 2;
    s ^= s << 4;
    s ^= s << 8;
    s ^= s << 16;
    s ^= s << 32;
    if *carry {
        s = !s;
    }
    *carry = s >> 63 == 1;
    s
}

#[cfg(test)]
mod tests {
    use super::{Carry, Marks};
    use proptest::prelude::*;

    /// Byte by byte, the way the reader went before: the reference.
    fn naive(text: &[u8]) -> (Vec<usize>, Vec<usize>) {
        let (mut nest, mut stop) = (Vec::new(), Vec::new());
        let (mut in_string, mut escaped) = (false, false);
        for (i, &c) in text.iter().enumerate() {
            if escaped {
                escaped = false;
                continue;
            }
            match c {
                b'\\' => escaped = true,
                b'"' => in_string = !in_string,
                _ if in_string => {}
                b'{' | b'[' | b'}' | b']' => {
                    nest.push(i);
                    stop.push(i);
                }
                b',' => stop.push(i),
                _ => {}
            }
        }
        (nest, stop)
    }

    /// Every mark, chunk after chunk, through `next`.
    fn marked(text: &[u8], chunk: usize) -> (Vec<usize>, Vec<usize>) {
        let (mut nest, mut stop) = (Vec::new(), Vec::new());
        let mut carry = Carry::default();
        let mut marks = Marks::default();
        for (c, part) in text.chunks(chunk).enumerate() {
            marks.fill(part, &mut carry);
            for (commas, out) in [(false, &mut nest), (true, &mut stop)] {
                let mut from = 0;
                while let Some(at) = marks.next(commas, from) {
                    assert!(at < part.len());
                    out.push(c * chunk + at);
                    from = at + 1;
                }
            }
        }
        (nest, stop)
    }

    #[test]
    fn every_byte_is_marked_as_it_reads_in_every_place() {
        for c in 0..=255u8 {
            for at in 0..64 {
                let mut text = [b'a'; 64];
                text[at] = c;
                assert_eq!(marked(&text, 64), naive(&text), "{c} at {at}");
            }
        }
    }

    #[test]
    fn escapes_and_quotes_across_blocks() {
        // Runs of backslashes ending on every side of a block's edge.
        for run in 0..6 {
            for at in 55..70 {
                let mut text = vec![b'a'; at];
                text.insert(0, b'"');
                text.extend(std::iter::repeat_n(b'\\', run));
                text.extend_from_slice(b"\",{[x]}\"],\"");
                for chunk in [1, 7, 64, 65, 4096] {
                    assert_eq!(marked(&text, chunk), naive(&text), "run {run} at {at}");
                }
            }
        }
    }

    proptest! {
        #[test]
        fn marks_match_the_byte_by_byte_reading(
            text in proptest::collection::vec(
                prop_oneof![
                    Just(b'"'), Just(b'\\'), Just(b'{'), Just(b'}'), Just(b'['),
                    Just(b']'), Just(b','), Just(b'a'), Just(0xC3u8), any::<u8>()
                ],
                0..400,
            ),
            chunk in 1usize..200,
        ) {
            prop_assert_eq!(marked(&text, chunk), naive(&text));
        }
    }
}
