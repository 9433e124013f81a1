//! An address's host as the url crate reads it, without the crate's whole parse where the
//! address is a plain `http(s)://name/…`, as nearly every post's guid is.

/// The lower-cased host of `address`: what `url::Url::parse(address)`'s `host_str` gives.
///
/// A guid is read for its host alone; the url crate's parse of it (IDNA, the path, the
/// query) cost about 3,500 instructions and 85 instruction-cache misses a post.
pub fn host_of(address: &str) -> Option<String> {
    match plain_http_host(address) {
        Some(host) => Some(host.to_ascii_lowercase()),
        None => url::Url::parse(address)
            .ok()?
            .host_str()
            .map(str::to_ascii_lowercase),
    }
}

/// The host of an `http://` or `https://` address when the url crate would read it as
/// written: labels of ASCII letters, digits and hyphens, none empty, none punycode (`xn--`,
/// which url decodes and checks), the last starting with a letter (a last label of digits is
/// an IPv4 address to url), ended by `/`, `?`, `#` or the end (not by a port, user info or a
/// backslash). `None` leaves the address to the url crate.
fn plain_http_host(address: &str) -> Option<&str> {
    let bytes = address.as_bytes();
    // url removes tabs and newlines anywhere and trims spaces and controls at the ends.
    let trimmed = bytes.last().is_some_and(|&last| last > b' ');
    if !trimmed || bytes.iter().any(|b| matches!(b, b'\t' | b'\n' | b'\r')) {
        return None;
    }
    let rest = strip_prefix_ignore_case(address, "http://")
        .or_else(|| strip_prefix_ignore_case(address, "https://"))?;
    let end = (rest.bytes())
        .position(|b| !(b.is_ascii_alphanumeric() || b == b'-' || b == b'.'))
        .unwrap_or(rest.len());
    if !matches!(rest.as_bytes().get(end), None | Some(b'/' | b'?' | b'#')) {
        return None;
    }
    let host = &rest[..end];
    let plain_label = |label: &str| {
        !label.is_empty()
            && !label
                .get(..4)
                .is_some_and(|p| p.eq_ignore_ascii_case("xn--"))
    };
    let last_is_a_name = (host.rsplit('.').next())
        .and_then(|last| last.bytes().next())
        .is_some_and(|first| first.is_ascii_alphabetic());
    (last_is_a_name && host.split('.').all(plain_label)).then_some(host)
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn by_url(address: &str) -> Option<String> {
        let url = url::Url::parse(address).ok()?;
        url.host_str().map(str::to_ascii_lowercase)
    }

    #[test]
    fn plain_guids_are_read_without_the_url_crate() {
        for (address, host) in [
            ("https://example.com/?p=12", "example.com"),
            ("http://News.Example.CO.uk", "news.example.co.uk"),
            ("HTTPS://a-b.example#x", "a-b.example"),
        ] {
            assert_eq!(
                plain_http_host(address)
                    .map(str::to_ascii_lowercase)
                    .as_deref(),
                Some(host)
            );
            assert_eq!(host_of(address).as_deref(), Some(host));
        }
    }

    #[test]
    fn what_url_reads_otherwise_goes_to_url() {
        for address in [
            "http://127.0.0.1/x",
            "http://0x7f.1/",
            "http://example.com:8080/",
            "http://user@example.com/",
            "http://example.com./",
            "http://a..b/",
            "http://xn--nxasmq6b.com/",
            "http://xn--invalid-.com/",
            "http:///example.com",
            "http:\\\\example.com",
            "http://exa\tmple.com/",
            "http://example.com ",
            "http://ex%41mple.com/",
            "http://[::1]/",
            "http://bücher.example/",
            "ftp://example.com/",
            "/?p=12",
            "",
        ] {
            assert_eq!(plain_http_host(address), None, "{address}");
            assert_eq!(host_of(address), by_url(address), "{address}");
        }
    }

    proptest::proptest! {
        #[test]
        fn the_host_is_the_url_crates(
            address in "(?i)(https?|ftp|file):(//)?[a-zA-Z0-9.:@%_\\-\\[\\]\t ü]{0,24}([/?#\\\\][ -~]{0,8})?[ \t]?"
        ) {
            proptest::prop_assert_eq!(host_of(&address), by_url(&address));
        }

        #[test]
        fn a_host_of_odd_labels_is_the_url_crates(
            address in odd_addresses()
        ) {
            proptest::prop_assert_eq!(host_of(&address), by_url(&address));
        }
    }

    /// Addresses whose hosts are labels url reads apart from their letters: punycode, numbers
    /// (IPv4 in any base), hyphens, characters IDNA maps or drops, dots IDNA maps to `.`.
    fn odd_addresses() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::sample::select;
        use proptest::strategy::Strategy;
        const DOTS: &[&str] = &[".", ".", ".", "\u{3002}", "\u{ff0e}"];
        const STARTS: &[&str] = &[
            "http://",
            "HTTPS://",
            "https://",
            "http:",
            "http:\\\\",
            " http://",
            "\u{0}http://",
        ];
        const TAILS: &[&str] = &[
            "", "/", "/x", "?p=1", "#f", ":80/", ":443", ":", "\\x", "/ ", "\t", "@h/", ".",
        ];
        const LABELS: &[&str] = &[
            "a",
            "B",
            "ex",
            "xn--bcher-kva",
            "XN--nxasmq6b",
            "xn--",
            "xn--a-",
            "0",
            "1",
            "255",
            "256",
            "0x1F",
            "0X",
            "08",
            "1e5",
            "-a-",
            "ab--c",
            "",
            "ü",
            "\u{ad}",
            "\u{212a}",
            "\u{130}",
            "\u{661}",
            "\u{ff41}",
            "%41",
            "a_b",
            "a b",
            "\t",
            "ß",
        ];
        let label = select(LABELS);
        let dot = select(DOTS);
        let host = proptest::collection::vec((label, dot), 1..5).prop_map(|labels| {
            let mut host = String::new();
            for (label, dot) in labels {
                host.push_str(label);
                host.push_str(dot);
            }
            host.pop();
            host
        });
        let start = select(STARTS);
        let tail = select(TAILS);
        (start, host, tail).prop_map(|(start, host, tail)| format!("{start}{host}{tail}"))
    }
}
