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
    // Most names are ASCII already: transliterate only the others.
    let ascii: std::borrow::Cow<str> = if name.is_ascii() {
        std::borrow::Cow::Borrowed(name)
    } else {
        std::borrow::Cow::Owned(deunicode::deunicode(name))
    };
    let mut out = Vec::new();
    let mut cur = String::new();
    for c in ascii.chars() {
        if c.is_ascii_alphanumeric() {
            cur.push(c.to_ascii_lowercase());
        } else if c == '&' {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            out.push("and".to_string());
        } else if c == '\'' || c == '\u{2019}' {
            // `Ko'rea` and `Korea`: apostrophes join.
        } else if !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    // Initialisms written with dots (`L.L.C.`, `S.A.`) are one word.
    let mut merged: Vec<String> = Vec::with_capacity(out.len());
    let mut prev_single = false;
    for w in out {
        let single = w.len() == 1 && w.bytes().all(|b| b.is_ascii_alphabetic());
        match merged.last_mut() {
            Some(last) if single && prev_single => last.push_str(&w),
            _ => merged.push(w),
        }
        prev_single = single;
    }
    let mut out = merged;
    for w in &mut out {
        let c = canonical(w);
        if c != w {
            *w = c.to_string();
        }
    }
    out
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
