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
    match word {
        "company" | "co" | "compagnie" | "cia" => "co",
        "limited" | "ltd" | "ltda" => "ltd",
        "corporation" | "corp" => "corp",
        "incorporated" | "inc" => "inc",
        "llc" => "llc",
        "gmbh" => "gmbh",
        "jsc" | "ojsc" | "pjsc" | "cjsc" | "ao" | "oao" | "pao" | "zao" => "jsc",
        "sa" => "sa",
        "international" | "intl" => "intl",
        "trading" | "trade" => "trading",
        "shipping" | "shpg" => "shipping",
        "and" | "&" => "and",
        // Romanisation variants seen in DPRK and Russian names.
        "chosun" | "joseon" => "choson",
        "phyongyang" => "pyongyang",
        "ryongbong" | "ryonbong" | "yonbong" => "ryonbong",
        _ => word,
    }
}

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

/// Hashes of both keys of a name ([`keys`]), without building them: the
/// index is looked up by these, and a hit is confirmed on the keys.
pub fn key_hashes(name: &str) -> Option<(u64, u64)> {
    let mut buf = String::with_capacity(name.len());
    let mut bounds = Vec::with_capacity(8);
    split(name, &mut buf, &mut bounds);
    if bounds.is_empty() {
        return None;
    }
    let mut w: [&str; 32] = [""; 32];
    let n = bounds.len();
    if n > w.len() {
        let (a, b) = keys(name)?;
        return Some((fnv(a.as_bytes()), fnv(b.as_bytes())));
    }
    for (slot, &(a, b)) in w.iter_mut().zip(&bounds) {
        *slot = canonical(&buf[a..b]);
    }
    let words = &mut w[..n];
    let mut compact = FNV_START;
    for x in words.iter() {
        compact = fnv_more(compact, x.as_bytes());
    }
    words.sort_unstable();
    let mut sorted = FNV_START;
    for (i, x) in words.iter().enumerate() {
        if i > 0 {
            sorted = fnv_more(sorted, b" ");
        }
        sorted = fnv_more(sorted, x.as_bytes());
    }
    Some((sorted, compact))
}

const FNV_START: u64 = 0xcbf2_9ce4_8422_2325;

fn fnv_more(mut h: u64, bytes: &[u8]) -> u64 {
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// FNV-1a of a key, as [`key_hashes`] computes it.
pub fn fnv(bytes: &[u8]) -> u64 {
    fnv_more(FNV_START, bytes)
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
    fn hashes_are_the_hashes_of_the_keys() {
        for n in [
            "Korea Ansan Shipping Co., Ltd.",
            "L.L.C. Acme",
            "Chon Ma San",
            "Пётр & Co",
        ] {
            let (a, b) = keys(n).unwrap_or_default();
            assert_eq!(
                key_hashes(n),
                Some((fnv(a.as_bytes()), fnv(b.as_bytes()))),
                "{n}"
            );
        }
        assert_eq!(key_hashes(" ,. "), None);
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
