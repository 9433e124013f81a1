//! The HTTP side of `--site`: the REST index, the sign-in check and the pages of posts, with
//! the client settings the link checker shares (timeouts, retries with backoff, `Retry-After`,
//! a body cut short read again, User-Agent). Nothing here parses more of a page than it needs
//! to go on paging.

use std::collections::BTreeMap;
use std::sync::Arc;

use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, LOCATION};
use url::Url;

use super::paging::{PageResult, Paged, Window};
use super::{Credentials, Page, PostType, SiteRequest};
use crate::http::{self, BodyLimit, ClientOptions, Purpose, WholeAnswer};

/// WordPress answers 400 for more.
const PER_PAGE: usize = 100;

/// Where the site's REST routes live.
#[derive(Debug, Clone)]
pub enum Api {
    /// Pretty permalinks: `https://host/wp-json/` + route.
    Pretty(Url),
    /// Plain permalinks: `https://host/?rest_route=/` + route.
    Query(Url),
}

impl Api {
    /// The address of a route (`wp/v2/posts`) with a query (`page=2&per_page=100`).
    pub fn url(&self, route: &str, query: &str) -> String {
        let separator = |q: &str| if q.is_empty() { "" } else { "&" };
        match self {
            Api::Pretty(root) => {
                let mark = if query.is_empty() { "" } else { "?" };
                format!("{root}{route}{mark}{query}")
            }
            Api::Query(base) => {
                format!("{base}?rest_route=/{route}{}{query}", separator(query))
            }
        }
    }
}

/// One answer, read whole.
pub(super) struct Answer {
    pub(super) status: StatusCode,
    content_type: String,
    total_pages: Option<usize>,
    /// Every `Link` header's value, as sent.
    pub(super) links: Vec<String>,
    /// The `Location` of a redirect.
    location: Option<String>,
    pub(super) body: Vec<u8>,
}

impl Answer {
    fn from_whole(whole: WholeAnswer) -> Self {
        let header = |name| {
            whole
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
        };
        Self {
            status: whole.status,
            content_type: header(CONTENT_TYPE.as_str()).to_ascii_lowercase(),
            total_pages: header("x-wp-totalpages").trim().parse().ok(),
            links: whole
                .headers
                .get_all(reqwest::header::LINK)
                .iter()
                .filter_map(|v| v.to_str().ok().map(str::to_owned))
                .collect(),
            location: whole
                .headers
                .get(LOCATION)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
            body: whole.body,
        }
    }

    /// Where a redirect from `from` sends the reader, if this answer is one.
    fn redirect_from(&self, from: &Url) -> Option<Result<Url, String>> {
        if !self.status.is_redirection() || self.status == StatusCode::NOT_MODIFIED {
            return None;
        }
        let location = self.location.as_deref()?;
        Some(
            from.join(location).map_err(|e| {
                format!("{from} redirects to `{location}`, which is not an address: {e}")
            }),
        )
    }

    pub(super) fn is_json(&self) -> bool {
        self.content_type.contains("json") || matches!(first_byte(&self.body), Some(b'{' | b'['))
    }

    /// What the answer was, for a message: `503 (text/html)`.
    pub(super) fn describe(&self) -> String {
        let kind = if self.content_type.is_empty() {
            "no content type"
        } else {
            self.content_type
                .split(';')
                .next()
                .unwrap_or_default()
                .trim()
        };
        format!("{} ({kind})", self.status.as_u16())
    }

    /// The `code` of a REST error answer (`rest_post_invalid_page_number`).
    pub(super) fn rest_error_code(&self) -> Option<String> {
        #[derive(serde::Deserialize)]
        struct RestError {
            code: String,
        }
        serde_json::from_slice::<RestError>(&self.body)
            .ok()
            .map(|e| e.code)
    }
}

fn first_byte(body: &[u8]) -> Option<u8> {
    let text = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    text.iter().copied().find(|b| !b.is_ascii_whitespace())
}

/// The HTTP clients of one site, with its politeness settings. Credentials go to the origin
/// the user named and nowhere else: the sign-in check and the posts are asked there only,
/// and what finds the API (a page whose `Link` header may name any site) is asked elsewhere
/// without them. Only the origin the user named (the scheme, host and port of `--site` or of
/// the post's address) may be on this machine or a private network: anywhere a page, a
/// header or a redirect leads, the private-address guard of the link checker applies.
pub struct SiteClient {
    /// The origin the user named, reached at whatever address it has.
    named: url::Origin,
    anonymous: reqwest::Client,
    /// Any other origin, through the private-address guard.
    guarded: reqwest::Client,
    signed: Option<Signed>,
    options: ClientOptions,
    max_bytes: u64,
}

/// The user's credentials and the one origin they go to.
struct Signed {
    client: reqwest::Client,
    credentials: Credentials,
    origin: url::Origin,
}

impl SiteClient {
    pub fn new(request: &SiteRequest) -> Result<Self, String> {
        let build = |purpose| {
            http::client(&request.client, purpose)
                .map_err(|e| format!("cannot build an HTTP client: {e}"))
        };
        let signed = match &request.credentials {
            Some(credentials) => {
                let origin = request.url.origin();
                Some(Signed {
                    client: build(Purpose::SignedIn(origin.clone()))?,
                    credentials: credentials.clone(),
                    origin,
                })
            }
            None => None,
        };
        Ok(Self {
            named: request.url.origin(),
            anonymous: build(Purpose::NamedSite)?,
            guarded: build(Purpose::LinkTargets)?,
            signed,
            options: request.client.clone(),
            max_bytes: request.max_bytes,
        })
    }

    /// GET as the user, read whole, with retries on 429, 5xx, transient failures and a body
    /// cut short; the last answer or failure. With credentials, an address on another origin
    /// than the one named is refused rather than asked without them.
    pub(super) async fn get(&self, url: &str) -> Result<Answer, String> {
        let Some(signed) = &self.signed else {
            return self.get_anonymous(url).await;
        };
        if Url::parse(url).map(|u| u.origin()).as_ref() != Ok(&signed.origin) {
            return Err(format!(
                "refused: {url} is not on {}, the only site the password goes to",
                signed.origin.ascii_serialization()
            ));
        }
        let credentials = &signed.credentials;
        self.get_whole(|| {
            signed
                .client
                .get(url)
                .basic_auth(&credentials.user, Some(credentials.password()))
        })
        .await
    }

    /// GET of what finds the API (the REST index, a post's page): as the user on the origin
    /// named (a site may close its REST API to visitors), anonymously anywhere else.
    pub(super) async fn get_to_locate(&self, url: &str) -> Result<Answer, String> {
        let on_named_origin =
            |signed: &&Signed| Url::parse(url).is_ok_and(|u| u.origin() == signed.origin);
        if self.signed.as_ref().filter(on_named_origin).is_some() {
            return self.get(url).await;
        }
        self.get_anonymous(url).await
    }

    /// GET without credentials, following redirects one hop at a time so that each hop that
    /// leaves the origin named passes the private-address guard.
    async fn get_anonymous(&self, url: &str) -> Result<Answer, String> {
        let mut at = Url::parse(url).map_err(|e| format!("`{url}` is not an address: {e}"))?;
        for _ in 0..=http::MAX_REDIRECTS {
            let answer = self.get_one_hop(&at).await?;
            match answer.redirect_from(&at) {
                Some(next) => at = next?,
                None => return Ok(answer),
            }
        }
        Err(format!(
            "{url}: more than {} redirects",
            http::MAX_REDIRECTS
        ))
    }

    /// One anonymous request, without following a redirect: to the origin named as it is,
    /// elsewhere through the guard (the address first, for a clear message, then what its
    /// name resolves to, when the client connects).
    async fn get_one_hop(&self, url: &Url) -> Result<Answer, String> {
        if url.origin() == self.named {
            return self.get_whole(|| self.anonymous.get(url.clone())).await;
        }
        if let Some(refusal) = http::refusal_by_address(url, self.options.allow_private) {
            return Err(format!(
                "refused: {url} is not on {}, the site named, and {refusal}",
                self.named.ascii_serialization()
            ));
        }
        self.get_whole(|| self.guarded.get(url.clone())).await
    }

    async fn get_whole(
        &self,
        request: impl Fn() -> reqwest::RequestBuilder,
    ) -> Result<Answer, String> {
        let limit = BodyLimit {
            bytes: self.max_bytes,
            setting: "--max-response-size",
        };
        http::get_whole(&self.options, limit, request)
            .await
            .map(Answer::from_whole)
            .map_err(|failure| failure.reason)
    }

    /// Why the credentials may not go to `api`, when they may not: an API on plain http (to
    /// another machine), or on another origin than the one the user named (a page's `Link`
    /// header may name any site). Checked before any request that carries them.
    pub fn refusal_to_sign(&self, api: &Api) -> Option<String> {
        let signed = self.signed.as_ref()?;
        let root = api.url("", "");
        if !super::may_carry_password(&root) {
            return Some(format!(
                "the site's REST API is at {root}, over plain http: refusing to send a password"
            ));
        }
        let origin = Url::parse(&root).ok().map(|url| url.origin());
        (origin.as_ref() != Some(&signed.origin)).then(|| {
            format!(
                "the site's REST API is at {root}, another site than {}: the password goes only \
                 to the site named (name that site with --site, and the post with --post, to read \
                 it signed in)",
                signed.origin.ascii_serialization()
            )
        })
    }

    /// Finds the REST API: `/wp-json/`, else `?rest_route=/` when pretty permalinks are off.
    pub async fn index(&self, site: &Url) -> Result<(Api, serde_json::Value), String> {
        let pretty = Api::Pretty(join(site, "wp-json/"));
        let query = Api::Query(join(site, ""));
        let mut tried = Vec::new();
        for api in [pretty, query] {
            let url = api.url("", "");
            match self.get_to_locate(&url).await {
                Ok(answer) if answer.status.is_success() && answer.is_json() => {
                    match serde_json::from_slice::<serde_json::Value>(&answer.body) {
                        Ok(index) if index.is_object() => return Ok((api, index)),
                        _ => tried.push(format!(
                            "{url} answered {} that is not a REST index",
                            answer.describe()
                        )),
                    }
                }
                Ok(answer) => tried.push(format!("{url} answered {}", answer.describe())),
                Err(reason) => tried.push(format!("{url}: {reason}")),
            }
        }
        Err(format!(
            "cannot find the REST API of {site}: {}",
            tried.join("; ")
        ))
    }

    /// Checks the credentials before anything else: WordPress treats wrong ones as anonymous
    /// and would quietly leave drafts and private posts out. Returns the user's name.
    pub async fn sign_in(&self, api: &Api) -> Result<String, String> {
        let Some(Signed { credentials, .. }) = &self.signed else {
            return Err("no credentials".to_owned());
        };
        let url = api.url("wp/v2/users/me", "context=edit");
        let answer = self
            .get(&url)
            .await
            .map_err(|reason| format!("{url}: {reason}"))?;
        if answer.status.is_success() {
            let name = serde_json::from_slice::<serde_json::Value>(&answer.body)
                .ok()
                .and_then(|me| me.get("name")?.as_str().map(str::to_owned))
                .unwrap_or_else(|| credentials.user.clone());
            return Ok(name);
        }
        Err(format!(
            "the site did not accept the credentials of `{}` ({url} answered {}): check --user and \
             POSTLINT_WP_APP_PASSWORD, which must be an application password, not the login password",
            credentials.user,
            answer.describe()
        ))
    }
}

pub(super) fn join(site: &Url, path: &str) -> Url {
    let mut base = site.clone();
    base.set_query(None);
    base.set_fragment(None);
    if !base.path().ends_with('/') {
        let path = format!("{}/", base.path());
        base.set_path(&path);
    }
    base.join(path).unwrap_or(base)
}

/// Pages through one post type: page 1, then the rest a few at a time (the per-host limit),
/// in order, until the end is seen (`paging` says when).
pub async fn fetch_type(
    client: Arc<SiteClient>,
    api: &Api,
    kind: PostType,
    query: &str,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Paged {
    let first = fetch_page(&client, api, kind, query, 1).await;
    let mut window = Window::after_first(first, client.options.per_host);
    let (done, total) = window.progress();
    progress(done, total);
    let mut tasks = tokio::task::JoinSet::new();
    let mut asked = BTreeMap::new();
    let mut stopped = Vec::new();
    loop {
        while let Some(number) = window.next_to_ask(tasks.len()) {
            let (client, api, query) = (client.clone(), api.clone(), query.to_owned());
            let handle = tasks.spawn(async move {
                let result = fetch_page(&client, &api, kind, &query, number).await;
                (number, result)
            });
            asked.insert(number, handle);
        }
        let Some(done) = tasks.join_next().await else {
            break;
        };
        match done {
            Ok((number, result)) => {
                asked.remove(&number);
                window.take(number, result);
            }
            Err(error) if error.is_cancelled() => {}
            Err(error) => stopped.push(format!("a {} page fetch stopped: {error}", kind.route())),
        }
        // Pages past the end are not waited for.
        for handle in asked.split_off(&window.last().saturating_add(1)).values() {
            handle.abort();
        }
        let (done, total) = window.progress();
        progress(done, total);
    }
    let mut paged = window.finish(&kind.route());
    paged.errors.extend(stopped);
    paged
}

async fn fetch_page(
    client: &SiteClient,
    api: &Api,
    kind: PostType,
    query: &str,
    number: usize,
) -> PageResult {
    let route = kind.route();
    let request_query = format!("per_page={PER_PAGE}&page={number}{query}");
    let url = api.url(&route, &request_query);
    let name = api.url(&route, &format!("page={number}"));
    let answer = match client.get(&url).await {
        Ok(answer) => answer,
        Err(reason) => return PageResult::Failed(format!("{name}: {reason}"), None),
    };
    if answer.status == StatusCode::BAD_REQUEST
        && answer.rest_error_code().as_deref() == Some("rest_post_invalid_page_number")
    {
        return PageResult::End;
    }
    let failed = !answer.status.is_success() || !answer.is_json();
    let reason = failed.then(|| {
        format!(
            "{name}: the site answered {}, not a page of posts",
            answer.describe()
        )
    });
    if !failed && is_empty_array(&answer.body) {
        return PageResult::End;
    }
    let page = Page {
        kind,
        number,
        file_stem: format!("{}-page-{number}", kind.name()),
        name,
        bytes: answer.body.into(),
    };
    match (reason, answer.total_pages) {
        (Some(reason), _) => PageResult::Failed(reason, (!page.bytes.is_empty()).then_some(page)),
        // Without a count, a page short of what was asked for is the last: WordPress fills
        // every other page (with a count it need not: it leaves out posts the user may not
        // read after the query is cut into pages).
        (None, None) if holds_fewer_than(&page.bytes, PER_PAGE) => PageResult::Last(page),
        (None, claimed) => PageResult::Page(page, claimed),
    }
}

/// Whether `body` is a JSON array of fewer than `count` items.
fn holds_fewer_than(body: &[u8], count: usize) -> bool {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    serde_json::from_slice::<Vec<serde::de::IgnoredAny>>(body)
        .is_ok_and(|items| items.len() < count)
}

/// `[]`, as WordPress answers for a collection with nothing in it.
fn is_empty_array(body: &[u8]) -> bool {
    let text = body
        .strip_prefix(b"\xEF\xBB\xBF")
        .unwrap_or(body)
        .trim_ascii();
    text.strip_prefix(b"[")
        .and_then(|t| t.strip_suffix(b"]"))
        .is_some_and(|inside| inside.trim_ascii().is_empty())
}

/// The largest `modified_gmt` of the pages, and whether every page could be read for it.
/// This reads the pages a second time, skipping all but one field: the mark must be known
/// whichever rules run, and a page that is not a JSON array means the fetch is incomplete.
pub fn newest_modified(pages: &[Page]) -> (Option<String>, bool) {
    #[derive(serde::Deserialize)]
    struct Stub {
        modified_gmt: Option<String>,
    }
    let mut newest: Option<String> = None;
    let mut complete = true;
    for page in pages {
        match serde_json::from_slice::<Vec<Stub>>(&page.bytes) {
            Ok(posts) => {
                for modified in posts.into_iter().filter_map(|p| p.modified_gmt) {
                    if newest.as_ref().is_none_or(|n| modified > *n) {
                        newest = Some(modified);
                    }
                }
            }
            Err(_) => complete = false,
        }
    }
    (newest, complete)
}
