//! Names as designation lists and events write them, reduced to a form in
//! which spelling variants meet: `KOREA ANSAN SHIPPING CO., LTD.` and
//! `Korea Ansan Shipping Company Limited` give the same key.
//!
//! Steps: transliterate to ASCII (diacritics dropped, Cyrillic and Hangul
//! romanised, by the `deunicode` tables); lower case; every character that
//! is not a letter or digit becomes a space; legal forms are written one way
//! (`company`/`co` → `co`, `limited`/`ltd` → `ltd`, …); a few common
//! romanisation variants are written one way (`chosun` → `choson`); and the
//! initialisms written with dots are one word (`L.L.C.` is `llc`); the
//! words are sorted, so their order does not matter (`Kim Jong Un` and
//! `Un Jong Kim` are one key). A second, compact key keeps the words in
//! their order without spaces, so `Chonmasan` meets `Chon Ma San`.

/// One normalised word for a legal form or a romanisation variant.
fn canonical(word: &str) -> &str {
    // The canonical forms are ASCII.
    std::str::from_utf8(canonical_bytes(word.as_bytes())).unwrap_or(word)
}

/// [`canonical`] on bytes.
fn canonical_bytes(word: &[u8]) -> &[u8] {
    match word {
        b"company" | b"co" | b"compagnie" | b"cia" => b"co",
        b"limited" | b"ltd" | b"ltda" => b"ltd",
        b"corporation" | b"corp" => b"corp",
        b"incorporated" | b"inc" => b"inc",
        b"llc" => b"llc",
        b"gmbh" => b"gmbh",
        b"jsc" | b"ojsc" | b"pjsc" | b"cjsc" | b"ao" | b"oao" | b"pao" | b"zao" => b"jsc",
        b"sa" => b"sa",
        b"international" | b"intl" => b"intl",
        b"trading" | b"trade" => b"trading",
        b"shipping" | b"shpg" => b"shipping",
        b"and" | b"&" => b"and",
        // Romanisation variants seen in DPRK and Russian names.
        b"chosun" | b"joseon" => b"choson",
        b"phyongyang" => b"pyongyang",
        b"ryongbong" | b"ryonbong" | b"yonbong" => b"ryonbong",
        _ => word,
    }
}

/// Every word [`canonical`] writes another way, with its canonical form
/// (for `sanc compile --to sql`, which normalises names in SQL).
pub const CANONICAL_WORDS: &[(&str, &str)] = &[
    ("company", "co"),
    ("compagnie", "co"),
    ("cia", "co"),
    ("limited", "ltd"),
    ("ltda", "ltd"),
    ("corporation", "corp"),
    ("incorporated", "inc"),
    ("ojsc", "jsc"),
    ("pjsc", "jsc"),
    ("cjsc", "jsc"),
    ("ao", "jsc"),
    ("oao", "jsc"),
    ("pao", "jsc"),
    ("zao", "jsc"),
    ("international", "intl"),
    ("trade", "trading"),
    ("shpg", "shipping"),
    ("&", "and"),
    ("chosun", "choson"),
    ("joseon", "choson"),
    ("phyongyang", "pyongyang"),
    ("ryongbong", "ryonbong"),
    ("yonbong", "ryonbong"),
];

/// The normalised words of a name, in their order.
pub fn words(name: &str) -> Vec<String> {
    let mut buf = String::new();
    let mut bounds = Vec::new();
    split(name, &mut buf, &mut bounds);
    bounds
        .iter()
        .map(|&(a, b)| canonical(&buf[a..b]).to_string())
        .collect()
}

/// The lower-case words of a name in `buf`, as byte ranges in `bounds`
/// (initialisms merged), without canonical forms applied.
fn split(name: &str, buf: &mut String, bounds: &mut Vec<(usize, usize)>) {
    buf.clear();
    bounds.clear();
    // Most names are ASCII already: transliterate only the others.
    let ascii: std::borrow::Cow<str> = if name.is_ascii() {
        std::borrow::Cow::Borrowed(name)
    } else {
        std::borrow::Cow::Owned(deunicode::deunicode(name))
    };
    let mut start = 0;
    let mut singles_run = false;
    for c in ascii.chars() {
        if c.is_ascii_alphanumeric() {
            buf.push(c.to_ascii_lowercase());
        } else if c == '\'' || c == '\u{2019}' {
            // `Ko'rea` and `Korea`: apostrophes join.
        } else {
            if buf.len() > start {
                push_word(buf, &mut start, bounds, &mut singles_run);
            }
            if c == '&' {
                buf.push_str("and");
                push_word(buf, &mut start, bounds, &mut singles_run);
            }
        }
    }
    if buf.len() > start {
        push_word(buf, &mut start, bounds, &mut singles_run);
    }
}

/// End the word `buf[start..]`: a single letter right after another single
/// letter (or a run of them) joins it, as in `l l c` → `llc`.
fn push_word(
    buf: &mut String,
    start: &mut usize,
    bounds: &mut Vec<(usize, usize)>,
    singles_run: &mut bool,
) {
    let (a, b) = (*start, buf.len());
    let single = b - a == 1 && buf.as_bytes()[a].is_ascii_alphabetic();
    match bounds.last_mut() {
        // Words are contiguous in `buf`, so the previous one extends.
        Some(last) if single && *singles_run && last.1 == a => last.1 = b,
        _ => bounds.push((a, b)),
    }
    *singles_run = single;
    *start = b;
}

/// Hashes of both keys of a name ([`keys`]), without building them and
/// without allocating for an ASCII name of up to 256 bytes: the index is
/// looked up by these, and a hit is confirmed on the keys. The sorted
/// key's hash does not depend on the order of the words (a sum of the
/// words' mixed hashes), so no sort is needed; the compact key's is
/// FNV-1a of the words in order. Two names with equal keys have equal
/// hashes; both hashes are mixed, ready for a table or a filter.
pub fn key_hashes(name: &str) -> Option<(u64, u64)> {
    if name.is_ascii() && name.len() <= 256 {
        let mut buf = [0u8; 256];
        let mut bounds = [(0u16, 0u16); 64];
        if let Some(n) = split_ascii(name.as_bytes(), &mut buf, &mut bounds) {
            let words = bounds[..n]
                .iter()
                .map(|&(a, b)| &buf[usize::from(a)..usize::from(b)]);
            return hashes_of(words);
        }
    }
    let mut buf = String::with_capacity(name.len());
    let mut bounds = Vec::with_capacity(8);
    split(name, &mut buf, &mut bounds);
    hashes_of(bounds.iter().map(|&(a, b)| &buf.as_bytes()[a..b]))
}

/// The two hashes of the (not yet canonical) words of a name.
fn hashes_of<'a>(words: impl Iterator<Item = &'a [u8]>) -> Option<(u64, u64)> {
    let mut sorted = 0u64;
    let mut compact = Stream::default();
    let mut any = false;
    for w in words {
        let w = canonical_bytes(w);
        any = true;
        compact.push(w);
        sorted = sorted.wrapping_add(hash_bytes(w));
    }
    any.then(|| (mix(sorted ^ 0x5bd1_e995), compact.finish()))
}

/// A hash of a short byte string, eight bytes at a time.
fn hash_bytes(b: &[u8]) -> u64 {
    let mut h = (b.len() as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    for c in b.chunks(8) {
        let mut w = [0u8; 8];
        w[..c.len()].copy_from_slice(c);
        h = mix(h ^ u64::from_le_bytes(w));
    }
    h
}

/// [`hash_bytes`] of words pushed one after the other, as if concatenated.
#[derive(Default)]
struct Stream {
    h: u64,
    acc: u64,
    n: u32,
    len: u64,
}

impl Stream {
    fn push(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.acc |= u64::from(b) << (8 * self.n);
            self.n += 1;
            if self.n == 8 {
                self.h = mix(self.h ^ self.acc);
                self.acc = 0;
                self.n = 0;
            }
        }
        self.len += bytes.len() as u64;
    }

    fn finish(&self) -> u64 {
        let mut h = self.h;
        if self.n > 0 {
            h = mix(h ^ self.acc);
        }
        mix(h ^ self.len.wrapping_mul(0x9e37_79b9_7f4a_7c15))
    }
}

/// [`split`] for an ASCII name into fixed buffers: the number of words, or
/// `None` when the name does not fit them.
fn split_ascii(name: &[u8], buf: &mut [u8; 256], bounds: &mut [(u16, u16); 64]) -> Option<usize> {
    let (mut len, mut n, mut start) = (0usize, 0usize, 0usize);
    let mut singles_run = false;
    let mut end_word = |len: usize, start: &mut usize, n: &mut usize, buf: &[u8; 256]| -> bool {
        let (a, b) = (*start, len);
        let single = b - a == 1 && buf[a].is_ascii_alphabetic();
        *start = b;
        if single && singles_run && *n > 0 && usize::from(bounds[*n - 1].1) == a {
            bounds[*n - 1].1 = b as u16;
        } else {
            if *n == bounds.len() {
                return false;
            }
            bounds[*n] = (a as u16, b as u16);
            *n += 1;
        }
        singles_run = single;
        true
    };
    for &c in name {
        if c.is_ascii_alphanumeric() {
            // `&` adds three bytes, so a name of 256 bytes may need more.
            if len == buf.len() {
                return None;
            }
            buf[len] = c.to_ascii_lowercase();
            len += 1;
        } else if c == b'\'' {
            // `Ko'rea` and `Korea`: apostrophes join.
        } else {
            if len > start && !end_word(len, &mut start, &mut n, buf) {
                return None;
            }
            if c == b'&' {
                if len + 3 > buf.len() {
                    return None;
                }
                buf[len..len + 3].copy_from_slice(b"and");
                len += 3;
                if !end_word(len, &mut start, &mut n, buf) {
                    return None;
                }
            }
        }
    }
    if len > start && !end_word(len, &mut start, &mut n, buf) {
        return None;
    }
    Some(n)
}

const FNV_START: u64 = 0xcbf2_9ce4_8422_2325;

fn fnv_more(mut h: u64, bytes: &[u8]) -> u64 {
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// FNV-1a of a key.
pub fn fnv(bytes: &[u8]) -> u64 {
    fnv_more(FNV_START, bytes)
}

/// splitmix64's finaliser: every bit of the input moves the high bits.
pub fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Both keys of a name, with few allocations: (sorted words joined by
/// spaces, words in order without spaces). `None` for a name with no words.
pub fn keys(name: &str) -> Option<(String, String)> {
    let mut buf = String::with_capacity(name.len());
    let mut bounds = Vec::with_capacity(8);
    split(name, &mut buf, &mut bounds);
    if bounds.is_empty() {
        return None;
    }
    let mut w: Vec<&str> = bounds.iter().map(|&(a, b)| canonical(&buf[a..b])).collect();
    let compact = w.concat();
    w.sort_unstable();
    Some((w.join(" "), compact))
}

/// The key names are matched on: normalised words, sorted, joined by spaces.
pub fn key(name: &str) -> String {
    let mut w = words(name);
    w.sort_unstable();
    w.join(" ")
}

/// The compact key: normalised words in their order, without spaces.
pub fn compact(name: &str) -> String {
    words(name).concat()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_keys_have_equal_hashes() {
        let pairs = [
            (
                "Korea Ansan Shipping Co., Ltd.",
                "KOREA ANSAN SHIPPING COMPANY LIMITED",
            ),
            ("L.L.C. Acme", "llc acme"),
            ("Kim Jong Un", "Un Jong Kim"),
            ("Chon Ma San", "CHONMASAN"),
            ("Пётр & Co", "Petr and Company"),
        ];
        for (a, b) in pairs {
            let (ha, hb) = (key_hashes(a).unwrap(), key_hashes(b).unwrap());
            let (ka, kb) = (keys(a).unwrap(), keys(b).unwrap());
            assert_eq!(ka.0 == kb.0, ha.0 == hb.0, "{a} / {b}: sorted");
            assert_eq!(ka.1 == kb.1, ha.1 == hb.1, "{a} / {b}: compact");
        }
        assert_ne!(key_hashes("Chon Ma San"), key_hashes("Chon Ma Sang"));
        // The ASCII path and the general one (non-ASCII, too long, too
        // many words) agree.
        let many = "ab ".repeat(70);
        assert_eq!(key_hashes(&many), key_hashes(&format!("{many}\u{a0}")));
        let long = "Acme Shipping ".repeat(20);
        assert_eq!(key_hashes(&long), key_hashes(&format!("{long}\u{a0}")));
        assert_eq!(
            key_hashes("Ko'rea & Ryŏnbong"),
            key_hashes("korea and ryonbong")
        );
        assert_eq!(key_hashes(" ,. "), None);
        assert_eq!(key_hashes("é"), key_hashes("E"));
    }

    #[test]
    fn the_canonical_words_are_those_of_canonical() {
        for (w, c) in CANONICAL_WORDS {
            assert_eq!(canonical(w), *c, "{w}");
        }
        // Every word the match changes is listed.
        for w in [
            "company",
            "co",
            "compagnie",
            "cia",
            "limited",
            "ltd",
            "ltda",
            "corporation",
            "corp",
            "incorporated",
            "inc",
            "llc",
            "gmbh",
            "jsc",
            "ojsc",
            "pjsc",
            "cjsc",
            "ao",
            "oao",
            "pao",
            "zao",
            "sa",
            "international",
            "intl",
            "trading",
            "trade",
            "shipping",
            "shpg",
            "and",
            "&",
            "chosun",
            "joseon",
            "phyongyang",
            "ryongbong",
            "ryonbong",
            "yonbong",
            "acme",
        ] {
            let listed = CANONICAL_WORDS
                .iter()
                .find(|(x, _)| x == &w)
                .map(|(_, c)| *c);
            assert_eq!(canonical(w), listed.unwrap_or(w), "{w}");
        }
    }

    #[test]
    fn normalisation_cases() {
        // Diacritics, case, punctuation and white space.
        assert_eq!(
            key("Korea Ryŏnbong  General Corp."),
            key("KOREA RYONBONG GENERAL CORPORATION")
        );
        assert_eq!(key("Société Générale"), key("societe generale"));
        // Legal forms.
        assert_eq!(
            key("Korea Ansan Shipping Co., Ltd."),
            key("Korea Ansan Shipping Company Limited")
        );
        assert_eq!(key("Acme Trading LLC"), key("ACME TRADING, L.L.C."));
        // Word order.
        assert_eq!(key("Kim Jong Un"), key("Un Jong Kim"));
        // Romanisation variants and scripts.
        assert_eq!(key("Chosun Expo"), key("Choson Expo"));
        assert_eq!(key("Морской Флот"), key("Morskoi Flot"));
        // Spacing: the compact key.
        assert_eq!(compact("Chon Ma San"), compact("CHONMASAN"));
        assert_ne!(key("Chon Ma San"), key("Chon Ma Sang"));
        assert_eq!(key("  "), "");
    }
}
