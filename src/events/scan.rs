//! A small JSON scanner for locations serde does not give: the byte range of
//! each element of a top-level array, and where each top-level key of an
//! object stands (so a diagnostic can point at the offending field).

/// Skip a JSON string starting at `i` (which is `"`); returns the index after it.
fn skip_string(b: &[u8], mut i: usize) -> usize {
    i += 1;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    b.len()
}

/// What splitting a top-level JSON array found.
#[derive(Debug, PartialEq, Eq)]
pub enum ArrayScan {
    /// The byte range of each element, and where the array stopped
    /// short: at text after its `]`, or at the end with no `]`.
    Elements(Vec<(usize, usize)>, Option<ArrayEnd>),
    /// The text is not an array; the offset of the first offending byte.
    NotAnArray(usize),
}

/// How an array ended badly.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub enum ArrayEnd {
    /// Something other than white space follows the `]`, at this offset.
    TextAfter(usize),
    /// The text ends before the `]`.
    Unclosed,
}

/// Split `[ {...}, {...} ]` into element ranges by bracket depth, so one
/// malformed element does not stop the rest from being read.
pub fn split_array(text: &str) -> ArrayScan {
    let b = text.as_bytes();
    let mut i = skip_ws(b, 0);
    if b.get(i) != Some(&b'[') {
        return ArrayScan::NotAnArray(i);
    }
    i += 1;
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut start: Option<usize> = None;
    while i < b.len() {
        let c = b[i];
        match c {
            b'"' => {
                start.get_or_insert(i);
                i = skip_string(b, i);
                continue;
            }
            b'{' | b'[' => {
                start.get_or_insert(i);
                depth += 1;
            }
            b'}' | b']' if depth > 0 => depth -= 1,
            b']' => {
                if let Some(s) = start.take() {
                    out.push((s, trim_end(b, i)));
                }
                let after = skip_ws(b, i + 1);
                let end = (after < b.len()).then_some(ArrayEnd::TextAfter(after));
                return ArrayScan::Elements(out, end);
            }
            b',' if depth == 0 => {
                if let Some(s) = start.take() {
                    out.push((s, trim_end(b, i)));
                }
            }
            b' ' | b'\t' | b'\r' | b'\n' => {}
            _ => {
                start.get_or_insert(i);
            }
        }
        i += 1;
    }
    // No closing bracket: keep what was found; the caller reports the rest.
    if let Some(s) = start {
        out.push((s, trim_end(b, b.len())));
    }
    ArrayScan::Elements(out, Some(ArrayEnd::Unclosed))
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\r' | b'\n') {
        i += 1;
    }
    // A UTF-8 byte-order mark.
    if b.get(i..)
        .is_some_and(|r| r.starts_with(&[0xEF, 0xBB, 0xBF]))
    {
        return skip_ws(b, i + 3);
    }
    i
}

fn trim_end(b: &[u8], mut end: usize) -> usize {
    while end > 0 && matches!(b[end - 1], b' ' | b'\t' | b'\r' | b'\n') {
        end -= 1;
    }
    end
}

/// Where a top-level key of a JSON object stands: the key's start and the
/// end of its value, as byte offsets into `object`.
/// [`field_range`] of a dotted path (`parties.owner`): the innermost key
/// found, or the outer field when an inner one is not there.
pub fn field_path_range(object: &str, path: &str) -> Option<(usize, usize)> {
    let mut parts = path.split('.');
    let first = parts.next()?;
    let (mut start, mut end) = field_range(object, first)?;
    for key in parts {
        // The value of the current field begins after its key and colon.
        let inner = object.get(start..end)?;
        let colon = inner.find(':')?;
        let value_at = start + colon + 1;
        let value = object.get(value_at..end)?.trim_start();
        let base = end - value.len();
        match field_range(value, key) {
            Some((s, e)) => {
                start = base + s;
                end = base + e;
            }
            None => break,
        }
    }
    Some((start, end))
}

pub fn field_range(object: &str, key: &str) -> Option<(usize, usize)> {
    let b = object.as_bytes();
    let mut i = skip_ws(b, 0);
    if b.get(i) != Some(&b'{') {
        return None;
    }
    i += 1;
    loop {
        i = skip_ws(b, i);
        if b.get(i) != Some(&b'"') {
            return None;
        }
        let key_start = i;
        let key_end = skip_string(b, i);
        let this_key = object.get(key_start + 1..key_end.saturating_sub(1))?;
        i = skip_ws(b, key_end);
        if b.get(i) != Some(&b':') {
            return None;
        }
        i = skip_ws(b, i + 1);
        let value_start = i;
        let mut depth = 0usize;
        while i < b.len() {
            match b[i] {
                b'"' => {
                    i = skip_string(b, i);
                    continue;
                }
                b'{' | b'[' => depth += 1,
                b'}' | b']' if depth > 0 => depth -= 1,
                b',' | b'}' if depth == 0 => break,
                _ => {}
            }
            i += 1;
        }
        let value_end = trim_end(b, i).max(value_start);
        if this_key == key {
            return Some((key_start, value_end));
        }
        if b.get(i) != Some(&b',') {
            return None;
        }
        i += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_arrays_by_depth() {
        let t = r#"[ {"a": "x,]"}, {"b": [1, 2]} ,{"c":3}]"#;
        let ArrayScan::Elements(e, None) = split_array(t) else {
            panic!("not an array")
        };
        let parts: Vec<&str> = e.iter().map(|(s, e)| &t[*s..*e]).collect();
        assert_eq!(parts, [r#"{"a": "x,]"}"#, r#"{"b": [1, 2]}"#, r#"{"c":3}"#]);
        assert_eq!(split_array("  {}"), ArrayScan::NotAnArray(2));
        assert_eq!(split_array("[]"), ArrayScan::Elements(vec![], None));
        assert_eq!(
            split_array("[1] [2]"),
            ArrayScan::Elements(vec![(1, 2)], Some(ArrayEnd::TextAfter(4)))
        );
        assert_eq!(
            split_array("[1, 2"),
            ArrayScan::Elements(vec![(1, 2), (4, 5)], Some(ArrayEnd::Unclosed))
        );
    }

    #[test]
    fn finds_fields() {
        let o = r#"{"id": "a", "date": "2023-02-30", "via": ["CHN", "RUS"]}"#;
        let (s, e) = field_range(o, "date").unwrap_or((0, 0));
        assert_eq!(&o[s..e], r#""date": "2023-02-30""#);
        let (s, e) = field_range(o, "via").unwrap_or((0, 0));
        assert_eq!(&o[s..e], r#""via": ["CHN", "RUS"]"#);
        assert_eq!(field_range(o, "nope"), None);
    }
}

/// Byte ranges of the cells of one CSV line (quotes respected).
pub fn csv_cells(line: &str, delimiter: u8) -> Vec<(usize, usize)> {
    let b = line.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut quoted = false;
    for (i, c) in b.iter().enumerate() {
        match c {
            b'"' => quoted = !quoted,
            d if *d == delimiter && !quoted => {
                out.push((start, i));
                start = i + 1;
            }
            b'\n' | b'\r' if !quoted => {
                out.push((start, i));
                return out;
            }
            _ => {}
        }
    }
    out.push((start, b.len()));
    out
}

#[cfg(test)]
mod csv_tests {
    #[test]
    fn cells() {
        let l = "a,\"b,c\",d\n";
        let c = super::csv_cells(l, b',');
        assert_eq!(
            c.iter().map(|(s, e)| &l[*s..*e]).collect::<Vec<_>>(),
            ["a", "\"b,c\"", "d"]
        );
    }
}
