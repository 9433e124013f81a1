//! The settings' defaults, in one place, and the range each number (duration, size, count)
//! accepts, checked by the same code whether a value comes from the command line or from a
//! config file: a value out of range is an error, never clamped, silently replaced or left to
//! panic further on.

use std::time::Duration;

use bytesize::ByteSize;

/// A value a setting does not take, and what it takes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{value}` is not {accepted}")]
pub struct OutOfRange {
    pub value: String,
    pub accepted: String,
}

impl OutOfRange {
    fn new(value: impl ToString, accepted: String) -> Self {
        Self {
            value: value.to_string(),
            accepted,
        }
    }
}

/// A duration written in seconds, fractions allowed, from a millisecond to a day: anything
/// longer is a mistake (and `1e300` would overflow a `Duration`).
#[derive(Debug, Clone, Copy)]
pub struct Seconds {
    pub default: Duration,
}

impl Seconds {
    const SHORTEST: f64 = 0.001;
    const LONGEST: f64 = 86_400.0;

    /// `seconds` as a duration, when it is a finite number in range.
    pub fn check(&self, seconds: f64) -> Result<Duration, OutOfRange> {
        // NaN fails both comparisons, so it is refused with the infinities.
        let in_range = (Self::SHORTEST..=Self::LONGEST).contains(&seconds);
        match Duration::try_from_secs_f64(seconds) {
            Ok(duration) if in_range => Ok(duration),
            _ => Err(OutOfRange::new(short(seconds), self.accepted())),
        }
    }

    /// A value written on the command line; the error shows it as written.
    pub fn parse(&self, text: &str) -> Result<Duration, OutOfRange> {
        let text = text.trim();
        match text.parse::<f64>().map(|seconds| self.check(seconds)) {
            Ok(Ok(duration)) => Ok(duration),
            _ => Err(OutOfRange::new(text, self.accepted())),
        }
    }

    pub fn accepted(&self) -> String {
        format!(
            "a number of seconds from {} to {} (one day)",
            Self::SHORTEST,
            Self::LONGEST
        )
    }
}

/// A whole number in a range.
#[derive(Debug, Clone, Copy)]
pub struct Count {
    pub least: usize,
    pub most: usize,
}

impl Count {
    pub fn check(&self, count: u64) -> Result<usize, OutOfRange> {
        usize::try_from(count)
            .ok()
            .filter(|n| (self.least..=self.most).contains(n))
            .ok_or_else(|| OutOfRange::new(count, self.accepted()))
    }

    /// A value written on the command line; the error shows it as written.
    pub fn parse(&self, text: &str) -> Result<usize, OutOfRange> {
        let text = text.trim();
        match text.parse::<u64>().map(|count| self.check(count)) {
            Ok(Ok(count)) => Ok(count),
            _ => Err(OutOfRange::new(text, self.accepted())),
        }
    }

    pub fn accepted(&self) -> String {
        format!("a whole number from {} to {}", self.least, self.most)
    }
}

/// A number of bytes, written as a number or with a unit (`64MiB`, `1.5GB`).
#[derive(Debug, Clone, Copy)]
pub struct Size {
    pub least: ByteSize,
    pub most: ByteSize,
    pub default: ByteSize,
}

impl Size {
    pub fn check(&self, size: ByteSize) -> Result<ByteSize, OutOfRange> {
        if (self.least..=self.most).contains(&size) {
            return Ok(size);
        }
        Err(OutOfRange::new(size.as_u64(), self.accepted()))
    }

    /// A value written on the command line, or as a string in a config file; the error shows
    /// it as written.
    pub fn parse(&self, text: &str) -> Result<ByteSize, OutOfRange> {
        let text = text.trim();
        match text.parse::<ByteSize>().map(|size| self.check(size)) {
            Ok(Ok(size)) => Ok(size),
            _ => Err(OutOfRange::new(text, self.accepted())),
        }
    }

    pub fn accepted(&self) -> String {
        let unbounded = self.most.as_u64() == u64::MAX;
        let range = match (self.least.as_u64(), unbounded) {
            (0, true) => String::new(),
            (_, true) => format!(" of at least {}", self.least),
            _ => format!(" from {} to {}", self.least, self.most),
        };
        format!("a size{range}, such as 64MiB or 1GB")
    }
}

/// A number as a person would write it: `1e300`, not three hundred digits.
fn short(number: f64) -> String {
    if number.is_finite() && number.abs() >= 1e9 {
        format!("{number:e}")
    } else {
        number.to_string()
    }
}

/// `--link-timeout` and `[links] timeout`: one link's whole check, every request, retry and
/// wait included; a page of `--site`, the whole page.
pub const LINK_TIMEOUT: Seconds = Seconds {
    default: Duration::from_secs(15),
};

/// `--site-timeout` and `[site] timeout`: one page of a site read, each try of it and each
/// wait between tries (at most three tries); connecting takes at most a third of it. Apart from
/// `--link-timeout`, which bounds one link's check.
pub const SITE_TIMEOUT: Seconds = Seconds {
    default: Duration::from_secs(15),
};

/// `--archive-timeout` and `[links] archive-timeout`: every archive lookup of a run together.
/// The results are cached, so a run that stops at the bound is continued by the next one.
pub const ARCHIVE_TIMEOUT: Seconds = Seconds {
    default: Duration::from_secs(60),
};

/// `--max-response-size` and `[site] max-response-size`: one answer of a site, read whole. A
/// page of 100 posts of a real site is a few MB (4 MB in the corpus, twice that with the raw
/// text); the bound holds a page of large posts and keeps a stream that never ends from
/// filling the memory.
pub const MAX_RESPONSE_SIZE: Size = Size {
    least: ByteSize::kib(1),
    most: ByteSize::gib(4),
    default: ByteSize::mib(64),
};

/// The Internet Archive's availability API, asked for archived copies of dead links unless
/// `--archive-api` or `[links] archive-api` names another.
pub const ARCHIVE_API: &str = "https://archive.org/wayback/available";

/// The User-Agent of every request, unless `--user-agent` or `[links] user-agent` sets one.
pub fn default_user_agent() -> String {
    format!("postlint/{}", env!("CARGO_PKG_VERSION"))
}

/// `--link-concurrency`: link requests in flight at once.
pub const LINK_CONCURRENCY: Count = Count {
    least: 1,
    most: 1024,
};
/// `--link-concurrency` when none is given.
pub const DEFAULT_LINK_CONCURRENCY: usize = 64;

/// `--per-host`: requests to one server at once (link targets, the pages of a site).
pub const PER_HOST: Count = Count { least: 1, most: 64 };
/// `--per-host` when none is given.
pub const DEFAULT_PER_HOST: usize = 4;

/// `--threads`: each is an OS thread, started before any work.
pub const THREADS: Count = Count {
    least: 1,
    most: 1024,
};

/// `--max-depth`: the JSON reader descends one stack frame per level, and WordPress's own
/// encoder (`wp_json_encode`) stops at 512 levels, so no post it wrote is deeper.
pub const MAX_DEPTH: Count = Count {
    least: 1,
    most: 512,
};
/// `--max-depth` when none is given: as deep as WordPress writes.
pub const DEFAULT_MAX_DEPTH: usize = MAX_DEPTH.most;

/// `--cache-dir` when none is given: the link cache beside the run, for CI to keep.
pub const CACHE_DIR: &str = ".postlint-cache";

/// `--max-file-size`: a limit of nothing would refuse every file. The default is a thousand
/// times the largest export in the corpus of real posts (4.2 MB).
pub const MAX_FILE_SIZE: Size = Size {
    least: ByteSize::b(1),
    most: ByteSize::b(u64::MAX),
    default: ByteSize::gib(4),
};

/// `--max-post-size`: a limit of nothing would refuse every post. The default is sixty times
/// the largest real post seen.
pub const MAX_POST_SIZE: Size = Size {
    least: ByteSize::b(1),
    most: ByteSize::b(u64::MAX),
    default: ByteSize::mib(256),
};

/// `--memory-budget`: `0` means no budget.
pub const MEMORY_BUDGET: Size = Size {
    least: ByteSize::b(0),
    most: ByteSize::b(u64::MAX),
    default: ByteSize::mib(128),
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_out_of_range_are_refused_whatever_their_form() {
        for text in [
            "1e300",
            "inf",
            "-inf",
            "nan",
            "NaN",
            "0",
            "-1",
            "0.0000001",
            "86401",
            "",
        ] {
            assert!(LINK_TIMEOUT.parse(text).is_err(), "{text}");
        }
        assert_eq!(LINK_TIMEOUT.parse("2.5"), Ok(Duration::from_millis(2500)));
        assert_eq!(
            LINK_TIMEOUT.parse(" 86400 "),
            Ok(Duration::from_secs(86_400))
        );
        assert_eq!(LINK_TIMEOUT.check(0.001), Ok(Duration::from_millis(1)));
    }

    #[test]
    fn counts_and_sizes_keep_to_their_ranges() {
        for text in ["0", "-1", "1025", "1e3", "18446744073709551616", "2.5"] {
            assert!(LINK_CONCURRENCY.parse(text).is_err(), "{text}");
        }
        assert_eq!(LINK_CONCURRENCY.parse("1024"), Ok(1024));
        assert!(MAX_DEPTH.parse("513").is_err());
        for text in ["0", "512", "1B", "5GiB", "-1", "lots"] {
            assert!(MAX_RESPONSE_SIZE.parse(text).is_err(), "{text}");
        }
        assert_eq!(MAX_RESPONSE_SIZE.parse("32MiB"), Ok(ByteSize::mib(32)));
        assert!(MAX_FILE_SIZE.parse("0").is_err());
        assert!(MAX_POST_SIZE.parse("0").is_err());
        assert_eq!(MEMORY_BUDGET.parse("0"), Ok(ByteSize::b(0)));
        assert_eq!(MAX_FILE_SIZE.parse("99999EiB"), Ok(ByteSize::b(u64::MAX)));
    }

    #[test]
    fn the_message_says_what_is_taken() {
        let error = LINK_TIMEOUT.parse("1e300").expect_err("out of range");
        assert_eq!(
            error.to_string(),
            "`1e300` is not a number of seconds from 0.001 to 86400 (one day)"
        );
        let error = LINK_TIMEOUT.check(1e300).expect_err("out of range");
        assert!(error.to_string().starts_with("`1e300` is not"), "{error}");
        let error = MAX_RESPONSE_SIZE.parse("0").expect_err("out of range");
        assert!(
            error.to_string().contains("from 1.0 KiB to 4.0 GiB"),
            "{error}"
        );
    }
}
