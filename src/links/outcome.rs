//! What a target's check found, and how a final answer is judged: a working page, a soft 404
//! (a deep link sent to the home page, a 200 whose title says "not found"), a parked or
//! for-sale domain.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use url::Url;

use super::page;

/// What a target's check found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "kebab-case")]
pub enum Outcome {
    Ok {
        status: u16,
    },
    /// Works, but through a permanent redirect (301, 308) to `final_url`.
    Redirect {
        status: u16,
        final_url: String,
    },
    Broken {
        reason: String,
    },
    /// The site answered but would not say (401, 403, 429, a bot wall), or the checker refused.
    Unverifiable {
        reason: String,
    },
    /// The server says the page works, but what a reader gets is not the page.
    Soft404 {
        reason: String,
    },
}

/// One request of a check: the URL asked and the status it answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hop {
    pub url: String,
    pub status: u16,
}

/// An archived copy of a target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Archived {
    pub url: String,
    /// `YYYYMMDDhhmmss`, as the archive writes it.
    pub timestamp: String,
}

impl Archived {
    /// The copy's date as `YYYY-MM-DD`.
    pub fn date(&self) -> String {
        let t = &self.timestamp;
        match (t.get(0..4), t.get(4..6), t.get(6..8)) {
            (Some(y), Some(m), Some(d)) => format!("{y}-{m}-{d}"),
            _ => t.clone(),
        }
    }
}

/// A target's outcome with what the check saw on the way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checked {
    #[serde(flatten)]
    pub outcome: Outcome,
    /// Every answer in order: the redirects, then the final one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hops: Vec<Hop>,
    /// For each fragment looked for in the page, whether it holds it; `None` when the page
    /// could not tell (not HTML, too large, cut short).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub fragments: BTreeMap<String, Option<bool>>,
    /// Archived copies asked for, by the post date (`YYYYMMDD`) they were asked near.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub archived: BTreeMap<String, Option<Archived>>,
}

impl Checked {
    pub fn new(outcome: Outcome) -> Self {
        Self {
            outcome,
            hops: Vec::new(),
            fragments: BTreeMap::new(),
            archived: BTreeMap::new(),
        }
    }

    /// Broken or a soft 404: worth an archived copy.
    pub fn is_dead(&self) -> bool {
        matches!(
            self.outcome,
            Outcome::Broken { .. } | Outcome::Soft404 { .. }
        )
    }
}

/// The final answer of a check, after its redirects.
pub struct FinalAnswer<'a> {
    pub start: &'a Url,
    pub url: &'a Url,
    pub status: u16,
    /// The first permanent redirect on the way, if any.
    pub permanent: Option<u16>,
    pub redirected: bool,
    pub title: Option<&'a str>,
}

/// Judges the final answer; `accept` holds the statuses taken as working besides 2xx.
pub fn judge(answer: &FinalAnswer<'_>, accept: &[u16]) -> Outcome {
    let code = answer.status;
    if !(200..300).contains(&code) && !accept.contains(&code) {
        return match code {
            401 | 403 | 429 | 999 => Outcome::Unverifiable {
                reason: format!("the site answered {code} and would not say more"),
            },
            _ => Outcome::Broken {
                reason: format!("the site answered {code}"),
            },
        };
    }
    if let Some(dead) = parked(answer).or_else(|| soft_404(answer)) {
        return dead;
    }
    match answer.permanent {
        Some(redirect) if answer.url != answer.start => Outcome::Redirect {
            status: redirect,
            final_url: answer.url.to_string(),
        },
        _ => Outcome::Ok { status: code },
    }
}

/// A parked or for-sale domain: the redirects end at a parking service, or the title says so.
fn parked(answer: &FinalAnswer<'_>) -> Option<Outcome> {
    if let Some(service) = answer.url.host_str().and_then(page::parking_service) {
        return Some(Outcome::Broken {
            reason: format!(
                "the domain is parked: it leads to `{}`, a domain parking or sale service",
                service
            ),
        });
    }
    let title = answer.title.filter(|t| page::says_for_sale(t))?;
    Some(Outcome::Broken {
        reason: format!("the domain is for sale: the page's title is `{title}`"),
    })
}

/// A deep link sent to the site's home page, or a page whose title says it was not found.
fn soft_404(answer: &FinalAnswer<'_>) -> Option<Outcome> {
    let deep = answer.start.path() != "/";
    let home = answer.url.path() == "/" && answer.url.query().is_none();
    if answer.redirected && deep && home && same_site(answer.start, answer.url) {
        return Some(Outcome::Soft404 {
            reason: format!("it redirects to the site's home page `{}`", answer.url),
        });
    }
    let title = answer.title.filter(|t| page::says_not_found(t))?;
    Some(Outcome::Soft404 {
        reason: format!(
            "the site answered {} but the page's title is `{title}`",
            answer.status
        ),
    })
}

/// One site: the same host, but for a leading `www.` (an `http` link may end on `https`).
fn same_site(a: &Url, b: &Url) -> bool {
    let host = |url: &Url| {
        let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
        host.strip_prefix("www.").map(str::to_owned).unwrap_or(host)
    };
    host(a) == host(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn judged(start: &str, end: &str, title: Option<&str>) -> Outcome {
        let (start, url) = (
            Url::parse(start).expect("url"),
            Url::parse(end).expect("url"),
        );
        judge(
            &FinalAnswer {
                start: &start,
                url: &url,
                status: 200,
                permanent: None,
                redirected: start != url,
                title,
            },
            &[],
        )
    }

    #[test]
    fn soft_404s_and_parked_domains() {
        let home = judged("https://x.example/a/b", "https://www.x.example/", None);
        assert!(matches!(home, Outcome::Soft404 { .. }), "{home:?}");
        let root = judged("https://x.example/", "https://www.x.example/", None);
        assert_eq!(root, Outcome::Ok { status: 200 });
        let elsewhere = judged("https://t.example/a", "https://y.example/", None);
        assert_eq!(elsewhere, Outcome::Ok { status: 200 });
        let titled = judged(
            "https://x.example/a",
            "https://x.example/a",
            Some("404 – X"),
        );
        assert!(matches!(titled, Outcome::Soft404 { .. }), "{titled:?}");
        let parked = judged(
            "https://old.example/a",
            "https://ww1.sedoparking.com/?d=1",
            None,
        );
        assert!(
            matches!(&parked, Outcome::Broken { reason } if reason.contains("sedoparking.com")),
            "{parked:?}"
        );
        assert_eq!(
            Archived {
                url: String::new(),
                timestamp: "20190504123000".into()
            }
            .date(),
            "2019-05-04"
        );
    }
}
