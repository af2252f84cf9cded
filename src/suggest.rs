//! "Did you mean …?" suggestions.

/// The candidate closest to `word`, if it is close enough to be a likely typo.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lower = word.to_lowercase();
    let limit = match word.chars().count() {
        0..=2 => 1,
        3..=5 => 2,
        _ => 3,
    };
    candidates
        .into_iter()
        .filter(|c| *c != word)
        .map(|c| (strsim::damerau_levenshtein(&lower, &c.to_lowercase()), c))
        .filter(|(d, _)| *d <= limit)
        // Ties go to the more similar spelling (a transposition such as
        // `PKR` → `PRK` beats a substitution such as `PKR` → `PER`).
        .min_by(|a, b| {
            a.0.cmp(&b.0)
                .then_with(|| anagram(&lower, b.1).cmp(&anagram(&lower, a.1)))
                .then_with(|| {
                    let sa = strsim::jaro_winkler(&lower, &a.1.to_lowercase());
                    let sb = strsim::jaro_winkler(&lower, &b.1.to_lowercase());
                    sb.total_cmp(&sa)
                })
                .then_with(|| a.1.cmp(b.1))
        })
        .map(|(_, c)| c)
}

/// Same letters in another order: the mark of a transposition typo.
fn anagram(word: &str, candidate: &str) -> bool {
    let mut a: Vec<char> = word.chars().collect();
    let mut b: Vec<char> = candidate.to_lowercase().chars().collect();
    a.sort_unstable();
    b.sort_unstable();
    a == b
}

#[cfg(test)]
mod tests {
    use super::closest;

    #[test]
    fn finds_typos() {
        assert_eq!(closest("cyte", ["cite", "until"]), Some("cite"));
        assert_eq!(closest("DRPK", ["DPRK", "PRK"]), Some("DPRK"));
        assert_eq!(closest("zzzzzz", ["cite"]), None);
        assert_eq!(closest("PKR", ["PER", "PRK"]), Some("PRK"));
    }
}
