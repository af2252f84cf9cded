//! The set of event-id hashes seen in a run: about 10 to 13 bytes an id.
//!
//! A hash set at a power-of-two size holds each 8-byte hash in 10 to 21
//! bytes (a control byte, and a table between 44% and 88% full). Here the
//! hashes live in 64 tables of any size, at most 13/16 full and grown by a
//! third at a time, so a table is between 61% and 81% full.
//!
//! Each table is kept in order: a hash sits at or after its home slot
//! (`hash × size / 2⁶⁴`, which grows with the hash), and the hashes of a
//! run of full slots are sorted (ordered linear probing). A search stops at
//! an empty slot or a larger hash, so it stays short; an insertion shifts
//! the rest of its run by one slot. Runs lengthen sharply as a table
//! fills (as 1 / (1 − fullness)² for linear probing), so the tables stop
//! at 81%: far fewer slots moved an insertion, for 2.5 more bytes an id.
//! The set is exact on the 64-bit hashes, like the hash set it replaces.

/// The hashes of the ids seen.
pub(super) struct IdSet {
    shards: Vec<Shard>,
    /// The hash 0 marks an empty slot, so it is kept here.
    zero: bool,
}

/// One table: the hashes whose top bits are its index.
#[derive(Default)]
struct Shard {
    /// `size` home slots and [`SPILL`] or more at the end, for the runs
    /// that go on past the last home slot; 0 is an empty slot.
    slots: Vec<u64>,
    size: usize,
    len: usize,
}

/// Bits of a hash that choose its table.
const SHARD_BITS: u32 = 6;
/// Slots after the last home slot.
const SPILL: usize = 64;
/// The size of a table when its first hash comes.
const FIRST_SIZE: usize = 64;

impl IdSet {
    pub(super) fn new() -> Self {
        IdSet {
            shards: (0..1 << SHARD_BITS).map(|_| Shard::default()).collect(),
            zero: false,
        }
    }

    fn shard(hash: u64) -> usize {
        (hash >> (64 - SHARD_BITS)) as usize
    }

    /// Make room for `ids` ids in all (tables at most 70% full), when
    /// their number can be told in advance: tables grown a third at a time
    /// all outgrow their memory at about the same moment, and the
    /// allocator holds what they leave for a while before it gives it
    /// back, so the memory of a long run peaks higher than its tables.
    pub(super) fn reserve(&mut self, ids: usize) {
        let each = (ids >> SHARD_BITS).saturating_mul(10) / 7;
        for shard in &mut self.shards {
            if shard.size < each {
                shard.grow_to(each);
            }
        }
    }

    /// `false` if the hash was there.
    pub(super) fn insert(&mut self, hash: u64) -> bool {
        if hash == 0 {
            return !std::mem::replace(&mut self.zero, true);
        }
        match self.shards.get_mut(Self::shard(hash)) {
            Some(shard) => shard.insert(hash),
            None => true,
        }
    }

    /// Read the slot where `hash` would go, so that its cache line is
    /// loaded: a batch's slots are touched in one short loop (whose loads
    /// the processor overlaps) before the batch's inserts, each of which
    /// would otherwise wait for memory on its own.
    pub(super) fn touch(&self, hash: u64) -> u64 {
        self.shards.get(Self::shard(hash)).map_or(0, |shard| {
            let i = Shard::home(hash, shard.size);
            shard.slots.get(i).copied().unwrap_or(0)
        })
    }

    pub(super) fn contains(&self, hash: u64) -> bool {
        if hash == 0 {
            return self.zero;
        }
        self.shards
            .get(Self::shard(hash))
            .is_some_and(|shard| shard.contains(hash))
    }
}

impl Shard {
    /// The home slot of a hash in a table of `size` home slots: grows with
    /// the hash (the shard's bits are the same for all its hashes).
    fn home(hash: u64, size: usize) -> usize {
        (((hash << SHARD_BITS) as u128 * size as u128) >> 64) as usize
    }

    fn contains(&self, hash: u64) -> bool {
        let mut i = Self::home(hash, self.size);
        while let Some(&s) = self.slots.get(i) {
            if s == 0 || s > hash {
                return false;
            }
            if s == hash {
                return true;
            }
            i += 1;
        }
        false
    }

    fn insert(&mut self, hash: u64) -> bool {
        if (self.len + 1) * 16 > self.size * 13 {
            self.grow();
        }
        let mut i = Self::home(hash, self.size);
        // Past the smaller hashes of the run.
        while let Some(&s) = self.slots.get(i) {
            if s == 0 || s >= hash {
                break;
            }
            i += 1;
        }
        if self.slots.get(i) == Some(&hash) {
            return false;
        }
        // The rest of the run moves up by one slot: each slot takes the
        // hash carried from the one before, in one pass (runs are short:
        // a call to move them cost more than the moving).
        let mut carry = hash;
        loop {
            match self.slots.get_mut(i) {
                Some(slot) => {
                    carry = std::mem::replace(slot, carry);
                    if carry == 0 {
                        self.len += 1;
                        return true;
                    }
                    i += 1;
                }
                // The run reaches the end: more spill slots.
                None => self.slots.resize(self.slots.len() + SPILL, 0),
            }
        }
    }

    /// A table a third larger.
    fn grow(&mut self) {
        self.grow_to((self.size + self.size / 3).max(FIRST_SIZE));
    }

    /// A table of `size` home slots, filled in order: the hashes are
    /// sorted across the whole table, so each goes to its home slot or
    /// right after the one before.
    fn grow_to(&mut self, size: usize) {
        let mut slots = vec![0u64; size + SPILL];
        let mut next = 0;
        for &s in self.slots.iter().filter(|&&s| s != 0) {
            let i = Self::home(s, size).max(next);
            if i >= slots.len() {
                slots.resize(i + SPILL, 0);
            }
            if let Some(slot) = slots.get_mut(i) {
                *slot = s;
            }
            next = i + 1;
        }
        self.slots = slots;
        self.size = size;
    }
}

#[cfg(test)]
mod tests {
    use super::IdSet;
    use std::collections::HashSet;

    /// splitmix64: well-mixed numbers, like id hashes.
    fn mix(n: u64) -> u64 {
        let mut z = n.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    #[test]
    fn same_answers_as_a_hash_set() {
        let mut ours = IdSet::new();
        let mut theirs = HashSet::new();
        // Repeats, the hash 0, and hashes that share a shard and their
        // high bits (long runs) as well as spread ones.
        let mut keys: Vec<u64> = (0..200_000u64).map(|i| mix(i % 150_000)).collect();
        keys.extend((0..5_000u64).map(|i| (7 << 58) | (i * 3)));
        keys.extend((0..5_000u64).map(|i| u64::MAX - i * 5));
        keys.extend([0, 0, 1, u64::MAX, 1 << 63]);
        for (n, &k) in keys.iter().enumerate() {
            assert_eq!(ours.insert(k), theirs.insert(k), "insert {k:#x} (#{n})");
            if n % 97 == 0 {
                let probe = mix(n as u64 + 1_000_000);
                assert_eq!(ours.contains(probe), theirs.contains(&probe));
            }
        }
        for &k in &keys {
            assert!(ours.contains(k));
        }
        for i in 0..50_000u64 {
            let k = mix(i + 10_000_000) | 1;
            assert_eq!(ours.contains(k), theirs.contains(&k));
        }
    }

    #[test]
    fn reserved_tables_answer_the_same_and_do_not_grow() {
        let mut set = IdSet::new();
        set.insert(mix(1));
        set.reserve(100_000);
        let sizes: Vec<usize> = set.shards.iter().map(|s| s.size).collect();
        assert!(set.contains(mix(1)));
        let mut theirs = HashSet::new();
        theirs.insert(mix(1));
        for i in 0..100_000u64 {
            let k = mix(i % 90_000);
            assert_eq!(set.insert(k), theirs.insert(k));
        }
        assert!(
            set.shards.iter().map(|s| s.size).eq(sizes.iter().copied()),
            "no table grew"
        );
        // Reserving less than there is changes nothing.
        set.reserve(10);
        assert!(set.shards.iter().map(|s| s.size).eq(sizes.iter().copied()));
        for i in 0..1_000u64 {
            assert!(set.contains(mix(i)));
        }
    }

    #[test]
    fn at_most_thirteen_bytes_an_id() {
        let mut set = IdSet::new();
        let n = 1_000_000u64;
        for i in 0..n {
            set.insert(mix(i));
        }
        let slots: usize = set.shards.iter().map(|s| s.slots.len()).sum();
        let per_id = (slots * 8) as f64 / n as f64;
        assert!(per_id < 13.5, "{per_id} bytes an id");
    }
}
