//! Character references (`&amp;`, `&#8217;`) in a text run: decoded offsets mapped back to the
//! HTML as written.

/// Maps offsets in decoded text (character references replaced) back to its source in the
/// HTML. Returns `(decoded, source)` pairs at each reference, or `None` when the two cannot be
/// lined up exactly (a legacy reference without `;`), so callers fall back to the whole run.
pub fn reference_map(source: &str, decoded: &str) -> Option<Vec<(usize, usize)>> {
    let mut map = Vec::new();
    let (mut s, mut d) = (0, 0);
    while s < source.len() && d < decoded.len() {
        let source_char = source[s..].chars().next()?;
        let decoded_char = decoded[d..].chars().next()?;
        if source_char == '&'
            && let Some(len) = reference_len(&source[s..])
        {
            s += len;
            d += decoded_char.len_utf8();
            map.push((d, s));
        } else if source_char == '\r' && decoded_char == '\n' {
            s += if source[s..].starts_with("\r\n") {
                2
            } else {
                1
            };
            d += 1;
            map.push((d, s));
        } else if source_char == decoded_char {
            s += source_char.len_utf8();
            d += decoded_char.len_utf8();
        } else {
            return None;
        }
    }
    (s == source.len() && d == decoded.len()).then_some(map)
}

/// Length of a character reference with its `;`: `&amp;`, `&#8217;`, `&#x2019;`.
fn reference_len(text: &str) -> Option<usize> {
    let body = text.strip_prefix('&')?;
    // Only a reference's own characters are looked through for its `;`: searching the rest
    // of the run made each bare `&` cost the run's length.
    let end = body
        .bytes()
        .position(|b| !(b.is_ascii_alphanumeric() || b == b'#'))?;
    if body.as_bytes()[end] != b';' {
        return None;
    }
    let name = &body[..end];
    let valid = if let Some(hex) = name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
        !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit())
    } else if let Some(digits) = name.strip_prefix('#') {
        !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
    } else {
        !name.is_empty() && name.len() <= 32 && name.bytes().all(|b| b.is_ascii_alphanumeric())
    };
    valid.then_some(end + 2)
}

/// A decoded offset through a map from `reference_map`, relative to the source start.
pub fn source_offset(map: &[(usize, usize)], decoded: usize) -> usize {
    match map.partition_point(|&(d, _)| d <= decoded).checked_sub(1) {
        Some(i) => map[i].1 + (decoded - map[i].0),
        None => decoded,
    }
}
